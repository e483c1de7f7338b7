//! The HTTP/1.1 front: one thread per connection, keep-alive, request bodies read by their
//! `Content-Length` (or chunked) without trusting the declared size for an allocation, response
//! bodies written segment by segment with a `Content-Length`.
//!
//! # Hostile clients
//!
//! | Limit | Value | What happens |
//! |---|---|---|
//! | Request judged from its head | signature, key time, token, bucket, write permission | refused at once (body unread, no `100 Continue`), `Connection: close` |
//! | Whole request head | [`EmulatorBuilder::head_timeout`](super::EmulatorBuilder::head_timeout), default 10 s from its first byte | 408 `RequestTimeout`, closed |
//! | Request head size | 64 KiB, 256 fields | 431, closed |
//! | Idle keep-alive connection | [`idle_timeout`](super::EmulatorBuilder::idle_timeout), default 120 s | closed |
//! | Stalled body or unread answer | [`body_timeout`](super::EmulatorBuilder::body_timeout), default 120 s | closed |
//! | Open connections | [`max_connections`](super::EmulatorBuilder::max_connections), default 512 | from 7/8 of it, each new connection closes the longest-idle one; at the cap with none idle, 503 `SlowDown` |
//! | Body size | [`max_object_size`](super::EmulatorBuilder::max_object_size), default 5 GiB; XML bodies 16 MiB | 400 `EntityTooLarge` / `MalformedXML` before reading |
//!
//! A refused request's connection is closed after a short lingering read (at most 1 s and
//! 64 MiB, discarded) so that bytes already in flight do not turn into a reset that would destroy
//! the answer before the client reads it.
//!
//! A small server of our own rather than a crate: it counts accepted connections (so tests can
//! see keep-alive work), keeps header values byte-faithful (UTF-8 metadata), and frames HEAD,
//! 204 and 304 answers exactly.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::http::{Headers, Method};

use super::Emulator;
use super::content::Content;
use super::disk::BlobWriter;
use super::request::Incoming;
use super::response::{CosError, Outgoing};

/// Largest request line plus headers.
const MAX_HEAD: u64 = 64 * 1024;
/// Most header fields in one request.
const MAX_HEADERS: usize = 256;
/// Longest lingering read after refusing a request from its head.
const LINGER_TIME: Duration = Duration::from_secs(1);
/// Most bytes discarded by that lingering read.
const LINGER_BYTES: u64 = 64 << 20;

/// A running HTTP front. [`shutdown`](ServerHandle::shutdown) (or dropping it) stops accepting,
/// closes open connections and joins every thread.
///
/// ```
/// let emulator = tencent_cos::emulator::Emulator::new();
/// let server = emulator.serve("127.0.0.1:0")?;
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// assert_eq!(server.connections_accepted(), 0);
/// server.shutdown();
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ServerHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("connections_accepted", &self.connections_accepted())
            .finish()
    }
}

struct Shared {
    stopping: AtomicBool,
    accepted: AtomicU64,
    next_id: AtomicU64,
    /// Open connections, so a shutdown can close them (`stopping` is set under this lock) and a
    /// crowded server can close the longest-idle one.
    open: Mutex<HashMap<u64, OpenConnection>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

struct OpenConnection {
    stream: TcpStream,
    /// Since when it has waited for a request's first byte; `None` while a request is served
    /// (or once it was chosen to be closed).
    idle_since: Option<Instant>,
}

impl Shared {
    fn set_idle(&self, id: u64, idle: bool) {
        if let Some(c) = lock(&self.open).get_mut(&id) {
            c.idle_since = idle.then(Instant::now);
        }
    }

