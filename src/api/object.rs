//! What the object and multipart modules share: the typed headers of an object
//! ([`ObjectProperties`]), HTTP dates, the `If-*` read conditions, response helpers and the
//! doc-example macro of builder methods.

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::api::storage_class::StorageClass;
use crate::api::xml_body::XmlBody;
use crate::error::Result;
use crate::http::{Headers, Response, ResponseMeta};
use crate::xml::Element;

/// An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`), from text sent as given or from a
/// [`SystemTime`] formatted as IMF-fixdate.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tencent_cos::api::HttpDate;
/// assert_eq!(HttpDate::from(UNIX_EPOCH + Duration::from_secs(1445412480)).as_str(), "Wed, 21 Oct 2015 07:28:00 GMT");
/// assert_eq!(HttpDate::from("Wed, 21 Oct 2015 07:28:00 GMT").as_str(), "Wed, 21 Oct 2015 07:28:00 GMT");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpDate(String);

impl HttpDate {
    /// The text sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for HttpDate {
    fn from(v: &str) -> Self {
        HttpDate(v.to_owned())
    }
}

impl From<String> for HttpDate {
    fn from(v: String) -> Self {
        HttpDate(v)
    }
}

impl From<SystemTime> for HttpDate {
    fn from(v: SystemTime) -> Self {
        HttpDate(httpdate::fmt_http_date(v))
    }
}

/// The typed headers of an object, as `head_object` and `get_object` return them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectProperties {
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `ETag`, quotes included.
    pub etag: Option<String>,
    /// `Last-Modified`, as sent (see [`ObjectProperties::last_modified_time`]).
    pub last_modified: Option<String>,
    /// The `x-cos-meta-*` headers: names without the prefix, lower-cased (HTTP names are
    /// case-insensitive, so the case given at upload is not kept by every hop).
    pub meta: BTreeMap<String, String>,
    /// `x-cos-object-type`: `normal`, `appendable`, ...
    pub object_type: Option<String>,
    /// `x-cos-storage-class`; [`StorageClass::Standard`] when COS sends none, as it does for
    /// standard objects.
    pub storage_class: StorageClass,
    /// `x-cos-hash-crc64ecma` (CRC-64/XZ); `None` when absent or not a decimal `u64`.
    pub crc64: Option<u64>,
    /// `x-cos-version-id`.
    pub version_id: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Expires`.
    pub expires: Option<String>,
    /// `x-cos-tagging-count`: how many tags the object has (COS sends it only when it has some).
    pub tagging_count: Option<u32>,
}

impl ObjectProperties {
    /// Reads the properties from response headers. Never fails: a malformed number is `None`.
    ///
    /// ```
    /// use tencent_cos::api::ObjectProperties;
    /// use tencent_cos::http::Headers;
    /// let headers: Headers = [("Content-Length", "5"), ("X-Cos-Meta-Author", "alice"), ("x-cos-hash-crc64ecma", "junk")]
    ///     .into_iter()
    ///     .collect();
    /// let p = ObjectProperties::from_headers(&headers);
    /// assert_eq!(p.content_length, Some(5));
    /// assert_eq!(p.meta["author"], "alice");
    /// assert_eq!((p.crc64, p.storage_class), (None, tencent_cos::api::StorageClass::Standard));
    /// ```
    pub fn from_headers(headers: &Headers) -> Self {
        let text = |name: &str| headers.get(name).map(str::to_owned);
        let mut meta = BTreeMap::new();
        for (name, value) in headers.iter() {
            let lower = name.to_ascii_lowercase();
            if let Some(suffix) = lower.strip_prefix("x-cos-meta-") {
                meta.insert(suffix.to_owned(), value.to_owned());
            }
        }
        ObjectProperties {
            content_length: headers.get("content-length").and_then(|v| v.trim().parse().ok()),
            content_type: text("content-type"),
            etag: text("etag"),
            last_modified: text("last-modified"),
            meta,
            object_type: text("x-cos-object-type"),
            storage_class: headers.get("x-cos-storage-class").map(StorageClass::from).unwrap_or_default(),
            crc64: crc64_header(headers),
            version_id: text("x-cos-version-id"),
            cache_control: text("cache-control"),
            content_disposition: text("content-disposition"),
            content_encoding: text("content-encoding"),
            expires: text("expires"),
            tagging_count: headers.get("x-cos-tagging-count").and_then(|v| v.trim().parse().ok()),
        }
    }

    /// `Last-Modified` parsed as an HTTP date.
    pub fn last_modified_time(&self) -> Option<SystemTime> {
        self.last_modified.as_deref().and_then(|d| httpdate::parse_http_date(d).ok())
    }
}

/// `x-cos-hash-crc64ecma` as a number; `None` when absent or malformed.
pub(crate) fn crc64_header(headers: &Headers) -> Option<u64> {
    headers.get("x-cos-hash-crc64ecma").and_then(|v| v.trim().parse().ok())
}

