//! An in-memory COS that checks signatures: a [`Transport`] for tests without a network or an
//! account, and an HTTP front on loopback for any client (the official SDKs included).
//!
//! It holds buckets, objects, ACLs, CORS rules and multipart uploads in memory (or, with
//! [`EmulatorBuilder::data_dir`], in a directory that survives restarts), speaks COS's
//! wire protocol (virtual-hosted `{bucket}.cos.{region}.<domain>` hosts, path style
//! `/{bucket}/{key}` on any other host, the service domain for GET Service), and answers with
//! COS's XML bodies and error codes.
//!
//! # Default account
//!
//! Unless you configure accounts, one account exists: SecretId [`DEFAULT_SECRET_ID`]
//! (`AKIDEMULATOR0000000000000000000000000`), SecretKey [`DEFAULT_SECRET_KEY`]
//! (`EmulatorSecretKey0000000000000000`), appid [`DEFAULT_APPID`] (`1250000000`), so buckets are
//! named like `examplebucket-1250000000`. Its uin (owner ID) is the appid.
//!
//! # In-process
//!
//! ```
//! use tencent_cos::Client;
//! use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
//! use tencent_cos::http::{Method, Response};
//! use tencent_cos::operation::{Operation, OperationRequest};
//!
//! /// PUT Bucket, returning the status.
//! struct CreateBucket;
//! impl Operation for CreateBucket {
//!     type Output = u16;
//!     fn build(&mut self) -> tencent_cos::Result<OperationRequest> {
//!         Ok(OperationRequest::new(Method::Put))
//!     }
//!     fn parse(&mut self, response: Response) -> tencent_cos::Result<u16> {
//!         Ok(response.status)
//!     }
//! }
//!
//! let emulator = Emulator::new();
//! let client = Client::builder()
//!     .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
//!     .region("ap-guangzhou")
//!     .transport(emulator.clone())
//!     .build()?;
//! assert_eq!(client.bucket("examplebucket-1250000000").execute(CreateBucket)?, 200);
//! assert_eq!(emulator.bucket_names(), ["examplebucket-1250000000"]);
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! # Over HTTP
//!
//! [`Emulator::serve`] binds an address and serves the same state; point a client at it with
//! [`ClientBuilder::endpoint_url`](crate::ClientBuilder::endpoint_url) (path style), or run
//! `cargo run --example emulator -- --addr 127.0.0.1:9000`.
//!
//! ```
//! use tencent_cos::emulator::Emulator;
//! let server = Emulator::new().serve("127.0.0.1:0")?;
//! println!("listening on {}", server.url());
//! server.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Behaviour worth knowing
//!
//! - **Authentication** as COS: the `Authorization` header, a presigned URL's `q-*` parameters,
//!   or `sign=` (an XML-API Authorization, or on a GET/HEAD of an object the legacy v4
//!   signature of `getV4Auth`, `v4_check.rs`). Garbled: 403 `AccessDenied`; unknown SecretId: 403 `InvalidAccessKeyId`; wrong
//!   signature: 403 `SignatureDoesNotMatch` with the `StringToSign` and `FormatString` the
//!   emulator computed; key time over: 403 `AccessDenied` "Request has expired"; key time not yet
//!   begun: 403 `RequestTimeTooSkewed` (both with `ServerTime`, and every answer has a `Date`
//!   header, so the client's clock-skew correction works). Temporary keys
//!   ([`Emulator::issue_temporary_credentials`]) need `x-cos-security-token` (header or query):
//!   missing 403 `AccessDenied`, wrong 403 `InvalidToken`, expired 403 `ExpiredToken` (COS's
//!   documentation names no codes for these; these are S3's). Unsigned requests pass only where
//!   an ACL allows (public-read: GET/HEAD; public-read-write: also PUT/POST/DELETE of objects).
//! - **Ownership** is simplified: a bucket's owner may do anything in it; every other account is
//!   judged by the ACLs alone (no bucket policies, no CAM). An object ACL of `default` inherits the
//!   bucket's. A bucket may only be created by an account of its appid; two accounts may share an
//!   appid with different uins (sub-accounts), which is how `BucketAlreadyExists` arises.
//! - **Metadata**: `x-cos-meta-*` names come back lower-cased, as COS returns them.
//!   `x-cos-storage-class` is returned only for classes other than STANDARD; an ARCHIVE /
//!   DEEP_ARCHIVE object is read (GET, copy source) only once restored, and a restore is done at
//!   once (`handlers/restore.rs`).
//! - **Versions** as COS keeps them once a bucket's versioning is set (Enabled: a version per
//!   write, delete markers; Suspended: the `null` version), `GET ?versions`, `versionId` on GET,
//!   HEAD, DELETE, ACL and copy sources; kept in a data directory too (`versions.rs`).
//! - **Listing**: UTF-8 byte order; `NextMarker` whenever `IsTruncated` is true (as COS documents;
//!   S3 sends it only with a delimiter); `encoding-type=url` encodes keys and prefixes with `/`
//!   kept.
//! - **Server-side encryption** is kept, not applied (bytes are stored in the clear): an object
//!   written with `x-cos-server-side-encryption` (`AES256`, or `cos/kms` with its key id) or with
//!   an SSE-C customer key answers the same headers on PUT, Initiate, parts, Complete, copy, GET and
//!   HEAD (for SSE-C the algorithm and the key's MD5, never the key); reading an SSE-C object (or
//!   adding a part to its upload, or copying it) without the same key is 400 `InvalidRequest`.
//!   See the table in `sse.rs`.
//! - **Integrity**: `Content-MD5`, when sent, is checked (400 `InvalidDigest` / `BadDigest`);
//!   `x-cos-hash-crc64ecma` is returned on put, part, complete, copy, GET and HEAD.
//! - **Limits**: bodies above [`EmulatorBuilder::max_object_size`] (default 5 GiB) are refused with
//!   400 `EntityTooLarge` before being read.
//! - **Data directory** ([`EmulatorBuilder::data_dir`]): everything but temporary keys is kept on
//!   disk; request bodies above 1 MiB stream into files, GETs read them in 256 KiB pieces; every
//!   write is atomic (temporary file, fsync, rename), so a crash leaves the old state or the new.
//!   The layout and guarantees are tabled in `disk.rs`.
//! - **Hostile clients** (the HTTP front): a request is judged from its head (signature, key time,
//!   token, bucket, write permission) before any of its body is read, and refused at once with
//!   `Connection: close` (no `100 Continue`); the whole head has a deadline
//!   ([`EmulatorBuilder::head_timeout`], 10 s); idle connections are closed, oldest first, to make
//!   room as the connection cap ([`EmulatorBuilder::max_connections`], 512) nears. The limits
//!   are tabled in the docs of [`ServerHandle`]'s module and in the README.
//! - Bucket configurations (tagging, policy, versioning, lifecycle, accelerate, website, referer,
//!   encryption, replication, logging, domain, origin, inventory, intelligent tiering) are checked,
//!   stored and returned, never acted on (see `handlers/bucket_documents.rs`); other calls outside
//!   the reference answer 501 `NotImplemented`.

