//! The in-memory state: buckets, their objects (and versions), ACLs, CORS rules and multipart
//! uploads. With a data directory every field here is kept on disk (`disk.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::access::Acl;
use super::content::Content;
use super::request::Incoming;
use super::response::CosError;
use super::sse::Sse;
use super::versions::Versions;

/// Storage classes COS accepts in `x-cos-storage-class`.
pub(crate) const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "STANDARD_IA",
    "ARCHIVE",
    "DEEP_ARCHIVE",
    "INTELLIGENT_TIERING",
    "MAZ_STANDARD",
    "MAZ_STANDARD_IA",
    "MAZ_INTELLIGENT_TIERING",
    "MAZ_ARCHIVE",
];

/// Largest total size of `x-cos-meta-*` names and values (COS: 2 KB).
const MAX_USER_META: usize = 2048;

/// Every bucket, by name (`{name}-{appid}`); a `BTreeMap` so listings come out sorted.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) buckets: BTreeMap<String, BucketState>,
}

impl State {
    /// Where `Inner::new_upload_id`'s counter starts: past the counter of every unfinished upload
    /// loaded from a data directory (its ids are `{now}{counter:08x}{32 hex digits}`), so an id
    /// made after a restart never repeats a kept one, and later uploads of a key still list after
    /// earlier ones. Ids from an `upload_ids` source of another shape are passed over.
    pub(crate) fn upload_counter_start(&self) -> u64 {
        let counter = |id: &str| {
            let digits = id.len().checked_sub(40).and_then(|start| id.get(start..start + 8))?;
            u64::from_str_radix(digits, 16).ok()
        };
        let uploads = self.buckets.values().flat_map(|b| b.uploads.keys());
        uploads.filter_map(|(_, id)| counter(id)).max().map_or(0, |n| n.saturating_add(1))
    }
}

/// One bucket.
pub(crate) struct BucketState {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) owner_uin: String,
    pub(crate) appid: u64,
    pub(crate) created: u64,
    pub(crate) acl: Acl,
    pub(crate) cors: Option<CorsConfig>,
    /// Bucket configurations beyond ACL and CORS (kept in a data directory with the bucket's record).
    pub(crate) configs: BucketConfigs,
    /// The current object of each key, in UTF-8 byte order (Rust's `String` order). Changed only
    /// through [`versions::apply`](super::versions::apply), with `versions`.
    pub(crate) objects: BTreeMap<String, Arc<StoredObject>>,
    /// Older versions and delete markers (kept in a data directory too).
    pub(crate) versions: Versions,
    /// Uploads by `(key, upload id)`, the order `ListMultipartUploads` uses.
    pub(crate) uploads: BTreeMap<(String, String), Upload>,
}

/// One object.
#[derive(Clone)]
pub(crate) struct StoredObject {
    pub(crate) content: Content,
    /// With its quotes, as sent in `ETag`.
    pub(crate) etag: String,
    pub(crate) crc64: u64,
    pub(crate) last_modified: u64,
    pub(crate) meta: ObjectMeta,
    pub(crate) acl: Acl,
    pub(crate) owner_uin: String,
    /// Object lock: until when (seconds) this version may be neither deleted nor overwritten
    /// (`?retention`, or the bucket's default retention when written; see `versions.rs`).
    pub(crate) retain_until: Option<u64>,
    /// Until when (seconds) an ARCHIVE / DEEP_ARCHIVE version is restored (POST ?restore, see
    /// `handlers/restore.rs`): a change of ACL, tags or retention keeps it, a new write does not.
    pub(crate) restored_until: Option<u64>,
}

/// The metadata an object keeps and returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ObjectMeta {
    pub(crate) content_type: Option<String>,
    pub(crate) content_disposition: Option<String>,
    pub(crate) content_encoding: Option<String>,
    pub(crate) content_language: Option<String>,
    pub(crate) cache_control: Option<String>,
    pub(crate) expires: Option<String>,
    /// `x-cos-meta-*`, names lower-cased as COS returns them, in the order sent.
    pub(crate) user: Vec<(String, String)>,
    pub(crate) storage_class: String,
    /// The server-side encryption the object was written with.
    pub(crate) sse: Option<Sse>,
    /// The object's tags, in the order given (`x-cos-tagging`, PUT ?tagging).
    pub(crate) tags: Vec<(String, String)>,
    /// Made by APPEND Object (`x-cos-object-type: appendable`): further appends are allowed.
    pub(crate) appendable: bool,
}

