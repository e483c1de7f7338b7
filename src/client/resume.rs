//! An object download whose body breaks off continues where it stopped.
//!
//! When the body of a `get_object` answer (200, or 206 for a range) ends early, fails, or
//! times out after N bytes, the next read sends the same GET again with
//! `Range: bytes={first + N}-{last}` (`bytes=N-` when the first answer was a whole 200) and
//! `If-Match` with the first answer's ETag, and goes on from the new body. Each resume is one
//! request of the call's budget (`max_retries + 1` requests in all, the first GET and its
//! retries included), waits the call's backoff, and checks its cancel token first.
//!
//! A resume answer must be the same bytes of the same object: a 206 whose `Content-Range`
//! starts at the next byte, ends where the first answer ended, of the same total size, with the
//! same ETag. A 412 (the object changed) or another error status is that service error; a 200
//! (the range ignored), another range or another ETag is an [`Error::Integrity`]. The reader is
//! never handed a byte twice, nor one skipped. A first answer without an ETag, or a 206 without
//! a readable `Content-Range`, is not resumed: nothing would tell its bytes from another
//! version's.

use std::io::{self, Read};

use crate::client::pipeline::Target;
use crate::client::{CallState, Client, Scope};
use crate::error::{Error, Result};
use crate::http::{Headers, Response};

/// The conditions of the first request, replaced on a resume by `If-Match` alone: the bytes
/// already read satisfied them, and the ETag pins the object they came from.
const REPLACED_HEADERS: [&str; 5] = ["Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"];

/// `response`'s body made resumable when it can be (see the module docs); `response` as it is
/// otherwise.
pub(super) fn resuming(
    client: &Client,
    scope: Scope<'_>,
    target: Target,
    mut headers: Headers,
    mut response: Response,
    call: CallState,
) -> Response {
    let Some(etag) = response.headers.get("etag").filter(|e| !e.is_empty()).map(str::to_owned) else {
        return response;
    };
    let Some(span) = Span::of(&response) else { return response };
    if span.end == Some(span.first) {
        return response; // Nothing to read, nothing to resume.
    }
    for name in REPLACED_HEADERS {
        headers.remove(name);
    }
    let inner = std::mem::replace(&mut response.body, Box::new(io::empty()));
    response.body = Box::new(ResumingBody {
        client: client.clone(),
        scope: OwnedScope::from(scope),
        target,
        headers,
        etag,
        ranged: response.status == 206,
        pos: span.first,
        end: span.end,
        total: span.total,
        inner,
        call,
        failed: false,
    });
    response
}

/// Where a body sits in its object.
struct Span {
    /// Offset of its first byte.
    first: u64,
    /// Offset one past its last byte, when known.
    end: Option<u64>,
    /// The object's size, when known.
    total: Option<u64>,
}

impl Span {
    fn of(response: &Response) -> Option<Span> {
        match response.status {
            200 => {
                let len = response.headers.get("content-length").and_then(|v| v.trim().parse::<u64>().ok());
                Some(Span { first: 0, end: len, total: len })
            }
            206 => {
                let (first, last, total) = parse_content_range(response.headers.get("content-range")?)?;
                Some(Span { first, end: Some(last + 1), total })
            }
            _ => None,
        }
    }
}

/// `bytes {first}-{last}/{total or *}`.
fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last) = (first.trim().parse::<u64>().ok()?, last.trim().parse::<u64>().ok()?);
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse::<u64>().ok()?),
    };
    (first <= last && total.is_none_or(|t| last < t)).then_some((first, last, total))
}

/// A scope that outlives the call that made it.
enum OwnedScope {
    Service { region: Option<String> },
    Bucket { bucket: String, region: String },
}

impl From<Scope<'_>> for OwnedScope {
    fn from(scope: Scope<'_>) -> Self {
        match scope {
            Scope::Service { region } => OwnedScope::Service { region: region.map(str::to_owned) },
            Scope::Bucket { bucket, region } => {
                OwnedScope::Bucket { bucket: bucket.to_owned(), region: region.to_owned() }
            }
        }
    }
}

impl OwnedScope {
    fn as_scope(&self) -> Scope<'_> {
        match self {
            OwnedScope::Service { region } => Scope::Service { region: region.as_deref() },
            OwnedScope::Bucket { bucket, region } => Scope::Bucket { bucket, region },
        }
    }
}

