//! `Client`, its builder, the `Bucket` handle, and the one send pipeline every call goes through:
//! endpoint -> build -> sign -> transport -> retry -> error mapping -> parse.
//!
//! Retries and timeouts (README "Contracts" names the test of each row):
//!
//! | what | behaviour |
//! | --- | --- |
//! | one call's budget | at most `max_retries + 1` requests, whatever fails: 5xx, timeouts, broken connections, a body that breaks off while parsed, a clock-skew re-sign, the ranged GETs that resume a download body |
//! | cancellation | [`CallOptions::cancel`]: checked before every attempt and every resume; a backoff sleep ends at once |
//! | response timeout | [`Config::read_timeout`] (30 s) for the status line and headers |
//! | body idle timeout | the same `read_timeout` for each read of a body: [`TransportErrorKind::Timeout`] |
//! | stalled download | [`Config::min_throughput`] (1 B/s over 20 s of reading) for `get_object` bodies: [`TransportErrorKind::Timeout`], resumed within the budget |
//! | a parsed body breaks off | the request is sent again within the budget, unless it is a POST |
//! | a download body breaks off | `get_object`'s body continues with `Range` from the next byte and `If-Match` with the first ETag, within the budget; a 412 is that error, another ETag, range or a 200 an [`Error::Integrity`] |

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::auth::{
    AuthorizationCallback, AuthorizationRequest, CredentialScope, CredentialSource, Credentials, SignedAuthorization,
    TemporaryCredentials, TemporaryProvider, is_signed_header, sign_parts, unix_now,
};
use crate::cancel::CancelToken;
use crate::config::{self, Config, Protocol};
use crate::error::{Error, Result, TransportErrorKind};
use crate::http::{Body, GuardedBody, Headers, Method, Request, Response};
use crate::operation::{Operation, OperationRequest};
use crate::percent::{encode_component, encode_key};
use crate::retry::RetryPolicy;
use crate::transport::{Transport, UreqTransport};
use crate::xml::parse_service_error;

/// Largest error body read to find the `<Error>` fields.
const MAX_ERROR_BODY: u64 = 1024 * 1024;

/// The largest clock correction a `RequestTimeTooSkewed` answer may teach: 24 hours. A `Date`
/// further off than that (a broken or hostile server) leaves the clock offset alone, and the
/// 403 is returned unchanged.
pub const MAX_CLOCK_SKEW_CORRECTION: Duration = Duration::from_secs(24 * 60 * 60);

mod resume;

/// What one call has spent: its transport requests (at most `max_retries + 1`, whatever failed:
/// a 5xx, a retryable transport error, a body that broke off while parsed or read, a
/// clock-skew re-sign, the ranged GETs that resume a download), whether the clock was
/// corrected, the token that cancels it, and whether its bodies are watched for stalls. A
/// download's body takes it along, so that its resumes spend what is left of the same budget.
pub(crate) struct CallState {
    requests: u32,
    retries: u32,
    skew_corrected: bool,
    cancel: Option<CancelToken>,
    /// The least throughput of the call's response bodies: set for object downloads only. An
    /// XML answer is small, and COS may keep a slow one (Complete Multipart Upload) alive with
    /// a few spaces: only the idle timeout bounds it.
    min_throughput: Option<crate::config::MinThroughput>,
    /// Told how many bytes of the request body the transport has read, per attempt.
    body_sent: Option<BodySent>,
    /// The URL of the call's requests (for [`Operation::locate`]).
    url: String,
}

impl CallState {
    pub(crate) fn new(cancel: Option<CancelToken>) -> Self {
        CallState {
            requests: 0,
            retries: 0,
            skew_corrected: false,
            cancel,
            min_throughput: None,
            body_sent: None,
            url: String::new(),
        }
    }

    /// `Err(Error::Cancelled)` once the call's token is cancelled.
    fn check(&self) -> Result<()> {
        self.cancel.as_ref().map_or(Ok(()), CancelToken::check)
    }

    /// True while another transport request fits in the budget.
    fn can_retry(&self, policy: &RetryPolicy) -> bool {
        self.requests <= policy.max_retries
    }

    /// Waits the backoff of the next retry, cut short by a cancel.
    fn backoff(&mut self, policy: &RetryPolicy) -> Result<()> {
        self.retries += 1;
        let wait = policy.backoff(self.retries);
        match &self.cancel {
            Some(token) => token.sleep(wait),
            None => {
                std::thread::sleep(wait);
                Ok(())
            }
        }
    }
}

type Clock = dyn Fn() -> u64 + Send + Sync;

