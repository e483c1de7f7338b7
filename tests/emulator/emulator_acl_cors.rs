//! ACLs (canned, grant headers, AccessControlPolicy bodies; buckets and objects; enforced) and
//! CORS (stored, returned, preflights evaluated), on both fronts.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness, Raw};
use tencent_cos::emulator::{Account, DEFAULT_APPID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};

const DECL: &str = "<?xml version='1.0' encoding='utf-8' ?>\n";
const OWNER: &str = "qcs::cam::uin/1250000000:uin/1250000000";
const BOB: &str = "qcs::cam::uin/100000000002:uin/100000000002";
const USER: &str = r#"<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">"#;
const GROUP: &str = r#"<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">"#;

fn user_grant(id: &str, display: &str, permission: &str) -> String {
    format!(
        "<Grant>{USER}<ID>{id}</ID><DisplayName>{display}</DisplayName></Grantee><Permission>{permission}</Permission></Grant>"
    )
}

fn all_users(permission: &str) -> String {
    format!(
        "<Grant>{GROUP}<URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>{permission}</Permission></Grant>"
    )
}

fn policy(grants: &[String]) -> String {
    format!(
        "{DECL}<AccessControlPolicy><Owner><ID>{OWNER}</ID><DisplayName>1250000000</DisplayName></Owner><AccessControlList>{}</AccessControlList></AccessControlPolicy>",
        grants.concat()
    )
}

fn bucket_acl_forms(h: &Harness) {
    h.create_bucket();
    let get = || h.send(BUCKET, Raw::get().query("acl", "")).ok();
    let initial = get();
    assert_eq!(initial.text(), policy(&[user_grant(OWNER, "1250000000", "FULL_CONTROL")]));
    assert_eq!(initial.header("x-cos-acl"), Some("private"));

    h.send(
        BUCKET,
        Raw::put()
            .query("acl", "")
            .header("x-cos-acl", "public-read")
            .header("x-cos-grant-read", &format!("id=\"{BOB}\""))
            .header("x-cos-grant-write-acp", &format!("id=\"{BOB}\", id=\"{BOB}\"")),
    )
    .ok();
    let r = get();
    assert_eq!(
        r.text(),
        policy(&[
            all_users("READ"),
            user_grant(BOB, "100000000002", "READ"),
            user_grant(BOB, "100000000002", "WRITE_ACP"),
        ])
    );
    assert_eq!(r.header("x-cos-acl"), Some("public-read"));

    // The body form replaces everything with exactly its grants.
    let body = format!(
        "<AccessControlPolicy><Owner><ID>{OWNER}</ID></Owner><AccessControlList><Grant><Grantee><ID>{BOB}</ID></Grantee><Permission>WRITE</Permission></Grant><Grant><Grantee><ID>{OWNER}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"
    );
    h.send(BUCKET, Raw::put().query("acl", "").xml(&body)).ok();
    let r = get();
    assert_eq!(
        r.text(),
        policy(&[
            user_grant(BOB, "100000000002", "WRITE"),
            user_grant(OWNER, "1250000000", "FULL_CONTROL"),
            all_users("READ")
        ])
    );
    assert_eq!(r.header("x-cos-acl"), Some("public-read"));

    let put_acl = |op: Raw| h.send(BUCKET, op.query("acl", "")).code();
    assert_eq!(put_acl(Raw::put()), (400, "InvalidRequest".into()));
    assert_eq!(put_acl(Raw::put().header("x-cos-acl", "public")), (400, "InvalidArgument".into()));
    assert_eq!(put_acl(Raw::put().header("x-cos-acl", "default")), (400, "InvalidArgument".into()));
    assert_eq!(put_acl(Raw::put().header("x-cos-grant-read", "bob")), (400, "InvalidArgument".into()));
    assert_eq!(
        put_acl(Raw::put().header("x-cos-grant-read", "uri=\"http://example.com\"")),
        (400, "InvalidArgument".into())
    );
    assert_eq!(put_acl(Raw::put().xml("<AccessControlPolicy>")), (400, "MalformedXML".into()));
    assert_eq!(put_acl(Raw::put().xml("<Acl/>")), (400, "MalformedXML".into()));
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><AccessControlPolicy>&y;</AccessControlPolicy>"#;
    assert_eq!(put_acl(Raw::put().xml(bomb)), (400, "MalformedXML".into()));
    assert_eq!(
        put_acl(Raw::put().header("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==").body(body.clone())),
        (400, "BadDigest".into())
    );
}

