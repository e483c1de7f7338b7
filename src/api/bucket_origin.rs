//! Back-to-origin (mirror / proxy of a missing object): `put_bucket_origin`,
//! `get_bucket_origin`, `delete_bucket_origin`.

use crate::api::bucket_config::{XmlConfig, config_delete, config_get, config_put, one_of, opt_leaf, trimmed};
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "origin";

/// `<OriginCondition>`: when the rule applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginCondition {
    /// HTTPStatusCode (`404`).
    pub http_status_code: Option<String>,
    /// Prefix of the keys (`Some("")` for an empty `<Prefix></Prefix>`).
    pub prefix: Option<String>,
}

/// `<OriginParameter>`: how the origin is asked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginParameter {
    /// Protocol (`HTTP`, `HTTPS`, `FOLLOW`).
    pub protocol: Option<String>,
    /// FollowQueryString.
    pub follow_query_string: Option<bool>,
    /// HttpHeader/FollowHttpHeaders/Header/Key: request headers passed to the origin.
    pub follow_http_headers: Vec<String>,
    /// HttpHeader/NewHttpHeaders/Header: headers added, as (Key, Value).
    pub new_http_headers: Vec<(String, String)>,
    /// FollowRedirection.
    pub follow_redirection: Option<bool>,
    /// HttpRedirectCode (`301`, `302`).
    pub http_redirect_code: Option<String>,
}

/// A private origin (`PrivateHost`, `PrivateStandbyHost_N`): a host and the role used with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginPrivateHost {
    /// Host.
    pub host: String,
    /// CredentialProvider/Role.
    pub role: Option<String>,
}

/// One `<HostInfo>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginHost {
    /// HostName.
    pub host_name: Option<String>,
    /// Weight.
    pub weight: Option<u32>,
    /// StandbyHostName_N, as (N, host), in order.
    pub standby_host_names: Vec<(u32, String)>,
    /// PrivateHost.
    pub private_host: Option<OriginPrivateHost>,
    /// PrivateStandbyHost_N, as (N, host), in order.
    pub private_standby_hosts: Vec<(u32, OriginPrivateHost)>,
}

impl OriginHost {
    /// The origin `host_name`.
    pub fn new(host_name: impl Into<String>) -> Self {
        OriginHost { host_name: Some(host_name.into()), ..Default::default() }
    }
}

/// One `<OriginRule>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginRule {
    /// RulePriority (1 first).
    pub priority: u32,
    /// OriginType: `Mirror` or `Proxy`.
    pub origin_type: String,
    /// OriginCondition.
    pub condition: OriginCondition,
    /// OriginParameter.
    pub parameter: OriginParameter,
    /// OriginInfo/HostInfo, in order.
    pub hosts: Vec<OriginHost>,
    /// OriginInfo/FileInfo/PrefixConfiguration/Prefix: prefix added to the key at the origin.
    pub file_prefix: Option<String>,
}

impl OriginRule {
    /// A mirror rule of this priority fetching from `host`.
    pub fn mirror(priority: u32, host: OriginHost) -> Self {
        OriginRule { priority, origin_type: "Mirror".into(), hosts: vec![host], ..Default::default() }
    }
}

/// `<OriginConfiguration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginConfiguration {
    /// The rules, in order.
    pub rules: Vec<OriginRule>,
}

fn write_private(w: &mut XmlWriter, tag: &str, p: &OriginPrivateHost) -> Result<()> {
    w.open(tag);
    w.leaf("Host", &p.host, FIELD)?;
    if let Some(role) = &p.role {
        w.open("CredentialProvider");
        w.leaf("Role", role, FIELD)?;
        w.close("CredentialProvider");
    }
    w.close(tag);
    Ok(())
}

