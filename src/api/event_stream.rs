//! The event-stream framing of `select_object_content` answers (AWS's
//! `application/vnd.amazon.eventstream`, which COS uses unchanged): pure encoding and
//! decoding, no I/O.

use std::fmt;

use crate::checksum::{crc32, crc32_update};

/// Largest message accepted (16 MiB of payload and room for the headers); a prelude announcing
/// more is an error, so a corrupt length never makes the decoder wait for gigabytes.
pub const MAX_MESSAGE: u32 = 16 * 1024 * 1024 + 128 * 1024;

/// Prelude (12 bytes) and message CRC (4 bytes).
const OVERHEAD: u32 = 16;

/// One decoded message: its string headers in order and its payload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventMessage {
    /// The headers whose values are strings (`:message-type`, `:event-type`, ...), in order.
    pub headers: Vec<(String, String)>,
    /// The payload.
    pub payload: Vec<u8>,
}

impl EventMessage {
    /// The value of the first header called `name` (exact case, as the format has it).
    ///
    /// ```
    /// use tencent_cos::api::EventMessage;
    /// let m = EventMessage { headers: vec![(":event-type".into(), "End".into())], payload: Vec::new() };
    /// assert_eq!(m.header(":event-type"), Some("End"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why bytes are not a valid event stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventStreamError {
    /// The stream ended inside a message: `have` bytes of a message of `needed` (`needed` is
    /// 12, the prelude, when not even the prelude arrived).
    Truncated {
        /// Bytes the message needs.
        needed: u64,
        /// Bytes there were.
        have: u64,
    },
    /// The prelude's CRC-32 is not that of its 8 bytes.
    PreludeCrc {
        /// The CRC the message carries.
        expected: u32,
        /// The CRC of the bytes.
        actual: u32,
    },
    /// The message's CRC-32 is not that of its bytes.
    MessageCrc {
        /// The CRC the message carries.
        expected: u32,
        /// The CRC of the bytes.
        actual: u32,
    },
    /// Lengths or headers that cannot be: what is wrong.
    Malformed(String),
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventStreamError::Truncated { needed, have } => {
                write!(f, "event stream truncated: a message of {needed} bytes ended after {have}")
            }
            EventStreamError::PreludeCrc { expected, actual } => {
                write!(
                    f,
                    "event stream prelude CRC-32 mismatch: the message says {expected:#010x}, its bytes give {actual:#010x}"
                )
            }
            EventStreamError::MessageCrc { expected, actual } => {
                write!(
                    f,
                    "event stream message CRC-32 mismatch: the message says {expected:#010x}, its bytes give {actual:#010x}"
                )
            }
            EventStreamError::Malformed(why) => write!(f, "malformed event stream message: {why}"),
        }
    }
}

impl std::error::Error for EventStreamError {}

impl From<EventStreamError> for crate::Error {
    /// A bad CRC is an [`Error::Integrity`](crate::Error::Integrity); a stream that ends inside a
    /// message is [`Error::Io`](crate::Error::Io) of kind `UnexpectedEof` (a body that broke
    /// off); malformed framing is `Io` of kind `InvalidData`.
    fn from(e: EventStreamError) -> Self {
        match e {
            EventStreamError::PreludeCrc { expected, actual } => {
                crate::Error::integrity("event stream message prelude", "CRC-32", hex32(expected), hex32(actual))
            }
            EventStreamError::MessageCrc { expected, actual } => {
                crate::Error::integrity("event stream message", "CRC-32", hex32(expected), hex32(actual))
            }
            EventStreamError::Truncated { .. } => {
                crate::Error::Io(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, e.to_string()))
            }
            EventStreamError::Malformed(_) => {
                crate::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
            }
        }
    }
}

