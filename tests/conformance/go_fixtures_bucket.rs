//! The official Go SDK's test bodies (`../shared/fixtures/cos-go-sdk-xml`, read at test time, never
//! copied) for the roots this crate's service, bucket, ACL and CORS parsers read, plus every
//! `hostile/` input. The rules are the corpus README's: map the parsed value to XML element
//! names and compare with `expect` (numbers as numbers, booleans as booleans, strings exactly,
//! lists in order); fields the parser exposes that `expect` lacks must be empty; an `error`
//! expectation must be this crate's service error with exactly those fields; hostile inputs
//! must fail (or, where allowed, succeed as described) without panicking, in bounded time.

use crate::support::common;
use crate::support::shared_fixtures;

use std::path::{Path, PathBuf};

use shared_fixtures::{go_fixtures_dir, storage_classes_as_written};
use std::time::{Duration, Instant};

use common::{Canned, ScriptedTransport, oracle_client};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tencent_cos::api::GetBucketAclInput;
use tencent_cos::api::{AclOutput, Owner};
use tencent_cos::api::{GetBucketCorsInput, GetBucketCorsOutput};
use tencent_cos::api::{GetBucketInput, GetBucketOutput};
use tencent_cos::api::{GetBucketLocationInput, GetBucketLocationOutput};
use tencent_cos::api::{GetServiceInput, GetServiceOutput};
use tencent_cos::http::Response;
use tencent_cos::operation::Operation;
use tencent_cos::{Error, ServiceError};

/// The roots read by this file's parsers, with how many files the corpus README lists for each.
const ROOTS: [(&str, usize); 6] = [
    ("ListAllMyBucketsResult", 1),
    ("ListBucketResult", 1),
    ("AccessControlPolicy", 5),
    ("CORSConfiguration", 2),
    ("LocationConstraint", 1),
    ("Error", 3),
];

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn opt(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| json!(s))
}

fn owner_value(o: &Owner) -> Value {
    json!({ "ID": o.id, "DisplayName": opt(&o.display_name) })
}

fn list_bucket_value(o: &GetBucketOutput) -> Value {
    let contents: Vec<Value> = o
        .contents
        .iter()
        .map(|c| {
            json!({
                "Key": c.key, "LastModified": c.last_modified, "ETag": c.etag, "Size": c.size,
                "Owner": c.owner.as_ref().map_or(Value::Null, owner_value), "StorageClass": c.storage_class.as_str(),
            })
        })
        .collect();
    let prefixes: Vec<Value> = o.common_prefixes.iter().map(|p| json!({ "Prefix": p })).collect();
    json!({
        "Name": o.name, "EncodingType": opt(&o.encoding_type), "Prefix": o.prefix, "Marker": o.marker,
        "MaxKeys": o.max_keys, "Delimiter": opt(&o.delimiter), "IsTruncated": o.is_truncated,
        "NextMarker": opt(&o.next_marker), "Contents": contents, "CommonPrefixes": prefixes,
    })
}

fn service_value(o: &GetServiceOutput) -> Value {
    let buckets: Vec<Value> = o
        .buckets
        .iter()
        .map(|b| {
            json!({
                "Name": b.name, "Location": b.location, "CreationDate": b.creation_date,
                "BucketType": opt(&b.bucket_type),
            })
        })
        .collect();
    json!({
        "Owner": owner_value(&o.owner), "Buckets": { "Bucket": buckets }, "Marker": opt(&o.marker),
        "NextMarker": opt(&o.next_marker), "IsTruncated": o.is_truncated,
    })
}

fn acl_value(o: &AclOutput) -> Value {
    let grants: Vec<Value> = o
        .grants
        .iter()
        .map(|g| {
            json!({
                "Grantee": {
                    "@xsi:type": opt(&g.grantee.grantee_type), "ID": opt(&g.grantee.id),
                    "DisplayName": opt(&g.grantee.display_name), "URI": opt(&g.grantee.uri),
                },
                "Permission": g.permission.as_str(),
            })
        })
        .collect();
    json!({ "Owner": owner_value(&o.owner), "AccessControlList": { "Grant": grants } })
}

