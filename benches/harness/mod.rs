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

/// Prints the table header.
pub fn header(title: &str, unit: &str) {
    println!("\n## {title}\n");
    println!("| case | median {unit} | spread (min..max) {unit} | median time |");
    println!("| --- | ---: | ---: | ---: |");
}

/// Prints a rate row: `per_round` units per round.
pub fn rate_row(case: &str, r: &Rounds, per_round: f64, scale: f64) {
    let rate = |d: Duration| per_round / d.as_secs_f64() / scale;
    println!("| {case} | {:.2} | {:.2}..{:.2} | {:.3?} |", rate(r.median()), rate(r.max()), rate(r.min()), r.median());
}

/// Peak resident set size of this process (VmHWM), in MiB, where /proc is available.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
