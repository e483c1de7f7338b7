//! `put_object_copy`: a server-side copy of an object.

use crate::api::call::Call;
use crate::api::object::{Conditions, builder_doc, crc64_header, header_text, parse_xml_answer, push_header};
use crate::api::object_attributes::{ObjectAttributes, attribute_methods};
use crate::api::object_copy_source::{COPY_SOURCE_CONDITIONS, CopySource, copy_source_methods, copy_source_value};
use crate::client::Bucket;
use crate::error::Result;
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// `x-cos-metadata-directive`: what the copy does with the source's metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataDirective {
    /// Keep the source's metadata; headers given with the copy are ignored (the default).
    Copy,
    /// Replace it with the headers given with the copy (required to change an object's
    /// metadata in place).
    Replaced,
}

impl MetadataDirective {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataDirective::Copy => "Copy",
            MetadataDirective::Replaced => "Replaced",
        }
    }
}

/// `x-cos-tagging-directive`: what the copy does with the source's tags, the same two choices:
/// `Copy` (the default) keeps them, `Replaced` takes the copy's own `x-cos-tagging` (none
/// without it).
///
/// ```
/// use tencent_cos::api::TaggingDirective;
/// assert_eq!(TaggingDirective::Replaced.as_str(), "Replaced");
/// ```
pub type TaggingDirective = MetadataDirective;

/// Input of `put_object_copy`: pure data, no client.
///
/// ```
/// use tencent_cos::api::{CopySource, PutObjectCopyInput};
/// use tencent_cos::operation::Operation;
/// let mut input = PutObjectCopyInput {
///     key: "copy.jpg".into(),
///     copy_source: Some(CopySource::object("examplebucket-1250000000", "ap-guangzhou", "a.jpg")),
///     ..Default::default()
/// };
/// let request = input.build()?;
/// assert_eq!(request.headers.get("x-cos-copy-source"), Some("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutObjectCopyInput {
    /// The destination key.
    pub key: String,
    /// The source (required).
    pub copy_source: Option<CopySource>,
    /// `x-cos-metadata-directive`.
    pub metadata_directive: Option<MetadataDirective>,
    /// `x-cos-tagging-directive`.
    pub tagging_directive: Option<TaggingDirective>,
    /// `x-cos-copy-source-If-*`.
    pub source_conditions: Conditions,
    /// Content headers, ACL, storage class, `x-cos-meta-*` of the destination.
    pub attributes: ObjectAttributes,
    /// `Expect`.
    pub expect: Option<String>,
}

/// What `put_object_copy` returns (the `CopyObjectResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectCopyOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `ETag` of the new object.
    pub etag: String,
    /// `LastModified`, as sent (COS has sent several formats; kept opaque).
    pub last_modified: String,
    /// `CRC64`, else the `x-cos-hash-crc64ecma` header; `None` when neither is a decimal `u64`.
    pub crc64: Option<u64>,
    /// `VersionId`, else the `x-cos-version-id` header.
    pub version_id: Option<String>,
}

impl Operation for PutObjectCopyInput {
    type Output = PutObjectCopyOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let source = copy_source_value(self.copy_source.as_ref())?;
        let mut request = OperationRequest::new(Method::Put).with_key(self.key.clone());
        let h = &mut request.headers;
        self.attributes.push_custom(h)?;
        self.attributes.push_content(h, self.expect.as_deref());
        h.append("x-cos-copy-source", source);
        push_header(h, "x-cos-metadata-directive", self.metadata_directive.map(MetadataDirective::as_str));
        push_header(h, "x-cos-tagging-directive", self.tagging_directive.map(TaggingDirective::as_str));
        self.source_conditions.push_headers(h, &COPY_SOURCE_CONDITIONS);
        self.attributes.push_access(h);
        // The node SDK sends an empty Cache-Control (unsigned) when none is given, so that no
        // proxy adds one that would be stored with the object.
        if self.attributes.cache_control.is_none() {
            h.append("Cache-Control", "");
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<PutObjectCopyOutput> {
        parse_xml_answer(response, "CopyObjectResult", |root, meta| {
            Ok(PutObjectCopyOutput {
                etag: root.req_text("ETag")?,
                last_modified: root.opt_text("LastModified").unwrap_or_default(),
                crc64: root
                    .opt_text("CRC64")
                    .and_then(|v| v.trim().parse().ok())
                    .or_else(|| crc64_header(&meta.headers)),
                version_id: root.opt_text("VersionId").or_else(|| header_text(&meta.headers, "x-cos-version-id")),
                meta,
            })
        })
    }
}

/// Builder returned by [`Bucket::put_object_copy`]; `.send()` runs it.
pub type PutObjectCopy<'a> = Call<'a, PutObjectCopyInput>;

impl PutObjectCopy<'_> {
    /// `x-cos-metadata-directive`: [`Copy`](MetadataDirective::Copy) (the default) or
    /// [`Replaced`](MetadataDirective::Replaced).
    ///
    #[doc = builder_doc!("put_object_copy(\"a.jpg\").copy_source(\"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg\")", "metadata_directive(tencent_cos::api::MetadataDirective::Replaced).content_type(\"image/jpeg\")")]
    pub fn metadata_directive(mut self, directive: MetadataDirective) -> Self {
        self.input.metadata_directive = Some(directive);
        self
    }

    /// `x-cos-tagging-directive`: [`Copy`](MetadataDirective::Copy) (the default: the source's
    /// tags) or [`Replaced`](MetadataDirective::Replaced) (the tags of [`tagging`](Self::tagging)).
    ///
    #[doc = builder_doc!("put_object_copy(\"a.jpg\").copy_source(\"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg\")", "tagging_directive(tencent_cos::api::TaggingDirective::Replaced).tagging([(\"env\", \"prod\")])")]
    pub fn tagging_directive(mut self, directive: TaggingDirective) -> Self {
        self.input.tagging_directive = Some(directive);
        self
    }

    /// `Expect`.
    ///
    #[doc = builder_doc!("put_object_copy(\"b.jpg\").copy_source(\"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg\")", "expect(\"100-continue\")")]
    pub fn expect(mut self, value: impl Into<String>) -> Self {
        self.input.expect = Some(value.into());
        self
    }
}

attribute_methods!(
    PutObjectCopy,
    "put_object_copy(\"b.jpg\").copy_source(\"examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg\")"
);
copy_source_methods!(PutObjectCopy, "put_object_copy(\"b.jpg\")");

impl Bucket {
    /// PUT Object - Copy: copies an object (up to 5 GB) to `key`, server side. Set the source
    /// with [`copy_source`](PutObjectCopy::copy_source) or
    /// [`copy_source_object`](PutObjectCopy::copy_source_object).
    ///
    /// A 200 whose body is an `<Error>` (the copy failed on the way) is an
    /// [`Error::Service`](crate::Error::Service).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket
    ///     .put_object_copy("copies/photo.jpg")
    ///     .copy_source_object("sourcebucket-1250000000", "ap-shanghai", "photos/photo 1.jpg")
    ///     .send()?;
    /// println!("{} {}", out.etag, out.last_modified);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_object_copy(&self, key: impl Into<String>) -> PutObjectCopy<'_> {
        PutObjectCopy { bucket: self, input: PutObjectCopyInput { key: key.into(), ..Default::default() } }
    }

    /// Alias of [`Bucket::put_object_copy`].
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.copy_object("b.jpg").copy_source_object("examplebucket-1250000000", "ap-guangzhou", "a.jpg").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn copy_object(&self, key: impl Into<String>) -> PutObjectCopy<'_> {
        self.put_object_copy(key)
    }
}
