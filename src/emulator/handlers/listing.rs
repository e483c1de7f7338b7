//! GET Bucket (list objects), GET ?versions and GET ?uploads (list multipart uploads): prefix, delimiter,
//! markers, page size, `encoding-type=url`, in UTF-8 byte order.

use std::ops::Bound;

use crate::encode_key;

use super::super::access::Permission;
use super::super::dates::iso8601;
use super::super::response::{CosError, Outgoing};
use super::super::versions::{ObjectVersion, VersionEntry, versions_of};
use super::super::xml_out::Xml;
use super::{Ctx, find_bucket, query_number, require_bucket, url_encoding};

/// Most entries one page holds, and the default.
const MAX_PAGE: u64 = 1000;

/// One entry of a page: an item under its key, or a common prefix.
enum Entry<'a, T> {
    Item(&'a str, T),
    Prefix(&'a str),
}

impl<T> Entry<'_, T> {
    fn name(&self) -> &str {
        match self {
            Entry::Item(k, _) | Entry::Prefix(k) => k,
        }
    }
}

/// Pages `items` (sorted, already past the marker): keys outside `prefix` end the walk; with a
/// delimiter, keys sharing a common prefix roll up into it (counted once, and skipped when the
/// marker is at or past it).
fn page<'a, T>(
    items: impl Iterator<Item = (&'a str, T)>,
    prefix: &str,
    delimiter: &str,
    marker: &str,
    max: usize,
) -> (Vec<Entry<'a, T>>, bool) {
    let mut out: Vec<Entry<'a, T>> = Vec::new();
    let mut last_prefix: Option<&'a str> = None;
    for (key, item) in items {
        let Some(rest) = key.strip_prefix(prefix) else {
            if key > prefix {
                break;
            }
            continue;
        };
        let entry = match rest.find(delimiter).filter(|_| !delimiter.is_empty()) {
            Some(i) => {
                let common = &key[..prefix.len() + i + delimiter.len()];
                if last_prefix == Some(common) || common <= marker {
                    continue;
                }
                last_prefix = Some(common);
                Entry::Prefix(common)
            }
            None => Entry::Item(key, item),
        };
        if out.len() >= max {
            return (out, true);
        }
        out.push(entry);
    }
    (out, false)
}

/// Encodes for `encoding-type=url` (keeping `/`), or not.
fn encoded(url: bool, s: &str) -> String {
    if url { encode_key(s) } else { s.to_owned() }
}

/// One `<CommonPrefixes><Prefix>` per common prefix of the page.
fn common_prefixes<T>(x: &mut Xml, entries: &[Entry<'_, T>], url: bool) {
    for e in entries {
        if let Entry::Prefix(p) = e {
            x.open("CommonPrefixes");
            x.leaf("Prefix", &encoded(url, p));
            x.close("CommonPrefixes");
        }
    }
}

/// GET Bucket.
pub(crate) fn get_bucket(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let prefix = ctx.req.query("prefix").unwrap_or("");
    let delimiter = ctx.req.query("delimiter").unwrap_or("");
    let marker = ctx.req.query("marker").unwrap_or("");
    let max_keys = query_number(ctx, "max-keys", MAX_PAGE, MAX_PAGE)?;
    let url = url_encoding(ctx)?;
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Read)?;
    let start = if prefix > marker { Bound::Included(prefix) } else { Bound::Excluded(marker) };
    let items = b.objects.range::<str, _>((start, Bound::Unbounded)).map(|(k, o)| (k.as_str(), o));
    let (entries, truncated) = page(items, prefix, delimiter, marker, max_keys as usize);

    let mut x = Xml::new();
    x.open("ListBucketResult");
    x.leaf("Name", bucket);
    if url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("Prefix", &encoded(url, prefix));
    x.leaf("Marker", &encoded(url, marker));
    x.leaf_display("MaxKeys", max_keys);
    if !delimiter.is_empty() {
        x.leaf("Delimiter", &encoded(url, delimiter));
    }
    x.leaf_display("IsTruncated", truncated);
    if truncated && let Some(last) = entries.last() {
        x.leaf("NextMarker", &encoded(url, last.name()));
    }
    let owner = b.appid.to_string();
    common_prefixes(&mut x, &entries, url);
    for e in &entries {
        if let Entry::Item(key, object) = e {
            x.open("Contents");
            x.leaf("Key", &encoded(url, key));
            x.leaf("LastModified", &iso8601(object.last_modified));
            x.leaf("ETag", &object.etag);
            x.leaf_display("Size", object.content.len());
            x.open("Owner");
            x.leaf("ID", &owner);
            x.leaf("DisplayName", &owner);
            x.close("Owner");
            x.leaf("StorageClass", &object.meta.storage_class);
            x.close("Contents");
        }
    }
    x.close("ListBucketResult");
    Ok(Outgoing::xml(x.finish()))
}

