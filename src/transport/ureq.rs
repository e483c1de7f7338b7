//! The default transport, on one shared `ureq::Agent` (connections are pooled and reused).

use std::io;
use std::time::Duration;

use ureq::http;

use crate::error::{Error, Result, TransportErrorKind};
use crate::http::{Body, Request, Response};
use crate::transport::Transport;

/// [`Transport`] over ureq 3 with rustls: pooled keep-alive connections, no redirects followed,
/// no decompression (objects download byte-exact), no limit on body size. Each connection
/// sends through a 512 KiB buffer and receives into a 256 KiB one (ureq's defaults are 128
/// KiB): a streamed part costs a quarter of the reads and sends, 0.55 -> 0.47 client CPU-s per
/// GiB uploaded in 1 MiB parts, and a download 5-10% less CPU (`benches/e2e.rs`), for 512 KiB
/// more per open connection.
#[derive(Clone, Debug)]
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new(Some(Duration::from_secs(10)), None)
    }
}

/// ureq's buffer for request bytes: a streamed body is read into it and sent from it, one
/// read and one send per fill.
const OUTPUT_BUFFER: usize = 512 * 1024;

/// ureq's buffer for response bytes: a body is received into it, a read takes what it holds.
const INPUT_BUFFER: usize = 256 * 1024;

/// Wait for the response head when none is given: 30 s.
const DEFAULT_RECV_RESPONSE: Duration = Duration::from_secs(30);

impl UreqTransport {
    /// A transport with a connect timeout and an overall per-request timeout (`None`: no limit),
    /// waiting at most 30 s for the response head (see [`with_read_timeout`](Self::with_read_timeout)).
    ///
    /// ```
    /// use std::time::Duration;
    /// let t = tencent_cos::transport::UreqTransport::new(Some(Duration::from_secs(5)), Some(Duration::from_secs(60)));
    /// # let _ = t;
    /// ```
    pub fn new(connect_timeout: Option<Duration>, timeout: Option<Duration>) -> Self {
        Self::with_read_timeout(connect_timeout, timeout, Some(DEFAULT_RECV_RESPONSE))
    }

    /// [`new`](Self::new) with the longest wait for response bytes (`read_timeout`, `None`: no
    /// limit): it bounds the wait for the status line and headers as a whole, and each read
    /// of the body (ureq's `timeout_per_read`), so a body that goes silent midway ends with
    /// [`TransportErrorKind::Timeout`] instead of hanging; and each write of the request body
    /// (`timeout_per_write`), so does an upload to a server that stopped reading it.
    ///
    /// ```
    /// use std::time::Duration;
    /// let t = tencent_cos::transport::UreqTransport::with_read_timeout(
    ///     Some(Duration::from_secs(5)),
    ///     None,
    ///     Some(Duration::from_secs(30)),
    /// );
    /// # let _ = t;
    /// ```
    pub fn with_read_timeout(
        connect_timeout: Option<Duration>,
        timeout: Option<Duration>,
        read_timeout: Option<Duration>,
    ) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(connect_timeout)
            .timeout_global(timeout)
            .timeout_recv_response(read_timeout)
            // An idle timeout: restarts at every read, of the head and of the body, and at every
            // write of the request (a server that stops reading an upload does not hang it).
            .timeout_per_read(read_timeout)
            .timeout_per_write(read_timeout)
            .user_agent(ureq::config::AutoHeaderValue::None)
            .accept_encoding(ureq::config::AutoHeaderValue::None)
            .max_idle_connections(256)
            .max_idle_connections_per_host(64)
            .allow_non_standard_methods(true)
            .output_buffer_size(OUTPUT_BUFFER)
            .input_buffer_size(INPUT_BUFFER)
            .build();
        UreqTransport { agent: config.into() }
    }

    /// Wraps an agent you configured yourself. Keep `http_status_as_error(false)`.
    pub fn from_agent(agent: ureq::Agent) -> Self {
        UreqTransport { agent }
    }
}

fn map_error(e: ureq::Error) -> Error {
    let kind = match &e {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::Io(io) => io_kind(io),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) | ureq::Error::TlsRequired => {
            TransportErrorKind::Tls
        }
        _ => TransportErrorKind::Other,
    };
    Error::transport(kind, e)
}

fn io_kind(e: &io::Error) -> TransportErrorKind {
    match e.kind() {
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::AddrNotAvailable
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable => TransportErrorKind::Connect,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Io,
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: Request) -> Result<Response> {
        let Request { method, url, headers, body } = request;
        let mut builder = http::Request::builder().method(method.as_str()).uri(url.as_str());
        for (name, value) in headers.iter() {
            builder = builder.header(name, value);
        }
        let has_length = headers.contains("content-length");
        let len = body.len();
        if let (false, Some(len)) = (has_length, crate::operation::content_length_of(method, len)) {
            builder = builder.header("Content-Length", len.to_string());
        }
        let result = match body {
            Body::Empty => {
                let req = builder.body(()).map_err(|e| Error::transport(TransportErrorKind::Other, e))?;
                self.agent.run(req)
            }
            Body::Bytes(bytes) => {
                let req = builder.body(&bytes[..]).map_err(|e| Error::transport(TransportErrorKind::Other, e))?;
                self.agent.run(req)
            }
            other => {
                let mut reader = other.into_reader();
                let send = ureq::SendBody::from_reader(&mut reader);
                let req = builder.body(send).map_err(|e| Error::transport(TransportErrorKind::Other, e))?;
                self.agent.run(req)
            }
        };
        let response = result.map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = response.into_body().into_with_config().limit(u64::MAX).reader();
        Ok(Response { status, headers, body: Box::new(BodyReader(body)) })
    }
}

/// ureq's body reader, with its errors given the `io::ErrorKind` they stand for (ureq wraps a
/// read timeout as `Other`), so callers can tell a timeout from a broken connection.
struct BodyReader(ureq::BodyReader<'static>);

impl io::Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let kind = match e.get_ref().and_then(|inner| inner.downcast_ref::<ureq::Error>()) {
                Some(ureq::Error::Timeout(_)) => io::ErrorKind::TimedOut,
                Some(ureq::Error::Io(io)) => io.kind(),
                _ => return e,
            };
            io::Error::new(kind, e)
        })
    }
}
