//! Intelligent tiering (a Go SDK call, not in the node SDK): the bucket-wide v1 form
//! `put_bucket_intelligent_tiering` / `get_bucket_intelligent_tiering` (`?intelligenttiering`),
//! and the v2 rules by Id `put_bucket_intelligent_tiering_rule` /
//! `get_bucket_intelligent_tiering_rule` / `delete_bucket_intelligent_tiering_rule` /
//! `list_bucket_intelligent_tiering` (`?intelligent-tiering[&id=]`).

use crate::api::bucket_config::{XmlConfig, config_get, config_put, one_of, opt_leaf, trimmed};
use crate::api::bucket_tagging::Tag;
use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "intelligent_tiering";

/// v1 `<Transition>`: objects not read for `days` move to the infrequent tier.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntelligentTieringTransition {
    /// Days (30, 60 or 90 on COS).
    pub days: Option<u32>,
    /// RequestFrequent: reads within the days that keep an object in the frequent tier.
    pub request_frequent: Option<u32>,
}

/// v2 `<Tiering>`: objects not read for `days` move to `access_tier`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntelligentTiering {
    /// AccessTier (`INFREQUENT`, `ARCHIVE_ACCESS`, `DEEP_ARCHIVE_ACCESS`).
    pub access_tier: String,
    /// Days.
    pub days: u32,
    /// RequestFrequent.
    pub request_frequent: Option<u32>,
}

/// v2 `<Filter>`: a prefix and tags (written inside `<And>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntelligentTieringFilter {
    /// Prefix.
    pub prefix: Option<String>,
    /// Tags, all required.
    pub tags: Vec<Tag>,
}

/// `<IntelligentTieringConfiguration>`: the v1 form uses `status` and `transition`, a v2 rule
/// `id`, `status`, `filter` and `tierings`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntelligentTieringConfiguration {
    /// Id (v2 rules).
    pub id: Option<String>,
    /// Status: `Enabled` or `Suspended`; empty when never set (v1).
    pub status: String,
    /// Filter (v2).
    pub filter: Option<IntelligentTieringFilter>,
    /// Transition (v1).
    pub transition: Option<IntelligentTieringTransition>,
    /// Tiering, in order (v2).
    pub tierings: Vec<IntelligentTiering>,
}

impl IntelligentTieringConfiguration {
    /// v1: enabled, moving objects not read for `days`.
    pub fn enabled_after(days: u32) -> Self {
        IntelligentTieringConfiguration {
            status: "Enabled".into(),
            transition: Some(IntelligentTieringTransition { days: Some(days), request_frequent: None }),
            ..Default::default()
        }
    }

    /// v2: an enabled rule `id` with one tiering.
    pub fn rule(id: impl Into<String>, access_tier: impl Into<String>, days: u32) -> Self {
        IntelligentTieringConfiguration {
            id: Some(id.into()),
            status: "Enabled".into(),
            tierings: vec![IntelligentTiering { access_tier: access_tier.into(), days, request_frequent: None }],
            ..Default::default()
        }
    }
}

fn number(w: &mut XmlWriter, tag: &str, n: Option<u32>) -> Result<()> {
    if let Some(n) = n {
        w.leaf(tag, &n.to_string(), FIELD)?;
    }
    Ok(())
}

impl XmlConfig for IntelligentTieringConfiguration {
    const ROOT: &'static str = "IntelligentTieringConfiguration";

