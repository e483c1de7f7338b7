//! Multipart upload, low level: `multipart_init`, `multipart_upload`, `multipart_complete`,
//! `multipart_abort`. Copying parts is in `multipart_copy`, listing in `multipart_list`.

use crate::api::call::Call;
use crate::api::object::{builder_doc, crc64_header, header_text, parse_xml_answer, push_header};
use crate::api::object_attributes::{ObjectAttributes, attribute_methods};
use crate::api::object_put::content_md5_header;
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Body, Method, Response, ResponseMeta};
use crate::operation::check_content_length;
use crate::operation::{Operation, OperationRequest};

/// The highest part number COS accepts.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// Refuses a part number outside 1..=10000.
pub(crate) fn validate_part_number(n: u32) -> Result<()> {
    if (1..=MAX_PART_NUMBER).contains(&n) {
        Ok(())
    } else {
        Err(Error::invalid("part_number", format!("must be 1 to {MAX_PART_NUMBER}, not {n}")))
    }
}

/// Refuses an empty upload id.
pub(crate) fn validate_upload_id(id: &str) -> Result<()> {
    if id.is_empty() { Err(Error::invalid("upload_id", "must not be empty")) } else { Ok(()) }
}

/// Input of `multipart_init`: pure data, no client.
///
/// ```
/// use tencent_cos::api::MultipartInitInput;
/// use tencent_cos::operation::Operation;
/// let request = MultipartInitInput { key: "big.bin".into(), ..Default::default() }.build()?;
/// assert_eq!(request.query, vec![("uploads".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultipartInitInput {
    /// The object key.
    pub key: String,
    /// Content headers, ACL, storage class, `x-cos-meta-*` of the object to be.
    pub attributes: ObjectAttributes,
}

/// What `multipart_init` returns (the `InitiateMultipartUploadResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartInitOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `Bucket` (empty when COS sends none).
    pub bucket: String,
    /// `Key` (empty when COS sends none).
    pub key: String,
    /// `UploadId`: required, for every later call of this upload.
    pub upload_id: String,
}

impl Operation for MultipartInitInput {
    type Output = MultipartInitOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let mut request = OperationRequest::new(Method::Post).with_key(self.key.clone()).with_query("uploads", "");
        let h = &mut request.headers;
        self.attributes.push_custom(h)?;
        self.attributes.push_content(h, None);
        self.attributes.push_access(h);
        // The node SDK sends both empty (unsigned) when not given, so that no proxy adds values
        // that COS would store with the object.
        if self.attributes.cache_control.is_none() {
            h.append("Cache-Control", "");
        }
        if self.attributes.content_type.is_none() {
            h.append("Content-Type", "");
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<MultipartInitOutput> {
        parse_xml_answer(response, "InitiateMultipartUploadResult", |root, meta| {
            let upload_id = root.req_text("UploadId")?;
            if upload_id.is_empty() {
                return Err(Error::Xml("<InitiateMultipartUploadResult> has an empty <UploadId>".into()));
            }
            Ok(MultipartInitOutput {
                bucket: root.opt_text("Bucket").unwrap_or_default(),
                key: root.opt_text("Key").unwrap_or_default(),
                upload_id,
                meta,
            })
        })
    }

    /// A second Initiate makes a second upload: not retried after an ambiguous failure.
    fn is_idempotent(&self) -> bool {
        false
    }
}

/// Builder returned by [`Bucket::multipart_init`]; `.send()` runs it.
pub type MultipartInit<'a> = Call<'a, MultipartInitInput>;

attribute_methods!(MultipartInit, "multipart_init(\"big.bin\")");

/// Input of `multipart_upload`: pure data, no client.
///
/// ```
/// use tencent_cos::api::MultipartUploadInput;
/// use tencent_cos::operation::Operation;
/// let mut input = MultipartUploadInput { key: "big.bin".into(), upload_id: "u1".into(), part_number: 1, ..Default::default() };
/// assert_eq!(input.build()?.query[0], ("partNumber".to_string(), "1".to_string()));
/// input.part_number = 0;
/// assert!(input.build().is_err());
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Debug)]
pub struct MultipartUploadInput {
    /// The object key.
    pub key: String,
    /// `uploadId`, from `multipart_init`.
    pub upload_id: String,
    /// `partNumber`: 1 to 10000.
    pub part_number: u32,
    /// The part's bytes (at least 1 MB, but for the last part).
    pub body: Body,
    /// `Content-Length`: when given it must equal the body's length.
    pub content_length: Option<u64>,
    /// `Expect`.
    pub expect: Option<String>,
    /// Compute and send `Content-MD5` (in-memory bodies only).
    pub content_md5: bool,
    /// ContentMD5 of the reference: a `Content-MD5` the caller computed (base64 of the 16-byte
    /// MD5), for any body; sent as given, instead of computing one.
    pub content_md5_value: Option<String>,
}

