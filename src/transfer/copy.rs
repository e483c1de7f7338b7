//! `slice_copy_file`: a server-side copy of an object of any size (the JS SDK's
//! `sliceCopyFile`). The source is read with HEAD; up to CopySliceSize it is one
//! `put_object_copy`, above it a multipart upload whose parts are `upload_part_copy` ranges,
//! CopyChunkParallelLimit at once. No byte passes through this process.

use std::sync::Arc;

use crate::api::multipart::MultipartInitInput;
use crate::api::multipart_copy::UploadPartCopyInput;
use crate::api::object::{Conditions, builder_doc};
use crate::api::object_attributes::{ObjectAttributes, attribute_methods};
use crate::api::object_copy::{MetadataDirective, PutObjectCopyInput};
use crate::api::object_copy_source::{CopySource, CopySourceParts};
use crate::api::object_head::HeadObjectInput;
use crate::api::storage_class::StorageClass;
use crate::client::{Bucket, CallOptions, Client};
use crate::error::{Error, Result, TransportErrorKind};
use crate::http::ResponseMeta;
use crate::transfer::multipart::{
    RunMark, abort, complete_or_abort, initiate, put_back_resume, settle_parts, sweep_on_error,
};
use crate::transfer::parts::{
    PartWork, PartsEnd, PlannedPart, changed_since_head, check_part_options, combine_crcs, plan, run_parts,
    with_retries_until,
};
use crate::transfer::progress::{ProgressCallback, ProgressTracker};
use crate::transfer::task::{
    TaskCore, TaskHandle, TaskKind, TaskReadyCallback, TaskState, TransferOutput, queue_task, task_callback_methods,
};
use crate::transfer::upload::part_size_for;

/// The source of a copy, located: where to HEAD it and what to send as `x-cos-copy-source`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SourceObject {
    bucket: String,
    region: String,
    key: String,
    version_id: Option<String>,
    copy_source: CopySource,
}

impl SourceObject {
    /// Locates a copy source, checked like the JS SDK's pattern; the key of a raw
    /// `bucket-appid.cos.region.myqcloud.com/key` is URL-decoded, a `?versionId=` kept apart.
    fn locate(source: CopySource) -> Result<Self> {
        // One parser checks and splits it (api/object_copy_source.rs).
        let CopySourceParts { bucket, region, key, version_id } = source.parts()?;
        Ok(SourceObject { bucket, region, key, version_id, copy_source: source })
    }

    fn describe(&self) -> String {
        format!("the copy source {}/{}", self.bucket, self.key)
    }
}

/// What HEAD said of the source.
#[derive(Clone, Debug)]
struct SourceInfo {
    size: u64,
    etag: Option<String>,
    crc64: Option<u64>,
    /// Content headers, `x-cos-meta-*` and storage class, to carry over to a multipart copy.
    attributes: ObjectAttributes,
}

/// Headers of a HEAD carried over to a multipart copy, as the JS SDK does.
fn carried_attributes(meta: &ResponseMeta) -> ObjectAttributes {
    let text = |name: &str| meta.header(name).map(str::to_owned);
    let headers = meta
        .headers
        .iter()
        .filter(|(name, _)| name.len() > 11 && name.as_bytes()[..11].eq_ignore_ascii_case(b"x-cos-meta-"))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    ObjectAttributes {
        cache_control: text("cache-control"),
        content_disposition: text("content-disposition"),
        content_encoding: text("content-encoding"),
        content_type: text("content-type"),
        expires: text("expires"),
        storage_class: text("x-cos-storage-class").map(Into::into),
        headers,
        ..Default::default()
    }
}

/// HEADs the source (through a handle on its bucket and region, same client) and refuses an
/// archived source that is not restored.
fn head_source(client: &Client, source: &SourceObject) -> Result<SourceInfo> {
    let head = client.bucket_in(source.bucket.clone(), source.region.clone()).execute(HeadObjectInput {
        key: source.key.clone(),
        version_id: source.version_id.clone(),
        ..Default::default()
    })?;
    let props = &head.properties;
    let size = props.content_length.ok_or_else(|| {
        Error::transport(TransportErrorKind::Other, format!("HEAD of {} answered no Content-Length", source.describe()))
    })?;
    let class = &props.storage_class;
    if matches!(class, StorageClass::Archive | StorageClass::DeepArchive) {
        // `x-cos-restore: ongoing-request="false", expiry-date="..."` once a restored copy exists.
        let restored = head.meta.header("x-cos-restore").is_some_and(|r| r.contains("ongoing-request=\"false\""));
        if !restored {
            return Err(Error::invalid(
                "copy_source",
                format!("{} is an {class} object that is not restored: restore it before copying", source.describe()),
            ));
        }
    }
    Ok(SourceInfo { size, etag: props.etag.clone(), crc64: props.crc64, attributes: carried_attributes(&head.meta) })
}

