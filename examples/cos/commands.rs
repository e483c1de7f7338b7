//! The commands: each one a few calls of the SDK, its results on `out`.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use tencent_cos::api::Entry;
use tencent_cos::api::MAX_DELETE_OBJECTS;
use tencent_cos::transfer::local_path_for_key;
use tencent_cos::{Bucket, Error};

use super::cli::{self, Command, CosPath, Env};
use super::progress::Bar;
use super::target::Connection;
use super::tree;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// A call of the SDK failed (a COS answer, the network, a local file, a refused argument).
    Cos(Error),
    /// Something the command itself found wrong.
    Local(String),
    /// Ctrl-C stopped the command; what was kept for resuming.
    Interrupted(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Cos(e) => write!(f, "{e}"),
            Failure::Local(message) | Failure::Interrupted(message) => f.write_str(message),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Cos(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Local(format!("cannot write the output: {e}"))
    }
}

/// Runs `command` on `connection`: `put -` reads `input`; `env.progress_bars` draws bars on
/// `err`'s terminal (stderr).
pub fn execute(
    connection: &Connection,
    command: &Command,
    env: &Env,
    input: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    let progress_bars = env.progress_bars;
    let client = &connection.client;
    let bucket = |path: &CosPath| client.bucket(path.bucket.clone());
    match command {
        Command::Ls { path: None, json, .. } => list_buckets(connection, *json, out),
        Command::Ls { path: Some(path), recursive: false, json } => list_level(&bucket(path), &path.key, *json, out),
        Command::Ls { path: Some(path), recursive: true, json } => list_all(&bucket(path), &path.key, *json, out),
        Command::Mb(path) => {
            bucket(path).put_bucket().send()?;
            Ok(writeln!(out, "created bucket cos://{}", path.bucket)?)
        }
        Command::Rb(path) => {
            bucket(path).delete_bucket().send()?;
            Ok(writeln!(out, "removed bucket cos://{}", path.bucket)?)
        }
        Command::Put { local, dest } => put(&bucket(dest), local, dest, env, out),
        Command::PutStdin { dest } => {
            let bar = Bar::new("put", progress_bars);
            let uploaded = bucket(dest).upload_reader(&dest.key, input).on_progress(bar.on_progress()).send();
            bar.clear();
            let uploaded = uploaded?;
            let kind = if uploaded.upload_id.is_some() { ", multipart" } else { "" };
            // stdout may be the data's next stage: the result line goes to stderr.
            Ok(writeln!(err, "uploaded - -> {dest} ({} bytes{kind})", uploaded.size)?)
        }
        Command::Get { source, local } => get(&bucket(source), source, local, progress_bars, out),
        Command::Cat { source } => {
            let body = bucket(source).get_object(&source.key).send()?;
            let mut reader = body.into_reader();
            std::io::copy(&mut reader, out).map_err(|e| Failure::Local(format!("{source}: {e}")))?;
            Ok(out.flush()?)
        }
        Command::Tree { name, direction, options } => tree::run(connection, name, direction, options, out),
        Command::Signurl { path, expires, method } => {
            let url = bucket(path).get_object_url(&path.key).expires(*expires).method(*method).build()?;
            Ok(writeln!(out, "{url}")?)
        }
        Command::Stat(path) => {
            let head = bucket(path)
                .head_object(&path.key)
                .send()
                .map_err(|e| explain_bodiless(&bucket(path), &path.key, e))?;
            // Lower case, as HTTP/2 and most HTTP/1 stacks hand them over: one spelling whatever
            // the transport.
            for (name, value) in head.meta.headers.iter() {
                writeln!(out, "{}: {value}", name.to_ascii_lowercase())?;
            }
            Ok(())
        }
        Command::HashLocal(local) => {
            let file = std::fs::File::open(local).map_err(|e| Failure::Local(format!("{}: {e}", local.display())))?;
            let (crc, md5) = hash(file).map_err(|e| Failure::Local(format!("{}: {e}", local.display())))?;
            Ok(writeln!(out, "crc64 {crc}  md5 {md5}  {}", local.display())?)
        }
        Command::HashRemote(path) => {
            let body = bucket(path).get_object(&path.key).send()?;
            let (crc, md5) = hash(body.into_reader()).map_err(|e| Failure::Local(format!("{path}: {e}")))?;
            Ok(writeln!(out, "crc64 {crc}  md5 {md5}  {path}")?)
        }
        Command::Du(path) => {
            let (mut objects, mut bytes) = (0u64, 0u64);
            for object in bucket(path).list_objects_iter(&path.key) {
                objects += 1;
                bytes += object?.size;
            }
            Ok(writeln!(out, "{bytes} bytes in {objects} object(s) under {path}")?)
        }
        Command::Lsparts(path) => {
            let bucket = bucket(path);
            // The server's clock as the client knows it, as `abort --older-than` ages uploads.
            let local = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let now = local.saturating_add_signed(bucket.client().clock_offset());
            for upload in bucket.multipart_list().prefix(path.key.as_str()).all_uploads()? {
                let initiated = upload.initiated.as_deref().unwrap_or("?");
                let age = age_of(&upload, now).map_or_else(|| "?".to_owned(), format_age);
                writeln!(out, "{initiated:<24}  {age:>7}  {}  {}", upload.upload_id, upload.key)?;
            }
            Ok(())
        }
        Command::Abort { path, older_than } => {
            let bucket = bucket(path);
            let older_than = std::time::Duration::from_secs(older_than.unwrap_or(0));
            let done = bucket.abort_incomplete_uploads(path.key.as_str(), older_than).send()?;
            for (key, upload_id) in &done.aborted {
                writeln!(out, "aborted cos://{}/{key} (upload {upload_id})", bucket.name())?;
            }
            for f in &done.failed {
                writeln!(
                    err,
                    "cos: could not abort cos://{}/{} (upload {}): {}",
                    bucket.name(),
                    f.key,
                    f.upload_id,
                    f.error
                )?;
            }
            if !done.failed.is_empty() {
                let (failed, aborted) = (done.failed.len(), done.aborted.len());
                return Err(Failure::Local(format!("{failed} upload(s) could not be aborted ({aborted} were)")));
            }
            Ok(writeln!(out, "aborted {} upload(s) under {path}", done.aborted.len())?)
        }
        Command::Cp { source, dest } => {
            let name = source.key.rsplit('/').next().unwrap_or(&source.key);
            let key = dest.key_or_in_dir(name);
            let bar = Bar::new("cp", progress_bars);
            let copied = bucket(dest)
                .slice_copy_file_from(&key, &source.bucket, &connection.region, &source.key)
                .on_progress(bar.on_progress())
                .send();
            bar.clear();
            let copied = copied.map_err(|e| explain_bodiless(&bucket(source), &source.key, e))?;
            Ok(writeln!(out, "copied {source} -> cos://{}/{key} ({} bytes)", dest.bucket, copied.size)?)
        }
        Command::Rm { path, recursive: false } => {
            bucket(path).delete_object(&path.key).send()?;
            Ok(writeln!(out, "deleted {path}")?)
        }
        Command::Rm { path, recursive: true } => remove_all(&bucket(path), path, out, err),
    }
}

