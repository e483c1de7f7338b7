//! Object tags: `put_object_tagging`, `get_object_tagging`, `delete_object_tagging`
//! (`/{key}?tagging`, optionally of one version), and the `x-cos-tagging` header that tags an
//! object as it is written (`put_object`, `multipart_init`, `put_object_copy`). The tags, their
//! XML and its parser are those of the bucket calls ([`Tag`]).

use crate::api::bucket_tagging::{Tag, check_tag_keys, no_tag_set, parse_tagging, tagging_body};
use crate::api::call::Call;
use crate::api::object::{builder_doc, header_text};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// The `x-cos-tagging` value of `tags`: `key=value` pairs joined by `&`, each name and value
/// percent-encoded as the node SDK does (`%20` for a space); `None` for no tags.
///
/// ```
/// use tencent_cos::api::{Tag, tagging_header};
/// let tags = [Tag::new("team", "storage & infra"), Tag::new("env", "prod")];
/// assert_eq!(tagging_header(&tags)?.as_deref(), Some("team=storage%20%26%20infra&env=prod"));
/// assert_eq!(tagging_header(&[])?, None);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
pub fn tagging_header(tags: &[Tag]) -> Result<Option<String>> {
    if tags.is_empty() {
        return Ok(None);
    }
    check_tag_keys(tags, "tagging")?;
    let mut out = String::new();
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        crate::percent::encode_into(&mut out, &tag.key, false);
        out.push('=');
        crate::percent::encode_into(&mut out, &tag.value, false);
    }
    Ok(Some(out))
}

/// The request of a `?tagging` call on `key` (and `versionId`).
fn tagging_request(method: Method, key: &str, version_id: Option<&str>) -> Result<OperationRequest> {
    if key.is_empty() {
        return Err(Error::invalid("key", "empty"));
    }
    let mut request = OperationRequest::new(method).with_key(key).with_query("tagging", "");
    if let Some(v) = version_id {
        if v.is_empty() {
            return Err(Error::invalid("version_id", "empty: leave it unset for the latest version"));
        }
        request = request.with_query("versionId", v);
    }
    Ok(request)
}

/// Input of `put_object_tagging` (`PUT /{key}?tagging`): the tags, checked before sending.
///
/// ```
/// use tencent_cos::api::{PutObjectTaggingInput, Tag};
/// use tencent_cos::operation::Operation;
/// let mut input = PutObjectTaggingInput { key: "a.txt".into(), tags: vec![Tag::new("k", "v")], version_id: None };
/// assert_eq!(
///     input.build()?.body.as_bytes().unwrap(),
///     b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutObjectTaggingInput {
    /// The object key.
    pub key: String,
    /// The tags: at least one, keys not empty and not repeated.
    pub tags: Vec<Tag>,
    /// `versionId`: tag this version rather than the latest.
    pub version_id: Option<String>,
}

/// Output of `put_object_tagging`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectTaggingOutput {
    /// `x-cos-version-id`: the version tagged, in a versioned bucket.
    pub version_id: Option<String>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutObjectTaggingInput {
    type Output = PutObjectTaggingOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let request = tagging_request(Method::Put, &self.key, self.version_id.as_deref())?;
        Ok(request.with_xml_body(tagging_body(&self.tags, "tags", "delete_object_tagging")?))
    }

    fn parse(&mut self, response: Response) -> Result<PutObjectTaggingOutput> {
        Ok(PutObjectTaggingOutput {
            version_id: header_text(&response.headers, "x-cos-version-id"),
            meta: meta_of(&response),
        })
    }
}

/// Input of `get_object_tagging` (`GET /{key}?tagging`).
///
/// ```
/// use tencent_cos::api::GetObjectTaggingInput;
/// use tencent_cos::operation::Operation;
/// let mut input = GetObjectTaggingInput { key: "a.txt".into(), version_id: Some("v1".into()) };
/// let query = input.build()?.query;
/// assert_eq!(query, vec![("tagging".to_string(), String::new()), ("versionId".to_string(), "v1".to_string())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetObjectTaggingInput {
    /// The object key.
    pub key: String,
    /// `versionId`: the tags of this version rather than the latest.
    pub version_id: Option<String>,
}

/// Output of `get_object_tagging`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetObjectTaggingOutput {
    /// The tags (TagSet), in order; empty for an object without tags.
    pub tags: Vec<Tag>,
    /// `x-cos-version-id`, in a versioned bucket.
    pub version_id: Option<String>,
    /// Status and every response header. After 404 NoSuchTagSet the status is 404 and the
    /// headers hold only `x-cos-request-id` (from the error).
    pub meta: ResponseMeta,
}

