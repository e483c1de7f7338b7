//! The managed transfers and the multipart-copy calls, request for request, against what the
//! node SDK 3.0.0 sent (`tests/data/node_requests_wave2.jsonl`, seq 60-62 and 66-75): method,
//! path and query, every header in order with its value, body, signature. A transfer is several
//! requests; `common::replay_wave2_many` checks them all, in order.

use crate::support::common;

use std::path::PathBuf;
use std::time::Duration;

use common::{
    Canned, Recorded, ScriptedTransport, assert_matches_recorded, oracle_client, replay_wave2, replay_wave2_many,
};

const WAVE2: &str = "node_requests_wave2.jsonl";

/// Runs a transfer whose requests differ from node's on purpose in some places: returns what
/// it sent, for the test to check request by request.
fn sent_by(answers: Vec<Canned>, call: impl FnOnce(&tencent_cos::Bucket)) -> Vec<Recorded> {
    let transport = ScriptedTransport::new();
    for a in answers {
        transport.answer(a);
    }
    let client = oracle_client(transport.clone());
    call(&client.bucket("examplebucket-1250000000"));
    transport.requests()
}

/// `(name, value)` of every header but Authorization and User-Agent.
fn plain_headers(r: &Recorded) -> Vec<(&str, &str)> {
    r.headers
        .iter()
        .filter(|(n, _)| n != "Authorization" && n != "User-Agent")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

const HOST: (&str, &str) = ("Host", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com");

/// A file holding `text` under the system's temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!("cos-transfers-wire-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn ok_put(etag: &str) -> Canned {
    Canned::new(200, "").header("ETag", etag)
}

#[test]
fn seq_66_upload_file_sends_the_type_of_its_extension() {
    let file = TempFile::new("notes 1.txt", "small file for uploadFile\n");
    replay_wave2_many(&[66], vec![ok_put("\"e1\"")], |_, b| {
        let out = b.upload_file("upload/notes 1.txt", &file.0).send().unwrap();
        assert_eq!((out.key.as_str(), out.etag.as_str(), out.size), ("upload/notes 1.txt", "\"e1\"", 26));
    });
}

#[test]
fn seq_67_upload_files_sends_each_files_type() {
    let file = TempFile::new("notes 2.md", "# second file for uploadFiles\n");
    replay_wave2_many(&[67], vec![ok_put("\"e2\"")], |_, b| {
        let results = b.upload_files([("upload/batch/notes 2.md", &file.0)]).send();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].1.as_ref().unwrap().etag, "\"e2\"");
    });
}

/// Node's seq 68 is an uploadFiles entry given as a Body with its ContentType: a caller's type,
/// placed where `put_object` places it (and it wins over the extension's).
#[test]
fn seq_68_a_callers_content_type_wins_in_its_place() {
    let file = TempFile::new("inline.bin", "{\"inline\":true}\n");
    replay_wave2_many(&[68], vec![ok_put("\"e3\"")], |_, b| {
        b.upload_file("upload/batch/inline.json", &file.0).content_type("application/json").send().unwrap();
    });
}