impl ObjectMeta {
    /// The metadata of a PUT, POST ?uploads or a copy with `Replaced`. Empty values count as
    /// absent (the node SDK sends `Cache-Control: ` for "none").
    pub(crate) fn from_request(req: &Incoming) -> Result<ObjectMeta, CosError> {
        let get = |name: &str| req.header(name).map(str::to_owned);
        let mut user = Vec::new();
        let mut size = 0;
        for (name, value) in req.headers.iter() {
            if name.len() > 11 && name.as_bytes()[..11].eq_ignore_ascii_case(b"x-cos-meta-") {
                size += name.len() + value.len();
                user.push((name.to_ascii_lowercase(), value.to_owned()));
            }
        }
        if size > MAX_USER_META {
            return Err(CosError::new(
                400,
                "MetadataTooLarge",
                format!("Your metadata headers exceed the maximum allowed metadata size of {MAX_USER_META} bytes."),
            ));
        }
        Ok(ObjectMeta {
            content_type: get("content-type"),
            content_disposition: get("content-disposition"),
            content_encoding: get("content-encoding"),
            content_language: get("content-language"),
            cache_control: get("cache-control"),
            expires: get("expires"),
            user,
            storage_class: storage_class(req)?,
            sse: super::sse::from_request(req)?,
            tags: super::tags::from_header(req)?,
            appendable: false,
        })
    }
}

/// `x-cos-storage-class`, upper-cased and checked; `STANDARD` when absent.
pub(crate) fn storage_class(req: &Incoming) -> Result<String, CosError> {
    match req.header("x-cos-storage-class") {
        None => Ok("STANDARD".to_owned()),
        Some(v) => {
            let upper = v.to_ascii_uppercase();
            if STORAGE_CLASSES.contains(&upper.as_str()) {
                Ok(upper)
            } else {
                Err(CosError::invalid_argument(format!("Invalid storage class {v:?}.")))
            }
        }
    }
}

/// A multipart upload in progress.
pub(crate) struct Upload {
    pub(crate) initiated: u64,
    pub(crate) initiator_uin: String,
    pub(crate) meta: ObjectMeta,
    pub(crate) acl: Acl,
    pub(crate) parts: BTreeMap<u32, Part>,
}

/// One uploaded part.
#[derive(Clone)]
pub(crate) struct Part {
    pub(crate) content: Content,
    pub(crate) md5: [u8; 16],
    /// With quotes.
    pub(crate) etag: String,
    pub(crate) last_modified: u64,
}

/// A bucket's configurations set by the `?tagging` (and later) calls; empty when never set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BucketConfigs {
    /// Tags in the order they were put; `None` until tagged.
    pub(crate) tags: Option<Vec<(String, String)>>,
    /// The policy JSON as put; `None` until set.
    pub(crate) policy: Option<String>,
    /// `Enabled` or `Suspended`; `None` until set (see `versions.rs` for what each does).
    pub(crate) versioning: Option<String>,
    /// The lifecycle configuration in canonical XML; `None` until set (never acted on).
    pub(crate) lifecycle: Option<String>,
    /// Accelerate Status and Type; `None` until set.
    pub(crate) accelerate: Option<(String, Option<String>)>,
    /// The configurations kept as the client writes them (canonical XML), by sub-resource
    /// (`website`, `referer`, `encryption`, `replication`, `logging`, `domain`, `origin`,
    /// `intelligenttiering`, `object-lock`); absent until set.
    pub(crate) documents: BTreeMap<String, String>,
    /// Inventory configurations in canonical XML, by Id (listed in Id order).
    pub(crate) inventories: BTreeMap<String, String>,
    /// Intelligent-tiering v2 rules in canonical XML, by Id (listed in Id order).
    pub(crate) tierings: BTreeMap<String, String>,
    /// Custom domains with a certificate (PUT ?domaincertificate); the certificate and key are
    /// not kept.
    pub(crate) certified_domains: BTreeSet<String>,
}

/// A bucket's CORS configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CorsConfig {
    pub(crate) rules: Vec<CorsRule>,
    pub(crate) response_vary: Option<String>,
}

/// One CORS rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CorsRule {
    pub(crate) id: Option<String>,
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) allowed_methods: Vec<String>,
    pub(crate) allowed_headers: Vec<String>,
    pub(crate) expose_headers: Vec<String>,
    pub(crate) max_age_seconds: Option<u64>,
}
