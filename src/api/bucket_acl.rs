//! `get_bucket_acl` and `put_bucket_acl`.

use crate::api::acl::{AccessControlPolicy, AclHeaders, AclOutput, acl_header_methods, put_acl_request};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::Result;
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `get_bucket_acl` (`GET /?acl`): no parameters.
///
/// ```
/// use tencent_cos::api::bucket_acl::GetBucketAclInput;
/// use tencent_cos::operation::Operation;
/// let request = GetBucketAclInput.build()?;
/// assert_eq!(request.query, vec![("acl".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketAclInput;

/// Output of `get_bucket_acl`.
pub type GetBucketAclOutput = AclOutput;

impl Operation for GetBucketAclInput {
    type Output = GetBucketAclOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("acl", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketAclOutput> {
        AclOutput::parse(response)
    }
}

/// Builder returned by [`Bucket::get_bucket_acl`]; `.send()` runs it.
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct GetBucketAcl<'a> {
    bucket: &'a Bucket,
    input: GetBucketAclInput,
}

impl GetBucketAcl<'_> {
    /// Sends the request.
    pub fn send(self) -> Result<GetBucketAclOutput> {
        self.bucket.execute(self.input)
    }
}

/// Input of `put_bucket_acl` (`PUT /?acl`): ACL headers, an AccessControlPolicy body, or both.
///
/// ```
/// use tencent_cos::api::acl::CannedAcl;
/// use tencent_cos::api::bucket_acl::PutBucketAclInput;
/// use tencent_cos::operation::Operation;
/// let mut input = PutBucketAclInput::default();
/// input.acl_headers.acl = Some(CannedAcl::PublicRead);
/// let request = input.build()?;
/// assert_eq!(request.headers.get("x-cos-acl"), Some("public-read"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutBucketAclInput {
    /// ACL and GrantRead / GrantWrite / GrantFullControl / GrantReadAcp / GrantWriteAcp.
    pub acl_headers: AclHeaders,
    /// AccessControlPolicy, sent as the XML body.
    pub access_control_policy: Option<AccessControlPolicy>,
}

/// Output of `put_bucket_acl`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutBucketAclOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketAclInput {
    type Output = PutBucketAclOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        self.acl_headers.check_bucket_acl()?;
        let request = OperationRequest::new(Method::Put).with_query("acl", "");
        put_acl_request(request, &self.acl_headers, self.access_control_policy.as_ref())
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketAclOutput> {
        Ok(PutBucketAclOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_acl`]; every parameter is a method, `.send()` runs it.
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct PutBucketAcl<'a> {
    bucket: &'a Bucket,
    input: PutBucketAclInput,
}

impl PutBucketAcl<'_> {
    acl_header_methods!("bucket.put_bucket_acl()");

    /// AccessControlPolicy: the whole ACL as an XML body.
    ///
    /// ```no_run
    /// use tencent_cos::api::acl::{AccessControlPolicy, Grantee, Owner, Permission};
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let policy = AccessControlPolicy::new(Owner::new("qcs::cam::uin/100000000001:uin/100000000001"))
    ///     .grant(Grantee::id("qcs::cam::uin/100000000011:uin/100000000011"), Permission::Write);
    /// bucket.put_bucket_acl().access_control_policy(policy).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn access_control_policy(mut self, policy: AccessControlPolicy) -> Self {
        self.input.access_control_policy = Some(policy);
        self
    }

    /// Sends the request.
    pub fn send(self) -> Result<PutBucketAclOutput> {
        self.bucket.execute(self.input)
    }
}

impl Bucket {
    /// Reads the bucket's ACL: owner, grants, and the JS SDK's summary (`acl`, `grant_read`, ...).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let acl = bucket.get_bucket_acl().send()?;
    /// println!("{} owned by {}", acl.acl, acl.owner.id);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_acl(&self) -> GetBucketAcl<'_> {
        GetBucketAcl { bucket: self, input: GetBucketAclInput }
    }

    /// Sets the bucket's ACL with a canned ACL, grant headers, or an AccessControlPolicy body.
    ///
    /// ```no_run
    /// use tencent_cos::api::acl::CannedAcl;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_acl().acl(CannedAcl::PublicRead).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_acl(&self) -> PutBucketAcl<'_> {
        PutBucketAcl { bucket: self, input: PutBucketAclInput::default() }
    }
}
