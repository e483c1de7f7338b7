//! `slice_upload_file` streams each part from the file into its request body: byte-exact with
//! the right CRC-64 for every size around the part boundaries, a retried part re-reads the
//! same bytes from the file, and no part is ever held in memory (the part bodies are counted).
//! A transport stands in for COS: it answers a multipart upload, keeping each part's bytes.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tencent_cos::TransportErrorKind;
use tencent_cos::checksum::{crc64, crc64_combine};
use tencent_cos::http::{Request, Response};
use tencent_cos::transport::Transport;
use tencent_cos::{Client, Error};

const MIB: u64 = 1024 * 1024;

/// Answers a multipart upload like COS, keeping every part's bytes; counts what it sees.
#[derive(Default)]
struct PartsCos {
    parts: Mutex<BTreeMap<u32, Vec<u8>>>,
    /// Part requests whose body was in memory (a part-sized buffer on the client).
    in_memory_bodies: AtomicUsize,
    part_requests: AtomicUsize,
    /// Part bodies being read right now, and the most at once.
    reading: AtomicUsize,
    most_reading: AtomicUsize,
    /// Part numbers whose first send is cut after this many bytes (a broken connection).
    cut_first_send_of: Mutex<BTreeMap<u32, usize>>,
    /// The bytes the cut sends had read.
    cut_reads: Mutex<BTreeMap<u32, Vec<u8>>>,
}

impl Transport for PartsCos {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        let url = request.url.clone();
        let xml = |body: String| Response::from_bytes(200, [("Content-Type", "application/xml")], body.into_bytes());
        if url.contains("?uploads=&encoding-type=url&prefix=") {
            return Ok(xml(
                "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>".into(),
            ));
        }
        if url.ends_with("?uploads=") {
            return Ok(xml("<InitiateMultipartUploadResult><Bucket>b-1250000000</Bucket><Key>f.bin</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>".into()));
        }
        if let Some(n) =
            url.split("partNumber=").nth(1).and_then(|r| r.split('&').next()).and_then(|n| n.parse::<u32>().ok())
        {
            self.part_requests.fetch_add(1, Ordering::SeqCst);
            if request.body.as_bytes().is_some() {
                self.in_memory_bodies.fetch_add(1, Ordering::SeqCst);
            }
            let now = self.reading.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_reading.fetch_max(now, Ordering::SeqCst);
            let cut = self.cut_first_send_of.lock().unwrap().remove(&n);
            let mut reader = request.body.into_reader();
            let mut bytes = Vec::new();
            let read = match cut {
                Some(limit) => (&mut reader).take(limit as u64).read_to_end(&mut bytes),
                None => reader.read_to_end(&mut bytes),
            };
            self.reading.fetch_sub(1, Ordering::SeqCst);
            read.map_err(Error::Io)?;
            if cut.is_some() {
                self.cut_reads.lock().unwrap().insert(n, bytes);
                return Err(Error::transport(TransportErrorKind::Io, "connection reset while sending"));
            }
            let crc = crc64(&bytes).to_string();
            self.parts.lock().unwrap().insert(n, bytes);
            return Ok(Response::from_bytes(
                200,
                [("ETag", format!("\"etag-{n}\"")), ("x-cos-hash-crc64ecma", crc)],
                Vec::new(),
            ));
        }
        let parts = self.parts.lock().unwrap();
        let whole = parts.values().fold(0, |acc, p| crc64_combine(acc, crc64(p), p.len() as u64));
        Ok(Response::from_bytes(
            200,
            [("x-cos-hash-crc64ecma", whole.to_string())],
            b"<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>f.bin</Key><ETag>\"x\"</ETag></CompleteMultipartUploadResult>".to_vec(),
        ))
    }
}

/// `len` bytes that differ from offset to offset (a misplaced byte shows).
fn file_bytes(len: u64) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()
}

