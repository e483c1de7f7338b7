//! The source of a copy (`x-cos-copy-source`, checked like the JS SDK does) and the names of
//! its `If-*` conditions, shared by `put_object_copy` and `upload_part_copy`.

use crate::api::object::ConditionNames;
use crate::config;
use crate::error::{Error, Result};
use crate::percent::{decode_component, encode_component, encode_key};

/// Where a copy reads from: `x-cos-copy-source`.
///
/// ```
/// use tencent_cos::api::CopySource;
/// let raw = CopySource::Raw("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b.jpg".into());
/// assert_eq!(raw.header_value()?, "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b.jpg");
/// let built = CopySource::object("examplebucket-1250000000", "ap-guangzhou", "photos/a b (1).jpg");
/// assert_eq!(built.header_value()?, "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/photos/a%20b%20%281%29.jpg");
/// assert!(CopySource::Raw("not-a-cos-host/a.jpg".into()).header_value().is_err());
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopySource {
    /// `<bucket-appid>.cos.<region>.myqcloud.com/<key>` sent exactly as given (the node SDK
    /// does not encode it: pass the key URL-encoded).
    Raw(String),
    /// Built from parts, the key URL-encoded.
    Object {
        /// `{name}-{appid}`.
        bucket: String,
        /// Region of the source bucket.
        region: String,
        /// The source key, raw.
        key: String,
        /// `versionId` of the source.
        version_id: Option<String>,
    },
}

impl CopySource {
    /// The latest version of `key` in `bucket` (in `region`).
    pub fn object(bucket: impl Into<String>, region: impl Into<String>, key: impl Into<String>) -> Self {
        CopySource::Object { bucket: bucket.into(), region: region.into(), key: key.into(), version_id: None }
    }

    /// Version `version_id` of `key` in `bucket` (in `region`): `?versionId=` is added to the
    /// header, encoded.
    ///
    /// ```
    /// use tencent_cos::api::CopySource;
    /// let source = CopySource::object_version("b-1250000000", "ap-guangzhou", "a b.txt", "v+1");
    /// assert_eq!(source.header_value()?, "b-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b.txt?versionId=v%2B1");
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn object_version(
        bucket: impl Into<String>,
        region: impl Into<String>,
        key: impl Into<String>,
        version_id: impl Into<String>,
    ) -> Self {
        CopySource::Object {
            bucket: bucket.into(),
            region: region.into(),
            key: key.into(),
            version_id: Some(version_id.into()),
        }
    }

    /// The `x-cos-copy-source` value, checked like the JS SDK's CopySource pattern.
    pub fn header_value(&self) -> Result<String> {
        let value = match self {
            CopySource::Raw(raw) => raw.clone(),
            CopySource::Object { bucket, region, key, version_id } => {
                config::validate_bucket(bucket).map_err(as_copy_source_error)?;
                config::validate_region(region).map_err(as_copy_source_error)?;
                let key = config::object_key(key);
                if key.is_empty() {
                    return Err(Error::invalid("copy_source", "the source key must not be empty"));
                }
                let mut value = format!("{bucket}.cos.{region}.myqcloud.com/{}", encode_key(key));
                if let Some(v) = version_id {
                    value.push_str("?versionId=");
                    value.push_str(&encode_component(v));
                }
                value
            }
        };
        validate_copy_source(&value)?;
        Ok(value)
    }
}

/// Reports a bucket or region error of a built copy source under the `copy_source` field.
fn as_copy_source_error(e: Error) -> Error {
    match e {
        Error::InvalidArgument { field, reason } => Error::invalid("copy_source", format!("{field}: {reason}")),
        other => other,
    }
}

/// Checks a copy source against the JS SDK's pattern
/// `^([^.]+-\d+)\.cos(v6|-cdc|-internal)?\.([^.]+)\.((myqcloud\.com)|(tencentcos\.cn))\/(.+)$`
/// (written out by hand: the crate has no regex engine).
///
/// ```
/// use tencent_cos::api::validate_copy_source;
/// assert!(validate_copy_source("b-1250000000.cos.ap-guangzhou.myqcloud.com/k").is_ok());
/// assert!(validate_copy_source("b-1250000000.cos-internal.ap-guangzhou.tencentcos.cn/k").is_ok());
/// assert!(validate_copy_source("b.cos.ap-guangzhou.myqcloud.com/k").is_err()); // no -appid
/// assert!(validate_copy_source("b-1250000000.cos.ap-guangzhou.myqcloud.com/").is_err()); // no key
/// ```
pub fn validate_copy_source(source: &str) -> Result<()> {
    if matches_copy_source_pattern(source) {
        Ok(())
    } else {
        Err(Error::invalid(
            "copy_source",
            format!("{source:?} is not <bucket-appid>.cos.<region>.myqcloud.com/<key> (or .tencentcos.cn)"),
        ))
    }
}

