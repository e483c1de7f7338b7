//! Multipart uploads: initiate, upload part, complete, list parts, abort.

use std::collections::BTreeMap;

use md5::{Digest, Md5};

use crate::checksum::hex;
use crate::encode_key;
use crate::xml::{Element, parse_document, parse_number};

use super::super::access::{Acl, Permission, acl_from_headers};
use super::super::content::Content;
use super::super::dates::iso8601;
use super::super::response::{CosError, Outgoing};
use super::super::sse::{Sse, check_key};
use super::super::store::{ObjectMeta, Part, StoredObject, Upload};
use super::super::versions::{Change, apply};
use super::super::xml_out::Xml;
use super::object::writer_uin;
use super::{
    Ctx, bare_etag, body_md5, find_bucket, find_bucket_mut, query_number, require_bucket, url_encoding, xml_body,
};

/// Smallest size of every part but the last.
const MIN_PART_SIZE: u64 = 1024 * 1024;
/// Part numbers COS accepts.
const MAX_PART_NUMBER: u32 = 10_000;

/// POST ?uploads.
pub(crate) fn initiate(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let mut meta = ObjectMeta::from_request(ctx.req)?;
    meta.content_type.get_or_insert_with(|| crate::mime::type_of_key(key).to_owned());
    let acl = acl_from_headers(ctx.req, true)?.unwrap_or_else(Acl::inherit);
    {
        let state = ctx.inner.read_state();
        require_bucket(find_bucket(&state, ctx, bucket)?, &ctx.principal, Permission::Write)?;
    }
    // Outside the lock: the id source is the caller's code.
    let upload_id = ctx.inner.new_upload_id(bucket, key);
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    let slot = (key.to_owned(), upload_id.clone());
    if upload_id.is_empty() || b.uploads.contains_key(&slot) {
        return Err(CosError::new(500, "InternalError", "The upload id source returned an empty or reused id."));
    }
    let initiator_uin = writer_uin(&ctx.principal, b);
    let sse = meta.sse.clone();
    let upload = Upload { initiated: ctx.now, initiator_uin, meta, acl, parts: BTreeMap::new() };
    ctx.inner.persist(|d| d.save_upload(bucket, key, &upload_id, &upload))?;
    b.uploads.insert(slot, upload);
    let mut x = Xml::new();
    x.open("InitiateMultipartUploadResult");
    x.leaf("Bucket", bucket);
    x.leaf("Key", key);
    x.leaf("UploadId", &upload_id);
    x.close("InitiateMultipartUploadResult");
    Ok(with_sse(Outgoing::xml(x.finish()), sse.as_ref()))
}

/// `partNumber` and `uploadId` of an upload-part call.
pub(crate) fn part_target(ctx: &Ctx<'_>) -> Result<(u32, String), CosError> {
    let number = ctx
        .req
        .query("partNumber")
        .and_then(|n| n.trim().parse::<u32>().ok())
        .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
        .ok_or_else(|| {
            CosError::invalid_argument(format!("Part number must be an integer between 1 and {MAX_PART_NUMBER}."))
        })?;
    Ok((number, upload_id(ctx)?))
}

fn upload_id(ctx: &Ctx<'_>) -> Result<String, CosError> {
    ctx.req
        .query("uploadId")
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| CosError::invalid_argument("uploadId is required."))
}

/// Adds the headers COS answers for an object (or upload) encrypted with `sse`.
pub(crate) fn with_sse(mut out: Outgoing, sse: Option<&Sse>) -> Outgoing {
    if let Some(sse) = sse {
        sse.answer(&mut out);
    }
    out
}

/// Fails unless the upload exists, the requester may write to the bucket, and (SSE-C) the
/// request carries the upload's customer key; checked before a part is hashed. Returns the
/// upload's encryption.
pub(crate) fn check_upload(ctx: &Ctx<'_>, bucket: &str, key: &str, upload_id: &str) -> Result<Option<Sse>, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let upload = b.uploads.get(&(key.to_owned(), upload_id.to_owned())).ok_or_else(CosError::no_such_upload)?;
    check_key(ctx.req, "", upload.meta.sse.as_ref())?;
    Ok(upload.meta.sse.clone())
}

