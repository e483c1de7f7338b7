//! Test doubles shared by the integration tests.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex};

use tencent_cos::http::{Request, Response};
use tencent_cos::transport::Transport;

/// A request as the transport saw it, body read into memory.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path and query of the URL (what follows the host).
    pub fn target(&self) -> &str {
        let after_scheme = self.url.split_once("://").map(|(_, r)| r).unwrap_or(&self.url);
        after_scheme.find('/').map(|i| &after_scheme[i..]).unwrap_or("/")
    }
}

/// One canned answer.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Canned {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Canned { status, headers: vec![("x-cos-request-id".into(), "req-1".into())], body: body.into() }
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Records every request and answers from a queue (200 with an empty body once it runs dry).
#[derive(Clone, Default)]
pub struct ScriptedTransport {
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    answers: Arc<Mutex<VecDeque<Canned>>>,
}

impl ScriptedTransport {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn answer(&self, canned: Canned) -> &Self {
        self.answers.lock().unwrap().push_back(canned);
        self
    }
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
    pub fn last(&self) -> Recorded {
        self.requests.lock().unwrap().last().cloned().expect("no request was sent")
    }
}

impl Transport for ScriptedTransport {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        let mut body = Vec::new();
        request.body.into_reader().read_to_end(&mut body)?;
        self.requests.lock().unwrap().push(Recorded {
            method: request.method.as_str().to_owned(),
            url: request.url,
            headers: request.headers.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect(),
            body,
        });
        let canned = self.answers.lock().unwrap().pop_front().unwrap_or_else(|| Canned::new(200, Vec::new()));
        Ok(Response::from_bytes(canned.status, canned.headers, canned.body))
    }
}

/// The fixed credentials and clock of `tests/data/node_requests.jsonl`.
pub const ORACLE_SECRET_ID: &str = "AKIDEXAMPLEORACLE0000000000000000000";
pub const ORACLE_SECRET_KEY: &str = "ExampleOracleSecretKey0000000000";
pub const ORACLE_NOW: u64 = 1_700_000_000;

/// A client that signs like the recording: fixed keys and clock, region ap-guangzhou.
pub fn oracle_client(transport: ScriptedTransport) -> tencent_cos::Client {
    tencent_cos::Client::builder()
        .secret(ORACLE_SECRET_ID, ORACLE_SECRET_KEY)
        .region("ap-guangzhou")
        .clock(|| ORACLE_NOW)
        .retry(tencent_cos::RetryPolicy::none())
        .transport(transport)
        .build()
        .unwrap()
}

/// The recorded node SDK requests of `tests/data/{file}`, in order.
pub fn recorded_requests(file: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The recorded node SDK requests of the reference's calls, by sequence number.
pub fn node_requests() -> Vec<serde_json::Value> {
    recorded_requests("node_requests.jsonl")
}

/// Asserts that `ours` is the request the node SDK sent as `seq` in
/// `tests/data/node_requests.jsonl` (see [`assert_matches_recorded`]).
pub fn assert_matches_node(seq: u64, ours: &Recorded) {
    assert_matches_recorded("node_requests.jsonl", seq, ours);
}

/// Asserts that `ours` is the request the node SDK sent as `seq` in `tests/data/{file}`:
/// method, target (path and query byte for byte), every header in order with its value
/// (Authorization included), and the body's length and SHA-256.
///
/// Left out on purpose: `User-Agent` (ours names this crate) and `Connection: keep-alive` (added
/// by node's HTTP agent; connection reuse is the transport's business).
pub fn assert_matches_recorded(file: &str, seq: u64, ours: &Recorded) {
    use sha2::{Digest, Sha256};
    let all = recorded_requests(file);
    let node = all.iter().find(|r| r["seq"] == seq).unwrap_or_else(|| panic!("no seq {seq} in {file}"));
    let call = node["call"].as_str().unwrap_or("?");
    assert_eq!(ours.method, node["method"].as_str().unwrap(), "seq {seq} {call}: method");
    assert_eq!(ours.target(), node["target"].as_str().unwrap(), "seq {seq} {call}: target");
    let theirs: Vec<(String, String)> = node["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap().to_owned(), h[1].as_str().unwrap().to_owned()))
        .filter(|(n, _)| !n.eq_ignore_ascii_case("user-agent") && !n.eq_ignore_ascii_case("connection"))
        .collect();
    let mine: Vec<(String, String)> =
        ours.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("user-agent")).cloned().collect();
    assert_eq!(mine, theirs, "seq {seq} {call}: headers (names, values, order)");
    if let Some(text) = node["body_text"].as_str() {
        assert_eq!(String::from_utf8_lossy(&ours.body), text, "seq {seq} {call}: body");
    }
    assert_eq!(ours.body.len() as u64, node["body_len"].as_u64().unwrap(), "seq {seq} {call}: body length");
    let digest: String = Sha256::digest(&ours.body).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, node["body_sha256"].as_str().unwrap(), "seq {seq} {call}: body SHA-256");
}

/// Runs `call` on the oracle client's `examplebucket-1250000000` over a transport answering
/// `answer`, and checks its one request against node's recording `seq` of the wave-2 file.
pub fn replay_wave2(seq: u64, answer: Canned, call: impl FnOnce(&tencent_cos::Client, &tencent_cos::Bucket)) {
    replay_wave2_many(&[seq], vec![answer], call);
}

/// Runs `call` (a call of several requests: a managed transfer) on the oracle client's
/// `examplebucket-1250000000` over a transport answering `answers` in order, and checks that it
/// sent exactly node's recordings `seqs` of the wave-2 file, in that order.
pub fn replay_wave2_many(
    seqs: &[u64],
    answers: Vec<Canned>,
    call: impl FnOnce(&tencent_cos::Client, &tencent_cos::Bucket),
) {
    let transport = ScriptedTransport::new();
    for answer in answers {
        transport.answer(answer);
    }
    let client = oracle_client(transport.clone());
    let bucket = client.bucket("examplebucket-1250000000");
    call(&client, &bucket);
    let sent = transport.requests();
    let targets: Vec<String> = sent.iter().map(|r| format!("{} {}", r.method, r.target())).collect();
    assert_eq!(sent.len(), seqs.len(), "seqs {seqs:?}: one request each, in order; sent {targets:?}");
    for (seq, ours) in seqs.iter().zip(&sent) {
        assert_matches_recorded("node_requests_wave2.jsonl", *seq, ours);
    }
}