/// Every bucket of the account: creation date, region, `cos://NAME`.
fn list_buckets(connection: &Connection, json: bool, out: &mut dyn Write) -> Result<(), Failure> {
    let mut marker: Option<String> = None;
    loop {
        let mut request = connection.client.get_service();
        if let Some(m) = &marker {
            request = request.marker(m);
        }
        let page = request.send()?;
        for b in &page.buckets {
            if json {
                let line = serde_json::json!({"name": b.name, "region": b.location, "creation_date": b.creation_date});
                writeln!(out, "{line}")?;
            } else {
                writeln!(out, "{:<24}  {:<16}  cos://{}", b.creation_date, b.location, b.name)?;
            }
        }
        match page.next_marker.filter(|m| page.is_truncated == Some(true) && !m.is_empty()) {
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            _ => return Ok(()),
        }
    }
}

/// One object line: size, last modified, key; or a JSON object with these and the ETag and
/// storage class.
fn object_line(out: &mut dyn Write, object: &tencent_cos::api::Object, json: bool) -> std::io::Result<()> {
    if json {
        let line = serde_json::json!({
            "key": object.key,
            "size": object.size,
            "last_modified": object.last_modified,
            "etag": object.etag,
            "storage_class": object.storage_class.as_str(),
        });
        writeln!(out, "{line}")
    } else {
        writeln!(out, "{:>12}  {:<24}  {}", object.size, object.last_modified, object.key)
    }
}

