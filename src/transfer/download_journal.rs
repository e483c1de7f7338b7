//! The local side of a download: the data file `<path>.<random>.part` (written at part
//! offsets, renamed to `<path>` once verified) and the sidecar `<path>.cosdownload`, a small
//! text journal naming the data file and listing the parts already in it with their CRC-64,
//! so an interrupted download resumes.
//!
//! The format and what is trusted are described in [`crate::transfer::download`]; the safe
//! file-system primitives are in [`crate::transfer::local_files`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::checksum::Crc64;
use crate::http::read_at;
use crate::percent::encode_component;
use crate::transfer::local_files::{
    create_unique, is_random_suffix, is_same_file, open_own_file, read_bounded, with_suffix,
};
use crate::transfer::parts::PlannedPart;

const MAGIC: &str = "tencent-cos download v2";
/// Least time between two rewrites of the sidecar while parts finish.
const JOURNAL_INTERVAL: Duration = Duration::from_secs(1);
/// The most a sidecar may hold besides its part records (the header is well under 4 KiB).
const SIDECAR_BASE_LIMIT: u64 = 1024 * 1024;
/// The longest part record: `part 4294967295 18446744073709551615\n` is 37 bytes.
const SIDECAR_RECORD_LIMIT: u64 = 40;

/// A part on disk and the CRC-64 of its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FetchedPart {
    pub(crate) number: u32,
    pub(crate) crc64: u64,
    pub(crate) len: u64,
}

/// The fixed names of one download: the target and its sidecar.
#[derive(Clone, Debug)]
pub(crate) struct LocalFiles {
    pub(crate) target: PathBuf,
    pub(crate) sidecar: PathBuf,
}

/// The data file of one download, open, under its random name.
#[derive(Clone, Debug)]
pub(crate) struct DataFile {
    /// The random part of the name, recorded in the sidecar.
    pub(crate) suffix: String,
    pub(crate) path: PathBuf,
    pub(crate) file: Arc<File>,
}

impl LocalFiles {
    pub(crate) fn new(target: &Path) -> Self {
        LocalFiles { target: target.to_owned(), sidecar: with_suffix(target, ".cosdownload") }
    }

    /// The data file's name for `suffix`.
    pub(crate) fn data_path(&self, suffix: &str) -> PathBuf {
        with_suffix(&self.target, &format!(".{suffix}.part"))
    }

    /// A new, empty data file under a fresh random name (never an existing file or a link).
    pub(crate) fn create_data(&self) -> io::Result<DataFile> {
        let (file, path, suffix) = create_unique(|s| self.data_path(s))?;
        Ok(DataFile { suffix, path, file: Arc::new(file) })
    }

    /// The existing data file of `suffix`, if it is the download's own regular file (see
    /// [`open_own_file`]).
    pub(crate) fn open_data(&self, suffix: &str) -> io::Result<DataFile> {
        let path = self.data_path(suffix);
        let file = open_own_file(&path, true)?;
        Ok(DataFile { suffix: suffix.to_owned(), path, file: Arc::new(file) })
    }

    /// Removes the data file and the sidecar (nothing to resume from any more). Removing a
    /// name never follows a link.
    pub(crate) fn discard(&self, data: Option<&DataFile>) {
        if let Some(data) = data {
            let _ = std::fs::remove_file(&data.path);
        }
        let _ = std::fs::remove_file(&self.sidecar);
    }

    /// Removes the data file the sidecar names (read within the bound for `part_count`
    /// parts): a run that starts over leaves no orphan of an earlier one. Only the sidecar's first lines are needed (its
    /// records may be bad); only names of the form `<path>.<16 hex>.part` can be named, so a
    /// forged sidecar cannot point this anywhere else.
    pub(crate) fn remove_stale_data(&self, part_count: usize) {
        let Some(bytes) = read_sidecar_bytes(&self.sidecar, part_count) else { return };
        if let Some((_, data, _)) = parse_head(&String::from_utf8_lossy(&bytes)) {
            let _ = std::fs::remove_file(self.data_path(data));
        }
    }

    /// Moves the verified data to the target and drops the sidecar. An existing target's
    /// permissions carry over to the new file; the data file must still be the one written.
    pub(crate) fn commit(&self, data: &DataFile) -> io::Result<()> {
        if !is_same_file(&data.path, &data.file) {
            return Err(io::Error::other(format!(
                "{} was replaced while the download ran: not moved to the target",
                data.path.display()
            )));
        }
        if let Ok(existing) = std::fs::symlink_metadata(&self.target)
            && existing.file_type().is_file()
        {
            data.file.set_permissions(existing.permissions())?;
        }
        std::fs::rename(&data.path, &self.target)?;
        let _ = std::fs::remove_file(&self.sidecar);
        Ok(())
    }
}

/// What identifies the data a sidecar describes.
pub(crate) struct JournalHeader<'a> {
    pub(crate) bucket: &'a str,
    pub(crate) key: &'a str,
    pub(crate) etag: &'a str,
    pub(crate) size: u64,
    pub(crate) part_size: u64,
}

