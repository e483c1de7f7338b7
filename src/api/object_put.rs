//! `put_object`: a simple upload from bytes, a string, a file or any reader with a length.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::api::object::{builder_doc, crc64_header, header_text};
use crate::api::object_attributes::{ObjectAttributes, attribute_methods};
use crate::api::xml_body::meta_of;
use crate::checksum;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Body, FileSlice, Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest, check_content_length, content_length_of};

/// Input of `put_object`: pure data, no client. A key ending in `/` with an empty body makes
/// a folder.
///
/// ```
/// use tencent_cos::api::PutObjectInput;
/// use tencent_cos::operation::Operation;
/// let mut input = PutObjectInput { key: "a.txt".into(), body: "hello".into(), ..Default::default() };
/// let request = input.build()?;
/// assert_eq!(request.headers.get("Content-Length"), Some("5"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Debug)]
pub struct PutObjectInput {
    /// The object key.
    pub key: String,
    /// The bytes to store.
    pub body: Body,
    /// Content headers, ACL, storage class, `x-cos-meta-*`.
    pub attributes: ObjectAttributes,
    /// `Content-Length`: when given it must equal the body's length.
    pub content_length: Option<u64>,
    /// `Expect` (`100-continue`).
    pub expect: Option<String>,
    /// Compute and send `Content-MD5` (in-memory bodies only).
    pub content_md5: bool,
    /// A `Content-MD5` the caller computed (base64 of the 16-byte MD5), for any body; sent
    /// as given, instead of computing one.
    pub content_md5_value: Option<String>,
}

impl Default for PutObjectInput {
    fn default() -> Self {
        PutObjectInput {
            key: String::new(),
            body: Body::Empty,
            attributes: ObjectAttributes::default(),
            content_length: None,
            expect: None,
            content_md5: false,
            content_md5_value: None,
        }
    }
}

/// The `Content-MD5` to send: the caller's value (checked to be base64 of 16 bytes), else
/// one computed from an in-memory body when asked, else none.
pub(crate) fn content_md5_header(compute: bool, given: Option<&str>, body: &Body) -> Result<Option<String>> {
    use base64::Engine as _;
    match given {
        Some(value) => match base64::engine::general_purpose::STANDARD.decode(value) {
            Ok(bytes) if bytes.len() == 16 => Ok(Some(value.to_owned())),
            _ => Err(Error::invalid("content_md5_value", format!("{value:?} is not the base64 of a 16-byte MD5"))),
        },
        None if compute => body_content_md5(body).map(Some),
        None => Ok(None),
    }
}

/// `Content-MD5` of an in-memory body; a file or reader would have to be read twice.
fn body_content_md5(body: &Body) -> Result<String> {
    match body.as_bytes() {
        Some(bytes) => Ok(checksum::content_md5(bytes)),
        None => Err(Error::invalid("content_md5", "is computed for in-memory bodies only (bytes or strings)")),
    }
}

impl Operation for PutObjectInput {
    type Output = PutObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        check_content_length(self.content_length, &self.body)?;
        let md5 = content_md5_header(self.content_md5, self.content_md5_value.as_deref(), &self.body)?;
        let mut request = OperationRequest::new(Method::Put).with_key(self.key.clone());
        let headers = &mut request.headers;
        self.attributes.push_custom(headers)?;
        // The node SDK's order: a declared Content-Length sits among the caller's headers, a
        // computed one (and Content-MD5) comes after them.
        if let Some(n) = self.content_length {
            headers.append("Content-Length", n.to_string());
        }
        self.attributes.push_content(headers, self.expect.as_deref());
        self.attributes.push_access(headers);
        if let Some(md5) = md5 {
            headers.append("Content-MD5", md5);
        }
        if let (None, Some(len)) = (self.content_length, content_length_of(Method::Put, self.body.len())) {
            headers.append("Content-Length", len.to_string());
        }
        // The node SDK sends an empty Cache-Control (unsigned) when none is given, so that no
        // proxy adds one that COS would store with the object.
        if self.attributes.cache_control.is_none() {
            headers.append("Cache-Control", "");
        }
        request.body = std::mem::replace(&mut self.body, Body::Empty);
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<PutObjectOutput> {
        Ok(PutObjectOutput {
            etag: header_text(&response.headers, "etag"),
            crc64: crc64_header(&response.headers),
            version_id: header_text(&response.headers, "x-cos-version-id"),
            location: String::new(),
            meta: meta_of(&response),
        })
    }