mod access;
mod auth_check;
mod builder;
mod content;
mod dates;
mod disk;
mod handlers;
mod request;
mod response;
mod router;
mod select;
mod server;
mod sse;
mod store;
mod tags;
mod v4_check;
mod versions;
mod xml_out;

pub(crate) use builder::ServerLimits;
pub use builder::{
    Account, DEFAULT_BODY_TIMEOUT, DEFAULT_HEAD_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, EmulatorBuilder,
};
pub use server::ServerHandle;

use std::collections::HashMap;
use std::fmt;
use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use base64::Engine;
use sha1::{Digest, Sha1};

use crate::auth::TemporaryCredentials;
use crate::checksum::hex;
use crate::error::{Error, Result, TransportErrorKind};
use crate::http::{Body, Method, Request, Response};
use crate::transport::Transport;

use self::access::Principal;
use self::content::Content;
use self::request::Incoming;
use self::response::{CosError, Outgoing};
use self::store::State;
use self::xml_out::Xml;

/// SecretId of the default account.
pub const DEFAULT_SECRET_ID: &str = "AKIDEMULATOR0000000000000000000000000";
/// SecretKey of the default account.
pub const DEFAULT_SECRET_KEY: &str = "EmulatorSecretKey0000000000000000";
/// Appid of the default account: its buckets are `{name}-1250000000`.
pub const DEFAULT_APPID: u64 = 1_250_000_000;
/// Region of buckets created through a host that names none (`127.0.0.1:9000/{bucket}`).
pub const DEFAULT_REGION: &str = "ap-guangzhou";
/// Largest request body accepted by default: 5 GiB, COS's limit for one PUT or one part.
pub const DEFAULT_MAX_OBJECT_SIZE: u64 = 5 * 1024 * 1024 * 1024;

