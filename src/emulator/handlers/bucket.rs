//! GET Service, PUT / HEAD / DELETE Bucket, GET Bucket location.

use std::collections::BTreeMap;

use crate::config::validate_bucket;

use super::super::access::{Acl, Permission, Principal, acl_from_headers};
use super::super::dates::iso8601;
use super::super::response::{CosError, Outgoing};
use super::super::store::BucketState;
use super::super::xml_out::Xml;
use super::{Ctx, find_bucket, require_bucket};

/// GET Service: the requester's buckets (in the host's region, for `cos.{region}.` hosts).
pub(crate) fn get_service(ctx: &Ctx<'_>) -> Result<Outgoing, CosError> {
    let Principal::Account { uin, .. } = &ctx.principal else {
        return Err(CosError::access_denied());
    };
    let state = ctx.inner.read_state();
    let mut x = Xml::new();
    x.open("ListAllMyBucketsResult");
    x.account("Owner", uin);
    x.open("Buckets");
    for b in state.buckets.values() {
        if &b.owner_uin != uin || ctx.region.is_some_and(|r| r != b.region) {
            continue;
        }
        x.open("Bucket");
        x.leaf("Name", &b.name);
        x.leaf("Location", &b.region);
        x.leaf("CreationDate", &iso8601(b.created));
        x.leaf("BucketType", "cos");
        x.close("Bucket");
    }
    x.close("Buckets");
    x.close("ListAllMyBucketsResult");
    Ok(Outgoing::xml(x.finish()))
}

/// PUT Bucket: only an account of the bucket's appid may create it.
pub(crate) fn put_bucket(ctx: &Ctx<'_>, name: &str) -> Result<Outgoing, CosError> {
    let Principal::Account { uin, appid } = &ctx.principal else {
        return Err(CosError::access_denied());
    };
    validate_bucket(name).map_err(|e| CosError::new(400, "InvalidBucketName", e.to_string()))?;
    let acl = acl_from_headers(ctx.req, false)?.unwrap_or_else(Acl::private);
    let bucket_appid = name.rsplit_once('-').and_then(|(_, a)| a.parse::<u64>().ok());
    if bucket_appid != Some(*appid) {
        return Err(CosError::new(403, "AccessDenied", format!("The bucket's appid is not your account's ({appid}).")));
    }
    let mut state = ctx.inner.write_state();
    if let Some(existing) = state.buckets.get(name) {
        return Err(if &existing.owner_uin == uin {
            CosError::new(
                409,
                "BucketAlreadyOwnedByYou",
                "The bucket you tried to create already exists, and you own it.",
            )
        } else {
            CosError::new(409, "BucketAlreadyExists", "The requested bucket name is not available.")
        });
    }
    let region = ctx.region.unwrap_or(&ctx.inner.region).to_owned();
    let bucket = BucketState {
        name: name.to_owned(),
        region,
        owner_uin: uin.clone(),
        appid: *appid,
        created: ctx.now,
        acl,
        cors: None,
        configs: Default::default(),
        objects: BTreeMap::new(),
        versions: Default::default(),
        uploads: BTreeMap::new(),
    };
    ctx.inner.persist(|d| d.save_bucket(&bucket))?;
    state.buckets.insert(name.to_owned(), bucket);
    Ok(Outgoing::empty(200))
}

/// HEAD Bucket: exists and readable.
pub(crate) fn head_bucket(ctx: &Ctx<'_>, name: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, name)?;
    require_bucket(b, &ctx.principal, Permission::Read)?;
    Ok(Outgoing::empty(200).with_header("x-cos-bucket-region", b.region.clone()))
}

/// DELETE Bucket: the owner's, and empty of objects (uploads in progress go with it).
pub(crate) fn delete_bucket(ctx: &Ctx<'_>, name: &str) -> Result<Outgoing, CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket(&state, ctx, name)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    // Older versions and delete markers count: COS refuses a bucket that still holds any.
    if !b.objects.is_empty() || !b.versions.is_empty() {
        return Err(CosError::new(409, "BucketNotEmpty", "The bucket you tried to delete is not empty."));
    }
    ctx.inner.persist(|d| d.remove_bucket(name))?;
    state.buckets.remove(name);
    Ok(Outgoing::empty(204))
}

/// GET Bucket location.
pub(crate) fn get_bucket_location(ctx: &Ctx<'_>, name: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, name)?;
    require_bucket(b, &ctx.principal, Permission::Read)?;
    let mut x = Xml::new();
    x.leaf("LocationConstraint", &b.region);
    Ok(Outgoing::xml(x.finish()))
}
