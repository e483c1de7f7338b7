//! `list_object_versions` (`GET /?versions`): every version and delete marker of a bucket's
//! keys, a page at a time ([`ListObjectVersions::send`]), page after page
//! ([`ListObjectVersions::pages`]) or entry after entry ([`Bucket::list_object_versions_iter`]).

use crate::api::call::Call;
use std::collections::VecDeque;

use crate::api::acl::Owner;
use crate::api::listing::{ListingText, reported_encoding, validate_page_size};
use crate::api::object::{builder_doc, parse_xml_answer};
use crate::api::pages::{Pages, Paginated};
use crate::api::storage_class::StorageClass;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::Element;

/// Input of `list_object_versions` (`GET /?versions&prefix=&delimiter=&key-marker=
/// &version-id-marker=&max-keys=&encoding-type=url`): pure data, no client.
///
/// ```
/// use tencent_cos::api::ListObjectVersionsInput;
/// use tencent_cos::operation::Operation;
/// let mut input = ListObjectVersionsInput { prefix: Some("a/".into()), max_keys: Some(2), ..Default::default() };
/// let query: Vec<_> = input.build()?.query.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
/// assert_eq!(query, ["versions=", "prefix=a/", "max-keys=2", "encoding-type=url"]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjectVersionsInput {
    /// `prefix`: only keys starting with it (always sent, empty by default, as the node SDK does).
    pub prefix: Option<String>,
    /// `delimiter`: keys are grouped into common prefixes up to its first occurrence after the
    /// prefix.
    pub delimiter: Option<String>,
    /// `key-marker`: list after this key (with `version_id_marker`: after that version of it).
    pub key_marker: Option<String>,
    /// `version-id-marker`: with `key_marker`, list the versions of that key older than this one,
    /// then the following keys.
    pub version_id_marker: Option<String>,
    /// `max-keys`: at most this many versions and delete markers (and common prefixes) per page,
    /// 1 to 1000.
    pub max_keys: Option<u64>,
}

/// One version of an object (`<Version>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectVersion {
    /// `Key` (decoded).
    pub key: String,
    /// `VersionId` (`null` for a version written while versioning was suspended or never set).
    pub version_id: String,
    /// `IsLatest`: the current version of its key.
    pub is_latest: bool,
    /// `LastModified`, as sent (ISO 8601).
    pub last_modified: String,
    /// `ETag`, quotes included.
    pub etag: String,
    /// `Size` in bytes.
    pub size: u64,
    /// `StorageClass`; an empty [`StorageClass::Other`] when COS sends none.
    pub storage_class: StorageClass,
    /// `Owner`, when sent.
    pub owner: Option<Owner>,
}

/// One delete marker (`<DeleteMarker>`): no bytes, no ETag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteMarker {
    /// `Key` (decoded).
    pub key: String,
    /// `VersionId`.
    pub version_id: String,
    /// `IsLatest`: the key's current version is this marker (a GET without `versionId` is 404).
    pub is_latest: bool,
    /// `LastModified`, as sent (ISO 8601).
    pub last_modified: String,
    /// `Owner`, when sent.
    pub owner: Option<Owner>,
}

/// A version or a delete marker, in listing order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionListEntry {
    /// `<Version>`.
    Version(ObjectVersion),
    /// `<DeleteMarker>`.
    DeleteMarker(DeleteMarker),
}

impl VersionListEntry {
    /// The key.
    ///
    /// ```
    /// use tencent_cos::api::{DeleteMarker, VersionListEntry};
    /// let mut marker = DeleteMarker::default();
    /// marker.key = "a.txt".into();
    /// let entry = VersionListEntry::DeleteMarker(marker);
    /// assert_eq!(entry.key(), "a.txt");
    /// ```
    pub fn key(&self) -> &str {
        match self {
            VersionListEntry::Version(v) => &v.key,
            VersionListEntry::DeleteMarker(m) => &m.key,
        }
    }

