//! PUT / GET / DELETE ?lifecycle on a bucket. The rules are checked, stored and returned; the
//! emulator never acts on them (nothing expires, transitions or aborts).
//! With a data directory they survive a restart.
//!
//! The body is read with the client's own lifecycle parser and written back with its writer,
//! so what GET returns is the canonical form of what was put (element order of the client).

use crate::api::bucket_lifecycle::{lifecycle_rules, lifecycle_xml, validate_rules};
use crate::xml::{Element, parse_document};

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::bucket_documents::commit;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, xml_body};

/// Most rules one configuration may hold (the COS limit).
const MAX_RULES: usize = 1000;

/// PUT Bucket lifecycle (owner only): replaces the rules.
pub(crate) fn put_bucket_lifecycle(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let body = xml_body(ctx)?;
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(&body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "LifecycleConfiguration").map_err(|e| bad(e.to_string()))?;
    let rules = lifecycle_rules(root).map_err(|e| bad(e.to_string()))?;
    if rules.len() > MAX_RULES {
        return Err(bad(format!("at most {MAX_RULES} <Rule> elements are allowed")));
    }
    validate_rules(&rules).map_err(|e| CosError::invalid_argument(e.to_string()))?;
    let canonical = lifecycle_xml(&rules).map_err(|e| CosError::invalid_argument(e.to_string()))?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.lifecycle = Some(canonical))?;
    Ok(Outgoing::empty(200))
}

/// GET Bucket lifecycle: 404 NoSuchLifecycleConfiguration when none is set.
pub(crate) fn get_bucket_lifecycle(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let xml = b.configs.lifecycle.as_ref().ok_or_else(|| {
        CosError::new(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist.")
    })?;
    Ok(Outgoing::xml(xml.clone().into_bytes()))
}

/// DELETE Bucket lifecycle: 204 whether or not rules were set.
pub(crate) fn delete_bucket_lifecycle(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.lifecycle = None)?;
    Ok(Outgoing::empty(204))
}
