//! PUT / GET ?versioning on a bucket. The status is kept (in a data directory too); what it does
//! to objects is in `versions.rs` (versions and delete markers are kept in a data directory too).

use crate::xml::{Element, parse_document};

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::super::xml_out::Xml;
use super::bucket_documents::commit;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, xml_body};

/// PUT Bucket versioning (owner only): `Enabled` or `Suspended`.
pub(crate) fn put_bucket_versioning(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let body = xml_body(ctx)?;
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(&body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "VersioningConfiguration").map_err(|e| bad(e.to_string()))?;
    let status = root.opt_text("Status").map(|s| s.trim().to_owned()).unwrap_or_default();
    if status != "Enabled" && status != "Suspended" {
        return Err(bad(format!("<Status> is {status:?}, not Enabled or Suspended")));
    }
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.versioning = Some(status))?;
    Ok(Outgoing::empty(200))
}

/// GET Bucket versioning: a never-set bucket answers an empty `<VersioningConfiguration/>`.
pub(crate) fn get_bucket_versioning(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let mut x = Xml::new();
    x.open("VersioningConfiguration");
    if let Some(status) = &b.configs.versioning {
        x.leaf("Status", status);
    }
    x.close("VersioningConfiguration");
    Ok(Outgoing::xml(x.finish()))
}
