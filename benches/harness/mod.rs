//! A tiny measuring harness for `harness = false` benches: warm up, run rounds, print the
//! median and the spread (min..max) as a table row.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Timing of the rounds of one measurement.
pub struct Rounds {
    pub times: Vec<Duration>,
}

impl Rounds {
    pub fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t[t.len() / 2]
    }
    pub fn min(&self) -> Duration {
        *self.times.iter().min().unwrap()
    }
    pub fn max(&self) -> Duration {
        *self.times.iter().max().unwrap()
    }
}

/// Runs `f` once to warm up, then `rounds` times, timing each.
pub fn rounds(rounds: usize, mut f: impl FnMut()) -> Rounds {
    f();
    let times = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    Rounds { times }
}

/// Like [`rounds`], with `setup` run untimed before each run (the warm-up too).
pub fn rounds_with_setup(rounds: usize, mut setup: impl FnMut(), mut f: impl FnMut()) -> Rounds {
    setup();
    f();
    let times = (0..rounds)
        .map(|_| {
            setup();
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    Rounds { times }
}

/// Like [`rounds_with_setup`], also measuring the CPU seconds (user + system, all threads) of
/// this process over each timed run alone, as the node SDK's bench worker measures its own:
/// the setup, the warm-up and the client's construction are not counted.
pub fn rounds_with_setup_cpu(rounds: usize, mut setup: impl FnMut(), mut f: impl FnMut()) -> (Rounds, Vec<f64>) {
    setup();
    f();
    let mut cpu = Vec::new();
    let times = (0..rounds)
        .map(|_| {
            setup();
            let cpu_start = self_cpu_precise();
            let start = Instant::now();
            f();
            let elapsed = start.elapsed();
            cpu.extend(cpu_start.zip(self_cpu_precise()).map(|(a, b)| b - a));
            elapsed
        })
        .collect();
    (Rounds { times }, cpu)
}

/// CPU seconds (user + system, all threads) this process has used so far, to the microsecond
/// (`getrusage`; `/proc` counts 10 ms ticks, too coarse for one round).
#[cfg(unix)]
pub fn self_cpu_precise() -> Option<f64> {
    unsafe extern "C" {
        /// `struct rusage` starts with two `struct timeval` (16 bytes each on 64-bit Linux)
        /// and has 14 `long`s after them: 18 words in all.
        fn getrusage(who: i32, usage: *mut [i64; 18]) -> i32;
    }
    let mut usage = [0i64; 18];
    // SAFETY: `usage` is as large as `struct rusage` on 64-bit Linux and writable; 0 is RUSAGE_SELF.
    if cfg!(target_pointer_width = "64") && unsafe { getrusage(0, &mut usage) } == 0 {
        let seconds = |s: i64, us: i64| s as f64 + us as f64 / 1e6;
        return Some(seconds(usage[0], usage[1]) + seconds(usage[2], usage[3]));
    }
    self_cpu_seconds()
}

#[cfg(not(unix))]
pub fn self_cpu_precise() -> Option<f64> {
    self_cpu_seconds()
}

/// Prints the table header.
pub fn header(title: &str, unit: &str) {
    println!("\n## {title}\n");
    println!("| case | median {unit} | spread (min..max) {unit} | median time |");
    println!("| --- | ---: | ---: | ---: |");
}

/// Prints a rate row: `per_round` units per round.
pub fn rate_row(case: &str, r: &Rounds, per_round: f64, scale: f64) {
    let [median, spread, time] = rate_cells(r, per_round, scale);
    row(&[case.to_owned(), median, spread, time]);
}

/// Peak resident set size of this process (VmHWM), in MiB, where /proc is available.
pub fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// Resident set size of this process now (VmRSS), in MiB.
pub fn rss_mib() -> Option<f64> {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Prints a table header with any columns.
pub fn table(title: &str, columns: &[&str]) {
    println!("\n## {title}\n");
    println!("| {} |", columns.join(" | "));
    println!("|{}", " --- |".repeat(columns.len()));
}

/// Prints one table row.
pub fn row(cells: &[String]) {
    println!("| {} |", cells.join(" | "));
}

/// Median, spread (min..max) and median time of a rate: `per_round` units per round, divided by `scale`.
pub fn rate_cells(r: &Rounds, per_round: f64, scale: f64) -> [String; 3] {
    let rate = |d: Duration| per_round / d.as_secs_f64() / scale;
    [
        format!("{:.2}", rate(r.median())),
        format!("{:.2}..{:.2}", rate(r.max()), rate(r.min())),
        format!("{:.3?}", r.median()),
    ]
}

/// True when the bench was started by `cargo bench` (which passes `--bench`), or with an
/// argument of its own. `cargo test --benches` runs bench binaries with no argument: the
/// long benches print why they do nothing and return, so tests never run them.
pub fn asked_to_run() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("not run: this bench takes minutes; use `cargo bench --bench <name>`");
        return false;
    }
    true
}

/// The value after `--name` on the command line.
pub fn arg_value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// Owned arguments for [`run_child`].
pub fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// True when `--name` is on the command line.
pub fn has_arg(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// Busy and total jiffies of all CPUs, from /proc/stat.
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4)?;
    Some((total - idle, total))
}

