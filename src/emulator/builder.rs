//! Building an emulator: its accounts ([`Account`]), clock, limits of the HTTP front, and the
//! directory it keeps its data in ([`EmulatorBuilder`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::access::owner_id;
use super::store::State;
use super::{
    Clock, DEFAULT_APPID, DEFAULT_MAX_OBJECT_SIZE, DEFAULT_REGION, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator,
    Inner, UploadIdSource, disk,
};

/// An account of the emulator: permanent keys, an appid and a uin (owner ID).
///
/// `Debug` does not show the SecretKey.
///
/// ```
/// use tencent_cos::emulator::{Account, Emulator};
/// let alice = Account::new("AKIDalice", "alice-key", 1_250_000_000);
/// let bob = Account::new("AKIDbob", "bob-key", 1_250_000_000).with_uin("100000000002");
/// assert_eq!(alice.uin(), "1250000000");
/// let emulator = Emulator::builder().account(alice).account(bob).build();
/// # let _ = emulator;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub(super) secret_id: String,
    pub(super) secret_key: String,
    pub(super) appid: u64,
    pub(super) uin: String,
}

impl Account {
    /// An account with these keys and appid; its uin is the appid until [`Account::with_uin`].
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>, appid: u64) -> Self {
        Account { secret_id: secret_id.into(), secret_key: secret_key.into(), appid, uin: appid.to_string() }
    }

    /// Sets the uin, the number ACL grants name (`qcs::cam::uin/<uin>:uin/<uin>`).
    ///
    /// ```
    /// let a = tencent_cos::emulator::Account::new("id", "key", 1_250_000_000).with_uin("100000000001");
    /// assert_eq!((a.secret_id(), a.appid(), a.uin()), ("id", 1_250_000_000, "100000000001"));
    /// ```
    pub fn with_uin(mut self, uin: impl Into<String>) -> Self {
        self.uin = uin.into();
        self
    }

    /// The SecretId.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The appid.
    pub fn appid(&self) -> u64 {
        self.appid
    }

    /// The uin.
    pub fn uin(&self) -> &str {
        &self.uin
    }

    /// The owner ID COS shows for this account.
    ///
    /// ```
    /// let a = tencent_cos::emulator::Account::new("id", "key", 1).with_uin("7");
    /// assert_eq!(a.owner_id(), "qcs::cam::uin/7:uin/7");
    /// ```
    pub fn owner_id(&self) -> String {
        owner_id(&self.uin)
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("appid", &self.appid)
            .field("uin", &self.uin)
            .finish()
    }
}

/// Builds an [`Emulator`].
pub struct EmulatorBuilder {
    accounts: Vec<Account>,
    clock: Option<Arc<Clock>>,
    region: String,
    max_object_size: u64,
    trust_content_md5: bool,
    upload_ids: Option<Arc<UploadIdSource>>,
    limits: ServerLimits,
    data_dir: Option<std::path::PathBuf>,
}

/// Limits of the HTTP front (see [`EmulatorBuilder::max_connections`] and the timeouts next to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ServerLimits {
    pub(crate) max_connections: usize,
    pub(crate) head_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) body_timeout: Duration,
}

