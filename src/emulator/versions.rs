//! Object versions, as COS keeps them once a bucket's versioning has been set.
//!
//! `BucketState::objects` stays the map of current objects (what GET without `versionId`, GET
//! Bucket and every other handler see); the history lives beside it in `BucketState::versions`,
//! and both change only through [`apply`], which every write and delete of an object goes through.
//!
//! | bucket versioning | a write (PUT, copy, Complete, append) | DELETE without `versionId` | DELETE with `versionId` |
//! |---|---|---|---|
//! | never set | replaces the object; no `x-cos-version-id` | removes it | `null` removes it, any other id does nothing |
//! | `Enabled` | a new version with a fresh id | a delete marker with a fresh id (`x-cos-delete-marker: true`) | removes that version (a marker too: the one below comes back) |
//! | `Suspended` | version `null`, replacing the previous `null` one | a delete marker `null`, replacing the previous `null` version | as `Enabled` |
//!
//! An object written before versioning was set is version `null`. GET or HEAD of a key whose latest
//! version is a delete marker is 404 NoSuchKey with `x-cos-delete-marker: true`; GET or HEAD of a
//! delete marker by its id is 405 MethodNotAllowed with the same header; an unknown id is 404
//! NoSuchVersion.
//!
//! Object lock: a version retained (`StoredObject::retain_until`, set by `?retention` or, on a
//! write, by the bucket's default retention) until a time after now is neither deleted nor
//! replaced: a DELETE with its `versionId`, or a write or DELETE without one that would replace
//! the `null` version (versioning never set or Suspended), is 403 AccessDenied.
//!
//! With a data directory a key's history is written (`disk.rs`, `versions/`) before its current
//! object's record whenever it changes, so a restart keeps every version and delete marker and
//! `list_object_versions` answers the same; a restore is a field of its version
//! (`StoredObject::restored_until`), kept with it.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;

use super::Inner;
use super::response::{CosError, Outgoing};
use super::store::{BucketState, StoredObject};

/// The id COS gives versions written while versioning is suspended (and objects written before
/// it was set).
pub(crate) const NULL_VERSION: &str = "null";

/// One version of a key: an object or a delete marker.
#[derive(Clone)]
pub(crate) struct ObjectVersion {
    pub(crate) id: String,
    pub(crate) entry: VersionEntry,
}

/// What a version holds.
#[derive(Clone)]
pub(crate) enum VersionEntry {
    Object(Arc<StoredObject>),
    DeleteMarker { last_modified: u64 },
}

impl ObjectVersion {
    pub(crate) fn is_delete_marker(&self) -> bool {
        matches!(self.entry, VersionEntry::DeleteMarker { .. })
    }
}

/// A bucket's version history.
#[derive(Default)]
pub(crate) struct Versions {
    /// Every version of each key that has a history, oldest first. Keys written only while
    /// versioning was never set have none (their current object is their only version).
    pub(crate) keys: BTreeMap<String, Vec<ObjectVersion>>,
    /// Versions handed out so far, for fresh ids.
    issued: u64,
}

impl Versions {
    /// Whether the bucket holds no version or delete marker beyond its current objects.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// After a history was loaded from a data directory: ids handed out from now on are past
    /// those of the loaded versions (an id's number carries the count `fresh_id` used).
    pub(crate) fn resume_ids(&mut self) {
        let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
        let counts = self.keys.values().flatten().filter_map(|v| {
            let digits = engine.decode(&v.id).ok()?;
            let n: u64 = std::str::from_utf8(&digits).ok()?.parse().ok()?;
            Some((u64::MAX - n) % 1_000_000)
        });
        self.issued = self.issued.max(counts.max().map_or(0, |c| c + 1));
    }

    /// A fresh version id: like COS's, the base64 of a 20-digit number that decreases with time.
    fn fresh_id(&mut self, now: u64) -> String {
        self.issued += 1;
        let n = u64::MAX - (now.saturating_mul(1_000_000) + self.issued % 1_000_000);
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{n:020}"))
    }
}

/// The versioning state of a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Never,
    Enabled,
    Suspended,
}

/// The bucket's versioning mode.
pub(crate) fn mode(b: &BucketState) -> Mode {
    match b.configs.versioning.as_deref() {
        Some("Enabled") => Mode::Enabled,
        Some("Suspended") => Mode::Suspended,
        _ => Mode::Never,
    }
}

/// Every version of `key`, newest first (a key with no history: its current object as `null`).
pub(crate) fn versions_of(b: &BucketState, key: &str) -> Vec<ObjectVersion> {
    match b.versions.keys.get(key) {
        Some(list) => list.iter().rev().cloned().collect(),
        None => b
            .objects
            .get(key)
            .map(|o| ObjectVersion { id: NULL_VERSION.to_owned(), entry: VersionEntry::Object(o.clone()) })
            .into_iter()
            .collect(),
    }
}

/// One change to a key.
pub(crate) enum Change {
    /// A new object (PUT, copy, Complete, append).
    Write(StoredObject),
    /// The same version with other metadata (PUT ?acl): no new version. `None`: the current one.
    Replace(Option<String>, StoredObject),
    /// DELETE without `versionId`.
    Delete { now: u64 },
    /// DELETE with `versionId`.
    DeleteVersion(String),
}