    /// The version id.
    ///
    /// ```
    /// use tencent_cos::api::{ObjectVersion, VersionListEntry};
    /// let mut version = ObjectVersion::default();
    /// version.version_id = "null".into();
    /// let entry = VersionListEntry::Version(version);
    /// assert_eq!(entry.version_id(), "null");
    /// ```
    pub fn version_id(&self) -> &str {
        match self {
            VersionListEntry::Version(v) => &v.version_id,
            VersionListEntry::DeleteMarker(m) => &m.version_id,
        }
    }
}

/// What `list_object_versions` returns (the `ListVersionsResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListObjectVersionsOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `Name`: the bucket.
    pub name: String,
    /// `EncodingType` as reported.
    pub encoding_type: Option<String>,
    /// `Prefix` (decoded).
    pub prefix: String,
    /// `KeyMarker` (decoded).
    pub key_marker: String,
    /// `VersionIdMarker`.
    pub version_id_marker: String,
    /// `MaxKeys`.
    pub max_keys: Option<u64>,
    /// `Delimiter` (decoded), when the request had one.
    pub delimiter: Option<String>,
    /// `IsTruncated`: more entries follow.
    pub is_truncated: bool,
    /// `NextKeyMarker` (decoded): where the next page starts.
    pub next_key_marker: Option<String>,
    /// `NextVersionIdMarker`.
    pub next_version_id_marker: Option<String>,
    /// `CommonPrefixes/Prefix` (decoded).
    pub common_prefixes: Vec<String>,
    /// Versions and delete markers, in the order sent.
    pub entries: Vec<VersionListEntry>,
}

impl ListObjectVersionsOutput {
    /// The `<Version>` entries, in order.
    ///
    /// ```
    /// let page = tencent_cos::api::ListObjectVersionsOutput::default();
    /// assert_eq!(page.versions().count(), 0);
    /// ```
    pub fn versions(&self) -> impl Iterator<Item = &ObjectVersion> {
        self.entries.iter().filter_map(|e| match e {
            VersionListEntry::Version(v) => Some(v),
            VersionListEntry::DeleteMarker(_) => None,
        })
    }

    /// The `<DeleteMarker>` entries, in order.
    ///
    /// ```
    /// let page = tencent_cos::api::ListObjectVersionsOutput::default();
    /// assert_eq!(page.delete_markers().count(), 0);
    /// ```
    pub fn delete_markers(&self) -> impl Iterator<Item = &DeleteMarker> {
        self.entries.iter().filter_map(|e| match e {
            VersionListEntry::DeleteMarker(m) => Some(m),
            VersionListEntry::Version(_) => None,
        })
    }
}

