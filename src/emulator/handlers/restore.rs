//! POST Object restore, and the gate it opens: an ARCHIVE or DEEP_ARCHIVE object is readable
//! (GET, or as a copy source) only while a restore is in effect.
//!
//! | request | answer |
//! |---|---|
//! | GET / copy of an archived object, not restored | 403 InvalidObjectState |
//! | HEAD of it | 200, no `x-cos-restore` |
//! | restore of an archived object | 202; done at once (the emulator does not wait hours as COS does); GET serves it for `Days` days, HEAD shows `x-cos-restore: ongoing-request="false", expiry-date="<HTTP date>"` |
//! | restore again while restored | 200; the expiry moves to now + `Days` (COS extends the copy the same way) |
//! | restore of any other storage class | 403 InvalidObjectState |
//! | no or bad `Days` (at least 1), a `Tier` other than Expedited, Standard, Bulk | 400 MalformedXML |
//!
//! COS answers 409 RestoreAlreadyInProgress to a restore sent while another is running; an
//! emulated restore is never running (it completes at once), so that answer never comes. A write
//! of the key (or the deletion of the version) ends its restore. The expiry is a field of the
//! version (`StoredObject::restored_until`), replaced in place as PUT ?acl does (no new version),
//! so a data directory keeps it with the version's record.

use crate::xml::{Element, parse_document};

use super::super::access::Permission;
use super::super::dates::http_date;
use super::super::response::{CosError, Outgoing};
use super::super::store::StoredObject;
use super::super::versions::{self, Change, apply};
use super::object::{Found, requested_version};
use super::{Ctx, find_bucket_mut, require_bucket, xml_body};

/// Storage classes whose bytes must be restored before they can be read.
const ARCHIVED: &[&str] = &["ARCHIVE", "DEEP_ARCHIVE", "MAZ_ARCHIVE"];

const DAY: u64 = 24 * 60 * 60;

fn archived(found: &Found) -> bool {
    ARCHIVED.contains(&found.object.meta.storage_class.as_str())
}

/// 403 InvalidObjectState unless the object is readable now: not archived, or restored.
pub(crate) fn require_restored(found: &Found, now: u64) -> Result<(), CosError> {
    if !archived(found) || found.object.restored_until.is_some_and(|until| until > now) {
        return Ok(());
    }
    Err(CosError::new(
        403,
        "InvalidObjectState",
        "The operation is not valid for the object's storage class: restore it first (POST ?restore).",
    ))
}

/// `x-cos-restore` of a GET / HEAD of a restored archived object.
pub(crate) fn restore_header(found: &Found, out: &mut Outgoing) {
    if let Some(until) = found.object.restored_until.filter(|_| archived(found)) {
        out.headers.append("x-cos-restore", format!("ongoing-request=\"false\", expiry-date=\"{}\"", http_date(until)));
    }
}

/// POST ?restore: `RestoreRequest { Days, CASJobParameters { Tier } }`.
pub(crate) fn restore_object(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let days = restore_days(&xml_body(ctx)?)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let version = requested_version(ctx);
    let (_, object) = versions::find(b, key, version)?;
    if !ARCHIVED.contains(&object.meta.storage_class.as_str()) {
        return Err(CosError::new(
            403,
            "InvalidObjectState",
            format!("Only ARCHIVE and DEEP_ARCHIVE objects are restored, not {}.", object.meta.storage_class),
        ));
    }
    let until = ctx.now.saturating_add(days.saturating_mul(DAY));
    let in_effect = object.restored_until.is_some_and(|t| t > ctx.now);
    let restored = StoredObject { restored_until: Some(until), ..StoredObject::clone(&object) };
    apply(ctx.inner, bucket, b, key, Change::Replace(version.map(str::to_owned), restored))?;
    Ok(Outgoing::empty(if in_effect { 200 } else { 202 }))
}

/// `Days` of a restore request, checked with its `Tier`.
fn restore_days(body: &[u8]) -> Result<u64, CosError> {
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "RestoreRequest").map_err(|e| bad(e.to_string()))?;
    let days = root.opt_number::<u64>("Days").map_err(|e| bad(e.to_string()))?;
    let days =
        days.filter(|d| *d >= 1).ok_or_else(|| bad("<Days> must be a whole number of days, at least 1".into()))?;
    let tier = root.child("CASJobParameters").and_then(|p| p.opt_text("Tier"));
    if let Some(tier) = tier
        && !["Expedited", "Standard", "Bulk"].contains(&tier.trim())
    {
        return Err(bad(format!("<Tier> {tier:?} is not Expedited, Standard or Bulk")));
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_bodies() {
        let ok = b"<RestoreRequest><Days>3</Days><CASJobParameters><Tier>Standard</Tier></CASJobParameters></RestoreRequest>";
        assert_eq!(restore_days(ok).unwrap(), 3);
        assert_eq!(restore_days(b"<RestoreRequest><Days>1</Days></RestoreRequest>").unwrap(), 1);
        for bad in [
            &b"<RestoreRequest></RestoreRequest>"[..],
            b"<RestoreRequest><Days>0</Days></RestoreRequest>",
            b"<RestoreRequest><Days>-1</Days></RestoreRequest>",
            b"<RestoreRequest><Days>x</Days></RestoreRequest>",
            b"<RestoreRequest><Days>2</Days><CASJobParameters><Tier>Fast</Tier></CASJobParameters></RestoreRequest>",
            b"<Other><Days>2</Days></Other>",
        ] {
            assert_eq!(restore_days(bad).unwrap_err().code, "MalformedXML", "{}", String::from_utf8_lossy(bad));
        }
    }
}
