//! `append_object` (`POST /{key}?append&position=N`): adds bytes at the end of an Appendable
//! object, creating it at position 0.

use crate::api::call::Call;
use crate::api::object::{builder_doc, crc64_header, header_text};
use crate::api::object_attributes::{ObjectAttributes, attribute_methods};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Body, Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest, content_length_of};

/// Input of `append_object`: pure data, no client.
///
/// ```
/// use tencent_cos::api::AppendObjectInput;
/// use tencent_cos::operation::Operation;
/// let mut input = AppendObjectInput { key: "log.txt".into(), position: 11, body: "second line\n".into(), ..Default::default() };
/// let request = input.build()?;
/// assert_eq!(request.query, vec![("append".to_string(), String::new()), ("position".to_string(), "11".to_string())]);
/// assert_eq!(request.headers.get("Content-Length"), Some("12"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Debug)]
pub struct AppendObjectInput {
    /// The object key.
    pub key: String,
    /// `position`: where the bytes go, the object's current length (0 to create it).
    pub position: u64,
    /// The bytes to append.
    pub body: Body,
    /// Content headers, ACL, storage class, `x-cos-meta-*`, tags (kept from the first append).
    pub attributes: ObjectAttributes,
}

impl Default for AppendObjectInput {
    fn default() -> Self {
        AppendObjectInput {
            key: String::new(),
            position: 0,
            body: Body::Empty,
            attributes: ObjectAttributes::default(),
        }
    }
}

/// What `append_object` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppendObjectOutput {
    /// `x-cos-next-append-position`: the position of the next append (the object's length).
    pub next_append_position: Option<u64>,
    /// `ETag`, quotes included.
    pub etag: Option<String>,
    /// `x-cos-hash-crc64ecma`: the CRC-64 of the whole object so far.
    pub crc64: Option<u64>,
    /// Status and every header.
    pub meta: ResponseMeta,
}

impl Operation for AppendObjectInput {
    type Output = AppendObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        if self.key.is_empty() {
            return Err(Error::invalid("key", "empty"));
        }
        let mut request = OperationRequest::new(Method::Post)
            .with_key(self.key.clone())
            .with_query("append", "")
            .with_query("position", self.position.to_string());
        let headers = &mut request.headers;
        self.attributes.push_custom(headers)?;
        self.attributes.push_content(headers, None);
        self.attributes.push_access(headers);
        // As the node SDK: an empty Cache-Control (unsigned) when none is given, then the length.
        if self.attributes.cache_control.is_none() {
            headers.append("Cache-Control", "");
        }
        if let Some(len) = content_length_of(Method::Post, self.body.len()) {
            headers.append("Content-Length", len.to_string());
        }
        request.body = std::mem::replace(&mut self.body, Body::Empty);
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<AppendObjectOutput> {
        Ok(AppendObjectOutput {
            next_append_position: response
                .headers
                .get("x-cos-next-append-position")
                .and_then(|v| v.trim().parse().ok()),
            etag: header_text(&response.headers, "etag"),
            crc64: crc64_header(&response.headers),
            meta: meta_of(&response),
        })
    }

    /// An append sent twice would append twice: retried only when it surely never arrived.
    fn is_idempotent(&self) -> bool {
        false
    }
}

/// Builder returned by [`Bucket::append_object`]; `.send()` runs it.
pub type AppendObject<'a> = Call<'a, AppendObjectInput>;

impl AppendObject<'_> {
    /// The bytes to append: bytes, a `&str`, a `String`, a `Vec<u8>` or any [`Body`].
    ///
    #[doc = builder_doc!("append_object(\"log.txt\", 0)", "body(\"first line\\n\")")]
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.input.body = body.into();
        self
    }
}

attribute_methods!(AppendObject, "append_object(\"log.txt\", 0)");

impl Bucket {
    /// APPEND Object: writes the body at `position` of an Appendable object (0 creates it).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let first = bucket.append_object("log.txt", 0).body("first line\n").content_type("text/plain").send()?;
    /// let next = first.next_append_position.unwrap_or(0);
    /// bucket.append_object("log.txt", next).body("second line\n").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn append_object(&self, key: impl Into<String>, position: u64) -> AppendObject<'_> {
        AppendObject { bucket: self, input: AppendObjectInput { key: key.into(), position, ..Default::default() } }
    }
}
