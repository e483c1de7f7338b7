//! Dispatch: route, authenticate, then the handler of the call, as COS tells calls apart (method,
//! bucket or object, sub-resource).

mod acl;
mod bucket;
mod bucket_accelerate;
mod bucket_documents;
mod bucket_domain_certificate;
mod bucket_intelligent_tiering;
mod bucket_inventory;
use bucket_documents as docs;
mod bucket_lifecycle;
mod bucket_policy;
mod bucket_tagging;
mod bucket_versioning;
mod copy;
mod cors;
mod listing;
mod multipart;
mod object;
mod object_append;
mod object_tagging;
mod post_form;
mod restore;
mod retention;
mod select;

use base64::Engine;

use crate::http::Method;

use crate::api::{
    BucketLoggingStatus, DomainConfiguration, ObjectLockConfiguration, OriginConfiguration, RefererConfiguration,
    ReplicationConfiguration, ServerSideEncryptionConfiguration, WebsiteConfiguration,
};

use super::Inner;
use super::access::{Permission, Principal};
use super::auth_check::authenticate;
use super::request::{Incoming, decode_path};
use super::response::{CosError, Outgoing};
use super::router::{Target, route};
use super::store::{BucketState, State, StoredObject};
use super::v4_check::{authenticate_v4, v4_sign_of};

/// Largest XML request body (configurations, delete lists, complete lists) read.
const MAX_XML_REQUEST: u64 = 16 * 1024 * 1024;

/// Sub-resources of COS calls outside the reference: answered 501 rather than mistaken for a
/// plain GET/PUT of the bucket or object.
const UNSUPPORTED: &[&str] = &[
    "tagging",
    "lifecycle",
    "versioning",
    "versions",
    "website",
    "referer",
    "domain",
    "logging",
    "inventory",
    "accelerate",
    "encryption",
    "replication",
    "policy",
    "intelligenttiering",
    "intelligent-tiering",
    "object-lock",
    "origin",
    "domaincertificate",
    "restore",
    "select",
    "append",
    "retention",
    "symlink",
    "notification",
];

/// The bucket-configuration subresources answered by their own handlers (in UNSUPPORTED too:
/// the same name on an object stays unsupported). Their bodies are bounded like XML bodies.
const BUCKET_CONFIGS: &[&str] = &[
    "tagging",
    "policy",
    "versioning",
    "lifecycle",
    "accelerate",
    "website",
    "referer",
    "encryption",
    "replication",
    "logging",
    "domain",
    "origin",
    "inventory",
    "intelligenttiering",
    "intelligent-tiering",
    "object-lock",
    "domaincertificate",
];

/// Whether `?name` on this target is a bucket call the emulator answers (the same name on an
/// object, e.g. object tagging, stays unsupported).
fn bucket_level_handled(target: &Target, name: &str) -> bool {
    matches!(target, Target::Bucket { key: None, .. }) && BUCKET_CONFIGS.contains(&name)
}

/// Object-version and object calls answered for some methods and one target only (`GET
/// /?versions`, `POST /key?restore`, `/key?tagging`, `POST /key?append`, `POST /key?select`,
/// `PUT` / `GET /key?retention`); any other use of the name stays unsupported.
fn version_call_handled(target: &Target, method: &Method, name: &str) -> bool {
    match (name, target) {
        ("versions", Target::Bucket { key: None, .. }) => *method == Method::Get,
        ("restore", Target::Bucket { key: Some(_), .. }) => *method == Method::Post,
        ("tagging", Target::Bucket { key: Some(_), .. }) => {
            matches!(method, Method::Put | Method::Get | Method::Delete)
        }
        ("append", Target::Bucket { key: Some(_), .. }) => *method == Method::Post,
        ("select", Target::Bucket { key: Some(_), .. }) => *method == Method::Post,
        ("retention", Target::Bucket { key: Some(_), .. }) => matches!(method, Method::Put | Method::Get),
        _ => false,
    }
}

/// Everything a handler needs about the request being answered.
pub(crate) struct Ctx<'a> {
    pub(crate) inner: &'a Inner,
    pub(crate) req: &'a Incoming,
    pub(crate) principal: Principal,
    pub(crate) now: u64,
    /// The region the host named, if any.
    pub(crate) region: Option<&'a str>,
    /// The body's MD5 as `Content-MD5` gave it, already checked against the body (or trusted,
    /// with `trust_content_md5`); `None` without the header.
    pub(crate) content_md5: Option<[u8; 16]>,
}

