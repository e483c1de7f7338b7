//! The data directory (`--data-dir`, [`EmulatorBuilder::data_dir`](super::EmulatorBuilder::data_dir)):
//! buckets, objects, metadata, tags, ACLs, CORS, bucket configurations, versions and delete
//! markers, retentions, restores and unfinished multipart uploads kept on disk, so that they
//! survive a restart.
//!
//! ```text
//! DIR/blobs/<id>                               bytes of objects and parts, immutable, fsynced
//! DIR/buckets/<bucket>/bucket                  region, owner, ACL, CORS, configurations (tagging,
//!                                              policy, versioning, lifecycle, accelerate, website,
//!                                              referer, encryption, replication, logging, domain,
//!                                              origin, inventory, intelligent tiering)
//! DIR/buckets/<bucket>/objects/<sha1(key)>     key, ETag, CRC-64, date, owner, metadata (headers,
//!                                              x-cos-meta-*, storage class, SSE, tags, appendable),
//!                                              retention, restore expiry, ACL, blob windows
//! DIR/buckets/<bucket>/uploads/<sha1(key, id)> key, UploadId, initiated, initiator, metadata, ACL,
//!                                              parts (ETag, MD5, date) and their blobs
//! DIR/buckets/<bucket>/versions/<sha1(key)>    a versioned key's history, oldest first: each
//!                                              version (id, then its object's fields) or delete
//!                                              marker (id, time); it, not `objects/`, says which
//!                                              is current
//! DIR/trash/                                   deleted buckets on their way out
//! ```
//!
//! | Guarantee | How |
//! |---|---|
//! | Bodies never held whole in memory | streamed into a blob as they arrive (the HTTP front), read back in 256 KiB pieces |
//! | Every write atomic | a record is written to a temporary file, fsynced, renamed over the old one, and its directory fsynced; a blob is complete and fsynced before any record names it |
//! | A crash leaves the old state or the new | a record names only complete blobs; a blob no record names (a body cut by the crash) is deleted at the next start, as are leftover temporary files |
//! | Old bytes go when nothing uses them | a blob is deleted when the last object, part or answer in flight using it is gone, after the record that named it was replaced |
//!
//! Records are lines of `field value...`, values percent-encoded. Optional fields are written
//! only when set, so a record of an older version (without `restored-until`, say) still loads.
//! What is not kept: temporary keys ([`Emulator::issue_temporary_credentials`](super::Emulator::issue_temporary_credentials)),
//! by design.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sha1::{Digest, Sha1};

use crate::checksum::hex;
use crate::{decode_component, encode_component};

use super::access::{Acl, Canned, Grantee, Permission};
use super::content::{Blob, Content};
use super::sse::Sse;
use super::store::{BucketConfigs, BucketState, CorsConfig, CorsRule, ObjectMeta, Part, State, StoredObject, Upload};
use super::versions::{ObjectVersion, VersionEntry};

/// An open data directory.
pub(crate) struct Disk {
    root: PathBuf,
    /// Set when the emulator goes away: its blobs then stay on disk for the next start.
    keep: Arc<AtomicBool>,
    counter: AtomicU64,
}

impl std::fmt::Debug for Disk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Disk").field("root", &self.root).finish()
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        self.keep.store(true, Ordering::SeqCst);
    }
}

