//! Object retention (object lock) against the emulator, on both fronts (in-process and HTTP):
//! the bucket's default retention on new objects, PUT / GET ?retention, DELETE and overwrite of a
//! retained object refused until the date passes, a retention only extended; and the request
//! the client builds, with its refusals before any request.

use crate::support::emulator_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use emulator_support::{BUCKET, Front, Harness, on_clock};
use tencent_cos::api::{
    GetObjectRetentionInput, ObjectLockConfiguration, PutObjectRetentionInput, Retention, VersioningStatus,
};
use tencent_cos::emulator::Emulator;
use tencent_cos::operation::Operation;
use tencent_cos::{Bucket, Client, Error};

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];
/// 2023-11-14T22:13:20Z.
const T0: u64 = 1_700_000_000;
const DAY: u64 = 86_400;

/// A harness whose emulator and client both read `clock`, with `BUCKET` created.
fn harness(front: Front, clock: &Arc<AtomicU64>) -> (Harness, Client) {
    let h = Harness::new(front, on_clock(clock).build());
    let client = h.client_on(clock);
    client.bucket(BUCKET).put_bucket().send().unwrap();
    (h, client)
}

/// `(status, code)` of a service error.
fn refused(e: Error) -> (u16, String) {
    match e {
        Error::Service(s) => (s.status, s.code),
        other => panic!("not a service error: {other:?}"),
    }
}

fn retention_of(b: &Bucket, key: &str) -> Result<Retention, Error> {
    Ok(b.get_object_retention(key).send()?.retention)
}

#[test]
fn default_retention_locks_new_objects_until_it_ends() {
    for front in FRONTS {
        let clock = Arc::new(AtomicU64::new(T0));
        let (h, client) = harness(front, &clock);
        let b = client.bucket(BUCKET);
        b.put_object("before.txt").body("old").send().unwrap();
        b.put_bucket_object_lock(ObjectLockConfiguration::enabled_for_days(2)).send().unwrap();
        b.put_object("locked.txt").body("kept").send().unwrap();

        let r = retention_of(&b, "locked.txt").unwrap();
        assert_eq!(r, Retention::compliance_until("2023-11-16T22:13:20.000Z"), "{front:?}: now + 2 days");
        assert_eq!(
            refused(retention_of(&b, "before.txt").unwrap_err()),
            (404, "NoSuchObjectLockConfiguration".into()),
            "{front:?}: written before the lock, never retained"
        );
        assert_eq!(refused(retention_of(&b, "missing.txt").unwrap_err()), (404, "NoSuchKey".into()), "{front:?}");

        assert_eq!(refused(b.delete_object("locked.txt").send().unwrap_err()), (403, "AccessDenied".into()));
        assert_eq!(refused(b.put_object("locked.txt").body("new").send().unwrap_err()), (403, "AccessDenied".into()));
        let copy = b.put_object_copy("locked.txt").copy_source_object(BUCKET, "ap-guangzhou", "before.txt");
        assert_eq!(refused(copy.send().unwrap_err()), (403, "AccessDenied".into()), "{front:?}: a copy onto it");
        assert_eq!(b.get_object("locked.txt").send().unwrap().bytes().unwrap(), b"kept", "{front:?}");
        assert_eq!(h.emulator.object_keys(BUCKET), ["before.txt", "locked.txt"], "{front:?}");

        // The unlocked object goes; the locked one once its date is reached.
        b.delete_object("before.txt").send().unwrap();
        clock.store(T0 + 2 * DAY - 1, Ordering::SeqCst);
        assert_eq!(refused(b.delete_object("locked.txt").send().unwrap_err()), (403, "AccessDenied".into()));
        clock.store(T0 + 2 * DAY, Ordering::SeqCst);
        b.put_object("locked.txt").body("replaced").send().unwrap();
        assert_eq!(
            retention_of(&b, "locked.txt").unwrap().retain_until_date,
            "2023-11-18T22:13:20.000Z",
            "{front:?}: the new object has its own default retention"
        );
        clock.store(T0 + 5 * DAY, Ordering::SeqCst);
        b.delete_object("locked.txt").send().unwrap();
        assert!(h.emulator.object_keys(BUCKET).is_empty(), "{front:?}");
    }
}

#[test]
fn put_retention_sets_and_extends_never_shortens() {
    for front in FRONTS {
        let clock = Arc::new(AtomicU64::new(T0));
        let (_h, client) = harness(front, &clock);
        let b = client.bucket(BUCKET);
        b.put_object("a.csv").body("1,2").send().unwrap();
        let day1 = Retention::compliance_until("2023-11-15T22:13:20Z");
        assert_eq!(
            refused(b.put_object_retention("a.csv", day1.clone()).send().unwrap_err()),
            (400, "InvalidRequest".into()),
            "{front:?}: no object lock on the bucket"
        );
        let lock_only =
            ObjectLockConfiguration { object_lock_enabled: Some("Enabled".into()), default_retention_days: None };
        b.put_bucket_object_lock(lock_only).send().unwrap();
        b.put_object("b.csv").body("3").send().unwrap();
        assert_eq!(refused(retention_of(&b, "b.csv").unwrap_err()).0, 404, "{front:?}: no default retention");

        let out = b.put_object_retention("a.csv", day1).send().unwrap();
        assert_eq!(out.meta.status, 200);
        assert_eq!(retention_of(&b, "a.csv").unwrap(), Retention::compliance_until("2023-11-15T22:13:20.000Z"));
        let earlier = Retention::compliance_until("2023-11-15T00:00:00Z");
        assert_eq!(
            refused(b.put_object_retention("a.csv", earlier).send().unwrap_err()),
            (403, "AccessDenied".into()),
            "{front:?}: shortened"
        );
        let day3 = Retention::compliance_until("2023-11-17T22:13:20.000Z");
        b.put_object_retention("a.csv", day3.clone()).send().unwrap();
        assert_eq!(retention_of(&b, "a.csv").unwrap(), day3, "{front:?}: extended");
        assert_eq!(refused(b.delete_object("a.csv").send().unwrap_err()), (403, "AccessDenied".into()));
        assert_eq!(b.get_object("a.csv").send().unwrap().bytes().unwrap(), b"1,2", "{front:?}: bytes kept");
        assert_eq!(
            refused(
                b.put_object_retention("missing", Retention::compliance_until("2030-01-01T00:00:00Z"))
                    .send()
                    .unwrap_err()
            ),
            (404, "NoSuchKey".into())
        );
    }
}

