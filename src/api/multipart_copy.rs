//! `upload_part_copy`: a part of a multipart upload copied from an existing object.

use crate::api::call::Call;
use std::ops::RangeInclusive;

use crate::api::multipart::{validate_part_number, validate_upload_id};
use crate::api::object::{Conditions, builder_doc, crc64_header, parse_xml_answer, push_header};
use crate::api::object_copy_source::{COPY_SOURCE_CONDITIONS, CopySource, copy_source_methods, copy_source_value};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `upload_part_copy`: pure data, no client.
///
/// ```
/// use tencent_cos::api::UploadPartCopyInput;
/// use tencent_cos::api::CopySource;
/// use tencent_cos::operation::Operation;
/// let mut input = UploadPartCopyInput {
///     key: "big.bin".into(),
///     upload_id: "u1".into(),
///     part_number: 1,
///     copy_source: Some(CopySource::object("examplebucket-1250000000", "ap-guangzhou", "src.bin")),
///     copy_source_range: Some(0..=1048575),
///     ..Default::default()
/// };
/// assert_eq!(input.build()?.headers.get("x-cos-copy-source-range"), Some("bytes=0-1048575"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadPartCopyInput {
    /// The destination key.
    pub key: String,
    /// `uploadId`.
    pub upload_id: String,
    /// `partNumber`: 1 to 10000.
    pub part_number: u32,
    /// The source (required).
    pub copy_source: Option<CopySource>,
    /// `x-cos-copy-source-range`: the source bytes, both ends included; the whole source when
    /// absent.
    pub copy_source_range: Option<RangeInclusive<u64>>,
    /// `x-cos-copy-source-If-*`.
    pub source_conditions: Conditions,
}

impl Default for UploadPartCopyInput {
    fn default() -> Self {
        UploadPartCopyInput {
            key: String::new(),
            upload_id: String::new(),
            part_number: 1,
            copy_source: None,
            copy_source_range: None,
            source_conditions: Conditions::default(),
        }
    }
}

/// What `upload_part_copy` returns (the `CopyPartResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadPartCopyOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `ETag` of the part, as sent (COS has sent it unquoted too): for `multipart_complete`.
    pub etag: String,
    /// `LastModified`, as sent (kept opaque; may be empty).
    pub last_modified: String,
    /// `x-cos-hash-crc64ecma` of the part.
    pub crc64: Option<u64>,
}

impl Operation for UploadPartCopyInput {
    type Output = UploadPartCopyOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_upload_id(&self.upload_id)?;
        validate_part_number(self.part_number)?;
        let source = copy_source_value(self.copy_source.as_ref())?;
        let range = match &self.copy_source_range {
            Some(r) if r.start() > r.end() => {
                return Err(Error::invalid(
                    "copy_source_range",
                    format!("starts at {}, after its end {}", r.start(), r.end()),
                ));
            }
            Some(r) => Some(format!("bytes={}-{}", r.start(), r.end())),
            None => None,
        };
        let mut request = OperationRequest::new(Method::Put)
            .with_key(self.key.clone())
            .with_query("partNumber", self.part_number.to_string())
            .with_query("uploadId", self.upload_id.clone());
        let h = &mut request.headers;
        h.append("x-cos-copy-source", source);
        // The node SDK spells it x-cos-copy-source-Range; names are case-insensitive and
        // lower-cased for signing.
        push_header(h, "x-cos-copy-source-Range", range.as_deref());
        self.source_conditions.push_headers(h, &COPY_SOURCE_CONDITIONS);
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<UploadPartCopyOutput> {
        parse_xml_answer(response, "CopyPartResult", |root, meta| {
            Ok(UploadPartCopyOutput {
                etag: root.req_text("ETag")?,
                last_modified: root.opt_text("LastModified").unwrap_or_default(),
                crc64: crc64_header(&meta.headers),
                meta,
            })
        })
    }
}

/// Builder returned by [`Bucket::upload_part_copy`]; `.send()` runs it.
pub type UploadPartCopy<'a> = Call<'a, UploadPartCopyInput>;

impl UploadPartCopy<'_> {
    /// `x-cos-copy-source-range: bytes=start-end`, both ends included.
    ///
    #[doc = builder_doc!("upload_part_copy(\"big.bin\", \"upload-id\", 1).copy_source(\"b-1250000000.cos.ap-shanghai.myqcloud.com/src.bin\")", "copy_source_range(0..=10485759)")]
    pub fn copy_source_range(mut self, range: RangeInclusive<u64>) -> Self {
        self.input.copy_source_range = Some(range);
        self
    }
}

copy_source_methods!(UploadPartCopy, "upload_part_copy(\"big.bin\", \"upload-id\", 1)");

impl Bucket {
    /// Upload Part - Copy: part `part_number` of upload `upload_id`, copied server side from
    /// another object (or a byte range of it).
    ///
    /// A 200 whose body is an `<Error>` is an [`Error::Service`](crate::Error::Service).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let part = bucket
    ///     .upload_part_copy("big.bin", "upload-id", 1)
    ///     .copy_source_object("sourcebucket-1250000000", "ap-shanghai", "src.bin")
    ///     .copy_source_range(0..=10 * 1024 * 1024 - 1)
    ///     .send()?;
    /// println!("{}", part.etag);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn upload_part_copy(
        &self,
        key: impl Into<String>,
        upload_id: impl Into<String>,
        part_number: u32,
    ) -> UploadPartCopy<'_> {
        UploadPartCopy {
            bucket: self,
            input: UploadPartCopyInput {
                key: key.into(),
                upload_id: upload_id.into(),
                part_number,
                ..Default::default()
            },
        }
    }
}
