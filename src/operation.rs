//! The trait every call implements: build a request, parse the response. The client's pipeline
//! does everything in between (endpoint, signing, transport, retries, error mapping).

use crate::error::{Error, Result};
use crate::http::{Body, Headers, Method, Response};

/// A request as an operation describes it, before endpoint resolution and signing. Its
/// `Debug` redacts a token or signature among the headers and query.
pub struct OperationRequest {
    /// The method.
    pub method: Method,
    /// The object key, raw (not encoded); `None` for bucket and service calls.
    pub key: Option<String>,
    /// Query parameters, raw; all are signed. A sub-resource is `("acl", "")`.
    pub query: Vec<(String, String)>,
    /// Headers set by the operation (Content-Type, x-cos-*, ...).
    pub headers: Headers,
    /// The body.
    pub body: Body,
}

impl std::fmt::Debug for OperationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationRequest")
            .field("method", &self.method)
            .field("key", &self.key)
            .field("query", &crate::http::RedactedPairs(&self.query))
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

impl OperationRequest {
    /// A request with no key, query, headers or body.
    ///
    /// ```
    /// use tencent_cos::http::Method;
    /// use tencent_cos::operation::OperationRequest;
    /// let r = OperationRequest::new(Method::Get).with_query("acl", "");
    /// assert_eq!(r.query, vec![("acl".to_string(), String::new())]);
    /// ```
    pub fn new(method: Method) -> Self {
        OperationRequest { method, key: None, query: Vec::new(), headers: Headers::new(), body: Body::Empty }
    }

    /// Sets the object key.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    /// A copy for a retry, when the body can be replayed.
    pub fn try_clone(&self) -> Option<OperationRequest> {
        Some(OperationRequest {
            method: self.method,
            key: self.key.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.try_clone()?,
        })
    }

    /// Sets an XML body with `Content-Type: application/xml` and its `Content-MD5`, as COS
    /// requires for configuration bodies.
    pub fn with_xml_body(mut self, xml: String) -> Self {
        self.headers.insert("Content-Type", "application/xml");
        self.headers.insert("Content-MD5", crate::checksum::content_md5(xml.as_bytes()));
        self.body = Body::from(xml);
        self
    }
}

/// The Content-Length rule, in one place: the node SDK sends `Content-Length` on every request
/// but a body-less GET, and signs it. The pipeline adds it when the operation did not.
pub(crate) fn content_length_of(method: Method, body_len: u64) -> Option<u64> {
    (method != Method::Get || body_len > 0).then_some(body_len)
}

/// Refuses a declared `Content-Length` that is not the body's length (a declared one is
/// placed among the caller's headers, in the node SDK's order).
pub(crate) fn check_content_length(declared: Option<u64>, body: &Body) -> Result<()> {
    match declared {
        Some(n) if n != body.len() => {
            Err(Error::invalid("content_length", format!("is {n} but the body has {} bytes", body.len())))
        }
        _ => Ok(()),
    }
}

/// One COS call: a pure request builder and a pure response parser.
///
/// Implement it to run a call this crate does not wrap through
/// [`Client::execute`](crate::Client::execute).
///
/// ```
/// use tencent_cos::http::{Method, Response};
/// use tencent_cos::operation::{Operation, OperationRequest};
///
/// /// GET /?tagging on a bucket, returning the raw XML.
/// struct GetBucketTagging;
///
/// impl Operation for GetBucketTagging {
///     type Output = Vec<u8>;
///     fn build(&mut self) -> tencent_cos::Result<OperationRequest> {
///         Ok(OperationRequest::new(Method::Get).with_query("tagging", ""))
///     }
///     fn parse(&mut self, mut response: Response) -> tencent_cos::Result<Vec<u8>> {
///         Ok(response.read_body(1 << 20)?)
///     }
/// }
/// ```
pub trait Operation {
    /// The typed result.
    type Output;

