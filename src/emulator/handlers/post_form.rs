//! POST Object: a browser's multipart/form-data upload to `POST /` of a bucket, signed by a
//! policy (see `src/api/post_form.rs` for the algorithm). The form's fields become the PUT
//! Object request they stand for (Content-Type, Cache-Control, `x-cos-*`, `acl`), stored by
//! [`object::put_object`](super::object::put_object) itself, so metadata, ACL, SSE, storage class
//! and versions behave as for PUT.
//!
//! | Case | Answer |
//! |---|---|
//! | not multipart/form-data, no boundary, broken parts, a field not UTF-8 | 400 MalformedPOSTRequest |
//! | no `file` part / no `key` field (or an empty key) | 400 InvalidArgument |
//! | `policy` not base64 JSON of the right shape | 400 InvalidPolicyDocument |
//! | unknown `q-ak` | 403 InvalidAccessKeyId |
//! | bad `q-signature`, `q-sign-algorithm` not sha1, outside `q-key-time`, policy expired, a condition failed, the policy lacks its `q-*` conditions, a temporary key's token missing or wrong | 403 AccessDenied |
//! | no `policy` nor `q-signature` | anonymous: the bucket's ACL decides, as for PUT |
//! | stored | 204; `success_action_status` 200 or 201 (`<PostResponse>`); `success_action_redirect`: 303 with `Location: url?bucket=&key=&etag=` |
//!
//! Fields after the `file` part are ignored. Unlike S3, fields the policy does not name are not
//! refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::api::{PostCondition, PostPolicy, post_signature};
use crate::encode_component;
use crate::http::{Headers, Method};

use super::super::access::Principal;
use super::super::auth_check::{constant_time_eq, constant_time_eq_ignore_case};
use super::super::content::Content;
use super::super::request::Incoming;
use super::super::response::{CosError, Outgoing};
use super::super::xml_out::Xml;
use super::{Ctx, object};

/// One part of a form.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    pub(crate) name: String,
    pub(crate) filename: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) data: &'a [u8],
}

/// The `boundary` of a `multipart/form-data` Content-Type.
pub(crate) fn boundary_of(content_type: &str) -> Option<String> {
    let mut params = split_params(content_type).into_iter();
    let kind = params.next()?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .find_map(|p| {
            let (n, v) = p.split_once('=')?;
            n.trim().eq_ignore_ascii_case("boundary").then(|| unquote(v.trim()))
        })
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

/// Splits `a; b="x;y"; c` at the `;` outside quotes.
fn split_params(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        match c {
            _ if escaped => {
                cur.push(c);
                escaped = false;
            }
            '\\' if quoted => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                cur.push(c);
                quoted = !quoted;
            }
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// `"a\"b"` -> `a"b`; a bare token as it is.
fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
            }
            out
        }
        None => v.to_owned(),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The parts of a multipart body, up to and including the part named `file` (later parts are
/// ignored, as COS ignores fields after the file). `Err` for anything malformed; never panics.
pub(crate) fn parse_form<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, &'static str> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = if body.starts_with(delimiter.as_bytes()) {
        0
    } else {
        find(body, next_delimiter.as_bytes()).ok_or("no boundary")? + 2
    };
    let mut parts = Vec::new();
    loop {
        let mut at = pos + delimiter.len();
        let rest = body.get(at..).ok_or("cut short")?;
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then CRLF.
        while body.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
            at += 1;
        }
        if !body.get(at..).is_some_and(|r| r.starts_with(b"\r\n")) {
            return Err("a boundary line does not end with CRLF");
        }
        at += 2;
        let head_len = find(&body[at..], b"\r\n\r\n").ok_or("a part has no end of headers")?;
        let head = std::str::from_utf8(&body[at..at + head_len]).map_err(|_| "part headers are not UTF-8")?;
        let data_start = at + head_len + 4;
        let data_len = find(&body[data_start..], next_delimiter.as_bytes()).ok_or("a part is not closed")?;
        let data = &body[data_start..data_start + data_len];
        pos = data_start + data_len + 2;
        let mut name = None;
        let (mut filename, mut content_type) = (None, None);
        for line in head.split("\r\n") {
            let Some((h, v)) = line.split_once(':') else { return Err("a part header has no colon") };
            if h.trim().eq_ignore_ascii_case("content-disposition") {
                let mut params = split_params(v).into_iter();
                if !params.next().is_some_and(|k| k.trim().eq_ignore_ascii_case("form-data")) {
                    return Err("a part is not form-data");
                }
                for p in params {
                    let Some((n, v)) = p.split_once('=') else { continue };
                    match n.trim().to_ascii_lowercase().as_str() {
                        "name" => name = Some(unquote(v.trim())),
                        "filename" => filename = Some(unquote(v.trim())),
                        _ => {}
                    }
                }
            } else if h.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_owned());
            }
        }
        let name = name.ok_or("a part has no name")?;
        let is_file = name.eq_ignore_ascii_case("file");
        parts.push(Part { name, filename, content_type, data });
        if is_file {
            return Ok(parts);
        }
    }
}

