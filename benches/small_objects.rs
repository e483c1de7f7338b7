//! Small objects: put and get of 4 KiB objects, sequential and 8-way (8 threads sharing one
//! client), in requests/s over keep-alive connections: against the emulator's HTTP front in a
//! separate process, and against the node COS sink, with the node SDK's figures next to ours.
//! Each configuration runs in a fresh client process (its peak RSS is its own).
//!
//!     cargo bench --bench small_objects                       # everything
//!     cargo bench --bench small_objects -- --only emulator    # or: --only sink; --rounds N

#[path = "harness/mod.rs"]
mod harness;

use harness::{BUCKET, Server};

const OBJECT: usize = 4096;
/// Requests per round, over all threads.
const PER_ROUND: usize = 9600;
/// Distinct keys written (and read back) by each thread.
const KEYS_PER_THREAD: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Put,
    Get,
}

fn key(server: Server, op: Op, thread: usize, i: usize) -> String {
    match (server, op) {
        // The sink answers GETs of `size-N` keys with a generated body of N bytes.
        (Server::NodeSink, Op::Get) => format!("small/size-{OBJECT}"),
        _ => format!("small/t{thread}/obj-{}", i % KEYS_PER_THREAD),
    }
}

fn child(server: Server, url: &str, op: Op, threads: usize, rounds: usize) {
    let client = harness::bench_client(url, server, |b| b);
    let bucket = client.bucket(BUCKET);
    let body = vec![0x5au8; OBJECT];
    if op == Op::Get && server == Server::Emulator {
        for t in 0..threads {
            for i in 0..KEYS_PER_THREAD {
                bucket.put_object(key(server, Op::Put, t, i)).body(&body[..]).send().expect("put for the gets");
            }
        }
    }
    let per_thread = PER_ROUND / threads;
    let run = |t: usize| {
        for i in 0..per_thread {
            let k = key(server, op, t, i);
            match op {
                Op::Put => {
                    bucket.put_object(k).body(&body[..]).send().expect("put_object");
                }
                Op::Get => {
                    let got = bucket.get_object(k).send().expect("get_object").bytes().expect("body");
                    assert_eq!(got.len(), OBJECT);
                }
            }
        }
    };
    let cpu_start = harness::self_cpu_seconds();
    let r = harness::rounds(rounds, || {
        if threads == 1 {
            run(0);
        } else {
            std::thread::scope(|s| {
                for t in 0..threads {
                    s.spawn(move || run(t));
                }
            });
        }
    });
    if let (Some(a), Some(b)) = (cpu_start, harness::self_cpu_seconds()) {
        println!("cpu_ms_per_request {}", (b - a) * 1000.0 / ((rounds + 1) * per_thread * threads) as f64);
    }
    harness::report_to_parent(&r);
}

/// The node SDK's figure against the sink (bench README): requests/s and its peak RSS in MiB.
fn node_figure(op: Op, threads: usize) -> (f64, f64) {
    match (op, threads) {
        (Op::Put, 1) => (709.0, 95.0),
        (Op::Put, _) => (1048.0, 95.0),
        (Op::Get, 1) => (1073.0, 83.0),
        (Op::Get, _) => (1398.0, 83.0),
    }
}

fn measure(name: &str, server: Server, process: &harness::ServerProcess, op: Op, threads: usize, rounds: usize) {
    let load = harness::wait_for_quiet();
    let args = harness::args(&[
        "--child",
        "--server",
        &format!("{server:?}"),
        "--url",
        &process.url,
        "--op",
        &format!("{op:?}"),
        "--threads",
        &threads.to_string(),
        "--rounds",
        &rounds.to_string(),
    ]);
    let work = format!("{op:?} 4 KiB, {}", if threads == 1 { "sequential".into() } else { format!("{threads}-way") });
    let (report, server_cpu) = match harness::run_child_against(process, &args) {
        Ok(r) => r,
        Err(e) => return harness::row(&[name.into(), work, format!("failed: {e}")]),
    };
    let requests = (PER_ROUND / threads * threads) as f64;
    // The emulator child also served the setup puts of a get run; the figure is rough there.
    let server_cpu = server_cpu.map_or("?".into(), |s| format!("{:.3}", s * 1000.0 / (requests * (rounds + 1) as f64)));
    let client_cpu = report.extra_f64("cpu_ms_per_request").map_or("?".into(), |c| format!("{c:.3}"));
    let ours = requests / report.rounds.median().as_secs_f64();
    let node = (server == Server::NodeSink).then(|| node_figure(op, threads));
    harness::ServerRow {
        server: name,
        work,
        rate: harness::rate_cells(&report.rounds, requests, 1.0),
        client_cpu,
        server_cpu,
        client_peak_rss_mib: report.peak_rss_mib,
        node: harness::node_cells(ours, node),
        load,
    }
    .print();
}

fn measure_all(name: &str, server: Server, process: &harness::ServerProcess, rounds: usize) {
    for op in [Op::Put, Op::Get] {
        for threads in [1, 8] {
            measure(name, server, process, op, threads, rounds);
        }
    }
}

fn main() {
    if harness::serve_emulator_if_asked() || !harness::asked_to_run() {
        return;
    }
    let rounds: usize = harness::arg_value("--rounds").and_then(|r| r.parse().ok()).unwrap_or(5);
    if harness::has_arg("--child") {
        let server = Server::from_args();
        let op = match harness::arg_value("--op").as_deref() {
            Some("Put") => Op::Put,
            Some("Get") => Op::Get,
            other => panic!("unknown --op {other:?}"),
        };
        let threads = harness::arg_value("--threads").and_then(|t| t.parse().ok()).expect("--threads");
        child(server, &harness::arg_value("--url").expect("--url"), op, threads, rounds);
        return;
    }
    let only = harness::arg_value("--only");
    println!(
        "{PER_ROUND} requests of 4 KiB per round, {rounds} rounds after one warm-up, one client (pooled keep-alive \
         connections) per fresh client process; the node SDK's figures are from the bench README (default sink)."
    );
    harness::ServerRow::header("Small objects, 4 KiB", "req/s", "ms/req");
    if only.as_deref().is_none_or(|o| o == "emulator") {
        match harness::spawn_emulator() {
            Ok(process) => measure_all("emulator (own process)", Server::Emulator, &process, rounds),
            Err(e) => println!("emulator: skipped: {e}"),
        }
    }
    if only.as_deref().is_none_or(|o| o == "sink") {
        match harness::spawn_node_sink(&[]) {
            Ok(process) => measure_all("node sink (MD5)", Server::NodeSink, &process, rounds),
            Err(e) => println!("node sink: skipped: {e}"),
        }
    }
}
