//! Upload and download of 256 MiB end to end over loopback HTTP: against the emulator's HTTP
//! front in a separate process, and against the node COS sink (`../shared/bench/sink_server.js`)
//! that the official node SDK is measured on. Throughput, the client's CPU and peak RSS (each
//! round in a fresh client process), the server's CPU, and the node SDK measured in the same
//! run against the same sink (`../shared/bench/node-sdk`, installed with `npm ci` from its lock
//! file into the temp dir), its rounds interleaved with ours. Without node or the SDK, ours alone.
//!
//!     cargo bench --bench e2e                       # everything (sink with --no-md5)
//!     cargo bench --bench e2e -- --only emulator    # or: --only sink, --only disk; --rounds N
//!     cargo bench --bench e2e -- --all-sinks        # also the sink with MD5, and with --crc

#[path = "harness/mod.rs"]
mod harness;

use std::path::{Path, PathBuf};

use harness::{BUCKET, Server};

const MIB: u64 = 1024 * 1024;
const SIZE: u64 = 256 * MIB;
const UPLOAD_KEY: &str = "bench/e2e-256MiB.bin";

/// What a client child does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Work {
    /// `slice_upload_file` of the 256 MiB file: part size MiB, parts in flight.
    Upload { part_mib: u64, workers: usize },
    /// `download_file` of 256 MiB to a local file: HEAD, ranged GETs of the part size, that
    /// many in flight, written at their offsets, CRC-64 checked, fsynced, renamed.
    Download { part_mib: u64, workers: usize },
    /// `get_object` of 256 MiB, body streamed and discarded: one connection, no ranges, no
    /// file.
    GetStream,
}

impl Work {
    fn label(self) -> String {
        match self {
            Work::Upload { part_mib, workers } => {
                format!("slice_upload_file 256 MiB, {part_mib} MiB parts, {workers} in flight")
            }
            Work::Download { part_mib, workers } => {
                format!("download_file 256 MiB, {part_mib} MiB parts, {workers} in flight")
            }
            Work::GetStream => "get_object 256 MiB streamed to nowhere (one request, no file)".into(),
        }
    }
}

/// The node SDK worker's spec for the same work (`node_sdk_bench.js --worker`), if it has one.
fn node_spec(work: Work, port: u16, file: &Path) -> Option<serde_json::Value> {
    let tmp = file.parent().expect("bench file in a folder").display().to_string();
    match work {
        Work::Upload { part_mib, workers } => Some(serde_json::json!({
            "kind": "slice", "port": port, "file": file.display().to_string(), "tmp": tmp,
            "chunk": part_mib * MIB, "parallel": workers,
        })),
        Work::Download { part_mib, workers } => Some(serde_json::json!({
            "kind": "download", "port": port, "size": SIZE, "tmp": tmp,
            "out": file.with_extension("node-download").display().to_string(),
            "chunk": part_mib * MIB, "parallel": workers,
        })),
        Work::GetStream => None,
    }
}

/// Keys the download reads: the object uploaded before on the emulator; a generated body on
/// the sink (`size-N` keys).
fn download_key(server: Server) -> String {
    match server {
        Server::Emulator => UPLOAD_KEY.into(),
        Server::NodeSink => format!("bench/size-{SIZE}"),
    }
}

fn child(server: Server, url: &str, work: Work, file: &Path, rounds: usize) {
    let client = harness::bench_client(url, server, |b| match work {
        Work::Upload { part_mib, workers } | Work::Download { part_mib, workers } => {
            b.chunk_size(part_mib * MIB).chunk_parallel_limit(workers)
        }
        Work::GetStream => b,
    });
    let target = file.with_extension("download");
    let bucket = client.bucket(BUCKET);
    // A download's file from the round before is removed untimed and outside the CPU measure
    // (its unlink costs the kernel a page-cache sweep that is not the download's).
    let remove_target = || {
        let _ = std::fs::remove_file(&target);
    };
    let (r, cpu) = harness::rounds_with_setup_cpu(rounds, remove_target, || match work {
        Work::Upload { .. } => {
            let out = bucket.slice_upload_file(UPLOAD_KEY, file).send().expect("upload");
            assert_eq!(out.size, SIZE);
        }
        Work::Download { .. } => {
            let out = bucket.download_file(download_key(server), &target).send().expect("download_file");
            assert_eq!(out.size, SIZE);
        }
        Work::GetStream => {
            let n = bucket
                .get_object(download_key(server))
                .send()
                .expect("get_object")
                .copy_to(&mut std::io::sink())
                .expect("body");
            assert_eq!(n, SIZE);
        }
    });
    if !cpu.is_empty() {
        // The timed runs only, as the node SDK's worker counts its own.
        println!("cpu_s_per_round {}", harness::median_f64(&cpu));
    }
    remove_target();
    harness::report_to_parent(&r);
}

