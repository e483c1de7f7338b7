//! The commands: each one a few calls of the SDK, its results on `out`.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use tencent_cos::api::object_delete::MAX_DELETE_OBJECTS;
use tencent_cos::transfer::download::local_path_for_key;
use tencent_cos::{Bucket, Error};

use super::cli::{Command, CosPath, Env};
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
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Cos(e) => write!(f, "{e}"),
            Failure::Local(message) => f.write_str(message),
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
        Command::Put { local, dest } => put(&bucket(dest), local, dest, progress_bars, out),
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
            for upload in unfinished(&bucket(path), &path.key)? {
                let age = age_of(&upload, env.now());
                let initiated = upload.initiated.as_deref().unwrap_or("?");
                let age = age.map_or_else(|| "?".to_owned(), format_age);
                writeln!(out, "{initiated:<24}  {age:>7}  {}  {}", upload.upload_id, upload.key)?;
            }
            Ok(())
        }
        Command::Abort { path, older_than } => {
            let bucket = bucket(path);
            let mut aborted = 0usize;
            for upload in unfinished(&bucket, &path.key)? {
                let age = age_of(&upload, env.now());
                // An upload whose age cannot be told is kept when an age is asked for.
                if older_than.is_some_and(|min| age.is_none_or(|a| a < min)) {
                    continue;
                }
                bucket.multipart_abort(&upload.key, &upload.upload_id).send()?;
                let age = age.map_or_else(|| "?".to_owned(), format_age);
                writeln!(
                    out,
                    "aborted cos://{}/{} (upload {}, age {age})",
                    bucket.name(),
                    upload.key,
                    upload.upload_id
                )?;
                aborted += 1;
            }
            Ok(writeln!(out, "aborted {aborted} upload(s) under {path}")?)
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
fn object_line(out: &mut dyn Write, object: &tencent_cos::api::bucket_list::Object, json: bool) -> std::io::Result<()> {
    if json {
        let line = serde_json::json!({
            "key": object.key,
            "size": object.size,
            "last_modified": object.last_modified,
            "etag": object.etag,
            "storage_class": object.storage_class,
        });
        writeln!(out, "{line}")
    } else {
        writeln!(out, "{:>12}  {:<24}  {}", object.size, object.last_modified, object.key)
    }
}

/// One level under `prefix`, delimited by `/`: the common prefixes as `DIR`, then the objects,
/// page by page.
fn list_level(bucket: &Bucket, prefix: &str, json: bool, out: &mut dyn Write) -> Result<(), Failure> {
    let mut marker: Option<String> = None;
    loop {
        let mut request = bucket.get_bucket().prefix(prefix).delimiter("/");
        if let Some(m) = &marker {
            request = request.marker(m);
        }
        let page = request.send()?;
        for dir in &page.common_prefixes {
            if json {
                writeln!(out, "{}", serde_json::json!({ "prefix": dir }))?;
            } else {
                writeln!(out, "{:>12}  {:<24}  {dir}", "DIR", "")?;
            }
        }
        for object in &page.contents {
            object_line(out, object, json)?;
        }
        match page.next_page_marker()? {
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            Some(next) => return Err(Failure::Local(format!("the listing did not advance past {next:?}"))),
            None => return Ok(()),
        }
    }
}

/// Every object under `prefix`, however deep, with the paging iterator.
fn list_all(bucket: &Bucket, prefix: &str, json: bool, out: &mut dyn Write) -> Result<(), Failure> {
    for object in bucket.list_objects_iter(prefix) {
        object_line(out, &object?, json)?;
    }
    Ok(())
}

fn put(bucket: &Bucket, local: &Path, dest: &CosPath, bars: bool, out: &mut dyn Write) -> Result<(), Failure> {
    let metadata = std::fs::metadata(local).map_err(|e| Failure::Local(format!("{}: {e}", local.display())))?;
    if metadata.is_dir() {
        return Err(Failure::Local(format!("{} is a directory; put -r uploads a directory", local.display())));
    }
    let name = local
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Failure::Local(format!("{} has no file name that can end a key (UTF-8)", local.display())))?;
    let key = dest.key_or_in_dir(name);
    let bar = Bar::new("put", bars);
    let uploaded =
        bucket.upload_file(&key, local).on_progress(bar.on_progress()).on_hash_progress(bar.on_hash_progress()).send();
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
    let (downloaded, path) = if is_directory(local) {
        // Refuses keys that would land outside LOCAL before anything is fetched.
        let path = local_path_for_key(local, &source.key)?;
        (bucket.download_to_dir(&source.key, local).on_progress(bar.on_progress()).send(), path)
    } else {
        (bucket.download_file(&source.key, local).on_progress(bar.on_progress()).send(), local.to_owned())
    };
    bar.clear();
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

/// Every unfinished multipart upload under `prefix`, page by page (key and upload-id markers).
fn unfinished(bucket: &Bucket, prefix: &str) -> Result<Vec<tencent_cos::api::multipart_list::Upload>, Failure> {
    let mut uploads = Vec::new();
    let mut markers: Option<(String, String)> = None;
    loop {
        let mut request = bucket.multipart_list().prefix(prefix);
        if let Some((key, id)) = &markers {
            request = request.key_marker(key).upload_id_marker(id);
        }
        let page = request.send()?;
        let last = page.uploads.last().map(|u| (u.key.clone(), u.upload_id.clone()));
        uploads.extend(page.uploads);
        if !page.is_truncated {
            return Ok(uploads);
        }
        let next = match (page.next_key_marker, page.next_upload_id_marker) {
            (Some(k), Some(i)) if !k.is_empty() => Some((k, i)),
            _ => last,
        };
        match next {
            Some(next) if markers.as_ref() != Some(&next) => markers = Some(next),
            _ => return Err(Failure::Local("the upload listing did not advance".into())),
        }
    }
}

/// Seconds since the upload started, from its `Initiated` time; `None` when COS sent none or
/// one that is not `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn age_of(upload: &tencent_cos::api::multipart_list::Upload, now: u64) -> Option<u64> {
    let started = parse_iso8601(upload.initiated.as_deref()?)?;
    Some(now.saturating_sub(started))
}

/// `2023-11-14T22:13:20.000Z` (fraction optional) in Unix seconds.
pub fn parse_iso8601(text: &str) -> Option<u64> {
    let text = text.strip_suffix('Z')?;
    let text = text.split_once('.').map_or(text, |(whole, _)| whole);
    let (date, time) = text.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, min, s) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + min * 60 + s).ok()
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
