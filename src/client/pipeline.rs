//! The one send pipeline every call goes through: endpoint -> build -> sign -> transport ->
//! retry -> error mapping -> parse (the contracts are in the [`client`](super) module docs).

use std::sync::atomic::Ordering;

use super::MAX_CLOCK_SKEW_CORRECTION;
use super::{BodySent, CallOptions, Client, Scope, credential_scope, resume};
use crate::auth::{
    AuthorizationRequest, CredentialSource, Credentials, SignedAuthorization, is_signed_header, sign_parts,
};
use crate::cancel::CancelToken;
use crate::config;
use crate::error::{Error, Result, TransportErrorKind};
use crate::http::{Body, GuardedBody, Headers, Method, Request, Response};
use crate::operation::{Operation, OperationRequest, content_length_of};
use crate::percent::{encode_component, encode_key};
use crate::retry::RetryPolicy;
use crate::xml::parse_service_error;

/// Largest error body read to find the `<Error>` fields.
const MAX_ERROR_BODY: u64 = 1024 * 1024;

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
}

impl CallState {
    pub(crate) fn new(cancel: Option<CancelToken>) -> Self {
        CallState { requests: 0, retries: 0, skew_corrected: false, cancel, min_throughput: None, body_sent: None }
    }

    /// `Err(Error::Cancelled)` once the call's token is cancelled.
    pub(super) fn check(&self) -> Result<()> {
        self.cancel.as_ref().map_or(Ok(()), CancelToken::check)
    }

    /// True while another transport request fits in the budget.
    pub(super) fn can_retry(&self, policy: &RetryPolicy) -> bool {
        self.requests <= policy.max_retries
    }

    /// Waits the backoff of the next retry, cut short by a cancel.
    pub(super) fn backoff(&mut self, policy: &RetryPolicy) -> Result<()> {
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
            self.report.report(self.sent);
        }
        Ok(n)
    }
}

/// Where a call goes and what is signed, worked out once per call by [`Client::target`] and
/// shared by its retries and the resumes of a download body.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub(crate) method: Method,
    /// The key, checked and without its leading `/`; `None` for bucket and service calls.
    pub(crate) key: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) endpoint: Endpoint,
    pub(crate) url: String,
    /// The decoded path that is signed.
    pub(crate) signing_path: String,
}

/// A resolved endpoint: scheme, host and the path prefix (the bucket, in path style).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) scheme: &'static str,
    pub(crate) host: String,
    pub(crate) path_prefix: String,
}

