//! Access logging: `put_bucket_logging`, `get_bucket_logging`. There is no DELETE in COS: a put
//! of `BucketLoggingStatus::default()` (an empty `<BucketLoggingStatus>`) turns logging off, as
//! the node SDK's demo `deleteBucketLogging` does.

use crate::api::bucket_config::{XmlConfig, config_get, config_put};
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "logging";

/// `<LoggingEnabled>`: where the logs go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoggingEnabled {
    /// TargetBucket (same region, same account).
    pub target_bucket: String,
    /// TargetPrefix of the log objects.
    pub target_prefix: String,
}

/// `<BucketLoggingStatus>`: `logging_enabled: None` is logging off.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BucketLoggingStatus {
    /// LoggingEnabled, when logging is on.
    pub logging_enabled: Option<LoggingEnabled>,
}

impl BucketLoggingStatus {
    /// Logging into `target_bucket` under `target_prefix`.
    pub fn to(target_bucket: impl Into<String>, target_prefix: impl Into<String>) -> Self {
        BucketLoggingStatus {
            logging_enabled: Some(LoggingEnabled {
                target_bucket: target_bucket.into(),
                target_prefix: target_prefix.into(),
            }),
        }
    }
}

impl XmlConfig for BucketLoggingStatus {
    const ROOT: &'static str = "BucketLoggingStatus";

    fn validate(&self) -> Result<()> {
        if self.logging_enabled.as_ref().is_some_and(|l| l.target_bucket.trim().is_empty()) {
            return Err(Error::invalid(FIELD, "the target bucket is empty"));
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        if let Some(l) = &self.logging_enabled {
            w.open("LoggingEnabled");
            w.leaf("TargetBucket", &l.target_bucket, FIELD)?;
            w.leaf("TargetPrefix", &l.target_prefix, FIELD)?;
            w.close("LoggingEnabled");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        Ok(BucketLoggingStatus {
            logging_enabled: root.child("LoggingEnabled").map(|l| LoggingEnabled {
                target_bucket: l.opt_text("TargetBucket").unwrap_or_default(),
                target_prefix: l.opt_text("TargetPrefix").unwrap_or_default(),
            }),
        })
    }
}

config_get!(
    BucketLoggingStatus, "logging", logging, empty: [],
    get_bucket_logging, GetBucketLogging, GetBucketLoggingInput, GetBucketLoggingOutput,
    "Reads where the bucket's access logs go (`logging_enabled: None` when off)."
);
config_put!(
    BucketLoggingStatus,
    "logging",
    put_bucket_logging,
    PutBucketLogging,
    PutBucketLoggingInput,
    PutBucketLoggingOutput,
    "Turns access logging on (with a target) or off (`BucketLoggingStatus::default()`)."
);
