//! Regions are real on the emulator's HTTP front when the client keeps the bucket's host (the
//! node SDK's `Ip` option, `ClientBuilder::ip`): a bucket asked for through another region's
//! host is NoSuchBucket, as on COS, while the right region is served.

use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::{Client, Error, Protocol};

const BUCKET: &str = "examplebucket-1250000000";

fn client(addr: &str, region: &str) -> Client {
    Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region(region)
        .protocol(Protocol::Http)
        .ip(addr)
        .build()
        .unwrap()
}

#[test]
fn a_wrong_region_is_no_such_bucket_and_the_right_one_is_served() {
    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let addr = server.url().trim_start_matches("http://").to_owned();
    let guangzhou = client(&addr, "ap-guangzhou").bucket(BUCKET);
    guangzhou.put_bucket().send().unwrap();
    let out = guangzhou.put_object("a.txt").body("hi").send().unwrap();
    assert_eq!(out.location, format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/a.txt"), "Location names the real host");
    assert_eq!(guangzhou.get_object("a.txt").send().unwrap().bytes().unwrap(), b"hi");

    let beijing = client(&addr, "ap-beijing").bucket(BUCKET);
    for err in [
        beijing.head_bucket().send().unwrap_err(),
        beijing.get_object("a.txt").send().map(|_| ()).unwrap_err(),
        beijing.put_object("b.txt").body("x").send().map(|_| ()).unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::Service(e) if e.status == 404 && e.code == "NoSuchBucket")
                || err.status() == Some(404),
            "{err:?}"
        );
    }
    assert_eq!(beijing.get_object("a.txt").send().map(|_| ()).unwrap_err().code(), Some("NoSuchBucket"));
    assert_eq!(emulator.object_bytes(BUCKET, "b.txt"), None, "nothing stored through the wrong region");
}

#[test]
fn a_bad_ip_is_refused_when_the_client_is_built() {
    for bad in ["", "127.0.0.1:9000/x", "a b", "user@host"] {
        let err = Client::builder().region("ap-guangzhou").ip(bad).build().unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { field: "ip", .. }), "{bad:?}: {err:?}");
    }
}
