//! A request as the emulator sees it, whichever front it came through.

use crate::decode_component;
use crate::http::{Headers, Method};

use super::content::Content;
use super::response::CosError;

/// One incoming request: method, Host, the path and query as on the wire, headers, the body.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    /// The Host header (or the URL's authority), port included.
    pub(crate) host: String,
    /// The path as sent, still percent-encoded.
    pub(crate) raw_path: String,
    /// Query parameters, decoded, in the order sent.
    pub(crate) query: Vec<(String, String)>,
    /// The query as sent, still percent-encoded (a signature's name lists are read from it).
    pub(crate) raw_query: String,
    pub(crate) headers: Headers,
    pub(crate) body: Content,
}

impl Incoming {
    /// Builds a request from a request target (`/path?query`).
    pub(crate) fn new(
        method: Method,
        host: String,
        target: &str,
        headers: Headers,
        body: Content,
    ) -> Result<Incoming, CosError> {
        let (raw_path, raw_query) = match target.split_once('?') {
            Some((p, q)) => (p, q),
            None => (target, ""),
        };
        let raw_path = if raw_path.is_empty() { "/".to_owned() } else { raw_path.to_owned() };
        let query = parse_query(raw_query)?;
        Ok(Incoming { method, host, raw_path, query, raw_query: raw_query.to_owned(), headers, body })
    }

    /// A header value (any case); empty values count as absent, as the node SDK sends
    /// `Content-Type: ` for "none".
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).filter(|v| !v.is_empty())
    }

    /// The first value of a query parameter (exact name, as COS's parameters are lower case
    /// except `uploadId` and `partNumber`).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// True when the query names `name` (a sub-resource such as `acl`).
    pub(crate) fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|(n, _)| n == name)
    }
}

/// Splits and decodes `a=1&b=&c`. `+` means a space (python's SDK sends that); a `%` not followed
/// by two hex digits, or bytes that are not UTF-8, are refused as COS refuses a bad URI.
pub(crate) fn parse_query(raw: &str) -> Result<Vec<(String, String)>, CosError> {
    let mut out = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.push((decode_query_part(name)?, decode_query_part(value)?));
    }
    Ok(out)
}

fn decode_query_part(s: &str) -> Result<String, CosError> {
    let spaced = s.replace('+', "%20");
    decode_component(&spaced).ok_or_else(|| CosError::invalid_uri(format!("cannot decode query component {s:?}")))
}

/// Decodes a path (`%XX` only; `+` is a plus sign in a path).
pub(crate) fn decode_path(raw: &str) -> Result<String, CosError> {
    decode_component(raw).ok_or_else(|| CosError::invalid_uri(format!("cannot decode path {raw:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = parse_query("acl=&prefix=a%20b+c%2B&&x").unwrap();
        assert_eq!(
            q,
            vec![
                ("acl".to_owned(), String::new()),
                ("prefix".to_owned(), "a b c+".to_owned()),
                ("x".to_owned(), String::new())
            ]
        );
        assert!(parse_query("a=%zz").is_err());
        assert!(parse_query("a=%ff").is_err());
    }
}
