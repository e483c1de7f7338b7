//! The request signer on arbitrary bytes: lines are the method, key, SecretId, SecretKey, then
//! `name=value` query parameters and `name:value` headers (see `FuzzSigning::decode`). It must
//! not panic, and every signature must be well-formed and deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;

// Each target uses part of the shared module.
#[allow(dead_code)]
#[path = "../../tests/support/fuzz_shared.rs"]
mod fuzz_shared;

use fuzz_shared::{FuzzSigning, authorization_shape_error};

fuzz_target!(|data: &[u8]| {
    let signing = FuzzSigning::decode(data);
    let len = data.len() as u64;
    for (start, end) in [(len, len.wrapping_mul(31)), (0, u64::MAX)] {
        let all = signing.sign_parts(start, end);
        assert_eq!(authorization_shape_error(&all, &signing.secret_id), None, "{signing:?}: {all}");
        assert_eq!(signing.sign_parts(start, end), all, "not deterministic: {signing:?}");
        let allow_listed = signing.authorization(start, end);
        assert_eq!(authorization_shape_error(&allow_listed, &signing.secret_id), None, "{signing:?}: {allow_listed}");
    }
    let http_string = signing.http_string();
    assert!(http_string.ends_with('\n'), "{http_string:?}");
});