/// A COS client: configuration, credentials and a transport. Cheap to clone (one `Arc`);
/// `Send + Sync`, so share it between threads.
///
/// ```
/// use tencent_cos::{Client, Credentials};
/// let client = Client::builder()
///     .credentials(Credentials::new("AKIDEXAMPLE", "secret"))
///     .region("ap-guangzhou")
///     .build()?;
/// let bucket = client.bucket("examplebucket-1250000000");
/// assert_eq!(bucket.name(), "examplebucket-1250000000");
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) config: Config,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) credentials: CredentialSource,
    clock: Option<Arc<Clock>>,
    /// Seconds added to the local clock: SystemClockOffset, then what RequestTimeTooSkewed taught.
    clock_offset: AtomicI64,
    /// The transfer runtime (worker pools, task list), made on first use. Type-erased so that
    /// this module does not depend on `transfer/`, which sits above it.
    pub(crate) extension: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("credentials", &self.inner.credentials)
            .field("clock_offset", &self.inner.clock_offset.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Per-call options of the pipeline, beyond the operation itself.
///
/// ```
/// use tencent_cos::CancelToken;
/// use tencent_cos::client::CallOptions;
/// let options = CallOptions::new().cancel(CancelToken::new());
/// assert!(options.cancel.is_some());
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// Ends the call with [`Error::Cancelled`] once cancelled: checked before every attempt
    /// and while waiting between retries.
    pub cancel: Option<CancelToken>,
    /// Told the bytes of the request body the transport has read so far, in each attempt
    /// (from 0 again on a retry): the progress of an upload in one request.
    pub body_sent: Option<BodySent>,
}

/// A callback told how many bytes of a request body have been handed to the transport (see
/// [`CallOptions::body_sent`]).
///
/// ```
/// use tencent_cos::client::{BodySent, CallOptions};
/// let options = CallOptions::new().body_sent(BodySent::new(|sent| eprintln!("{sent} bytes sent")));
/// assert!(options.body_sent.is_some());
/// ```
#[derive(Clone)]
pub struct BodySent(Arc<dyn Fn(u64) + Send + Sync>);

impl BodySent {
    /// Wraps `f`, called with the bytes sent so far in the current attempt.
    pub fn new(f: impl Fn(u64) + Send + Sync + 'static) -> Self {
        BodySent(Arc::new(f))
    }
}

impl fmt::Debug for BodySent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodySent(..)")
    }
}

/// A request body that reports what the transport has read of it.
struct CountedBody {
    inner: Box<dyn std::io::Read + Send>,
    sent: u64,
    report: BodySent,
}

impl std::io::Read for CountedBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.sent += n as u64;
            (self.report.0)(self.sent);
        }
        Ok(n)
    }
}

impl CallOptions {
    /// No options: what [`Client::execute`] uses.
    pub fn new() -> Self {
        Self::default()
    }

    /// Watches `token`.
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Reports the request body's bytes as they go out.
    pub fn body_sent(mut self, report: BodySent) -> Self {
        self.body_sent = Some(report);
        self
    }
}

/// Where a call goes: the service endpoint, or a bucket.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// `get_service`: the service domain, or the regional one.
    Service {
        /// Region, for the regional service domain.
        region: Option<&'a str>,
    },
    /// A bucket in a region.
    Bucket {
        /// `{name}-{appid}`.
        bucket: &'a str,
        /// Region.
        region: &'a str,
    },
}

/// A resolved endpoint: scheme, host and the path prefix (the bucket, in path style).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) scheme: &'static str,
    pub(crate) host: String,
    pub(crate) path_prefix: String,
}

/// Builds a [`Client`]; every option of the JS SDK's constructor that applies, with its
/// default.
pub struct ClientBuilder {
    config: Config,
    transport: Option<Arc<dyn Transport>>,
    credentials: CredentialSource,
    /// The provider, and whether it is told the scope.
    temporary: Option<(Arc<TemporaryFetch>, bool)>,
    clock: Option<Arc<Clock>>,
}

