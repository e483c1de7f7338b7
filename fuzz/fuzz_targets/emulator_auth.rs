//! TODO(issue 7, emulator Authorization parser): NOT BUILT YET, and deliberately not listed in
//! fuzz/Cargo.toml.
//!
//! The emulator's Authorization parser (`src/emulator/auth_check.rs`) lives on a branch that is
//! not merged: `src/emulator/mod.rs` is still a placeholder here, so there is nothing to fuzz.
//! Once `tencent_cos::emulator::Emulator` exists (a `Transport`), add this target to Cargo.toml:
//!
//! ```toml
//! [[bin]]
//! name = "emulator_auth"
//! path = "fuzz_targets/emulator_auth.rs"
//! test = false
//! doc = false
//! bench = false
//! ```
//!
//! and replace this file's body with a target that goes through the public API only, along
//! these lines (adjust to the emulator's real constructor and bucket set-up):
//!
//! ```ignore
//! #![no_main]
//! use libfuzzer_sys::fuzz_target;
//! use tencent_cos::emulator::Emulator;
//! use tencent_cos::http::{Body, Headers, Method, Request};
//! use tencent_cos::transport::Transport;
//!
//! fuzz_target!(|data: &[u8]| {
//!     let emulator = Emulator::new(); // with one bucket and the test credentials
//!     let mut headers = Headers::new();
//!     headers.insert("Host", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com");
//!     headers.insert("Authorization", String::from_utf8_lossy(data));
//!     let request = Request {
//!         method: Method::Get,
//!         url: "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k".into(),
//!         headers,
//!         body: Body::Empty,
//!     };
//!     // Any status is fine (403 for a bad signature); a panic is a bug.
//!     let _ = emulator.send(request);
//! });
//! ```
