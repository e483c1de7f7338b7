//! ACLs on buckets and objects (canned, grant headers, an AccessControlPolicy body), enforced;
//! CORS rules and preflights.

use tencent_cos::Error;
use tencent_cos::api::CorsRule;
use tencent_cos::api::{ALL_USERS_URI, AccessControlPolicy, CannedAcl, Grant, Grantee, Owner, Permission};

use crate::support::capability_support::{Env, OTHER_ID, OWNER_ID, failure};

/// The grants of an ACL as `(id or uri, permission)`.
fn grants(list: &[Grant]) -> Vec<(String, String)> {
    list.iter()
        .map(|g| {
            let who = g.grantee.id.clone().or_else(|| g.grantee.uri.clone()).unwrap_or_default();
            (who, g.permission.as_str().to_owned())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// PUT/GET Bucket ACL: canned, grant headers, a policy body; each enforced for the other account.
pub fn bucket_acl(env: &Env) {
    let bucket = env.create_bucket();
    bucket.put_object("doc.txt").body("doc").send().unwrap();
    let other = env.other();

    let initial = bucket.get_bucket_acl().send().unwrap();
    assert_eq!(initial.meta.status, 200);
    assert_eq!(initial.owner.id, OWNER_ID);
    assert_eq!(initial.acl, "private");
    assert_eq!(grants(&initial.grants), pairs(&[(OWNER_ID, "FULL_CONTROL")]));
    assert_eq!(failure(other.get_bucket().send()), (403, "AccessDenied".into()));
    assert_eq!(failure(other.get_bucket_acl().send()), (403, "AccessDenied".into()));

    assert_eq!(bucket.put_bucket_acl().acl(CannedAcl::PublicRead).send().unwrap().meta.status, 200);
    let public = bucket.get_bucket_acl().send().unwrap();
    assert_eq!(public.acl, "public-read");
    assert_eq!(public.meta.header("x-cos-acl"), Some("public-read"));
    assert_eq!(grants(&public.grants), pairs(&[(OWNER_ID, "FULL_CONTROL"), (ALL_USERS_URI, "READ")]));
    assert_eq!(other.get_bucket().send().unwrap().contents.len(), 1);
    assert_eq!(failure(other.put_object("x").body("x").send()), (403, "AccessDenied".into()));

    let grantee = format!("id=\"{OTHER_ID}\"");
    bucket.put_bucket_acl().grant_write(grantee.as_str()).grant_read_acp(grantee.as_str()).send().unwrap();
    let granted = bucket.get_bucket_acl().send().unwrap();
    assert_eq!(granted.acl, "private");
    assert_eq!((granted.grant_write.as_str(), granted.grant_read_acp.as_str()), (grantee.as_str(), grantee.as_str()));
    assert_eq!(granted.grant_read, "");
    assert_eq!(other.put_object("from-other.txt").body("hi").send().unwrap().meta.status, 200);
    assert_eq!(other.get_bucket_acl().send().unwrap().grant_write, grantee);
    assert_eq!(failure(other.get_bucket().send()), (403, "AccessDenied".into()));

    let policy = AccessControlPolicy::new(Owner::new(OWNER_ID))
        .grant(Grantee::id(OWNER_ID), Permission::FullControl)
        .grant(Grantee::id(OTHER_ID), Permission::Read)
        .grant(Grantee::all_users(), Permission::Read);
    bucket.put_bucket_acl().access_control_policy(policy).send().unwrap();
    let from_body = bucket.get_bucket_acl().send().unwrap();
    assert_eq!(from_body.acl, "public-read");
    assert_eq!(from_body.grant_read, grantee);
    assert_eq!(from_body.grant_write, "");
    assert_eq!(failure(other.put_object("again.txt").body("x").send()), (403, "AccessDenied".into()));
    assert_eq!(other.get_bucket().send().unwrap().contents.len(), 2);

    // Refused before any request: an object-only canned ACL, or nothing at all.
    let object_only = bucket.put_bucket_acl().acl(CannedAcl::Default).send();
    assert!(matches!(object_only, Err(Error::InvalidArgument { field: "acl", .. })), "{object_only:?}");
    assert!(matches!(bucket.put_bucket_acl().send(), Err(Error::InvalidArgument { field: "acl", .. })));
    // Only the owner (or a WRITE_ACP grantee) may change the ACL.
    assert_eq!(failure(other.put_bucket_acl().acl(CannedAcl::PublicReadWrite).send()), (403, "AccessDenied".into()));
}

/// PUT/GET Object ACL: `default` follows the bucket; canned, grants and a policy body, enforced
/// for anonymous callers and the other account.
pub fn object_acl(env: &Env) {
    let bucket = env.create_bucket();
    bucket.put_object("a.txt").body("secret").send().unwrap();
    let (anonymous, other) = (env.anonymous(), env.other());
    assert_eq!(failure(anonymous.get_object("a.txt").send()), (403, "AccessDenied".into()));

    let initial = bucket.get_object_acl("a.txt").send().unwrap();
    assert_eq!(initial.owner.id, OWNER_ID);
    assert_eq!(initial.meta.header("x-cos-acl"), Some("default"));
    assert_eq!(grants(&initial.grants), pairs(&[(OWNER_ID, "FULL_CONTROL")]));

    bucket.put_object_acl("a.txt").acl(CannedAcl::PublicRead).send().unwrap();
    let public = bucket.get_object_acl("a.txt").send().unwrap();
    assert_eq!(public.acl, "public-read");
    assert_eq!(grants(&public.grants), pairs(&[(OWNER_ID, "FULL_CONTROL"), (ALL_USERS_URI, "READ")]));
    assert_eq!(anonymous.get_object("a.txt").send().unwrap().bytes().unwrap(), b"secret");
    // The object's ACL opens the object only, not the bucket.
    assert_eq!(failure(anonymous.get_bucket().send()), (403, "AccessDenied".into()));
    assert_eq!(failure(anonymous.put_object("a.txt").body("x").send()), (403, "AccessDenied".into()));

    let grantee = format!("id=\"{OTHER_ID}\"");
    bucket.put_object_acl("a.txt").acl(CannedAcl::Private).grant_read(grantee.as_str()).send().unwrap();
    let granted = bucket.get_object_acl("a.txt").send().unwrap();
    assert_eq!((granted.acl.as_str(), granted.grant_read.as_str()), ("private", grantee.as_str()));
    assert_eq!(failure(anonymous.get_object("a.txt").send()), (403, "AccessDenied".into()));
    assert_eq!(other.get_object("a.txt").send().unwrap().bytes().unwrap(), b"secret");
    assert_eq!(failure(other.get_object_acl("a.txt").send()), (403, "AccessDenied".into()));

    let policy = AccessControlPolicy::new(Owner::new(OWNER_ID))
        .grant(Grantee::id(OWNER_ID), Permission::FullControl)
        .grant(Grantee::id(OTHER_ID), Permission::ReadAcp);
    bucket.put_object_acl("a.txt").access_control_policy(policy).send().unwrap();
    let from_body = other.get_object_acl("a.txt").send().unwrap();
    assert_eq!((from_body.grant_read_acp.as_str(), from_body.grant_read.as_str()), (grantee.as_str(), ""));
    assert_eq!(failure(other.get_object("a.txt").send()), (403, "AccessDenied".into()));

    // Back to `default`: the bucket's ACL decides again.
    bucket.put_object_acl("a.txt").acl(CannedAcl::Default).send().unwrap();
    bucket.put_bucket_acl().acl(CannedAcl::PublicRead).send().unwrap();
    assert_eq!(anonymous.get_object("a.txt").send().unwrap().bytes().unwrap(), b"secret");
    // The ACL call left the bytes alone.
    assert_eq!(bucket.head_object("a.txt").send().unwrap().properties.content_length, Some(6));
    assert_eq!(failure(bucket.get_object_acl("none.txt").send()), (404, "NoSuchKey".into()));
}

/// PUT/GET/DELETE Bucket CORS, and OPTIONS preflights allowed and forbidden.
pub fn cors_rules_and_preflight(env: &Env) {
    let bucket = env.create_bucket();
    let none = bucket.get_bucket_cors().send().unwrap();
    assert_eq!((none.meta.status, none.rules.len()), (404, 0));
    let unconfigured =
        bucket.options_object("a.txt").origin("https://app.example.com").access_control_request_method("GET");
    let unconfigured = unconfigured.send().unwrap();
    assert_eq!((unconfigured.meta.status, unconfigured.options_forbidden), (403, true));

    let rules = vec![
        CorsRule::new()
            .id("app")
            .allowed_origin("https://app.example.com")
            .allowed_methods(["GET", "PUT"])
            .allowed_headers(["content-type", "x-cos-meta-*"])
            .expose_headers(["ETag", "x-cos-request-id"])
            .max_age_seconds(600),
        CorsRule::new().allowed_origin("http://*.example.org").allowed_method("HEAD"),
    ];
    let put = bucket.put_bucket_cors().rules(rules.clone()).response_vary(true).send().unwrap();
    assert_eq!(put.meta.status, 200);
    let read = bucket.get_bucket_cors().send().unwrap();
    assert_eq!(read.meta.status, 200);
    assert_eq!(read.rules, rules);
    assert_eq!(read.response_vary, Some(true));

    let allowed = bucket
        .options_object("photos/a.jpg")
        .origin("https://app.example.com")
        .access_control_request_method("PUT")
        .access_control_request_headers("Content-Type, x-cos-meta-author")
        .send()
        .unwrap();
    assert_eq!((allowed.meta.status, allowed.options_forbidden), (200, false));
    assert_eq!(allowed.access_control_allow_origin.as_deref(), Some("https://app.example.com"));
    assert_eq!(allowed.access_control_allow_methods, ["GET", "PUT"]);
    assert_eq!(allowed.access_control_allow_headers, ["Content-Type", "x-cos-meta-author"]);
    assert_eq!(allowed.access_control_expose_headers, ["ETag", "x-cos-request-id"]);
    assert_eq!(allowed.access_control_max_age, Some(600));
    assert_eq!(
        allowed.meta.header("vary"),
        Some("Origin,Access-Control-Request-Headers,Access-Control-Request-Method")
    );
    let wildcard = bucket.options_object("a").origin("http://cdn.example.org").access_control_request_method("HEAD");
    let wildcard = wildcard.send().unwrap();
    assert_eq!(wildcard.access_control_allow_origin.as_deref(), Some("http://cdn.example.org"));
    assert_eq!(
        (wildcard.access_control_allow_methods.clone(), wildcard.access_control_max_age),
        (vec!["HEAD".into()], None)
    );

    // A preflight is never signed: anonymous works the same.
    let anonymous = env.anonymous();
    for (origin, method, headers) in [
        ("https://evil.example.com", "GET", None),
        ("https://app.example.com", "DELETE", None),
        ("https://app.example.com", "PUT", Some("x-cos-acl")),
        ("https://cdn.example.org", "HEAD", None),
    ] {
        let mut preflight = anonymous.options_object("a.txt").origin(origin).access_control_request_method(method);
        if let Some(h) = headers {
            preflight = preflight.access_control_request_headers(h);
        }
        let out = preflight.send().unwrap();
        assert_eq!((out.meta.status, out.options_forbidden), (403, true), "{origin} {method} {headers:?}");
        assert_eq!(out.access_control_allow_origin, None);
    }
    assert!(matches!(
        bucket.options_object("a.txt").access_control_request_method("GET").send(),
        Err(Error::InvalidArgument { field: "origin", .. })
    ));
    let bad_rule = bucket.put_bucket_cors().rule(CorsRule::new().allowed_origin("*").allowed_method("PATCH")).send();
    assert!(matches!(bad_rule, Err(Error::InvalidArgument { field: "cors_rules", .. })), "{bad_rule:?}");

    assert_eq!(bucket.delete_bucket_cors().send().unwrap().meta.status, 204);
    assert!(bucket.get_bucket_cors().send().unwrap().rules.is_empty());
    let after = bucket.options_object("a.txt").origin("https://app.example.com").access_control_request_method("GET");
    assert!(after.send().unwrap().options_forbidden);
    assert_eq!(failure(env.other().put_bucket_cors().rules(rules).send()), (403, "AccessDenied".into()));
}
