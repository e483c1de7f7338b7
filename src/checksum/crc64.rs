//! CRC-64/XZ (a.k.a. CRC-64/GO-ECMA), the checksum COS returns in `x-cos-hash-crc64ecma`.
//!
//! Parameters: reflected polynomial `0xC96C5795D7870F42` (normal form `0x42F0E1EBA9EA3693`), init and xorout all
//! ones, reflected input and output. Check value of `b"123456789"` is `0x995DC9BBDF1939FA`.
//!
//! The CRC is computed over every uploaded byte, so it has to keep up with the network:
//! - on x86_64 CPUs with PCLMULQDQ, and on aarch64 CPUs with PMULL (the same code, lane for lane), inputs of at least
//!   256 bytes are folded 128 bytes at a time with carry-less multiplication (the method of Intel's "Fast CRC
//!   Computation for Generic Polynomials Using PCLMULQDQ");
//! - everywhere else (and for short inputs and tails) a slice-by-16 table lookup is used, with tables built at compile
//!   time by `const fn`, so there is no lazy initialisation and no build script.
//!
//! [`crc64_combine`] joins the CRCs of adjacent pieces in O(log n), so parts of a multipart upload can be checksummed
//! independently (and in parallel) and joined into the whole object's CRC.

/// The reflected generator polynomial (bit `i` is the coefficient of `x^(63-i)`; `x^64` is implicit).
const POLY: u64 = 0xC96C_5795_D787_0F42;

/// `TABLES[k][b]` is the CRC register contribution of byte `b` followed by `k` zero bytes (with zero init); the
/// slice-by-16 loop looks up all 16 bytes of a block independently and XORs the results.
static TABLES: [[u64; 256]; 16] = make_tables();

