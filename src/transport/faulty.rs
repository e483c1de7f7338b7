//! A transport wrapper that injects faults, seeded and logged: for testing that transfers end
//! with the right bytes or a clean error, in this crate's tests and in yours.

use std::io::{self, Read};
use std::sync::Mutex;
use std::time::Duration;

use crate::error::{Error, Result, TransportErrorKind};
use crate::http::{Body, Method, Request, Response};
use crate::transport::Transport;

/// The faults [`FaultyTransport`] can inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// The connection drops before the request is sent: the server never sees it.
    DropBeforeSend,
    /// The request reaches the server, the answer is lost.
    DropAfterSend,
    /// A 500 InternalError instead of the answer (the server never sees the request).
    Status500,
    /// A 503 SlowDown instead of the answer (the server never sees the request).
    Status503,
    /// The response body breaks off halfway with an error.
    TruncateResponse,
    /// The response body stalls, then fails as a read timeout would.
    StallResponse,
    /// One byte of the request body is flipped on its way to the server.
    FlipRequestByte,
    /// One byte of the response body is flipped on its way back.
    FlipResponseByte,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 8] = [
        FaultKind::DropBeforeSend,
        FaultKind::DropAfterSend,
        FaultKind::Status500,
        FaultKind::Status503,
        FaultKind::TruncateResponse,
        FaultKind::StallResponse,
        FaultKind::FlipRequestByte,
        FaultKind::FlipResponseByte,
    ];
}

/// Rates of each fault, per request (at most one fault per request).
#[derive(Clone, Debug)]
pub struct FaultConfig {
    /// Seed of the generator: the same seed and request sequence give the same faults.
    pub seed: u64,
    /// `(kind, probability)` pairs; the probabilities add up to at most 1.
    pub rates: Vec<(FaultKind, f64)>,
    /// How long a stalled body blocks before failing.
    pub stall_for: Duration,
}

impl FaultConfig {
    /// `rate` spread evenly over every kind.
    ///
    /// ```
    /// use tencent_cos::transport::FaultConfig;
    /// let c = FaultConfig::uniform(7, 0.2);
    /// assert!((c.rates.iter().map(|r| r.1).sum::<f64>() - 0.2).abs() < 1e-9);
    /// ```
    pub fn uniform(seed: u64, rate: f64) -> Self {
        let each = rate / FaultKind::ALL.len() as f64;
        FaultConfig {
            seed,
            rates: FaultKind::ALL.iter().map(|k| (*k, each)).collect(),
            stall_for: Duration::from_millis(50),
        }
    }

    /// Only `kind`, at `rate`.
    pub fn only(seed: u64, kind: FaultKind, rate: f64) -> Self {
        FaultConfig { seed, rates: vec![(kind, rate)], stall_for: Duration::from_millis(50) }
    }
}

/// One injected fault, as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InjectedFault {
    /// Sequence number of the request (0-based).
    pub request: u64,
    /// What was injected.
    pub kind: FaultKind,
    /// The request's method.
    pub method: Method,
    /// The request's URL.
    pub url: String,
}

struct State {
    rng: u64,
    requests: u64,
    log: Vec<InjectedFault>,
}

/// Wraps a transport and injects faults at the configured rates.
///
/// ```
/// use tencent_cos::http::{Request, Response};
/// use tencent_cos::transport::{FaultConfig, FaultKind, FaultyTransport, Transport};
///
/// struct Ok200;
/// impl Transport for Ok200 {
///     fn send(&self, _: Request) -> tencent_cos::Result<Response> {
///         Ok(Response::from_bytes(200, [("Content-Length", "0")], Vec::new()))
///     }
/// }
///
/// let faulty = FaultyTransport::new(Ok200, FaultConfig::only(42, FaultKind::Status503, 1.0));
/// let request = Request { method: tencent_cos::http::Method::Get, url: "http://127.0.0.1/".into(),
///                         headers: Default::default(), body: tencent_cos::http::Body::Empty };
/// assert_eq!(faulty.send(request)?.status, 503);
/// assert_eq!(faulty.log()[0].kind, FaultKind::Status503);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
pub struct FaultyTransport<T> {
    inner: T,
    config: FaultConfig,
    state: Mutex<State>,
}

