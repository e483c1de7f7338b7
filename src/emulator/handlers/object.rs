//! PUT, GET, HEAD, DELETE Object and Delete Multiple Objects.

use std::sync::Arc;

use crate::xml::{Element, parse_document};

use super::super::access::{Acl, Permission, Principal, acl_from_headers};
use super::super::dates::{http_date, parse_http_date};
use super::super::request::Incoming;
use super::super::response::{CosError, Outgoing};
use super::super::sse::check_key;
use super::super::store::{BucketState, ObjectMeta, StoredObject};
use super::super::versions::{self, Change, apply};
use super::super::xml_out::Xml;
use super::{
    Ctx, body_md5, etag_matches, find_bucket, find_bucket_in, find_bucket_mut, require_bucket, require_object, xml_body,
};

/// Most keys one Delete Multiple Objects may name.
const MAX_DELETE_KEYS: usize = 1000;

/// The uin that owns what `principal` writes into `bucket` (anonymous writes belong to the
/// bucket's owner).
pub(crate) fn writer_uin(principal: &Principal, bucket: &BucketState) -> String {
    principal.uin().unwrap_or(&bucket.owner_uin).to_owned()
}

/// PUT Object.
pub(crate) fn put_object(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let mut meta = ObjectMeta::from_request(ctx.req)?;
    meta.content_type.get_or_insert_with(|| crate::mime::type_of_key(key).to_owned());
    let acl = acl_from_headers(ctx.req, true)?.unwrap_or_else(Acl::inherit);
    {
        let state = ctx.inner.read_state();
        require_bucket(find_bucket(&state, ctx, bucket)?, &ctx.principal, Permission::Write)?;
    }
    // Hash (and with a data directory, make the bytes durable) outside the lock: other requests
    // go on meanwhile.
    let content = ctx.inner.durable(&ctx.req.body)?;
    let (_, etag) = body_md5(ctx);
    let crc64 = content.crc64();
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    // Checked again: the ACL may have changed while the body was hashed.
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let owner_uin = writer_uin(&ctx.principal, b);
    let object = StoredObject {
        content,
        etag: etag.clone(),
        crc64,
        last_modified: ctx.now,
        meta,
        acl,
        owner_uin,
        retain_until: None,
        restored_until: None,
    };
    let sse = object.meta.sse.clone();
    let applied = apply(ctx.inner, bucket, b, key, Change::Write(object))?;
    let mut out = Outgoing::empty(200).with_header("ETag", etag).with_header("x-cos-hash-crc64ecma", crc64.to_string());
    if let Some(sse) = sse {
        sse.answer(&mut out);
    }
    applied.answer(&mut out);
    Ok(out)
}

/// An object version found for a read.
pub(crate) struct Found {
    /// For `x-cos-version-id`: `None` on a bucket whose versioning was never set.
    pub(crate) version_id: Option<String>,
    pub(crate) object: Arc<StoredObject>,
}

/// Reads an object for a GET/HEAD/copy (`region`: where the request looks for the bucket): the
/// version `version_id` names (`None`: the latest; see `versions::find` for delete markers and
/// unknown ids); 404 only for those who may list the bucket, 403 else.
pub(crate) fn readable_version(
    ctx: &Ctx<'_>,
    bucket: &str,
    region: Option<&str>,
    key: &str,
    version_id: Option<&str>,
) -> Result<Found, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket_in(&state, bucket, region)?;
    match versions::find(b, key, version_id) {
        Ok((version_id, object)) => {
            require_object(b, &object, &ctx.principal, Permission::Read)?;
            Ok(Found { version_id, object })
        }
        Err(e) => {
            require_bucket(b, &ctx.principal, Permission::Read)?;
            Err(e)
        }
    }
}

/// `versionId` of the request, when not empty.
pub(crate) fn requested_version<'a>(ctx: &Ctx<'a>) -> Option<&'a str> {
    ctx.req.query("versionId").filter(|v| !v.is_empty())
}

/// The outcome of `If-*` conditions.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Proceed,
    NotModified,
    Failed,
}

/// Evaluates `If-Match`, `If-Unmodified-Since`, `If-None-Match`, `If-Modified-Since` (with the
/// `prefix`, e.g. `x-cos-copy-source-`) in RFC 7232's order: a date condition counts only when
/// its ETag counterpart is absent; unreadable dates are ignored.
pub(crate) fn evaluate_conditions(req: &Incoming, prefix: &str, etag: &str, last_modified: u64) -> Verdict {
    let header = |name: &str| req.header(&format!("{prefix}{name}"));
    if let Some(list) = header("If-Match") {
        if !etag_matches(list, etag) {
            return Verdict::Failed;
        }
    } else if let Some(t) = header("If-Unmodified-Since").and_then(parse_http_date)
        && last_modified > t
    {
        return Verdict::Failed;
    }
    if let Some(list) = header("If-None-Match") {
        if etag_matches(list, etag) {
            return Verdict::NotModified;
        }
    } else if let Some(t) = header("If-Modified-Since").and_then(parse_http_date)
        && last_modified <= t
    {
        return Verdict::NotModified;
    }
    Verdict::Proceed
}