fn client(cos: std::sync::Arc<PartsCos>) -> Client {
    Client::builder().secret("AKIDTEST", "k").region("ap-guangzhou").transport(cos).build().unwrap()
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("tencent-cos-streamed-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_streamed_part_is_byte_exact_with_the_right_crc_around_part_boundaries() {
    for size in [1, MIB - 1, MIB, MIB + 1, 2 * MIB - 1, 2 * MIB, 2 * MIB + 1, 3 * MIB + 7] {
        let data = file_bytes(size);
        let path = temp_file(&format!("{size}.bin"), &data);
        let cos = std::sync::Arc::new(PartsCos::default());
        let out = client(cos.clone()).bucket("b-1250000000").slice_upload_file("f.bin", &path).send();
        let _ = std::fs::remove_file(&path);
        let out = out.unwrap_or_else(|e| panic!("size {size}: {e}"));
        let parts = cos.parts.lock().unwrap();
        assert_eq!(parts.len() as u64, size.div_ceil(MIB), "size {size}: part count");
        for (n, part) in parts.iter() {
            let start = (*n as u64 - 1) * MIB;
            let end = (start + MIB).min(size);
            assert!(part[..] == data[start as usize..end as usize], "size {size}: part {n} differs from the file");
        }
        assert_eq!(out.crc64, Some(crc64(&data)), "size {size}: CRC-64 of the whole object");
        assert_eq!(out.size, size);
    }
}

#[test]
fn a_retried_streamed_part_rereads_the_same_bytes() {
    let size = 3 * MIB + 5;
    let data = file_bytes(size);
    let path = temp_file("retry.bin", &data);
    let cos = std::sync::Arc::new(PartsCos::default());
    // Part 2's first send breaks after 300,001 bytes; part 4 (5 bytes) after 2.
    cos.cut_first_send_of.lock().unwrap().extend([(2, 300_001), (4, 2)]);
    let out = client(cos.clone()).bucket("b-1250000000").slice_upload_file("f.bin", &path).send();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap();
    let parts = cos.parts.lock().unwrap();
    assert!(parts[&2][..] == data[MIB as usize..2 * MIB as usize], "the retried part 2 is the file's bytes");
    assert!(parts[&4][..] == data[3 * MIB as usize..], "the retried part 4 is the file's bytes");
    let cut = cos.cut_reads.lock().unwrap();
    assert!(cut[&2][..] == data[MIB as usize..MIB as usize + 300_001], "the broken send read part 2 from its start");
    assert!(cut[&4][..] == data[3 * MIB as usize..3 * MIB as usize + 2]);
    assert_eq!(cos.part_requests.load(Ordering::SeqCst), 4 + 2, "each broken part sent once more");
    assert_eq!(out.crc64, Some(crc64(&data)), "the CRC is of the bytes the successful sends read");
}

#[test]
fn no_part_is_held_in_memory_whatever_the_part_size() {
    // 64 MiB parts, 4 in flight: a sparse file (reads as zeros), nothing of it in memory.
    let path = std::env::temp_dir().join(format!("tencent-cos-streamed-{}-sparse.bin", std::process::id()));
    std::fs::File::create(&path).unwrap().set_len(4 * 64 * MIB + 3).unwrap();
    let cos = std::sync::Arc::new(PartsCosCounting::default());
    let client = Client::builder()
        .secret("AKIDTEST", "k")
        .region("ap-guangzhou")
        .chunk_size(64 * MIB)
        .chunk_parallel_limit(4)
        .transport(cos.clone())
        .build()
        .unwrap();
    let out = client.bucket("b-1250000000").slice_upload_file("f.bin", &path).send();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap();
    assert_eq!(out.size, 4 * 64 * MIB + 3);
    assert_eq!(cos.part_requests.load(Ordering::SeqCst), 5);
    assert_eq!(cos.in_memory_bodies.load(Ordering::SeqCst), 0, "a part body in memory is a part-sized buffer");
    let most = cos.most_reading.load(Ordering::SeqCst);
    assert!((1..=4).contains(&most), "{most} part bodies open at once, ChunkParallelLimit is 4");
}

/// Like [`PartsCos`], keeping only each part's length and CRC (the parts are 64 MiB), reading
/// the body in 64 KiB pieces.
#[derive(Default)]
struct PartsCosCounting {
    parts: Mutex<BTreeMap<u32, (u64, u64)>>,
    in_memory_bodies: AtomicUsize,
    part_requests: AtomicUsize,
    reading: AtomicUsize,
    most_reading: AtomicUsize,
}

impl Transport for PartsCosCounting {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        let url = request.url.clone();
        let xml = |body: String| Response::from_bytes(200, [("Content-Type", "application/xml")], body.into_bytes());
        if url.contains("?uploads=&encoding-type=url&prefix=") {
            return Ok(xml(
                "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>".into(),
            ));
        }
        if url.ends_with("?uploads=") {
            return Ok(xml("<InitiateMultipartUploadResult><Bucket>b-1250000000</Bucket><Key>f.bin</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>".into()));
        }
        if let Some(n) =
            url.split("partNumber=").nth(1).and_then(|r| r.split('&').next()).and_then(|n| n.parse::<u32>().ok())
        {
            self.part_requests.fetch_add(1, Ordering::SeqCst);
            if request.body.as_bytes().is_some() {
                self.in_memory_bodies.fetch_add(1, Ordering::SeqCst);
            }
            let now = self.reading.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_reading.fetch_max(now, Ordering::SeqCst);
            let mut reader = request.body.into_reader();
            let (mut crc, mut len, mut buf) = (tencent_cos::checksum::Crc64::new(), 0u64, vec![0u8; 1 << 16]);
            let read = loop {
                match reader.read(&mut buf) {
                    Ok(0) => break Ok(()),
                    Ok(k) => {
                        crc.update(&buf[..k]);
                        len += k as u64;
                    }
                    Err(e) => break Err(e),
                }
            };
            self.reading.fetch_sub(1, Ordering::SeqCst);
            read.map_err(Error::Io)?;
            self.parts.lock().unwrap().insert(n, (len, crc.finish()));
            return Ok(Response::from_bytes(
                200,
                [("ETag", format!("\"etag-{n}\"")), ("x-cos-hash-crc64ecma", crc.finish().to_string())],
                Vec::new(),
            ));
        }
        let whole = self.parts.lock().unwrap().values().fold(0, |acc, (len, crc)| crc64_combine(acc, *crc, *len));
        Ok(Response::from_bytes(
            200,
            [("x-cos-hash-crc64ecma", whole.to_string())],
            b"<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>f.bin</Key><ETag>\"x\"</ETag></CompleteMultipartUploadResult>".to_vec(),
        ))
    }
}
