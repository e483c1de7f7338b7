//! `get_bucket` (List Objects, v1) and an iterator over every object of a listing.

use crate::api::call::Call;
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec;

use crate::api::acl::Owner;
use crate::api::listing::{ListingText, reported_encoding, validate_encoding_type, validate_page_size};
use crate::api::storage_class::StorageClass;
use crate::api::xml_body::XmlBody;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, parse_number};

/// Input of `get_bucket` (`GET /?prefix=&delimiter=&marker=&max-keys=&encoding-type=`).
///
/// ```
/// use tencent_cos::api::GetBucketInput;
/// use tencent_cos::operation::Operation;
/// let mut input = GetBucketInput { prefix: Some("a/".into()), max_keys: Some(10), ..Default::default() };
/// let query = input.build()?.query;
/// assert_eq!(query, vec![("prefix".to_string(), "a/".to_string()), ("max-keys".to_string(), "10".to_string())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct GetBucketInput {
    /// Prefix: only keys starting with it. Always sent (empty when unset), as the SDK does.
    pub prefix: Option<String>,
    /// Delimiter: keys sharing the part between Prefix and the delimiter are grouped into
    /// CommonPrefixes.
    pub delimiter: Option<String>,
    /// Marker: list keys after this one (UTF-8 binary order).
    pub marker: Option<String>,
    /// MaxKeys: at most this many entries, 1 to 1000 (COS's default 1000).
    pub max_keys: Option<u64>,
    /// EncodingType: `url` makes COS percent-encode keys and prefixes; they are decoded in
    /// the output, so keys with characters XML cannot carry list safely.
    pub encoding_type: Option<String>,
}

/// One object of a listing (`<Contents>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Object {
    /// Key (decoded when the listing used `encoding_type("url")`).
    pub key: String,
    /// LastModified, as COS sent it (ISO 8601, e.g. `2019-05-27T11:26:14.000Z`); typed by
    /// [`Object::last_modified_time`].
    pub last_modified: String,
    /// ETag, quotes included (`"f173c1199e3d3b53dd91223cae16fb42"`).
    pub etag: String,
    /// Size in bytes.
    pub size: u64,
    /// Owner, when sent.
    pub owner: Option<Owner>,
    /// StorageClass, e.g. [`StorageClass::Standard`]; an empty [`StorageClass::Other`] when
    /// COS sends none.
    pub storage_class: StorageClass,
}

impl Object {
    /// [`last_modified`](Self::last_modified) as a time (to the second), read by the library's
    /// one ISO-8601 parser (the one `transfer` uses);
    /// `None` when COS sent none or another format.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let mut object = tencent_cos::api::Object::default();
    /// object.last_modified = "2023-11-14T22:13:20.000Z".into();
    /// assert_eq!(object.last_modified_time(), Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
    /// assert_eq!(tencent_cos::api::Object::default().last_modified_time(), None);
    /// ```
    pub fn last_modified_time(&self) -> Option<SystemTime> {
        let secs = crate::transfer::cleanup::parse_iso8601(&self.last_modified)?;
        Some(UNIX_EPOCH + Duration::from_secs(secs))
    }
}

/// One entry of a delimited listing: an object, or a common prefix (a "directory") that
/// stands for every key below it. See [`GetBucket::entries`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// An object (`<Contents>`).
    Object(Object),
    /// A common prefix (`<CommonPrefixes><Prefix>`), delimiter included, e.g. `photos/2024/`.
    Prefix(String),
}

impl Entry {
    /// The object's key, or the prefix.
    pub fn name(&self) -> &str {
        match self {
            Entry::Object(o) => &o.key,
            Entry::Prefix(p) => p,
        }
    }
}

impl GetBucketOutput {
    /// This page's objects and common prefixes in one sequence, sorted by name (COS sends
    /// each list sorted; the two are merged).
    pub fn entries(self) -> vec::IntoIter<Entry> {
        merge_entries(self.contents, self.common_prefixes).into_iter()
    }
}

/// The objects and prefixes of one page, merged by name.
fn merge_entries(contents: Vec<Object>, prefixes: Vec<String>) -> Vec<Entry> {
    let mut merged = Vec::with_capacity(contents.len() + prefixes.len());
    let (mut objects, mut prefixes) = (contents.into_iter().peekable(), prefixes.into_iter().peekable());
    loop {
        let take_object = match (objects.peek(), prefixes.peek()) {
            (Some(o), Some(p)) => o.key <= *p,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return merged,
        };
        if take_object {
            merged.extend(objects.next().map(Entry::Object));
        } else {
            merged.extend(prefixes.next().map(Entry::Prefix));
        }
    }
}