    /// Closes the connection idle the longest; false when none is idle.
    fn close_oldest_idle(&self) -> bool {
        let mut open = lock(&self.open);
        let oldest = open.iter_mut().filter(|(_, c)| c.idle_since.is_some()).min_by_key(|(_, c)| c.idle_since);
        match oldest {
            Some((_, c)) => {
                c.idle_since = None;
                let _ = c.stream.shutdown(Shutdown::Both);
                true
            }
            None => false,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ServerHandle {
    /// The bound address (with the port the OS picked).
    ///
    /// ```
    /// let server = tencent_cos::emulator::Emulator::new().serve("127.0.0.1:0")?;
    /// assert!(server.addr().ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, for [`ClientBuilder::endpoint_url`](crate::ClientBuilder::endpoint_url).
    ///
    /// ```
    /// use tencent_cos::Client;
    /// use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
    /// let server = Emulator::new().serve("127.0.0.1:0")?;
    /// let client = Client::builder()
    ///     .endpoint_url(&server.url())
    ///     .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
    ///     .region("ap-guangzhou")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many TCP connections were accepted so far (keep-alive reuses one).
    ///
    /// ```
    /// let server = tencent_cos::emulator::Emulator::new().serve("127.0.0.1:0")?;
    /// let _conn = std::net::TcpStream::connect(server.addr())?;
    /// while server.connections_accepted() == 0 {
    ///     std::thread::yield_now();
    /// }
    /// assert_eq!(server.connections_accepted(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connections_accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Stops the server: no new connections, open ones closed, every thread joined.
    ///
    /// ```
    /// let server = tencent_cos::emulator::Emulator::new().serve("127.0.0.1:0")?;
    /// let addr = server.addr();
    /// server.shutdown();
    /// assert!(std::net::TcpStream::connect(addr).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        {
            let open = lock(&self.shared.open);
            self.shared.stopping.store(true, Ordering::SeqCst);
            for c in open.values() {
                let _ = c.stream.shutdown(Shutdown::Both);
            }
        }
        // Wake the blocking accept with a connection of our own.
        let wake_ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        if TcpStream::connect_timeout(&SocketAddr::new(wake_ip, self.addr.port()), Duration::from_secs(2)).is_ok() {
            let _ = accept.join();
        }
        let workers = std::mem::take(&mut *lock(&self.shared.workers));
        for w in workers {
            let _ = w.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds and starts accepting.
pub(crate) fn serve(emulator: Emulator, addr: impl ToSocketAddrs) -> io::Result<ServerHandle> {
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        stopping: AtomicBool::new(false),
        accepted: AtomicU64::new(0),
        next_id: AtomicU64::new(0),
        open: Mutex::new(HashMap::new()),
        workers: Mutex::new(Vec::new()),
    });
    let for_thread = shared.clone();
    let accept = thread::Builder::new()
        .name("cos-emulator-accept".into())
        .spawn(move || accept_loop(emulator, listener, for_thread))?;
    Ok(ServerHandle { addr, shared, accept: Some(accept) })
}

fn accept_loop(emulator: Emulator, listener: TcpListener, shared: Arc<Shared>) {
    let cap = emulator.limits().max_connections;
    let crowded = cap - cap / 8;
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            // Out of descriptors and the like: back off instead of spinning.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let _ = stream.set_nonblocking(false);
        let mut workers = lock(&shared.workers);
        workers.retain(|w| !w.is_finished());
        // Idle connections make room for new ones: a flood of them cannot starve real traffic.
        let made_room = workers.len() >= crowded && shared.close_oldest_idle();
        if workers.len() >= cap && !made_room {
            drop(workers);
            refuse_overloaded(&emulator, stream);
            continue;
        }
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut open = lock(&shared.open);
            if shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            match stream.try_clone() {
                Ok(clone) => {
                    open.insert(id, OpenConnection { stream: clone, idle_since: Some(Instant::now()) });
                }
                Err(_) => continue,
            }
        }
        let emulator = emulator.clone();
        let for_worker = shared.clone();
        let spawned = thread::Builder::new().name("cos-emulator-conn".into()).spawn(move || {
            let _ = serve_connection(&emulator, stream, &for_worker, id);
            lock(&for_worker.open).remove(&id);
        });
        match spawned {
            Ok(handle) => workers.push(handle),
            Err(_) => {
                if let Some(c) = lock(&shared.open).remove(&id) {
                    let _ = c.stream.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

fn refuse_overloaded(emulator: &Emulator, stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let out = emulator.error(CosError::new(503, "SlowDown", "Too many open connections; try again."), "", false);
    let mut w = BufWriter::new(stream);
    let _ = write_response(&mut w, &out, false, false, false);
}

/// A parsed request line and header section.
struct Head {
    method: String,
    target: String,
    http10: bool,
    headers: Headers,
}

enum HeadError {
    /// The connection ended or failed: close without answering.
    Gone,
    /// Answer 400 (or 431) and close.
    Bad(u16, String),
}

/// Reads one line (through `\n`) of at most `limit` bytes; `Ok(None)` at a clean end of stream.
fn read_line(r: &mut impl BufRead, limit: u64) -> Result<Option<Vec<u8>>, HeadError> {
    let mut line = Vec::new();
    let n = r.by_ref().take(limit).read_until(b'\n', &mut line).map_err(|_| HeadError::Gone)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        if n as u64 >= limit {
            return Err(HeadError::Bad(431, "the request head is too large".into()));
        }
        return Err(HeadError::Gone);
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

/// Header bytes as text: UTF-8 when valid, else Latin-1 (every byte a char), never lossy.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn read_head(r: &mut impl BufRead) -> Result<Option<Head>, HeadError> {
    let mut budget = MAX_HEAD;
    // Empty lines before a request line are allowed (RFC 9112 2.2).
    let request_line = loop {
        let Some(line) = read_line(r, budget)? else {
            return Ok(None);
        };
        budget = budget.saturating_sub(line.len() as u64 + 2);
        if !line.is_empty() {
            break line;
        }
        if budget == 0 {
            return Err(HeadError::Bad(400, "no request line".into()));
        }
    };
    let request_line = text(&request_line);
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Bad(400, "malformed request line".into()));
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(HeadError::Bad(400, format!("unsupported protocol {version:?}"))),
    };
    let mut headers = Headers::new();
    loop {
        let line = read_line(r, budget.max(1))?.ok_or(HeadError::Gone)?;
        budget = budget.saturating_sub(line.len() as u64 + 2);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(HeadError::Bad(400, "obsolete header line folding".into()));
        }
        let colon =
            line.iter().position(|&b| b == b':').ok_or_else(|| HeadError::Bad(400, "header without ':'".into()))?;
        let (name, value) = line.split_at(colon);
        if !is_token(name) {
            return Err(HeadError::Bad(400, "invalid header name".into()));
        }
        let value = value[1..].trim_ascii();
        if value.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
            return Err(HeadError::Bad(400, "invalid header value".into()));
        }
        if headers.len() >= MAX_HEADERS {
            return Err(HeadError::Bad(431, "too many header fields".into()));
        }
        headers.append(text(name), text(value));
    }
    Ok(Some(Head { method: method.to_owned(), target: target.to_owned(), http10, headers }))
}

/// Decodes a chunked body.
struct ChunkedReader<'a, R: BufRead> {
    inner: &'a mut R,
    remaining: u64,
    done: bool,
}

impl<R: BufRead> Read for ChunkedReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_owned());
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            let line = read_line(self.inner, 4096).ok().flatten().ok_or_else(|| invalid("bad chunk size line"))?;
            let line = text(&line);
            let size = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(size, 16).map_err(|_| invalid("bad chunk size"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let t = read_line(self.inner, 4096).ok().flatten().ok_or_else(|| invalid("bad trailer"))?;
                    if t.is_empty() {
                        break;
                    }
                }
                self.done = true;
                return Ok(0);
            }
            self.remaining = size;
        }
        let want = (buf.len() as u64).min(self.remaining) as usize;
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "chunked body ended early"));
        }
        self.remaining -= n as u64;
        if self.remaining == 0 {
            let crlf = read_line(self.inner, 2).ok().flatten().ok_or_else(|| invalid("no CRLF after a chunk"))?;
            if !crlf.is_empty() {
                return Err(invalid("chunk longer than its size"));
            }
        }
        Ok(n)
    }
}

