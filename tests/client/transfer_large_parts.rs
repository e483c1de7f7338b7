//! A file too big for MaxPartNumber parts of ChunkSize gets bigger parts: 1025 MiB with
//! MaxPartNumber 1024 and 1 MiB chunks goes up in 513 parts of 2 MiB (the last 1 MiB). The file is
//! sparse and the transport only counts and checksums, so nothing of it is kept in memory.

use crate::support::parts_cos::PartsCos;
use tencent_cos::checksum::crc64_combine;
use tencent_cos::{Client, Error};

const MIB: u64 = 1024 * 1024;

#[test]
fn a_file_beyond_max_part_number_chunks_gets_larger_parts() {
    let path = std::env::temp_dir().join(format!("tencent-cos-sparse-{}.bin", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(1025 * MIB).unwrap();
    drop(file);
    let cos = std::sync::Arc::new(PartsCos::default());
    let client = Client::builder()
        .secret("AKIDTEST", "k")
        .region("ap-guangzhou")
        .max_part_number(1024)
        .transport(cos.clone())
        .build()
        .unwrap();
    let out = client.bucket("b-1250000000").slice_upload_file("big.bin", &path).send();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap();
    let parts = cos.parts.lock().unwrap();
    assert_eq!(parts.len(), 513);
    assert!(parts.range(1..513).all(|(_, p)| p.len == 2 * MIB));
    assert_eq!(parts[&513].len, MIB);
    assert_eq!(out.size, 1025 * MIB);
    assert_eq!(out.crc64, Some(parts.values().fold(0, |acc, p| crc64_combine(acc, p.crc64, p.len))));
    assert!(matches!(
        Client::builder().max_part_number(1023).build(),
        Err(Error::InvalidArgument { field: "max_part_number", .. })
    ));
}