/// Judges a request from its head alone, before any of its body is read (the HTTP front calls it
/// for every request that declares a body): the route, the signature (or anonymity), the key time
/// and token, the bucket's existence in the host's region, and, for object writes, the permission
/// to write into the bucket. `Ok` does not promise success: the handler checks everything again.
/// `declared` is the body's `Content-Length` (`None` when chunked).
pub(crate) fn admit(inner: &Inner, req: &Incoming, declared: Option<u64>) -> Result<(), CosError> {
    let now = inner.now();
    let target = route(&req.host, &req.raw_path)?;
    if req.method == Method::Options {
        return Ok(());
    }
    let principal = principal_of(inner, req, &target, now)?;
    let Target::Bucket { bucket, region, key, .. } = &target else {
        return Ok(());
    };
    let q = |name: &str| req.has_query(name);
    let config_call = key.is_none() && BUCKET_CONFIGS.iter().any(|n| q(n));
    let xml_call = q("acl")
        || q("cors")
        || config_call
        || q("delete")
        || (key.is_some() && q("tagging"))
        || (req.method == Method::Post && (q("uploadId") || q("restore") || q("select")))
        || (key.is_some() && q("retention"));
    if xml_call && declared.is_some_and(|n| n > MAX_XML_REQUEST) {
        return Err(CosError::malformed_xml(format!("XML bodies are limited to {MAX_XML_REQUEST} bytes.")));
    }
    let creates_bucket = key.is_none() && req.method == Method::Put && !q("acl") && !q("cors") && !config_call;
    if creates_bucket {
        return Ok(());
    }
    let state = inner.read_state();
    let b = find_bucket_in(&state, bucket, region.as_deref())?;
    // A select reads (cos:GetObject): its handler checks the object's read permission.
    let object_write = key.is_some() && matches!(req.method, Method::Put | Method::Post) && !q("acl") && !q("select");
    if object_write || (key.is_none() && req.method == Method::Post && q("delete")) {
        require_bucket(b, &principal, Permission::Write)?;
    }
    Ok(())
}

/// Who signed `req` (or anonymity), or why it is refused: a v4 `sign=` on a download, or the
/// XML-API signature over the decoded path (a path-style request may be signed with or without
/// its bucket segment).
fn principal_of(inner: &Inner, req: &Incoming, target: &Target, now: u64) -> Result<Principal, CosError> {
    if let Some(sign) = v4_sign_of(req) {
        return authenticate_v4(inner, req, sign, target, now);
    }
    let full_path = decode_path(&req.raw_path)?;
    let short_path;
    let mut sign_paths = vec![full_path.as_str()];
    if let Target::Bucket { path_style: true, key, .. } = target {
        short_path = format!("/{}", key.as_deref().unwrap_or(""));
        sign_paths.push(&short_path);
    }
    authenticate(inner, req, &sign_paths, now)
}

/// Answers one request.
pub(crate) fn dispatch(inner: &Inner, req: &Incoming) -> Result<Outgoing, CosError> {
    let now = inner.now();
    let target = route(&req.host, &req.raw_path)?;
    if req.method == Method::Options {
        return cors::preflight(inner, req, &target);
    }
    let principal = principal_of(inner, req, &target, now)?;
    let content_md5 = verify_content_md5(inner, req)?;
    if let Some(name) = UNSUPPORTED.iter().find(|n| {
        req.has_query(n) && !bucket_level_handled(&target, n) && !version_call_handled(&target, &req.method, n)
    }) {
        return Err(CosError::not_implemented(&format!("?{name}")));
    }
    let out = match &target {
        Target::Service { region } => {
            let ctx = Ctx { inner, req, principal, now, region: region.as_deref(), content_md5 };
            match req.method {
                Method::Get => bucket::get_service(&ctx),
                _ => Err(CosError::method_not_allowed()),
            }
        }
        Target::Bucket { bucket, region, key, .. } => {
            let ctx = Ctx { inner, req, principal, now, region: region.as_deref(), content_md5 };
            match key {
                None => bucket_call(&ctx, bucket),
                Some(key) => object_call(&ctx, bucket, key),
            }
        }
    }?;
    Ok(cors::decorate(inner, req, &target, out))
}

