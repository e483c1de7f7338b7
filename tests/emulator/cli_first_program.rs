//! Issue 15's library ergonomics, written as a first program from the docs alone would write
//! them, against the in-process emulator: each line here failed to compile or surprised once.

use std::sync::{Arc, Mutex};

use tencent_cos::api::Entry;
use tencent_cos::emulator::{DEFAULT_REGION, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::transfer::ProgressInfo;
use tencent_cos::{Client, TemporaryCredentials};

const BUCKET: &str = "first-1250000000";

#[test]
fn a_first_program_from_the_docs_compiles_and_runs() {
    let emulator = Emulator::new();
    let client = Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region(DEFAULT_REGION)
        .transport(emulator.clone())
        .build()
        .unwrap();
    let bucket = client.bucket(BUCKET);
    bucket.put_bucket().send().unwrap();

    // `meta` takes the same `Into<String>` on a simple put and on a managed upload.
    let data: Vec<u8> = (0..200u8).collect();
    let fractions = Arc::new(Mutex::new(Vec::new()));
    let seen = fractions.clone();
    bucket
        .put_object("dir/a.bin")
        .meta("owner", String::from("me"))
        .body(data.clone())
        .on_progress(move |p: &ProgressInfo| seen.lock().unwrap().push(p.fraction))
        .send()
        .unwrap();
    // `ProgressInfo::fraction` is 0..=1, not a percentage.
    assert_eq!(fractions.lock().unwrap().last(), Some(&1.0));
    bucket.upload_reader("dir/b.bin", &b"bee"[..]).meta("owner", "me").send().unwrap();

    // `range(0..100)`, `range(0..=99)` and `range(10..)` all compile and mean what Rust means.
    for (range, bytes) in [
        (bucket.get_object("dir/a.bin").range(0..100).send().unwrap(), &data[..100]),
        (bucket.get_object("dir/a.bin").range(0..=99).send().unwrap(), &data[..100]),
        (bucket.get_object("dir/a.bin").range(10..).send().unwrap(), &data[10..]),
    ] {
        assert_eq!(range.bytes().unwrap(), bytes);
    }

    // A part's ETag is a `String`, not an `Option`.
    let upload_id = bucket.multipart_init("dir/c.bin").send().unwrap().upload_id;
    let etag: String = bucket.multipart_upload("dir/c.bin", &upload_id, 1, b"c".to_vec()).send().unwrap().etag;
    assert_eq!(etag, "\"4a8a08f09d37b73795649038408b5f33\"");

    // Listing: a typed time, and one iterator over objects and common prefixes alike.
    bucket.put_object("top.txt").body("t").send().unwrap();
    let entries: Vec<Entry> = bucket.get_bucket().delimiter("/").entries().collect::<Result<_, _>>().unwrap();
    let names: Vec<String> = entries
        .iter()
        .map(|e| match e {
            Entry::Prefix(p) => p.clone(),
            Entry::Object(o) => {
                assert!(o.last_modified_time().is_some(), "{o:?}");
                o.key.clone()
            }
        })
        .collect();
    assert_eq!(names, ["dir/", "top.txt"]);

    // `endpoint_url` keeps the builder chain; a bad URL is refused by `build`, naming it.
    let refused = Client::builder().secret("id", "key").region("ap-guangzhou").endpoint_url("nope").build();
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(message, "invalid argument `endpoint_url`: \"nope\" must start with http:// or https://");

    // A provider of temporary keys as a closure: no type annotations needed.
    let tmp = TemporaryCredentials {
        tmp_secret_id: "AKIDtmp".into(),
        tmp_secret_key: "tmpkey".into(),
        security_token: "token".into(),
        expired_time: u64::MAX / 2,
        start_time: None,
    };
    let built = Client::builder().temporary_credentials(move || Ok(tmp.clone())).region("ap-guangzhou").build();
    assert!(built.is_ok());
}