/// What a change did, for the answer's headers.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    /// `x-cos-version-id`: the version written, the marker made, or the version removed.
    pub(crate) version_id: Option<String>,
    /// `x-cos-delete-marker: true`: a marker was made or removed.
    pub(crate) delete_marker: bool,
}

impl Applied {
    /// Adds `x-cos-version-id` and `x-cos-delete-marker` to an answer.
    pub(crate) fn answer(&self, out: &mut Outgoing) {
        if let Some(id) = &self.version_id {
            out.headers.append("x-cos-version-id", id.clone());
        }
        if self.delete_marker {
            out.headers.append("x-cos-delete-marker", "true");
        }
    }
}

/// Applies one change to `key` of bucket `name`: the current object (and its record in a data
/// directory) and the history move together. The only place objects and versions change.
pub(crate) fn apply(
    inner: &Inner,
    name: &str,
    b: &mut BucketState,
    key: &str,
    mut change: Change,
) -> Result<Applied, CosError> {
    let mode = mode(b);
    let now = inner.now();
    check_retention(b, key, &change, mode, now)?;
    if let (Change::Write(object), Some(days)) = (&mut change, default_retention_days(b)) {
        object.retain_until.get_or_insert(now.saturating_add(u64::from(days) * DAY));
    }
    if mode == Mode::Never && !b.versions.keys.contains_key(key) {
        return apply_unversioned(inner, name, b, key, change);
    }
    // First change of a key under versioning: its current object becomes version `null`.
    let before = b.versions.keys.remove(key);
    let mut list = match &before {
        Some(list) => list.clone(),
        None => versions_of(b, key).into_iter().rev().collect(),
    };
    let mut applied = Applied::default();
    match change {
        Change::Write(object) => {
            let id = new_version_id(b, mode, &mut list, inner.now());
            list.push(ObjectVersion { id: id.clone(), entry: VersionEntry::Object(Arc::new(object)) });
            applied.version_id = Some(id);
        }
        Change::Replace(id, object) => {
            let slot = match &id {
                Some(id) => list.iter_mut().rev().find(|v| &v.id == id),
                None => list.last_mut(),
            };
            let Some(slot) = slot.filter(|v| !v.is_delete_marker()) else {
                b.versions.keys.insert(key.to_owned(), list);
                return Err(if id.is_some() { no_such_version() } else { CosError::no_such_key() });
            };
            slot.entry = VersionEntry::Object(Arc::new(object));
            applied.version_id = Some(slot.id.clone());
        }
        Change::Delete { now } => {
            let id = new_version_id(b, mode, &mut list, now);
            list.push(ObjectVersion { id: id.clone(), entry: VersionEntry::DeleteMarker { last_modified: now } });
            applied = Applied { version_id: Some(id), delete_marker: true };
        }
        Change::DeleteVersion(id) => {
            if let Some(i) = list.iter().position(|v| v.id == id) {
                let removed = list.remove(i);
                applied.delete_marker = removed.is_delete_marker();
            }
            applied.version_id = Some(id);
        }
    }
    let current = match list.last() {
        Some(ObjectVersion { entry: VersionEntry::Object(o), .. }) => Some(o.clone()),
        _ => None,
    };
    // The history first: at a restart it, not the object's record, says what is current.
    if let Err(e) = inner.persist(|d| d.save_versions(name, key, &list)) {
        if let Some(before) = before {
            b.versions.keys.insert(key.to_owned(), before);
        }
        return Err(e);
    }
    set_current(inner, name, b, key, current)?;
    if !list.is_empty() {
        b.versions.keys.insert(key.to_owned(), list);
    }
    Ok(applied)
}

const DAY: u64 = 24 * 60 * 60;

/// Object lock: a change that would remove or replace a version retained until after `now` is
/// refused, 403 AccessDenied. A write or a delete without `versionId` replaces the `null`
/// version unless versioning is `Enabled` (then it adds a version or a marker and removes
/// nothing); a delete with `versionId` removes that version; `Replace` (ACL, retention) removes
/// nothing.
fn check_retention(b: &BucketState, key: &str, change: &Change, mode: Mode, now: u64) -> Result<(), CosError> {
    let doomed = match change {
        Change::Write(_) | Change::Delete { .. } if mode != Mode::Enabled => NULL_VERSION,
        Change::DeleteVersion(id) => id.as_str(),
        _ => return Ok(()),
    };
    let retained = versions_of(b, key).into_iter().find(|v| v.id == doomed).and_then(|v| match v.entry {
        VersionEntry::Object(o) => o.retain_until.filter(|until| *until > now),
        VersionEntry::DeleteMarker { .. } => None,
    });
    match retained {
        Some(until) => Err(CosError::new(
            403,
            "AccessDenied",
            format!("The object is locked (object lock retention) until {}.", super::dates::iso8601(until)),
        )),
        None => Ok(()),
    }
}

