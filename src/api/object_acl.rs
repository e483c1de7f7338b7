//! `get_object_acl` and `put_object_acl`.

use crate::api::acl::{AccessControlPolicy, AclHeaders, AclOutput, acl_header_methods, put_acl_request};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::Result;
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `get_object_acl` (`GET /{key}?acl`).
///
/// ```
/// use tencent_cos::api::object_acl::GetObjectAclInput;
/// use tencent_cos::operation::Operation;
/// let request = GetObjectAclInput { key: "1.jpg".into() }.build()?;
/// assert_eq!(request.key.as_deref(), Some("1.jpg"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct GetObjectAclInput {
    /// Key.
    pub key: String,
}

/// Output of `get_object_acl`.
pub type GetObjectAclOutput = AclOutput;

impl Operation for GetObjectAclInput {
    type Output = GetObjectAclOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_key(self.key.clone()).with_query("acl", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetObjectAclOutput> {
        AclOutput::parse(response)
    }
}

/// Builder returned by [`Bucket::get_object_acl`]; `.send()` runs it.
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct GetObjectAcl<'a> {
    bucket: &'a Bucket,
    input: GetObjectAclInput,
}

impl GetObjectAcl<'_> {
    /// Sends the request.
    pub fn send(self) -> Result<GetObjectAclOutput> {
        self.bucket.execute(self.input)
    }
}

/// Input of `put_object_acl` (`PUT /{key}?acl`): ACL headers, an AccessControlPolicy body, or both.
///
/// ```
/// use tencent_cos::api::acl::CannedAcl;
/// use tencent_cos::api::object_acl::PutObjectAclInput;
/// use tencent_cos::operation::Operation;
/// let mut input = PutObjectAclInput { key: "1.jpg".into(), ..Default::default() };
/// input.acl_headers.acl = Some(CannedAcl::Default);
/// assert_eq!(input.build()?.headers.get("x-cos-acl"), Some("default"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutObjectAclInput {
    /// Key.
    pub key: String,
    /// ACL and GrantRead / GrantWrite / GrantFullControl / GrantReadAcp / GrantWriteAcp.
    pub acl_headers: AclHeaders,
    /// AccessControlPolicy, sent as the XML body.
    pub access_control_policy: Option<AccessControlPolicy>,
}

/// Output of `put_object_acl`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutObjectAclOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutObjectAclInput {
    type Output = PutObjectAclOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let request = OperationRequest::new(Method::Put).with_key(self.key.clone()).with_query("acl", "");
        put_acl_request(request, &self.acl_headers, self.access_control_policy.as_ref())
    }

    fn parse(&mut self, response: Response) -> Result<PutObjectAclOutput> {
        Ok(PutObjectAclOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_object_acl`]; every parameter is a method, `.send()` runs it.
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct PutObjectAcl<'a> {
    bucket: &'a Bucket,
    input: PutObjectAclInput,
}

impl PutObjectAcl<'_> {
    acl_header_methods!("bucket.put_object_acl(\"1.jpg\")");

    /// AccessControlPolicy: the whole ACL as an XML body.
    ///
    /// ```no_run
    /// use tencent_cos::api::acl::{AccessControlPolicy, Grantee, Owner, Permission};
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let policy = AccessControlPolicy::new(Owner::new("qcs::cam::uin/100000000001:uin/100000000001"))
    ///     .grant(Grantee::all_users(), Permission::Read);
    /// bucket.put_object_acl("1.jpg").access_control_policy(policy).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn access_control_policy(mut self, policy: AccessControlPolicy) -> Self {
        self.input.access_control_policy = Some(policy);
        self
    }

    /// Sends the request.
    pub fn send(self) -> Result<PutObjectAclOutput> {
        self.bucket.execute(self.input)
    }
}

impl Bucket {
    /// Reads an object's ACL: owner, grants, and the JS SDK's summary (`acl`, `grant_read`, ...).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let acl = bucket.get_object_acl("1.jpg").send()?;
    /// for grant in &acl.grants {
    ///     println!("{:?} {}", grant.grantee.id, grant.permission.as_str());
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_object_acl(&self, key: impl Into<String>) -> GetObjectAcl<'_> {
        GetObjectAcl { bucket: self, input: GetObjectAclInput { key: key.into() } }
    }

    /// Sets an object's ACL with a canned ACL, grant headers, or an AccessControlPolicy body.
    ///
    /// ```no_run
    /// use tencent_cos::api::acl::CannedAcl;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_object_acl("1.jpg").acl(CannedAcl::PublicRead).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_object_acl(&self, key: impl Into<String>) -> PutObjectAcl<'_> {
        PutObjectAcl { bucket: self, input: PutObjectAclInput { key: key.into(), ..Default::default() } }
    }
}
