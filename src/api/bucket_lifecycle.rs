//! Bucket lifecycle: `put_bucket_lifecycle`, `get_bucket_lifecycle`, `delete_bucket_lifecycle`.

use crate::api::bucket_tagging::Tag;
use crate::api::call::Call;
use crate::api::storage_class::StorageClass;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Headers, Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "rules";

/// Which objects a rule applies to (`<Filter>`): a prefix, tags, or both (written inside
/// `<And>` when there is more than one condition). Empty: every object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LifecycleFilter {
    /// Prefix; `Some("")` writes an empty `<Prefix></Prefix>`.
    pub prefix: Option<String>,
    /// Tags the object must carry, all of them.
    pub tags: Vec<Tag>,
}

impl LifecycleFilter {
    /// Objects whose key starts with `prefix`.
    pub fn prefix(prefix: impl Into<String>) -> Self {
        LifecycleFilter { prefix: Some(prefix.into()), tags: Vec::new() }
    }

    /// Also requires the tag `key` = `value`.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push(Tag::new(key, value));
        self
    }

    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.open("Filter");
        let and = self.tags.len() > 1 || (!self.tags.is_empty() && self.prefix.is_some());
        if and {
            w.open("And");
        }
        if let Some(p) = &self.prefix {
            w.leaf("Prefix", p, FIELD)?;
        }
        for t in &self.tags {
            w.open("Tag");
            w.leaf("Key", &t.key, FIELD)?;
            w.leaf("Value", &t.value, FIELD)?;
            w.close("Tag");
        }
        if and {
            w.close("And");
        }
        w.close("Filter");
        Ok(())
    }

    fn from_element(e: Element<'_, '_>) -> LifecycleFilter {
        let inner = e.child("And").unwrap_or(e);
        let mut tags = Vec::new();
        for t in inner.children("Tag") {
            tags.push(Tag::new(t.opt_text("Key").unwrap_or_default(), t.opt_text("Value").unwrap_or_default()));
        }
        LifecycleFilter { prefix: inner.opt_text("Prefix"), tags }
    }
}

/// `<Transition>`: move current versions to a storage class after `days` or on `date`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LifecycleTransition {
    /// Days after creation.
    pub days: Option<u64>,
    /// An ISO 8601 date (`2030-01-01T00:00:00+08:00`).
    pub date: Option<String>,
    /// Target storage class (`STANDARD_IA`, `ARCHIVE`, `DEEP_ARCHIVE`, ...); an empty
    /// [`StorageClass::Other`] when COS sends none.
    pub storage_class: StorageClass,
}

/// `<Expiration>`: delete current versions after `days` or on `date`, or remove expired
/// delete markers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LifecycleExpiration {
    /// Days after creation.
    pub days: Option<u64>,
    /// An ISO 8601 date.
    pub date: Option<String>,
    /// ExpiredObjectDeleteMarker.
    pub expired_object_delete_marker: Option<bool>,
}

/// `<NoncurrentVersionTransition>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoncurrentVersionTransition {
    /// Days after the version became noncurrent.
    pub noncurrent_days: u64,
    /// Target storage class; an empty [`StorageClass::Other`] when COS sends none.
    pub storage_class: StorageClass,
}

/// One lifecycle rule (`<Rule>`).
///
/// ```
/// use tencent_cos::api::{LifecycleFilter, LifecycleRule};
/// let rule = LifecycleRule::new("archive logs")
///     .filter(LifecycleFilter::prefix("logs/"))
///     .transition_days(30, "STANDARD_IA")
///     .expiration_days(365);
/// assert!(rule.enabled);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifecycleRule {
    /// ID, optional.
    pub id: Option<String>,
    /// Status: `Enabled` (true) or `Disabled`.
    pub enabled: bool,
    /// Filter; `None` writes no `<Filter>`.
    pub filter: Option<LifecycleFilter>,
    /// Transitions, in order.
    pub transitions: Vec<LifecycleTransition>,
    /// Expiration.
    pub expiration: Option<LifecycleExpiration>,
    /// NoncurrentVersionTransitions, in order.
    pub noncurrent_version_transitions: Vec<NoncurrentVersionTransition>,
    /// NoncurrentVersionExpiration: NoncurrentDays.
    pub noncurrent_version_expiration_days: Option<u64>,
    /// AbortIncompleteMultipartUpload: DaysAfterInitiation.
    pub abort_incomplete_multipart_upload_days: Option<u64>,
}

impl Default for LifecycleRule {
    fn default() -> Self {
        LifecycleRule {
            id: None,
            enabled: true,
            filter: None,
            transitions: Vec::new(),
            expiration: None,
            noncurrent_version_transitions: Vec::new(),
            noncurrent_version_expiration_days: None,
            abort_incomplete_multipart_upload_days: None,
        }
    }
}

