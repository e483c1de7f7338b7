//! Bucket tags: `put_bucket_tagging`, `get_bucket_tagging`, `delete_bucket_tagging`.

use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Headers, Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::XmlWriter;

/// One tag: a key and its value.
///
/// ```
/// use tencent_cos::api::Tag;
/// let tag = Tag::new("team", "storage");
/// assert_eq!((tag.key.as_str(), tag.value.as_str()), ("team", "storage"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tag {
    /// Key (not empty).
    pub key: String,
    /// Value (may be empty).
    pub value: String,
}

impl Tag {
    /// A tag `key` = `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Tag {
        Tag { key: key.into(), value: value.into() }
    }
}

impl<K: Into<String>, V: Into<String>> From<(K, V)> for Tag {
    /// A tag from a `(key, value)` pair.
    fn from((key, value): (K, V)) -> Tag {
        Tag::new(key, value)
    }
}

/// Input of `get_bucket_tagging` (`GET /?tagging`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketTaggingInput;
/// use tencent_cos::operation::Operation;
/// assert_eq!(GetBucketTaggingInput.build()?.query, vec![("tagging".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketTaggingInput;

/// Output of `get_bucket_tagging`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketTaggingOutput {
    /// The tags (TagSet), in order; empty for a bucket never tagged.
    pub tags: Vec<Tag>,
    /// Status and every response header. For a bucket without tags the status is 404 and the
    /// headers hold only `x-cos-request-id` (from the error).
    pub meta: ResponseMeta,
}

impl Operation for GetBucketTaggingInput {
    type Output = GetBucketTaggingOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("tagging", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketTaggingOutput> {
        let (tags, meta) = parse_tagging(response)?;
        Ok(GetBucketTaggingOutput { tags, meta })
    }

    /// A bucket never tagged answers 404 NoSuchTagSet: no tags, as the node SDK reads it.
    fn recover(&mut self, error: Error) -> Result<GetBucketTaggingOutput> {
        no_tag_set(error).map(|meta| GetBucketTaggingOutput { tags: Vec::new(), meta })
    }
}

/// The tags of a `<Tagging>` answer (bucket or object), in order, with the answer's meta.
pub(crate) fn parse_tagging(response: Response) -> Result<(Vec<Tag>, ResponseMeta)> {
    let body = XmlBody::read(response)?;
    let doc = body.document()?;
    let root = body.root(&doc, "Tagging")?;
    let mut tags = Vec::new();
    for set in root.children("TagSet") {
        for t in set.children("Tag") {
            tags.push(Tag {
                key: t.opt_text("Key").unwrap_or_default(),
                value: t.opt_text("Value").unwrap_or_default(),
            });
        }
    }
    Ok((tags, body.meta))
}

/// 404 NoSuchTagSet (never tagged) as an empty answer: status 404 and only the error's
/// `x-cos-request-id` among the headers. Any other error stands.
pub(crate) fn no_tag_set(error: Error) -> Result<ResponseMeta> {
    match error.service() {
        Some(e) if e.status == 404 && e.code == "NoSuchTagSet" => {
            let mut headers = Headers::new();
            if let Some(id) = &e.request_id {
                headers.insert("x-cos-request-id", id.clone());
            }
            Ok(ResponseMeta { status: 404, headers })
        }
        _ => Err(error),
    }
}

/// The `<Tagging>` body of a put (bucket or object): at least one tag, keys not empty and not
/// repeated, each checked as `field`.
pub(crate) fn tagging_body(tags: &[Tag], field: &'static str, empty_hint: &str) -> Result<String> {
    if tags.is_empty() {
        return Err(Error::invalid(field, format!("at least one tag is needed ({empty_hint} removes them all)")));
    }
    check_tag_keys(tags, field)?;
    let mut w = XmlWriter::with_capacity(48 + 64 * tags.len());
    w.open("Tagging");
    w.open("TagSet");
    for tag in tags {
        w.open("Tag");
        w.leaf("Key", &tag.key, field)?;
        w.leaf("Value", &tag.value, field)?;
        w.close("Tag");
    }
    w.close("TagSet");
    w.close("Tagging");
    Ok(w.finish())
}

/// Keys not empty and not repeated.
pub(crate) fn check_tag_keys(tags: &[Tag], field: &'static str) -> Result<()> {
    for (i, tag) in tags.iter().enumerate() {
        if tag.key.is_empty() {
            return Err(Error::invalid(field, format!("tag {i} has an empty key")));
        }
        if tags[..i].iter().any(|t| t.key == tag.key) {
            return Err(Error::invalid(field, format!("tag key {:?} is repeated", tag.key)));
        }
    }
    Ok(())
}

/// Builder returned by [`Bucket::get_bucket_tagging`]; `.send()` runs it.
pub type GetBucketTagging<'a> = Call<'a, GetBucketTaggingInput>;

/// Input of `put_bucket_tagging` (`PUT /?tagging`): the tags, checked before sending.
///
/// ```
/// use tencent_cos::api::{PutBucketTaggingInput, Tag};
/// use tencent_cos::operation::Operation;
/// let mut input = PutBucketTaggingInput { tags: vec![Tag::new("a&b", "<c>")] };
/// assert_eq!(
///     input.build()?.body.as_bytes().unwrap(),
///     b"<Tagging><TagSet><Tag><Key>a&amp;b</Key><Value>&lt;c&gt;</Value></Tag></TagSet></Tagging>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutBucketTaggingInput {
    /// The tags: at least one, keys not empty and not repeated.
    pub tags: Vec<Tag>,
}

