//! The bucket-configuration calls (issue 14) without a server: each call's request replayed
//! against what the node SDK 3.0.0 sent (`tests/data/node_requests_wave2.jsonl`, same keys and
//! clock; method, target, headers in order with Authorization, body bytes), each parser against
//! the official Go SDK's `later/` bodies value by value, the "never configured" 404 read as
//! empty, and bad input refused before any request.

use crate::support::common;
use crate::support::shared_fixtures;

use common::{Canned, ScriptedTransport, oracle_client};
use serde_json::{Value, json};
use shared_fixtures::storage_classes_as_written;
use tencent_cos::Bucket;
use tencent_cos::api::GetBucketAccelerateInput;
use tencent_cos::api::{
    BucketLoggingStatus, DomainCertificate, DomainConfiguration, DomainRule, EncryptionRule,
    GetBucketDomainCertificateInput, GetBucketDomainInput, GetBucketEncryptionInput, GetBucketIntelligentTieringInput,
    GetBucketIntelligentTieringRuleInput, GetBucketInventoryInput, GetBucketLoggingInput, GetBucketObjectLockInput,
    GetBucketOriginInput, GetBucketRefererInput, GetBucketReplicationInput, GetBucketWebsiteInput,
    IntelligentTieringConfiguration, IntelligentTieringTransition, InventoryConfiguration,
    ListBucketIntelligentTieringInput, ListBucketInventoryInput, ObjectLockConfiguration, OriginCondition,
    OriginConfiguration, OriginHost, OriginParameter, OriginPrivateHost, OriginRule, PutBucketInventoryInput,
    RefererConfiguration, ReplicationConfiguration, ReplicationRule, RoutingRule, ServerSideEncryptionConfiguration,
    WebsiteConfiguration, WebsiteErrorDocument,
};
use tencent_cos::api::{GetBucketLifecycleInput, LifecycleFilter, LifecycleRule, LifecycleTransition};
use tencent_cos::api::{GetBucketTaggingInput, GetBucketTaggingOutput, Tag};
use tencent_cos::api::{GetBucketVersioningInput, VersioningStatus};
use tencent_cos::http::Response;
use tencent_cos::operation::Operation;

const BUCKET: &str = "examplebucket-1250000000";

use common::replay_wave2 as replay;

/// The `later/` fixtures whose root is `root`, as (xml bytes, json description); empty (after
/// `go_fixtures_dir` says why) when the corpus is absent.
fn later_fixtures(root: &str) -> Vec<(Vec<u8>, Value)> {
    shared_fixtures::later_fixtures("bucket_configs_wire", root).into_iter().map(|(_, xml, json)| (xml, json)).collect()
}

// ---- bucket policy (JSON as a String; no Go later/ fixture: the body is JSON, not XML) ----

