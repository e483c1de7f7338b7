//! The progress bar of `put`, `get` and `cp`: indicatif, fed by the transfer's `on_progress`.

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tencent_cos::transfer::ProgressInfo;

const TEMPLATE: &str = "{prefix} [{bar:30}] {binary_bytes}/{binary_total_bytes} {msg}";

/// A bar on stderr, or drawn nowhere when stderr is not a terminal (pipes, logs, tests): the
/// callbacks run the same either way.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar labelled `label` (the command), drawn on stderr when `visible`.
    pub fn new(label: &str, visible: bool) -> Bar {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        // The total is learnt from the first report (a download or copy learns it from HEAD).
        let bar = ProgressBar::with_draw_target(Some(0), target);
        let style = ProgressStyle::with_template(TEMPLATE).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.set_prefix(label.to_owned());
        Bar { bar }
    }

    /// The `on_progress` callback: `loaded` of `total`, the percentage and the speed the SDK
    /// measured.
    pub fn on_progress(&self) -> impl Fn(&ProgressInfo) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |p: &ProgressInfo| {
            bar.set_length(p.total);
            bar.set_position(p.loaded);
            bar.set_message(format!("{:>3.0}% {}/s", p.percent * 100.0, HumanBytes(p.speed as u64)));
        }
    }

    /// Removes the bar, so the result line stands alone.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