impl Default for MultipartUploadInput {
    fn default() -> Self {
        MultipartUploadInput {
            key: String::new(),
            upload_id: String::new(),
            part_number: 1,
            body: Body::Empty,
            content_length: None,
            expect: None,
            content_md5: false,
            content_md5_value: None,
        }
    }
}

/// What `multipart_upload` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartUploadOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `ETag` of the part, quotes included: needed by `multipart_complete`. A 200 answer
    /// without one is an error ([`Error::Xml`](crate::Error::Xml) naming `ETag`).
    pub etag: String,
    /// `x-cos-hash-crc64ecma` of the part.
    pub crc64: Option<u64>,
}

impl Operation for MultipartUploadInput {
    type Output = MultipartUploadOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_upload_id(&self.upload_id)?;
        validate_part_number(self.part_number)?;
        check_content_length(self.content_length, &self.body)?;
        let md5 = content_md5_header(self.content_md5, self.content_md5_value.as_deref(), &self.body)?;
        let mut request = OperationRequest::new(Method::Put)
            .with_key(self.key.clone())
            .with_query("partNumber", self.part_number.to_string())
            .with_query("uploadId", self.upload_id.clone());
        let h = &mut request.headers;
        if let Some(n) = self.content_length {
            h.append("Content-Length", n.to_string());
        }
        push_header(h, "Expect", self.expect.as_deref());
        if let Some(md5) = md5 {
            h.append("Content-MD5", md5);
        }
        request.body = std::mem::replace(&mut self.body, Body::Empty);
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<MultipartUploadOutput> {
        let etag = header_text(&response.headers, "etag").ok_or_else(|| {
            Error::Xml(format!(
                "part {} of {:?}: the answer has no ETag header (multipart_complete needs it)",
                self.part_number, self.key
            ))
        })?;
        Ok(MultipartUploadOutput { etag, crc64: crc64_header(&response.headers), meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::multipart_upload`]; `.send()` runs it.
pub type MultipartUpload<'a> = Call<'a, MultipartUploadInput>;

impl MultipartUpload<'_> {
    /// `Content-Length`: when given it must equal the body's length.
    ///
    #[doc = builder_doc!("multipart_upload(\"big.bin\", \"upload-id\", 1, vec![0u8; 1 << 20])", "content_length(1 << 20)")]
    pub fn content_length(mut self, len: u64) -> Self {
        self.input.content_length = Some(len);
        self
    }

    /// `Expect` (`100-continue`).
    ///
    #[doc = builder_doc!("multipart_upload(\"big.bin\", \"upload-id\", 1, vec![0u8; 1 << 20])", "expect(\"100-continue\")")]
    pub fn expect(mut self, value: impl Into<String>) -> Self {
        self.input.expect = Some(value.into());
        self
    }

    /// Computes and sends `Content-MD5` (bytes and strings only; other bodies are refused).
    ///
    #[doc = builder_doc!("multipart_upload(\"big.bin\", \"upload-id\", 1, vec![0u8; 1 << 20])", "content_md5(true)")]
    pub fn content_md5(mut self, on: bool) -> Self {
        self.input.content_md5 = on;
        self
    }

    /// ContentMD5: sends a `Content-MD5` you computed (base64 of the 16-byte MD5), for any body
    /// (a file slice or a reader too); COS refuses the part when it does not match. A value
    /// that is not base64 of 16 bytes is refused before sending.
    ///
    #[doc = builder_doc!("multipart_upload(\"big.bin\", \"upload-id\", 2, \"last part\")", "content_md5_value(\"ZZYf1qnvVYZH8mkCAGfVNg==\")")]
    pub fn content_md5_value(mut self, value: impl Into<String>) -> Self {
        self.input.content_md5_value = Some(value.into());
        self
    }
}

/// Input of `multipart_abort`: pure data, no client.
///
/// ```
/// use tencent_cos::api::MultipartAbortInput;
/// use tencent_cos::operation::Operation;
/// let request = MultipartAbortInput { key: "big.bin".into(), upload_id: "u1".into() }.build()?;
/// assert_eq!(request.query, vec![("uploadId".to_string(), "u1".to_string())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultipartAbortInput {
    /// The object key.
    pub key: String,
    /// `uploadId`.
    pub upload_id: String,
}

/// What `multipart_abort` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartAbortOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
}

impl Operation for MultipartAbortInput {
    type Output = MultipartAbortOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_upload_id(&self.upload_id)?;
        Ok(OperationRequest::new(Method::Delete)
            .with_key(self.key.clone())
            .with_query("uploadId", self.upload_id.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<MultipartAbortOutput> {
        Ok(MultipartAbortOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::multipart_abort`]; `.send()` runs it.
pub type MultipartAbort<'a> = Call<'a, MultipartAbortInput>;

impl Bucket {
    /// Initiate Multipart Upload: starts an upload of `key` in parts; the attributes of the
    /// object to be are set here.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let upload = bucket.multipart_init("big.bin").content_type("application/octet-stream").send()?;
    /// let part = bucket.multipart_upload("big.bin", &upload.upload_id, 1, vec![0u8; 1 << 20]).send()?;
    /// bucket.multipart_complete("big.bin", &upload.upload_id, [(1, part.etag)]).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn multipart_init(&self, key: impl Into<String>) -> MultipartInit<'_> {
        MultipartInit { bucket: self, input: MultipartInitInput { key: key.into(), ..Default::default() } }
    }

    /// Upload Part: part `part_number` (1 to 10000) of upload `upload_id`.
    ///
    /// A part number outside 1..=10000 fails before any request.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let part = bucket.multipart_upload("big.bin", "upload-id", 1, vec![0u8; 1 << 20]).send()?;
    /// println!("{:?} {:?}", part.etag, part.crc64);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn multipart_upload(
        &self,
        key: impl Into<String>,
        upload_id: impl Into<String>,
        part_number: u32,
        body: impl Into<Body>,
    ) -> MultipartUpload<'_> {
        MultipartUpload {
            bucket: self,
            input: MultipartUploadInput {
                key: key.into(),
                upload_id: upload_id.into(),
                part_number,
                body: body.into(),
                ..Default::default()
            },
        }
    }

    /// Alias of [`Bucket::multipart_upload`].
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.upload_part("big.bin", "upload-id", 2, "the last part").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn upload_part(
        &self,
        key: impl Into<String>,
        upload_id: impl Into<String>,
        part_number: u32,
        body: impl Into<Body>,
    ) -> MultipartUpload<'_> {
        self.multipart_upload(key, upload_id, part_number, body)
    }

    /// Abort Multipart Upload: drops the upload and its parts.
    ///
    /// An unknown upload is a 404 `NoSuchUpload` error.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.multipart_abort("big.bin", "upload-id").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn multipart_abort(&self, key: impl Into<String>, upload_id: impl Into<String>) -> MultipartAbort<'_> {
        MultipartAbort { bucket: self, input: MultipartAbortInput { key: key.into(), upload_id: upload_id.into() } }
    }
}

#[cfg(test)]
mod tests {
    use super::MultipartUploadInput;
    use crate::error::Error;
    use crate::http::Response;
    use crate::operation::Operation;

    #[test]
    fn a_part_answer_without_etag_is_an_error_naming_etag() {
        let mut input = MultipartUploadInput { key: "big.bin".into(), upload_id: "u1".into(), ..Default::default() };
        let out = input.parse(Response::from_bytes(200, [("ETag", "\"abc\"")], Vec::new())).unwrap();
        assert_eq!(out.etag, "\"abc\"");
        match input.parse(Response::from_bytes(200, [("x-cos-request-id", "r1")], Vec::new())) {
            Err(Error::Xml(message)) => {
                assert_eq!(
                    message,
                    "part 1 of \"big.bin\": the answer has no ETag header (multipart_complete needs it)"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
