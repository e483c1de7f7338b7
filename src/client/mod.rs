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
//! | body idle timeout | the same `read_timeout` for each read of a body: [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout) |
//! | stalled download | [`Config::min_throughput`] (1 B/s over 20 s of reading) for `get_object` bodies: [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout), resumed within the budget |
//! | a parsed body breaks off | the request is sent again within the budget, unless it is a POST |
//! | a download body breaks off | `get_object`'s body continues with `Range` from the next byte and `If-Match` with the first ETag, within the budget; a 412 is that error, another ETag, range or a 200 an [`Error::Integrity`] |

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::auth::{CredentialScope, CredentialSource, unix_now};
use crate::cancel::CancelToken;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::operation::Operation;
use crate::transport::Transport;

/// The largest clock correction a `RequestTimeTooSkewed` answer may teach: 24 hours. A `Date`
/// further off than that (a broken or hostile server) leaves the clock offset alone, and the
/// 403 is returned unchanged.
pub const MAX_CLOCK_SKEW_CORRECTION: Duration = Duration::from_secs(24 * 60 * 60);

mod builder;
pub(crate) mod pipeline;
mod resume;

pub use builder::ClientBuilder;
pub(crate) use pipeline::{CallState, build_url};

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
    /// The transfer runtime (worker pools, task list), made on first use by
    /// `transfer::runtime` and dropped (workers joined) with the last clone of the client.
    /// Typed, not erased: `transfer/` sits above this module, but both are one crate, so the
    /// client naming one crate-private type costs no coupling a user could see, and spares
    /// every part a downcast.
    pub(crate) transfer: std::sync::OnceLock<crate::transfer::Runtime>,
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
/// use tencent_cos::CallOptions;
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
/// use tencent_cos::{BodySent, CallOptions};
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

    /// Tells the callback `sent` bytes have gone out.
    pub(crate) fn report(&self, sent: u64) {
        (self.0)(sent)
    }
}

impl fmt::Debug for BodySent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodySent(..)")
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

impl Client {
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
