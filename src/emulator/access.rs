//! Who is asking, and what ACLs let them do.
//!
//! Model (a simplification of COS, which also has bucket policies and CAM): the owner of a bucket
//! may do anything in it; anybody else, signed or anonymous, gets what the ACLs grant. An
//! object whose ACL is `default` inherits its bucket's ACL; an object ACL of `private` or
//! `public-read` stands on its own. Grants name accounts by `qcs::cam::uin/<owner>:uin/<uin>`;
//! the last `uin/` number is compared with the requester's uin.

use crate::xml::{Element, parse_document};

use super::request::Incoming;
use super::response::CosError;

/// The URI of the "everybody" group.
pub(crate) const ALL_USERS_URI: &str = "http://cam.qcloud.com/groups/global/AllUsers";
/// The ID form of the "everybody" grantee.
pub(crate) const ANYONE_ID: &str = "qcs::cam::anyone:anyone";

/// The requester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Principal {
    /// No signature at all.
    Anonymous,
    /// A verified signature of an account's (or its temporary) key.
    Account { uin: String, appid: u64 },
}

impl Principal {
    pub(crate) fn uin(&self) -> Option<&str> {
        match self {
            Principal::Anonymous => None,
            Principal::Account { uin, .. } => Some(uin),
        }
    }
}

/// An ACL permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Permission {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

impl Permission {
    pub(crate) fn parse(s: &str) -> Option<Permission> {
        Some(match s.trim() {
            "READ" => Permission::Read,
            "WRITE" => Permission::Write,
            "READ_ACP" => Permission::ReadAcp,
            "WRITE_ACP" => Permission::WriteAcp,
            "FULL_CONTROL" => Permission::FullControl,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
        }
    }

    fn grants(self, wanted: Permission) -> bool {
        self == Permission::FullControl || self == wanted
    }
}

/// A canned ACL (`x-cos-acl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Canned {
    /// Objects only: inherit the bucket's ACL.
    Default,
    Private,
    PublicRead,
    PublicReadWrite,
}

impl Canned {
    pub(crate) fn parse(s: &str, for_object: bool) -> Option<Canned> {
        Some(match s.trim() {
            "default" if for_object => Canned::Default,
            "private" => Canned::Private,
            "public-read" => Canned::PublicRead,
            "public-read-write" => Canned::PublicReadWrite,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Canned::Default => "default",
            Canned::Private => "private",
            Canned::PublicRead => "public-read",
            Canned::PublicReadWrite => "public-read-write",
        }
    }
}

/// Who a grant is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Grantee {
    /// An account, by its full ID (`qcs::cam::uin/..:uin/..`).
    User(String),
    /// Everybody, anonymous included.
    AllUsers,
}

impl Grantee {
    pub(crate) fn from_id(id: &str) -> Grantee {
        if id == ANYONE_ID { Grantee::AllUsers } else { Grantee::User(id.to_owned()) }
    }

    fn matches(&self, principal: &Principal) -> bool {
        match self {
            Grantee::AllUsers => true,
            Grantee::User(id) => principal.uin().is_some_and(|uin| uin_of(id) == uin),
        }
    }
}

/// The uin an ID names: the number after its last `uin/`, else the ID itself.
pub(crate) fn uin_of(id: &str) -> &str {
    match id.rfind("uin/") {
        Some(i) => &id[i + 4..],
        None => id,
    }
}

/// The ID COS shows for an owner.
pub(crate) fn owner_id(uin: &str) -> String {
    format!("qcs::cam::uin/{uin}:uin/{uin}")
}

/// A canned ACL plus explicit grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Acl {
    pub(crate) canned: Canned,
    pub(crate) grants: Vec<(Grantee, Permission)>,
}

impl Acl {
    /// A new bucket's ACL.
    pub(crate) fn private() -> Acl {
        Acl { canned: Canned::Private, grants: Vec::new() }
    }