/// Options of a copy, shared by the builder and the running task.
#[derive(Clone, Default)]
struct CopyOptions {
    copy_slice_size: Option<u64>,
    copy_chunk_size: Option<u64>,
    async_limit: Option<usize>,
    metadata_directive: Option<MetadataDirective>,
    attributes: ObjectAttributes,
    on_progress: Option<ProgressCallback>,
    on_task_ready: Option<TaskReadyCallback>,
}

impl CopyOptions {
    fn directive(&self) -> MetadataDirective {
        self.metadata_directive.unwrap_or(MetadataDirective::Copy)
    }

    /// What the destination of a multipart copy is created with: the source's headers (Copy)
    /// or the caller's (Replaced); the caller's storage class, else the source's; the caller's
    /// ACL and other headers either way.
    fn init_attributes(&self, source: &SourceInfo) -> ObjectAttributes {
        let mut attributes = match self.directive() {
            MetadataDirective::Copy => {
                let mut carried = source.attributes.clone();
                carried.headers.extend(self.attributes.headers.iter().cloned());
                ObjectAttributes {
                    acl: self.attributes.acl,
                    grant_read: self.attributes.grant_read.clone(),
                    grant_write: self.attributes.grant_write.clone(),
                    grant_read_acp: self.attributes.grant_read_acp.clone(),
                    grant_write_acp: self.attributes.grant_write_acp.clone(),
                    grant_full_control: self.attributes.grant_full_control.clone(),
                    ..carried
                }
            }
            MetadataDirective::Replaced => self.attributes.clone(),
        };
        attributes.storage_class =
            self.attributes.storage_class.clone().or_else(|| source.attributes.storage_class.clone());
        attributes
    }

    /// With the Copy directive COS ignores content headers and metadata given with the copy:
    /// refuse them rather than drop them silently.
    fn validate(&self) -> Result<()> {
        if self.directive() == MetadataDirective::Replaced {
            return Ok(());
        }
        let a = &self.attributes;
        let content = [&a.cache_control, &a.content_disposition, &a.content_encoding, &a.content_type, &a.expires];
        let meta =
            a.headers.iter().any(|(n, _)| n.len() >= 11 && n.as_bytes()[..11].eq_ignore_ascii_case(b"x-cos-meta-"));
        if content.iter().any(|v| v.is_some()) || meta {
            return Err(Error::invalid(
                "metadata_directive",
                "content headers and meta replace the source's only with MetadataDirective::Replaced",
            ));
        }
        Ok(())
    }
}

/// Builder of [`Bucket::slice_copy_file`].
#[must_use = "call .start() or .send() to run the copy"]
pub struct SliceCopyFile<'a> {
    bucket: &'a Bucket,
    key: String,
    source: CopySource,
    /// Named `input` for the shared attribute methods.
    input: CopyOptions,
}

impl Bucket {
    /// Copies an object of any size to `key`, server side (the JS SDK's `sliceCopyFile`).
    /// `copy_source` is `<bucket-appid>.cos.<region>.myqcloud.com/<url-encoded key>`, optionally
    /// with `?versionId=`; the source may be in another bucket or region (reached with this
    /// client's credentials).
    ///
    /// Up to CopySliceSize (10 MiB by default) it is one `put_object_copy` keeping the source's
    /// metadata; above, a multipart upload created with the source's content headers,
    /// `x-cos-meta-*` and storage class, filled with `upload_part_copy` ranges of
    /// CopyChunkSize, CopyChunkParallelLimit at once. Pause and a failed part keep the upload
    /// for `restart` (which reads the source again after a failure and copies only the parts
    /// missing); cancel aborts it, as does a source that changed mid-copy. An ARCHIVE or DEEP_ARCHIVE source must be restored first.
    /// Nothing is buffered: the bytes never leave COS.
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket
    ///     .slice_copy_file("copies/big.iso", "sourcebucket-1250000000.cos.ap-shanghai.myqcloud.com/big.iso")
    ///     .on_progress(|p| eprintln!("{:.0}%", p.fraction * 100.0))
    ///     .send()?;
    /// println!("{} {:?}", out.etag, out.crc64);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn slice_copy_file(&self, key: impl Into<String>, copy_source: impl Into<String>) -> SliceCopyFile<'_> {
        SliceCopyFile {
            bucket: self,
            key: key.into(),
            source: CopySource::Raw(copy_source.into()),
            input: CopyOptions::default(),
        }
    }

    /// [`slice_copy_file`](Bucket::slice_copy_file) from `source_key` (raw, not encoded) in
    /// `source_bucket` in `source_region`.
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.slice_copy_file_from("b.bin", "examplebucket-1250000000", "ap-guangzhou", "dir/a b.bin").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn slice_copy_file_from(
        &self,
        key: impl Into<String>,
        source_bucket: impl Into<String>,
        source_region: impl Into<String>,
        source_key: impl Into<String>,
    ) -> SliceCopyFile<'_> {
        SliceCopyFile {
            bucket: self,
            key: key.into(),
            source: CopySource::object(source_bucket, source_region, source_key),
            input: CopyOptions::default(),
        }
    }
}

