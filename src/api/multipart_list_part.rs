//! `multipart_list_part`: the parts of one upload, a page at a time or all of them.

use crate::api::acl::Owner;
use crate::api::call::Call;
/// Most entries COS returns in one listing page.
pub use crate::api::listing::MAX_LIST_PAGE;
use crate::api::listing::{ListingText, reported_encoding, validate_encoding_type, validate_page_size};
use crate::api::multipart::validate_upload_id;
use crate::api::object::{builder_doc, parse_xml_answer};
use crate::api::pages::{Pages, Paginated};
use crate::api::storage_class::StorageClass;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml;

/// Input of `multipart_list_part`: pure data, no client.
///
/// ```
/// use tencent_cos::api::MultipartListPartInput;
/// use tencent_cos::operation::Operation;
/// let mut input = MultipartListPartInput { key: "big.bin".into(), upload_id: "u1".into(), max_parts: Some(2), ..Default::default() };
/// let query = input.build()?.query;
/// assert_eq!(query[1], ("max-parts".to_string(), "2".to_string()));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultipartListPartInput {
    /// The object key.
    pub key: String,
    /// `uploadId`.
    pub upload_id: String,
    /// `encoding-type`: `url` to have COS encode the key (decoded in the output).
    pub encoding_type: Option<String>,
    /// `max-parts`: 1 to 1000 (COS's default 1000).
    pub max_parts: Option<u32>,
    /// `part-number-marker`: list the parts after this number.
    pub part_number_marker: Option<u32>,
}

/// One uploaded part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Part {
    /// `PartNumber`.
    pub part_number: u32,
    /// `LastModified`, as sent (kept opaque).
    pub last_modified: String,
    /// `ETag`, quotes included.
    pub etag: String,
    /// `Size` in bytes.
    pub size: u64,
}

/// What `multipart_list_part` returns (the `ListPartsResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartListPartOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `Bucket`.
    pub bucket: String,
    /// `Encoding-type` as reported.
    pub encoding_type: Option<String>,
    /// `Key` (decoded with `encoding-type=url`).
    pub key: String,
    /// `UploadId`.
    pub upload_id: String,
    /// `Initiator`.
    pub initiator: Option<Owner>,
    /// `Owner`.
    pub owner: Option<Owner>,
    /// `StorageClass` (COS answers `Standard` here: [`StorageClass::Standard`]).
    pub storage_class: Option<StorageClass>,
    /// `PartNumberMarker`.
    pub part_number_marker: Option<u32>,
    /// `NextPartNumberMarker`: where the next page starts.
    pub next_part_number_marker: Option<u32>,
    /// `MaxParts`.
    pub max_parts: Option<u32>,
    /// `IsTruncated`: more parts follow.
    pub is_truncated: bool,
    /// `Part` entries, in order.
    pub parts: Vec<Part>,
}

