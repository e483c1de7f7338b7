//! Temporary keys per scope: a provider given through `temporary_credentials_for` is told the
//! bucket and region of each request (the JS `getAuthorization` format 1 options), its keys are
//! cached per (bucket, region), and each request is signed with its own scope's keys.

use crate::support::common;

use std::sync::{Arc, Mutex};

use common::{Canned, ScriptedTransport};
use tencent_cos::GetAuthParams;
use tencent_cos::{Client, CredentialScope, TemporaryCredentials};

type Calls = Arc<Mutex<Vec<(Option<String>, Option<String>)>>>;

/// Keys named after the scope: `AKID-<bucket>-<region>`.
fn keys_for(scope: &CredentialScope<'_>) -> TemporaryCredentials {
    let id = format!("AKID-{}-{}", scope.bucket.unwrap_or("none"), scope.region.unwrap_or("none"));
    TemporaryCredentials {
        tmp_secret_id: id.clone(),
        tmp_secret_key: format!("key-of-{id}"),
        security_token: format!("token-of-{id}"),
        expired_time: 4_000_000_000,
        start_time: None,
    }
}

fn scoped_client(transport: ScriptedTransport, calls: Calls) -> Client {
    Client::builder()
        .temporary_credentials_for(move |scope: &CredentialScope<'_>| {
            calls.lock().unwrap().push((scope.bucket.map(str::to_owned), scope.region.map(str::to_owned)));
            Ok(keys_for(scope))
        })
        .region("ap-guangzhou")
        .transport(transport)
        .build()
        .unwrap()
}

fn q_ak(authorization: &str) -> &str {
    authorization.split('&').find_map(|p| p.strip_prefix("q-ak=")).unwrap()
}

#[test]
fn each_scope_gets_its_own_keys_once() {
    let transport = ScriptedTransport::new();
    for _ in 0..5 {
        transport.answer(Canned::new(200, ""));
    }
    let calls: Calls = Arc::default();
    let client = scoped_client(transport.clone(), calls.clone());
    let a = client.bucket("a-1250000000");
    let b = client.bucket_in("b-1250000000", "ap-beijing");
    a.head_object("x").send().unwrap();
    b.head_object("x").send().unwrap();
    a.head_object("y").send().unwrap();
    b.head_object("y").send().unwrap();
    a.head_bucket().send().unwrap();
    let expected = vec![
        (Some("a-1250000000".to_owned()), Some("ap-guangzhou".to_owned())),
        (Some("b-1250000000".to_owned()), Some("ap-beijing".to_owned())),
    ];
    assert_eq!(*calls.lock().unwrap(), expected, "one call per scope, then cached");
    let sent: Vec<(String, String)> = transport
        .requests()
        .iter()
        .map(|r| {
            (q_ak(r.header("authorization").unwrap()).to_owned(), r.header("x-cos-security-token").unwrap().to_owned())
        })
        .collect();
    let a_keys = ("AKID-a-1250000000-ap-guangzhou".to_owned(), "token-of-AKID-a-1250000000-ap-guangzhou".to_owned());
    let b_keys = ("AKID-b-1250000000-ap-beijing".to_owned(), "token-of-AKID-b-1250000000-ap-beijing".to_owned());
    assert_eq!(sent, vec![a_keys.clone(), b_keys.clone(), a_keys.clone(), b_keys, a_keys]);
}

#[test]
fn get_auth_and_presigned_urls_use_the_scope_they_sign_for() {
    let calls: Calls = Arc::default();
    let client = scoped_client(ScriptedTransport::new(), calls.clone());
    let auth = client
        .get_auth(&GetAuthParams {
            key: "k".into(),
            bucket: Some(("c-1250000000".into(), "ap-shanghai".into())),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(q_ak(&auth.authorization), "AKID-c-1250000000-ap-shanghai");
    assert_eq!(auth.security_token.as_deref(), Some("token-of-AKID-c-1250000000-ap-shanghai"));
    let url = client.bucket("d-1250000000").get_object_url("k").build().unwrap();
    assert!(url.contains("q-ak=AKID-d-1250000000-ap-guangzhou&"), "{url}");
    assert!(url.contains("x-cos-security-token=token-of-AKID-d-1250000000-ap-guangzhou"), "{url}");
    assert_eq!(calls.lock().unwrap().len(), 2);
}

#[test]
fn an_unscoped_provider_is_called_once_for_every_scope() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(200, "")).answer(Canned::new(200, ""));
    let calls = Arc::new(Mutex::new(0));
    let counter = calls.clone();
    let client = Client::builder()
        .temporary_credentials(move || {
            *counter.lock().unwrap() += 1;
            Ok(keys_for(&CredentialScope { bucket: None, region: None }))
        })
        .region("ap-guangzhou")
        .transport(transport)
        .build()
        .unwrap();
    client.bucket("a-1250000000").head_bucket().send().unwrap();
    client.bucket_in("b-1250000000", "ap-beijing").head_bucket().send().unwrap();
    assert_eq!(*calls.lock().unwrap(), 1);
}