type Clock = dyn Fn() -> u64 + Send + Sync;
type UploadIdSource = dyn Fn(&str, &str) -> String + Send + Sync;

/// The in-memory COS. Cheap to clone (one `Arc`; clones share the state), `Send + Sync`.
/// Use it as a [`Transport`], or [`serve`](Emulator::serve) it over HTTP.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("accounts", &self.inner.accounts)
            .field("buckets", &self.bucket_names())
            .finish_non_exhaustive()
    }
}

impl Default for Emulator {
    fn default() -> Self {
        Emulator::new()
    }
}

/// A temporary key: the account it acts for, its secret, its token and expiry.
struct TemporaryKey {
    account: usize,
    secret_key: String,
    token: String,
    expires_at: u64,
}

/// What [`Inner::lookup_key`] found for a SecretId.
pub(crate) struct KeyInfo {
    pub(crate) secret_key: String,
    pub(crate) principal: Principal,
    pub(crate) token: Option<TokenInfo>,
}

/// The token a temporary key must come with.
pub(crate) struct TokenInfo {
    pub(crate) value: String,
    pub(crate) expires_at: u64,
}

/// The shared state behind an [`Emulator`].
pub(crate) struct Inner {
    accounts: Vec<Account>,
    temporary: RwLock<HashMap<String, TemporaryKey>>,
    clock: Arc<Clock>,
    pub(crate) region: String,
    pub(crate) max_object_size: u64,
    pub(crate) trust_content_md5: bool,
    upload_ids: Option<Arc<UploadIdSource>>,
    pub(crate) limits: ServerLimits,
    counter: AtomicU64,
    /// The data directory, when the state is kept on disk.
    disk: Option<disk::Disk>,
    state: RwLock<State>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Before the state (and its blobs) go: the files stay for the next start.
        drop(self.disk.take());
    }
}

impl Emulator {
    /// An empty emulator with the default account and the system clock.
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::new();
    /// let shared = emulator.clone(); // the same state
    /// # let _ = shared;
    /// ```
    pub fn new() -> Self {
        Emulator::builder().build()
    }