impl LifecycleRule {
    /// An enabled rule with this ID, applying to every object until a filter is set.
    pub fn new(id: impl Into<String>) -> Self {
        LifecycleRule { id: Some(id.into()), filter: Some(LifecycleFilter::default()), ..Default::default() }
    }

    /// Sets Status: enabled or disabled.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Sets the filter.
    pub fn filter(mut self, filter: LifecycleFilter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Adds a transition after `days` to `storage_class`.
    pub fn transition_days(mut self, days: u64, storage_class: impl Into<StorageClass>) -> Self {
        self.transitions.push(LifecycleTransition {
            days: Some(days),
            date: None,
            storage_class: storage_class.into(),
        });
        self
    }

    /// Expires current versions after `days`.
    pub fn expiration_days(mut self, days: u64) -> Self {
        self.expiration = Some(LifecycleExpiration { days: Some(days), ..Default::default() });
        self
    }

    /// Expires current versions on `date` (ISO 8601).
    pub fn expiration_date(mut self, date: impl Into<String>) -> Self {
        self.expiration = Some(LifecycleExpiration { date: Some(date.into()), ..Default::default() });
        self
    }

    /// Adds a noncurrent-version transition.
    pub fn noncurrent_version_transition(mut self, days: u64, storage_class: impl Into<StorageClass>) -> Self {
        self.noncurrent_version_transitions
            .push(NoncurrentVersionTransition { noncurrent_days: days, storage_class: storage_class.into() });
        self
    }

    /// Deletes noncurrent versions after `days`.
    pub fn noncurrent_version_expiration_days(mut self, days: u64) -> Self {
        self.noncurrent_version_expiration_days = Some(days);
        self
    }

    /// Aborts multipart uploads left unfinished `days` after they began.
    pub fn abort_incomplete_multipart_upload_days(mut self, days: u64) -> Self {
        self.abort_incomplete_multipart_upload_days = Some(days);
        self
    }

    fn validate(&self, i: usize) -> Result<()> {
        let bad = |why: &str| Err(Error::invalid(FIELD, format!("rule {i}: {why}")));
        if self.transitions.is_empty()
            && self.expiration.is_none()
            && self.noncurrent_version_transitions.is_empty()
            && self.noncurrent_version_expiration_days.is_none()
            && self.abort_incomplete_multipart_upload_days.is_none()
        {
            return bad("needs at least one action (transition, expiration, noncurrent or abort)");
        }
        for t in &self.transitions {
            if t.days.is_some() == t.date.is_some() {
                return bad("a transition needs days or a date, not both");
            }
            if t.storage_class.as_str().is_empty() {
                return bad("a transition needs a storage class");
            }
        }
        if let Some(e) = &self.expiration {
            let set = [e.days.is_some(), e.date.is_some(), e.expired_object_delete_marker.is_some()];
            if set.iter().filter(|s| **s).count() != 1 {
                return bad("an expiration needs exactly one of days, date, expired_object_delete_marker");
            }
        }
        if self.noncurrent_version_transitions.iter().any(|t| t.storage_class.as_str().is_empty()) {
            return bad("a noncurrent-version transition needs a storage class");
        }
        if self.filter.as_ref().is_some_and(|f| f.tags.iter().any(|t| t.key.is_empty())) {
            return bad("a filter tag has an empty key");
        }
        Ok(())
    }

    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.open("Rule");
        if let Some(id) = &self.id {
            w.leaf("ID", id, FIELD)?;
        }
        w.leaf("Status", if self.enabled { "Enabled" } else { "Disabled" }, FIELD)?;
        if let Some(f) = &self.filter {
            f.write(w)?;
        }
        for t in &self.transitions {
            w.open("Transition");
            if let Some(d) = t.days {
                w.leaf("Days", &d.to_string(), FIELD)?;
            }
            if let Some(d) = &t.date {
                w.leaf("Date", d, FIELD)?;
            }
            w.leaf("StorageClass", t.storage_class.as_str(), FIELD)?;
            w.close("Transition");
        }
        if let Some(e) = &self.expiration {
            w.open("Expiration");
            if let Some(d) = e.days {
                w.leaf("Days", &d.to_string(), FIELD)?;
            }
            if let Some(d) = &e.date {
                w.leaf("Date", d, FIELD)?;
            }
            if let Some(m) = e.expired_object_delete_marker {
                w.leaf("ExpiredObjectDeleteMarker", if m { "true" } else { "false" }, FIELD)?;
            }
            w.close("Expiration");
        }
        for t in &self.noncurrent_version_transitions {
            w.open("NoncurrentVersionTransition");
            w.leaf("NoncurrentDays", &t.noncurrent_days.to_string(), FIELD)?;
            w.leaf("StorageClass", t.storage_class.as_str(), FIELD)?;
            w.close("NoncurrentVersionTransition");
        }
        if let Some(d) = self.noncurrent_version_expiration_days {
            w.open("NoncurrentVersionExpiration");
            w.leaf("NoncurrentDays", &d.to_string(), FIELD)?;
            w.close("NoncurrentVersionExpiration");
        }
        if let Some(d) = self.abort_incomplete_multipart_upload_days {
            w.open("AbortIncompleteMultipartUpload");
            w.leaf("DaysAfterInitiation", &d.to_string(), FIELD)?;
            w.close("AbortIncompleteMultipartUpload");
        }
        w.close("Rule");
        Ok(())
    }

