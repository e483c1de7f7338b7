//! Service, buckets and listings.

use tencent_cos::Error;

use crate::support::capability_support::{BUCKET, Env, OWNER_ID, REGION, etag_of, failure};

/// GET Service lists the account's buckets, sorted, with their region.
pub fn get_service_lists_buckets(env: &Env) {
    let client = env.client();
    let empty = client.get_service().send().unwrap();
    assert_eq!(empty.meta.status, 200);
    assert!(empty.buckets.is_empty());
    assert_eq!(empty.owner.id, OWNER_ID);

    for name in ["zeta-1250000000", BUCKET] {
        client.bucket(name).put_bucket().send().unwrap();
    }
    let listed = client.get_service().send().unwrap();
    let names: Vec<(&str, &str)> = listed.buckets.iter().map(|b| (b.name.as_str(), b.location.as_str())).collect();
    assert_eq!(names, [(BUCKET, REGION), ("zeta-1250000000", REGION)]);
    assert!(listed.buckets.iter().all(|b| b.creation_date.ends_with('Z')), "{:?}", listed.buckets);
    assert!(listed.meta.request_id().is_some_and(|id| !id.is_empty()));
}

/// PUT, HEAD, location, BucketAlreadyOwnedByYou / BucketAlreadyExists, BucketNotEmpty, DELETE.
pub fn bucket_lifecycle(env: &Env) {
    let bucket = env.bucket();
    let missing = bucket.head_bucket().send().unwrap_err();
    // HEAD answers carry no body: the code is the status.
    assert_eq!((missing.status(), missing.code()), (Some(404), Some("404")));
    assert_eq!(failure(bucket.get_bucket_location().send()), (404, "NoSuchBucket".into()));

    let created = bucket.put_bucket().send().unwrap();
    assert_eq!(created.meta.status, 200);
    assert_eq!(failure(bucket.put_bucket().send()), (409, "BucketAlreadyOwnedByYou".into()));
    assert_eq!(failure(env.other().put_bucket().send()), (409, "BucketAlreadyExists".into()));

    let head = bucket.head_bucket().send().unwrap();
    assert_eq!(head.meta.status, 200);
    assert_eq!(head.bucket_region.as_deref(), Some(REGION));
    assert_eq!(bucket.get_bucket_location().send().unwrap().location_constraint, REGION);

    bucket.put_object("keep.txt").body("x").send().unwrap();
    let not_empty = bucket.delete_bucket().send().unwrap_err();
    assert_eq!((not_empty.status(), not_empty.code()), (Some(409), Some("BucketNotEmpty")));
    assert_eq!(not_empty.service().unwrap().message, "The bucket you tried to delete is not empty.");
    assert_eq!(env.emulator.bucket_names(), [BUCKET]);

    bucket.delete_object("keep.txt").send().unwrap();
    assert_eq!(bucket.delete_bucket().send().unwrap().meta.status, 204);
    assert!(env.emulator.bucket_names().is_empty());
    assert!(bucket.head_bucket().send().unwrap_err().is_not_found());
    assert!(env.client().get_service().send().unwrap().buckets.is_empty());
}

/// The keys of the listing tests, in UTF-8 byte order.
const KEYS: [&str; 8] =
    ["a b+c.txt", "a/1.txt", "a/2.txt", "a/b/3.txt", "b.txt", "c/x.txt", "e\u{301}.txt", "z\u{7}bell"];

/// GET Bucket: prefix, delimiter, marker, max-keys, encoding-type url, and both pagers.
pub fn get_bucket_listing(env: &Env) {
    let bucket = env.create_bucket();
    for (i, key) in KEYS.iter().enumerate() {
        bucket.put_object(*key).body(vec![b'x'; i]).send().unwrap();
    }
    // A control character cannot travel in XML 1.0: without encoding-type=url COS writes it
    // raw, and the answer is recovered (as the Go SDK does) with the key intact.
    let raw: Vec<String> =
        bucket.get_bucket().prefix("z").send().unwrap().contents.into_iter().map(|o| o.key).collect();
    assert_eq!(raw, ["z\u{7}bell"]);
    // The pager asks for encoded keys by itself: that key cannot break it.
    let paged: Vec<String> = bucket.list_objects_iter("z").map(|o| o.unwrap().key).collect();
    assert_eq!(paged, ["z\u{7}bell"]);
    let paged: Vec<String> = bucket.get_bucket().max_keys(2).objects().map(|o| o.unwrap().key).collect();
    assert_eq!(paged, KEYS);
    let all = bucket.get_bucket().encoding_type("url").send().unwrap();
    assert_eq!(all.meta.status, 200);
    assert_eq!(all.name, BUCKET);
    assert_eq!(all.encoding_type.as_deref(), Some("url"));
    assert!(!all.is_truncated);
    let keys: Vec<&str> = all.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, KEYS);
    for (i, object) in all.contents.iter().enumerate() {
        assert_eq!((object.size, object.etag.as_str()), (i as u64, etag_of(&vec![b'x'; i]).as_str()));
        assert_eq!(object.storage_class, "STANDARD");
        // A listing names the owner by uin (COS's documented form), not the qcs:: ID.
        assert_eq!(object.owner.as_ref().map(|o| o.id.as_str()), Some("1250000000"));
    }

    let folder = bucket.get_bucket().prefix("a/").delimiter("/").send().unwrap();
    let keys: Vec<&str> = folder.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["a/1.txt", "a/2.txt"]);
    assert_eq!(folder.common_prefixes, ["a/b/"]);
    assert_eq!((folder.prefix.as_str(), folder.delimiter.as_deref()), ("a/", Some("/")));

    let root = bucket.get_bucket().delimiter("/").marker("a b+c.txt").encoding_type("url").send().unwrap();
    let keys: Vec<&str> = root.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["b.txt", "e\u{301}.txt", "z\u{7}bell"]);
    assert_eq!(root.common_prefixes, ["a/", "c/"]);
    assert_eq!(root.marker, "a b+c.txt");

    let page = bucket.get_bucket().prefix("a").max_keys(2).send().unwrap();
    assert!(page.is_truncated);
    assert_eq!(page.max_keys, Some(2));
    assert_eq!(page.next_marker.as_deref(), Some("a/1.txt"));
    let keys: Vec<&str> = page.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["a b+c.txt", "a/1.txt"]);

    // The pager follows NextMarker page by page, and stops.
    let paged: Vec<String> =
        bucket.get_bucket().max_keys(3).encoding_type("url").objects().map(|o| o.unwrap().key).collect();
    assert_eq!(paged, KEYS);
    let under_a: Vec<String> = bucket.list_objects_iter("a/").map(|o| o.unwrap().key).collect();
    assert_eq!(under_a, ["a/1.txt", "a/2.txt", "a/b/3.txt"]);

    assert!(matches!(bucket.get_bucket().max_keys(0).send(), Err(Error::InvalidArgument { field: "max_keys", .. })));
    assert_eq!(failure(env.client().bucket("nosuch-1250000000").get_bucket().send()), (404, "NoSuchBucket".into()));
}