impl<T: Transport> FaultyTransport<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, config: FaultConfig) -> Self {
        let rng = config.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        FaultyTransport { inner, config, state: Mutex::new(State { rng, requests: 0, log: Vec::new() }) }
    }

    /// Every fault injected so far.
    pub fn log(&self) -> Vec<InjectedFault> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).log.clone()
    }

    /// Requests seen so far.
    pub fn requests(&self) -> u64 {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).requests
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// Draws the fault of the next request, and a number to place it (byte offset).
    fn draw(&self, request: &Request) -> (Option<FaultKind>, u64) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let seq = s.requests;
        s.requests += 1;
        let roll = (next(&mut s.rng) >> 11) as f64 / (1u64 << 53) as f64;
        let place = next(&mut s.rng);
        let mut acc = 0.0;
        let kind = self.config.rates.iter().find_map(|(k, p)| {
            acc += p;
            (roll < acc).then_some(*k)
        });
        // A byte can only be flipped where there is a body.
        let kind = match kind {
            Some(FaultKind::FlipRequestByte) if request.body.is_empty() => None,
            k => k,
        };
        if let Some(kind) = kind {
            s.log.push(InjectedFault { request: seq, kind, method: request.method, url: request.url.clone() });
        }
        (kind, place)
    }
}

fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

fn canned(status: u16, code: &str) -> Response {
    let body = format!("<Error><Code>{code}</Code><Message>injected by FaultyTransport</Message></Error>");
    Response::from_bytes(
        status,
        [("Content-Type", "application/xml"), ("x-cos-request-id", "faulty")],
        body.into_bytes(),
    )
}

impl<T: Transport> Transport for FaultyTransport<T> {
    fn send(&self, mut request: Request) -> Result<Response> {
        let (kind, place) = self.draw(&request);
        match kind {
            None => self.inner.send(request),
            Some(FaultKind::DropBeforeSend) => Err(Error::transport(
                TransportErrorKind::Io,
                io::Error::new(io::ErrorKind::ConnectionReset, "injected: dropped before send"),
            )),
            Some(FaultKind::DropAfterSend) => {
                let response = self.inner.send(request)?;
                // The server acted on it; drain what it answered so its side completes.
                let mut body = response.body;
                let _ = io::copy(&mut body, &mut io::sink());
                Err(Error::transport(
                    TransportErrorKind::Io,
                    io::Error::new(io::ErrorKind::ConnectionReset, "injected: dropped after send"),
                ))
            }
            Some(FaultKind::Status500) => Ok(canned(500, "InternalError")),
            Some(FaultKind::Status503) => Ok(canned(503, "SlowDown")),
            Some(FaultKind::FlipRequestByte) => {
                let len = request.body.len();
                let at = place % len;
                let body = std::mem::replace(&mut request.body, Body::Empty);
                request.body = Body::Reader { reader: Box::new(Flip { inner: body.into_reader(), pos: 0, at }), len };
                self.inner.send(request)
            }
            Some(kind) => {
                let mut response = self.inner.send(request)?;
                let len: Option<u64> = response.headers.get("content-length").and_then(|v| v.parse().ok());
                let at = match len {
                    Some(0) | None => 0,
                    Some(n) => place % n,
                };
                let body = std::mem::replace(&mut response.body, Box::new(io::empty()));
                response.body = match kind {
                    FaultKind::TruncateResponse => Box::new(Truncate { inner: body, left: at }),
                    FaultKind::StallResponse => Box::new(Stall { stall_for: self.config.stall_for }),
                    _ => Box::new(Flip { inner: body, pos: 0, at }),
                };
                Ok(response)
            }
        }
    }
}

