//! The commands: each one a few calls of the SDK, its results on `out`.

use std::fmt;
use std::io::Write;
use std::path::Path;

use tencent_cos::api::object_delete::MAX_DELETE_OBJECTS;
use tencent_cos::transfer::download::local_path_for_key;
use tencent_cos::{Bucket, Error};

use super::cli::{Command, CosPath};
use super::progress::Bar;
use super::target::Connection;

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

/// Runs `command` on `connection`; `progress_bars` draws bars on `err`'s terminal (stderr).
pub fn execute(
    connection: &Connection,
    command: &Command,
    progress_bars: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    let client = &connection.client;
    let bucket = |path: &CosPath| client.bucket(path.bucket.clone());
    match command {
        Command::Ls { path: None, .. } => list_buckets(connection, out),
        Command::Ls { path: Some(path), recursive: false } => list_level(&bucket(path), &path.key, out),
        Command::Ls { path: Some(path), recursive: true } => list_all(&bucket(path), &path.key, out),
        Command::Mb(path) => {
            bucket(path).put_bucket().send()?;
            Ok(writeln!(out, "created bucket cos://{}", path.bucket)?)
        }
        Command::Rb(path) => {
            bucket(path).delete_bucket().send()?;
            Ok(writeln!(out, "removed bucket cos://{}", path.bucket)?)
        }
        Command::Put { local, dest } => put(&bucket(dest), local, dest, progress_bars, out),
        Command::Get { source, local } => get(&bucket(source), source, local, progress_bars, out),
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
fn list_buckets(connection: &Connection, out: &mut dyn Write) -> Result<(), Failure> {
    let mut marker: Option<String> = None;
    loop {
        let mut request = connection.client.get_service();
        if let Some(m) = &marker {
            request = request.marker(m);
        }
        let page = request.send()?;
        for b in &page.buckets {
            writeln!(out, "{:<24}  {:<16}  cos://{}", b.creation_date, b.location, b.name)?;
        }
        match page.next_marker.filter(|m| page.is_truncated == Some(true) && !m.is_empty()) {
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            _ => return Ok(()),
        }
    }
}

/// One object line: size, last modified, key.
fn object_line(out: &mut dyn Write, object: &tencent_cos::api::bucket_list::Object) -> std::io::Result<()> {
    writeln!(out, "{:>12}  {:<24}  {}", object.size, object.last_modified, object.key)
}

/// One level under `prefix`, delimited by `/`: the common prefixes as `DIR`, then the objects,
/// page by page.
fn list_level(bucket: &Bucket, prefix: &str, out: &mut dyn Write) -> Result<(), Failure> {
    let mut marker: Option<String> = None;
    loop {
        let mut request = bucket.get_bucket().prefix(prefix).delimiter("/");
        if let Some(m) = &marker {
            request = request.marker(m);
        }
        let page = request.send()?;
        for dir in &page.common_prefixes {
            writeln!(out, "{:>12}  {:<24}  {dir}", "DIR", "")?;
        }
        for object in &page.contents {
            object_line(out, object)?;
        }
        match page.next_page_marker()? {
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            Some(next) => return Err(Failure::Local(format!("the listing did not advance past {next:?}"))),
            None => return Ok(()),
        }
    }
}

/// Every object under `prefix`, however deep, with the paging iterator.
fn list_all(bucket: &Bucket, prefix: &str, out: &mut dyn Write) -> Result<(), Failure> {
    for object in bucket.list_objects_iter(prefix) {
        object_line(out, &object?)?;
    }
    Ok(())
}

fn put(bucket: &Bucket, local: &Path, dest: &CosPath, bars: bool, out: &mut dyn Write) -> Result<(), Failure> {
    let metadata = std::fs::metadata(local).map_err(|e| Failure::Local(format!("{}: {e}", local.display())))?;
    if metadata.is_dir() {
        return Err(Failure::Local(format!("{} is a directory; put uploads one file", local.display())));
    }
    let name = local
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Failure::Local(format!("{} has no file name that can end a key (UTF-8)", local.display())))?;
    let key = dest.key_or_in_dir(name);
    let bar = Bar::new("put", bars);
    let uploaded = bucket.upload_file(&key, local).on_progress(bar.on_progress()).send();
    bar.clear();
    let uploaded = uploaded?;
    let kind = if uploaded.upload_id.is_some() { ", multipart" } else { "" };
    writeln!(out, "uploaded {} -> cos://{}/{key} ({} bytes{kind})", local.display(), bucket.name(), uploaded.size)?;
    Ok(())
}

/// `LOCAL` names a directory when it is one or ends in a separator: the object goes to
/// `LOCAL/KEY` then.
fn is_directory(local: &Path) -> bool {
    local.is_dir() || local.as_os_str().to_str().is_some_and(|s| s.ends_with(std::path::is_separator))
}

fn get(bucket: &Bucket, source: &CosPath, local: &Path, bars: bool, out: &mut dyn Write) -> Result<(), Failure> {
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
