//! Multipart uploads: init, parts (re-uploaded, copied), list parts and uploads with paging,
//! complete, abort, and COS's errors; the managed uploads on top of them.

use std::sync::{Arc, Mutex};

use tencent_cos::Error;
use tencent_cos::checksum::{crc64, md5_hex};

use crate::support::capability_support::{BUCKET, Env, OWNER_ID, REGION, TempFile, etag_of, failure, pattern};

const MIB: usize = 1024 * 1024;

/// The ETag COS gives a multipart object: the MD5 of the parts' MD5s, then the part count.
fn multipart_etag(parts: &[&[u8]]) -> String {
    let mut digests = Vec::with_capacity(16 * parts.len());
    for part in parts {
        let hex = md5_hex(part);
        for i in (0..hex.len()).step_by(2) {
            digests.push(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
        }
    }
    format!("\"{}-{}\"", md5_hex(&digests), parts.len())
}

/// Init with metadata, a part uploaded twice (the second replaces the first), list parts,
/// complete: the object has the bytes, the multipart ETag, the CRC-64 and the metadata.
pub fn multipart_upload_flow(env: &Env) {
    let bucket = env.create_bucket();
    let init = bucket
        .multipart_init("big/data.bin")
        .content_type("application/x-demo")
        .meta("purpose", "capability")
        .send()
        .unwrap();
    assert_eq!(init.meta.status, 200);
    assert_eq!((init.bucket.as_str(), init.key.as_str()), (BUCKET, "big/data.bin"));
    assert!(!init.upload_id.is_empty());
    let id = init.upload_id.as_str();
    assert_eq!(env.emulator.pending_uploads(BUCKET), [("big/data.bin".to_owned(), init.upload_id.clone())]);

    let (first, second) = (pattern(MIB, 1), pattern(300_000, 2));
    let stale = bucket.multipart_upload("big/data.bin", id, 1, pattern(MIB, 9)).send().unwrap();
    assert_eq!(stale.etag, etag_of(&pattern(MIB, 9)));
    let part1 = bucket.multipart_upload("big/data.bin", id, 1, first.clone()).send().unwrap();
    assert_eq!((part1.etag.clone(), part1.crc64), (etag_of(&first), Some(crc64(&first))));
    let part2 = bucket.upload_part("big/data.bin", id, 2, second.clone()).content_md5(true).send().unwrap();
    assert_eq!((part2.etag.clone(), part2.crc64), (etag_of(&second), Some(crc64(&second))));

    let listed = bucket.multipart_list_part("big/data.bin", id).send().unwrap();
    assert_eq!((listed.bucket.as_str(), listed.key.as_str(), listed.upload_id.as_str()), (BUCKET, "big/data.bin", id));
    assert!(!listed.is_truncated);
    let parts: Vec<(u32, &str, u64)> = listed.parts.iter().map(|p| (p.part_number, p.etag.as_str(), p.size)).collect();
    let (e1, e2) = (etag_of(&first), etag_of(&second));
    assert_eq!(parts, [(1, e1.as_str(), MIB as u64), (2, e2.as_str(), 300_000)]);
    assert_eq!(listed.initiator.as_ref().map(|o| o.id.as_str()), Some(OWNER_ID));

    let done = bucket.multipart_complete("big/data.bin", id, [(2, e2.clone()), (1, e1.clone())]).send().unwrap();
    let whole = [first.as_slice(), second.as_slice()].concat();
    assert_eq!(done.meta.status, 200);
    assert_eq!(done.etag, multipart_etag(&[&first, &second]));
    assert_eq!(done.crc64, Some(crc64(&whole)));
    assert_eq!((done.bucket.as_str(), done.key.as_str()), (BUCKET, "big/data.bin"));
    assert!(done.location.ends_with("/big/data.bin"), "{}", done.location);
    assert!(env.emulator.pending_uploads(BUCKET).is_empty());

    let head = bucket.head_object("big/data.bin").send().unwrap().properties;
    assert_eq!(head.content_length, Some(whole.len() as u64));
    assert_eq!(head.etag.as_deref(), Some(done.etag.as_str()));
    assert_eq!(head.content_type.as_deref(), Some("application/x-demo"));
    assert_eq!(head.meta.get("purpose").map(String::as_str), Some("capability"));
    assert_eq!(bucket.get_object("big/data.bin").send().unwrap().bytes().unwrap(), whole);
    assert_eq!(
        bucket.get_object("big/data.bin").range(MIB as u64 - 2..=MIB as u64 + 1).send().unwrap().bytes().unwrap(),
        whole[MIB - 2..MIB + 2]
    );
}

/// Upload Part - Copy: parts copied from byte ranges of another object, with a condition.
pub fn upload_part_copy(env: &Env) {
    let bucket = env.create_bucket();
    let source = pattern(2 * MIB + 1000, 3);
    bucket.put_object("src/a b.bin").body(source.clone()).send().unwrap();
    let id = bucket.multipart_init("joined.bin").send().unwrap().upload_id;

    let head = bucket
        .upload_part_copy("joined.bin", &id, 1)
        .copy_source_object(BUCKET, REGION, "src/a b.bin")
        .copy_source_range(0..=MIB as u64 - 1)
        .send()
        .unwrap();
    assert_eq!(head.meta.status, 200);
    assert_eq!(head.etag, etag_of(&source[..MIB]));
    assert!(!head.last_modified.is_empty());
    let rest = bucket
        .upload_part_copy("joined.bin", &id, 2)
        .copy_source(format!("{BUCKET}.cos.{REGION}.myqcloud.com/src/a%20b.bin"))
        .copy_source_range(MIB as u64..=source.len() as u64 - 1)
        .copy_source_if_match(etag_of(&source))
        .send()
        .unwrap();
    assert_eq!(rest.etag, etag_of(&source[MIB..]));
    let tail = bucket.multipart_upload("joined.bin", &id, 3, "the end").send().unwrap().etag;

    let guarded = bucket
        .upload_part_copy("joined.bin", &id, 4)
        .copy_source_object(BUCKET, REGION, "src/a b.bin")
        .copy_source_if_none_match(etag_of(&source))
        .send();
    assert_eq!(failure(guarded), (412, "PreconditionFailed".into()));
    let missing = bucket.upload_part_copy("joined.bin", &id, 4).copy_source_object(BUCKET, REGION, "nope").send();
    assert_eq!(failure(missing), (404, "NoSuchKey".into()));

    let done =
        bucket.multipart_complete("joined.bin", &id, [(1, head.etag), (2, rest.etag), (3, tail)]).send().unwrap();
    let expected = [&source[..], b"the end"].concat();
    assert_eq!(done.etag, multipart_etag(&[&source[..MIB], &source[MIB..], b"the end"]));
    assert_eq!(done.crc64, Some(crc64(&expected)));
    assert_eq!(env.emulator.object_bytes(BUCKET, "joined.bin"), Some(expected));
}

/// EntityTooSmall, InvalidPart, InvalidPartOrder, NoSuchUpload, and what the client refuses.
pub fn multipart_errors(env: &Env) {
    let bucket = env.create_bucket();
    let id = bucket.multipart_init("e.bin").send().unwrap().upload_id;
    let small1 = bucket.multipart_upload("e.bin", &id, 1, "first").send().unwrap().etag;
    let small2 = bucket.multipart_upload("e.bin", &id, 2, "second").send().unwrap().etag;

    let complete = |parts: Vec<(u32, String)>| failure(bucket.multipart_complete("e.bin", &id, parts).send());
    assert_eq!(complete(vec![(1, small1.clone()), (2, small2.clone())]), (400, "EntityTooSmall".into()));
    assert_eq!(complete(vec![(1, etag_of(b"other")), (2, small2.clone())]), (400, "InvalidPart".into()));
    assert_eq!(complete(vec![(1, small1.clone()), (3, small2.clone())]), (400, "InvalidPart".into()));
    // The client sorts the list; only a repeated number can still be out of order.
    assert_eq!(complete(vec![(1, small1.clone()), (1, small1.clone())]), (400, "InvalidPartOrder".into()));
    // One small part alone is a valid (last) part.
    let single = bucket.multipart_complete("e.bin", &id, [(2, small2.clone())]).send().unwrap();
    assert_eq!(single.etag, multipart_etag(&[b"second"]));
    assert_eq!(env.emulator.object_bytes(BUCKET, "e.bin"), Some(b"second".to_vec()));

    // A completed upload is gone.
    assert_eq!(failure(bucket.multipart_upload("e.bin", &id, 3, "x").send()), (404, "NoSuchUpload".into()));
    let aborted = bucket.multipart_init("f.bin").send().unwrap().upload_id;
    assert_eq!(bucket.multipart_abort("f.bin", &aborted).send().unwrap().meta.status, 204);
    assert_eq!(failure(bucket.multipart_upload("f.bin", &aborted, 1, "x").send()), (404, "NoSuchUpload".into()));
    assert_eq!(
        failure(bucket.multipart_complete("f.bin", &aborted, [(1, small1)]).send()),
        (404, "NoSuchUpload".into())
    );
    assert_eq!(failure(bucket.multipart_list_part("f.bin", &aborted).send()), (404, "NoSuchUpload".into()));
    assert_eq!(failure(bucket.multipart_abort("f.bin", &aborted).send()), (404, "NoSuchUpload".into()));
    assert!(env.emulator.pending_uploads(BUCKET).is_empty());

    for (result, field) in [
        (bucket.multipart_upload("f.bin", "u", 0, "x").send().map(|_| ()), "part_number"),
        (bucket.multipart_upload("f.bin", "u", 10_001, "x").send().map(|_| ()), "part_number"),
        (bucket.multipart_complete("f.bin", "u", Vec::<(u32, String)>::new()).send().map(|_| ()), "parts"),
    ] {
        assert!(matches!(&result, Err(Error::InvalidArgument { field: f, .. }) if *f == field), "{result:?}");
    }
}

/// List Multipart Uploads and List Parts, page by page and through the pagers; abort.
pub fn multipart_listings_and_abort(env: &Env) {
    let bucket = env.create_bucket();
    let mut started = Vec::new();
    for key in ["a/1.bin", "a/1.bin", "a/2.bin", "b/3.bin"] {
        started.push((key.to_owned(), bucket.multipart_init(key).send().unwrap().upload_id));
    }

    let first = bucket.multipart_list().max_uploads(3).send().unwrap();
    assert!(first.is_truncated);
    assert_eq!(first.uploads.len(), 3);
    assert_eq!(first.next_key_marker.as_deref(), Some("a/2.bin"));
    assert_eq!(first.next_upload_id_marker.as_deref(), Some(started[2].1.as_str()));
    let upload = &first.uploads[0];
    assert_eq!(upload.initiator.as_ref().map(|o| o.id.as_str()), Some(OWNER_ID));
    assert_eq!(upload.storage_class, Some(tencent_cos::api::StorageClass::Standard));
    let pages: Vec<usize> = bucket.multipart_list().max_uploads(3).pages().map(|p| p.unwrap().uploads.len()).collect();
    assert_eq!(pages, [3, 1]);
    let all: Vec<(String, String)> = bucket
        .multipart_list()
        .max_uploads(1)
        .all_uploads()
        .unwrap()
        .into_iter()
        .map(|u| (u.key, u.upload_id))
        .collect();
    assert_eq!(all, started);
    let under_a = bucket.multipart_list().prefix("a/").send().unwrap();
    assert_eq!(under_a.uploads.len(), 3);
    let grouped = bucket.multipart_list().delimiter("/").send().unwrap();
    assert!(grouped.uploads.is_empty());
    assert_eq!(grouped.common_prefixes, ["a/", "b/"]);

    let (key, id) = &started[3];
    for n in 1..=5u32 {
        bucket.multipart_upload(key, id, n, format!("part {n}")).send().unwrap();
    }
    let page = bucket.multipart_list_part(key, id).max_parts(2).part_number_marker(2).send().unwrap();
    let numbers: Vec<u32> = page.parts.iter().map(|p| p.part_number).collect();
    assert_eq!((numbers, page.is_truncated, page.next_part_number_marker), (vec![3, 4], true, Some(4)));
    let paged: Vec<Vec<u32>> = bucket
        .multipart_list_part(key, id)
        .max_parts(2)
        .pages()
        .map(|p| p.unwrap().parts.iter().map(|p| p.part_number).collect())
        .collect();
    assert_eq!(paged, [vec![1, 2], vec![3, 4], vec![5]]);
    let parts = bucket.multipart_list_part(key, id).max_parts(4).all_parts().unwrap();
    let sizes: Vec<(u32, u64, String)> = parts.into_iter().map(|p| (p.part_number, p.size, p.etag)).collect();
    let expected: Vec<(u32, u64, String)> =
        (1..=5u32).map(|n| (n, 6, etag_of(format!("part {n}").as_bytes()))).collect();
    assert_eq!(sizes, expected);

    for upload in bucket.multipart_list().all_uploads().unwrap() {
        assert_eq!(bucket.multipart_abort(&upload.key, &upload.upload_id).send().unwrap().meta.status, 204);
    }
    assert!(env.emulator.pending_uploads(BUCKET).is_empty());
    assert!(bucket.multipart_list().send().unwrap().uploads.is_empty());
    assert!(env.emulator.object_keys(BUCKET).is_empty());
}

/// `slice_upload_file` (in parts, with progress) and `upload_file` (one PUT below SliceSize).
pub fn managed_uploads(env: &Env) {
    let bucket = env.create_bucket();
    let data = pattern(2 * MIB + MIB / 2, 5);
    let file = TempFile::new(&data);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let progress = seen.clone();
    let out = bucket
        .slice_upload_file("managed/slice.bin", &file.path)
        .chunk_size(MIB as u64)
        .on_progress(move |p| progress.lock().unwrap().push((p.loaded, p.total)))
        .send()
        .unwrap();
    let parts = [&data[..MIB], &data[MIB..2 * MIB], &data[2 * MIB..]];
    assert_eq!(out.etag, multipart_etag(&parts));
    assert_eq!((out.size, out.crc64), (data.len() as u64, Some(crc64(&data))));
    assert_eq!(env.emulator.object_bytes(BUCKET, "managed/slice.bin"), Some(data.clone()));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.last(), Some(&(data.len() as u64, data.len() as u64)));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    assert!(env.emulator.pending_uploads(BUCKET).is_empty());

    let small = TempFile::new(b"small file");
    let simple = bucket.upload_file("managed/small.txt", &small.path).send().unwrap();
    assert_eq!(
        (simple.etag.as_str(), simple.size, simple.upload_id.clone()),
        (etag_of(b"small file").as_str(), 10, None)
    );
    assert_eq!(bucket.get_object("managed/small.txt").send().unwrap().bytes().unwrap(), b"small file");
}
