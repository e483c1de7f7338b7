//! The legacy JSON API (v4) signature of the node SDK's `getV4Auth`: still accepted by COS as
//! `?sign=` on an object download.
//!
//! `sign = base64(HMAC-SHA1(SecretKey, plain) ‖ plain)` with
//! `plain = a={appid}&b={short bucket}&k={SecretId}&t={now}&e={expiry}&r={random}&f=/{appid}/{short bucket}/{key}`,
//! the key without its leading `/`s and encoded as JavaScript's `encodeURIComponent` does, `/` kept.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::hmac_sha1;
use crate::error::{Error, Result};

/// What a v4 signature covers: pure data, so that the same inputs give the same signature.
///
/// ```
/// use tencent_cos::unversioned::signing::{V4AuthParams, get_v4_authorization};
/// let params = V4AuthParams {
///     secret_id: "AKIDEXAMPLE",
///     secret_key: "secret",
///     bucket: "examplebucket-1250000000",
///     key: "/folder/中文.txt",
///     now: 1_700_000_000,
///     expires_at: 1_700_000_900,
///     random: 12345,
/// };
/// assert_eq!(
///     params.plain_text()?,
///     "a=1250000000&b=examplebucket&k=AKIDEXAMPLE&t=1700000000&e=1700000900&r=12345\
///      &f=/1250000000/examplebucket/folder/%E4%B8%AD%E6%96%87.txt"
/// );
/// assert_eq!(get_v4_authorization(&params)?.len(), (20 + params.plain_text()?.len()).div_ceil(3) * 4);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct V4AuthParams<'a> {
    /// SecretId (`k`).
    pub secret_id: &'a str,
    /// SecretKey: the HMAC key, never part of the text.
    pub secret_key: &'a str,
    /// The bucket as `{name}-{appid}`; it gives `a` and `b`.
    pub bucket: &'a str,
    /// The object key (`f`); leading `/`s are dropped as the node SDK drops them.
    pub key: &'a str,
    /// Signing time, Unix seconds (`t`).
    pub now: u64,
    /// Expiry, Unix seconds (`e`).
    pub expires_at: u64,
    /// The nonce (`r`).
    pub random: u32,
}

impl std::fmt::Debug for V4AuthParams<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V4AuthParams")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("now", &self.now)
            .field("expires_at", &self.expires_at)
            .field("random", &self.random)
            .finish()
    }
}

impl V4AuthParams<'_> {
    /// The signed text; a bucket not of the form `{name}-{appid}` is an `InvalidArgument`
    /// naming `bucket`.
    pub fn plain_text(&self) -> Result<String> {
        crate::config::validate_bucket(self.bucket)?;
        let (short, appid) = self
            .bucket
            .rsplit_once('-')
            .ok_or_else(|| Error::invalid("bucket", "a v4 signature needs the bucket as {name}-{appid}"))?;
        let key = crate::percent::encode_uri_component_keep_slash(self.key.trim_start_matches('/'));
        Ok(format!(
            "a={appid}&b={short}&k={}&t={}&e={}&r={}&f=/{appid}/{short}/{key}",
            self.secret_id, self.now, self.expires_at, self.random
        ))
    }
}

/// The v4 signature (`getV4Auth`), base64, to send as `?sign=` (percent-encoded) on a download.
pub fn get_v4_authorization(params: &V4AuthParams<'_>) -> Result<String> {
    let plain = params.plain_text()?;
    let mut signed = hmac_sha1(params.secret_key.as_bytes(), plain.as_bytes()).to_vec();
    signed.extend_from_slice(plain.as_bytes());
    Ok(STANDARD.encode(signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(key: &str) -> V4AuthParams<'_> {
        V4AuthParams {
            secret_id: "AKIDEXAMPLE",
            secret_key: "secret",
            bucket: "example-bucket-1250000000",
            key,
            now: 1_700_000_000,
            expires_at: 1_700_000_060,
            random: 4_294_967_295,
        }
    }

    #[test]
    fn the_text_follows_the_node_sdk() {
        // encodeURIComponent keeps ! * ' ( ) and, after the %2F -> / step, the slashes; every
        // leading slash goes, and the short bucket keeps its own dashes.
        assert_eq!(
            params("//a b/(x)!*'~+&=.txt").plain_text().unwrap(),
            "a=1250000000&b=example-bucket&k=AKIDEXAMPLE&t=1700000000&e=1700000060&r=4294967295\
             &f=/1250000000/example-bucket/a%20b/(x)!*'~%2B%26%3D.txt"
        );
    }

    #[test]
    fn the_signature_is_the_mac_then_the_text() {
        let p = params("a.txt");
        let bytes = STANDARD.decode(get_v4_authorization(&p).unwrap()).unwrap();
        let plain = p.plain_text().unwrap();
        assert_eq!(&bytes[20..], plain.as_bytes());
        assert_eq!(bytes[..20], hmac_sha1(b"secret", plain.as_bytes()));
    }

    #[test]
    fn a_bucket_without_appid_is_refused_naming_the_field() {
        let mut p = params("a.txt");
        p.bucket = "examplebucket";
        let err = get_v4_authorization(&p).unwrap_err();
        assert!(err.to_string().contains("bucket"), "{err}");
    }
}
