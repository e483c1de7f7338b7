//! Internals exposed for tools that need them, with **no stability promise**: anything here may
//! change or disappear in any release, minor or patch. Pin an exact version if you use it.
//!
//! The signing primitives let a test or a proxy check an `Authorization` by hand; the XML reader
//! and writer are the ones every call uses (they expose `roxmltree` types, which is why they are
//! kept out of the stable surface).

/// The COS XML-API signature, piece by piece (the stable entry points are
/// [`get_authorization`](crate::get_authorization) and [`Client::get_auth`](crate::Client::get_auth)),
/// and the legacy v4 signature (stable entry point [`Client::get_v4_auth`](crate::Client::get_v4_auth)).
///
/// ```
/// use tencent_cos::unversioned::signing::{sign_key, signing_path};
///
/// assert_eq!(signing_path("a b.txt"), "/a b.txt");
/// assert_eq!(sign_key("secret", "1700000000;1700000900").len(), 40);
/// ```
pub mod signing {
    pub use crate::auth::{
        SIGNED_HEADER_ALLOW_LIST, V4AuthParams, get_v4_authorization, http_string, is_signed_header, sign_all_headers,
        sign_key, sign_parts, signing_path,
    };
}

/// The XML reader and writer behind every call.
///
/// ```
/// use tencent_cos::unversioned::xml::XmlWriter;
///
/// let mut w = XmlWriter::new();
/// w.leaf("Key", "a<b", "key").unwrap();
/// assert_eq!(w.finish(), "<Key>a&lt;b</Key>");
/// ```
pub mod xml {
    pub use crate::xml::XmlWriter;
    pub use crate::xml::{
        Element, MAX_XML_BODY, embedded_error, parse_bool, parse_document, parse_number, parse_service_error,
    };
}
