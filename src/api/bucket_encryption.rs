//! Default server-side encryption: `put_bucket_encryption`, `get_bucket_encryption`,
//! `delete_bucket_encryption`.

use crate::api::bucket_config::{XmlConfig, config_delete, config_get, config_put, one_of, opt_leaf, trimmed};
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "encryption";

/// One `<Rule>`: its ApplyServerSideEncryptionByDefault.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptionRule {
    /// SSEAlgorithm: `AES256`, `KMS` or `SM4`.
    pub sse_algorithm: String,
    /// KMSMasterKeyID (KMS only; COS's default key when unset).
    pub kms_master_key_id: Option<String>,
    /// KMSAlgorithm (KMS only).
    pub kms_algorithm: Option<String>,
}

impl EncryptionRule {
    /// A rule encrypting new objects with `algorithm`.
    pub fn new(algorithm: impl Into<String>) -> Self {
        EncryptionRule { sse_algorithm: algorithm.into(), kms_master_key_id: None, kms_algorithm: None }
    }

    /// KMS with this key.
    pub fn kms(key_id: impl Into<String>) -> Self {
        EncryptionRule { sse_algorithm: "KMS".into(), kms_master_key_id: Some(key_id.into()), kms_algorithm: None }
    }
}

/// `<ServerSideEncryptionConfiguration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerSideEncryptionConfiguration {
    /// The rules (COS uses one); empty when never configured.
    pub rules: Vec<EncryptionRule>,
}

impl XmlConfig for ServerSideEncryptionConfiguration {
    const ROOT: &'static str = "ServerSideEncryptionConfiguration";

    fn validate(&self) -> Result<()> {
        if self.rules.is_empty() {
            return Err(Error::invalid(FIELD, "at least one rule is needed (delete_bucket_encryption removes it)"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            one_of(FIELD, "SSEAlgorithm", &r.sse_algorithm, &["AES256", "KMS", "SM4"])?;
            if r.sse_algorithm != "KMS" && (r.kms_master_key_id.is_some() || r.kms_algorithm.is_some()) {
                return Err(Error::invalid(FIELD, format!("rule {i}: a KMS key or algorithm needs SSEAlgorithm KMS")));
            }
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        for r in &self.rules {
            w.open("Rule");
            w.open("ApplyServerSideEncryptionByDefault");
            w.leaf("SSEAlgorithm", &r.sse_algorithm, FIELD)?;
            opt_leaf(w, "KMSMasterKeyID", &r.kms_master_key_id, FIELD)?;
            opt_leaf(w, "KMSAlgorithm", &r.kms_algorithm, FIELD)?;
            w.close("ApplyServerSideEncryptionByDefault");
            w.close("Rule");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let mut rules = Vec::new();
        for r in root.children("Rule") {
            let Some(d) = r.child("ApplyServerSideEncryptionByDefault") else { continue };
            rules.push(EncryptionRule {
                sse_algorithm: trimmed(&d, "SSEAlgorithm").unwrap_or_default(),
                kms_master_key_id: d.opt_text("KMSMasterKeyID"),
                kms_algorithm: trimmed(&d, "KMSAlgorithm"),
            });
        }
        Ok(ServerSideEncryptionConfiguration { rules })
    }
}

config_get!(
    ServerSideEncryptionConfiguration, "encryption", encryption, empty: ["NoSuchEncryptionConfiguration"],
    get_bucket_encryption, GetBucketEncryption, GetBucketEncryptionInput, GetBucketEncryptionOutput,
    "Reads the bucket's default encryption; a bucket without one reads as no rules, not an error."
);
config_put!(
    ServerSideEncryptionConfiguration,
    "encryption",
    put_bucket_encryption,
    PutBucketEncryption,
    PutBucketEncryptionInput,
    PutBucketEncryptionOutput,
    "Sets the bucket's default encryption (applied by COS to new objects sent without one)."
);
config_delete!(
    "encryption",
    delete_bucket_encryption,
    DeleteBucketEncryption,
    DeleteBucketEncryptionInput,
    DeleteBucketEncryptionOutput,
    "Removes the bucket's default encryption."
);