impl SliceCopyFile<'_> {
    /// Up to this size the copy is one `put_object_copy` (CopySliceSize; default from the
    /// client, 10 MiB).
    ///
    #[doc = builder_doc!("slice_copy_file(\"b.bin\", \"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin\")", "copy_slice_size(64 * 1024 * 1024)")]
    pub fn copy_slice_size(mut self, bytes: u64) -> Self {
        self.input.copy_slice_size = Some(bytes);
        self
    }

    /// Part size of a multipart copy (CopyChunkSize; at least 1 MiB; grown so the copy needs
    /// at most 10000 parts).
    ///
    #[doc = builder_doc!("slice_copy_file(\"b.bin\", \"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin\")", "copy_chunk_size(32 * 1024 * 1024)")]
    pub fn copy_chunk_size(mut self, bytes: u64) -> Self {
        self.input.copy_chunk_size = Some(bytes);
        self
    }

    /// Parts copied at once (default CopyChunkParallelLimit).
    ///
    #[doc = builder_doc!("slice_copy_file(\"b.bin\", \"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin\")", "async_limit(8)")]
    pub fn async_limit(mut self, parts: usize) -> Self {
        self.input.async_limit = Some(parts);
        self
    }

    /// [`Copy`](MetadataDirective::Copy) (the default) keeps the source's headers and
    /// metadata; [`Replaced`](MetadataDirective::Replaced) stores the ones given here instead.
    /// Content headers and `meta` given with `Copy` are refused by `start` (COS would ignore
    /// them); the storage class, ACL, grants and other headers apply with either.
    ///
    #[doc = builder_doc!("slice_copy_file(\"b.bin\", \"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin\")", "metadata_directive(tencent_cos::api::MetadataDirective::Replaced).content_type(\"text/plain\")")]
    pub fn metadata_directive(mut self, directive: MetadataDirective) -> Self {
        self.input.metadata_directive = Some(directive);
        self
    }

    /// Checks the options, queues the copy on the client's workers and returns its handle.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let task = bucket.slice_copy_file("b.bin", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin").start()?;
    /// task.pause();
    /// task.restart()?;
    /// let out = task.wait()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn start(self) -> Result<TaskHandle> {
        let SliceCopyFile { bucket, key, source, input: options } = self;
        crate::config::validate_key(&key)?;
        bucket.scope()?;
        let source = SourceObject::locate(source)?;
        let chunk = options.copy_chunk_size.unwrap_or(bucket.client().config().copy_chunk_size);
        check_part_options("copy_chunk_size", chunk, options.async_limit)?;
        options.validate()?;
        let progress =
            ProgressTracker::total_unknown(bucket.client().config().progress_interval, options.on_progress.clone());
        let (task_key, opts) = (key.clone(), options.clone());
        let run = move |bucket: &Bucket, task: &Arc<TaskCore>| {
            let mark = RunMark::start(bucket);
            sweep_on_error(bucket, &task_key, &mark, slice_copy(bucket, task, &task_key, &source, &opts, &mark)).into()
        };
        Ok(queue_task(bucket, TaskKind::Copy, &key, None, progress, options.on_task_ready.as_ref(), run))
    }

    /// Runs the copy and blocks until it is done.
    ///
    #[doc = builder_doc!("slice_copy_file(\"b.bin\", \"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin\")", "copy_slice_size(0)")]
    pub fn send(self) -> Result<TransferOutput> {
        self.start()?.wait()
    }
}

