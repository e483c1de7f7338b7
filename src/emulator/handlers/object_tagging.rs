//! PUT / GET / DELETE `/{key}?tagging` (of the version `versionId` names, else the latest).
//!
//! Tags live with the object version (`ObjectMeta::tags`): PUT and DELETE ?tagging replace the
//! version in place (no new version, as PUT ?acl); limits in `src/emulator/tags.rs`. An object
//! without tags answers GET ?tagging with an empty `<TagSet>`.

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::super::store::StoredObject;
use super::super::tags::check_object_tags;
use super::super::versions::{self, Change, apply};
use super::bucket_tagging::{tag_set, tagging_answer};
use super::object::{readable_version, requested_version};
use super::{Ctx, find_bucket_mut, require_bucket, xml_body};

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
