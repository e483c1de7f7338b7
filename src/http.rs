//! Request, response and body types shared by the client, transports and the emulator.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

/// The HTTP methods COS uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
}

impl Method {
    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// Parses a method name, any case.
    ///
    /// ```
    /// use tencent_cos::http::Method;
    /// assert_eq!(Method::parse("put"), Some(Method::Put));
    /// assert_eq!(Method::parse("PATCH"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            "HEAD" => Method::Head,
            "OPTIONS" => Method::Options,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ordered list of header fields with case-insensitive lookup. Names keep the case they were
/// given (COS keeps `x-cos-meta-*` case on the wire).
///
/// Its `Debug` (and so a [`Request`]'s) prints `<redacted>` for the values of `Authorization`
/// and `x-cos-security-token`, in any case.
///
/// ```
/// use tencent_cos::http::Headers;
/// let h = Headers::from_iter([("authorization", "q-sign-algorithm=sha1&secret"), ("X-Cos-Security-Token", "tok")]);
/// let printed = format!("{h:?}");
/// assert!(!printed.contains("secret") && !printed.contains("tok\""));
/// assert!(printed.contains("<redacted>"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

/// Header and query-parameter names whose values never print: the signature (a header, or the
/// `q-signature` of a presigned URL, a bearer credential until it expires) and the token.
pub(crate) fn is_secret_name(name: &str) -> bool {
    ["authorization", "x-cos-security-token", "q-signature"].iter().any(|s| name.eq_ignore_ascii_case(s))
}

/// `value`, or `<redacted>` when `name` is secret.
pub(crate) fn shown_value<'v>(name: &str, value: &'v str) -> &'v str {
    if is_secret_name(name) { "<redacted>" } else { value }
}

/// Name-value pairs (headers, query) as `Debug` shows them: secret values redacted.
pub(crate) struct RedactedPairs<'p, N, V>(pub(crate) &'p [(N, V)]);

impl<N: AsRef<str>, V: AsRef<str>> fmt::Debug for RedactedPairs<'_, N, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(n, v)| (n.as_ref(), shown_value(n.as_ref(), v.as_ref())))).finish()
    }
}

/// A URL as `Debug` shows it: the values of secret query parameters (a presigned URL's
/// signature and token) redacted.
pub(crate) fn redacted_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_owned() };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(&crate::percent::decode_component(name).unwrap_or_default()) => {
                format!("{name}=<redacted>")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RedactedPairs(&self.0).fmt(f)
    }
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// The first value of `name` (any case).
    ///
    /// ```
    /// let mut h = tencent_cos::http::Headers::new();
    /// h.insert("ETag", "\"abc\"");
    /// assert_eq!(h.get("etag"), Some("\"abc\""));
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// True when `name` is present (any case).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Replaces every value of `name` with `value`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove(&name);
        self.0.push((name, value.into()));
    }

    /// Adds a field, keeping any existing value of the same name.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Iterates over `(name, value)` in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        Headers(iter.into_iter().map(|(n, v)| (n.into(), v.into())).collect())
    }
}

/// A byte range of a file, read with positional reads so that many can be read at once and
/// re-read for a retry.
#[derive(Clone, Debug)]
pub struct FileSlice {
    /// The open file.
    pub file: Arc<File>,
    /// Where the slice starts.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
}

impl FileSlice {
    /// A reader over the slice.
    pub fn reader(&self) -> FileSliceReader {
        FileSliceReader { slice: self.clone(), pos: 0 }
    }
}

/// Reads a [`FileSlice`] from its start.
#[derive(Debug)]
pub struct FileSliceReader {
    slice: FileSlice,
    pos: u64,
}

impl Read for FileSliceReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.slice.len - self.pos;
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(left) as usize;
        let n = read_at(&self.slice.file, &mut buf[..want], self.slice.offset + self.pos)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shorter than the slice"));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// The source of a [`Body::Replayable`]: a function that opens a fresh reader of the same
/// bytes at every call, and their length.
///
/// ```
/// use std::sync::Arc;
/// use tencent_cos::http::{Body, ReplayableBody};
/// let bytes: Arc<[u8]> = Arc::from(&b"hello"[..]);
/// let body = Body::Replayable(ReplayableBody::new(5, move || Box::new(std::io::Cursor::new(bytes.clone()))));
/// let again = body.try_clone().expect("replayable");
/// let mut text = String::new();
/// std::io::Read::read_to_string(&mut again.into_reader(), &mut text).unwrap();
/// assert_eq!(text, "hello");
/// ```
#[derive(Clone)]
pub struct ReplayableBody {
    open: Arc<dyn Fn() -> Box<dyn Read + Send> + Send + Sync>,
    len: u64,
}

