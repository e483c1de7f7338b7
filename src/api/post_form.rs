//! The presigned POST Object form: the fields a server hands a browser so that it uploads one
//! file with `POST /` (multipart/form-data) straight to a bucket, within a policy the server
//! chose. Pure functions: no request is sent.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest, Sha1};

use crate::auth::{Credentials, sign_key};
use crate::checksum::hex;
use crate::error::{Error, Result};
use crate::json::{self, Json};
use crate::transfer::cleanup::{format_iso8601, parse_iso8601};

/// One condition of a POST policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostCondition {
    /// The form field (name without `$`) must equal the value.
    Eq(String, String),
    /// The form field must start with the prefix.
    StartsWith(String, String),
    /// The file's length must be within `min..=max` bytes.
    ContentLengthRange(u64, u64),
}

impl PostCondition {
    /// `{"field":"value"}`: the field must be exactly `value`.
    pub fn eq(field: impl Into<String>, value: impl Into<String>) -> Self {
        PostCondition::Eq(field.into(), value.into())
    }

    /// `["starts-with","$field","prefix"]`.
    pub fn starts_with(field: impl Into<String>, prefix: impl Into<String>) -> Self {
        PostCondition::StartsWith(field.into(), prefix.into())
    }

    /// `["content-length-range",min,max]`.
    pub fn content_length_range(min: u64, max: u64) -> Self {
        PostCondition::ContentLengthRange(min, max)
    }

    fn check(&self) -> Result<()> {
        match self {
            PostCondition::Eq(f, _) | PostCondition::StartsWith(f, _) if f.is_empty() || f.starts_with('$') => {
                Err(Error::invalid("condition", format!("the field name {f:?} is empty or starts with '$'")))
            }
            PostCondition::ContentLengthRange(min, max) if min > max => {
                Err(Error::invalid("condition", format!("content-length-range {min}..{max} is empty")))
            }
            _ => Ok(()),
        }
    }

    fn write_json(&self, out: &mut String) {
        match self {
            PostCondition::Eq(f, v) => {
                out.push('{');
                json::write_str(f, out);
                out.push(':');
                json::write_str(v, out);
                out.push('}');
            }
            PostCondition::StartsWith(f, p) => {
                out.push_str("[\"starts-with\",");
                json::write_str(&format!("${f}"), out);
                out.push(',');
                json::write_str(p, out);
                out.push(']');
            }
            PostCondition::ContentLengthRange(min, max) => {
                out.push_str(&format!("[\"content-length-range\",{min},{max}]"));
            }
        }
    }
}

/// A POST policy document: when it expires and what the upload must satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostPolicy {
    /// Unix seconds; written as ISO 8601 (`2023-11-14T22:13:20.000Z`).
    pub expiration: u64,
    /// The conditions, in order (the signature's `q-*` ones included).
    pub conditions: Vec<PostCondition>,
}

impl PostPolicy {
    /// The compact JSON text (what is base64-encoded into `policy` and hashed for the signature).
    ///
    /// ```
    /// use tencent_cos::api::{PostCondition, PostPolicy};
    /// let p = PostPolicy { expiration: 0, conditions: vec![PostCondition::eq("q-ak", "A\"K")] };
    /// assert_eq!(p.to_json(), r#"{"expiration":"1970-01-01T00:00:00.000Z","conditions":[{"q-ak":"A\"K"}]}"#);
    /// ```
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"expiration\":");
        json::write_str(&format_iso8601(self.expiration), &mut out);
        out.push_str(",\"conditions\":[");
        for (i, c) in self.conditions.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            c.write_json(&mut out);
        }
        out.push_str("]}");
        out
    }

    /// Reads a policy document (as a browser sends it, after base64 decoding): an exact match
    /// may be `{"f":"v"}` (several pairs allowed) or `["eq","$f","v"]`; numbers may be quoted.
    /// Anything else is an error naming what is wrong; nothing panics.
    ///
    /// ```
    /// use tencent_cos::api::{PostCondition, PostPolicy};
    /// let p = PostPolicy::parse(br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[["eq","$key","a"],["content-length-range","1",9]]}"#)?;
    /// assert_eq!(p.expiration, 1_700_000_000);
    /// assert_eq!(p.conditions, [PostCondition::eq("key", "a"), PostCondition::content_length_range(1, 9)]);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn parse(json: &[u8]) -> Result<PostPolicy> {
        let bad = |why: &str| Error::invalid("policy", why.to_owned());
        let text = std::str::from_utf8(json).map_err(|_| bad("is not UTF-8"))?;
        let value = json::parse_document(text).map_err(|e| bad(&e))?;
        let Json::Object(root) = value else { return Err(bad("is not a JSON object")) };
        let mut expiration = None;
        let mut conditions = Vec::new();
        for (name, v) in root {
            match (name.as_str(), v) {
                ("expiration", Json::Str(s)) => {
                    expiration = Some(parse_iso8601(&s).ok_or_else(|| bad("its expiration is not an ISO 8601 date"))?);
                }
                ("conditions", Json::Array(items)) => {
                    for item in items {
                        read_condition(item, &mut conditions).map_err(|e| bad(&e))?;
                    }
                }
                ("expiration" | "conditions", _) => return Err(bad("expiration or conditions has the wrong type")),
                _ => {}
            }
        }
        Ok(PostPolicy { expiration: expiration.ok_or_else(|| bad("has no expiration"))?, conditions })
    }
}

