//! The four ACL calls, bucket and object alike: `get_bucket_acl`, `put_bucket_acl`,
//! `get_object_acl`, `put_object_acl`. They differ only in the key (none for the bucket) and
//! in the canned ACLs a bucket accepts, so one request builder and one output serve all four,
//! and the setters of the two writes are one generic impl of [`Call`] over [`AclWriteInput`].

use crate::api::acl::{AccessControlPolicy, AclHeaders, AclOutput, acl_header_methods, put_acl_request};
use crate::api::call::Call;
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::Result;
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `get_bucket_acl` (`GET /?acl`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketAclInput;
/// use tencent_cos::operation::Operation;
/// let request = GetBucketAclInput.build()?;
/// assert_eq!(request.query, vec![("acl".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketAclInput;

/// Input of `get_object_acl` (`GET /{key}?acl`).
///
/// ```
/// use tencent_cos::api::GetObjectAclInput;
/// use tencent_cos::operation::Operation;
/// let request = GetObjectAclInput { key: "1.jpg".into(), version_id: Some("v1".into()) }.build()?;
/// assert_eq!(request.key.as_deref(), Some("1.jpg"));
/// assert_eq!(request.query[1], ("versionId".to_string(), "v1".to_string()));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct GetObjectAclInput {
    /// Key.
    pub key: String,
    /// `versionId`: the ACL of this version rather than the latest.
    pub version_id: Option<String>,
}

/// Input of `put_bucket_acl` (`PUT /?acl`): ACL headers, an AccessControlPolicy body, or both.
///
/// ```
/// use tencent_cos::api::CannedAcl;
/// use tencent_cos::api::PutBucketAclInput;
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

/// Input of `put_object_acl` (`PUT /{key}?acl`): ACL headers, an AccessControlPolicy body, or both.
///
/// ```
/// use tencent_cos::api::CannedAcl;
/// use tencent_cos::api::PutObjectAclInput;
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
    /// `versionId`: set the ACL of this version rather than the latest.
    pub version_id: Option<String>,
    /// ACL and GrantRead / GrantWrite / GrantFullControl / GrantReadAcp / GrantWriteAcp.
    pub acl_headers: AclHeaders,
    /// AccessControlPolicy, sent as the XML body.
    pub access_control_policy: Option<AccessControlPolicy>,
}

/// Output of `get_bucket_acl`.
pub type GetBucketAclOutput = AclOutput;
/// Output of `get_object_acl`.
pub type GetObjectAclOutput = AclOutput;

/// Output of `put_bucket_acl` and `put_object_acl`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutAclOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}
/// Output of `put_bucket_acl`.
pub type PutBucketAclOutput = PutAclOutput;
/// Output of `put_object_acl`.
pub type PutObjectAclOutput = PutAclOutput;

/// `GET [/{key}]?acl`.
fn get_acl_request(key: Option<&str>) -> OperationRequest {
    let request = OperationRequest::new(Method::Get);
    let request = match key {
        Some(k) => request.with_key(k),
        None => request,
    };
    request.with_query("acl", "")
}

/// `PUT [/{key}]?acl` with the headers and body of an ACL write.
fn put_acl(key: Option<&str>, write: &AclWrite<'_>) -> Result<OperationRequest> {
    let request = OperationRequest::new(Method::Put);
    let request = match key {
        Some(k) => request.with_key(k),
        None => request,
    };
    put_acl_request(request.with_query("acl", ""), write.headers, write.policy)
}

/// Adds `versionId` after `acl` (the node SDK's order for object sub-resources).
fn with_version(request: OperationRequest, version_id: &Option<String>) -> OperationRequest {
    match version_id {
        Some(v) => request.with_query("versionId", v.clone()),
        None => request,
    }
}

/// The parts of an ACL write.
struct AclWrite<'a> {
    headers: &'a AclHeaders,
    policy: Option<&'a AccessControlPolicy>,
}

impl Operation for GetBucketAclInput {
    type Output = AclOutput;
    fn build(&mut self) -> Result<OperationRequest> {
        Ok(get_acl_request(None))
    }
    fn parse(&mut self, response: Response) -> Result<AclOutput> {
        AclOutput::parse(response)
    }
}

impl Operation for GetObjectAclInput {
    type Output = AclOutput;
    fn build(&mut self) -> Result<OperationRequest> {
        Ok(with_version(get_acl_request(Some(&self.key)), &self.version_id))
    }
    fn parse(&mut self, response: Response) -> Result<AclOutput> {
        AclOutput::parse(response)
    }
}

impl Operation for PutBucketAclInput {
    type Output = PutAclOutput;
    fn build(&mut self) -> Result<OperationRequest> {
        self.acl_headers.check_bucket_acl()?;
        put_acl(None, &AclWrite { headers: &self.acl_headers, policy: self.access_control_policy.as_ref() })
    }
    fn parse(&mut self, response: Response) -> Result<PutAclOutput> {
        Ok(PutAclOutput { meta: meta_of(&response) })
    }
}

