//! What `tests/conformance/properties.rs` and the fuzz targets (`fuzz/fuzz_targets/*.rs`, through `#[path]`)
//! share: every response parser of the crate by name, and the decoders that turn a fuzzer's
//! bytes into a call. One list, so a parser added to the crate is fuzzed and property-tested
//! once it is added here (`tests/conformance/properties.rs` fails until it is).

use tencent_cos::api::GetBucketInput;
use tencent_cos::api::GetObjectInput;
use tencent_cos::api::GetServiceInput;
use tencent_cos::api::HeadObjectInput;
use tencent_cos::api::MultipartCompleteInput;
use tencent_cos::api::MultipartListInput;
use tencent_cos::api::MultipartListPartInput;
use tencent_cos::api::OptionsObjectInput;
use tencent_cos::api::PutObjectCopyInput;
use tencent_cos::api::PutObjectInput;
use tencent_cos::api::UploadPartCopyInput;
use tencent_cos::api::{DeleteBucketCorsInput, GetBucketCorsInput, PutBucketCorsInput};
use tencent_cos::api::{
    DeleteBucketDomainCertificateInput, DeleteBucketDomainInput, DeleteBucketEncryptionInput,
    DeleteBucketIntelligentTieringRuleInput, DeleteBucketInventoryInput, DeleteBucketOriginInput,
    DeleteBucketReplicationInput, DeleteBucketWebsiteInput, GetBucketDomainCertificateInput, GetBucketDomainInput,
    GetBucketEncryptionInput, GetBucketIntelligentTieringInput, GetBucketIntelligentTieringRuleInput,
    GetBucketInventoryInput, GetBucketLoggingInput, GetBucketObjectLockInput, GetBucketOriginInput,
    GetBucketRefererInput, GetBucketReplicationInput, GetBucketWebsiteInput, ListBucketIntelligentTieringInput,
    ListBucketInventoryInput, PostBucketInventoryInput, PutBucketDomainCertificateInput, PutBucketDomainInput,
    PutBucketEncryptionInput, PutBucketIntelligentTieringInput, PutBucketIntelligentTieringRuleInput,
    PutBucketInventoryInput, PutBucketLoggingInput, PutBucketObjectLockInput, PutBucketOriginInput,
    PutBucketRefererInput, PutBucketReplicationInput, PutBucketWebsiteInput,
};
use tencent_cos::api::{DeleteBucketInput, GetBucketLocationInput, HeadBucketInput, PutBucketInput};
use tencent_cos::api::{DeleteBucketLifecycleInput, GetBucketLifecycleInput, PutBucketLifecycleInput};
use tencent_cos::api::{DeleteBucketPolicyInput, GetBucketPolicyInput, PutBucketPolicyInput};
use tencent_cos::api::{DeleteBucketTaggingInput, GetBucketTaggingInput, PutBucketTaggingInput};
use tencent_cos::api::{DeleteMultipleObjectInput, DeleteObjectInput};
use tencent_cos::api::{GetBucketAccelerateInput, PutBucketAccelerateInput};
use tencent_cos::api::{GetBucketAclInput, PutBucketAclInput};
use tencent_cos::api::{GetBucketVersioningInput, PutBucketVersioningInput, VersioningStatus};
use tencent_cos::api::{GetObjectAclInput, PutObjectAclInput};
use tencent_cos::api::{MultipartAbortInput, MultipartInitInput, MultipartUploadInput};
use tencent_cos::http::{Headers, Response};
use tencent_cos::operation::{Operation, RawRequest};
use tencent_cos::unversioned::xml;
use tencent_cos::{AuthorizationParams, Error, KeyTime, Result};

/// A parser run on one response; `Ok` or `Err`, never a panic.
pub type Parse = fn(Response) -> Result<()>;

/// Parses with `op`, and formats the error (a `Display` that panics is a parser bug too).
fn run<O: Operation>(mut op: O, response: Response) -> Result<()> {
    op.parse(response).map(drop).inspect_err(|e| drop(e.to_string()))
}

fn url_encoded() -> Option<String> {
    Some("url".to_owned())
}