/// Output of `get_bucket` (`ListBucketResult`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketOutput {
    /// Name: the bucket.
    pub name: String,
    /// EncodingType, when the request asked for one.
    pub encoding_type: Option<String>,
    /// Prefix (decoded).
    pub prefix: String,
    /// Marker (decoded).
    pub marker: String,
    /// MaxKeys.
    pub max_keys: Option<u64>,
    /// Delimiter (decoded), when the request had one.
    pub delimiter: Option<String>,
    /// IsTruncated: more entries follow.
    pub is_truncated: bool,
    /// NextMarker (decoded): the marker of the next page, when truncated.
    pub next_marker: Option<String>,
    /// Contents: the objects of this page.
    pub contents: Vec<Object>,
    /// CommonPrefixes (decoded).
    pub common_prefixes: Vec<String>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl GetBucketOutput {
    /// Where the next page starts: NextMarker, else (a truncated page without it) the last
    /// entry of this page, a key or a common prefix, whichever sorts last. `None` when the
    /// listing is complete; an error when a truncated page gives no way forward.
    pub fn next_page_marker(&self) -> Result<Option<String>> {
        if !self.is_truncated {
            return Ok(None);
        }
        if let Some(m) = self.next_marker.as_deref().filter(|m| !m.is_empty()) {
            return Ok(Some(m.to_owned()));
        }
        let last_key = self.contents.last().map(|o| o.key.as_str());
        let last_prefix = self.common_prefixes.last().map(String::as_str);
        match last_key.max(last_prefix) {
            Some(last) => Ok(Some(last.to_owned())),
            None => Err(Error::Xml("a truncated listing with no NextMarker and no entries".into())),
        }
    }
}

impl Operation for GetBucketInput {
    type Output = GetBucketOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_page_size("max_keys", self.max_keys)?;
        validate_encoding_type(self.encoding_type.as_deref())?;
        // The node SDK's order: prefix (always), delimiter, marker, max-keys, encoding-type.
        let mut request =
            OperationRequest::new(Method::Get).with_query("prefix", self.prefix.clone().unwrap_or_default());
        let optional = [
            ("delimiter", self.delimiter.clone()),
            ("marker", self.marker.clone()),
            ("max-keys", self.max_keys.map(|n| n.to_string())),
            ("encoding-type", self.encoding_type.clone()),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                request = request.with_query(name, v);
            }
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let requested = self.encoding_type.as_deref();
        parse_list_bucket_result(body.root(&doc, "ListBucketResult")?, requested, body.meta.clone())
    }
}

/// One `<Contents>`, its children read in one pass (a listing holds up to 1000 of them; the
/// last of a duplicated child wins, as [`Element::opt_text`] has it).
fn read_object(c: Element<'_, '_>, decoder: ListingText) -> Result<Object> {
    let (mut key, mut last_modified, mut etag, mut size, mut owner, mut storage_class) =
        (None, String::new(), String::new(), None, None, None);
    for child in c.element_children() {
        match child.name() {
            "Key" => key = Some(child.text()),
            "LastModified" => last_modified = child.text(),
            "ETag" => etag = child.text(),
            "Size" => size = Some(child),
            "Owner" => owner = Some(child),
            "StorageClass" => storage_class = Some(child),
            _ => {}
        }
    }
    let key = key.ok_or_else(|| Error::Xml("<Contents> has no <Key>".into()))?;
    Ok(Object {
        key: decoder.decode("Key", key)?,
        last_modified,
        etag,
        size: size.map(|e| parse_number("Size", &e.text_cow())).transpose()?.unwrap_or(0),
        owner: owner.map(Owner::from_element),
        storage_class: storage_class.map(|e| StorageClass::from(&*e.text_cow())).unwrap_or_else(|| "".into()),
    })
}

fn parse_list_bucket_result(
    root: Element<'_, '_>,
    requested: Option<&str>,
    meta: ResponseMeta,
) -> Result<GetBucketOutput> {
    let encoding_type = reported_encoding(root);
    let decoder = ListingText::new(requested, encoding_type.as_deref());
    let text = |name: &str, value: Option<String>| decoder.decode_opt(name, value);
    let mut contents = Vec::new();
    for c in root.children("Contents") {
        contents.push(read_object(c, decoder)?);
    }
    let mut common_prefixes = Vec::new();
    for p in root.children("CommonPrefixes") {
        if let Some(prefix) = text("Prefix", p.opt_text("Prefix"))? {
            common_prefixes.push(prefix);
        }
    }
    Ok(GetBucketOutput {
        name: root.opt_text("Name").unwrap_or_default(),
        prefix: text("Prefix", root.opt_text("Prefix"))?.unwrap_or_default(),
        marker: text("Marker", root.opt_text("Marker"))?.unwrap_or_default(),
        max_keys: root.opt_number("MaxKeys")?,
        delimiter: text("Delimiter", root.opt_text("Delimiter"))?,
        is_truncated: root.opt_bool("IsTruncated")?.unwrap_or(false),
        next_marker: text("NextMarker", root.opt_text("NextMarker"))?,
        encoding_type,
        contents,
        common_prefixes,
        meta,
    })
}

