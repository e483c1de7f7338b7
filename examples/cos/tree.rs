//! `put -r`, `get -r` and `sync`: a local directory against a prefix, either way.
//!
//! | what | rule |
//! | --- | --- |
//! | paths | a file `DIR/a/b.txt` is the object `PREFIX/a/b.txt` (`PREFIX` gets a `/` when it has none); objects whose key ends in `/` (folder markers) are not files |
//! | unsafe keys | downloading, a key whose path under the prefix would leave the directory (`..`, `.`, an empty segment, `\`) is refused and named (`transfer::local_path_for_key`); the others move |
//! | clashes | downloading, an object `P` beside objects under `P/` is left out and named (a local `P` cannot be both a file and a directory); the others move |
//! | filters | a path is selected when it matches an `--include` (or none is given) and no `--exclude`; a glob without `/` matches the file name, one with `/` the whole relative path; `*` and `?` stay within a name, `**` crosses `/` |
//! | `sync` compares | a file moves when the other side lacks it, the sizes differ, or the sizes are equal and the CRC-64 differ (one HEAD, and the local file read); `put -r` / `get -r` move every selected file |
//! | `--delete` | deletes from the destination the selected paths the source lacks (never an excluded one) |
//! | output | one line per file moved or deleted, sorted by path, then `SUMMARY: uploaded N, skipped N, deleted N, B bytes` (`downloaded` for the other way) |
//! | parallel | four files at a time (each a managed transfer on the client's part pool) |

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tencent_cos::Bucket;
use tencent_cos::api::MAX_DELETE_OBJECTS;
use tencent_cos::transfer::local_path_for_key;

use super::cli::{Direction, TreeOptions};
use super::commands::Failure;
use super::target::Connection;

/// Files moved at the same time.
const PARALLEL_FILES: usize = 4;

/// `*` and `?` within a `/`-separated name, `**` across names (`**/` also matches no directory).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    matches(&p, &t)
}

fn matches(p: &[char], t: &[char]) -> bool {
    match p {
        [] => t.is_empty(),
        ['*', '*', rest @ ..] => {
            let after_slash = rest.strip_prefix(&['/']).is_some_and(|r| matches(r, t));
            after_slash || (0..=t.len()).any(|i| matches(rest, &t[i..]))
        }
        ['*', rest @ ..] => {
            let within = t.iter().position(|&c| c == '/').unwrap_or(t.len());
            (0..=within).any(|i| matches(rest, &t[i..]))
        }
        ['?', rest @ ..] => t.first().is_some_and(|&c| c != '/') && matches(rest, &t[1..]),
        [c, rest @ ..] => t.first() == Some(c) && matches(rest, &t[1..]),
    }
}

/// Whether the filters select the relative path `path`.
pub fn selected(options: &TreeOptions, path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let hit = |glob: &String| glob_match(glob, if glob.contains('/') { path } else { name });
    (options.include.is_empty() || options.include.iter().any(hit)) && !options.exclude.iter().any(hit)
}

/// Every regular file under `root` by its `/`-separated relative path, with its size.
/// Symbolic links are not followed; a name that is not UTF-8 is an error naming it.
fn local_files(root: &Path) -> Result<BTreeMap<String, u64>, Failure> {
    let meta = std::fs::metadata(root).map_err(|e| Failure::Local(format!("{}: {e}", root.display())))?;
    if !meta.is_dir() {
        return Err(Failure::Local(format!("{}: not a directory", root.display())));
    }
    let mut files = BTreeMap::new();
    let mut pending = vec![(root.to_owned(), String::new())];
    while let Some((dir, relative)) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Failure::Local(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| Failure::Local(format!("{}: {e}", dir.display())))?;
            let name = entry.file_name();
            let name =
                name.to_str().ok_or_else(|| Failure::Local(format!("{}: not a UTF-8 name", entry.path().display())))?;
            let path = format!("{relative}{name}");
            let kind = entry.file_type().map_err(|e| Failure::Local(format!("{}: {e}", entry.path().display())))?;
            if kind.is_dir() {
                pending.push((entry.path(), format!("{path}/")));
            } else if kind.is_file() {
                let size = entry.metadata().map_err(|e| Failure::Local(format!("{}: {e}", entry.path().display())))?;
                files.insert(path, size.len());
            }
        }
    }
    Ok(files)
}

/// Every object under `prefix` by its key less the prefix, with its size.
fn remote_files(bucket: &Bucket, prefix: &str) -> Result<BTreeMap<String, u64>, Failure> {
    let mut files = BTreeMap::new();
    for object in bucket.list_objects_iter(prefix) {
        let object = object?;
        if let Some(relative) = object.key.strip_prefix(prefix).filter(|r| !r.is_empty() && !r.ends_with('/')) {
            files.insert(relative.to_owned(), object.size);
        }
    }
    Ok(files)
}

/// What happened to one file.
enum Outcome {
    Moved(u64),
    Skipped,
}

/// Whether a local file and an object of the same size hold the same bytes, by CRC-64.
fn same_crc(bucket: &Bucket, key: &str, local: &Path) -> Result<bool, Failure> {
    let head = bucket.head_object(key).send()?;
    let Some(remote) = head.properties.crc64 else { return Ok(false) };
    let file = std::fs::File::open(local).map_err(|e| Failure::Local(format!("{}: {e}", local.display())))?;
    let (crc, _) = super::commands::hash(file).map_err(|e| Failure::Local(format!("{}: {e}", local.display())))?;
    Ok(crc == remote)
}

