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

/// The `later/` bodies (calls outside the reference) whose root element is `root`, sorted by
/// name, each as (XML bytes, its JSON record with `expect`); empty (after saying so) without
/// the corpus.
pub fn later_fixtures(test: &str, root: &str) -> Vec<(String, Vec<u8>, serde_json::Value)> {
    let Some(dir) = go_fixtures_dir(test) else { return Vec::new() };
    let dir = dir.join("later");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n.split('-').nth(1) == Some(root))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join(&n)).unwrap()).unwrap();
            let xml = std::fs::read(dir.join(n.replace(".json", ".xml"))).unwrap();
            assert_eq!(json["root"], root, "{n}");
            (n.trim_end_matches(".json").to_owned(), xml, json)
        })
        .collect()
}

/// `expect` with every `StorageClass` string as the library writes it, everything else as it
/// stands. The corpus keeps COS's own spelling, `Standard` in `ListParts`,
/// `ListMultipartUploads` and lifecycle answers; the library reads that as
/// `StorageClass::Standard` and writes `STANDARD` (`StorageClass::from` is ASCII
/// case-insensitive for the classes COS names), so the tests compare `as_str()` with this.
pub fn storage_classes_as_written(expect: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match expect {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("StorageClass", Value::String(s)) => {
                        (k.clone(), Value::from(tencent_cos::api::StorageClass::from(s.as_str()).as_str()))
                    }
                    _ => (k.clone(), storage_classes_as_written(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(storage_classes_as_written).collect()),
        other => other.clone(),
    }
}
