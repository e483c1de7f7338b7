//! PUT / GET / DELETE `/{key}?tagging` (of the version `versionId` names, else the latest) and
//! APPEND Object (`POST /{key}?append&position=N`).
//!
//! Tags live with the object version (`ObjectMeta::tags`): PUT and DELETE ?tagging replace the
//! version in place (no new version, as PUT ?acl); limits in `src/emulator/tags.rs`. An object
//! without tags answers GET ?tagging with an empty `<TagSet>`.
//!
//! | APPEND Object | answer |
//! |---|---|
//! | no object, `position=0` | 200: a new Appendable object (the request's headers, ACL, tags) |
//! | an Appendable object, `position` = its length | 200: the bytes added, its metadata kept |
//! | `position` anything else | 409 PositionNotEqualToLength (with `x-cos-next-append-position`) |
//! | a normal object (PUT, copy, multipart) | 409 ObjectNotAppendable |
//!
//! Every answer carries `x-cos-next-append-position` (the new length), the ETag (MD5 of the
//! whole object) and its CRC-64; each append is a write through `versions::apply`.

use crate::checksum::hex;

use super::super::access::{Acl, Permission, acl_from_headers};
use super::super::content::Content;
use super::super::response::{CosError, Outgoing};
use super::super::store::{ObjectMeta, StoredObject};
use super::super::tags::check_object_tags;
use super::super::versions::{self, Change, apply};
use super::bucket_tagging::{tag_set, tagging_answer};
use super::object::{readable_version, requested_version, writer_uin};
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, xml_body};

/// Replaces the tags of the version the request names (`versionId`, else the latest).
fn retag(ctx: &Ctx<'_>, bucket: &str, key: &str, tags: Vec<(String, String)>) -> Result<Outgoing, CosError> {
    let version_id = requested_version(ctx).map(str::to_owned);
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let (_, object) = versions::find(b, key, version_id.as_deref())?;
    let mut meta = object.meta.clone();
    meta.tags = tags;
    let updated = StoredObject { meta, ..StoredObject::clone(&object) };
    let applied = apply(ctx.inner, bucket, b, key, Change::Replace(version_id, updated))?;
    let mut out = Outgoing::empty(if ctx.req.method == crate::http::Method::Delete { 204 } else { 200 });
    applied.answer(&mut out);
    Ok(out)
}

/// PUT Object tagging: replaces the tags (1 to 10, COS's limits).
pub(crate) fn put_object_tagging(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let tags = tag_set(&xml_body(ctx)?)?;
    if tags.is_empty() {
        return Err(CosError::malformed_xml("The XML you provided was not well-formed: at least one <Tag> is needed"));
    }
    check_object_tags(&tags)?;
    retag(ctx, bucket, key, tags)
}

/// DELETE Object tagging: 204, the version keeps no tag.
pub(crate) fn delete_object_tagging(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    retag(ctx, bucket, key, Vec::new())
}

/// GET Object tagging: the tags in order, an empty `<TagSet>` for none.
pub(crate) fn get_object_tagging(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let found = readable_version(ctx, bucket, ctx.region, key, requested_version(ctx))?;
    let mut out = tagging_answer(&found.object.meta.tags);
    if let Some(id) = &found.version_id {
        out.headers.append("x-cos-version-id", id.clone());
    }
    Ok(out)
}

/// 409 PositionNotEqualToLength, telling where the next append goes.
fn wrong_position(position: u64, length: u64) -> CosError {
    CosError::new(
        409,
        "PositionNotEqualToLength",
        format!("The position {position} is not the object's length {length}."),
    )
    .with_header("x-cos-next-append-position", length.to_string())
}

/// APPEND Object.
pub(crate) fn append_object(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let position = ctx
        .req
        .query("position")
        .and_then(|p| p.parse::<u64>().ok())
        .ok_or_else(|| CosError::invalid_argument("position must be a number of bytes."))?;
    let mut meta = ObjectMeta::from_request(ctx.req)?;
    meta.content_type.get_or_insert_with(|| crate::mime::type_of_key(key).to_owned());
    meta.appendable = true;
    let acl = acl_from_headers(ctx.req, true)?.unwrap_or_else(Acl::inherit);
    {
        let state = ctx.inner.read_state();
        require_bucket(find_bucket(&state, ctx, bucket)?, &ctx.principal, Permission::Write)?;
    }
    let added = ctx.inner.durable(&ctx.req.body)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let object = match b.objects.get(key).cloned() {
        None if position != 0 => return Err(wrong_position(position, 0)),
        None => StoredObject {
            etag: format!("\"{}\"", hex(&added.md5())),
            crc64: added.crc64(),
            content: added,
            last_modified: ctx.now,
            meta,
            acl,
            owner_uin: writer_uin(&ctx.principal, b),
            retain_until: None,
            restored_until: None,
        },
        Some(old) if !old.meta.appendable => {
            return Err(CosError::new(409, "ObjectNotAppendable", "The object is not appendable."));
        }
        Some(old) if old.content.len() != position => return Err(wrong_position(position, old.content.len())),
        Some(old) => {
            let content = Content::concat([&old.content, &added]);
            StoredObject {
                etag: format!("\"{}\"", hex(&content.md5())),
                crc64: content.crc64(),
                content,
                last_modified: ctx.now,
                meta: old.meta.clone(),
                acl: old.acl.clone(),
                owner_uin: old.owner_uin.clone(),
                retain_until: old.retain_until,
                restored_until: None,
            }
        }
    };
    let mut out = Outgoing::empty(200)
        .with_header("ETag", object.etag.clone())
        .with_header("x-cos-hash-crc64ecma", object.crc64.to_string())
        .with_header("x-cos-next-append-position", object.content.len().to_string());
    let applied = apply(ctx.inner, bucket, b, key, Change::Write(object))?;
    applied.answer(&mut out);
    Ok(out)
}
