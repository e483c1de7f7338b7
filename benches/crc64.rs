//! CRC-64/XZ throughput over a 256 MiB buffer (the x-cos-hash-crc64ecma of every byte uploaded
//! or downloaded), and combining part CRCs.

#[path = "harness/mod.rs"]
mod harness;

use std::hint::black_box;
use tencent_cos::checksum::{crc64, crc64_combine};

fn main() {
    const LEN: usize = 256 << 20;
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let data: Vec<u8> = (0..LEN / 8)
        .flat_map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()
        })
        .collect();
    harness::header("CRC-64/XZ, 256 MiB buffer", "GB/s");
    let r = harness::rounds(5, || {
        black_box(crc64(black_box(&data)));
    });
    harness::rate_row("crc64 (fastest path the CPU has)", &r, LEN as f64, 1e9);

    harness::header("crc64_combine of an 8 MiB part", "M combines/s");
    const N: usize = 100_000;
    let r = harness::rounds(5, || {
        for i in 0..N as u64 {
            black_box(crc64_combine(black_box(i), black_box(!i), 8 << 20));
        }
    });
    harness::rate_row("crc64_combine(a, b, 8 MiB)", &r, N as f64, 1e6);
}
