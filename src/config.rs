//! Client options with the JS SDK's defaults, endpoint templates, and the name rules checked
//! before any request.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

const MIB: u64 = 1024 * 1024;

/// Default [`Config::read_timeout`]: 30 s.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Options of a [`Client`](crate::Client), named after the JS SDK's constructor options.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Default region of buckets (`ap-guangzhou`).
    pub region: Option<String>,
    /// Files transferred at once (FileParallelLimit, default 3).
    pub file_parallel_limit: usize,
    /// Parts of one file in flight (ChunkParallelLimit, default 3).
    pub chunk_parallel_limit: usize,
    /// Part size of multipart uploads (ChunkSize, default 1 MiB, at least 1 MiB).
    pub chunk_size: u64,
    /// Above this size `upload_file` goes multipart (SliceSize, default 1 MiB).
    pub slice_size: u64,
    /// Extra attempts per part (ChunkRetryTimes, default 2).
    pub chunk_retry_times: u32,
    /// Parts copied at once by `slice_copy_file` (CopyChunkParallelLimit, default 20).
    pub copy_chunk_parallel_limit: usize,
    /// Part size of `slice_copy_file` (CopyChunkSize, default 10 MiB).
    pub copy_chunk_size: u64,
    /// Above this size `slice_copy_file` goes multipart (CopySliceSize, default 10 MiB).
    pub copy_slice_size: u64,
    /// Most parts of one multipart upload (MaxPartNumber, 1024 to 10000, default 10000): the
    /// part size grows until a file fits.
    pub max_part_number: u64,
    /// Tasks queued beyond the running ones (UploadQueueSize, default 1000).
    pub upload_queue_size: usize,
    /// Least time between two progress callbacks (ProgressInterval, default 1000 ms).
    pub progress_interval: Duration,
    /// `https` (default) or `http`.
    pub protocol: Protocol,
    /// Bucket host template: `{Bucket}`, `{BucketName}`, `{AppId}`, `{Region}` are replaced
    /// (Domain, default `{Bucket}.cos.{Region}.myqcloud.com`). May carry a port.
    pub domain: String,
    /// Host of `get_service` without a region (ServiceDomain, default `service.cos.myqcloud.com`).
    pub service_domain: String,
    /// Put the bucket in the path (`host/{bucket}/{key}`) instead of the host name.
    pub force_path_style: bool,
    /// Ip: connect to this address (`host[:port]`) instead of the host the URL names, and keep
    /// that host in the `Host` header and the signature (the node SDK's `Ip`). With it, the
    /// emulator or a proxy on loopback sees the real `{bucket}.cos.{region}` host, so a wrong
    /// region fails there as it does on COS.
    pub ip: Option<String>,
    /// Use the global acceleration endpoint `{Bucket}.cos.accelerate.myqcloud.com`.
    pub use_accelerate: bool,
    /// Connect timeout (default 10 s).
    pub connect_timeout: Option<Duration>,
    /// The longest wait for bytes of a response (default 30 s; `None`: no limit): for its
    /// status line and headers once the request is sent, and then for each read of its body
    /// (an idle timeout: a body that goes silent for this long ends with
    /// [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout), retried, or
    /// resumed for an object download, within the call's budget). It bounds each write of a
    /// request body the same way: an upload to a server that stopped reading ends as a
    /// timeout. Enforced by the default transport; a transport of your own bounds its own I/O.
    pub read_timeout: Option<Duration>,
    /// Stalled-download detection (default 1 B/s over 20 s, as aws-sdk-rust; `None`: off): an
    /// object body (`get_object`, and so `download_file`) that, once it has been read for the
    /// grace period, delivered fewer bytes than this throughput over the last grace period
    /// ends with [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout), and
    /// resumes within the call's budget. Only time spent waiting inside a read counts, so a
    /// slow consumer is never cut. It catches a trickle that each read's
    /// [`read_timeout`](Config::read_timeout) cannot. XML answers are not watched: COS may keep
    /// a slow one alive with a few spaces, and they are bounded by `read_timeout`.
    pub min_throughput: Option<MinThroughput>,
    /// Overall timeout of one request, body included (Timeout; `None`: no limit).
    pub timeout: Option<Duration>,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Added to the local clock when signing, in seconds (SystemClockOffset).
    pub system_clock_offset: i64,
    /// Learn the clock offset from RequestTimeTooSkewed answers and re-sign (CorrectClockSkew, on).
    pub correct_clock_skew: bool,
    /// Always sign `Host` (ForceSignHost, on).
    pub force_sign_host: bool,
    /// Retries of failed requests.
    pub retry: RetryPolicy,
    /// Seconds before ExpiredTime that temporary credentials are refreshed (default 60).
    pub credential_refresh_margin: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region: None,
            file_parallel_limit: 3,
            chunk_parallel_limit: 3,
            chunk_size: MIB,
            slice_size: MIB,
            chunk_retry_times: 2,
            copy_chunk_parallel_limit: 20,
            copy_chunk_size: 10 * MIB,
            copy_slice_size: 10 * MIB,
            max_part_number: 10_000,
            upload_queue_size: 1000,
            progress_interval: Duration::from_millis(1000),
            protocol: Protocol::Https,
            domain: DEFAULT_DOMAIN.into(),
            service_domain: DEFAULT_SERVICE_DOMAIN.into(),
            force_path_style: false,
            ip: None,
            use_accelerate: false,
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            min_throughput: Some(MinThroughput::default()),
            timeout: None,
            user_agent: concat!("tencent-cos-rust/", env!("CARGO_PKG_VERSION")).into(),
            system_clock_offset: 0,
            correct_clock_skew: true,
            force_sign_host: true,
            retry: RetryPolicy::default(),
            credential_refresh_margin: 60,
        }
    }
}