    fn from_element(e: Element<'_, '_>) -> Result<LifecycleRule> {
        let status = e.opt_text("Status").unwrap_or_default();
        let enabled = match status.trim() {
            "Enabled" => true,
            "Disabled" => false,
            other => return Err(Error::Xml(format!("lifecycle rule Status {other:?} is not Enabled or Disabled"))),
        };
        let mut transitions = Vec::new();
        for t in e.children("Transition") {
            transitions.push(LifecycleTransition {
                days: t.opt_number("Days")?,
                date: t.opt_text("Date"),
                storage_class: t.opt_text("StorageClass").unwrap_or_default().into(),
            });
        }
        let expiration = match e.child("Expiration") {
            Some(x) => Some(LifecycleExpiration {
                days: x.opt_number("Days")?,
                date: x.opt_text("Date"),
                expired_object_delete_marker: x.opt_bool("ExpiredObjectDeleteMarker")?,
            }),
            None => None,
        };
        let mut noncurrent = Vec::new();
        for t in e.children("NoncurrentVersionTransition") {
            noncurrent.push(NoncurrentVersionTransition {
                noncurrent_days: t.opt_number("NoncurrentDays")?.unwrap_or(0),
                storage_class: t.opt_text("StorageClass").unwrap_or_default().into(),
            });
        }
        let days_in = |name: &str, leaf: &str| -> Result<Option<u64>> {
            match e.child(name) {
                Some(x) => x.opt_number(leaf),
                None => Ok(None),
            }
        };
        Ok(LifecycleRule {
            id: e.opt_text("ID"),
            enabled,
            filter: e.child("Filter").map(LifecycleFilter::from_element),
            transitions,
            expiration,
            noncurrent_version_transitions: noncurrent,
            noncurrent_version_expiration_days: days_in("NoncurrentVersionExpiration", "NoncurrentDays")?,
            abort_incomplete_multipart_upload_days: days_in("AbortIncompleteMultipartUpload", "DaysAfterInitiation")?,
        })
    }
}

/// The `<LifecycleConfiguration>` body for `rules`, checked (shared by the client and the
/// emulator's answer).
pub(crate) fn lifecycle_xml(rules: &[LifecycleRule]) -> Result<String> {
    let mut w = XmlWriter::with_capacity(64 + 300 * rules.len());
    w.open("LifecycleConfiguration");
    for rule in rules {
        rule.write(&mut w)?;
    }
    w.close("LifecycleConfiguration");
    Ok(w.finish())
}

/// The rules of a `<LifecycleConfiguration>` element.
pub(crate) fn lifecycle_rules(root: Element<'_, '_>) -> Result<Vec<LifecycleRule>> {
    root.children("Rule").map(LifecycleRule::from_element).collect()
}

/// Checks rules as `put_bucket_lifecycle` does before sending.
pub(crate) fn validate_rules(rules: &[LifecycleRule]) -> Result<()> {
    if rules.is_empty() {
        return Err(Error::invalid(FIELD, "at least one rule is needed (delete_bucket_lifecycle removes them all)"));
    }
    for (i, rule) in rules.iter().enumerate() {
        rule.validate(i)?;
    }
    Ok(())
}

/// Input of `get_bucket_lifecycle` (`GET /?lifecycle`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketLifecycleInput;
/// use tencent_cos::operation::Operation;
/// assert_eq!(GetBucketLifecycleInput.build()?.query, vec![("lifecycle".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketLifecycleInput;

/// Output of `get_bucket_lifecycle`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketLifecycleOutput {
    /// Rules, in order; empty for a bucket without a lifecycle configuration.
    pub rules: Vec<LifecycleRule>,
    /// Status and every response header (404 with only `x-cos-request-id` when never set).
    pub meta: ResponseMeta,
}