const fn make_tables() -> [[u64; 256]; 16] {
    let mut t = [[0u64; 256]; 16];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u64;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 16 {
        let mut i = 0;
        while i < 256 {
            // Appending one zero byte to the message shifts the register by 8 bits.
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// Below this length the SIMD path is not worth its setup and final reduction; it also needs one full 128-byte block.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const CLMUL_MIN_LEN: usize = 256;

/// Streaming CRC-64/XZ.
///
/// Feed data with [`update`](Crc64::update) in pieces of any size; [`finish`](Crc64::finish) gives the CRC of all of
/// it so far.
///
/// ```
/// use tencent_cos::checksum::Crc64;
///
/// let mut c = Crc64::new();
/// c.update(b"1234");
/// c.update(b"56789");
/// assert_eq!(c.finish(), 0x995D_C9BB_DF19_39FA);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crc64 {
    /// The internal (non-inverted) register; `finish` applies the xorout.
    state: u64,
}

/// Same as [`Crc64::new`] (not derived: the initial register is all ones, not zero).
///
/// ```
/// use tencent_cos::checksum::Crc64;
///
/// assert_eq!(Crc64::default().finish(), 0);
/// ```
impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc64 {
    /// A CRC of no data yet.
    ///
    /// ```
    /// use tencent_cos::checksum::Crc64;
    ///
    /// assert_eq!(Crc64::new().finish(), 0); // CRC-64/XZ of the empty input
    /// ```
    pub const fn new() -> Self {
        Crc64 { state: !0 }
    }

    /// Appends `data` to the checksummed input.
    ///
    /// ```
    /// use tencent_cos::checksum::{Crc64, crc64};
    ///
    /// let data = vec![7u8; 10_000];
    /// let mut c = Crc64::new();
    /// for piece in data.chunks(333) {
    ///     c.update(piece);
    /// }
    /// assert_eq!(c.finish(), crc64(&data));
    /// ```
    pub fn update(&mut self, data: &[u8]) {
        self.state = update(self.state, data);
    }

    /// The CRC-64/XZ of everything fed so far.
    ///
    /// Takes `&self`, so it can be read at any point and updating can go on afterwards.
    ///
    /// ```
    /// use tencent_cos::checksum::{Crc64, crc64};
    ///
    /// let mut c = Crc64::new();
    /// c.update(b"hello");
    /// assert_eq!(c.finish(), crc64(b"hello"));
    /// c.update(b" world");
    /// assert_eq!(c.finish(), crc64(b"hello world"));
    /// ```
    pub fn finish(&self) -> u64 {
        !self.state
    }
}

/// CRC-64/XZ of `data` in one call (the value COS reports in `x-cos-hash-crc64ecma`, as a decimal string there).
///
/// ```
/// use tencent_cos::checksum::crc64;
///
/// assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
/// assert_eq!(crc64(b"hello world").to_string(), "5981764153023615706");
/// ```
pub fn crc64(data: &[u8]) -> u64 {
    let mut c = Crc64::new();
    c.update(data);
    c.finish()
}

/// CRC-64/XZ of `A || B` from `crc_a = crc64(A)`, `crc_b = crc64(B)` and `len_b = B.len()`.
///
/// This is zlib's `crc32_combine` method: the register of `A` is advanced over `len_b` zero bytes by multiplying it
/// by `x^(8 * len_b) mod P`, which is built from precomputed `x^(2^k) mod P` in O(log len_b) multiplications. The
/// init/xorout terms cancel out, so plain CRC values can be combined. A call costs at most a few microseconds, cheap
/// enough to call once per part of a multipart upload.
///
/// ```
/// use tencent_cos::checksum::{crc64, crc64_combine};
///
/// let (a, b) = (b"hello ".as_slice(), b"world".as_slice());
/// assert_eq!(crc64_combine(crc64(a), crc64(b), b.len() as u64), crc64(b"hello world"));
/// ```
pub fn crc64_combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    // x^(8 * len_b) = x^(len_b * 2^3).
    mul_mod_p(x_pow_n_2k_mod_p(len_b, 3), crc_a) ^ crc_b
}

/// `a * b mod P` for reflected polynomials (bit 63 is `x^0`, bit 0 is `x^63`).
const fn mul_mod_p(a: u64, mut b: u64) -> u64 {
    let mut m = 1u64 << 63;
    let mut p = 0;
    // Walk `a` from its x^0 term up, multiplying `b` by x (a right shift, reduced) at each step.
    while m != 0 {
        if a & m != 0 {
            p ^= b;
        }
        m >>= 1;
        b = if b & 1 != 0 { (b >> 1) ^ POLY } else { b >> 1 };
    }
    p
}

/// `X2N[k] = x^(2^k) mod P` (reflected). `x_pow_n_2k_mod_p(n, 3)` needs `k` up to `3 + 63`.
static X2N: [u64; 67] = make_x2n();

const fn make_x2n() -> [u64; 67] {
    let mut t = [0u64; 67];
    t[0] = 1 << 62; // x^1
    let mut k = 1;
    while k < 67 {
        t[k] = mul_mod_p(t[k - 1], t[k - 1]);
        k += 1;
    }
    t
}

/// `x^(n * 2^k) mod P` (reflected), by multiplying together `x^(2^j)` for the set bits of `n << k`.
fn x_pow_n_2k_mod_p(mut n: u64, mut k: usize) -> u64 {
    let mut p = 1u64 << 63; // x^0
    while n != 0 {
        if n & 1 != 0 {
            p = mul_mod_p(X2N[k], p);
        }
        n >>= 1;
        k += 1;
    }
    p
}

/// Advances the internal register `state` over `data`, picking the fastest path the CPU supports.
fn update(state: u64, data: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if data.len() >= CLMUL_MIN_LEN && std::arch::is_x86_feature_detected!("pclmulqdq") {
        // SAFETY: `update_clmul` only requires the `pclmulqdq` target feature, detected on this CPU just above.
        return unsafe { update_clmul(state, data) };
    }
    #[cfg(target_arch = "aarch64")]
    if data.len() >= CLMUL_MIN_LEN && std::arch::is_aarch64_feature_detected!("pmull") {
        // SAFETY: `update_pmull` only requires NEON and PMULL (the `aes` target feature), detected on this CPU
        // just above (PMULL implies NEON).
        return unsafe { update_pmull(state, data) };
    }
    update_table(state, data)
}

/// Portable path: slice-by-16 table lookup, 16 bytes per step with independent loads (no serial 8-bit chain).
fn update_table(mut state: u64, data: &[u8]) -> u64 {
    let t = &TABLES;
    let (blocks, tail) = data.as_chunks::<16>();
    for block in blocks {
        let v = u128::from_le_bytes(*block);
        let lo = v as u64 ^ state;
        let hi = (v >> 64) as u64;
        state = t[15][lo as u8 as usize]
            ^ t[14][(lo >> 8) as u8 as usize]
            ^ t[13][(lo >> 16) as u8 as usize]
            ^ t[12][(lo >> 24) as u8 as usize]
            ^ t[11][(lo >> 32) as u8 as usize]
            ^ t[10][(lo >> 40) as u8 as usize]
            ^ t[9][(lo >> 48) as u8 as usize]
            ^ t[8][(lo >> 56) as usize]
            ^ t[7][hi as u8 as usize]
            ^ t[6][(hi >> 8) as u8 as usize]
            ^ t[5][(hi >> 16) as u8 as usize]
            ^ t[4][(hi >> 24) as u8 as usize]
            ^ t[3][(hi >> 32) as u8 as usize]
            ^ t[2][(hi >> 40) as u8 as usize]
            ^ t[1][(hi >> 48) as u8 as usize]
            ^ t[0][(hi >> 56) as usize];
    }
    for &b in tail {
        state = t[0][(state as u8 ^ b) as usize] ^ (state >> 8);
    }
    state
}

// Folding constants for the carry-less multiplication path: `K_n = x^n mod P`, bit-reflected. A reflected 64x64
// carry-less product comes out one bit short of the 128-bit reflected layout (it is `a * b / x`), so folding a
// 128-bit lane forward by `d` bits uses `x^(d - 1)` for its low-degree half and `x^(d + 63)` for its high-degree
// half. Generated (and cross-checked against the bitwise CRC) with a short Python script.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const K_127: u64 = 0xdabe_95af_c787_5f40;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const K_191: u64 = 0xe05d_d497_ca39_3ae4;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const K_1023: u64 = 0xd7d8_6b2a_f73d_e740;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const K_1087: u64 = 0x8757_d71d_4fcc_1000;
/// `(x^(d - 1), x^(d + 63))` for `d = 896, 768, ..., 128` bits: folds lane `i` of 8 onto lane 7.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const K_LANES: [(u64, u64); 7] = [
    (0x9478_74de_5950_52cb, 0x9e73_5cb5_9b47_24da),
    (0xe4ce_2cd5_5fea_0037, 0x2fe3_fd29_20ce_82ec),
    (0x0e31_d519_421a_63a5, 0x2e30_2032_12ca_c325),
    (0x081f_6054_a784_2df4, 0x6ae3_efbb_9dd4_41f3),
    (0x69a3_5d91_c373_0254, 0xb5ea_1af9_c013_aca4),
    (0x3be6_53a3_0fe1_af51, 0x6009_5b00_8a9e_fa44),
    (K_127, K_191),
];

