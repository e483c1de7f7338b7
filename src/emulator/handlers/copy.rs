//! PUT Object - Copy and Upload Part - Copy.

use std::sync::Arc;

use crate::checksum::hex;
use crate::config::validate_bucket;

use super::super::access::{Acl, Permission, acl_from_headers};
use super::super::dates::iso8601;
use super::super::request::decode_path;
use super::super::response::{CosError, Outgoing};
use super::super::sse::{self, check_key};
use super::super::store::{ObjectMeta, Part, StoredObject, storage_class};
use super::super::versions::{Change, apply};
use super::super::xml_out::Xml;
use super::multipart::{check_upload, part_target, store_part, with_sse};
use super::object::{Verdict, evaluate_conditions, readable_version, writer_uin};
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket};

/// Where `x-cos-copy-source` points.
#[derive(Debug, PartialEq, Eq)]
struct CopySource {
    bucket: String,
    region: Option<String>,
    key: String,
    /// `?versionId=` after the key: that version of the source.
    version_id: Option<String>,
}

/// Parses `bucket-appid.cos.region.<domain>/url-encoded-key` (a scheme tolerated, a
/// `?versionId=` kept), or the path-style `host/bucket/key` / `/bucket/key`.
fn parse_copy_source(value: &str) -> Result<CopySource, CosError> {
    let bad = || CosError::invalid_argument(format!("Invalid x-cos-copy-source {value:?}."));
    let v = value.trim();
    let v = v.split_once("://").map_or(v, |(_, rest)| rest);
    let (v, query) = v.split_once('?').unwrap_or((v, ""));
    let version_id = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("versionId="))
        .filter(|id| !id.is_empty())
        .map(|id| decode_path(id).map_err(|_| bad()))
        .transpose()?;
    let (host, path) = v.split_once('/').ok_or_else(bad)?;
    let labels: Vec<&str> = host.split('.').collect();
    let (bucket, region, raw_key) = match labels.as_slice() {
        [bucket, "cos", region, _, ..] if validate_bucket(bucket).is_ok() => {
            let region = (*region != "accelerate").then(|| (*region).to_owned());
            ((*bucket).to_owned(), region, path)
        }
        _ => {
            let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
            (decode_path(bucket)?, None, key)
        }
    };
    let key = decode_path(raw_key).map_err(|_| bad())?;
    if bucket.is_empty() || key.is_empty() {
        return Err(bad());
    }
    Ok(CopySource { bucket, region, key, version_id })
}

/// The readable source object, its conditions checked (any failure is 412 for a copy).
fn source_object(ctx: &Ctx<'_>) -> Result<(CopySource, Arc<StoredObject>), CosError> {
    let value = ctx.req.header("x-cos-copy-source").unwrap_or_default();
    let source = parse_copy_source(value)?;
    let found =
        readable_version(ctx, &source.bucket, source.region.as_deref(), &source.key, source.version_id.as_deref())?;
    // An archived source is read like a GET: only once restored.
    super::restore::require_restored(&found, ctx.now)?;
    let object = found.object;
    check_key(ctx.req, "x-cos-copy-source-", object.meta.sse.as_ref())?;
    if evaluate_conditions(ctx.req, "x-cos-copy-source-", &object.etag, object.last_modified) != Verdict::Proceed {
        return Err(CosError::precondition_failed());
    }
    Ok((source, object))
}

/// A copy directive header (`Copy`, the default, or `Replaced`): true for `Replaced`.
fn directive(ctx: &Ctx<'_>, name: &str) -> Result<bool, CosError> {
    match ctx.req.header(name) {
        None => Ok(false),
        Some(d) if d.eq_ignore_ascii_case("Copy") => Ok(false),
        Some(d) if d.eq_ignore_ascii_case("Replaced") => Ok(true),
        Some(d) => Err(CosError::invalid_argument(format!("Invalid {name} {d:?}."))),
    }
}