/// Stores (or replaces) part `number`.
pub(crate) fn store_part(
    ctx: &Ctx<'_>,
    bucket: &str,
    key: &str,
    upload_id: &str,
    number: u32,
    part: Part,
) -> Result<(), CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let upload = b.uploads.get_mut(&(key.to_owned(), upload_id.to_owned())).ok_or_else(CosError::no_such_upload)?;
    // The replaced part is held until the record no longer names its bytes.
    let replaced = upload.parts.insert(number, part);
    if let Err(e) = ctx.inner.persist(|d| d.save_upload(bucket, key, upload_id, upload)) {
        match replaced {
            Some(old) => upload.parts.insert(number, old),
            None => upload.parts.remove(&number),
        };
        return Err(e);
    }
    drop(replaced);
    Ok(())
}

/// PUT ?partNumber=N&uploadId=U.
pub(crate) fn upload_part(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let (number, upload_id) = part_target(ctx)?;
    let sse = check_upload(ctx, bucket, key, &upload_id)?;
    let content = ctx.inner.durable(&ctx.req.body)?;
    let (md5, etag) = body_md5(ctx);
    let crc64 = content.crc64();
    let part = Part { content, md5, etag: etag.clone(), last_modified: ctx.now };
    store_part(ctx, bucket, key, &upload_id, number, part)?;
    let out = Outgoing::empty(200).with_header("ETag", etag).with_header("x-cos-hash-crc64ecma", crc64.to_string());
    Ok(with_sse(out, sse.as_ref()))
}

/// The `(PartNumber, ETag)` list of a CompleteMultipartUpload body.
fn parse_complete(body: &[u8]) -> Result<Vec<(u32, String)>, CosError> {
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "CompleteMultipartUpload").map_err(|e| bad(e.to_string()))?;
    let mut parts = Vec::new();
    for part in root.children("Part") {
        let number = part.req_text("PartNumber").map_err(|e| bad(e.to_string()))?;
        let number = parse_number::<u32>("PartNumber", &number).map_err(|e| bad(e.to_string()))?;
        let etag = part.req_text("ETag").map_err(|e| bad(e.to_string()))?;
        parts.push((number, etag));
    }
    if parts.is_empty() {
        return Err(bad("you must specify at least one part".into()));
    }
    Ok(parts)
}

