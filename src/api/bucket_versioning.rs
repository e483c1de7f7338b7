//! Bucket versioning: `put_bucket_versioning`, `get_bucket_versioning`.

use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::XmlWriter;

/// A bucket's versioning status. Once enabled, versioning can only be suspended, never turned
/// back to "never set".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersioningStatus {
    /// `Enabled`: every write keeps the previous version.
    Enabled,
    /// `Suspended`: new writes replace the null version; old versions are kept.
    Suspended,
    /// A status read from COS that this crate does not name, kept as sent.
    Other(String),
}

impl VersioningStatus {
    /// The XML text: `Enabled`, `Suspended`, or the text kept.
    ///
    /// ```
    /// use tencent_cos::api::VersioningStatus;
    /// assert_eq!(VersioningStatus::Suspended.as_str(), "Suspended");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
            VersioningStatus::Other(s) => s,
        }
    }

    fn from_text(text: String) -> VersioningStatus {
        match text.as_str() {
            "Enabled" => VersioningStatus::Enabled,
            "Suspended" => VersioningStatus::Suspended,
            _ => VersioningStatus::Other(text),
        }
    }
}

/// Input of `get_bucket_versioning` (`GET /?versioning`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketVersioningInput;
/// use tencent_cos::operation::Operation;
/// assert_eq!(GetBucketVersioningInput.build()?.query, vec![("versioning".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketVersioningInput;

/// Output of `get_bucket_versioning`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketVersioningOutput {
    /// Status; `None` for a bucket whose versioning was never set.
    pub status: Option<VersioningStatus>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for GetBucketVersioningInput {
    type Output = GetBucketVersioningOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("versioning", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketVersioningOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "VersioningConfiguration")?;
        let status = root.opt_text("Status").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(GetBucketVersioningOutput { status: status.map(VersioningStatus::from_text), meta: body.meta })
    }
}

/// Builder returned by [`Bucket::get_bucket_versioning`]; `.send()` runs it.
pub type GetBucketVersioning<'a> = Call<'a, GetBucketVersioningInput>;

/// Input of `put_bucket_versioning` (`PUT /?versioning`).
///
/// ```
/// use tencent_cos::api::{PutBucketVersioningInput, VersioningStatus};
/// use tencent_cos::operation::Operation;
/// let mut input = PutBucketVersioningInput { status: VersioningStatus::Enabled };
/// assert_eq!(
///     input.build()?.body.as_bytes().unwrap(),
///     b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PutBucketVersioningInput {
    /// `Enabled` or `Suspended` (`Other` is refused before sending).
    pub status: VersioningStatus,
}

/// Output of `put_bucket_versioning`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketVersioningOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketVersioningInput {
    type Output = PutBucketVersioningOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        if let VersioningStatus::Other(s) = &self.status {
            return Err(Error::invalid("status", format!("{s:?} is not Enabled or Suspended")));
        }
        let mut w = XmlWriter::with_capacity(80);
        w.open("VersioningConfiguration");
        w.leaf("Status", self.status.as_str(), "status")?;
        w.close("VersioningConfiguration");
        Ok(OperationRequest::new(Method::Put).with_query("versioning", "").with_xml_body(w.finish()))
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketVersioningOutput> {
        Ok(PutBucketVersioningOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_versioning`]; `.send()` runs it.
pub type PutBucketVersioning<'a> = Call<'a, PutBucketVersioningInput>;

impl Bucket {
    /// Reads the bucket's versioning status (`None` when never set).
    ///
    /// ```no_run
    /// use tencent_cos::api::VersioningStatus;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let on = bucket.get_bucket_versioning().send()?.status == Some(VersioningStatus::Enabled);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_versioning(&self) -> GetBucketVersioning<'_> {
        GetBucketVersioning { bucket: self, input: GetBucketVersioningInput }
    }

    /// Sets the bucket's versioning status.
    ///
    /// ```no_run
    /// use tencent_cos::api::VersioningStatus;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_versioning(VersioningStatus::Enabled).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_versioning(&self, status: VersioningStatus) -> PutBucketVersioning<'_> {
        PutBucketVersioning { bucket: self, input: PutBucketVersioningInput { status } }
    }
}