fn bucket_call(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let q = |name: &str| ctx.req.has_query(name);
    match ctx.req.method {
        Method::Put if q("acl") => acl::put_bucket_acl(ctx, bucket),
        Method::Put if q("cors") => cors::put_bucket_cors(ctx, bucket),
        Method::Put if q("tagging") => bucket_tagging::put_bucket_tagging(ctx, bucket),
        Method::Put if q("policy") => bucket_policy::put_bucket_policy(ctx, bucket),
        Method::Put if q("lifecycle") => bucket_lifecycle::put_bucket_lifecycle(ctx, bucket),
        Method::Put if q("accelerate") => bucket_accelerate::put_bucket_accelerate(ctx, bucket),
        Method::Put if q("versioning") => bucket_versioning::put_bucket_versioning(ctx, bucket),
        Method::Put if q("website") => docs::put::<WebsiteConfiguration>(ctx, bucket, "website", |_, _| Ok(())),
        Method::Put if q("referer") => docs::put::<RefererConfiguration>(ctx, bucket, "referer", |_, _| Ok(())),
        Method::Put if q("encryption") => {
            docs::put::<ServerSideEncryptionConfiguration>(ctx, bucket, "encryption", |_, _| Ok(()))
        }
        Method::Put if q("replication") => docs::put(ctx, bucket, "replication", replication_needs_versioning),
        Method::Put if q("logging") => docs::put::<BucketLoggingStatus>(ctx, bucket, "logging", |_, _| Ok(())),
        Method::Put if q("domain") => docs::put::<DomainConfiguration>(ctx, bucket, "domain", |_, _| Ok(())),
        Method::Put if q("origin") => docs::put::<OriginConfiguration>(ctx, bucket, "origin", |_, _| Ok(())),
        Method::Put if q("inventory") => bucket_inventory::put_bucket_inventory(ctx, bucket),
        Method::Put if q("intelligenttiering") => {
            docs::put(ctx, bucket, "intelligenttiering", bucket_intelligent_tiering::v1_only)
        }
        Method::Put if q("intelligent-tiering") => bucket_intelligent_tiering::put_rule(ctx, bucket),
        Method::Put if q("object-lock") => {
            docs::put::<ObjectLockConfiguration>(ctx, bucket, "object-lock", |_, _| Ok(()))
        }
        Method::Put if q("domaincertificate") => bucket_domain_certificate::put_domain_certificate(ctx, bucket),
        Method::Put => bucket::put_bucket(ctx, bucket),
        Method::Get if q("acl") => acl::get_bucket_acl(ctx, bucket),
        Method::Get if q("cors") => cors::get_bucket_cors(ctx, bucket),
        Method::Get if q("tagging") => bucket_tagging::get_bucket_tagging(ctx, bucket),
        Method::Get if q("policy") => bucket_policy::get_bucket_policy(ctx, bucket),
        Method::Get if q("lifecycle") => bucket_lifecycle::get_bucket_lifecycle(ctx, bucket),
        Method::Get if q("accelerate") => bucket_accelerate::get_bucket_accelerate(ctx, bucket),
        Method::Get if q("versioning") => bucket_versioning::get_bucket_versioning(ctx, bucket),
        Method::Get if q("website") => {
            docs::get(ctx, bucket, "website", docs::missing("NoSuchWebsiteConfiguration", "website"))
        }
        Method::Get if q("referer") => {
            docs::get(ctx, bucket, "referer", docs::missing("NoSuchRefererConfiguration", "referer"))
        }
        Method::Get if q("encryption") => {
            docs::get(ctx, bucket, "encryption", docs::missing("NoSuchEncryptionConfiguration", "encryption"))
        }
        Method::Get if q("replication") => {
            docs::get(ctx, bucket, "replication", docs::missing("ReplicationConfigurationnotFoundError", "replication"))
        }
        Method::Get if q("logging") => docs::get(ctx, bucket, "logging", || {
            Ok(Outgoing::xml(b"<BucketLoggingStatus></BucketLoggingStatus>".to_vec()))
        }),
        Method::Get if q("domain") => {
            docs::get(ctx, bucket, "domain", docs::missing("NoSuchDomainConfiguration", "domain"))
        }
        Method::Get if q("origin") => {
            docs::get(ctx, bucket, "origin", docs::missing("NoSuchOriginConfiguration", "origin"))
        }
        Method::Get if q("inventory") && q("id") => bucket_inventory::get_bucket_inventory(ctx, bucket),
        Method::Get if q("inventory") => bucket_inventory::list_bucket_inventory(ctx, bucket),
        Method::Get if q("intelligenttiering") => docs::get(ctx, bucket, "intelligenttiering", || {
            Ok(Outgoing::xml(b"<IntelligentTieringConfiguration></IntelligentTieringConfiguration>".to_vec()))
        }),
        Method::Get if q("intelligent-tiering") && q("id") => bucket_intelligent_tiering::get_rule(ctx, bucket),
        Method::Get if q("intelligent-tiering") => bucket_intelligent_tiering::list_rules(ctx, bucket),
        Method::Get if q("object-lock") => docs::get(ctx, bucket, "object-lock", || {
            Ok(Outgoing::xml(b"<ObjectLockConfiguration></ObjectLockConfiguration>".to_vec()))
        }),
        Method::Get if q("domaincertificate") => bucket_domain_certificate::get_domain_certificate(ctx, bucket),
        Method::Get if q("location") => bucket::get_bucket_location(ctx, bucket),
        Method::Get if q("uploads") => listing::list_multipart_uploads(ctx, bucket),
        Method::Get if q("versions") => listing::list_object_versions(ctx, bucket),
        Method::Get => listing::get_bucket(ctx, bucket),
        Method::Head => bucket::head_bucket(ctx, bucket),
        Method::Delete if q("cors") => cors::delete_bucket_cors(ctx, bucket),
        Method::Delete if q("tagging") => bucket_tagging::delete_bucket_tagging(ctx, bucket),
        Method::Delete if q("policy") => bucket_policy::delete_bucket_policy(ctx, bucket),
        Method::Delete if q("lifecycle") => bucket_lifecycle::delete_bucket_lifecycle(ctx, bucket),
        Method::Delete if q("website") => docs::delete(ctx, bucket, "website"),
        Method::Delete if q("encryption") => docs::delete(ctx, bucket, "encryption"),
        Method::Delete if q("replication") => docs::delete(ctx, bucket, "replication"),
        Method::Delete if q("domaincertificate") => bucket_domain_certificate::delete_domain_certificate(ctx, bucket),
        Method::Delete if q("domain") => docs::delete(ctx, bucket, "domain"),
        Method::Delete if q("origin") => docs::delete(ctx, bucket, "origin"),
        Method::Delete if q("intelligent-tiering") => bucket_intelligent_tiering::delete_rule(ctx, bucket),
        Method::Delete if q("inventory") => bucket_inventory::delete_bucket_inventory(ctx, bucket),
        // No DELETE ?versioning, ?accelerate or ?referer in COS: never let it fall through to
        // DELETE Bucket.
        Method::Delete
            if q("versioning")
                || q("accelerate")
                || q("referer")
                || q("logging")
                || q("intelligenttiering")
                || q("object-lock") =>
        {
            Err(CosError::method_not_allowed())
        }
        Method::Delete => bucket::delete_bucket(ctx, bucket),
        Method::Post if q("delete") => object::delete_multiple_object(ctx, bucket),
        Method::Post if q("inventory") => bucket_inventory::post_bucket_inventory(ctx, bucket),
        Method::Post => post_form::post_object(ctx, bucket),
        Method::Options => Err(CosError::method_not_allowed()),
    }
}