impl ReplayableBody {
    /// `len` bytes read from what `open` returns (called once per send).
    pub fn new(len: u64, open: impl Fn() -> Box<dyn Read + Send> + Send + Sync + 'static) -> ReplayableBody {
        ReplayableBody { open: Arc::new(open), len }
    }

    /// The exact length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for a zero-length body.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A request body. Always sent with `Content-Length`, never chunked: the length is signed.
pub enum Body {
    /// No body.
    Empty,
    /// Bytes in memory; cheap to clone, so the request can be retried.
    Bytes(Arc<[u8]>),
    /// A range of a file; re-readable, so the request can be retried.
    File(FileSlice),
    /// A stream of exactly [`len`](ReplayableBody::len) bytes opened afresh for every send
    /// (a retry reads it again from its start), so nothing of it need be held in memory.
    Replayable(ReplayableBody),
    /// A one-shot stream of exactly `len` bytes; a request with it is never retried.
    Reader {
        /// The stream.
        reader: Box<dyn Read + Send>,
        /// Its exact length.
        len: u64,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Body::Empty"),
            Body::Bytes(b) => write!(f, "Body::Bytes({} bytes)", b.len()),
            Body::File(s) => write!(f, "Body::File({} bytes at {})", s.len, s.offset),
            Body::Replayable(r) => write!(f, "Body::Replayable({} bytes)", r.len),
            Body::Reader { len, .. } => write!(f, "Body::Reader({len} bytes)"),
        }
    }
}

impl Body {
    /// The exact length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::File(s) => s.len,
            Body::Replayable(r) => r.len,
            Body::Reader { len, .. } => *len,
        }
    }

    /// True for a zero-length body.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy for a retry, when the body can be replayed (everything but `Reader`).
    pub fn try_clone(&self) -> Option<Body> {
        match self {
            Body::Empty => Some(Body::Empty),
            Body::Bytes(b) => Some(Body::Bytes(b.clone())),
            Body::File(s) => Some(Body::File(s.clone())),
            Body::Replayable(r) => Some(Body::Replayable(r.clone())),
            Body::Reader { .. } => None,
        }
    }

    /// The body as a reader of exactly [`Body::len`] bytes.
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        match self {
            Body::Empty => Box::new(io::empty()),
            Body::Bytes(b) => Box::new(io::Cursor::new(b)),
            Body::File(s) => Box::new(s.reader()),
            Body::Replayable(r) => Box::new((r.open)().take(r.len)),
            Body::Reader { reader, len } => Box::new(reader.take(len)),
        }
    }

    /// The bytes, when they are in memory.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Empty => Some(&[]),
            Body::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        if v.is_empty() { Body::Empty } else { Body::Bytes(v.into()) }
    }
}

impl From<&[u8]> for Body {
    fn from(v: &[u8]) -> Self {
        Body::from(v.to_vec())
    }
}

impl From<&str> for Body {
    fn from(v: &str) -> Self {
        Body::from(v.as_bytes())
    }
}

impl From<String> for Body {
    fn from(v: String) -> Self {
        Body::from(v.into_bytes())
    }
}

/// A request as handed to a [`Transport`](crate::transport::Transport): fully built and signed.
///
/// Its `Debug` redacts the signature and token, in the headers and in a presigned URL's query:
///
/// ```
/// use tencent_cos::http::{Body, Method, Request};
/// let r = Request {
///     method: Method::Get,
///     url: "https://b.cos.ap-guangzhou.myqcloud.com/a?q-ak=AKID&q-signature=f00d&x-cos-security-token=t0k3n".into(),
///     headers: [("Authorization", "q-sign-algorithm=sha1&q-signature=beef")].into_iter().collect(),
///     body: Body::Empty,
/// };
/// let printed = format!("{r:?}");
/// assert!(!printed.contains("f00d") && !printed.contains("t0k3n") && !printed.contains("beef"), "{printed}");
/// assert!(printed.contains("q-ak=AKID"));
/// ```
pub struct Request {
    /// The method.
    pub method: Method,
    /// The full URL: scheme, host, encoded path and query.
    pub url: String,
    /// Header fields, `Host` and `Content-Length` included.
    pub headers: Headers,
    /// The body.
    pub body: Body,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &redacted_url(&self.url))
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// A response from a transport: status, headers and a streaming body.
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Header fields.
    pub headers: Headers,
    /// The body, streamed.
    pub body: Box<dyn Read + Send>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response").field("status", &self.status).field("headers", &self.headers).finish()
    }
}

