//! Helpers shared by the object and multipart end-to-end tests (on top of `common`).

use crate::support::common::{Canned, Recorded, ScriptedTransport, oracle_client};

/// The bucket host every request goes to.
pub const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

/// A body from `tests/fixtures/` (XML examples taken from the COS API documentation).
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A transport answering `answers` in turn, and a bucket on the oracle client over it.
pub fn bucket_with(answers: Vec<Canned>) -> (ScriptedTransport, tencent_cos::Bucket) {
    let transport = ScriptedTransport::new();
    for a in answers {
        transport.answer(a);
    }
    let client = oracle_client(transport.clone());
    (transport, client.bucket("examplebucket-1250000000"))
}

/// The headers sent, in order, but `User-Agent` (the crate's) and `Authorization` (checked
/// through [`signed_headers`] and [`signed_params`]).
pub fn wire_headers(r: &Recorded) -> Vec<(&str, &str)> {
    r.headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("user-agent") && !n.eq_ignore_ascii_case("authorization"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

fn authorization_field<'a>(r: &'a Recorded, field: &str) -> &'a str {
    let auth = r.header("authorization").expect("no Authorization");
    auth.split('&').find_map(|kv| kv.strip_prefix(field)).expect("field missing from Authorization")
}

/// `q-header-list` of the Authorization.
pub fn signed_headers(r: &Recorded) -> &str {
    authorization_field(r, "q-header-list=")
}

/// `q-url-param-list` of the Authorization.
pub fn signed_params(r: &Recorded) -> &str {
    authorization_field(r, "q-url-param-list=")
}

/// Asserts an `InvalidArgument` naming `field`, and that nothing was sent.
pub fn assert_refused<T: std::fmt::Debug>(result: tencent_cos::Result<T>, field: &str, transport: &ScriptedTransport) {
    match result {
        Err(tencent_cos::Error::InvalidArgument { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected InvalidArgument({field}), got {other:?}"),
    }
    assert_eq!(transport.requests().len(), 0, "a refused call must send nothing");
}

/// Asserts a service error with `status` and `code`.
pub fn assert_service<T: std::fmt::Debug>(result: tencent_cos::Result<T>, status: u16, code: &str) {
    match result {
        Err(tencent_cos::Error::Service(e)) => assert_eq!((e.status, e.code.as_str()), (status, code)),
        other => panic!("expected service error {status} {code}, got {other:?}"),
    }
}

/// An `<Error>` body.
pub fn error_body(code: &str, message: &str) -> String {
    format!("<Error><Code>{code}</Code><Message>{message}</Message><RequestId>rid-1</RequestId></Error>")
}
