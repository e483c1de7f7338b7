//! Shared by the `emulator_*` tests: a raw-request operation, and a harness that runs the same
//! test against the emulator in-process and over its HTTP front through `UreqTransport`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorBuilder, ServerHandle};
use tencent_cos::http::{Headers, Method, Response};
use tencent_cos::operation::{Operation, OperationRequest};
use tencent_cos::unversioned::signing::{sign_parts, signing_path};
use tencent_cos::unversioned::xml::{Element, parse_document, parse_service_error};
use tencent_cos::{Bucket, Scope};
use tencent_cos::{Client, ClientBuilder, RetryPolicy, ServiceError, SignedAuthorization};

pub const REGION: &str = "ap-guangzhou";
pub const BUCKET: &str = "examplebucket-1250000000";

/// Any request, answered with whatever status came back.
#[derive(Clone, Debug)]
pub struct Raw {
    method: Method,
    key: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    pub fn new(method: Method) -> Self {
        Raw { method, key: None, query: Vec::new(), headers: Vec::new(), body: Vec::new() }
    }
    pub fn get() -> Self {
        Raw::new(Method::Get)
    }
    pub fn put() -> Self {
        Raw::new(Method::Put)
    }
    pub fn post() -> Self {
        Raw::new(Method::Post)
    }
    pub fn head() -> Self {
        Raw::new(Method::Head)
    }
    pub fn delete() -> Self {
        Raw::new(Method::Delete)
    }
    pub fn options() -> Self {
        Raw::new(Method::Options)
    }
    pub fn key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    /// An XML body with its Content-MD5, as the SDKs send configurations.
    pub fn xml(mut self, xml: &str) -> Self {
        self.headers.push(("Content-Type".into(), "application/xml".into()));
        self.headers.push(("Content-MD5".into(), tencent_cos::checksum::content_md5(xml.as_bytes())));
        self.body = xml.as_bytes().to_vec();
        self
    }
}

/// A response, body read.
#[derive(Clone, Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The error as the client would map it.
    pub fn error(&self) -> ServiceError {
        parse_service_error(self.status, &self.headers, &self.body)
    }
    /// `(status, Code)`.
    pub fn code(&self) -> (u16, String) {
        (self.status, self.error().code)
    }
    /// Texts of every element named `name`, in document order.
    pub fn texts(&self, name: &str) -> Vec<String> {
        let doc = parse_document(&self.body).unwrap_or_else(|e| panic!("not XML ({e}): {}", self.text()));
        doc.descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == name)
            .map(|n| Element::new(n).text())
            .collect()
    }
    pub fn text_of(&self, name: &str) -> String {
        self.texts(name).into_iter().next().unwrap_or_else(|| panic!("no <{name}> in {}", self.text()))
    }
    #[track_caller]
    pub fn ok(self) -> Self {
        assert!((200..300).contains(&self.status), "expected success, got {}: {}", self.status, self.text());
        self
    }
}

impl Operation for Raw {
    type Output = RawResponse;
    fn build(&mut self) -> tencent_cos::Result<OperationRequest> {
        let mut r = OperationRequest::new(self.method);
        if let Some(k) = &self.key {
            r = r.with_key(k.clone());
        }
        for (n, v) in &self.query {
            r = r.with_query(n.clone(), v.clone());
        }
        for (n, v) in &self.headers {
            r = r.with_header(n.clone(), v.clone());
        }
        Ok(r.with_body(std::mem::take(&mut self.body)))
    }
    fn parse(&mut self, mut response: Response) -> tencent_cos::Result<RawResponse> {
        let body = response.read_body(1 << 30)?;
        Ok(RawResponse { status: response.status, headers: response.headers, body })
    }
    fn accepts_status(&self, _status: u16) -> bool {
        true
    }
}

/// Which front a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Front {
    InProcess,
    Http,
}

/// An emulator, served over HTTP when the front says so.
pub struct Harness {
    pub emulator: Emulator,
    pub server: Option<ServerHandle>,
    pub front: Front,
}

impl Harness {
    pub fn new(front: Front, emulator: Emulator) -> Self {
        let server = match front {
            Front::InProcess => None,
            Front::Http => Some(emulator.serve("127.0.0.1:0").expect("bind 127.0.0.1:0")),
        };
        Harness { emulator, server, front }
    }

    /// A builder pointing at this front: no retries, region ap-guangzhou, no credentials yet.
    pub fn builder(&self) -> ClientBuilder {
        let b = Client::builder().region(REGION).retry(RetryPolicy::none());
        match &self.server {
            None => b.transport(self.emulator.clone()),
            Some(s) => b.endpoint_url(&s.url()),
        }
    }

