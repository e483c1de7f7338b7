//! The progress bars of `put`, `get` and `cp`: indicatif, fed by the transfer's callbacks.
//!
//! - The bar's position, total and percentage all come from one state (indicatif's position
//!   and length, set together from one report), so the percentage never lags the bar.
//! - A resumed `put` first hashes the parts already on COS: that phase is its own bar
//!   (`hashing`), fed by `on_hash_progress`, gone when the upload proper reports.
//! - When stderr is not a terminal nothing is drawn; the command's result line (on stdout)
//!   is the one summary.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tencent_cos::transfer::ProgressInfo;

const TEMPLATE: &str =
    "{prefix:>7} [{bar:30}] {binary_bytes}/{binary_total_bytes} {percent:>3}% {binary_bytes_per_sec}";

/// The bars of one transfer, on stderr or drawn nowhere (pipes, logs, tests): the callbacks
/// run the same either way.
pub struct Bar {
    hashing: ProgressBar,
    transfer: ProgressBar,
}

fn styled(label: &str) -> ProgressBar {
    // The total is learnt from the first report (a download or copy learns it from HEAD).
    let bar = ProgressBar::hidden();
    bar.set_length(0);
    let style = ProgressStyle::with_template(TEMPLATE).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_prefix(label.to_owned());
    bar
}

impl Bar {
    /// Bars labelled `label` (the command) and `hashing`, drawn on stderr when `visible`.
    pub fn new(label: &str, visible: bool) -> Bar {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let multi = MultiProgress::with_draw_target(target);
        let hashing = multi.add(styled("hashing"));
        let transfer = multi.add(styled(label));
        Bar { hashing, transfer }
    }

    /// The `on_progress` callback: `loaded` of `total`. The first report ends the hash phase.
    pub fn on_progress(&self) -> impl Fn(&ProgressInfo) + Send + Sync + 'static {
        let (bar, hashing) = (self.transfer.clone(), self.hashing.clone());
        move |p: &ProgressInfo| {
            if !hashing.is_finished() {
                hashing.finish_and_clear();
            }
            update(&bar, p);
        }
    }

    /// The `on_hash_progress` callback of a resumed upload.
    pub fn on_hash_progress(&self) -> impl Fn(&ProgressInfo) + Send + Sync + 'static {
        let hashing = self.hashing.clone();
        move |p: &ProgressInfo| update(&hashing, p)
    }

    /// The transfer bar's position and length, and whether the hash bar is still up: what the
    /// drawn bar and its percentage are computed from.
    pub fn state(&self) -> (u64, Option<u64>, bool) {
        (self.transfer.position(), self.transfer.length(), !self.hashing.is_finished())
    }

    /// Removes the bars, so the result line stands alone.
    pub fn clear(&self) {
        self.hashing.finish_and_clear();
        self.transfer.finish_and_clear();
    }
}

/// Length then position from one report: the percentage is computed from these two only.
fn update(bar: &ProgressBar, p: &ProgressInfo) {
    bar.set_length(p.total.max(p.loaded));
    bar.set_position(p.loaded);
}