    fn validate(&self) -> Result<()> {
        one_of(FIELD, "Status", &self.status, &["Enabled", "Suspended"])?;
        if let Some(i) = self.tierings.iter().position(|t| t.access_tier.trim().is_empty() || t.days == 0) {
            return Err(Error::invalid(FIELD, format!("tiering {i} needs an access tier and days > 0")));
        }
        if self.filter.as_ref().is_some_and(|f| f.tags.iter().any(|t| t.key.is_empty())) {
            return Err(Error::invalid(FIELD, "a filter tag has an empty key"));
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        opt_leaf(w, "Id", &self.id, FIELD)?;
        w.leaf("Status", &self.status, FIELD)?;
        if let Some(f) = &self.filter {
            w.open("Filter");
            w.open("And");
            opt_leaf(w, "Prefix", &f.prefix, FIELD)?;
            for t in &f.tags {
                w.open("Tag");
                w.leaf("Key", &t.key, FIELD)?;
                w.leaf("Value", &t.value, FIELD)?;
                w.close("Tag");
            }
            w.close("And");
            w.close("Filter");
        }
        if let Some(t) = &self.transition {
            w.open("Transition");
            number(w, "Days", t.days)?;
            number(w, "RequestFrequent", t.request_frequent)?;
            w.close("Transition");
        }
        for t in &self.tierings {
            w.open("Tiering");
            w.leaf("AccessTier", &t.access_tier, FIELD)?;
            w.leaf("Days", &t.days.to_string(), FIELD)?;
            number(w, "RequestFrequent", t.request_frequent)?;
            w.close("Tiering");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let filter = root.child("Filter").map(|f| {
            let inner = f.child("And").unwrap_or(f);
            IntelligentTieringFilter {
                prefix: inner.opt_text("Prefix"),
                tags: inner
                    .children("Tag")
                    .map(|t| Tag::new(t.opt_text("Key").unwrap_or_default(), t.opt_text("Value").unwrap_or_default()))
                    .collect(),
            }
        });
        let transition = match root.child("Transition") {
            Some(t) => Some(IntelligentTieringTransition {
                days: t.opt_number("Days")?,
                request_frequent: t.opt_number("RequestFrequent")?,
            }),
            None => None,
        };
        let mut tierings = Vec::new();
        for t in root.children("Tiering") {
            tierings.push(IntelligentTiering {
                access_tier: trimmed(&t, "AccessTier").unwrap_or_default(),
                days: t.opt_number("Days")?.unwrap_or(0),
                request_frequent: t.opt_number("RequestFrequent")?,
            });
        }
        Ok(IntelligentTieringConfiguration {
            id: trimmed(&root, "Id"),
            status: trimmed(&root, "Status").unwrap_or_default(),
            filter,
            transition,
            tierings,
        })
    }
}

config_get!(
    IntelligentTieringConfiguration, "intelligenttiering", intelligent_tiering, empty: [],
    get_bucket_intelligent_tiering, GetBucketIntelligentTiering, GetBucketIntelligentTieringInput,
    GetBucketIntelligentTieringOutput,
    "Reads the bucket's v1 intelligent-tiering setting (`GET /?intelligenttiering`)."
);
config_put!(
    IntelligentTieringConfiguration,
    "intelligenttiering",
    put_bucket_intelligent_tiering,
    PutBucketIntelligentTiering,
    PutBucketIntelligentTieringInput,
    PutBucketIntelligentTieringOutput,
    "Sets the bucket's v1 intelligent-tiering setting (`PUT /?intelligenttiering`)."
);

fn check_rule_id(id: &str) -> Result<()> {
    crate::api::bucket_inventory::check_id(id)
        .map_err(|_| Error::invalid(FIELD, format!("the rule Id {id:?} is not 1 to 64 of letters, digits, - _ .")))
}

/// Input of `put_bucket_intelligent_tiering_rule` (`PUT /?intelligent-tiering&id=`): a v2
/// rule, whose Id is the `id` parameter.
#[derive(Clone, Debug, Default)]
pub struct PutBucketIntelligentTieringRuleInput {
    /// The rule (its `id` is required).
    pub config: IntelligentTieringConfiguration,
}

/// Output of `put_bucket_intelligent_tiering_rule` and `delete_bucket_intelligent_tiering_rule`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IntelligentTieringRuleOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketIntelligentTieringRuleInput {
    type Output = IntelligentTieringRuleOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let id = self.config.id.clone().unwrap_or_default();
        check_rule_id(&id)?;
        let body = self.config.to_xml()?;
        Ok(OperationRequest::new(Method::Put)
            .with_query("intelligent-tiering", "")
            .with_query("id", id)
            .with_xml_body(body))
    }

    fn parse(&mut self, response: Response) -> Result<IntelligentTieringRuleOutput> {
        Ok(IntelligentTieringRuleOutput { meta: meta_of(&response) })
    }
}