impl Operation for PutObjectAclInput {
    type Output = PutAclOutput;
    fn build(&mut self) -> Result<OperationRequest> {
        let write = AclWrite { headers: &self.acl_headers, policy: self.access_control_policy.as_ref() };
        Ok(with_version(put_acl(Some(&self.key), &write)?, &self.version_id))
    }
    fn parse(&mut self, response: Response) -> Result<PutAclOutput> {
        Ok(PutAclOutput { meta: meta_of(&response) })
    }
}

/// The input of an ACL write, bucket or object: what the setters of [`Call`] fill.
pub trait AclWriteInput: Operation {
    /// The ACL headers.
    fn acl_headers_mut(&mut self) -> &mut AclHeaders;
    /// The AccessControlPolicy body.
    fn access_control_policy_mut(&mut self) -> &mut Option<AccessControlPolicy>;
}

impl AclWriteInput for PutBucketAclInput {
    fn acl_headers_mut(&mut self) -> &mut AclHeaders {
        &mut self.acl_headers
    }
    fn access_control_policy_mut(&mut self) -> &mut Option<AccessControlPolicy> {
        &mut self.access_control_policy
    }
}

impl AclWriteInput for PutObjectAclInput {
    fn acl_headers_mut(&mut self) -> &mut AclHeaders {
        &mut self.acl_headers
    }
    fn access_control_policy_mut(&mut self) -> &mut Option<AccessControlPolicy> {
        &mut self.access_control_policy
    }
}

impl Call<'_, GetObjectAclInput> {
    /// `versionId`: the ACL of this version rather than the latest.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let acl = bucket.get_object_acl("1.jpg").version_id("MTg0NDUxNzgxMjEzNTU3NTk1Mjk").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

impl Call<'_, PutObjectAclInput> {
    /// `versionId`: set the ACL of this version rather than the latest.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// use tencent_cos::api::CannedAcl;
    /// bucket.put_object_acl("1.jpg").acl(CannedAcl::Private).version_id("MTg0NDUxNzgxMjEzNTU3NTk1Mjk").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

/// Builder returned by [`Bucket::get_bucket_acl`].
pub type GetBucketAcl<'a> = Call<'a, GetBucketAclInput>;
/// Builder returned by [`Bucket::get_object_acl`].
pub type GetObjectAcl<'a> = Call<'a, GetObjectAclInput>;
/// Builder returned by [`Bucket::put_bucket_acl`]; every parameter is a method.
pub type PutBucketAcl<'a> = Call<'a, PutBucketAclInput>;
/// Builder returned by [`Bucket::put_object_acl`]; every parameter is a method.
pub type PutObjectAcl<'a> = Call<'a, PutObjectAclInput>;

impl<I: AclWriteInput> Call<'_, I> {
    acl_header_methods!("bucket.put_object_acl(\"1.jpg\")");

    /// AccessControlPolicy: the whole ACL as an XML body.
    ///
    /// ```no_run
    /// use tencent_cos::api::{AccessControlPolicy, Grantee, Owner, Permission};
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let policy = AccessControlPolicy::new(Owner::new("qcs::cam::uin/100000000001:uin/100000000001"))
    ///     .grant(Grantee::id("qcs::cam::uin/100000000011:uin/100000000011"), Permission::Write);
    /// bucket.put_bucket_acl().access_control_policy(policy.clone()).send()?;
    /// bucket.put_object_acl("1.jpg").access_control_policy(policy).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn access_control_policy(mut self, policy: AccessControlPolicy) -> Self {
        *self.input.access_control_policy_mut() = Some(policy);
        self
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
        Call { bucket: self, input: GetBucketAclInput }
    }

    /// Sets the bucket's ACL with a canned ACL, grant headers, or an AccessControlPolicy body.
    ///
    /// ```no_run
    /// use tencent_cos::api::CannedAcl;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_acl().acl(CannedAcl::PublicRead).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_acl(&self) -> PutBucketAcl<'_> {
        Call { bucket: self, input: PutBucketAclInput::default() }
    }

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
        Call { bucket: self, input: GetObjectAclInput { key: key.into(), version_id: None } }
    }

    /// Sets an object's ACL with a canned ACL, grant headers, or an AccessControlPolicy body.
    ///
    /// ```no_run
    /// use tencent_cos::api::CannedAcl;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_object_acl("1.jpg").acl(CannedAcl::PublicRead).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_object_acl(&self, key: impl Into<String>) -> PutObjectAcl<'_> {
        Call { bucket: self, input: PutObjectAclInput { key: key.into(), ..Default::default() } }
    }
}
