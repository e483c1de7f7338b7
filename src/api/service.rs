//! `get_service`: the buckets of the account (GET / on the service domain).

use crate::api::acl::Owner;
use crate::api::xml_body::XmlBody;
use crate::client::{Client, Scope};
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `get_service` (`GET /`): the optional filters and paging of GET Service.
///
/// ```
/// use tencent_cos::api::GetServiceInput;
/// use tencent_cos::operation::Operation;
/// let mut input = GetServiceInput { tag_key: Some("env".into()), tag_value: Some("prod".into()), ..Default::default() };
/// let query = input.build()?.query;
/// assert_eq!(query, vec![("tagkey".to_string(), "env".to_string()), ("tagvalue".to_string(), "prod".to_string())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct GetServiceInput {
    /// `tagkey`: only buckets with this tag (with `tag_value`).
    pub tag_key: Option<String>,
    /// `tagvalue`: the value of that tag.
    pub tag_value: Option<String>,
    /// `create-time`: a Unix timestamp, compared as `range` says.
    pub create_time: Option<u64>,
    /// `range`: `lt`, `gt`, `lte` or `gte` (creation time against `create_time`).
    pub range: Option<String>,
    /// `marker`: list buckets after this one.
    pub marker: Option<String>,
    /// `max-keys`: at most this many buckets.
    pub max_keys: Option<u64>,
}

/// One bucket of the account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketSummary {
    /// Name: `{name}-{appid}`.
    pub name: String,
    /// Location: the region.
    pub location: String,
    /// CreationDate, as COS sent it (ISO 8601).
    pub creation_date: String,
    /// BucketType (e.g. `cos`), when sent.
    pub bucket_type: Option<String>,
}

/// Output of `get_service` (`ListAllMyBucketsResult`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetServiceOutput {
    /// Owner of the account.
    pub owner: Owner,
    /// Buckets.
    pub buckets: Vec<BucketSummary>,
    /// Marker, when paging.
    pub marker: Option<String>,
    /// NextMarker, when paging.
    pub next_marker: Option<String>,
    /// IsTruncated, when paging.
    pub is_truncated: Option<bool>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for GetServiceInput {
    type Output = GetServiceOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        if let Some(r) = self.range.as_deref()
            && !["lt", "gt", "lte", "gte"].contains(&r)
        {
            return Err(Error::invalid("range", format!("must be lt, gt, lte or gte, not {r:?}")));
        }
        let params = [
            ("tagkey", self.tag_key.clone()),
            ("tagvalue", self.tag_value.clone()),
            ("create-time", self.create_time.map(|t| t.to_string())),
            ("range", self.range.clone()),
            ("marker", self.marker.clone()),
            ("max-keys", self.max_keys.map(|n| n.to_string())),
        ];
        let mut request = OperationRequest::new(Method::Get);
        for (name, value) in params {
            if let Some(v) = value {
                request = request.with_query(name, v);
            }
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<GetServiceOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "ListAllMyBucketsResult")?;
        // Every <Bucket> of every <Buckets>: a documented response repeats the wrapper.
        let mut buckets = Vec::new();
        for list in root.children("Buckets") {
            for b in list.children("Bucket") {
                buckets.push(BucketSummary {
                    name: b.opt_text("Name").unwrap_or_default(),
                    location: b.opt_text("Location").unwrap_or_default(),
                    creation_date: b.opt_text("CreationDate").unwrap_or_default(),
                    bucket_type: b.opt_text("BucketType"),
                });
            }
        }
        Ok(GetServiceOutput {
            owner: root.child("Owner").map(Owner::from_element).unwrap_or_default(),
            buckets,
            marker: root.opt_text("Marker"),
            next_marker: root.opt_text("NextMarker"),
            is_truncated: root.opt_bool("IsTruncated")?,
            meta: body.meta,
        })
    }
}

/// Builder returned by [`Client::get_service`]; every parameter is a method, `.send()` runs it.
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct GetService<'a> {
    client: &'a Client,
    region: Option<String>,
    input: GetServiceInput,
}

impl GetService<'_> {
    /// Region: list only the buckets of this region, through `cos.{region}.myqcloud.com`.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let buckets = client.get_service().region("ap-beijing").send()?.buckets;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// `tagkey`: only buckets with this tag key (give `tag_value` too).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let out = client.get_service().tag_key("env").tag_value("prod").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn tag_key(mut self, key: impl Into<String>) -> Self {
        self.input.tag_key = Some(key.into());
        self
    }

    /// `tagvalue`: the value of the `tag_key` tag.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let out = client.get_service().tag_key("env").tag_value("prod").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn tag_value(mut self, value: impl Into<String>) -> Self {
        self.input.tag_value = Some(value.into());
        self
    }

    /// `create-time`: a Unix timestamp the creation time is compared with (see `range`).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let older = client.get_service().create_time(1642662645).range("lt").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn create_time(mut self, unix_seconds: u64) -> Self {
        self.input.create_time = Some(unix_seconds);
        self
    }

    /// `range`: `lt`, `gt`, `lte` or `gte`, comparing the creation time with `create_time`.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let newer = client.get_service().create_time(1642662645).range("gte").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn range(mut self, range: impl Into<String>) -> Self {
        self.input.range = Some(range.into());
        self
    }

    /// `marker`: list buckets after this one.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let page = client.get_service().marker("examplebucket-1250000000").max_keys(100).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn marker(mut self, marker: impl Into<String>) -> Self {
        self.input.marker = Some(marker.into());
        self
    }

    /// `max-keys`: at most this many buckets per answer.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let page = client.get_service().max_keys(100).send()?;
    /// if page.is_truncated == Some(true) {
    ///     println!("more after {:?}", page.next_marker);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn max_keys(mut self, max_keys: u64) -> Self {
        self.input.max_keys = Some(max_keys);
        self
    }

    /// Sends the request.
    pub fn send(self) -> Result<GetServiceOutput> {
        self.send_with(&crate::client::CallOptions::new())
    }

    /// Sends the request with per-call options (a cancel token).
    ///
    /// ```no_run
    /// use tencent_cos::{CallOptions, CancelToken};
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// let buckets = client.get_service().send_with(&CallOptions::new().cancel(CancelToken::new()))?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn send_with(self, options: &crate::client::CallOptions) -> Result<GetServiceOutput> {
        let region = self.region;
        self.client.execute_with(Scope::Service { region: region.as_deref() }, self.input, options)
    }
}

impl Client {
    /// Lists the account's buckets (GET Service), on `service.cos.myqcloud.com`, or on the
    /// regional domain with `.region(..)`.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").build()?;
    /// for bucket in client.get_service().send()?.buckets {
    ///     println!("{} in {}", bucket.name, bucket.location);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_service(&self) -> GetService<'_> {
        GetService { client: self, region: None, input: GetServiceInput::default() }
    }
}
