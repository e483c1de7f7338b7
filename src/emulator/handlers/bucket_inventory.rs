//! PUT / GET / DELETE `?inventory&id=` and the listing `GET ?inventory[&continuation-token=]`.
//! Configurations are stored (canonical XML, by Id) and returned, never run: no report is
//! written. With a data directory they survive a restart.
//!
//! | Call | Answer |
//! |---|---|
//! | POST (a one-shot job) | checked as PUT, then 200 with no body; nothing stored, no report |
//! | PUT, `id` missing or not the body's `<Id>` | 400 InvalidArgument |
//! | PUT, a 1001st configuration | 400 TooManyConfigurations |
//! | GET / DELETE of an unknown Id | 404 NoSuchInventoryConfiguration (the emulator's code) |
//! | list | [`PAGE`] configurations a page in Id order; `NextContinuationToken` is the next Id, base64 |

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::api::InventoryConfiguration;
use crate::api::bucket_config::XmlConfig;
use crate::xml::XmlWriter;

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::bucket_documents::{commit, read_body};
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket};

/// Configurations a list page holds (COS: 100).
pub(crate) const PAGE: usize = 100;
/// Most configurations a bucket may hold (COS: 1000).
const MAX_CONFIGS: usize = 1000;

fn id_of(ctx: &Ctx<'_>) -> Result<String, CosError> {
    match ctx.req.query("id") {
        Some(id) if !id.is_empty() => {
            crate::api::bucket_inventory::check_id(id).map_err(|e| CosError::invalid_argument(e.to_string()))?;
            Ok(id.to_owned())
        }
        _ => Err(CosError::invalid_argument("The id parameter is required.")),
    }
}

fn no_such(id: &str) -> CosError {
    CosError::new(404, "NoSuchInventoryConfiguration", format!("No inventory configuration has the Id {id:?}."))
}

/// The `id` parameter and the body's configuration (its canonical XML), which must agree.
fn config_of(ctx: &Ctx<'_>) -> Result<(String, String), CosError> {
    let id = id_of(ctx)?;
    let config: InventoryConfiguration = read_body(ctx)?;
    if config.id != id {
        return Err(CosError::invalid_argument(format!(
            "The body's Id {:?} is not the id parameter {id:?}.",
            config.id
        )));
    }
    let canonical = config.to_xml().map_err(|e| CosError::invalid_argument(e.to_string()))?;
    Ok((id, canonical))
}

/// POST Bucket inventory, a one-shot job (owner only): the body is checked as for PUT, then
/// accepted with 200 and no body; nothing is stored and no report is written.
pub(crate) fn post_bucket_inventory(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    config_of(ctx)?;
    let state = ctx.inner.read_state();
    require_bucket(find_bucket(&state, ctx, bucket)?, &ctx.principal, Permission::FullControl)?;
    Ok(Outgoing::empty(200))
}

/// PUT Bucket inventory (owner only).
pub(crate) fn put_bucket_inventory(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let (id, canonical) = config_of(ctx)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    if !b.configs.inventories.contains_key(&id) && b.configs.inventories.len() >= MAX_CONFIGS {
        return Err(CosError::new(
            400,
            "TooManyConfigurations",
            format!("A bucket holds at most {MAX_CONFIGS} inventory configurations."),
        ));
    }
    commit(ctx, b, |c| {
        c.inventories.insert(id, canonical);
    })?;
    Ok(Outgoing::empty(200))
}

/// GET Bucket inventory of one Id.
pub(crate) fn get_bucket_inventory(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let id = id_of(ctx)?;
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let xml = b.configs.inventories.get(&id).ok_or_else(|| no_such(&id))?;
    Ok(Outgoing::xml(xml.clone().into_bytes()))
}

/// DELETE Bucket inventory of one Id: 204, or 404 for an unknown Id.
pub(crate) fn delete_bucket_inventory(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let id = id_of(ctx)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    if !b.configs.inventories.contains_key(&id) {
        return Err(no_such(&id));
    }
    commit(ctx, b, |c| {
        c.inventories.remove(&id);
    })?;
    Ok(Outgoing::empty(204))
}

/// List Bucket inventory: a page of [`PAGE`] from the token's Id on.
pub(crate) fn list_bucket_inventory(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let token = ctx.req.query("continuation-token").filter(|t| !t.is_empty());
    let start = match token {
        None => String::new(),
        Some(t) => STANDARD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| CosError::invalid_argument("The continuation token is not one this bucket gave."))?,
    };
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let mut rest = b.configs.inventories.range(start..);
    // The stored documents are canonical XML already: the page is their concatenation.
    let mut out = String::from("<ListInventoryConfigurationResult>");
    for (_, xml) in rest.by_ref().take(PAGE) {
        out.push_str(xml);
    }
    let next = rest.next().map(|(id, _)| STANDARD.encode(id));
    let mut tail = XmlWriter::new();
    let text_error = |e: crate::Error| CosError::invalid_argument(e.to_string());
    tail.leaf("IsTruncated", if next.is_some() { "true" } else { "false" }, "is_truncated").map_err(text_error)?;
    if let Some(t) = token {
        tail.leaf("ContinuationToken", t, "continuation-token").map_err(text_error)?;
    }
    if let Some(n) = &next {
        tail.leaf("NextContinuationToken", n, "continuation-token").map_err(text_error)?;
    }
    out.push_str(&tail.finish());
    out.push_str("</ListInventoryConfigurationResult>");
    Ok(Outgoing::xml(out.into_bytes()))
}
