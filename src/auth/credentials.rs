//! Credentials: permanent keys, temporary keys from a refreshing provider, or a callback that
//! hands back a ready `Authorization` (for servers that sign on behalf of clients).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A SecretId / SecretKey pair, with the SecurityToken of temporary keys.
///
/// `Debug` never shows the key or the token.
///
/// ```
/// use tencent_cos::Credentials;
/// let c = Credentials::new("AKIDexample", "very-secret").with_security_token("tok-123");
/// let shown = format!("{c:?}");
/// assert!(shown.contains("AKIDexample"));
/// assert!(!shown.contains("very-secret") && !shown.contains("tok-123"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
    security_token: Option<String>,
}

impl Credentials {
    /// Permanent keys.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials { secret_id: secret_id.into(), secret_key: secret_key.into(), security_token: None }
    }

    /// Adds the SecurityToken that temporary keys need; it travels as `x-cos-security-token`.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.security_token = if token.is_empty() { None } else { Some(token) };
        self
    }

    /// The SecretId.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The SecretKey. Handle with care.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The SecurityToken, for temporary keys.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("security_token", &self.security_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What a temporary-credentials provider returns (the JS `getAuthorization` format 1, and
/// `getSTS`): `{TmpSecretId, TmpSecretKey, SecurityToken, ExpiredTime}`.
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryCredentials {
    /// TmpSecretId.
    pub tmp_secret_id: String,
    /// TmpSecretKey.
    pub tmp_secret_key: String,
    /// SecurityToken (XCosSecurityToken).
    pub security_token: String,
    /// ExpiredTime, Unix seconds.
    pub expired_time: u64,
    /// StartTime, Unix seconds, when the STS answer has one.
    pub start_time: Option<u64>,
}

impl fmt::Debug for TemporaryCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryCredentials")
            .field("tmp_secret_id", &self.tmp_secret_id)
            .field("tmp_secret_key", &"<redacted>")
            .field("security_token", &"<redacted>")
            .field("expired_time", &self.expired_time)
            .field("start_time", &self.start_time)
            .finish()
    }
}

/// What an authorization callback is handed (the JS `getAuthorization` format 2 options).
/// Its `Debug` redacts a token or signature among the headers and query.
#[derive(Clone)]
pub struct AuthorizationRequest<'a> {
    /// HTTP method, upper case.
    pub method: &'a str,
    /// Object key (`""` for bucket and service calls).
    pub key: &'a str,
    /// The query parameters, all of which must be signed.
    pub query: &'a [(String, String)],
    /// The headers the official SDKs would sign (Host included).
    pub headers: &'a [(String, String)],
    /// Bucket, when the call has one.
    pub bucket: Option<&'a str>,
    /// Region, when the call has one.
    pub region: Option<&'a str>,
}

impl fmt::Debug for AuthorizationRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("method", &self.method)
            .field("key", &self.key)
            .field("query", &crate::http::RedactedPairs(self.query))
            .field("headers", &crate::http::RedactedPairs(self.headers))
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .finish()
    }
}

/// A ready `Authorization`, with the token when it was computed with temporary keys.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedAuthorization {
    /// The value of the `Authorization` header.
    pub authorization: String,
    /// The SecurityToken, sent as `x-cos-security-token`.
    pub security_token: Option<String>,
}

impl SignedAuthorization {
    /// An authorization with no token.
    pub fn new(authorization: impl Into<String>) -> Self {
        SignedAuthorization { authorization: authorization.into(), security_token: None }
    }
}

impl fmt::Debug for SignedAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signature is only valid for one request, but it still grants that request.
        f.debug_struct("SignedAuthorization")
            .field("authorization", &"<redacted>")
            .field("security_token", &self.security_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What a scoped temporary-credentials provider is asked for (the JS `getAuthorization`
/// format 1 receives `options.Bucket` and `options.Region`): the bucket and region of the
/// request being signed, so that a server can hand out keys limited to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CredentialScope<'a> {
    /// The bucket, when the request has one (`None` for `get_service`).
    pub bucket: Option<&'a str>,
    /// The region, when known.
    pub region: Option<&'a str>,
}

pub(crate) type TemporaryFetch = dyn Fn(&CredentialScope<'_>) -> Result<TemporaryCredentials, BoxError> + Send + Sync;
pub(crate) type AuthorizationCallback =
    dyn Fn(&AuthorizationRequest<'_>) -> Result<SignedAuthorization, BoxError> + Send + Sync;

/// The (bucket, region) a scoped provider's keys are cached under.
type ScopeKey = (Option<String>, Option<String>);

/// Caches temporary credentials and refreshes them `margin` seconds before they expire. Callers
/// that arrive while a refresh runs wait for it, so the provider runs once per expiry. A scoped
/// provider's keys are cached per (bucket, region): keys limited to one bucket are never used
/// for another.
pub(crate) struct TemporaryProvider {
    fetch: Arc<TemporaryFetch>,
    margin: u64,
    /// True when the provider is told the scope (its keys may differ per scope).
    scoped: bool,
    cached: Mutex<HashMap<ScopeKey, TemporaryCredentials>>,
}

impl TemporaryProvider {
    pub(crate) fn new(fetch: Arc<TemporaryFetch>, margin: u64, scoped: bool) -> Self {
        TemporaryProvider { fetch, margin, scoped, cached: Mutex::new(HashMap::new()) }
    }

    /// Credentials for `scope` valid at `now` (skew-corrected Unix seconds) for at least the
    /// margin.
    pub(crate) fn get(&self, scope: &CredentialScope<'_>, now: u64) -> Result<Credentials> {
        let slot =
            if self.scoped { (scope.bucket.map(str::to_owned), scope.region.map(str::to_owned)) } else { (None, None) };
        // Holding the lock across the fetch is the point: concurrent callers wait for one refresh.
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cached.get(&slot).filter(|c| c.expired_time > now.saturating_add(self.margin)) {
            return Ok(to_credentials(c));
        }
        let fresh = (self.fetch)(scope)
            .map_err(|e| Error::Credentials(format!("temporary credentials provider failed: {e}")))?;
        if fresh.tmp_secret_id.is_empty() || fresh.tmp_secret_key.is_empty() {
            return Err(Error::Credentials("temporary credentials provider returned an empty key".into()));
        }
        if fresh.expired_time <= now {
            return Err(Error::Credentials(format!(
                "temporary credentials provider returned keys that expired at {} (now {now})",
                fresh.expired_time
            )));
        }
        let creds = to_credentials(&fresh);
        cached.insert(slot, fresh);
        Ok(creds)
    }
}

fn to_credentials(t: &TemporaryCredentials) -> Credentials {
    Credentials::new(&t.tmp_secret_id, &t.tmp_secret_key).with_security_token(&t.security_token)
}

/// Where the client gets what it signs with.
#[derive(Clone, Default)]
pub(crate) enum CredentialSource {
    /// No signing at all (public-read buckets).
    #[default]
    Anonymous,
    Static(Credentials),
    Temporary(Arc<TemporaryProvider>),
    Callback(Arc<AuthorizationCallback>),
}

impl fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Anonymous => f.write_str("Anonymous"),
            CredentialSource::Static(c) => f.debug_tuple("Static").field(c).finish(),
            CredentialSource::Temporary(p) => {
                write!(f, "Temporary {{ refresh_margin: {}s, scoped: {} }}", p.margin, p.scoped)
            }
            CredentialSource::Callback(_) => f.write_str("Callback"),
        }
    }
}