    /// A builder: accounts, clock, limits.
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::builder().clock(|| 1_700_000_000).build();
    /// assert_eq!(emulator.now(), 1_700_000_000);
    /// ```
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::new()
    }

    /// Serves the emulator over HTTP/1.1 on `addr` (`"127.0.0.1:0"` picks a free port) until the
    /// handle is shut down or dropped.
    ///
    /// ```
    /// let server = tencent_cos::emulator::Emulator::new().serve("127.0.0.1:0")?;
    /// assert!(server.addr().port() > 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn serve(&self, addr: impl ToSocketAddrs) -> std::io::Result<ServerHandle> {
        server::serve(self.clone(), addr)
    }

    /// Now, in Unix seconds, by the emulator's clock.
    ///
    /// ```
    /// assert!(tencent_cos::emulator::Emulator::new().now() > 1_600_000_000);
    /// ```
    pub fn now(&self) -> u64 {
        self.inner.now()
    }

    /// Mints temporary credentials (as STS would) acting for the account `secret_id`, valid for
    /// `duration_secs` from now. The SecretId, SecretKey and token are drawn from the operating
    /// system's CSPRNG (`/dev/urandom`); where it cannot be read, this is an error.
    ///
    /// ```
    /// use tencent_cos::emulator::{DEFAULT_SECRET_ID, Emulator};
    /// let emulator = Emulator::new();
    /// let tmp = emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 1800)?;
    /// assert_eq!(tmp.expired_time, emulator.now() + 1800);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn issue_temporary_credentials(&self, secret_id: &str, duration_secs: u64) -> Result<TemporaryCredentials> {
        let now = self.now();
        // From the operating system's CSPRNG: a temporary key must not be derivable from the
        // public SecretId, the time or a counter.
        let random = random_bytes(60)
            .map_err(|e| Error::invalid_state("temporary credentials", format!("cannot read {RANDOM_SOURCE}: {e}")))?;
        let creds = TemporaryCredentials {
            tmp_secret_id: format!("AKIDTMP{}", &hex(&random[..15])[..29]),
            tmp_secret_key: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&random[15..39]),
            security_token: format!("emulator-token-{}", hex(&random[39..])),
            expired_time: now.saturating_add(duration_secs),
            start_time: Some(now),
        };
        self.add_temporary_credentials(secret_id, &creds)?;
        Ok(creds)
    }

    /// Registers temporary credentials of your own making, acting for the account `secret_id`.
    ///
    /// ```
    /// use tencent_cos::TemporaryCredentials;
    /// use tencent_cos::emulator::{DEFAULT_SECRET_ID, Emulator};
    /// let emulator = Emulator::new();
    /// emulator.add_temporary_credentials(DEFAULT_SECRET_ID, &TemporaryCredentials {
    ///     tmp_secret_id: "AKIDtmp".into(),
    ///     tmp_secret_key: "tmp-key".into(),
    ///     security_token: "token".into(),
    ///     expired_time: emulator.now() + 60,
    ///     start_time: None,
    /// })?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn add_temporary_credentials(&self, secret_id: &str, credentials: &TemporaryCredentials) -> Result<()> {
        let account = self
            .inner
            .accounts
            .iter()
            .position(|a| a.secret_id == secret_id)
            .ok_or_else(|| Error::invalid("secret_id", format!("{secret_id:?} is no account of this emulator")))?;
        if credentials.tmp_secret_id.is_empty() || credentials.tmp_secret_key.is_empty() {
            return Err(Error::invalid("credentials", "temporary SecretId and SecretKey must not be empty"));
        }
        let key = TemporaryKey {
            account,
            secret_key: credentials.tmp_secret_key.clone(),
            token: credentials.security_token.clone(),
            expires_at: credentials.expired_time,
        };
        self.inner.temporary.write().unwrap_or_else(|p| p.into_inner()).insert(credentials.tmp_secret_id.clone(), key);
        Ok(())
    }

    /// The names of every bucket, sorted.
    ///
    /// ```
    /// assert!(tencent_cos::emulator::Emulator::new().bucket_names().is_empty());
    /// ```
    pub fn bucket_names(&self) -> Vec<String> {
        self.inner.read_state().buckets.keys().cloned().collect()
    }

    /// The keys of every object in `bucket`, in listing order (empty for no such bucket).
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::new();
    /// assert!(emulator.object_keys("examplebucket-1250000000").is_empty());
    /// ```
    pub fn object_keys(&self, bucket: &str) -> Vec<String> {
        self.inner.read_state().buckets.get(bucket).map(|b| b.objects.keys().cloned().collect()).unwrap_or_default()
    }

    /// The bytes of an object, when it exists.
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::new();
    /// assert_eq!(emulator.object_bytes("examplebucket-1250000000", "a.txt"), None);
    /// ```
    pub fn object_bytes(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let state = self.inner.read_state();
        state.buckets.get(bucket)?.objects.get(key).map(|o| o.content.to_vec())
    }

    /// The multipart uploads in progress in `bucket`, as `(key, upload id)`: what a test checks
    /// to see that a failed transfer left nothing behind.
    ///
    /// ```
    /// let emulator = tencent_cos::emulator::Emulator::new();
    /// assert!(emulator.pending_uploads("examplebucket-1250000000").is_empty());
    /// ```
    pub fn pending_uploads(&self, bucket: &str) -> Vec<(String, String)> {
        self.inner.read_state().buckets.get(bucket).map(|b| b.uploads.keys().cloned().collect()).unwrap_or_default()
    }

    /// Answers one request: what both fronts call.
    pub(crate) fn handle(&self, req: Incoming) -> Outgoing {
        self.inner.handle(req)
    }

    /// Judges a request from its head (see [`handlers::admit`]): the HTTP front refuses a
    /// request this refuses before reading its body.
    pub(crate) fn admit(&self, req: &Incoming, declared: Option<u64>) -> std::result::Result<(), CosError> {
        handlers::admit(&self.inner, req, declared)
    }

    /// An error answer for a request that could not even be parsed (the HTTP front).
    pub(crate) fn error(&self, error: CosError, resource: &str, head: bool) -> Outgoing {
        let request_id = self.inner.next_request_id();
        self.inner.finish(Err(error), resource, &request_id, head)
    }

    pub(crate) fn max_object_size(&self) -> u64 {
        self.inner.max_object_size
    }

    pub(crate) fn limits(&self) -> ServerLimits {
        self.inner.limits
    }

    /// A blob to stream a request body into, when the state is kept on disk.
    pub(crate) fn blob_writer(&self) -> Option<std::io::Result<disk::BlobWriter>> {
        self.inner.disk.as_ref().map(disk::Disk::blob_writer)
    }
}

