//! `delete_object` and `delete_multiple_object`.

use crate::api::call::Call;
use crate::api::object::{builder_doc, header_text, parse_xml_answer};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::XmlWriter;

/// Most objects one `delete_multiple_object` may name (a COS limit).
pub const MAX_DELETE_OBJECTS: usize = 1000;

/// Input of `delete_object`: pure data, no client.
///
/// ```
/// use tencent_cos::api::DeleteObjectInput;
/// use tencent_cos::operation::Operation;
/// let request = DeleteObjectInput { key: "a.txt".into(), version_id: None }.build()?;
/// assert_eq!(request.key.as_deref(), Some("a.txt"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteObjectInput {
    /// The object key.
    pub key: String,
    /// `versionId`: delete this version for good instead of adding a delete marker.
    pub version_id: Option<String>,
}

/// What `delete_object` returns. Deleting a key that does not exist succeeds (COS answers 204).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `x-cos-version-id`: the version deleted, or the delete marker created.
    pub version_id: Option<String>,
    /// `x-cos-delete-marker: true`: a delete marker was created or deleted.
    pub delete_marker: bool,
}

impl Operation for DeleteObjectInput {
    type Output = DeleteObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        if !self.key.is_empty() && crate::api::object_get::resolves_to_root(&self.key) {
            return Err(Error::invalid("key", format!("{:?} resolves to the bucket root", self.key)));
        }
        let mut request = OperationRequest::new(Method::Delete).with_key(self.key.clone());
        if let Some(v) = &self.version_id {
            request = request.with_query("versionId", v.clone());
        }
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<DeleteObjectOutput> {
        Ok(DeleteObjectOutput {
            version_id: header_text(&response.headers, "x-cos-version-id"),
            delete_marker: response.headers.get("x-cos-delete-marker").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            meta: meta_of(&response),
        })
    }
}

/// Builder returned by [`Bucket::delete_object`]; `.send()` runs it.
pub type DeleteObject<'a> = Call<'a, DeleteObjectInput>;

impl DeleteObject<'_> {
    /// `versionId`: delete this version for good.
    ///
    #[doc = builder_doc!("delete_object(\"a.txt\")", "version_id(\"MTg0NDUxNTc0NDYyMjQ2MzUzMjQ\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }
}

/// One object named in `delete_multiple_object`: a key, and a version to delete for good.
///
/// ```
/// use tencent_cos::api::ObjectToDelete;
/// assert_eq!(ObjectToDelete::from("a.txt").version_id, None);
/// assert_eq!(ObjectToDelete::from(("a.txt", "v1")).version_id.as_deref(), Some("v1"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectToDelete {
    /// The key, raw.
    pub key: String,
    /// `VersionId`.
    pub version_id: Option<String>,
}

impl From<&str> for ObjectToDelete {
    fn from(key: &str) -> Self {
        ObjectToDelete { key: key.to_owned(), version_id: None }
    }
}

impl From<String> for ObjectToDelete {
    fn from(key: String) -> Self {
        ObjectToDelete { key, version_id: None }
    }
}

impl From<&String> for ObjectToDelete {
    fn from(key: &String) -> Self {
        ObjectToDelete { key: key.clone(), version_id: None }
    }
}

impl<K: Into<String>, V: Into<String>> From<(K, V)> for ObjectToDelete {
    fn from((key, version_id): (K, V)) -> Self {
        ObjectToDelete { key: key.into(), version_id: Some(version_id.into()) }
    }
}

/// Input of `delete_multiple_object`: pure data, no client.
///
/// ```
/// use tencent_cos::api::DeleteMultipleObjectInput;
/// use tencent_cos::operation::Operation;
/// let mut input = DeleteMultipleObjectInput { objects: vec!["a&b".into()], quiet: false };
/// let request = input.build()?;
/// assert_eq!(request.body.as_bytes(), Some(&b"<Delete><Object><Key>a&amp;b</Key></Object><Quiet>false</Quiet></Delete>"[..]));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteMultipleObjectInput {
    /// The objects: 1 to 1000.
    pub objects: Vec<ObjectToDelete>,
    /// `Quiet`: report failures only.
    pub quiet: bool,
}

/// An object `delete_multiple_object` deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeletedObject {
    /// `Key`.
    pub key: String,
    /// `VersionId`: the version deleted for good.
    pub version_id: Option<String>,
    /// `DeleteMarker`: a delete marker was created or deleted.
    pub delete_marker: Option<bool>,
    /// `DeleteMarkerVersionId`.
    pub delete_marker_version_id: Option<String>,
}

/// An object `delete_multiple_object` could not delete.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteError {
    /// `Key`.
    pub key: String,
    /// `Code`, e.g. `AccessDenied`, `PathConflict`.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `VersionId`.
    pub version_id: Option<String>,
}