fn with_bob() -> Emulator {
    Emulator::builder()
        .account(Account::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, DEFAULT_APPID))
        .account(Account::new("AKIDbob", "bob-key", 1_260_000_000).with_uin("100000000002"))
        .build()
}

#[test]
fn grants_are_enforced_for_other_accounts() {
    for front in [Front::InProcess, Front::Http] {
        let h = Harness::new(front, with_bob());
        h.create_bucket();
        h.put("doc.txt", b"doc");
        let bob = h.client_with("AKIDbob", "bob-key");
        let bob_bucket = bob.bucket(BUCKET);
        let denied = (403, "AccessDenied".to_owned());
        assert_eq!(bob_bucket.execute(Raw::get()).unwrap().code(), denied);
        assert_eq!(bob_bucket.execute(Raw::get().key("doc.txt")).unwrap().code(), denied);

        let grant = |header: &str| {
            h.send(
                BUCKET,
                Raw::put().query("acl", "").header(header, "id=\"qcs::cam::uin/1250000000:uin/100000000002\""),
            )
            .ok()
        };
        grant("x-cos-grant-read");
        assert_eq!(bob_bucket.execute(Raw::get()).unwrap().status, 200);
        assert_eq!(bob_bucket.execute(Raw::get().key("doc.txt")).unwrap().body, b"doc");
        assert_eq!(bob_bucket.execute(Raw::put().key("bob.txt").body("b")).unwrap().code(), denied);
        assert_eq!(bob_bucket.execute(Raw::get().query("acl", "")).unwrap().code(), denied);
        assert_eq!(h.service(&bob).ok().texts("Name"), Vec::<String>::new());

        grant("x-cos-grant-write");
        assert_eq!(bob_bucket.execute(Raw::put().key("bob.txt").body("b")).unwrap().status, 200);
        assert_eq!(bob_bucket.execute(Raw::get().key("doc.txt")).unwrap().code(), denied, "a new grant replaced READ");
        assert_eq!(bob_bucket.execute(Raw::delete()).unwrap().code(), denied);

        grant("x-cos-grant-full-control");
        assert_eq!(bob_bucket.execute(Raw::get().query("acl", "")).unwrap().status, 200);
        // Objects Bob wrote are his: their ACL names him as owner.
        let bob_acl = bob_bucket.execute(Raw::get().key("bob.txt").query("acl", "")).unwrap().ok();
        assert_eq!(bob_acl.text_of("ID"), "qcs::cam::uin/100000000002:uin/100000000002");
    }
}

/// A PUT ?acl with grants replaces the ACL: one grant written reads back as exactly one, on a
/// bucket and on an object, by header and by body; a canned ACL alone lists the owner again.
fn acl_writes_replace(h: &Harness) {
    h.create_bucket();
    h.put("one.txt", b"1");
    let bob_read = policy(&[user_grant(BOB, "100000000002", "READ")]);
    let body = format!(
        "<AccessControlPolicy><Owner><ID>{OWNER}</ID></Owner><AccessControlList><Grant><Grantee><ID>{BOB}</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"
    );
    for key in [None, Some("one.txt")] {
        let op = |raw: Raw| match key {
            Some(k) => raw.key(k).query("acl", ""),
            None => raw.query("acl", ""),
        };
        let by_header = h.send(BUCKET, op(Raw::put()).header("x-cos-grant-read", &format!("id=\"{BOB}\""))).ok();
        assert_eq!((by_header.status, by_header.text()), (200, String::new()));
        let r = h.send(BUCKET, op(Raw::get())).ok();
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), bob_read, "{key:?} by header");
        assert_eq!(r.header("x-cos-acl"), Some(if key.is_some() { "default" } else { "private" }));

        h.send(BUCKET, op(Raw::put()).header("x-cos-acl", "private")).ok();
        let r = h.send(BUCKET, op(Raw::get())).ok();
        assert_eq!(r.text(), policy(&[user_grant(OWNER, "1250000000", "FULL_CONTROL")]), "{key:?} canned");

        h.send(BUCKET, op(Raw::put()).xml(&body)).ok();
        let r = h.send(BUCKET, op(Raw::get())).ok();
        assert_eq!(r.text(), bob_read, "{key:?} by body");
        assert_eq!(r.header("x-cos-acl"), Some("private"));

        // The same grant written twice is still one grant.
        h.send(BUCKET, op(Raw::put()).header("x-cos-grant-read", &format!("id=\"{BOB}\", id=\"{BOB}\""))).ok();
        assert_eq!(h.send(BUCKET, op(Raw::get())).ok().text(), bob_read, "{key:?} twice");
    }
}

