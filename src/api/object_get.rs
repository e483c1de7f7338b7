//! `get_object`: a download with ranges, conditions and response-header overrides, its body
//! streamed.

use std::fmt;
use std::io::{self, Read, Write};
use std::ops::{Bound, Range, RangeBounds, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use crate::api::object::{
    Conditions, ObjectProperties, READ_CONDITIONS, builder_doc, push_header, read_condition_methods,
};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// A byte range of an object (HTTP `Range`).
///
/// From any Rust range of `u64` ([`RangeBounds`]), with Rust's meaning: `0..100` and `0..=99`
/// are both `bytes=0-99` (the first hundred bytes), `10..` is `bytes=10-` (from byte 10 to the
/// end), `..100` is `bytes=0-99`. An empty range (`5..5`, `5..=4`) is refused by
/// [`header_value`](Self::header_value), so a call fails naming `range` before any request. HTTP's
/// suffix form `bytes=-100` (the *last* 100 bytes) has no Rust range: write it
/// `ByteRange::Raw("bytes=-100".into())` (or `.range_header("bytes=-100")`).
///
/// ```
/// use tencent_cos::api::ByteRange;
/// assert_eq!(ByteRange::from(0..100).header_value()?, "bytes=0-99");
/// assert_eq!(ByteRange::from(0..=4).header_value()?, "bytes=0-4");
/// assert_eq!(ByteRange::from(10..).header_value()?, "bytes=10-");
/// assert_eq!(ByteRange::from(..100).header_value()?, "bytes=0-99");
/// let empty = ByteRange::from(5..5).header_value().unwrap_err();
/// assert!(empty.to_string().contains("range"), "{empty}");
/// assert!(ByteRange::from(5..=4).header_value().is_err());
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=start-end`, both included.
    Inclusive {
        /// First byte.
        start: u64,
        /// Last byte (included).
        end: u64,
    },
    /// `bytes=start-`: to the end of the object.
    From {
        /// First byte.
        start: u64,
    },
    /// A `Range` value sent as given, e.g. `bytes=-100` (the last 100 bytes).
    Raw(String),
    /// A Rust range with no byte in it (`5..5`, `0..0`, `..0`): refused before any request.
    Empty {
        /// The range as written, for the error.
        written: String,
    },
}

impl ByteRange {
    /// The `Range` header value; refuses a range whose start is after its end.
    pub fn header_value(&self) -> Result<String> {
        match self {
            ByteRange::Inclusive { start, end } if start > end => {
                Err(Error::invalid("range", format!("starts at {start}, after its end {end}")))
            }
            ByteRange::Inclusive { start, end } => Ok(format!("bytes={start}-{end}")),
            ByteRange::From { start } => Ok(format!("bytes={start}-")),
            ByteRange::Raw(raw) if raw.is_empty() => Err(Error::invalid("range", "must not be empty")),
            ByteRange::Raw(raw) => Ok(raw.clone()),
            ByteRange::Empty { written } => Err(Error::invalid("range", format!("{written} holds no byte"))),
        }
    }

    /// Any Rust range of `u64`, as [`From`] takes each kind of it.
    fn from_bounds(range: &impl RangeBounds<u64>, written: impl FnOnce() -> String) -> ByteRange {
        let start = match range.start_bound() {
            Bound::Included(&s) => Some(s),
            Bound::Excluded(&s) => s.checked_add(1),
            Bound::Unbounded => Some(0),
        };
        // The last byte included; `None` for an exclusive end of 0 (nothing before it).
        let end = match range.end_bound() {
            Bound::Unbounded => {
                return start
                    .map_or_else(|| ByteRange::Empty { written: written() }, |start| ByteRange::From { start });
            }
            Bound::Included(&e) => Some(e),
            Bound::Excluded(&e) => e.checked_sub(1),
        };
        match (start, end) {
            (Some(start), Some(end)) if start <= end => ByteRange::Inclusive { start, end },
            _ => ByteRange::Empty { written: written() },
        }
    }
}

impl From<Range<u64>> for ByteRange {
    fn from(r: Range<u64>) -> Self {
        ByteRange::from_bounds(&r, || format!("{r:?}"))
    }
}

impl From<RangeTo<u64>> for ByteRange {
    fn from(r: RangeTo<u64>) -> Self {
        ByteRange::from_bounds(&r, || format!("{r:?}"))
    }
}

impl From<RangeToInclusive<u64>> for ByteRange {
    fn from(r: RangeToInclusive<u64>) -> Self {
        ByteRange::from_bounds(&r, || format!("{r:?}"))
    }
}

impl From<RangeFull> for ByteRange {
    fn from(_: RangeFull) -> Self {
        ByteRange::From { start: 0 }
    }
}

impl From<(Bound<u64>, Bound<u64>)> for ByteRange {
    fn from(r: (Bound<u64>, Bound<u64>)) -> Self {
        ByteRange::from_bounds(&r, || format!("{r:?}"))
    }
}

impl From<RangeInclusive<u64>> for ByteRange {
    fn from(r: RangeInclusive<u64>) -> Self {
        ByteRange::from_bounds(&r, || format!("{r:?}"))
    }
}

impl From<RangeFrom<u64>> for ByteRange {
    fn from(r: RangeFrom<u64>) -> Self {
        ByteRange::From { start: r.start }
    }
}

/// Input of `get_object`: pure data, no client.
///
/// ```
/// use tencent_cos::api::GetObjectInput;
/// use tencent_cos::operation::Operation;
/// let mut input = GetObjectInput { key: "a.txt".into(), range: Some((0..=4).into()), ..Default::default() };
/// let request = input.build()?;
/// assert_eq!(request.headers.get("Range"), Some("bytes=0-4"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetObjectInput {
    /// The object key.
    pub key: String,
    /// `Range`.
    pub range: Option<ByteRange>,
    /// `If-*` conditions.
    pub conditions: Conditions,
    /// `response-content-type`: the `Content-Type` COS answers with.
    pub response_content_type: Option<String>,
    /// `response-content-language`.
    pub response_content_language: Option<String>,
    /// `response-expires`.
    pub response_expires: Option<String>,
    /// `response-cache-control`.
    pub response_cache_control: Option<String>,
    /// `response-content-disposition`.
    pub response_content_disposition: Option<String>,
    /// `response-content-encoding`.
    pub response_content_encoding: Option<String>,
    /// `versionId`.
    pub version_id: Option<String>,
}

