//! Access control lists, shared by the bucket and object ACL calls and by the calls that set an
//! ACL on creation (`put_bucket`, `put_object`): the canned `x-cos-acl`, the `x-cos-grant-*`
//! headers, the `AccessControlPolicy` body (writer and parser), and the JS SDK's summary of a
//! policy (`decodeAcl`: `public-read`, `id="..."` lists).

use std::fmt;
use std::str::FromStr;

use crate::api::xml_body::XmlBody;
use crate::error::{Error, Result};
use crate::http::{Response, ResponseMeta};
use crate::xml::{Element, XmlWriter};

pub use crate::api::acl_headers::AclHeaders;
pub(crate) use crate::api::acl_headers::{acl_header_methods, put_acl_request};

/// The grantee URI meaning "everyone" (anonymous users included).
pub const ALL_USERS_URI: &str = "http://cam.qcloud.com/groups/global/AllUsers";

/// The grantee ID meaning "everyone".
pub const ANYONE_ID: &str = "qcs::cam::anyone:anyone";

/// A canned ACL, sent as `x-cos-acl`.
///
/// ```
/// use tencent_cos::api::CannedAcl;
/// assert_eq!(CannedAcl::PublicRead.as_str(), "public-read");
/// assert_eq!("private".parse::<CannedAcl>().unwrap(), CannedAcl::Private);
/// assert!("public".parse::<CannedAcl>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CannedAcl {
    /// `private`: only the owner.
    Private,
    /// `public-read`: everyone reads.
    PublicRead,
    /// `public-read-write`: everyone reads and writes.
    PublicReadWrite,
    /// `authenticated-read`: every Tencent Cloud account reads.
    AuthenticatedRead,
    /// `default` (objects only): the object follows its bucket's ACL.
    Default,
    /// `bucket-owner-read` (objects only).
    BucketOwnerRead,
    /// `bucket-owner-full-control` (objects only).
    BucketOwnerFullControl,
}

impl CannedAcl {
    const ALL: [CannedAcl; 7] = [
        CannedAcl::Private,
        CannedAcl::PublicRead,
        CannedAcl::PublicReadWrite,
        CannedAcl::AuthenticatedRead,
        CannedAcl::Default,
        CannedAcl::BucketOwnerRead,
        CannedAcl::BucketOwnerFullControl,
    ];

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CannedAcl::Private => "private",
            CannedAcl::PublicRead => "public-read",
            CannedAcl::PublicReadWrite => "public-read-write",
            CannedAcl::AuthenticatedRead => "authenticated-read",
            CannedAcl::Default => "default",
            CannedAcl::BucketOwnerRead => "bucket-owner-read",
            CannedAcl::BucketOwnerFullControl => "bucket-owner-full-control",
        }
    }

    /// True for the values COS accepts on objects only.
    pub fn is_object_only(self) -> bool {
        matches!(self, CannedAcl::Default | CannedAcl::BucketOwnerRead | CannedAcl::BucketOwnerFullControl)
    }
}

impl PartialEq<str> for CannedAcl {
    /// True when `other` is this ACL's wire value (`CannedAcl::Private == "private"`).
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CannedAcl {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl FromStr for CannedAcl {
    type Err = Error;

    fn from_str(s: &str) -> Result<CannedAcl> {
        CannedAcl::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| Error::invalid("acl", format!("{s:?} is not a canned ACL")))
    }
}

impl fmt::Display for CannedAcl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A permission granted by an ACL.
///
/// ```
/// use tencent_cos::api::Permission;
/// assert_eq!(Permission::parse("READ_ACP"), Permission::ReadAcp);
/// assert_eq!(Permission::parse("SOMETHING").as_str(), "SOMETHING");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// `READ`
    Read,
    /// `WRITE`
    Write,
    /// `FULL_CONTROL`
    FullControl,
    /// `READ_ACP`: read the ACL.
    ReadAcp,
    /// `WRITE_ACP`: write the ACL.
    WriteAcp,
    /// A value this crate does not know, kept as COS sent it.
    Other(String),
}

