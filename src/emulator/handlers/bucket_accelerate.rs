//! PUT / GET ?accelerate on a bucket. Only the setting is kept (in a data directory too): the
//! emulator has no acceleration endpoint.

use crate::xml::{Element, parse_document};

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::super::xml_out::Xml;
use super::bucket_documents::commit;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, xml_body};

/// PUT Bucket accelerate (owner only): Status `Enabled` or `Suspended`, Type `COS` if sent.
pub(crate) fn put_bucket_accelerate(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let body = xml_body(ctx)?;
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(&body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "AccelerateConfiguration").map_err(|e| bad(e.to_string()))?;
    let status = root.opt_text("Status").map(|s| s.trim().to_owned()).unwrap_or_default();
    if status != "Enabled" && status != "Suspended" {
        return Err(bad(format!("<Status> is {status:?}, not Enabled or Suspended")));
    }
    let kind = root.opt_text("Type").map(|s| s.trim().to_owned());
    if kind.as_deref().is_some_and(|k| k != "COS") {
        return Err(CosError::invalid_argument("The accelerate Type must be COS."));
    }
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.accelerate = Some((status, kind)))?;
    Ok(Outgoing::empty(200))
}

/// GET Bucket accelerate: a never-set bucket answers an empty `<AccelerateConfiguration>`.
pub(crate) fn get_bucket_accelerate(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let mut x = Xml::new();
    x.open("AccelerateConfiguration");
    if let Some((status, kind)) = &b.configs.accelerate {
        x.leaf("Status", status);
        if let Some(k) = kind {
            x.leaf("Type", k);
        }
    }
    x.close("AccelerateConfiguration");
    Ok(Outgoing::xml(x.finish()))
}
