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
/// use tencent_cos::unversioned::signing::is_signed_header;
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
            .field("query", &crate::http::RedactedPairs(self.query))
            .field("headers", &crate::http::RedactedPairs(self.headers))
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
/// use tencent_cos::unversioned::signing::sign_all_headers;
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

/// Names and values percent-encoded into one buffer (names lower-cased), with the spans of each
/// pair sorted by encoded name. One buffer instead of two strings per pair: signing is on every
/// request's path, and allocation was most of its cost.
struct Encoded {
    buf: String,
    /// `[name_start, name_end (= value_start), value_end]`
    spans: Vec<[usize; 3]>,
}

impl Encoded {
    fn new<'a>(items: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut buf = String::with_capacity(256);
        let mut spans = Vec::with_capacity(8);
        for (n, v) in items {
            let ns = buf.len();
            encode_into(&mut buf, n, false);
            // Only ASCII was written: lower-casing it in place keeps the buffer valid UTF-8.
            let ne = buf.len();
            buf[ns..ne].make_ascii_lowercase();
            encode_into(&mut buf, v, false);
            spans.push([ns, ne, buf.len()]);
        }
        // Stable: equal names keep their order, as the node SDK keeps both.
        spans.sort_by(|a, b| buf[a[0]..a[1]].cmp(&buf[b[0]..b[1]]));
        Encoded { buf, spans }
    }

    fn name(&self, span: &[usize; 3]) -> &str {
        &self.buf[span[0]..span[1]]
    }

    fn value(&self, span: &[usize; 3]) -> &str {
        &self.buf[span[1]..span[2]]
    }

    /// `name=value&name=value`, piece by piece.
    fn write_pairs(&self, mut out: impl FnMut(&str)) {
        for (i, span) in self.spans.iter().enumerate() {
            if i > 0 {
                out("&");
            }
            out(self.name(span));
            out("=");
            out(self.value(span));
        }
    }

    /// `name;name`.
    fn write_names(&self, out: &mut String) {
        for (i, span) in self.spans.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(self.name(span));
        }
    }
}

/// Feeds `method\npath\nparams\nheaders\n` to `out`, method lower-cased.
fn write_http_string(method: &str, path: &str, params: &Encoded, headers: &Encoded, mut out: impl FnMut(&str)) {
    let mut lower = [0u8; 16];
    if method.len() <= lower.len() && method.is_ascii() {
        lower[..method.len()].copy_from_slice(method.as_bytes());
        lower[..method.len()].make_ascii_lowercase();
        out(std::str::from_utf8(&lower[..method.len()]).unwrap_or(method));
    } else {
        out(&method.to_lowercase());
    }
    out("\n");
    out(path);
    out("\n");
    params.write_pairs(&mut out);
    out("\n");
    headers.write_pairs(&mut out);
    out("\n");
}

/// The HttpString (`method\npath\nparams\nheaders\n`) for exactly these parameters and headers.
///
/// ```
/// let s = tencent_cos::unversioned::signing::http_string("PUT", "/a b", [("acl", "")].into_iter(), [("Host", "h")].into_iter());
/// assert_eq!(s, "put\n/a b\nacl=\nhost=h\n");
/// ```
pub fn http_string<'a>(
    method: &str,
    path: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let (params, headers) = (Encoded::new(query), Encoded::new(headers));
    let mut s = String::new();
    write_http_string(method, path, &params, &headers, |piece| s.push_str(piece));
    s
}

fn hex_into(bytes: &[u8], out: &mut [u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, &b) in bytes.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 0xf) as usize];
    }
}

/// Lower-case hex of an HMAC-SHA1, on the stack.
pub(crate) fn hmac_sha1_hex(key: &[u8], msg: &[u8]) -> [u8; 40] {
    finish_hex(keyed(key), msg)
}

/// The raw HMAC-SHA1 (the v4 signature's MAC). Every HMAC of the crate is keyed by [`keyed`]:
/// a second keying site made LLVM stop inlining the key derivation into the signer.
pub(crate) fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    let mut mac = keyed(key);
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA1 keyed with `key`: the inner and outer pad blocks already hashed, so that a clone
/// signs a message with two SHA-1 compressions fewer than keying afresh.
fn keyed(key: &[u8]) -> Hmac<Sha1> {
    <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"))
}

