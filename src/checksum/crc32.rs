//! CRC-32 (IEEE 802.3, the gzip / zlib CRC): the checksum of the event-stream messages of
//! `select_object_content`. A byte-at-a-time table built at compile time; select answers are
//! small next to the objects the CRC-64 of this directory hashes, so no slicing is worth its code.

/// The reflected IEEE polynomial.
const POLY: u32 = 0xEDB8_8320;

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { POLY ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE) of `data`.
///
/// ```
/// use tencent_cos::checksum::crc32;
/// assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
/// assert_eq!(crc32(b""), 0);
/// ```
pub fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// Continues the CRC-32 `crc` of some bytes over `data`: `crc32_update(crc32(a), b)` is the
/// CRC-32 of `a` followed by `b`.
///
/// ```
/// use tencent_cos::checksum::{crc32, crc32_update};
/// assert_eq!(crc32_update(crc32(b"1234"), b"56789"), crc32(b"123456789"));
/// ```
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        c = TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // zlib's crc32 of these strings.
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
        let data: Vec<u8> = (0..=255u8).collect();
        let whole = crc32(&data);
        for cut in [0, 1, 100, 256] {
            assert_eq!(crc32_update(crc32(&data[..cut]), &data[cut..]), whole);
        }
    }
}