impl Operation for GetObjectTaggingInput {
    type Output = GetObjectTaggingOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        tagging_request(Method::Get, &self.key, self.version_id.as_deref())
    }

    fn parse(&mut self, response: Response) -> Result<GetObjectTaggingOutput> {
        let version_id = header_text(&response.headers, "x-cos-version-id");
        let (tags, meta) = parse_tagging(response)?;
        Ok(GetObjectTaggingOutput { tags, version_id, meta })
    }

    /// 404 NoSuchTagSet: no tags, as the node SDK reads it (a missing object stays an error).
    fn recover(&mut self, error: Error) -> Result<GetObjectTaggingOutput> {
        no_tag_set(error).map(|meta| GetObjectTaggingOutput { meta, ..Default::default() })
    }
}

/// Input of `delete_object_tagging` (`DELETE /{key}?tagging`).
///
/// ```
/// use tencent_cos::api::DeleteObjectTaggingInput;
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// let mut input = DeleteObjectTaggingInput { key: "a.txt".into(), version_id: None };
/// assert_eq!(input.build()?.method, Method::Delete);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteObjectTaggingInput {
    /// The object key.
    pub key: String,
    /// `versionId`: untag this version rather than the latest.
    pub version_id: Option<String>,
}

/// Output of `delete_object_tagging`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectTaggingOutput {
    /// `x-cos-version-id`: the version untagged, in a versioned bucket.
    pub version_id: Option<String>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for DeleteObjectTaggingInput {
    type Output = DeleteObjectTaggingOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        tagging_request(Method::Delete, &self.key, self.version_id.as_deref())
    }

    fn parse(&mut self, response: Response) -> Result<DeleteObjectTaggingOutput> {
        Ok(DeleteObjectTaggingOutput {
            version_id: header_text(&response.headers, "x-cos-version-id"),
            meta: meta_of(&response),
        })
    }
}

/// Builder returned by [`Bucket::put_object_tagging`]; `.send()` runs it.
pub type PutObjectTagging<'a> = Call<'a, PutObjectTaggingInput>;

impl PutObjectTagging<'_> {
    /// Adds a tag `key` = `value`.
    ///
    #[doc = builder_doc!("put_object_tagging(\"a.txt\")", "tag(\"team\", \"storage\")")]
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.input.tags.push(Tag::new(key, value));
        self
    }

    /// Adds tags, as `(key, value)` pairs or [`Tag`]s.
    ///
    #[doc = builder_doc!("put_object_tagging(\"a.txt\")", "tags([(\"team\", \"storage\"), (\"env\", \"prod\")])")]
    pub fn tags<T: Into<Tag>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
        self.input.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// `versionId`: tag this version rather than the latest.
    ///
    #[doc = builder_doc!("put_object_tagging(\"a.txt\")", "tag(\"k\", \"v\").version_id(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

/// Builder returned by [`Bucket::get_object_tagging`]; `.send()` runs it.
pub type GetObjectTagging<'a> = Call<'a, GetObjectTaggingInput>;

impl GetObjectTagging<'_> {
    /// `versionId`: the tags of this version rather than the latest.
    ///
    #[doc = builder_doc!("get_object_tagging(\"a.txt\")", "version_id(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

/// Builder returned by [`Bucket::delete_object_tagging`]; `.send()` runs it.
pub type DeleteObjectTagging<'a> = Call<'a, DeleteObjectTaggingInput>;

impl DeleteObjectTagging<'_> {
    /// `versionId`: untag this version rather than the latest.
    ///
    #[doc = builder_doc!("delete_object_tagging(\"a.txt\")", "version_id(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

impl Bucket {
    /// PUT Object tagging: replaces the tags of an object (of its latest version, or of
    /// [`version_id`](PutObjectTagging::version_id)).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_object_tagging("report.csv").tag("classification", "internal use").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_object_tagging(&self, key: impl Into<String>) -> PutObjectTagging<'_> {
        PutObjectTagging { bucket: self, input: PutObjectTaggingInput { key: key.into(), ..Default::default() } }
    }

    /// GET Object tagging: the tags of an object; none when it has none (not an error).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// for tag in bucket.get_object_tagging("report.csv").send()?.tags {
    ///     println!("{} = {}", tag.key, tag.value);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_object_tagging(&self, key: impl Into<String>) -> GetObjectTagging<'_> {
        GetObjectTagging { bucket: self, input: GetObjectTaggingInput { key: key.into(), version_id: None } }
    }

    /// DELETE Object tagging: removes every tag of an object.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_object_tagging("report.csv").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_object_tagging(&self, key: impl Into<String>) -> DeleteObjectTagging<'_> {
        DeleteObjectTagging { bucket: self, input: DeleteObjectTaggingInput { key: key.into(), version_id: None } }
    }
}
