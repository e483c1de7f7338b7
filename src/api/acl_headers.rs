//! The ACL request headers (`x-cos-acl`, `x-cos-grant-*`) shared by every call that sets an
//! ACL, the request of the `put_*_acl` calls, and the builder methods that set the headers.
//! Re-exported from [`acl`](crate::api::acl).

use crate::api::acl::{AccessControlPolicy, CannedAcl};
use crate::error::{Error, Result};
use crate::operation::OperationRequest;

/// The ACL request headers: the canned `x-cos-acl` and the `x-cos-grant-*` lists. A grant value
/// is the JS SDK's string form, e.g. `id="qcs::cam::uin/100000000001:uin/100000000001"`, several
/// joined with `,`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AclHeaders {
    /// ACL: `x-cos-acl`.
    pub acl: Option<CannedAcl>,
    /// GrantRead: `x-cos-grant-read`.
    pub grant_read: Option<String>,
    /// GrantWrite: `x-cos-grant-write`.
    pub grant_write: Option<String>,
    /// GrantFullControl: `x-cos-grant-full-control`.
    pub grant_full_control: Option<String>,
    /// GrantReadAcp: `x-cos-grant-read-acp`.
    pub grant_read_acp: Option<String>,
    /// GrantWriteAcp: `x-cos-grant-write-acp`.
    pub grant_write_acp: Option<String>,
}

impl AclHeaders {
    /// True when no header is set.
    pub fn is_empty(&self) -> bool {
        *self == AclHeaders::default()
    }

    /// Refuses the canned ACLs COS accepts on objects only.
    pub(crate) fn check_bucket_acl(&self) -> Result<()> {
        match self.acl {
            Some(acl) if acl.is_object_only() => {
                Err(Error::invalid("acl", format!("{acl} applies to objects only, not to buckets")))
            }
            _ => Ok(()),
        }
    }

    /// Adds the headers in the node SDK's order. `dedupe` removes repeated grantees from each
    /// list as the SDK's ACL calls do (`uniqGrant`: split on `,`, trim, keep the first).
    pub(crate) fn apply(&self, mut request: OperationRequest, dedupe: bool) -> Result<OperationRequest> {
        if let Some(acl) = self.acl {
            request = request.with_header("x-cos-acl", acl.as_str());
        }
        let grants = [
            ("x-cos-grant-read", "grant_read", &self.grant_read),
            ("x-cos-grant-write", "grant_write", &self.grant_write),
            ("x-cos-grant-full-control", "grant_full_control", &self.grant_full_control),
            ("x-cos-grant-read-acp", "grant_read_acp", &self.grant_read_acp),
            ("x-cos-grant-write-acp", "grant_write_acp", &self.grant_write_acp),
        ];
        // Values are checked by the pipeline (`x-cos-grant-read` as `grant_read`); a list that
        // is deduplicated is checked here as given, since trimming would hide a CR or LF.
        for (header, field, value) in grants {
            if let Some(v) = value {
                let v = if dedupe {
                    crate::config::validate_header_value(field, v)?;
                    unique_grants(v)
                } else {
                    v.clone()
                };
                request = request.with_header(header, v);
            }
        }
        Ok(request)
    }
}

/// `id="a", id="b",id="a"` -> `id="a",id="b"`.
fn unique_grants(list: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for item in list.split(',').map(str::trim) {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen.join(",")
}

/// What a `put_*_acl` call sends: headers, a policy body, or both. At least one is required.
pub(crate) fn put_acl_request(
    mut request: OperationRequest,
    headers: &AclHeaders,
    policy: Option<&AccessControlPolicy>,
) -> Result<OperationRequest> {
    if headers.is_empty() && policy.is_none() {
        return Err(Error::invalid(
            "acl",
            "give a canned ACL, a grant header or an AccessControlPolicy: COS refuses an empty ACL",
        ));
    }
    request = headers.apply(request, true)?;
    if let Some(p) = policy {
        request = request.with_xml_body(p.to_xml()?);
    }
    Ok(request)
}

/// Adds the ACL builder methods (`acl`, `grant_read`, ... ) to a builder whose input has an
/// `acl_headers: AclHeaders` field. `$call` is the example's expression creating the builder
/// from `bucket`.
macro_rules! acl_header_methods {
    ($call:literal) => {
        $crate::api::acl_headers::acl_header_methods!(@one acl, acl, $crate::api::acl::CannedAcl,
            "The canned ACL, sent as `x-cos-acl`.", $call, "tencent_cos::api::CannedAcl::PublicRead");
        $crate::api::acl_headers::acl_header_methods!(@grant grant_read, "GrantRead: `x-cos-grant-read`.", $call);
        $crate::api::acl_headers::acl_header_methods!(@grant grant_write, "GrantWrite: `x-cos-grant-write`.", $call);
        $crate::api::acl_headers::acl_header_methods!(@grant grant_full_control,
            "GrantFullControl: `x-cos-grant-full-control`.", $call);
        $crate::api::acl_headers::acl_header_methods!(@grant grant_read_acp, "GrantReadAcp: `x-cos-grant-read-acp`.", $call);
        $crate::api::acl_headers::acl_header_methods!(@grant grant_write_acp,
            "GrantWriteAcp: `x-cos-grant-write-acp`.", $call);
    };
    (@grant $name:ident, $doc:literal, $call:literal) => {
        $crate::api::acl_headers::acl_header_methods!(@one $name, $name, impl Into<String>,
            concat!($doc, " Accounts as `id=\"...\"`, several joined with `,`."), $call,
            "r#\"id=\"qcs::cam::uin/100000000011:uin/100000000011\"\"#");
    };
    (@one $name:ident, $field:ident, $ty:ty, $doc:expr, $call:literal, $arg:literal) => {
        #[doc = $doc]
        ///
        #[doc = concat!(
            "```no_run\n",
            "# let client = tencent_cos::Client::builder().secret(\"id\", \"key\").region(\"ap-guangzhou\").build()?;\n",
            "let bucket = client.bucket(\"examplebucket-1250000000\");\n",
            $call, ".", stringify!($name), "(", $arg, ").send()?;\n",
            "# Ok::<(), tencent_cos::Error>(())\n",
            "```"
        )]
        pub fn $name(mut self, value: $ty) -> Self {
            self.input.acl_headers_mut().$field = Some(value.into());
            self
        }
    };
}
pub(crate) use acl_header_methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_grants_trims_and_keeps_first() {
        assert_eq!(unique_grants(r#"id="a", id="b",id="a""#), r#"id="a",id="b""#);
        assert_eq!(unique_grants(""), "");
    }
}
