//! Intelligent tiering: the v1 bucket-wide setting (`?intelligenttiering`, kept with the other
//! documents) and the v2 rules by Id (`?intelligent-tiering[&id=]`). Stored and returned,
//! never acted on (no object changes tier); with a data directory they survive a restart.
//!
//! | Call | Answer |
//! |---|---|
//! | v1 GET, never set | 200 empty `<IntelligentTieringConfiguration>` (the emulator's choice) |
//! | v1 PUT with an Id, Filter or Tiering | 400 InvalidArgument (those are v2) |
//! | v2 PUT, `id` missing or not the body's `<Id>`, or no `<Tiering>` | 400 InvalidArgument |
//! | v2 GET / DELETE of an unknown Id | 404 NoSuchIntelligentTieringConfiguration (the emulator's code) |
//! | list | every v2 rule in Id order |

use crate::api::IntelligentTieringConfiguration;
use crate::api::bucket_config::XmlConfig;

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::super::store::BucketState;
use super::bucket_documents::{commit, read_body};
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket};

/// v1 PUT refuses the v2 elements.
pub(crate) fn v1_only(_: &BucketState, c: &IntelligentTieringConfiguration) -> Result<(), CosError> {
    if c.id.is_some() || c.filter.is_some() || !c.tierings.is_empty() {
        return Err(CosError::invalid_argument(
            "Id, Filter and Tiering belong to ?intelligent-tiering&id= rules, not ?intelligenttiering.",
        ));
    }
    Ok(())
}

fn id_of(ctx: &Ctx<'_>) -> Result<String, CosError> {
    match ctx.req.query("id") {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(CosError::invalid_argument("The id parameter is required.")),
    }
}

fn no_such(id: &str) -> CosError {
    CosError::new(
        404,
        "NoSuchIntelligentTieringConfiguration",
        format!("No intelligent-tiering rule has the Id {id:?}."),
    )
}

/// v2 PUT (owner only).
pub(crate) fn put_rule(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let id = id_of(ctx)?;
    let rule: IntelligentTieringConfiguration = read_body(ctx)?;
    if rule.id.as_deref() != Some(id.as_str()) {
        return Err(CosError::invalid_argument(format!("The body's Id {:?} is not the id parameter {id:?}.", rule.id)));
    }
    if rule.tierings.is_empty() {
        return Err(CosError::invalid_argument("A rule needs at least one Tiering."));
    }
    let canonical = rule.to_xml().map_err(|e| CosError::invalid_argument(e.to_string()))?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| {
        c.tierings.insert(id, canonical);
    })?;
    Ok(Outgoing::empty(200))
}

/// v2 GET of one Id.
pub(crate) fn get_rule(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let id = id_of(ctx)?;
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let xml = b.configs.tierings.get(&id).ok_or_else(|| no_such(&id))?;
    Ok(Outgoing::xml(xml.clone().into_bytes()))
}

/// v2 DELETE of one Id: 204, or 404 for an unknown Id.
pub(crate) fn delete_rule(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let id = id_of(ctx)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    if !b.configs.tierings.contains_key(&id) {
        return Err(no_such(&id));
    }
    commit(ctx, b, |c| {
        c.tierings.remove(&id);
    })?;
    Ok(Outgoing::empty(204))
}

/// v2 list: every rule, in Id order.
pub(crate) fn list_rules(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    // The stored rules are canonical XML already: the answer is their concatenation.
    let mut out = String::from("<ListBucketIntelligentTieringConfigurationsOutput>");
    for xml in b.configs.tierings.values() {
        out.push_str(xml);
    }
    out.push_str("</ListBucketIntelligentTieringConfigurationsOutput>");
    Ok(Outgoing::xml(out.into_bytes()))
}
