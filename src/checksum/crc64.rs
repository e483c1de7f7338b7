//! Placeholder CRC-64/XZ (bitwise); replaced by the table-driven implementation.

/// Streaming CRC-64/XZ.
#[derive(Clone, Copy, Debug)]
pub struct Crc64 {
    state: u64,
}

impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc64 {
    /// A fresh CRC.
    pub fn new() -> Self {
        Crc64 { state: !0 }
    }
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.state ^= b as u64;
            for _ in 0..8 {
                self.state = if self.state & 1 == 1 { (self.state >> 1) ^ 0xC96C5795D7870F42 } else { self.state >> 1 };
            }
        }
    }
    /// The CRC so far.
    pub fn finish(&self) -> u64 {
        !self.state
    }
}

/// CRC-64/XZ of `data`.
pub fn crc64(data: &[u8]) -> u64 {
    let mut c = Crc64::new();
    c.update(data);
    c.finish()
}

/// CRC of A||B.
pub fn crc64_combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    let _ = (crc_a, crc_b, len_b);
    unimplemented!()
}
