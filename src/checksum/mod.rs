//! Checksums COS uses: CRC-64/XZ (`x-cos-hash-crc64ecma`), MD5 (ETag, `Content-MD5`) and
//! CRC-32 (the event stream of `select_object_content`).

mod crc32;
mod crc64;

pub use crc32::{crc32, crc32_update};
pub use crc64::{Crc64, crc64, crc64_combine};

use base64::Engine;
use md5::{Digest, Md5};

/// `Content-MD5`: base64 of the binary MD5 of `data`.
///
/// ```
/// assert_eq!(tencent_cos::checksum::content_md5(b"ObjectContent"), "mQ/fVh815F3k6TAUm8m0eg==");
/// ```
pub fn content_md5(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(data))
}

/// Lower-case hex MD5 of `data`, the form of a simple object's ETag (without quotes).
///
/// ```
/// assert_eq!(tencent_cos::checksum::md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
/// ```
pub fn md5_hex(data: &[u8]) -> String {
    hex(&Md5::digest(data))
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}