fn read_condition(item: Json, out: &mut Vec<PostCondition>) -> std::result::Result<(), String> {
    let text = |v: &Json| match v {
        Json::Str(s) | Json::Number(s) => Some(s.clone()),
        _ => None,
    };
    match item {
        Json::Object(pairs) => {
            for (f, v) in pairs {
                let v = text(&v).ok_or_else(|| format!("the value of {f:?} is not a string"))?;
                out.push(PostCondition::Eq(f.trim_start_matches('$').to_owned(), v));
            }
            Ok(())
        }
        Json::Array(parts) => {
            let parts: Vec<Option<String>> = parts.iter().map(text).collect();
            match parts.as_slice() {
                [Some(op), Some(min), Some(max)] if op.eq_ignore_ascii_case("content-length-range") => {
                    let n = |s: &str| s.trim().parse::<u64>().map_err(|_| format!("{s:?} is not a length"));
                    out.push(PostCondition::ContentLengthRange(n(min)?, n(max)?));
                    Ok(())
                }
                [Some(op), Some(field), Some(v)] if field.starts_with('$') => {
                    let field = field[1..].to_owned();
                    if op.eq_ignore_ascii_case("eq") {
                        out.push(PostCondition::Eq(field, v.clone()));
                    } else if op.eq_ignore_ascii_case("starts-with") {
                        out.push(PostCondition::StartsWith(field, v.clone()));
                    } else {
                        return Err(format!("the condition operator {op:?} is not eq or starts-with"));
                    }
                    Ok(())
                }
                _ => Err("a condition array is not [op, \"$field\", value]".to_owned()),
            }
        }
        _ => Err("a condition is neither an object nor an array".to_owned()),
    }
}

/// The builder of a POST Object form. See the module documentation.
#[derive(Clone, Debug)]
pub struct PostObjectForm {
    bucket: String,
    region: String,
    key: String,
    key_time: Option<(u64, u64)>,
    expiration: Option<u64>,
    conditions: Vec<PostCondition>,
    fields: Vec<(String, String)>,
    url: Option<String>,
}

impl PostObjectForm {
    /// A form for uploading to `key` (it may hold `${filename}`, replaced by the file's name) in
    /// `bucket` (`name-appid`) of `region`. The key time defaults to one hour from now.
    pub fn new(bucket: impl Into<String>, region: impl Into<String>, key: impl Into<String>) -> Self {
        PostObjectForm {
            bucket: bucket.into(),
            region: region.into(),
            key: key.into(),
            key_time: None,
            expiration: None,
            conditions: Vec::new(),
            fields: Vec::new(),
            url: None,
        }
    }

    /// The signature's validity `start..=end` (Unix seconds), `q-key-time`.
    pub fn key_time(mut self, start: u64, end: u64) -> Self {
        self.key_time = Some((start, end));
        self
    }

    /// The policy's expiration (Unix seconds); the key time's end by default.
    pub fn expiration(mut self, secs: u64) -> Self {
        self.expiration = Some(secs);
        self
    }