impl Client {
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
    /// use tencent_cos::Scope;
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
    /// use tencent_cos::{CallOptions, Scope};
    /// use tencent_cos::{CancelToken, Error};
    /// let client = tencent_cos::Client::builder().secret("AKIDEXAMPLE", "secret").region("ap-guangzhou").build()?;
    /// let token = CancelToken::new();
    /// token.cancel();
    /// let scope = Scope::Bucket { bucket: "examplebucket-1250000000", region: "ap-guangzhou" };
    /// let op = tencent_cos::api::HeadBucketInput;
    /// let result = client.execute_with(scope, op, &CallOptions::new().cancel(token));
    /// assert!(matches!(result, Err(Error::Cancelled)));   // and nothing was sent
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn execute_with<O: Operation>(&self, scope: Scope<'_>, mut op: O, options: &CallOptions) -> Result<O::Output> {
        let mut call = CallState::new(options.cancel.clone());
        call.body_sent = options.body_sent.clone();
        call.check()?;
        let OperationRequest { method, key, query, headers, body } = op.build()?;
        // Checked, resolved and encoded once per call, whatever its retries and resumes.
        validate_headers(&headers)?;
        let target = self.target(scope, method, key, query)?;
        let idempotent = op.is_idempotent();
        if op.resumes_body() && method == Method::Get {
            // An object download: its body is read after this returns, and continued with
            // ranged GETs when it breaks off, on what is left of this call's budget.
            call.min_throughput = self.inner.config.min_throughput;
            let mut response = self.send_request(scope, &target, &headers, body, idempotent, &mut call)?;
            if !op.accepts_status(response.status) {
                let err = self.error_from_response(response);
                return op.recover(err);
            }
            response = resume::resuming(self, scope, target, headers, response, call);
            return op.parse(response);
        }
        // A body that breaks off while it is parsed (a dropped connection, a stall) is retried
        // like a failed send, for requests that can be repeated safely: not POST.
        let mut spare = if method == Method::Post { None } else { body.try_clone() };
        let mut body = body;
        loop {
            let response = self.send_request(scope, &target, &headers, body, idempotent, &mut call)?;
            let result = if op.accepts_status(response.status) {
                op.parse(response).map(|mut output| {
                    op.locate(&mut output, location_of(&target.url));
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
                    body = again;
                }
                _ => return result,
            }
        }
    }

    pub(super) fn error_from_response(&self, mut response: Response) -> Error {
        let body = response.read_body(MAX_ERROR_BODY).unwrap_or_default();
        Error::from(parse_service_error(response.status, &response.headers, &body))
    }

    /// Where a call goes, worked out once: the key checked and normalized
    /// ([`config::object_key`]), the endpoint resolved, the URL and the signed path built
    /// (the key encoded once, in [`build_url`]).
    pub(crate) fn target(
        &self,
        scope: Scope<'_>,
        method: Method,
        key: Option<String>,
        query: Vec<(String, String)>,
    ) -> Result<Target> {
        let key = match key {
            Some(k) => {
                config::validate_key(&k)?;
                Some(config::object_key(&k).to_owned())
            }
            None => None,
        };
        let endpoint = self.endpoint(scope)?;
        let (url, signing_path) = build_url(&endpoint, key.as_deref(), &query);
        Ok(Target { method, key, query, endpoint, url, signing_path })
    }

    /// The URL a request is sent to: `url`, or with the [`ip`](crate::ClientBuilder::ip) in
    /// place of its host (the host stays in the `Host` header and the signature).
    fn connect_url(&self, url: &str, endpoint: &Endpoint) -> String {
        match &self.inner.config.ip {
            Some(ip) => {
                let rest = &url[endpoint.scheme.len() + "://".len() + endpoint.host.len()..];
                format!("{}://{ip}{rest}", endpoint.scheme)
            }
            None => url.to_owned(),
        }
    }

    /// The JS SDK's `Location` of `key` in `scope` (host and encoded path), from the same
    /// [`target`](Client::target) a request to it would have.
    pub(crate) fn location(&self, scope: Scope<'_>, key: &str) -> Result<String> {
        let target = self.target(scope, Method::Get, Some(key.to_owned()), Vec::new())?;
        Ok(location_of(&target.url).to_owned())
    }

    /// Sends a request to `target` with signing and retries; returns whatever status came
    /// back. `headers` were checked once for the call (`validate_headers`). Every transport
    /// request counts against `call`'s one budget of `max_retries + 1`.
    pub(crate) fn send_request(
        &self,
        scope: Scope<'_>,
        target: &Target,
        headers: &Headers,
        body: Body,
        idempotent: bool,
        call: &mut CallState,
    ) -> Result<Response> {
        let Target { method, key, query, endpoint, url, signing_path } = target;
        let method = *method;
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
                signing_path,
                endpoint,
                query,
                headers,
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
            let request =
                Request { method, url: self.connect_url(url, endpoint), headers: wire_headers, body: send_body };
            call.requests += 1;
            let started = std::time::Instant::now();
            let outcome = self.inner.transport.send(request);
            log_outcome(method, url, &outcome, started.elapsed(), call.requests);
            let can_retry = replayable && call.can_retry(policy);
            match outcome {
                Ok(response) if response.status >= 500 && can_retry => {
                    log::info!("retrying {method} {}: status {}", crate::http::redacted_url(url), response.status);
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
                            log::warn!("clock skew: COS's clock is {offset} s from ours; signing with it from now on");
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
                    log::info!("retrying {method} {}: {e}", crate::http::redacted_url(url));
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
        if let (false, Some(len)) = (headers.contains("content-length"), content_length_of(method, body_len)) {
            headers.append("Content-Length", len.to_string());
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

/// The one check of a call's header values (CR, LF and NUL would split the request), made
/// once per call before any request. A refused value names the builder field that set it:
/// `Content-Type` is `content_type`, `x-cos-grant-read` is `grant_read`; a header no single builder field
/// sets (`x-cos-meta-*`, `.header()`) is `headers`.
fn validate_headers(headers: &Headers) -> Result<()> {
    for (name, value) in headers.iter() {
        config::validate_header_name(name)?;
        config::validate_header_value(header_field(name), value)?;
    }
    Ok(())
}

/// The builder fields that set a header, named after it (`x-cos-` dropped, `-` as `_`).
const HEADER_FIELDS: &[&str] = &[
    "access_control_request_headers",
    "access_control_request_method",
    "acl",
    "cache_control",
    "content_disposition",
    "content_encoding",
    "content_type",
    "copy_source",
    "copy_source_if_match",
    "copy_source_if_modified_since",
    "copy_source_if_none_match",
    "copy_source_if_unmodified_since",
    "copy_source_range",
    "expect",
    "expires",
    "grant_full_control",
    "grant_read",
    "grant_read_acp",
    "grant_write",
    "grant_write_acp",
    "if_match",
    "if_modified_since",
    "if_none_match",
    "if_unmodified_since",
    "metadata_directive",
    "origin",
    "range",
    "storage_class",
];

fn header_field(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let bare = lower.strip_prefix("x-cos-").unwrap_or(&lower);
    let field = bare.replace('-', "_");
    HEADER_FIELDS.iter().find(|f| **f == field).copied().unwrap_or("headers")
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

/// Where a request's URL points, as the JS SDK reports `Location`: host and encoded path, no
/// scheme, no query.
fn location_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split_once('?').map_or(rest, |(path, _)| path)
}

/// One request at debug level: method, URL (signature and token redacted), status or error,
/// duration, COS's request id, and the attempt number within the call.
fn log_outcome(method: Method, url: &str, outcome: &Result<Response>, took: std::time::Duration, attempt: u32) {
    if !log::log_enabled!(log::Level::Debug) {
        return;
    }
    let url = crate::http::redacted_url(url);
    let ms = took.as_secs_f64() * 1000.0;
    match outcome {
        Ok(r) => {
            let id = r.headers.get("x-cos-request-id").unwrap_or("-");
            log::debug!("{method} {url} -> {} in {ms:.1} ms (request id {id}, attempt {attempt})", r.status);
        }
        Err(e) => log::debug!("{method} {url} -> failed in {ms:.1} ms: {e} (attempt {attempt})"),
    }
}