impl Operation for ListObjectVersionsInput {
    type Output = ListObjectVersionsOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_page_size("max_keys", self.max_keys)?;
        let mut request = OperationRequest::new(Method::Get).with_query("versions", "");
        // The node SDK's order, prefix always present; encoding-type=url always asked for.
        let query = [
            ("prefix", Some(self.prefix.clone().unwrap_or_default())),
            ("delimiter", self.delimiter.clone()),
            ("key-marker", self.key_marker.clone()),
            ("version-id-marker", self.version_id_marker.clone()),
            ("max-keys", self.max_keys.map(|n| n.to_string())),
            ("encoding-type", Some("url".to_owned())),
        ];
        for (name, value) in query {
            if let Some(v) = value {
                request = request.with_query(name, v);
            }
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<ListObjectVersionsOutput> {
        parse_xml_answer(response, "ListVersionsResult", parse_list_versions_result)
    }
}

fn parse_list_versions_result(root: Element<'_, '_>, meta: ResponseMeta) -> Result<ListObjectVersionsOutput> {
    let encoding_type = reported_encoding(root);
    let text = ListingText::new(Some("url"), encoding_type.as_deref());
    let mut entries = Vec::new();
    for node in root.node().children().filter(|n| n.is_element()) {
        let e = Element::new(node);
        match e.name() {
            "Version" => entries.push(VersionListEntry::Version(ObjectVersion {
                key: text.decode("Key", e.req_text("Key")?)?,
                version_id: e.opt_text("VersionId").unwrap_or_default(),
                is_latest: e.opt_bool("IsLatest")?.unwrap_or(false),
                last_modified: e.opt_text("LastModified").unwrap_or_default(),
                etag: e.opt_text("ETag").unwrap_or_default(),
                size: e.opt_number("Size")?.unwrap_or(0),
                storage_class: e.opt_text("StorageClass").unwrap_or_default().into(),
                owner: e.child("Owner").map(Owner::from_element),
            })),
            "DeleteMarker" => entries.push(VersionListEntry::DeleteMarker(DeleteMarker {
                key: text.decode("Key", e.req_text("Key")?)?,
                version_id: e.opt_text("VersionId").unwrap_or_default(),
                is_latest: e.opt_bool("IsLatest")?.unwrap_or(false),
                last_modified: e.opt_text("LastModified").unwrap_or_default(),
                owner: e.child("Owner").map(Owner::from_element),
            })),
            _ => {}
        }
    }
    let mut common_prefixes = Vec::new();
    for group in root.children("CommonPrefixes") {
        for prefix in group.children("Prefix") {
            common_prefixes.push(text.decode("Prefix", prefix.text())?);
        }
    }
    Ok(ListObjectVersionsOutput {
        name: root.opt_text("Name").unwrap_or_default(),
        prefix: text.decode_opt("Prefix", root.opt_text("Prefix"))?.unwrap_or_default(),
        key_marker: text.decode_opt("KeyMarker", root.opt_text("KeyMarker"))?.unwrap_or_default(),
        version_id_marker: root.opt_text("VersionIdMarker").unwrap_or_default(),
        max_keys: root.opt_number("MaxKeys")?,
        delimiter: text.decode_opt("Delimiter", root.opt_text("Delimiter"))?,
        is_truncated: root.opt_bool("IsTruncated")?.unwrap_or(false),
        next_key_marker: text.decode_opt("NextKeyMarker", root.opt_text("NextKeyMarker"))?.filter(|m| !m.is_empty()),
        next_version_id_marker: root.opt_text("NextVersionIdMarker").filter(|m| !m.is_empty()),
        encoding_type,
        common_prefixes,
        entries,
        meta,
    })
}

impl Paginated for ListObjectVersionsInput {
    /// Follows `NextKeyMarker` / `NextVersionIdMarker`, or the last entry when COS sends none.
    fn next_page(&self, page: &ListObjectVersionsOutput) -> Result<Option<Self>> {
        if !page.is_truncated {
            return Ok(None);
        }
        let (key_marker, version_id_marker) = match &page.next_key_marker {
            Some(key) => (Some(key.clone()), page.next_version_id_marker.clone()),
            None => match page.entries.last() {
                Some(last) => (Some(last.key().to_owned()), Some(last.version_id().to_owned())),
                None => match page.common_prefixes.last() {
                    Some(prefix) => (Some(prefix.clone()), None),
                    None => {
                        return Err(Error::Xml("a truncated versions listing with no markers and no entries".into()));
                    }
                },
            },
        };
        if key_marker == self.key_marker && version_id_marker == self.version_id_marker {
            return Err(Error::Xml("a truncated versions listing did not move past its markers".into()));
        }
        Ok(Some(ListObjectVersionsInput { key_marker, version_id_marker, ..self.clone() }))
    }

    fn cursor(&self) -> Option<String> {
        let key = self.key_marker.as_deref()?;
        Some(format!("{key}\n{}", self.version_id_marker.as_deref().unwrap_or("")))
    }
}

/// Builder returned by [`Bucket::list_object_versions`]; `.send()` lists one page.
pub type ListObjectVersions<'a> = Call<'a, ListObjectVersionsInput>;

impl<'a> ListObjectVersions<'a> {
    /// `prefix`: only keys starting with it.
    ///
    #[doc = builder_doc!("list_object_versions()", "prefix(\"photos/\")")]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.input.prefix = Some(prefix.into());
        self
    }