fn work_args(work: Work) -> Vec<String> {
    match work {
        Work::Upload { part_mib, workers } => {
            vec![
                "--work".into(),
                "upload".into(),
                "--part-mib".into(),
                part_mib.to_string(),
                "--workers".into(),
                workers.to_string(),
            ]
        }
        Work::Download { part_mib, workers } => vec![
            "--work".into(),
            "download".into(),
            "--part-mib".into(),
            part_mib.to_string(),
            "--workers".into(),
            workers.to_string(),
        ],
        Work::GetStream => vec!["--work".into(), "get-stream".into()],
    }
}

fn parse_work() -> Work {
    match harness::arg_value("--work").as_deref() {
        Some("upload") => Work::Upload {
            part_mib: harness::arg_value("--part-mib").and_then(|p| p.parse().ok()).expect("--part-mib"),
            workers: harness::arg_value("--workers").and_then(|w| w.parse().ok()).expect("--workers"),
        },
        Some("download") => Work::Download {
            part_mib: harness::arg_value("--part-mib").and_then(|p| p.parse().ok()).expect("--part-mib"),
            workers: harness::arg_value("--workers").and_then(|w| w.parse().ok()).expect("--workers"),
        },
        Some("get-stream") => Work::GetStream,
        other => panic!("unknown --work {other:?}"),
    }
}

/// Runs `work` against `server`, `rounds` times, each round in a fresh client process (one
/// warm-up and one timed run), and when `node` is there, the node SDK's worker for the same
/// work right after each of ours (rounds interleaved, same server); prints the row of medians.
fn measure(
    name: &str,
    server: Server,
    process: &harness::ServerProcess,
    node: &Result<harness::NodeSdk, String>,
    work: Work,
    file: &Path,
    rounds: usize,
) {
    let load = harness::wait_for_quiet();
    let mut args: Vec<String> =
        vec!["--child".into(), "--server".into(), format!("{server:?}"), "--url".into(), process.url.clone()];
    args.extend(work_args(work));
    args.extend(["--file".into(), file.display().to_string(), "--rounds".into(), "1".into()]);
    let per_gib = (1024.0 * MIB as f64) / SIZE as f64;
    let spec = match (server, node) {
        (Server::Emulator, _) => Err("sink only".to_owned()),
        (_, Err(why)) => Err(why.clone()),
        (_, Ok(_)) => node_spec(work, process.port(), file).ok_or_else(|| "no such case in the node bench".to_owned()),
    };
    let (mut times, mut client_cpu, mut server_cpu, mut peak_rss) = (Vec::new(), Vec::new(), Vec::new(), 0f64);
    let (mut node_rates, mut node_cpu, mut node_rss, mut node_failed) = (Vec::new(), Vec::new(), 0f64, None);
    for _ in 0..rounds {
        let (report, used) = match harness::run_child_against(process, &args) {
            Ok(r) => r,
            Err(e) => return harness::row(&[name.into(), work.label(), format!("failed: {e}")]),
        };
        times.extend(report.rounds.times.iter().copied());
        // The child's timed run only (not its warm-up, set-up or client construction).
        client_cpu.extend(report.extra_f64("cpu_s_per_round").map(|c| c * per_gib));
        server_cpu.extend(used.map(|s| s / 2.0 * per_gib));
        peak_rss = peak_rss.max(report.peak_rss_mib);
        if let (Ok(sdk), Ok(spec)) = (node, &spec) {
            match sdk.round(spec) {
                Ok(r) => {
                    node_rates.push(SIZE as f64 / r.seconds / MIB as f64);
                    node_cpu.push(r.cpu_s * per_gib);
                    node_rss = node_rss.max(r.peak_rss_mib);
                }
                Err(e) => node_failed = Some(e),
            }
        }
    }
    let _ = std::fs::remove_file(file.with_extension("node-download"));
    let rounds_ours = harness::Rounds { times };
    let ours = SIZE as f64 / rounds_ours.median().as_secs_f64() / MIB as f64;
    let median_cell =
        |xs: &[f64]| if xs.is_empty() { "?".to_owned() } else { format!("{:.2}", harness::median_f64(xs)) };
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
        work: work.label(),
        rate: harness::rate_cells(&rounds_ours, SIZE as f64, MIB as f64),
        client_cpu: median_cell(&client_cpu),
        server_cpu: median_cell(&server_cpu),
        client_peak_rss_mib: peak_rss,
        node: harness::node_cells(ours, &node_figure, 2),
        load,
    }
    .print();
}