impl Permission {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::FullControl => "FULL_CONTROL",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::Other(s) => s,
        }
    }

    /// Reads a wire value; unknown values become [`Permission::Other`].
    pub fn parse(s: &str) -> Permission {
        match s {
            "READ" => Permission::Read,
            "WRITE" => Permission::Write,
            "FULL_CONTROL" => Permission::FullControl,
            "READ_ACP" => Permission::ReadAcp,
            "WRITE_ACP" => Permission::WriteAcp,
            other => Permission::Other(other.to_owned()),
        }
    }
}

/// An account: the owner of a bucket or object, and the `Owner` / `Initiator` of listings and
/// multipart uploads (one type for every element of this shape).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owner {
    /// `ID`, e.g. `qcs::cam::uin/100000000001:uin/100000000001`.
    pub id: String,
    /// `DisplayName`, when COS sends one.
    pub display_name: Option<String>,
}

impl Owner {
    /// An owner by ID.
    pub fn new(id: impl Into<String>) -> Owner {
        Owner { id: id.into(), display_name: None }
    }

    /// Reads an `<Owner>` or `<Initiator>` (any element with `ID` / `DisplayName` children).
    pub(crate) fn from_element(e: Element<'_, '_>) -> Owner {
        Owner { id: e.opt_text("ID").unwrap_or_default(), display_name: e.opt_text("DisplayName") }
    }
}

/// Who a grant is for: an account by `ID`, or a group by `URI`.
///
/// ```
/// use tencent_cos::api::Grantee;
/// let g = Grantee::id("qcs::cam::uin/100000000011:uin/100000000011");
/// assert_eq!(g.id.as_deref(), Some("qcs::cam::uin/100000000011:uin/100000000011"));
/// assert!(Grantee::all_users().is_everyone());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grantee {
    /// `xsi:type` in responses (`RootAccount`, `SubAccount`, `CanonicalUser`, `Group`); never sent.
    pub grantee_type: Option<String>,
    /// `ID`.
    pub id: Option<String>,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `URI` (a group, such as [`ALL_USERS_URI`]).
    pub uri: Option<String>,
}

impl Grantee {
    /// An account, e.g. `qcs::cam::uin/100000000011:uin/100000000011`.
    pub fn id(id: impl Into<String>) -> Grantee {
        Grantee { id: Some(id.into()), ..Grantee::default() }
    }

    /// A group by URI.
    pub fn uri(uri: impl Into<String>) -> Grantee {
        Grantee { uri: Some(uri.into()), ..Grantee::default() }
    }

    /// Everyone: the AllUsers group.
    pub fn all_users() -> Grantee {
        Grantee::uri(ALL_USERS_URI)
    }

    /// Everyone, by the `qcs::cam::anyone:anyone` ID.
    pub fn anyone() -> Grantee {
        Grantee::id(ANYONE_ID)
    }

    /// Adds a `DisplayName`.
    pub fn with_display_name(mut self, name: impl Into<String>) -> Grantee {
        self.display_name = Some(name.into());
        self
    }

    /// True for the grantees that mean everyone (the JS SDK's test).
    pub fn is_everyone(&self) -> bool {
        self.id.as_deref() == Some(ANYONE_ID) || self.uri.as_deref() == Some(ALL_USERS_URI)
    }
}

/// One grant: a grantee and a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Who.
    pub grantee: Grantee,
    /// What.
    pub permission: Permission,
}

impl Grant {
    /// A grant.
    pub fn new(grantee: Grantee, permission: Permission) -> Grant {
        Grant { grantee, permission }
    }
}