/// Why a request body could not be read.
enum BodyError {
    /// The client's stream failed or ended early, or its chunked framing was malformed.
    Read,
    /// More than the size limit (chunked).
    TooLarge,
    /// The data directory could not be written.
    Disk(io::Error),
}

/// Request bodies above this many bytes are streamed into a blob when the emulator has a data
/// directory (smaller ones are read into memory and written with their record).
const STREAM_TO_DISK_ABOVE: u64 = 1 << 20;

/// Streams `body` into a new blob, `exact` bytes when the length is known, else to its end
/// (with a size check every piece, so a chunked body past the limit stops early).
fn read_into_blob(
    mut blob: BlobWriter,
    body: &mut dyn Read,
    exact: Option<u64>,
    limit: u64,
) -> Result<Content, BodyError> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(BodyError::Read),
        };
        total += n as u64;
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        blob.write_all(&buf[..n]).map_err(BodyError::Disk)?;
    }
    if exact.is_some_and(|n| n != total) {
        return Err(BodyError::Read);
    }
    Ok(Content::from_blob(blob.finish().map_err(BodyError::Disk)?))
}

/// How the request body is framed.
#[derive(Clone, Copy)]
enum Framing {
    Length(u64),
    Chunked,
}

fn framing(headers: &Headers) -> Result<Framing, CosError> {
    let mut lengths = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.trim());
    let te = headers.get("transfer-encoding");
    let first_length = lengths.next();
    match (te, first_length) {
        (Some(_), Some(_)) => Err(CosError::invalid_request("Both Transfer-Encoding and Content-Length were sent.")),
        (Some(te), None) if te.trim().eq_ignore_ascii_case("chunked") => Ok(Framing::Chunked),
        (Some(te), None) => Err(CosError::not_implemented(&format!("Transfer-Encoding {te:?}"))),
        (None, None) => Ok(Framing::Length(0)),
        (None, Some(v)) => {
            let n = v
                .parse::<u64>()
                .ok()
                .filter(|_| v.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| CosError::invalid_request(format!("Invalid Content-Length {v:?}.")))?;
            if lengths.any(|other| other != v) {
                return Err(CosError::invalid_request("Conflicting Content-Length headers."));
            }
            Ok(Framing::Length(n))
        }
    }
}

