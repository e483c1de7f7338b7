//! Upload, client side only: `slice_upload_file` of a 1 GiB file through a transport that reads
//! and discards every body, answering like COS (list uploads, init, parts with their ETag and
//! `x-cos-hash-crc64ecma`, complete with the combined CRC). GB/s and the process's peak RSS,
//! each configuration in a fresh child process.
//!
//!     cargo bench --bench upload                      # headline and scaling tables
//!     cargo bench --bench upload -- --only headline   # or: --only scaling; --rounds N
//!
//! One configuration alone, with the resident set after every round on stderr:
//!
//!     target/release/deps/upload-HASH --child --etag cheap --workers 4 --part-mib 8 --file F --rounds 5 --rss-trace

#[path = "harness/mod.rs"]
mod harness;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use md5::{Digest, Md5};
use tencent_cos::Client;
use tencent_cos::checksum::{Crc64, crc64_combine};
use tencent_cos::http::{Method, Request, Response};
use tencent_cos::transport::Transport;

const MIB: u64 = 1024 * 1024;
const FILE_SIZE: u64 = 1024 * MIB;
const KEY: &str = "bench/upload-1GiB.bin";

/// How the discarding transport makes a part's ETag.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Etag {
    /// MD5 of the part, computed in this process while discarding (what COS and the node sink
    /// do by default: costs a core-second per GiB or so, in-process).
    Md5,
    /// From the CRC and length (like the sink's `--no-md5`): the client's own cost only.
    Cheap,
}

impl Etag {
    fn parse(s: &str) -> Option<Etag> {
        match s {
            "md5" => Some(Etag::Md5),
            "cheap" => Some(Etag::Cheap),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Etag::Md5 => "md5",
            Etag::Cheap => "cheap",
        }
    }
    fn describe(self) -> &'static str {
        match self {
            Etag::Md5 => "MD5 of the part (in-process)",
            Etag::Cheap => "cheap (CRC + length)",
        }
    }
}

/// Part number -> (CRC-64, length) of the parts received for one upload.
type ReceivedParts = BTreeMap<u32, (u64, u64)>;

/// Reads and discards request bodies, answering the multipart upload calls as COS would.
struct DiscardTransport {
    etag: Etag,
    next_upload: AtomicU64,
    /// Per UploadId, combined on complete.
    parts: Mutex<HashMap<String, ReceivedParts>>,
}

fn xml(body: String) -> Response {
    Response::from_bytes(200, [("Content-Type", "application/xml"), ("x-cos-request-id", "bench")], body.into())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl DiscardTransport {
    fn new(etag: Etag) -> Self {
        DiscardTransport { etag, next_upload: AtomicU64::new(1), parts: Mutex::new(HashMap::new()) }
    }

    /// Reads the body in socket-sized pieces, as a transport writing it out would, computing
    /// its CRC-64 (and MD5 when asked) on the way.
    fn consume(&self, request: Request) -> std::io::Result<(u64, u64, Option<String>)> {
        thread_local!(static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 64 << 10]));
        let mut reader = request.body.into_reader();
        let mut crc = Crc64::new();
        let mut md5 = (self.etag == Etag::Md5).then(Md5::new);
        let mut len = 0u64;
        SCRATCH.with(|s| {
            let mut buf = s.borrow_mut();
            loop {
                let n = reader.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                crc.update(&buf[..n]);
                if let Some(m) = md5.as_mut() {
                    m.update(&buf[..n]);
                }
                len += n as u64;
            }
            Ok::<_, std::io::Error>(())
        })?;
        Ok((crc.finish(), len, md5.map(|m| hex(&m.finalize()))))
    }
}

impl Transport for DiscardTransport {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        let query = request.url.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
        let param = |name: &str| {
            query.split('&').find_map(|p| {
                let (n, v) = p.split_once('=').unwrap_or((p, ""));
                (n == name).then(|| v.to_owned())
            })
        };
        let (upload_id, part_number) = (param("uploadId"), param("partNumber").and_then(|n| n.parse::<u32>().ok()));
        match (request.method, param("uploads").is_some(), upload_id, part_number) {
            (Method::Get, true, _, _) => Ok(xml(
                "<ListMultipartUploadsResult><Bucket>examplebucket-1250000000</Bucket><Encoding-Type/><KeyMarker/>\
                 <UploadIdMarker/><NextKeyMarker/><NextUploadIdMarker/><Prefix/><MaxUploads>1000</MaxUploads>\
                 <IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"
                    .into(),
            )),
            (Method::Post, true, _, _) => {
                let id = format!("bench{:08}", self.next_upload.fetch_add(1, Ordering::Relaxed));
                self.parts.lock().unwrap().insert(id.clone(), BTreeMap::new());
                Ok(xml(format!(
                    "<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>{KEY}</Key>\
                         <UploadId>{id}</UploadId></InitiateMultipartUploadResult>"
                )))
            }
            (Method::Put, _, Some(id), Some(n)) => {
                let (crc, len, md5) = self.consume(request)?;
                let etag = md5.unwrap_or_else(|| format!("{crc:016x}{len:016x}"));
                self.parts.lock().unwrap().entry(id).or_default().insert(n, (crc, len));
                Ok(Response::from_bytes(
                    200,
                    [("ETag", format!("\"{etag}\"")), ("x-cos-hash-crc64ecma", crc.to_string())],
                    Vec::new(),
                ))
            }
            (Method::Post, _, Some(id), None) => {
                let _ = self.consume(request)?;
                let parts = self.parts.lock().unwrap().remove(&id).unwrap_or_default();
                let crc = parts.values().fold(0, |acc, (crc, len)| crc64_combine(acc, *crc, *len));
                let mut r = xml(format!(
                    "<CompleteMultipartUploadResult><Location>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/{KEY}</Location>\
                         <Bucket>examplebucket-1250000000</Bucket><Key>{KEY}</Key><ETag>&quot;{crc:032x}-{}&quot;</ETag>\
                         </CompleteMultipartUploadResult>",
                    parts.len()
                ));
                r.headers.insert("x-cos-hash-crc64ecma", crc.to_string());
                Ok(r)
            }
            _ => {
                let _ = self.consume(request)?;
                Ok(Response::from_bytes(204, [("x-cos-request-id", "bench")], Vec::new()))
            }
        }
    }
}