/// An `AccessControlPolicy`: the owner and the grants. Sent by `put_*_acl` as a body, returned
/// by `get_*_acl`.
///
/// ```
/// use tencent_cos::api::{AccessControlPolicy, Grantee, Owner, Permission};
/// let policy = AccessControlPolicy::new(Owner::new("qcs::cam::uin/1:uin/1"))
///     .grant(Grantee::id("qcs::cam::uin/2:uin/2"), Permission::Read);
/// assert_eq!(
///     policy.to_xml()?,
///     "<AccessControlPolicy><Owner><ID>qcs::cam::uin/1:uin/1</ID></Owner><AccessControlList><Grant>\
///      <Grantee><ID>qcs::cam::uin/2:uin/2</ID></Grantee><Permission>READ</Permission></Grant>\
///      </AccessControlList></AccessControlPolicy>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessControlPolicy {
    /// The owner (COS requires its ID in a request).
    pub owner: Owner,
    /// The grants, in order.
    pub grants: Vec<Grant>,
}

impl AccessControlPolicy {
    /// A policy with no grants yet.
    pub fn new(owner: Owner) -> AccessControlPolicy {
        AccessControlPolicy { owner, grants: Vec::new() }
    }

    /// Adds a grant.
    pub fn grant(mut self, grantee: Grantee, permission: Permission) -> AccessControlPolicy {
        self.grants.push(Grant::new(grantee, permission));
        self
    }

    /// The request body, byte for byte what the node SDK sends: no declaration, no
    /// whitespace, no `xsi:type` on `Grantee`.
    pub fn to_xml(&self) -> Result<String> {
        const FIELD: &str = "access_control_policy";
        if self.owner.id.is_empty() {
            return Err(Error::invalid(FIELD, "the owner's ID is required"));
        }
        let mut w = XmlWriter::with_capacity(128 + 160 * self.grants.len());
        w.open("AccessControlPolicy");
        w.open("Owner");
        w.leaf("ID", &self.owner.id, FIELD)?;
        if let Some(name) = &self.owner.display_name {
            w.leaf("DisplayName", name, FIELD)?;
        }
        w.close("Owner");
        w.open("AccessControlList");
        for grant in &self.grants {
            let g = &grant.grantee;
            if g.id.is_none() && g.uri.is_none() {
                return Err(Error::invalid(FIELD, "every grantee needs an ID or a URI"));
            }
            if grant.permission.as_str().is_empty() {
                return Err(Error::invalid(FIELD, "every grant needs a permission"));
            }
            w.open("Grant");
            w.open("Grantee");
            for (tag, value) in [("ID", &g.id), ("DisplayName", &g.display_name), ("URI", &g.uri)] {
                if let Some(v) = value {
                    w.leaf(tag, v, FIELD)?;
                }
            }
            w.close("Grantee");
            w.leaf("Permission", grant.permission.as_str(), FIELD)?;
            w.close("Grant");
        }
        w.close("AccessControlList");
        w.close("AccessControlPolicy");
        Ok(w.finish())
    }

    /// Reads an `<AccessControlPolicy>` element. Missing owner or list read as empty; a grant
    /// without a permission is an error.
    pub(crate) fn from_element(root: Element<'_, '_>) -> Result<AccessControlPolicy> {
        let owner = root.child("Owner").map(Owner::from_element).unwrap_or_default();
        let mut grants = Vec::new();
        if let Some(list) = root.child("AccessControlList") {
            for g in list.children("Grant") {
                let grantee = g
                    .child("Grantee")
                    .map(|e| Grantee {
                        grantee_type: e.attribute("type").map(str::to_owned),
                        id: e.opt_text("ID"),
                        display_name: e.opt_text("DisplayName"),
                        uri: e.opt_text("URI"),
                    })
                    .unwrap_or_default();
                let permission = Permission::parse(&g.req_text("Permission")?);
                grants.push(Grant { grantee, permission });
            }
        }
        Ok(AccessControlPolicy { owner, grants })
    }
}

