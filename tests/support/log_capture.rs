//! A `log` logger that keeps what the library logs (target `tencent_cos*`), installed once per
//! test binary, so tests can assert the exact lines.

use std::sync::{Mutex, Once};

static RECORDS: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("tencent_cos") {
            RECORDS.lock().unwrap().push((record.level(), record.args().to_string()));
        }
    }
    fn flush(&self) {}
}

/// Installs the capture (once; later calls do nothing), at debug level.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&Capture).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Debug);
    });
}

/// Everything captured so far, from every test of the binary.
pub fn records() -> Vec<(log::Level, String)> {
    RECORDS.lock().unwrap().clone()
}