/// x86_64 path: eight independent 128-bit lanes folded forward 128 bytes per step with PCLMULQDQ (two carry-less
/// multiplications per 16 bytes, no table lookups), then merged into one lane, folded over the remaining 16-byte
/// blocks, and reduced to 64 bits by the table path, which also finishes the last `< 16` bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
fn update_clmul(state: u64, data: &[u8]) -> u64 {
    use std::arch::x86_64::{__m128i, _mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x, _mm_unpackhi_epi64};
    use std::arch::x86_64::{_mm_loadu_si128, _mm_xor_si128};

    fn load(bytes: &[u8; 16]) -> __m128i {
        // SAFETY: `bytes` is a valid, readable 16-byte region and `loadu` has no alignment requirement. SSE2 is part of
        // the x86_64 baseline.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }
    // Lane `x` = high-degree half (low qword) and low-degree half (high qword); `k` = (x^(d-1) high, x^(d+63) low).
    #[target_feature(enable = "pclmulqdq")]
    fn fold(x: __m128i, k: __m128i) -> __m128i {
        _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11))
    }
    // Packs `(x^(d - 1), x^(d + 63))` into the qwords `fold` multiplies them with.
    #[target_feature(enable = "pclmulqdq")]
    fn consts(k_low_degree: u64, k_high_degree: u64) -> __m128i {
        _mm_set_epi64x(k_low_degree as i64, k_high_degree as i64)
    }

    let (blocks, rest) = data.as_chunks::<128>();
    let Some((first, blocks)) = blocks.split_first() else {
        return update_table(state, data);
    };
    let (first_lanes, _) = first.as_chunks::<16>();
    let mut lanes: [__m128i; 8] = std::array::from_fn(|i| load(&first_lanes[i]));
    // A CRC register is equivalent to XOR-ing it into the first 8 message bytes and starting from zero.
    lanes[0] = _mm_xor_si128(lanes[0], _mm_set_epi64x(0, state as i64));

    let k1024 = consts(K_1023, K_1087);
    for block in blocks {
        for (lane, chunk) in lanes.iter_mut().zip(block.as_chunks::<16>().0) {
            *lane = _mm_xor_si128(fold(*lane, k1024), load(chunk));
        }
    }

    let mut acc = lanes[7];
    for (lane, &(lo, hi)) in lanes.iter().zip(&K_LANES) {
        acc = _mm_xor_si128(acc, fold(*lane, consts(lo, hi)));
    }

    let (chunks, tail) = rest.as_chunks::<16>();
    let k128 = consts(K_127, K_191);
    for chunk in chunks {
        acc = _mm_xor_si128(fold(acc, k128), load(chunk));
    }

    // `acc` now stands for 16 message bytes processed from a zero register.
    let lo = _mm_cvtsi128_si64(acc) as u64;
    let hi = _mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc)) as u64;
    let bytes = ((u128::from(hi) << 64) | u128::from(lo)).to_le_bytes();
    update_table(update_table(0, &bytes), tail)
}

