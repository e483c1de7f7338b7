//! PUT / GET / DELETE ?policy on a bucket. The policy is stored and returned as the JSON text
//! put, never evaluated (access stays decided by ACLs); with a data directory it survives a
//! restart.

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::bucket_documents::commit;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket};

/// Largest policy COS accepts.
const MAX_POLICY: usize = 20 * 1024;

/// PUT Bucket policy (owner only). Only the shape is checked (a UTF-8 JSON object within 20
/// KiB): the emulator has no JSON parser and does not enforce policies.
pub(crate) fn put_bucket_policy(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let body = ctx.req.body.to_vec();
    if body.len() > MAX_POLICY {
        return Err(CosError::new(400, "PolicyTooLarge", format!("A bucket policy is limited to {MAX_POLICY} bytes.")));
    }
    let text = String::from_utf8(body).ok().filter(|t| {
        let t = t.trim();
        t.starts_with('{') && t.ends_with('}')
    });
    let policy = text.ok_or_else(|| CosError::new(400, "MalformedPolicy", "The policy is not a JSON object."))?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.policy = Some(policy))?;
    Ok(Outgoing::empty(204))
}

/// GET Bucket policy: the JSON as put, or 404 NoSuchPolicy.
pub(crate) fn get_bucket_policy(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let policy = b
        .configs
        .policy
        .as_ref()
        .ok_or_else(|| CosError::new(404, "NoSuchPolicy", "The specified policy does not exist."))?;
    let mut out = Outgoing::xml(policy.clone().into_bytes());
    out.headers.insert("Content-Type", "application/json");
    Ok(out)
}

/// DELETE Bucket policy: 204 whether or not one was set.
pub(crate) fn delete_bucket_policy(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.policy = None)?;
    Ok(Outgoing::empty(204))
}