impl JournalHeader<'_> {
    fn text(&self) -> String {
        format!(
            "{MAGIC}\nbucket {}\nkey {}\netag {}\nsize {}\npart-size {}\n",
            self.bucket,
            encode_component(self.key),
            self.etag.replace(['\r', '\n'], ""),
            self.size,
            self.part_size
        )
    }
}

/// A sidecar as read: its header lines, the data file's suffix, the part records.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Sidecar {
    header: String,
    pub(crate) data: String,
    pub(crate) parts: BTreeMap<u32, u64>,
}

impl Sidecar {
    /// True when it describes the data `header` names.
    pub(crate) fn matches(&self, header: &JournalHeader<'_>) -> bool {
        self.header == header.text()
    }
}

/// The sidecar at `path` of a download of `part_count` parts; `None` when it is missing, is
/// not the download's own regular file, is longer than the bound, or is malformed in any way.
pub(crate) fn read_sidecar(path: &Path, part_count: usize) -> Option<Sidecar> {
    let bytes = read_sidecar_bytes(path, part_count)?;
    parse_sidecar(std::str::from_utf8(&bytes).ok()?, part_count)
}

/// The bytes of the sidecar, if it is the download's own regular file of at most 1 MiB plus
/// 40 bytes a part.
fn read_sidecar_bytes(path: &Path, part_count: usize) -> Option<Vec<u8>> {
    let file = open_own_file(path, false).ok()?;
    let limit = SIDECAR_BASE_LIMIT + part_count as u64 * SIDECAR_RECORD_LIMIT;
    read_bounded(&file, limit).ok()?
}

/// A decimal number as this crate writes it: digits only, no sign, no leading zero.
fn canonical<T: std::str::FromStr>(s: &str) -> Option<T> {
    let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if plain { s.parse().ok() } else { None }
}

/// The magic line and the five header lines with their labels, then one `data <16 hex>` line:
/// the header text, the data file's suffix, and the rest of the text.
fn parse_head(text: &str) -> Option<(String, &str, &str)> {
    let mut rest = text;
    let mut line = || -> Option<&str> {
        let (line, after) = rest.split_once('\n')?;
        rest = after;
        Some(line)
    };
    let mut header = String::new();
    for label in [None, Some("bucket "), Some("key "), Some("etag "), Some("size "), Some("part-size ")] {
        let line = line()?;
        let ok = match label {
            None => line == MAGIC,
            Some(label) => line.strip_prefix(label).is_some_and(|v| !v.is_empty() && !v.contains('\r')),
        };
        if !ok {
            return None;
        }
        header.push_str(line);
        header.push('\n');
    }
    let data = line()?.strip_prefix("data ").filter(|d| is_random_suffix(d))?;
    Some((header, data, rest))
}

