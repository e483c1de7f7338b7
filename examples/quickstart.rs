//! The whole story of the crate in one run: create a bucket; put a few objects, list them, read
//! a range; copy one; set and read an ACL and CORS rules; upload a 6 MiB file in parts with
//! progress and check it byte for byte; delete everything.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no `COS_*` variables set it runs against the embedded emulator, in this process: no
//! network, no account. With `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_BUCKET` and `COS_REGION`
//! (and `COS_SECURITY_TOKEN` for temporary keys) it runs against real COS, in that existing
//! bucket: it neither creates nor deletes the bucket, works under a fresh prefix
//! (`quickstart-<time>-<pid>/`), puts the bucket's CORS rules back as they were, and deletes
//! only the objects it created. Exit code 1 and a message on stderr when a step fails.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tencent_cos::api::CannedAcl;
use tencent_cos::api::CorsRule;
use tencent_cos::emulator::{DEFAULT_APPID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::{Bucket, Client, Credentials};

/// Where the run goes.
pub enum Target {
    /// The in-memory emulator in this process: the bucket is created, then deleted.
    Emulator(Emulator),
    /// Real COS: an existing bucket, left in place.
    Cos {
        /// SecretId.
        secret_id: String,
        /// SecretKey.
        secret_key: String,
        /// SecurityToken of temporary keys.
        security_token: Option<String>,
        /// `{name}-{appid}`.
        bucket: String,
        /// Region of the bucket.
        region: String,
    },
}

/// The names of the variables that select real COS, all or none.
const COS_VARS: [&str; 4] = ["COS_SECRET_ID", "COS_SECRET_KEY", "COS_BUCKET", "COS_REGION"];

impl Target {
    /// Real COS when all four `COS_*` variables are set (non-empty), the emulator when none is,
    /// an error naming the missing ones otherwise. `var` looks a variable up.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Target, String> {
        let values = COS_VARS.map(|name| var(name).filter(|v| !v.is_empty()));
        let missing: Vec<&str> = COS_VARS.iter().zip(&values).filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
        match values {
            [None, None, None, None] => Ok(Target::Emulator(Emulator::new())),
            [Some(secret_id), Some(secret_key), Some(bucket), Some(region)] => {
                let security_token = var("COS_SECURITY_TOKEN").filter(|v| !v.is_empty());
                Ok(Target::Cos { secret_id, secret_key, security_token, bucket, region })
            }
            _ => Err(format!(
                "to run against real COS set all of {}; missing: {} (unset them all to use the embedded emulator)",
                COS_VARS.join(", "),
                missing.join(", ")
            )),
        }
    }
}

/// How the run reports each step: one line at a time, from any thread.
pub type Say = Arc<dyn Fn(&str) + Send + Sync>;

/// The key results of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The bucket used.
    pub bucket: String,
    /// Every key was created under this prefix.
    pub prefix: String,
    /// The objects directly under the prefix (the delimited listing).
    pub listed: Vec<String>,
    /// The common prefixes of that listing.
    pub common_prefixes: Vec<String>,
    /// What the ranged GET returned.
    pub range: Vec<u8>,
    /// ETag of the copy (the source's).
    pub copy_etag: String,
    /// The object ACL read back.
    pub object_acl: String,
    /// The methods the CORS preflight allowed.
    pub cors_methods: Vec<String>,
    /// ETag of the multipart object (`"<md5>-<parts>"`).
    pub multipart_etag: String,
    /// Its size in bytes, as read back and compared.
    pub multipart_size: u64,
    /// How many progress reports the upload made.
    pub progress_reports: usize,
    /// Objects deleted at the end.
    pub deleted: usize,
    /// True when the run created the bucket (so it deletes it at the end).
    pub bucket_created: bool,
    /// True when the bucket was deleted at the end.
    pub bucket_deleted: bool,
}

/// The size of the multipart upload: 6 MiB, six parts of the default 1 MiB.
pub const BIG_FILE_SIZE: usize = 6 * 1024 * 1024;

