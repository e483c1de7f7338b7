//! Small objects: put and get of 4 KiB objects, sequential and 8-way (8 threads sharing one
//! client), in requests/s over keep-alive connections: against the emulator's HTTP front in a
//! separate process, and against the node COS sink, with the node SDK measured in the same run
//! against the same sink, rounds interleaved with ours (without node or the SDK, ours alone).
//! Each round runs in a fresh client process (its peak RSS is its own).
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

/// Requests per round of the node SDK's worker (after its own 100 warm-up requests): fewer
/// than ours, it is slower; a rate is a rate.
const NODE_PER_ROUND: usize = 2000;

/// Runs `rounds` rounds of `op` against `server`, each in a fresh client process (one warm-up
/// round, one timed), and when `node` is there, the node SDK's worker for the same op and
/// concurrency right after each of ours (rounds interleaved); prints the row of medians.
fn measure(
    name: &str,
    server: Server,
    process: &harness::ServerProcess,
    node: &Result<harness::NodeSdk, String>,
    op: Op,
    threads: usize,
    rounds: usize,
) {
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
        "1",
    ]);
    let work = format!("{op:?} 4 KiB, {}", if threads == 1 { "sequential".into() } else { format!("{threads}-way") });
    let requests = (PER_ROUND / threads * threads) as f64;
    let spec = match (server, node) {
        (Server::Emulator, _) => Err("sink only".to_owned()),
        (_, Err(why)) => Err(why.clone()),
        (_, Ok(_)) => Ok(serde_json::json!({
            "kind": "small", "port": process.port(), "op": if op == Op::Get { "get" } else { "put" },
            "n": NODE_PER_ROUND, "conc": threads,
        })),
    };
    let (mut times, mut client_cpu, mut server_cpu, mut peak_rss) = (Vec::new(), Vec::new(), Vec::new(), 0f64);
    let (mut node_rates, mut node_cpu, mut node_rss, mut node_failed) = (Vec::new(), Vec::new(), 0f64, None);
    for _ in 0..rounds {
        let (report, used) = match harness::run_child_against(process, &args) {
            Ok(r) => r,
            Err(e) => return harness::row(&[name.into(), work, format!("failed: {e}")]),
        };
        times.extend(report.rounds.times.iter().copied());
        client_cpu.extend(report.extra_f64("cpu_ms_per_request"));
        // The child ran two rounds (warm-up, timed); the emulator also served a get run's setup puts.
        server_cpu.extend(used.map(|s| s * 1000.0 / (requests * 2.0)));
        peak_rss = peak_rss.max(report.peak_rss_mib);
        if let (Ok(sdk), Ok(spec)) = (node, &spec) {
            match sdk.round(spec) {
                Ok(r) => {
                    node_rates.push(NODE_PER_ROUND as f64 / r.seconds);
                    node_cpu.push(r.cpu_s * 1000.0 / NODE_PER_ROUND as f64);
                    node_rss = node_rss.max(r.peak_rss_mib);
                }
                Err(e) => node_failed = Some(e),
            }
        }
    }
    let rounds_ours = harness::Rounds { times };
    let ours = requests / rounds_ours.median().as_secs_f64();
    let median_cell =
        |xs: &[f64]| if xs.is_empty() { "?".to_owned() } else { format!("{:.3}", harness::median_f64(xs)) };
    let node_figure = match (spec, node_failed) {
        (Err(why), _) | (_, Some(why)) => Err(why),
        (Ok(_), None) => Ok(harness::NodeFigure {
            rate: harness::median_f64(&node_rates),
            cpu: harness::median_f64(&node_cpu),
            peak_rss_mib: node_rss,
        }),
    };
    harness::ServerRow {
        server: name,
        work,
        rate: harness::rate_cells(&rounds_ours, requests, 1.0),
        client_cpu: median_cell(&client_cpu),
        server_cpu: median_cell(&server_cpu),
        client_peak_rss_mib: peak_rss,
        node: harness::node_cells(ours, &node_figure, 3),
        load,
    }
    .print();
}

fn measure_all(
    name: &str,
    server: Server,
    process: &harness::ServerProcess,
    node: &Result<harness::NodeSdk, String>,
    rounds: usize,
) {
    for op in [Op::Put, Op::Get] {
        for threads in [1, 8] {
            measure(name, server, process, node, op, threads, rounds);
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
    let wants_sink = only.as_deref().is_none_or(|o| o == "sink");
    let node = if wants_sink { harness::NodeSdk::install() } else { Err("not asked".into()) };
    if let Err(why) = &node {
        println!("node SDK: not run ({why}); our figures alone.");
    }
    println!(
        "{PER_ROUND} requests of 4 KiB per round, {rounds} rounds, each a fresh client process (one client, pooled \
         keep-alive connections; one warm-up round, one timed); the node SDK's round ({NODE_PER_ROUND} requests after \
         100 warm-up, a fresh process) right after each of ours against the same sink; medians."
    );
    harness::ServerRow::header("Small objects, 4 KiB", "req/s", "ms/req");
    if only.as_deref().is_none_or(|o| o == "emulator") {
        match harness::spawn_emulator() {
            Ok(process) => measure_all("emulator (own process)", Server::Emulator, &process, &node, rounds),
            Err(e) => println!("emulator: skipped: {e}"),
        }
    }
    if only.as_deref().is_none_or(|o| o == "sink") {
        match harness::spawn_node_sink(&[]) {
            Ok(process) => measure_all("node sink (MD5)", Server::NodeSink, &process, &node, rounds),
            Err(e) => println!("node sink: skipped: {e}"),
        }
    }
}