    /// A new object's ACL: inherit the bucket's.
    pub(crate) fn inherit() -> Acl {
        Acl { canned: Canned::Default, grants: Vec::new() }
    }

    /// True when the owner `owner_uin`'s ACL lets `principal` do `wanted`.
    pub(crate) fn allows(&self, owner_uin: &str, principal: &Principal, wanted: Permission) -> bool {
        if principal.uin() == Some(owner_uin) {
            return true;
        }
        let canned = match self.canned {
            Canned::PublicRead => wanted == Permission::Read,
            Canned::PublicReadWrite => matches!(wanted, Permission::Read | Permission::Write),
            Canned::Default | Canned::Private => false,
        };
        canned || self.grants.iter().any(|(g, p)| p.grants(wanted) && g.matches(principal))
    }

    /// Every grant as `GET ?acl` shows it: what the canned ACL implies, then the explicit grants.
    /// A PUT with explicit grants (grant headers or a body) replaced the ACL with exactly them;
    /// only when nothing was granted explicitly (a canned ACL alone) does COS list the owner's
    /// FULL_CONTROL first.
    pub(crate) fn listed_grants(&self, owner_uin: &str) -> Vec<(Grantee, Permission)> {
        let mut out = Vec::new();
        if self.grants.is_empty() {
            out.push((Grantee::User(owner_id(owner_uin)), Permission::FullControl));
        }
        match self.canned {
            Canned::PublicRead => out.push((Grantee::AllUsers, Permission::Read)),
            Canned::PublicReadWrite => {
                out.push((Grantee::AllUsers, Permission::Read));
                out.push((Grantee::AllUsers, Permission::Write));
            }
            Canned::Default | Canned::Private => {}
        }
        out.extend(self.grants.iter().cloned());
        out
    }

    /// The `x-cos-acl` value that describes this ACL.
    pub(crate) fn canned_name(&self) -> &'static str {
        if self.canned != Canned::Private {
            return self.canned.as_str();
        }
        let everyone = |p: Permission| self.grants.iter().any(|(g, q)| *g == Grantee::AllUsers && *q == p);
        match (everyone(Permission::Read), everyone(Permission::Write)) {
            (true, true) => "public-read-write",
            (true, false) => "public-read",
            _ => "private",
        }
    }
}

const GRANT_HEADERS: &[(&str, Permission)] = &[
    ("x-cos-grant-read", Permission::Read),
    ("x-cos-grant-write", Permission::Write),
    ("x-cos-grant-read-acp", Permission::ReadAcp),
    ("x-cos-grant-write-acp", Permission::WriteAcp),
    ("x-cos-grant-full-control", Permission::FullControl),
];

/// The ACL of `x-cos-acl` and `x-cos-grant-*`; `None` when the request has neither.
pub(crate) fn acl_from_headers(req: &Incoming, for_object: bool) -> Result<Option<Acl>, CosError> {
    let canned = match req.header("x-cos-acl") {
        Some(v) => Some(
            Canned::parse(v, for_object)
                .ok_or_else(|| CosError::invalid_argument(format!("Invalid x-cos-acl value {v:?}.")))?,
        ),
        None => None,
    };
    let mut grants = Vec::new();
    for (header, permission) in GRANT_HEADERS {
        if let Some(value) = req.header(header) {
            for grantee in
                parse_grantees(value).map_err(|why| CosError::invalid_argument(format!("{header}: {why}")))?
            {
                if !grants.contains(&(grantee.clone(), *permission)) {
                    grants.push((grantee, *permission));
                }
            }
        }
    }
    if canned.is_none() && grants.is_empty() {
        return Ok(None);
    }
    let default = if for_object { Canned::Default } else { Canned::Private };
    Ok(Some(Acl { canned: canned.unwrap_or(default), grants }))
}