/// PUT ?replication is refused on a bucket whose versioning is not `Enabled`, as on COS.
fn replication_needs_versioning(b: &BucketState, _: &ReplicationConfiguration) -> Result<(), CosError> {
    if b.configs.versioning.as_deref() == Some("Enabled") {
        Ok(())
    } else {
        Err(CosError::invalid_request("Versioning must be Enabled on the bucket before replication is configured."))
    }
}

fn object_call(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let q = |name: &str| ctx.req.has_query(name);
    let copy = ctx.req.header("x-cos-copy-source").is_some();
    let limited = match ctx.req.method {
        Method::Put => !q("acl") && !q("retention") && !q("tagging") && !copy,
        Method::Get => !q("acl") && !q("uploadId") && !q("retention") && !q("tagging"),
        _ => false,
    };
    if !limited {
        return object_route(ctx, bucket, key);
    }
    let limit = traffic_limit(ctx)?;
    let started = std::time::Instant::now();
    let out = object_route(ctx, bucket, key)?;
    if let Some(bits_per_second) = limit {
        let bytes = if ctx.req.method == Method::Get { out.body.len() } else { ctx.req.body.len() };
        let least = std::time::Duration::from_secs_f64(bytes as f64 * 8.0 / bits_per_second as f64);
        if let Some(rest) = least.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    Ok(out)
}

/// Slowest and fastest `x-cos-traffic-limit` COS accepts, in bits per second.
const TRAFFIC_LIMIT: std::ops::RangeInclusive<u64> = 819_200..=838_860_800;

/// `x-cos-traffic-limit` of a PUT, upload part or GET: `None` when absent, 400
/// InvalidArgument outside [`TRAFFIC_LIMIT`].
fn traffic_limit(ctx: &Ctx<'_>) -> Result<Option<u64>, CosError> {
    let Some(v) = ctx.req.header("x-cos-traffic-limit") else { return Ok(None) };
    match v.trim().parse::<u64>() {
        Ok(n) if TRAFFIC_LIMIT.contains(&n) => Ok(Some(n)),
        _ => Err(CosError::invalid_argument(format!(
            "x-cos-traffic-limit {v:?} is not a number of bits per second in 819200..=838860800."
        ))),
    }
}

/// Which object call a request is.
fn object_route(ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<Outgoing, CosError> {
    let q = |name: &str| ctx.req.has_query(name);
    let copy = ctx.req.header("x-cos-copy-source").is_some();
    match ctx.req.method {
        Method::Put if q("acl") => acl::put_object_acl(ctx, bucket, key),
        Method::Put if q("tagging") => object_tagging::put_object_tagging(ctx, bucket, key),
        Method::Put if q("retention") => retention::put_object_retention(ctx, bucket, key),
        Method::Put if q("partNumber") || q("uploadId") => {
            if copy {
                copy::upload_part_copy(ctx, bucket, key)
            } else {
                multipart::upload_part(ctx, bucket, key)
            }
        }
        Method::Put if copy => copy::put_object_copy(ctx, bucket, key),
        Method::Put => object::put_object(ctx, bucket, key),
        Method::Get if q("acl") => acl::get_object_acl(ctx, bucket, key),
        Method::Get if q("tagging") => object_tagging::get_object_tagging(ctx, bucket, key),
        Method::Get if q("retention") => retention::get_object_retention(ctx, bucket, key),
        Method::Get if q("uploadId") => multipart::list_parts(ctx, bucket, key),
        Method::Get => object::get_object(ctx, bucket, key, false),
        Method::Head => object::get_object(ctx, bucket, key, true),
        Method::Delete if q("uploadId") => multipart::abort(ctx, bucket, key),
        Method::Delete if q("tagging") => object_tagging::delete_object_tagging(ctx, bucket, key),
        Method::Delete => object::delete_object(ctx, bucket, key),
        Method::Post if q("uploads") => multipart::initiate(ctx, bucket, key),
        Method::Post if q("uploadId") => multipart::complete(ctx, bucket, key),
        Method::Post if q("restore") => restore::restore_object(ctx, bucket, key),
        Method::Post if q("append") => object_append::append_object(ctx, bucket, key),
        Method::Post if q("select") => select::select_object_content(ctx, bucket, key),
        Method::Post => Err(CosError::not_implemented("this POST on an object")),
        Method::Options => Err(CosError::method_not_allowed()),
    }
}

/// The bucket `name`, if it exists where the host says (a bucket asked for in another region is
/// 404, as on COS).
pub(crate) fn find_bucket<'s>(state: &'s State, ctx: &Ctx<'_>, name: &str) -> Result<&'s BucketState, CosError> {
    find_bucket_in(state, name, ctx.region)
}

/// The bucket `name`, if it exists in `region` (any region for `None`).
pub(crate) fn find_bucket_in<'s>(
    state: &'s State,
    name: &str,
    region: Option<&str>,
) -> Result<&'s BucketState, CosError> {
    match state.buckets.get(name) {
        Some(b) if region.is_none_or(|r| r == b.region) => Ok(b),
        _ => Err(CosError::no_such_bucket()),
    }
}

