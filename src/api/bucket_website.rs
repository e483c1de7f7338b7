//! Static website hosting: `put_bucket_website`, `get_bucket_website`, `delete_bucket_website`.

use crate::api::bucket_config::{XmlConfig, config_delete, config_get, config_put, one_of, opt_leaf, trimmed};
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "website";

/// `<ErrorDocument>`: the object served for an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebsiteErrorDocument {
    /// Key of the error page.
    pub key: String,
    /// OriginalHttpStatus (`Enabled` / `Disabled`): whether the page keeps the error's status.
    pub original_http_status: Option<String>,
}

/// `<Condition>` of a routing rule: an error code or a key prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutingCondition {
    /// HttpErrorCodeReturnedEquals (`404`).
    pub http_error_code_returned_equals: Option<String>,
    /// KeyPrefixEquals.
    pub key_prefix_equals: Option<String>,
}

/// `<Redirect>` of a routing rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutingRedirect {
    /// Protocol (`http` / `https`).
    pub protocol: Option<String>,
    /// ReplaceKeyWith: the whole key.
    pub replace_key_with: Option<String>,
    /// ReplaceKeyPrefixWith: the matched prefix only.
    pub replace_key_prefix_with: Option<String>,
}

/// One `<RoutingRule>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutingRule {
    /// When it applies.
    pub condition: RoutingCondition,
    /// Where it sends.
    pub redirect: RoutingRedirect,
}

impl RoutingRule {
    /// A rule for answers with this HTTP error code.
    pub fn on_error_code(code: impl Into<String>) -> Self {
        RoutingRule {
            condition: RoutingCondition { http_error_code_returned_equals: Some(code.into()), key_prefix_equals: None },
            redirect: RoutingRedirect::default(),
        }
    }

    /// A rule for keys starting with `prefix`.
    pub fn on_key_prefix(prefix: impl Into<String>) -> Self {
        RoutingRule {
            condition: RoutingCondition {
                http_error_code_returned_equals: None,
                key_prefix_equals: Some(prefix.into()),
            },
            redirect: RoutingRedirect::default(),
        }
    }

    /// Redirects with this protocol.
    pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
        self.redirect.protocol = Some(protocol.into());
        self
    }

    /// Replaces the whole key.
    pub fn replace_key_with(mut self, key: impl Into<String>) -> Self {
        self.redirect.replace_key_with = Some(key.into());
        self
    }

    /// Replaces the matched prefix.
    pub fn replace_key_prefix_with(mut self, prefix: impl Into<String>) -> Self {
        self.redirect.replace_key_prefix_with = Some(prefix.into());
        self
    }
}

/// `<WebsiteConfiguration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebsiteConfiguration {
    /// IndexDocument/Suffix (`index.html`); required by a put.
    pub index_document: Option<String>,
    /// RedirectAllRequestsTo/Protocol (`https`): every request redirected to this protocol.
    pub redirect_all_requests_to: Option<String>,
    /// AutoAddressing/Status (`Enabled` / `Disabled`).
    pub auto_addressing: Option<String>,
    /// ErrorDocument.
    pub error_document: Option<WebsiteErrorDocument>,
    /// RoutingRules, in order.
    pub routing_rules: Vec<RoutingRule>,
}

impl WebsiteConfiguration {
    /// A configuration serving `suffix` as the index document.
    pub fn index(suffix: impl Into<String>) -> Self {
        WebsiteConfiguration { index_document: Some(suffix.into()), ..Default::default() }
    }

    /// Serves the object `key` for errors.
    pub fn error_document(mut self, key: impl Into<String>) -> Self {
        self.error_document = Some(WebsiteErrorDocument { key: key.into(), original_http_status: None });
        self
    }

    /// Redirects every request to `protocol`.
    pub fn redirect_all_requests_to(mut self, protocol: impl Into<String>) -> Self {
        self.redirect_all_requests_to = Some(protocol.into());
        self
    }

    /// Adds a routing rule.
    pub fn routing_rule(mut self, rule: RoutingRule) -> Self {
        self.routing_rules.push(rule);
        self
    }
}

const PROTOCOLS: &[&str] = &["http", "https"];
const ON_OFF: &[&str] = &["Enabled", "Disabled"];

impl XmlConfig for WebsiteConfiguration {
    const ROOT: &'static str = "WebsiteConfiguration";