/// The connection's read half, with a deadline for the request head or a stall timeout otherwise.
struct TimedStream {
    stream: TcpStream,
    /// When set, reads fail with `TimedOut` once it passes.
    deadline: Option<Instant>,
    /// The timeout of one read when no deadline is set.
    stall: Duration,
    /// The socket's current read timeout, to set it only when it changes.
    current: Option<Duration>,
}

impl TimedStream {
    fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

impl Read for TimedStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let timeout = match self.deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "request head deadline passed"));
                }
                left
            }
            None => self.stall,
        };
        if self.current != Some(timeout) {
            self.stream.set_read_timeout(Some(timeout))?;
            self.current = Some(timeout);
        }
        self.stream.read(buf)
    }
}

type Reader = BufReader<TimedStream>;
type Writer = BufWriter<TcpStream>;

/// Answers a request refused from its head and closes the connection without reading its body:
/// `Connection: close`, then a short lingering read that discards what is already in flight (see
/// the module docs), then the close.
fn refuse_and_close(reader: &mut Reader, writer: &mut Writer, out: &Outgoing, head: bool, http10: bool) {
    if write_response(writer, out, head, false, http10).is_err() {
        return;
    }
    let _ = writer.get_ref().shutdown(Shutdown::Write);
    let linger = reader.get_mut();
    linger.deadline = Some(Instant::now() + LINGER_TIME);
    let mut sink = [0u8; 16 * 1024];
    let mut left = LINGER_BYTES;
    while left > 0 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n as u64),
        }
    }
}

