//! `multipart_list`: the uploads in progress in a bucket, a page at a time or all of them.

use crate::api::acl::Owner;
use crate::api::call::Call;
use crate::api::listing::{ListingText, reported_encoding, validate_encoding_type, validate_page_size};
use crate::api::object::{builder_doc, parse_xml_answer};
use crate::api::pages::{Pages, Paginated};
use crate::api::storage_class::StorageClass;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `multipart_list`: pure data, no client.
///
/// ```
/// use tencent_cos::api::MultipartListInput;
/// use tencent_cos::operation::Operation;
/// let mut input = MultipartListInput { prefix: Some("multipart/".into()), max_uploads: Some(10), ..Default::default() };
/// let query: Vec<_> = input.build()?.query.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
/// assert_eq!(query, ["uploads=", "prefix=multipart/", "max-uploads=10"]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultipartListInput {
    /// `delimiter`: group keys up to its first occurrence after the prefix.
    pub delimiter: Option<String>,
    /// `encoding-type`: `url` to have COS encode keys (decoded in the output).
    pub encoding_type: Option<String>,
    /// `prefix` (always sent, empty by default, as the node SDK does).
    pub prefix: Option<String>,
    /// `max-uploads`: 1 to 1000.
    pub max_uploads: Option<u32>,
    /// `key-marker`: list after this key.
    pub key_marker: Option<String>,
    /// `upload-id-marker`: with `key_marker`, list after this upload of that key.
    pub upload_id_marker: Option<String>,
}

/// One upload in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Upload {
    /// `Key` (decoded with `encoding-type=url`).
    pub key: String,
    /// `UploadId`.
    pub upload_id: String,
    /// `StorageClass`.
    pub storage_class: Option<StorageClass>,
    /// `Initiator`.
    pub initiator: Option<Owner>,
    /// `Owner`.
    pub owner: Option<Owner>,
    /// `Initiated`, as sent: COS has sent ISO-8601 and `Wed Jan 18 16:04:17 2017` alike.
    pub initiated: Option<String>,
}

impl Upload {
    /// [`initiated`](Self::initiated) as a time (to the second), read by the library's one
    /// ISO-8601 parser (the one `transfer` uses); `None`
    /// when COS sent none or another format (such as `Wed Jan 18 16:04:17 2017`).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let mut upload = tencent_cos::api::Upload::default();
    /// upload.initiated = Some("2023-11-14T22:13:20.000Z".into());
    /// assert_eq!(upload.initiated_time(), Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
    /// ```
    pub fn initiated_time(&self) -> Option<std::time::SystemTime> {
        let secs = crate::transfer::cleanup::parse_iso8601(self.initiated.as_deref()?)?;
        Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
    }
}

/// What `multipart_list` returns (the `ListMultipartUploadsResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartListOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `Bucket`.
    pub bucket: String,
    /// `Encoding-Type` as reported.
    pub encoding_type: Option<String>,
    /// `KeyMarker`.
    pub key_marker: Option<String>,
    /// `UploadIdMarker`.
    pub upload_id_marker: Option<String>,
    /// `NextKeyMarker`: where the next page starts.
    pub next_key_marker: Option<String>,
    /// `NextUploadIdMarker`.
    pub next_upload_id_marker: Option<String>,
    /// `MaxUploads`.
    pub max_uploads: Option<u32>,
    /// `Prefix`.
    pub prefix: Option<String>,
    /// `Delimiter`.
    pub delimiter: Option<String>,
    /// `IsTruncated`: more uploads follow.
    pub is_truncated: bool,
    /// `Upload` entries, in order.
    pub uploads: Vec<Upload>,
    /// `CommonPrefixes/Prefix` (also read from the misspelled `CommonPrefixs` COS has sent).
    pub common_prefixes: Vec<String>,
}

