//! Signing without sending: `get_auth` (an Authorization for a request someone else sends) and
//! `get_object_url` (plain or presigned object URLs).

use crate::auth::{CredentialSource, Credentials, KeyTime, is_signed_header, sign_parts};
use crate::client::{Bucket, Client, Scope, build_url};
use crate::config;
use crate::error::{Error, Result};
use crate::http::Method;
use crate::percent::encode_component;

/// Parameters of [`Client::get_auth`], the instance `getAuth` of the JS SDK. Its `Debug`
/// redacts a token passed among the headers or query.
#[derive(Clone, Default)]
pub struct GetAuthParams {
    /// Method (default GET).
    pub method: Option<Method>,
    /// Object key, `""` for bucket-level requests.
    pub key: String,
    /// Query parameters the request will carry (all are signed).
    pub query: Vec<(String, String)>,
    /// Headers the request will carry (the allow-listed and `x-cos-*` ones are signed).
    pub headers: Vec<(String, String)>,
    /// Validity in seconds (default 900).
    pub expires: Option<u64>,
    /// Bucket and region, to sign the `Host` the request will go to.
    pub bucket: Option<(String, String)>,
}

impl std::fmt::Debug for GetAuthParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetAuthParams")
            .field("method", &self.method)
            .field("key", &self.key)
            .field("query", &crate::http::RedactedPairs(&self.query))
            .field("headers", &crate::http::RedactedPairs(&self.headers))
            .field("expires", &self.expires)
            .field("bucket", &self.bucket)
            .finish()
    }
}

/// Parameters of [`Client::get_v4_auth`], the JS SDK's `getV4Auth`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetV4AuthParams {
    /// The bucket, `{name}-{appid}`.
    pub bucket: String,
    /// The object key (leading `/`s are dropped).
    pub key: String,
    /// Validity in seconds from now (default 900, as in the JS SDK).
    pub expires: Option<u64>,
}

/// A signature and the token that must travel with it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthResult {
    /// The `Authorization` value.
    pub authorization: String,
    /// `x-cos-security-token` to send alongside, for temporary keys.
    pub security_token: Option<String>,
}

impl std::fmt::Debug for AuthResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthResult")
            .field("authorization", &"<redacted>")
            .field("security_token", &self.security_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Client {
    /// Computes an `Authorization` with the client's credentials (the instance `getAuth`), for a
    /// request sent by someone else (a browser, curl).
    ///
    /// ```
    /// use tencent_cos::{Client, GetAuthParams};
    /// let client = Client::builder().secret("AKIDEXAMPLE", "secret").region("ap-guangzhou").build()?;
    /// let auth = client.get_auth(&GetAuthParams {
    ///     key: "photo.jpg".into(),
    ///     bucket: Some(("examplebucket-1250000000".into(), "ap-guangzhou".into())),
    ///     ..Default::default()
    /// })?;
    /// assert!(auth.authorization.contains("q-header-list=host&"));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_auth(&self, params: &GetAuthParams) -> Result<AuthResult> {
        let scope = crate::auth::CredentialScope {
            bucket: params.bucket.as_ref().map(|(b, _)| b.as_str()),
            region: params.bucket.as_ref().map(|(_, r)| r.as_str()).or(self.config().region.as_deref()),
        };
        let creds = self.signing_credentials(&scope)?;
        let method = params.method.unwrap_or(Method::Get);
        let mut headers: Vec<(&str, &str)> =
            params.headers.iter().filter(|(n, _)| is_signed_header(n)).map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let host;
        if let Some((bucket, region)) = &params.bucket {
            host = self.endpoint(Scope::Bucket { bucket, region })?.host;
            if self.config().force_sign_host && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
                headers.push(("Host", &host));
            }
        }
        let (start, end) = KeyTime::Expires(params.expires.unwrap_or(900)).window_at(self.now());
        let authorization = sign_parts(
            creds.secret_id(),
            creds.secret_key(),
            method.as_str(),
            &crate::auth::signing_path(crate::config::object_key(&params.key)),
            params.query.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            headers.into_iter(),
            start,
            end,
        );
        Ok(AuthResult { authorization, security_token: creds.security_token().map(str::to_owned) })
    }

    /// The legacy JSON API (v4) signature of an object download (the JS SDK's `getV4Auth`): COS
    /// serves `GET /{key}?sign={percent-encoded signature}` with it, as the emulator does. It is
    /// signed with the client's keys and its corrected clock; the v4 text has no place for a
    /// security token, so a client with temporary keys (or an authorization callback, or none)
    /// gets an [`Error::Credentials`] instead.
    ///
    /// ```
    /// use tencent_cos::{Client, GetV4AuthParams};
    /// let client = Client::builder().secret("AKIDEXAMPLE", "secret").region("ap-guangzhou").build()?;
    /// let sign = client.get_v4_auth(&GetV4AuthParams {
    ///     bucket: "examplebucket-1250000000".into(),
    ///     key: "中文.txt".into(),
    ///     expires: Some(60),
    /// })?;
    /// let url = format!(
    ///     "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/{}?sign={}",
    ///     tencent_cos::encode_key("中文.txt"),
    ///     tencent_cos::encode_component(&sign)
    /// );
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_v4_auth(&self, params: &GetV4AuthParams) -> Result<String> {
        let scope =
            crate::auth::CredentialScope { bucket: Some(&params.bucket), region: self.config().region.as_deref() };
        let creds = self.signing_credentials(&scope)?;
        if creds.security_token().is_some() {
            return Err(Error::Credentials(
                "getV4Auth signs with permanent keys: a v4 signature cannot carry a security token".into(),
            ));
        }
        let now = self.now();
        crate::auth::get_v4_authorization(&crate::auth::V4AuthParams {
            secret_id: creds.secret_id(),
            secret_key: creds.secret_key(),
            bucket: &params.bucket,
            key: &params.key,
            now,
            expires_at: now.saturating_add(params.expires.unwrap_or(900)),
            random: crate::retry::random_u32(),
        })
    }

    /// The keys to sign with: static or (refreshed) temporary; a callback cannot presign.
    fn signing_credentials(&self, scope: &crate::auth::CredentialScope<'_>) -> Result<Credentials> {
        match &self.inner.credentials {
            CredentialSource::Static(c) => Ok(c.clone()),
            CredentialSource::Temporary(p) => p.get(scope, self.now()),
            CredentialSource::Callback(_) => {
                Err(Error::Credentials("an authorization callback cannot sign URLs; configure keys".into()))
            }
            CredentialSource::Anonymous => Err(Error::Credentials("no credentials configured".into())),
        }
    }
}

