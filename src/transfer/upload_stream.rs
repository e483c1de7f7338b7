//! Uploads of unknown length: [`Bucket::upload_reader`] sends any `Read` (standard input, a
//! decompressor, another object's `get_object` body) without knowing where it ends.

use std::io::{self, Read};
use std::sync::{Arc, OnceLock};

use crate::api::multipart::{MultipartInitInput, MultipartUploadInput};
use crate::api::object_attributes::{ObjectAttributes, attribute_methods};
use crate::api::object_put::{PutObjectInput, object_location};
use crate::cancel::CancelToken;
use crate::client::{Bucket, CallOptions};
use crate::error::{Error, Result};
use crate::http::Body;
use crate::transfer::multipart::{RunMark, abort, complete_or_abort, initiate};
use crate::transfer::parts::{PartWork, PartsControl, PartsEnd, combine_crcs, run_part_jobs};
use crate::transfer::progress::{ProgressInfo, ProgressTracker};
use crate::transfer::task::TransferOutput;

/// COS's largest part.
const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// Parts sent at one size before the part size doubles.
const PARTS_PER_SIZE: u32 = 1000;

/// What [`Bucket::upload_reader`] stores with the object.
#[derive(Clone, Debug, Default)]
struct StreamUploadInput {
    key: String,
    attributes: ObjectAttributes,
}

/// Builder of [`Bucket::upload_reader`].
#[must_use = "call .send() to run the upload"]
pub struct UploadReader<'a> {
    bucket: &'a Bucket,
    input: StreamUploadInput,
    reader: Box<dyn Read + 'a>,
    part_size: Option<u64>,
    async_limit: Option<usize>,
    on_progress: Option<crate::transfer::ProgressCallback>,
    cancel: CancelToken,
}

impl Bucket {
    /// Uploads a stream of unknown length: one PUT when it ends within the first part, else a
    /// multipart upload with at most `async_limit` parts in memory (see the
    /// [contract](crate::transfer#uploads-of-unknown-length) for the whole contract). The reader is read
    /// on the calling thread; parts go out on the client's part workers.
    ///
    /// Copying another object's body through it re-uploads a stream whose length COS knows but
    /// this call need not:
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket.upload_reader("logs/today.txt", std::io::stdin().lock()).send()?;
    /// println!("{} bytes, CRC-64 {:?}", out.size, out.crc64);
    ///
    /// let source = bucket.get_object("logs/today.txt").send()?.into_reader();
    /// bucket.upload_reader("logs/copy.txt", source).content_type("text/plain").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn upload_reader<'a>(&'a self, key: impl Into<String>, reader: impl Read + 'a) -> UploadReader<'a> {
        UploadReader {
            bucket: self,
            input: StreamUploadInput { key: key.into(), attributes: ObjectAttributes::default() },
            reader: Box::new(reader),
            part_size: None,
            async_limit: None,
            on_progress: None,
            cancel: CancelToken::new(),
        }
    }
}

impl<'a> UploadReader<'a> {
    /// Size of the first 1000 parts (at least 1 MiB; default ChunkSize). It doubles every
    /// 1000 parts.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.upload_reader("big.tar", std::io::stdin()).part_size(16 << 20).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = Some(bytes);
        self
    }

    /// Parts in flight (default ChunkParallelLimit); memory is `(this + 1) x part size`.
    pub fn async_limit(mut self, parts: usize) -> Self {
        self.async_limit = Some(parts);
        self
    }

    /// Progress: `loaded` counts bytes COS confirmed; `total` is 0 until the stream has ended.
    pub fn on_progress(mut self, f: impl Fn(&ProgressInfo) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Cancels the upload when `token` is cancelled (from any thread): no further part is
    /// sent, the upload is aborted and `send` returns [`Error::Cancelled`].
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// Reads the stream to its end and uploads it.
    pub fn send(self) -> Result<TransferOutput> {
        let UploadReader { bucket, input, reader, part_size, async_limit, on_progress, cancel } = self;
        crate::config::validate_key(&input.key)?;
        bucket.scope()?;
        let config = bucket.client().config();
        let part_size = part_size.unwrap_or(config.chunk_size);
        crate::transfer::parts::check_part_options("part_size", part_size, async_limit)?;
        let runtime = crate::transfer::runtime(bucket.client());
        if runtime.part_pool.is_worker() {
            return Err(Error::invalid_state("upload_reader", "a part worker cannot wait for parts"));
        }
        let progress = ProgressTracker::total_unknown(config.progress_interval, on_progress);
        let mut stream = PartReader { reader, peeked: None };
        let job = StreamUpload {
            bucket,
            input: &input,
            part_size,
            limit: async_limit.unwrap_or(config.chunk_parallel_limit).max(1),
            cancel: &cancel,
            progress: &progress,
        };
        let out = job.run(&mut stream)?;
        progress.set_total(out.size);
        progress.finish();
        Ok(out)
    }
}