    /// Adds a policy condition.
    pub fn condition(mut self, condition: PostCondition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Adds a form field sent as it is (`Content-Type`, `x-cos-meta-*`, `success_action_status`,
    /// `success_action_redirect`, `x-cos-acl`, `Cache-Control`, ...), after the signature fields.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// Posts to this URL instead of `https://{bucket}.cos.{region}.myqcloud.com/` (an emulator, a
    /// custom domain).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The signed form. Bad input (bucket, region, empty key, a key time or range backwards, a
    /// field named `file` or a signature field) is refused, naming the field.
    pub fn sign(&self, credentials: &Credentials) -> Result<PostForm> {
        crate::config::validate_bucket(&self.bucket)?;
        crate::config::validate_region(&self.region)?;
        if self.key.is_empty() {
            return Err(Error::invalid("key", "is empty"));
        }
        let (start, end) = match self.key_time {
            Some(t) => t,
            None => {
                let now = crate::auth::unix_now();
                (now, now + 3600)
            }
        };
        if start > end {
            return Err(Error::invalid("key_time", format!("starts at {start}, after its end {end}")));
        }
        for c in &self.conditions {
            c.check()?;
        }
        for (name, _) in &self.fields {
            let reserved = ["key", "file", "policy", "q-sign-algorithm", "q-ak", "q-key-time", "q-signature"];
            if name.is_empty() || reserved.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(Error::invalid("field", format!("{name:?} is empty or set by the form itself")));
            }
        }
        let key_time = format!("{start};{end}");
        let mut conditions = self.conditions.clone();
        conditions.push(PostCondition::eq("q-sign-algorithm", "sha1"));
        conditions.push(PostCondition::eq("q-ak", credentials.secret_id()));
        conditions.push(PostCondition::eq("q-sign-time", key_time.clone()));
        let policy = PostPolicy { expiration: self.expiration.unwrap_or(end), conditions };
        let policy_json = policy.to_json();
        let signature = post_signature(credentials.secret_key(), &key_time, policy_json.as_bytes());
        let mut fields = vec![
            ("key".to_owned(), self.key.clone()),
            ("policy".to_owned(), STANDARD.encode(&policy_json)),
            ("q-sign-algorithm".to_owned(), "sha1".to_owned()),
            ("q-ak".to_owned(), credentials.secret_id().to_owned()),
            ("q-key-time".to_owned(), key_time),
            ("q-signature".to_owned(), signature),
        ];
        if let Some(token) = credentials.security_token() {
            fields.push(("x-cos-security-token".to_owned(), token.to_owned()));
        }
        fields.extend(self.fields.iter().cloned());
        let url =
            self.url.clone().unwrap_or_else(|| format!("https://{}.cos.{}.myqcloud.com/", self.bucket, self.region));
        Ok(PostForm { url, fields, policy_json })
    }
}

/// `q-signature` of a POST policy: hex HMAC-SHA1(SignKey, hex SHA1(policy JSON)), SignKey =
/// hex HMAC-SHA1(SecretKey, KeyTime).
///
/// ```
/// let s = tencent_cos::api::post_signature("secret", "1;2", b"{}");
/// assert_eq!(s.len(), 40);
/// ```
pub fn post_signature(secret_key: &str, key_time: &str, policy_json: &[u8]) -> String {
    let sign_key = sign_key(secret_key, key_time);
    let string_to_sign = hex(Sha1::digest(policy_json).as_slice());
    let signature = crate::auth::hmac_sha1_hex(sign_key.as_bytes(), string_to_sign.as_bytes());
    String::from_utf8_lossy(&signature).into_owned()
}

/// A signed POST Object form: where to post, and the fields in order (the file goes last).
/// Its `Debug` hides the signature and token.
#[derive(Clone, PartialEq, Eq)]
pub struct PostForm {
    /// The URL to post to.
    pub url: String,
    /// The form fields, in order: `key`, `policy`, `q-sign-algorithm`, `q-ak`, `q-key-time`,
    /// `q-signature`, `x-cos-security-token` (temporary keys), then the caller's fields.
    pub fields: Vec<(String, String)>,
    /// The policy document as signed (the `policy` field is its base64).
    pub policy_json: String,
}

impl std::fmt::Debug for PostForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(n, v)| match n.as_str() {
                "q-signature" | "x-cos-security-token" => (n.as_str(), "<redacted>"),
                _ => (n.as_str(), v.as_str()),
            })
            .collect();
        f.debug_struct("PostForm").field("url", &self.url).field("fields", &shown).finish()
    }
}

impl PostForm {
    /// The first value of a field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A multipart/form-data body of the fields and then the file (as a browser sends it), and
    /// its `Content-Type` header value. For tests and non-browser uploaders.
    ///
    /// ```
    /// use tencent_cos::api::PostForm;
    /// let form = PostForm { url: "u".into(), fields: vec![("key".into(), "a.txt".into())], policy_json: String::new() };
    /// let (content_type, body) = form.to_multipart("a.txt", "text/plain", b"hi");
    /// let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
    /// assert_eq!(
    ///     body,
    ///     format!("--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na.txt\r\n\
    ///              --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
    ///              Content-Type: text/plain\r\n\r\nhi\r\n--{boundary}--\r\n").into_bytes()
    /// );
    /// ```
    pub fn to_multipart(&self, file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
        let boundary = boundary_for(&self.fields, bytes);
        let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"").replace(['\r', '\n'], " ");
        let mut body = Vec::with_capacity(bytes.len() + 512);
        for (name, value) in &self.fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n", quote(name)).as_bytes(),
            );
            body.extend_from_slice(value.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                quote(file_name),
                quote(content_type)
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

/// A boundary found in none of the parts: `----CosFormBoundary` plus the first counter that
/// does not occur.
fn boundary_for(fields: &[(String, String)], bytes: &[u8]) -> String {
    let occurs = |b: &str| {
        bytes.windows(b.len()).any(|w| w == b.as_bytes()) || fields.iter().any(|(n, v)| n.contains(b) || v.contains(b))
    };
    (0u64..)
        .map(|n| format!("----CosFormBoundary{n:016x}"))
        .find(|b| !occurs(b))
        .unwrap_or_else(|| unreachable!("some counter is absent from a finite body"))
}