/// Parses a sidecar strictly: [`parse_head`], then `part <n> <crc64>` lines with `n` in
/// 1..=`part_count`, strictly ascending; every line ends with `\n`. Anything else is `None`.
fn parse_sidecar(text: &str, part_count: usize) -> Option<Sidecar> {
    let (header, data, rest) = parse_head(text)?;
    let mut parts = BTreeMap::new();
    let mut last = 0u32;
    let records = if rest.is_empty() { None } else { Some(rest.strip_suffix('\n')?) };
    for line in records.into_iter().flat_map(|r| r.split('\n')) {
        let mut fields = line.split(' ');
        let (Some("part"), Some(n), Some(crc), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        let (n, crc): (u32, u64) = (canonical(n)?, canonical(crc)?);
        if n <= last || n as usize > part_count {
            return None;
        }
        last = n;
        parts.insert(n, crc);
    }
    Some(Sidecar { header, data: data.to_owned(), parts })
}

/// The CRC-64 of `len` bytes of `file` at `offset`, read in small pieces; `None` when the file
/// is shorter.
pub(crate) fn crc_on_disk(file: &File, offset: u64, len: u64) -> io::Result<Option<u64>> {
    let mut buf = vec![0u8; len.min(256 * 1024) as usize];
    let mut crc = Crc64::new();
    let mut done = 0u64;
    while done < len {
        let want = (len - done).min(buf.len() as u64) as usize;
        let n = read_at(file, &mut buf[..want], offset + done)?;
        if n == 0 {
            return Ok(None);
        }
        crc.update(&buf[..n]);
        done += n as u64;
    }
    Ok(Some(crc.finish()))
}

/// The recorded parts whose bytes on disk still hash to their record.
pub(crate) fn verified_parts(file: &File, parts: &[PlannedPart], records: &BTreeMap<u32, u64>) -> Vec<FetchedPart> {
    parts
        .iter()
        .filter_map(|p| {
            let recorded = *records.get(&p.number)?;
            let on_disk = crc_on_disk(file, p.offset, p.len).ok().flatten()?;
            (on_disk == recorded).then_some(FetchedPart { number: p.number, crc64: recorded, len: p.len })
        })
        .collect()
}

/// The sidecar being kept up to date while a download runs. Writes are best effort: the
/// sidecar only saves work on a resume, and every byte is checked by CRC anyway.
pub(crate) struct Journal {
    header: String,
    parts: BTreeMap<u32, u64>,
    files: LocalFiles,
    last_write: Option<Instant>,
    dirty: bool,
}

impl Journal {
    /// A journal of `done` in the data file `data`, written at once (replacing any stale
    /// sidecar).
    pub(crate) fn start(files: &LocalFiles, header: &JournalHeader<'_>, data: &str, done: &[FetchedPart]) -> Self {
        let mut journal = Journal {
            header: format!("{}data {data}\n", header.text()),
            parts: done.iter().map(|p| (p.number, p.crc64)).collect(),
            files: files.clone(),
            last_write: None,
            dirty: true,
        };
        journal.flush();
        journal
    }

    /// Records a finished part; rewrites the sidecar when the last write is old enough.
    pub(crate) fn record(&mut self, part: &FetchedPart) {
        self.parts.insert(part.number, part.crc64);
        self.dirty = true;
        if self.last_write.is_none_or(|t| t.elapsed() >= JOURNAL_INTERVAL) {
            self.flush();
        }
    }

    /// Writes the sidecar now if anything changed since the last write: to a new file under a
    /// random name (never through an existing name or link), renamed over the sidecar (which
    /// replaces a link there rather than following it).
    pub(crate) fn flush(&mut self) {
        if !self.dirty {
            return;
        }
        let mut text = self.header.clone();
        for (n, crc) in &self.parts {
            text.push_str(&format!("part {n} {crc}\n"));
        }
        let sidecar = &self.files.sidecar;
        let written = create_unique(|s| with_suffix(sidecar, &format!(".{s}.tmp"))).and_then(|(mut file, tmp, _)| {
            let renamed = file.write_all(text.as_bytes()).and_then(|()| std::fs::rename(&tmp, sidecar));
            if renamed.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            renamed
        });
        if written.is_ok() {
            self.dirty = false;
        }
        self.last_write = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> JournalHeader<'static> {
        JournalHeader { bucket: "b-1", key: "a b/c", etag: "\"e-2\"", size: 10, part_size: 4 }
    }

    const DATA: &str = "data 0123456789abcdef\n";

    #[test]
    fn records_round_trip_and_anything_else_is_refused() {
        let h = header().text();
        assert_eq!(h, "tencent-cos download v2\nbucket b-1\nkey a%20b%2Fc\netag \"e-2\"\nsize 10\npart-size 4\n");
        let parsed = parse_sidecar(&format!("{h}{DATA}part 1 7\npart 3 18446744073709551615\n"), 3).unwrap();
        assert!(parsed.matches(&header()));
        assert!(!parsed.matches(&JournalHeader { size: 11, ..header() }));
        assert_eq!(parsed.data, "0123456789abcdef");
        assert_eq!(parsed.parts.into_iter().collect::<Vec<_>>(), [(1, 7), (3, u64::MAX)]);
        assert!(parse_sidecar(&format!("{h}{DATA}"), 3).unwrap().parts.is_empty());
        let v1 = h.replace("v2", "v1");
        for bad in [
            format!("{v1}{DATA}part 1 7\n"),
            format!("{h}part 1 7\n"),                          // no data line
            format!("{h}data 0123\npart 1 7\n"),               // short suffix
            format!("{h}data ../../../../../etc/passwd\n"),    // a path
            format!("{h}data 0123456789ABCDEF\n"),             // upper case
            format!("{h}{DATA}part 1\n"),                      // missing CRC
            format!("{h}{DATA}part x 7\n"),                    // not a number
            format!("{h}{DATA}part 1 7 8\n"),                  // extra field
            format!("{h}{DATA}junk\n"),                        // another line
            format!("{h}{DATA}part 1 -7\n"),                   // signed
            format!("{h}{DATA}part +1 7\n"),                   // signed
            format!("{h}{DATA}part 01 7\n"),                   // leading zero
            format!("{h}{DATA}part 1 07\n"),                   // leading zero
            format!("{h}{DATA}part 0 7\n"),                    // no part 0
            format!("{h}{DATA}part 4 7\n"),                    // beyond the last part
            format!("{h}{DATA}part 2 7\npart 1 7\n"),          // out of order
            format!("{h}{DATA}part 1 7\npart 1 7\n"),          // twice
            format!("{h}{DATA}part 1 18446744073709551616\n"), // beyond u64
            format!("{h}{DATA}part 1 7"),                      // no final newline
            format!("{h}{DATA}part 1 7\r\n"),                  // CR
            format!("{h}{DATA}\n"),                            // empty line
            h.replace("bucket ", "bucket:"),                   // label
            h.replace("size 10", "size "),                     // empty value
            String::new(),
        ] {
            assert!(parse_sidecar(&bad, 3).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_the_target_with_a_suffix() {
        let f = LocalFiles::new(Path::new("/tmp/x.tar.gz"));
        assert_eq!(f.data_path("0123456789abcdef"), Path::new("/tmp/x.tar.gz.0123456789abcdef.part"));
        assert_eq!(f.sidecar, Path::new("/tmp/x.tar.gz.cosdownload"));
    }
}