/// Every response parser: the `parse` of each public `Operation` of `src/api` (named by its
/// input type, variants after a space), and the service-error readers the pipeline uses.
pub const PARSERS: &[(&str, Parse)] = &[
    ("GetServiceInput", |r| run(GetServiceInput::default(), r)),
    ("PutBucketInput", |r| run(PutBucketInput::default(), r)),
    ("HeadBucketInput", |r| run(HeadBucketInput, r)),
    ("DeleteBucketInput", |r| run(DeleteBucketInput, r)),
    ("GetBucketLocationInput", |r| run(GetBucketLocationInput, r)),
    ("GetBucketInput", |r| run(GetBucketInput::default(), r)),
    ("GetBucketInput encoding-type=url", |r| {
        run(GetBucketInput { encoding_type: url_encoded(), ..Default::default() }, r)
    }),
    ("GetBucketAclInput", |r| run(GetBucketAclInput, r)),
    ("PutBucketAclInput", |r| run(PutBucketAclInput::default(), r)),
    ("GetObjectAclInput", |r| run(GetObjectAclInput::default(), r)),
    ("PutObjectAclInput", |r| run(PutObjectAclInput::default(), r)),
    ("GetBucketCorsInput", |r| run(GetBucketCorsInput, r)),
    ("GetBucketCorsInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketCorsInput.recover(error).map(drop)
    }),
    ("PutBucketCorsInput", |r| run(PutBucketCorsInput::default(), r)),
    ("DeleteBucketCorsInput", |r| run(DeleteBucketCorsInput, r)),
    ("GetBucketTaggingInput", |r| run(GetBucketTaggingInput, r)),
    ("GetBucketTaggingInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketTaggingInput.recover(error).map(drop)
    }),
    ("PutBucketTaggingInput", |r| run(PutBucketTaggingInput::default(), r)),
    ("DeleteBucketTaggingInput", |r| run(DeleteBucketTaggingInput, r)),
    ("GetBucketPolicyInput", |r| run(GetBucketPolicyInput, r)),
    ("GetBucketPolicyInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketPolicyInput.recover(error).map(drop)
    }),
    ("PutBucketPolicyInput", |r| run(PutBucketPolicyInput::default(), r)),
    ("DeleteBucketPolicyInput", |r| run(DeleteBucketPolicyInput, r)),
    ("GetBucketVersioningInput", |r| run(GetBucketVersioningInput, r)),
    ("PutBucketVersioningInput", |r| run(PutBucketVersioningInput { status: VersioningStatus::Enabled }, r)),
    ("GetBucketLifecycleInput", |r| run(GetBucketLifecycleInput, r)),
    ("GetBucketLifecycleInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketLifecycleInput.recover(error).map(drop)
    }),
    ("PutBucketLifecycleInput", |r| run(PutBucketLifecycleInput::default(), r)),
    ("DeleteBucketLifecycleInput", |r| run(DeleteBucketLifecycleInput, r)),
    ("GetBucketAccelerateInput", |r| run(GetBucketAccelerateInput, r)),
    ("PutBucketAccelerateInput", |r| run(PutBucketAccelerateInput::default(), r)),
    ("GetObjectInput", |r| {
        // The body is read and checked against Content-Length, as `bytes()` does for a caller.
        GetObjectInput::default().parse(r)?.bytes().map(drop)
    }),
    ("HeadObjectInput", |r| {
        let out = HeadObjectInput::default().parse(r)?;
        let _ = out.properties.last_modified_time();
        Ok(())
    }),
    ("OptionsObjectInput", |r| run(OptionsObjectInput::default(), r)),
    ("PutObjectInput", |r| run(PutObjectInput::default(), r)),
    ("PutObjectCopyInput", |r| run(PutObjectCopyInput::default(), r)),
    ("DeleteObjectInput", |r| run(DeleteObjectInput::default(), r)),
    ("DeleteMultipleObjectInput", |r| run(DeleteMultipleObjectInput::default(), r)),
    ("MultipartInitInput", |r| run(MultipartInitInput::default(), r)),
    ("MultipartUploadInput", |r| run(MultipartUploadInput::default(), r)),
    ("MultipartAbortInput", |r| run(MultipartAbortInput::default(), r)),
    ("MultipartCompleteInput", |r| run(MultipartCompleteInput::default(), r)),
    ("UploadPartCopyInput", |r| run(UploadPartCopyInput::default(), r)),
    ("MultipartListInput", |r| run(MultipartListInput::default(), r)),
    ("MultipartListInput encoding-type=url", |r| {
        run(MultipartListInput { encoding_type: url_encoded(), ..Default::default() }, r)
    }),
    ("MultipartListPartInput", |r| run(MultipartListPartInput::default(), r)),
    ("MultipartListPartInput encoding-type=url", |r| {
        run(MultipartListPartInput { encoding_type: url_encoded(), ..Default::default() }, r)
    }),
    ("ListObjectVersionsInput", |r| run(tencent_cos::api::ListObjectVersionsInput::default(), r)),
    ("RestoreObjectInput", |r| run(tencent_cos::api::RestoreObjectInput::default(), r)),
    ("PutObjectTaggingInput", |r| run(tencent_cos::api::PutObjectTaggingInput::default(), r)),
    ("GetObjectTaggingInput", |r| run(tencent_cos::api::GetObjectTaggingInput::default(), r)),
    ("DeleteObjectTaggingInput", |r| run(tencent_cos::api::DeleteObjectTaggingInput::default(), r)),
    ("AppendObjectInput", |r| run(tencent_cos::api::AppendObjectInput::default(), r)),
    ("SelectObjectContentInput", |r| run(tencent_cos::api::SelectObjectContentInput::default(), r)),
    ("SelectObjectContentStreamInput", |r| {
        // The events are read after parse returns: drain them all.
        for event in tencent_cos::api::SelectObjectContentStreamInput::default().parse(r)? {
            drop(event.map(drop).map_err(|e| e.to_string()));
        }
        Ok(())
    }),
    ("PutObjectRetentionInput", |r| run(tencent_cos::api::PutObjectRetentionInput::default(), r)),
    ("GetObjectRetentionInput", |r| run(tencent_cos::api::GetObjectRetentionInput::default(), r)),
    ("RawRequest", |r| run(RawRequest::new(tencent_cos::http::Method::Get), r)),
    ("xml::parse_service_error", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        drop(xml::parse_service_error(r.status, &r.headers, &body).to_string());
        Ok(())
    }),
    ("xml::embedded_error", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        drop(xml::embedded_error(r.status, &r.headers, &body).map(|e| e.to_string()));
        Ok(())
    }), // Appended (not inserted) so the fuzz corpus keeps its parser indices.
    ("GetBucketWebsiteInput", |r| run(GetBucketWebsiteInput, r)),
    ("GetBucketWebsiteInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketWebsiteInput.recover(error).map(drop)
    }),
    ("GetBucketRefererInput", |r| run(GetBucketRefererInput, r)),
    ("GetBucketRefererInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketRefererInput.recover(error).map(drop)
    }),
    ("GetBucketEncryptionInput", |r| run(GetBucketEncryptionInput, r)),
    ("GetBucketEncryptionInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketEncryptionInput.recover(error).map(drop)
    }),
    ("GetBucketReplicationInput", |r| run(GetBucketReplicationInput, r)),
    ("GetBucketReplicationInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketReplicationInput.recover(error).map(drop)
    }),
    ("GetBucketLoggingInput", |r| run(GetBucketLoggingInput, r)),
    ("GetBucketDomainInput", |r| run(GetBucketDomainInput, r)),
    ("GetBucketDomainInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketDomainInput.recover(error).map(drop)
    }),
    ("GetBucketOriginInput", |r| run(GetBucketOriginInput, r)),
    ("GetBucketOriginInput recover", |mut r| {
        let body = r.read_body(xml::MAX_XML_BODY)?;
        let error = Error::from(xml::parse_service_error(r.status, &r.headers, &body));
        GetBucketOriginInput.recover(error).map(drop)
    }),
    ("GetBucketIntelligentTieringInput", |r| run(GetBucketIntelligentTieringInput, r)),
    ("PutBucketWebsiteInput", |r| run(PutBucketWebsiteInput::default(), r)),
    ("DeleteBucketWebsiteInput", |r| run(DeleteBucketWebsiteInput, r)),
    ("PutBucketRefererInput", |r| run(PutBucketRefererInput::default(), r)),
    ("PutBucketEncryptionInput", |r| run(PutBucketEncryptionInput::default(), r)),
    ("DeleteBucketEncryptionInput", |r| run(DeleteBucketEncryptionInput, r)),
    ("PutBucketReplicationInput", |r| run(PutBucketReplicationInput::default(), r)),
    ("DeleteBucketReplicationInput", |r| run(DeleteBucketReplicationInput, r)),
    ("PutBucketLoggingInput", |r| run(PutBucketLoggingInput::default(), r)),
    ("PutBucketDomainInput", |r| run(PutBucketDomainInput::default(), r)),
    ("DeleteBucketDomainInput", |r| run(DeleteBucketDomainInput, r)),
    ("PutBucketOriginInput", |r| run(PutBucketOriginInput::default(), r)),
    ("DeleteBucketOriginInput", |r| run(DeleteBucketOriginInput, r)),
    ("PutBucketIntelligentTieringInput", |r| run(PutBucketIntelligentTieringInput::default(), r)),
    ("PutBucketInventoryInput", |r| run(PutBucketInventoryInput::default(), r)),
    ("GetBucketInventoryInput", |r| run(GetBucketInventoryInput::default(), r)),
    ("ListBucketInventoryInput", |r| run(ListBucketInventoryInput::default(), r)),
    ("DeleteBucketInventoryInput", |r| run(DeleteBucketInventoryInput::default(), r)),
    ("PostBucketInventoryInput", |r| run(PostBucketInventoryInput::default(), r)),
    ("PutBucketIntelligentTieringRuleInput", |r| run(PutBucketIntelligentTieringRuleInput::default(), r)),
    ("GetBucketIntelligentTieringRuleInput", |r| run(GetBucketIntelligentTieringRuleInput::default(), r)),
    ("DeleteBucketIntelligentTieringRuleInput", |r| run(DeleteBucketIntelligentTieringRuleInput::default(), r)),
    ("ListBucketIntelligentTieringInput", |r| run(ListBucketIntelligentTieringInput, r)),
    ("GetBucketObjectLockInput", |r| run(GetBucketObjectLockInput, r)),
    ("PutBucketObjectLockInput", |r| run(PutBucketObjectLockInput::default(), r)),
    ("PutBucketDomainCertificateInput", |r| run(PutBucketDomainCertificateInput::default(), r)),
    ("GetBucketDomainCertificateInput", |r| run(GetBucketDomainCertificateInput::default(), r)),
    ("DeleteBucketDomainCertificateInput", |r| run(DeleteBucketDomainCertificateInput::default(), r)),
];