    fn validate(&self) -> Result<()> {
        if self.index_document.as_deref().is_none_or(str::is_empty) {
            return Err(Error::invalid(FIELD, "an index document suffix is needed"));
        }
        if let Some(p) = &self.redirect_all_requests_to {
            one_of(FIELD, "RedirectAllRequestsTo protocol", p, PROTOCOLS)?;
        }
        if let Some(s) = &self.auto_addressing {
            one_of(FIELD, "AutoAddressing status", s, ON_OFF)?;
        }
        if let Some(e) = &self.error_document {
            if e.key.is_empty() {
                return Err(Error::invalid(FIELD, "the error document key is empty"));
            }
            if let Some(s) = &e.original_http_status {
                one_of(FIELD, "OriginalHttpStatus", s, ON_OFF)?;
            }
        }
        for (i, r) in self.routing_rules.iter().enumerate() {
            let c = &r.condition;
            if c.http_error_code_returned_equals.is_none() && c.key_prefix_equals.is_none() {
                return Err(Error::invalid(
                    FIELD,
                    format!("routing rule {i}: a condition (error code or key prefix) is needed"),
                ));
            }
            let d = &r.redirect;
            if d.replace_key_with.is_some() && d.replace_key_prefix_with.is_some() {
                return Err(Error::invalid(
                    FIELD,
                    format!("routing rule {i}: ReplaceKeyWith and ReplaceKeyPrefixWith exclude each other"),
                ));
            }
            if let Some(p) = &d.protocol {
                one_of(FIELD, "routing rule protocol", p, PROTOCOLS)?;
            }
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        if let Some(s) = &self.index_document {
            w.open("IndexDocument");
            w.leaf("Suffix", s, FIELD)?;
            w.close("IndexDocument");
        }
        if let Some(p) = &self.redirect_all_requests_to {
            w.open("RedirectAllRequestsTo");
            w.leaf("Protocol", p, FIELD)?;
            w.close("RedirectAllRequestsTo");
        }
        if let Some(s) = &self.auto_addressing {
            w.open("AutoAddressing");
            w.leaf("Status", s, FIELD)?;
            w.close("AutoAddressing");
        }
        if let Some(e) = &self.error_document {
            w.open("ErrorDocument");
            w.leaf("Key", &e.key, FIELD)?;
            opt_leaf(w, "OriginalHttpStatus", &e.original_http_status, FIELD)?;
            w.close("ErrorDocument");
        }
        if !self.routing_rules.is_empty() {
            w.open("RoutingRules");
            for r in &self.routing_rules {
                w.open("RoutingRule");
                w.open("Condition");
                opt_leaf(w, "HttpErrorCodeReturnedEquals", &r.condition.http_error_code_returned_equals, FIELD)?;
                opt_leaf(w, "KeyPrefixEquals", &r.condition.key_prefix_equals, FIELD)?;
                w.close("Condition");
                w.open("Redirect");
                opt_leaf(w, "Protocol", &r.redirect.protocol, FIELD)?;
                opt_leaf(w, "ReplaceKeyWith", &r.redirect.replace_key_with, FIELD)?;
                opt_leaf(w, "ReplaceKeyPrefixWith", &r.redirect.replace_key_prefix_with, FIELD)?;
                w.close("Redirect");
                w.close("RoutingRule");
            }
            w.close("RoutingRules");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let mut routing_rules = Vec::new();
        if let Some(rules) = root.child("RoutingRules") {
            for r in rules.children("RoutingRule") {
                let c = r.child("Condition");
                let d = r.child("Redirect");
                routing_rules.push(RoutingRule {
                    condition: RoutingCondition {
                        http_error_code_returned_equals: c.and_then(|c| trimmed(&c, "HttpErrorCodeReturnedEquals")),
                        key_prefix_equals: c.and_then(|c| c.opt_text("KeyPrefixEquals")),
                    },
                    redirect: RoutingRedirect {
                        protocol: d.and_then(|d| trimmed(&d, "Protocol")),
                        replace_key_with: d.and_then(|d| d.opt_text("ReplaceKeyWith")),
                        replace_key_prefix_with: d.and_then(|d| d.opt_text("ReplaceKeyPrefixWith")),
                    },
                });
            }
        }
        Ok(WebsiteConfiguration {
            index_document: root.child("IndexDocument").and_then(|e| e.opt_text("Suffix")),
            redirect_all_requests_to: root.child("RedirectAllRequestsTo").and_then(|e| trimmed(&e, "Protocol")),
            auto_addressing: root.child("AutoAddressing").and_then(|e| trimmed(&e, "Status")),
            error_document: root.child("ErrorDocument").map(|e| WebsiteErrorDocument {
                key: e.opt_text("Key").unwrap_or_default(),
                original_http_status: trimmed(&e, "OriginalHttpStatus"),
            }),
            routing_rules,
        })
    }
}

config_get!(
    WebsiteConfiguration, "website", website, empty: ["NoSuchWebsiteConfiguration"],
    get_bucket_website, GetBucketWebsite, GetBucketWebsiteInput, GetBucketWebsiteOutput,
    "Reads the bucket's static website configuration; a bucket without one reads as the default (no index document), not an error."
);
config_put!(
    WebsiteConfiguration,
    "website",
    put_bucket_website,
    PutBucketWebsite,
    PutBucketWebsiteInput,
    PutBucketWebsiteOutput,
    "Sets the bucket's static website configuration (an index document is required)."
);
config_delete!(
    "website",
    delete_bucket_website,
    DeleteBucketWebsite,
    DeleteBucketWebsiteInput,
    DeleteBucketWebsiteOutput,
    "Removes the bucket's static website configuration."
);