/// What the emulator's bucket is called.
pub fn emulator_bucket() -> String {
    format!("quickstart-{DEFAULT_APPID}")
}

/// The run's session: the bucket, where its keys go, and whether the bucket is the run's own.
struct Session {
    bucket: Bucket,
    region: String,
    prefix: String,
    /// The emulator's bucket is created by the run; a real COS bucket never is.
    owns_bucket: bool,
    say: Say,
}

impl Session {
    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn say(&self, line: &str) {
        (self.say)(line);
    }
}

/// Runs the story against `target`, reporting through `say`. Whatever happens, it then removes
/// what it created (objects under its prefix, uploads left behind, the emulator's bucket).
pub fn run(target: Target, say: Say) -> Result<Summary, Box<dyn Error>> {
    let session = connect(target, say)?;
    let mut summary =
        Summary { bucket: session.bucket.name().to_owned(), prefix: session.prefix.clone(), ..Summary::default() };
    let story = tell(&session, &mut summary);
    let cleanup = clean_up(&session, &mut summary);
    story?;
    cleanup?;
    Ok(summary)
}

fn connect(target: Target, say: Say) -> Result<Session, Box<dyn Error>> {
    // Frequent progress reports, so that even a fast local upload shows a few.
    let builder = Client::builder().progress_interval(Duration::from_millis(100));
    match target {
        Target::Emulator(emulator) => {
            say(&format!(
                "No COS_* variables set: starting the embedded emulator in-process (SecretId {DEFAULT_SECRET_ID}, \
                 SecretKey {DEFAULT_SECRET_KEY}, appid {DEFAULT_APPID})"
            ));
            let region = "ap-guangzhou".to_owned();
            let client =
                builder.secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).region(&region).transport(emulator).build()?;
            let bucket = client.bucket(emulator_bucket());
            Ok(Session { bucket, region, prefix: "quickstart/".into(), owns_bucket: true, say })
        }
        Target::Cos { secret_id, secret_key, security_token, bucket, region } => {
            let mut credentials = Credentials::new(secret_id, secret_key);
            if let Some(token) = security_token {
                credentials = credentials.with_security_token(token);
            }
            let client = builder.credentials(credentials).region(&region).build()?;
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            let prefix = format!("quickstart-{now}-{}/", std::process::id());
            say(&format!("Using real COS: bucket {bucket} in {region}, everything under {prefix}"));
            let bucket = client.bucket(bucket);
            Ok(Session { bucket, region, prefix, owns_bucket: false, say })
        }
    }
}

/// The objects of the story: key (under the prefix), body, content type.
const OBJECTS: [(&str, &[u8], &str); 3] = [
    ("notes/hello.txt", b"Hello, COS! A synchronous client says hi.", "text/plain"),
    ("notes/todo.txt", b"1. list\n2. copy\n3. clean up\n", "text/plain"),
    ("readme.md", b"# quickstart\n", "text/markdown"),
];