/// True when the key's path, `.` and `..` resolved, is the bucket root: such a GET would list
/// the bucket instead (the SDKs' `ObjectKeySimplifyCheck`).
pub(crate) fn resolves_to_root(key: &str) -> bool {
    let mut depth = 0usize;
    for segment in key.split('/') {
        match segment {
            "" | "." => {}
            ".." => depth = depth.saturating_sub(1),
            _ => depth += 1,
        }
    }
    depth == 0
}

impl Operation for GetObjectInput {
    type Output = GetObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        if !self.key.is_empty() && resolves_to_root(&self.key) {
            return Err(Error::invalid("key", format!("{:?} resolves to the bucket root", self.key)));
        }
        let mut request = OperationRequest::new(Method::Get).with_key(self.key.clone());
        let range = self.range.as_ref().map(ByteRange::header_value).transpose()?;
        push_header(&mut request.headers, "Range", range.as_deref());
        self.conditions.push_headers(&mut request.headers, &READ_CONDITIONS);
        let overrides = [
            ("response-content-type", &self.response_content_type),
            ("response-content-language", &self.response_content_language),
            ("response-expires", &self.response_expires),
            ("response-cache-control", &self.response_cache_control),
            ("response-content-disposition", &self.response_content_disposition),
            ("response-content-encoding", &self.response_content_encoding),
            ("versionId", &self.version_id),
        ];
        for (name, value) in overrides {
            if let Some(v) = value {
                request = request.with_query(name, v.clone());
            }
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<GetObjectOutput> {
        let meta = meta_of(&response);
        Ok(GetObjectOutput {
            not_modified: response.status == 304,
            properties: ObjectProperties::from_headers(&response.headers),
            content_range: response.headers.get("content-range").map(str::to_owned),
            meta,
            body: response.body,
        })
    }

    fn accepts_status(&self, status: u16) -> bool {
        (200..300).contains(&status) || status == 304
    }

    fn resumes_body(&self) -> bool {
        true
    }
}

/// What `get_object` returns: the typed headers and the body, still streaming.
#[non_exhaustive]
pub struct GetObjectOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// True for a 304: a condition said the object has not changed (the body is empty).
    pub not_modified: bool,
    /// The typed headers.
    pub properties: ObjectProperties,
    /// `Content-Range` of a ranged answer (`bytes 0-4/26`).
    pub content_range: Option<String>,
    body: Box<dyn Read + Send>,
}

