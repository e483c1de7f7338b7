//! Global acceleration: `put_bucket_accelerate`, `get_bucket_accelerate`.

use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::XmlWriter;

/// Input of `get_bucket_accelerate` (`GET /?accelerate`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketAccelerateInput;
/// use tencent_cos::operation::Operation;
/// assert_eq!(GetBucketAccelerateInput.build()?.query, vec![("accelerate".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketAccelerateInput;

/// Output of `get_bucket_accelerate`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketAccelerateOutput {
    /// Status: `Enabled` or `Suspended`; `None` when never set.
    pub status: Option<String>,
    /// Type (`COS`), when sent.
    pub accelerate_type: Option<String>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for GetBucketAccelerateInput {
    type Output = GetBucketAccelerateOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("accelerate", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketAccelerateOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "AccelerateConfiguration")?;
        let text = |name| root.opt_text(name).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(GetBucketAccelerateOutput { status: text("Status"), accelerate_type: text("Type"), meta: body.meta })
    }
}

/// Builder returned by [`Bucket::get_bucket_accelerate`]; `.send()` runs it.
pub type GetBucketAccelerate<'a> = Call<'a, GetBucketAccelerateInput>;

/// Input of `put_bucket_accelerate` (`PUT /?accelerate`).
///
/// ```
/// use tencent_cos::api::PutBucketAccelerateInput;
/// use tencent_cos::operation::Operation;
/// let mut input = PutBucketAccelerateInput { enabled: true, accelerate_type: Some("COS".into()) };
/// assert_eq!(
///     input.build()?.body.as_bytes().unwrap(),
///     b"<AccelerateConfiguration><Status>Enabled</Status><Type>COS</Type></AccelerateConfiguration>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutBucketAccelerateInput {
    /// `true` sends `Enabled`, `false` sends `Suspended`.
    pub enabled: bool,
    /// Type (`COS`); optional, not empty when set.
    pub accelerate_type: Option<String>,
}

/// Output of `put_bucket_accelerate`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketAccelerateOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketAccelerateInput {
    type Output = PutBucketAccelerateOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        const FIELD: &str = "accelerate_type";
        if self.accelerate_type.as_deref() == Some("") {
            return Err(Error::invalid(FIELD, "the type is empty; leave it unset instead"));
        }
        let mut w = XmlWriter::with_capacity(96);
        w.open("AccelerateConfiguration");
        w.leaf("Status", if self.enabled { "Enabled" } else { "Suspended" }, FIELD)?;
        if let Some(t) = &self.accelerate_type {
            w.leaf("Type", t, FIELD)?;
        }
        w.close("AccelerateConfiguration");
        Ok(OperationRequest::new(Method::Put).with_query("accelerate", "").with_xml_body(w.finish()))
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketAccelerateOutput> {
        Ok(PutBucketAccelerateOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_accelerate`]; `.send()` runs it.
pub type PutBucketAccelerate<'a> = Call<'a, PutBucketAccelerateInput>;

impl PutBucketAccelerate<'_> {
    /// Sets Type (`COS`).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_accelerate(true).accelerate_type("COS").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn accelerate_type(mut self, accelerate_type: impl Into<String>) -> Self {
        self.input.accelerate_type = Some(accelerate_type.into());
        self
    }
}

impl Bucket {
    /// Reads the bucket's global acceleration status.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let on = bucket.get_bucket_accelerate().send()?.status.as_deref() == Some("Enabled");
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_accelerate(&self) -> GetBucketAccelerate<'_> {
        GetBucketAccelerate { bucket: self, input: GetBucketAccelerateInput }
    }

    /// Turns global acceleration on (`Enabled`) or off (`Suspended`).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_accelerate(false).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_accelerate(&self, enabled: bool) -> PutBucketAccelerate<'_> {
        PutBucketAccelerate { bucket: self, input: PutBucketAccelerateInput { enabled, accelerate_type: None } }
    }
}