fn tell(s: &Session, summary: &mut Summary) -> Result<(), Box<dyn Error>> {
    let bucket = &s.bucket;
    if s.owns_bucket {
        let created = bucket.put_bucket().send()?;
        summary.bucket_created = true;
        s.say(&format!("Created bucket {}: status {}", bucket.name(), created.meta.status));
    } else {
        let head = bucket.head_bucket().send()?;
        s.say(&format!("Bucket {} exists: status {}", bucket.name(), head.meta.status));
    }

    for (name, body, content_type) in OBJECTS {
        let out = bucket.put_object(s.key(name)).body(body).content_type(content_type).send()?;
        let etag = out.etag.unwrap_or_default();
        s.say(&format!("Put {}: status {}, ETag {etag}, {} bytes", s.key(name), out.meta.status, body.len()));
    }

    let page = bucket.get_bucket().prefix(&s.prefix).delimiter("/").send()?;
    summary.listed = page.contents.iter().map(|o| o.key.clone()).collect();
    summary.common_prefixes = page.common_prefixes.clone();
    s.say(&format!(
        "Listed {} with delimiter '/': {} object(s) {:?}, {} common prefix(es) {:?}",
        s.prefix,
        page.contents.len(),
        summary.listed,
        page.common_prefixes.len(),
        page.common_prefixes
    ));
    let notes: Vec<String> =
        bucket.list_objects_iter(s.key("notes/")).map(|o| o.map(|o| o.key)).collect::<Result<_, _>>()?;
    s.say(&format!("Listed {}: {} object(s)", s.key("notes/"), notes.len()));

    let hello = s.key("notes/hello.txt");
    let ranged = bucket.get_object(&hello).range(0..=4).send()?;
    let (status, content_range) = (ranged.meta.status, ranged.content_range.clone().unwrap_or_default());
    summary.range = ranged.bytes()?;
    s.say(&format!(
        "Got bytes 0-4 of {hello}: status {status}, Content-Range {content_range}, {:?}",
        String::from_utf8_lossy(&summary.range)
    ));

    let copy = s.key("notes/hello-copy.txt");
    let copied = bucket.put_object_copy(&copy).copy_source_object(bucket.name(), &s.region, &hello).send()?;
    s.say(&format!("Copied {hello} to {copy}: status {}, ETag {}", copied.meta.status, copied.etag));
    summary.copy_etag = copied.etag;

    bucket.put_object_acl(&hello).acl(CannedAcl::PublicRead).send()?;
    let acl = bucket.get_object_acl(&hello).send()?;
    s.say(&format!("Set the ACL of {hello} to public-read; read back: {} ({} grant(s))", acl.acl, acl.grants.len()));
    summary.object_acl = acl.acl.to_string();
    if s.owns_bucket {
        let bucket_acl = bucket.get_bucket_acl().send()?;
        s.say(&format!("Bucket ACL: {}, owner {}", bucket_acl.acl, bucket_acl.owner.id));
    }

    summary.cors_methods = cors(s)?;
    let (etag, size, reports) = multipart(s)?;
    summary.multipart_etag = etag;
    summary.multipart_size = size;
    summary.progress_reports = reports;
    Ok(())
}

/// Sets a CORS rule, reads it back and asks for a preflight; puts the old rules back.
fn cors(s: &Session) -> Result<Vec<String>, Box<dyn Error>> {
    let bucket = &s.bucket;
    let before = bucket.get_bucket_cors().send()?;
    let rule = CorsRule::new()
        .allowed_origin("https://www.example.com")
        .allowed_methods(["GET", "PUT"])
        .allowed_header("*")
        .expose_header("ETag")
        .max_age_seconds(600);
    bucket.put_bucket_cors().rule(rule).send()?;
    let read = bucket.get_bucket_cors().send();
    let preflight = bucket
        .options_object(s.key("notes/hello.txt"))
        .origin("https://www.example.com")
        .access_control_request_method("PUT")
        .send();
    // Put the bucket's own rules back before looking at the answers.
    if before.rules.is_empty() {
        bucket.delete_bucket_cors().send()?;
    } else {
        let mut restore = bucket.put_bucket_cors().rules(before.rules.clone());
        if let Some(vary) = before.response_vary {
            restore = restore.response_vary(vary);
        }
        restore.send()?;
    }
    let read = read?;
    s.say(&format!(
        "Set CORS: {} rule(s) read back, origins {:?}",
        read.rules.len(),
        read.rules.iter().flat_map(|r| r.allowed_origins.clone()).collect::<Vec<_>>()
    ));
    let preflight = preflight?;
    if preflight.options_forbidden {
        return Err("the CORS preflight was refused although a rule allows it".into());
    }
    s.say(&format!(
        "Preflight from https://www.example.com for PUT: status {}, allowed methods {:?}",
        preflight.meta.status, preflight.access_control_allow_methods
    ));
    let restored = if before.rules.is_empty() { "removed them again" } else { "restored the previous rules" };
    s.say(&format!("CORS: {restored}"));
    Ok(preflight.access_control_allow_methods)
}