/// What the local disk alone takes for a download's writes: 256 MiB in 64 KiB positional
/// writes by `threads` threads (each its own share of the file), then fsync; no network.
/// `as_download`: the file's blocks reserved first and each thread starting the write-back of
/// every 8 MiB it wrote, as `download_file` does on Linux; otherwise a sparse file written
/// and fsynced (the plain floor). Returns the rounds and the CPU seconds of each timed one.
fn disk_floor(dir: &Path, threads: usize, as_download: bool, rounds: usize) -> (harness::Rounds, Vec<f64>) {
    use std::os::unix::fs::FileExt;
    let path = dir.join("disk-floor.bin");
    let chunk = vec![0xa5u8; 64 << 10];
    let share = SIZE / threads as u64;
    harness::rounds_with_setup_cpu(
        rounds,
        || {
            let _ = std::fs::remove_file(&path);
        },
        || {
            let file = std::fs::File::create(&path).expect("disk floor file");
            if !(as_download && disk::allocate(&file, SIZE)) {
                file.set_len(SIZE).expect("set_len");
            }
            std::thread::scope(|s| {
                for t in 0..threads as u64 {
                    let (file, chunk) = (&file, &chunk);
                    s.spawn(move || {
                        let (mut at, mut handed) = (t * share, t * share);
                        while at < (t + 1) * share {
                            file.write_all_at(chunk, at).expect("write");
                            at += chunk.len() as u64;
                            if as_download && (at - handed >= 8 * MIB || at == (t + 1) * share) {
                                disk::start_writeback(file, handed, at - handed);
                                handed = at;
                            }
                        }
                    });
                }
            });
            file.sync_all().expect("fsync");
        },
    )
}

/// The two Linux calls `download_file` makes (declared, as the crate does: no libc crate).
mod disk {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    unsafe extern "C" {
        fn fallocate(fd: i32, mode: i32, offset: i64, len: i64) -> i32;
        fn sync_file_range(fd: i32, offset: i64, nbytes: i64, flags: u32) -> i32;
    }

    pub fn allocate(file: &std::fs::File, len: u64) -> bool {
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: the descriptor is open while `file` is borrowed; no memory is passed.
            unsafe { fallocate(file.as_raw_fd(), 0, 0, len as i64) == 0 }
        }
        #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
        {
            let _ = (file, len);
            false
        }
    }

    pub fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: as above; 2 is SYNC_FILE_RANGE_WRITE (start write-back, do not wait).
            unsafe { sync_file_range(file.as_raw_fd(), offset as i64, len as i64, 2) };
        }
        #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
        let _ = (file, offset, len);
    }
}

/// The defaults (1 MiB x 3), then the part sizes 1, 8 and 64 MiB with 4 in flight (peak RSS
/// by part size).
const WORKS: [Work; 9] = [
    Work::Upload { part_mib: 1, workers: 3 },
    Work::Upload { part_mib: 1, workers: 4 },
    Work::Upload { part_mib: 8, workers: 4 },
    Work::Upload { part_mib: 64, workers: 4 },
    Work::Download { part_mib: 1, workers: 3 },
    Work::Download { part_mib: 1, workers: 4 },
    Work::Download { part_mib: 8, workers: 4 },
    Work::Download { part_mib: 64, workers: 4 },
    Work::GetStream,
];