/// Like [`find_bucket`], for changing it.
pub(crate) fn find_bucket_mut<'s>(
    state: &'s mut State,
    ctx: &Ctx<'_>,
    name: &str,
) -> Result<&'s mut BucketState, CosError> {
    match state.buckets.get_mut(name) {
        Some(b) if ctx.region.is_none_or(|r| r == b.region) => Ok(b),
        _ => Err(CosError::no_such_bucket()),
    }
}

/// Refuses unless the bucket's ACL (or ownership) lets the requester do `wanted`.
pub(crate) fn require_bucket(bucket: &BucketState, principal: &Principal, wanted: Permission) -> Result<(), CosError> {
    if bucket.acl.allows(&bucket.owner_uin, principal, wanted) { Ok(()) } else { Err(CosError::access_denied()) }
}

/// Refuses unless the bucket owner, the object's ACL, or (for a `default` object ACL) the
/// bucket's ACL lets the requester do `wanted` on the object.
pub(crate) fn require_object(
    bucket: &BucketState,
    object: &StoredObject,
    principal: &Principal,
    wanted: Permission,
) -> Result<(), CosError> {
    let by_bucket = bucket.acl.allows(&bucket.owner_uin, principal, wanted);
    let owner = principal.uin() == Some(bucket.owner_uin.as_str());
    let inherit = object.acl.canned == super::access::Canned::Default;
    if owner || object.acl.allows(&object.owner_uin, principal, wanted) || (inherit && by_bucket) {
        Ok(())
    } else {
        Err(CosError::access_denied())
    }
}