/// Days of the bucket's default retention (`PUT /?object-lock` with `DefaultRetention`), if set.
fn default_retention_days(b: &BucketState) -> Option<u32> {
    use crate::api::bucket_config::XmlConfig;
    let xml = b.configs.documents.get("object-lock")?;
    let doc = crate::xml::parse_document(xml.as_bytes()).ok()?;
    let root = crate::xml::Element::root(&doc, crate::api::ObjectLockConfiguration::ROOT).ok()?;
    let config = crate::api::ObjectLockConfiguration::read(root).ok()?;
    config.object_lock_enabled.and(config.default_retention_days)
}

/// The id of a new version (or marker) of `key`: fresh when enabled; `null` when suspended, the
/// previous `null` version then removed.
fn new_version_id(b: &mut BucketState, mode: Mode, list: &mut Vec<ObjectVersion>, now: u64) -> String {
    if mode == Mode::Enabled {
        return b.versions.fresh_id(now);
    }
    list.retain(|v| v.id != NULL_VERSION);
    NULL_VERSION.to_owned()
}

/// A bucket whose versioning was never set: the object is replaced or removed, as before
/// versions existed.
fn apply_unversioned(
    inner: &Inner,
    name: &str,
    b: &mut BucketState,
    key: &str,
    change: Change,
) -> Result<Applied, CosError> {
    match change {
        Change::Write(object) => {
            set_current(inner, name, b, key, Some(Arc::new(object)))?;
        }
        Change::Replace(id, object) => {
            if !b.objects.contains_key(key) || id.as_deref().is_some_and(|id| id != NULL_VERSION) {
                return Err(if id.is_some() { no_such_version() } else { CosError::no_such_key() });
            }
            set_current(inner, name, b, key, Some(Arc::new(object)))?;
        }
        Change::Delete { .. } => {
            set_current(inner, name, b, key, None)?;
        }
        Change::DeleteVersion(id) => {
            if id == NULL_VERSION {
                set_current(inner, name, b, key, None)?;
            }
        }
    }
    Ok(Applied::default())
}

/// Makes `object` the current object of `key` (`None`: no current object), record first.
fn set_current(
    inner: &Inner,
    name: &str,
    b: &mut BucketState,
    key: &str,
    object: Option<Arc<StoredObject>>,
) -> Result<(), CosError> {
    match object {
        Some(o) => {
            let unchanged = b.objects.get(key).is_some_and(|old| Arc::ptr_eq(old, &o));
            if !unchanged {
                // The record first: the old bytes may go only once nothing on disk names them.
                inner.persist(|d| d.save_object(name, key, &o))?;
                b.objects.insert(key.to_owned(), o);
            }
        }
        None => {
            if b.objects.contains_key(key) {
                inner.persist(|d| d.remove_object(name, key))?;
                b.objects.remove(key);
            }
        }
    }
    Ok(())
}

/// 404 NoSuchVersion.
pub(crate) fn no_such_version() -> CosError {
    CosError::new(404, "NoSuchVersion", "The specified version does not exist.")
}

/// The version of `key` a `versionId` names (`None`: the latest), as GET / HEAD / copy see it:
/// a delete marker latest is 404 with `x-cos-delete-marker`; a marker named is 405; an unknown
/// id 404 NoSuchVersion; no version at all 404 NoSuchKey. The id is returned with the object.
pub(crate) fn find(
    b: &BucketState,
    key: &str,
    version_id: Option<&str>,
) -> Result<(Option<String>, Arc<StoredObject>), CosError> {
    let has_versions = b.versions.keys.contains_key(key);
    if version_id.is_none() && !has_versions {
        // The common read: a key with no version list is its current object (version `null`
        // once the bucket has versioning), found without building the list.
        let object = b.objects.get(key).ok_or_else(CosError::no_such_key)?;
        return Ok(((mode(b) != Mode::Never).then(|| NULL_VERSION.to_owned()), object.clone()));
    }
    let list = versions_of(b, key);
    let versioned = mode(b) != Mode::Never || has_versions;
    let found = match version_id {
        None => list.first().ok_or_else(CosError::no_such_key)?,
        Some(id) => list.iter().find(|v| v.id == id).ok_or_else(no_such_version)?,
    };
    let shown_id = (versioned || version_id.is_some()).then(|| found.id.clone());
    match &found.entry {
        VersionEntry::Object(o) => Ok((shown_id, o.clone())),
        VersionEntry::DeleteMarker { .. } => {
            let err = if version_id.is_some() { CosError::method_not_allowed() } else { CosError::no_such_key() };
            Err(err.with_header("x-cos-delete-marker", "true").with_header("x-cos-version-id", found.id.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_look_like_cos_ids_and_never_repeat() {
        let mut v = Versions::default();
        let a = v.fresh_id(1_700_000_000);
        let b = v.fresh_id(1_700_000_000);
        assert_ne!(a, b);
        assert_eq!(a.len(), "MTg0NDUxNzgxMjEzNTU3NTk1Mjg".len());
        let digits = base64::engine::general_purpose::STANDARD_NO_PAD.decode(&a).unwrap();
        assert!(digits.iter().all(u8::is_ascii_digit), "{a}");
    }
}
