//! A transport standing in for COS during a multipart upload (list, initiate, parts, complete):
//! it answers as COS does, checksums every part it reads and counts what it sees, so upload
//! tests can check bytes, CRCs, retries and memory without an emulator.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tencent_cos::checksum::{Crc64, crc64_combine};
use tencent_cos::http::{Request, Response};
use tencent_cos::transport::Transport;
use tencent_cos::{Error, TransportErrorKind};

/// One part as received.
#[derive(Debug, Default)]
pub struct ReceivedPart {
    pub len: u64,
    pub crc64: u64,
    /// The bytes, when the fake keeps them ([`PartsCos::keeping_bytes`]).
    pub bytes: Vec<u8>,
}

/// The fake; `PartsCos::default()` keeps lengths and CRCs only (for parts too big to keep).
#[derive(Default)]
pub struct PartsCos {
    keep_bytes: bool,
    pub parts: Mutex<BTreeMap<u32, ReceivedPart>>,
    /// Part requests whose body was in memory (a part-sized buffer on the client).
    pub in_memory_bodies: AtomicUsize,
    pub part_requests: AtomicUsize,
    /// Part bodies being read right now, and the most at once.
    pub reading: AtomicUsize,
    pub most_reading: AtomicUsize,
    /// Part numbers whose first send is cut after this many bytes (a broken connection).
    pub cut_first_send_of: Mutex<BTreeMap<u32, usize>>,
    /// The bytes the cut sends had read.
    pub cut_reads: Mutex<BTreeMap<u32, Vec<u8>>>,
}

impl PartsCos {
    /// A fake that keeps every part's bytes.
    pub fn keeping_bytes() -> Self {
        PartsCos { keep_bytes: true, ..PartsCos::default() }
    }

    /// The CRC-64 of the parts received, in order: the whole object's.
    pub fn whole_crc64(&self) -> u64 {
        self.parts.lock().unwrap().values().fold(0, |acc, p| crc64_combine(acc, p.crc64, p.len))
    }

    /// Reads a part body in 64 KiB pieces (at most `limit` bytes), checksumming it.
    fn receive(
        &self,
        body: tencent_cos::http::Body,
        limit: Option<usize>,
        keep: bool,
    ) -> std::io::Result<ReceivedPart> {
        let mut reader: Box<dyn Read> = match limit {
            Some(n) => Box::new(body.into_reader().take(n as u64)),
            None => Box::new(body.into_reader()),
        };
        let (mut crc, mut part, mut buf) = (Crc64::new(), ReceivedPart::default(), vec![0u8; 1 << 16]);
        loop {
            let k = reader.read(&mut buf)?;
            if k == 0 {
                break;
            }
            crc.update(&buf[..k]);
            part.len += k as u64;
            if keep {
                part.bytes.extend_from_slice(&buf[..k]);
            }
        }
        part.crc64 = crc.finish();
        Ok(part)
    }
}

impl Transport for PartsCos {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        let url = request.url.clone();
        let key = url.split("myqcloud.com/").nth(1).and_then(|p| p.split('?').next()).unwrap_or("").to_owned();
        let xml = |body: String| Response::from_bytes(200, [("Content-Type", "application/xml")], body.into_bytes());
        if url.contains("?uploads=&encoding-type=url&prefix=") {
            return Ok(xml(
                "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>".into(),
            ));
        }
        if url.ends_with("?uploads=") {
            return Ok(xml(format!(
                "<InitiateMultipartUploadResult><Bucket>b-1250000000</Bucket><Key>{key}</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>"
            )));
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
            let received = self.receive(request.body, cut, self.keep_bytes || cut.is_some());
            self.reading.fetch_sub(1, Ordering::SeqCst);
            let part = received.map_err(Error::Io)?;
            if cut.is_some() {
                self.cut_reads.lock().unwrap().insert(n, part.bytes);
                return Err(Error::transport(TransportErrorKind::Io, "connection reset while sending"));
            }
            let crc = part.crc64.to_string();
            self.parts.lock().unwrap().insert(n, part);
            return Ok(Response::from_bytes(
                200,
                [("ETag", format!("\"etag-{n}\"")), ("x-cos-hash-crc64ecma", crc)],
                Vec::new(),
            ));
        }
        Ok(Response::from_bytes(
            200,
            [("x-cos-hash-crc64ecma", self.whole_crc64().to_string())],
            format!(
                "<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>{key}</Key><ETag>\"x\"</ETag></CompleteMultipartUploadResult>"
            )
            .into_bytes(),
        ))
    }
}