/// The least throughput a response body must keep (see [`Config::min_throughput`]): fewer
/// than `bytes_per_second` x `grace_period` bytes over the last `grace_period` of reading is a
/// stall.
///
/// ```
/// use std::time::Duration;
/// use tencent_cos::MinThroughput;
/// let default = MinThroughput::default();
/// assert_eq!((default.bytes_per_second, default.grace_period), (1, Duration::from_secs(20)));
/// let client = tencent_cos::Client::builder()
///     .min_throughput(Some(MinThroughput { bytes_per_second: 1024, grace_period: Duration::from_secs(10) }))
///     .build()?;
/// assert_eq!(client.config().min_throughput.map(|m| m.bytes_per_second), Some(1024));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinThroughput {
    /// Bytes per second averaged over `grace_period` (default 1); at least 1.
    pub bytes_per_second: u64,
    /// How long the throughput may stay below the minimum, and the window it is measured
    /// over (default 20 s); not zero.
    pub grace_period: Duration,
}

impl Default for MinThroughput {
    fn default() -> Self {
        MinThroughput { bytes_per_second: 1, grace_period: Duration::from_secs(20) }
    }
}

/// The default bucket host template.
pub const DEFAULT_DOMAIN: &str = "{Bucket}.cos.{Region}.myqcloud.com";
/// The default `get_service` host.
pub const DEFAULT_SERVICE_DOMAIN: &str = "service.cos.myqcloud.com";

/// URL scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    /// `https:` (the default).
    #[default]
    Https,
    /// `http:`: only when asked for (an emulator on loopback, a private deployment).
    Http,
}

impl Protocol {
    /// `https` or `http`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Https => "https",
            Protocol::Http => "http",
        }
    }

    /// Parses `http`, `http:`, `https`, `https:` (any case).
    ///
    /// ```
    /// use tencent_cos::Protocol;
    /// assert_eq!(Protocol::parse("http:"), Some(Protocol::Http));
    /// assert_eq!(Protocol::parse("ftp"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.trim_end_matches(':').to_ascii_lowercase().as_str() {
            "https" => Some(Protocol::Https),
            "http" => Some(Protocol::Http),
            _ => None,
        }
    }
}