/// `id="qcs::cam::uin/1:uin/1", uri="http://cam.qcloud.com/groups/global/AllUsers"`.
fn parse_grantees(value: &str) -> Result<Vec<Grantee>, String> {
    let mut out = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (kind, quoted) = item.split_once('=').ok_or_else(|| format!("{item:?} is not id=\"...\""))?;
        let v = quoted.trim();
        let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
        if v.is_empty() {
            return Err(format!("{item:?} names nobody"));
        }
        match kind.trim().to_ascii_lowercase().as_str() {
            "id" => out.push(Grantee::from_id(v)),
            "uri" if v == ALL_USERS_URI => out.push(Grantee::AllUsers),
            _ => return Err(format!("{item:?} is not id=\"...\" or the AllUsers uri")),
        }
    }
    if out.is_empty() {
        return Err("no grantee".into());
    }
    Ok(out)
}

/// The ACL of an `AccessControlPolicy` body: exactly its grants.
pub(crate) fn acl_from_xml(body: &[u8]) -> Result<Acl, CosError> {
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "AccessControlPolicy").map_err(|e| bad(e.to_string()))?;
    let list = root.child("AccessControlList").ok_or_else(|| bad("no <AccessControlList>".into()))?;
    let mut grants = Vec::new();
    for grant in list.children("Grant") {
        let grantee = grant.child("Grantee").ok_or_else(|| bad("a <Grant> has no <Grantee>".into()))?;
        let who = match (grantee.opt_text("ID"), grantee.opt_text("URI")) {
            (Some(id), _) if !id.trim().is_empty() => Grantee::from_id(id.trim()),
            (_, Some(uri)) if uri.trim() == ALL_USERS_URI => Grantee::AllUsers,
            _ => return Err(bad("a <Grantee> has neither an <ID> nor the AllUsers <URI>".into())),
        };
        let text = grant.opt_text("Permission").unwrap_or_default();
        let permission =
            Permission::parse(&text).ok_or_else(|| bad(format!("unknown <Permission> {:?}", text.trim())))?;
        if !grants.contains(&(who.clone(), permission)) {
            grants.push((who, permission));
        }
    }
    Ok(Acl { canned: Canned::Private, grants })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(uin: &str) -> Principal {
        Principal::Account { uin: uin.into(), appid: 1 }
    }

    #[test]
    fn canned_and_grants() {
        let acl = Acl { canned: Canned::PublicRead, grants: vec![(Grantee::User(owner_id("7")), Permission::Write)] };
        assert!(acl.allows("1", &Principal::Anonymous, Permission::Read));
        assert!(!acl.allows("1", &Principal::Anonymous, Permission::Write));
        assert!(acl.allows("1", &account("7"), Permission::Write));
        assert!(!acl.allows("1", &account("8"), Permission::Write));
        assert!(acl.allows("1", &account("1"), Permission::WriteAcp));
        assert_eq!(acl.canned_name(), "public-read");
        assert_eq!(
            acl.listed_grants("1"),
            [(Grantee::AllUsers, Permission::Read), (Grantee::User(owner_id("7")), Permission::Write)]
        );
        assert_eq!(Acl::private().listed_grants("1"), [(Grantee::User(owner_id("1")), Permission::FullControl)]);
    }

    #[test]
    fn grantee_lists() {
        assert_eq!(
            parse_grantees(r#"id="qcs::cam::uin/1:uin/2", id="qcs::cam::anyone:anyone""#).unwrap(),
            vec![Grantee::User("qcs::cam::uin/1:uin/2".into()), Grantee::AllUsers]
        );
        assert!(parse_grantees("nonsense").is_err());
        assert!(parse_grantees(r#"id="""#).is_err());
        assert_eq!(uin_of("qcs::cam::uin/1:uin/2"), "2");
    }

    #[test]
    fn xml_body() {
        let acl = acl_from_xml(b"<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>").unwrap();
        assert_eq!(acl.canned_name(), "public-read");
        assert!(acl_from_xml(b"<AccessControlPolicy/>").is_err());
        assert!(acl_from_xml(b"<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>a</ID></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>").is_err());
        assert!(acl_from_xml(b"not xml").is_err());
    }
}
