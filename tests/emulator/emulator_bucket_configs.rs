//! The bucket-configuration calls (issue 14) against the emulator, on both fronts (in-process
//! and HTTP): what is put is what is read, the "never configured" answer, delete, and the
//! owner-only rule.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness, Raw};
use tencent_cos::api::Tag;
use tencent_cos::api::VersioningStatus;
use tencent_cos::api::{
    BucketLoggingStatus, DomainCertificate, DomainConfiguration, DomainRule, EncryptionRule, IntelligentTiering,
    IntelligentTieringConfiguration, IntelligentTieringFilter, InventoryConfiguration, ObjectLockConfiguration,
    OriginConfiguration, OriginHost, OriginPrivateHost, OriginRule, PutBucketInventoryInput, RefererConfiguration,
    ReplicationConfiguration, ReplicationRule, RoutingRule, ServerSideEncryptionConfiguration, WebsiteConfiguration,
    WebsiteErrorDocument,
};
use tencent_cos::api::{LifecycleFilter, LifecycleRule};
use tencent_cos::emulator::Emulator;
use tencent_cos::operation::Operation;

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

#[test]
fn bucket_tags_are_stored_returned_and_deleted() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);

        let empty = b.get_bucket_tagging().send().unwrap();
        assert!(empty.tags.is_empty(), "{front:?}");
        assert_eq!(empty.meta.status, 404, "{front:?}: NoSuchTagSet read as empty");

        let tags =
            vec![Tag::new("team", "storage & infra"), Tag::new("项目", "甲 乙 <丙> \"q\""), Tag::new("empty", "")];
        b.put_bucket_tagging().tags(tags.clone()).send().unwrap();
        let got = b.get_bucket_tagging().send().unwrap();
        assert_eq!(got.meta.status, 200, "{front:?}");
        assert_eq!(got.tags, tags, "{front:?}: same tags, same order");

        // A second put replaces, not merges.
        b.put_bucket_tagging().tag("only", "one").send().unwrap();
        assert_eq!(b.get_bucket_tagging().send().unwrap().tags, [Tag::new("only", "one")], "{front:?}");

        assert_eq!(b.delete_bucket_tagging().send().unwrap().meta.status, 204, "{front:?}");
        let after = b.get_bucket_tagging().send().unwrap();
        assert!(after.tags.is_empty() && after.meta.status == 404, "{front:?}: deleted");

        // The bucket itself is untouched by ?tagging (PUT ?tagging must not read as PUT Bucket).
        h.send(BUCKET, Raw::head()).ok();
    }
}

#[test]
fn bucket_tagging_errors_on_both_fronts() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        // No bucket: NoSuchBucket, not a silent bucket creation.
        let put = h.send(
            BUCKET,
            Raw::put()
                .query("tagging", "")
                .xml("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>"),
        );
        assert_eq!(put.code(), (404, "NoSuchBucket".to_string()), "{front:?}");
        h.create_bucket();
        let bodies = [
            ("<Tagging><TagSet></TagSet></Tagging>", 400, "MalformedXML"),
            ("<Tagging><TagSet><Tag><Key></Key><Value>1</Value></Tag></TagSet></Tagging>", 400, "InvalidArgument"),
            (
                "<Tagging><TagSet><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></TagSet></Tagging>",
                400,
                "InvalidArgument",
            ),
            ("<NotTagging/>", 400, "MalformedXML"),
        ];
        for (body, status, code) in bodies {
            let r = h.send(BUCKET, Raw::put().query("tagging", "").xml(body));
            assert_eq!(r.code(), (status, code.to_string()), "{front:?}: {body}");
        }
        // Nothing was stored by the refused puts.
        assert_eq!(h.send(BUCKET, Raw::get().query("tagging", "")).code(), (404, "NoSuchTagSet".to_string()));
        // The object call is another one: an untagged object has an empty TagSet.
        h.put("a.txt", b"a");
        let r = h.send(BUCKET, Raw::get().key("a.txt").query("tagging", "")).ok();
        assert_eq!(
            r.text(),
            "<?xml version='1.0' encoding='utf-8' ?>\n<Tagging><TagSet></TagSet></Tagging>",
            "{front:?}"
        );
        // Another account is refused.
        let other = h.anonymous();
        let err = other.bucket(BUCKET).get_bucket_tagging().send().unwrap_err();
        assert_eq!(err.service().map(|e| e.status), Some(403), "{front:?}");
    }
}