    fn locate(&self, output: &mut PutObjectOutput, location: &str) {
        location.clone_into(&mut output.location);
    }
}

/// What `put_object` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `ETag`, quotes included.
    pub etag: Option<String>,
    /// `x-cos-hash-crc64ecma`: compare with [`checksum::crc64`] of what you sent.
    pub crc64: Option<u64>,
    /// `x-cos-version-id`, in a versioned bucket.
    pub version_id: Option<String>,
    /// `host/encoded-key` without scheme, as the JS SDK reports it (filled by the pipeline,
    /// however the call is sent).
    pub location: String,
}

/// Where a file body comes from: a path or an open file.
#[derive(Debug)]
pub enum FileSource {
    /// A path, opened at `body_file` time.
    Path(PathBuf),
    /// An open file, read from its start.
    File(File),
}

impl From<&Path> for FileSource {
    fn from(p: &Path) -> Self {
        FileSource::Path(p.to_owned())
    }
}

impl From<PathBuf> for FileSource {
    fn from(p: PathBuf) -> Self {
        FileSource::Path(p)
    }
}

impl From<&PathBuf> for FileSource {
    fn from(p: &PathBuf) -> Self {
        FileSource::Path(p.clone())
    }
}

impl From<&str> for FileSource {
    fn from(p: &str) -> Self {
        FileSource::Path(PathBuf::from(p))
    }
}

impl From<String> for FileSource {
    fn from(p: String) -> Self {
        FileSource::Path(PathBuf::from(p))
    }
}

impl From<File> for FileSource {
    fn from(f: File) -> Self {
        FileSource::File(f)
    }
}

impl FileSource {
    /// A body over the whole file, its length from the file's metadata. Re-readable, so the
    /// request can be retried.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("cos-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let path = dir.join("a.txt");
    /// std::fs::write(&path, "hello")?;
    /// let body = tencent_cos::api::FileSource::from(path.as_path()).into_body()?;
    /// assert_eq!(body.len(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_body(self) -> std::io::Result<Body> {
        let file = match self {
            FileSource::Path(p) => File::open(p)?,
            FileSource::File(f) => f,
        };
        let metadata = file.metadata()?;
        if !metadata.is_file() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
        }
        Ok(Body::File(FileSlice { file: Arc::new(file), offset: 0, len: metadata.len() }))
    }
}

/// Builder returned by [`Bucket::put_object`]; `.send()` runs it.
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct PutObject<'a> {
    bucket: &'a Bucket,
    input: PutObjectInput,
    /// A file that could not be opened: reported by `send`, before any request.
    deferred: Option<std::io::Error>,
    on_progress: Option<crate::transfer::progress::ProgressHook>,
}