/// One configuration, in this (fresh) process: warm-up, rounds, then the report.
fn child(etag: Etag, workers: usize, part_mib: u64, file: &Path, rounds: usize) {
    let client = Client::builder()
        .secret("AKIDbenchbenchbenchbench", "benchbenchbenchbenchbenchbench00")
        .region("ap-guangzhou")
        .chunk_parallel_limit(workers)
        .chunk_size(part_mib * MIB)
        .transport(DiscardTransport::new(etag))
        .build()
        .expect("bench client");
    let bucket = client.bucket("examplebucket-1250000000");
    let cpu_start = harness::self_cpu_seconds();
    let r = harness::rounds(rounds, || {
        let out = bucket.slice_upload_file(KEY, file).send().expect("upload");
        assert_eq!(out.size, FILE_SIZE);
        if harness::has_arg("--rss-trace") {
            eprintln!(
                "after a round: VmRSS {:.1} MiB, VmHWM {:.1} MiB",
                harness::rss_mib().unwrap_or(f64::NAN),
                harness::peak_rss_mib().unwrap_or(f64::NAN)
            );
        }
    });
    if let (Some(a), Some(b)) = (cpu_start, harness::self_cpu_seconds()) {
        println!("cpu_s_per_round {}", (b - a) / (rounds + 1) as f64);
    }
    harness::report_to_parent(&r);
}

/// The peak RSS bound of the issue: (parts in flight + queued part buffers) x part size +
/// 32 MiB. Parts are read from the file by the worker that sends them, so no buffer waits in
/// a queue: the queue term is 0.
fn rss_bound_mib(workers: usize, part_mib: u64) -> f64 {
    (workers as u64 * part_mib + 32) as f64
}

fn run_config(etag: Etag, workers: usize, part_mib: u64, file: &Path, rounds: usize) -> Vec<String> {
    let load = harness::wait_for_quiet();
    let args = harness::args(&[
        "--child",
        "--etag",
        etag.name(),
        "--workers",
        &workers.to_string(),
        "--part-mib",
        &part_mib.to_string(),
        "--file",
        &file.display().to_string(),
        "--rounds",
        &rounds.to_string(),
    ]);
    let report = match harness::run_child(&args) {
        Ok(r) => r,
        Err(e) => return vec![format!("{workers} x {part_mib} MiB"), format!("failed: {e}")],
    };
    let [median, spread, time] = harness::rate_cells(&report.rounds, FILE_SIZE as f64, 1e9);
    let cpu = report.extra_f64("cpu_s_per_round").map_or("?".into(), |c| format!("{c:.2}"));
    let bound = rss_bound_mib(workers, part_mib);
    let verdict = if report.peak_rss_mib <= bound { "ok" } else { "OVER" };
    vec![
        format!("{workers} x {part_mib} MiB"),
        etag.describe().into(),
        median,
        spread,
        time,
        cpu,
        format!("{:.0}", report.peak_rss_mib),
        format!("{bound:.0} ({verdict})"),
        load,
    ]
}

const COLUMNS: [&str; 9] = [
    "workers x part",
    "ETag",
    "median GB/s",
    "spread GB/s",
    "median time",
    "CPU s/GiB",
    "peak RSS MiB",
    "RSS bound MiB",
    "CPU busy before / load 1m",
];

fn main() {
    if !harness::asked_to_run() {
        return;
    }
    let rounds: usize = harness::arg_value("--rounds").and_then(|r| r.parse().ok()).unwrap_or(5);
    if harness::has_arg("--child") {
        let etag = harness::arg_value("--etag").and_then(|e| Etag::parse(&e)).expect("--etag md5|cheap");
        let workers = harness::arg_value("--workers").and_then(|w| w.parse().ok()).expect("--workers N");
        let part = harness::arg_value("--part-mib").and_then(|p| p.parse().ok()).expect("--part-mib N");
        let file = PathBuf::from(harness::arg_value("--file").expect("--file PATH"));
        child(etag, workers, part, &file, rounds);
        return;
    }
    let only = harness::arg_value("--only");
    let dir = std::env::temp_dir().join(format!("tencent-cos-bench-{}", std::process::id()));
    let file = dir.join("upload-1GiB.bin");
    harness::pseudo_random_file(&file, FILE_SIZE).expect("writing the 1 GiB bench file");
    println!(
        "1 GiB of pseudo-random bytes in {} (page cache warm: written just now, read once per warm-up); \
         {rounds} rounds after one warm-up per configuration, each configuration in a fresh process.",
        file.display()
    );
    if only.as_deref().is_none_or(|o| o == "headline") {
        harness::table("Upload 1 GiB, 8 MiB parts, 4 in flight, discarding transport (1 GB = 10^9 B)", &COLUMNS);
        for etag in [Etag::Md5, Etag::Cheap] {
            harness::row(&run_config(etag, 4, 8, &file, rounds));
        }
    }
    if only.as_deref().is_none_or(|o| o == "scaling") {
        harness::table("Upload 1 GiB: scaling with workers and part size (cheap ETag)", &COLUMNS);
        for part in [1, 8, 32] {
            for workers in [1, 2, 4, 8] {
                harness::row(&run_config(Etag::Cheap, workers, part, &file, rounds));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
