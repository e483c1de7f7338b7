//! One request's whole path, client and emulator in one process: 2,000 sequential 4 KiB GETs or
//! PUTs, in-process or over loopback HTTP. It prints requests per second, but it is meant to be
//! counted rather than timed: under `valgrind --tool=callgrind` its instruction count compares two
//! commits exactly where wall time on a shared 2-core machine cannot (README, "Performance").
//!
//! `cargo bench --bench request_path -- [get|put] [in-process|http] [N]`

use std::time::Instant;

use tencent_cos::Client;
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let put = args.iter().any(|a| a == "put");
    let http = args.iter().any(|a| a == "http");
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(2000);

    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let builder = Client::builder().secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).region("ap-guangzhou");
    let builder = if http { builder.endpoint_url(&server.url()) } else { builder.transport(emulator.clone()) };
    let client = builder.build().expect("client");
    let bucket = client.bucket("examplebucket-1250000000");
    bucket.put_bucket().send().expect("put_bucket");
    let body = vec![7u8; 4096];
    bucket.put_object("a.bin").body(body.clone()).send().expect("put a.bin");

    let started = Instant::now();
    for _ in 0..n {
        if put {
            bucket.put_object("b.bin").body(body.clone()).send().expect("put");
        } else {
            let got = bucket.get_object("a.bin").send().expect("get").bytes().expect("body");
            assert_eq!(got.len(), body.len());
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{} {} x {n} of 4 KiB: {:.0} req/s ({:?})",
        if put { "PUT" } else { "GET" },
        if http { "over loopback HTTP" } else { "in-process" },
        n as f64 / elapsed.as_secs_f64(),
        elapsed
    );
}