fn matches_copy_source_pattern(s: &str) -> bool {
    split_copy_source(s).is_some()
}

/// The one parser of the JS SDK's copy-source pattern: `(bucket, region, path)` where `path`
/// is what follows the domain's `/` (the encoded key, maybe `?versionId=`).
fn split_copy_source(s: &str) -> Option<(&str, &str, &str)> {
    // `([^.]+-\d+)\.`: a dot-free bucket ending in -digits.
    let (bucket, rest) = s.split_once('.')?;
    let appid_ok = bucket.rsplit_once('-').is_some_and(|(name, appid)| {
        !name.is_empty() && !appid.is_empty() && appid.bytes().all(|b| b.is_ascii_digit())
    });
    if !appid_ok {
        return None;
    }
    // `cos(v6|-cdc|-internal)?\.`
    let rest = ["cos.", "cosv6.", "cos-cdc.", "cos-internal."].iter().find_map(|p| rest.strip_prefix(p))?;
    // `([^.]+)\.`: the region.
    let (region, rest) = rest.split_once('.')?;
    if region.is_empty() {
        return None;
    }
    // `((myqcloud\.com)|(tencentcos\.cn))\/(.+)$`, where `.` matches no line terminator.
    let key = ["myqcloud.com/", "tencentcos.cn/"].iter().find_map(|p| rest.strip_prefix(p))?;
    (!key.is_empty() && !key.contains(['\n', '\r', '\u{2028}', '\u{2029}'])).then_some((bucket, region, key))
}

/// A copy source taken apart: where to HEAD it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CopySourceParts {
    pub(crate) bucket: String,
    pub(crate) region: String,
    /// The source key, decoded, without a leading `/`.
    pub(crate) key: String,
    pub(crate) version_id: Option<String>,
}

impl CopySource {
    /// The bucket, region, key and version of the source, checked as
    /// [`header_value`](CopySource::header_value) checks it; a raw
    /// `bucket-appid.cos.region.myqcloud.com/key[?versionId=v]` is split by the same parser
    /// that checks it, its key and version URL-decoded.
    pub(crate) fn parts(&self) -> Result<CopySourceParts> {
        let value = self.header_value()?;
        let (bucket, region, key, version_id) = match self {
            CopySource::Object { bucket, region, key, version_id } => {
                (bucket.clone(), region.clone(), config::object_key(key).to_owned(), version_id.clone())
            }
            CopySource::Raw(raw) => {
                let bad = |why: &str| Error::invalid("copy_source", format!("{raw:?}: {why}"));
                let (bucket, region, path) = split_copy_source(&value).ok_or_else(|| bad("no key"))?;
                let (encoded_key, query) = path.split_once('?').unwrap_or((path, ""));
                let key = decode_component(encoded_key).ok_or_else(|| bad("the key is not valid URL encoding"))?;
                let version_id = query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("versionId="))
                    .map(|v| decode_component(v).ok_or_else(|| bad("versionId is not valid URL encoding")))
                    .transpose()?;
                (bucket.to_owned(), region.to_owned(), key, version_id)
            }
        };
        config::validate_bucket(&bucket).map_err(as_copy_source_error)?;
        config::validate_region(&region).map_err(as_copy_source_error)?;
        if key.is_empty() {
            return Err(Error::invalid("copy_source", "the source key must not be empty"));
        }
        Ok(CopySourceParts { bucket, region, key, version_id })
    }
}

/// The conditions on a copy's source.
pub(crate) const COPY_SOURCE_CONDITIONS: ConditionNames = [
    ("x-cos-copy-source-If-Modified-Since", "copy_source_if_modified_since"),
    ("x-cos-copy-source-If-Unmodified-Since", "copy_source_if_unmodified_since"),
    ("x-cos-copy-source-If-Match", "copy_source_if_match"),
    ("x-cos-copy-source-If-None-Match", "copy_source_if_none_match"),
];

/// The copy source value of an input, required.
pub(crate) fn copy_source_value(source: Option<&CopySource>) -> Result<String> {
    source.ok_or_else(|| Error::invalid("copy_source", "is required"))?.header_value()
}