/// One level under `prefix`, delimited by `/`: objects and common prefixes (`DIR`) in name
/// order, page by page (`get_bucket().entries()`).
fn list_level(bucket: &Bucket, prefix: &str, json: bool, out: &mut dyn Write) -> Result<(), Failure> {
    for entry in bucket.get_bucket().prefix(prefix).delimiter("/").entries() {
        match entry? {
            Entry::Prefix(dir) if json => writeln!(out, "{}", serde_json::json!({ "prefix": dir }))?,
            Entry::Prefix(dir) => writeln!(out, "{:>12}  {:<24}  {dir}", "DIR", "")?,
            Entry::Object(object) => object_line(out, &object, json)?,
        }
    }
    Ok(())
}

/// Every object under `prefix`, however deep, with the paging iterator.
fn list_all(bucket: &Bucket, prefix: &str, json: bool, out: &mut dyn Write) -> Result<(), Failure> {
    for object in bucket.list_objects_iter(prefix) {
        object_line(out, &object?, json)?;
    }
    Ok(())
}

fn put(bucket: &Bucket, local: &Path, dest: &CosPath, env: &Env, out: &mut dyn Write) -> Result<(), Failure> {
    let metadata = std::fs::metadata(local).map_err(|e| Failure::Local(format!("{}: {e}", local.display())))?;
    if metadata.is_dir() {
        return Err(Failure::Local(format!("{} is a directory; put -r uploads a directory", local.display())));
    }
    let name = local
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Failure::Local(format!("{} has no file name that can end a key (UTF-8)", local.display())))?;
    let key = dest.key_or_in_dir(name);
    let bar = Bar::new("put", env.progress_bars);
    let task =
        bucket.upload_file(&key, local).on_progress(bar.on_progress()).on_hash_progress(bar.on_hash_progress()).start();
    let uploaded = match task {
        Ok(task) => wait_or_pause(bucket, &key, task, env.interrupt),
        Err(e) => Err(e.into()),
    };
    bar.clear();
    let uploaded = uploaded?;
    let kind = match (uploaded.upload_id.is_some(), uploaded.resumed_parts) {
        (false, _) => String::new(),
        (true, 0) => ", multipart".to_owned(),
        (true, n) => format!(", multipart, resumed {n} part(s)"),
    };
    writeln!(out, "uploaded {} -> cos://{}/{key} ({} bytes{kind})", local.display(), bucket.name(), uploaded.size)?;
    Ok(())
}

/// Waits for an upload; on Ctrl-C pauses it (parts in flight finish, the multipart upload
/// stays on COS) and fails with what was kept: the upload id and the parts done.
fn wait_or_pause(
    bucket: &Bucket,
    key: &str,
    task: tencent_cos::transfer::TaskHandle,
    interrupt: Option<&cli::Interrupt>,
) -> Result<tencent_cos::transfer::TransferOutput, Failure> {
    use tencent_cos::transfer::TaskState;
    const TICK: std::time::Duration = std::time::Duration::from_millis(50);
    let Some(interrupt) = interrupt else { return Ok(task.wait()?) };
    interrupt.arm(true);
    while !interrupt.is_set() {
        if let Some(result) = task.wait_timeout(TICK) {
            interrupt.arm(false);
            return Ok(result?);
        }
    }
    task.pause();
    // Parts in flight finish first: bounded by the client's timeouts, checked every tick.
    let paused = loop {
        match task.state() {
            TaskState::Paused => break true,
            state if state.is_finished() => break false,
            _ => std::thread::sleep(TICK),
        }
    };
    if !paused {
        // It finished while pausing: its result stands.
        interrupt.arm(false);
        return match task.wait_timeout(TICK) {
            Some(result) => Ok(result?),
            None => Err(Failure::Local("the upload neither finished nor paused".into())),
        };
    }
    let kept = bucket.multipart_list().prefix(key).all_uploads()?.into_iter().rfind(|u| u.key == key);
    let Some(upload) = kept else {
        return Err(Failure::Interrupted("nothing was uploaded yet; nothing kept".into()));
    };
    let parts = bucket.multipart_list_part(key, &upload.upload_id).all_parts()?.len();
    Err(Failure::Interrupted(format!(
        "kept upload {} of cos://{}/{key} with {parts} part(s) done; the same put resumes it, `cos abort` removes it",
        upload.upload_id,
        bucket.name()
    )))
}

/// `LOCAL` names a directory when it is one or ends in a separator: the object goes to
/// `LOCAL/KEY` then.
fn is_directory(local: &Path) -> bool {
    local.is_dir() || local.as_os_str().to_str().is_some_and(|s| s.ends_with(std::path::is_separator))
}