attribute_methods!(UploadReader, "upload_reader(\"a.txt\", std::io::empty())");

/// The stream, read one part at a time, with one byte of look-ahead to tell a stream that ends
/// exactly at the end of the first part from a longer one.
struct PartReader<'a> {
    reader: Box<dyn Read + 'a>,
    peeked: Option<u8>,
}

impl PartReader<'_> {
    /// Fills `buf` from the stream; returns how many bytes it holds (fewer only at the end).
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        if let Some(b) = self.peeked.take()
            && !buf.is_empty()
        {
            buf[0] = b;
            n = 1;
        }
        while n < buf.len() {
            match self.reader.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// True when the stream has ended.
    fn at_end(&mut self) -> io::Result<bool> {
        if self.peeked.is_some() {
            return Ok(false);
        }
        let mut one = [0u8; 1];
        loop {
            match self.reader.read(&mut one) {
                Ok(0) => return Ok(true),
                Ok(_) => {
                    self.peeked = Some(one[0]);
                    return Ok(false);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// A sent part: what Complete needs and its CRC-64 to combine.
struct SentPart {
    number: u32,
    etag: String,
    crc64: u64,
    len: u64,
}

/// One run of [`UploadReader::send`].
struct StreamUpload<'s> {
    bucket: &'s Bucket,
    input: &'s StreamUploadInput,
    part_size: u64,
    limit: usize,
    cancel: &'s CancelToken,
    progress: &'s ProgressTracker,
}

/// The size of part `number` (1-based) when the first 1000 are `first`.
fn part_size_of(first: u64, number: u32) -> u64 {
    let doublings = ((number - 1) / PARTS_PER_SIZE).min(32);
    first.saturating_mul(1u64 << doublings).min(MAX_PART_SIZE)
}

impl StreamUpload<'_> {
    fn run(&self, stream: &mut PartReader<'_>) -> Result<TransferOutput> {
        self.cancel.check()?;
        let buffers = &crate::transfer::runtime(self.bucket.client()).part_buffers;
        let first_len = part_size_of(self.part_size, 1);
        let mut first = buffers.take(first_len as usize);
        let n = fill_buffer(stream, &mut first)?;
        if n < first_len as usize || stream.at_end()? {
            let body: Arc<[u8]> = Arc::from(&first[..n]);
            buffers.give_back(first_len as usize, first);
            return self.put_whole(body);
        }
        self.cancel.check()?;
        let mark = RunMark::start(self.bucket);
        let init = initiate(
            self.bucket,
            MultipartInitInput { key: self.input.key.clone(), attributes: self.input.attributes.clone() },
            &mark,
        )?;
        let upload_id = init.upload_id;
        let result = self.send_parts(stream, &upload_id, first, &mark);
        if result.is_err() {
            abort(self.bucket, &self.input.key, &upload_id, mark.since);
        }
        result
    }

    /// One PUT of a stream that ended within its first part.
    fn put_whole(&self, body: Arc<[u8]>) -> Result<TransferOutput> {
        let local = crate::checksum::crc64(&body);
        let size = body.len() as u64;
        let out = self.bucket.execute_with(
            PutObjectInput {
                key: self.input.key.clone(),
                body: if body.is_empty() { Body::Empty } else { Body::Bytes(body) },
                attributes: self.input.attributes.clone(),
                ..Default::default()
            },
            &CallOptions::new().cancel(self.cancel.clone()),
        )?;
        if let Some(remote) = out.crc64
            && remote != local
        {
            return Err(Error::integrity(self.input.key.as_str(), "CRC-64", local, remote)
                .with_note("local value expected, COS value got"));
        }
        self.progress.add(size);
        Ok(TransferOutput {
            bucket: self.bucket.name().to_owned(),
            key: self.input.key.clone(),
            etag: out.etag.unwrap_or_default(),
            crc64: Some(local),
            size,
            location: Some(object_location(self.bucket, &self.input.key)?),
            upload_id: None,
            resumed_parts: 0,
            meta: out.meta,
        })
    }

    /// Reads and sends every part (the first already read into `first`), then completes. The
    /// parts are a lazy iterator over the stream, sent by the one loop every transfer uses
    /// ([`run_part_jobs`]): the next part is read while the others are in flight.
    fn send_parts(
        &self,
        stream: &mut PartReader<'_>,
        upload_id: &str,
        first: Arc<[u8]>,
        mark: &RunMark,
    ) -> Result<TransferOutput> {
        let runtime = crate::transfer::runtime(self.bucket.client());
        let config = self.bucket.client().config();
        let len = first.len();
        let mut first = Some(self.part(1, first, len));
        let (mut number, mut over) = (1u32, false);
        let parts = std::iter::from_fn(|| {
            if let Some(part) = first.take() {
                return Some(Ok(part));
            }
            if over {
                return None;
            }
            number += 1;
            let next = self.read_part(stream, number, config.max_part_number).transpose();
            over = !matches!(next, Some(Ok(_)));
            next
        });
        let work: PartWork<StreamPart, SentPart> = {
            let (bucket, key, upload_id) = (self.bucket.clone(), self.input.key.clone(), upload_id.to_owned());
            let cancel = self.cancel.clone();
            Arc::new(move |part: &StreamPart| part.send(&bucket, &key, &upload_id, &cancel))
        };
        let control = PartsControl { stop: &|| self.cancel.is_cancelled(), cancel: self.cancel.clone() };
        let outcome = run_part_jobs(
            &runtime.part_pool,
            &control,
            parts,
            self.limit,
            config.chunk_retry_times,
            work,
            |part: &SentPart| self.progress.add(part.len),
        );
        let mut sent = match outcome.end {
            PartsEnd::Complete => outcome.done,
            PartsEnd::Stopped => return Err(Error::Cancelled),
            PartsEnd::Failed(e) => return Err(e),
        };
        sent.sort_by_key(|p| p.number);
        let size: u64 = sent.iter().map(|p| p.len).sum();
        let whole_crc = combine_crcs(sent.iter().map(|p| (p.crc64, p.len)));
        self.cancel.check()?;
        let out = complete_or_abort(
            self.bucket,
            &self.input.key,
            upload_id,
            mark.since,
            Some(whole_crc),
            sent.iter().map(|p| (p.number, p.etag.clone())),
        )?;
        if let Some(remote) = out.crc64
            && remote != whole_crc
        {
            return Err(Error::integrity(self.input.key.as_str(), "CRC-64", whole_crc, remote)
                .with_note("the completed object's value on COS differs from the stream's"));
        }
        Ok(TransferOutput {
            bucket: self.bucket.name().to_owned(),
            key: self.input.key.clone(),
            etag: out.etag,
            crc64: Some(whole_crc),
            size,
            location: Some(if out.location.is_empty() {
                object_location(self.bucket, &self.input.key)?
            } else {
                out.location
            }),
            upload_id: Some(upload_id.to_owned()),
            resumed_parts: 0,
            meta: out.meta,
        })
    }

    /// Part `number` of the stream read into a pooled buffer; `None` once the stream has
    /// ended. A cancel, a read error, or a part past `max_part_number` is the error.
    fn read_part(&self, stream: &mut PartReader<'_>, number: u32, max_part_number: u64) -> Result<Option<StreamPart>> {
        self.cancel.check()?;
        let buffers = &crate::transfer::runtime(self.bucket.client()).part_buffers;
        let size = part_size_of(self.part_size, number) as usize;
        let mut buffer = buffers.take(size);
        let read = fill_buffer(stream, &mut buffer);
        let len = match read {
            Ok(n) if n > 0 && u64::from(number) <= max_part_number => n,
            other => {
                buffers.give_back(size, buffer);
                return match other {
                    Err(e) => Err(e),
                    Ok(0) => Ok(None),
                    Ok(_) => Err(Error::invalid(
                        "part_size",
                        format!(
                            "the stream is longer than {max_part_number} parts starting at {} bytes; set a larger part_size",
                            self.part_size
                        ),
                    )),
                };
            }
        };
        Ok(Some(self.part(number, buffer, len)))
    }

    fn part(&self, number: u32, buffer: Arc<[u8]>, len: usize) -> StreamPart {
        StreamPart { bucket: self.bucket.clone(), number, buffer, len, crc64: OnceLock::new() }
    }
}

/// Fills a pooled buffer that nobody else holds.
fn fill_buffer(stream: &mut PartReader<'_>, buffer: &mut Arc<[u8]>) -> Result<usize> {
    let buf = Arc::get_mut(buffer).ok_or_else(|| Error::Io(io::Error::other("a part buffer is shared")))?;
    Ok(stream.fill(buf)?)
}

/// One part read from the stream, sent (and retried) from its buffer on a part worker; the
/// buffer goes back to the client's pool when the job is dropped, after its last attempt.
struct StreamPart {
    bucket: Bucket,
    number: u32,
    buffer: Arc<[u8]>,
    /// The part's bytes: the first `len` of the buffer.
    len: usize,
    /// Their CRC-64, computed by the first attempt.
    crc64: OnceLock<u64>,
}

impl StreamPart {
    /// One attempt: the part's bytes in one request, checked against COS's CRC-64.
    fn send(&self, bucket: &Bucket, key: &str, upload_id: &str, cancel: &CancelToken) -> Result<SentPart> {
        let buffer = &self.buffer;
        // The last part is shorter than its buffer: send a copy of exactly its bytes.
        let body: Arc<[u8]> = if self.len == buffer.len() { buffer.clone() } else { Arc::from(&buffer[..self.len]) };
        let local = *self.crc64.get_or_init(|| crate::checksum::crc64(&body));
        let out = bucket.execute_with(
            MultipartUploadInput {
                key: key.to_owned(),
                upload_id: upload_id.to_owned(),
                part_number: self.number,
                body: Body::Bytes(body),
                ..Default::default()
            },
            &CallOptions::new().cancel(cancel.clone()),
        )?;
        if let Some(remote) = out.crc64
            && remote != local
        {
            return Err(Error::integrity(format!("part {} of {key}", self.number), "CRC-64", local, remote)
                .with_note("local value expected, COS value got"));
        }
        Ok(SentPart { number: self.number, etag: out.etag, crc64: local, len: self.len as u64 })
    }
}

impl Drop for StreamPart {
    fn drop(&mut self) {
        let buffer = std::mem::replace(&mut self.buffer, Arc::from(&[][..]));
        let size = buffer.len();
        crate::transfer::runtime(self.bucket.client()).part_buffers.give_back(size, buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_part_size_doubles_every_1000_parts_up_to_5_gib() {
        let mib = 1024 * 1024;
        assert_eq!(part_size_of(mib, 1), mib);
        assert_eq!(part_size_of(mib, 1000), mib);
        assert_eq!(part_size_of(mib, 1001), 2 * mib);
        assert_eq!(part_size_of(mib, 10000), 512 * mib);
        assert_eq!(part_size_of(4096 * mib, 1001), MAX_PART_SIZE);
        let capacity: u64 = (1..=10000).map(|n| part_size_of(mib, n)).sum();
        assert_eq!(capacity, 1023 * 1000 * mib, "about 1 TiB through the default part size");
    }

    #[test]
    fn the_reader_tells_an_exact_part_from_a_longer_stream() {
        let mut r = PartReader { reader: Box::new(&b"abcd"[..]), peeked: None };
        let mut buf = [0u8; 4];
        assert_eq!(r.fill(&mut buf).unwrap(), 4);
        assert!(r.at_end().unwrap());
        let mut r = PartReader { reader: Box::new(&b"abcde"[..]), peeked: None };
        assert_eq!(r.fill(&mut buf).unwrap(), 4);
        assert!(!r.at_end().unwrap());
        assert!(!r.at_end().unwrap(), "asking twice keeps the byte");
        assert_eq!(r.fill(&mut buf).unwrap(), 1);
        assert_eq!(buf[0], b'e');
        assert!(r.at_end().unwrap());
    }
}
