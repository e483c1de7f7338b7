//! Inventory reports: `put_bucket_inventory`, `get_bucket_inventory`, `list_bucket_inventory`
//! (paged with a continuation token), `delete_bucket_inventory`, and the JS SDK's
//! `post_bucket_inventory` (`POST /?inventory&id=`, a one-shot inventory job with the same body).
//! Each configuration has an Id, sent as `?inventory&id=`.

use crate::api::bucket_config::{XmlConfig, one_of, opt_leaf, trimmed};
use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, XmlWriter, parse_bool};

const FIELD: &str = "inventory";

/// `<Destination><COSBucketDestination>`: where reports are written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InventoryDestination {
    /// Format: `CSV`.
    pub format: String,
    /// AccountId of the destination bucket's owner.
    pub account_id: Option<String>,
    /// Bucket: `qcs::cos:<region>::<bucket>`.
    pub bucket: String,
    /// Prefix of the report objects.
    pub prefix: Option<String>,
    /// Encryption/SSE-COS: reports encrypted with COS-managed keys.
    pub sse_cos: bool,
}

/// `<InventoryConfiguration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InventoryConfiguration {
    /// Id (also sent as `?id=`): letters, digits, `-`, `_`, `.`, at most 64.
    pub id: String,
    /// IsEnabled.
    pub is_enabled: bool,
    /// Destination.
    pub destination: InventoryDestination,
    /// Schedule/Frequency: `Daily` or `Weekly`.
    pub frequency: String,
    /// Filter/Prefix (also read from Filter/And/Prefix): only keys under it are listed.
    pub filter_prefix: Option<String>,
    /// IncludedObjectVersions: `All` or `Current`.
    pub included_object_versions: String,
    /// OptionalFields/Field, in order (`Size`, `LastModifiedDate`, `ETag`, ...).
    pub optional_fields: Vec<String>,
}

impl InventoryConfiguration {
    /// An enabled daily CSV inventory of every version, written to `destination_bucket`.
    pub fn new(id: impl Into<String>, destination_bucket: impl Into<String>) -> Self {
        InventoryConfiguration {
            id: id.into(),
            is_enabled: true,
            destination: InventoryDestination {
                format: "CSV".into(),
                bucket: destination_bucket.into(),
                ..Default::default()
            },
            frequency: "Daily".into(),
            filter_prefix: None,
            included_object_versions: "All".into(),
            optional_fields: Vec::new(),
        }
    }
}

/// Checks an inventory Id (shared by every call that sends one).
pub(crate) fn check_id(id: &str) -> Result<()> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if id.is_empty() || id.len() > 64 || !id.chars().all(ok) {
        return Err(Error::invalid(FIELD, format!("the Id {id:?} is not 1 to 64 of letters, digits, - _ .")));
    }
    Ok(())
}

impl XmlConfig for InventoryConfiguration {
    const ROOT: &'static str = "InventoryConfiguration";