impl Inner {
    pub(crate) fn now(&self) -> u64 {
        (self.clock)()
    }

    pub(crate) fn read_state(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn write_state(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `write` on the data directory (nothing without one); a failure is 500 InternalError
    /// and the caller leaves the state unchanged.
    pub(crate) fn persist(&self, write: impl FnOnce(&disk::Disk) -> std::io::Result<()>) -> Result<(), CosError> {
        match &self.disk {
            None => Ok(()),
            Some(d) => write(d).map_err(|e| {
                CosError::new(500, "InternalError", format!("The emulator could not write its data directory: {e}."))
            }),
        }
    }

    /// `content` with every byte on disk when there is a data directory (as is without one).
    pub(crate) fn durable(&self, content: &Content) -> Result<Content, CosError> {
        match &self.disk {
            None => Ok(content.clone()),
            Some(d) => d.durable(content).map_err(|e| {
                CosError::new(500, "InternalError", format!("The emulator could not write its data directory: {e}."))
            }),
        }
    }

    /// The secret and principal of a SecretId, permanent or temporary.
    pub(crate) fn lookup_key(&self, secret_id: &str) -> Option<KeyInfo> {
        let principal = |a: &Account| Principal::Account { uin: a.uin.clone(), appid: a.appid };
        if let Some(a) = self.accounts.iter().find(|a| a.secret_id == secret_id) {
            return Some(KeyInfo { secret_key: a.secret_key.clone(), principal: principal(a), token: None });
        }
        let temporary = self.temporary.read().unwrap_or_else(|p| p.into_inner());
        let t = temporary.get(secret_id)?;
        let account = self.accounts.get(t.account)?;
        Some(KeyInfo {
            secret_key: t.secret_key.clone(),
            principal: principal(account),
            token: Some(TokenInfo { value: t.token.clone(), expires_at: t.expires_at }),
        })
    }

    /// A fresh UploadId for `key` in `bucket`.
    pub(crate) fn new_upload_id(&self, bucket: &str, key: &str) -> String {
        if let Some(source) = &self.upload_ids {
            return source(bucket, key);
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let now = self.now();
        let digest = hex(Sha1::digest(format!("{bucket}/{key}/{now}/{n}").as_bytes()).as_slice());
        // The counter leads, so uploads of one key list in the order they were initiated.
        format!("{now}{n:08x}{}", &digest[..32])
    }

    fn next_request_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{:x}_{n:x}_emulator", self.now()))
    }

    fn handle(&self, req: Incoming) -> Outgoing {
        let request_id = self.next_request_id();
        let resource = format!("{}{}", req.host, req.raw_path);
        let head = req.method == Method::Head;
        let result = handlers::dispatch(self, &req);
        self.finish(result, &resource, &request_id, head)
    }

    /// Adds the headers every answer has, and the `<Error>` body of an error.
    fn finish(&self, result: Result<Outgoing, CosError>, resource: &str, request_id: &str, head: bool) -> Outgoing {
        let mut out = match result {
            Ok(out) => out,
            Err(e) => {
                let mut out = Outgoing::empty(e.status);
                for (name, value) in &e.headers {
                    out.headers.append(*name, value.clone());
                }
                out.headers.insert("x-cos-trace-id", request_id);
                if !head {
                    let mut x = Xml::new();
                    x.open("Error");
                    x.leaf("Code", e.code);
                    x.leaf("Message", &e.message);
                    x.leaf("Resource", resource);
                    x.leaf("RequestId", request_id);
                    x.leaf("TraceId", request_id);
                    for (name, value) in &e.extra {
                        x.leaf(name, value);
                    }
                    x.close("Error");
                    out.headers.insert("Content-Type", "application/xml");
                    out.body = Content::from_vec(x.finish());
                }
                out
            }
        };
        if !out.headers.contains("content-length") && !matches!(out.status, 204 | 304) {
            out.headers.insert("Content-Length", out.body.len().to_string());
        }
        out.headers.insert("Date", dates::http_date(self.now()));
        out.headers.insert("Server", "tencent-cos");
        out.headers.insert("x-cos-request-id", request_id);
        out
    }
}

/// Where random bytes for temporary keys come from.
const RANDOM_SOURCE: &str = "/dev/urandom";

/// `n` bytes from the operating system's CSPRNG.
fn random_bytes(n: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = vec![0u8; n];
    std::fs::File::open(RANDOM_SOURCE)?.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// `scheme://authority/path?query` into the authority and the request target.
fn split_url(url: &str) -> Option<(&str, String)> {
    let (_, rest) = url.split_once("://")?;
    let cut = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(cut);
    let target = if target.starts_with('/') { target.to_owned() } else { format!("/{target}") };
    Some((authority, target))
}

impl Transport for Emulator {
    fn send(&self, request: Request) -> Result<Response> {
        let Request { method, url, mut headers, body } = request;
        let (authority, target) = split_url(&url)
            .ok_or_else(|| Error::transport(TransportErrorKind::Other, format!("not an absolute URL: {url:?}")))?;
        if !headers.contains("host") {
            headers.insert("Host", authority);
        }
        let host = headers.get("host").unwrap_or(authority).to_owned();
        let limit = self.inner.max_object_size;
        let len = body.len();
        let out = if len > limit {
            self.error(CosError::entity_too_large(limit), &format!("{host}{target}"), method == Method::Head)
        } else {
            let content = match body {
                Body::Empty => Content::empty(),
                Body::Bytes(bytes) => Content::from_shared(bytes),
                other => Content::read_exact_from(&mut other.into_reader(), len)?,
            };
            match Incoming::new(method, host.clone(), &target, headers, content) {
                Ok(req) => self.handle(req),
                Err(e) => self.error(e, &format!("{host}{target}"), method == Method::Head),
            }
        };
        Ok(Response { status: out.status, headers: out.headers, body: Box::new(out.body.reader()) })
    }
}
