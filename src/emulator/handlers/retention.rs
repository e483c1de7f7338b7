//! PUT / GET Object retention (`?retention`, object lock). The retention of each version is kept
//! with it (`StoredObject::retain_until`); what it refuses is in `versions.rs`
//! (`check_retention`).
//!
//! | request | answer |
//! |---|---|
//! | PUT on a bucket without object lock (`PUT /?object-lock`) | 400 InvalidRequest |
//! | PUT, a body that is not a `Retention` | 400 MalformedXML; a Mode other than COMPLIANCE, a date not ISO 8601: 400 InvalidArgument |
//! | PUT with a date earlier than the version's | 403 AccessDenied (a retention is only extended) |
//! | GET of a version never retained | 404 NoSuchObjectLockConfiguration |
//!
//! COS documents neither code for these two refusals nor the not-found code; the emulator uses
//! S3's (COS's object lock follows S3's).

use crate::api::Retention;
use crate::api::bucket_config::XmlConfig;

use super::super::access::Permission;
use super::super::dates::iso8601;
use super::super::response::{CosError, Outgoing};
use super::super::store::StoredObject;
use super::super::versions::{self, Change, apply};
use super::bucket_documents::read_body;
use super::object::requested_version;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, require_object};

/// PUT Object retention.
pub(crate) fn put_object_retention(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let retention: Retention = read_body(ctx)?;
    let until = retention.retain_until_secs().ok_or_else(|| CosError::invalid_argument("Bad RetainUntilDate."))?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    if !b.configs.documents.contains_key("object-lock") {
        return Err(CosError::invalid_request("Bucket is missing Object Lock Configuration."));
    }
    let version = requested_version(ctx);
    let (_, object) = versions::find(b, key, version)?;
    if let Some(old) = object.retain_until.filter(|old| *old > until) {
        return Err(CosError::new(
            403,
            "AccessDenied",
            format!("A retention can only be extended: the object is locked until {}.", iso8601(old)),
        ));
    }
    let updated = StoredObject { retain_until: Some(until), ..StoredObject::clone(&object) };
    let applied = apply(ctx.inner, bucket, b, key, Change::Replace(version.map(str::to_owned), updated))?;
    let mut out = Outgoing::empty(200);
    applied.answer(&mut out);
    Ok(out)
}

/// GET Object retention.
pub(crate) fn get_object_retention(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    let (version_id, object) = match versions::find(b, key, requested_version(ctx)) {
        Ok(found) => found,
        Err(e) => {
            require_bucket(b, &ctx.principal, Permission::Read)?;
            return Err(e);
        }
    };
    require_object(b, &object, &ctx.principal, Permission::Read)?;
    let Some(until) = object.retain_until else {
        return Err(CosError::new(
            404,
            "NoSuchObjectLockConfiguration",
            "The specified object does not have a retention configuration.",
        ));
    };
    let xml = Retention::compliance_until(iso8601(until))
        .to_xml()
        .map_err(|e| CosError::new(500, "InternalError", e.to_string()))?;
    let mut out = Outgoing::xml(xml.into_bytes());
    if let Some(id) = version_id {
        out.headers.append("x-cos-version-id", id);
    }
    Ok(out)
}