/// GET ?uploads. `upload-id-marker` counts only with a `key-marker`: uploads of that key after
/// the id, then later keys.
pub(crate) fn list_multipart_uploads(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let prefix = ctx.req.query("prefix").unwrap_or("");
    let delimiter = ctx.req.query("delimiter").unwrap_or("");
    let key_marker = ctx.req.query("key-marker").unwrap_or("");
    let id_marker = ctx.req.query("upload-id-marker").filter(|_| !key_marker.is_empty()).unwrap_or("");
    let max_uploads = query_number(ctx, "max-uploads", MAX_PAGE, MAX_PAGE)?;
    let url = url_encoding(ctx)?;
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Read)?;
    let items = b
        .uploads
        .iter()
        .filter(|((key, id), _)| {
            key.as_str() > key_marker || (!id_marker.is_empty() && key == key_marker && id.as_str() > id_marker)
        })
        .map(|((key, id), upload)| (key.as_str(), (id, upload)));
    // The marker only hides common prefixes when no upload-id-marker re-opens its key.
    let rollup_marker = if id_marker.is_empty() { key_marker } else { "" };
    let (entries, truncated) = page(items, prefix, delimiter, rollup_marker, max_uploads as usize);

    let mut x = Xml::new();
    x.open("ListMultipartUploadsResult");
    x.leaf("Bucket", bucket);
    if url {
        x.leaf("Encoding-Type", "url");
    }
    x.leaf("KeyMarker", &encoded(url, key_marker));
    x.leaf("UploadIdMarker", id_marker);
    if truncated && let Some(last) = entries.last() {
        x.leaf("NextKeyMarker", &encoded(url, last.name()));
        let next_id = match last {
            Entry::Item(_, (id, _)) => id.as_str(),
            Entry::Prefix(_) => "",
        };
        x.leaf("NextUploadIdMarker", next_id);
    }
    x.leaf_display("MaxUploads", max_uploads);
    x.leaf("Prefix", &encoded(url, prefix));
    if !delimiter.is_empty() {
        x.leaf("Delimiter", &encoded(url, delimiter));
    }
    x.leaf_display("IsTruncated", truncated);
    for e in &entries {
        if let Entry::Item(key, (id, upload)) = e {
            x.open("Upload");
            x.leaf("Key", &encoded(url, key));
            x.leaf("UploadId", id);
            x.leaf("StorageClass", &upload.meta.storage_class);
            x.account("Initiator", &upload.initiator_uin);
            x.account("Owner", &upload.initiator_uin);
            x.leaf("Initiated", &iso8601(upload.initiated));
            x.close("Upload");
        }
    }
    common_prefixes(&mut x, &entries, url);
    x.close("ListMultipartUploadsResult");
    Ok(Outgoing::xml(x.finish()))
}

