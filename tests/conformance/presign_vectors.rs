//! `get_auth` and `get_object_url` give exactly what the official node SDK 3.0.0 returned for
//! the same inputs (`tests/data/node_requests_wave2.jsonl`, the lines `"sent_by": "driver"`):
//! query parameters, headers and expiry are all signed as node signs them.

use crate::support::common;

use common::{ScriptedTransport, oracle_client};
use tencent_cos::GetAuthParams;
use tencent_cos::http::Method;

const KEY: &str = "docs/report 2024 (v2)+final~*.csv";
const VERSION: &str = "MTg0NDUxNzgxMjEzNTU3NTk1Mjk";

/// The `sdk_result` the node SDK returned for recorded call `seq`.
fn node_result(seq: u64) -> serde_json::Value {
    let all = common::recorded_requests("node_requests_wave2.jsonl");
    let line = all.into_iter().find(|v| v["seq"] == seq).unwrap_or_else(|| panic!("no seq {seq}"));
    assert_eq!(line["sent_by"], "driver", "seq {seq} is a signing call");
    line["sdk_result"].clone()
}

fn http_client() -> tencent_cos::Client {
    // The recording used plain http (node's Protocol 'http:'); the clock is pinned as for every vector.
    assert_eq!(oracle_client(ScriptedTransport::new()).config().protocol, tencent_cos::Protocol::Https);
    tencent_cos::Client::builder()
        .secret(common::ORACLE_SECRET_ID, common::ORACLE_SECRET_KEY)
        .region("ap-guangzhou")
        .clock(|| common::ORACLE_NOW)
        .protocol(tencent_cos::Protocol::Http)
        .transport(ScriptedTransport::new())
        .build()
        .unwrap()
}

#[test]
fn get_auth_signs_query_headers_and_expiry_as_node() {
    let client = http_client();
    let auth = client
        .get_auth(&GetAuthParams {
            method: Some(Method::Get),
            key: KEY.into(),
            query: vec![("versionId".into(), VERSION.into()), ("response-cache-control".into(), "no-cache".into())],
            headers: vec![("Range".into(), "bytes=0-9".into()), ("x-cos-traffic-limit".into(), "819200".into())],
            expires: Some(600),
            bucket: Some(("examplebucket-1250000000".into(), "ap-guangzhou".into())),
        })
        .unwrap();
    assert_eq!(auth.authorization, node_result(65)["authorization"].as_str().unwrap());
    assert_eq!(auth.security_token, None);
}

#[test]
fn get_object_url_with_query_and_expiry_is_nodes_url() {
    let url = http_client()
        .bucket("examplebucket-1250000000")
        .get_object_url(KEY)
        .query("versionId", VERSION)
        .query("response-content-disposition", "attachment; filename=\"report.csv\"")
        .expires(3600)
        .build()
        .unwrap();
    assert_eq!(url, node_result(63)["url_sync"].as_str().unwrap());
}

#[test]
fn get_object_url_for_a_put_signs_its_content_type() {
    let url = http_client()
        .bucket("examplebucket-1250000000")
        .get_object_url("uploads/presigned put (1).txt")
        .method(Method::Put)
        .header("Content-Type", "text/plain")
        .expires(600)
        .build()
        .unwrap();
    assert_eq!(url, node_result(64)["url_sync"].as_str().unwrap());
}