fn main() {
    if harness::serve_emulator_if_asked() || !harness::asked_to_run() {
        return;
    }
    let rounds: usize = harness::arg_value("--rounds").and_then(|r| r.parse().ok()).unwrap_or(5);
    if harness::has_arg("--child") {
        let server = Server::from_args();
        let url = harness::arg_value("--url").expect("--url");
        let file = PathBuf::from(harness::arg_value("--file").expect("--file"));
        child(server, &url, parse_work(), &file, rounds);
        return;
    }
    let only = harness::arg_value("--only");
    let dir = std::env::temp_dir().join(format!("tencent-cos-bench-{}", std::process::id()));
    let file = dir.join("e2e-256MiB.bin");
    harness::pseudo_random_file(&file, SIZE).expect("writing the 256 MiB bench file");
    let wants_sink = only.as_deref().is_none_or(|o| o == "sink");
    let node = if wants_sink { harness::NodeSdk::install() } else { Err("not asked".into()) };
    if let Err(why) = &node {
        println!("node SDK: not run ({why}); our figures alone.");
    }
    println!(
        "256 MiB over loopback HTTP; {rounds} rounds, each a fresh client process (one warm-up run, one timed run), \
         the node SDK's round (its bench worker, a fresh process) right after each of ours against the same sink; \
         medians; MiB/s = 2^20 B/s; CPU per GiB."
    );
    if only.as_deref().is_none_or(|o| o == "emulator" || o == "sink") {
        harness::ServerRow::header("End to end, 256 MiB", "MiB/s", "s/GiB");
    }
    if only.as_deref().is_none_or(|o| o == "emulator") {
        match harness::spawn_emulator() {
            Ok(process) => {
                for work in WORKS {
                    measure("emulator (own process)", Server::Emulator, &process, &node, work, &file, rounds);
                }
            }
            Err(e) => println!("emulator: skipped: {e}"),
        }
    }
    if only.as_deref().is_none_or(|o| o == "sink") {
        let all_sinks: [&[&str]; 3] = [&[], &["--no-md5"], &["--crc", "--no-md5"]];
        let sinks = if harness::has_arg("--all-sinks") { &all_sinks[..] } else { &all_sinks[1..2] };
        for &flags in sinks {
            let name = format!("node sink {}", if flags.is_empty() { "(MD5)".to_owned() } else { flags.join(" ") });
            match harness::spawn_node_sink(flags) {
                Ok(process) => {
                    for work in WORKS {
                        measure(&name, Server::NodeSink, &process, &node, work, &file, rounds);
                    }
                }
                Err(e) => {
                    println!("{name}: skipped: {e}");
                    break;
                }
            }
        }
    }
    if only.as_deref().is_none_or(|o| o == "disk") {
        harness::table(
            "Local disk alone: 256 MiB in 64 KiB positional writes, then fsync (download_file's floor)",
            &[
                "threads",
                "writes",
                "median MiB/s",
                "spread MiB/s",
                "median time",
                "CPU s/GiB (timed runs)",
                "CPU busy before / load 1m",
            ],
        );
        for (threads, as_download) in [(1, false), (4, false), (4, true)] {
            let load = harness::wait_for_quiet();
            let (r, cpu) = disk_floor(&dir, threads, as_download, rounds);
            let per_gib = (1024.0 * MIB as f64) / SIZE as f64;
            let cpu = if cpu.is_empty() { "?".into() } else { format!("{:.2}", harness::median_f64(&cpu) * per_gib) };
            let writes = if as_download {
                "as download_file: blocks reserved, write-back started every 8 MiB"
            } else {
                "sparse file, write-back left to the fsync"
            };
            let [median, spread, time] = harness::rate_cells(&r, SIZE as f64, MIB as f64);
            harness::row(&[threads.to_string(), writes.into(), median, spread, time, cpu, load]);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