/// How busy the machine's CPUs are (0..1) over `window`.
fn busy_over(window: Duration) -> Option<f64> {
    let (b0, t0) = cpu_jiffies()?;
    std::thread::sleep(window);
    let (b1, t1) = cpu_jiffies()?;
    Some((b1 - b0) as f64 / (t1 - t0).max(1) as f64)
}

/// Waits (up to a minute) until the machine is quiet (other engineers' builds share these
/// 2 cores): CPUs under 15% busy over half a second. Returns what to print next to the
/// figure: that busy share and the 1-minute load average.
pub fn wait_for_quiet() -> String {
    let start = Instant::now();
    let mut busy = busy_over(Duration::from_millis(500));
    while busy.is_some_and(|b| b > 0.15) && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_secs(1));
        busy = busy_over(Duration::from_millis(500));
    }
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    match busy {
        Some(b) => format!("{:.0}% / {load}", b * 100.0),
        None => format!("? / {load}"),
    }
}

/// What a child run reports: its round times and its peak RSS.
pub struct ChildReport {
    pub rounds: Rounds,
    pub peak_rss_mib: f64,
    /// Any other `name value` lines the child printed.
    pub extra: Vec<(String, String)>,
}

impl ChildReport {
    /// A number the child printed as `name value`.
    pub fn extra_f64(&self, name: &str) -> Option<f64> {
        self.extra.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.parse().ok())
    }
}

/// The node SDK measured in the same run, against the same server, rounds interleaved with ours.
pub struct NodeFigure {
    /// Median rate, in the unit of our rate.
    pub rate: f64,
    /// Client CPU, in the unit of our client CPU column.
    pub cpu: f64,
    /// Largest peak RSS over its rounds, MiB.
    pub peak_rss_mib: f64,
}

/// Cells "node rate", "ratio", "node client CPU", "node RSS" for `ours` (median rate) against
/// the node SDK measured in the same run; `Err` (why node was not run) fills the first cell.
pub fn node_cells(ours: f64, node: &Result<NodeFigure, String>, cpu_decimals: usize) -> [String; 4] {
    match node {
        Ok(n) => [
            format!("{:.0}", n.rate),
            format!("{:.2}x", ours / n.rate),
            format!("{:.prec$}", n.cpu, prec = cpu_decimals),
            format!("{:.0}", n.peak_rss_mib),
        ],
        Err(why) => [format!("not run: {why}"), "-".into(), "-".into(), "-".into()],
    }
}

