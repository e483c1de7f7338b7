//! Bucket policy: `put_bucket_policy`, `get_bucket_policy`, `delete_bucket_policy`.

use crate::api::call::Call;
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Headers, Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Largest policy read back (COS allows 20 KiB; the margin tolerates whitespace).
const MAX_POLICY_BODY: u64 = 1024 * 1024;

/// Input of `get_bucket_policy` (`GET /?policy`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketPolicyInput;
/// use tencent_cos::operation::Operation;
/// assert_eq!(GetBucketPolicyInput.build()?.query, vec![("policy".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketPolicyInput;

/// Output of `get_bucket_policy`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketPolicyOutput {
    /// The policy JSON as COS sent it; empty for a bucket without a policy.
    pub policy: String,
    /// Status and every response header. For a bucket without a policy the status is 404 and
    /// the headers hold only `x-cos-request-id` (from the error).
    pub meta: ResponseMeta,
}

impl Operation for GetBucketPolicyInput {
    type Output = GetBucketPolicyOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("policy", ""))
    }

    fn parse(&mut self, mut response: Response) -> Result<GetBucketPolicyOutput> {
        let bytes = response.read_body(MAX_POLICY_BODY)?;
        let policy = String::from_utf8(bytes).map_err(|_| Error::Xml("the bucket policy is not UTF-8".into()))?;
        Ok(GetBucketPolicyOutput { policy, meta: meta_of(&response) })
    }

    /// A bucket without a policy answers 404 NoSuchPolicy: an empty policy.
    fn recover(&mut self, error: Error) -> Result<GetBucketPolicyOutput> {
        match error.service() {
            Some(e) if e.status == 404 && e.code == "NoSuchPolicy" => {
                let mut headers = Headers::new();
                if let Some(id) = &e.request_id {
                    headers.insert("x-cos-request-id", id.clone());
                }
                Ok(GetBucketPolicyOutput { policy: String::new(), meta: ResponseMeta { status: 404, headers } })
            }
            _ => Err(error),
        }
    }
}

/// Builder returned by [`Bucket::get_bucket_policy`]; `.send()` runs it.
pub type GetBucketPolicy<'a> = Call<'a, GetBucketPolicyInput>;

/// Input of `put_bucket_policy` (`PUT /?policy`): the policy JSON, sent as given.
///
/// ```
/// use tencent_cos::api::PutBucketPolicyInput;
/// use tencent_cos::operation::Operation;
/// let json = r#"{"Statement":[]}"#;
/// let request = PutBucketPolicyInput { policy: json.into() }.build()?;
/// assert_eq!(request.body.as_bytes().unwrap(), json.as_bytes());
/// assert_eq!(request.headers.get("Content-Type"), Some("application/json"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutBucketPolicyInput {
    /// The policy JSON (an object: it must start with `{` and end with `}`, whitespace aside).
    pub policy: String,
}

/// Output of `put_bucket_policy`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketPolicyOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketPolicyInput {
    type Output = PutBucketPolicyOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        // Without a JSON parser only the shape is checked; COS judges the content.
        let trimmed = self.policy.trim();
        if !(trimmed.starts_with('{') && trimmed.ends_with('}')) {
            return Err(Error::invalid("policy", "a bucket policy is a JSON object: {...}"));
        }
        let md5 = crate::checksum::content_md5(self.policy.as_bytes());
        Ok(OperationRequest::new(Method::Put)
            .with_query("policy", "")
            .with_header("Content-Type", "application/json")
            .with_header("Content-MD5", md5)
            .with_body(self.policy.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketPolicyOutput> {
        Ok(PutBucketPolicyOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_policy`]; `.send()` runs it.
pub type PutBucketPolicy<'a> = Call<'a, PutBucketPolicyInput>;

/// Input of `delete_bucket_policy` (`DELETE /?policy`): no parameters.
///
/// ```
/// use tencent_cos::api::DeleteBucketPolicyInput;
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// assert_eq!(DeleteBucketPolicyInput.build()?.method, Method::Delete);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteBucketPolicyInput;

/// Output of `delete_bucket_policy`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteBucketPolicyOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for DeleteBucketPolicyInput {
    type Output = DeleteBucketPolicyOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Delete).with_query("policy", ""))
    }

    fn parse(&mut self, response: Response) -> Result<DeleteBucketPolicyOutput> {
        Ok(DeleteBucketPolicyOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::delete_bucket_policy`]; `.send()` runs it.
pub type DeleteBucketPolicy<'a> = Call<'a, DeleteBucketPolicyInput>;

impl Bucket {
    /// Reads the bucket's policy JSON; a bucket without one reads as an empty string.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let policy = bucket.get_bucket_policy().send()?.policy;
    /// println!("{}", if policy.is_empty() { "no policy" } else { &policy });
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_policy(&self) -> GetBucketPolicy<'_> {
        GetBucketPolicy { bucket: self, input: GetBucketPolicyInput }
    }

    /// Replaces the bucket's policy with `policy` (JSON text, sent as given).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let policy = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Effect":"deny",
    ///     "Action":["name/cos:DeleteObject"],
    ///     "Resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"]}]}"#;
    /// bucket.put_bucket_policy(policy).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_policy(&self, policy: impl Into<String>) -> PutBucketPolicy<'_> {
        PutBucketPolicy { bucket: self, input: PutBucketPolicyInput { policy: policy.into() } }
    }

    /// Removes the bucket's policy.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_bucket_policy().send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_bucket_policy(&self) -> DeleteBucketPolicy<'_> {
        DeleteBucketPolicy { bucket: self, input: DeleteBucketPolicyInput }
    }
}