attribute_methods!(
    SliceCopyFile,
    "slice_copy_file(\"b.bin\", \"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin\")"
);
task_callback_methods!(
    SliceCopyFile,
    input,
    "slice_copy_file(\"b.bin\", \"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin\")"
);

/// A copied part: what complete needs, and its CRC (when COS sent one) to combine.
#[derive(Clone, Debug)]
struct CopiedPart {
    number: u32,
    etag: String,
    crc64: Option<u64>,
    len: u64,
}

/// What a multipart copy keeps for `restart`, after a pause or a failed part.
struct CopyResume {
    source: SourceInfo,
    upload_id: String,
    copied: Vec<CopiedPart>,
    /// Kept after a failure: the source is read again before the copy goes on.
    after_error: bool,
}

/// The kept upload a restarted copy goes on with: its id and the parts to keep.
type ReusedCopy = Option<(String, Vec<CopiedPart>)>;

/// What a restarted copy finds of the upload its task kept, and the source to copy. After a
/// failure the source is read again: one changed since (another ETag or size) is copied
/// afresh and the kept upload aborted. The upload is looked up (ListParts) and, still there,
/// continued with the parts this task confirmed. `None` for the upload when it cannot be used
/// (changed source, upload gone). When this fails the kept state is put back, so `restart`
/// and `cancel` still find it.
fn reuse_kept(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    source: &SourceObject,
    kept: CopyResume,
) -> Result<(SourceInfo, ReusedCopy)> {
    let check = || -> Result<(SourceInfo, Option<Vec<CopiedPart>>)> {
        let info = if kept.after_error { head_source(bucket.client(), source)? } else { kept.source.clone() };
        if info.etag != kept.source.etag || info.size != kept.source.size {
            return Ok((info, None));
        }
        // Only whether the upload is still there: COS keeps its parts until it is completed or
        // aborted, so the parts this task confirmed are kept (a part copied but unconfirmed
        // cannot be checked without reading the source: it is copied again).
        match bucket.multipart_list_part(key, &kept.upload_id).max_parts(1).send() {
            Ok(_) => Ok((info, Some(kept.copied.clone()))),
            Err(e) if e.is_not_found() => Ok((info, None)),
            Err(e) => Err(e),
        }
    };
    match check() {
        Ok((info, Some(copied))) => Ok((info, Some((kept.upload_id, copied)))),
        Ok((info, None)) => {
            // Its parts are of another version of the source, or it is gone (aborted, or never
            // known under its true id: an Initiate answer damaged on the way): abort it and
            // sweep what the task may have made, as a cancel would.
            task.drop_kept(bucket.client());
            Ok((info, None))
        }
        Err(e) => {
            put_back_resume(task, Box::new(kept));
            Err(e)
        }
    }
}