impl Operation for GetBucketLifecycleInput {
    type Output = GetBucketLifecycleOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("lifecycle", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketLifecycleOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "LifecycleConfiguration")?;
        Ok(GetBucketLifecycleOutput { rules: lifecycle_rules(root)?, meta: body.meta })
    }

    /// A bucket without rules answers 404 NoSuchLifecycleConfiguration: no rules.
    fn recover(&mut self, error: Error) -> Result<GetBucketLifecycleOutput> {
        match error.service() {
            Some(e) if e.status == 404 && e.code == "NoSuchLifecycleConfiguration" => {
                let mut headers = Headers::new();
                if let Some(id) = &e.request_id {
                    headers.insert("x-cos-request-id", id.clone());
                }
                Ok(GetBucketLifecycleOutput { rules: Vec::new(), meta: ResponseMeta { status: 404, headers } })
            }
            _ => Err(error),
        }
    }
}

/// Builder returned by [`Bucket::get_bucket_lifecycle`]; `.send()` runs it.
pub type GetBucketLifecycle<'a> = Call<'a, GetBucketLifecycleInput>;

/// Input of `put_bucket_lifecycle` (`PUT /?lifecycle`): the rules, checked before sending.
///
/// ```
/// use tencent_cos::api::{LifecycleRule, PutBucketLifecycleInput};
/// use tencent_cos::operation::Operation;
/// let mut input = PutBucketLifecycleInput { rules: vec![LifecycleRule::new("a").expiration_days(7)] };
/// assert_eq!(
///     input.build()?.body.as_bytes().unwrap(),
///     b"<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Filter></Filter>\
///       <Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutBucketLifecycleInput {
    /// Rules: at least one, each with at least one action.
    pub rules: Vec<LifecycleRule>,
}

/// Output of `put_bucket_lifecycle`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketLifecycleOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketLifecycleInput {
    type Output = PutBucketLifecycleOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        validate_rules(&self.rules)?;
        let body = lifecycle_xml(&self.rules)?;
        Ok(OperationRequest::new(Method::Put).with_query("lifecycle", "").with_xml_body(body))
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketLifecycleOutput> {
        Ok(PutBucketLifecycleOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_lifecycle`]; `.send()` runs it.
pub type PutBucketLifecycle<'a> = Call<'a, PutBucketLifecycleInput>;

impl PutBucketLifecycle<'_> {
    /// Adds a rule.
    ///
    /// ```no_run
    /// use tencent_cos::api::{LifecycleFilter, LifecycleRule};
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_lifecycle()
    ///     .rule(LifecycleRule::new("tmp").filter(LifecycleFilter::prefix("tmp/")).expiration_days(1))
    ///     .send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn rule(mut self, rule: LifecycleRule) -> Self {
        self.input.rules.push(rule);
        self
    }

    /// Adds rules.
    pub fn rules(mut self, rules: impl IntoIterator<Item = LifecycleRule>) -> Self {
        self.input.rules.extend(rules);
        self
    }
}

/// Input of `delete_bucket_lifecycle` (`DELETE /?lifecycle`): no parameters.
///
/// ```
/// use tencent_cos::api::DeleteBucketLifecycleInput;
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// assert_eq!(DeleteBucketLifecycleInput.build()?.method, Method::Delete);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteBucketLifecycleInput;

/// Output of `delete_bucket_lifecycle`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteBucketLifecycleOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for DeleteBucketLifecycleInput {
    type Output = DeleteBucketLifecycleOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Delete).with_query("lifecycle", ""))
    }

    fn parse(&mut self, response: Response) -> Result<DeleteBucketLifecycleOutput> {
        Ok(DeleteBucketLifecycleOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::delete_bucket_lifecycle`]; `.send()` runs it.
pub type DeleteBucketLifecycle<'a> = Call<'a, DeleteBucketLifecycleInput>;

impl Bucket {
    /// Reads the bucket's lifecycle rules; a bucket without any has none (not an error).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// for rule in bucket.get_bucket_lifecycle().send()?.rules {
    ///     println!("{:?} enabled: {}", rule.id, rule.enabled);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_lifecycle(&self) -> GetBucketLifecycle<'_> {
        GetBucketLifecycle { bucket: self, input: GetBucketLifecycleInput }
    }

    /// Replaces the bucket's lifecycle rules.
    ///
    /// ```no_run
    /// use tencent_cos::api::LifecycleRule;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_lifecycle().rule(LifecycleRule::new("mpu").abort_incomplete_multipart_upload_days(7)).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_lifecycle(&self) -> PutBucketLifecycle<'_> {
        PutBucketLifecycle { bucket: self, input: PutBucketLifecycleInput::default() }
    }

    /// Removes the bucket's lifecycle configuration.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_bucket_lifecycle().send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_bucket_lifecycle(&self) -> DeleteBucketLifecycle<'_> {
        DeleteBucketLifecycle { bucket: self, input: DeleteBucketLifecycleInput }
    }
}
