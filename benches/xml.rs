//! XML: parse a 1000-entry ListBucketResult (realistic keys, about 300 KB) into the typed
//! output, in MB/s and entries/s.

#[path = "harness/mod.rs"]
mod harness;

use std::hint::black_box;
use tencent_cos::api::GetBucketInput;
use tencent_cos::api::{DeleteMultipleObjectInput, ObjectToDelete};
use tencent_cos::http::Response;
use tencent_cos::operation::Operation;

/// A listing as COS writes it: declaration, one `<Contents>` per object, keys of a photo archive.
fn list_bucket_result(entries: usize) -> String {
    let mut s = String::from(
        "<?xml version='1.0' encoding='utf-8' ?>\n<ListBucketResult><Name>examplebucket-1250000000</Name><Prefix>photos/</Prefix><Marker/><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextMarker>photos/2019/summer/x.jpg</NextMarker>",
    );
    for i in 0..entries {
        s.push_str(&format!(
            "<Contents><Key>photos/2019/summer-holiday/day-{:03}/IMG_{:06}_{}.jpg</Key><LastModified>2019-07-{:02}T11:26:14.000Z</LastModified><ETag>&quot;{:032x}&quot;</ETag><Size>{}</Size><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>",
            i % 365,
            i,
            "a-b c+d",
            1 + i % 28,
            (i as u128).wrapping_mul(0x9E3779B97F4A7C15F39CC0605CEDC834),
            1024 + i * 37
        ));
    }
    s.push_str("</ListBucketResult>");
    s
}

fn main() {
    let body = list_bucket_result(1000);
    let bytes = body.len() as f64;
    harness::header(&format!("Parse ListBucketResult, 1000 entries, {:.0} KB", bytes / 1000.0), "MB/s");
    const N: usize = 50;
    let r = harness::rounds(7, || {
        for _ in 0..N {
            let mut op = GetBucketInput::default();
            let length = body.len().to_string();
            let headers = [("x-cos-request-id", "r"), ("Content-Length", length.as_str())];
            let out = op.parse(Response::from_bytes(200, headers, body.clone().into_bytes())).unwrap();
            assert_eq!(out.contents.len(), 1000);
            black_box(out);
        }
    });
    harness::rate_row("ListBucketResult -> GetBucketOutput (MB/s)", &r, bytes * N as f64, 1e6);
    harness::rate_row("ListBucketResult -> GetBucketOutput (entries/s)", &r, 1000.0 * N as f64, 1.0);

    // Writing: the body of a 1000-key delete_multiple_object (escaping, Content-MD5 included).
    let objects: Vec<ObjectToDelete> = (0..1000)
        .map(|i| {
            ObjectToDelete::from(format!("photos/2019/summer-holiday/day-{:03}/IMG_{i:06} & <b>.jpg", i % 365).as_str())
        })
        .collect();
    let body_len =
        DeleteMultipleObjectInput { objects: objects.clone(), quiet: false }.build().unwrap().body.len() as f64;
    harness::header(&format!("Write a 1000-key Delete body, {:.0} KB", body_len / 1000.0), "MB/s");
    let r = harness::rounds(7, || {
        for _ in 0..N {
            let mut op = DeleteMultipleObjectInput { objects: objects.clone(), quiet: false };
            black_box(op.build().unwrap());
        }
    });
    harness::rate_row("DeleteMultipleObjectInput -> request body (MB/s)", &r, body_len * N as f64, 1e6);
    harness::rate_row("DeleteMultipleObjectInput -> request body (keys/s)", &r, 1000.0 * N as f64, 1.0);
}
