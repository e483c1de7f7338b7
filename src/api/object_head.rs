//! `head_object`: an object's metadata without its body.

use crate::api::call::Call;
use crate::api::object::{Conditions, ObjectProperties, READ_CONDITIONS, builder_doc, read_condition_methods};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::Result;
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `head_object`: pure data, no client.
///
/// ```
/// use tencent_cos::api::HeadObjectInput;
/// use tencent_cos::operation::Operation;
/// let mut input = HeadObjectInput { key: "a.txt".into(), version_id: Some("v1".into()), ..Default::default() };
/// let request = input.build()?;
/// assert_eq!(request.query, vec![("versionId".to_string(), "v1".to_string())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadObjectInput {
    /// The object key.
    pub key: String,
    /// `versionId`: a version other than the latest.
    pub version_id: Option<String>,
    /// `If-*` conditions.
    pub conditions: Conditions,
}

/// What `head_object` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeadObjectOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// True for a 304: a condition said the object has not changed.
    pub not_modified: bool,
    /// The typed headers.
    pub properties: ObjectProperties,
}

impl Operation for HeadObjectInput {
    type Output = HeadObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let mut request = OperationRequest::new(Method::Head).with_key(self.key.clone());
        self.conditions.push_headers(&mut request.headers, &READ_CONDITIONS);
        if let Some(v) = &self.version_id {
            request = request.with_query("versionId", v.clone());
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<HeadObjectOutput> {
        Ok(HeadObjectOutput {
            not_modified: response.status == 304,
            properties: ObjectProperties::from_headers(&response.headers),
            meta: meta_of(&response),
        })
    }

    fn accepts_status(&self, status: u16) -> bool {
        (200..300).contains(&status) || status == 304
    }
}

/// Builder returned by [`Bucket::head_object`]; `.send()` runs it.
pub type HeadObject<'a> = Call<'a, HeadObjectInput>;

impl HeadObject<'_> {
    /// `versionId`: a version other than the latest.
    ///
    #[doc = builder_doc!("head_object(\"a.txt\")", "version_id(\"MTg0NDUxNTc0NDYyMjQ2MzUzMjQ\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

read_condition_methods!(HeadObject, "head_object(\"a.txt\")");

impl Bucket {
    /// HEAD Object: an object's metadata. A 304 (from `if_modified_since` or `if_none_match`)
    /// is `not_modified: true`, not an error; a missing object is a 404 error.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let head = bucket.head_object("notes/hello.txt").send()?;
    /// println!("{:?} bytes, {}", head.properties.content_length, head.properties.storage_class);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn head_object(&self, key: impl Into<String>) -> HeadObject<'_> {
        HeadObject { bucket: self, input: HeadObjectInput { key: key.into(), ..Default::default() } }
    }
}