    fn validate(&self) -> Result<()> {
        check_id(&self.id)?;
        one_of(FIELD, "Format", &self.destination.format, &["CSV"])?;
        if self.destination.bucket.trim().is_empty() {
            return Err(Error::invalid(FIELD, "the destination bucket is empty"));
        }
        one_of(FIELD, "Frequency", &self.frequency, &["Daily", "Weekly"])?;
        one_of(FIELD, "IncludedObjectVersions", &self.included_object_versions, &["All", "Current"])?;
        if let Some(i) = self.optional_fields.iter().position(|f| f.trim().is_empty()) {
            return Err(Error::invalid(FIELD, format!("optional field {i} is empty")));
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        w.leaf("Id", &self.id, FIELD)?;
        w.leaf("IsEnabled", if self.is_enabled { "true" } else { "false" }, FIELD)?;
        let d = &self.destination;
        w.open("Destination");
        w.open("COSBucketDestination");
        w.leaf("Format", &d.format, FIELD)?;
        opt_leaf(w, "AccountId", &d.account_id, FIELD)?;
        w.leaf("Bucket", &d.bucket, FIELD)?;
        opt_leaf(w, "Prefix", &d.prefix, FIELD)?;
        if d.sse_cos {
            w.open("Encryption");
            w.open("SSE-COS");
            w.close("SSE-COS");
            w.close("Encryption");
        }
        w.close("COSBucketDestination");
        w.close("Destination");
        w.open("Schedule");
        w.leaf("Frequency", &self.frequency, FIELD)?;
        w.close("Schedule");
        if let Some(p) = &self.filter_prefix {
            w.open("Filter");
            w.leaf("Prefix", p, FIELD)?;
            w.close("Filter");
        }
        w.leaf("IncludedObjectVersions", &self.included_object_versions, FIELD)?;
        if !self.optional_fields.is_empty() {
            w.open("OptionalFields");
            for f in &self.optional_fields {
                w.leaf("Field", f, FIELD)?;
            }
            w.close("OptionalFields");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let d = root.child("Destination").and_then(|d| d.child("COSBucketDestination"));
        let filter = root.child("Filter").map(|f| f.child("And").unwrap_or(f));
        Ok(InventoryConfiguration {
            id: trimmed(&root, "Id").unwrap_or_default(),
            is_enabled: match root.opt_text("IsEnabled") {
                Some(t) => parse_bool("IsEnabled", &t)?,
                None => false,
            },
            destination: InventoryDestination {
                format: d.and_then(|d| trimmed(&d, "Format")).unwrap_or_default(),
                account_id: d.and_then(|d| d.opt_text("AccountId")),
                bucket: d.and_then(|d| d.opt_text("Bucket")).unwrap_or_default(),
                prefix: d.and_then(|d| d.opt_text("Prefix")),
                sse_cos: d.and_then(|d| d.child("Encryption")).is_some_and(|e| e.child("SSE-COS").is_some()),
            },
            frequency: root.child("Schedule").and_then(|s| trimmed(&s, "Frequency")).unwrap_or_default(),
            filter_prefix: filter.and_then(|f| f.opt_text("Prefix")),
            included_object_versions: trimmed(&root, "IncludedObjectVersions").unwrap_or_default(),
            optional_fields: match root.child("OptionalFields") {
                Some(o) => o.children("Field").map(|f| f.text()).collect(),
                None => Vec::new(),
            },
        })
    }
}

// ---- put ----

/// `{PUT|POST} /?inventory&id=` with the configuration's XML (checked first).
fn config_request(method: Method, config: &InventoryConfiguration) -> Result<OperationRequest> {
    let body = config.to_xml()?;
    Ok(OperationRequest::new(method)
        .with_query("inventory", "")
        .with_query("id", config.id.clone())
        .with_xml_body(body))
}

/// Input of `put_bucket_inventory` (`PUT /?inventory&id=`): the configuration, checked before
/// sending; its Id is the `id` parameter.
#[derive(Clone, Debug, Default)]
pub struct PutBucketInventoryInput {
    /// The configuration (replaces the one with the same Id).
    pub config: InventoryConfiguration,
}

/// Output of `put_bucket_inventory`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketInventoryOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketInventoryInput {
    type Output = PutBucketInventoryOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        config_request(Method::Put, &self.config)
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketInventoryOutput> {
        Ok(PutBucketInventoryOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_inventory`]; `.send()` runs it.
pub type PutBucketInventory<'a> = Call<'a, PutBucketInventoryInput>;

// ---- post (one-shot job) ----

/// Input of `post_bucket_inventory` (`POST /?inventory&id=`, JS SDK only): runs a one-shot
/// inventory job described by the configuration (the same body as put), checked before sending.
///
/// ```
/// use tencent_cos::api::{InventoryConfiguration, PostBucketInventoryInput};
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// let config = InventoryConfiguration::new("once", "qcs::cos:ap-guangzhou::reports-1250000000");
/// let request = PostBucketInventoryInput { config }.build()?;
/// assert_eq!(request.method, Method::Post);
/// assert_eq!(request.query, [("inventory".to_string(), String::new()), ("id".to_string(), "once".to_string())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PostBucketInventoryInput {
    /// The job's configuration.
    pub config: InventoryConfiguration,
}

/// Output of `post_bucket_inventory`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostBucketInventoryOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PostBucketInventoryInput {
    type Output = PostBucketInventoryOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        config_request(Method::Post, &self.config)
    }

    fn parse(&mut self, response: Response) -> Result<PostBucketInventoryOutput> {
        Ok(PostBucketInventoryOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::post_bucket_inventory`]; `.send()` runs it.
pub type PostBucketInventory<'a> = Call<'a, PostBucketInventoryInput>;

// ---- get ----

/// Input of `get_bucket_inventory` (`GET /?inventory&id=`).
#[derive(Clone, Debug, Default)]
pub struct GetBucketInventoryInput {
    /// The Id of the configuration.
    pub id: String,
}

/// Output of `get_bucket_inventory`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketInventoryOutput {
    /// The configuration.
    pub inventory: InventoryConfiguration,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for GetBucketInventoryInput {
    type Output = GetBucketInventoryOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        check_id(&self.id)?;
        Ok(OperationRequest::new(Method::Get).with_query("inventory", "").with_query("id", self.id.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketInventoryOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, InventoryConfiguration::ROOT)?;
        Ok(GetBucketInventoryOutput { inventory: InventoryConfiguration::read(root)?, meta: body.meta })
    }
}

/// Builder returned by [`Bucket::get_bucket_inventory`]; `.send()` runs it.
pub type GetBucketInventory<'a> = Call<'a, GetBucketInventoryInput>;

// ---- list ----

/// Input of `list_bucket_inventory` (`GET /?inventory[&continuation-token=]`).
#[derive(Clone, Debug, Default)]
pub struct ListBucketInventoryInput {
    /// The `next_continuation_token` of the previous page; `None` for the first.
    pub continuation_token: Option<String>,
}

/// Output of `list_bucket_inventory`: one page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListBucketInventoryOutput {
    /// The configurations of this page, in COS's order.
    pub configurations: Vec<InventoryConfiguration>,
    /// IsTruncated: more pages follow.
    pub is_truncated: bool,
    /// ContinuationToken echoed.
    pub continuation_token: Option<String>,
    /// NextContinuationToken: pass it to get the next page.
    pub next_continuation_token: Option<String>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for ListBucketInventoryInput {
    type Output = ListBucketInventoryOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let mut request = OperationRequest::new(Method::Get).with_query("inventory", "");
        if let Some(t) = &self.continuation_token {
            if t.is_empty() {
                return Err(Error::invalid(
                    "continuation_token",
                    "the token is empty; leave it unset for the first page",
                ));
            }
            request = request.with_query("continuation-token", t.clone());
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<ListBucketInventoryOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "ListInventoryConfigurationResult")?;
        let configurations =
            root.children("InventoryConfiguration").map(InventoryConfiguration::read).collect::<Result<_>>()?;
        let non_empty = |name| root.opt_text(name).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(ListBucketInventoryOutput {
            configurations,
            is_truncated: root.opt_bool("IsTruncated")?.unwrap_or(false),
            continuation_token: non_empty("ContinuationToken"),
            next_continuation_token: non_empty("NextContinuationToken"),
            meta: body.meta,
        })
    }
}

/// Builder returned by [`Bucket::list_bucket_inventory`]; `.send()` runs it.
pub type ListBucketInventory<'a> = Call<'a, ListBucketInventoryInput>;

impl ListBucketInventory<'_> {
    /// Asks for the page after the one that gave this `next_continuation_token`.
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.input.continuation_token = Some(token.into());
        self
    }
}

// ---- delete ----

/// Input of `delete_bucket_inventory` (`DELETE /?inventory&id=`).
#[derive(Clone, Debug, Default)]
pub struct DeleteBucketInventoryInput {
    /// The Id of the configuration.
    pub id: String,
}

/// Output of `delete_bucket_inventory`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteBucketInventoryOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for DeleteBucketInventoryInput {
    type Output = DeleteBucketInventoryOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        check_id(&self.id)?;
        Ok(OperationRequest::new(Method::Delete).with_query("inventory", "").with_query("id", self.id.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<DeleteBucketInventoryOutput> {
        Ok(DeleteBucketInventoryOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::delete_bucket_inventory`]; `.send()` runs it.
pub type DeleteBucketInventory<'a> = Call<'a, DeleteBucketInventoryInput>;

impl Bucket {
    /// Sets (or replaces) the inventory configuration with `config.id`.
    ///
    /// ```no_run
    /// use tencent_cos::api::InventoryConfiguration;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_inventory(InventoryConfiguration::new("daily", "qcs::cos:ap-guangzhou::reports-1250000000")).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_inventory(&self, config: InventoryConfiguration) -> PutBucketInventory<'_> {
        PutBucketInventory { bucket: self, input: PutBucketInventoryInput { config } }
    }

    /// Runs a one-shot inventory job described by `config` (the JS SDK's `postBucketInventory`).
    ///
    /// ```no_run
    /// use tencent_cos::api::InventoryConfiguration;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.post_bucket_inventory(InventoryConfiguration::new("once", "qcs::cos:ap-guangzhou::reports-1250000000")).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn post_bucket_inventory(&self, config: InventoryConfiguration) -> PostBucketInventory<'_> {
        PostBucketInventory { bucket: self, input: PostBucketInventoryInput { config } }
    }

    /// Reads the inventory configuration `id`.
    pub fn get_bucket_inventory(&self, id: impl Into<String>) -> GetBucketInventory<'_> {
        GetBucketInventory { bucket: self, input: GetBucketInventoryInput { id: id.into() } }
    }

    /// Lists the bucket's inventory configurations, one page per call.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let mut page = bucket.list_bucket_inventory().send()?;
    /// let mut all = page.configurations;
    /// while let Some(token) = page.next_continuation_token.filter(|_| page.is_truncated) {
    ///     page = bucket.list_bucket_inventory().continuation_token(token).send()?;
    ///     all.append(&mut page.configurations);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn list_bucket_inventory(&self) -> ListBucketInventory<'_> {
        ListBucketInventory { bucket: self, input: ListBucketInventoryInput::default() }
    }

    /// Removes the inventory configuration `id`.
    pub fn delete_bucket_inventory(&self, id: impl Into<String>) -> DeleteBucketInventory<'_> {
        DeleteBucketInventory { bucket: self, input: DeleteBucketInventoryInput { id: id.into() } }
    }
}
