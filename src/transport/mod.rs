//! The pluggable HTTP layer: one request in, one response out.
//!
//! [`UreqTransport`] is the default. The emulator is another implementation, and a test double
//! of your own is a third: implement [`Transport`] and hand it to
//! [`ClientBuilder::transport`](crate::ClientBuilder::transport).

#[cfg(feature = "emulator")]
mod faulty;
mod ureq;

#[cfg(feature = "emulator")]
pub use self::faulty::{FaultConfig, FaultKind, FaultyTransport, InjectedFault};
pub use self::ureq::UreqTransport;

use crate::error::Result;
use crate::http::{Request, Response};

/// Sends one HTTP request and returns the response, whatever its status.
///
/// Error statuses (4xx, 5xx) are responses, not errors: the client maps them. Return
/// [`Error::Transport`](crate::Error::Transport) only when no response arrived, with the
/// [`TransportErrorKind`](crate::TransportErrorKind) that tells the client whether to retry.
///
/// Bound your own waits: a body read that times out should fail with
/// `io::ErrorKind::TimedOut`, which the client reports as
/// [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout) and retries, or resumes
/// for an object download; any other read error is a body that broke off.
///
/// ```
/// use tencent_cos::http::{Request, Response};
/// use tencent_cos::transport::Transport;
///
/// /// Answers every request with 200 and an empty body.
/// struct AlwaysOk;
///
/// impl Transport for AlwaysOk {
///     fn send(&self, _request: Request) -> tencent_cos::Result<Response> {
///         Ok(Response::from_bytes(200, [("x-cos-request-id", "1")], Vec::new()))
///     }
/// }
/// ```
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`; the body must go out with exactly its `Content-Length`.
    fn send(&self, request: Request) -> Result<Response>;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, request: Request) -> Result<Response> {
        (**self).send(request)
    }
}