/// Runs `put -r`, `get -r` or `sync` (`name`).
pub fn run(
    connection: &Connection,
    name: &str,
    direction: &Direction,
    options: &TreeOptions,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let (remote, local, up) = match direction {
        Direction::Up { local, remote } => (remote, local, true),
        Direction::Down { remote, local } => (remote, local, false),
    };
    let bucket = connection.client.bucket(remote.bucket.clone());
    let prefix = remote.dir_prefix();
    // `cos://B/PREFIX/path`, also at the bucket's root (an empty prefix).
    let remote_path = |relative: &str| format!("cos://{}/{prefix}{relative}", remote.bucket);
    if local.is_file() {
        let hint = match (name, up) {
            ("sync", _) => "sync takes a directory",
            (_, true) => "without -r, put uploads one file",
            (_, false) => "without -r, get downloads one object",
        };
        return Err(Failure::Local(format!("{}: a file, not a directory ({hint})", local.display())));
    }
    let local_side = if up || local.exists() { local_files(local)? } else { BTreeMap::new() };
    let remote_side = remote_files(&bucket, &prefix)?;
    let (source, target) = if up { (&local_side, &remote_side) } else { (&remote_side, &local_side) };
    let local_path = |relative: &str| -> PathBuf { relative.split('/').fold(local.to_owned(), |p, part| p.join(part)) };
    let mut work: Vec<(&String, u64)> =
        source.iter().filter(|(path, _)| selected(options, path)).map(|(p, s)| (p, *s)).collect();
    // Downloading, a key that would not stay in the directory (`..`, `a//b`, `\`) is refused by
    // `local_path_for_key`; an object `P` and objects under `P/` cannot all be local files (`P`
    // would be a file and a directory): `P` is left out. Both are named, whatever order the
    // transfers run in.
    let mut refused = Vec::new();
    if !up {
        work.retain(|&(relative, _)| match local_path_for_key(local, relative) {
            Ok(_) => true,
            Err(e) => {
                refused.push(format!("{} -> not downloaded: {e}", remote_path(relative)));
                false
            }
        });
        work.retain(|&(relative, _)| {
            let dir = format!("{relative}/");
            let Some((inner, _)) = source.range(dir.clone()..).next().filter(|(k, _)| k.starts_with(&dir)) else {
                return true;
            };
            let file = local_path(relative).display().to_string();
            refused.push(format!(
                "{} -> {file}: not downloaded, {file} is the directory of {}",
                remote_path(relative),
                remote_path(inner)
            ));
            false
        });
    }

    let queue = Mutex::new(work.iter());
    let results: Mutex<Vec<(String, Result<Outcome, Failure>)>> = Mutex::new(Vec::new());
    let move_one = |relative: &str, size: u64| -> Result<Outcome, Failure> {
        let (key, path) = (format!("{prefix}{relative}"), local_path(relative));
        if options.compare && target.get(relative) == Some(&size) && same_crc(&bucket, &key, &path)? {
            return Ok(Outcome::Skipped);
        }
        if up {
            Ok(Outcome::Moved(bucket.upload_file(&key, &path).send()?.size))
        } else {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Failure::Local(format!("{}: {e}", parent.display())))?;
            }
            Ok(Outcome::Moved(bucket.download_file(&key, &path).send()?.size))
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_FILES.min(work.len()) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                    let Some(&(relative, size)) = next else { break };
                    let outcome = move_one(relative, size);
                    results.lock().unwrap_or_else(|p| p.into_inner()).push((relative.clone(), outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let (mut moved, mut skipped, mut bytes, mut failed) = (0usize, 0usize, 0u64, refused);
    let verb = if up { "uploaded" } else { "downloaded" };
    for (relative, outcome) in results {
        let (from, to) = if up {
            (local_path(&relative).display().to_string(), remote_path(&relative))
        } else {
            (remote_path(&relative), local_path(&relative).display().to_string())
        };
        match outcome {
            Ok(Outcome::Moved(size)) => {
                writeln!(out, "{verb} {from} -> {to} ({size} bytes)")?;
                moved += 1;
                bytes += size;
            }
            Ok(Outcome::Skipped) => skipped += 1,
            Err(e) => failed.push(format!("{from} -> {to}: {e}")),
        }
    }

    let mut deleted = 0usize;
    if options.delete && failed.is_empty() {
        let extra: Vec<&String> =
            target.keys().filter(|path| !source.contains_key(*path) && selected(options, path)).collect();
        if up {
            for batch in extra.chunks(MAX_DELETE_OBJECTS) {
                let result = bucket.delete_multiple_object(batch.iter().map(|p| format!("{prefix}{p}"))).send()?;
                let mut gone: Vec<&str> = result.deleted.iter().map(|d| d.key.as_str()).collect();
                gone.sort_unstable();
                for key in gone {
                    writeln!(out, "deleted cos://{}/{key}", remote.bucket)?;
                    deleted += 1;
                }
                failed.extend(
                    result
                        .errors
                        .iter()
                        .map(|e| format!("cos://{}/{}: {} {}", remote.bucket, e.key, e.code, e.message)),
                );
            }
        } else {
            for relative in extra {
                let path = local_path(relative);
                match std::fs::remove_file(&path) {
                    Ok(()) => {
                        writeln!(out, "deleted {}", path.display())?;
                        deleted += 1;
                    }
                    Err(e) => failed.push(format!("{}: {e}", path.display())),
                }
            }
        }
    }
    writeln!(out, "{name}: {verb} {moved}, skipped {skipped}, deleted {deleted}, {bytes} bytes")?;
    match failed.as_slice() {
        [] => Ok(()),
        [one] => Err(Failure::Local(one.clone())),
        [first, ..] => Err(Failure::Local(format!("{} files failed, the first: {first}", failed.len()))),
    }
}
