//! Buckets (create, conflicts, head, location, delete, GET Service) and listing semantics, on
//! the emulator in-process and over HTTP.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness, Raw};
use tencent_cos::Scope;
use tencent_cos::emulator::{Account, DEFAULT_APPID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::http::{Body, Method, Request};
use tencent_cos::transport::Transport;

fn two_accounts() -> Emulator {
    Emulator::builder()
        .account(Account::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, DEFAULT_APPID))
        .account(Account::new("AKIDsubaccount", "sub-key", DEFAULT_APPID).with_uin("100000000002"))
        .account(Account::new("AKIDother", "other-key", 1_260_000_000))
        .build()
}

#[test]
fn create_and_conflicts() {
    for front in [Front::InProcess, Front::Http] {
        let h = Harness::new(front, two_accounts());
        let r = h.send(BUCKET, Raw::put());
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.body.is_empty());
        assert!(r.header("x-cos-request-id").is_some());
        assert_eq!(h.send(BUCKET, Raw::put()).code(), (409, "BucketAlreadyOwnedByYou".into()));
        let sub = h.client_with("AKIDsubaccount", "sub-key");
        assert_eq!(sub.bucket(BUCKET).execute(Raw::put()).unwrap().code(), (409, "BucketAlreadyExists".into()));
        let other = h.client_with("AKIDother", "other-key");
        let r = other.bucket("theirs-1250000000").execute(Raw::put()).unwrap();
        assert_eq!(r.code(), (403, "AccessDenied".into()), "another appid's bucket name");
        assert_eq!(other.bucket("theirs-1260000000").execute(Raw::put()).unwrap().status, 200);
        assert_eq!(
            h.anonymous().bucket("anon-1250000000").execute(Raw::put()).unwrap().code(),
            (403, "AccessDenied".into())
        );
        assert_eq!(h.emulator.bucket_names(), [BUCKET, "theirs-1260000000"]);
    }
}

#[test]
fn invalid_bucket_name_is_refused() {
    // The client refuses such names before sending, so sign one by hand.
    let emulator = Emulator::new();
    let now = emulator.now();
    let auth = tencent_cos::unversioned::signing::sign_parts(
        DEFAULT_SECRET_ID,
        DEFAULT_SECRET_KEY,
        "PUT",
        "/Bad_Name-1250000000/",
        std::iter::empty(),
        [("Host", "127.0.0.1")].into_iter(),
        now - 1,
        now + 60,
    );
    let request = Request {
        method: Method::Put,
        url: "http://127.0.0.1/Bad_Name-1250000000/".into(),
        headers: [("Host", "127.0.0.1"), ("Authorization", auth.as_str())].into_iter().collect(),
        body: Body::Empty,
    };
    let mut response = emulator.send(request).unwrap();
    let body = response.read_body(1 << 20).unwrap();
    let e = tencent_cos::unversioned::xml::parse_service_error(response.status, &response.headers, &body);
    assert_eq!((e.status, e.code.as_str()), (400, "InvalidBucketName"));
}

fn head_and_location(h: &Harness) {
    let missing = h.send(BUCKET, Raw::head());
    assert_eq!((missing.status, missing.body.len()), (404, 0));
    h.send(BUCKET, Raw::put()).ok();
    let r = h.send(BUCKET, Raw::head()).ok();
    assert_eq!(r.header("x-cos-bucket-region"), Some("ap-guangzhou"));
    let loc = h.send(BUCKET, Raw::get().query("location", "")).ok();
    assert_eq!(
        loc.text(),
        "<?xml version='1.0' encoding='utf-8' ?>\n<LocationConstraint>ap-guangzhou</LocationConstraint>"
    );
    assert_eq!(loc.header("content-type"), Some("application/xml"));
    assert_eq!(h.anonymous().bucket(BUCKET).execute(Raw::head()).unwrap().status, 403);
    if h.front == Front::InProcess {
        // A virtual-hosted request for another region does not find the bucket.
        let elsewhere = h.client().bucket_in(BUCKET, "ap-beijing").execute(Raw::head()).unwrap();
        assert_eq!(elsewhere.status, 404);
    }
}