impl Config {
    /// Checks the options that would make every call fail.
    pub fn validate(&self) -> Result<()> {
        if let Some(ip) = &self.ip
            && (ip.is_empty() || ip.contains(['/', '?', '#', '@', ' ']) || ip.chars().any(char::is_control))
        {
            return Err(Error::invalid("ip", format!("{ip:?} is not a host[:port]")));
        }
        if self.chunk_size < MIB {
            return Err(Error::invalid("chunk_size", format!("{} bytes is below the 1 MiB minimum", self.chunk_size)));
        }
        if self.copy_chunk_size < MIB {
            return Err(Error::invalid(
                "copy_chunk_size",
                format!("{} bytes is below the 1 MiB minimum", self.copy_chunk_size),
            ));
        }
        if !(1024..=10_000).contains(&self.max_part_number) {
            return Err(Error::invalid("max_part_number", format!("{} is outside 1024..=10000", self.max_part_number)));
        }
        for (field, v) in [
            ("file_parallel_limit", self.file_parallel_limit),
            ("chunk_parallel_limit", self.chunk_parallel_limit),
            ("copy_chunk_parallel_limit", self.copy_chunk_parallel_limit),
        ] {
            if v == 0 {
                return Err(Error::invalid(field, "must be at least 1"));
            }
        }
        if let Some(m) = &self.min_throughput {
            if m.bytes_per_second == 0 {
                return Err(Error::invalid(
                    "min_throughput",
                    "bytes_per_second must be at least 1 (None turns it off)",
                ));
            }
            if m.grace_period.is_zero() {
                return Err(Error::invalid("min_throughput", "grace_period must not be zero"));
            }
        }
        if let Some(region) = &self.region {
            validate_region(region)?;
        }
        validate_header_value("user_agent", &self.user_agent)?;
        validate_host_template("domain", &self.domain)?;
        validate_host_template("service_domain", &self.service_domain)?;
        Ok(())
    }

    /// The host (with port, if the template has one) of `bucket` in `region`.
    ///
    /// ```
    /// let c = tencent_cos::Config::default();
    /// assert_eq!(c.bucket_host("examplebucket-1250000000", "ap-guangzhou"),
    ///            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com");
    /// ```
    pub fn bucket_host(&self, bucket: &str, region: &str) -> String {
        let region = if self.use_accelerate { "accelerate" } else { region };
        if self.force_path_style {
            // Path style: the bucket goes into the path; the template's {Bucket} part is dropped.
            if self.domain == DEFAULT_DOMAIN {
                return format!("cos.{region}.myqcloud.com");
            }
        }
        let (name, appid) = bucket.rsplit_once('-').unwrap_or((bucket, ""));
        expand_host_template(
            &self.domain,
            &[("Bucket", bucket), ("BucketName", name), ("AppId", appid), ("Region", region)],
        )
    }

    /// The `get_service` host: the service domain, or `cos.{region}.myqcloud.com` with a region.
    pub fn service_host(&self, region: Option<&str>) -> String {
        match region {
            Some(r) if self.service_domain == DEFAULT_SERVICE_DOMAIN => format!("cos.{r}.myqcloud.com"),
            r => expand_host_template(&self.service_domain, &[("Region", r.unwrap_or(""))]),
        }
    }
}

/// A host template with each `{Name}` or `{{Name}}` of `values` replaced by its value, in one
/// pass (a request's host is expanded on every call; the values hold no braces, since bucket
/// names and regions are checked, so one pass is what replacing name by name would give).
fn expand_host_template(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 48);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let found = values.iter().find_map(|(name, value)| {
            let inner = &rest[1..];
            let double = inner.strip_prefix('{').and_then(|r| r.strip_prefix(name)).and_then(|r| r.strip_prefix("}}"));
            let single = inner.strip_prefix(name).and_then(|r| r.strip_prefix('}'));
            double.or(single).map(|after| (*value, after))
        });
        match found {
            Some((value, after)) => {
                out.push_str(value);
                rest = after;
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn validate_host_template(field: &'static str, template: &str) -> Result<()> {
    if template.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if template.bytes().any(|b| matches!(b, b'/' | b'@' | b'?' | b'#' | b' ' | b'\r' | b'\n')) {
        return Err(Error::invalid(field, "a host template may not contain '/', '@', '?', '#' or whitespace"));
    }
    Ok(())
}

/// Checks a bucket name: `{name}-{appid}`, lower-case letters, digits and `-`, the name part not
/// starting or ending with `-`, at most 50 characters for the name and 60 in all.
///
/// ```
/// use tencent_cos::validate_bucket;
/// assert!(validate_bucket("examplebucket-1250000000").is_ok());
/// assert!(validate_bucket("ExampleBucket-1250000000").is_err());
/// assert!(validate_bucket("examplebucket").is_err());
/// assert!(validate_bucket("evil.com/x-125").is_err());
/// ```
pub fn validate_bucket(bucket: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid("bucket", format!("{bucket:?} {why}")));
    let Some((name, appid)) = bucket.rsplit_once('-') else {
        return bad("must be {name}-{appid}, e.g. examplebucket-1250000000");
    };
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
        return bad("must end with -{appid}, the appid all digits");
    }
    if name.is_empty() {
        return bad("has an empty name before -{appid}");
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return bad("may contain only lower-case letters, digits and '-'");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return bad("must not start or end its name with '-'");
    }
    if name.len() > 50 || bucket.len() > 60 {
        return bad("is too long (at most 50 characters of name, 60 in all)");
    }
    Ok(())
}