fn malformed() -> CosError {
    CosError::new(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
}

fn denied(message: impl Into<String>) -> CosError {
    CosError::new(403, "AccessDenied", message)
}

/// The form's text fields (before the file), and the file.
struct Form<'a> {
    fields: Vec<(String, String)>,
    file: Part<'a>,
}

impl Form<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn read_form<'a>(ctx: &Ctx<'_>, body: &'a [u8]) -> Result<Form<'a>, CosError> {
    let boundary = ctx.req.header("content-type").and_then(boundary_of).ok_or_else(malformed)?;
    let mut parts = parse_form(body, &boundary).map_err(|_| malformed())?;
    let file = match parts.last() {
        Some(p) if p.name.eq_ignore_ascii_case("file") => parts.pop(),
        _ => None,
    }
    .ok_or_else(|| CosError::invalid_argument("POST requires exactly one file upload per request."))?;
    let fields = parts
        .into_iter()
        .map(|p| String::from_utf8(p.data.to_vec()).map(|v| (p.name, v)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| malformed())?;
    Ok(Form { fields, file })
}

/// POST Object on `bucket`.
pub(crate) fn post_object(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let body = ctx.req.body.to_vec();
    let form = read_form(ctx, &body)?;
    let template =
        form.get("key").ok_or_else(|| CosError::invalid_argument("Bucket POST must contain a field named 'key'."))?;
    let filename = form.file.filename.as_deref().unwrap_or("");
    let key = template.replace("${filename}", filename);
    if key.is_empty() {
        return Err(CosError::invalid_argument("The key of a POST Object is empty."));
    }
    let principal = match (form.get("policy"), form.get("q-signature")) {
        (None, None) => ctx.principal.clone(),
        _ => check_policy(ctx, &form, bucket, &key)?,
    };
    let put = Incoming {
        method: Method::Put,
        host: ctx.req.host.clone(),
        raw_path: ctx.req.raw_path.clone(),
        query: Vec::new(),
        raw_query: String::new(),
        headers: put_headers(&form),
        body: Content::from_vec(form.file.data.to_vec()),
    };
    let put_ctx = Ctx { inner: ctx.inner, req: &put, principal, now: ctx.now, region: ctx.region, content_md5: None };
    let mut out = object::put_object(&put_ctx, bucket, &key)?;
    let etag = out.headers.get("ETag").unwrap_or_default().to_owned();
    if let Some(url) = form.get("success_action_redirect").filter(|u| !u.is_empty()) {
        let sep = if url.contains('?') { '&' } else { '?' };
        let location = format!(
            "{url}{sep}bucket={}&key={}&etag={}",
            encode_component(bucket),
            encode_component(&key),
            encode_component(&etag)
        );
        out.status = 303;
        out.headers.append("Location", location);
        return Ok(out);
    }
    match form.get("success_action_status").map(str::trim) {
        Some("200") => out.status = 200,
        Some("201") => {
            let base = ctx.req.raw_path.trim_end_matches('/');
            let mut x = Xml::new();
            x.open("PostResponse");
            x.leaf("Location", &format!("http://{}{base}/{}", ctx.req.host, crate::encode_key(&key)));
            x.leaf("Bucket", bucket);
            x.leaf("Key", &key);
            x.leaf("ETag", &etag);
            x.close("PostResponse");
            out.status = 201;
            out.headers.insert("Content-Type", "application/xml");
            out.body = Content::from_vec(x.finish());
        }
        _ => out.status = 204,
    }
    Ok(out)
}

/// The headers of the PUT Object a form stands for: the object headers and `x-cos-*` fields
/// (not the token), and `acl` as `x-cos-acl`.
fn put_headers(form: &Form<'_>) -> Headers {
    const OBJECT_HEADERS: &[&str] =
        &["content-type", "cache-control", "content-disposition", "content-encoding", "content-language", "expires"];
    let mut headers = Headers::new();
    for (name, value) in &form.fields {
        let lower = name.to_ascii_lowercase();
        if OBJECT_HEADERS.contains(&lower.as_str()) || (lower.starts_with("x-cos-") && lower != "x-cos-security-token")
        {
            headers.append(name.clone(), value.clone());
        } else if lower == "acl" && form.get("x-cos-acl").is_none() {
            headers.append("x-cos-acl", value.clone());
        }
    }
    headers
}

/// Verifies the signature, the key time, the token, the policy's expiration and conditions;
/// returns who signed.
fn check_policy(ctx: &Ctx<'_>, form: &Form<'_>, bucket: &str, key: &str) -> Result<Principal, CosError> {
    let bad_policy = || CosError::new(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
    let policy_b64 = form.get("policy").ok_or_else(|| denied("The form has a q-signature but no policy."))?;
    let policy_json = STANDARD.decode(policy_b64.trim()).map_err(|_| bad_policy())?;
    let policy = PostPolicy::parse(&policy_json).map_err(|_| bad_policy())?;
    let field = |name: &str| form.get(name).ok_or_else(|| denied(format!("The form has no {name} field.")));
    if !field("q-sign-algorithm")?.eq_ignore_ascii_case("sha1") {
        return Err(denied("q-sign-algorithm must be sha1."));
    }
    let ak = field("q-ak")?;
    let key_time = field("q-key-time")?;
    let signature = field("q-signature")?;
    let info = ctx.inner.lookup_key(ak).ok_or_else(|| {
        CosError::new(403, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")
    })?;
    let expected = post_signature(&info.secret_key, key_time, &policy_json);
    if !constant_time_eq_ignore_case(&expected, signature) {
        return Err(denied("The request signature we calculated does not match the signature you provided."));
    }
    let (start, end) = key_time
        .split_once(';')
        .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
        .ok_or_else(|| denied("q-key-time is not start;end."))?;
    if ctx.now < start || ctx.now > end {
        return Err(denied("Request has expired"));
    }
    if let Some(token) = &info.token {
        match form.get("x-cos-security-token") {
            Some(t) if constant_time_eq(t.as_bytes(), token.value.as_bytes()) && ctx.now <= token.expires_at => {}
            _ => return Err(denied("A temporary key needs its valid x-cos-security-token.")),
        }
    }
    if ctx.now > policy.expiration {
        return Err(denied("Invalid according to Policy: Policy expired."));
    }
    for (name, wanted) in [("q-sign-algorithm", "sha1"), ("q-ak", ak), ("q-sign-time", key_time)] {
        if !policy
            .conditions
            .iter()
            .any(|c| matches!(c, PostCondition::Eq(f, v) if f.eq_ignore_ascii_case(name) && v == wanted))
        {
            return Err(denied(format!(
                "Invalid according to Policy: the policy has no condition {{\"{name}\":...}} matching the form."
            )));
        }
    }
    let value = |f: &str| -> String {
        match f.to_ascii_lowercase().as_str() {
            "key" => key.to_owned(),
            "bucket" => bucket.to_owned(),
            "q-sign-time" => key_time.to_owned(),
            "acl" => form.get("x-cos-acl").or(form.get("acl")).unwrap_or("").to_owned(),
            _ => form.get(f).unwrap_or("").to_owned(),
        }
    };
    for c in &policy.conditions {
        let (ok, shown) = match c {
            PostCondition::Eq(f, v) => (value(f) == *v, format!("[\"eq\", \"${f}\", \"{v}\"]")),
            PostCondition::StartsWith(f, p) => {
                (value(f).starts_with(p.as_str()), format!("[\"starts-with\", \"${f}\", \"{p}\"]"))
            }
            PostCondition::ContentLengthRange(min, max) => (
                (*min..=*max).contains(&(form.file.data.len() as u64)),
                format!("[\"content-length-range\", {min}, {max}]"),
            ),
        };
        if !ok {
            return Err(denied(format!("Invalid according to Policy: Policy Condition failed: {shown}")));
        }
    }
    Ok(info.principal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_form() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na;b\r\n\
                     --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x \\\"y\\\".txt\"\r\n\
                     Content-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Disposition: form-data; name=\"late\"\r\n\r\nz\r\n--b--\r\n";
        let parts = parse_form(body, "b").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data), ("key", b"a;b".as_slice()));
        assert_eq!(parts[1].filename.as_deref(), Some("x \"y\".txt"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[1].data, b"hi");
        assert_eq!(boundary_of("multipart/form-data; boundary=\"a;b\""), Some("a;b".to_owned()));
        assert_eq!(boundary_of("text/plain; boundary=x"), None);
        assert!(parse_form(b"--b\r\nno colon\r\n\r\nx\r\n--b--", "b").is_err());
        assert!(parse_form(b"--b", "b").is_err());
        assert!(parse_form(b"", "b").is_err());
    }
}