fn delete_bucket(h: &Harness) {
    h.send(BUCKET, Raw::put()).ok();
    h.send(BUCKET, Raw::put().key("a.txt").body("x")).ok();
    h.send(BUCKET, Raw::post().key("pending").query("uploads", "")).ok();
    assert_eq!(h.send(BUCKET, Raw::delete()).code(), (409, "BucketNotEmpty".into()));
    assert_eq!(h.anonymous().bucket(BUCKET).execute(Raw::delete()).unwrap().code(), (403, "AccessDenied".into()));
    assert_eq!(h.send(BUCKET, Raw::delete().key("a.txt")).status, 204);
    assert_eq!(h.send(BUCKET, Raw::delete()).status, 204);
    assert_eq!(h.send(BUCKET, Raw::head()).status, 404);
    assert_eq!(h.send(BUCKET, Raw::delete()).code(), (404, "NoSuchBucket".into()));
    assert!(h.emulator.bucket_names().is_empty());
}

fn get_service(h: &Harness) {
    h.send(BUCKET, Raw::put()).ok();
    h.send("second-1250000000", Raw::put()).ok();
    let r = h.service(&h.client()).ok();
    assert_eq!(r.texts("Name"), [BUCKET, "second-1250000000"]);
    assert_eq!(r.texts("Location"), ["ap-guangzhou", "ap-guangzhou"]);
    assert_eq!(r.text_of("ID"), "qcs::cam::uin/1250000000:uin/1250000000");
    let created = r.text_of("CreationDate");
    assert!(created.len() == 24 && created.ends_with(".000Z") && created.as_bytes()[10] == b'T', "{created}");
    assert_eq!(h.service(&h.anonymous()).code(), (403, "AccessDenied".into()));
    if h.front == Front::InProcess {
        let beijing = h.client().execute(Scope::Service { region: Some("ap-beijing") }, Raw::get()).unwrap().ok();
        assert!(beijing.texts("Name").is_empty());
    }
}

const KEYS: &[&str] =
    &["a/1.txt", "a/2.txt", "a/b/3.txt", "b.txt", "c d/e.txt", "z", "~tilde", "é.txt", "中文.txt", "中文/x"];

fn populated(h: &Harness) {
    h.send(BUCKET, Raw::put()).ok();
    // Out of order on purpose.
    for k in KEYS.iter().rev() {
        h.put(k, k.as_bytes());
    }
}

fn list(h: &Harness, query: &[(&str, &str)]) -> emulator_support::RawResponse {
    let mut op = Raw::get();
    for (n, v) in query {
        op = op.query(n, v);
    }
    h.send(BUCKET, op)
}

fn listing_order_prefix_delimiter(h: &Harness) {
    populated(h);
    let all = list(h, &[]).ok();
    // UTF-8 byte order: '~' (0x7E) before 'é' (0xC3) before '中' (0xE4).
    assert_eq!(all.texts("Key"), KEYS);
    assert_eq!(all.text_of("MaxKeys"), "1000");
    assert_eq!(all.text_of("IsTruncated"), "false");
    assert!(all.texts("NextMarker").is_empty());
    assert_eq!(all.texts("Size")[0], "7");
    assert_eq!(all.texts("ETag")[0], format!("\"{}\"", tencent_cos::checksum::md5_hex(b"a/1.txt")));
    assert_eq!(all.texts("StorageClass")[0], "STANDARD");

    let dirs = list(h, &[("delimiter", "/")]).ok();
    assert_eq!(dirs.texts("Key"), ["b.txt", "z", "~tilde", "é.txt", "中文.txt"]);
    assert_eq!(dirs.texts("Prefix")[1..], ["a/", "c d/", "中文/"]);
    assert_eq!(dirs.text_of("Delimiter"), "/");

    let a = list(h, &[("prefix", "a/"), ("delimiter", "/")]).ok();
    assert_eq!(a.texts("Key"), ["a/1.txt", "a/2.txt"]);
    assert_eq!(a.texts("Prefix"), ["a/", "a/b/"]);

    let after = list(h, &[("marker", "b.txt")]).ok();
    assert_eq!(after.texts("Key"), KEYS[4..]);
    assert_eq!(after.text_of("Marker"), "b.txt");

    let none = list(h, &[("prefix", "nothing/")]).ok();
    assert!(none.texts("Key").is_empty());
}