/// A download body that resumes (see the module docs).
struct ResumingBody {
    client: Client,
    scope: OwnedScope,
    /// The first request's target, resolved once for the call.
    target: Target,
    /// The first request's headers without its range and conditions.
    headers: Headers,
    /// The first answer's ETag, sent as `If-Match` and required of every resume answer.
    etag: String,
    /// The first answer was a 206: resumes keep its last byte.
    ranged: bool,
    /// Offset in the object of the next byte to hand over.
    pos: u64,
    /// Offset one past the last byte of the body, when known.
    end: Option<u64>,
    /// The object's size, when known.
    total: Option<u64>,
    inner: Box<dyn Read + Send>,
    /// The budget of the call, continued.
    call: CallState,
    /// Set once the body failed for good: later reads fail too, never hand over stale bytes.
    failed: bool,
}

impl Read for ResumingBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failed {
            return Err(io::Error::other("the object body failed earlier"));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let broken = match self.inner.read(buf) {
                Ok(0) => match self.end {
                    Some(end) if self.pos < end => io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("object body ended at byte {} of {end}", self.pos),
                    ),
                    _ => return Ok(0),
                },
                Ok(n) => {
                    if self.end.is_some_and(|end| self.pos + n as u64 > end) {
                        self.failed = true;
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("object body runs past its end at byte {}", self.end.unwrap_or_default()),
                        ));
                    }
                    self.pos += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
                Err(e) => e,
            };
            if let Err(e) = self.resume(broken) {
                self.failed = true;
                return Err(e);
            }
        }
    }
}

impl ResumingBody {
    /// Replaces the broken body with the rest of it, or returns why it cannot: the budget is
    /// spent (the error that broke it), the call was cancelled, the resume answer is refused.
    fn resume(&mut self, broken: io::Error) -> io::Result<()> {
        let policy = &self.client.inner.config.retry;
        if !self.call.can_retry(policy) {
            return Err(broken);
        }
        log::info!("object body broke off after {} bytes ({broken}); resuming with a ranged GET", self.pos);
        self.call.backoff(policy).map_err(Error::into_io)?;
        let body = self.request_rest().map_err(Error::into_io)?;
        self.inner = body;
        Ok(())
    }

    fn request_rest(&mut self) -> Result<Box<dyn Read + Send>> {
        let range = match (self.ranged, self.end) {
            (true, Some(end)) => format!("bytes={}-{}", self.pos, end - 1),
            _ => format!("bytes={}-", self.pos),
        };
        let mut headers = self.headers.clone();
        headers.append("Range", range.clone());
        headers.append("If-Match", self.etag.clone());
        let scope = self.scope.as_scope();
        let response =
            self.client.send_request(scope, &self.target, &headers, crate::http::Body::Empty, true, &mut self.call)?;
        if !(200..300).contains(&response.status) {
            return Err(self.client.error_from_response(response));
        }
        self.check_answer(&response, &range)?;
        Ok(response.body)
    }

    /// The resume answer must be the requested bytes of the same object.
    fn check_answer(&mut self, response: &Response, range: &str) -> Result<()> {
        let subject = self.target.key.clone().unwrap_or_default();
        let content_range = response.headers.get("content-range");
        let expected = format!(
            "206 with bytes {}-{}/{}",
            self.pos,
            self.end.map_or("*".to_owned(), |e| (e - 1).to_string()),
            self.total.map_or("*".to_owned(), |t| t.to_string())
        );
        let got = || format!("{} with {:?}", response.status, content_range);
        let refuse = || {
            Error::integrity(subject.as_str(), "Content-Range", &expected, got())
                .with_note(format!("resuming the body with Range: {range}"))
        };
        if response.status != 206 {
            return Err(refuse());
        }
        let (first, last, total) = content_range.and_then(parse_content_range).ok_or_else(refuse)?;
        let same_end = self.end.is_none_or(|end| last + 1 == end);
        let same_total = match (self.total, total) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if first != self.pos || !same_end || !same_total {
            return Err(refuse());
        }
        let etag = response.headers.get("etag").unwrap_or("");
        if etag != self.etag {
            return Err(Error::integrity(subject.as_str(), "ETag", &self.etag, etag)
                .with_note("the object changed while its body was read"));
        }
        self.end = Some(last + 1);
        self.total = self.total.or(total);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(parse_content_range("bytes 0-4/26"), Some((0, 4, Some(26))));
        assert_eq!(parse_content_range("bytes 10-10/*"), Some((10, 10, None)));
        for bad in ["bytes 5-4/26", "bytes 0-26/26", "bytes */26", "0-4/26", "bytes a-4/26", "bytes 0-4"] {
            assert_eq!(parse_content_range(bad), None, "{bad}");
        }
    }
}
