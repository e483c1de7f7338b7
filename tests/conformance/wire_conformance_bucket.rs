//! Replays the service, bucket, ACL and CORS calls recorded from the node SDK
//! (`tests/data/node_requests.jsonl`, seq 1-10, 15-16, 28, 35) with the same inputs, keys and clock, and
//! checks that the request on the wire is the same: method, target (path and query, byte for
//! byte), every header the node SDK sent in the same order (Authorization included, so
//! q-header-list, q-url-param-list and q-signature), and the body's SHA-256 and length.
//!
//! Differences on purpose, left out of the comparison: `User-Agent` (ours names this crate) and
//! `Connection: keep-alive` (added by node's HTTP agent; connection reuse is the transport's
//! business and no request header of ours).

use crate::support::common;

use common::{Canned, ScriptedTransport, oracle_client};
use tencent_cos::api::CorsRule;
use tencent_cos::api::{AccessControlPolicy, CannedAcl, Grantee, Owner, Permission};
use tencent_cos::{Bucket, Client};

const BUCKET: &str = "examplebucket-1250000000";
const OWNER: &str = "qcs::cam::uin/100000000001:uin/100000000001";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs `call` against a client that answers `answer`, and compares the one request it sent
/// with the recording `seq`.
fn replay(seq: u64, answer: Canned, call: impl FnOnce(&Client, &Bucket)) {
    let transport = ScriptedTransport::new();
    transport.answer(answer);
    let client = oracle_client(transport.clone());
    let bucket = client.bucket(BUCKET);
    call(&client, &bucket);
    let sent = transport.requests();
    assert_eq!(sent.len(), 1, "seq {seq}: one request");
    common::assert_matches_node(seq, &sent[0]);
}

#[test]
fn seq_01_put_bucket() {
    replay(1, Canned::new(200, ""), |_, b| {
        b.put_bucket().send().unwrap();
    });
}

#[test]
fn seq_02_head_bucket() {
    replay(2, Canned::new(200, ""), |_, b| {
        b.head_bucket().send().unwrap();
    });
}

#[test]
fn seq_03_get_bucket() {
    replay(3, Canned::new(200, fixture("ListBucketResult-basic.xml")), |_, b| {
        b.get_bucket()
            .prefix("photos/2019 summer/")
            .delimiter("/")
            .marker("photos/2019 summer/a+b.jpg")
            .max_keys(10)
            .send()
            .unwrap();
    });
}

#[test]
fn seq_04_get_bucket_acl() {
    replay(4, Canned::new(200, fixture("AccessControlPolicy-acl-overview.xml")), |_, b| {
        b.get_bucket_acl().send().unwrap();
    });
}

#[test]
fn seq_05_put_bucket_acl_headers() {
    replay(5, Canned::new(200, ""), |_, b| {
        b.put_bucket_acl().acl(CannedAcl::PublicRead).grant_full_control(format!("id=\"{OWNER}\"")).send().unwrap();
    });
}

#[test]
fn seq_06_put_bucket_acl_body() {
    replay(6, Canned::new(200, ""), |_, b| {
        let policy = AccessControlPolicy::new(Owner::new(OWNER))
            .grant(Grantee::id("qcs::cam::uin/100000000011:uin/100000000011"), Permission::Read)
            .grant(Grantee::id(OWNER), Permission::FullControl);
        b.put_bucket_acl().access_control_policy(policy).send().unwrap();
    });
}

#[test]
fn seq_07_get_bucket_cors() {
    replay(7, Canned::new(200, fixture("CORSConfiguration-get-bucket-cors.xml")), |_, b| {
        b.get_bucket_cors().send().unwrap();
    });
}

#[test]
fn seq_08_put_bucket_cors() {
    replay(8, Canned::new(200, ""), |_, b| {
        let rule = CorsRule::new()
            .allowed_origins(["https://www.example.com", "http://*.example.org"])
            .allowed_methods(["GET", "PUT", "HEAD"])
            .allowed_header("*")
            .expose_headers(["ETag", "x-cos-meta-author"])
            .max_age_seconds(600);
        b.put_bucket_cors().rule(rule).send().unwrap();
    });
}

#[test]
fn seq_09_delete_bucket_cors() {
    replay(9, Canned::new(204, ""), |_, b| {
        b.delete_bucket_cors().send().unwrap();
    });
}

#[test]
fn seq_10_get_bucket_location() {
    replay(10, Canned::new(200, fixture("LocationConstraint-get-bucket-location.xml")), |_, b| {
        b.get_bucket_location().send().unwrap();
    });
}

const OBJECT_KEY: &str = "folder/photo 1+2 (final)~*.jpg";

#[test]
fn seq_15_get_object_acl() {
    replay(15, Canned::new(200, fixture("AccessControlPolicy-get-object-acl.xml")), |_, b| {
        b.get_object_acl(OBJECT_KEY).send().unwrap();
    });
}

#[test]
fn seq_16_put_object_acl_headers() {
    replay(16, Canned::new(200, ""), |_, b| {
        b.put_object_acl(OBJECT_KEY)
            .acl(CannedAcl::Private)
            .grant_read("id=\"qcs::cam::uin/100000000011:uin/100000000011\"")
            .send()
            .unwrap();
    });
}

#[test]
fn seq_28_get_service() {
    replay(28, Canned::new(200, fixture("ListAllMyBucketsResult-all-buckets.xml")), |c, _| {
        c.get_service().send().unwrap();
    });
}

#[test]
fn seq_35_delete_bucket() {
    replay(35, Canned::new(204, ""), |_, b| {
        b.delete_bucket().send().unwrap();
    });
}
