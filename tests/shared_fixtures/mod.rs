//! Where the third-party fixtures live: `../shared/fixtures/` beside the crate (never copied into
//! this repository), or `COS_GO_FIXTURES`. A user's clone has no `../shared`: the tests that need it
//! say so on the terminal (not through the captured `eprintln!`, which `cargo test` hides) and pass.
//! Under `CI=true` a missing corpus is a failure: CI has it, so there the tests always run.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The cos-go-sdk-xml corpus directory, or `None` (after saying so) when it is absent.
pub fn go_fixtures_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("COS_GO_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/cos-go-sdk-xml"));
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(!ci, "CI=true but the cos-go-sdk-xml fixtures are not at {}", dir.display());
    // Straight to the process's stderr: the test harness captures only the print macros.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: cos-go-sdk-xml fixtures not found at {} (set COS_GO_FIXTURES)",
        dir.display()
    );
    None
}
