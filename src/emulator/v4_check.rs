//! Checks a legacy JSON API (v4) signature, `?sign=` on an object download, as COS accepts the
//! node SDK's `getV4Auth`: `base64(HMAC-SHA1(SecretKey, text) ‖ text)`, the text naming the
//! bucket (`a`, `b`), the key (`k`), the expiry (`e`) and the object (`f`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::http::Method;

use super::Inner;
use super::access::Principal;
use super::auth_check::{check_token, constant_time_eq};
use super::dates::iso8601;
use super::request::Incoming;
use super::response::CosError;
use super::router::Target;

/// The v4 signature of `req`: a `sign` parameter that is not an XML-API Authorization, on a
/// request carrying no other signature.
pub(crate) fn v4_sign_of(req: &Incoming) -> Option<&str> {
    if req.header("authorization").is_some() || req.query.iter().any(|(n, _)| n.starts_with("q-")) {
        return None;
    }
    req.query("sign").filter(|s| !s.is_empty() && !s.contains("q-sign-algorithm="))
}

/// Who signed a v4 `sign`, or why it is refused.
pub(crate) fn authenticate_v4(
    inner: &Inner,
    req: &Incoming,
    sign: &str,
    target: &Target,
    now: u64,
) -> Result<Principal, CosError> {
    let Target::Bucket { bucket, key: Some(key), .. } = target else {
        return Err(denied("A v4 signature (sign=) allows object downloads only."));
    };
    if !matches!(req.method, Method::Get | Method::Head) {
        return Err(denied("A v4 signature (sign=) allows object downloads only."));
    }
    let sign = V4Sign::parse(sign).ok_or_else(|| denied("The v4 signature is not base64 of a MAC and its text."))?;
    let field = |name: &str| sign.field(name).ok_or_else(|| denied(&format!("The v4 signature has no `{name}`.")));
    let key_info = inner.lookup_key(field("k")?).ok_or_else(|| {
        CosError::new(403, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")
    })?;
    if !sign.verifies_with(&key_info.secret_key) {
        return Err(CosError::new(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
        .with_extra("StringToSign", sign.plain.clone()));
    }
    let expires: u64 = field("e")?.parse().map_err(|_| denied("The v4 signature's `e` is not a time."))?;
    if now > expires {
        return Err(CosError::new(403, "AccessDenied", "Request has expired").with_extra("ServerTime", iso8601(now)));
    }
    let (appid, short) = (field("a")?, field("b")?);
    let path = crate::decode_component(field("f")?).unwrap_or_default();
    if format!("{short}-{appid}") != *bucket || path != format!("/{appid}/{short}/{key}") {
        return Err(denied("The v4 signature is for another object."));
    }
    check_token(req, &key_info, now)?;
    Ok(key_info.principal)
}

fn denied(why: &str) -> CosError {
    CosError::new(403, "AccessDenied", why)
}

/// A v4 signature taken apart.
#[derive(Debug)]
struct V4Sign {
    mac: [u8; 20],
    plain: String,
}

impl V4Sign {
    /// Decodes `sign`; `None` when it is not base64 of a 20-byte MAC followed by UTF-8 text.
    fn parse(sign: &str) -> Option<V4Sign> {
        let bytes = STANDARD.decode(sign.trim()).ok()?;
        if bytes.len() <= 20 {
            return None;
        }
        let mac = bytes[..20].try_into().ok()?;
        let plain = String::from_utf8(bytes[20..].to_vec()).ok()?;
        Some(V4Sign { mac, plain })
    }

    /// The value of one field of the text (`a`, `b`, `k`, `t`, `e`, `r`, `f`).
    fn field(&self, name: &str) -> Option<&str> {
        self.plain.split('&').find_map(|pair| pair.split_once('=').filter(|(n, _)| *n == name).map(|(_, v)| v))
    }

    /// True when the MAC is the HMAC of the text under `secret_key` (compared in constant time).
    fn verifies_with(&self, secret_key: &str) -> bool {
        constant_time_eq(&crate::auth::hmac_sha1(secret_key.as_bytes(), self.plain.as_bytes()), &self.mac)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{V4AuthParams, get_v4_authorization};

    #[test]
    fn a_signature_parses_back_into_its_fields_and_verifies() {
        let params = V4AuthParams {
            secret_id: "AKIDEXAMPLE",
            secret_key: "secret",
            bucket: "examplebucket-1250000000",
            key: "a.txt",
            now: 1_700_000_000,
            expires_at: 1_700_000_060,
            random: 7,
        };
        let parsed = V4Sign::parse(&get_v4_authorization(&params).unwrap()).unwrap();
        assert_eq!(parsed.plain, params.plain_text().unwrap());
        assert!(parsed.verifies_with("secret"));
        assert!(!parsed.verifies_with("Secret"));
        assert_eq!(parsed.field("f"), Some("/1250000000/examplebucket/a.txt"));
        assert_eq!(parsed.field("e"), Some("1700000060"));
        assert_eq!(parsed.field("x"), None);
    }

    #[test]
    fn garbage_does_not_parse() {
        for sign in ["", "!!!", "c2hvcnQ=", &STANDARD.encode([0u8; 20]), &STANDARD.encode([0xffu8; 25])] {
            assert!(V4Sign::parse(sign).is_none(), "{sign:?}");
        }
    }
}