/// What `delete_multiple_object` returns (the `DeleteResult` document).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteMultipleObjectOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// `Deleted` entries (none in quiet mode).
    pub deleted: Vec<DeletedObject>,
    /// `Error` entries.
    pub errors: Vec<DeleteError>,
}

impl Operation for DeleteMultipleObjectInput {
    type Output = DeleteMultipleObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let n = self.objects.len();
        if n == 0 || n > MAX_DELETE_OBJECTS {
            return Err(Error::invalid("objects", format!("must name 1 to {MAX_DELETE_OBJECTS} objects, not {n}")));
        }
        // The node SDK's body: Objects first, Quiet last, no whitespace.
        let mut w = XmlWriter::with_capacity(64 + 48 * n);
        w.open("Delete");
        for object in &self.objects {
            if object.key.is_empty() {
                return Err(Error::invalid("objects", "a key must not be empty"));
            }
            w.open("Object");
            w.leaf("Key", &object.key, "objects")?;
            if let Some(v) = &object.version_id {
                w.leaf("VersionId", v, "objects")?;
            }
            w.close("Object");
        }
        w.leaf("Quiet", if self.quiet { "true" } else { "false" }, "quiet")?;
        w.close("Delete");
        Ok(OperationRequest::new(Method::Post).with_query("delete", "").with_xml_body(w.finish()))
    }

    fn parse(&mut self, response: Response) -> Result<DeleteMultipleObjectOutput> {
        parse_xml_answer(response, "DeleteResult", |root, meta| {
            let deleted = root
                .children("Deleted")
                .map(|d| {
                    Ok(DeletedObject {
                        key: d.req_text("Key")?,
                        version_id: d.opt_text("VersionId"),
                        delete_marker: d.opt_bool("DeleteMarker")?,
                        delete_marker_version_id: d.opt_text("DeleteMarkerVersionId"),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let errors = root
                .children("Error")
                .map(|e| {
                    Ok(DeleteError {
                        key: e.req_text("Key")?,
                        code: e.opt_text("Code").unwrap_or_default(),
                        message: e.opt_text("Message").unwrap_or_default(),
                        version_id: e.opt_text("VersionId"),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(DeleteMultipleObjectOutput { meta, deleted, errors })
        })
    }
}

/// Builder returned by [`Bucket::delete_multiple_object`]; `.send()` runs it.
pub type DeleteMultipleObject<'a> = Call<'a, DeleteMultipleObjectInput>;

impl DeleteMultipleObject<'_> {
    /// `Quiet`: the answer lists failures only.
    ///
    #[doc = builder_doc!("delete_multiple_object([\"a.txt\", \"b.txt\"])", "quiet(true)")]
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.input.quiet = quiet;
        self
    }

    /// Adds one more object.
    ///
    #[doc = builder_doc!("delete_multiple_object([\"a.txt\"])", "object((\"b.txt\", \"MTg0NDUxNTc0NDYyMjQ2MzUzMjQ\"))")]
    pub fn object(mut self, object: impl Into<ObjectToDelete>) -> Self {
        self.input.objects.push(object.into());
        self
    }
}

impl Bucket {
    /// DELETE Object. With [`version_id`](DeleteObject::version_id) a version is deleted for
    /// good; without, a versioned bucket gets a delete marker.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_object("notes/hello.txt").send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_object(&self, key: impl Into<String>) -> DeleteObject<'_> {
        DeleteObject { bucket: self, input: DeleteObjectInput { key: key.into(), version_id: None } }
    }

    /// DELETE Multiple Objects: 1 to 1000 keys (or `(key, version_id)` pairs) in one request,
    /// with `Content-MD5`. Per-object failures are in `errors`, not an `Err`.
    ///
    /// More than 1000 objects, or none, fail before any request.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket.delete_multiple_object(["a.txt", "b.txt"]).send()?;
    /// for e in &out.errors {
    ///     eprintln!("{}: {} {}", e.key, e.code, e.message);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_multiple_object<I>(&self, objects: I) -> DeleteMultipleObject<'_>
    where
        I: IntoIterator,
        I::Item: Into<ObjectToDelete>,
    {
        let objects = objects.into_iter().map(Into::into).collect();
        DeleteMultipleObject { bucket: self, input: DeleteMultipleObjectInput { objects, quiet: false } }
    }

    /// Alias of [`Bucket::delete_multiple_object`].
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_objects(["a.txt", "b.txt"]).quiet(true).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_objects<I>(&self, objects: I) -> DeleteMultipleObject<'_>
    where
        I: IntoIterator,
        I::Item: Into<ObjectToDelete>,
    {
        self.delete_multiple_object(objects)
    }
}
