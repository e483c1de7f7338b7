//! Which bucket and key a request is for, from its Host and path.
//!
//! - `{bucket}.cos.{region}.<any domain>`: virtual-hosted; the key is the whole path.
//! - any other host (`127.0.0.1:9000`, `cos.{region}.myqcloud.com`, `service.cos.myqcloud.com`):
//!   path style, `/{bucket}/{key}`; the path `/` alone is GET Service. A `cos.{region}.` host
//!   names the region. A first label that is no bucket name (`{name}-{appid}`) is no bucket.

use crate::config::validate_bucket;

use super::request::decode_path;
use super::response::CosError;

/// What a request addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The service: list buckets (in a region, for `cos.{region}.` hosts).
    Service { region: Option<String> },
    /// A bucket, or an object in it.
    Bucket {
        bucket: String,
        /// The region the host names, when it names one.
        region: Option<String>,
        /// The object key, decoded; `None` for bucket-level calls.
        key: Option<String>,
        /// True when the bucket came from the path.
        path_style: bool,
    },
}

/// Routes a request.
pub(crate) fn route(host: &str, raw_path: &str) -> Result<Target, CosError> {
    let name = host_name(host).to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    if let [bucket, "cos", region, _, ..] = labels.as_slice()
        && validate_bucket(bucket).is_ok()
        && !region.is_empty()
    {
        let key = raw_path.strip_prefix('/').unwrap_or(raw_path);
        let key = object_key(key)?;
        let region = (*region != "accelerate").then(|| (*region).to_owned());
        return Ok(Target::Bucket { bucket: (*bucket).to_owned(), region, key, path_style: false });
    }
    let region = match labels.as_slice() {
        ["cos", region, _, ..] if !region.is_empty() => Some((*region).to_owned()),
        _ => None,
    };
    let rest = raw_path.strip_prefix('/').unwrap_or(raw_path);
    if rest.is_empty() {
        return Ok(Target::Service { region });
    }
    let (bucket, key) = match rest.split_once('/') {
        Some((b, k)) => (b, k),
        None => (rest, ""),
    };
    let bucket = decode_path(bucket)?;
    let key = object_key(key)?;
    Ok(Target::Bucket { bucket, region, key, path_style: true })
}

/// The decoded key of a path after the bucket; `None` for bucket-level calls. A key that is
/// empty once repeated `/` are merged and `.` segments dropped (`///`, `/./`) names no object:
/// COS refuses it with 400 InvalidURI rather than store a key of slashes. `..` is not resolved.
fn object_key(raw: &str) -> Result<Option<String>, CosError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let key = decode_path(raw)?;
    if key.split('/').all(|segment| segment.is_empty() || segment == ".") {
        return Err(CosError::new(400, "InvalidURI", "Couldn't parse the specified URI."));
    }
    Ok(Some(key))
}

/// The host without its port (`[::1]:80` -> `[::1]`).
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if host.starts_with('[') {
        return match host.find(']') {
            Some(i) => &host[..=i],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(bucket: &str, region: Option<&str>, key: Option<&str>, path_style: bool) -> Target {
        Target::Bucket { bucket: bucket.into(), region: region.map(Into::into), key: key.map(Into::into), path_style }
    }

    #[test]
    fn routes() {
        assert_eq!(
            route("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com", "/a%20b/c").unwrap(),
            bucket("examplebucket-1250000000", Some("ap-guangzhou"), Some("a b/c"), false)
        );
        assert_eq!(
            route("b-1.cos.ap-beijing.example.com:8080", "/").unwrap(),
            bucket("b-1", Some("ap-beijing"), None, false)
        );
        assert_eq!(route("b-1.cos.accelerate.myqcloud.com", "//x").unwrap(), bucket("b-1", None, Some("/x"), false));
        assert_eq!(route("service.cos.myqcloud.com", "/").unwrap(), Target::Service { region: None });
        assert_eq!(
            route("cos.ap-beijing.myqcloud.com", "/").unwrap(),
            Target::Service { region: Some("ap-beijing".into()) }
        );
        assert_eq!(
            route("cos.ap-beijing.myqcloud.com", "/b-1/k").unwrap(),
            bucket("b-1", Some("ap-beijing"), Some("k"), true)
        );
        assert_eq!(route("127.0.0.1:9000", "/b-1/").unwrap(), bucket("b-1", None, None, true));
        assert_eq!(route("127.0.0.1:9000", "/b-1").unwrap(), bucket("b-1", None, None, true));
        assert_eq!(route("[::1]:9000", "/b-1/a/b").unwrap(), bucket("b-1", None, Some("a/b"), true));
        assert_eq!(route("", "").unwrap(), Target::Service { region: None });
        assert!(route("127.0.0.1", "/b-1/%zz").is_err());
    }
}
