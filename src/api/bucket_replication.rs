//! Cross-bucket replication: `put_bucket_replication`, `get_bucket_replication`,
//! `delete_bucket_replication`. COS (and the emulator) accept a put only on a bucket whose
//! versioning is `Enabled`.

use crate::api::bucket_config::{XmlConfig, config_delete, config_get, config_put, one_of, opt_leaf, trimmed};
use crate::api::storage_class::StorageClass;
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "replication";

/// One replication `<Rule>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicationRule {
    /// ID (`Some("")` for an empty `<ID></ID>`).
    pub id: Option<String>,
    /// Status: `Enabled` or `Disabled`.
    pub status: String,
    /// Prefix of the keys replicated (`""`: every key; always written).
    pub prefix: String,
    /// Destination/Bucket: `qcs::cos:<region>::<bucket>`.
    pub destination_bucket: String,
    /// Destination/StorageClass of the copies.
    pub destination_storage_class: Option<StorageClass>,
}

impl ReplicationRule {
    /// An enabled rule replicating keys under `prefix` to `destination_bucket`.
    pub fn new(prefix: impl Into<String>, destination_bucket: impl Into<String>) -> Self {
        ReplicationRule {
            id: None,
            status: "Enabled".into(),
            prefix: prefix.into(),
            destination_bucket: destination_bucket.into(),
            destination_storage_class: None,
        }
    }
}

/// `<ReplicationConfiguration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicationConfiguration {
    /// Role: the CAM identity replication acts as (`qcs::cam::uin/..:uin/..`).
    pub role: String,
    /// The rules, in order.
    pub rules: Vec<ReplicationRule>,
}

impl XmlConfig for ReplicationConfiguration {
    const ROOT: &'static str = "ReplicationConfiguration";

    fn validate(&self) -> Result<()> {
        if self.role.trim().is_empty() {
            return Err(Error::invalid(FIELD, "the role is empty"));
        }
        if self.rules.is_empty() {
            return Err(Error::invalid(FIELD, "at least one rule is needed (delete_bucket_replication removes them)"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            one_of(FIELD, "Status", &r.status, &["Enabled", "Disabled"])?;
            if r.destination_bucket.trim().is_empty() {
                return Err(Error::invalid(FIELD, format!("rule {i}: the destination bucket is empty")));
            }
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        w.leaf("Role", &self.role, FIELD)?;
        for r in &self.rules {
            w.open("Rule");
            opt_leaf(w, "ID", &r.id, FIELD)?;
            w.leaf("Status", &r.status, FIELD)?;
            w.leaf("Prefix", &r.prefix, FIELD)?;
            w.open("Destination");
            w.leaf("Bucket", &r.destination_bucket, FIELD)?;
            if let Some(class) = &r.destination_storage_class {
                w.leaf("StorageClass", class.as_str(), FIELD)?;
            }
            w.close("Destination");
            w.close("Rule");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let rules = root
            .children("Rule")
            .map(|r| {
                let d = r.child("Destination");
                ReplicationRule {
                    id: r.opt_text("ID"),
                    status: trimmed(&r, "Status").unwrap_or_default(),
                    prefix: r.opt_text("Prefix").unwrap_or_default(),
                    destination_bucket: d.and_then(|d| d.opt_text("Bucket")).unwrap_or_default(),
                    destination_storage_class: d.and_then(|d| trimmed(&d, "StorageClass")).map(StorageClass::from),
                }
            })
            .collect();
        Ok(ReplicationConfiguration { role: root.opt_text("Role").unwrap_or_default(), rules })
    }
}

config_get!(
    ReplicationConfiguration, "replication", replication, empty: ["ReplicationConfigurationnotFoundError"],
    get_bucket_replication, GetBucketReplication, GetBucketReplicationInput, GetBucketReplicationOutput,
    "Reads the bucket's replication rules; a bucket without any reads as no rules, not an error."
);
config_put!(
    ReplicationConfiguration,
    "replication",
    put_bucket_replication,
    PutBucketReplication,
    PutBucketReplicationInput,
    PutBucketReplicationOutput,
    "Replaces the bucket's replication rules (the bucket's versioning must be `Enabled`)."
);
config_delete!(
    "replication",
    delete_bucket_replication,
    DeleteBucketReplication,
    DeleteBucketReplicationInput,
    DeleteBucketReplicationOutput,
    "Removes the bucket's replication rules."
);