fn hex32(v: u32) -> String {
    format!("{v:08x}")
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Decodes the message at the start of `bytes`: `Ok(None)` when more bytes are needed,
/// `Ok(Some((message, length)))` once it is whole and both CRCs hold.
///
/// ```
/// use tencent_cos::api::{decode_message, encode_message};
/// let frame = encode_message(&[(":message-type", "event"), (":event-type", "End")], b"");
/// let (message, used) = decode_message(&frame)?.unwrap();
/// assert_eq!((message.header(":event-type"), used), (Some("End"), frame.len()));
/// assert_eq!(decode_message(&frame[..20])?, None);
/// # Ok::<(), tencent_cos::api::EventStreamError>(())
/// ```
pub fn decode_message(bytes: &[u8]) -> Result<Option<(EventMessage, usize)>, EventStreamError> {
    if bytes.len() < 12 {
        return Ok(None);
    }
    let total = be32(bytes, 0);
    let headers_len = be32(bytes, 4);
    let expected = be32(bytes, 8);
    let actual = crc32(&bytes[..8]);
    if expected != actual {
        return Err(EventStreamError::PreludeCrc { expected, actual });
    }
    if total < OVERHEAD {
        return Err(EventStreamError::Malformed(format!("total length {total} is below the 16 bytes of framing")));
    }
    if total > MAX_MESSAGE {
        return Err(EventStreamError::Malformed(format!("total length {total} is above the limit of {MAX_MESSAGE}")));
    }
    if headers_len > total - OVERHEAD {
        return Err(EventStreamError::Malformed(format!(
            "headers length {headers_len} does not fit a message of {total} bytes"
        )));
    }
    let total = total as usize;
    if bytes.len() < total {
        return Ok(None);
    }
    let expected = be32(bytes, total - 4);
    let actual = crc32_update(crc32(&bytes[..12]), &bytes[12..total - 4]);
    if expected != actual {
        return Err(EventStreamError::MessageCrc { expected, actual });
    }
    let headers_end = 12 + headers_len as usize;
    let headers = decode_headers(&bytes[12..headers_end])?;
    let payload = bytes[headers_end..total - 4].to_vec();
    Ok(Some((EventMessage { headers, payload }, total)))
}

/// The string headers of a headers block.
fn decode_headers(mut b: &[u8]) -> Result<Vec<(String, String)>, EventStreamError> {
    let short = |what: &str| EventStreamError::Malformed(format!("headers end inside {what}"));
    let mut out = Vec::new();
    while let Some((&name_len, rest)) = b.split_first() {
        let name_len = usize::from(name_len);
        if name_len == 0 {
            return Err(EventStreamError::Malformed("a header with an empty name".into()));
        }
        let (name, rest) = rest.split_at_checked(name_len).ok_or_else(|| short("a header name"))?;
        let name = std::str::from_utf8(name)
            .map_err(|_| EventStreamError::Malformed("a header name that is not UTF-8".into()))?;
        let (&kind, rest) = rest.split_first().ok_or_else(|| short("a header type"))?;
        let fixed = match kind {
            0 | 1 => Some(0),
            2 => Some(1),
            3 => Some(2),
            4 => Some(4),
            5 | 8 => Some(8),
            9 => Some(16),
            6 | 7 => None,
            other => {
                return Err(EventStreamError::Malformed(format!("header {name:?} has unknown value type {other}")));
            }
        };
        b = match fixed {
            Some(n) => rest.get(n..).ok_or_else(|| short("a header value"))?,
            None => {
                let (len, rest) = rest.split_at_checked(2).ok_or_else(|| short("a header value length"))?;
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                let (value, rest) = rest.split_at_checked(len).ok_or_else(|| short("a header value"))?;
                if kind == 7 {
                    let value = std::str::from_utf8(value).map_err(|_| {
                        EventStreamError::Malformed(format!("header {name:?} has a string value that is not UTF-8"))
                    })?;
                    out.push((name.to_owned(), value.to_owned()));
                }
                rest
            }
        };
    }
    Ok(out)
}

/// Encodes one message with string headers (the emulator's answers, and tests).
///
/// ```
/// use tencent_cos::api::encode_message;
/// let frame = encode_message(&[(":event-type", "Cont")], b"");
/// assert_eq!(frame.len(), 16 + 1 + 11 + 1 + 2 + 4);
/// assert_eq!(&frame[..4], &(frame.len() as u32).to_be_bytes());
/// ```
///
/// # Panics
///
/// When a header name is longer than 255 bytes or a value longer than 65,535 bytes (the
/// format cannot carry them); callers pass constants.
pub fn encode_message(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
    let mut block = Vec::new();
    for (name, value) in headers {
        let name_len = u8::try_from(name.len()).expect("an event-stream header name is at most 255 bytes");
        let value_len = u16::try_from(value.len()).expect("an event-stream header value is at most 65535 bytes");
        block.push(name_len);
        block.extend_from_slice(name.as_bytes());
        block.push(7);
        block.extend_from_slice(&value_len.to_be_bytes());
        block.extend_from_slice(value.as_bytes());
    }
    let total = block.len() + payload.len() + OVERHEAD as usize;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(block.len() as u32).to_be_bytes());
    let prelude_crc = crc32(&out);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    out.extend_from_slice(&block);
    out.extend_from_slice(payload);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// Decodes a stream fed in pieces of any size: [`push`](EventStreamDecoder::push) bytes as they
/// arrive, take whole messages with [`next_message`](EventStreamDecoder::next_message), and
/// call [`finish`](EventStreamDecoder::finish) at the end of the stream to learn whether it
/// stopped inside a message.
///
/// ```
/// use tencent_cos::api::{EventStreamDecoder, EventStreamError, encode_message};
/// let frame = encode_message(&[(":event-type", "End")], b"");
/// let mut decoder = EventStreamDecoder::new();
/// decoder.push(&frame[..5]);
/// assert_eq!(decoder.next_message()?, None);
/// assert!(matches!(decoder.finish(), Err(EventStreamError::Truncated { needed: 12, have: 5 })));
/// decoder.push(&frame[5..]);
/// assert_eq!(decoder.next_message()?.unwrap().header(":event-type"), Some("End"));
/// decoder.finish()?;
/// # Ok::<(), EventStreamError>(())
/// ```
#[derive(Debug, Default)]
pub struct EventStreamDecoder {
    buf: Vec<u8>,
    start: usize,
}

impl EventStreamDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes of the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 64 * 1024 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole message, or `None` until more bytes are pushed. After an error the
    /// stream cannot be trusted: the same error comes again.
    pub fn next_message(&mut self) -> Result<Option<EventMessage>, EventStreamError> {
        match decode_message(&self.buf[self.start..])? {
            Some((message, used)) => {
                self.start += used;
                Ok(Some(message))
            }
            None => Ok(None),
        }
    }

    /// Bytes pushed and not yet returned as a message.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// At the end of the stream: an error when it stopped inside a message.
    pub fn finish(&self) -> Result<(), EventStreamError> {
        let rest = &self.buf[self.start..];
        if rest.is_empty() {
            return Ok(());
        }
        let needed = if rest.len() < 12 { 12 } else { u64::from(be32(rest, 0)) };
        Err(EventStreamError::Truncated { needed, have: rest.len() as u64 })
    }
}