/// Statuses the parsers see: the accepted ones, the ones some parsers accept (304, 403), errors.
pub const STATUSES: [u16; 8] = [200, 204, 206, 304, 403, 404, 500, 503];

/// A response decoded from fuzzer bytes: `[parser][status][header lines]\n\n[body]`.
///
/// Byte 0 chooses the parser, byte 1 the status (one of [`STATUSES`], or the raw byte plus 100
/// for the odd ones). Header lines (`name: value`, lossy UTF-8) are read up to the first blank
/// line when the bytes after the first two start with `@`; otherwise all of them are the body.
pub struct FuzzResponse {
    /// Index into [`PARSERS`].
    pub parser: usize,
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

impl FuzzResponse {
    /// Decodes `data`; `None` when it is too short to choose a parser.
    pub fn decode(data: &[u8]) -> Option<FuzzResponse> {
        let (&parser, rest) = data.split_first()?;
        let (&status, mut rest) = rest.split_first().unwrap_or((&0, &[]));
        let status = STATUSES.get(status as usize).copied().unwrap_or(status as u16 + 100);
        let mut headers = Headers::new();
        if let Some(head) = rest.strip_prefix(b"@") {
            let end = head.windows(2).position(|w| w == b"\n\n").unwrap_or(head.len());
            for line in String::from_utf8_lossy(&head[..end]).split('\n') {
                let (name, value) = line.split_once(':').unwrap_or((line, ""));
                headers.append(name, value.strip_prefix(' ').unwrap_or(value));
            }
            rest = head.get(end + 2..).unwrap_or_default();
        }
        Some(FuzzResponse { parser: parser as usize % PARSERS.len(), status, headers, body: rest.to_vec() })
    }

