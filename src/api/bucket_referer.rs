//! Hotlink protection: `put_bucket_referer`, `get_bucket_referer` (COS has no DELETE: put a
//! `Disabled` configuration instead, as the Go SDK's `DeleteReferer` does).

use crate::api::bucket_config::{XmlConfig, config_get, config_put, one_of, opt_leaf, trimmed};
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "referer";

/// `<RefererConfiguration>`. Every field is empty in the default (never configured) value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefererConfiguration {
    /// Status: `Enabled` or `Disabled`.
    pub status: String,
    /// RefererType: `White-List` or `Black-List`.
    pub referer_type: String,
    /// DomainList/Domain, in order (`*.example.com`, `host:port`, `https://host`).
    pub domains: Vec<String>,
    /// EmptyReferConfiguration (COS's spelling): `Allow` or `Deny` requests without a Referer.
    pub empty_referer: Option<String>,
}

impl RefererConfiguration {
    /// An enabled white list of these domains.
    pub fn white_list<S: Into<String>>(domains: impl IntoIterator<Item = S>) -> Self {
        RefererConfiguration {
            status: "Enabled".into(),
            referer_type: "White-List".into(),
            domains: domains.into_iter().map(Into::into).collect(),
            empty_referer: None,
        }
    }

    /// An enabled black list of these domains.
    pub fn black_list<S: Into<String>>(domains: impl IntoIterator<Item = S>) -> Self {
        RefererConfiguration { referer_type: "Black-List".into(), ..Self::white_list(domains) }
    }

    /// Sets EmptyReferConfiguration (`Allow` / `Deny`).
    pub fn empty_referer(mut self, rule: impl Into<String>) -> Self {
        self.empty_referer = Some(rule.into());
        self
    }
}

impl XmlConfig for RefererConfiguration {
    const ROOT: &'static str = "RefererConfiguration";

    fn validate(&self) -> Result<()> {
        one_of(FIELD, "Status", &self.status, &["Enabled", "Disabled"])?;
        one_of(FIELD, "RefererType", &self.referer_type, &["White-List", "Black-List"])?;
        if self.domains.is_empty() {
            return Err(Error::invalid(FIELD, "at least one domain is needed"));
        }
        if let Some(i) = self.domains.iter().position(|d| d.trim().is_empty()) {
            return Err(Error::invalid(FIELD, format!("domain {i} is empty")));
        }
        if let Some(e) = &self.empty_referer {
            one_of(FIELD, "EmptyReferConfiguration", e, &["Allow", "Deny"])?;
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        w.leaf("Status", &self.status, FIELD)?;
        w.leaf("RefererType", &self.referer_type, FIELD)?;
        w.open("DomainList");
        for d in &self.domains {
            w.leaf("Domain", d, FIELD)?;
        }
        w.close("DomainList");
        opt_leaf(w, "EmptyReferConfiguration", &self.empty_referer, FIELD)
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let domains = match root.child("DomainList") {
            Some(list) => list.children("Domain").map(|d| d.text()).collect(),
            None => Vec::new(),
        };
        Ok(RefererConfiguration {
            status: trimmed(&root, "Status").unwrap_or_default(),
            referer_type: trimmed(&root, "RefererType").unwrap_or_default(),
            domains,
            empty_referer: trimmed(&root, "EmptyReferConfiguration"),
        })
    }
}

config_get!(
    RefererConfiguration, "referer", referer, empty: ["NoSuchRefererConfiguration"],
    get_bucket_referer, GetBucketReferer, GetBucketRefererInput, GetBucketRefererOutput,
    "Reads the bucket's hotlink protection; a bucket without one reads as the default (empty status, no domains), not an error."
);
config_put!(
    RefererConfiguration,
    "referer",
    put_bucket_referer,
    PutBucketReferer,
    PutBucketRefererInput,
    PutBucketRefererOutput,
    "Sets the bucket's hotlink protection (status, list type and at least one domain)."
);