fn object_acls(h: &Harness) {
    h.create_bucket();
    h.put("plain.txt", b"x");
    let get = |key: &str| h.send(BUCKET, Raw::get().key(key).query("acl", "")).ok();
    let plain = get("plain.txt");
    assert_eq!(plain.header("x-cos-acl"), Some("default"));
    assert_eq!(plain.text(), policy(&[user_grant(OWNER, "1250000000", "FULL_CONTROL")]));

    h.send(BUCKET, Raw::put().key("plain.txt").query("acl", "").header("x-cos-acl", "public-read")).ok();
    let public = get("plain.txt");
    assert_eq!(public.header("x-cos-acl"), Some("public-read"));
    assert_eq!(public.text(), policy(&[user_grant(OWNER, "1250000000", "FULL_CONTROL"), all_users("READ")]));
    assert_eq!(h.anonymous().bucket(BUCKET).execute(Raw::get().key("plain.txt")).unwrap().body, b"x");
    // Changing the ACL keeps the bytes and metadata.
    assert_eq!(h.emulator.object_bytes(BUCKET, "plain.txt"), Some(b"x".to_vec()));

    let body = format!(
        "<AccessControlPolicy><Owner><ID>{OWNER}</ID></Owner><AccessControlList><Grant><Grantee><ID>{BOB}</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"
    );
    h.send(BUCKET, Raw::put().key("plain.txt").query("acl", "").xml(&body)).ok();
    let r = get("plain.txt");
    assert_eq!(r.header("x-cos-acl"), Some("private"));
    assert_eq!(r.text(), policy(&[user_grant(BOB, "100000000002", "READ")]));
    assert_eq!(h.anonymous().bucket(BUCKET).execute(Raw::get().key("plain.txt")).unwrap().status, 403);

    assert_eq!(h.send(BUCKET, Raw::get().key("ghost").query("acl", "")).code(), (404, "NoSuchKey".into()));
    assert_eq!(
        h.send(BUCKET, Raw::put().key("ghost").query("acl", "").header("x-cos-acl", "private")).code(),
        (404, "NoSuchKey".into())
    );
    let grant_with_create = h
        .send(BUCKET, Raw::put().key("granted.txt").header("x-cos-grant-read", &format!("id=\"{BOB}\"")).body("g"))
        .ok();
    assert_eq!(grant_with_create.status, 200);
    let g = get("granted.txt");
    assert_eq!(g.header("x-cos-acl"), Some("default"));
    assert_eq!(g.text(), policy(&[user_grant(BOB, "100000000002", "READ")]));
}

const CORS: &str = "<CORSConfiguration><CORSRule><ID>site</ID><AllowedOrigin>https://www.example.com</AllowedOrigin><AllowedOrigin>http://*.example.org</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-cos-meta-author</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>POST</AllowedMethod><AllowedHeader>x-cos-meta-*</AllowedHeader></CORSRule></CORSConfiguration>";

fn preflight(
    h: &Harness,
    origin: Option<&str>,
    method: Option<&str>,
    headers: Option<&str>,
) -> emulator_support::RawResponse {
    let mut op = Raw::options().key("any/object.jpg");
    if let Some(o) = origin {
        op = op.header("Origin", o);
    }
    if let Some(m) = method {
        op = op.header("Access-Control-Request-Method", m);
    }
    if let Some(hd) = headers {
        op = op.header("Access-Control-Request-Headers", hd);
    }
    // Browsers never sign a preflight.
    h.anonymous().bucket(BUCKET).execute(op).unwrap()
}