fn cors_value(o: &GetBucketCorsOutput) -> Value {
    let rules: Vec<Value> = o
        .rules
        .iter()
        .map(|r| {
            json!({
                "ID": opt(&r.id), "AllowedOrigin": r.allowed_origins, "AllowedMethod": r.allowed_methods,
                "AllowedHeader": r.allowed_headers, "ExposeHeader": r.expose_headers,
                "MaxAgeSeconds": r.max_age_seconds,
            })
        })
        .collect();
    json!({ "CORSRule": rules, "ResponseVary": o.response_vary })
}

fn location_value(o: &GetBucketLocationOutput) -> Value {
    json!({ "LocationConstraint": o.location_constraint })
}

fn service_error_value(e: &ServiceError) -> Value {
    json!({
        "Code": e.code, "Message": e.message, "Resource": opt(&e.resource), "RequestId": opt(&e.request_id),
        "TraceId": opt(&e.trace_id), "StringToSign": opt(&e.string_to_sign), "FormatString": opt(&e.format_string),
    })
}

/// A field the library exposes but `expect` does not have must be empty.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

fn compare(actual: &Value, expect: &Value, path: &str, file: &str) {
    match (actual, expect) {
        (Value::Object(a), Value::Object(e)) => compare_objects(a, e, path, file),
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{file}: {path}: list length");
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                compare(x, y, &format!("{path}[{i}]"), file);
            }
        }
        _ => assert_eq!(actual, expect, "{file}: {path}"),
    }
}

fn compare_objects(actual: &Map<String, Value>, expect: &Map<String, Value>, path: &str, file: &str) {
    for (key, want) in expect {
        let got = actual.get(key).unwrap_or_else(|| panic!("{file}: {path}/{key}: not exposed by the parser"));
        compare(got, want, &format!("{path}/{key}"), file);
    }
    for (key, got) in actual {
        if !expect.contains_key(key) {
            assert!(is_empty(got), "{file}: {path}/{key}: {got} but the body has no such element");
        }
    }
}

/// Runs the parser for `root` on a 2xx body.
fn parse_root(root: &str, status: u16, body: Vec<u8>) -> Result<Value, Error> {
    let response = || Response::from_bytes(status, Vec::<(String, String)>::new(), body.clone());
    Ok(match root {
        "ListAllMyBucketsResult" => service_value(&GetServiceInput::default().parse(response())?),
        "ListBucketResult" => list_bucket_value(&GetBucketInput::default().parse(response())?),
        "AccessControlPolicy" => acl_value(&GetBucketAclInput.parse(response())?),
        "CORSConfiguration" => cors_value(&GetBucketCorsInput.parse(response())?),
        "LocationConstraint" => location_value(&GetBucketLocationInput.parse(response())?),
        other => panic!("no parser for {other}"),
    })
}

/// Runs a non-2xx answer through the client, as a real call would see it (no headers, so every
/// field comes from the body).
fn error_through_client(status: u16, body: Vec<u8>) -> Error {
    let transport = ScriptedTransport::new();
    transport.answer(Canned { status, headers: Vec::new(), body });
    let client = oracle_client(transport);
    client.bucket("examplebucket-1250000000").get_bucket_location().send().expect_err("an error status")
}

#[test]
fn go_sdk_bodies_parse_to_the_expected_values() {
    let Some(dir) = go_fixtures_dir(module_path!()) else { return };
    let mut counts = std::collections::HashMap::new();
    for sub in ["", "later", "fallback"] {
        for json_path in json_files(&dir.join(sub)) {
            let meta = read_json(&json_path);
            let root = meta["root"].as_str().unwrap_or_default();
            if !ROOTS.iter().any(|(r, _)| *r == root) {
                continue;
            }
            *counts.entry(root.to_owned()).or_insert(0usize) += 1;
            let file = json_path.file_name().unwrap().to_string_lossy().into_owned();
            let body = std::fs::read(json_path.with_extension("xml")).unwrap();
            let status = meta["http_status"].as_u64().unwrap() as u16;
            let expect = &storage_classes_as_written(&meta["expect"]);
            if let Some(want) = expect.get("error") {
                let err = if (200..300).contains(&status) {
                    parse_root(root, status, body).expect_err(&file)
                } else {
                    error_through_client(status, body)
                };
                if want.as_object().is_some_and(|o| !o.is_empty()) {
                    let service = err.service().unwrap_or_else(|| panic!("{file}: not a service error: {err}"));
                    assert_eq!(service.status, status, "{file}: status");
                    compare(&service_error_value(service), want, "error", &file);
                }
            } else {
                let value = parse_root(root, status, body).unwrap_or_else(|e| panic!("{file}: {e}"));
                compare(&value, expect, "", &file);
            }
        }
    }
    for (root, n) in ROOTS {
        assert_eq!(counts.get(root).copied().unwrap_or(0), n, "files with root {root}");
    }
}

