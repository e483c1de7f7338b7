//! What an upload stores with the object besides its bytes ([`ObjectAttributes`]), shared by
//! `put_object`, `put_object_copy` and `multipart_init`, and the builder methods that set it.

use crate::api::acl::CannedAcl;
use crate::api::bucket_tagging::Tag;
use crate::api::object::push_header;
use crate::api::object_tagging::tagging_header;
pub use crate::api::storage_class::StorageClass;
use crate::config;
use crate::error::{Error, Result};
use crate::http::Headers;

/// What an upload stores with the object besides its bytes: content headers, ACL, storage
/// class and `x-cos-meta-*` (shared by `put_object`, `put_object_copy`, `multipart_init`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectAttributes {
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Expires`.
    pub expires: Option<String>,
    /// `x-cos-acl`: for objects `default`, `private`, `public-read`.
    pub acl: Option<CannedAcl>,
    /// `x-cos-grant-read`: `id="qcs::cam::uin/<OwnerUin>:uin/<SubUin>"`, comma-separated.
    pub grant_read: Option<String>,
    /// `x-cos-grant-write` (GrantWrite of the reference).
    pub grant_write: Option<String>,
    /// `x-cos-grant-read-acp`.
    pub grant_read_acp: Option<String>,
    /// `x-cos-grant-write-acp`.
    pub grant_write_acp: Option<String>,
    /// `x-cos-grant-full-control`.
    pub grant_full_control: Option<String>,
    /// `x-cos-storage-class`: `STANDARD`, `STANDARD_IA`, `ARCHIVE`, `MAZ_STANDARD`, ...
    pub storage_class: Option<StorageClass>,
    /// `x-cos-meta-*` and other headers, in the order given; sent first, as the node SDK does
    /// with the caller's own headers.
    pub headers: Vec<(String, String)>,
    /// `x-cos-tagging`: the object's tags (encoded by [`tagging_header`]), sent before the
    /// other headers; none when empty.
    pub tagging: Vec<Tag>,
}

/// Headers the pipeline or a dedicated method owns; `.header()` refuses them.
const RESERVED_HEADERS: &[&str] = &["host", "authorization", "content-length", "content-md5"];

impl ObjectAttributes {
    /// The caller's own headers (`x-cos-meta-*`, `.header()`), checked and in order.
    pub(crate) fn push_custom(&self, headers: &mut Headers) -> Result<()> {
        if let Some(value) = tagging_header(&self.tagging)? {
            headers.append("x-cos-tagging", value);
        }
        for (name, value) in &self.headers {
            let is_meta = name.as_bytes().get(..11).is_some_and(|p| p.eq_ignore_ascii_case(b"x-cos-meta-"));
            let field = if is_meta { "meta" } else { "header" };
            if is_meta && name.len() == 11 {
                return Err(Error::invalid("meta", "the name after x-cos-meta- must not be empty"));
            }
            if config::validate_header_name(name).is_err() {
                return Err(Error::invalid(field, format!("{name:?} is not a valid header name")));
            }
            if RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(Error::invalid(field, format!("{name} is set by the client, not by .header()")));
            }
            // The value is checked once, by the pipeline (as `headers`).
            headers.append(name.clone(), value.clone());
        }
        Ok(())
    }

    /// Content headers in the node SDK's order, with `Expect` in its place.
    pub(crate) fn push_content(&self, headers: &mut Headers, expect: Option<&str>) {
        push_header(headers, "Content-Type", self.content_type.as_deref());
        push_header(headers, "Expect", expect);
        push_header(headers, "Expires", self.expires.as_deref());
        push_header(headers, "Cache-Control", self.cache_control.as_deref());
        push_header(headers, "Content-Disposition", self.content_disposition.as_deref());
        push_header(headers, "Content-Encoding", self.content_encoding.as_deref());
    }

    /// ACL, grants and storage class in the node SDK's order.
    pub(crate) fn push_access(&self, headers: &mut Headers) {
        push_header(headers, "x-cos-acl", self.acl.map(CannedAcl::as_str));
        push_header(headers, "x-cos-grant-read", self.grant_read.as_deref());
        push_header(headers, "x-cos-grant-write", self.grant_write.as_deref());
        push_header(headers, "x-cos-grant-full-control", self.grant_full_control.as_deref());
        push_header(headers, "x-cos-grant-read-acp", self.grant_read_acp.as_deref());
        push_header(headers, "x-cos-grant-write-acp", self.grant_write_acp.as_deref());
        push_header(headers, "x-cos-storage-class", self.storage_class.as_ref().map(StorageClass::as_str));
    }
}

/// The [`ObjectAttributes`] methods of an upload builder whose input has an `attributes` field.
macro_rules! attribute_methods {
    ($builder:ident, $call:literal) => {
        impl $builder<'_> {
            #[doc = "`Cache-Control`, stored with the object."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "cache_control(\"max-age=600\")")]
            pub fn cache_control(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.cache_control = Some(value.into());
                self
            }
            #[doc = "`Content-Disposition`, stored with the object."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "content_disposition(\"attachment; filename=a.txt\")")]
            pub fn content_disposition(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.content_disposition = Some(value.into());
                self
            }
            #[doc = "`Content-Encoding`, stored with the object (COS does not decode the bytes)."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "content_encoding(\"gzip\")")]
            pub fn content_encoding(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.content_encoding = Some(value.into());
                self
            }
            #[doc = "`Content-Type`, stored with the object."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "content_type(\"text/plain\")")]
            pub fn content_type(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.content_type = Some(value.into());
                self
            }
            #[doc = "`Expires`, stored with the object."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "expires(\"Wed, 21 Oct 2026 07:28:00 GMT\")")]
            pub fn expires(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.expires = Some(value.into());
                self
            }
            #[doc = "`x-cos-acl`: `default` (inherit the bucket's), `private` or `public-read`."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "acl(tencent_cos::api::CannedAcl::Private)")]
            pub fn acl(mut self, value: $crate::api::acl::CannedAcl) -> Self {
                self.input.attributes.acl = Some(value);
                self
            }
            #[doc = "`x-cos-grant-read`: `id=\"qcs::cam::uin/<OwnerUin>:uin/<SubUin>\"`, comma-separated."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "grant_read(r#\"id=\"qcs::cam::uin/100000000001:uin/100000000011\"\"#)")]
            pub fn grant_read(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.grant_read = Some(value.into());
                self
            }
            #[doc = "`x-cos-grant-write` (GrantWrite): who may write the object, in the grant format."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "grant_write(r#\"id=\"qcs::cam::uin/100000000001:uin/100000000011\"\"#)")]
            pub fn grant_write(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.grant_write = Some(value.into());
                self
            }
            #[doc = "`x-cos-grant-read-acp`: who may read the object's ACL."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "grant_read_acp(r#\"id=\"qcs::cam::uin/100000000001:uin/100000000011\"\"#)")]
            pub fn grant_read_acp(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.grant_read_acp = Some(value.into());
                self
            }
            #[doc = "`x-cos-grant-write-acp`: who may change the object's ACL."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "grant_write_acp(r#\"id=\"qcs::cam::uin/100000000001:uin/100000000011\"\"#)")]
            pub fn grant_write_acp(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.grant_write_acp = Some(value.into());
                self
            }
            #[doc = "`x-cos-grant-full-control`: who gets every permission on the object."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "grant_full_control(r#\"id=\"qcs::cam::uin/100000000001:uin/100000000001\"\"#)")]
            pub fn grant_full_control(mut self, value: impl Into<String>) -> Self {
                self.input.attributes.grant_full_control = Some(value.into());
                self
            }
            #[doc = "`x-cos-storage-class`: `STANDARD`, `STANDARD_IA`, `ARCHIVE`, `MAZ_STANDARD`, ..."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "storage_class(\"STANDARD_IA\")")]
            pub fn storage_class(mut self, value: impl Into<$crate::api::StorageClass>) -> Self {
                self.input.attributes.storage_class = Some(value.into());
                self
            }
            #[doc = "User metadata: sent as `x-cos-meta-{name}`, the name's case kept on the wire."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "meta(\"author\", \"alice\")")]
            pub fn meta(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.input.attributes.headers.push((format!("x-cos-meta-{}", name.into()), value.into()));
                self
            }
            #[doc = "Any other header, sent as given before the others (`x-cos-server-side-encryption`, "]
            #[doc = "`x-cos-traffic-limit`, ...). `Host`, `Authorization`, `Content-Length` and `Content-MD5` are refused."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "header(\"x-cos-server-side-encryption\", \"AES256\")")]
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.input.attributes.headers.push((name.into(), value.into()));
                self
            }
            #[doc = "Tags of the object (`x-cos-tagging`), as `(key, value)` pairs or `Tag`s; keys not empty and not"]
            #[doc = "repeated. Each call adds to the tags of earlier calls."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "tagging([(\"team\", \"storage\"), (\"env\", \"prod\")])")]
            pub fn tagging<T: Into<$crate::api::bucket_tagging::Tag>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
                self.input.attributes.tagging.extend(tags.into_iter().map(Into::into));
                self
            }
        }
    };
}
pub(crate) use attribute_methods;