/// PUT with `x-cos-copy-source`.
pub(crate) fn put_object_copy(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let replace = directive(ctx, "x-cos-metadata-directive")?;
    let replace_tags = directive(ctx, "x-cos-tagging-directive")?;
    let acl = acl_from_headers(ctx.req, true)?.unwrap_or_else(Acl::inherit);
    let (source, object) = source_object(ctx)?;
    if source.bucket == bucket && source.key == key && !replace && !replace_tags {
        return Err(CosError::invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata; use x-cos-metadata-directive: Replaced.",
        ));
    }
    let mut meta = if replace {
        ObjectMeta::from_request(ctx.req)?
    } else {
        let mut meta = object.meta.clone();
        if ctx.req.header("x-cos-storage-class").is_some() {
            meta.storage_class = storage_class(ctx.req)?;
        }
        meta
    };
    // Tags as the tagging directive says; a copy is a normal object, even of an appendable one.
    meta.tags = if replace_tags { super::super::tags::from_header(ctx.req)? } else { object.meta.tags.clone() };
    meta.appendable = false;
    // The copy is encrypted as its own request asks, whatever the source was.
    meta.sse = sse::from_request(ctx.req)?;
    let sse = meta.sse.clone();
    // A copy is a simple object: a multipart source gets the MD5 of its bytes as ETag.
    let etag =
        if object.etag.contains('-') { format!("\"{}\"", hex(&object.content.md5())) } else { object.etag.clone() };
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let owner_uin = writer_uin(&ctx.principal, b);
    let copy = StoredObject {
        content: object.content.clone(),
        etag: etag.clone(),
        crc64: object.crc64,
        last_modified: ctx.now,
        meta,
        acl,
        owner_uin,
        retain_until: None,
        restored_until: None,
    };
    let applied = apply(ctx.inner, bucket, b, key, Change::Write(copy))?;
    drop(state);

    let mut x = Xml::new();
    x.open("CopyObjectResult");
    x.leaf("ETag", &etag);
    x.leaf("LastModified", &iso8601(ctx.now));
    x.leaf_display("CRC64", object.crc64);
    x.close("CopyObjectResult");
    let mut out = Outgoing::xml(x.finish()).with_header("x-cos-hash-crc64ecma", object.crc64.to_string());
    if let Some(id) = &source.version_id {
        out.headers.append("x-cos-copy-source-version-id", id.clone());
    }
    applied.answer(&mut out);
    Ok(with_sse(out, sse.as_ref()))
}

/// `x-cos-copy-source-range: bytes=a-b`, which must lie within the source.
fn copy_range(value: &str, size: u64) -> Result<(u64, u64), CosError> {
    let bad = || {
        CosError::invalid_argument(format!("Invalid x-cos-copy-source-range {value:?} for a source of {size} bytes."))
    };
    let spec = value.trim().strip_prefix("bytes=").ok_or_else(bad)?;
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let start = a.trim().parse::<u64>().map_err(|_| bad())?;
    let end = b.trim().parse::<u64>().map_err(|_| bad())?;
    if start > end || end >= size {
        return Err(bad());
    }
    Ok((start, end))
}

/// PUT ?partNumber&uploadId with `x-cos-copy-source` (and maybe `x-cos-copy-source-range`).
pub(crate) fn upload_part_copy(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let (number, upload_id) = part_target(ctx)?;
    {
        let state = ctx.inner.read_state();
        require_bucket(find_bucket(&state, ctx, bucket)?, &ctx.principal, Permission::Write)?;
    }
    let sse = check_upload(ctx, bucket, key, &upload_id)?;
    let (_, object) = source_object(ctx)?;
    let size = object.content.len();
    let content = match ctx.req.header("x-cos-copy-source-range") {
        Some(r) => {
            let (start, end) = copy_range(r, size)?;
            object.content.slice(start, end + 1)
        }
        None => object.content.clone(),
    };
    let md5 = content.md5();
    let etag = format!("\"{}\"", hex(&md5));
    let crc64 = content.crc64();
    store_part(
        ctx,
        bucket,
        key,
        &upload_id,
        number,
        Part { content, md5, etag: etag.clone(), last_modified: ctx.now },
    )?;
    let mut x = Xml::new();
    x.open("CopyPartResult");
    x.leaf("ETag", &etag);
    x.leaf("LastModified", &iso8601(ctx.now));
    x.close("CopyPartResult");
    Ok(with_sse(Outgoing::xml(x.finish()).with_header("x-cos-hash-crc64ecma", crc64.to_string()), sse.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_sources() {
        assert_eq!(
            parse_copy_source(
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/folder/photo%201%2B2%20(final)~*.jpg"
            )
            .unwrap(),
            CopySource {
                bucket: "examplebucket-1250000000".into(),
                region: Some("ap-guangzhou".into()),
                key: "folder/photo 1+2 (final)~*.jpg".into(),
                version_id: None,
            }
        );
        let versioned = parse_copy_source("https://b-1.cos.ap-beijing.myqcloud.com/a%2Fb?versionId=x").unwrap();
        assert_eq!((versioned.key.as_str(), versioned.version_id.as_deref()), ("a/b", Some("x")));
        let path_style = parse_copy_source("127.0.0.1:9000/b-1/k%20ey").unwrap();
        assert_eq!((path_style.bucket.as_str(), path_style.region, path_style.key.as_str()), ("b-1", None, "k ey"));
        assert_eq!(parse_copy_source("/b-1/k").unwrap().bucket, "b-1");
        for bad in ["", "nokey", "b-1.cos.r.myqcloud.com/", "b-1.cos.r.myqcloud.com/%zz", "host/b-1"] {
            assert!(parse_copy_source(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn copy_ranges() {
        assert_eq!(copy_range("bytes=0-9", 10).unwrap(), (0, 9));
        assert!(copy_range("bytes=0-10", 10).is_err());
        assert!(copy_range("bytes=5-4", 10).is_err());
        assert!(copy_range("0-4", 10).is_err());
    }
}