/// Builder returned by [`Bucket::get_bucket`] (and its alias [`Bucket::list_objects`]); every
/// parameter is a method, `.send()` lists one page, `.objects()` iterates over all of them.
pub type GetBucket<'a> = Call<'a, GetBucketInput>;

impl<'a> GetBucket<'a> {
    /// Prefix: list only keys starting with it.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.get_bucket().prefix("photos/").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.input.prefix = Some(prefix.into());
        self
    }

    /// Delimiter: group keys into CommonPrefixes at this character (usually `/`).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.get_bucket().prefix("photos/").delimiter("/").send()?;
    /// for dir in &page.common_prefixes {
    ///     println!("{dir}");
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.input.delimiter = Some(delimiter.into());
        self
    }

    /// Marker: start after this key.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.get_bucket().marker("photos/0999.jpg").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn marker(mut self, marker: impl Into<String>) -> Self {
        self.input.marker = Some(marker.into());
        self
    }

    /// MaxKeys: at most this many entries per page, 1 to 1000.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.get_bucket().max_keys(100).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn max_keys(mut self, max_keys: u64) -> Self {
        self.input.max_keys = Some(max_keys);
        self
    }

    /// EncodingType: `url` (the only value). Keys and prefixes come back percent-encoded and
    /// are decoded in the output.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.get_bucket().encoding_type("url").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn encoding_type(mut self, encoding_type: impl Into<String>) -> Self {
        self.input.encoding_type = Some(encoding_type.into());
        self
    }

    /// Every object of the listing, page after page (following NextMarker, or the last entry
    /// when COS sends none). CommonPrefixes are not yielded ([`entries`](Self::entries) yields
    /// both). Stops after the first error.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let mut total = 0;
    /// for object in bucket.get_bucket().prefix("logs/").max_keys(1000).objects() {
    ///     total += object?.size;
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn objects(self) -> ListObjects<'a> {
        ListObjects { entries: self.entries() }
    }

    /// Every object and every common prefix of the listing, page after page, each page's in
    /// name order: with `.delimiter("/")`, one "directory level" as `ls` shows it. Stops after
    /// the first error.
    ///
    /// ```no_run
    /// use tencent_cos::api::Entry;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// for entry in bucket.get_bucket().prefix("photos/").delimiter("/").entries() {
    ///     match entry? {
    ///         Entry::Prefix(dir) => println!("DIR {dir}"),
    ///         Entry::Object(object) => println!("{} {}", object.size, object.key),
    ///     }
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn entries(self) -> ListEntries<'a> {
        let mut input = self.input;
        // Our own pager asks for URL-encoded keys (decoded in the output): one key with a
        // character XML cannot carry would otherwise break every listing of its prefix.
        input.encoding_type.get_or_insert_with(|| "url".to_owned());
        ListEntries {
            bucket: self.bucket,
            input,
            page: Vec::new().into_iter(),
            state: PageState::More,
            seen: HashSet::new(),
        }
    }
}

/// Iterator over every object of a listing; see [`GetBucket::objects`].
#[must_use = "iterators do nothing unless consumed"]
#[derive(Debug)]
pub struct ListObjects<'a> {
    entries: ListEntries<'a>,
}

impl Iterator for ListObjects<'_> {
    type Item = Result<Object>;

    fn next(&mut self) -> Option<Result<Object>> {
        loop {
            match self.entries.next()? {
                Ok(Entry::Object(object)) => return Some(Ok(object)),
                Ok(Entry::Prefix(_)) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Iterator over every object and common prefix of a listing; see [`GetBucket::entries`].
#[must_use = "iterators do nothing unless consumed"]
#[derive(Debug)]
pub struct ListEntries<'a> {
    bucket: &'a Bucket,
    input: GetBucketInput,
    page: vec::IntoIter<Entry>,
    state: PageState,
    /// Every marker followed so far: a listing that comes back to one is looping.
    seen: HashSet<String>,
}

#[derive(Debug)]
enum PageState {
    /// Another page is to be fetched once this one is drained.
    More,
    /// This page was the last.
    Last,
    /// This page is followed by an error (then the end).
    Failed(Error),
    /// Done.
    Done,
}

impl Iterator for ListEntries<'_> {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        loop {
            if let Some(entry) = self.page.next() {
                return Some(Ok(entry));
            }
            match std::mem::replace(&mut self.state, PageState::Done) {
                PageState::Done | PageState::Last => return None,
                PageState::Failed(e) => return Some(Err(e)),
                PageState::More => {}
            }
            let page = match self.bucket.execute(self.input.clone()) {
                Ok(page) => page,
                Err(e) => return Some(Err(e)),
            };
            self.state = match page.next_page_marker() {
                Ok(None) => PageState::Last,
                Ok(Some(next)) if self.input.marker.as_deref() == Some(next.as_str()) => {
                    PageState::Failed(Error::Xml(format!("the listing did not advance past marker {next:?}")))
                }
                Ok(Some(next)) if !self.seen.insert(next.clone()) => PageState::Failed(Error::Xml(format!(
                    "the listing came back to marker {next:?}, which it had already visited"
                ))),
                Ok(Some(next)) => {
                    self.input.marker = Some(next);
                    PageState::More
                }
                Err(e) => PageState::Failed(e),
            };
            self.page = page.entries();
        }
    }
}