/// downloadFile: the HEAD is node's byte for byte; our GET adds `If-Match` with the HEAD's
/// ETag (on purpose: an object replaced between the two is an error, not a mixed file), so it
/// is signed over `if-match` too.
#[test]
fn seq_69_70_download_file_heads_then_gets() {
    let text = "small file for uploadFile\n";
    let dir = std::env::temp_dir().join(format!("cos-transfers-wire-dl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notes 1.txt");
    let head = Canned::new(200, "").header("Content-Length", "26").header("ETag", "\"e1\"");
    let get = Canned::new(200, text).header("Content-Length", "26").header("ETag", "\"e1\"");
    let sent = sent_by(vec![head, get], |b| {
        b.download_file("upload/notes 1.txt", &path).send().unwrap();
    });
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(sent.len(), 2);
    assert_matches_recorded(WAVE2, 69, &sent[0]);
    assert_eq!((sent[1].method.as_str(), sent[1].target()), ("GET", "/upload/notes%201.txt"), "seq 70");
    assert_eq!(plain_headers(&sent[1]), [("If-Match", "\"e1\""), HOST], "seq 70 + If-Match");
    assert!(sent[1].header("Authorization").unwrap().contains("q-header-list=host;if-match&"));
}

/// sliceCopyFile: the HEAD is node's byte for byte; our copy adds
/// `x-cos-copy-source-If-Match` with the HEAD's ETag (on purpose, as for downloads).
#[test]
fn seq_71_72_slice_copy_file_heads_then_copies() {
    let head = Canned::new(200, "").header("Content-Length", "26").header("ETag", "\"e1\"");
    let copied = Canned::new(
        200,
        "<CopyObjectResult><ETag>\"e1\"</ETag><LastModified>2023-11-14T22:13:20.000Z</LastModified></CopyObjectResult>",
    );
    let sent = sent_by(vec![head, copied], |b| {
        let source = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/upload/notes%201.txt";
        b.slice_copy_file("copies/notes copy.txt", source).send().unwrap();
    });
    assert_eq!(sent.len(), 2);
    assert_matches_recorded(WAVE2, 71, &sent[0]);
    assert_eq!((sent[1].method.as_str(), sent[1].target()), ("PUT", "/copies/notes%20copy.txt"), "seq 72");
    assert_eq!(
        plain_headers(&sent[1]),
        [
            ("x-cos-copy-source", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/upload/notes%201.txt"),
            ("x-cos-metadata-directive", "Copy"),
            ("x-cos-copy-source-If-Match", "\"e1\""),
            ("Cache-Control", ""),
            ("Content-Length", "0"),
            HOST,
        ],
        "seq 72 + x-cos-copy-source-If-Match"
    );
}

const ABANDONED_ID: &str = "17000000028ecca9519f229cf02dc1c73f14bb8b2604ed163c";

#[test]
fn seq_73_to_75_an_abandoned_upload_is_listed_and_aborted() {
    let init = Canned::new(
        200,
        format!(
            "<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>multipart/abandoned.bin</Key>\
             <UploadId>{ABANDONED_ID}</UploadId></InitiateMultipartUploadResult>"
        ),
    );
    let listed = Canned::new(
        200,
        format!(
            "<ListMultipartUploadsResult><Bucket>examplebucket-1250000000</Bucket><Prefix>multipart/abandoned.bin</Prefix>\
             <IsTruncated>false</IsTruncated><Upload><Key>multipart/abandoned.bin</Key><UploadId>{ABANDONED_ID}</UploadId>\
             <Initiated>2023-11-14T22:13:20.000Z</Initiated></Upload></ListMultipartUploadsResult>"
        ),
    );
    let sent = sent_by(vec![init, listed, Canned::new(204, "")], |b| {
        let started = b.multipart_init("multipart/abandoned.bin").send().unwrap();
        assert_eq!(started.upload_id, ABANDONED_ID);
        let done = b.abort_incomplete_uploads("multipart/abandoned.bin", Duration::ZERO).send().unwrap();
        assert_eq!(done.aborted, [("multipart/abandoned.bin".to_string(), ABANDONED_ID.to_string())]);
        assert!(done.failed.is_empty());
    });
    assert_eq!(sent.len(), 3);
    assert_matches_recorded(WAVE2, 73, &sent[0]);
    // Our listing asks for encoding-type=url (keys with any byte come back intact); node's does not.
    assert_eq!(sent[1].target(), "/?uploads=&encoding-type=url&prefix=multipart%2Fabandoned.bin", "seq 74");
    assert_eq!(plain_headers(&sent[1]), [HOST], "seq 74");
    assert_matches_recorded(WAVE2, 75, &sent[2]);
}

const PART_COPY_ID: &str = "1700000001341907c3f046b8f0c24b70d3d6ee85ffd22defa1";

#[test]
fn seq_60_multipart_init_for_a_part_copy() {
    let init = Canned::new(
        200,
        format!("<InitiateMultipartUploadResult><UploadId>{PART_COPY_ID}</UploadId></InitiateMultipartUploadResult>"),
    );
    replay_wave2(60, init, |_, b| {
        assert_eq!(b.multipart_init("copies/part copy.csv").send().unwrap().upload_id, PART_COPY_ID);
    });
}

#[test]
fn seq_61_upload_part_copy_of_a_range() {
    let copied = Canned::new(
        200,
        "<CopyPartResult><ETag>\"p1\"</ETag><LastModified>2023-11-14T22:13:20.000Z</LastModified></CopyPartResult>",
    );
    replay_wave2(61, copied, |_, b| {
        let part = b
            .upload_part_copy("copies/part copy.csv", PART_COPY_ID, 1)
            .copy_source_object("examplebucket-1250000000", "ap-guangzhou", "tagged/a b&c.txt")
            .copy_source_range(0..=6)
            .send()
            .unwrap();
        assert_eq!(part.etag, "\"p1\"");
    });
}

#[test]
fn seq_62_multipart_abort_after_a_part_copy() {
    replay_wave2(62, Canned::new(204, ""), |_, b| {
        b.multipart_abort("copies/part copy.csv", PART_COPY_ID).send().unwrap();
    });
}