    /// A client with the default account.
    pub fn client(&self) -> Client {
        self.client_with(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
    }

    pub fn client_with(&self, id: &str, key: &str) -> Client {
        self.builder().secret(id, key).build().unwrap()
    }

    pub fn anonymous(&self) -> Client {
        self.builder().anonymous().build().unwrap()
    }

    /// A client whose Authorization `sign` computes from the request, with skew correction off
    /// so a refused time is seen as is.
    pub fn signing_client(
        &self,
        sign: impl Fn(&tencent_cos::AuthorizationRequest<'_>) -> SignedAuthorization + Send + Sync + 'static,
    ) -> Client {
        let sign = Arc::new(sign);
        self.builder().correct_clock_skew(false).authorization_callback(move |r| Ok(sign(r))).build().unwrap()
    }

    /// A client with the default account whose clock reads `clock` (for an emulator built with
    /// [`on_clock`]).
    pub fn client_on(&self, clock: &Arc<AtomicU64>) -> Client {
        let clock = clock.clone();
        let b = self.builder().secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY);
        b.clock(move || clock.load(Ordering::SeqCst)).build().unwrap()
    }

    /// Sends `op` to `bucket` with the default client.
    pub fn send(&self, bucket: &str, op: Raw) -> RawResponse {
        self.client().bucket(bucket).execute(op).unwrap()
    }

    pub fn service(&self, client: &Client) -> RawResponse {
        client.execute(Scope::Service { region: None }, Raw::get()).unwrap()
    }

    /// Creates `BUCKET` with the default account.
    pub fn create_bucket(&self) -> &Self {
        self.send(BUCKET, Raw::put()).ok();
        self
    }

    /// Puts an object with the default account.
    pub fn put(&self, key: &str, body: &[u8]) -> RawResponse {
        self.send(BUCKET, Raw::put().key(key).body(body.to_vec())).ok()
    }

    /// The base URL of `bucket` on this front, for presigned URLs: `(url, host, path prefix)`.
    pub fn bucket_url(&self, bucket: &str) -> (String, String, String) {
        match &self.server {
            None => {
                let host = format!("{bucket}.cos.{REGION}.myqcloud.com");
                (format!("https://{host}"), host, String::new())
            }
            Some(s) => (format!("{}/{bucket}", s.url()), s.addr().to_string(), format!("/{bucket}")),
        }
    }

    /// Sends a request with a full URL (presigned) through this front's transport.
    pub fn send_url(&self, method: Method, url: &str, headers: &[(&str, &str)]) -> RawResponse {
        use tencent_cos::transport::{Transport, UreqTransport};
        let request = tencent_cos::http::Request {
            method,
            url: url.to_owned(),
            headers: headers.iter().map(|(n, v)| (*n, *v)).collect(),
            body: tencent_cos::http::Body::Empty,
        };
        let mut response = match self.front {
            Front::InProcess => self.emulator.send(request).unwrap(),
            Front::Http => UreqTransport::default().send(request).unwrap(),
        };
        let body = response.read_body(1 << 30).unwrap();
        RawResponse { status: response.status, headers: response.headers, body }
    }
}

/// An emulator builder whose clock reads `clock` (seconds), which the test moves.
pub fn on_clock(clock: &Arc<AtomicU64>) -> EmulatorBuilder {
    let clock = clock.clone();
    Emulator::builder().clock(move || clock.load(Ordering::SeqCst))
}

/// The bytes of `key` (the version `version` names, else the latest).
pub fn get_bytes(b: &Bucket, key: &str, version: Option<&str>) -> tencent_cos::Result<Vec<u8>> {
    let mut call = b.get_object(key);
    if let Some(v) = version {
        call = call.version_id(v);
    }
    call.send()?.bytes()
}

/// Signs what the client would send with `secret_id` / `secret_key` over `start..end`.
pub fn sign_request(
    r: &tencent_cos::AuthorizationRequest<'_>,
    secret_id: &str,
    secret_key: &str,
    start: u64,
    end: u64,
) -> String {
    sign_parts(
        secret_id,
        secret_key,
        r.method,
        &signing_path(r.key),
        r.query.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        r.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        start,
        end,
    )
}

/// Runs each listed `fn(&Harness)` twice: `in_process::name` and `over_http::name`, each on a
/// fresh default emulator.
#[macro_export]
macro_rules! on_both_fronts {
    ($($name:ident),* $(,)?) => {
        mod in_process {
            $(#[test] fn $name() { super::$name(&$crate::support::emulator_support::Harness::new($crate::support::emulator_support::Front::InProcess, tencent_cos::emulator::Emulator::new())) })*
        }
        mod over_http {
            $(#[test] fn $name() { super::$name(&$crate::support::emulator_support::Harness::new($crate::support::emulator_support::Front::Http, tencent_cos::emulator::Emulator::new())) })*
        }
    };
}

/// A raw HTTP/1.1 connection, for what a client library would not send.
pub struct Conn {
    reader: std::io::BufReader<std::net::TcpStream>,
}

impl Conn {
    pub fn open(addr: std::net::SocketAddr) -> Conn {
        let stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        Conn { reader: std::io::BufReader::new(stream) }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.reader.get_mut().write_all(bytes).expect("write");
    }

    /// Reads one response; `None` when the server closed the connection first.
    pub fn read_response(&mut self, head_request: bool) -> Option<RawResponse> {
        use std::io::{BufRead, Read};
        let mut line = String::new();
        if self.reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let status: u16 = line.split(' ').nth(1)?.parse().ok()?;
        let mut headers = Headers::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).ok()?;
            let h = h.trim_end_matches(['\r', '\n']);
            if h.is_empty() {
                break;
            }
            let (n, v) = h.split_once(':')?;
            headers.append(n.trim(), v.trim());
        }
        let mut body = Vec::new();
        if !(head_request || status < 200 || status == 204 || status == 304) {
            match headers.get("content-length") {
                Some(n) => {
                    body.resize(n.parse().ok()?, 0);
                    self.reader.read_exact(&mut body).ok()?;
                }
                None => {
                    self.reader.read_to_end(&mut body).ok()?;
                }
            }
        }
        Some(RawResponse { status, headers, body })
    }

    /// The socket, for a second thread to write on.
    pub fn try_clone_stream(&self) -> std::net::TcpStream {
        self.reader.get_ref().try_clone().expect("clone a socket")
    }

    /// Half-closes: the server sees the end of the request stream.
    pub fn shutdown_write(&mut self) -> std::io::Result<()> {
        self.reader.get_ref().shutdown(std::net::Shutdown::Write)
    }

    /// True when the server has closed its side.
    pub fn is_closed(&mut self) -> bool {
        use std::io::Read;
        let mut b = [0u8; 1];
        matches!(self.reader.read(&mut b), Ok(0))
    }
}
