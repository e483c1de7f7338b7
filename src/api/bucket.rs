//! Bucket lifecycle: `put_bucket`, `head_bucket`, `delete_bucket`, `get_bucket_location`.
//! Listing (`get_bucket`) is in [`bucket_list`](crate::api::bucket_list).

use crate::api::acl::{AclHeaders, acl_header_methods};
use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::Result;
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `put_bucket` (`PUT /`): the ACL headers to create the bucket with.
///
/// ```
/// use tencent_cos::api::PutBucketInput;
/// use tencent_cos::operation::Operation;
/// let request = PutBucketInput::default().build()?;
/// assert!(request.headers.is_empty() && request.query.is_empty());
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutBucketInput {
    /// ACL and GrantRead / GrantWrite / GrantFullControl / GrantReadAcp / GrantWriteAcp.
    pub acl_headers: AclHeaders,
}

/// Output of `put_bucket`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl PutBucketInput {
    /// What `acl_header_methods!` fills (as [`AclWriteInput`](super::acl_calls::AclWriteInput) does for ACL writes).
    pub(crate) fn acl_headers_mut(&mut self) -> &mut AclHeaders {
        &mut self.acl_headers
    }
}

impl Operation for PutBucketInput {
    type Output = PutBucketOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        self.acl_headers.check_bucket_acl()?;
        // putBucket passes the grant headers through as given (no uniqGrant).
        self.acl_headers.apply(OperationRequest::new(Method::Put), false)
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketOutput> {
        Ok(PutBucketOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket`]; every parameter is a method, `.send()` runs it.
pub type PutBucket<'a> = Call<'a, PutBucketInput>;

impl PutBucket<'_> {
    acl_header_methods!("bucket.put_bucket()");
}

/// Input of `head_bucket` (`HEAD /`): no parameters.
///
/// ```
/// use tencent_cos::api::HeadBucketInput;
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// assert_eq!(HeadBucketInput.build()?.method, Method::Head);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct HeadBucketInput;

/// Output of `head_bucket`: the bucket exists and is readable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeadBucketOutput {
    /// `x-cos-bucket-region`, when sent.
    pub bucket_region: Option<String>,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for HeadBucketInput {
    type Output = HeadBucketOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Head))
    }

    fn parse(&mut self, response: Response) -> Result<HeadBucketOutput> {
        let meta = meta_of(&response);
        Ok(HeadBucketOutput { bucket_region: meta.header("x-cos-bucket-region").map(str::to_owned), meta })
    }
}

/// Builder returned by [`Bucket::head_bucket`]; `.send()` runs it.
pub type HeadBucket<'a> = Call<'a, HeadBucketInput>;

/// Input of `delete_bucket` (`DELETE /`): no parameters. The bucket must be empty.
///
/// ```
/// use tencent_cos::api::DeleteBucketInput;
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// assert_eq!(DeleteBucketInput.build()?.method, Method::Delete);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteBucketInput;

/// Output of `delete_bucket`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteBucketOutput {
    /// Status (200 or 204) and every response header.
    pub meta: ResponseMeta,
}

impl Operation for DeleteBucketInput {
    type Output = DeleteBucketOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Delete))
    }

    fn parse(&mut self, response: Response) -> Result<DeleteBucketOutput> {
        Ok(DeleteBucketOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::delete_bucket`]; `.send()` runs it.
pub type DeleteBucket<'a> = Call<'a, DeleteBucketInput>;

/// Input of `get_bucket_location` (`GET /?location`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketLocationInput;
/// use tencent_cos::http::Response;
/// use tencent_cos::operation::Operation;
/// let body = b"<LocationConstraint>ap-guangzhou</LocationConstraint>".to_vec();
/// let out = GetBucketLocationInput.parse(Response::from_bytes(200, [("x-cos-request-id", "r1")], body))?;
/// assert_eq!(out.location_constraint, "ap-guangzhou");
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketLocationInput;

/// Output of `get_bucket_location`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketLocationOutput {
    /// LocationConstraint: the text of `<LocationConstraint>`, as COS sent it.
    pub location_constraint: String,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for GetBucketLocationInput {
    type Output = GetBucketLocationOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("location", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketLocationOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let location_constraint = body.root(&doc, "LocationConstraint")?.text();
        Ok(GetBucketLocationOutput { location_constraint, meta: body.meta })
    }
}

/// Builder returned by [`Bucket::get_bucket_location`]; `.send()` runs it.
pub type GetBucketLocation<'a> = Call<'a, GetBucketLocationInput>;

impl Bucket {
    /// Creates the bucket, optionally with an ACL.
    ///
    /// ```no_run
    /// use tencent_cos::api::CannedAcl;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket().acl(CannedAcl::Private).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket(&self) -> PutBucket<'_> {
        PutBucket { bucket: self, input: PutBucketInput::default() }
    }

    /// Checks that the bucket exists and that these credentials may read it.
    ///
    /// A missing bucket is an [`Error::Service`](crate::Error::Service) with status 404
    /// ([`Error::is_not_found`](crate::Error::is_not_found)), no permission 403.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// match bucket.head_bucket().send() {
    ///     Ok(_) => println!("exists"),
    ///     Err(e) if e.is_not_found() => println!("no such bucket"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn head_bucket(&self) -> HeadBucket<'_> {
        HeadBucket { bucket: self, input: HeadBucketInput }
    }

    /// Deletes the (empty) bucket.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_bucket().send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_bucket(&self) -> DeleteBucket<'_> {
        DeleteBucket { bucket: self, input: DeleteBucketInput }
    }

    /// Reads the bucket's region.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let region = bucket.get_bucket_location().send()?.location_constraint;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_location(&self) -> GetBucketLocation<'_> {
        GetBucketLocation { bucket: self, input: GetBucketLocationInput }
    }
}