fn invalid(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

fn enc(s: &str) -> String {
    encode_component(s)
}

fn dec(s: &str) -> io::Result<String> {
    decode_component(s).ok_or_else(|| invalid(format!("bad percent-encoding {s:?}")))
}

fn num<T: std::str::FromStr>(s: &str) -> io::Result<T> {
    s.trim().parse().map_err(|_| invalid(format!("not a number: {s:?}")))
}

/// Makes a rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// A blob being written; deleted unless [`finish`](BlobWriter::finish)ed.
pub(crate) struct BlobWriter {
    id: String,
    path: PathBuf,
    file: Option<File>,
    len: u64,
    keep: Arc<AtomicBool>,
}

impl BlobWriter {
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let file = self.file.as_mut().ok_or_else(|| invalid("blob already finished"))?;
        file.write_all(bytes)?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Flushes the bytes to the disk and opens them for reading.
    pub(crate) fn finish(mut self) -> io::Result<Arc<Blob>> {
        let file = self.file.take().ok_or_else(|| invalid("blob already finished"))?;
        file.sync_all()?;
        let path = std::mem::take(&mut self.path);
        Ok(Arc::new(Blob::new(std::mem::take(&mut self.id), path, file, self.len, self.keep.clone())))
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

impl Disk {
    /// Opens (creating it if needed) the data directory and loads its state.
    pub(crate) fn open(root: &Path) -> io::Result<(Disk, State)> {
        for sub in ["blobs", "buckets", "trash"] {
            fs::create_dir_all(root.join(sub))?;
        }
        let disk = Disk { root: root.to_owned(), keep: Arc::new(AtomicBool::new(false)), counter: AtomicU64::new(0) };
        let _ = fs::remove_dir_all(root.join("trash"));
        fs::create_dir_all(root.join("trash"))?;
        let state = disk.load()?;
        Ok((disk, state))
    }

    fn fresh_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        format!("{nanos:x}-{:x}-{n:x}", std::process::id())
    }

    /// A new, empty blob to stream bytes into.
    pub(crate) fn blob_writer(&self) -> io::Result<BlobWriter> {
        let id = self.fresh_id();
        let path = self.root.join("blobs").join(&id);
        let file = OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
        Ok(BlobWriter { id, path, file: Some(file), len: 0, keep: self.keep.clone() })
    }

    /// `content` with every byte in a blob: itself when it already is, else a copy in a new one.
    pub(crate) fn durable(&self, content: &Content) -> io::Result<Content> {
        if content.blob_windows().is_some() {
            return Ok(content.clone());
        }
        let mut w = self.blob_writer()?;
        content.for_each_chunk(|c| w.write_all(c))?;
        Ok(Content::from_blob(w.finish()?))
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        // Bucket names are `[a-z0-9-]`, safe as a file name.
        self.root.join("buckets").join(bucket)
    }

    /// Writes `text` to `path` atomically: temporary file, fsync, rename, directory fsync.
    fn write_record(&self, path: &Path, text: &str) -> io::Result<()> {
        let dir = path.parent().ok_or_else(|| invalid("a record path has no directory"))?;
        let tmp = dir.join(format!(".tmp-{}", self.fresh_id()));
        let written = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, path)?;
            sync_dir(dir)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    fn remove_record(&self, path: &Path) -> io::Result<()> {
        match fs::remove_file(path) {
            Ok(()) => sync_dir(path.parent().unwrap_or(&self.root)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates or rewrites a bucket's own record (not its objects).
    pub(crate) fn save_bucket(&self, b: &BucketState) -> io::Result<()> {
        let dir = self.bucket_dir(&b.name);
        fs::create_dir_all(dir.join("objects"))?;
        fs::create_dir_all(dir.join("uploads"))?;
        fs::create_dir_all(dir.join("versions"))?;
        sync_dir(&self.root.join("buckets"))?;
        self.write_record(&dir.join("bucket"), &bucket_record(b))
    }

    /// Deletes a bucket and everything in it (moved to the trash first, in one rename).
    pub(crate) fn remove_bucket(&self, bucket: &str) -> io::Result<()> {
        let dir = self.bucket_dir(bucket);
        let trash = self.root.join("trash").join(self.fresh_id());
        match fs::rename(&dir, &trash) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
        sync_dir(&self.root.join("buckets"))?;
        let _ = fs::remove_dir_all(&trash);
        Ok(())
    }

    fn object_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.bucket_dir(bucket).join("objects").join(hex(Sha1::digest(key.as_bytes()).as_slice()))
    }

    fn upload_path(&self, bucket: &str, key: &str, upload_id: &str) -> PathBuf {
        let name = hex(Sha1::digest(format!("{key}\0{upload_id}").as_bytes()).as_slice());
        self.bucket_dir(bucket).join("uploads").join(name)
    }

    pub(crate) fn save_object(&self, bucket: &str, key: &str, o: &StoredObject) -> io::Result<()> {
        self.write_record(&self.object_path(bucket, key), &object_record(key, o)?)
    }

    pub(crate) fn remove_object(&self, bucket: &str, key: &str) -> io::Result<()> {
        self.remove_record(&self.object_path(bucket, key))
    }

    fn versions_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.bucket_dir(bucket).join("versions").join(hex(Sha1::digest(key.as_bytes()).as_slice()))
    }

    /// Writes the history of `key` (oldest first); an empty one removes its record.
    pub(crate) fn save_versions(&self, bucket: &str, key: &str, list: &[ObjectVersion]) -> io::Result<()> {
        let path = self.versions_path(bucket, key);
        if list.is_empty() {
            return self.remove_record(&path);
        }
        fs::create_dir_all(self.bucket_dir(bucket).join("versions"))?;
        self.write_record(&path, &versions_record(key, list)?)
    }

    pub(crate) fn save_upload(&self, bucket: &str, key: &str, upload_id: &str, u: &Upload) -> io::Result<()> {
        self.write_record(&self.upload_path(bucket, key, upload_id), &upload_record(key, upload_id, u)?)
    }

    pub(crate) fn remove_upload(&self, bucket: &str, key: &str, upload_id: &str) -> io::Result<()> {
        self.remove_record(&self.upload_path(bucket, key, upload_id))
    }

    /// Reads every record; deletes leftover temporary files and blobs no record names.
    fn load(&self) -> io::Result<State> {
        let mut blobs = BlobTable { dir: self.root.join("blobs"), open: HashMap::new(), keep: self.keep.clone() };
        let mut state = State::default();
        for entry in fs::read_dir(self.root.join("buckets"))? {
            let dir = entry?.path();
            let record = match fs::read_to_string(dir.join("bucket")) {
                Ok(r) => r,
                // A bucket directory without its record was never created: drop it.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let _ = fs::remove_dir_all(&dir);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut bucket = parse_bucket(&record).map_err(|e| context(&dir.join("bucket"), e))?;
            for sub in ["objects", "uploads", "versions"] {
                let kind = sub;
                let sub = dir.join(sub);
                fs::create_dir_all(&sub)?;
                for entry in fs::read_dir(&sub)? {
                    let path = entry?.path();
                    if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(".tmp-")) {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    let text = fs::read_to_string(&path)?;
                    if kind == "objects" {
                        let (key, object) = parse_object(&text, &mut blobs).map_err(|e| context(&path, e))?;
                        bucket.objects.insert(key, Arc::new(object));
                    } else if kind == "uploads" {
                        let (key, id, upload) = parse_upload(&text, &mut blobs).map_err(|e| context(&path, e))?;
                        bucket.uploads.insert((key, id), upload);
                    } else {
                        let (key, list) = parse_versions(&text, &mut blobs).map_err(|e| context(&path, e))?;
                        // The history says what is current (it is written before the object's record).
                        match list.last().map(|v| &v.entry) {
                            Some(VersionEntry::Object(o)) => bucket.objects.insert(key.clone(), o.clone()),
                            _ => bucket.objects.remove(&key),
                        };
                        bucket.versions.keys.insert(key, list);
                    }
                }
            }
            bucket.versions.resume_ids();
            state.buckets.insert(bucket.name.clone(), bucket);
        }
        for entry in fs::read_dir(self.root.join("blobs"))? {
            let entry = entry?;
            let name = entry.file_name();
            if !blobs.open.contains_key(name.to_string_lossy().as_ref()) {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(state)
    }
}

fn context(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Blobs opened while loading, one [`Blob`] per id however many records name it.
struct BlobTable {
    dir: PathBuf,
    open: HashMap<String, Arc<Blob>>,
    keep: Arc<AtomicBool>,
}

impl BlobTable {
    fn get(&mut self, id: &str) -> io::Result<Arc<Blob>> {
        if id.is_empty() || id.contains(['/', '\\', '.']) {
            return Err(invalid(format!("bad blob id {id:?}")));
        }
        if let Some(b) = self.open.get(id) {
            return Ok(b.clone());
        }
        let path = self.dir.join(id);
        let file = File::open(&path).map_err(|e| context(&path, e))?;
        let len = file.metadata()?.len();
        let blob = Arc::new(Blob::new(id.to_owned(), path, file, len, self.keep.clone()));
        self.open.insert(id.to_owned(), blob.clone());
        Ok(blob)
    }
}

// ---- records ----

fn push(out: &mut String, field: &str, values: &[&str]) {
    out.push_str(field);
    for v in values {
        out.push(' ');
        out.push_str(v);
    }
    out.push('\n');
}

fn acl_lines(out: &mut String, acl: &Acl) {
    push(out, "acl", &[acl.canned.as_str()]);
    for (grantee, permission) in &acl.grants {
        match grantee {
            Grantee::AllUsers => push(out, "grant-all", &[permission.as_str()]),
            Grantee::User(id) => push(out, "grant", &[permission.as_str(), &enc(id)]),
        }
    }
}

fn meta_lines(out: &mut String, m: &ObjectMeta) {
    for (field, value) in [
        ("content-type", &m.content_type),
        ("content-disposition", &m.content_disposition),
        ("content-encoding", &m.content_encoding),
        ("content-language", &m.content_language),
        ("cache-control", &m.cache_control),
        ("expires", &m.expires),
    ] {
        if let Some(v) = value {
            push(out, field, &[&enc(v)]);
        }
    }
    for (name, value) in &m.user {
        push(out, "meta", &[&enc(name), &enc(value)]);
    }
    push(out, "storage-class", &[&enc(&m.storage_class)]);
    if let Some(sse) = &m.sse {
        push(out, "sse", &[&sse.to_record()]);
    }
    for (key, value) in &m.tags {
        push(out, "tag", &[&enc(key), &enc(value)]);
    }
    if m.appendable {
        push(out, "appendable", &[]);
    }
}

/// `field blob-id start end` for each window of `content`.
fn content_lines(out: &mut String, field: &str, prefix: &[&str], content: &Content) -> io::Result<()> {
    let windows = content.blob_windows().ok_or_else(|| invalid("content not in blobs"))?;
    for (blob, start, end) in windows {
        let mut values = prefix.to_vec();
        let (s, e) = (start.to_string(), end.to_string());
        values.extend([blob.id.as_str(), s.as_str(), e.as_str()]);
        push(out, field, &values);
    }
    Ok(())
}

fn bucket_record(b: &BucketState) -> String {
    let mut out = String::new();
    push(&mut out, "name", &[&enc(&b.name)]);
    push(&mut out, "region", &[&enc(&b.region)]);
    push(&mut out, "owner", &[&enc(&b.owner_uin)]);
    push(&mut out, "appid", &[&b.appid.to_string()]);
    push(&mut out, "created", &[&b.created.to_string()]);
    acl_lines(&mut out, &b.acl);
    if let Some(cors) = &b.cors {
        push(&mut out, "cors", &[]);
        if let Some(v) = &cors.response_vary {
            push(&mut out, "cors-vary", &[&enc(v)]);
        }
        for r in &cors.rules {
            push(&mut out, "cors-rule", &[]);
            if let Some(id) = &r.id {
                push(&mut out, "cors-id", &[&enc(id)]);
            }
            for (field, values) in [
                ("cors-origin", &r.allowed_origins),
                ("cors-method", &r.allowed_methods),
                ("cors-header", &r.allowed_headers),
                ("cors-expose", &r.expose_headers),
            ] {
                for v in values {
                    push(&mut out, field, &[&enc(v)]);
                }
            }
            if let Some(age) = r.max_age_seconds {
                push(&mut out, "cors-max-age", &[&age.to_string()]);
            }
        }
    }
    config_lines(&mut out, &b.configs);
    out
}

/// The bucket configurations (tagging, policy, versioning, lifecycle, accelerate, and the XML
/// documents and inventories kept canonically).
fn config_lines(out: &mut String, c: &BucketConfigs) {
    if let Some(tags) = &c.tags {
        push(out, "tags", &[]);
        for (k, v) in tags {
            push(out, "tag", &[&enc(k), &enc(v)]);
        }
    }
    if let Some(p) = &c.policy {
        push(out, "policy", &[&enc(p)]);
    }
    if let Some(v) = &c.versioning {
        push(out, "versioning", &[&enc(v)]);
    }
    if let Some(l) = &c.lifecycle {
        push(out, "lifecycle", &[&enc(l)]);
    }
    if let Some((status, kind)) = &c.accelerate {
        match kind {
            Some(k) => push(out, "accelerate", &[&enc(status), &enc(k)]),
            None => push(out, "accelerate", &[&enc(status)]),
        }
    }
    for (name, xml) in &c.documents {
        push(out, "config", &[&enc(name), &enc(xml)]);
    }
    for (id, xml) in &c.inventories {
        push(out, "inventory", &[&enc(id), &enc(xml)]);
    }
    for (id, xml) in &c.tierings {
        push(out, "tiering", &[&enc(id), &enc(xml)]);
    }
    for domain in &c.certified_domains {
        push(out, "certified", &[&enc(domain)]);
    }
}

/// Reads a configuration line into `c`; false for a field that is not one.
fn config_field(field: &str, v: &[&str], c: &mut BucketConfigs) -> io::Result<bool> {
    match (field, v) {
        ("tags", _) => c.tags = Some(Vec::new()),
        ("tag", [k, value]) => {
            c.tags.as_mut().ok_or_else(|| invalid("a tag before `tags`"))?.push((dec(k)?, dec(value)?))
        }
        ("policy", [p]) => c.policy = Some(dec(p)?),
        ("versioning", [s]) => c.versioning = Some(dec(s)?),
        ("lifecycle", [l]) => c.lifecycle = Some(dec(l)?),
        ("accelerate", [s]) => c.accelerate = Some((dec(s)?, None)),
        ("accelerate", [s, k]) => c.accelerate = Some((dec(s)?, Some(dec(k)?))),
        ("config", [name, xml]) => {
            c.documents.insert(dec(name)?, dec(xml)?);
        }
        ("inventory", [id, xml]) => {
            c.inventories.insert(dec(id)?, dec(xml)?);
        }
        ("tiering", [id, xml]) => {
            c.tierings.insert(dec(id)?, dec(xml)?);
        }
        ("certified", [domain]) => {
            c.certified_domains.insert(dec(domain)?);
        }
        (
            "tag" | "policy" | "versioning" | "lifecycle" | "accelerate" | "config" | "inventory" | "tiering"
            | "certified",
            _,
        ) => {
            return Err(invalid(format!("`{field}` with {} values", v.len())));
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn object_record(key: &str, o: &StoredObject) -> io::Result<String> {
    let mut out = String::new();
    push(&mut out, "key", &[&enc(key)]);
    object_fields(&mut out, o)?;
    Ok(out)
}

/// A history: `key`, then per version `version ID` and its object's fields, or `marker ID TIME`.
fn versions_record(key: &str, list: &[ObjectVersion]) -> io::Result<String> {
    let mut out = String::new();
    push(&mut out, "key", &[&enc(key)]);
    for v in list {
        match &v.entry {
            VersionEntry::Object(o) => {
                push(&mut out, "version", &[&enc(&v.id)]);
                object_fields(&mut out, o)?;
            }
            VersionEntry::DeleteMarker { last_modified } => {
                push(&mut out, "marker", &[&enc(&v.id), &last_modified.to_string()]);
            }
        }
    }
    Ok(out)
}

/// Reads a history written by [`versions_record`]; each version's fields are read as an object
/// record of the key.
fn parse_versions(text: &str, blobs: &mut BlobTable) -> io::Result<(String, Vec<ObjectVersion>)> {
    let mut key = None;
    let mut list = Vec::new();
    // The version being read: its id and its object record so far.
    let mut open: Option<(String, String)> = None;
    let finish = |open: &mut Option<(String, String)>, list: &mut Vec<ObjectVersion>, blobs: &mut BlobTable| {
        if let Some((id, record)) = open.take() {
            let (_, o) = parse_object(&record, blobs)?;
            list.push(ObjectVersion { id, entry: VersionEntry::Object(Arc::new(o)) });
        }
        Ok::<_, io::Error>(())
    };
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (field, v) = lines(line).next().ok_or_else(|| invalid("an empty line"))?;
        match field {
            "key" if key.is_none() => key = Some(first(&v)?.to_owned()),
            "version" => {
                finish(&mut open, &mut list, blobs)?;
                let k = key.as_deref().ok_or_else(|| invalid("a version before `key`"))?;
                open = Some((dec(first(&v)?)?, format!("key {k}\n")));
            }
            "marker" => {
                finish(&mut open, &mut list, blobs)?;
                let [id, time] = v.as_slice() else { return Err(invalid("a marker needs id and time")) };
                list.push(ObjectVersion {
                    id: dec(id)?,
                    entry: VersionEntry::DeleteMarker { last_modified: num(time)? },
                });
            }
            _ => {
                let (_, record) = open.as_mut().ok_or_else(|| invalid(format!("`{field}` outside a version")))?;
                record.push_str(line);
                record.push('\n');
            }
        }
    }
    finish(&mut open, &mut list, blobs)?;
    let key = dec(&key.ok_or_else(|| invalid("a history without its key"))?)?;
    Ok((key, list))
}

/// The fields of an object record after its key.
fn object_fields(out: &mut String, o: &StoredObject) -> io::Result<()> {
    push(out, "etag", &[&enc(&o.etag)]);
    push(out, "crc64", &[&o.crc64.to_string()]);
    push(out, "last-modified", &[&o.last_modified.to_string()]);
    push(out, "owner", &[&enc(&o.owner_uin)]);
    push(out, "size", &[&o.content.len().to_string()]);
    if let Some(t) = o.retain_until {
        push(out, "retain-until", &[&t.to_string()]);
    }
    if let Some(t) = o.restored_until {
        push(out, "restored-until", &[&t.to_string()]);
    }
    meta_lines(out, &o.meta);
    acl_lines(out, &o.acl);
    content_lines(out, "blob", &[], &o.content)
}

fn upload_record(key: &str, upload_id: &str, u: &Upload) -> io::Result<String> {
    let mut out = String::new();
    push(&mut out, "key", &[&enc(key)]);
    push(&mut out, "upload-id", &[&enc(upload_id)]);
    push(&mut out, "initiated", &[&u.initiated.to_string()]);
    push(&mut out, "initiator", &[&enc(&u.initiator_uin)]);
    meta_lines(&mut out, &u.meta);
    acl_lines(&mut out, &u.acl);
    for (number, part) in &u.parts {
        let n = number.to_string();
        push(&mut out, "part", &[&n, &enc(&part.etag), &hex(&part.md5), &part.last_modified.to_string()]);
        content_lines(&mut out, "part-blob", &[&n], &part.content)?;
    }
    Ok(out)
}

/// `(field, values)` of each line.
fn lines(text: &str) -> impl Iterator<Item = (&str, Vec<&str>)> {
    text.lines().filter(|l| !l.is_empty()).map(|l| {
        let mut words = l.split(' ');
        let field = words.next().unwrap_or("");
        (field, words.collect())
    })
}

fn first<'a>(values: &[&'a str]) -> io::Result<&'a str> {
    values.first().copied().ok_or_else(|| invalid("a field without its value"))
}

/// Reads the ACL and metadata fields of a record; false for a field of neither.
fn acl_or_meta(field: &str, v: &[&str], acl: &mut Acl, meta: &mut ObjectMeta) -> io::Result<bool> {
    let perm = |s: &str| Permission::parse(s).ok_or_else(|| invalid(format!("bad permission {s:?}")));
    match field {
        "acl" => {
            acl.canned = Canned::parse(first(v)?, true).ok_or_else(|| invalid(format!("bad canned ACL {:?}", v[0])))?
        }
        "grant" if v.len() == 2 => acl.grants.push((Grantee::from_id(&dec(v[1])?), perm(v[0])?)),
        "grant-all" => acl.grants.push((Grantee::AllUsers, perm(first(v)?)?)),
        "content-type" => meta.content_type = Some(dec(first(v)?)?),
        "content-disposition" => meta.content_disposition = Some(dec(first(v)?)?),
        "content-encoding" => meta.content_encoding = Some(dec(first(v)?)?),
        "content-language" => meta.content_language = Some(dec(first(v)?)?),
        "cache-control" => meta.cache_control = Some(dec(first(v)?)?),
        "expires" => meta.expires = Some(dec(first(v)?)?),
        "meta" if v.len() == 2 => meta.user.push((dec(v[0])?, dec(v[1])?)),
        "tag" if v.len() == 2 => meta.tags.push((dec(v[0])?, dec(v[1])?)),
        "appendable" => meta.appendable = true,
        "storage-class" => meta.storage_class = dec(first(v)?)?,
        "sse" => meta.sse = Some(Sse::from_record(&v.join(" ")).ok_or_else(|| invalid("bad sse"))?),
        _ => return Ok(false),
    }
    Ok(true)
}

fn window(blobs: &mut BlobTable, v: &[&str]) -> io::Result<Content> {
    let [id, start, end] = v else { return Err(invalid("a blob window needs id, start, end")) };
    let blob = blobs.get(id)?;
    let (start, end): (u64, u64) = (num(start)?, num(end)?);
    if start > end || end > blob.len {
        return Err(invalid(format!("blob {id} holds {} bytes, not {start}..{end}", blob.len)));
    }
    Ok(Content::from_blob_window(blob, start, end))
}

fn parse_bucket(text: &str) -> io::Result<BucketState> {
    let mut b = BucketState {
        name: String::new(),
        region: String::new(),
        owner_uin: String::new(),
        appid: 0,
        created: 0,
        acl: Acl::private(),
        cors: None,
        configs: Default::default(),
        objects: BTreeMap::new(),
        versions: Default::default(),
        uploads: BTreeMap::new(),
    };
    for (field, v) in lines(text) {
        let cors = || invalid("a CORS field before `cors`");
        match field {
            "name" => b.name = dec(first(&v)?)?,
            "region" => b.region = dec(first(&v)?)?,
            "owner" => b.owner_uin = dec(first(&v)?)?,
            "appid" => b.appid = num(first(&v)?)?,
            "created" => b.created = num(first(&v)?)?,
            "acl" => {
                b.acl.canned = Canned::parse(first(&v)?, false).ok_or_else(|| invalid("bad canned ACL"))?;
            }
            "grant" | "grant-all" => {
                acl_or_meta(field, &v, &mut b.acl, &mut ObjectMeta::default())?;
            }
            _ if config_field(field, &v, &mut b.configs)? => {}
            "cors" => b.cors = Some(CorsConfig::default()),
            "cors-vary" => b.cors.as_mut().ok_or_else(cors)?.response_vary = Some(dec(first(&v)?)?),
            "cors-rule" => b.cors.as_mut().ok_or_else(cors)?.rules.push(CorsRule::default()),
            _ => {
                let rule = b.cors.as_mut().and_then(|c| c.rules.last_mut()).ok_or_else(cors)?;
                let value = dec(first(&v)?)?;
                match field {
                    "cors-id" => rule.id = Some(value),
                    "cors-origin" => rule.allowed_origins.push(value),
                    "cors-method" => rule.allowed_methods.push(value),
                    "cors-header" => rule.allowed_headers.push(value),
                    "cors-expose" => rule.expose_headers.push(value),
                    "cors-max-age" => rule.max_age_seconds = Some(num(&value)?),
                    _ => return Err(invalid(format!("unknown field {field:?}"))),
                }
            }
        }
    }
    if b.name.is_empty() || b.region.is_empty() {
        return Err(invalid("a bucket record without name or region"));
    }
    Ok(b)
}

fn parse_object(text: &str, blobs: &mut BlobTable) -> io::Result<(String, StoredObject)> {
    let mut key = None;
    let mut o = StoredObject {
        content: Content::empty(),
        etag: String::new(),
        crc64: 0,
        last_modified: 0,
        meta: ObjectMeta::default(),
        acl: Acl::inherit(),
        owner_uin: String::new(),
        retain_until: None,
        restored_until: None,
    };
    let mut size = None;
    let mut windows = Vec::new();
    for (field, v) in lines(text) {
        match field {
            "key" => key = Some(dec(first(&v)?)?),
            "etag" => o.etag = dec(first(&v)?)?,
            "crc64" => o.crc64 = num(first(&v)?)?,
            "last-modified" => o.last_modified = num(first(&v)?)?,
            "owner" => o.owner_uin = dec(first(&v)?)?,
            "size" => size = Some(num::<u64>(first(&v)?)?),
            "retain-until" => o.retain_until = Some(num(first(&v)?)?),
            "restored-until" => o.restored_until = Some(num(first(&v)?)?),
            "blob" => windows.push(window(blobs, &v)?),
            _ => {
                if !acl_or_meta(field, &v, &mut o.acl, &mut o.meta)? {
                    return Err(invalid(format!("unknown field {field:?}")));
                }
            }
        }
    }
    o.content = Content::concat(windows.iter());
    if size != Some(o.content.len()) {
        return Err(invalid(format!("the object's blobs hold {} bytes, not {size:?}", o.content.len())));
    }
    Ok((key.ok_or_else(|| invalid("an object record without its key"))?, o))
}

fn parse_upload(text: &str, blobs: &mut BlobTable) -> io::Result<(String, String, Upload)> {
    let (mut key, mut id) = (None, None);
    let mut u = Upload {
        initiated: 0,
        initiator_uin: String::new(),
        meta: ObjectMeta::default(),
        acl: Acl::inherit(),
        parts: BTreeMap::new(),
    };
    let mut windows: BTreeMap<u32, Vec<Content>> = BTreeMap::new();
    for (field, v) in lines(text) {
        match field {
            "key" => key = Some(dec(first(&v)?)?),
            "upload-id" => id = Some(dec(first(&v)?)?),
            "initiated" => u.initiated = num(first(&v)?)?,
            "initiator" => u.initiator_uin = dec(first(&v)?)?,
            "part" => {
                let [n, etag, md5, modified] = v.as_slice() else { return Err(invalid("a part needs 4 values")) };
                let md5_bytes: Vec<u8> = (0..md5.len())
                    .step_by(2)
                    .map(|i| md5.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                    .collect::<Option<_>>()
                    .ok_or_else(|| invalid("bad part MD5"))?;
                let md5: [u8; 16] = md5_bytes.try_into().map_err(|_| invalid("bad part MD5"))?;
                let part = Part { content: Content::empty(), md5, etag: dec(etag)?, last_modified: num(modified)? };
                u.parts.insert(num(n)?, part);
            }
            "part-blob" => {
                let (n, rest) = v.split_first().ok_or_else(|| invalid("part-blob without a part"))?;
                windows.entry(num(n)?).or_default().push(window(blobs, rest)?);
            }
            _ => {
                if !acl_or_meta(field, &v, &mut u.acl, &mut u.meta)? {
                    return Err(invalid(format!("unknown field {field:?}")));
                }
            }
        }
    }
    for (n, w) in windows {
        let part = u.parts.get_mut(&n).ok_or_else(|| invalid(format!("blob of an unknown part {n}")))?;
        part.content = Content::concat(w.iter());
    }
    let key = key.ok_or_else(|| invalid("an upload record without its key"))?;
    let id = id.ok_or_else(|| invalid("an upload record without its id"))?;
    Ok((key, id, u))
}