/// Checks `Content-MD5` against the body of any request that sends one; returns the binary MD5
/// it names (with `trust_content_md5`, the value is taken as the body's MD5 without looking).
fn verify_content_md5(inner: &Inner, req: &Incoming) -> Result<Option<[u8; 16]>, CosError> {
    let Some(value) = req.header("content-md5") else {
        return Ok(None);
    };
    let invalid = || CosError::new(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    let bytes = base64::engine::general_purpose::STANDARD.decode(value.trim()).map_err(|_| invalid())?;
    let claimed: [u8; 16] = bytes.as_slice().try_into().map_err(|_| invalid())?;
    if !inner.trust_content_md5 && req.body.md5() != claimed {
        return Err(CosError::new(400, "BadDigest", "The Content-MD5 you specified did not match what was received."));
    }
    Ok(Some(claimed))
}

/// The body of an XML call, bounded.
pub(crate) fn xml_body(ctx: &Ctx<'_>) -> Result<Vec<u8>, CosError> {
    if ctx.req.body.len() > MAX_XML_REQUEST {
        return Err(CosError::malformed_xml(format!("XML bodies are limited to {MAX_XML_REQUEST} bytes.")));
    }
    Ok(ctx.req.body.to_vec())
}

/// The MD5 of the request body and its ETag form (`"hex"`): the checked `Content-MD5` when
/// sent (so the body is hashed once), else computed.
pub(crate) fn body_md5(ctx: &Ctx<'_>) -> ([u8; 16], String) {
    let md5 = ctx.content_md5.unwrap_or_else(|| ctx.req.body.md5());
    (md5, format!("\"{}\"", crate::checksum::hex(&md5)))
}

/// The value of an ETag without quotes or a weak prefix, for comparisons.
pub(crate) fn bare_etag(s: &str) -> &str {
    let s = s.trim();
    let s = s.strip_prefix("W/").unwrap_or(s);
    s.trim_matches('"')
}

/// `If-Match`-style: does the list (or `*`) name this ETag?
pub(crate) fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',').any(|item| {
        let item = item.trim();
        item == "*" || bare_etag(item).eq_ignore_ascii_case(bare_etag(etag))
    })
}

/// A query parameter as a number in `0..=max`, or 400 InvalidArgument.
pub(crate) fn query_number(ctx: &Ctx<'_>, name: &str, default: u64, max: u64) -> Result<u64, CosError> {
    match ctx.req.query(name) {
        None | Some("") => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map(|n| n.min(max))
            .map_err(|_| CosError::invalid_argument(format!("{name} must be a non-negative integer, not {v:?}."))),
    }
}

/// `encoding-type`: `Some(true)` for `url`, an error for anything else.
pub(crate) fn url_encoding(ctx: &Ctx<'_>) -> Result<bool, CosError> {
    match ctx.req.query("encoding-type") {
        None | Some("") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("url") => Ok(true),
        Some(v) => Err(CosError::invalid_argument(format!("Invalid Encoding Method specified in Request: {v:?}."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags() {
        assert!(etag_matches("\"abc\"", "\"ABC\""));
        assert!(etag_matches("W/\"x\", \"abc\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
        assert_eq!(bare_etag(" \"a-2\" "), "a-2");
    }
}