fn cors_configuration(h: &Harness) {
    h.create_bucket();
    let get = || h.send(BUCKET, Raw::get().query("cors", ""));
    let none = get();
    assert_eq!(none.code(), (404, "NoSuchCORSConfiguration".into()));
    assert_eq!(
        preflight(h, Some("https://www.example.com"), Some("GET"), None).code(),
        (403, "AccessForbidden".into())
    );

    h.send(BUCKET, Raw::put().query("cors", "").xml(CORS)).ok();
    assert_eq!(get().ok().text(), format!("{DECL}{CORS}"));
    assert_eq!(h.anonymous().bucket(BUCKET).execute(Raw::get().query("cors", "")).unwrap().status, 403);

    let ok = preflight(h, Some("https://www.example.com"), Some("PUT"), Some("content-type,x-cos-meta-author"));
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.header("access-control-allow-origin"), Some("https://www.example.com"));
    assert_eq!(ok.header("access-control-allow-methods"), Some("GET,PUT,HEAD"));
    assert_eq!(ok.header("access-control-allow-headers"), Some("content-type,x-cos-meta-author"));
    assert_eq!(ok.header("access-control-expose-headers"), Some("ETag,x-cos-meta-author"));
    assert_eq!(ok.header("access-control-max-age"), Some("600"));
    assert!(ok.body.is_empty());

    let wild = preflight(h, Some("http://cdn.example.org"), Some("GET"), None);
    assert_eq!(wild.header("access-control-allow-origin"), Some("http://cdn.example.org"));
    assert_eq!(wild.header("access-control-allow-headers"), None);
    let any = preflight(h, Some("https://elsewhere.net"), Some("POST"), Some("X-Cos-Meta-Trace"));
    assert_eq!((any.status, any.header("access-control-allow-origin")), (200, Some("*")));

    let forbidden = (403, "AccessForbidden".to_owned());
    assert_eq!(preflight(h, Some("https://evil.example.net"), Some("GET"), None).code(), forbidden);
    assert_eq!(preflight(h, Some("https://www.example.com"), Some("DELETE"), None).code(), forbidden);
    assert_eq!(preflight(h, Some("https://elsewhere.net"), Some("POST"), Some("content-type")).code(), forbidden);
    assert_eq!(preflight(h, None, Some("GET"), None).code(), (400, "BadRequest".into()));
    assert_eq!(preflight(h, Some("https://www.example.com"), None, None).code(), (400, "BadRequest".into()));

    // An actual cross-origin request gets the Allow-Origin header of the matching rule.
    h.put("x", b"x");
    let actual = h.send(BUCKET, Raw::get().key("x").header("Origin", "https://www.example.com")).ok();
    assert_eq!(actual.header("access-control-allow-origin"), Some("https://www.example.com"));
    assert_eq!(actual.header("access-control-expose-headers"), Some("ETag,x-cos-meta-author"));
    let other = h.send(BUCKET, Raw::get().key("x").header("Origin", "https://evil.example.net")).ok();
    assert_eq!(other.header("access-control-allow-origin"), None);

    for bad in [
        "<CORSConfiguration/>",
        "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>",
    ] {
        assert_eq!(h.send(BUCKET, Raw::put().query("cors", "").xml(bad)).code(), (400, "MalformedXML".into()), "{bad}");
    }
    let patch = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>";
    assert_eq!(h.send(BUCKET, Raw::put().query("cors", "").xml(patch)).code(), (400, "InvalidArgument".into()));
    assert_eq!(get().ok().text(), format!("{DECL}{CORS}"), "a refused PUT leaves the rules");

    assert_eq!(h.send(BUCKET, Raw::delete().query("cors", "")).status, 204);
    assert_eq!(get().code(), (404, "NoSuchCORSConfiguration".into()));
    assert_eq!(preflight(h, Some("https://www.example.com"), Some("GET"), None).code(), forbidden);
    let nobucket = h
        .anonymous()
        .bucket("ghost-1250000000")
        .execute(Raw::options().key("k").header("Origin", "https://a").header("Access-Control-Request-Method", "GET"))
        .unwrap();
    assert_eq!(nobucket.code(), (404, "NoSuchBucket".into()));
}

on_both_fronts!(bucket_acl_forms, object_acls, acl_writes_replace, cors_configuration);