#[test]
fn bucket_policy_is_stored_returned_and_deleted() {
    let policy = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Effect":"deny","Action":["name/cos:DeleteObject"],"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/中文目录/*"]}]}"#;
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);

        let none = b.get_bucket_policy().send().unwrap();
        assert_eq!((none.policy.as_str(), none.meta.status), ("", 404), "{front:?}: NoSuchPolicy read as empty");
        assert_eq!(h.send(BUCKET, Raw::get().query("policy", "")).code(), (404, "NoSuchPolicy".to_string()));

        assert_eq!(b.put_bucket_policy(policy).send().unwrap().meta.status, 204, "{front:?}");
        let got = b.get_bucket_policy().send().unwrap();
        assert_eq!(got.policy, policy, "{front:?}: byte for byte");
        assert_eq!(got.meta.headers.get("content-type"), Some("application/json"), "{front:?}");

        assert_eq!(b.delete_bucket_policy().send().unwrap().meta.status, 204, "{front:?}");
        assert_eq!(b.get_bucket_policy().send().unwrap().meta.status, 404, "{front:?}: deleted");

        // Refused bodies (sent raw: the client refuses them itself) store nothing.
        for (body, code) in [("not json", "MalformedPolicy"), ("[]", "MalformedPolicy")] {
            let r = h.send(BUCKET, Raw::put().query("policy", "").body(body));
            assert_eq!(r.code(), (400, code.to_string()), "{front:?}: {body}");
        }
        let big = format!("{{\"x\":\"{}\"}}", "a".repeat(20 * 1024));
        assert_eq!(h.send(BUCKET, Raw::put().query("policy", "").body(big)).code().1, "PolicyTooLarge");
        assert_eq!(b.get_bucket_policy().send().unwrap().meta.status, 404, "{front:?}");
        // Another account may not read it.
        let err = h.anonymous().bucket(BUCKET).get_bucket_policy().send().unwrap_err();
        assert_eq!(err.service().map(|e| e.status), Some(403), "{front:?}");
    }
}

#[test]
fn bucket_versioning_status_is_kept() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        assert_eq!(b.get_bucket_versioning().send().unwrap().status, None, "{front:?}: never set");
        assert_eq!(
            h.send(BUCKET, Raw::get().query("versioning", "")).ok().text(),
            "<?xml version='1.0' encoding='utf-8' ?>\n<VersioningConfiguration></VersioningConfiguration>"
        );
        for status in [VersioningStatus::Enabled, VersioningStatus::Suspended, VersioningStatus::Enabled] {
            b.put_bucket_versioning(status.clone()).send().unwrap();
            assert_eq!(b.get_bucket_versioning().send().unwrap().status, Some(status), "{front:?}");
        }
        for body in [
            "<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>",
            "<VersioningConfiguration/>",
            "<Versioning><Status>Enabled</Status></Versioning>",
        ] {
            let r = h.send(BUCKET, Raw::put().query("versioning", "").xml(body));
            assert_eq!(r.code(), (400, "MalformedXML".to_string()), "{front:?}: {body}");
        }
        assert_eq!(b.get_bucket_versioning().send().unwrap().status, Some(VersioningStatus::Enabled));
        // DELETE ?versioning is no call: refused, and the bucket is still there.
        assert_eq!(h.send(BUCKET, Raw::delete().query("versioning", "")).code().0, 405, "{front:?}");
        h.send(BUCKET, Raw::head()).ok();
    }
}

#[test]
fn bucket_lifecycle_is_stored_returned_and_deleted() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let none = b.get_bucket_lifecycle().send().unwrap();
        assert!(none.rules.is_empty() && none.meta.status == 404, "{front:?}: NoSuchLifecycleConfiguration");

        let rules = vec![
            LifecycleRule::new("archive")
                .filter(LifecycleFilter::prefix("logs/"))
                .transition_days(30, "STANDARD_IA")
                .expiration_days(365),
            LifecycleRule::new("tagged")
                .enabled(false)
                .filter(LifecycleFilter::prefix("tmp/").tag("temp", "true").tag("owner", "a&b <c>"))
                .expiration_date("2030-01-01T00:00:00+08:00"),
            LifecycleRule::new("noncurrent")
                .noncurrent_version_transition(30, "ARCHIVE")
                .noncurrent_version_expiration_days(60)
                .abort_incomplete_multipart_upload_days(7),
        ];
        b.put_bucket_lifecycle().rules(rules.clone()).send().unwrap();
        let got = b.get_bucket_lifecycle().send().unwrap();
        assert_eq!((got.meta.status, &got.rules), (200, &rules), "{front:?}");
        // Rules are never acted on: an object under logs/ stays.
        h.put("logs/a.txt", b"a");
        h.send(BUCKET, Raw::head().key("logs/a.txt")).ok();

        assert_eq!(b.delete_bucket_lifecycle().send().unwrap().meta.status, 204);
        assert_eq!(b.get_bucket_lifecycle().send().unwrap().meta.status, 404, "{front:?}: deleted");

        let refused = [
            ("<LifecycleConfiguration></LifecycleConfiguration>", "InvalidArgument"),
            (
                "<LifecycleConfiguration><Rule><ID>x</ID><Status>Enabled</Status></Rule></LifecycleConfiguration>",
                "InvalidArgument",
            ),
            ("<LifecycleConfiguration><Rule><Status>Maybe</Status></Rule></LifecycleConfiguration>", "MalformedXML"),
            (
                "<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>x</Days></Expiration></Rule></LifecycleConfiguration>",
                "MalformedXML",
            ),
            ("<Lifecycle/>", "MalformedXML"),
        ];
        for (body, code) in refused {
            let r = h.send(BUCKET, Raw::put().query("lifecycle", "").xml(body));
            assert_eq!(r.code(), (400, code.to_string()), "{front:?}: {body}");
        }
        assert_eq!(b.get_bucket_lifecycle().send().unwrap().meta.status, 404, "{front:?}: nothing stored");
    }
}

#[test]
fn bucket_accelerate_setting_is_kept() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let never = b.get_bucket_accelerate().send().unwrap();
        assert_eq!((never.status, never.accelerate_type), (None, None), "{front:?}: never set");
        b.put_bucket_accelerate(true).accelerate_type("COS").send().unwrap();
        let on = b.get_bucket_accelerate().send().unwrap();
        assert_eq!((on.status.as_deref(), on.accelerate_type.as_deref()), (Some("Enabled"), Some("COS")), "{front:?}");
        b.put_bucket_accelerate(false).send().unwrap();
        let off = b.get_bucket_accelerate().send().unwrap();
        assert_eq!((off.status.as_deref(), off.accelerate_type), (Some("Suspended"), None), "{front:?}");
        for (body, code) in [
            ("<AccelerateConfiguration><Status>On</Status></AccelerateConfiguration>", "MalformedXML"),
            (
                "<AccelerateConfiguration><Status>Enabled</Status><Type>CDN</Type></AccelerateConfiguration>",
                "InvalidArgument",
            ),
        ] {
            let r = h.send(BUCKET, Raw::put().query("accelerate", "").xml(body));
            assert_eq!(r.code(), (400, code.to_string()), "{front:?}: {body}");
        }
        assert_eq!(b.get_bucket_accelerate().send().unwrap().status.as_deref(), Some("Suspended"), "{front:?}");
    }
}

/// For the configurations only stored and returned: the never-set answer (raw code and the
/// client's empty reading), put then get, a second put replacing, refused bodies storing nothing.
#[test]
fn bucket_website_is_stored_returned_and_deleted() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let none = b.get_bucket_website().send().unwrap();
        assert_eq!((none.website, none.meta.status), (WebsiteConfiguration::default(), 404), "{front:?}");
        let raw = h.send(BUCKET, Raw::get().query("website", ""));
        assert_eq!(raw.code(), (404, "NoSuchWebsiteConfiguration".to_string()), "{front:?}");

        let mut config = WebsiteConfiguration::index("index.html").redirect_all_requests_to("https");
        config.error_document = Some(WebsiteErrorDocument {
            key: "errors/404 & <x>.html".into(),
            original_http_status: Some("Enabled".into()),
        });
        let config = config
            .routing_rule(RoutingRule::on_error_code("404").protocol("https").replace_key_with("404.html"))
            .routing_rule(RoutingRule::on_key_prefix("文档/").replace_key_prefix_with("docs/"));
        b.put_bucket_website(config.clone()).send().unwrap();
        let got = b.get_bucket_website().send().unwrap();
        assert_eq!((got.meta.status, &got.website), (200, &config), "{front:?}");
        b.put_bucket_website(WebsiteConfiguration::index("home.htm")).send().unwrap();
        assert_eq!(b.get_bucket_website().send().unwrap().website, WebsiteConfiguration::index("home.htm"));

        for (body, code) in [
            ("<WebsiteConfiguration></WebsiteConfiguration>", "InvalidArgument"),
            (
                "<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition/><Redirect/></RoutingRule></RoutingRules></WebsiteConfiguration>",
                "InvalidArgument",
            ),
            ("<Website/>", "MalformedXML"),
            ("<WebsiteConfiguration>", "MalformedXML"),
        ] {
            let r = h.send(BUCKET, Raw::put().query("website", "").xml(body));
            assert_eq!(r.code(), (400, code.to_string()), "{front:?}: {body}");
        }
        assert_eq!(b.get_bucket_website().send().unwrap().website, WebsiteConfiguration::index("home.htm"));
        let err = h.anonymous().bucket(BUCKET).get_bucket_website().send().unwrap_err();
        assert_eq!(err.service().map(|e| e.status), Some(403), "{front:?}");

        assert_eq!(b.delete_bucket_website().send().unwrap().meta.status, 204, "{front:?}");
        assert_eq!(b.get_bucket_website().send().unwrap().meta.status, 404, "{front:?}: deleted");
        assert_eq!(b.delete_bucket_website().send().unwrap().meta.status, 204, "{front:?}: again");
        h.send(BUCKET, Raw::head()).ok();
    }
}

#[test]
fn bucket_referer_is_stored_and_returned() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let none = b.get_bucket_referer().send().unwrap();
        assert_eq!((none.referer, none.meta.status), (RefererConfiguration::default(), 404), "{front:?}");
        let raw = h.send(BUCKET, Raw::get().query("referer", ""));
        assert_eq!(raw.code(), (404, "NoSuchRefererConfiguration".to_string()), "{front:?}");

        let config = RefererConfiguration::white_list(["*.example.com", "www.example.org:8080"]).empty_referer("Deny");
        b.put_bucket_referer(config.clone()).send().unwrap();
        assert_eq!(b.get_bucket_referer().send().unwrap().referer, config, "{front:?}");
        // "Deleting" is a put of a disabled configuration (COS has no DELETE ?referer).
        let mut off = config.clone();
        off.status = "Disabled".into();
        b.put_bucket_referer(off.clone()).send().unwrap();
        assert_eq!(b.get_bucket_referer().send().unwrap().referer, off, "{front:?}");
        assert_eq!(h.send(BUCKET, Raw::delete().query("referer", "")).code().0, 405, "{front:?}");
        h.send(BUCKET, Raw::head()).ok();

        let r = h.send(
            BUCKET,
            Raw::put().query("referer", "").xml("<RefererConfiguration><Status>Enabled</Status><RefererType>Grey-List</RefererType><DomainList><Domain>a</Domain></DomainList></RefererConfiguration>"),
        );
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}");
        assert_eq!(b.get_bucket_referer().send().unwrap().referer, off, "{front:?}: nothing stored");
    }
}

#[test]
fn bucket_encryption_is_stored_returned_and_deleted() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let none = b.get_bucket_encryption().send().unwrap();
        assert!(none.encryption.rules.is_empty() && none.meta.status == 404, "{front:?}");
        let raw = h.send(BUCKET, Raw::get().query("encryption", ""));
        assert_eq!(raw.code(), (404, "NoSuchEncryptionConfiguration".to_string()), "{front:?}");

        let kms = ServerSideEncryptionConfiguration { rules: vec![EncryptionRule::kms("kms-key-0001")] };
        b.put_bucket_encryption(kms.clone()).send().unwrap();
        assert_eq!(b.get_bucket_encryption().send().unwrap().encryption, kms, "{front:?}");
        let aes = ServerSideEncryptionConfiguration { rules: vec![EncryptionRule::new("AES256")] };
        b.put_bucket_encryption(aes.clone()).send().unwrap();
        assert_eq!(b.get_bucket_encryption().send().unwrap().encryption, aes, "{front:?}");
        let r = h.send(
            BUCKET,
            Raw::put().query("encryption", "").xml("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>ROT13</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"),
        );
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}");
        assert_eq!(b.delete_bucket_encryption().send().unwrap().meta.status, 204, "{front:?}");
        assert_eq!(b.get_bucket_encryption().send().unwrap().meta.status, 404, "{front:?}: deleted");
    }
}

#[test]
fn bucket_replication_needs_versioning_enabled() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let none = b.get_bucket_replication().send().unwrap();
        assert_eq!((none.replication, none.meta.status), (ReplicationConfiguration::default(), 404), "{front:?}");
        let raw = h.send(BUCKET, Raw::get().query("replication", ""));
        assert_eq!(raw.code(), (404, "ReplicationConfigurationnotFoundError".to_string()), "{front:?}");

        let mut rule = ReplicationRule::new("docs/", "qcs::cos:ap-beijing::dest-1250000000");
        rule.id = Some("r & 1".into());
        rule.destination_storage_class = Some("STANDARD_IA".into());
        let config = ReplicationConfiguration { role: "qcs::cam::uin/1:uin/1".into(), rules: vec![rule] };
        // Never-versioned, then suspended: refused, nothing stored.
        for status in [None, Some(VersioningStatus::Suspended)] {
            if let Some(s) = status {
                b.put_bucket_versioning(s).send().unwrap();
            }
            let err = b.put_bucket_replication(config.clone()).send().unwrap_err();
            assert_eq!(err.service().map(|e| (e.status, e.code.as_str())), Some((400, "InvalidRequest")), "{front:?}");
        }
        assert_eq!(b.get_bucket_replication().send().unwrap().meta.status, 404, "{front:?}");

        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        b.put_bucket_replication(config.clone()).send().unwrap();
        let got = b.get_bucket_replication().send().unwrap();
        assert_eq!((got.meta.status, got.replication), (200, config), "{front:?}");
        assert_eq!(b.delete_bucket_replication().send().unwrap().meta.status, 204, "{front:?}");
        assert_eq!(b.get_bucket_replication().send().unwrap().meta.status, 404, "{front:?}: deleted");
    }
}

#[test]
fn bucket_logging_is_turned_on_and_off() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let never = b.get_bucket_logging().send().unwrap();
        assert_eq!((never.logging, never.meta.status), (BucketLoggingStatus::default(), 200), "{front:?}");
        let on = BucketLoggingStatus::to("logbucket-1250000000", "logs/示例 & <x>/");
        b.put_bucket_logging(on.clone()).send().unwrap();
        assert_eq!(b.get_bucket_logging().send().unwrap().logging, on, "{front:?}");
        b.put_bucket_logging(BucketLoggingStatus::default()).send().unwrap();
        assert_eq!(b.get_bucket_logging().send().unwrap().logging, BucketLoggingStatus::default(), "{front:?}");
        let r = h.send(BUCKET, Raw::put().query("logging", "").xml("<BucketLogging/>"));
        assert_eq!(r.code(), (400, "MalformedXML".to_string()), "{front:?}");
        assert_eq!(h.send(BUCKET, Raw::delete().query("logging", "")).code().0, 405, "{front:?}");
        h.send(BUCKET, Raw::head()).ok();
    }
}

#[test]
fn bucket_domain_is_stored_returned_and_deleted() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        assert_eq!(
            h.send(BUCKET, Raw::get().query("domain", "")).code(),
            (404, "NoSuchDomainConfiguration".to_string())
        );
        assert_eq!(b.get_bucket_domain().send().unwrap().meta.status, 404, "{front:?}: read as empty");
        let mut off = DomainRule::new("static.example.com", "WEBSITE");
        off.status = "DISABLED".into();
        let config = DomainConfiguration { rules: vec![DomainRule::new("www.example.com", "REST"), off] };
        b.put_bucket_domain(config.clone()).send().unwrap();
        assert_eq!(b.get_bucket_domain().send().unwrap().domain, config, "{front:?}");
        let r = h.send(
            BUCKET,
            Raw::put().query("domain", "").xml("<DomainConfiguration><DomainRule><Status>ON</Status><Name>a</Name><Type>REST</Type></DomainRule></DomainConfiguration>"),
        );
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}");
        assert_eq!(b.delete_bucket_domain().send().unwrap().meta.status, 204, "{front:?}");
        assert_eq!(b.get_bucket_domain().send().unwrap().meta.status, 404, "{front:?}: deleted");
    }
}

#[test]
fn bucket_origin_is_stored_returned_and_deleted() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        assert_eq!(
            h.send(BUCKET, Raw::get().query("origin", "")).code(),
            (404, "NoSuchOriginConfiguration".to_string())
        );
        let mut host = OriginHost::new("origin.example.com");
        host.weight = Some(10);
        host.standby_host_names = vec![(1, "standby-1.example.com".into()), (3, "standby-3.example.com".into())];
        host.private_host =
            Some(OriginPrivateHost { host: "p.example.com".into(), role: Some("qcs::cam::uin/1:roleName/r".into()) });
        host.private_standby_hosts = vec![(2, OriginPrivateHost { host: "p2.example.com".into(), role: None })];
        let mut rule = OriginRule::mirror(1, host);
        rule.condition.http_status_code = Some("404".into());
        rule.parameter.follow_query_string = Some(false);
        rule.parameter.new_http_headers = vec![("x-tag".into(), "a & <b>".into())];
        rule.file_prefix = Some("backup/".into());
        let config = OriginConfiguration { rules: vec![rule] };
        b.put_bucket_origin(config.clone()).send().unwrap();
        assert_eq!(b.get_bucket_origin().send().unwrap().origin, config, "{front:?}");
        let r = h.send(
            BUCKET,
            Raw::put().query("origin", "").xml(
                "<OriginConfiguration><OriginRule><RulePriority>x</RulePriority></OriginRule></OriginConfiguration>",
            ),
        );
        assert_eq!(r.code(), (400, "MalformedXML".to_string()), "{front:?}");
        assert_eq!(b.delete_bucket_origin().send().unwrap().meta.status, 204, "{front:?}");
        assert_eq!(b.get_bucket_origin().send().unwrap().meta.status, 404, "{front:?}: deleted");
    }
}

fn inventory(id: &str) -> InventoryConfiguration {
    let mut c = InventoryConfiguration::new(id, "qcs::cos:ap-guangzhou::reports-1250000000");
    c.destination.prefix = Some("inv/".into());
    c.destination.sse_cos = true;
    c.filter_prefix = Some("photos & <x>/".into());
    c.optional_fields = vec!["Size".into(), "ETag".into()];
    c
}

#[test]
fn bucket_inventory_put_get_list_pages_and_delete() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let empty = b.list_bucket_inventory().send().unwrap();
        assert_eq!((empty.configurations.len(), empty.is_truncated, empty.next_continuation_token), (0, false, None));
        let err = b.get_bucket_inventory("nope").send().unwrap_err();
        assert_eq!(err.service().map(|e| (e.status, e.code.as_str())), Some((404, "NoSuchInventoryConfiguration")));

        // 101 configurations: two pages, 100 then 1, in Id order.
        let ids: Vec<String> = (0..101).map(|i| format!("inv-{i:03}")).collect();
        for id in ids.iter().rev() {
            b.put_bucket_inventory(inventory(id)).send().unwrap();
        }
        assert_eq!(b.get_bucket_inventory("inv-042").send().unwrap().inventory, inventory("inv-042"), "{front:?}");
        let first = b.list_bucket_inventory().send().unwrap();
        assert_eq!(first.configurations.len(), 100, "{front:?}");
        assert!(first.is_truncated, "{front:?}");
        assert_eq!(first.configurations[0], inventory("inv-000"));
        assert_eq!(first.configurations[99].id, "inv-099");
        let token = first.next_continuation_token.unwrap();
        let second = b.list_bucket_inventory().continuation_token(token.clone()).send().unwrap();
        assert_eq!(second.configurations, [inventory("inv-100")], "{front:?}");
        assert_eq!(
            (second.is_truncated, second.continuation_token, second.next_continuation_token),
            (false, Some(token), None)
        );

        // A put replaces the configuration with the same Id.
        let mut weekly = inventory("inv-000");
        weekly.frequency = "Weekly".into();
        weekly.is_enabled = false;
        b.put_bucket_inventory(weekly.clone()).send().unwrap();
        assert_eq!(b.get_bucket_inventory("inv-000").send().unwrap().inventory, weekly, "{front:?}");

        // The id parameter must be the body's Id.
        let body = String::from_utf8(
            PutBucketInventoryInput { config: inventory("a") }.build().unwrap().body.as_bytes().unwrap().to_vec(),
        )
        .unwrap();
        let r = h.send(BUCKET, Raw::put().query("inventory", "").query("id", "b").xml(&body));
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}");
        let r = h.send(BUCKET, Raw::put().query("inventory", "").xml(&body));
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}: no id");
        let r = h.send(BUCKET, Raw::get().query("inventory", "").query("continuation-token", "%%%"));
        assert_eq!(r.code().0, 400, "{front:?}: a token it never gave");
        // POST ?inventory (a one-shot job) is answered now (emulator_post_form.rs); without a body it is refused.
        let r = h.send(BUCKET, Raw::post().query("inventory", "").query("id", "a"));
        assert_eq!(r.code(), (400, "MalformedXML".to_string()), "{front:?}");

        assert_eq!(b.delete_bucket_inventory("inv-000").send().unwrap().meta.status, 204, "{front:?}");
        let err = b.delete_bucket_inventory("inv-000").send().unwrap_err();
        assert_eq!(err.service().map(|e| e.status), Some(404), "{front:?}: deleted");
        assert_eq!(b.list_bucket_inventory().send().unwrap().configurations.len(), 100, "{front:?}");
        let err = h.anonymous().bucket(BUCKET).list_bucket_inventory().send().unwrap_err();
        assert_eq!(err.service().map(|e| e.status), Some(403), "{front:?}");
    }
}

/// A fresh directory under the system's temporary directory, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cos-emulator-configs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir`, read as text (lossy), concatenated.
fn read_all(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.push_str(&read_all(&path));
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// Every bucket configuration, set on an emulator with a data directory, reads the same from a
/// new emulator on that directory; deleting one there is also kept.
#[test]
fn bucket_configurations_survive_a_restart_with_a_data_dir() {
    let dir = TempDir::new("restart");
    let open = || {
        Harness::new(Front::Http, Emulator::builder().data_dir(&dir.0).try_build().expect("open the data directory"))
    };
    let tags = vec![Tag::new("team", "a b&c"), Tag::new("项目", "")];
    let policy = r#"{"Statement":[{"Effect":"deny","Action":["name/cos:DeleteObject"]}]}"#;
    let lifecycle = vec![LifecycleRule::new("tmp").filter(LifecycleFilter::prefix("tmp/")).expiration_days(1)];
    let website = WebsiteConfiguration::index("index.html").error_document("404 & x.html");
    let referer = RefererConfiguration::white_list(["*.example.com"]);
    let encryption = ServerSideEncryptionConfiguration { rules: vec![EncryptionRule::new("AES256")] };
    let replication = ReplicationConfiguration {
        role: "qcs::cam::uin/1:uin/1".into(),
        rules: vec![ReplicationRule::new("", "qcs::cos:ap-beijing::d-1250000000")],
    };
    let logging = BucketLoggingStatus::to("logs-1250000000", "a\nb/");
    let domain = DomainConfiguration { rules: vec![DomainRule::new("www.example.com", "REST")] };
    let origin = OriginConfiguration { rules: vec![OriginRule::mirror(1, OriginHost::new("o.example.com"))] };
    {
        let h = open();
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_tagging().tags(tags.clone()).send().unwrap();
        b.put_bucket_policy(policy).send().unwrap();
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        b.put_bucket_lifecycle().rules(lifecycle.clone()).send().unwrap();
        b.put_bucket_accelerate(true).accelerate_type("COS").send().unwrap();
        b.put_bucket_website(website.clone()).send().unwrap();
        b.put_bucket_referer(referer.clone()).send().unwrap();
        b.put_bucket_encryption(encryption.clone()).send().unwrap();
        b.put_bucket_replication(replication.clone()).send().unwrap();
        b.put_bucket_logging(logging.clone()).send().unwrap();
        b.put_bucket_domain(domain.clone()).send().unwrap();
        b.put_bucket_origin(origin.clone()).send().unwrap();
        b.put_bucket_inventory(inventory("a")).send().unwrap();
        b.put_bucket_inventory(inventory("b")).send().unwrap();
        b.put_bucket_intelligent_tiering(IntelligentTieringConfiguration::enabled_after(30)).send().unwrap();
        b.put_bucket_object_lock(ObjectLockConfiguration::enabled_for_days(3)).send().unwrap();
        let cert = DomainCertificate::custom(
            "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----",
            "-----BEGIN PRIVATE KEY-----\nUNSTOREDKEY\n-----END PRIVATE KEY-----",
        );
        b.put_bucket_domain_certificate(cert.domain("www.example.com")).send().unwrap();
        b.put_bucket_intelligent_tiering_rule(IntelligentTieringConfiguration::rule("r", "INFREQUENT", 30))
            .send()
            .unwrap();
    }
    {
        let h = open();
        let client = h.client();
        let b = client.bucket(BUCKET);
        assert_eq!(b.get_bucket_tagging().send().unwrap().tags, tags);
        assert_eq!(b.get_bucket_policy().send().unwrap().policy, policy);
        assert_eq!(b.get_bucket_versioning().send().unwrap().status, Some(VersioningStatus::Enabled));
        assert_eq!(b.get_bucket_lifecycle().send().unwrap().rules, lifecycle);
        let acc = b.get_bucket_accelerate().send().unwrap();
        assert_eq!((acc.status.as_deref(), acc.accelerate_type.as_deref()), (Some("Enabled"), Some("COS")));
        assert_eq!(b.get_bucket_website().send().unwrap().website, website);
        assert_eq!(b.get_bucket_referer().send().unwrap().referer, referer);
        assert_eq!(b.get_bucket_encryption().send().unwrap().encryption, encryption);
        assert_eq!(b.get_bucket_replication().send().unwrap().replication, replication);
        assert_eq!(b.get_bucket_logging().send().unwrap().logging, logging);
        assert_eq!(b.get_bucket_domain().send().unwrap().domain, domain);
        assert_eq!(b.get_bucket_origin().send().unwrap().origin, origin);
        let listed = b.list_bucket_inventory().send().unwrap().configurations;
        assert_eq!(listed, [inventory("a"), inventory("b")]);
        let v1 = b.get_bucket_intelligent_tiering().send().unwrap().intelligent_tiering;
        assert_eq!(v1, IntelligentTieringConfiguration::enabled_after(30));
        assert_eq!(b.get_bucket_domain_certificate("www.example.com").send().unwrap().status, "ENABLED");
        let on_disk = read_all(&dir.0);
        assert!(on_disk.contains("www.example.com") && !on_disk.contains("UNSTOREDKEY"), "the key is not kept");
        let lock = b.get_bucket_object_lock().send().unwrap().object_lock;
        assert_eq!(lock, ObjectLockConfiguration::enabled_for_days(3));
        let rules = b.list_bucket_intelligent_tiering().send().unwrap().rules;
        assert_eq!(rules, [IntelligentTieringConfiguration::rule("r", "INFREQUENT", 30)]);
        b.delete_bucket_tagging().send().unwrap();
        b.delete_bucket_website().send().unwrap();
        b.delete_bucket_inventory("a").send().unwrap();
        b.put_bucket_accelerate(false).send().unwrap();
    }
    let h = open();
    let client = h.client();
    let b = client.bucket(BUCKET);
    assert_eq!(b.get_bucket_tagging().send().unwrap().meta.status, 404, "the delete was kept");
    assert_eq!(b.get_bucket_website().send().unwrap().meta.status, 404, "the delete was kept");
    assert_eq!(b.list_bucket_inventory().send().unwrap().configurations, [inventory("b")]);
    let acc = b.get_bucket_accelerate().send().unwrap();
    assert_eq!((acc.status.as_deref(), acc.accelerate_type), (Some("Suspended"), None));
    assert_eq!(b.get_bucket_origin().send().unwrap().origin, origin, "untouched ones stay");
}

#[test]
fn bucket_intelligent_tiering_v1_and_v2_rules() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let never = b.get_bucket_intelligent_tiering().send().unwrap();
        assert_eq!((never.intelligent_tiering, never.meta.status), (IntelligentTieringConfiguration::default(), 200));
        let mut v1 = IntelligentTieringConfiguration::enabled_after(60);
        v1.transition.as_mut().unwrap().request_frequent = Some(1);
        b.put_bucket_intelligent_tiering(v1.clone()).send().unwrap();
        assert_eq!(b.get_bucket_intelligent_tiering().send().unwrap().intelligent_tiering, v1, "{front:?}");
        // v2 elements on the v1 call are refused.
        let r = h.send(
            BUCKET,
            Raw::put().query("intelligenttiering", "").xml(
                "<IntelligentTieringConfiguration><Id>x</Id><Status>Enabled</Status></IntelligentTieringConfiguration>",
            ),
        );
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}");

        assert!(b.list_bucket_intelligent_tiering().send().unwrap().rules.is_empty(), "{front:?}");
        let mut tagged = IntelligentTieringConfiguration::rule("tagged", "ARCHIVE_ACCESS", 30);
        tagged.filter = Some(IntelligentTieringFilter {
            prefix: Some("logs/".into()),
            tags: vec![Tag::new("k1", "v & 1"), Tag::new("k2", "v2")],
        });
        tagged.tierings.push(IntelligentTiering {
            access_tier: "DEEP_ARCHIVE_ACCESS".into(),
            days: 180,
            request_frequent: None,
        });
        let default = IntelligentTieringConfiguration::rule("default", "INFREQUENT", 30);
        b.put_bucket_intelligent_tiering_rule(tagged.clone()).send().unwrap();
        b.put_bucket_intelligent_tiering_rule(default.clone()).send().unwrap();
        assert_eq!(b.get_bucket_intelligent_tiering_rule("tagged").send().unwrap().rule, tagged, "{front:?}");
        assert_eq!(
            b.list_bucket_intelligent_tiering().send().unwrap().rules,
            [default.clone(), tagged],
            "{front:?}: Id order"
        );
        let r = h.send(
            BUCKET,
            Raw::put().query("intelligent-tiering", "").query("id", "other").xml("<IntelligentTieringConfiguration><Id>x</Id><Status>Enabled</Status><Tiering><AccessTier>INFREQUENT</AccessTier><Days>30</Days></Tiering></IntelligentTieringConfiguration>"),
        );
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}: id is not the body's");
        assert_eq!(b.delete_bucket_intelligent_tiering_rule("tagged").send().unwrap().meta.status, 204);
        let err = b.get_bucket_intelligent_tiering_rule("tagged").send().unwrap_err();
        assert_eq!(
            err.service().map(|e| (e.status, e.code.as_str())),
            Some((404, "NoSuchIntelligentTieringConfiguration"))
        );
        assert_eq!(b.list_bucket_intelligent_tiering().send().unwrap().rules, [default], "{front:?}");
    }
}

#[test]
fn bucket_object_lock_is_stored_and_returned() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let never = b.get_bucket_object_lock().send().unwrap();
        assert_eq!((never.object_lock, never.meta.status), (ObjectLockConfiguration::default(), 200), "{front:?}");
        b.put_bucket_object_lock(ObjectLockConfiguration::enabled_for_days(30)).send().unwrap();
        let got = b.get_bucket_object_lock().send().unwrap().object_lock;
        assert_eq!(got, ObjectLockConfiguration::enabled_for_days(30), "{front:?}");
        let r = h.send(
            BUCKET,
            Raw::put().query("object-lock", "").xml(
                "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>",
            ),
        );
        assert_eq!(r.code(), (400, "InvalidArgument".to_string()), "{front:?}");
        assert_eq!(h.send(BUCKET, Raw::delete().query("object-lock", "")).code().0, 405, "{front:?}");
        h.send(BUCKET, Raw::head()).ok();
    }
}

#[test]
fn bucket_domain_certificate_needs_a_bound_domain_and_keeps_no_key() {
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n";
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n";
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let cert = DomainCertificate::custom(CERT, KEY).domain("www.example.com");
        let err = b.put_bucket_domain_certificate(cert.clone()).send().unwrap_err();
        assert_eq!(
            err.service().map(|e| (e.status, e.code.as_str())),
            Some((400, "InvalidArgument")),
            "{front:?}: not bound"
        );
        b.put_bucket_domain(DomainConfiguration { rules: vec![DomainRule::new("www.example.com", "REST")] })
            .send()
            .unwrap();
        let not_pem = DomainCertificate::custom("CERT", KEY).domain("www.example.com");
        let err = b.put_bucket_domain_certificate(not_pem).send().unwrap_err();
        assert_eq!(err.service().map(|e| e.status), Some(400), "{front:?}: not PEM");
        let err = b.get_bucket_domain_certificate("www.example.com").send().unwrap_err();
        assert_eq!(err.service().map(|e| (e.status, e.code.as_str())), Some((404, "NoSuchDomainCertificate")));

        b.put_bucket_domain_certificate(cert).send().unwrap();
        let got = b.get_bucket_domain_certificate("www.example.com").send().unwrap();
        assert_eq!((got.status.as_str(), got.meta.status), ("ENABLED", 200), "{front:?}");
        assert_eq!(b.delete_bucket_domain_certificate("www.example.com").send().unwrap().meta.status, 204);
        let err = b.get_bucket_domain_certificate("www.example.com").send().unwrap_err();
        assert_eq!(err.service().map(|e| e.status), Some(404), "{front:?}: deleted");
    }
}
