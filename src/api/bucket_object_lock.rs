//! Object lock (a Go SDK call, not in the node SDK): `put_bucket_object_lock`,
//! `get_bucket_object_lock` (`?object-lock`). There is no DELETE: once enabled, object lock
//! stays on.

use crate::api::bucket_config::{XmlConfig, config_get, config_put, one_of, trimmed};
use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "object_lock";

/// `<ObjectLockConfiguration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectLockConfiguration {
    /// ObjectLockEnabled: `Enabled` (the only value COS takes); `None` when never set.
    pub object_lock_enabled: Option<String>,
    /// Rule/DefaultRetention/Days: how long new objects are locked.
    pub default_retention_days: Option<u32>,
}

impl ObjectLockConfiguration {
    /// Object lock on, new objects locked for `days`.
    pub fn enabled_for_days(days: u32) -> Self {
        ObjectLockConfiguration { object_lock_enabled: Some("Enabled".into()), default_retention_days: Some(days) }
    }
}

impl XmlConfig for ObjectLockConfiguration {
    const ROOT: &'static str = "ObjectLockConfiguration";

    fn validate(&self) -> Result<()> {
        one_of(FIELD, "ObjectLockEnabled", self.object_lock_enabled.as_deref().unwrap_or(""), &["Enabled"])?;
        if self.default_retention_days == Some(0) {
            return Err(Error::invalid(FIELD, "the default retention needs at least 1 day"));
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        if let Some(e) = &self.object_lock_enabled {
            w.leaf("ObjectLockEnabled", e, FIELD)?;
        }
        if let Some(d) = self.default_retention_days {
            w.open("Rule");
            w.open("DefaultRetention");
            w.leaf("Days", &d.to_string(), FIELD)?;
            w.close("DefaultRetention");
            w.close("Rule");
        }
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let days = match root.child("Rule").and_then(|r| r.child("DefaultRetention")) {
            Some(d) => d.opt_number("Days")?,
            None => None,
        };
        Ok(ObjectLockConfiguration {
            object_lock_enabled: trimmed(&root, "ObjectLockEnabled").filter(|s| !s.is_empty()),
            default_retention_days: days,
        })
    }
}

config_get!(
    ObjectLockConfiguration, "object-lock", object_lock, empty: [],
    get_bucket_object_lock, GetBucketObjectLock, GetBucketObjectLockInput, GetBucketObjectLockOutput,
    "Reads the bucket's object lock setting (`object_lock_enabled: None` when never set)."
);
config_put!(
    ObjectLockConfiguration,
    "object-lock",
    put_bucket_object_lock,
    PutBucketObjectLock,
    PutBucketObjectLockInput,
    PutBucketObjectLockOutput,
    "Turns object lock on with a default retention (it cannot be turned off again)."
);