/// The result of `get_bucket_acl` / `get_object_acl`: the policy, plus the JS SDK's summary of
/// it (`decodeAcl`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AclOutput {
    /// Owner.
    pub owner: Owner,
    /// Grants, in order.
    pub grants: Vec<Grant>,
    /// ACL: the `x-cos-acl` response header when it names a [`CannedAcl`], else derived from
    /// the grants to everyone: `public-read-write` (FULL_CONTROL, or READ and WRITE),
    /// `public-read` (READ), or `private`. A header value this crate does not know stays in
    /// [`meta`](Self::meta). Compares with the wire string too: `out.acl == "private"`.
    pub acl: CannedAcl,
    /// GrantRead: the other accounts with READ, as `id="..."` joined with `,` (the owner left out).
    pub grant_read: String,
    /// GrantWrite, as `grant_read`.
    pub grant_write: String,
    /// GrantFullControl, as `grant_read`.
    pub grant_full_control: String,
    /// GrantReadAcp, as `grant_read`.
    pub grant_read_acp: String,
    /// GrantWriteAcp, as `grant_read`.
    pub grant_write_acp: String,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl AclOutput {
    /// Builds the output from a policy and the response meta, summarising as `decodeAcl` does.
    pub(crate) fn new(policy: AccessControlPolicy, meta: ResponseMeta) -> AclOutput {
        let mut lists: [Vec<String>; 5] = Default::default();
        let (mut public_read, mut public_write, mut public_full) = (false, false, false);
        for grant in &policy.grants {
            let g = &grant.grantee;
            if g.is_everyone() {
                match grant.permission {
                    Permission::Read => public_read = true,
                    Permission::Write => public_write = true,
                    Permission::FullControl => public_full = true,
                    _ => {}
                }
                continue;
            }
            let Some(id) = g.id.as_deref().filter(|id| *id != policy.owner.id) else { continue };
            let slot = match grant.permission {
                Permission::Read => 0,
                Permission::Write => 1,
                Permission::FullControl => 2,
                Permission::ReadAcp => 3,
                Permission::WriteAcp => 4,
                Permission::Other(_) => continue,
            };
            lists[slot].push(format!("id=\"{id}\""));
        }
        let derived = if public_full || (public_read && public_write) {
            CannedAcl::PublicReadWrite
        } else if public_read {
            CannedAcl::PublicRead
        } else {
            CannedAcl::Private
        };
        let acl = meta.header("x-cos-acl").and_then(|v| v.parse().ok()).unwrap_or(derived);
        let [grant_read, grant_write, grant_full_control, grant_read_acp, grant_write_acp] = lists.map(|l| l.join(","));
        AclOutput {
            owner: policy.owner,
            grants: policy.grants,
            acl,
            grant_read,
            grant_write,
            grant_full_control,
            grant_read_acp,
            grant_write_acp,
            meta,
        }
    }

    /// Parses a `GET ?acl` response.
    pub(crate) fn parse(response: Response) -> Result<AclOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let policy = AccessControlPolicy::from_element(body.root(&doc, "AccessControlPolicy")?)?;
        Ok(AclOutput::new(policy, body.meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_follows_decode_acl() {
        let policy = AccessControlPolicy::new(Owner::new("owner"))
            .grant(Grantee::id("owner"), Permission::FullControl)
            .grant(Grantee::anyone(), Permission::Read)
            .grant(Grantee::id("u2"), Permission::Write)
            .grant(Grantee::id("u3"), Permission::Write)
            .grant(Grantee::id("u4"), Permission::ReadAcp);
        let out = AclOutput::new(policy, ResponseMeta::default());
        assert_eq!(out.acl, "public-read");
        assert_eq!(out.grant_write, r#"id="u2",id="u3""#);
        assert_eq!(out.grant_read_acp, r#"id="u4""#);
        assert_eq!(out.grant_full_control, "");
    }

    #[test]
    fn writer_refuses_grantee_without_id_or_uri() {
        let p = AccessControlPolicy::new(Owner::new("o")).grant(Grantee::default(), Permission::Read);
        assert!(matches!(p.to_xml(), Err(Error::InvalidArgument { field: "access_control_policy", .. })));
        assert!(AccessControlPolicy::default().to_xml().is_err());
    }
}