impl PutObject<'_> {
    /// The body: bytes, a `&str`, a `String`, a `Vec<u8>` or any [`Body`].
    ///
    #[doc = builder_doc!("put_object(\"a.txt\")", "body(\"hello\")")]
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.input.body = body.into();
        self.deferred = None;
        self
    }

    /// The whole of a file, by path or open [`File`]; its length comes from its metadata and
    /// it is streamed, never read into memory. An unreadable file fails `send`.
    ///
    #[doc = builder_doc!("put_object(\"backup.tar\")", "body_file(\"/data/backup.tar\")")]
    pub fn body_file(mut self, file: impl Into<FileSource>) -> Self {
        match file.into().into_body() {
            Ok(body) => {
                self.input.body = body;
                self.deferred = None;
            }
            Err(e) => self.deferred = Some(e),
        }
        self
    }

    /// Exactly `len` bytes from any reader. Such a body is sent once: a failed request is not
    /// retried.
    ///
    #[doc = builder_doc!("put_object(\"a.bin\")", "body_reader(std::io::Read::take(std::io::repeat(0), 1024), 1024)")]
    pub fn body_reader(mut self, reader: impl Read + Send + 'static, len: u64) -> Self {
        self.input.body = Body::Reader { reader: Box::new(reader), len };
        self.deferred = None;
        self
    }

    /// `Content-Length`: optional, the body's length is sent anyway; when given it must match
    /// or the call fails with `InvalidArgument` before any request.
    ///
    #[doc = builder_doc!("put_object(\"a.txt\")", "body(\"hello\").content_length(5)")]
    pub fn content_length(mut self, len: u64) -> Self {
        self.input.content_length = Some(len);
        self
    }

    /// `Expect` (`100-continue`: the body is sent once COS accepts the headers).
    ///
    #[doc = builder_doc!("put_object(\"a.txt\")", "expect(\"100-continue\")")]
    pub fn expect(mut self, value: impl Into<String>) -> Self {
        self.input.expect = Some(value.into());
        self
    }

    /// Computes and sends `Content-MD5`, so COS refuses a body damaged on the way. For bytes
    /// and strings only; a file or reader body is refused with `InvalidArgument`.
    ///
    #[doc = builder_doc!("put_object(\"a.txt\")", "body(\"hello\").content_md5(true)")]
    pub fn content_md5(mut self, on: bool) -> Self {
        self.input.content_md5 = on;
        self
    }

    /// Sends a `Content-MD5` you computed (base64 of the 16-byte MD5), for any body (a file
    /// or a reader too); COS refuses the body when it does not match. A value that is not
    /// base64 of 16 bytes is refused before sending.
    ///
    #[doc = builder_doc!("put_object(\"a.txt\")", "body(\"hello\").content_md5_value(\"XUFAKrxLKna5cZ2REBfFkg==\")")]
    pub fn content_md5_value(mut self, value: impl Into<String>) -> Self {
        self.input.content_md5_value = Some(value.into());
        self
    }

    /// Sends the request.
    ///
    #[doc = builder_doc!("put_object(\"a.txt\")", "body(\"hello\")")]
    pub fn send(self) -> Result<PutObjectOutput> {
        self.send_with(&crate::client::CallOptions::new())
    }

    /// Sends the request with per-call options (a cancel token; a body-sent observer, told the
    /// bytes as [`on_progress`](Self::on_progress) is, when both are given).
    ///
    /// ```no_run
    /// use tencent_cos::{CallOptions, CancelToken};
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let token = CancelToken::new();
    /// bucket.put_object("a.txt").body("hello").send_with(&CallOptions::new().cancel(token))?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn send_with(self, options: &crate::client::CallOptions) -> Result<PutObjectOutput> {
        if let Some(e) = self.deferred {
            return Err(Error::Io(e));
        }
        let output = match self.on_progress {
            None => self.bucket.execute_with(self.input, options)?,
            Some(hook) => {
                let interval = self.bucket.client().config().progress_interval;
                let tracker = Arc::new(crate::transfer::progress::ProgressTracker::new(
                    self.input.body.len(),
                    interval,
                    Some(hook.0),
                ));
                let sent = tracker.clone();
                let theirs = options.body_sent.clone();
                let mut options = options.clone();
                options.body_sent = Some(crate::client::BodySent::new(move |bytes| {
                    if let Some(theirs) = &theirs {
                        theirs.report(bytes);
                    }
                    sent.advance_to(bytes)
                }));
                let output = self.bucket.execute_with(self.input, &options)?;
                tracker.finish();
                output
            }
        };
        Ok(output)
    }

    /// Progress of the upload (the JS `putObject` `onProgress`): `{loaded, total, speed,
    /// percent}` with `loaded` the body bytes sent, at most once per ProgressInterval, and a
    /// last call at exactly `total` once COS has answered. A retry does not move it back.
    ///
    #[doc = builder_doc!("put_object(\"a.txt\")", "body(\"hello\").on_progress(|p| eprintln!(\"{:.0}%\", p.fraction * 100.0))")]
    pub fn on_progress(mut self, f: impl Fn(&crate::transfer::ProgressInfo) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(crate::transfer::progress::ProgressHook(Arc::new(f)));
        self
    }
}

attribute_methods!(PutObject, "put_object(\"a.txt\")");

/// `host[/bucket]/encoded-key`, without scheme: the JS SDK's `Location`.
/// Worked out as the pipeline works out a request's target (one key rule, one encoding).
pub(crate) fn object_location(bucket: &Bucket, key: &str) -> Result<String> {
    bucket.client().location(bucket.scope()?, key)
}

impl Bucket {
    /// PUT Object: a simple upload (up to 5 GB). The body comes from [`PutObject::body`],
    /// [`body_file`](PutObject::body_file) or [`body_reader`](PutObject::body_reader); a key
    /// ending in `/` with no body makes a folder.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket.put_object("notes/hello.txt").body("hello").content_type("text/plain").send()?;
    /// assert_eq!(out.crc64, Some(tencent_cos::checksum::crc64(b"hello")));
    /// bucket.put_object("notes/archive/").send()?; // a folder
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_object(&self, key: impl Into<String>) -> PutObject<'_> {
        PutObject {
            bucket: self,
            input: PutObjectInput { key: key.into(), ..Default::default() },
            deferred: None,
            on_progress: None,
        }
    }
}
