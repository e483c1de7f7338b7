//! Object bytes as a list of shared segments: a GET streams them without copying, a copy or a
//! completed multipart upload reuses the parts' buffers, and a huge request body is read in
//! bounded pieces instead of one allocation sized by a header. With a data directory, segments
//! are windows of immutable files ([`Blob`]s) read on demand, so memory stays bounded whatever
//! the object size.

use std::io::{self, Read};
use std::sync::Arc;

use md5::{Digest, Md5};

use crate::checksum::Crc64;

/// Largest piece allocated at once while reading a body.
const SEGMENT: usize = 4 << 20;

/// Bytes read from a blob at once.
const FILE_CHUNK: usize = 256 * 1024;

/// One shared buffer.
#[derive(Clone)]
enum Buffer {
    Owned(Arc<Vec<u8>>),
    Shared(Arc<[u8]>),
    File(Arc<Blob>),
}

impl Buffer {
    fn len(&self) -> usize {
        match self {
            Buffer::Owned(v) => v.len(),
            Buffer::Shared(s) => s.len(),
            Buffer::File(b) => b.len as usize,
        }
    }
}

/// An immutable file of a data directory holding bytes of objects or parts, open for reading.
/// When the last [`Content`] that uses it goes away the file is deleted, unless the emulator
/// itself is going away (`keep`), so that a restart finds it.
pub(crate) struct Blob {
    pub(crate) id: String,
    pub(crate) path: std::path::PathBuf,
    file: std::fs::File,
    pub(crate) len: u64,
    keep: Arc<std::sync::atomic::AtomicBool>,
}

impl Blob {
    /// A blob over an open file of `len` bytes.
    pub(crate) fn new(
        id: String,
        path: std::path::PathBuf,
        file: std::fs::File,
        len: u64,
        keep: Arc<std::sync::atomic::AtomicBool>,
    ) -> Self {
        Blob { id, path, file, len, keep }
    }

    /// Reads at `offset` into `buf`, as much as one call gives.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(&self.file, buf, offset)
        }
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(&self.file, buf, offset)
        }
    }
}

impl Drop for Blob {
    fn drop(&mut self) {
        if !self.keep.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A window `start..end` of a buffer.
#[derive(Clone)]
struct Segment {
    buffer: Buffer,
    start: usize,
    end: usize,
}

impl Segment {
    /// The bytes of an in-memory segment; `None` for a blob's.
    fn memory(&self) -> Option<&[u8]> {
        let all: &[u8] = match &self.buffer {
            Buffer::Owned(v) => v.as_slice(),
            Buffer::Shared(s) => s,
            Buffer::File(_) => return None,
        };
        Some(all.get(self.start..self.end).unwrap_or(&[]))
    }

    /// Calls `f` with the bytes in order (a blob's in bounded pieces).
    fn visit(&self, f: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        let Buffer::File(blob) = &self.buffer else {
            return f(self.memory().unwrap_or(&[]));
        };
        let mut buf = vec![0u8; FILE_CHUNK.min(self.len())];
        let mut pos = self.start as u64;
        let end = self.end as u64;
        while pos < end {
            let want = ((end - pos) as usize).min(buf.len());
            let n = blob.read_at(&mut buf[..want], pos)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "blob shorter than recorded"));
            }
            f(&buf[..n])?;
            pos += n as u64;
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Immutable bytes, cheap to clone and to slice.
#[derive(Clone, Default)]
pub(crate) struct Content {
    segments: Vec<Segment>,
    len: u64,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Content({} bytes in {} segments)", self.len, self.segments.len())
    }
}

impl Content {
    /// No bytes.
    pub(crate) fn empty() -> Self {
        Content::default()
    }

    /// Takes ownership of `bytes`.
    pub(crate) fn from_vec(bytes: Vec<u8>) -> Self {
        let mut c = Content::default();
        c.push(Buffer::Owned(Arc::new(bytes)));
        c
    }

    /// Shares an existing buffer (an in-process request body) without copying it.
    pub(crate) fn from_shared(bytes: Arc<[u8]>) -> Self {
        let mut c = Content::default();
        c.push(Buffer::Shared(bytes));
        c
    }

    /// The whole of a blob.
    pub(crate) fn from_blob(blob: Arc<Blob>) -> Self {
        let mut c = Content::default();
        c.push(Buffer::File(blob));
        c
    }

    /// A window `start..end` of a blob (as a data directory records it).
    pub(crate) fn from_blob_window(blob: Arc<Blob>, start: u64, end: u64) -> Self {
        let end = end.min(blob.len);
        let mut c = Content::default();
        if start < end {
            c.len = end - start;
            c.segments.push(Segment { buffer: Buffer::File(blob), start: start as usize, end: end as usize });
        }
        c
    }

    /// The blob windows `(blob, start, end)` when every segment is a blob's; `None` when some
    /// bytes are only in memory.
    pub(crate) fn blob_windows(&self) -> Option<Vec<(Arc<Blob>, u64, u64)>> {
        self.segments
            .iter()
            .map(|s| match &s.buffer {
                Buffer::File(b) => Some((b.clone(), s.start as u64, s.end as u64)),
                _ => None,
            })
            .collect()
    }

    fn push(&mut self, buffer: Buffer) {
        let end = buffer.len();
        if end > 0 {
            self.len += end as u64;
            self.segments.push(Segment { buffer, start: 0, end });
        }
    }

