//! PUT / GET / DELETE of the bucket configurations the emulator stores and returns without
//! acting on them: website, referer, encryption, replication, logging, domain, origin,
//! intelligent tiering (v1), object lock (whose default retention `versions.rs` gives new objects). Each body is read with the client's own parser, checked with the
//! client's validation and stored as the client writes it, so what GET returns is the
//! canonical form of what was put. With a data directory they survive a restart.
//!
//! | Call | Refused | Never set |
//! |---|---|---|
//! | PUT | 400 MalformedXML (not XML, wrong root, bad number), 400 InvalidArgument (what the client refuses), 403 for anyone but the owner | |
//! | GET | 403 for anyone but the owner | the call's own answer (404 with its code, or an empty document) |
//! | DELETE | 403 for anyone but the owner | 204 all the same |

use crate::api::bucket_config::XmlConfig;
use crate::xml::{Element, parse_document};

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::super::store::{BucketConfigs, BucketState};
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, xml_body};

/// The body of a PUT read as `C`: MalformedXML when it is not one, InvalidArgument when the
/// client would refuse it.
pub(crate) fn read_body<C: XmlConfig>(ctx: &Ctx<'_>) -> Result<C, CosError> {
    let body = xml_body(ctx)?;
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(&body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, C::ROOT).map_err(|e| bad(e.to_string()))?;
    let config = C::read(root).map_err(|e| bad(e.to_string()))?;
    config.validate().map_err(|e| CosError::invalid_argument(e.to_string()))?;
    Ok(config)
}

/// Applies `change` to the bucket's configurations and writes the bucket record when there is
/// a data directory; on a write failure the change is undone and the error returned.
pub(crate) fn commit(
    ctx: &Ctx<'_>,
    b: &mut BucketState,
    change: impl FnOnce(&mut BucketConfigs),
) -> Result<(), CosError> {
    let old = b.configs.clone();
    change(&mut b.configs);
    if let Err(e) = ctx.inner.persist(|d| d.save_bucket(b)) {
        b.configs = old;
        return Err(e);
    }
    Ok(())
}

/// PUT `?name` (owner only): `check` sees the bucket and the configuration before it is stored
/// (replication needs versioning).
pub(crate) fn put<C: XmlConfig>(
    ctx: &Ctx<'_>,
    bucket: &str,
    name: &str,
    check: impl FnOnce(&BucketState, &C) -> Result<(), CosError>,
) -> Result<Outgoing, CosError> {
    let config: C = read_body(ctx)?;
    let canonical = config.to_xml().map_err(|e| CosError::invalid_argument(e.to_string()))?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    check(b, &config)?;
    commit(ctx, b, |c| {
        c.documents.insert(name.to_owned(), canonical);
    })?;
    Ok(Outgoing::empty(200))
}

/// GET `?name` (owner only): the stored document, else what `never_set` answers.
pub(crate) fn get(
    ctx: &Ctx<'_>,
    bucket: &str,
    name: &str,
    never_set: impl FnOnce() -> Result<Outgoing, CosError>,
) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    match b.configs.documents.get(name) {
        Some(xml) => Ok(Outgoing::xml(xml.clone().into_bytes())),
        None => never_set(),
    }
}

/// DELETE `?name` (owner only): 204 whether or not it was set.
pub(crate) fn delete(ctx: &Ctx<'_>, bucket: &str, name: &str) -> Result<Outgoing, CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    if b.configs.documents.contains_key(name) {
        commit(ctx, b, |c| {
            c.documents.remove(name);
        })?;
    }
    Ok(Outgoing::empty(204))
}

/// A 404 answer with `code`, for a configuration never set.
pub(crate) fn missing(code: &'static str, what: &str) -> impl FnOnce() -> Result<Outgoing, CosError> {
    let message = format!("The {what} configuration does not exist.");
    move || Err(CosError::new(404, code, message))
}