/// Input of `get_bucket_intelligent_tiering_rule` (`GET /?intelligent-tiering&id=`).
#[derive(Clone, Debug, Default)]
pub struct GetBucketIntelligentTieringRuleInput {
    /// The rule's Id.
    pub id: String,
}

/// Output of `get_bucket_intelligent_tiering_rule`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketIntelligentTieringRuleOutput {
    /// The rule.
    pub rule: IntelligentTieringConfiguration,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for GetBucketIntelligentTieringRuleInput {
    type Output = GetBucketIntelligentTieringRuleOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        check_rule_id(&self.id)?;
        Ok(OperationRequest::new(Method::Get).with_query("intelligent-tiering", "").with_query("id", self.id.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketIntelligentTieringRuleOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, IntelligentTieringConfiguration::ROOT)?;
        Ok(GetBucketIntelligentTieringRuleOutput {
            rule: IntelligentTieringConfiguration::read(root)?,
            meta: body.meta,
        })
    }
}

/// Input of `delete_bucket_intelligent_tiering_rule` (`DELETE /?intelligent-tiering&id=`).
#[derive(Clone, Debug, Default)]
pub struct DeleteBucketIntelligentTieringRuleInput {
    /// The rule's Id.
    pub id: String,
}

impl Operation for DeleteBucketIntelligentTieringRuleInput {
    type Output = IntelligentTieringRuleOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        check_rule_id(&self.id)?;
        Ok(OperationRequest::new(Method::Delete)
            .with_query("intelligent-tiering", "")
            .with_query("id", self.id.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<IntelligentTieringRuleOutput> {
        Ok(IntelligentTieringRuleOutput { meta: meta_of(&response) })
    }
}

/// Input of `list_bucket_intelligent_tiering` (`GET /?intelligent-tiering`): no parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListBucketIntelligentTieringInput;

/// Output of `list_bucket_intelligent_tiering`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListBucketIntelligentTieringOutput {
    /// Every v2 rule, in COS's order.
    pub rules: Vec<IntelligentTieringConfiguration>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for ListBucketIntelligentTieringInput {
    type Output = ListBucketIntelligentTieringOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("intelligent-tiering", ""))
    }

    fn parse(&mut self, response: Response) -> Result<ListBucketIntelligentTieringOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "ListBucketIntelligentTieringConfigurationsOutput")?;
        let rules = root
            .children("IntelligentTieringConfiguration")
            .map(IntelligentTieringConfiguration::read)
            .collect::<Result<_>>()?;
        Ok(ListBucketIntelligentTieringOutput { rules, meta: body.meta })
    }
}

impl Bucket {
    /// Sets (or replaces) the v2 intelligent-tiering rule with `rule.id`.
    ///
    /// ```no_run
    /// use tencent_cos::api::IntelligentTieringConfiguration;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_intelligent_tiering_rule(IntelligentTieringConfiguration::rule("cold", "ARCHIVE_ACCESS", 90)).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_intelligent_tiering_rule(
        &self,
        rule: IntelligentTieringConfiguration,
    ) -> Call<'_, PutBucketIntelligentTieringRuleInput> {
        Call { bucket: self, input: PutBucketIntelligentTieringRuleInput { config: rule } }
    }

    /// Reads the v2 intelligent-tiering rule `id`.
    pub fn get_bucket_intelligent_tiering_rule(
        &self,
        id: impl Into<String>,
    ) -> Call<'_, GetBucketIntelligentTieringRuleInput> {
        Call { bucket: self, input: GetBucketIntelligentTieringRuleInput { id: id.into() } }
    }

    /// Removes the v2 intelligent-tiering rule `id`.
    pub fn delete_bucket_intelligent_tiering_rule(
        &self,
        id: impl Into<String>,
    ) -> Call<'_, DeleteBucketIntelligentTieringRuleInput> {
        Call { bucket: self, input: DeleteBucketIntelligentTieringRuleInput { id: id.into() } }
    }

    /// Lists the v2 intelligent-tiering rules.
    pub fn list_bucket_intelligent_tiering(&self) -> Call<'_, ListBucketIntelligentTieringInput> {
        Call { bucket: self, input: ListBucketIntelligentTieringInput }
    }
}