/// Checks a region: `[a-z0-9-]+`, so nothing can be smuggled into a host name.
pub(crate) fn validate_region(region: &str) -> Result<()> {
    if region.is_empty() {
        return Err(Error::invalid("region", "must not be empty"));
    }
    if !region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(Error::invalid("region", format!("{region:?} may contain only [a-z0-9-]")));
    }
    Ok(())
}

/// Checks an object key where one is required: not empty (after the one leading `/` COS
/// drops), no CR or LF.
pub(crate) fn validate_key(key: &str) -> Result<()> {
    if object_key(key).is_empty() {
        return Err(Error::invalid("key", "must not be empty"));
    }
    Ok(())
}

/// An object key as COS stores it: one leading `/` dropped (`/a.txt` is `a.txt`). The one place
/// that rule lives: the pipeline, copy sources, presigned URLs and `Location` all use it.
pub(crate) fn object_key(key: &str) -> &str {
    key.strip_prefix('/').unwrap_or(key)
}

/// Refuses CR, LF and NUL in a header value, which would split or corrupt the request.
pub(crate) fn validate_header_value(field: &'static str, value: &str) -> Result<()> {
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(Error::invalid(field, "must not contain CR, LF or NUL"));
    }
    Ok(())
}

/// Refuses header names that are not HTTP tokens (CR, LF, space, `:`...).
pub(crate) fn validate_header_name(name: &str) -> Result<()> {
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !ok {
        return Err(Error::invalid("headers", format!("{name:?} is not a valid header name")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass expansion gives what replacing each placeholder in turn gave (the previous
    /// implementation), on the documented forms and on unbalanced or unknown braces.
    #[test]
    fn host_templates_expand_as_replacing_name_by_name() {
        let sequential = |t: &str| {
            t.replace("{{Bucket}}", "b-125")
                .replace("{Bucket}", "b-125")
                .replace("{{BucketName}}", "b")
                .replace("{BucketName}", "b")
                .replace("{{AppId}}", "125")
                .replace("{AppId}", "125")
                .replace("{{Region}}", "ap-x")
                .replace("{Region}", "ap-x")
        };
        let values = [("Bucket", "b-125"), ("BucketName", "b"), ("AppId", "125"), ("Region", "ap-x")];
        for template in [
            "{Bucket}.cos.{Region}.myqcloud.com",
            "{{Bucket}}.cos.{{Region}}.tencentcos.cn",
            "{BucketName}-{AppId}.cos-internal.{Region}.tencentcos.cn",
            "{{BucketName}}.{{AppId}}.example.com",
            "{{{Bucket}}}.x",
            "{{Bucket}.x",
            "{Bucket}}.x",
            "{Unknown}.{Region}",
            "{",
            "{{",
            "}{Region",
            "cdn.example.com",
            "",
        ] {
            assert_eq!(expand_host_template(template, &values), sequential(template), "{template:?}");
        }
    }

    #[test]
    fn domain_templates() {
        let mut c = Config::default();
        assert_eq!(c.service_host(None), "service.cos.myqcloud.com");
        assert_eq!(c.service_host(Some("ap-beijing")), "cos.ap-beijing.myqcloud.com");
        c.use_accelerate = true;
        assert_eq!(c.bucket_host("b-1", "ap-beijing"), "b-1.cos.accelerate.myqcloud.com");
        c.use_accelerate = false;
        c.domain = "{BucketName}-{AppId}.{Region}.example.com:8080".into();
        assert_eq!(c.bucket_host("b-1", "r"), "b-1.r.example.com:8080");
        c.domain = "cdn.example.com".into();
        assert_eq!(c.bucket_host("b-1", "r"), "cdn.example.com");
        c = Config { force_path_style: true, ..Config::default() };
        assert_eq!(c.bucket_host("b-1", "ap-beijing"), "cos.ap-beijing.myqcloud.com");
    }

    #[test]
    fn regions_are_host_safe() {
        assert!(validate_region("ap-guangzhou").is_ok());
        for bad in ["", "ap-guangzhou.evil.com", "AP-GUANGZHOU", "ap guangzhou", "ap/x"] {
            let e = validate_region(bad).unwrap_err().to_string();
            assert!(e.contains("region"), "{bad:?}: {e}");
        }
    }
}
