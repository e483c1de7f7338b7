//! `slice_upload_file` streams each part from the file into its request body: byte-exact with
//! the right CRC-64 for every size around the part boundaries, a retried part re-reads the
//! same bytes from the file, and no part is ever held in memory (the part bodies are counted).
//! A transport stands in for COS (`support::parts_cos`): it answers a multipart upload,
//! keeping each part's bytes.

use std::sync::atomic::Ordering;

use crate::support::parts_cos::PartsCos;
use tencent_cos::Client;
use tencent_cos::checksum::crc64;

const MIB: u64 = 1024 * 1024;

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
        let cos = std::sync::Arc::new(PartsCos::keeping_bytes());
        let out = client(cos.clone()).bucket("b-1250000000").slice_upload_file("f.bin", &path).send();
        let _ = std::fs::remove_file(&path);
        let out = out.unwrap_or_else(|e| panic!("size {size}: {e}"));
        let parts = cos.parts.lock().unwrap();
        assert_eq!(parts.len() as u64, size.div_ceil(MIB), "size {size}: part count");
        for (n, part) in parts.iter() {
            let start = (*n as u64 - 1) * MIB;
            let end = (start + MIB).min(size);
            assert!(
                part.bytes[..] == data[start as usize..end as usize],
                "size {size}: part {n} differs from the file"
            );
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
    let cos = std::sync::Arc::new(PartsCos::keeping_bytes());
    // Part 2's first send breaks after 300,001 bytes; part 4 (5 bytes) after 2.
    cos.cut_first_send_of.lock().unwrap().extend([(2, 300_001), (4, 2)]);
    let out = client(cos.clone()).bucket("b-1250000000").slice_upload_file("f.bin", &path).send();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap();
    let parts = cos.parts.lock().unwrap();
    assert!(parts[&2].bytes[..] == data[MIB as usize..2 * MIB as usize], "the retried part 2 is the file's bytes");
    assert!(parts[&4].bytes[..] == data[3 * MIB as usize..], "the retried part 4 is the file's bytes");
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
    let cos = std::sync::Arc::new(PartsCos::default());
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
