//! What the emulator answers: a status, headers and a body; or a COS error.

use crate::http::Headers;

use super::content::Content;

/// One answer before the common headers (request id, Date, Content-Length) are added.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    pub(crate) body: Content,
}

impl Outgoing {
    /// A status with no body.
    pub(crate) fn empty(status: u16) -> Self {
        Outgoing { status, headers: Headers::new(), body: Content::empty() }
    }

    /// 200 with an XML body.
    pub(crate) fn xml(body: Vec<u8>) -> Self {
        let mut headers = Headers::new();
        headers.insert("Content-Type", "application/xml");
        Outgoing { status: 200, headers, body: Content::from_vec(body) }
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.append(name, value);
        self
    }
}

/// A COS error: status, `Code`, `Message`, plus the extra elements some codes carry
/// (`StringToSign`, `FormatString`, `ServerTime`) and headers (`Content-Range` of a 416).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CosError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) extra: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl CosError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        CosError { status, code, message: message.into(), extra: Vec::new(), headers: Vec::new() }
    }

    /// Adds an element to the `<Error>` body.
    pub(crate) fn with_extra(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn access_denied() -> Self {
        CosError::new(403, "AccessDenied", "Access Denied.")
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        CosError::new(400, "InvalidArgument", message)
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        CosError::new(400, "InvalidRequest", message)
    }

    pub(crate) fn invalid_uri(message: impl Into<String>) -> Self {
        CosError::new(400, "InvalidURI", message)
    }

    pub(crate) fn malformed_xml(message: impl Into<String>) -> Self {
        CosError::new(400, "MalformedXML", message)
    }

    pub(crate) fn no_such_bucket() -> Self {
        CosError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
    }

    pub(crate) fn no_such_key() -> Self {
        CosError::new(404, "NoSuchKey", "The specified key does not exist.")
    }

    pub(crate) fn no_such_upload() -> Self {
        CosError::new(404, "NoSuchUpload", "The specified multipart upload does not exist.")
    }

    pub(crate) fn method_not_allowed() -> Self {
        CosError::new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
    }

    pub(crate) fn not_implemented(what: &str) -> Self {
        CosError::new(501, "NotImplemented", format!("The emulator does not implement {what}."))
    }

    pub(crate) fn precondition_failed() -> Self {
        CosError::new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.")
    }

    pub(crate) fn entity_too_large(limit: u64) -> Self {
        CosError::new(
            400,
            "EntityTooLarge",
            format!("Your proposed upload exceeds the maximum allowed size of {limit} bytes."),
        )
    }
}
