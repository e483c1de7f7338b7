//! The local side of a download: `<path>.part` (the data, written at part offsets, renamed to
//! `<path>` once verified) and the sidecar `<path>.cosdownload`, a small text journal of the
//! parts already on disk with their CRC-64, so an interrupted download resumes.
//!
//! The format is described in [`crate::transfer::download`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::checksum::Crc64;
use crate::http::read_at;
use crate::percent::encode_component;
use crate::transfer::parts::PlannedPart;

const MAGIC: &str = "tencent-cos download v1";
/// Least time between two rewrites of the sidecar while parts finish.
const JOURNAL_INTERVAL: Duration = Duration::from_secs(1);

/// A part on disk and the CRC-64 of its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FetchedPart {
    pub(crate) number: u32,
    pub(crate) crc64: u64,
    pub(crate) len: u64,
}

/// The files of one download.
#[derive(Clone, Debug)]
pub(crate) struct LocalFiles {
    pub(crate) target: PathBuf,
    pub(crate) part: PathBuf,
    pub(crate) sidecar: PathBuf,
    sidecar_tmp: PathBuf,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl LocalFiles {
    pub(crate) fn new(target: &Path) -> Self {
        LocalFiles {
            target: target.to_owned(),
            part: with_suffix(target, ".part"),
            sidecar: with_suffix(target, ".cosdownload"),
            sidecar_tmp: with_suffix(target, ".cosdownload.tmp"),
        }
    }

    /// Removes the partial data and the sidecar (nothing to resume from any more).
    pub(crate) fn discard(&self) {
        for p in [&self.part, &self.sidecar, &self.sidecar_tmp] {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Moves the verified data to the target and drops the sidecar.
    pub(crate) fn commit(&self) -> io::Result<()> {
        std::fs::rename(&self.part, &self.target)?;
        for p in [&self.sidecar, &self.sidecar_tmp] {
            let _ = std::fs::remove_file(p);
        }
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

/// The `part` records of a sidecar whose header is exactly `header`; `None` when the sidecar is
/// missing, describes other data, or is malformed in any way.
pub(crate) fn read_sidecar(path: &Path, header: &JournalHeader<'_>) -> Option<BTreeMap<u32, u64>> {
    let text = std::fs::read_to_string(path).ok()?;
    parse_records(&text, &header.text())
}

fn parse_records(text: &str, header: &str) -> Option<BTreeMap<u32, u64>> {
    let rest = text.strip_prefix(header)?;
    let mut parts = BTreeMap::new();
    for line in rest.lines() {
        let mut fields = line.split(' ');
        let (Some("part"), Some(n), Some(crc), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        parts.insert(n.parse().ok()?, crc.parse().ok()?);
    }
    Some(parts)
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
    path: PathBuf,
    tmp: PathBuf,
    last_write: Option<Instant>,
    dirty: bool,
}

impl Journal {
    /// A journal of `done`, written at once (replacing any stale sidecar).
    pub(crate) fn start(files: &LocalFiles, header: &JournalHeader<'_>, done: &[FetchedPart]) -> Self {
        let mut journal = Journal {
            header: header.text(),
            parts: done.iter().map(|p| (p.number, p.crc64)).collect(),
            path: files.sidecar.clone(),
            tmp: files.sidecar_tmp.clone(),
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

    /// Writes the sidecar now if anything changed since the last write.
    pub(crate) fn flush(&mut self) {
        if !self.dirty {
            return;
        }
        let mut text = self.header.clone();
        for (n, crc) in &self.parts {
            text.push_str(&format!("part {n} {crc}\n"));
        }
        let written = std::fs::write(&self.tmp, text).and_then(|()| std::fs::rename(&self.tmp, &self.path));
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

    #[test]
    fn records_round_trip_and_anything_else_is_refused() {
        let h = header().text();
        assert_eq!(h, "tencent-cos download v1\nbucket b-1\nkey a%20b%2Fc\netag \"e-2\"\nsize 10\npart-size 4\n");
        let parsed = parse_records(&format!("{h}part 1 7\npart 3 18446744073709551615\n"), &h).unwrap();
        assert_eq!(parsed.into_iter().collect::<Vec<_>>(), [(1, 7), (3, u64::MAX)]);
        assert!(parse_records(&h, &h).unwrap().is_empty());
        let other = JournalHeader { size: 11, ..header() }.text();
        for bad in [
            format!("{other}part 1 7\n"),
            format!("{h}part 1\n"),
            format!("{h}part x 7\n"),
            format!("{h}part 1 7 8\n"),
            format!("{h}junk\n"),
            format!("{h}part 1 -7\n"),
            String::new(),
        ] {
            assert!(parse_records(&bad, &h).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn suffixes_are_appended_to_the_whole_name() {
        let f = LocalFiles::new(Path::new("/tmp/x.tar.gz"));
        assert_eq!(f.part, Path::new("/tmp/x.tar.gz.part"));
        assert_eq!(f.sidecar, Path::new("/tmp/x.tar.gz.cosdownload"));
    }
}