impl Operation for MultipartListPartInput {
    type Output = MultipartListPartOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_upload_id(&self.upload_id)?;
        validate_page_size("max_parts", self.max_parts)?;
        validate_encoding_type(self.encoding_type.as_deref())?;
        let mut request = OperationRequest::new(Method::Get)
            .with_key(self.key.clone())
            .with_query("uploadId", self.upload_id.clone());
        let query = [
            ("encoding-type", self.encoding_type.clone()),
            ("max-parts", self.max_parts.map(|n| n.to_string())),
            ("part-number-marker", self.part_number_marker.map(|n| n.to_string())),
        ];
        for (name, value) in query {
            if let Some(v) = value {
                request = request.with_query(name, v);
            }
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<MultipartListPartOutput> {
        parse_xml_answer(response, "ListPartsResult", |root, meta| {
            let encoding_type = reported_encoding(root);
            let text = ListingText::new(self.encoding_type.as_deref(), encoding_type.as_deref());
            let parts = root
                .children("Part")
                .map(|p| {
                    Ok(Part {
                        part_number: xml::parse_number("PartNumber", &p.req_text("PartNumber")?)?,
                        last_modified: p.opt_text("LastModified").unwrap_or_default(),
                        etag: p.req_text("ETag")?,
                        size: xml::parse_number("Size", &p.req_text("Size")?)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(MultipartListPartOutput {
                bucket: root.opt_text("Bucket").unwrap_or_default(),
                key: text.decode("Key", root.opt_text("Key").unwrap_or_default())?,
                upload_id: root.opt_text("UploadId").unwrap_or_default(),
                initiator: root.child("Initiator").map(Owner::from_element),
                owner: root.child("Owner").map(Owner::from_element),
                storage_class: root.opt_text("StorageClass").map(StorageClass::from),
                part_number_marker: root.opt_number("PartNumberMarker")?,
                next_part_number_marker: root.opt_number("NextPartNumberMarker")?,
                max_parts: root.opt_number("MaxParts")?,
                is_truncated: root.opt_bool("IsTruncated")?.unwrap_or(false),
                encoding_type,
                parts,
                meta,
            })
        })
    }
}

/// Builder returned by [`Bucket::multipart_list_part`]; `.send()` runs it.
pub type MultipartListPart<'a> = Call<'a, MultipartListPartInput>;

impl<'a> MultipartListPart<'a> {
    /// `encoding-type`: `url` to have COS encode the key (decoded in the output).
    ///
    #[doc = builder_doc!("multipart_list_part(\"big.bin\", \"upload-id\")", "encoding_type(\"url\")")]
    pub fn encoding_type(mut self, encoding: impl Into<String>) -> Self {
        self.input.encoding_type = Some(encoding.into());
        self
    }

    /// `max-parts`: 1 to 1000 per page.
    ///
    #[doc = builder_doc!("multipart_list_part(\"big.bin\", \"upload-id\")", "max_parts(100)")]
    pub fn max_parts(mut self, n: u32) -> Self {
        self.input.max_parts = Some(n);
        self
    }

    /// `part-number-marker`: list the parts after this number.
    ///
    #[doc = builder_doc!("multipart_list_part(\"big.bin\", \"upload-id\")", "part_number_marker(100)")]
    pub fn part_number_marker(mut self, n: u32) -> Self {
        self.input.part_number_marker = Some(n);
        self
    }

    /// Every page, following `NextPartNumberMarker` (or the last part's number when COS sends
    /// none) while `IsTruncated`. A page that would not move forward ends with an error.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// for page in bucket.multipart_list_part("big.bin", "upload-id").pages() {
    ///     println!("{} parts", page?.parts.len());
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn pages(self) -> Pages<'a, MultipartListPartInput> {
        Pages::new(self.bucket, self.input)
    }

    /// All parts of the upload, every page fetched.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let parts = bucket.multipart_list_part("big.bin", "upload-id").all_parts()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn all_parts(self) -> Result<Vec<Part>> {
        let pages = self.pages().map(|page| page.map(|p| p.parts)).collect::<Result<Vec<_>>>()?;
        Ok(pages.into_iter().flatten().collect())
    }
}

impl Paginated for MultipartListPartInput {
    /// Follows `NextPartNumberMarker`, or the last part's number when COS sends none.
    fn next_page(&self, page: &MultipartListPartOutput) -> Result<Option<Self>> {
        if !page.is_truncated {
            return Ok(None);
        }
        let marker = self.part_number_marker.unwrap_or(0);
        match page.next_part_number_marker.or_else(|| page.parts.last().map(|p| p.part_number)) {
            Some(next) if next > marker => {
                Ok(Some(MultipartListPartInput { part_number_marker: Some(next), ..self.clone() }))
            }
            _ => Err(Error::Xml(format!("a truncated parts listing did not move past part {marker}"))),
        }
    }

    fn url_encoded(mut self) -> Self {
        self.encoding_type.get_or_insert_with(|| "url".to_owned());
        self
    }
}

impl Bucket {
    /// List Parts: the parts uploaded so far to `upload_id`, one page per `send`, or all of them
    /// with [`MultipartListPart::all_parts`].
    ///
    /// `.send()` lists one page.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.multipart_list_part("big.bin", "upload-id").send()?;
    /// for part in &page.parts {
    ///     println!("{} {} {}", part.part_number, part.size, part.etag);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn multipart_list_part(&self, key: impl Into<String>, upload_id: impl Into<String>) -> MultipartListPart<'_> {
        MultipartListPart {
            bucket: self,
            input: MultipartListPartInput { key: key.into(), upload_id: upload_id.into(), ..Default::default() },
        }
    }

    /// Alias of [`Bucket::multipart_list_part`].
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let parts = bucket.list_parts("big.bin", "upload-id").all_parts()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn list_parts(&self, key: impl Into<String>, upload_id: impl Into<String>) -> MultipartListPart<'_> {
        self.multipart_list_part(key, upload_id)
    }
}
