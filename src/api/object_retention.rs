//! Object retention (object lock, a Go SDK call, not in the node SDK): `put_object_retention`
//! and `get_object_retention` (`PUT` / `GET /{key}?retention`, body `<Retention>`).

use crate::api::bucket_config::{XmlConfig, one_of, trimmed};
use crate::api::call::Call;
use crate::api::object::{builder_doc, parse_xml_answer};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "retention";

/// `<Retention>`: how long an object is locked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// `RetainUntilDate`: ISO 8601 (`2030-01-01T00:00:00.000Z`).
    pub retain_until_date: String,
    /// `Mode`: `COMPLIANCE`, the only mode COS has.
    pub mode: String,
}

impl Retention {
    /// `COMPLIANCE` until `date` (ISO 8601).
    ///
    /// ```
    /// let r = tencent_cos::api::Retention::compliance_until("2030-01-01T00:00:00Z");
    /// assert_eq!(r.mode, "COMPLIANCE");
    /// ```
    pub fn compliance_until(date: impl Into<String>) -> Self {
        Retention { retain_until_date: date.into(), mode: "COMPLIANCE".into() }
    }

    /// `RetainUntilDate` as Unix seconds; `None` when it is not ISO 8601.
    ///
    /// ```
    /// let r = tencent_cos::api::Retention::compliance_until("2023-11-14T22:13:20.000Z");
    /// assert_eq!(r.retain_until_secs(), Some(1_700_000_000));
    /// ```
    pub fn retain_until_secs(&self) -> Option<u64> {
        crate::transfer::cleanup::parse_iso8601(self.retain_until_date.trim())
    }
}

impl XmlConfig for Retention {
    const ROOT: &'static str = "Retention";

    fn validate(&self) -> Result<()> {
        one_of(FIELD, "Mode", &self.mode, &["COMPLIANCE"])?;
        if self.retain_until_secs().is_none() {
            return Err(Error::invalid(
                FIELD,
                format!(
                    "RetainUntilDate {:?} is not an ISO 8601 date (2030-01-01T00:00:00.000Z)",
                    self.retain_until_date
                ),
            ));
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        w.leaf("RetainUntilDate", &self.retain_until_date, FIELD)?;
        w.leaf("Mode", &self.mode, FIELD)
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        Ok(Retention {
            retain_until_date: trimmed(&root, "RetainUntilDate").unwrap_or_default(),
            mode: trimmed(&root, "Mode").unwrap_or_default(),
        })
    }
}

fn key_request(method: Method, key: &str, version_id: &Option<String>) -> Result<OperationRequest> {
    if key.is_empty() {
        return Err(Error::invalid("key", "empty"));
    }
    let mut request = OperationRequest::new(method).with_key(key).with_query("retention", "");
    if let Some(v) = version_id {
        request = request.with_query("versionId", v.clone());
    }
    Ok(request)
}

/// Input of `put_object_retention`: pure data, no client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutObjectRetentionInput {
    /// The object key.
    pub key: String,
    /// The retention to set (checked before sending: `COMPLIANCE`, an ISO 8601 date).
    pub retention: Retention,
    /// `versionId`: of this version rather than the latest.
    pub version_id: Option<String>,
}

/// What `put_object_retention` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectRetentionOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
}

impl Operation for PutObjectRetentionInput {
    type Output = PutObjectRetentionOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let body = self.retention.to_xml()?;
        Ok(key_request(Method::Put, &self.key, &self.version_id)?.with_xml_body(body))
    }

    fn parse(&mut self, response: Response) -> Result<PutObjectRetentionOutput> {
        Ok(PutObjectRetentionOutput { meta: meta_of(&response) })
    }
}

/// Input of `get_object_retention`: pure data, no client.
///
/// ```
/// use tencent_cos::api::GetObjectRetentionInput;
/// use tencent_cos::operation::Operation;
/// let mut input = GetObjectRetentionInput { key: "a b".into(), version_id: Some("v1".into()) };
/// let request = input.build()?;
/// assert_eq!(request.key.as_deref(), Some("a b"));
/// assert_eq!(request.query[1], ("versionId".to_string(), "v1".to_string()));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetObjectRetentionInput {
    /// The object key.
    pub key: String,
    /// `versionId`: of this version rather than the latest.
    pub version_id: Option<String>,
}

/// What `get_object_retention` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetObjectRetentionOutput {
    /// The object's retention.
    pub retention: Retention,
    /// Status and every header.
    pub meta: ResponseMeta,
}

impl Operation for GetObjectRetentionInput {
    type Output = GetObjectRetentionOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        key_request(Method::Get, &self.key, &self.version_id)
    }

    fn parse(&mut self, response: Response) -> Result<GetObjectRetentionOutput> {
        parse_xml_answer(response, Retention::ROOT, |root, meta| {
            Ok(GetObjectRetentionOutput { retention: Retention::read(root)?, meta })
        })
    }
}

/// Builder returned by [`Bucket::put_object_retention`]; `.send()` runs it.
pub type PutObjectRetention<'a> = Call<'a, PutObjectRetentionInput>;

impl PutObjectRetention<'_> {
    /// `versionId`: of this version rather than the latest.
    ///
    #[doc = builder_doc!("put_object_retention(\"a.csv\", tencent_cos::api::Retention::compliance_until(\"2030-01-01T00:00:00Z\"))", "version_id(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

/// Builder returned by [`Bucket::get_object_retention`]; `.send()` runs it.
pub type GetObjectRetention<'a> = Call<'a, GetObjectRetentionInput>;

impl GetObjectRetention<'_> {
    /// `versionId`: of this version rather than the latest.
    ///
    #[doc = builder_doc!("get_object_retention(\"a.csv\")", "version_id(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

impl Bucket {
    /// PUT Object retention: locks the object until a date (it can be moved later, never
    /// earlier).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// use tencent_cos::api::Retention;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_object_retention("ledger/2026.csv", Retention::compliance_until("2030-01-01T00:00:00Z")).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_object_retention(&self, key: impl Into<String>, retention: Retention) -> PutObjectRetention<'_> {
        PutObjectRetention {
            bucket: self,
            input: PutObjectRetentionInput { key: key.into(), retention, version_id: None },
        }
    }

    /// GET Object retention: until when the object is locked.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let r = bucket.get_object_retention("ledger/2026.csv").send()?;
    /// println!("locked until {}", r.retention.retain_until_date);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_object_retention(&self, key: impl Into<String>) -> GetObjectRetention<'_> {
        GetObjectRetention { bucket: self, input: GetObjectRetentionInput { key: key.into(), version_id: None } }
    }
}
