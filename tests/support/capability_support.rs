//! The environment every capability runs in: an emulator with two accounts of one appid (the
//! owner and a stranger), reached either in-process (the emulator as the client's transport)
//! or over its HTTP front on 127.0.0.1 through `UreqTransport`, path style.

use std::fmt::Debug;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use tencent_cos::checksum::md5_hex;
use tencent_cos::emulator::{Account, DEFAULT_APPID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator, ServerHandle};
use tencent_cos::http::{Body, Headers, Method, Request};
use tencent_cos::transport::{Transport, UreqTransport};
use tencent_cos::{Bucket, Client, ClientBuilder, RetryPolicy};

// Deterministic data and temporary files, as the transfer tests make them.
use super::transfer_support;
pub use transfer_support::{TempFile, pattern};

pub const REGION: &str = "ap-guangzhou";
pub const BUCKET: &str = "examplebucket-1250000000";
/// A second account of the same appid (a sub-account with its own uin): not the bucket owner.
pub const OTHER_SECRET_ID: &str = "AKIDOTHER00000000000000000000000000000";
pub const OTHER_SECRET_KEY: &str = "OtherSecretKey00000000000000000000";
pub const OTHER_UIN: &str = "100000000002";
/// The owner's ID as COS shows it.
pub const OWNER_ID: &str = "qcs::cam::uin/1250000000:uin/1250000000";
pub const OTHER_ID: &str = "qcs::cam::uin/100000000002:uin/100000000002";

/// How the client reaches the emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Front {
    InProcess,
    Http,
}

/// One emulator and the way to it.
pub struct Env {
    pub emulator: Emulator,
    pub front: Front,
    server: Option<ServerHandle>,
    transport: Arc<dyn Transport>,
}

/// A response read whole.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl Env {
    pub fn new(front: Front) -> Env {
        let emulator = Emulator::builder()
            .account(Account::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, DEFAULT_APPID))
            .account(Account::new(OTHER_SECRET_ID, OTHER_SECRET_KEY, DEFAULT_APPID).with_uin(OTHER_UIN))
            .build();
        let (server, transport): (_, Arc<dyn Transport>) = match front {
            Front::InProcess => (None, Arc::new(emulator.clone())),
            Front::Http => {
                let server = emulator.serve("127.0.0.1:0").expect("serve the emulator on a free port");
                assert!(server.addr().ip().is_loopback());
                (
                    Some(server),
                    Arc::new(UreqTransport::new(Some(Duration::from_secs(5)), Some(Duration::from_secs(30)))),
                )
            }
        };
        Env { emulator, front, server, transport }
    }

    /// `http://127.0.0.1:PORT` over HTTP; `None` in-process.
    pub fn server_url(&self) -> Option<String> {
        self.server.as_ref().map(ServerHandle::url)
    }

    /// The host a bucket's requests carry (and sign).
    pub fn bucket_host(&self) -> String {
        match &self.server {
            Some(s) => s.addr().to_string(),
            None => format!("{BUCKET}.cos.{REGION}.myqcloud.com"),
        }
    }

    /// A builder aimed at the emulator, with no credentials and no retries (a retry would hide
    /// a first answer that was wrong).
    pub fn builder(&self) -> ClientBuilder {
        let builder = Client::builder().region(REGION).retry(RetryPolicy::none()).transport(self.transport.clone());
        match &self.server {
            Some(s) => builder.endpoint_url(&s.url()),
            None => builder,
        }
    }

    /// A client of the bucket owner.
    pub fn client(&self) -> Client {
        self.client_with(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
    }

    pub fn client_with(&self, secret_id: &str, secret_key: &str) -> Client {
        self.builder().secret(secret_id, secret_key).build().expect("client")
    }

    /// A client of the other account.
    pub fn other(&self) -> Bucket {
        self.client_with(OTHER_SECRET_ID, OTHER_SECRET_KEY).bucket(BUCKET)
    }

    /// A client that signs nothing.
    pub fn anonymous(&self) -> Bucket {
        self.builder().anonymous().build().expect("client").bucket(BUCKET)
    }

    /// The owner's handle on [`BUCKET`] (not created).
    pub fn bucket(&self) -> Bucket {
        self.client().bucket(BUCKET)
    }

    /// Creates [`BUCKET`] and returns the owner's handle on it.
    pub fn create_bucket(&self) -> Bucket {
        let bucket = self.bucket();
        let out = bucket.put_bucket().send().expect("put_bucket");
        assert_eq!(out.meta.status, 200);
        bucket
    }

    /// Sends one unsigned request to `url` through the front's transport (the emulator itself,
    /// or `UreqTransport` over HTTP), as a browser following a presigned URL would.
    pub fn fetch(&self, method: Method, url: &str, body: &[u8]) -> Fetched {
        self.fetch_with(method, url, Headers::new(), body)
    }

    /// [`Env::fetch`] with headers of the caller's choosing (an `Authorization` from `get_auth`).
    pub fn fetch_with(&self, method: Method, url: &str, headers: Headers, body: &[u8]) -> Fetched {
        let request = Request { method, url: url.to_owned(), headers, body: Body::from(body) };
        let mut response = self.transport.send(request).expect("a response");
        let mut body = Vec::new();
        response.body.read_to_end(&mut body).expect("read the body");
        Fetched { status: response.status, headers: response.headers, body }
    }
}

impl Fetched {
    /// The status and the `<Error>` code of the body (the status as text when there is none).
    pub fn code(&self) -> (u16, String) {
        let e = tencent_cos::unversioned::xml::parse_service_error(self.status, &self.headers, &self.body);
        (e.status, e.code)
    }
}

/// The status and COS error code of a call that must fail with a service error.
pub fn failure<T: Debug>(result: tencent_cos::Result<T>) -> (u16, String) {
    match result {
        Ok(v) => panic!("expected a service error, got {v:?}"),
        Err(e) => match e.service() {
            Some(s) => (s.status, s.code.clone()),
            None => panic!("expected a service error, got {e}"),
        },
    }
}

/// The ETag COS gives a simple object: the MD5 of its bytes, quoted.
pub fn etag_of(data: &[u8]) -> String {
    format!("\"{}\"", md5_hex(data))
}