/// What node sent for its object form (the SDK stringified it; a Rust caller passes the text).
const POLICY_OBJECT_FORM: &str = r#"{"version":"2.0","Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000011:uin/100000000011"]},"Effect":"allow","Action":["name/cos:GetObject","name/cos:HeadObject"],"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/photos/2019 summer/*"],"Condition":{"ip_equal":{"qcs:ip":["10.0.0.0/8","192.168.1.1"]}}},{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Effect":"deny","Action":["name/cos:DeleteObject"],"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/中文目录/*"]}]}"#;
const POLICY_STRING_FORM: &str = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Effect":"deny","Action":["name/cos:DeleteObject"],"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/中文目录/*"]}]}"#;

#[test]
fn seq_01_put_bucket_policy_object_form() {
    replay(1, Canned::new(204, ""), |_, b| {
        b.put_bucket_policy(POLICY_OBJECT_FORM).send().unwrap();
    });
}

#[test]
fn seq_02_put_bucket_policy_string_form() {
    replay(2, Canned::new(204, ""), |_, b| {
        b.put_bucket_policy(POLICY_STRING_FORM).send().unwrap();
    });
}

#[test]
fn seq_03_get_bucket_policy() {
    replay(3, Canned::new(200, POLICY_STRING_FORM).header("Content-Type", "application/json"), |_, b| {
        let out = b.get_bucket_policy().send().unwrap();
        assert_eq!(out.policy, POLICY_STRING_FORM);
        assert_eq!(out.meta.status, 200);
    });
}

#[test]
fn seq_04_delete_bucket_policy() {
    replay(4, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_policy().send().unwrap().meta.status, 204);
    });
}

#[test]
fn no_such_policy_reads_as_empty_and_other_errors_stay() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(
        404,
        "<Error><Code>NoSuchPolicy</Code><Message>none</Message><RequestId>req-2</RequestId></Error>",
    ));
    transport.answer(Canned::new(405, "<Error><Code>MethodNotAllowed</Code><Message>no</Message></Error>"));
    let client = oracle_client(transport);
    let out = client.bucket(BUCKET).get_bucket_policy().send().unwrap();
    assert_eq!((out.policy.as_str(), out.meta.status), ("", 404));
    assert_eq!(out.meta.headers.get("x-cos-request-id"), Some("req-2"));
    let err = client.bucket(BUCKET).get_bucket_policy().send().unwrap_err();
    assert_eq!(err.service().map(|e| (e.status, e.code.as_str())), Some((405, "MethodNotAllowed")));
}

#[test]
fn a_policy_that_is_not_a_json_object_is_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    for bad in ["", "   ", "[1]", "Statement", "{\"a\":1"] {
        let text = client.bucket(BUCKET).put_bucket_policy(bad).send().unwrap_err().to_string();
        assert!(text.contains("policy") && text.contains("JSON object"), "{bad:?}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket tagging ----

#[test]
fn seq_05_put_bucket_tagging() {
    replay(5, Canned::new(200, ""), |_, b| {
        b.put_bucket_tagging()
            .tag("team", "storage & infra")
            .tag("cost-center", "cc/42:a+b=c@d")
            .tag("项目", "甲 乙 <丙> \"q\"")
            .send()
            .unwrap();
    });
}

#[test]
fn seq_06_get_bucket_tagging() {
    let body = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>";
    replay(6, Canned::new(200, body), |_, b| {
        assert_eq!(b.get_bucket_tagging().send().unwrap().tags, [Tag::new("a", "1")]);
    });
}

#[test]
fn seq_07_delete_bucket_tagging() {
    replay(7, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_tagging().send().unwrap().meta.status, 204);
    });
}

fn tagging_value(o: &GetBucketTaggingOutput) -> Value {
    let tags: Vec<Value> = o.tags.iter().map(|t| json!({ "Key": t.key, "Value": t.value })).collect();
    json!({ "TagSet": { "Tag": tags } })
}

#[test]
fn go_later_tagging_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("Tagging");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 3, "01, 02 and 03 have the root Tagging");
    for (xml, json) in fixtures {
        let out = GetBucketTaggingInput
            .parse(Response::from_bytes(
                json["http_status"].as_u64().unwrap() as u16,
                Vec::<(String, String)>::new(),
                xml,
            ))
            .unwrap();
        assert_eq!(tagging_value(&out), json["expect"], "{}", json["source"]);
    }
}

#[test]
fn no_such_tag_set_reads_as_no_tags() {
    let transport = ScriptedTransport::new();
    transport.answer(
        Canned::new(
            404,
            "<Error><Code>NoSuchTagSet</Code><Message>The TagSet does not exist.</Message><RequestId>req-1</RequestId></Error>",
        )
        .header("Content-Type", "application/xml"),
    );
    let out = oracle_client(transport).bucket(BUCKET).get_bucket_tagging().send().unwrap();
    assert!(out.tags.is_empty());
    assert_eq!(out.meta.status, 404);
    assert_eq!(out.meta.headers.get("x-cos-request-id"), Some("req-1"));
}

#[test]
fn other_tagging_errors_stay_errors() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>"));
    let err = oracle_client(transport).bucket(BUCKET).get_bucket_tagging().send().unwrap_err();
    assert_eq!(err.service().map(|e| e.code.as_str()), Some("AccessDenied"));
}

#[test]
fn bad_tags_are_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let cases = [
        (b.put_bucket_tagging().send().unwrap_err(), "at least one tag"),
        (b.put_bucket_tagging().tag("", "v").send().unwrap_err(), "tag 0 has an empty key"),
        (b.put_bucket_tagging().tag("k", "1").tag("k", "2").send().unwrap_err(), "\"k\" is repeated"),
    ];
    for (err, why) in cases {
        let text = err.to_string();
        assert!(text.contains("tags") && text.contains(why), "{text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket versioning ----

#[test]
fn seq_11_put_bucket_versioning() {
    replay(11, Canned::new(200, ""), |_, b| {
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
    });
}

#[test]
fn seq_12_get_bucket_versioning() {
    let body = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    replay(12, Canned::new(200, body), |_, b| {
        assert_eq!(b.get_bucket_versioning().send().unwrap().status, Some(VersioningStatus::Enabled));
    });
}

#[test]
fn go_later_versioning_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("VersioningConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "06 and 07 have the root VersioningConfiguration");
    for (xml, json) in fixtures {
        let out =
            GetBucketVersioningInput.parse(Response::from_bytes(200, Vec::<(String, String)>::new(), xml)).unwrap();
        let value = json!({ "Status": out.status.as_ref().map(|s| s.as_str()) });
        assert_eq!(value, json["expect"], "{}", json["source"]);
    }
}

#[test]
fn versioning_never_set_and_unknown_statuses() {
    let parse = |body: &str| {
        GetBucketVersioningInput
            .parse(Response::from_bytes(200, Vec::<(String, String)>::new(), body.as_bytes().to_vec()))
            .unwrap()
            .status
    };
    assert_eq!(parse("<VersioningConfiguration/>"), None);
    assert_eq!(parse("<VersioningConfiguration><Status></Status></VersioningConfiguration>"), None);
    assert_eq!(
        parse("<VersioningConfiguration><Status>Paused</Status></VersioningConfiguration>"),
        Some(VersioningStatus::Other("Paused".into()))
    );
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let err = client.bucket(BUCKET).put_bucket_versioning(VersioningStatus::Other("On".into())).send().unwrap_err();
    assert!(err.to_string().contains("status") && err.to_string().contains("\"On\""), "{err}");
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket lifecycle ----

#[test]
fn seq_08_put_bucket_lifecycle() {
    replay(8, Canned::new(200, ""), |_, b| {
        b.put_bucket_lifecycle()
            .rule(
                LifecycleRule::new("archive logs")
                    .filter(LifecycleFilter::prefix("logs/"))
                    .transition_days(30, "STANDARD_IA")
                    .transition_days(90, "ARCHIVE")
                    .expiration_days(365),
            )
            .rule(LifecycleRule::new("abort-mpu").abort_incomplete_multipart_upload_days(7))
            .rule(
                LifecycleRule::new("tagged tmp")
                    .enabled(false)
                    .filter(LifecycleFilter::prefix("tmp/").tag("temp", "true").tag("owner", "a&b <c>"))
                    .expiration_date("2030-01-01T00:00:00+08:00"),
            )
            .rule(
                LifecycleRule::new("noncurrent")
                    .filter(LifecycleFilter::prefix(""))
                    .noncurrent_version_transition(30, "ARCHIVE")
                    .noncurrent_version_expiration_days(60),
            )
            .send()
            .unwrap();
    });
}

#[test]
fn seq_09_get_bucket_lifecycle() {
    let body = "<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Transition><Date>2030-01-01T00:00:00+08:00</Date><StorageClass>ARCHIVE</StorageClass></Transition><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>";
    replay(9, Canned::new(200, body), |_, b| {
        let rules = b.get_bucket_lifecycle().send().unwrap().rules;
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].filter, Some(LifecycleFilter { prefix: None, tags: vec![Tag::new("k", "v")] }));
        let transition = LifecycleTransition {
            days: None,
            date: Some("2030-01-01T00:00:00+08:00".into()),
            storage_class: "ARCHIVE".into(),
        };
        assert_eq!(rules[0].transitions, [transition]);
        assert_eq!(rules[0].expiration.as_ref().unwrap().expired_object_delete_marker, Some(true));
    });
}

#[test]
fn seq_10_delete_bucket_lifecycle() {
    replay(10, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_lifecycle().send().unwrap().meta.status, 204);
    });
}

fn filter_value(f: &LifecycleFilter) -> Value {
    let tags: Vec<Value> = f.tags.iter().map(|t| json!({ "Key": t.key, "Value": t.value })).collect();
    if f.tags.len() > 1 || (!f.tags.is_empty() && f.prefix.is_some()) {
        json!({ "And": { "Prefix": f.prefix, "Tag": tags } })
    } else if let Some(p) = &f.prefix {
        json!({ "Prefix": p })
    } else {
        json!({ "Tag": tags })
    }
}

fn rule_value(r: &LifecycleRule) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(id) = &r.id {
        m.insert("ID".into(), json!(id));
    }
    if let Some(f) = &r.filter {
        m.insert("Filter".into(), filter_value(f));
    }
    m.insert("Status".into(), json!(if r.enabled { "Enabled" } else { "Disabled" }));
    if !r.transitions.is_empty() {
        let t: Vec<Value> =
            r.transitions.iter().map(|t| json!({ "Days": t.days, "StorageClass": t.storage_class.as_str() })).collect();
        m.insert("Transition".into(), json!(t));
    }
    if let Some(e) = &r.expiration {
        m.insert("Expiration".into(), json!({ "Days": e.days }));
    }
    if !r.noncurrent_version_transitions.is_empty() {
        let t: Vec<Value> = r
            .noncurrent_version_transitions
            .iter()
            .map(|t| json!({ "NoncurrentDays": t.noncurrent_days, "StorageClass": t.storage_class.as_str() }))
            .collect();
        m.insert("NoncurrentVersionTransition".into(), json!(t));
    }
    if let Some(d) = r.noncurrent_version_expiration_days {
        m.insert("NoncurrentVersionExpiration".into(), json!({ "NoncurrentDays": d }));
    }
    if let Some(d) = r.abort_incomplete_multipart_upload_days {
        m.insert("AbortIncompleteMultipartUpload".into(), json!({ "DaysAfterInitiation": d }));
    }
    Value::Object(m)
}

#[test]
fn go_later_lifecycle_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("LifecycleConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "04 and 05 have the root LifecycleConfiguration");
    for (xml, json) in fixtures {
        let out =
            GetBucketLifecycleInput.parse(Response::from_bytes(200, Vec::<(String, String)>::new(), xml)).unwrap();
        let rules: Vec<Value> = out.rules.iter().map(rule_value).collect();
        assert_eq!(json!({ "Rule": rules }), storage_classes_as_written(&json["expect"]), "{}", json["source"]);
    }
}

#[test]
fn no_such_lifecycle_reads_as_no_rules() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(
        404,
        "<Error><Code>NoSuchLifecycleConfiguration</Code><Message>none</Message><RequestId>req-3</RequestId></Error>",
    ));
    let out = oracle_client(transport).bucket(BUCKET).get_bucket_lifecycle().send().unwrap();
    assert!(out.rules.is_empty());
    assert_eq!(out.meta.status, 404);
    assert_eq!(out.meta.headers.get("x-cos-request-id"), Some("req-3"));
}

#[test]
fn bad_lifecycle_rules_are_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut both = LifecycleRule::new("x");
    both.transitions.push(LifecycleTransition {
        days: Some(1),
        date: Some("2030-01-01".into()),
        storage_class: "ARCHIVE".into(),
    });
    let empty_tag = LifecycleRule::new("t").filter(LifecycleFilter::default().tag("", "v")).expiration_days(1);
    let cases = [
        (b.put_bucket_lifecycle().send().unwrap_err(), "at least one rule"),
        (
            b.put_bucket_lifecycle().rule(LifecycleRule::new("none")).send().unwrap_err(),
            "rule 0: needs at least one action",
        ),
        (b.put_bucket_lifecycle().rule(both).send().unwrap_err(), "days or a date, not both"),
        (
            b.put_bucket_lifecycle().rule(LifecycleRule::new("c").transition_days(1, "")).send().unwrap_err(),
            "storage class",
        ),
        (
            b.put_bucket_lifecycle()
                .rule(LifecycleRule::new("ok").expiration_days(1))
                .rule(empty_tag)
                .send()
                .unwrap_err(),
            "rule 1: a filter tag has an empty key",
        ),
    ];
    for (err, why) in cases {
        let text = err.to_string();
        assert!(text.contains("rules") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket accelerate ----

#[test]
fn seq_34_put_bucket_accelerate() {
    replay(34, Canned::new(200, ""), |_, b| {
        b.put_bucket_accelerate(true).accelerate_type("COS").send().unwrap();
    });
}

#[test]
fn seq_35_get_bucket_accelerate() {
    let body = "<AccelerateConfiguration><Status>Suspended</Status></AccelerateConfiguration>";
    replay(35, Canned::new(200, body), |_, b| {
        let out = b.get_bucket_accelerate().send().unwrap();
        assert_eq!((out.status.as_deref(), out.accelerate_type), (Some("Suspended"), None));
    });
}

#[test]
fn go_later_accelerate_body_parses_to_its_values() {
    let fixtures = later_fixtures("AccelerateConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 1, "16 has the root AccelerateConfiguration");
    for (xml, json) in fixtures {
        let out =
            GetBucketAccelerateInput.parse(Response::from_bytes(200, Vec::<(String, String)>::new(), xml)).unwrap();
        assert_eq!(json!({ "Status": out.status, "Type": out.accelerate_type }), json["expect"], "{}", json["source"]);
    }
}

#[test]
fn an_empty_accelerate_type_is_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let err = client.bucket(BUCKET).put_bucket_accelerate(true).accelerate_type("").send().unwrap_err();
    assert!(err.to_string().contains("accelerate_type"), "{err}");
    assert_eq!(transport.requests().len(), 0);
}

/// A JSON object of the pairs that are set (the fixtures' `expect` leaves absent elements out).
fn obj(pairs: &[(&str, Option<Value>)]) -> Value {
    Value::Object(pairs.iter().filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v))).collect())
}

fn s(v: &Option<String>) -> Option<Value> {
    v.as_ref().map(|v| json!(v))
}

fn parse_later<O: Operation>(mut input: O, xml: Vec<u8>) -> O::Output {
    input.parse(Response::from_bytes(200, Vec::<(String, String)>::new(), xml)).unwrap()
}

/// A 404 with `code` answered to a GET, as (output of `call`, requests sent).
fn not_found<T>(code: &str, call: impl FnOnce(&Bucket) -> T) -> T {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(
        404,
        format!("<Error><Code>{code}</Code><Message>none</Message><RequestId>req-9</RequestId></Error>"),
    ));
    let client = oracle_client(transport);
    call(&client.bucket(BUCKET))
}

// ---- bucket website ----

fn node_website() -> WebsiteConfiguration {
    let mut config = WebsiteConfiguration::index("index.html").redirect_all_requests_to("https");
    config.auto_addressing = Some("Disabled".into());
    config.error_document =
        Some(WebsiteErrorDocument { key: "errors/404 page.html".into(), original_http_status: Some("Enabled".into()) });
    config
        .routing_rule(RoutingRule::on_error_code("404").protocol("https").replace_key_with("404.html"))
        .routing_rule(RoutingRule::on_key_prefix("docs/").protocol("https").replace_key_prefix_with("documents/"))
}

#[test]
fn seq_17_put_bucket_website() {
    replay(17, Canned::new(200, ""), |_, b| {
        b.put_bucket_website(node_website()).send().unwrap();
    });
}

#[test]
fn seq_18_get_bucket_website() {
    let body = "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>";
    replay(18, Canned::new(200, body), |_, b| {
        let out = b.get_bucket_website().send().unwrap();
        assert_eq!(out.website.index_document.as_deref(), Some("index.html"));
        assert_eq!(out.website.error_document.unwrap().key, "e.html");
        assert_eq!(out.meta.status, 200);
    });
}

#[test]
fn seq_19_delete_bucket_website() {
    replay(19, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_website().send().unwrap().meta.status, 204);
    });
}

#[test]
fn go_later_website_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("WebsiteConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "08 and 09 have the root WebsiteConfiguration");
    for (xml, json) in fixtures {
        let w = parse_later(GetBucketWebsiteInput, xml).website;
        let rules: Vec<Value> = w
            .routing_rules
            .iter()
            .map(|r| {
                json!({
                    "Condition": obj(&[
                        ("HttpErrorCodeReturnedEquals", s(&r.condition.http_error_code_returned_equals)),
                        ("KeyPrefixEquals", s(&r.condition.key_prefix_equals)),
                    ]),
                    "Redirect": obj(&[
                        ("Protocol", s(&r.redirect.protocol)),
                        ("ReplaceKeyWith", s(&r.redirect.replace_key_with)),
                        ("ReplaceKeyPrefixWith", s(&r.redirect.replace_key_prefix_with)),
                    ]),
                })
            })
            .collect();
        let value = obj(&[
            ("IndexDocument", w.index_document.as_ref().map(|s| json!({ "Suffix": s }))),
            ("RedirectAllRequestsTo", w.redirect_all_requests_to.as_ref().map(|p| json!({ "Protocol": p }))),
            ("ErrorDocument", w.error_document.as_ref().map(|e| json!({ "Key": e.key }))),
            ("RoutingRules", Some(json!({ "RoutingRule": rules }))),
        ]);
        assert_eq!(value, json["expect"], "{}", json["source"]);
    }
}

#[test]
fn no_such_website_reads_as_empty() {
    let out = not_found("NoSuchWebsiteConfiguration", |b| b.get_bucket_website().send().unwrap());
    assert_eq!(out.website, WebsiteConfiguration::default());
    assert_eq!((out.meta.status, out.meta.headers.get("x-cos-request-id")), (404, Some("req-9")));
    let err = not_found("NoSuchBucket", |b| b.get_bucket_website().send().unwrap_err());
    assert_eq!(err.service().map(|e| e.code.as_str()), Some("NoSuchBucket"));
}

#[test]
fn bad_website_configurations_are_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let both = RoutingRule::on_key_prefix("a/").replace_key_with("x").replace_key_prefix_with("y");
    let cases = [
        (WebsiteConfiguration::default(), "an index document suffix is needed"),
        (WebsiteConfiguration::index("i.html").redirect_all_requests_to("ftp"), "\"ftp\" is not one of http, https"),
        (WebsiteConfiguration::index("i.html").error_document(""), "error document key is empty"),
        (WebsiteConfiguration::index("i.html").routing_rule(RoutingRule::default()), "routing rule 0: a condition"),
        (WebsiteConfiguration::index("i.html").routing_rule(both), "exclude each other"),
        (WebsiteConfiguration::index("bell\u{7}"), "U+0007"),
    ];
    for (config, why) in cases {
        let text = b.put_bucket_website(config).send().unwrap_err().to_string();
        assert!(text.contains("website") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket referer ----

#[test]
fn seq_20_put_bucket_referer() {
    replay(20, Canned::new(200, ""), |_, b| {
        let config =
            RefererConfiguration::white_list(["*.example.com", "www.example.org:8080", "https://static.example.net"])
                .empty_referer("Deny");
        b.put_bucket_referer(config).send().unwrap();
    });
}

#[test]
fn seq_21_get_bucket_referer() {
    let body = "<RefererConfiguration><Status>Disabled</Status><RefererType>Black-List</RefererType><DomainList><Domain>a.com</Domain></DomainList></RefererConfiguration>";
    replay(21, Canned::new(200, body), |_, b| {
        let r = b.get_bucket_referer().send().unwrap().referer;
        assert_eq!(
            (r.status.as_str(), r.referer_type.as_str(), r.domains, r.empty_referer),
            ("Disabled", "Black-List", vec!["a.com".to_string()], None)
        );
    });
}

#[test]
fn go_later_referer_body_parses_to_its_values() {
    let fixtures = later_fixtures("RefererConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 1, "10 has the root RefererConfiguration");
    for (xml, json) in fixtures {
        let r = parse_later(GetBucketRefererInput, xml).referer;
        let value = json!({
            "Status": r.status,
            "RefererType": r.referer_type,
            "DomainList": { "Domain": r.domains },
            "EmptyReferConfiguration": r.empty_referer,
        });
        assert_eq!(value, json["expect"], "{}", json["source"]);
    }
}

#[test]
fn no_such_referer_reads_as_empty_and_bad_referers_are_refused() {
    let out = not_found("NoSuchRefererConfiguration", |b| b.get_bucket_referer().send().unwrap());
    assert_eq!((out.referer, out.meta.status), (RefererConfiguration::default(), 404));
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut off = RefererConfiguration::white_list(["a.com"]);
    off.status = "Off".into();
    let cases = [
        (RefererConfiguration::default(), "Status \"\""),
        (off, "Status \"Off\""),
        (RefererConfiguration::white_list(Vec::<String>::new()), "at least one domain"),
        (RefererConfiguration::black_list(["a.com", " "]), "domain 1 is empty"),
        (RefererConfiguration::white_list(["a.com"]).empty_referer("Maybe"), "EmptyReferConfiguration \"Maybe\""),
    ];
    for (config, why) in cases {
        let text = b.put_bucket_referer(config).send().unwrap_err().to_string();
        assert!(text.contains("referer") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket encryption ----

#[test]
fn seq_36_put_bucket_encryption() {
    replay(36, Canned::new(200, ""), |_, b| {
        let config = ServerSideEncryptionConfiguration { rules: vec![EncryptionRule::kms("kms-key-0001-example")] };
        b.put_bucket_encryption(config).send().unwrap();
    });
}

#[test]
fn seq_37_get_bucket_encryption() {
    let body = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>k-1</KMSMasterKeyID><KMSAlgorithm>SM4</KMSAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
    replay(37, Canned::new(200, body), |_, b| {
        let rules = b.get_bucket_encryption().send().unwrap().encryption.rules;
        let want = EncryptionRule {
            sse_algorithm: "KMS".into(),
            kms_master_key_id: Some("k-1".into()),
            kms_algorithm: Some("SM4".into()),
        };
        assert_eq!(rules, [want]);
    });
}

#[test]
fn seq_38_delete_bucket_encryption() {
    replay(38, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_encryption().send().unwrap().meta.status, 204);
    });
}

#[test]
fn go_later_encryption_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("ServerSideEncryptionConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "17 and 18 have the root ServerSideEncryptionConfiguration");
    for (xml, json) in fixtures {
        let rules = parse_later(GetBucketEncryptionInput, xml).encryption.rules;
        assert_eq!(rules.len(), 1, "{}", json["source"]);
        let r = &rules[0];
        let value = json!({ "Rule": { "ApplyServerSideEncryptionByDefault": obj(&[
            ("SSEAlgorithm", Some(json!(r.sse_algorithm))),
            ("KMSMasterKeyID", s(&r.kms_master_key_id)),
            ("KMSAlgorithm", s(&r.kms_algorithm)),
        ]) } });
        assert_eq!(value, json["expect"], "{}", json["source"]);
    }
}

#[test]
fn no_such_encryption_reads_as_no_rules_and_bad_rules_are_refused() {
    let out = not_found("NoSuchEncryptionConfiguration", |b| b.get_bucket_encryption().send().unwrap());
    assert_eq!((out.encryption.rules.len(), out.meta.status), (0, 404));
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut aes_with_key = EncryptionRule::new("AES256");
    aes_with_key.kms_master_key_id = Some("k".into());
    let cases = [
        (vec![], "at least one rule"),
        (vec![EncryptionRule::new("DES")], "SSEAlgorithm \"DES\""),
        (vec![aes_with_key], "rule 0: a KMS key or algorithm needs SSEAlgorithm KMS"),
    ];
    for (rules, why) in cases {
        let text = b.put_bucket_encryption(ServerSideEncryptionConfiguration { rules }).send().unwrap_err().to_string();
        assert!(text.contains("encryption") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket replication ----

fn node_replication() -> ReplicationConfiguration {
    let mut docs = ReplicationRule::new("docs/", "qcs::cos:ap-beijing::destbucket-1250000000");
    docs.id = Some("replicate docs".into());
    docs.destination_storage_class = Some("STANDARD_IA".into());
    let mut all = ReplicationRule::new("", "qcs::cos:ap-shanghai::backupbucket-1250000000");
    all.id = Some("replicate-all".into());
    all.status = "Disabled".into();
    ReplicationConfiguration { role: "qcs::cam::uin/100000000001:uin/100000000001".into(), rules: vec![docs, all] }
}

#[test]
fn seq_14_put_bucket_replication() {
    replay(14, Canned::new(200, ""), |_, b| {
        b.put_bucket_replication(node_replication()).send().unwrap();
    });
}

#[test]
fn seq_15_get_bucket_replication() {
    let body = "<ReplicationConfiguration><Role>r</Role><Rule><ID>x</ID><Status>Enabled</Status><Prefix>p/</Prefix><Destination><Bucket>qcs::cos:ap-beijing::d-1</Bucket><StorageClass>STANDARD</StorageClass></Destination></Rule></ReplicationConfiguration>";
    replay(15, Canned::new(200, body), |_, b| {
        let r = b.get_bucket_replication().send().unwrap().replication;
        let mut want = ReplicationRule::new("p/", "qcs::cos:ap-beijing::d-1");
        want.id = Some("x".into());
        want.destination_storage_class = Some("STANDARD".into());
        assert_eq!((r.role.as_str(), r.rules), ("r", vec![want]));
    });
}

#[test]
fn seq_16_delete_bucket_replication() {
    replay(16, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_replication().send().unwrap().meta.status, 204);
    });
}

#[test]
fn go_later_replication_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("ReplicationConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "19 and 20 have the root ReplicationConfiguration");
    for (xml, json) in fixtures {
        let r = parse_later(GetBucketReplicationInput, xml).replication;
        let rules: Vec<Value> = r
            .rules
            .iter()
            .map(|r| {
                obj(&[
                    ("Status", Some(json!(r.status))),
                    ("ID", s(&r.id)),
                    ("Prefix", Some(json!(r.prefix))),
                    (
                        "Destination",
                        Some(obj(&[
                            ("Bucket", Some(json!(r.destination_bucket))),
                            ("StorageClass", r.destination_storage_class.as_ref().map(|c| json!(c.as_str()))),
                        ])),
                    ),
                ])
            })
            .collect();
        assert_eq!(
            json!({ "Role": r.role, "Rule": rules }),
            storage_classes_as_written(&json["expect"]),
            "{}",
            json["source"]
        );
    }
}

#[test]
fn replication_not_found_reads_as_empty_and_bad_rules_are_refused() {
    let out = not_found("ReplicationConfigurationnotFoundError", |b| b.get_bucket_replication().send().unwrap());
    assert_eq!((out.replication, out.meta.status), (ReplicationConfiguration::default(), 404));
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut no_role = node_replication();
    no_role.role = " ".into();
    let mut no_rules = node_replication();
    no_rules.rules.clear();
    let mut bad_status = node_replication();
    bad_status.rules[1].status = "enabled".into();
    let mut no_dest = node_replication();
    no_dest.rules[1].destination_bucket.clear();
    let cases = [
        (no_role, "the role is empty"),
        (no_rules, "at least one rule"),
        (bad_status, "Status \"enabled\""),
        (no_dest, "rule 1: the destination bucket is empty"),
    ];
    for (config, why) in cases {
        let text = b.put_bucket_replication(config).send().unwrap_err().to_string();
        assert!(text.contains("replication") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket logging ----

#[test]
fn seq_28_put_bucket_logging() {
    replay(28, Canned::new(200, ""), |_, b| {
        b.put_bucket_logging(BucketLoggingStatus::to("logbucket-1250000000", "logs/examplebucket/")).send().unwrap();
    });
}

#[test]
fn seq_29_get_bucket_logging() {
    replay(29, Canned::new(200, "<BucketLoggingStatus/>"), |_, b| {
        let out = b.get_bucket_logging().send().unwrap();
        assert_eq!((out.logging, out.meta.status), (BucketLoggingStatus::default(), 200));
    });
}

#[test]
fn go_later_logging_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("BucketLoggingStatus");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "12 and 13 have the root BucketLoggingStatus");
    for (xml, json) in fixtures {
        let l = parse_later(GetBucketLoggingInput, xml).logging.logging_enabled.unwrap();
        let value = json!({ "LoggingEnabled": { "TargetBucket": l.target_bucket, "TargetPrefix": l.target_prefix } });
        assert_eq!(value, json["expect"], "{}", json["source"]);
    }
}

#[test]
fn logging_off_is_an_empty_status_and_an_empty_target_is_refused() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(200, ""));
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let text = b.put_bucket_logging(BucketLoggingStatus::to("", "p/")).send().unwrap_err().to_string();
    assert!(text.contains("logging") && text.contains("target bucket is empty"), "{text}");
    assert_eq!(transport.requests().len(), 0);
    b.put_bucket_logging(BucketLoggingStatus::default()).send().unwrap();
    assert_eq!(transport.requests()[0].body, b"<BucketLoggingStatus></BucketLoggingStatus>");
}

// ---- bucket domain ----

#[test]
fn seq_22_put_bucket_domain() {
    replay(22, Canned::new(200, ""), |_, b| {
        let mut www = DomainRule::new("www.example.com", "REST");
        www.forced_replacement = Some("CNAME".into());
        let mut stat = DomainRule::new("static.example.com", "WEBSITE");
        stat.status = "DISABLED".into();
        b.put_bucket_domain(DomainConfiguration { rules: vec![www, stat] }).send().unwrap();
    });
}

#[test]
fn seq_23_get_bucket_domain() {
    let body = "<DomainConfiguration><DomainRule><Status>ENABLED</Status><Name>a.com</Name><Type>ACCELERATE</Type></DomainRule></DomainConfiguration>";
    replay(23, Canned::new(200, body), |_, b| {
        assert_eq!(b.get_bucket_domain().send().unwrap().domain.rules, [DomainRule::new("a.com", "ACCELERATE")]);
    });
}

#[test]
fn seq_24_delete_bucket_domain() {
    replay(24, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_domain().send().unwrap().meta.status, 204);
    });
}

#[test]
fn go_later_domain_body_parses_to_its_values() {
    let fixtures = later_fixtures("DomainConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 1, "11 has the root DomainConfiguration");
    for (xml, json) in fixtures {
        let rules: Vec<Value> = parse_later(GetBucketDomainInput, xml)
            .domain
            .rules
            .iter()
            .map(|r| {
                obj(&[
                    ("Status", Some(json!(r.status))),
                    ("Name", Some(json!(r.name))),
                    ("Type", Some(json!(r.domain_type))),
                    ("ForcedReplacement", s(&r.forced_replacement)),
                ])
            })
            .collect();
        assert_eq!(json!({ "DomainRule": rules }), json["expect"], "{}", json["source"]);
    }
}

#[test]
fn no_such_domain_reads_as_empty_and_bad_rules_are_refused() {
    let out = not_found("NoSuchDomainConfiguration", |b| b.get_bucket_domain().send().unwrap());
    assert_eq!((out.domain.rules.len(), out.meta.status), (0, 404));
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut forced = DomainRule::new("a.com", "REST");
    forced.forced_replacement = Some("A".into());
    let cases = [
        (vec![], "at least one rule"),
        (vec![DomainRule::new("a.com", "CDN")], "Type \"CDN\""),
        (vec![DomainRule::new("a.com", "REST"), DomainRule::new("", "REST")], "rule 1: the domain name is empty"),
        (vec![forced], "ForcedReplacement \"A\""),
    ];
    for (rules, why) in cases {
        let text = b.put_bucket_domain(DomainConfiguration { rules }).send().unwrap_err().to_string();
        assert!(text.contains("domain") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket origin ----

fn node_origin() -> OriginConfiguration {
    let mut rule = OriginRule::mirror(1, OriginHost::new("origin.example.com"));
    rule.condition = OriginCondition { http_status_code: Some("404".into()), prefix: Some("images/".into()) };
    rule.parameter = OriginParameter {
        protocol: Some("HTTPS".into()),
        follow_query_string: Some(true),
        follow_http_headers: vec!["Range".into(), "If-None-Match".into()],
        new_http_headers: vec![("x-origin-tag".into(), "cos & more".into())],
        follow_redirection: Some(true),
        http_redirect_code: Some("302".into()),
    };
    rule.file_prefix = Some("backup/".into());
    OriginConfiguration { rules: vec![rule] }
}

#[test]
fn seq_25_put_bucket_origin() {
    replay(25, Canned::new(200, ""), |_, b| {
        b.put_bucket_origin(node_origin()).send().unwrap();
    });
}

#[test]
fn seq_26_get_bucket_origin() {
    let body = "<OriginConfiguration><OriginRule><RulePriority>2</RulePriority><OriginType>Proxy</OriginType><OriginInfo><HostInfo><HostName>h</HostName><Weight>5</Weight></HostInfo></OriginInfo></OriginRule></OriginConfiguration>";
    replay(26, Canned::new(200, body), |_, b| {
        let rules = b.get_bucket_origin().send().unwrap().origin.rules;
        let mut host = OriginHost::new("h");
        host.weight = Some(5);
        let want = OriginRule { priority: 2, origin_type: "Proxy".into(), hosts: vec![host], ..Default::default() };
        assert_eq!(rules, [want]);
    });
}

#[test]
fn seq_27_delete_bucket_origin() {
    replay(27, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_origin().send().unwrap().meta.status, 204);
    });
}

fn private_value(p: &OriginPrivateHost) -> Value {
    obj(&[("Host", Some(json!(p.host))), ("CredentialProvider", p.role.as_ref().map(|r| json!({ "Role": r })))])
}

#[test]
fn go_later_origin_body_parses_to_its_values() {
    let fixtures = later_fixtures("OriginConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 1, "21 has the root OriginConfiguration");
    for (xml, json) in fixtures {
        let rules: Vec<Value> = parse_later(GetBucketOriginInput, xml)
            .origin
            .rules
            .iter()
            .map(|r| {
                let p = &r.parameter;
                let follow: Vec<Value> = p.follow_http_headers.iter().map(|k| json!({ "Key": k })).collect();
                let new: Vec<Value> = p.new_http_headers.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect();
                let hosts: Vec<Value> = r
                    .hosts
                    .iter()
                    .map(|h| {
                        let mut m = serde_json::Map::new();
                        m.insert("HostName".into(), json!(h.host_name));
                        m.insert("Weight".into(), json!(h.weight));
                        for (n, name) in &h.standby_host_names {
                            m.insert(format!("StandbyHostName_{n}"), json!(name));
                        }
                        if let Some(p) = &h.private_host {
                            m.insert("PrivateHost".into(), private_value(p));
                        }
                        for (n, p) in &h.private_standby_hosts {
                            m.insert(format!("PrivateStandbyHost_{n}"), private_value(p));
                        }
                        Value::Object(m)
                    })
                    .collect();
                json!({
                    "RulePriority": r.priority,
                    "OriginType": r.origin_type,
                    "OriginCondition": obj(&[("HTTPStatusCode", s(&r.condition.http_status_code)), ("Prefix", s(&r.condition.prefix))]),
                    "OriginParameter": {
                        "Protocol": p.protocol,
                        "FollowQueryString": p.follow_query_string,
                        "HttpHeader": { "NewHttpHeaders": { "Header": new }, "FollowHttpHeaders": { "Header": follow } },
                        "FollowRedirection": p.follow_redirection,
                        "HttpRedirectCode": p.http_redirect_code,
                    },
                    "OriginInfo": { "HostInfo": hosts },
                })
            })
            .collect();
        assert_eq!(json!({ "OriginRule": rules }), json["expect"], "{}", json["source"]);
    }
}

#[test]
fn no_such_origin_reads_as_empty_and_bad_rules_are_refused() {
    let out = not_found("NoSuchOriginConfiguration", |b| b.get_bucket_origin().send().unwrap());
    assert_eq!((out.origin.rules.len(), out.meta.status), (0, 404));
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut kind = node_origin();
    kind.rules[0].origin_type = "Cache".into();
    let mut no_host = node_origin();
    no_host.rules[0].hosts = vec![OriginHost::default()];
    let mut protocol = node_origin();
    protocol.rules[0].parameter.protocol = Some("FTP".into());
    let cases = [
        (OriginConfiguration::default(), "at least one rule"),
        (kind, "OriginType \"Cache\""),
        (no_host, "rule 0: every origin host needs a host name"),
        (protocol, "Protocol \"FTP\""),
    ];
    for (config, why) in cases {
        let text = b.put_bucket_origin(config).send().unwrap_err().to_string();
        assert!(text.contains("origin") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
}

// ---- bucket inventory ----

fn node_inventory() -> InventoryConfiguration {
    let mut config = InventoryConfiguration::new("inventory_1", "qcs::cos:ap-guangzhou::inventorybucket-1250000000");
    config.destination.account_id = Some("100000000001".into());
    config.destination.prefix = Some("inventory/".into());
    config.destination.sse_cos = true;
    config.frequency = "Weekly".into();
    config.filter_prefix = Some("photos/".into());
    config.optional_fields =
        ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus"]
            .map(String::from)
            .to_vec();
    config
}

#[test]
fn seq_30_put_bucket_inventory() {
    replay(30, Canned::new(200, ""), |_, b| {
        b.put_bucket_inventory(node_inventory()).send().unwrap();
    });
}

#[test]
fn seq_31_get_bucket_inventory() {
    let body = String::from_utf8(
        PutBucketInventoryInput { config: node_inventory() }.build().unwrap().body.as_bytes().unwrap().to_vec(),
    )
    .unwrap();
    replay(31, Canned::new(200, body), |_, b| {
        assert_eq!(b.get_bucket_inventory("inventory_1").send().unwrap().inventory, node_inventory());
    });
}

#[test]
fn seq_32_list_bucket_inventory_with_a_continuation_token() {
    let body = "<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>";
    replay(32, Canned::new(200, body), |_, b| {
        let out =
            b.list_bucket_inventory().continuation_token("1ueSDFASDF1Tr/XDAFdadEADadf2J/wm36Hy4vbOwM=").send().unwrap();
        assert_eq!((out.configurations.len(), out.is_truncated, out.next_continuation_token), (0, false, None));
    });
}

#[test]
fn seq_33_delete_bucket_inventory() {
    replay(33, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_bucket_inventory("inventory_1").send().unwrap().meta.status, 204);
    });
}

/// An inventory configuration against a fixture's `expect`, element by element (IsEnabled is
/// `"True"` there: a string to Go, a bool here; Filter's prefix under `And` or not).
fn assert_inventory(c: &InventoryConfiguration, want: &Value, source: &Value) {
    assert_eq!(c.id, want["Id"], "{source}");
    assert_eq!(c.is_enabled, want["IsEnabled"].as_str().unwrap().eq_ignore_ascii_case("true"), "{source}");
    let d = &want["Destination"]["COSBucketDestination"];
    assert_eq!(c.destination.format, d["Format"], "{source}");
    assert_eq!(c.destination.bucket, d["Bucket"], "{source}");
    assert_eq!(json!(c.destination.account_id), d["AccountId"], "{source}");
    assert_eq!(json!(c.destination.prefix), d["Prefix"], "{source}");
    assert_eq!(c.destination.sse_cos, d.get("Encryption").is_some(), "{source}");
    assert_eq!(c.frequency, want["Schedule"]["Frequency"], "{source}");
    let filter = want["Filter"].get("And").unwrap_or(&want["Filter"]);
    assert_eq!(json!(c.filter_prefix), filter["Prefix"], "{source}");
    assert_eq!(c.included_object_versions, want["IncludedObjectVersions"], "{source}");
    assert_eq!(json!(c.optional_fields), want["OptionalFields"]["Field"], "{source}");
}

#[test]
fn go_later_inventory_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("InventoryConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 1, "14 has the root InventoryConfiguration");
    for (xml, json) in fixtures {
        let c = parse_later(GetBucketInventoryInput { id: "list1".into() }, xml).inventory;
        assert_inventory(&c, &json["expect"], &json["source"]);
    }
    let fixtures = later_fixtures("ListInventoryConfigurationResult");
    assert_eq!(fixtures.len(), 1, "15 has the root ListInventoryConfigurationResult");
    for (xml, json) in fixtures {
        let out = parse_later(ListBucketInventoryInput::default(), xml);
        let want = &json["expect"];
        let configs = want["InventoryConfiguration"].as_array().unwrap();
        assert_eq!(out.configurations.len(), configs.len());
        for (c, w) in out.configurations.iter().zip(configs) {
            assert_inventory(c, w, &json["source"]);
        }
        assert_eq!(json!(out.is_truncated), want["IsTruncated"], "the last IsTruncated wins");
        assert_eq!(json!(out.continuation_token), want["ContinuationToken"]);
        assert_eq!(json!(out.next_continuation_token), want["NextContinuationToken"]);
    }
}

#[test]
fn bad_inventory_input_is_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut bad_id = node_inventory();
    bad_id.id = "a/b".into();
    let mut no_dest = node_inventory();
    no_dest.destination.bucket.clear();
    let mut monthly = node_inventory();
    monthly.frequency = "Monthly".into();
    let mut versions = node_inventory();
    versions.included_object_versions = "Some".into();
    let cases = [
        (b.put_bucket_inventory(bad_id).send().unwrap_err(), "the Id \"a/b\""),
        (b.put_bucket_inventory(no_dest).send().unwrap_err(), "destination bucket is empty"),
        (b.put_bucket_inventory(monthly).send().unwrap_err(), "Frequency \"Monthly\""),
        (b.put_bucket_inventory(versions).send().unwrap_err(), "IncludedObjectVersions \"Some\""),
        (b.get_bucket_inventory("").send().unwrap_err(), "the Id \"\""),
        (b.delete_bucket_inventory("x".repeat(65)).send().unwrap_err(), "1 to 64"),
    ];
    for (err, why) in cases {
        let text = err.to_string();
        assert!(text.contains("inventory") && text.contains(why), "{why}: {text}");
    }
    let err = b.list_bucket_inventory().continuation_token("").send().unwrap_err();
    assert!(err.to_string().contains("continuation_token"), "{err}");
    assert_eq!(transport.requests().len(), 0);
}

// ---- intelligent tiering (Go SDK; node sends it only as a raw request, seq 39) ----

#[test]
fn seq_39_get_bucket_intelligent_tiering() {
    let body = "<IntelligentTieringConfiguration><Status>Enabled</Status><Transition><Days>60</Days><RequestFrequent>1</RequestFrequent></Transition></IntelligentTieringConfiguration>";
    replay(39, Canned::new(200, body), |_, b| {
        let t = b.get_bucket_intelligent_tiering().send().unwrap().intelligent_tiering;
        let want = IntelligentTieringTransition { days: Some(60), request_frequent: Some(1) };
        assert_eq!((t.status.as_str(), t.transition), ("Enabled", Some(want)));
    });
}

fn tiering_value(c: &IntelligentTieringConfiguration) -> Value {
    let tierings: Vec<Value> = c
        .tierings
        .iter()
        .map(|t| {
            obj(&[
                ("AccessTier", Some(json!(t.access_tier))),
                ("Days", Some(json!(t.days))),
                ("RequestFrequent", t.request_frequent.map(|n| json!(n))),
            ])
        })
        .collect();
    obj(&[
        ("Id", s(&c.id)),
        ("Status", Some(json!(c.status))),
        (
            "Filter",
            c.filter.as_ref().map(|f| {
                let tags: Vec<Value> = f.tags.iter().map(|t| json!({ "Key": t.key, "Value": t.value })).collect();
                json!({ "And": { "Prefix": f.prefix, "Tag": tags } })
            }),
        ),
        (
            "Transition",
            c.transition.as_ref().map(|t| {
                obj(&[("Days", t.days.map(|n| json!(n))), ("RequestFrequent", t.request_frequent.map(|n| json!(n)))])
            }),
        ),
        ("Tiering", (!tierings.is_empty()).then(|| json!(tierings))),
    ])
}

#[test]
fn go_later_intelligent_tiering_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("IntelligentTieringConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "23 (v1) and 24 (v2 by id) have the root IntelligentTieringConfiguration");
    let (v1, v2) = (&fixtures[0], &fixtures[1]);
    let got = parse_later(GetBucketIntelligentTieringInput, v1.0.clone()).intelligent_tiering;
    assert_eq!(tiering_value(&got), v1.1["expect"], "{}", v1.1["source"]);
    let got = parse_later(GetBucketIntelligentTieringRuleInput { id: "default".into() }, v2.0.clone()).rule;
    assert_eq!(tiering_value(&got), v2.1["expect"], "{}", v2.1["source"]);
    let fixtures = later_fixtures("ListBucketIntelligentTieringConfigurationsOutput");
    assert_eq!(fixtures.len(), 2, "25 and 26 list intelligent-tiering rules");
    for (xml, json) in fixtures {
        let rules: Vec<Value> =
            parse_later(ListBucketIntelligentTieringInput, xml).rules.iter().map(tiering_value).collect();
        assert_eq!(json!({ "IntelligentTieringConfiguration": rules }), json["expect"], "{}", json["source"]);
    }
}

#[test]
fn intelligent_tiering_requests_and_bad_input() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(200, ""));
    transport.answer(Canned::new(200, ""));
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut no_status = IntelligentTieringConfiguration::enabled_after(30);
    no_status.status.clear();
    let mut no_days = IntelligentTieringConfiguration::rule("r1", "ARCHIVE_ACCESS", 30);
    no_days.tierings[0].days = 0;
    let cases = [
        (b.put_bucket_intelligent_tiering(no_status).send().unwrap_err(), "Status \"\""),
        (
            b.put_bucket_intelligent_tiering_rule(IntelligentTieringConfiguration::enabled_after(30))
                .send()
                .unwrap_err(),
            "rule Id \"\"",
        ),
        (b.put_bucket_intelligent_tiering_rule(no_days).send().unwrap_err(), "tiering 0 needs"),
        (b.get_bucket_intelligent_tiering_rule("a b").send().unwrap_err(), "rule Id \"a b\""),
    ];
    for (err, why) in cases {
        let text = err.to_string();
        assert!(text.contains("intelligent_tiering") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
    b.put_bucket_intelligent_tiering(IntelligentTieringConfiguration::enabled_after(30)).send().unwrap();
    b.put_bucket_intelligent_tiering_rule(IntelligentTieringConfiguration::rule("r1", "ARCHIVE_ACCESS", 90))
        .send()
        .unwrap();
    let sent = transport.requests();
    assert_eq!(sent[0].target(), "/?intelligenttiering=");
    assert_eq!(sent[1].target(), "/?intelligent-tiering=&id=r1");
    assert_eq!(
        sent[1].body,
        b"<IntelligentTieringConfiguration><Id>r1</Id><Status>Enabled</Status><Tiering><AccessTier>ARCHIVE_ACCESS</AccessTier><Days>90</Days></Tiering></IntelligentTieringConfiguration>"
    );
}

// ---- object lock (Go SDK; no node recording) ----

#[test]
fn go_later_object_lock_bodies_parse_to_their_values() {
    let fixtures = later_fixtures("ObjectLockConfiguration");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 2, "27 and 28 have the root ObjectLockConfiguration");
    for (xml, json) in fixtures {
        let c = parse_later(GetBucketObjectLockInput, xml).object_lock;
        let value = json!({
            "ObjectLockEnabled": c.object_lock_enabled,
            "Rule": { "DefaultRetention": { "Days": c.default_retention_days } },
        });
        assert_eq!(value, json["expect"], "{}", json["source"]);
    }
}

#[test]
fn object_lock_request_and_bad_input() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(200, ""));
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let mut off = ObjectLockConfiguration::enabled_for_days(1);
    off.object_lock_enabled = Some("Disabled".into());
    let zero = ObjectLockConfiguration::enabled_for_days(0);
    for (config, why) in [(off, "ObjectLockEnabled \"Disabled\""), (zero, "at least 1 day")] {
        let text = b.put_bucket_object_lock(config).send().unwrap_err().to_string();
        assert!(text.contains("object_lock") && text.contains(why), "{why}: {text}");
    }
    assert_eq!(transport.requests().len(), 0);
    b.put_bucket_object_lock(ObjectLockConfiguration::enabled_for_days(7)).send().unwrap();
    let sent = &transport.requests()[0];
    assert_eq!((sent.method.as_str(), sent.target()), ("PUT", "/?object-lock="));
    assert_eq!(sent.header("Content-Type"), Some("application/xml"));
}

// ---- domain certificate (Go SDK; no node recording) ----

#[test]
fn go_later_domain_certificate_body_parses_to_its_status() {
    let fixtures = later_fixtures("DomainCertificate");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 1, "30 has the root DomainCertificate");
    for (xml, json) in fixtures {
        let out = parse_later(GetBucketDomainCertificateInput { domain_name: "www.abc.com".into() }, xml);
        assert_eq!(json!({ "Status": out.status }), json["expect"], "{}", json["source"]);
    }
}

#[test]
fn domain_certificate_requests_never_show_the_key() {
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nSECRETKEYBYTES\n-----END PRIVATE KEY-----";
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(200, ""));
    transport.answer(Canned::new(204, ""));
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let cert = DomainCertificate::custom("-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----", KEY);
    let cases = [
        (b.put_bucket_domain_certificate(cert.clone()).send().unwrap_err(), "at least one domain"),
        (
            b.put_bucket_domain_certificate(DomainCertificate::custom("c", "").domain("a.com")).send().unwrap_err(),
            "private key are both needed",
        ),
        (
            b.put_bucket_domain_certificate(cert.clone().domain("a.com").domain(" ")).send().unwrap_err(),
            "domain 1 is empty",
        ),
        (b.get_bucket_domain_certificate("").send().unwrap_err(), "domain name is empty"),
    ];
    for (err, why) in cases {
        let text = err.to_string();
        assert!(
            text.contains("domain_certificate") && text.contains(why) && !text.contains("SECRETKEYBYTES"),
            "{why}: {text}"
        );
    }
    assert_eq!(transport.requests().len(), 0);
    let cert = cert.domain("www.example.com");
    assert!(!format!("{cert:?}").contains("SECRETKEYBYTES"));
    b.put_bucket_domain_certificate(cert).send().unwrap();
    b.delete_bucket_domain_certificate("www.example.com").send().unwrap();
    let sent = transport.requests();
    assert_eq!((sent[0].method.as_str(), sent[0].target()), ("PUT", "/?domaincertificate="));
    let body = String::from_utf8(sent[0].body.clone()).unwrap();
    assert!(
        body.starts_with("<DomainCertificate><CertificateInfo><CertType>CustomCert</CertType><CustomCert><Cert>"),
        "{body}"
    );
    assert!(body.ends_with("</CustomCert></CertificateInfo><DomainList><DomainName>www.example.com</DomainName></DomainList></DomainCertificate>"), "{body}");
    assert_eq!(
        (sent[1].method.as_str(), sent[1].target()),
        ("DELETE", "/?domaincertificate=&domainname=www.example.com")
    );
}

/// `later/29`: the Go SDK's `GetRetention` answer (no `Mode`, a space after the date) parses
/// to its value; a missing `Mode` reads as empty, not as an invented one.
#[test]
fn go_later_retention_body_parses_to_its_value() {
    let fixtures = later_fixtures("Retention");
    if fixtures.is_empty() {
        return;
    }
    assert_eq!(fixtures.len(), 1, "29 has the root Retention");
    for (xml, json) in fixtures {
        let out = tencent_cos::api::GetObjectRetentionInput { key: "a.txt".into(), version_id: None }
            .parse(Response::from_bytes(200, Vec::<(String, String)>::new(), xml))
            .unwrap();
        assert_eq!(json!({ "RetainUntilDate": out.retention.retain_until_date }), json["expect"], "{}", json["source"]);
        assert_eq!(out.retention.mode, "");
        assert_eq!(out.retention.retain_until_secs(), Some(1_684_394_395));
    }
}