/// A row of the client-against-a-server tables (end to end, small objects).
pub struct ServerRow<'a> {
    pub server: &'a str,
    pub work: String,
    /// Median, spread, median time ([`rate_cells`]).
    pub rate: [String; 3],
    pub client_cpu: String,
    pub server_cpu: String,
    pub client_peak_rss_mib: f64,
    /// The node SDK's figure, our ratio to it, its client CPU and peak RSS ([`node_cells`]).
    pub node: [String; 4],
    pub load: String,
}

impl ServerRow<'_> {
    /// Prints the header of a table of these rows.
    pub fn header(title: &str, rate_unit: &str, cpu_unit: &str) {
        let columns = [
            "server".to_owned(),
            "work".into(),
            format!("median {rate_unit}"),
            format!("spread {rate_unit}"),
            "median round".into(),
            format!("client CPU {cpu_unit}"),
            format!("server CPU {cpu_unit}"),
            "client peak RSS MiB".into(),
            format!("node SDK {rate_unit}"),
            "ours / node (medians, same run)".into(),
            format!("node client CPU {cpu_unit}"),
            "node peak RSS MiB".into(),
            "CPU busy before / load 1m".into(),
        ];
        table(title, &columns.iter().map(String::as_str).collect::<Vec<_>>());
    }

    pub fn print(self) {
        let [median, spread, time] = self.rate;
        let [node, ratio, node_cpu, node_rss] = self.node;
        row(&[
            self.server.to_owned(),
            self.work,
            median,
            spread,
            time,
            self.client_cpu,
            self.server_cpu,
            format!("{:.0}", self.client_peak_rss_mib),
            node,
            ratio,
            node_cpu,
            node_rss,
            self.load,
        ]);
    }
}

/// [`run_child`], also measuring the CPU seconds `server` used meanwhile.
pub fn run_child_against(server: &ServerProcess, args: &[String]) -> Result<(ChildReport, Option<f64>), String> {
    let before = process_cpu_seconds(server.pid());
    let report = run_child(args)?;
    let used = before.zip(process_cpu_seconds(server.pid())).map(|(a, b)| b - a);
    Ok((report, used))
}

/// In a child: prints the rounds and this process's peak RSS for [`run_child`] to read.
pub fn report_to_parent(r: &Rounds) {
    for t in &r.times {
        println!("round_s {}", t.as_secs_f64());
    }
    println!("peak_rss_mib {}", peak_rss_mib().unwrap_or(f64::NAN));
}

/// Runs this bench binary again with `args` (a fresh process, so its peak RSS is its own) and
/// reads the rounds it reports. The child's stderr passes through.
pub fn run_child(args: &[String]) -> Result<ChildReport, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe)
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("child {args:?} failed ({}): {text}", out.status));
    }
    let mut times = Vec::new();
    let mut peak = f64::NAN;
    let mut extra = Vec::new();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(' ') else { continue };
        match name {
            "round_s" => times.push(Duration::from_secs_f64(value.parse().map_err(|_| line.to_owned())?)),
            "peak_rss_mib" => peak = value.parse().unwrap_or(f64::NAN),
            _ => extra.push((name.to_owned(), value.to_owned())),
        }
    }
    if times.is_empty() {
        return Err(format!("child {args:?} reported no rounds: {text}"));
    }
    Ok(ChildReport { rounds: Rounds { times }, peak_rss_mib: peak, extra })
}

