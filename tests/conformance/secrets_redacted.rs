//! Every public type that can hold a secret key, a security token or a signature prints
//! without it (`Debug`, and `Display` where there is one): a logging transport, an error
//! report or a `dbg!` must not leak credentials.

use tencent_cos::http::{Body, Headers, Method, Request, Response};
use tencent_cos::operation::OperationRequest;
use tencent_cos::{AuthResult, GetAuthParams};
use tencent_cos::{
    AuthorizationParams, AuthorizationRequest, Credentials, KeyTime, SignedAuthorization, TemporaryCredentials,
};
use tencent_cos::{Client, Error, ServiceError};

const SECRET_KEY: &str = "SECRETKEYc0ffee";
const TOKEN: &str = "TOKENbadc0de";
const SIGNATURE: &str = "SIGNATUREfeedface";

/// Fails when `printed` shows any of the secrets; `what` names the type.
fn assert_no_secret(what: &str, printed: &str) {
    for secret in [SECRET_KEY, TOKEN, SIGNATURE] {
        assert!(!printed.contains(secret), "{what} printed {secret}: {printed}");
    }
}

/// As [`assert_no_secret`], for a type that holds the secrets: it says that it hid them.
fn assert_clean(what: &str, printed: &str) {
    assert_no_secret(what, printed);
    assert!(printed.contains("redacted"), "{what} says what it hid: {printed}");
}

fn secret_pairs() -> Vec<(String, String)> {
    vec![
        ("Host".into(), "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com".into()),
        ("X-Cos-Security-Token".into(), TOKEN.into()),
        ("authorization".into(), format!("q-sign-algorithm=sha1&q-signature={SIGNATURE}")),
    ]
}

fn secret_query() -> Vec<(String, String)> {
    vec![("q-signature".into(), SIGNATURE.into()), ("x-cos-security-token".into(), TOKEN.into())]
}

#[test]
fn credentials_and_signing_inputs() {
    let creds = Credentials::new("AKIDEXAMPLE", SECRET_KEY).with_security_token(TOKEN);
    assert_clean("Credentials", &format!("{creds:?}"));
    let temporary = TemporaryCredentials {
        tmp_secret_id: "AKIDTMP".into(),
        tmp_secret_key: SECRET_KEY.into(),
        security_token: TOKEN.into(),
        expired_time: 1_700_000_000,
        start_time: None,
    };
    assert_clean("TemporaryCredentials", &format!("{temporary:?}"));
    let signed =
        SignedAuthorization { authorization: format!("q-signature={SIGNATURE}"), security_token: Some(TOKEN.into()) };
    assert_clean("SignedAuthorization", &format!("{signed:?}"));
    let result = AuthResult { authorization: format!("q-signature={SIGNATURE}"), security_token: Some(TOKEN.into()) };
    assert_clean("AuthResult", &format!("{result:?}"));

    let headers: Vec<(&str, &str)> = vec![("x-cos-security-token", TOKEN), ("Authorization", SIGNATURE)];
    let query: Vec<(&str, &str)> = vec![("q-signature", SIGNATURE)];
    let params = AuthorizationParams {
        secret_id: "AKIDEXAMPLE",
        secret_key: SECRET_KEY,
        method: "get",
        key: "a.txt",
        query: &query,
        headers: &headers,
        key_time: KeyTime::Window { start: 1_700_000_000, end: 1_700_000_900 },
    };
    let printed = format!("{params:?}");
    assert_clean("AuthorizationParams", &printed);
    assert!(printed.contains("AKIDEXAMPLE") && printed.contains("a.txt"), "the rest still shows: {printed}");

    let get_auth =
        GetAuthParams { key: "a.txt".into(), query: secret_query(), headers: secret_pairs(), ..Default::default() };
    let printed = format!("{get_auth:?}");
    assert_clean("GetAuthParams", &printed);
    assert!(printed.contains("examplebucket-1250000000"), "{printed}");

    let (pairs, query) = (secret_pairs(), secret_query());
    let request = AuthorizationRequest {
        method: "GET",
        key: "a.txt",
        query: &query,
        headers: &pairs,
        bucket: Some("examplebucket-1250000000"),
        region: Some("ap-guangzhou"),
    };
    assert_clean("AuthorizationRequest", &format!("{request:?}"));
}

#[test]
fn requests_responses_and_headers() {
    let headers: Headers = secret_pairs().into_iter().collect();
    assert_clean("Headers", &format!("{headers:?}"));
    let request = Request {
        method: Method::Get,
        url: format!(
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a.txt?q-sign-algorithm=sha1&q-signature={SIGNATURE}&x-cos-security-token={TOKEN}"
        ),
        headers: headers.clone(),
        body: Body::Empty,
    };
    let printed = format!("{request:?}");
    assert_clean("Request", &printed);
    assert!(printed.contains("q-sign-algorithm=sha1"), "{printed}");
    let response = Response::from_bytes(200, secret_pairs(), Vec::new());
    assert_clean("Response", &format!("{response:?}"));
    let mut operation = OperationRequest::new(Method::Get);
    operation.query = secret_query();
    operation.headers = headers;
    assert_clean("OperationRequest", &format!("{operation:?}"));
}

#[test]
fn clients_builders_and_errors() {
    let builder = Client::builder()
        .credentials(Credentials::new("AKIDEXAMPLE", SECRET_KEY).with_security_token(TOKEN))
        .region("ap-guangzhou");
    assert_clean("ClientBuilder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean("Client", &format!("{client:?}"));
    let bucket = client.bucket("examplebucket-1250000000");
    assert_no_secret("Bucket", &format!("{bucket:?}"));

    let service = ServiceError {
        status: 403,
        code: "AccessDenied".into(),
        message: "denied".into(),
        headers: secret_pairs().into_iter().collect(),
        ..Default::default()
    };
    let error = Error::from(service);
    assert_clean("Error (Debug)", &format!("{error:?}"));
    assert!(!format!("{error}").contains(TOKEN), "Display: {error}");
}

#[cfg(feature = "emulator")]
#[test]
fn emulator_accounts() {
    use tencent_cos::emulator::{Account, Emulator};
    let account = Account::new("AKIDEXAMPLE", SECRET_KEY, 1250000000);
    assert_clean("Account", &format!("{account:?}"));
    let emulator = Emulator::builder().account(account).build();
    let printed = format!("{emulator:?}");
    assert_no_secret("Emulator", &printed);
}