fn listing_pages(h: &Harness) {
    populated(h);
    let first = list(h, &[("max-keys", "3")]).ok();
    assert_eq!(first.texts("Key"), KEYS[..3]);
    assert_eq!(first.text_of("IsTruncated"), "true");
    // COS returns NextMarker whenever the list is truncated (not only with a delimiter).
    assert_eq!(first.text_of("NextMarker"), "a/b/3.txt");
    let mut seen = Vec::new();
    let mut marker = String::new();
    loop {
        let page = list(h, &[("max-keys", "4"), ("marker", &marker)]).ok();
        seen.extend(page.texts("Key"));
        if page.text_of("IsTruncated") == "false" {
            assert!(page.texts("NextMarker").is_empty());
            break;
        }
        marker = page.text_of("NextMarker");
    }
    assert_eq!(seen, KEYS);

    // With a delimiter a common prefix counts as one entry and can be the NextMarker.
    let p1 = list(h, &[("delimiter", "/"), ("max-keys", "1")]).ok();
    assert_eq!(p1.texts("Prefix")[1..], ["a/"]);
    assert_eq!(p1.text_of("NextMarker"), "a/");
    let p2 = list(h, &[("delimiter", "/"), ("max-keys", "2"), ("marker", "a/")]).ok();
    assert_eq!(p2.texts("Key"), ["b.txt"]);
    assert_eq!(p2.texts("Prefix")[1..], ["c d/"]);
    assert_eq!(p2.text_of("NextMarker"), "c d/");

    assert_eq!(list(h, &[("max-keys", "5000")]).ok().text_of("MaxKeys"), "1000");
    let zero = list(h, &[("max-keys", "0")]).ok();
    assert!(zero.texts("Key").is_empty());
    assert_eq!(zero.text_of("IsTruncated"), "true");
    assert_eq!(list(h, &[("max-keys", "ten")]).code(), (400, "InvalidArgument".into()));
    assert_eq!(list(h, &[("max-keys", "-1")]).code(), (400, "InvalidArgument".into()));
}

fn listing_url_encoding(h: &Harness) {
    populated(h);
    let r = list(h, &[("encoding-type", "url"), ("prefix", "中文"), ("delimiter", "/")]).ok();
    assert_eq!(r.text_of("EncodingType"), "url");
    assert_eq!(r.texts("Key"), ["%E4%B8%AD%E6%96%87.txt"]);
    assert_eq!(r.texts("Prefix"), ["%E4%B8%AD%E6%96%87", "%E4%B8%AD%E6%96%87/"]);
    let spaced = list(h, &[("encoding-type", "url"), ("prefix", "c ")]).ok();
    assert_eq!(spaced.texts("Key"), ["c%20d/e.txt"]);
    assert_eq!(list(h, &[("encoding-type", "base64")]).code(), (400, "InvalidArgument".into()));
    assert_eq!(h.anonymous().bucket(BUCKET).execute(Raw::get()).unwrap().code(), (403, "AccessDenied".into()));
}

fn listing_default_page_is_1000(h: &Harness) {
    h.send(BUCKET, Raw::put()).ok();
    for i in 0..1003 {
        h.put(&format!("k{i:05}"), b"");
    }
    let page = list(h, &[]).ok();
    assert_eq!(page.texts("Key").len(), 1000);
    assert_eq!(page.text_of("IsTruncated"), "true");
    assert_eq!(page.text_of("NextMarker"), "k00999");
    let rest = list(h, &[("marker", "k00999")]).ok();
    assert_eq!(rest.texts("Key"), ["k01000", "k01001", "k01002"]);
}

on_both_fronts!(
    head_and_location,
    delete_bucket,
    get_service,
    listing_order_prefix_delimiter,
    listing_pages,
    listing_url_encoding,
    listing_default_page_is_1000,
);
