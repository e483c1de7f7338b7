//! Custom domains: `put_bucket_domain`, `get_bucket_domain`, `delete_bucket_domain`.

use crate::api::bucket_config::{XmlConfig, config_delete, config_get, config_put, one_of, opt_leaf, trimmed};
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "domain";

/// One `<DomainRule>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DomainRule {
    /// Status: `ENABLED` or `DISABLED`.
    pub status: String,
    /// Name: the full domain.
    pub name: String,
    /// Type of origin: `REST`, `WEBSITE` or `ACCELERATE`.
    pub domain_type: String,
    /// ForcedReplacement (`CNAME` / `TXT`): take the domain over from another bucket.
    pub forced_replacement: Option<String>,
}

impl DomainRule {
    /// An enabled rule binding `name` to the origin `domain_type`.
    pub fn new(name: impl Into<String>, domain_type: impl Into<String>) -> Self {
        DomainRule {
            status: "ENABLED".into(),
            name: name.into(),
            domain_type: domain_type.into(),
            forced_replacement: None,
        }
    }
}

/// `<DomainConfiguration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DomainConfiguration {
    /// The rules, in order.
    pub rules: Vec<DomainRule>,
}

impl XmlConfig for DomainConfiguration {
    const ROOT: &'static str = "DomainConfiguration";

    fn validate(&self) -> Result<()> {
        if self.rules.is_empty() {
            return Err(Error::invalid(FIELD, "at least one rule is needed (delete_bucket_domain removes them)"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            one_of(FIELD, "Status", &r.status, &["ENABLED", "DISABLED"])?;
            one_of(FIELD, "Type", &r.domain_type, &["REST", "WEBSITE", "ACCELERATE"])?;
            if r.name.trim().is_empty() {
                return Err(Error::invalid(FIELD, format!("rule {i}: the domain name is empty")));
            }
            if let Some(f) = &r.forced_replacement {
                one_of(FIELD, "ForcedReplacement", f, &["CNAME", "TXT"])?;
            }
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        for r in &self.rules {
            w.open("DomainRule");
            w.leaf("Status", &r.status, FIELD)?;
            w.leaf("Name", &r.name, FIELD)?;
            w.leaf("Type", &r.domain_type, FIELD)?;
            opt_leaf(w, "ForcedReplacement", &r.forced_replacement, FIELD)?;
            w.close("DomainRule");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let rules = root
            .children("DomainRule")
            .map(|r| DomainRule {
                status: trimmed(&r, "Status").unwrap_or_default(),
                name: r.opt_text("Name").unwrap_or_default(),
                domain_type: trimmed(&r, "Type").unwrap_or_default(),
                forced_replacement: trimmed(&r, "ForcedReplacement"),
            })
            .collect();
        Ok(DomainConfiguration { rules })
    }
}

config_get!(
    DomainConfiguration, "domain", domain, empty: ["NoSuchDomainConfiguration"],
    get_bucket_domain, GetBucketDomain, GetBucketDomainInput, GetBucketDomainOutput,
    "Reads the bucket's custom domains; a bucket without any reads as no rules."
);
config_put!(
    DomainConfiguration,
    "domain",
    put_bucket_domain,
    PutBucketDomain,
    PutBucketDomainInput,
    PutBucketDomainOutput,
    "Replaces the bucket's custom domains."
);
config_delete!(
    "domain",
    delete_bucket_domain,
    DeleteBucketDomain,
    DeleteBucketDomainInput,
    DeleteBucketDomainOutput,
    "Removes the bucket's custom domains."
);