impl fmt::Debug for GetObjectOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetObjectOutput")
            .field("meta", &self.meta)
            .field("not_modified", &self.not_modified)
            .field("properties", &self.properties)
            .field("content_range", &self.content_range)
            .finish_non_exhaustive()
    }
}

impl GetObjectOutput {
    /// The body as a stream, exactly as sent (no decompression), resumed when it breaks off
    /// (see [`api`](crate::api#get_object)). Turn its `io::Error` into this crate's with
    /// `Error::from` (or `?`): a body timeout, a 412 on resume or a cancel comes back as itself.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// use std::io::Read;
    /// let mut head = [0u8; 5];
    /// bucket.get_object("notes/hello.txt").range(0..=4).send()?.into_reader().read_exact(&mut head)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        self.body
    }

    /// Reads the whole body into memory, checking it against `Content-Length`; resumed when it
    /// breaks off (see [`api`](crate::api#get_object)).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let bytes = bucket.get_object("notes/hello.txt").send()?.bytes()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn bytes(self) -> Result<Vec<u8>> {
        let expected = self.expected_len();
        let mut out = Vec::with_capacity(expected.unwrap_or(0).min(64 * 1024 * 1024) as usize);
        let mut body = self.body;
        body.read_to_end(&mut out)?;
        check_length(out.len() as u64, expected)?;
        Ok(out)
    }

    /// Copies the body into `out`, returning the number of bytes, checked against
    /// `Content-Length`; resumed when it breaks off (see [`api`](crate::api#get_object)).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let mut file = std::fs::File::create("hello.txt")?;
    /// let n = bucket.get_object("notes/hello.txt").send()?.copy_to(&mut file)?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn copy_to<W: Write + ?Sized>(self, out: &mut W) -> Result<u64> {
        let expected = self.expected_len();
        let mut body = self.body;
        let n = io::copy(&mut body, out)?;
        check_length(n, expected)?;
        Ok(n)
    }

    fn expected_len(&self) -> Option<u64> {
        if self.not_modified { None } else { self.properties.content_length }
    }
}

/// A body shorter or longer than `Content-Length` is an I/O error, never silently short data.
fn check_length(got: u64, expected: Option<u64>) -> Result<()> {
    match expected {
        Some(want) if want != got => Err(Error::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("object body has {got} bytes, Content-Length said {want}"),
        ))),
        _ => Ok(()),
    }
}

/// Builder returned by [`Bucket::get_object`]; `.send()` runs it.
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct GetObject<'a> {
    bucket: &'a Bucket,
    input: GetObjectInput,
    on_progress: Option<crate::transfer::progress::ProgressHook>,
}

