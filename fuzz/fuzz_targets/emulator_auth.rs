//! The emulator's Authorization parsing and checking, through its public `Transport`: the
//! bytes become the `Authorization` header (first half) and a presigned-URL query (second
//! half). Any status is fine (403 for a bad signature); a panic is a bug.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tencent_cos::emulator::Emulator;
use tencent_cos::http::{Body, Headers, Method, Request};
use tencent_cos::transport::Transport;

const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(Emulator::new)
}

fuzz_target!(|data: &[u8]| {
    let (auth, query) = data.split_at(data.len() / 2);
    let auth: String = String::from_utf8_lossy(auth).chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let query = tencent_cos::encode_key(&String::from_utf8_lossy(query)).replace("%26", "&").replace("%3D", "=");
    let mut headers = Headers::new();
    headers.insert("Host", HOST);
    headers.insert("Authorization", auth);
    let request = Request { method: Method::Get, url: format!("http://{HOST}/k?{query}"), headers, body: Body::Empty };
    let _ = emulator().send(request);
});