/// Flips the byte at `at`.
struct Flip<R> {
    inner: R,
    pos: u64,
    at: u64,
}

impl<R: Read> Read for Flip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.at >= self.pos && self.at < self.pos + n as u64 {
            buf[(self.at - self.pos) as usize] ^= 0x5A;
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// Passes `left` bytes, then fails as a connection closed mid-body does.
struct Truncate<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Truncate<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "injected: response body truncated"));
        }
        let want = buf.len().min(self.left as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Blocks, then fails as a read timeout does.
struct Stall {
    stall_for: Duration,
}

impl Read for Stall {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        std::thread::sleep(self.stall_for);
        Err(io::Error::new(io::ErrorKind::TimedOut, "injected: response body stalled past the read timeout"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Echoes the request body back, counting requests that reached it.
    #[derive(Clone, Default)]
    struct Echo(Arc<AtomicUsize>);

    impl Transport for Echo {
        fn send(&self, request: Request) -> Result<Response> {
            self.0.fetch_add(1, Ordering::SeqCst);
            let mut body = Vec::new();
            request.body.into_reader().read_to_end(&mut body)?;
            let len = body.len().to_string();
            Ok(Response::from_bytes(200, [("Content-Length", len.as_str())], body))
        }
    }

    fn put(body: &[u8]) -> Request {
        Request {
            method: Method::Put,
            url: "http://127.0.0.1/k".into(),
            headers: Default::default(),
            body: body.into(),
        }
    }

    fn run(kind: FaultKind) -> (Result<Vec<u8>>, usize) {
        let echo = Echo::default();
        let t = FaultyTransport::new(echo.clone(), FaultConfig::only(1, kind, 1.0));
        let out = t.send(put(b"0123456789")).and_then(|mut r| Ok(r.read_body(1 << 20)?));
        assert_eq!(t.log().len(), 1);
        assert_eq!(t.log()[0].kind, kind);
        (out, echo.0.load(Ordering::SeqCst))
    }

    #[test]
    fn each_fault_does_what_it_says() {
        let (r, seen) = run(FaultKind::DropBeforeSend);
        assert_eq!((r.unwrap_err().transport_kind(), seen), (Some(TransportErrorKind::Io), 0));
        let (r, seen) = run(FaultKind::DropAfterSend);
        assert_eq!((r.unwrap_err().transport_kind(), seen), (Some(TransportErrorKind::Io), 1));
        let (r, seen) = run(FaultKind::Status503);
        assert!(String::from_utf8(r.unwrap()).unwrap().contains("<Code>SlowDown</Code>"));
        assert_eq!(seen, 0);
        let (r, _) = run(FaultKind::TruncateResponse);
        assert!(r.unwrap_err().to_string().contains("truncated"));
        let (r, _) = run(FaultKind::StallResponse);
        assert!(r.unwrap_err().to_string().contains("stalled"));
        for kind in [FaultKind::FlipRequestByte, FaultKind::FlipResponseByte] {
            let (r, seen) = run(kind);
            let got = r.unwrap();
            assert_eq!((got.len(), seen), (10, 1));
            let diff: Vec<usize> = (0..10).filter(|&i| got[i] != b"0123456789"[i]).collect();
            assert_eq!(diff.len(), 1, "{kind:?}: exactly one byte flipped");
        }
    }

    #[test]
    fn the_same_seed_injects_the_same_faults() {
        let faults = |seed| {
            let t = FaultyTransport::new(Echo::default(), FaultConfig::uniform(seed, 0.5));
            for _ in 0..200 {
                let _ = t.send(put(b"abc"));
            }
            t.log().into_iter().map(|f| (f.request, f.kind)).collect::<Vec<_>>()
        };
        assert_eq!(faults(9), faults(9));
        assert_ne!(faults(9), faults(10));
        let n = faults(9).len();
        assert!((60..140).contains(&n), "about half of 200 requests: {n}");
    }
}