/// Every message of a whole stream, refusing one that ends inside a message.
///
/// ```
/// use tencent_cos::api::{decode_all, encode_message};
/// let mut stream = encode_message(&[(":event-type", "Records")], b"a,b\n");
/// stream.extend(encode_message(&[(":event-type", "End")], b""));
/// let messages = decode_all(&stream)?;
/// assert_eq!(messages.len(), 2);
/// assert_eq!(messages[0].payload, b"a,b\n");
/// assert!(decode_all(&stream[..stream.len() - 1]).is_err());
/// # Ok::<(), tencent_cos::api::EventStreamError>(())
/// ```
pub fn decode_all(bytes: &[u8]) -> Result<Vec<EventMessage>, EventStreamError> {
    let mut decoder = EventStreamDecoder::new();
    decoder.push(bytes);
    let mut out = Vec::new();
    while let Some(message) = decoder.next_message()? {
        out.push(message);
    }
    decoder.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame built by hand, byte by byte, as the AWS appendix draws it: one string header
    /// `:event-type` = `Records`, payload `hi`.
    fn hand_built() -> Vec<u8> {
        let mut headers = vec![11u8];
        headers.extend_from_slice(b":event-type");
        headers.push(7);
        headers.extend_from_slice(&7u16.to_be_bytes());
        headers.extend_from_slice(b"Records");
        let total = 12 + headers.len() + 2 + 4;
        let mut frame = Vec::new();
        frame.extend_from_slice(&(total as u32).to_be_bytes());
        frame.extend_from_slice(&(headers.len() as u32).to_be_bytes());
        let c = crc32(&frame);
        frame.extend_from_slice(&c.to_be_bytes());
        frame.extend_from_slice(&headers);
        frame.extend_from_slice(b"hi");
        let c = crc32(&frame);
        frame.extend_from_slice(&c.to_be_bytes());
        frame
    }

    #[test]
    fn a_hand_built_frame_decodes_and_encode_makes_the_same_bytes() {
        let frame = hand_built();
        let (m, used) = decode_message(&frame).unwrap().unwrap();
        assert_eq!(used, frame.len());
        assert_eq!(m.headers, vec![(":event-type".to_string(), "Records".to_string())]);
        assert_eq!(m.payload, b"hi");
        assert_eq!(encode_message(&[(":event-type", "Records")], b"hi"), frame);
    }

    #[test]
    fn every_prefix_waits_and_finish_says_truncated() {
        let frame = hand_built();
        for cut in 0..frame.len() {
            assert_eq!(decode_message(&frame[..cut]).unwrap(), None, "cut {cut}");
            let mut d = EventStreamDecoder::new();
            d.push(&frame[..cut]);
            assert_eq!(d.next_message().unwrap(), None);
            let needed = if cut < 12 { 12 } else { frame.len() as u64 };
            let want = if cut == 0 { Ok(()) } else { Err(EventStreamError::Truncated { needed, have: cut as u64 }) };
            assert_eq!(d.finish(), want, "cut {cut}");
        }
    }

    #[test]
    fn bad_crcs_are_named() {
        let mut frame = hand_built();
        frame[3] ^= 1; // the total length: the prelude CRC no longer holds
        assert!(matches!(decode_message(&frame), Err(EventStreamError::PreludeCrc { .. })));
        let mut frame = hand_built();
        let last = frame.len() - 5;
        frame[last] ^= 0x20; // the payload
        let err = decode_message(&frame).unwrap_err();
        assert!(matches!(err, EventStreamError::MessageCrc { .. }), "{err}");
        let e: crate::Error = err.into();
        assert!(e.to_string().starts_with("integrity check failed: event stream message: CRC-32 expected "), "{e}");
    }

    #[test]
    fn impossible_lengths_are_malformed() {
        let with_prelude = |total: u32, headers: u32| {
            let mut f = total.to_be_bytes().to_vec();
            f.extend_from_slice(&headers.to_be_bytes());
            let c = crc32(&f);
            f.extend_from_slice(&c.to_be_bytes());
            f
        };
        for (total, headers) in [(15, 0), (MAX_MESSAGE + 1, 0), (20, 5), (u32::MAX, u32::MAX)] {
            let f = with_prelude(total, headers);
            assert!(matches!(decode_message(&f), Err(EventStreamError::Malformed(_))), "{total} {headers}");
        }
    }

    #[test]
    fn other_header_types_are_skipped_and_bad_ones_refused() {
        // bool, byte, short, int, long, bytes, timestamp, uuid, then a string.
        let mut h = Vec::new();
        for (kind, value) in [
            (0u8, vec![]),
            (2, vec![1]),
            (3, vec![0, 1]),
            (4, vec![0; 4]),
            (5, vec![0; 8]),
            (6, vec![0, 2, 9, 9]),
            (8, vec![0; 8]),
            (9, vec![0; 16]),
        ] {
            h.extend_from_slice(&[1, b'x', kind]);
            h.extend_from_slice(&value);
        }
        h.extend_from_slice(&[1, b'y', 7, 0, 1, b'z']);
        assert_eq!(decode_headers(&h).unwrap(), vec![("y".to_string(), "z".to_string())]);
        assert!(decode_headers(&[1, b'x', 10]).is_err());
        assert!(decode_headers(&[1, b'x', 7, 0, 5, b'a']).is_err());
        assert!(decode_headers(&[0]).is_err());
        assert!(decode_headers(&[3, b'x']).is_err());
    }

    #[test]
    fn the_decoder_takes_bytes_one_at_a_time() {
        let mut stream = Vec::new();
        for i in 0..50u8 {
            stream.extend(encode_message(&[(":event-type", "Records")], &[i; 3]));
        }
        let mut d = EventStreamDecoder::new();
        let mut got = Vec::new();
        for b in &stream {
            d.push(std::slice::from_ref(b));
            while let Some(m) = d.next_message().unwrap() {
                got.push(m.payload[0]);
            }
        }
        d.finish().unwrap();
        assert_eq!(got, (0..50).collect::<Vec<_>>());
        assert_eq!(d.buffered(), 0);
    }
}
