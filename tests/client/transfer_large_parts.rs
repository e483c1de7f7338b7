//! A file too big for MaxPartNumber parts of ChunkSize gets bigger parts: 1025 MiB with
//! MaxPartNumber 1024 and 1 MiB chunks goes up in 513 parts of 2 MiB (the last 1 MiB). The file is
//! sparse and the transport only counts and checksums, so nothing of it is kept in memory.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;

use tencent_cos::checksum::{Crc64, crc64_combine};
use tencent_cos::http::{Request, Response};
use tencent_cos::transport::Transport;
use tencent_cos::{Client, Error};

const MIB: u64 = 1024 * 1024;

/// Answers a multipart upload like COS, keeping only each part's length and CRC-64.
#[derive(Default)]
struct CountingCos {
    parts: Mutex<BTreeMap<u32, (u64, u64)>>,
}

impl Transport for CountingCos {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        let url = request.url.clone();
        let xml = |body: String| Response::from_bytes(200, [("Content-Type", "application/xml")], body.into_bytes());
        if url.contains("?uploads=&encoding-type=url&prefix=") {
            return Ok(xml(
                "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>".into(),
            ));
        }
        if url.ends_with("?uploads=") {
            return Ok(xml("<InitiateMultipartUploadResult><Bucket>b-1250000000</Bucket><Key>big.bin</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>".into()));
        }
        if let Some(n) =
            url.split("partNumber=").nth(1).and_then(|r| r.split('&').next()).and_then(|n| n.parse::<u32>().ok())
        {
            let mut reader = request.body.into_reader();
            let (mut crc, mut len, mut buf) = (Crc64::new(), 0u64, vec![0u8; 1 << 16]);
            loop {
                let k = reader.read(&mut buf).map_err(Error::Io)?;
                if k == 0 {
                    break;
                }
                crc.update(&buf[..k]);
                len += k as u64;
            }
            self.parts.lock().unwrap().insert(n, (len, crc.finish()));
            let crc = crc.finish().to_string();
            return Ok(Response::from_bytes(
                200,
                [("ETag", format!("\"etag-{n}\"")), ("x-cos-hash-crc64ecma", crc)],
                Vec::new(),
            ));
        }
        let whole = self.parts.lock().unwrap().values().fold(0, |acc, (len, crc)| crc64_combine(acc, *crc, *len));
        Ok(Response::from_bytes(
            200,
            [("x-cos-hash-crc64ecma", whole.to_string())],
            b"<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>big.bin</Key><ETag>\"x-513\"</ETag></CompleteMultipartUploadResult>".to_vec(),
        ))
    }
}

#[test]
fn a_file_beyond_max_part_number_chunks_gets_larger_parts() {
    let path = std::env::temp_dir().join(format!("tencent-cos-sparse-{}.bin", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(1025 * MIB).unwrap();
    drop(file);
    let cos = std::sync::Arc::new(CountingCos::default());
    let client = Client::builder()
        .secret("AKIDTEST", "k")
        .region("ap-guangzhou")
        .max_part_number(1024)
        .transport(cos.clone())
        .build()
        .unwrap();
    let out = client.bucket("b-1250000000").slice_upload_file("big.bin", &path).send();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap();
    let parts = cos.parts.lock().unwrap();
    assert_eq!(parts.len(), 513);
    assert!(parts.range(1..513).all(|(_, (len, _))| *len == 2 * MIB));
    assert_eq!(parts[&513].0, MIB);
    assert_eq!(out.size, 1025 * MIB);
    assert_eq!(out.crc64, Some(parts.values().fold(0, |acc, (len, crc)| crc64_combine(acc, *crc, *len))));
    assert!(matches!(
        Client::builder().max_part_number(1023).build(),
        Err(Error::InvalidArgument { field: "max_part_number", .. })
    ));
}