/// The copy; `Ok(None)` when paused.
fn slice_copy(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    source: &SourceObject,
    opts: &CopyOptions,
    run: &RunMark,
) -> Result<Option<TransferOutput>> {
    let config = bucket.client().config();
    let kept = task.resume.lock().unwrap_or_else(|p| p.into_inner()).take();
    let (info, reused) = match kept.and_then(|r| r.downcast::<CopyResume>().ok()) {
        Some(kept) => reuse_kept(bucket, task, key, source, *kept)?,
        None => (head_source(bucket.client(), source)?, None),
    };
    task.progress.set_total(info.size);
    if reused.is_none() && info.size <= opts.copy_slice_size.unwrap_or(config.copy_slice_size) {
        task.set_state(TaskState::Uploading);
        return copy_whole(bucket, task, key, source, &info, opts).map(Some);
    }

    let (upload_id, mut copied) = match reused {
        Some(reused) => reused,
        None => {
            let attributes = opts.init_attributes(&info);
            (initiate(bucket, MultipartInitInput { key: key.to_owned(), attributes }, run)?.upload_id, Vec::new())
        }
    };
    let resumed = copied.len() as u32;
    task.set_state(TaskState::Uploading);
    task.progress.resume_from(copied.iter().map(|p| p.len).sum());

    let part_size =
        part_size_for(info.size, opts.copy_chunk_size.unwrap_or(config.copy_chunk_size), config.max_part_number);
    let planned = plan(info.size, part_size);
    if resumed > 0 {
        log::info!(
            "resuming copy {upload_id} of {}/{key}: {resumed} of {} part(s) already copied",
            bucket.name(),
            planned.len()
        );
    }
    let todo: Vec<PlannedPart> = planned.into_iter().filter(|p| !copied.iter().any(|c| c.number == p.number)).collect();
    let work: PartWork<PlannedPart, CopiedPart> = {
        let (bucket, key, upload_id) = (bucket.clone(), key.to_owned(), upload_id.clone());
        let (copy_source, etag) = (source.copy_source.clone(), info.etag.clone());
        let cancel = task.cancel_token();
        Arc::new(move |part: &PlannedPart| {
            copy_one_part(&bucket, &key, &upload_id, &copy_source, etag.as_deref(), part, &cancel)
        })
    };
    let limit = opts.async_limit.unwrap_or(config.copy_chunk_parallel_limit);
    let runtime = crate::transfer::runtime(bucket.client());
    let outcome = run_parts(&runtime.part_pool, task, todo, limit, config.chunk_retry_times, work, |p: &CopiedPart| {
        task.progress.add(p.len)
    });
    copied.extend(outcome.done);
    let end = match outcome.end {
        // The source changed: the parts copied so far are of another version, nothing to keep.
        PartsEnd::Failed(e) if e.is_precondition_failed() && !task.is_cancelled() => {
            abort(bucket, key, &upload_id, run.since);
            return Err(changed_since_head(e, &source.describe(), etag_text(&info)));
        }
        PartsEnd::Failed(e) => PartsEnd::Failed(changed_since_head(e, &source.describe(), etag_text(&info))),
        other => other,
    };
    let after_error = matches!(end, PartsEnd::Failed(_));
    let keep = || -> Box<dyn std::any::Any + Send> {
        Box::new(CopyResume { source: info.clone(), upload_id: upload_id.clone(), copied: copied.clone(), after_error })
    };
    if !settle_parts(end, bucket, task, key, &upload_id, run, keep)? {
        return Ok(None);
    }

    copied.sort_by_key(|p| p.number);
    let parts_crc = copied.iter().map(|p| p.crc64.map(|c| (c, p.len))).collect::<Option<Vec<_>>>().map(combine_crcs);
    let out = complete_or_abort(
        bucket,
        key,
        &upload_id,
        run.since,
        info.crc64,
        copied.iter().map(|p| (p.number, p.etag.clone())),
    )?;
    let crc64 =
        agreeing_crc(key, &[("the copied parts", parts_crc), ("the copy", out.crc64), ("the source", info.crc64)])?;
    Ok(Some(TransferOutput {
        bucket: bucket.name().to_owned(),
        key: key.to_owned(),
        etag: out.etag,
        crc64,
        size: info.size,
        location: (!out.location.is_empty()).then_some(out.location),
        upload_id: Some(upload_id),
        resumed_parts: resumed,
        meta: out.meta,
    }))
}

fn etag_text(info: &SourceInfo) -> &str {
    info.etag.as_deref().unwrap_or("the one HEAD saw")
}

/// The CRC-64 the known values agree on; an [`Error::Integrity`] naming them when they differ.
fn agreeing_crc(key: &str, values: &[(&str, Option<u64>)]) -> Result<Option<u64>> {
    let known: Vec<(&str, u64)> = values.iter().filter_map(|(what, v)| v.map(|v| (*what, v))).collect();
    match known.first() {
        Some((_, first)) if known.iter().any(|(_, v)| v != first) => {
            let (first_what, first) = known[0];
            let (other_what, other) = known.iter().find(|(_, v)| *v != first).copied().unwrap_or(known[0]);
            Err(Error::integrity(key, "CRC-64", format!("{first} ({first_what})"), format!("{other} ({other_what})")))
        }
        first => Ok(first.map(|(_, v)| *v)),
    }
}

/// The source's ETag as a copy-source condition.
fn if_match(etag: Option<&str>) -> Conditions {
    Conditions { if_match: etag.map(str::to_owned), ..Default::default() }
}

/// One `put_object_copy` of the whole source.
fn copy_whole(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    source: &SourceObject,
    info: &SourceInfo,
    opts: &CopyOptions,
) -> Result<TransferOutput> {
    let input = PutObjectCopyInput {
        key: key.to_owned(),
        copy_source: Some(source.copy_source.clone()),
        metadata_directive: Some(opts.directive()),
        source_conditions: if_match(info.etag.as_deref()),
        attributes: opts.attributes.clone(),
        tagging_directive: None,
        expect: None,
    };
    let retries = bucket.client().config().chunk_retry_times;
    let (cancel, options) = (task.cancel_token(), CallOptions::new().cancel(task.cancel_token()));
    let out = with_retries_until(retries, &cancel, || bucket.execute_with(input.clone(), &options))
        .map_err(|e| changed_since_head(e, &source.describe(), etag_text(info)))?;
    let crc64 = agreeing_crc(key, &[("the copy", out.crc64), ("the source", info.crc64)])?;
    task.progress.add(info.size);
    Ok(TransferOutput {
        bucket: bucket.name().to_owned(),
        key: key.to_owned(),
        etag: out.etag,
        crc64,
        size: info.size,
        location: None,
        upload_id: None,
        resumed_parts: 0,
        meta: out.meta,
    })
}