/// Most connections the HTTP front serves at once by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Default time a client has to send a whole request head, from its first byte.
pub const DEFAULT_HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time an idle keep-alive connection is kept.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Default time a request body (or a client that does not read its answer) may stall.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(120);

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("accounts", &self.accounts)
            .field("region", &self.region)
            .field("max_object_size", &self.max_object_size)
            .field("trust_content_md5", &self.trust_content_md5)
            .field("limits", &self.limits)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// The defaults of [`Emulator::builder`].
    pub(super) fn new() -> EmulatorBuilder {
        EmulatorBuilder {
            accounts: Vec::new(),
            clock: None,
            region: DEFAULT_REGION.to_owned(),
            max_object_size: DEFAULT_MAX_OBJECT_SIZE,
            trust_content_md5: false,
            upload_ids: None,
            data_dir: None,
            limits: ServerLimits {
                max_connections: DEFAULT_MAX_CONNECTIONS,
                head_timeout: DEFAULT_HEAD_TIMEOUT,
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                body_timeout: DEFAULT_BODY_TIMEOUT,
            },
        }
    }

    /// Most connections the HTTP front serves at once (default [`DEFAULT_MAX_CONNECTIONS`]). As
    /// the count nears it (7/8 of it), each new connection closes the connection that has been
    /// idle longest, so idle connections cannot starve new ones; when it is reached with none
    /// idle, a new connection is answered 503 `SlowDown` and closed.
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::builder().max_connections(64).build();
    /// # let _ = emulator;
    /// ```
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// Time a client has to send a whole request head, counted from its first byte (default
    /// [`DEFAULT_HEAD_TIMEOUT`]); a slower head is answered 408 `RequestTimeout` and closed.
    ///
    /// ```
    /// use std::time::Duration;
    /// let emulator = tencent_cos::emulator::Emulator::builder().head_timeout(Duration::from_secs(2)).build();
    /// # let _ = emulator;
    /// ```
    pub fn head_timeout(mut self, timeout: Duration) -> Self {
        self.limits.head_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Time a keep-alive connection may stay idle between requests (default
    /// [`DEFAULT_IDLE_TIMEOUT`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// let emulator = tencent_cos::emulator::Emulator::builder().idle_timeout(Duration::from_secs(30)).build();
    /// # let _ = emulator;
    /// ```
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Time a request body may stall between two reads, and a write to a client that does not
    /// read may block (default [`DEFAULT_BODY_TIMEOUT`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// let emulator = tencent_cos::emulator::Emulator::builder().body_timeout(Duration::from_secs(30)).build();
    /// # let _ = emulator;
    /// ```
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.limits.body_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Adds an account. With none added, the default account exists (see the module docs).
    ///
    /// ```
    /// use tencent_cos::emulator::{Account, Emulator};
    /// let emulator = Emulator::builder().account(Account::new("AKIDmine", "my-key", 1_300_000_000)).build();
    /// assert!(emulator.issue_temporary_credentials("AKIDmine", 60).is_ok());
    /// ```
    pub fn account(mut self, account: Account) -> Self {
        self.accounts.push(account);
        self
    }

    /// The clock, in Unix seconds (default: the system clock). Pin it to replay recorded
    /// requests, or move it to test expiry.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let now = Arc::new(AtomicU64::new(1_700_000_000));
    /// let clock = now.clone();
    /// let emulator = tencent_cos::emulator::Emulator::builder().clock(move || clock.load(Ordering::Relaxed)).build();
    /// now.fetch_add(3600, Ordering::Relaxed);
    /// assert_eq!(emulator.now(), 1_700_003_600);
    /// ```
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Region of buckets created through a host that names none (default `ap-guangzhou`).
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::builder().region("ap-beijing").build();
    /// # let _ = emulator;
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Largest request body, in bytes (default [`DEFAULT_MAX_OBJECT_SIZE`]); larger ones are
    /// refused with 400 `EntityTooLarge` before they are read.
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::builder().max_object_size(64 * 1024 * 1024).build();
    /// # let _ = emulator;
    /// ```
    pub fn max_object_size(mut self, bytes: u64) -> Self {
        self.max_object_size = bytes;
        self
    }

    /// Where UploadIds come from: called with the bucket and key of each initiated upload; must
    /// return a fresh id each time. Default: `<unix seconds><40 hex digits>`, as COS's look.
    /// Useful to replay recorded traffic, whose requests name the recorded ids.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// let n = AtomicU32::new(0);
    /// let emulator = tencent_cos::emulator::Emulator::builder()
    ///     .upload_ids(move |_bucket, _key| format!("upload-{}", n.fetch_add(1, Ordering::Relaxed)))
    ///     .build();
    /// # let _ = emulator;
    /// ```
    pub fn upload_ids(mut self, source: impl Fn(&str, &str) -> String + Send + Sync + 'static) -> Self {
        self.upload_ids = Some(Arc::new(source));
        self
    }

    /// For replaying recorded traffic whose bodies are unknown: a `Content-MD5` header is taken
    /// as the body's MD5 (and so as the ETag of a simple object or part) instead of being checked
    /// against the bytes. Never use it to test integrity. Off by default.
    ///
    /// ```
    /// let replaying = tencent_cos::emulator::Emulator::builder().trust_content_md5(true).build();
    /// # let _ = replaying;
    /// ```
    pub fn trust_content_md5(mut self, on: bool) -> Self {
        self.trust_content_md5 = on;
        self
    }

    /// Keeps buckets, their configurations, objects, metadata, tags, ACLs, CORS, versions and
    /// delete markers, retentions, restores and unfinished multipart uploads in `dir`
    /// (created if missing) instead of memory only, so they survive a restart: a new emulator on
    /// the same directory finds them (temporary credentials are not kept). Bodies are streamed to
    /// files, so memory stays bounded whatever the object size; every write is atomic (temporary
    /// file, fsync, rename), so a crash leaves the old state or the new, never half of one. One
    /// emulator at a time per directory. Open it with [`try_build`](EmulatorBuilder::try_build)
    /// to handle an unreadable directory.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// let dir = std::env::temp_dir().join(format!("cos-emulator-doc-{}", std::process::id()));
    /// let emulator = tencent_cos::emulator::Emulator::builder().data_dir(&dir).try_build()?;
    /// assert!(emulator.bucket_names().is_empty());
    /// # drop(emulator);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// The emulator: empty, or with what its [data directory](EmulatorBuilder::data_dir) holds.
    ///
    /// # Panics
    ///
    /// When the data directory cannot be opened or read; [`try_build`](EmulatorBuilder::try_build)
    /// returns that error instead.
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::builder().build();
    /// assert!(emulator.bucket_names().is_empty());
    /// ```
    pub fn build(self) -> Emulator {
        match self.try_build() {
            Ok(e) => e,
            Err(e) => panic!("cannot open the emulator's data directory: {e}"),
        }
    }

    /// Like [`build`](EmulatorBuilder::build), with an error when the data directory cannot be
    /// opened, read, or holds a record it cannot parse (named in the error).
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::builder().try_build()?;
    /// # let _ = emulator;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_build(self) -> std::io::Result<Emulator> {
        let mut accounts = self.accounts;
        if accounts.is_empty() {
            accounts.push(Account::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, DEFAULT_APPID));
        }
        let (disk, state) = match &self.data_dir {
            Some(dir) => {
                let (disk, state) = disk::Disk::open(dir)?;
                (Some(disk), state)
            }
            None => (None, State::default()),
        };
        Ok(Emulator {
            inner: Arc::new(Inner {
                accounts,
                temporary: RwLock::new(HashMap::new()),
                clock: self.clock.unwrap_or_else(|| Arc::new(crate::auth::unix_now) as Arc<Clock>),
                region: self.region,
                max_object_size: self.max_object_size,
                trust_content_md5: self.trust_content_md5,
                upload_ids: self.upload_ids,
                limits: self.limits,
                counter: AtomicU64::new(state.upload_counter_start()),
                disk,
                state: RwLock::new(state),
            }),
        })
    }
}