/// POST ?uploadId=U: checks the list, then assembles the object from the parts' buffers.
pub(crate) fn complete(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let upload_id = upload_id(ctx)?;
    let body = xml_body(ctx)?;
    let listed = parse_complete(&body)?;
    if listed.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(CosError::new(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. Parts must be ordered by part number.",
        ));
    }
    let slot = (key.to_owned(), upload_id.clone());
    let parts: Vec<Part> = {
        let state = ctx.inner.read_state();
        let b = find_bucket(&state, ctx, bucket)?;
        require_bucket(b, &ctx.principal, Permission::Write)?;
        let upload = b.uploads.get(&slot).ok_or_else(CosError::no_such_upload)?;
        let mut parts = Vec::with_capacity(listed.len());
        for (number, etag) in &listed {
            match upload.parts.get(number) {
                Some(p) if bare_etag(&p.etag).eq_ignore_ascii_case(bare_etag(etag)) => parts.push(p.clone()),
                _ => {
                    return Err(CosError::new(
                        400,
                        "InvalidPart",
                        format!(
                            "One or more of the specified parts could not be found or its ETag did not match (part {number})."
                        ),
                    ));
                }
            }
        }
        parts
    };
    if let Some((i, _)) = parts.iter().enumerate().find(|(i, p)| i + 1 < parts.len() && p.content.len() < MIN_PART_SIZE)
    {
        return Err(CosError::new(
            400,
            "EntityTooSmall",
            format!(
                "Your proposed upload is smaller than the minimum allowed object size: part {} is below 1 MiB.",
                listed.get(i).map_or(0, |l| l.0)
            ),
        ));
    }

    // The ETag COS gives a multipart object, and its CRC-64 streamed over the parts.
    let mut md5s = Md5::new();
    for p in &parts {
        md5s.update(p.md5);
    }
    let etag = format!("\"{}-{}\"", hex(md5s.finalize().as_slice()), parts.len());
    let content = Content::concat(parts.iter().map(|p| &p.content));
    let crc64 = content.crc64();

    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let upload = b.uploads.get(&slot).ok_or_else(CosError::no_such_upload)?;
    let sse = upload.meta.sse.clone();
    let object = StoredObject {
        content,
        etag: etag.clone(),
        crc64,
        last_modified: ctx.now,
        meta: upload.meta.clone(),
        acl: upload.acl.clone(),
        owner_uin: upload.initiator_uin.clone(),
        retain_until: None,
        restored_until: None,
    };
    // The object's record, then the upload's removal: a crash between them leaves the object
    // complete and the upload still listed (abortable), never a lost object.
    let applied = apply(ctx.inner, bucket, b, key, Change::Write(object))?;
    ctx.inner.persist(|d| d.remove_upload(bucket, key, &upload_id))?;
    b.uploads.remove(&slot);
    drop(state);

    let mut x = Xml::new();
    x.open("CompleteMultipartUploadResult");
    x.leaf("Location", &format!("{}{}", ctx.req.host, ctx.req.raw_path));
    x.leaf("Bucket", bucket);
    x.leaf("Key", key);
    x.leaf("ETag", &etag);
    x.close("CompleteMultipartUploadResult");
    let mut out = Outgoing::xml(x.finish()).with_header("x-cos-hash-crc64ecma", crc64.to_string());
    applied.answer(&mut out);
    Ok(with_sse(out, sse.as_ref()))
}

/// GET ?uploadId=U: parts in order, paged by `part-number-marker` / `max-parts`.
pub(crate) fn list_parts(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let upload_id = upload_id(ctx)?;
    let max_parts = query_number(ctx, "max-parts", 1000, 1000)?;
    let marker = query_number(ctx, "part-number-marker", 0, u64::from(u32::MAX))? as u32;
    let url = url_encoding(ctx)?;
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Read)?;
    let upload = b.uploads.get(&(key.to_owned(), upload_id.clone())).ok_or_else(CosError::no_such_upload)?;
    let mut after = upload.parts.range(marker.saturating_add(1)..);
    let page: Vec<(&u32, &Part)> = after.by_ref().take(max_parts as usize).collect();
    let truncated = after.next().is_some();
    let next = page.last().map_or(marker, |(n, _)| **n);

    let mut x = Xml::new();
    x.open("ListPartsResult");
    x.leaf("Bucket", bucket);
    if url {
        x.leaf("Encoding-type", "url");
    }
    x.leaf("Key", &if url { encode_key(key) } else { key.to_owned() });
    x.leaf("UploadId", &upload_id);
    x.account("Initiator", &upload.initiator_uin);
    x.account("Owner", &upload.initiator_uin);
    x.leaf_display("PartNumberMarker", marker);
    x.leaf_display("NextPartNumberMarker", next);
    x.leaf("StorageClass", &upload.meta.storage_class);
    x.leaf_display("MaxParts", max_parts);
    x.leaf_display("IsTruncated", truncated);
    for (number, part) in page {
        x.open("Part");
        x.leaf_display("PartNumber", number);
        x.leaf("LastModified", &iso8601(part.last_modified));
        x.leaf("ETag", &part.etag);
        x.leaf_display("Size", part.content.len());
        x.close("Part");
    }
    x.close("ListPartsResult");
    Ok(Outgoing::xml(x.finish()))
}

/// DELETE ?uploadId=U.
pub(crate) fn abort(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let upload_id = upload_id(ctx)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let slot = (key.to_owned(), upload_id);
    if !b.uploads.contains_key(&slot) {
        return Err(CosError::no_such_upload());
    }
    ctx.inner.persist(|d| d.remove_upload(bucket, key, &slot.1))?;
    b.uploads.remove(&slot);
    Ok(Outgoing::empty(204))
}
