//! The one error type of the crate.

use std::fmt;

/// Why a transport could not produce a response. Drives retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportErrorKind {
    /// The connection could not be made (refused, unreachable, DNS).
    Connect,
    /// A connect, read or overall timeout.
    Timeout,
    /// The connection broke while sending or receiving.
    Io,
    /// TLS failed (certificate, handshake).
    Tls,
    /// Anything else (malformed response, bad URL).
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Io => "io",
            TransportErrorKind::Tls => "tls",
            TransportErrorKind::Other => "other",
        })
    }
}

/// An error COS answered with: the HTTP status and the fields of its `<Error>` body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceError {
    /// HTTP status code.
    pub status: u16,
    /// `Code`, e.g. `NoSuchKey`; for a body-less answer (HEAD) the status as text.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `RequestId` from the body, else the `x-cos-request-id` header.
    pub request_id: Option<String>,
    /// `Resource`.
    pub resource: Option<String>,
    /// `TraceId`, else the `x-cos-trace-id` header.
    pub trace_id: Option<String>,
    /// `StringToSign` of a SignatureDoesNotMatch answer: compare it with yours.
    pub string_to_sign: Option<String>,
    /// `FormatString` of a SignatureDoesNotMatch answer (the HttpString COS computed).
    pub format_string: Option<String>,
    /// Every header of the error response. Its `Debug` prints `<redacted>` for
    /// `Authorization` and `x-cos-security-token` values.
    pub headers: crate::http::Headers,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "COS answered {} {}", self.status, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Every failure the crate reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// COS answered with an error status or an `<Error>` body.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// No response: the connection, a timeout, TLS.
    #[error("transport error ({kind}): {source}")]
    Transport {
        /// What failed; decides whether a retry can help.
        kind: TransportErrorKind,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Input refused before any request was made.
    #[error("invalid argument `{field}`: {reason}")]
    InvalidArgument {
        /// The parameter at fault, named as in the API (`bucket`, `key`, `chunk_size`, ...).
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A response body that is not the XML expected.
    #[error("malformed XML response: {0}")]
    Xml(String),
    /// A local I/O error (a file being uploaded or downloaded), or a response body that broke
    /// off (connection closed or reset) and could not be resumed.
    #[error("I/O error: {0}")]
    Io(#[source] std::io::Error),
    /// Credentials could not be obtained (the provider failed or returned nothing usable).
    #[error("credentials unavailable: {0}")]
    Credentials(String),
    /// Data did not survive the trip: a CRC-64, MD5, ETag or Content-Range check failed.
    #[error("integrity check failed: {0}")]
    Integrity(Box<IntegrityError>),
    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
    /// A call made in a state that does not allow it: a one-shot request sent twice, a task's
    /// result taken twice, waiting for parts on a part worker. A bug in the caller, never
    /// worth a retry.
    #[error("invalid state of `{what}`: {reason}")]
    InvalidState {
        /// What was in the wrong state (`request`, `task`, ...).
        what: &'static str,
        /// Why the call is refused.
        reason: String,
    },
    /// A callback of the caller's (progress, task ready, a credentials provider, an
    /// authorization callback) panicked; the call or transfer it served ended here.
    #[error("{callback} panicked: {message}")]
    CallbackPanicked {
        /// Which callback (`on_progress`, `temporary_credentials`, ...).
        callback: &'static str,
        /// The panic's message, when it was a string.
        message: String,
    },
}

/// What an integrity check compared, and what it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrityError {
    /// What was checked: a key, `part 3 of <key>`, ...
    pub subject: String,
    /// The value compared: `CRC-64`, `ETag`, `Content-Range`, `MD5`.
    pub check: &'static str,
    /// The value it had to have (the local one, or the one seen first).
    pub expected: String,
    /// The value found.
    pub actual: String,
    /// What it means, when there is more to say.
    pub note: Option<String>,
}

impl fmt::Display for IntegrityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} expected {}, got {}", self.subject, self.check, self.expected, self.actual)?;
        if let Some(note) = &self.note {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A refused argument, naming the field.
    ///
    /// ```
    /// let e = tencent_cos::Error::invalid("bucket", "must end with -appid");
    /// assert_eq!(e.to_string(), "invalid argument `bucket`: must end with -appid");
    /// ```
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument { field, reason: reason.into() }
    }

    /// An integrity failure: `check` of `subject` was `actual` where `expected` was due.
    ///
    /// ```
    /// let e = tencent_cos::Error::integrity("a.bin", "CRC-64", 1, 2);
    /// assert_eq!(e.to_string(), "integrity check failed: a.bin: CRC-64 expected 1, got 2");
    /// ```
    pub fn integrity(
        subject: impl Into<String>,
        check: &'static str,
        expected: impl fmt::Display,
        actual: impl fmt::Display,
    ) -> Self {
        Error::Integrity(Box::new(IntegrityError {
            subject: subject.into(),
            check,
            expected: expected.to_string(),
            actual: actual.to_string(),
            note: None,
        }))
    }

    /// The same integrity failure with a note saying what it means.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        if let Error::Integrity(e) = &mut self {
            e.note = Some(note.into());
        }
        self
    }

    /// A call refused because of the state `what` is in.
    pub fn invalid_state(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidState { what, reason: reason.into() }
    }

    /// A transport failure of `kind`.
    pub fn transport(kind: TransportErrorKind, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Transport { kind, source: source.into() }
    }

    /// The service error, when COS answered with one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The COS error code (`NoSuchKey`, ...), when COS answered with one.
    ///
    /// ```
    /// use tencent_cos::{Error, ServiceError};
    /// let e = Error::Service(Box::new(ServiceError { status: 404, code: "NoSuchKey".into(), ..Default::default() }));
    /// assert_eq!(e.code(), Some("NoSuchKey"));
    /// assert!(e.is_not_found());
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.service().map(|e| e.code.as_str())
    }

    /// The HTTP status, when COS answered.
    pub fn status(&self) -> Option<u16> {
        self.service().map(|e| e.status)
    }

    /// True for a 404 (no such bucket, key, upload, configuration).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True for a 412 Precondition Failed (an `If-*` condition did not hold).
    pub fn is_precondition_failed(&self) -> bool {
        self.status() == Some(412)
    }

    /// True when trying again may succeed: 5xx answers, timeouts, connection failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.status >= 500,
            Error::Transport { kind, .. } => !matches!(kind, TransportErrorKind::Tls | TransportErrorKind::Other),
            _ => false,
        }
    }

    /// The transport failure kind, for transport errors.
    pub fn transport_kind(&self) -> Option<TransportErrorKind> {
        match self {
            Error::Transport { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// An `io::Error` is [`Error::Io`], unless it carries one of this crate's errors: a response
/// body reader (a [`GetObjectOutput`](crate::api::GetObjectOutput)'s, which resumes)
/// can only fail with `io::Error`, so it wraps what really ended it (a body timeout, a 412 on
/// resume, a cancel) and `?` hands that error back unchanged.
///
/// ```
/// use tencent_cos::{Error, TransportErrorKind};
/// let timeout = Error::transport(TransportErrorKind::Timeout, "no byte for 30 s");
/// let io = std::io::Error::new(std::io::ErrorKind::TimedOut, timeout);
/// assert_eq!(Error::from(io).transport_kind(), Some(TransportErrorKind::Timeout));
/// let plain = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
/// assert!(matches!(Error::from(plain), Error::Io(_)));
/// ```
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        match e.downcast::<Error>() {
            Ok(inner) => inner,
            Err(e) => Error::Io(e),
        }
    }
}

impl Error {
    /// This error as the `io::Error` a body reader returns (see `From<io::Error>`), with the
    /// kind it stands for (never `Interrupted`, which readers retry in a loop); an
    /// [`Error::Io`] is returned as it is.
    pub(crate) fn into_io(self) -> std::io::Error {
        let kind = match &self {
            Error::Transport { kind: TransportErrorKind::Timeout, .. } => std::io::ErrorKind::TimedOut,
            Error::Transport { kind: TransportErrorKind::Connect, .. } => std::io::ErrorKind::ConnectionRefused,
            Error::Transport { kind: TransportErrorKind::Io, .. } => std::io::ErrorKind::ConnectionReset,
            Error::Integrity(_) | Error::Xml(_) => std::io::ErrorKind::InvalidData,
            _ => std::io::ErrorKind::Other,
        };
        match self {
            Error::Io(e) => e,
            other => std::io::Error::new(kind, other),
        }
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(Box::new(e))
    }
}