/// The copy-source methods of a builder whose input has `copy_source` and `source_conditions`.
macro_rules! copy_source_methods {
    ($builder:ident, $call:literal) => {
        impl $builder<'_> {
            #[doc = "`x-cos-copy-source`, sent exactly as given: `<bucket-appid>.cos.<region>.myqcloud.com/<url-encoded key>`,"]
            #[doc = "optionally with `?versionId=`. Checked like the JS SDK's pattern before any request."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "copy_source(\"sourcebucket-1250000000.cos.ap-shanghai.myqcloud.com/a%20b.jpg\")")]
            pub fn copy_source(mut self, source: impl Into<String>) -> Self {
                self.input.copy_source = Some($crate::api::object_copy_source::CopySource::Raw(source.into()));
                self
            }
            #[doc = "`x-cos-copy-source` built from a bucket, region and raw key (the key URL-encoded, the bucket "]
            #[doc = "and region checked)."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "copy_source_object(\"sourcebucket-1250000000\", \"ap-shanghai\", \"a b.jpg\")")]
            pub fn copy_source_object(
                mut self,
                bucket: impl Into<String>,
                region: impl Into<String>,
                key: impl Into<String>,
            ) -> Self {
                self.input.copy_source = Some($crate::api::object_copy_source::CopySource::object(bucket, region, key));
                self
            }
            #[doc = "`x-cos-copy-source` of one version of the source: `?versionId=` added (see"]
            #[doc = "[`CopySource::object_version`](crate::api::CopySource::object_version))."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "copy_source_object_version(\"sourcebucket-1250000000\", \"ap-shanghai\", \"a b.jpg\", \"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
            pub fn copy_source_object_version(
                mut self,
                bucket: impl Into<String>,
                region: impl Into<String>,
                key: impl Into<String>,
                version_id: impl Into<String>,
            ) -> Self {
                self.input.copy_source =
                    Some($crate::api::object_copy_source::CopySource::object_version(bucket, region, key, version_id));
                self
            }
            #[doc = "`x-cos-copy-source-If-Modified-Since`: copy only if the source changed after this date."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "copy_source(\"b-1250000000.cos.ap-shanghai.myqcloud.com/a.jpg\").copy_source_if_modified_since(\"Wed, 21 Oct 2015 07:28:00 GMT\")")]
            pub fn copy_source_if_modified_since(mut self, date: impl Into<$crate::api::object::HttpDate>) -> Self {
                self.input.source_conditions.if_modified_since = Some(date.into());
                self
            }
            #[doc = "`x-cos-copy-source-If-Unmodified-Since`: copy only if the source did not change after this date."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "copy_source(\"b-1250000000.cos.ap-shanghai.myqcloud.com/a.jpg\").copy_source_if_unmodified_since(std::time::SystemTime::now())")]
            pub fn copy_source_if_unmodified_since(mut self, date: impl Into<$crate::api::object::HttpDate>) -> Self {
                self.input.source_conditions.if_unmodified_since = Some(date.into());
                self
            }
            #[doc = "`x-cos-copy-source-If-Match`: copy only if the source's ETag is this one."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "copy_source(\"b-1250000000.cos.ap-shanghai.myqcloud.com/a.jpg\").copy_source_if_match(\"\\\"ee8de918d05640145b18f70f4c3aa602\\\"\")")]
            pub fn copy_source_if_match(mut self, etag: impl Into<String>) -> Self {
                self.input.source_conditions.if_match = Some(etag.into());
                self
            }
            #[doc = "`x-cos-copy-source-If-None-Match`: copy only if the source's ETag is not this one."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "copy_source(\"b-1250000000.cos.ap-shanghai.myqcloud.com/a.jpg\").copy_source_if_none_match(\"\\\"ee8de918d05640145b18f70f4c3aa602\\\"\")")]
            pub fn copy_source_if_none_match(mut self, etag: impl Into<String>) -> Self {
                self.input.source_conditions.if_none_match = Some(etag.into());
                self
            }
        }
    };
}
pub(crate) use copy_source_methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_pattern_like_the_js_regex() {
        let ok = [
            "b-1.cos.r.myqcloud.com/k",
            "my-bucket-1250000000.cosv6.ap-beijing.myqcloud.com/a/b?versionId=x",
            "b-1.cos-cdc.r.tencentcos.cn/k k",
        ];
        for s in ok {
            assert!(matches_copy_source_pattern(s), "{s}");
        }
        let bad = [
            "",
            "b-1.cos.r.myqcloud.com",
            "-1.cos.r.myqcloud.com/k",
            "b-.cos.r.myqcloud.com/k",
            "b-1x.cos.r.myqcloud.com/k",
            "b-1.cosx.r.myqcloud.com/k",
            "b-1.cos..myqcloud.com/k",
            "b-1.cos.r.example.com/k",
            "b-1.cos.r.myqcloud.com/a\nb",
        ];
        for s in bad {
            assert!(!matches_copy_source_pattern(s), "{s:?}");
        }
    }
}