/// One `upload_part_copy` of the part's range of the source.
fn copy_one_part(
    bucket: &Bucket,
    key: &str,
    upload_id: &str,
    copy_source: &CopySource,
    etag: Option<&str>,
    part: &PlannedPart,
    cancel: &crate::CancelToken,
) -> Result<CopiedPart> {
    let input = UploadPartCopyInput {
        key: key.to_owned(),
        upload_id: upload_id.to_owned(),
        part_number: part.number,
        copy_source: Some(copy_source.clone()),
        copy_source_range: Some(part.offset..=part.last_byte()),
        source_conditions: if_match(etag),
    };
    // The task's token: a cancel stops the request's retries and backoff at once.
    let out = bucket.execute_with(input, &CallOptions::new().cancel(cancel.clone()))?;
    Ok(CopiedPart { number: part.number, etag: out.etag, crc64: out.crc64, len: part.len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_sources_are_located_and_decoded() {
        let s = SourceObject::locate(CopySource::Raw(
            "src-1250000000.cos.ap-shanghai.myqcloud.com/dir/a%20b%2Bc.bin?versionId=v%3D1".into(),
        ))
        .unwrap();
        assert_eq!(
            (s.bucket.as_str(), s.region.as_str(), s.key.as_str()),
            ("src-1250000000", "ap-shanghai", "dir/a b+c.bin")
        );
        assert_eq!(s.version_id.as_deref(), Some("v=1"));
        let s = SourceObject::locate(CopySource::Raw("b-1.cos-internal.ap-beijing.tencentcos.cn/k".into())).unwrap();
        assert_eq!((s.bucket.as_str(), s.region.as_str(), s.key.as_str()), ("b-1", "ap-beijing", "k"));
        let s = SourceObject::locate(CopySource::object("b-1", "ap-beijing", "/x y")).unwrap();
        assert_eq!(s.key, "x y");
        for bad in [
            "b.cos.r.myqcloud.com/k",
            "b-1.cos.r.myqcloud.com/",
            "b-1.cos.r.myqcloud.com/%zz",
            "b-1.cos.R.myqcloud.com/k",
        ] {
            let err = SourceObject::locate(CopySource::Raw(bad.into())).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { field: "copy_source", .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn crcs_must_agree_when_known() {
        assert_eq!(agreeing_crc("k", &[("a", Some(1)), ("b", None), ("c", Some(1))]).unwrap(), Some(1));
        assert_eq!(agreeing_crc("k", &[("a", None)]).unwrap(), None);
        let err = agreeing_crc("k", &[("a", Some(1)), ("b", Some(2))]).unwrap_err();
        assert_eq!(err.to_string(), "integrity check failed: k: CRC-64 expected 1 (a), got 2 (b)");
    }

    #[test]
    fn init_attributes_carry_the_source_unless_replaced() {
        let source = SourceInfo {
            size: 1,
            etag: None,
            crc64: None,
            attributes: ObjectAttributes {
                content_type: Some("text/plain".into()),
                storage_class: Some("STANDARD_IA".into()),
                headers: vec![("x-cos-meta-a".into(), "1".into())],
                ..Default::default()
            },
        };
        let mut opts = CopyOptions::default();
        opts.attributes.acl = Some(crate::api::acl::CannedAcl::Private);
        let a = opts.init_attributes(&source);
        assert_eq!(
            (a.content_type.as_deref(), a.storage_class.as_ref().map(|c| c.as_str())),
            (Some("text/plain"), Some("STANDARD_IA"))
        );
        assert_eq!((a.acl, a.headers.len()), (Some(crate::api::acl::CannedAcl::Private), 1));
        opts.metadata_directive = Some(MetadataDirective::Replaced);
        opts.attributes.storage_class = Some("STANDARD".into());
        let a = opts.init_attributes(&source);
        assert_eq!(
            (a.content_type, a.storage_class.as_ref().map(|c| c.as_str()), a.headers.len()),
            (None, Some("STANDARD"), 0)
        );
    }
}
