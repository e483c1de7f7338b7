//! GET / PUT ?acl on buckets and objects.

use std::sync::Arc;

use super::super::access::{ALL_USERS_URI, Acl, Grantee, Permission, acl_from_headers, acl_from_xml, uin_of};
use super::super::response::{CosError, Outgoing};
use super::super::store::{BucketState, StoredObject};
use super::super::versions::{self, Change, apply};
use super::super::xml_out::Xml;
use super::object::requested_version;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, require_object, xml_body};

/// The `AccessControlPolicy` of an ACL owned by `owner_uin`, and its `x-cos-acl` header.
fn policy(acl: &Acl, owner_uin: &str) -> Outgoing {
    let mut x = Xml::new();
    x.open("AccessControlPolicy");
    x.account("Owner", owner_uin);
    x.open("AccessControlList");
    for (grantee, permission) in acl.listed_grants(owner_uin) {
        x.open("Grant");
        match grantee {
            Grantee::User(id) => {
                x.open_with(
                    "Grantee",
                    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser""#,
                );
                x.leaf("ID", &id);
                x.leaf("DisplayName", uin_of(&id));
            }
            Grantee::AllUsers => {
                x.open_with("Grantee", r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group""#);
                x.leaf("URI", ALL_USERS_URI);
            }
        }
        x.close("Grantee");
        x.leaf("Permission", permission.as_str());
        x.close("Grant");
    }
    x.close("AccessControlList");
    x.close("AccessControlPolicy");
    Outgoing::xml(x.finish()).with_header("x-cos-acl", acl.canned_name())
}

/// The new ACL of a PUT ?acl: the body when there is one, else the headers.
fn requested_acl(ctx: &Ctx<'_>, for_object: bool) -> Result<Acl, CosError> {
    if !ctx.req.body.is_empty() {
        let body = xml_body(ctx)?;
        return acl_from_xml(&body);
    }
    acl_from_headers(ctx.req, for_object)?.ok_or_else(|| {
        CosError::invalid_request(
            "Neither an x-cos-acl / x-cos-grant-* header nor an AccessControlPolicy body was sent.",
        )
    })
}

/// GET Bucket ACL.
pub(crate) fn get_bucket_acl(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::ReadAcp)?;
    Ok(policy(&b.acl, &b.owner_uin))
}

/// PUT Bucket ACL.
pub(crate) fn put_bucket_acl(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let acl = requested_acl(ctx, false)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::WriteAcp)?;
    let old = std::mem::replace(&mut b.acl, acl);
    if let Err(e) = ctx.inner.persist(|d| d.save_bucket(b)) {
        b.acl = old;
        return Err(e);
    }
    Ok(Outgoing::empty(200))
}

/// The version of `key` an ACL call is about: `versionId`, else the latest.
fn acl_target(ctx: &Ctx<'_>, b: &BucketState, key: &str) -> Result<(Option<String>, Arc<StoredObject>), CosError> {
    versions::find(b, key, requested_version(ctx))
}

/// GET Object ACL (`versionId`: of that version).
pub(crate) fn get_object_acl(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    let (version_id, object) = match acl_target(ctx, b, key) {
        Ok(found) => found,
        Err(e) => {
            require_bucket(b, &ctx.principal, Permission::Read)?;
            return Err(e);
        }
    };
    require_object(b, &object, &ctx.principal, Permission::ReadAcp)?;
    let mut out = policy(&object.acl, &object.owner_uin);
    if let Some(id) = version_id {
        out.headers.append("x-cos-version-id", id);
    }
    Ok(out)
}

/// PUT Object ACL: replaces the version (`versionId`, else the latest) with the same bytes and a
/// new ACL; no new version.
pub(crate) fn put_object_acl(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let acl = requested_acl(ctx, true)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    let (version_id, object) = match acl_target(ctx, b, key) {
        Ok(found) => found,
        Err(e) => {
            require_bucket(b, &ctx.principal, Permission::Read)?;
            return Err(e);
        }
    };
    let object = &object;
    require_object(b, object, &ctx.principal, Permission::WriteAcp)?;
    let updated = StoredObject { acl, ..StoredObject::clone(object) };
    let applied = apply(ctx.inner, bucket, b, key, Change::Replace(version_id, updated))?;
    let mut out = Outgoing::empty(200);
    applied.answer(&mut out);
    Ok(out)
}