fn finish_hex(mut mac: Hmac<Sha1>, msg: &[u8]) -> [u8; 40] {
    mac.update(msg);
    let mut out = [0u8; 40];
    hex_into(&mac.finalize().into_bytes(), &mut out);
    out
}

fn ascii(hex: &[u8]) -> &str {
    std::str::from_utf8(hex).unwrap_or_default()
}

/// `SignKey = hmac_sha1_hex(SecretKey, "start;end")`.
///
/// ```
/// assert_eq!(tencent_cos::unversioned::signing::sign_key("k", "1;2").len(), 40);
/// ```
pub fn sign_key(secret_key: &str, key_time: &str) -> String {
    ascii(&hmac_sha1_hex(secret_key.as_bytes(), key_time.as_bytes())).to_owned()
}

/// `hmac_sha1_hex(SignKey, message)` with the SignKey's keyed HMAC from a one-entry per-thread
/// cache: every request signed in the same second with the same secret shares it, which saves
/// one of the three HMACs per signature and the two pad-block compressions of another
/// (measured in `benches/signing.rs`; see the README's figures).
fn sign_with_cached_key(secret_key: &str, key_time: &str, message: &[u8]) -> [u8; 40] {
    use std::cell::RefCell;
    struct Last {
        secret_key: String,
        key_time: String,
        mac: Option<Hmac<Sha1>>,
    }
    thread_local! {
        static LAST: RefCell<Last> =
            const { RefCell::new(Last { secret_key: String::new(), key_time: String::new(), mac: None }) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        let last = &mut *last;
        let mac = match &last.mac {
            Some(mac) if last.secret_key == secret_key && last.key_time == key_time => mac.clone(),
            _ => {
                last.secret_key.clear();
                last.secret_key.push_str(secret_key);
                last.key_time.clear();
                last.key_time.push_str(key_time);
                let sign_key = hmac_sha1_hex(secret_key.as_bytes(), key_time.as_bytes());
                last.mac.insert(keyed(&sign_key)).clone()
            }
        };
        finish_hex(mac, message)
    })
}

/// Signs a request from its parts. `path` is the decoded path as signed (see [`signing_path`]);
/// every header given is signed. The result is the full `Authorization` value.
///
/// ```
/// let auth = tencent_cos::unversioned::signing::sign_parts("AKID", "key", "GET", "/a.txt", std::iter::empty(), [("Host", "h")].into_iter(), 1, 2);
/// assert!(auth.starts_with("q-sign-algorithm=sha1&q-ak=AKID&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature="));
/// ```
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
    let params = Encoded::new(query);
    let headers = Encoded::new(headers);
    let mut hasher = Sha1::new();
    write_http_string(method, path, &params, &headers, |piece| hasher.update(piece.as_bytes()));

    let mut auth = String::with_capacity(200 + secret_id.len() + params.buf.len() / 2 + headers.buf.len() / 4);
    auth.push_str("q-sign-algorithm=sha1&q-ak=");
    auth.push_str(secret_id);
    auth.push_str("&q-sign-time=");
    let key_time_start = auth.len();
    push_u64(&mut auth, start);
    auth.push(';');
    push_u64(&mut auth, end);
    let key_time_end = auth.len();

    let mut string_to_sign = [0u8; 5 + 41 + 41 + 1];
    let key_time = &auth[key_time_start..key_time_end];
    let mut n = 0;
    for part in [b"sha1\n".as_slice(), key_time.as_bytes(), b"\n"] {
        string_to_sign[n..n + part.len()].copy_from_slice(part);
        n += part.len();
    }
    hex_into(&hasher.finalize(), &mut string_to_sign[n..n + 40]);
    n += 40;
    string_to_sign[n] = b'\n';
    n += 1;

    let signature = sign_with_cached_key(secret_key, key_time, &string_to_sign[..n]);

    auth.push_str("&q-key-time=");
    auth.extend_from_within(key_time_start..key_time_end);
    auth.push_str("&q-header-list=");
    headers.write_names(&mut auth);
    auth.push_str("&q-url-param-list=");
    params.write_names(&mut auth);
    auth.push_str("&q-signature=");
    auth.push_str(ascii(&signature));
    auth
}

/// Appends the decimal digits of `v` (no `format!` on the signing path).
fn push_u64(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(ascii(&digits[i..]));
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