/// Serves requests on one connection until it closes, fails, or asks to close.
fn serve_connection(emulator: &Emulator, stream: TcpStream, shared: &Shared, id: u64) -> io::Result<()> {
    let limits = emulator.limits();
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(limits.body_timeout))?;
    let local = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let timed = TimedStream { stream: stream.try_clone()?, deadline: None, stall: limits.idle_timeout, current: None };
    let mut reader = BufReader::with_capacity(64 * 1024, timed);
    let mut writer = BufWriter::with_capacity(64 * 1024, stream);
    loop {
        // Idle until the next request's first byte: such connections may be closed to make room.
        reader.get_mut().deadline = None;
        reader.get_mut().stall = limits.idle_timeout;
        shared.set_idle(id, true);
        match reader.fill_buf() {
            Ok([]) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
        shared.set_idle(id, false);
        // From its first byte, the whole head has a deadline.
        reader.get_mut().deadline = Some(Instant::now() + limits.head_timeout);
        let head = read_head(&mut reader);
        let timed_out = reader.get_ref().past_deadline();
        reader.get_mut().deadline = None;
        reader.get_mut().stall = limits.body_timeout;
        let head = match head {
            Ok(Some(head)) => head,
            Err(HeadError::Gone) if timed_out => {
                let error = CosError::new(408, "RequestTimeout", "The request head was not received in time.");
                let out = emulator.error(error, "", false);
                return write_response(&mut writer, &out, false, false, false);
            }
            Ok(None) | Err(HeadError::Gone) => return Ok(()),
            Err(HeadError::Bad(status, why)) => {
                let code = if status == 431 { "RequestHeaderFieldsTooLarge" } else { "BadRequest" };
                let out = emulator.error(CosError::new(status, code, why), "", false);
                return write_response(&mut writer, &out, false, false, false);
            }
        };
        let Head { method, target, http10, headers } = head;
        let connection = headers.get("connection").unwrap_or("").to_ascii_lowercase();
        let keep_alive = if http10 { connection.contains("keep-alive") } else { !connection.contains("close") };

        // Absolute-form targets carry the host.
        let (url_host, target) = match target.split_once("://") {
            Some((_, rest)) => {
                let cut = rest.find(['/', '?']).unwrap_or(rest.len());
                let (authority, path) = rest.split_at(cut);
                (Some(authority.to_owned()), if path.starts_with('/') { path.to_owned() } else { format!("/{path}") })
            }
            None => (None, target),
        };
        let host = headers.get("host").map(str::to_owned).or(url_host).unwrap_or_else(|| local.clone());
        let resource = format!("{host}{}", target.split('?').next().unwrap_or(""));
        let is_head = method.eq_ignore_ascii_case("HEAD");
        let refuse = |reader: &mut Reader, writer: &mut Writer, error: CosError| {
            let out = emulator.error(error, &resource, is_head);
            refuse_and_close(reader, writer, &out, is_head, http10);
            Ok(())
        };

        let framing = match framing(&headers) {
            Ok(f) => f,
            Err(e) => return refuse(&mut reader, &mut writer, e),
        };
        let limit = emulator.max_object_size();
        if let Framing::Length(n) = framing
            && n > limit
        {
            return refuse(&mut reader, &mut writer, CosError::entity_too_large(limit));
        }
        let Some(method) = Method::parse(&method) else {
            return refuse(&mut reader, &mut writer, CosError::method_not_allowed());
        };
        if !target.starts_with('/') {
            return refuse(
                &mut reader,
                &mut writer,
                CosError::invalid_uri(format!("Invalid request target {target:?}.")),
            );
        }
        let mut req = match Incoming::new(method, host, &target, headers, Content::empty()) {
            Ok(req) => req,
            Err(e) => return refuse(&mut reader, &mut writer, e),
        };
        let has_body = !matches!(framing, Framing::Length(0));
        if has_body {
            // Judged from the head: a refused request's body is never read.
            let declared = match framing {
                Framing::Length(n) => Some(n),
                Framing::Chunked => None,
            };
            if let Err(e) = emulator.admit(&req, declared) {
                return refuse(&mut reader, &mut writer, e);
            }
            if req.headers.get("expect").is_some_and(|e| e.trim().eq_ignore_ascii_case("100-continue")) {
                writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
                writer.flush()?;
            }
        }
        let to_disk = match framing {
            Framing::Length(n) => n > STREAM_TO_DISK_ABOVE,
            Framing::Chunked => true,
        };
        let blob = if to_disk { emulator.blob_writer() } else { None };
        let read = match (framing, blob) {
            (_, Some(Err(e))) => Err(BodyError::Disk(e)),
            (Framing::Length(n), Some(Ok(w))) => read_into_blob(w, &mut (&mut reader).take(n), Some(n), limit),
            (Framing::Chunked, Some(Ok(w))) => {
                let mut chunked = ChunkedReader { inner: &mut reader, remaining: 0, done: false };
                read_into_blob(w, &mut chunked, None, limit)
            }
            (Framing::Length(n), None) => Content::read_exact_from(&mut reader, n).map_err(|_| BodyError::Read),
            (Framing::Chunked, None) => {
                let mut chunked = ChunkedReader { inner: &mut reader, remaining: 0, done: false };
                match Content::read_to_end_limited(&mut chunked, limit) {
                    Ok(Some(c)) => Ok(c),
                    Ok(None) => Err(BodyError::TooLarge),
                    Err(_) => Err(BodyError::Read),
                }
            }
        };
        req.body = match read {
            Ok(c) => c,
            // A body cut short: nothing to answer.
            Err(BodyError::Read) if matches!(framing, Framing::Length(_)) => return Ok(()),
            Err(BodyError::Read) => {
                return refuse(&mut reader, &mut writer, CosError::invalid_request("Malformed chunked body."));
            }
            Err(BodyError::TooLarge) => return refuse(&mut reader, &mut writer, CosError::entity_too_large(limit)),
            Err(BodyError::Disk(e)) => {
                let why = format!("The emulator could not write its data directory: {e}.");
                return refuse(&mut reader, &mut writer, CosError::new(500, "InternalError", why));
            }
        };
        let out = emulator.handle(req);
        write_response(&mut writer, &out, is_head, keep_alive, http10)?;
        if !keep_alive {
            let _ = writer.get_ref().shutdown(Shutdown::Write);
            return Ok(());
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Header text safe for the wire: CR, LF and NUL become spaces.
fn wire_safe(s: &str) -> String {
    s.chars().map(|c| if matches!(c, '\r' | '\n' | '\0') { ' ' } else { c }).collect()
}

fn write_response(w: &mut Writer, out: &Outgoing, head: bool, keep_alive: bool, http10: bool) -> io::Result<()> {
    let bodyless = matches!(out.status, 204 | 304) || out.status < 200;
    write!(w, "HTTP/1.1 {} {}\r\n", out.status, reason(out.status))?;
    for (name, value) in out.headers.iter() {
        if !is_token(name.as_bytes()) || name.eq_ignore_ascii_case("connection") {
            continue;
        }
        if bodyless && name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        w.write_all(name.as_bytes())?;
        w.write_all(b": ")?;
        w.write_all(wire_safe(value).as_bytes())?;
        w.write_all(b"\r\n")?;
    }
    if !keep_alive {
        w.write_all(b"Connection: close\r\n")?;
    } else if http10 {
        w.write_all(b"Connection: keep-alive\r\n")?;
    }
    w.write_all(b"\r\n")?;
    if !head && !bodyless {
        out.body.for_each_chunk(|chunk| w.write_all(chunk))?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> Result<Option<Head>, HeadError> {
        read_head(&mut BufReader::new(raw))
    }

    #[test]
    fn parses_heads() {
        let h = head(b"\r\nPUT /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Cos-Meta-A:  v  \r\n\r\n").ok().flatten().unwrap();
        assert_eq!((h.method.as_str(), h.target.as_str(), h.http10), ("PUT", "/a?b=1", false));
        assert_eq!(h.headers.get("x-cos-meta-a"), Some("v"));
        assert!(matches!(head(b""), Ok(None)));
        for bad in [
            &b"GET / HTTP/2\r\n\r\n"[..],
            b"GET /\r\n\r\n",
            b"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
        ] {
            assert!(matches!(head(bad), Err(HeadError::Bad(400, _))), "{}", String::from_utf8_lossy(bad));
        }
        let huge = format!("GET / HTTP/1.1\r\nA: {}\r\n\r\n", "x".repeat(70_000));
        assert!(matches!(head(huge.as_bytes()), Err(HeadError::Bad(431, _))));
        assert!(matches!(head(b"GET / HTTP/1.1\r\nA: b"), Err(HeadError::Gone)));
    }

    #[test]
    fn decodes_chunked() {
        let raw = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        let mut r = BufReader::new(&raw[..]);
        let mut out = Vec::new();
        ChunkedReader { inner: &mut r, remaining: 0, done: false }.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"hello world");
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "NEXT");
        for bad in [&b"zz\r\n"[..], b"5\r\nhel", b"2\r\nhello\r\n0\r\n\r\n", b"ffffffffffffffffffff\r\n"] {
            let mut r = BufReader::new(bad);
            assert!(ChunkedReader { inner: &mut r, remaining: 0, done: false }.read_to_end(&mut Vec::new()).is_err());
        }
    }

    #[test]
    fn framings() {
        let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(n, v)| (*n, *v)).collect::<Headers>();
        assert!(matches!(framing(&h(&[])), Ok(Framing::Length(0))));
        assert!(matches!(framing(&h(&[("Content-Length", "12")])), Ok(Framing::Length(12))));
        assert!(matches!(framing(&h(&[("Transfer-Encoding", "chunked")])), Ok(Framing::Chunked)));
        for bad in [
            h(&[("Content-Length", "-1")]),
            h(&[("Content-Length", "+1")]),
            h(&[("Content-Length", "99999999999999999999999")]),
            h(&[("Content-Length", "1"), ("Content-Length", "2")]),
            h(&[("Content-Length", "1"), ("Transfer-Encoding", "chunked")]),
            h(&[("Transfer-Encoding", "gzip")]),
        ] {
            assert!(framing(&bad).is_err());
        }
    }
}
