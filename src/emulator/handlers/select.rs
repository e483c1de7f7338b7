//! POST Object select (`?select&select-type=2`): reads the object as GET would (versions,
//! permission, restore gate) and answers the event stream `emulator/select/` computes.

use super::super::content::Content;
use super::super::response::{CosError, Outgoing};
use super::super::select;
use super::object::{readable_version, requested_version};
use super::{Ctx, xml_body};

pub(crate) fn select_object_content(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    if ctx.req.query("select-type") != Some("2") {
        return Err(CosError::invalid_argument("select-type must be 2 (the version of SELECT Object Content)."));
    }
    let request = xml_body(ctx)?;
    let found = readable_version(ctx, bucket, ctx.region, key, requested_version(ctx))?;
    super::restore::require_restored(&found, ctx.now)?;
    let stream = select::answer(&request, &found.object.content.to_vec())
        .map_err(|e| CosError::new(e.status, e.code, e.message))?;
    let mut out = Outgoing::empty(200).with_header("Content-Type", "application/octet-stream");
    out.body = Content::from_vec(stream);
    Ok(out)
}