    /// Builds the request. Called once per call; may move the body out of `self`.
    fn build(&mut self) -> Result<OperationRequest>;

    /// Parses a response whose status [`accepts_status`](Operation::accepts_status) allowed.
    fn parse(&mut self, response: Response) -> Result<Self::Output>;

    /// Which statuses are answers rather than errors (default: 2xx).
    fn accepts_status(&self, status: u16) -> bool {
        (200..300).contains(&status)
    }

    /// Fills in where the call's object lives (`location`: host and encoded path of the
    /// request, as the JS SDK's `Location`) on outputs that report it; called by the pipeline
    /// after a successful [`parse`](Operation::parse). Default: nothing.
    fn locate(&self, output: &mut Self::Output, location: &str) {
        let _ = (output, location);
    }

    /// Turns a service error into a result where COS's error means an empty answer (an
    /// unconfigured CORS reads as no rules). Default: the error stands.
    fn recover(&mut self, error: Error) -> Result<Self::Output> {
        Err(error)
    }

    /// False when sending the request twice would do something twice (Initiate Multipart
    /// Upload makes a second upload). Such a request is retried only when it surely never
    /// arrived (the connection could not be made) or COS answered 5xx; after a timeout or a
    /// broken connection the error is returned, so the caller can look before trying again.
    fn is_idempotent(&self) -> bool {
        true
    }

    /// True for the GET of one object whose output streams the body (`get_object`): when
    /// that body breaks off, the pipeline continues it with `Range` from the next byte and
    /// `If-Match` with the first answer's ETag, within the call's retry budget (README
    /// "Contracts"). Default: false (a body parsed in [`parse`](Operation::parse) is
    /// retried whole instead).
    fn resumes_body(&self) -> bool {
        false
    }
}

/// Any request, answered with the raw body: the JS SDK's generic `request()`, for sub-resources
/// this crate does not wrap.
///
/// ```no_run
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::RawRequest;
///
/// let client = tencent_cos::Client::from_env()?;
/// let bucket = client.bucket("examplebucket-1250000000");
/// let out = bucket.execute(RawRequest::new(Method::Get).query("tagging", ""))?;
/// println!("{} {}", out.meta.status, String::from_utf8_lossy(&out.body));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Debug)]
pub struct RawRequest {
    request: Option<OperationRequest>,
    /// Largest body read into memory (default 32 MiB).
    pub body_limit: u64,
}

/// The answer to a [`RawRequest`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RawResponse {
    /// Status and headers.
    pub meta: crate::http::ResponseMeta,
    /// The body.
    pub body: Vec<u8>,
}

impl RawRequest {
    /// A request with `method` on the bucket (or service) root.
    pub fn new(method: Method) -> Self {
        RawRequest { request: Some(OperationRequest::new(method)), body_limit: crate::xml::MAX_XML_BODY }
    }

    fn map(mut self, f: impl FnOnce(OperationRequest) -> OperationRequest) -> Self {
        self.request = self.request.take().map(f);
        self
    }

    /// Targets an object.
    pub fn key(self, key: impl Into<String>) -> Self {
        self.map(|r| r.with_key(key))
    }

    /// Adds a query parameter (signed).
    pub fn query(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|r| r.with_query(name, value))
    }

    /// Adds a header.
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|r| r.with_header(name, value))
    }

    /// Sets the body.
    pub fn body(self, body: impl Into<Body>) -> Self {
        self.map(|r| r.with_body(body))
    }
}

impl Operation for RawRequest {
    type Output = RawResponse;

    fn build(&mut self) -> Result<OperationRequest> {
        self.request.take().ok_or_else(|| Error::invalid_state("request", "a RawRequest can be sent once"))
    }

    fn parse(&mut self, mut response: Response) -> Result<RawResponse> {
        let body = response.read_body(self.body_limit)?;
        Ok(RawResponse { meta: crate::http::ResponseMeta { status: response.status, headers: response.headers }, body })
    }
}