type TemporaryFetch = crate::auth::TemporaryFetch;

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the JS SDK's defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            config: Config::default(),
            transport: None,
            credentials: CredentialSource::Anonymous,
            temporary: None,
            clock: None,
        }
    }

    /// A client from `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_SECURITY_TOKEN` (optional) and
    /// `COS_REGION` (optional).
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        Self::builder_from_env()?.build()
    }

    /// A builder preset from the `COS_*` variables, for further options.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let id = var("COS_SECRET_ID").ok_or_else(|| Error::invalid("COS_SECRET_ID", "is not set"))?;
        let key = var("COS_SECRET_KEY").ok_or_else(|| Error::invalid("COS_SECRET_KEY", "is not set"))?;
        let mut creds = Credentials::new(id, key);
        if let Some(token) = var("COS_SECURITY_TOKEN") {
            creds = creds.with_security_token(token);
        }
        let mut builder = Client::builder().credentials(creds);
        if let Some(region) = var("COS_REGION") {
            builder = builder.region(region);
        }
        Ok(builder)
    }

    /// A handle on `bucket` (`{name}-{appid}`) in the client's region.
    pub fn bucket(&self, bucket: impl Into<String>) -> Bucket {
        Bucket { client: self.clone(), name: bucket.into(), region: self.inner.config.region.clone() }
    }

    /// A handle on `bucket` in `region`.
    pub fn bucket_in(&self, bucket: impl Into<String>, region: impl Into<String>) -> Bucket {
        Bucket { client: self.clone(), name: bucket.into(), region: Some(region.into()) }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The clock offset in seconds currently applied when signing (SystemClockOffset plus what
    /// RequestTimeTooSkewed answers taught).
    pub fn clock_offset(&self) -> i64 {
        self.inner.clock_offset.load(Ordering::Relaxed)
    }

    /// Now, in Unix seconds, as the server sees it (local clock plus offset).
    pub(crate) fn now(&self) -> u64 {
        let local = self.inner.clock.as_ref().map(|c| c()).unwrap_or_else(unix_now);
        local.saturating_add_signed(self.clock_offset())
    }

    fn local_now(&self) -> u64 {
        self.inner.clock.as_ref().map(|c| c()).unwrap_or_else(unix_now)
    }

    pub(crate) fn endpoint(&self, scope: Scope<'_>) -> Result<Endpoint> {
        let config = &self.inner.config;
        let scheme = config.protocol.as_str();
        match scope {
            Scope::Service { region } => {
                if let Some(r) = region {
                    config::validate_region(r)?;
                }
                Ok(Endpoint { scheme, host: config.service_host(region), path_prefix: String::new() })
            }
            Scope::Bucket { bucket, region } => {
                config::validate_bucket(bucket)?;
                config::validate_region(region)?;
                let host = config.bucket_host(bucket, region);
                let path_prefix = if config.force_path_style { format!("/{bucket}") } else { String::new() };
                Ok(Endpoint { scheme, host, path_prefix })
            }
        }
    }

    /// Runs one operation through the pipeline: endpoint, signing, transport, retries, error
    /// mapping, parsing. Every call of this crate goes through here; use it for calls the
    /// crate does not wrap.
    ///
    /// ```no_run
    /// use tencent_cos::client::Scope;
    /// use tencent_cos::http::{Method, Response};
    /// use tencent_cos::operation::{Operation, OperationRequest};
    ///
    /// struct GetTagging;
    /// impl Operation for GetTagging {
    ///     type Output = Vec<u8>;
    ///     fn build(&mut self) -> tencent_cos::Result<OperationRequest> {
    ///         Ok(OperationRequest::new(Method::Get).with_query("tagging", ""))
    ///     }
    ///     fn parse(&mut self, mut r: Response) -> tencent_cos::Result<Vec<u8>> {
    ///         Ok(r.read_body(1 << 20)?)
    ///     }
    /// }
    ///
    /// let client = tencent_cos::Client::from_env()?;
    /// let xml = client.execute(Scope::Bucket { bucket: "examplebucket-1250000000", region: "ap-guangzhou" }, GetTagging)?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn execute<O: Operation>(&self, scope: Scope<'_>, op: O) -> Result<O::Output> {
        self.execute_with(scope, op, &CallOptions::default())
    }

    /// [`execute`](Client::execute) with per-call options: a [`CancelToken`] that ends the call
    /// (before an attempt, during a backoff sleep) with [`Error::Cancelled`].
    ///
    /// ```
    /// use tencent_cos::client::{CallOptions, Scope};
    /// use tencent_cos::{CancelToken, Error};
    /// let client = tencent_cos::Client::builder().secret("AKIDEXAMPLE", "secret").region("ap-guangzhou").build()?;
    /// let token = CancelToken::new();
    /// token.cancel();
    /// let scope = Scope::Bucket { bucket: "examplebucket-1250000000", region: "ap-guangzhou" };
    /// let op = tencent_cos::api::bucket::HeadBucketInput;
    /// let result = client.execute_with(scope, op, &CallOptions::new().cancel(token));
    /// assert!(matches!(result, Err(Error::Cancelled)));   // and nothing was sent
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn execute_with<O: Operation>(&self, scope: Scope<'_>, mut op: O, options: &CallOptions) -> Result<O::Output> {
        let mut call = CallState::new(options.cancel.clone());
        call.body_sent = options.body_sent.clone();
        call.check()?;
        let mut request = op.build()?;
        if op.resumes_body() && request.method == Method::Get {
            // An object download: its body is read after this returns, and continued with
            // ranged GETs when it breaks off, on what is left of this call's budget.
            let template = request.try_clone();
            call.min_throughput = self.inner.config.min_throughput;
            let mut response = self.send_request(scope, request, op.is_idempotent(), &mut call)?;
            if !op.accepts_status(response.status) {
                let err = self.error_from_response(response);
                return op.recover(err);
            }
            if let Some(template) = template {
                response = resume::resuming(self, scope, template, response, call);
            }
            return op.parse(response);
        }
        // A body that breaks off while it is parsed (a dropped connection, a stall) is retried
        // like a failed send, for requests that can be repeated safely: not POST.
        let mut spare = if request.method == Method::Post { None } else { request.try_clone() };
        loop {
            let response = self.send_request(scope, request, op.is_idempotent(), &mut call)?;
            let result = if op.accepts_status(response.status) {
                op.parse(response).map(|mut output| {
                    op.locate(&mut output, location_of(&call.url));
                    output
                })
            } else {
                let err = self.error_from_response(response);
                op.recover(err)
            };
            let body_broke = matches!(
                result,
                Err(Error::Io(_) | Error::Transport { kind: TransportErrorKind::Timeout | TransportErrorKind::Io, .. })
            );
            match (body_broke, spare.take()) {
                (true, Some(again)) if call.can_retry(&self.inner.config.retry) => {
                    call.backoff(&self.inner.config.retry)?;
                    spare = again.try_clone();
                    request = again;
                }
                _ => return result,
            }
        }
    }

    fn error_from_response(&self, mut response: Response) -> Error {
        let body = response.read_body(MAX_ERROR_BODY).unwrap_or_default();
        Error::from(parse_service_error(response.status, &response.headers, &body))
    }

    /// Sends a built request with signing and retries; returns whatever status came back.
    /// Every transport request counts against `call`'s one budget of `max_retries + 1`.
    pub(crate) fn send_request(
        &self,
        scope: Scope<'_>,
        request: OperationRequest,
        idempotent: bool,
        call: &mut CallState,
    ) -> Result<Response> {
        let OperationRequest { method, key, query, headers, body } = request;
        validate_headers(&headers)?;
        let key = match key {
            Some(k) => {
                config::validate_key(&k)?;
                Some(strip_leading_slash(&k).to_owned())
            }
            None => None,
        };
        let endpoint = self.endpoint(scope)?;
        let (url, signing_path) = build_url(&endpoint, key.as_deref(), &query);
        call.url.clone_from(&url);

        let policy: &RetryPolicy = &self.inner.config.retry;
        let mut body = Some(body);
        loop {
            call.check()?;
            // Keep the original while a replay is possible; a one-shot reader goes out once.
            let current = body.as_ref().and_then(Body::try_clone);
            let (send_body, replayable) = match current {
                Some(b) => (b, true),
                None => (body.take().unwrap_or(Body::Empty), false),
            };
            let wire_headers = self.sign_headers(
                scope,
                method,
                key.as_deref().unwrap_or(""),
                &signing_path,
                &endpoint,
                &query,
                &headers,
                send_body.len(),
            )?;
            let send_body = match &call.body_sent {
                Some(report) if !send_body.is_empty() => {
                    let len = send_body.len();
                    let reader = CountedBody { inner: send_body.into_reader(), sent: 0, report: report.clone() };
                    Body::Reader { reader: Box::new(reader), len }
                }
                _ => send_body,
            };
            let request = Request { method, url: url.clone(), headers: wire_headers, body: send_body };
            call.requests += 1;
            let outcome = self.inner.transport.send(request);
            let can_retry = replayable && call.can_retry(policy);
            match outcome {
                Ok(response) if response.status >= 500 && can_retry => {
                    drop(response);
                    call.backoff(policy)?;
                }
                Ok(mut response)
                    if response.status == 403
                        && can_retry
                        && !call.skew_corrected
                        && self.inner.config.correct_clock_skew =>
                {
                    let raw = response.read_body(MAX_ERROR_BODY).unwrap_or_default();
                    let err = parse_service_error(403, &response.headers, &raw);
                    let skewed = err.code == "RequestTimeTooSkewed"
                        || (err.code == "AccessDenied" && err.message.contains("Request has expired"));
                    let date = response.headers.get("date").and_then(|d| httpdate::parse_http_date(d).ok());
                    let offset = date.filter(|_| skewed).and_then(|server| {
                        let server = server.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
                        let offset = i64::try_from(server).ok()? - i64::try_from(self.local_now()).ok()?;
                        (offset.unsigned_abs() <= MAX_CLOCK_SKEW_CORRECTION.as_secs()).then_some(offset)
                    });
                    match offset {
                        Some(offset) => {
                            self.inner.clock_offset.store(offset, Ordering::Relaxed);
                            call.skew_corrected = true;
                        }
                        None => {
                            return Ok(Response {
                                status: response.status,
                                headers: response.headers,
                                body: Box::new(std::io::Cursor::new(raw)),
                            });
                        }
                    }
                }
                Ok(mut response) => {
                    // Its timeouts read as transport timeouts; a download's is watched for stalls.
                    response.body = Box::new(GuardedBody::new(response.body, call.min_throughput));
                    return Ok(response);
                }
                Err(e)
                    if e.is_retryable()
                        && can_retry
                        && (idempotent || e.transport_kind() == Some(TransportErrorKind::Connect)) =>
                {
                    call.backoff(policy)?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The wire headers of one attempt: the operation's headers, `User-Agent`, `Content-Length`,
    /// `Authorization`, `Host` (the node SDK's order), then the security token.
    #[allow(clippy::too_many_arguments)]
    fn sign_headers(
        &self,
        scope: Scope<'_>,
        method: Method,
        key: &str,
        signing_path: &str,
        endpoint: &Endpoint,
        query: &[(String, String)],
        op_headers: &Headers,
        body_len: u64,
    ) -> Result<Headers> {
        let config = &self.inner.config;
        let mut headers = op_headers.clone();
        if !headers.contains("user-agent") {
            headers.append("User-Agent", config.user_agent.clone());
        }
        // The node SDK sends Content-Length on every request but a body-less GET, and signs it.
        if !headers.contains("content-length") && (method != Method::Get || body_len > 0) {
            headers.append("Content-Length", body_len.to_string());
        }
        let host = endpoint.host.clone();

        // What is signed: allow-listed and x-cos-* headers with a value (the node SDK drops
        // empty ones before signing but still sends them), plus Host.
        let mut signed: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, v)| !v.is_empty() && is_signed_header(n) && !n.eq_ignore_ascii_case("host"))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        if config.force_sign_host {
            signed.push(("Host".to_owned(), host.clone()));
        }

        let (authorization, token) = match &self.inner.credentials {
            CredentialSource::Anonymous => (None, None),
            CredentialSource::Static(c) => {
                (Some(self.sign_with(c, method, signing_path, query, &signed)), c.security_token().map(str::to_owned))
            }
            CredentialSource::Temporary(p) => {
                let c = p.get(&credential_scope(scope), self.now())?;
                (Some(self.sign_with(&c, method, signing_path, query, &signed)), c.security_token().map(str::to_owned))
            }
            CredentialSource::Callback(cb) => {
                let (bucket, region) = match scope {
                    Scope::Bucket { bucket, region } => (Some(bucket), Some(region)),
                    Scope::Service { region } => (None, region),
                };
                let req =
                    AuthorizationRequest { method: method.as_str(), key, query, headers: &signed, bucket, region };
                let SignedAuthorization { authorization, security_token } =
                    cb(&req).map_err(|e| Error::Credentials(format!("authorization callback failed: {e}")))?;
                config::validate_header_value("authorization", &authorization)?;
                (Some(authorization), security_token)
            }
        };
        if let Some(a) = authorization {
            headers.insert("Authorization", a);
        }
        headers.insert("Host", host);
        if let Some(t) = token {
            config::validate_header_value("security_token", &t)?;
            headers.insert("x-cos-security-token", t);
        }
        Ok(headers)
    }

    fn sign_with(
        &self,
        creds: &Credentials,
        method: Method,
        path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
    ) -> String {
        let now = self.now();
        let start = now.saturating_sub(1);
        sign_parts(
            creds.secret_id(),
            creds.secret_key(),
            method.as_str(),
            path,
            query.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            start,
            start + 900,
        )
    }
}

fn strip_leading_slash(key: &str) -> &str {
    key.strip_prefix('/').unwrap_or(key)
}

fn validate_headers(headers: &Headers) -> Result<()> {
    for (name, value) in headers.iter() {
        config::validate_header_name(name)?;
        config::validate_header_value("headers", value)?;
    }
    Ok(())
}

/// The URL and the path that is signed (decoded) for a key and query.
pub(crate) fn build_url(endpoint: &Endpoint, key: Option<&str>, query: &[(String, String)]) -> (String, String) {
    let mut signing_path = endpoint.path_prefix.clone();
    signing_path.push('/');
    let mut url = String::with_capacity(64);
    url.push_str(endpoint.scheme);
    url.push_str("://");
    url.push_str(&endpoint.host);
    url.push_str(&endpoint.path_prefix);
    url.push('/');
    if let Some(k) = key {
        url.push_str(&encode_key(k));
        signing_path.push_str(k);
    }
    for (i, (name, value)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&encode_component(name));
        url.push('=');
        url.push_str(&encode_component(value));
    }
    (url, signing_path)
}

fn validate_builder_str(field: &'static str, v: &str) -> Result<()> {
    config::validate_header_value(field, v)
}

impl ClientBuilder {
    /// Permanent (or temporary, with a token) keys.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = CredentialSource::Static(credentials);
        self.temporary = None;
        self
    }

    /// SecretId and SecretKey.
    pub fn secret(self, secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.credentials(Credentials::new(secret_id, secret_key))
    }

    /// Temporary keys from `provider` (the JS `getAuthorization` format 1, or `getSTS`): called
    /// lazily, cached, and called again `refresh_margin` (default 60 s) before `expired_time`.
    /// When many threads need keys at once it runs once. A failing provider surfaces as
    /// [`Error::Credentials`].
    ///
    /// ```
    /// use tencent_cos::{Client, TemporaryCredentials};
    /// let client = Client::builder()
    ///     .temporary_credentials(|| {
    ///         // Ask your STS server here.
    ///         Ok::<_, std::io::Error>(TemporaryCredentials {
    ///             tmp_secret_id: "AKIDtmp".into(),
    ///             tmp_secret_key: "tmpkey".into(),
    ///             security_token: "token".into(),
    ///             expired_time: 4_000_000_000,
    ///             start_time: None,
    ///         })
    ///     })
    ///     .region("ap-guangzhou")
    ///     .build()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn temporary_credentials<F, E>(mut self, provider: F) -> Self
    where
        F: Fn() -> std::result::Result<TemporaryCredentials, E> + Send + Sync + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.temporary = Some((Arc::new(move |_: &CredentialScope<'_>| provider().map_err(Into::into)), false));
        self
    }

    /// Temporary keys from a `provider` told the bucket and region of the request being signed
    /// (the JS `getAuthorization` format 1 gets `options.Bucket` and `options.Region`), so a
    /// server can issue keys limited to them. Keys are cached per (bucket, region) and
    /// refreshed as with [`temporary_credentials`](Self::temporary_credentials).
    ///
    /// ```
    /// use tencent_cos::{Client, CredentialScope, TemporaryCredentials};
    /// let client = Client::builder()
    ///     .temporary_credentials_for(|scope: &CredentialScope<'_>| {
    ///         // Ask your STS server for keys limited to scope.bucket in scope.region.
    ///         let _ = (scope.bucket, scope.region);
    ///         Ok(TemporaryCredentials {
    ///             tmp_secret_id: "AKIDtmp".into(),
    ///             tmp_secret_key: "tmpkey".into(),
    ///             security_token: "token".into(),
    ///             expired_time: 4_000_000_000,
    ///             start_time: None,
    ///         })
    ///     })
    ///     .region("ap-guangzhou")
    ///     .build()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn temporary_credentials_for<F>(mut self, provider: F) -> Self
    where
        F: Fn(
                &CredentialScope<'_>,
            ) -> std::result::Result<TemporaryCredentials, Box<dyn std::error::Error + Send + Sync>>
            + Send
            + Sync
            + 'static,
    {
        self.temporary = Some((Arc::new(provider), true));
        self
    }

    /// Seconds before expiry that temporary keys are refreshed (default 60).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.config.credential_refresh_margin = margin.as_secs();
        self
    }

    /// A callback that returns a ready Authorization for each request (the JS
    /// `getAuthorization` format 2): for servers that sign on behalf of clients.
    ///
    /// ```
    /// use tencent_cos::{Client, SignedAuthorization};
    /// let client = Client::builder()
    ///     .authorization_callback(|req| {
    ///         // Send req.method, req.key, req.query, req.headers to your signing server.
    ///         let _ = (req.method, req.key, req.bucket, req.region);
    ///         Ok::<_, std::io::Error>(SignedAuthorization::new("q-sign-algorithm=sha1&..."))
    ///     })
    ///     .region("ap-guangzhou")
    ///     .build()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn authorization_callback<F, E>(mut self, callback: F) -> Self
    where
        F: Fn(&AuthorizationRequest<'_>) -> std::result::Result<SignedAuthorization, E> + Send + Sync + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let cb: Arc<AuthorizationCallback> =
            Arc::new(move |r: &AuthorizationRequest<'_>| callback(r).map_err(Into::into));
        self.credentials = CredentialSource::Callback(cb);
        self.temporary = None;
        self
    }

    /// Sends requests unsigned (public-read buckets).
    pub fn anonymous(mut self) -> Self {
        self.credentials = CredentialSource::Anonymous;
        self.temporary = None;
        self
    }

    /// Default region of buckets.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = Some(region.into());
        self
    }

    /// FileParallelLimit (default 3).
    pub fn file_parallel_limit(mut self, n: usize) -> Self {
        self.config.file_parallel_limit = n;
        self
    }

    /// ChunkParallelLimit (default 3).
    pub fn chunk_parallel_limit(mut self, n: usize) -> Self {
        self.config.chunk_parallel_limit = n;
        self
    }

    /// ChunkSize in bytes (default 1 MiB, at least 1 MiB).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.config.chunk_size = bytes;
        self
    }

    /// SliceSize in bytes (default 1 MiB).
    pub fn slice_size(mut self, bytes: u64) -> Self {
        self.config.slice_size = bytes;
        self
    }

    /// ChunkRetryTimes (default 2).
    pub fn chunk_retry_times(mut self, n: u32) -> Self {
        self.config.chunk_retry_times = n;
        self
    }

    /// CopyChunkParallelLimit (default 20).
    pub fn copy_chunk_parallel_limit(mut self, n: usize) -> Self {
        self.config.copy_chunk_parallel_limit = n;
        self
    }

    /// CopyChunkSize in bytes (default 10 MiB).
    pub fn copy_chunk_size(mut self, bytes: u64) -> Self {
        self.config.copy_chunk_size = bytes;
        self
    }

    /// CopySliceSize in bytes (default 10 MiB).
    pub fn copy_slice_size(mut self, bytes: u64) -> Self {
        self.config.copy_slice_size = bytes;
        self
    }

    /// MaxPartNumber: most parts of one upload, 1024 to 10000 (default 10000).
    pub fn max_part_number(mut self, parts: u64) -> Self {
        self.config.max_part_number = parts;
        self
    }

    /// UploadQueueSize (default 1000).
    pub fn upload_queue_size(mut self, n: usize) -> Self {
        self.config.upload_queue_size = n;
        self
    }

    /// ProgressInterval (default 1 s).
    pub fn progress_interval(mut self, interval: Duration) -> Self {
        self.config.progress_interval = interval;
        self
    }

    /// Protocol (default `https`).
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.config.protocol = protocol;
        self
    }

    /// Domain: bucket host template (`{Bucket}`, `{BucketName}`, `{AppId}`, `{Region}`), a
    /// custom or CDN domain. May carry a port.
    pub fn domain(mut self, template: impl Into<String>) -> Self {
        self.config.domain = template.into();
        self
    }

    /// ServiceDomain (default `service.cos.myqcloud.com`).
    pub fn service_domain(mut self, domain: impl Into<String>) -> Self {
        self.config.service_domain = domain.into();
        self
    }

    /// ForcePathStyle: `{domain}/{bucket}/{key}` instead of `{bucket}.{domain}/{key}`.
    pub fn force_path_style(mut self, on: bool) -> Self {
        self.config.force_path_style = on;
        self
    }

    /// Everything at `http://{addr}/{bucket}/{key}`: an emulator or a private deployment.
    ///
    /// ```
    /// let client = tencent_cos::Client::builder().endpoint_url("http://127.0.0.1:9000")?.region("ap-guangzhou").build()?;
    /// assert_eq!(client.config().domain, "127.0.0.1:9000");
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn endpoint_url(mut self, url: &str) -> Result<Self> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| Error::invalid("endpoint_url", "must start with http:// or https://"))?;
        self.config.protocol =
            Protocol::parse(scheme).ok_or_else(|| Error::invalid("endpoint_url", "scheme must be http or https"))?;
        let host = rest.trim_end_matches('/');
        self.config.domain = host.to_owned();
        self.config.service_domain = host.to_owned();
        self.config.force_path_style = true;
        Ok(self)
    }

    /// UseAccelerate: `{Bucket}.cos.accelerate.myqcloud.com`.
    pub fn use_accelerate(mut self, on: bool) -> Self {
        self.config.use_accelerate = on;
        self
    }

    /// Timeout of one request, body included (default: none).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = Some(timeout);
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = Some(timeout);
        self
    }

    /// The longest wait for response bytes: the head once a request is sent, and each read of
    /// the body (default 30 s, see [`Config::read_timeout`]; `None`: no limit). An expired
    /// wait is a [`TransportErrorKind::Timeout`], retried for idempotent calls (and resumed,
    /// for an object download's body) within the retry budget.
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = tencent_cos::Client::builder().read_timeout(Some(Duration::from_secs(5))).build()?;
    /// assert_eq!(client.config().read_timeout, Some(Duration::from_secs(5)));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.read_timeout = timeout;
        self
    }

    /// Stalled-download detection (default 1 B/s over 20 s, see [`Config::min_throughput`];
    /// `None`: off) for object bodies. A stall is a [`TransportErrorKind::Timeout`], and the
    /// body resumes within the call's budget.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tencent_cos::config::MinThroughput;
    /// let slowest = MinThroughput { bytes_per_second: 10 * 1024, grace_period: Duration::from_secs(5) };
    /// let client = tencent_cos::Client::builder().min_throughput(Some(slowest)).build()?;
    /// assert_eq!(client.config().min_throughput, Some(slowest));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn min_throughput(mut self, min: Option<crate::config::MinThroughput>) -> Self {
        self.config.min_throughput = min;
        self
    }

    /// UserAgent.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.config.user_agent = ua.into();
        self
    }

    /// SystemClockOffset, in seconds.
    pub fn system_clock_offset(mut self, seconds: i64) -> Self {
        self.config.system_clock_offset = seconds;
        self
    }

    /// CorrectClockSkew (default on).
    pub fn correct_clock_skew(mut self, on: bool) -> Self {
        self.config.correct_clock_skew = on;
        self
    }

    /// ForceSignHost (default on).
    pub fn force_sign_host(mut self, on: bool) -> Self {
        self.config.force_sign_host = on;
        self
    }

    /// Retry policy (default: 3 retries, 100 ms doubling to 5 s, with jitter).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// The transport (default: [`UreqTransport`] with the configured timeouts).
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// A clock (Unix seconds) used instead of the system's, for replaying recorded requests.
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Replaces the whole configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Checks the options and builds the client.
    pub fn build(self) -> Result<Client> {
        self.config.validate()?;
        validate_builder_str("user_agent", &self.config.user_agent)?;
        if let CredentialSource::Static(c) = &self.credentials {
            validate_builder_str("secret_id", c.secret_id())?;
            if c.secret_id().is_empty() || c.secret_key().is_empty() {
                return Err(Error::invalid("credentials", "SecretId and SecretKey must not be empty"));
            }
            if c.secret_id().contains(' ') || c.secret_key().contains(' ') {
                return Err(Error::invalid("credentials", "SecretId and SecretKey must not contain spaces"));
            }
        }
        let credentials = match self.temporary {
            Some((fetch, scoped)) => CredentialSource::Temporary(Arc::new(TemporaryProvider::new(
                fetch,
                self.config.credential_refresh_margin,
                scoped,
            ))),
            None => self.credentials,
        };
        let transport = self.transport.unwrap_or_else(|| {
            Arc::new(UreqTransport::with_read_timeout(
                self.config.connect_timeout,
                self.config.timeout,
                self.config.read_timeout,
            ))
        });
        let offset = self.config.system_clock_offset;
        Ok(Client {
            inner: Arc::new(ClientInner {
                config: self.config,
                transport,
                credentials,
                clock: self.clock,
                clock_offset: AtomicI64::new(offset),
                extension: std::sync::OnceLock::new(),
            }),
        })
    }
}