/// Builder of [`Bucket::get_object_url`].
#[must_use = "call .build() to get the URL"]
#[derive(Debug)]
pub struct GetObjectUrl<'a> {
    bucket: &'a Bucket,
    key: String,
    sign: bool,
    method: Method,
    expires: u64,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Bucket {
    /// The URL of an object: presigned by default (`sign(false)` for a plain URL), as the JS
    /// SDK's `getObjectUrl`. A signed URL carries the Authorization in its query, and
    /// `x-cos-security-token` with temporary keys. A client that cannot sign by itself (anonymous,
    /// or an authorization callback) gets the plain URL, as in the JS SDK.
    ///
    /// ```
    /// use tencent_cos::Client;
    /// let client = Client::builder().secret("AKIDEXAMPLE", "secret").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let plain = bucket.get_object_url("a b.txt").sign(false).build()?;
    /// assert_eq!(plain, "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b.txt");
    /// let signed = bucket.get_object_url("a b.txt").expires(60).build()?;
    /// assert!(signed.starts_with("https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b.txt?q-sign-algorithm=sha1&"));
    ///
    /// let anonymous = Client::builder().anonymous().region("ap-guangzhou").build()?;
    /// let url = anonymous.bucket("examplebucket-1250000000").get_object_url("a.txt").build()?;
    /// assert_eq!(url, "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.txt");
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_object_url(&self, key: impl Into<String>) -> GetObjectUrl<'_> {
        GetObjectUrl {
            bucket: self,
            key: key.into(),
            sign: true,
            method: Method::Get,
            expires: 900,
            query: Vec::new(),
            headers: Vec::new(),
        }
    }
}

impl GetObjectUrl<'_> {
    /// Sign the URL (default true).
    pub fn sign(mut self, sign: bool) -> Self {
        self.sign = sign;
        self
    }

    /// The method the URL is for (default GET).
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Validity in seconds (default 900).
    pub fn expires(mut self, seconds: u64) -> Self {
        self.expires = seconds;
        self
    }

    /// A query parameter, signed and appended (e.g. `response-content-disposition`).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// A header the request will carry, signed when COS signs it.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The URL.
    pub fn build(self) -> Result<String> {
        config::validate_key(&self.key)?;
        let key = crate::config::object_key(&self.key).to_owned();
        let client = self.bucket.client();
        let endpoint = client.endpoint(self.bucket.scope()?)?;
        let (base, _) = build_url(&endpoint, Some(&key), &[]);
        // As the JS SDK's getObjectUrl: when it cannot sign right away (no keys, or keys only a
        // server's authorization callback holds), the URL comes back unsigned.
        let can_sign = matches!(client.inner.credentials, CredentialSource::Static(_) | CredentialSource::Temporary(_));
        if !self.sign || !can_sign {
            return Ok(append_query(base, &self.query));
        }
        let (bucket, region) = (self.bucket.name().to_owned(), self.bucket.region().unwrap_or_default().to_owned());
        let auth = client.get_auth(&GetAuthParams {
            method: Some(self.method),
            key,
            query: self.query.clone(),
            headers: self.headers,
            expires: Some(self.expires),
            bucket: Some((bucket, region)),
        })?;
        let mut url = base;
        url.push('?');
        url.push_str(&auth.authorization);
        if let Some(token) = &auth.security_token {
            url.push_str("&x-cos-security-token=");
            url.push_str(&encode_component(token));
        }
        for (name, value) in sorted_as_node(&self.query) {
            url.push('&');
            url.push_str(&encode_component(name));
            url.push('=');
            url.push_str(&encode_component(value));
        }
        Ok(url)
    }
}

/// Query parameters in the node SDK's order for a URL (its `obj2str`: names sorted without
/// regard to case; the order given is kept among equal names).
fn sorted_as_node(query: &[(String, String)]) -> Vec<&(String, String)> {
    let mut sorted: Vec<&(String, String)> = query.iter().collect();
    sorted.sort_by_cached_key(|(name, _)| name.to_lowercase());
    sorted
}

fn append_query(mut url: String, query: &[(String, String)]) -> String {
    for (i, (name, value)) in sorted_as_node(query).into_iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&encode_component(name));
        url.push('=');
        url.push_str(&encode_component(value));
    }
    url
}