fn read_private(e: Element<'_, '_>) -> OriginPrivateHost {
    OriginPrivateHost {
        host: e.opt_text("Host").unwrap_or_default(),
        role: e.child("CredentialProvider").and_then(|c| c.opt_text("Role")),
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// `N` of an element named `{prefix}N`.
fn numbered(name: &str, prefix: &str) -> Option<u32> {
    name.strip_prefix(prefix).and_then(|n| n.parse().ok())
}

impl XmlConfig for OriginConfiguration {
    const ROOT: &'static str = "OriginConfiguration";

    fn validate(&self) -> Result<()> {
        if self.rules.is_empty() {
            return Err(Error::invalid(FIELD, "at least one rule is needed (delete_bucket_origin removes them)"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            one_of(FIELD, "OriginType", &r.origin_type, &["Mirror", "Proxy"])?;
            if r.hosts.is_empty() || r.hosts.iter().any(|h| h.host_name.as_deref().is_none_or(|n| n.trim().is_empty()))
            {
                return Err(Error::invalid(FIELD, format!("rule {i}: every origin host needs a host name")));
            }
            if let Some(p) = &r.parameter.protocol {
                one_of(FIELD, "Protocol", p, &["HTTP", "HTTPS", "FOLLOW"])?;
            }
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        for r in &self.rules {
            w.open("OriginRule");
            w.leaf("RulePriority", &r.priority.to_string(), FIELD)?;
            w.leaf("OriginType", &r.origin_type, FIELD)?;
            w.open("OriginCondition");
            opt_leaf(w, "HTTPStatusCode", &r.condition.http_status_code, FIELD)?;
            opt_leaf(w, "Prefix", &r.condition.prefix, FIELD)?;
            w.close("OriginCondition");
            let p = &r.parameter;
            w.open("OriginParameter");
            opt_leaf(w, "Protocol", &p.protocol, FIELD)?;
            if let Some(f) = p.follow_query_string {
                w.leaf("FollowQueryString", bool_text(f), FIELD)?;
            }
            if !p.follow_http_headers.is_empty() || !p.new_http_headers.is_empty() {
                w.open("HttpHeader");
                if !p.follow_http_headers.is_empty() {
                    w.open("FollowHttpHeaders");
                    for k in &p.follow_http_headers {
                        w.open("Header");
                        w.leaf("Key", k, FIELD)?;
                        w.close("Header");
                    }
                    w.close("FollowHttpHeaders");
                }
                if !p.new_http_headers.is_empty() {
                    w.open("NewHttpHeaders");
                    for (k, v) in &p.new_http_headers {
                        w.open("Header");
                        w.leaf("Key", k, FIELD)?;
                        w.leaf("Value", v, FIELD)?;
                        w.close("Header");
                    }
                    w.close("NewHttpHeaders");
                }
                w.close("HttpHeader");
            }
            if let Some(f) = p.follow_redirection {
                w.leaf("FollowRedirection", bool_text(f), FIELD)?;
            }
            opt_leaf(w, "HttpRedirectCode", &p.http_redirect_code, FIELD)?;
            w.close("OriginParameter");
            w.open("OriginInfo");
            for h in &r.hosts {
                w.open("HostInfo");
                opt_leaf(w, "HostName", &h.host_name, FIELD)?;
                if let Some(weight) = h.weight {
                    w.leaf("Weight", &weight.to_string(), FIELD)?;
                }
                for (n, name) in &h.standby_host_names {
                    w.leaf(&format!("StandbyHostName_{n}"), name, FIELD)?;
                }
                if let Some(p) = &h.private_host {
                    write_private(w, "PrivateHost", p)?;
                }
                for (n, p) in &h.private_standby_hosts {
                    write_private(w, &format!("PrivateStandbyHost_{n}"), p)?;
                }
                w.close("HostInfo");
            }
            if let Some(prefix) = &r.file_prefix {
                w.open("FileInfo");
                w.open("PrefixConfiguration");
                w.leaf("Prefix", prefix, FIELD)?;
                w.close("PrefixConfiguration");
                w.close("FileInfo");
            }
            w.close("OriginInfo");
            w.close("OriginRule");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let mut rules = Vec::new();
        for r in root.children("OriginRule") {
            let c = r.child("OriginCondition");
            let mut parameter = OriginParameter::default();
            if let Some(p) = r.child("OriginParameter") {
                parameter.protocol = trimmed(&p, "Protocol");
                parameter.follow_query_string = p.opt_bool("FollowQueryString")?;
                parameter.follow_redirection = p.opt_bool("FollowRedirection")?;
                parameter.http_redirect_code = trimmed(&p, "HttpRedirectCode");
                if let Some(h) = p.child("HttpHeader") {
                    if let Some(f) = h.child("FollowHttpHeaders") {
                        parameter.follow_http_headers =
                            f.children("Header").map(|x| x.opt_text("Key").unwrap_or_default()).collect();
                    }
                    if let Some(n) = h.child("NewHttpHeaders") {
                        parameter.new_http_headers = n
                            .children("Header")
                            .map(|x| (x.opt_text("Key").unwrap_or_default(), x.opt_text("Value").unwrap_or_default()))
                            .collect();
                    }
                }
            }
            let mut hosts = Vec::new();
            let info = r.child("OriginInfo");
            for h in info.iter().flat_map(|i| i.children("HostInfo").collect::<Vec<_>>()) {
                let mut host = OriginHost {
                    host_name: h.opt_text("HostName"),
                    weight: h.opt_number("Weight")?,
                    private_host: h.child("PrivateHost").map(read_private),
                    ..Default::default()
                };
                for child in h.node().children().filter(|n| n.is_element()).map(Element::new) {
                    if let Some(n) = numbered(child.name(), "StandbyHostName_") {
                        host.standby_host_names.push((n, child.text()));
                    } else if let Some(n) = numbered(child.name(), "PrivateStandbyHost_") {
                        host.private_standby_hosts.push((n, read_private(child)));
                    }
                }
                hosts.push(host);
            }
            rules.push(OriginRule {
                priority: r.opt_number("RulePriority")?.unwrap_or(0),
                origin_type: trimmed(&r, "OriginType").unwrap_or_default(),
                condition: OriginCondition {
                    http_status_code: c.and_then(|c| trimmed(&c, "HTTPStatusCode")),
                    prefix: c.and_then(|c| c.opt_text("Prefix")),
                },
                parameter,
                hosts,
                file_prefix: info
                    .and_then(|i| i.child("FileInfo"))
                    .and_then(|f| f.child("PrefixConfiguration"))
                    .and_then(|p| p.opt_text("Prefix")),
            });
        }
        Ok(OriginConfiguration { rules })
    }
}

config_get!(
    OriginConfiguration, "origin", origin, empty: ["NoSuchOriginConfiguration"],
    get_bucket_origin, GetBucketOrigin, GetBucketOriginInput, GetBucketOriginOutput,
    "Reads the bucket's back-to-origin rules; a bucket without any reads as no rules."
);
config_put!(
    OriginConfiguration,
    "origin",
    put_bucket_origin,
    PutBucketOrigin,
    PutBucketOriginInput,
    PutBucketOriginOutput,
    "Replaces the bucket's back-to-origin rules."
);
config_delete!(
    "origin",
    delete_bucket_origin,
    DeleteBucketOrigin,
    DeleteBucketOriginInput,
    DeleteBucketOriginOutput,
    "Removes the bucket's back-to-origin rules."
);