impl Response {
    /// A response with an in-memory body.
    ///
    /// ```
    /// let r = tencent_cos::http::Response::from_bytes(200, [("ETag", "\"x\"")], b"hi".to_vec());
    /// assert_eq!(r.headers.get("etag"), Some("\"x\""));
    /// ```
    pub fn from_bytes<N: Into<String>, V: Into<String>>(
        status: u16,
        headers: impl IntoIterator<Item = (N, V)>,
        body: Vec<u8>,
    ) -> Self {
        Response { status, headers: headers.into_iter().collect(), body: Box::new(io::Cursor::new(body)) }
    }

    /// Reads the body into memory, refusing more than `limit` bytes.
    pub fn read_body(&mut self, limit: u64) -> io::Result<Vec<u8>> {
        // Sized from Content-Length when the body declares one (at most 1 MiB ahead: a
        // declared length is the server's word, not yet bytes), so the read does not regrow.
        let declared = self.headers.get("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(limit).min(1 << 20) as usize);
        (&mut self.body).take(limit + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("response body larger than {limit} bytes")));
        }
        Ok(buf)
    }
}

/// Status code and every header of a response, kept in each typed output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// HTTP status code.
    pub status: u16,
    /// Every response header.
    pub headers: Headers,
}

impl ResponseMeta {
    /// `x-cos-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-cos-request-id")
    }

    /// A header by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

/// A response body whose timeouts read as transport timeouts, watched for stalls when given a
/// minimum (see [`Config::min_throughput`](crate::Config::min_throughput)).
///
/// Throughput is measured on the time spent waiting inside `read` only, so a caller that reads
/// slowly is never taken for a stalled server. A read that finds the body below the minimum
/// still hands over its bytes; the next read fails with `TimedOut`, carrying an
/// [`Error::Transport`](crate::Error::Transport) of kind
/// [`Timeout`](crate::TransportErrorKind::Timeout), as does any `TimedOut` of the inner body
/// (the transport's idle timeout), so `?` turns both into that error.
pub(crate) struct GuardedBody {
    inner: Box<dyn Read + Send>,
    min: Option<crate::config::MinThroughput>,
    /// Time spent inside `read` so far.
    busy: std::time::Duration,
    /// Bytes delivered so far.
    received: u64,
    /// `(busy, received)` samples, at least a sixteenth of the grace period apart, covering the
    /// last grace period: the window the throughput is measured over.
    samples: std::collections::VecDeque<(std::time::Duration, u64)>,
    /// Set once the minimum was missed: the error the next read returns.
    stalled: Option<String>,
}

impl GuardedBody {
    pub(crate) fn new(inner: Box<dyn Read + Send>, min: Option<crate::config::MinThroughput>) -> Self {
        let samples = std::iter::once((std::time::Duration::ZERO, 0)).collect();
        GuardedBody { inner, min, busy: std::time::Duration::ZERO, received: 0, samples, stalled: None }
    }

    /// Records the state after a read and checks the minimum over the last grace period.
    fn observe(&mut self) {
        let Some(min) = self.min else { return };
        let grace = min.grace_period;
        if self.samples.back().is_none_or(|(at, _)| *at + grace / 16 <= self.busy) {
            self.samples.push_back((self.busy, self.received));
        }
        let Some(window_start) = self.busy.checked_sub(grace) else { return };
        // The latest sample at or before the window's start; older ones are no longer needed.
        while self.samples.len() > 1 && self.samples[1].0 <= window_start {
            self.samples.pop_front();
        }
        let Some(&(_, before)) = self.samples.front() else { return };
        let in_window = self.received - before;
        let wanted = u128::from(min.bytes_per_second) * grace.as_millis();
        if u128::from(in_window) * 1000 < wanted {
            self.stalled = Some(format!(
                "response body stalled: {in_window} bytes in the last {grace:?} of reading, below the minimum of {} B/s (Config::min_throughput)",
                min.bytes_per_second
            ));
        }
    }
}

impl Read for GuardedBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(why) = &self.stalled {
            return Err(timeout_error(why.clone()));
        }
        let started = std::time::Instant::now();
        let result = self.inner.read(buf);
        self.busy += started.elapsed();
        match result {
            Ok(n) => {
                self.received += n as u64;
                if n > 0 {
                    self.observe();
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                Err(crate::Error::transport(crate::TransportErrorKind::Timeout, e).into_io())
            }
            Err(e) => Err(e),
        }
    }
}

fn timeout_error(why: String) -> io::Error {
    crate::Error::transport(crate::TransportErrorKind::Timeout, why).into_io()
}
