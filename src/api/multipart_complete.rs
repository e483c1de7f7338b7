//! `multipart_complete`: joins the uploaded parts into the object.

use crate::api::call::Call;
use crate::api::multipart::{MAX_PART_NUMBER, validate_upload_id};
use crate::api::object::{builder_doc, crc64_header, header_text, parse_xml_answer};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::XmlWriter;

/// One uploaded part, for `multipart_complete`.
///
/// ```
/// use tencent_cos::api::CompletedPart;
/// let part = CompletedPart::from((1, "\"d41d8cd98f00b204e9800998ecf8427e\""));
/// assert_eq!(part.part_number, 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompletedPart {
    /// `PartNumber`.
    pub part_number: u32,
    /// `ETag` from `multipart_upload` (quoted or not: quotes are added as the node SDK does).
    pub etag: String,
}

impl<S: Into<String>> From<(u32, S)> for CompletedPart {
    fn from((part_number, etag): (u32, S)) -> Self {
        CompletedPart { part_number, etag: etag.into() }
    }
}

/// Input of `multipart_complete`: pure data, no client.
///
/// ```
/// use tencent_cos::api::MultipartCompleteInput;
/// use tencent_cos::operation::Operation;
/// let mut input = MultipartCompleteInput {
///     key: "big.bin".into(),
///     upload_id: "u1".into(),
///     parts: vec![(2, "b").into(), (1, "\"a\"").into()],
/// };
/// let body = input.build()?.body;
/// assert_eq!(
///     body.as_bytes(),
///     Some(&b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>"[..])
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultipartCompleteInput {
    /// The object key.
    pub key: String,
    /// `uploadId`.
    pub upload_id: String,
    /// The parts, in any order: they are sent sorted by number.
    pub parts: Vec<CompletedPart>,
}

/// What `multipart_complete` returns (the `CompleteMultipartUploadResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartCompleteOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `Location` (empty when COS sends none).
    pub location: String,
    /// `Bucket` (empty when COS sends none).
    pub bucket: String,
    /// `Key` (empty when COS sends none).
    pub key: String,
    /// `ETag` of the object (`"<md5>-<parts>"`); required.
    pub etag: String,
    /// `x-cos-hash-crc64ecma` of the whole object (when every part had one).
    pub crc64: Option<u64>,
    /// `x-cos-version-id`, in a versioned bucket.
    pub version_id: Option<String>,
}

impl Operation for MultipartCompleteInput {
    type Output = MultipartCompleteOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_upload_id(&self.upload_id)?;
        if self.parts.is_empty() {
            return Err(Error::invalid("parts", "must name at least one part"));
        }
        let mut parts: Vec<&CompletedPart> = self.parts.iter().collect();
        parts.sort_by_key(|p| p.part_number);
        let mut w = XmlWriter::with_capacity(48 + 96 * parts.len());
        w.open("CompleteMultipartUpload");
        for part in parts {
            if !(1..=MAX_PART_NUMBER).contains(&part.part_number) {
                return Err(Error::invalid(
                    "parts",
                    format!("part number {} is not 1 to {MAX_PART_NUMBER}", part.part_number),
                ));
            }
            w.open("Part");
            w.leaf("PartNumber", &part.part_number.to_string(), "parts")?;
            if part.etag.starts_with('"') {
                w.leaf("ETag", &part.etag, "parts")?;
            } else {
                w.leaf("ETag", &format!("\"{}\"", part.etag), "parts")?;
            }
            w.close("Part");
        }
        w.close("CompleteMultipartUpload");
        Ok(OperationRequest::new(Method::Post)
            .with_key(self.key.clone())
            .with_query("uploadId", self.upload_id.clone())
            .with_xml_body(w.finish()))
    }

    fn parse(&mut self, response: Response) -> Result<MultipartCompleteOutput> {
        parse_xml_answer(response, "CompleteMultipartUploadResult", |root, meta| {
            // A 200 without an ETag is not a finished upload (the Go SDK treats it as an error too).
            let etag = root.opt_text("ETag").filter(|e| !e.is_empty()).ok_or_else(|| {
                Error::Xml("<CompleteMultipartUploadResult> has no ETag: the upload was not completed".into())
            })?;
            Ok(MultipartCompleteOutput {
                location: root.opt_text("Location").unwrap_or_default(),
                bucket: root.opt_text("Bucket").unwrap_or_default(),
                key: root.opt_text("Key").unwrap_or_default(),
                etag,
                crc64: crc64_header(&meta.headers),
                version_id: header_text(&meta.headers, "x-cos-version-id"),
                meta,
            })
        })
    }
}

/// Builder returned by [`Bucket::multipart_complete`]; `.send()` runs it.
pub type MultipartComplete<'a> = Call<'a, MultipartCompleteInput>;

impl MultipartComplete<'_> {
    /// Adds one more part.
    ///
    #[doc = builder_doc!("multipart_complete(\"big.bin\", \"upload-id\", [(1, \"\\\"etag1\\\"\")])", "part((2, \"\\\"etag2\\\"\"))")]
    pub fn part(mut self, part: impl Into<CompletedPart>) -> Self {
        self.input.parts.push(part.into());
        self
    }
}

impl Bucket {
    /// Complete Multipart Upload: joins the parts (sent sorted by number, ETags quoted).
    ///
    /// COS's refusals (`EntityTooSmall`, `InvalidPart`, `InvalidPartOrder`, `NoSuchUpload`) and a 200 whose
    /// body is an `<Error>` are [`Error::Service`](crate::Error::Service) with their code; a 200 without
    /// ETag is an [`Error::Xml`](crate::Error::Xml).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let done = bucket.multipart_complete("big.bin", "upload-id", [(2, "etag2"), (1, "etag1")]).send()?;
    /// println!("{} {:?}", done.etag, done.crc64);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn multipart_complete<I>(
        &self,
        key: impl Into<String>,
        upload_id: impl Into<String>,
        parts: I,
    ) -> MultipartComplete<'_>
    where
        I: IntoIterator,
        I::Item: Into<CompletedPart>,
    {
        let parts = parts.into_iter().map(Into::into).collect();
        MultipartComplete {
            bucket: self,
            input: MultipartCompleteInput { key: key.into(), upload_id: upload_id.into(), parts },
        }
    }
}
