//! [`ClientBuilder`]: every option of the JS SDK's constructor that applies, checked once in
//! [`ClientBuilder::build`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use super::{Client, ClientInner, Clock};
use crate::auth::{
    AuthorizationCallback, AuthorizationRequest, CredentialScope, CredentialSource, Credentials, SignedAuthorization,
    TemporaryCredentials, TemporaryProvider,
};
use crate::config::{self, Config, Protocol};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::transport::{Transport, UreqTransport};

/// Builds a [`Client`]; every option of the JS SDK's constructor that applies, with its
/// default.
pub struct ClientBuilder {
    config: Config,
    transport: Option<Arc<dyn Transport>>,
    credentials: CredentialSource,
    /// The provider, and whether it is told the scope.
    temporary: Option<(Arc<TemporaryFetch>, bool)>,
    clock: Option<Arc<Clock>>,
    /// Why the last `endpoint_url` was refused: reported by `build`, so the chain goes on.
    endpoint_error: Option<Error>,
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
            endpoint_error: None,
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
    /// The provider's error type is fixed (any error converts into it with `?` or `.into()`),
    /// so a closure that only ever returns `Ok(..)` needs no annotation:
    ///
    /// ```
    /// use tencent_cos::{Client, TemporaryCredentials};
    /// let tmp = TemporaryCredentials {
    ///     tmp_secret_id: "AKIDtmp".into(),
    ///     tmp_secret_key: "tmpkey".into(),
    ///     security_token: "token".into(),
    ///     expired_time: 4_000_000_000,
    ///     start_time: None,
    /// };
    /// let client = Client::builder().temporary_credentials(move || Ok(tmp.clone())).region("ap-guangzhou").build()?;
    ///
    /// // Ask your STS server here: its errors convert with `?`.
    /// let from_sts = Client::builder()
    ///     .temporary_credentials(|| {
    ///         let answer = std::fs::read_to_string("/nonexistent/sts-answer")?;
    ///         Ok(TemporaryCredentials {
    ///             tmp_secret_id: answer.clone(),
    ///             tmp_secret_key: answer.clone(),
    ///             security_token: answer,
    ///             expired_time: 4_000_000_000,
    ///             start_time: None,
    ///         })
    ///     })
    ///     .region("ap-guangzhou")
    ///     .build()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn temporary_credentials<F>(mut self, provider: F) -> Self
    where
        F: Fn() -> std::result::Result<TemporaryCredentials, Box<dyn std::error::Error + Send + Sync>>
            + Send
            + Sync
            + 'static,
    {
        self.temporary = Some((Arc::new(move |_: &CredentialScope<'_>| provider()), false));
        self
    }

    /// Temporary keys from a `provider` told the bucket and region of the request being signed
    /// (the JS `getAuthorization` format 1 gets `options.Bucket` and `options.Region`), so a
    /// server can issue keys limited to them. Keys are cached per (bucket, region) and
    /// refreshed as with [`temporary_credentials`](Self::temporary_credentials).
    ///
    /// ```
    /// use tencent_cos::{Client, TemporaryCredentials};
    /// let client = Client::builder()
    ///     .temporary_credentials_for(|scope| {
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
    /// `getAuthorization` format 2): for servers that sign on behalf of clients. Its error type
    /// is a boxed error, so `|_| Ok(..)` needs no annotation and any error converts with `?`.
    ///
    /// ```
    /// use tencent_cos::{Client, SignedAuthorization};
    /// let client = Client::builder()
    ///     .authorization_callback(|req| {
    ///         // Send req.method, req.key, req.query, req.headers to your signing server.
    ///         let _ = (req.method, req.key, req.bucket, req.region);
    ///         let answer = std::fs::read_to_string("/nonexistent/signer-answer").unwrap_or_default();
    ///         Ok(SignedAuthorization::new(format!("q-sign-algorithm=sha1&{answer}")))
    ///     })
    ///     .region("ap-guangzhou")
    ///     .build()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn authorization_callback<F>(mut self, callback: F) -> Self
    where
        F: Fn(
                &AuthorizationRequest<'_>,
            ) -> std::result::Result<SignedAuthorization, Box<dyn std::error::Error + Send + Sync>>
            + Send
            + Sync
            + 'static,
    {
        let cb: Arc<AuthorizationCallback> = Arc::new(callback);
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

    /// Ip: connect to `addr` (`host[:port]`) and keep the bucket's real host in the `Host`
    /// header and the signature, as the node SDK's `Ip` option does: a local emulator then
    /// sees the region in the host and answers NoSuchBucket for a wrong one, as COS does.
    ///
    /// ```
    /// let client = tencent_cos::Client::builder()
    ///     .secret("AKIDEXAMPLE", "secret")
    ///     .region("ap-guangzhou")
    ///     .protocol(tencent_cos::Protocol::Http)
    ///     .ip("127.0.0.1:9000")
    ///     .build()?;
    /// assert_eq!(client.config().ip.as_deref(), Some("127.0.0.1:9000"));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn ip(mut self, addr: impl Into<String>) -> Self {
        self.config.ip = Some(addr.into());
        self
    }

    /// ForcePathStyle: `{domain}/{bucket}/{key}` instead of `{bucket}.{domain}/{key}`.
    pub fn force_path_style(mut self, on: bool) -> Self {
        self.config.force_path_style = on;
        self
    }

    /// Everything at `http://{addr}/{bucket}/{key}`: an emulator or a private deployment.
    /// The chain goes on whatever the URL; one that is not `http(s)://HOST[:PORT]` makes
    /// [`build`](Self::build) fail naming `endpoint_url`, before any request.
    ///
    /// ```
    /// let client = tencent_cos::Client::builder().endpoint_url("http://127.0.0.1:9000").region("ap-guangzhou").build()?;
    /// assert_eq!(client.config().domain, "127.0.0.1:9000");
    /// let refused = tencent_cos::Client::builder().endpoint_url("127.0.0.1:9000").region("ap-guangzhou").build();
    /// assert!(refused.unwrap_err().to_string().contains("endpoint_url"));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn endpoint_url(mut self, url: &str) -> Self {
        let parsed = url
            .split_once("://")
            .ok_or_else(|| Error::invalid("endpoint_url", format!("{url:?} must start with http:// or https://")))
            .and_then(|(scheme, rest)| {
                let protocol = Protocol::parse(scheme).ok_or_else(|| {
                    Error::invalid("endpoint_url", format!("{url:?}: the scheme must be http or https"))
                })?;
                Ok((protocol, rest.trim_end_matches('/')))
            });
        match parsed {
            Ok((protocol, host)) => {
                self.config.protocol = protocol;
                self.config.domain = host.to_owned();
                self.config.service_domain = host.to_owned();
                self.config.force_path_style = true;
                self.endpoint_error = None;
            }
            Err(e) => self.endpoint_error = Some(e),
        }
        self
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
    /// wait is a [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout), retried for idempotent calls (and resumed,
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
    /// `None`: off) for object bodies. A stall is a [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout), and the
    /// body resumes within the call's budget.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tencent_cos::MinThroughput;
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
        if let Some(e) = self.endpoint_error {
            return Err(e);
        }
        self.config.validate()?;
        // user_agent is checked by Config::validate above.
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
                transfer: std::sync::OnceLock::new(),
            }),
        })
    }
}