    /// Reads exactly `len` bytes in pieces of at most 4 MiB; a short stream is `UnexpectedEof`.
    pub(crate) fn read_exact_from(reader: &mut dyn Read, len: u64) -> io::Result<Self> {
        let mut content = Content::default();
        let mut left = len;
        while left > 0 {
            let want = left.min(SEGMENT as u64) as usize;
            let mut piece = Vec::with_capacity(want);
            let got = reader.take(want as u64).read_to_end(&mut piece)?;
            if got < want {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "body shorter than its Content-Length"));
            }
            content.push(Buffer::Owned(Arc::new(piece)));
            left -= want as u64;
        }
        Ok(content)
    }

    /// Reads to the end of `reader`; `Ok(None)` when it holds more than `limit` bytes.
    pub(crate) fn read_to_end_limited(reader: &mut dyn Read, limit: u64) -> io::Result<Option<Self>> {
        let mut content = Content::default();
        loop {
            let mut piece = Vec::with_capacity(64 * 1024);
            let got = reader.take(SEGMENT as u64).read_to_end(&mut piece)?;
            if got == 0 {
                return Ok(Some(content));
            }
            content.push(Buffer::Owned(Arc::new(piece)));
            if content.len > limit {
                return Ok(None);
            }
        }
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// True when empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes `start..end` (clamped to the content), sharing the buffers.
    pub(crate) fn slice(&self, start: u64, end: u64) -> Content {
        let end = end.min(self.len);
        let mut out = Content::default();
        if start >= end {
            return out;
        }
        let mut offset = 0u64;
        for seg in &self.segments {
            let seg_len = seg.len() as u64;
            let seg_start = offset;
            let seg_end = offset + seg_len;
            offset = seg_end;
            if seg_end <= start {
                continue;
            }
            if seg_start >= end {
                break;
            }
            let from = start.saturating_sub(seg_start) as usize;
            let to = (end.min(seg_end) - seg_start) as usize;
            out.len += (to - from) as u64;
            out.segments.push(Segment { buffer: seg.buffer.clone(), start: seg.start + from, end: seg.start + to });
        }
        out
    }

    /// The contents one after the other, sharing the buffers.
    pub(crate) fn concat<'a>(parts: impl IntoIterator<Item = &'a Content>) -> Content {
        let mut out = Content::default();
        for p in parts {
            out.segments.extend(p.segments.iter().cloned());
            out.len += p.len;
        }
        out
    }

    /// Calls `f` with the bytes in order, in bounded pieces; stops at the first error.
    pub(crate) fn for_each_chunk(&self, mut f: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        for seg in &self.segments {
            seg.visit(&mut f)?;
        }
        Ok(())
    }

    /// A copy in one buffer (for small XML bodies).
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len as usize);
        // A blob that cannot be read gives what was read; the caller sees a short or malformed body.
        let _ = self.for_each_chunk(|c| {
            v.extend_from_slice(c);
            Ok(())
        });
        v
    }

    /// Binary MD5 (of what could be read, should a blob fail).
    pub(crate) fn md5(&self) -> [u8; 16] {
        let mut h = Md5::new();
        let _ = self.for_each_chunk(|c| {
            h.update(c);
            Ok(())
        });
        let mut out = [0u8; 16];
        out.copy_from_slice(h.finalize().as_slice());
        out
    }

    /// CRC-64/XZ, as COS's `x-cos-hash-crc64ecma`.
    pub(crate) fn crc64(&self) -> u64 {
        let mut crc = Crc64::new();
        let _ = self.for_each_chunk(|c| {
            crc.update(c);
            Ok(())
        });
        crc.finish()
    }

    /// A reader over the bytes.
    pub(crate) fn reader(&self) -> ContentReader {
        ContentReader { segments: self.segments.clone(), index: 0, pos: 0 }
    }
}

/// Streams a [`Content`] segment by segment.
pub(crate) struct ContentReader {
    segments: Vec<Segment>,
    index: usize,
    pos: usize,
}

impl Read for ContentReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some(seg) = self.segments.get(self.index) {
            if self.pos >= seg.len() || buf.is_empty() {
                if buf.is_empty() {
                    return Ok(0);
                }
                self.index += 1;
                self.pos = 0;
                continue;
            }
            let n = match (seg.memory(), &seg.buffer) {
                (Some(bytes), _) => {
                    let rest = &bytes[self.pos..];
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    n
                }
                (None, Buffer::File(blob)) => {
                    let want = (seg.len() - self.pos).min(buf.len());
                    let n = blob.read_at(&mut buf[..want], (seg.start + self.pos) as u64)?;
                    if n == 0 {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "blob shorter than recorded"));
                    }
                    n
                }
                (None, _) => 0,
            };
            self.pos += n;
            return Ok(n);
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(c: &Content) -> Vec<u8> {
        let mut v = Vec::new();
        c.reader().read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn slices_across_segments() {
        let c = Content::concat([&Content::from_vec(b"hello".to_vec()), &Content::from_vec(b" world".to_vec())]);
        assert_eq!(c.len(), 11);
        assert_eq!(bytes(&c.slice(3, 8)), b"lo wo");
        assert_eq!(bytes(&c.slice(0, 100)), b"hello world");
        assert!(c.slice(11, 12).is_empty());
        assert_eq!(c.md5(), Content::from_vec(b"hello world".to_vec()).md5());
        assert_eq!(c.crc64(), crate::checksum::crc64(b"hello world"));
    }

    #[test]
    fn reads_exact_and_limited() {
        let data = vec![7u8; SEGMENT + 10];
        let c = Content::read_exact_from(&mut &data[..], data.len() as u64).unwrap();
        assert_eq!(c.segments.len(), 2);
        assert_eq!(c.to_vec(), data);
        assert!(Content::read_exact_from(&mut &data[..5], 6).is_err());
        assert!(Content::read_to_end_limited(&mut &data[..], 100).unwrap().is_none());
        assert_eq!(Content::read_to_end_limited(&mut &data[..50], 100).unwrap().unwrap().len(), 50);
    }
}
