//! The COS request signature (`q-sign-algorithm=sha1`), as pure functions.
//!
//! `HttpString = method\npath\nparams\nheaders\n`,
//! `StringToSign = sha1\nKeyTime\nsha1hex(HttpString)\n`,
//! `SignKey = hmac_sha1_hex(SecretKey, KeyTime)`,
//! `Signature = hmac_sha1_hex(SignKey, StringToSign)`.
//! Names are percent-encoded then lower-cased and sorted by that form; values are encoded and
//! never trimmed.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};

use crate::percent::encode_into;

/// Headers the official SDKs sign besides every `x-cos-*` and `x-ci-*` header (lower case).
pub const SIGNED_HEADER_ALLOW_LIST: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-length",
    "content-md5",
    "content-type",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "range",
    "transfer-encoding",
    "pic-operations",
];

/// True when the official SDKs sign a header of this name (any case).
///
/// ```
/// use tencent_cos::auth::is_signed_header;
/// assert!(is_signed_header("X-Cos-Meta-Author"));
/// assert!(is_signed_header("Content-MD5"));
/// assert!(!is_signed_header("User-Agent"));
/// assert!(!is_signed_header("Date"));
/// ```
pub fn is_signed_header(name: &str) -> bool {
    let starts = |prefix: &str| {
        name.len() >= prefix.len() && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    starts("x-cos-") || starts("x-ci-") || SIGNED_HEADER_ALLOW_LIST.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// The validity window of a signature (`q-key-time`), in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyTime {
    /// An explicit window `start;end`.
    Window {
        /// First second the signature is valid.
        start: u64,
        /// Last second the signature is valid.
        end: u64,
    },
    /// Valid from one second ago for this many seconds, as the official SDKs do.
    Expires(u64),
}

impl Default for KeyTime {
    fn default() -> Self {
        KeyTime::Expires(900)
    }
}

impl KeyTime {
    /// Resolves to `(start, end)`; `now` is the current Unix time in seconds.
    ///
    /// `Expires(n)` gives `(now - 1, now - 1 + n)`, matching the node SDK.
    ///
    /// ```
    /// use tencent_cos::KeyTime;
    /// assert_eq!(KeyTime::Expires(900).window_at(1_700_000_000), (1_699_999_999, 1_700_000_899));
    /// assert_eq!(KeyTime::Window { start: 5, end: 9 }.window_at(0), (5, 9));
    /// ```
    pub fn window_at(self, now: u64) -> (u64, u64) {
        match self {
            KeyTime::Window { start, end } => (start, end),
            KeyTime::Expires(secs) => {
                let start = now.saturating_sub(1);
                (start, start.saturating_add(secs))
            }
        }
    }

    /// Resolves against the system clock.
    pub fn window(self) -> (u64, u64) {
        self.window_at(unix_now())
    }
}

/// Seconds since the Unix epoch by the system clock.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Input of [`get_authorization`], mirroring the JS SDK's static `COS.getAuthorization`.
#[derive(Clone, Default)]
pub struct AuthorizationParams<'a> {
    /// SecretId (or TmpSecretId).
    pub secret_id: &'a str,
    /// SecretKey (or TmpSecretKey). Never shown by `Debug`.
    pub secret_key: &'a str,
    /// HTTP method, any case.
    pub method: &'a str,
    /// The raw object key; `""` for bucket-level calls.
    pub key: &'a str,
    /// Every query parameter of the request (all are signed).
    pub query: &'a [(&'a str, &'a str)],
    /// Request headers; [`get_authorization`] signs those [`is_signed_header`] accepts.
    pub headers: &'a [(&'a str, &'a str)],
    /// Validity window.
    pub key_time: KeyTime,
}

impl fmt::Debug for AuthorizationParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationParams")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("method", &self.method)
            .field("key", &self.key)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("key_time", &self.key_time)
            .finish()
    }
}

/// Computes the `Authorization` value for a request, as `COS.getAuthorization` does.
///
/// Signs the allow-listed headers plus every `x-cos-*` / `x-ci-*` header, and all query
/// parameters.
///
/// ```
/// use tencent_cos::{get_authorization, AuthorizationParams, KeyTime};
///
/// let auth = get_authorization(&AuthorizationParams {
///     secret_id: "AKIDEXAMPLE",
///     secret_key: "secret",
///     method: "GET",
///     key: "folder/photo 1.jpg",
///     query: &[("response-content-type", "image/jpeg")],
///     headers: &[("Host", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"), ("User-Agent", "x")],
///     key_time: KeyTime::Window { start: 1_700_000_000, end: 1_700_000_900 },
/// });
/// assert!(auth.starts_with("q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1700000000;1700000900"));
/// assert!(auth.contains("&q-header-list=host&q-url-param-list=response-content-type&"));
/// ```
pub fn get_authorization(params: &AuthorizationParams<'_>) -> String {
    let headers = params.headers.iter().copied().filter(|(name, _)| is_signed_header(name));
    let (start, end) = params.key_time.window();
    sign_parts(
        params.secret_id,
        params.secret_key,
        params.method,
        &signing_path(params.key),
        params.query.iter().copied(),
        headers,
        start,
        end,
    )
}