/// Output of `put_bucket_tagging`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketTaggingOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketTaggingInput {
    type Output = PutBucketTaggingOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let body = tagging_body(&self.tags, "tags", "delete_bucket_tagging")?;
        Ok(OperationRequest::new(Method::Put).with_query("tagging", "").with_xml_body(body))
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketTaggingOutput> {
        Ok(PutBucketTaggingOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_tagging`]; `.send()` runs it.
pub type PutBucketTagging<'a> = Call<'a, PutBucketTaggingInput>;

impl PutBucketTagging<'_> {
    /// Adds a tag `key` = `value`.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_tagging().tag("team", "storage").tag("env", "prod").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.input.tags.push(Tag::new(key, value));
        self
    }

    /// Adds tags.
    ///
    /// ```no_run
    /// use tencent_cos::api::Tag;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_tagging().tags([Tag::new("team", "storage")]).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn tags(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        self.input.tags.extend(tags);
        self
    }
}

/// Input of `delete_bucket_tagging` (`DELETE /?tagging`): no parameters.
///
/// ```
/// use tencent_cos::api::DeleteBucketTaggingInput;
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// assert_eq!(DeleteBucketTaggingInput.build()?.method, Method::Delete);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteBucketTaggingInput;

/// Output of `delete_bucket_tagging`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteBucketTaggingOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for DeleteBucketTaggingInput {
    type Output = DeleteBucketTaggingOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Delete).with_query("tagging", ""))
    }

    fn parse(&mut self, response: Response) -> Result<DeleteBucketTaggingOutput> {
        Ok(DeleteBucketTaggingOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::delete_bucket_tagging`]; `.send()` runs it.
pub type DeleteBucketTagging<'a> = Call<'a, DeleteBucketTaggingInput>;

impl Bucket {
    /// Reads the bucket's tags; a bucket never tagged has none (not an error).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// for tag in bucket.get_bucket_tagging().send()?.tags {
    ///     println!("{} = {}", tag.key, tag.value);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_tagging(&self) -> GetBucketTagging<'_> {
        GetBucketTagging { bucket: self, input: GetBucketTaggingInput }
    }

    /// Replaces the bucket's tags.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_tagging().tag("team", "storage").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_tagging(&self) -> PutBucketTagging<'_> {
        PutBucketTagging { bucket: self, input: PutBucketTaggingInput::default() }
    }

    /// Removes every tag of the bucket.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_bucket_tagging().send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_bucket_tagging(&self) -> DeleteBucketTagging<'_> {
        DeleteBucketTagging { bucket: self, input: DeleteBucketTaggingInput }
    }
}