impl Bucket {
    /// Lists objects (GET Bucket): one page per `.send()`, or every object with `.objects()`.
    ///
    /// `.send()` lists one page.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.get_bucket().prefix("a/").delimiter("/").send()?;
    /// for object in &page.contents {
    ///     println!("{} {}", object.key, object.size);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket(&self) -> GetBucket<'_> {
        GetBucket { bucket: self, input: GetBucketInput::default() }
    }

    /// The same builder as [`Bucket::get_bucket`], by its Rust name.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let page = bucket.list_objects().prefix("a/").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn list_objects(&self) -> GetBucket<'_> {
        self.get_bucket()
    }

    /// Every object under `prefix` (`""` for the whole bucket), fetched page by page.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let keys: Vec<String> = bucket.list_objects_iter("photos/").map(|o| o.map(|o| o.key)).collect::<Result<_, _>>()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn list_objects_iter(&self, prefix: impl Into<String>) -> ListObjects<'_> {
        self.get_bucket().prefix(prefix).objects()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::Entry;
    use crate::Client;
    use crate::http::{Request, Response};
    use crate::transport::Transport;

    /// Answers each request with the next listing page, and keeps the query strings asked.
    struct Pages {
        answers: Mutex<Vec<&'static str>>,
        asked: Mutex<Vec<String>>,
    }

    impl Transport for Pages {
        fn send(&self, request: Request) -> crate::Result<Response> {
            self.asked.lock().unwrap().push(request.url.split_once('?').map_or("", |(_, q)| q).to_owned());
            let body = self.answers.lock().unwrap().remove(0);
            Ok(Response::from_bytes(200, [("Content-Type", "application/xml")], body.as_bytes().to_vec()))
        }
    }

    const PAGE_1: &str = "<ListBucketResult><Name>b-1250000000</Name><Prefix></Prefix><Delimiter>/</Delimiter>\
        <IsTruncated>true</IsTruncated><NextMarker>c/</NextMarker>\
        <Contents><Key>a.txt</Key><LastModified>2023-11-14T22:13:20.000Z</LastModified><Size>3</Size></Contents>\
        <Contents><Key>c.txt</Key><Size>4</Size></Contents>\
        <CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>\
        </ListBucketResult>";
    const PAGE_2: &str = "<ListBucketResult><Name>b-1250000000</Name><IsTruncated>false</IsTruncated>\
        <CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>\
        <Contents><Key>e.txt</Key><Size>5</Size></Contents></ListBucketResult>";

    #[test]
    fn entries_yield_objects_and_prefixes_in_name_order_across_pages() {
        let pages = std::sync::Arc::new(Pages { answers: Mutex::new(vec![PAGE_1, PAGE_2]), asked: Mutex::default() });
        let client =
            Client::builder().secret("AKIDx", "key").region("ap-guangzhou").transport(pages.clone()).build().unwrap();
        let bucket = client.bucket("b-1250000000");
        let entries: Vec<Entry> = bucket.get_bucket().delimiter("/").entries().map(Result::unwrap).collect();
        let names: Vec<(&str, bool)> = entries.iter().map(|e| (e.name(), matches!(e, Entry::Prefix(_)))).collect();
        assert_eq!(
            names,
            [("a.txt", false), ("b/", true), ("c.txt", false), ("c/", true), ("d/", true), ("e.txt", false)]
        );
        let Entry::Object(first) = &entries[0] else { unreachable!() };
        assert_eq!(first.last_modified, "2023-11-14T22:13:20.000Z");
        assert_eq!(
            first.last_modified_time(),
            Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000))
        );
        let asked = pages.asked.lock().unwrap().clone();
        assert_eq!(asked.len(), 2, "{asked:?}");
        assert!(asked[1].contains("marker=c%2F"), "the second page starts at NextMarker: {asked:?}");
    }
}