    /// The parser's name.
    pub fn parser_name(&self) -> &'static str {
        PARSERS[self.parser].0
    }

    /// Runs the parser.
    pub fn run(self) -> Result<()> {
        let headers: Vec<(String, String)> = self.headers.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        PARSERS[self.parser].1(Response::from_bytes(self.status, headers, self.body))
    }
}

/// A signing request decoded from fuzzer bytes (lossy UTF-8): the first lines are the method,
/// the key, the SecretId and the SecretKey; after them, lines `name=value` are query parameters
/// and lines `name:value` headers (a line with neither is a parameter with an empty value).
/// Every field may be empty, huge, or full of control characters.
#[derive(Debug, Default)]
pub struct FuzzSigning {
    /// The method.
    pub method: String,
    /// The key.
    pub key: String,
    /// The SecretId.
    pub secret_id: String,
    /// The SecretKey.
    pub secret_key: String,
    /// The query parameters.
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: Vec<(String, String)>,
}

impl FuzzSigning {
    /// Decodes `data`.
    pub fn decode(data: &[u8]) -> FuzzSigning {
        let text = String::from_utf8_lossy(data);
        let mut lines = text.split('\n');
        let mut next = || lines.next().unwrap_or_default().to_owned();
        let mut s =
            FuzzSigning { method: next(), key: next(), secret_id: next(), secret_key: next(), ..Default::default() };
        for line in lines {
            match line.find(['=', ':']) {
                Some(i) if line.as_bytes()[i] == b'=' => s.query.push((line[..i].to_owned(), line[i + 1..].to_owned())),
                Some(i) => s.headers.push((line[..i].to_owned(), line[i + 1..].to_owned())),
                None => s.query.push((line.to_owned(), String::new())),
            }
        }
        s
    }

