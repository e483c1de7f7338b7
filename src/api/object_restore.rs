//! `restore_object` (`POST /{key}?restore`): a temporary readable copy of an ARCHIVE or
//! DEEP_ARCHIVE object, for `days` days.

use crate::api::call::Call;
use crate::api::object::builder_doc;
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::XmlWriter;

/// Input of `restore_object`: pure data, no client.
///
/// ```
/// use tencent_cos::api::RestoreObjectInput;
/// use tencent_cos::operation::Operation;
/// let mut input = RestoreObjectInput { key: "archive/2019 logs.tar.gz".into(), days: 3, tier: Some("Standard".into()), version_id: None };
/// assert_eq!(
///     input.build()?.body.as_bytes().unwrap(),
///     b"<RestoreRequest><Days>3</Days><CASJobParameters><Tier>Standard</Tier></CASJobParameters></RestoreRequest>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreObjectInput {
    /// The object key.
    pub key: String,
    /// `Days`: how long the restored copy stays readable, at least 1.
    pub days: u64,
    /// `CASJobParameters/Tier`: `Expedited`, `Standard` or `Bulk` (DEEP_ARCHIVE: `Standard` or
    /// `Bulk`); COS's default (`Standard`) when `None`, and then no `CASJobParameters` is sent.
    pub tier: Option<String>,
    /// `versionId`: restore this version rather than the latest.
    pub version_id: Option<String>,
}

/// What `restore_object` returns: 202 when the restore started, 200 when an existing restored
/// copy had its expiry moved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestoreObjectOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
}

impl RestoreObjectInput {
    /// The `RestoreRequest` body.
    ///
    /// ```
    /// use tencent_cos::api::RestoreObjectInput;
    /// let input = RestoreObjectInput { key: "k".into(), days: 1, ..Default::default() };
    /// assert_eq!(input.restore_request()?, "<RestoreRequest><Days>1</Days></RestoreRequest>");
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn restore_request(&self) -> Result<String> {
        if self.days == 0 {
            return Err(Error::invalid("days", "a restored copy lasts at least 1 day"));
        }
        let mut w = XmlWriter::with_capacity(120);
        w.open("RestoreRequest");
        w.leaf("Days", &self.days.to_string(), "days")?;
        if let Some(tier) = &self.tier {
            if tier.trim().is_empty() {
                return Err(Error::invalid("tier", "empty: leave it unset for COS's default (Standard)"));
            }
            w.open("CASJobParameters");
            w.leaf("Tier", tier, "tier")?;
            w.close("CASJobParameters");
        }
        w.close("RestoreRequest");
        Ok(w.finish())
    }
}

impl Operation for RestoreObjectInput {
    type Output = RestoreObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        if self.key.is_empty() {
            return Err(Error::invalid("key", "empty"));
        }
        let body = self.restore_request()?;
        let mut request = OperationRequest::new(Method::Post).with_key(self.key.clone()).with_query("restore", "");
        if let Some(v) = &self.version_id {
            request = request.with_query("versionId", v.clone());
        }
        Ok(request.with_xml_body(body))
    }

    fn parse(&mut self, response: Response) -> Result<RestoreObjectOutput> {
        Ok(RestoreObjectOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::restore_object`]; `.send()` runs it.
pub type RestoreObject<'a> = Call<'a, RestoreObjectInput>;

impl RestoreObject<'_> {
    /// `CASJobParameters/Tier`: `Expedited`, `Standard` or `Bulk`.
    ///
    #[doc = builder_doc!("restore_object(\"archive/a.tar.gz\", 3)", "tier(\"Expedited\")")]
    pub fn tier(mut self, tier: impl Into<String>) -> Self {
        self.input.tier = Some(tier.into());
        self
    }

    /// `versionId`: restore this version rather than the latest.
    ///
    #[doc = builder_doc!("restore_object(\"archive/a.tar.gz\", 1)", "version_id(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

impl Bucket {
    /// POST Object restore: makes an ARCHIVE / DEEP_ARCHIVE object readable for `days` days.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let started = bucket.restore_object("archive/2019 logs.tar.gz", 3).tier("Standard").send()?;
    /// println!("restore answered {}", started.meta.status);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn restore_object(&self, key: impl Into<String>, days: u64) -> RestoreObject<'_> {
        RestoreObject { bucket: self, input: RestoreObjectInput { key: key.into(), days, ..Default::default() } }
    }
}
