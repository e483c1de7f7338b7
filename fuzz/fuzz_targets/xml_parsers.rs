//! Every response parser on arbitrary bytes: byte 0 chooses the parser, byte 1 the status,
//! `@name: value` lines up to a blank line are headers, the rest is the body (see
//! `FuzzResponse::decode`). A parser may answer `Ok` or `Err`; a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

// Each target uses part of the shared module.
#[allow(dead_code)]
#[path = "../../tests/support/fuzz_shared.rs"]
mod fuzz_shared;

fuzz_target!(|data: &[u8]| {
    if let Some(response) = fuzz_shared::FuzzResponse::decode(data) {
        let _ = response.run();
    }
});