/// Like [`get_authorization`] but signs exactly the headers it is handed, `Date` included.
///
/// This is Tencent's documented algorithm with no allow-list; it reproduces the worked examples
/// of the "Request Signature" page.
///
/// ```
/// use tencent_cos::auth::sign_all_headers;
/// use tencent_cos::{AuthorizationParams, KeyTime};
///
/// let auth = sign_all_headers(&AuthorizationParams {
///     secret_id: "AKIDEXAMPLE",
///     secret_key: "secret",
///     method: "get",
///     key: "a.txt",
///     headers: &[("Date", "Thu, 16 May 2019 06:55:53 GMT")],
///     key_time: KeyTime::Window { start: 1, end: 2 },
///     ..Default::default()
/// });
/// assert!(auth.contains("&q-header-list=date&"));
/// ```
pub fn sign_all_headers(params: &AuthorizationParams<'_>) -> String {
    let (start, end) = params.key_time.window();
    sign_parts(
        params.secret_id,
        params.secret_key,
        params.method,
        &signing_path(params.key),
        params.query.iter().copied(),
        params.headers.iter().copied(),
        start,
        end,
    )
}

/// The path that is signed: the raw key with `/` prepended unless it already starts with one.
pub fn signing_path(key: &str) -> String {
    if key.starts_with('/') {
        key.to_owned()
    } else {
        let mut p = String::with_capacity(key.len() + 1);
        p.push('/');
        p.push_str(key);
        p
    }
}

/// Encoded, lower-cased name; encoded value.
struct Pair {
    name: String,
    value: String,
}

fn encode_pairs<'a>(items: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = items
        .map(|(n, v)| {
            let mut name = String::with_capacity(n.len() + 4);
            encode_into(&mut name, n, false);
            name.make_ascii_lowercase();
            let mut value = String::with_capacity(v.len() + 8);
            encode_into(&mut value, v, false);
            Pair { name, value }
        })
        .collect();
    // Stable: equal names keep their order, as the node SDK keeps both.
    pairs.sort_by(|a, b| a.name.cmp(&b.name));
    pairs
}

fn join_pairs(pairs: &[Pair], out: &mut String) {
    for (i, p) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&p.name);
        out.push('=');
        out.push_str(&p.value);
    }
}

fn join_names(pairs: &[Pair], out: &mut String) {
    for (i, p) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(&p.name);
    }
}

/// The HttpString (`method\npath\nparams\nheaders\n`) for exactly these parameters and headers.
///
/// ```
/// let s = tencent_cos::auth::http_string("PUT", "/a b", [("acl", "")].into_iter(), [("Host", "h")].into_iter());
/// assert_eq!(s, "put\n/a b\nacl=\nhost=h\n");
/// ```
pub fn http_string<'a>(
    method: &str,
    path: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let params = encode_pairs(query);
    let headers = encode_pairs(headers);
    build_http_string(method, path, &params, &headers)
}

fn build_http_string(method: &str, path: &str, params: &[Pair], headers: &[Pair]) -> String {
    let mut s = String::with_capacity(64 + path.len() + 64 * (params.len() + headers.len()));
    s.push_str(method);
    s.make_ascii_lowercase();
    s.push('\n');
    s.push_str(path);
    s.push('\n');
    join_pairs(params, &mut s);
    s.push('\n');
    join_pairs(headers, &mut s);
    s.push('\n');
    s
}

fn hex_into(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
}

fn hmac_sha1_hex(key: &[u8], msg: &[u8]) -> String {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(msg);
    let mut out = String::with_capacity(40);
    hex_into(&mac.finalize().into_bytes(), &mut out);
    out
}

/// `SignKey = hmac_sha1_hex(SecretKey, "start;end")`.
pub fn sign_key(secret_key: &str, key_time: &str) -> String {
    hmac_sha1_hex(secret_key.as_bytes(), key_time.as_bytes())
}

/// Signs a request from its parts. `path` is the decoded path as signed (see [`signing_path`]);
/// every header given is signed. The result is the full `Authorization` value.
#[allow(clippy::too_many_arguments)]
pub fn sign_parts<'a>(
    secret_id: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    start: u64,
    end: u64,
) -> String {
    let params = encode_pairs(query);
    let headers = encode_pairs(headers);
    let http_string = build_http_string(method, path, &params, &headers);
    let key_time = format!("{start};{end}");

    let mut string_to_sign = String::with_capacity(80);
    string_to_sign.push_str("sha1\n");
    string_to_sign.push_str(&key_time);
    string_to_sign.push('\n');
    hex_into(&Sha1::digest(http_string.as_bytes()), &mut string_to_sign);
    string_to_sign.push('\n');

    let sign_key = sign_key(secret_key, &key_time);
    let signature = hmac_sha1_hex(sign_key.as_bytes(), string_to_sign.as_bytes());

    let mut auth = String::with_capacity(200 + secret_id.len());
    auth.push_str("q-sign-algorithm=sha1&q-ak=");
    auth.push_str(secret_id);
    auth.push_str("&q-sign-time=");
    auth.push_str(&key_time);
    auth.push_str("&q-key-time=");
    auth.push_str(&key_time);
    auth.push_str("&q-header-list=");
    join_names(&headers, &mut auth);
    auth.push_str("&q-url-param-list=");
    join_names(&params, &mut auth);
    auth.push_str("&q-signature=");
    auth.push_str(&signature);
    auth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_time_expires_is_now_minus_one() {
        assert_eq!(KeyTime::default(), KeyTime::Expires(900));
        assert_eq!(KeyTime::Expires(60).window_at(100), (99, 159));
        assert_eq!(KeyTime::Expires(60).window_at(0), (0, 60));
    }

    #[test]
    fn debug_redacts_secret_key() {
        let p = AuthorizationParams { secret_id: "id", secret_key: "TOPSECRET-xyz", ..Default::default() };
        let s = format!("{p:?}");
        assert!(!s.contains("TOPSECRET-xyz"), "{s}");
        assert!(s.contains("<redacted>"));
    }

    #[test]
    fn signing_path_prepends_one_slash() {
        assert_eq!(signing_path(""), "/");
        assert_eq!(signing_path("a"), "/a");
        assert_eq!(signing_path("/a"), "/a");
        assert_eq!(signing_path("//a"), "//a");
    }
}