/// A header value, when present.
pub(crate) fn header_text(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).map(str::to_owned)
}

/// Parses an XML answer whose root must be `root`, handing it and the response's meta to
/// `read` (see [`XmlBody`] for what is tolerated). A 2xx whose document is an `<Error>` is that
/// service error; another root is an [`Error::Xml`].
pub(crate) fn parse_xml_answer<T>(
    response: Response,
    root: &str,
    read: impl FnOnce(Element<'_, '_>, ResponseMeta) -> Result<T>,
) -> Result<T> {
    let body = XmlBody::read(response)?;
    let doc = body.document()?;
    let element = body.root(&doc, root)?;
    read(element, body.meta.clone())
}

/// Appends `name: value` when `value` is set. The pipeline checks every header value once
/// per call, naming the builder field after the header (`Content-Type`: `content_type`).
pub(crate) fn push_header(headers: &mut Headers, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        headers.append(name, v);
    }
}

/// Conditions on an object's date and ETag: on a read (`If-*`, COS answers 304 or 412 when
/// they fail) or on the source of a copy (`x-cos-copy-source-If-*`, a 412 when they fail).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conditions {
    /// Only if modified after this date (a read answers 304 otherwise).
    pub if_modified_since: Option<HttpDate>,
    /// Only if not modified after this date (412 otherwise).
    pub if_unmodified_since: Option<HttpDate>,
    /// Only if the ETag is this one (412 otherwise).
    pub if_match: Option<String>,
    /// Only if the ETag is not this one (a read answers 304 otherwise).
    pub if_none_match: Option<String>,
}

/// Header names and input field names of the four conditions, in the node SDK's order.
pub(crate) type ConditionNames = [(&'static str, &'static str); 4];

/// The conditions of a read.
pub(crate) const READ_CONDITIONS: ConditionNames = [
    ("If-Modified-Since", "if_modified_since"),
    ("If-Unmodified-Since", "if_unmodified_since"),
    ("If-Match", "if_match"),
    ("If-None-Match", "if_none_match"),
];

impl Conditions {
    /// Appends the conditions that are set, under `names`.
    pub(crate) fn push_headers(&self, headers: &mut Headers, names: &ConditionNames) {
        let values = [
            self.if_modified_since.as_ref().map(HttpDate::as_str),
            self.if_unmodified_since.as_ref().map(HttpDate::as_str),
            self.if_match.as_deref(),
            self.if_none_match.as_deref(),
        ];
        for ((name, _field), value) in names.iter().zip(values) {
            push_header(headers, name, value);
        }
    }
}

/// The doc example of a builder method: `bucket.<call>.<method>.send()?`.
macro_rules! builder_doc {
    ($call:literal, $method:literal) => {
        concat!(
            "```no_run\n",
            "# let client = tencent_cos::Client::builder().secret(\"id\", \"key\").region(\"ap-guangzhou\").build()?;\n",
            "# let bucket = client.bucket(\"examplebucket-1250000000\");\n",
            "bucket.",
            $call,
            ".",
            $method,
            ".send()?;\n",
            "# Ok::<(), tencent_cos::Error>(())\n",
            "```"
        )
    };
}
pub(crate) use builder_doc;

/// The read [`Conditions`] methods of a builder whose input has a `conditions` field.
macro_rules! read_condition_methods {
    ($builder:ident, $call:literal) => {
        impl $builder<'_> {
            #[doc = "`If-Modified-Since`: a 304 (`not_modified: true`) unless modified after this date."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "if_modified_since(\"Wed, 21 Oct 2015 07:28:00 GMT\")")]
            pub fn if_modified_since(mut self, date: impl Into<$crate::api::object::HttpDate>) -> Self {
                self.input.conditions.if_modified_since = Some(date.into());
                self
            }
            #[doc = "`If-Unmodified-Since`: a 412 error if modified after this date."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "if_unmodified_since(std::time::SystemTime::now())")]
            pub fn if_unmodified_since(mut self, date: impl Into<$crate::api::object::HttpDate>) -> Self {
                self.input.conditions.if_unmodified_since = Some(date.into());
                self
            }
            #[doc = "`If-Match`: a 412 error unless the object's ETag is this one."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "if_match(\"\\\"d41d8cd98f00b204e9800998ecf8427e\\\"\")")]
            pub fn if_match(mut self, etag: impl Into<String>) -> Self {
                self.input.conditions.if_match = Some(etag.into());
                self
            }
            #[doc = "`If-None-Match`: a 304 (`not_modified: true`) if the object's ETag is this one."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "if_none_match(\"\\\"d41d8cd98f00b204e9800998ecf8427e\\\"\")")]
            pub fn if_none_match(mut self, etag: impl Into<String>) -> Self {
                self.input.conditions.if_none_match = Some(etag.into());
                self
            }
        }
    };
}
pub(crate) use read_condition_methods;