/// A `Range` header against an object of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// No range, or one HTTP says to ignore (malformed, several ranges): the whole object.
    Whole,
    /// `start..=end`.
    Part(u64, u64),
    /// 416.
    Unsatisfiable,
}

/// Parses `bytes=a-b`, `bytes=a-`, `bytes=-n`.
pub(crate) fn parse_range(value: &str, size: u64) -> RangeRequest {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeRequest::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| s.parse::<u64>().ok();
    if a.is_empty() {
        return match num(b) {
            Some(0) => RangeRequest::Unsatisfiable,
            Some(_) if size == 0 => RangeRequest::Unsatisfiable,
            Some(n) => RangeRequest::Part(size - n.min(size), size - 1),
            None => RangeRequest::Whole,
        };
    }
    let Some(start) = num(a) else {
        return RangeRequest::Whole;
    };
    let end = if b.is_empty() {
        u64::MAX
    } else {
        match num(b) {
            Some(e) if e >= start => e,
            _ => return RangeRequest::Whole,
        }
    };
    if start >= size {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Part(start, end.min(size - 1))
}

/// The headers GET and HEAD return for an object.
pub(crate) fn object_headers(object: &StoredObject, out: &mut Outgoing) {
    if let Some(sse) = &object.meta.sse {
        sse.answer(out);
    }
    let headers = &mut out.headers;
    let meta = &object.meta;
    headers.append("Content-Type", meta.content_type.as_deref().unwrap_or("application/octet-stream"));
    headers.append("ETag", object.etag.clone());
    headers.append("Last-Modified", http_date(object.last_modified));
    headers.append("Accept-Ranges", "bytes");
    headers.append("x-cos-hash-crc64ecma", object.crc64.to_string());
    headers.append("x-cos-object-type", if object.meta.appendable { "appendable" } else { "normal" });
    for (name, value) in [
        ("Cache-Control", &meta.cache_control),
        ("Content-Disposition", &meta.content_disposition),
        ("Content-Encoding", &meta.content_encoding),
        ("Content-Language", &meta.content_language),
        ("Expires", &meta.expires),
    ] {
        if let Some(v) = value {
            headers.append(name, v.clone());
        }
    }
    for (name, value) in &meta.user {
        headers.append(name.clone(), value.clone());
    }
    if meta.storage_class != "STANDARD" {
        headers.append("x-cos-storage-class", meta.storage_class.clone());
    }
    if !meta.tags.is_empty() {
        headers.append("x-cos-tagging-count", meta.tags.len().to_string());
    }
}

/// `response-*` query parameters override the stored headers of a GET.
const RESPONSE_OVERRIDES: &[(&str, &str)] = &[
    ("response-content-type", "Content-Type"),
    ("response-content-language", "Content-Language"),
    ("response-expires", "Expires"),
    ("response-cache-control", "Cache-Control"),
    ("response-content-disposition", "Content-Disposition"),
    ("response-content-encoding", "Content-Encoding"),
];

/// GET / HEAD Object: conditions, then a range.
pub(crate) fn get_object(ctx: &Ctx<'_>, bucket: &str, key: &str, head: bool) -> Result<Outgoing, CosError> {
    let found = readable_version(ctx, bucket, ctx.region, key, requested_version(ctx))?;
    if !head {
        super::restore::require_restored(&found, ctx.now)?;
    }
    let object = found.object.clone();
    check_key(ctx.req, "", object.meta.sse.as_ref())?;
    match evaluate_conditions(ctx.req, "", &object.etag, object.last_modified) {
        Verdict::Failed => return Err(CosError::precondition_failed()),
        Verdict::NotModified => {
            return Ok(Outgoing::empty(304)
                .with_header("ETag", object.etag.clone())
                .with_header("Last-Modified", http_date(object.last_modified)));
        }
        Verdict::Proceed => {}
    }
    let size = object.content.len();
    let mut out = Outgoing::empty(200);
    object_headers(&object, &mut out);
    version_headers(&found, &mut out);
    for (param, header) in RESPONSE_OVERRIDES {
        if let Some(v) = ctx.req.query(param) {
            out.headers.insert(*header, v);
        }
    }
    let range = ctx.req.header("range").map_or(RangeRequest::Whole, |r| parse_range(r, size));
    let body = match range {
        RangeRequest::Whole => object.content.clone(),
        RangeRequest::Part(start, end) => {
            out.status = 206;
            out.headers.append("Content-Range", format!("bytes {start}-{end}/{size}"));
            object.content.slice(start, end + 1)
        }
        RangeRequest::Unsatisfiable => {
            return Err(CosError::new(416, "InvalidRange", "The requested range is not satisfiable.")
                .with_header("Content-Range", format!("bytes */{size}")));
        }
    };
    out.headers.insert("Content-Length", body.len().to_string());
    if !head {
        out.body = body;
    }
    Ok(out)
}

/// `x-cos-version-id` of a GET / HEAD, and `x-cos-restore` of a restored archive object.
fn version_headers(found: &Found, out: &mut Outgoing) {
    if let Some(id) = &found.version_id {
        out.headers.append("x-cos-version-id", id.clone());
    }
    super::restore::restore_header(found, out);
}

/// DELETE Object: 204 whether or not it existed; on a versioned bucket a delete marker, or with
/// `versionId` the removal of that version (see `versions.rs`).
pub(crate) fn delete_object(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let change = delete_change(ctx, requested_version(ctx));
    let applied = apply(ctx.inner, bucket, b, key, change)?;
    let mut out = Outgoing::empty(204);
    applied.answer(&mut out);
    Ok(out)
}

/// The change a delete asks for: of one version, or of the key.
fn delete_change(ctx: &Ctx<'_>, version_id: Option<&str>) -> Change {
    match version_id {
        Some(id) => Change::DeleteVersion(id.to_owned()),
        None => Change::Delete { now: ctx.now },
    }
}

/// POST ?delete: `Content-MD5` required; quiet mode lists only failures.
pub(crate) fn delete_multiple_object(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    if ctx.req.header("content-md5").is_none() {
        return Err(CosError::invalid_request("Missing required header for this request: Content-MD5."));
    }
    let body = xml_body(ctx)?;
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(&body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "Delete").map_err(|e| bad(e.to_string()))?;
    let quiet = root.opt_bool("Quiet").map_err(|e| bad(e.to_string()))?.unwrap_or(false);
    let mut keys = Vec::new();
    for object in root.children("Object") {
        let key =
            object.opt_text("Key").filter(|k| !k.is_empty()).ok_or_else(|| bad("an <Object> has no <Key>".into()))?;
        keys.push((key, object.opt_text("VersionId").filter(|v| !v.is_empty())));
    }
    if keys.is_empty() || keys.len() > MAX_DELETE_KEYS {
        return Err(bad(format!("between 1 and {MAX_DELETE_KEYS} <Object> elements are needed, not {}", keys.len())));
    }
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Write)?;
    let mut x = Xml::new();
    x.open("DeleteResult");
    for (key, version_id) in &keys {
        let change = delete_change(ctx, version_id.as_deref());
        let applied = apply(ctx.inner, bucket, b, key, change)?;
        if !quiet {
            x.open("Deleted");
            x.leaf("Key", key);
            if let Some(id) = version_id {
                x.leaf("VersionId", id);
            }
            if applied.delete_marker {
                x.leaf("DeleteMarker", "true");
                if let Some(id) = &applied.version_id {
                    x.leaf("DeleteMarkerVersionId", id);
                }
            }
            x.close("Deleted");
        }
    }
    x.close("DeleteResult");
    Ok(Outgoing::xml(x.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeRequest::*;
        assert_eq!(parse_range("bytes=0-4", 10), Part(0, 4));
        assert_eq!(parse_range("bytes=5-", 10), Part(5, 9));
        assert_eq!(parse_range("bytes=-3", 10), Part(7, 9));
        assert_eq!(parse_range("bytes=-30", 10), Part(0, 9));
        assert_eq!(parse_range("bytes=8-100", 10), Part(8, 9));
        assert_eq!(parse_range("bytes=10-", 10), Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 10), Unsatisfiable);
        assert_eq!(parse_range("bytes=0-0", 0), Unsatisfiable);
        assert_eq!(parse_range("bytes=5-4", 10), Whole);
        assert_eq!(parse_range("bytes=0-1,3-4", 10), Whole);
        assert_eq!(parse_range("items=0-1", 10), Whole);
        assert_eq!(parse_range("bytes=x-1", 10), Whole);
        assert_eq!(parse_range("bytes=99999999999999999999999-", 10), Whole);
    }
}