/// The two 10 MiB inputs `make_hostile.py` writes, rebuilt byte for byte.
fn generated(name: &str) -> Vec<u8> {
    const SIZE: usize = 10 * 1024 * 1024;
    let decl = b"<?xml version='1.0' encoding='utf-8' ?>\n";
    match name {
        "deep-nesting-wellformed" => {
            let (head, mid, tail) = (b"<ListBucketResult><Name>", b"</Name>", b"</ListBucketResult>");
            let fixed = decl.len() + head.len() + mid.len() + tail.len();
            let depth = (SIZE - fixed - 1) / 7;
            let pad = SIZE - fixed - 7 * depth;
            let mut v = Vec::with_capacity(SIZE);
            v.extend_from_slice(decl);
            v.extend_from_slice(head);
            v.extend(std::iter::repeat_n(b'x', pad));
            v.extend_from_slice(mid);
            (0..depth).for_each(|_| v.extend_from_slice(b"<a>"));
            (0..depth).for_each(|_| v.extend_from_slice(b"</a>"));
            v.extend_from_slice(tail);
            v
        }
        "deep-nesting-unclosed" => {
            let unit = b"<Contents>";
            let mut v = Vec::with_capacity(SIZE);
            v.extend_from_slice(decl);
            v.extend_from_slice(b"<ListBucketResult>");
            let n = (SIZE - v.len()) / unit.len();
            (0..n).for_each(|_| v.extend_from_slice(unit));
            v.resize(SIZE, b' ');
            v
        }
        other => panic!("unknown generated input {other}"),
    }
}

#[test]
fn hostile_inputs_fail_cleanly() {
    let Some(dir) = go_fixtures_dir(module_path!()) else { return };
    let files = json_files(&dir.join("hostile"));
    assert_eq!(files.len(), 10, "hostile/ descriptions");
    for json_path in files {
        let meta = read_json(&json_path);
        let file = json_path.file_name().unwrap().to_string_lossy().into_owned();
        let root = meta["root"].as_str().unwrap();
        let (body, limit) = match meta["path"].as_str() {
            Some(path) => {
                let name = path.trim_start_matches("$TMPDIR/cos-hostile-").trim_end_matches(".xml");
                (generated(name), Duration::from_secs(10))
            }
            None => (std::fs::read(json_path.with_extension("xml")).unwrap(), Duration::from_secs(2)),
        };
        let digest: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, meta["xml_sha256"].as_str().unwrap(), "{file}: input bytes");

        let started = Instant::now();
        let outcome = parse_root(root, meta["http_status"].as_u64().unwrap_or(200) as u16, body);
        assert!(started.elapsed() < limit, "{file}: took {:?}", started.elapsed());
        match meta["must"].as_str().unwrap() {
            "error" => match outcome {
                Err(Error::Xml(_)) => {}
                other => panic!("{file}: expected an XML error, got {other:?}"),
            },
            "no_panic" => {
                if let Ok(value) = outcome {
                    let want = &meta["expect_if_ok"]["Name"];
                    let name = want["repeat"].as_str().unwrap().repeat(want["count"].as_u64().unwrap() as usize);
                    assert_eq!(value["Name"], name, "{file}: Name");
                    assert!(is_empty(&value["Contents"]), "{file}: Contents");
                }
            }
            other => panic!("{file}: unknown expectation {other}"),
        }
    }
}