/// A server in a child process on 127.0.0.1, killed and reaped when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl ServerProcess {
    /// Starts `command` and waits for the line `listening on http://...` on its stdout.
    fn start(mut command: std::process::Command) -> Result<ServerProcess, String> {
        use std::io::BufRead;
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{command:?}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("{command:?} exited before listening"));
                }
            }
        };
        // Keep draining its stdout (so it never blocks on a full pipe), onto our stderr.
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| eprintln!("[server] {l}")));
        Ok(ServerProcess { child, url })
    }

    /// The port of [`url`](Self::url).
    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl ServerProcess {
    fn exited_within(&mut self, wait: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < wait {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for ServerProcess {
    /// Closes its stdin (the emulator child exits on that, printing its connection count),
    /// then asks with SIGTERM (the node sink prints its summary on that), then kills it.
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        if self.exited_within(Duration::from_secs(1)) {
            return;
        }
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        if !self.exited_within(Duration::from_secs(2)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(feature = "emulator")]
/// Starts the emulator's HTTP front in a separate process: this bench binary again, with
/// `--serve-emulator` (see [`serve_emulator_if_asked`]).
pub fn spawn_emulator() -> Result<ServerProcess, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = std::process::Command::new(exe);
    command.arg("--serve-emulator");
    ServerProcess::start(command)
}

#[cfg(feature = "emulator")]
/// In the child started by [`spawn_emulator`]: serves an emulator on 127.0.0.1, prints its
/// URL, and exits when its parent closes stdin (or dies). Returns false when not asked to.
pub fn serve_emulator_if_asked() -> bool {
    if !has_arg("--serve-emulator") {
        return false;
    }
    let emulator = tencent_cos::emulator::Emulator::new();
    let server = emulator.serve("127.0.0.1:0").expect("binding the emulator on 127.0.0.1");
    println!("listening on {}", server.url());
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    eprintln!("emulator: {} connections accepted", server.connections_accepted());
    true
}

/// `<manifest>/../shared/bench/sink_server.js`, when it exists.
pub fn sink_script() -> Result<std::path::PathBuf, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/sink_server.js");
    if path.is_file() { Ok(path) } else { Err(format!("{} not found", path.display())) }
}

/// Starts the node COS sink (`node sink_server.js 0 FLAGS`); Err says why it could not.
pub fn spawn_node_sink(flags: &[&str]) -> Result<ServerProcess, String> {
    let script = sink_script()?;
    match std::process::Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => return Err("node is not installed".into()),
    }
    let mut command = std::process::Command::new("node");
    command.arg(script).arg("0").args(flags);
    ServerProcess::start(command)
}

/// GET `path` of a loopback server with a bare HTTP/1.0 request; the body.
pub fn http_get_text(url: &str, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let addr = url.strip_prefix("http://")?;
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned())
}

/// CPU seconds (user + system) a process has used so far, from /proc/PID/stat.
pub fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// CPU seconds (user + system) this process has used so far.
pub fn self_cpu_seconds() -> Option<f64> {
    process_cpu_seconds(std::process::id())
}

/// `len` pseudo-random bytes (xorshift64*), written to `path` unless a file of that size is
/// there already. Real bytes, never sparse: the upload must read them from the page cache.
pub fn pseudo_random_file(path: &std::path::Path, len: u64) -> std::io::Result<()> {
    use std::io::Write;
    if std::fs::metadata(path).map(|m| m.len() == len).unwrap_or(false) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            word.copy_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    out.flush()
}

/// The bucket the network benches use (the emulator's default account owns it).
pub const BUCKET: &str = "examplebucket-1250000000";

/// How a bench client addresses its server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Server {
    /// The emulator's HTTP front: path style, `http://ADDR/BUCKET/KEY`.
    Emulator,
    /// The node sink: it routes on the path and lists uploads only at `/`, so the bucket
    /// cannot be in the path: `domain(ADDR)` over http gives `http://ADDR/KEY`.
    NodeSink,
}

impl Server {
    /// The `--server` argument of a child (as `{:?}` wrote it).
    pub fn from_args() -> Server {
        match arg_value("--server").as_deref() {
            Some("Emulator") => Server::Emulator,
            Some("NodeSink") => Server::NodeSink,
            other => panic!("unknown --server {other:?}"),
        }
    }
}