impl Operation for MultipartListInput {
    type Output = MultipartListOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_page_size("max_uploads", self.max_uploads)?;
        validate_encoding_type(self.encoding_type.as_deref())?;
        let mut request = OperationRequest::new(Method::Get).with_query("uploads", "");
        // The node SDK's order, with prefix always present.
        let query = [
            ("delimiter", self.delimiter.clone()),
            ("encoding-type", self.encoding_type.clone()),
            ("prefix", Some(self.prefix.clone().unwrap_or_default())),
            ("max-uploads", self.max_uploads.map(|n| n.to_string())),
            ("key-marker", self.key_marker.clone()),
            ("upload-id-marker", self.upload_id_marker.clone()),
        ];
        for (name, value) in query {
            if let Some(v) = value {
                request = request.with_query(name, v);
            }
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<MultipartListOutput> {
        parse_xml_answer(response, "ListMultipartUploadsResult", |root, meta| {
            let encoding_type = reported_encoding(root);
            let text = ListingText::new(self.encoding_type.as_deref(), encoding_type.as_deref());
            let uploads = root
                .children("Upload")
                .map(|u| {
                    Ok(Upload {
                        key: text.decode("Key", u.req_text("Key")?)?,
                        upload_id: u.req_text("UploadId")?,
                        storage_class: u.opt_text("StorageClass").map(StorageClass::from),
                        initiator: u.child("Initiator").map(Owner::from_element),
                        owner: u.child("Owner").map(Owner::from_element),
                        initiated: u.opt_text("Initiated"),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut common_prefixes = Vec::new();
            for group in root.children("CommonPrefixes").chain(root.children("CommonPrefixs")) {
                for prefix in group.children("Prefix") {
                    common_prefixes.push(text.decode("Prefix", prefix.text())?);
                }
            }
            Ok(MultipartListOutput {
                bucket: root.opt_text("Bucket").unwrap_or_default(),
                key_marker: text.decode_opt("KeyMarker", root.opt_text("KeyMarker"))?,
                upload_id_marker: root.opt_text("UploadIdMarker"),
                next_key_marker: text.decode_opt("NextKeyMarker", root.opt_text("NextKeyMarker"))?,
                next_upload_id_marker: root.opt_text("NextUploadIdMarker"),
                max_uploads: root.opt_number("MaxUploads")?,
                prefix: text.decode_opt("Prefix", root.opt_text("Prefix"))?,
                delimiter: text.decode_opt("Delimiter", root.opt_text("Delimiter"))?,
                is_truncated: root.opt_bool("IsTruncated")?.unwrap_or(false),
                encoding_type,
                uploads,
                common_prefixes,
                meta,
            })
        })
    }
}

/// Builder returned by [`Bucket::multipart_list`]; `.send()` runs it.
pub type MultipartList<'a> = Call<'a, MultipartListInput>;

impl<'a> MultipartList<'a> {
    /// `prefix`: only keys starting with it.
    ///
    #[doc = builder_doc!("multipart_list()", "prefix(\"multipart/\")")]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.input.prefix = Some(prefix.into());
        self
    }

    /// `delimiter`: keys are grouped into `common_prefixes` up to its first occurrence after
    /// the prefix.
    ///
    #[doc = builder_doc!("multipart_list()", "delimiter(\"/\")")]
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.input.delimiter = Some(delimiter.into());
        self
    }

    /// `key-marker`: list after this key.
    ///
    #[doc = builder_doc!("multipart_list()", "key_marker(\"multipart/a.bin\")")]
    pub fn key_marker(mut self, marker: impl Into<String>) -> Self {
        self.input.key_marker = Some(marker.into());
        self
    }

    /// `upload-id-marker`: with `key_marker`, list after this upload of that key.
    ///
    #[doc = builder_doc!("multipart_list()", "key_marker(\"multipart/a.bin\").upload_id_marker(\"upload-id\")")]
    pub fn upload_id_marker(mut self, marker: impl Into<String>) -> Self {
        self.input.upload_id_marker = Some(marker.into());
        self
    }

    /// `max-uploads`: 1 to 1000 per page.
    ///
    #[doc = builder_doc!("multipart_list()", "max_uploads(100)")]
    pub fn max_uploads(mut self, n: u32) -> Self {
        self.input.max_uploads = Some(n);
        self
    }

    /// `encoding-type`: `url` to have COS encode keys (decoded in the output), for keys with
    /// characters XML cannot carry.
    ///
    #[doc = builder_doc!("multipart_list()", "encoding_type(\"url\")")]
    pub fn encoding_type(mut self, encoding: impl Into<String>) -> Self {
        self.input.encoding_type = Some(encoding.into());
        self
    }

    /// Every page, following `NextKeyMarker` / `NextUploadIdMarker` (or the last upload when
    /// COS sends none) while `IsTruncated`. A page that would not move forward ends with an
    /// error.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// for page in bucket.multipart_list().prefix("multipart/").pages() {
    ///     for upload in page?.uploads {
    ///         println!("{} {}", upload.key, upload.upload_id);
    ///     }
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn pages(self) -> Pages<'a, MultipartListInput> {
        Pages::new(self.bucket, self.input)
    }

    /// All uploads in progress, every page fetched.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// for upload in bucket.multipart_list().all_uploads()? {
    ///     bucket.multipart_abort(&upload.key, &upload.upload_id).send()?;
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn all_uploads(self) -> Result<Vec<Upload>> {
        let pages = self.pages().map(|page| page.map(|p| p.uploads)).collect::<Result<Vec<_>>>()?;
        Ok(pages.into_iter().flatten().collect())
    }
}

impl Paginated for MultipartListInput {
    /// Follows `NextKeyMarker` / `NextUploadIdMarker`, or the last upload when COS sends none.
    fn next_page(&self, page: &MultipartListOutput) -> Result<Option<Self>> {
        if !page.is_truncated {
            return Ok(None);
        }
        let last = page.uploads.last();
        let key_marker = page.next_key_marker.clone().or_else(|| last.map(|u| u.key.clone()));
        let upload_id_marker = page.next_upload_id_marker.clone().or_else(|| last.map(|u| u.upload_id.clone()));
        let moved =
            key_marker.is_some() && (key_marker != self.key_marker || upload_id_marker != self.upload_id_marker);
        if !moved {
            return Err(Error::Xml("a truncated uploads listing did not move past its markers".into()));
        }
        Ok(Some(MultipartListInput { key_marker, upload_id_marker, ..self.clone() }))
    }

    fn cursor(&self) -> Option<String> {
        let key = self.key_marker.as_deref()?;
        Some(format!("{key}\n{}", self.upload_id_marker.as_deref().unwrap_or("")))
    }

    fn url_encoded(mut self) -> Self {
        self.encoding_type.get_or_insert_with(|| "url".to_owned());
        self
    }
}

impl Bucket {
    /// List Multipart Uploads: the uploads in progress, one page per `send`, or all of them
    /// with [`MultipartList::all_uploads`].
    ///
    /// `.send()` lists one page.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.multipart_list().prefix("multipart/").max_uploads(10).send()?;
    /// println!("{} uploads, truncated: {}", page.uploads.len(), page.is_truncated);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn multipart_list(&self) -> MultipartList<'_> {
        MultipartList { bucket: self, input: MultipartListInput::default() }
    }

    /// Alias of [`Bucket::multipart_list`].
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let uploads = bucket.list_multipart_uploads().all_uploads()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn list_multipart_uploads(&self) -> MultipartList<'_> {
        self.multipart_list()
    }
}