    /// `delimiter`: group keys into common prefixes at this string (usually `/`).
    ///
    #[doc = builder_doc!("list_object_versions()", "delimiter(\"/\")")]
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.input.delimiter = Some(delimiter.into());
        self
    }

    /// `key-marker`: list after this key.
    ///
    #[doc = builder_doc!("list_object_versions()", "key_marker(\"photos/a.jpg\")")]
    pub fn key_marker(mut self, marker: impl Into<String>) -> Self {
        self.input.key_marker = Some(marker.into());
        self
    }

    /// `version-id-marker`: with `key_marker`, list after this version of that key.
    ///
    #[doc = builder_doc!("list_object_versions()", "key_marker(\"a.jpg\").version_id_marker(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjg\")")]
    pub fn version_id_marker(mut self, marker: impl Into<String>) -> Self {
        self.input.version_id_marker = Some(marker.into());
        self
    }

    /// `max-keys`: 1 to 1000 entries per page.
    ///
    #[doc = builder_doc!("list_object_versions()", "max_keys(100)")]
    pub fn max_keys(mut self, max_keys: u64) -> Self {
        self.input.max_keys = Some(max_keys);
        self
    }

    /// Every page, following the next markers while `IsTruncated`; markers that do not move or
    /// come back to where they had been end with an error.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// for page in bucket.list_object_versions().prefix("photos/").pages() {
    ///     println!("{} delete markers", page?.delete_markers().count());
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn pages(self) -> Pages<'a, ListObjectVersionsInput> {
        Pages::new(self.bucket, self.input)
    }

    /// Every version and delete marker, page after page, in listing order (common prefixes
    /// are not yielded). Stops after the first error.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// for entry in bucket.list_object_versions().prefix("photos/").entries() {
    ///     let entry = entry?;
    ///     println!("{} {}", entry.key(), entry.version_id());
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn entries(self) -> ListObjectVersionsIter<'a> {
        ListObjectVersionsIter { pages: self.pages(), page: VecDeque::new() }
    }
}

/// Iterator over every version and delete marker of a listing; see
/// [`ListObjectVersions::entries`].
#[must_use = "iterators do nothing unless consumed"]
pub struct ListObjectVersionsIter<'a> {
    pages: Pages<'a, ListObjectVersionsInput>,
    page: VecDeque<VersionListEntry>,
}

impl std::fmt::Debug for ListObjectVersionsIter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListObjectVersionsIter").field("pages", &self.pages).field("page", &self.page).finish()
    }
}

impl Iterator for ListObjectVersionsIter<'_> {
    type Item = Result<VersionListEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(entry) = self.page.pop_front() {
                return Some(Ok(entry));
            }
            match self.pages.next()? {
                Ok(page) => self.page = page.entries.into(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl Bucket {
    /// List Object Versions (GET Bucket `?versions`): one page per `.send()`, every page with
    /// `.pages()`, every entry with `.entries()`.
    ///
    /// `.send()` lists one page.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.list_object_versions().prefix("a/").max_keys(100).send()?;
    /// for version in page.versions() {
    ///     println!("{} {} latest={}", version.key, version.version_id, version.is_latest);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn list_object_versions(&self) -> ListObjectVersions<'_> {
        ListObjectVersions { bucket: self, input: ListObjectVersionsInput::default() }
    }

    /// Every version and delete marker under `prefix` (`""` for the whole bucket), fetched page
    /// by page.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let ids: Vec<String> =
    ///     bucket.list_object_versions_iter("a.txt").map(|e| e.map(|e| e.version_id().to_owned())).collect::<Result<_, _>>()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn list_object_versions_iter(&self, prefix: impl Into<String>) -> ListObjectVersionsIter<'_> {
        self.list_object_versions().prefix(prefix).entries()
    }
}