/// A client for a loopback server (default transport: ureq, pooled keep-alive connections),
/// with the emulator's default keys (the sink checks no signature), configured further by `f`.
#[cfg(feature = "emulator")]
pub fn bench_client(
    url: &str,
    server: Server,
    f: impl FnOnce(tencent_cos::ClientBuilder) -> tencent_cos::ClientBuilder,
) -> tencent_cos::Client {
    use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
    let builder = tencent_cos::Client::builder().secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).region("ap-guangzhou");
    let builder = match server {
        Server::Emulator => builder.endpoint_url(url),
        Server::NodeSink => builder
            .protocol(tencent_cos::Protocol::Http)
            .domain(url.strip_prefix("http://").expect("sink URL starts with http://")),
    };
    let client = f(builder).build().expect("bench client");
    if server == Server::Emulator {
        // The bucket may exist from an earlier child: that answer is fine too.
        let _ = client.bucket(BUCKET).put_bucket().send();
    }
    client
}

/// The official node SDK (cos-nodejs-sdk-v5, pinned in `../shared/bench/node-sdk/`), installed
/// with `npm ci` from its lock file into a folder under the temp dir, and its bench script,
/// whose `--worker SPEC` mode runs one round of one case against a sink already started.
pub struct NodeSdk {
    /// The folder holding `node_modules/cos-nodejs-sdk-v5` (`NODE_SDK_ROOT` of the script).
    root: std::path::PathBuf,
    script: std::path::PathBuf,
}

/// One round of the node SDK, as its worker reported it.
pub struct NodeRound {
    pub seconds: f64,
    /// CPU seconds of the timed section only.
    pub cpu_s: f64,
    pub peak_rss_mib: f64,
}

impl NodeSdk {
    /// Installs the pinned SDK (`npm ci`, once: an install whose lock file matches is reused),
    /// or says why it cannot (no node, no npm, no registry, no bench folder).
    pub fn install() -> Result<NodeSdk, String> {
        let pinned = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/node-sdk");
        let script = pinned.join("node_sdk_bench.js");
        if !script.is_file() {
            return Err(format!("{} not found", script.display()));
        }
        match std::process::Command::new("node").arg("--version").output() {
            Ok(o) if o.status.success() => {}
            _ => return Err("node is not installed".into()),
        }
        let lock = std::fs::read(pinned.join("package-lock.json")).map_err(|e| format!("package-lock.json: {e}"))?;
        let root = std::env::temp_dir().join("tencent-cos-bench-node-sdk");
        let installed = root.join("node_modules/cos-nodejs-sdk-v5/package.json").is_file()
            && std::fs::read(root.join("package-lock.json")).is_ok_and(|l| l == lock);
        if !installed {
            std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
            for name in ["package.json", "package-lock.json"] {
                std::fs::copy(pinned.join(name), root.join(name)).map_err(|e| format!("{name}: {e}"))?;
            }
            let out = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&root)
                .output()
                .map_err(|e| format!("npm: {e}"))?;
            if !out.status.success() {
                return Err(format!("npm ci failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
            }
        }
        Ok(NodeSdk { root, script })
    }

    /// Runs one round (`node node_sdk_bench.js --worker SPEC`, a fresh process) and reads its
    /// `RESULT {...}` line.
    pub fn round(&self, spec: &serde_json::Value) -> Result<NodeRound, String> {
        let out = std::process::Command::new("node")
            .arg(&self.script)
            .arg("--worker")
            .arg(spec.to_string())
            .env("NODE_SDK_ROOT", &self.root)
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("node: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().find_map(|l| l.strip_prefix("RESULT ")).filter(|_| out.status.success());
        let Some(line) = line else {
            return Err(format!("node worker {spec} failed ({}): {}", out.status, text.trim()));
        };
        let result: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        let number = |name: &str| result[name].as_f64().ok_or_else(|| format!("no {name} in {line}"));
        Ok(NodeRound {
            seconds: number("seconds")?,
            cpu_s: number("clientCpuS")?,
            peak_rss_mib: number("clientMaxRssKiB")? / 1024.0,
        })
    }
}

/// Median of some numbers (the upper one of an even count, like [`Rounds::median`]).
pub fn median_f64(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}
