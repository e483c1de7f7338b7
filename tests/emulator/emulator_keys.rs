//! Keys that are no key: a path whose key is empty once repeated `/` are merged and `.`
//! segments dropped is refused with 400 InvalidURI and stores nothing; `..` is an ordinary key.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness, Raw};
use tencent_cos::emulator::Emulator;
use tencent_cos::http::Method;

#[test]
fn empty_keys_are_refused_on_both_fronts() {
    for front in [Front::InProcess, Front::Http] {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let (url, _, _) = h.bucket_url(BUCKET);
        for path in ["///////", "//", "/./", "/.", "/././/./"] {
            for method in [Method::Put, Method::Get, Method::Head] {
                let r = h.send_url(method, &format!("{url}{path}"), &[("Content-Length", "0")]);
                assert_eq!(r.status, 400, "{front:?} {method:?} {path}");
                if method != Method::Head {
                    assert_eq!(r.error().code, "InvalidURI", "{front:?} {method:?} {path}");
                }
            }
        }
        assert_eq!(h.send(BUCKET, Raw::get()).ok().texts("Key"), Vec::<String>::new(), "{front:?}: nothing stored");

        // `..` is not resolved: it is part of an ordinary key.
        h.put("a/../b", b"dots").ok();
        assert_eq!(h.emulator.object_bytes(BUCKET, "a/../b"), Some(b"dots".to_vec()));
        assert_eq!(h.emulator.object_bytes(BUCKET, "b"), None);
        assert_eq!(h.send(BUCKET, Raw::get()).ok().texts("Key"), ["a/../b"]);
    }
}