/// GET ?versions: every version and delete marker, by key then newest first. With a
/// `version-id-marker` (counted only with a `key-marker`) the page starts after that version of
/// the key; without, after the key.
pub(crate) fn list_object_versions(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let prefix = ctx.req.query("prefix").unwrap_or("");
    let delimiter = ctx.req.query("delimiter").unwrap_or("");
    let key_marker = ctx.req.query("key-marker").unwrap_or("");
    let id_marker = ctx.req.query("version-id-marker").filter(|_| !key_marker.is_empty()).unwrap_or("");
    let max_keys = query_number(ctx, "max-keys", MAX_PAGE, MAX_PAGE)?;
    let url = url_encoding(ctx)?;
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::Read)?;
    // Every key with a version: current objects and keys with a history (only markers left).
    let mut keys: Vec<&str> = b.objects.keys().map(String::as_str).collect();
    keys.extend(b.versions.keys.keys().map(String::as_str));
    keys.sort_unstable();
    keys.dedup();
    let start = if prefix > key_marker { prefix } else { key_marker };
    let first = keys.partition_point(|k| *k < start);
    let mut items: Vec<(&str, (bool, ObjectVersion))> = Vec::new();
    // Enough for one page and the look-ahead that tells whether it is truncated; common
    // prefixes roll many keys into one entry, so keys are walked until the page is full.
    for key in &keys[first..] {
        if !key.starts_with(prefix) && *key > prefix {
            break;
        }
        let list = versions_of(b, key);
        let skip = if *key == key_marker {
            match list.iter().position(|v| v.id == id_marker) {
                Some(i) if !id_marker.is_empty() => i + 1,
                _ => list.len(),
            }
        } else {
            0
        };
        for (i, v) in list.into_iter().enumerate().skip(skip) {
            items.push((key, (i == 0, v)));
        }
        if items.len() > max_keys as usize && delimiter.is_empty() {
            break;
        }
    }
    let rollup_marker = if id_marker.is_empty() { key_marker } else { "" };
    let (entries, truncated) = page(items.into_iter(), prefix, delimiter, rollup_marker, max_keys as usize);

    let mut x = Xml::new();
    x.open("ListVersionsResult");
    x.leaf("Name", bucket);
    if url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("Prefix", &encoded(url, prefix));
    x.leaf("KeyMarker", &encoded(url, key_marker));
    x.leaf("VersionIdMarker", id_marker);
    x.leaf_display("MaxKeys", max_keys);
    if !delimiter.is_empty() {
        x.leaf("Delimiter", &encoded(url, delimiter));
    }
    x.leaf_display("IsTruncated", truncated);
    if truncated && let Some(last) = entries.last() {
        x.leaf("NextKeyMarker", &encoded(url, last.name()));
        let next_id = match last {
            Entry::Item(_, (_, v)) => v.id.as_str(),
            Entry::Prefix(_) => "",
        };
        x.leaf("NextVersionIdMarker", next_id);
    }
    common_prefixes(&mut x, &entries, url);
    let owner = b.appid.to_string();
    for e in &entries {
        let Entry::Item(key, (latest, v)) = e else { continue };
        match &v.entry {
            VersionEntry::Object(object) => {
                x.open("Version");
                x.leaf("Key", &encoded(url, key));
                x.leaf("VersionId", &v.id);
                x.leaf_display("IsLatest", latest);
                x.leaf("LastModified", &iso8601(object.last_modified));
                x.leaf("ETag", &object.etag);
                x.leaf_display("Size", object.content.len());
                x.leaf("StorageClass", &object.meta.storage_class);
                owner_of(&mut x, &owner);
                x.close("Version");
            }
            VersionEntry::DeleteMarker { last_modified, .. } => {
                x.open("DeleteMarker");
                x.leaf("Key", &encoded(url, key));
                x.leaf("VersionId", &v.id);
                x.leaf_display("IsLatest", latest);
                x.leaf("LastModified", &iso8601(*last_modified));
                owner_of(&mut x, &owner);
                x.close("DeleteMarker");
            }
        }
    }
    x.close("ListVersionsResult");
    Ok(Outgoing::xml(x.finish()))
}

/// `<Owner>` as GET Bucket writes it: the bucket's appid.
fn owner_of(x: &mut Xml, appid: &str) {
    x.open("Owner");
    x.leaf("ID", appid);
    x.leaf("DisplayName", appid);
    x.close("Owner");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(keys: &[&'static str], prefix: &str, delimiter: &str, marker: &str, max: usize) -> (Vec<String>, bool) {
        let items = keys.iter().filter(|k| **k > marker).map(|k| (*k, ()));
        let (entries, truncated) = page(items, prefix, delimiter, marker, max);
        (entries.iter().map(|e| e.name().to_owned()).collect(), truncated)
    }

    #[test]
    fn pages_with_prefixes() {
        let keys = ["a/1", "a/2", "b", "c/x/1", "c/y", "d"];
        assert_eq!(names(&keys, "", "/", "", 10), (vec!["a/".into(), "b".into(), "c/".into(), "d".into()], false));
        assert_eq!(names(&keys, "", "/", "", 2), (vec!["a/".into(), "b".into()], true));
        assert_eq!(names(&keys, "", "/", "a/", 10), (vec!["b".into(), "c/".into(), "d".into()], false));
        assert_eq!(names(&keys, "c/", "/", "", 10), (vec!["c/x/".into(), "c/y".into()], false));
        assert_eq!(names(&keys, "", "", "", 0), (vec![], true));
        assert_eq!(names(&keys, "", "", "d", 5), (vec![], false));
        assert_eq!(names(&keys, "zz", "/", "", 5), (vec![], false));
    }
}