impl GetObject<'_> {
    /// `Range` from any Rust range: `0..100` or `0..=99` (the first hundred bytes), `10..` (from
    /// byte 10 to the end); an empty range fails naming `range` before any request. See
    /// [`ByteRange`] for the last-N-bytes form.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "range(0..100)")]
    pub fn range(mut self, range: impl Into<ByteRange>) -> Self {
        self.input.range = Some(range.into());
        self
    }

    /// `Range` as given, e.g. `bytes=-100` for the last 100 bytes.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "range_header(\"bytes=-100\")")]
    pub fn range_header(mut self, value: impl Into<String>) -> Self {
        self.input.range = Some(ByteRange::Raw(value.into()));
        self
    }

    /// `response-content-type`: the `Content-Type` COS answers with.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "response_content_type(\"text/plain\")")]
    pub fn response_content_type(mut self, value: impl Into<String>) -> Self {
        self.input.response_content_type = Some(value.into());
        self
    }

    /// `response-content-language`: the `Content-Language` COS answers with.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "response_content_language(\"zh-CN\")")]
    pub fn response_content_language(mut self, value: impl Into<String>) -> Self {
        self.input.response_content_language = Some(value.into());
        self
    }

    /// `response-expires`: the `Expires` COS answers with.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "response_expires(\"Wed, 21 Oct 2026 07:28:00 GMT\")")]
    pub fn response_expires(mut self, value: impl Into<String>) -> Self {
        self.input.response_expires = Some(value.into());
        self
    }

    /// `response-cache-control`: the `Cache-Control` COS answers with.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "response_cache_control(\"no-cache\")")]
    pub fn response_cache_control(mut self, value: impl Into<String>) -> Self {
        self.input.response_cache_control = Some(value.into());
        self
    }

    /// `response-content-disposition`: the `Content-Disposition` COS answers with.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "response_content_disposition(\"attachment; filename=a.txt\")")]
    pub fn response_content_disposition(mut self, value: impl Into<String>) -> Self {
        self.input.response_content_disposition = Some(value.into());
        self
    }

    /// `response-content-encoding`: the `Content-Encoding` COS answers with.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "response_content_encoding(\"gzip\")")]
    pub fn response_content_encoding(mut self, value: impl Into<String>) -> Self {
        self.input.response_content_encoding = Some(value.into());
        self
    }

    /// `versionId`: a version other than the latest.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "version_id(\"MTg0NDUxNTc0NDYyMjQ2MzUzMjQ\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }

    /// Sends the request; the body is not read until you read it.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "range(10..)")]
    pub fn send(self) -> Result<GetObjectOutput> {
        self.send_with(&crate::client::CallOptions::new())
    }

    /// Sends the request with per-call options (a cancel token, checked before every attempt
    /// and before every resume of the body).
    ///
    /// ```no_run
    /// use tencent_cos::{CallOptions, CancelToken};
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let token = CancelToken::new();
    /// let bytes = bucket.get_object("a.txt").send_with(&CallOptions::new().cancel(token))?.bytes()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn send_with(self, options: &crate::client::CallOptions) -> Result<GetObjectOutput> {
        let mut output = self.bucket.execute_with(self.input, options)?;
        if let Some(hook) = self.on_progress {
            let total = output.expected_len().unwrap_or(0);
            let interval = self.bucket.client().config().progress_interval;
            let tracker = crate::transfer::progress::ProgressTracker::new(total, interval, Some(hook.0));
            let body = std::mem::replace(&mut output.body, Box::new(io::empty()));
            output.body = Box::new(crate::transfer::progress::ProgressReader { inner: body, tracker });
        }
        Ok(output)
    }

    /// Progress of the download (the JS `getObject` `onProgress`): `{loaded, total, speed,
    /// percent}` with `loaded` the body bytes read so far (however you read it) and `total` its
    /// `Content-Length`, at most once per ProgressInterval, and a last call at exactly `total`
    /// when the body ends.
    ///
    #[doc = builder_doc!("get_object(\"a.txt\")", "on_progress(|p| eprintln!(\"{} of {}\", p.loaded, p.total))")]
    pub fn on_progress(mut self, f: impl Fn(&crate::transfer::ProgressInfo) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(crate::transfer::progress::ProgressHook(std::sync::Arc::new(f)));
        self
    }
}

read_condition_methods!(GetObject, "get_object(\"a.txt\")");

impl Bucket {
    /// GET Object: downloads an object. The body streams: read it with
    /// [`GetObjectOutput::into_reader`], [`bytes`](GetObjectOutput::bytes) or
    /// [`copy_to`](GetObjectOutput::copy_to). A 304 is `not_modified: true`, not an error.
    /// Bytes come back exactly as stored (an object saved with `Content-Encoding: gzip` is
    /// returned compressed).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let first_five = bucket.get_object("notes/hello.txt").range(0..=4).send()?.bytes()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_object(&self, key: impl Into<String>) -> GetObject<'_> {
        GetObject { bucket: self, input: GetObjectInput { key: key.into(), ..Default::default() }, on_progress: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_resolve_to_the_root() {
        for key in [".", "./", "a/..", "//", "a/b/../..", "../"] {
            assert!(resolves_to_root(key), "{key}");
        }
        for key in ["a", "a/", "a/../b", "..a", "./a"] {
            assert!(!resolves_to_root(key), "{key}");
        }
    }
}