/// A bucket handle: the client plus a bucket name and region. Cheap to clone.
#[derive(Clone)]
pub struct Bucket {
    pub(crate) client: Client,
    name: String,
    region: Option<String>,
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket").field("name", &self.name).field("region", &self.region).finish()
    }
}

impl Bucket {
    /// `{name}-{appid}`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The region, from `bucket_in` or the client's default.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The scope of this bucket's calls; fails when no region is known.
    pub fn scope(&self) -> Result<Scope<'_>> {
        let region = self.region.as_deref().ok_or_else(|| {
            Error::invalid("region", "no region: use Client::builder().region(..) or client.bucket_in(name, region)")
        })?;
        Ok(Scope::Bucket { bucket: &self.name, region })
    }

    /// Runs an operation on this bucket (see [`Client::execute`]).
    pub fn execute<O: Operation>(&self, op: O) -> Result<O::Output> {
        self.client.execute(self.scope()?, op)
    }

    /// Runs an operation on this bucket with per-call options (see [`Client::execute_with`]).
    pub fn execute_with<O: Operation>(&self, op: O, options: &CallOptions) -> Result<O::Output> {
        self.client.execute_with(self.scope()?, op, options)
    }
}

/// The scope a temporary-credentials provider is told for a request.
pub(crate) fn credential_scope<'a>(scope: Scope<'a>) -> CredentialScope<'a> {
    match scope {
        Scope::Bucket { bucket, region } => CredentialScope { bucket: Some(bucket), region: Some(region) },
        Scope::Service { region } => CredentialScope { bucket: None, region },
    }
}

/// Where a request's URL points, as the JS SDK reports `Location`: host and encoded path, no
/// scheme, no query.
fn location_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split_once('?').map_or(rest, |(path, _)| path)
}