#[test]
fn on_a_versioned_bucket_only_the_retained_version_is_protected() {
    for front in FRONTS {
        let clock = Arc::new(AtomicU64::new(T0));
        let (_h, client) = harness(front, &clock);
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        b.put_bucket_object_lock(ObjectLockConfiguration::enabled_for_days(1)).send().unwrap();
        let v1 = b.put_object("k").body("one").send().unwrap().version_id.expect("v1");
        // A write adds a version and a delete adds a marker: nothing retained is removed.
        let v2 = b.put_object("k").body("two").send().unwrap().version_id.expect("v2");
        let marker = b.delete_object("k").send().unwrap();
        assert!(marker.delete_marker, "{front:?}");
        let r1 = b.get_object_retention("k").version_id(&v1).send().unwrap();
        assert_eq!(r1.retention.retain_until_date, "2023-11-15T22:13:20.000Z");
        assert_eq!(r1.meta.headers.get("x-cos-version-id"), Some(v1.as_str()), "{front:?}");
        for v in [&v1, &v2] {
            let e = b.delete_object("k").version_id(v).send().unwrap_err();
            assert_eq!(refused(e), (403, "AccessDenied".into()), "{front:?}: deleting a retained version");
        }
        // The marker is no retained version: it goes, and v2 is current again.
        b.delete_object("k").version_id(marker.version_id.as_deref().unwrap()).send().unwrap();
        assert_eq!(b.get_object("k").send().unwrap().bytes().unwrap(), b"two", "{front:?}");
        clock.store(T0 + DAY, Ordering::SeqCst);
        b.delete_object("k").version_id(&v1).send().unwrap();
        let e = b.get_object("k").version_id(&v1).send().unwrap_err();
        assert_eq!(refused(e), (404, "NoSuchVersion".into()), "{front:?}");
    }
}

#[test]
fn retention_requests_are_exact_and_bad_input_is_refused_before_sending() {
    let mut put = PutObjectRetentionInput {
        key: "ledger/2026 q1.csv".into(),
        retention: Retention::compliance_until("2030-01-01T00:00:00.000Z"),
        version_id: Some("MTg0NDUxNzgxMjEzNTU3NTk1Mjk".into()),
    };
    let request = put.build().unwrap();
    assert_eq!(request.method.as_str(), "PUT");
    assert_eq!(request.key.as_deref(), Some("ledger/2026 q1.csv"));
    assert_eq!(
        request.query,
        [
            ("retention".to_string(), String::new()),
            ("versionId".to_string(), "MTg0NDUxNzgxMjEzNTU3NTk1Mjk".to_string())
        ]
    );
    let body =
        "<Retention><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate><Mode>COMPLIANCE</Mode></Retention>";
    assert_eq!(request.body.as_bytes().unwrap(), body.as_bytes());
    let headers: Vec<(&str, &str)> = request.headers.iter().collect();
    assert_eq!(
        headers,
        [
            ("Content-Type", "application/xml"),
            ("Content-MD5", tencent_cos::checksum::content_md5(body.as_bytes()).as_str())
        ]
    );

    let mut get = GetObjectRetentionInput { key: "k".into(), version_id: None };
    let request = get.build().unwrap();
    assert_eq!(
        (request.method.as_str(), request.query.clone()),
        ("GET", vec![("retention".to_string(), String::new())])
    );
    assert!(request.body.as_bytes().unwrap().is_empty());

    let bad = [
        (
            Retention { mode: "GOVERNANCE".into(), ..Retention::compliance_until("2030-01-01T00:00:00Z") },
            "retention",
            "Mode \"GOVERNANCE\"",
        ),
        (Retention::compliance_until("2030-01-01"), "retention", "not an ISO 8601 date"),
    ];
    for (retention, field, why) in bad {
        let e = PutObjectRetentionInput { key: "k".into(), retention, version_id: None }.build().unwrap_err();
        match &e {
            Error::InvalidArgument { field: f, reason } => assert!(*f == field && reason.contains(why), "{e}"),
            other => panic!("{other:?}"),
        }
    }
    let e = GetObjectRetentionInput::default().build().unwrap_err();
    assert_eq!(e.to_string(), "invalid argument `key`: empty");

    // Through a client: refused before any request reaches the emulator.
    let h = Harness::new(Front::InProcess, Emulator::new());
    let client = h.client();
    let e = client.bucket(BUCKET).put_object_retention("k", Retention::compliance_until("soon")).send().unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { field: "retention", .. }), "{e:?}");
    assert!(h.emulator.bucket_names().is_empty(), "nothing was sent, not even a bucket exists");
}
