//! The README's main job, `cargo run --example quickstart`, run in-process: the example's
//! `run` on an emulator handed to it (never the `COS_*` variables), its results and its report.

#[path = "../../examples/quickstart.rs"]
#[allow(dead_code)]
mod example;

use std::sync::{Arc, Mutex};

use example::{BIG_FILE_SIZE, Summary, Target};
use tencent_cos::checksum::md5_hex;
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};

/// A `Say` that keeps the lines.
fn recorder() -> (example::Say, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    (Arc::new(move |line: &str| sink.lock().unwrap().push(line.to_owned())), lines)
}

fn quoted_md5(data: &[u8]) -> String {
    format!("\"{}\"", md5_hex(data))
}

/// The multipart ETag of the 6 MiB file in 1 MiB parts.
fn multipart_etag(data: &[u8]) -> String {
    let mut digests = Vec::new();
    for part in data.chunks(1024 * 1024) {
        let hex = md5_hex(part);
        digests.extend((0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()));
    }
    format!("\"{}-{}\"", md5_hex(&digests), data.chunks(1024 * 1024).count())
}

#[test]
fn walks_the_whole_story_on_the_embedded_emulator() {
    let emulator = Emulator::new();
    let (say, lines) = recorder();
    let summary = example::run(Target::Emulator(emulator.clone()), say).unwrap();

    let data = example::file_content(BIG_FILE_SIZE);
    let expected = Summary {
        bucket: "quickstart-1250000000".into(),
        prefix: "quickstart/".into(),
        listed: vec!["quickstart/readme.md".into()],
        common_prefixes: vec!["quickstart/notes/".into()],
        range: b"Hello".to_vec(),
        copy_etag: quoted_md5(b"Hello, COS! A synchronous client says hi."),
        object_acl: "public-read".into(),
        cors_methods: vec!["GET".into(), "PUT".into()],
        multipart_etag: multipart_etag(&data),
        multipart_size: 6 * 1024 * 1024,
        progress_reports: summary.progress_reports,
        deleted: 5,
        bucket_created: true,
        bucket_deleted: true,
    };
    assert_eq!(summary, expected);
    assert!(summary.progress_reports >= 2, "a start and a final report at least: {}", summary.progress_reports);
    // Everything it made is gone.
    assert!(emulator.bucket_names().is_empty());

    let lines = lines.lock().unwrap().clone();
    let first = &lines[0];
    assert!(first.starts_with("No COS_* variables set: starting the embedded emulator in-process"), "{first}");
    assert!(first.contains(DEFAULT_SECRET_ID) && first.contains(DEFAULT_SECRET_KEY), "{first}");
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(has("Created bucket quickstart-1250000000: status 200"), "{lines:#?}");
    assert!(has("Got bytes 0-4 of quickstart/notes/hello.txt: status 206, Content-Range bytes 0-4/41, \"Hello\""));
    assert!(has("progress: 100% (6291456 of 6291456 bytes"), "{lines:#?}");
    assert!(has("Read quickstart/big/six-mib.bin back: 6291456 bytes, identical to the file"));
    assert!(has("CORS: removed them again"));
    assert_eq!(lines.last().map(String::as_str), Some("Deleted bucket quickstart-1250000000: status 204"));
}

#[test]
fn fails_clearly_and_leaves_a_bucket_it_did_not_create() {
    let emulator = Emulator::new();
    let client = tencent_cos::Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(emulator.clone())
        .build()
        .unwrap();
    let existing = client.bucket(example::emulator_bucket());
    existing.put_bucket().send().unwrap();
    existing.put_object("keep.txt").body("mine").send().unwrap();

    let (say, _) = recorder();
    let err = example::run(Target::Emulator(emulator.clone()), say).unwrap_err();
    assert!(err.to_string().contains("409 BucketAlreadyOwnedByYou"), "{err}");
    assert_eq!(emulator.bucket_names(), ["quickstart-1250000000"]);
    assert_eq!(emulator.object_bytes("quickstart-1250000000", "keep.txt"), Some(b"mine".to_vec()));
}

#[test]
fn the_cos_variables_choose_the_target_all_or_none() {
    let vars = |set: &'static [(&'static str, &'static str)]| {
        move |name: &str| set.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    };
    assert!(matches!(Target::from_vars(vars(&[])), Ok(Target::Emulator(_))));
    assert!(matches!(Target::from_vars(vars(&[("COS_BUCKET", "")])), Ok(Target::Emulator(_))));

    const ALL: [(&str, &str); 5] = [
        ("COS_SECRET_ID", "AKIDreal"),
        ("COS_SECRET_KEY", "real-key"),
        ("COS_BUCKET", "mybucket-1250000000"),
        ("COS_REGION", "ap-beijing"),
        ("COS_SECURITY_TOKEN", "token"),
    ];
    match Target::from_vars(vars(&ALL)) {
        Ok(Target::Cos { secret_id, secret_key, security_token, bucket, region }) => {
            assert_eq!(
                (secret_id.as_str(), secret_key.as_str(), bucket.as_str(), region.as_str()),
                ("AKIDreal", "real-key", "mybucket-1250000000", "ap-beijing")
            );
            assert_eq!(security_token.as_deref(), Some("token"));
        }
        _ => panic!("all four variables select real COS"),
    }
    match Target::from_vars(vars(&ALL[..4])) {
        Ok(Target::Cos { security_token, .. }) => assert_eq!(security_token, None),
        _ => panic!("the token is optional"),
    }
    match Target::from_vars(vars(&[("COS_SECRET_ID", "AKIDreal"), ("COS_REGION", "ap-beijing")])) {
        Err(message) => assert!(message.contains("missing: COS_SECRET_KEY, COS_BUCKET"), "{message}"),
        Ok(_) => panic!("a partial set is refused"),
    }
}