fn get(bucket: &Bucket, source: &CosPath, local: &Path, bars: bool, out: &mut dyn Write) -> Result<(), Failure> {
    // A file in a directory that does not exist: say which, before any request.
    if !is_directory(local)
        && let Some(parent) = local.parent().filter(|p| !p.as_os_str().is_empty() && !p.is_dir())
    {
        return Err(Failure::Local(format!("{}: no such directory", parent.display())));
    }
    let bar = Bar::new("get", bars);
    let (downloaded, path, made) = if is_directory(local) {
        // Refuses keys that would land outside LOCAL before anything is fetched.
        let path = local_path_for_key(local, &source.key)?;
        // The directories the download makes for the key, deepest first: removed if it fails.
        let made: Vec<std::path::PathBuf> = path
            .ancestors()
            .skip(1)
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        (bucket.download_to_dir(&source.key, local).on_progress(bar.on_progress()).send(), path, made)
    } else {
        let sent = bucket.download_file(&source.key, local).on_progress(bar.on_progress()).send();
        (sent, local.to_owned(), Vec::new())
    };
    bar.clear();
    if downloaded.is_err() {
        for dir in &made {
            // Only while empty: whatever else lands there is left alone.
            let _ = std::fs::remove_dir(dir);
        }
    }
    let downloaded = downloaded.map_err(|e| explain_bodiless(bucket, &source.key, e))?;
    writeln!(out, "downloaded {source} -> {} ({} bytes)", path.display(), downloaded.size)?;
    Ok(())
}

/// A transfer that fails at its HEAD knows only the status (`404`): HEAD answers have no body.
/// One GET of the first byte asks COS for the code (`NoSuchKey` or `NoSuchBucket`,
/// `AccessDenied`, ...) and a request id that tell what is wrong; its error replaces the bare one
/// when it fails with the same status.
fn explain_bodiless(bucket: &Bucket, key: &str, error: Error) -> Error {
    let bare = |e: &Error| e.service().is_some_and(|s| s.code == s.status.to_string());
    if !bare(&error) {
        return error;
    }
    match bucket.get_object(key).range(0..=0).send() {
        Err(explained) if explained.status() == error.status() && !bare(&explained) => explained,
        _ => error,
    }
}

/// Every object under the key of `path` as a prefix: listed, and deleted 1000 keys a request
/// while the listing goes on.
fn remove_all(bucket: &Bucket, path: &CosPath, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    let (mut deleted, mut failed) = (0usize, 0usize);
    let mut batch: Vec<String> = Vec::with_capacity(MAX_DELETE_OBJECTS);
    let mut listing = bucket.list_objects_iter(&path.key);
    loop {
        let next = listing.next().transpose()?;
        let done = next.is_none();
        batch.extend(next.map(|o| o.key));
        if batch.len() == MAX_DELETE_OBJECTS || (done && !batch.is_empty()) {
            let result = bucket.delete_multiple_object(batch.drain(..)).send()?;
            for d in &result.deleted {
                writeln!(out, "deleted cos://{}/{}", bucket.name(), d.key)?;
            }
            for e in &result.errors {
                writeln!(err, "cos: could not delete cos://{}/{}: {} {}", bucket.name(), e.key, e.code, e.message)?;
            }
            deleted += result.deleted.len();
            failed += result.errors.len();
        }
        if done {
            break;
        }
    }
    if failed > 0 {
        return Err(Failure::Local(format!("{failed} object(s) could not be deleted ({deleted} were)")));
    }
    writeln!(out, "deleted {deleted} object(s) under {path}")?;
    Ok(())
}

/// The CRC-64 (ECMA-182, as COS's `x-cos-hash-crc64ecma`) and the hex MD5 of a stream.
pub fn hash(mut reader: impl Read) -> std::io::Result<(u64, String)> {
    use md5::Digest;
    let (mut crc, mut md5) = (tencent_cos::checksum::Crc64::default(), md5::Md5::new());
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        crc.update(&buffer[..n]);
        md5.update(&buffer[..n]);
    }
    let hex = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((crc.finish(), hex))
}

/// Seconds since the upload started, from its `Initiated` time (the library's ISO-8601
/// parser); `None` when COS sent none or another format.
fn age_of(upload: &tencent_cos::api::Upload, now: u64) -> Option<u64> {
    let started = upload.initiated_time()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(now.saturating_sub(started))
}

/// `45s`, `12m30s`, `2h0m`, `3d4h`.
pub fn format_age(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m{s}s"),
        (0, _, _) => format!("{h}h{m}m"),
        _ => format!("{d}d{h}h"),
    }
}