    fn pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
        list.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }

    /// Signs with [`tencent_cos::get_authorization`] over the window `start;end`.
    pub fn authorization(&self, start: u64, end: u64) -> String {
        let (query, headers) = (Self::pairs(&self.query), Self::pairs(&self.headers));
        tencent_cos::get_authorization(&AuthorizationParams {
            secret_id: &self.secret_id,
            secret_key: &self.secret_key,
            method: &self.method,
            key: &self.key,
            query: &query,
            headers: &headers,
            key_time: KeyTime::Window { start, end },
        })
    }

    /// Signs with [`tencent_cos::unversioned::signing::sign_parts`] (every header signed) over `start;end`.
    pub fn sign_parts(&self, start: u64, end: u64) -> String {
        tencent_cos::unversioned::signing::sign_parts(
            &self.secret_id,
            &self.secret_key,
            &self.method,
            &tencent_cos::unversioned::signing::signing_path(&self.key),
            Self::pairs(&self.query).into_iter(),
            Self::pairs(&self.headers).into_iter(),
            start,
            end,
        )
    }

    /// The HttpString of [`FuzzSigning::sign_parts`].
    pub fn http_string(&self) -> String {
        tencent_cos::unversioned::signing::http_string(
            &self.method,
            &tencent_cos::unversioned::signing::signing_path(&self.key),
            Self::pairs(&self.query).into_iter(),
            Self::pairs(&self.headers).into_iter(),
        )
    }
}

/// The shape every `Authorization` value has: the fixed prefix, the SecretId, and a 40-digit
/// lower-case hex signature at the end. Returns what is wrong, if anything.
pub fn authorization_shape_error(auth: &str, secret_id: &str) -> Option<String> {
    let prefix = format!("q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time=");
    if !auth.starts_with(&prefix) {
        return Some(format!("does not start with {prefix:?}"));
    }
    let Some((_, signature)) = auth.rsplit_once("&q-signature=") else {
        return Some("has no q-signature".to_owned());
    };
    let hex = signature.len() == 40 && signature.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (!hex).then(|| format!("signature {signature:?} is not 40 lower-case hex digits"))
}
