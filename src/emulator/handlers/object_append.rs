//! APPEND Object (`POST /{key}?append&position=N`).
//!
//! | APPEND Object | answer |
//! |---|---|
//! | no object, `position=0` | 200: a new Appendable object (the request's headers, ACL, tags) |
//! | an Appendable object, `position` = its length | 200: the bytes added, its metadata (storage class included) kept |
//! | `position` anything else | 409 PositionNotEqualToLength (with `x-cos-next-append-position`) |
//! | a normal object (PUT, copy, multipart) | 409 ObjectNotAppendable |
//!
//! Every answer carries `x-cos-next-append-position` (the new length), the ETag (MD5 of the
//! whole object) and its CRC-64. COS documents that appendable objects "do not take part in
//! versioning": the first append is a write like any other, and each later append replaces that
//! version in place (`Change::Replace`, as PUT ?acl does), so a versioned bucket keeps one
//! version of an appendable object however often it grows.

use crate::checksum::hex;

use super::super::access::{Acl, Permission, acl_from_headers};
use super::super::content::Content;
use super::super::response::{CosError, Outgoing};
use super::super::store::{ObjectMeta, StoredObject};
use super::super::versions::{Change, apply};
use super::object::writer_uin;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket};

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
    let current = b.objects.get(key).cloned();
    let growing = current.is_some();
    let object = match current {
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
    let change = if growing { Change::Replace(None, object) } else { Change::Write(object) };
    let applied = apply(ctx.inner, bucket, b, key, change)?;
    applied.answer(&mut out);
    Ok(out)
}