/// aarch64 path: the x86_64 algorithm above, lane for lane, with PMULL (`vmull_p64`) for PCLMULQDQ: eight 128-bit
/// lanes folded 128 bytes per step, merged, folded over the remaining 16-byte blocks, reduced by the table path.
#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon,aes")]
fn update_pmull(state: u64, data: &[u8]) -> u64 {
    use std::arch::aarch64::{
        uint64x2_t, vcombine_u64, vcreate_u64, veorq_u64, vgetq_lane_u64, vld1q_u8, vmull_high_p64, vmull_p64,
        vreinterpretq_p64_u64, vreinterpretq_u64_p128, vreinterpretq_u64_u8,
    };

    #[target_feature(enable = "neon")]
    fn load(bytes: &[u8; 16]) -> uint64x2_t {
        // SAFETY: `bytes` is a valid, readable 16-byte region; `vld1q_u8` has no alignment requirement. Lane 0 holds
        // the first 8 bytes, as `_mm_loadu_si128`'s low qword does (aarch64 Linux is little-endian).
        vreinterpretq_u64_u8(unsafe { vld1q_u8(bytes.as_ptr()) })
    }
    // As the x86_64 `fold`: lane 0 of `x` times lane 0 of `k`, xor lane 1 times lane 1.
    #[target_feature(enable = "neon,aes")]
    fn fold(x: uint64x2_t, k: uint64x2_t) -> uint64x2_t {
        let low = vmull_p64(vgetq_lane_u64::<0>(x), vgetq_lane_u64::<0>(k));
        let high = vmull_high_p64(vreinterpretq_p64_u64(x), vreinterpretq_p64_u64(k));
        veorq_u64(vreinterpretq_u64_p128(low), vreinterpretq_u64_p128(high))
    }
    // `(x^(d - 1), x^(d + 63))` into the lanes `fold` multiplies them with (as `_mm_set_epi64x(low, high)`).
    #[target_feature(enable = "neon")]
    fn consts(k_low_degree: u64, k_high_degree: u64) -> uint64x2_t {
        vcombine_u64(vcreate_u64(k_high_degree), vcreate_u64(k_low_degree))
    }

    let (blocks, rest) = data.as_chunks::<128>();
    let Some((first, blocks)) = blocks.split_first() else {
        return update_table(state, data);
    };
    let (first_lanes, _) = first.as_chunks::<16>();
    let mut lanes: [uint64x2_t; 8] = std::array::from_fn(|i| load(&first_lanes[i]));
    // A CRC register is equivalent to XOR-ing it into the first 8 message bytes and starting from zero.
    lanes[0] = veorq_u64(lanes[0], vcombine_u64(vcreate_u64(state), vcreate_u64(0)));

    let k1024 = consts(K_1023, K_1087);
    for block in blocks {
        for (lane, chunk) in lanes.iter_mut().zip(block.as_chunks::<16>().0) {
            *lane = veorq_u64(fold(*lane, k1024), load(chunk));
        }
    }

    let mut acc = lanes[7];
    for (lane, &(lo, hi)) in lanes.iter().zip(&K_LANES) {
        acc = veorq_u64(acc, fold(*lane, consts(lo, hi)));
    }

    let (chunks, tail) = rest.as_chunks::<16>();
    let k128 = consts(K_127, K_191);
    for chunk in chunks {
        acc = veorq_u64(fold(acc, k128), load(chunk));
    }

    // `acc` now stands for 16 message bytes processed from a zero register.
    let (lo, hi) = (vgetq_lane_u64::<0>(acc), vgetq_lane_u64::<1>(acc));
    let bytes = ((u128::from(hi) << 64) | u128::from(lo)).to_le_bytes();
    update_table(update_table(0, &bytes), tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Independent reference: the textbook bit-at-a-time reflected CRC.
    fn crc64_bitwise(data: &[u8]) -> u64 {
        let mut c = !0u64;
        for &b in data {
            c ^= u64::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0xC96C_5795_D787_0F42 } else { c >> 1 };
            }
        }
        !c
    }

    /// Small deterministic PRNG (xorshift64*), so tests need no `rand`.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            let mut v = Vec::with_capacity(n + 8);
            while v.len() < n {
                v.extend_from_slice(&self.next().to_le_bytes());
            }
            v.truncate(n);
            v
        }
    }

    #[test]
    fn check_value() {
        assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
        assert_eq!(crc64_bitwise(b"123456789"), 0x995D_C9BB_DF19_39FA);
    }

    #[test]
    fn empty_is_zero() {
        assert_eq!(crc64(b""), 0);
        assert_eq!(Crc64::new().finish(), 0);
        assert_eq!(Crc64::default(), Crc64::new());
    }

    #[test]
    fn known_values() {
        // Literals from an independent bit-by-bit Python implementation.
        assert_eq!(crc64(b"hello world"), 0x5303_7ECD_EF23_52DA);
        assert_eq!(crc64(b"hello world"), crc64_bitwise(b"hello world"));
        assert_eq!(crc64(b"The quick brown fox jumps over the lazy dog"), 0x5B5E_B8C2_E54A_A1C4);
        let pattern: Vec<u8> = (0..4).flat_map(|_| 0..=255u8).collect();
        assert_eq!(crc64(&pattern), 0xD51F_B58D_C789_C400);
    }

    #[test]
    fn matches_bitwise_reference() {
        let mut rng = XorShift(1);
        let data = rng.bytes(5000);
        for len in (0..=600).chain([1023, 1024, 1025, 4096, 5000]) {
            assert_eq!(crc64(&data[..len]), crc64_bitwise(&data[..len]), "len {len}");
        }
    }

    #[test]
    fn streaming_matches_one_shot() {
        let mut rng = XorShift(2);
        let data = rng.bytes(100_000);
        let whole = crc64(&data);
        for _ in 0..200 {
            let mut c = Crc64::new();
            let mut rest = &data[..];
            while !rest.is_empty() {
                // Mix tiny and large pieces so both paths and all tail lengths get exercised.
                let max = if rng.next() & 1 == 0 { 40 } else { 20_000 };
                let n = rng.below(max + 1).min(rest.len());
                let (piece, r) = rest.split_at(n);
                c.update(piece);
                let _ = c.finish(); // finish must not disturb the stream
                rest = r;
            }
            assert_eq!(c.finish(), whole);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn clmul_matches_table() {
        if !std::arch::is_x86_feature_detected!("pclmulqdq") {
            return;
        }
        let mut rng = XorShift(3);
        let buf = rng.bytes(4096 + 16);
        for len in 0..=4096 {
            let start = len % 16; // all misalignments
            let data = &buf[start..start + len];
            let state = rng.next();
            // SAFETY: pclmulqdq was detected above.
            let simd = unsafe { update_clmul(state, data) };
            assert_eq!(simd, update_table(state, data), "len {len} start {start}");
        }
        let big = rng.bytes(1 << 20);
        for start in 0..16 {
            // SAFETY: pclmulqdq was detected above.
            let simd = unsafe { update_clmul(!0, &big[start..]) };
            assert_eq!(simd, update_table(!0, &big[start..]), "start {start}");
        }
    }

    #[cfg(target_arch = "aarch64")]
    #[test]
    fn pmull_matches_table() {
        if !std::arch::is_aarch64_feature_detected!("pmull") {
            return;
        }
        let mut rng = XorShift(3);
        let buf = rng.bytes(4096 + 16);
        for len in 0..=4096 {
            let start = len % 16; // all misalignments
            let data = &buf[start..start + len];
            let state = rng.next();
            // SAFETY: pmull was detected above.
            let simd = unsafe { update_pmull(state, data) };
            assert_eq!(simd, update_table(state, data), "len {len} start {start}");
        }
        let big = rng.bytes(1 << 20);
        for start in 0..16 {
            // SAFETY: pmull was detected above.
            let simd = unsafe { update_pmull(!0, &big[start..]) };
            assert_eq!(simd, update_table(!0, &big[start..]), "start {start}");
        }
    }

    #[test]
    fn combine_matches_concatenation() {
        let mut rng = XorShift(4);
        let data = rng.bytes(10 << 20);
        let mut lens: Vec<usize> = vec![0, 1, 2, 7, 8, 15, 16, 17, 127, 128, 129, 255, 256, 1000, 4096, 65_537];
        lens.extend((0..40).map(|_| rng.below(data.len())));
        for &la in &lens {
            let (a, rest) = data.split_at(la);
            let mut prefix = Crc64::new();
            prefix.update(a);
            for &lb in &[0usize, 1, 3, 16, 100, 1 << 10, 12_345, 1 << 20] {
                let b = &rest[..lb.min(rest.len())];
                // CRC of A || B by streaming on from A (streaming is checked against one-shot separately).
                let mut ab = prefix;
                ab.update(b);
                assert_eq!(crc64_combine(prefix.finish(), crc64(b), b.len() as u64), ab.finish(), "la {la} lb {lb}");
            }
        }
        // Whole 10 MiB as a 0-length prefix, a split in the middle, and as A with an empty B.
        let whole = crc64(&data);
        let (a, b) = data.split_at(3 << 20);
        assert_eq!(crc64_combine(crc64(a), crc64(b), b.len() as u64), whole);
        assert_eq!(crc64_combine(0, whole, data.len() as u64), whole);
        assert_eq!(crc64_combine(whole, 0, 0), whole);
        // Many equal parts, as in a multipart upload.
        let mut acc = 0;
        for part in data.chunks(1 << 20) {
            acc = crc64_combine(acc, crc64(part), part.len() as u64);
        }
        assert_eq!(acc, whole);
    }

    #[test]
    fn combine_huge_lengths() {
        // Combining is associative over lengths: advancing by n then m equals advancing by n + m, including lengths
        // far beyond anything that could be hashed directly (checks the high entries of `X2N`).
        let mut rng = XorShift(5);
        for _ in 0..200 {
            let (c, n, m) = (rng.next(), rng.next() >> 2, rng.next() >> 2);
            let step = crc64_combine(crc64_combine(c, 0, n), 0, m);
            assert_eq!(step, crc64_combine(c, 0, n + m));
        }
        let c = rng.next();
        assert_eq!(crc64_combine(crc64_combine(c, 0, u64::MAX - 5), 0, 5), crc64_combine(c, 0, u64::MAX));
    }
}