/// A temporary file, removed on drop.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The content of the uploaded file: deterministic, non-repeating (a misplaced part would show).
pub fn file_content(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Uploads a 6 MiB file in parts with progress; reads it back and compares.
fn multipart(s: &Session) -> Result<(String, u64, usize), Box<dyn Error>> {
    let data = file_content(BIG_FILE_SIZE);
    let file = TempFile(std::env::temp_dir().join(format!("tencent-cos-quickstart-{}.bin", std::process::id())));
    std::fs::write(&file.0, &data)?;
    let key = s.key("big/six-mib.bin");
    s.say(&format!("Uploading {} ({} bytes) to {key} in parts", file.0.display(), data.len()));
    let say = s.say.clone();
    let reports = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = reports.clone();
    let out = s
        .bucket
        .slice_upload_file(&key, &file.0)
        .on_progress(move |p| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut line = String::new();
            let _ = write!(line, "  progress: {:>3.0}% ({} of {} bytes", p.fraction * 100.0, p.loaded, p.total);
            let _ = write!(line, ", {:.1} MiB/s)", p.speed / (1024.0 * 1024.0));
            say(&line);
        })
        .send()?;
    let crc = out.crc64.map_or_else(|| "not sent".to_owned(), |c| c.to_string());
    s.say(&format!("Uploaded {key}: ETag {}, {} bytes, CRC-64 {crc}", out.etag, out.size));

    let got = s.bucket.get_object(&key).send()?.bytes()?;
    if got != data {
        let first = got.iter().zip(&data).position(|(a, b)| a != b).unwrap_or(got.len().min(data.len()));
        return Err(format!(
            "{key} read back differs from the file at byte {first} ({} vs {} bytes)",
            got.len(),
            data.len()
        )
        .into());
    }
    s.say(&format!("Read {key} back: {} bytes, identical to the file", got.len()));
    Ok((out.etag, got.len() as u64, reports.load(std::sync::atomic::Ordering::Relaxed)))
}

/// Deletes every object and upload under the prefix, then the bucket if the run created it.
fn clean_up(s: &Session, summary: &mut Summary) -> Result<(), Box<dyn Error>> {
    let bucket = &s.bucket;
    if s.owns_bucket && !summary.bucket_created {
        return Ok(()); // it was not ours to touch
    }
    for upload in bucket.multipart_list().prefix(&s.prefix).all_uploads()? {
        bucket.multipart_abort(&upload.key, &upload.upload_id).send()?;
        s.say(&format!("Aborted the unfinished upload of {}", upload.key));
    }
    let keys: Vec<String> = bucket.list_objects_iter(&s.prefix).map(|o| o.map(|o| o.key)).collect::<Result<_, _>>()?;
    for chunk in keys.chunks(1000) {
        let out = bucket.delete_multiple_object(chunk).send()?;
        if let Some(e) = out.errors.first() {
            return Err(format!("could not delete {}: {} {}", e.key, e.code, e.message).into());
        }
        summary.deleted += out.deleted.len();
    }
    s.say(&format!("Deleted {} object(s) under {}", summary.deleted, s.prefix));
    if summary.bucket_created {
        let out = bucket.delete_bucket().send()?;
        summary.bucket_deleted = true;
        s.say(&format!("Deleted bucket {}: status {}", bucket.name(), out.meta.status));
    }
    Ok(())
}

fn main() -> ExitCode {
    let target = match Target::from_vars(|name| std::env::var(name).ok()) {
        Ok(t) => t,
        Err(message) => {
            eprintln!("quickstart: {message}");
            return ExitCode::from(2);
        }
    };
    match run(target, Arc::new(|line: &str| println!("{line}"))) {
        Ok(summary) => {
            println!("Done: {} objects deleted, multipart ETag {}", summary.deleted, summary.multipart_etag);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}
