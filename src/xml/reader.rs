//! Reading helpers over roxmltree. DTDs are refused, so entity tricks cannot expand; missing
//! or malformed values become [`Error::Xml`], never a panic.

use roxmltree::{Document, Node, ParsingOptions};
use std::borrow::Cow;

use crate::error::{Error, Result, ServiceError};
use crate::http::Headers;

/// Largest XML response body read into memory (32 MiB; a 1000-entry listing is about 300 KB).
pub const MAX_XML_BODY: u64 = 32 * 1024 * 1024;

/// Parses `bytes` as an XML document: UTF-8, no DTD, at most a few million nodes.
///
/// ```
/// let doc = tencent_cos::unversioned::xml::parse_document(b"<a><b>1</b></a>").unwrap();
/// assert_eq!(doc.root_element().tag_name().name(), "a");
/// assert!(tencent_cos::unversioned::xml::parse_document(b"<a>").is_err());
/// ```
pub fn parse_document(bytes: &[u8]) -> Result<Document<'_>> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Xml(format!("body is not UTF-8: {e}")))?;
    let options = ParsingOptions { allow_dtd: false, nodes_limit: 4_000_000, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| Error::Xml(e.to_string()))?;
    check_depth(&doc, MAX_DEPTH)?;
    Ok(doc)
}

/// Ends a document whose raw control characters [`recover_control_chars`] moved aside.
const RECOVERED_MARK: &str = "<!--tencent-cos: control characters recovered-->";
/// A raw control character `c` is carried as `CONTROL_BASE + c` (private use, never in markup).
const CONTROL_BASE: u32 = 0xE000;

/// C0 controls that XML 1.0 cannot carry, not even as character references.
fn is_raw_control(c: char) -> bool {
    (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')
}

/// COS writes the control characters of a key raw into XML answers that were not asked for
/// `encoding-type=url` (Initiate and Complete Multipart Upload, a plain listing): bodies XML 1.0
/// cannot carry, so a strict parser would lose the UploadId of an upload it just created (the Go
/// SDK recovers such bodies with a regex). Here each such character is moved to `U+E000 + code`
/// before parsing, and [`Element::text`] moves it back, so the values come out exact. A body that
/// already holds a character of that private-use range is left as it is (and refused).
pub(crate) fn recover_control_chars(bytes: &mut Vec<u8>) {
    // Checked 64 bytes at a time without an early exit inside a block, so the check vectorizes.
    let raw_control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r');
    if !bytes.chunks(64).any(|block| block.iter().fold(false, |found, &b| found | raw_control(b))) {
        return;
    }
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    if text.chars().any(|c| (CONTROL_BASE..CONTROL_BASE + 0x20).contains(&(c as u32))) {
        return;
    }
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        match char::from_u32(CONTROL_BASE + c as u32).filter(|_| is_raw_control(c)) {
            Some(moved) => out.push(moved),
            None => out.push(c),
        }
    }
    out.push_str(RECOVERED_MARK);
    *bytes = out.into_bytes();
}

/// Puts back the control characters [`recover_control_chars`] moved aside.
fn restore_control_chars(text: String) -> String {
    text.chars()
        .map(|c| match c as u32 {
            n if (CONTROL_BASE..CONTROL_BASE + 0x20).contains(&n) => char::from_u32(n - CONTROL_BASE).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Deepest element nesting accepted. COS documents are 5 levels deep; a deeper one is refused
/// before any reader of the crate walks it.
pub const MAX_DEPTH: usize = 64;
const _: () = assert!(MAX_DEPTH < u8::MAX as usize, "check_depth keeps depths in a u8");

/// Refuses a document nested deeper than `max` elements. The tree is walked once, in document
/// order, after roxmltree built it: its parser keeps no recursion and bounds the node count
/// (`nodes_limit`), so a deep document costs what a flat one of its size does until here, and
/// every reader after this sees at most `max` levels.
fn check_depth(doc: &Document<'_>, max: usize) -> Result<()> {
    // Depth by node id: document order visits a parent before its children.
    let mut depths = vec![0u8; doc.descendants().len()];
    for node in doc.descendants().filter(|n| n.is_element()) {
        let depth = node.parent().map_or(0, |p| usize::from(depths[p.id().get() as usize])) + 1;
        if depth > max {
            return Err(Error::Xml(format!("elements nested deeper than {max}")));
        }
        // `max` is far below 255: the depth fits.
        depths[node.id().get() as usize] = depth as u8;
    }
    Ok(())
}

/// A view of one element with typed accessors for its children.
#[derive(Clone, Copy, Debug)]
pub struct Element<'a, 'input> {
    node: Node<'a, 'input>,
}

impl<'a, 'input> Element<'a, 'input> {
    /// The root element of `doc`, which must be named `name`.
    pub fn root(doc: &'a Document<'input>, name: &str) -> Result<Self> {
        let node = doc.root_element();
        if node.tag_name().name() != name {
            return Err(Error::Xml(format!("expected root <{name}>, found <{}>", node.tag_name().name())));
        }
        Ok(Element { node })
    }

    /// Wraps a node.
    pub fn new(node: Node<'a, 'input>) -> Self {
        Element { node }
    }

    /// The element's name.
    pub fn name(&self) -> &str {
        self.node.tag_name().name()
    }

    /// The underlying node.
    pub fn node(&self) -> Node<'a, 'input> {
        self.node
    }

    /// The element's own text (all text children concatenated; `""` when empty).
    pub fn text(&self) -> String {
        self.text_cow().into_owned()
    }

    /// The element's own text, borrowed from the document when it is one text node (the
    /// common case: no copy for a value that is only parsed or compared).
    pub(crate) fn text_cow(&self) -> Cow<'a, str> {
        let recovered = self.node.document().input_text().ends_with(RECOVERED_MARK);
        let mut texts = self.node.children().filter(|c| c.is_text()).filter_map(|c| c.text());
        let Some(first) = texts.next() else { return Cow::Borrowed("") };
        let text = match texts.next() {
            None => Cow::Borrowed(first),
            Some(second) => {
                let mut s = String::from(first);
                s.push_str(second);
                texts.for_each(|t| s.push_str(t));
                Cow::Owned(s)
            }
        };
        if recovered { Cow::Owned(restore_control_chars(text.into_owned())) } else { text }
    }

    /// The child elements, in order.
    pub(crate) fn element_children(&self) -> impl Iterator<Item = Element<'a, 'input>> + 'a {
        self.node.children().filter(|c| c.is_element()).map(Element::new)
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<Element<'a, 'input>> {
        self.node.children().find(|c| c.is_element() && c.tag_name().name() == name).map(Element::new)
    }

    /// Every child element named `name`, in order.
    pub fn children(&self, name: &'a str) -> impl Iterator<Item = Element<'a, 'input>> + 'a {
        self.node.children().filter(move |c| c.is_element() && c.tag_name().name() == name).map(Element::new)
    }

    /// The text of the last child named `name` (COS documents have one; duplicates: last wins).
    pub fn opt_text(&self, name: &str) -> Option<String> {
        self.node.children().rfind(|c| c.is_element() && c.tag_name().name() == name).map(|c| Element::new(c).text())
    }

    /// The text of child `name`, which must be present.
    pub fn req_text(&self, name: &str) -> Result<String> {
        self.opt_text(name).ok_or_else(|| Error::Xml(format!("<{}> has no <{name}>", self.name())))
    }

    /// Child `name` as a number, when present.
    pub fn opt_number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>> {
        self.opt_text(name).map(|t| parse_number(name, &t)).transpose()
    }

    /// Child `name` as a boolean (`true`/`false`, any case), when present.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>> {
        self.opt_text(name).map(|t| parse_bool(name, &t)).transpose()
    }

    /// An attribute by local name (`type` finds `xsi:type`).
    pub fn attribute(&self, local_name: &str) -> Option<&'a str> {
        self.node.attributes().find(|a| a.name() == local_name).map(|a| a.value())
    }
}

/// Parses a number, naming the element on failure.
pub fn parse_number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T> {
    text.trim().parse().map_err(|_| Error::Xml(format!("<{name}> is not a valid number: {text:?}")))
}

/// Parses `true` / `false` (any case), naming the element on failure.
pub fn parse_bool(name: &str, text: &str) -> Result<bool> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(Error::Xml(format!("<{name}> is not true or false: {text:?}"))),
    }
}

/// Builds the service error of a non-success answer from its status, headers and body
/// (an `<Error>` document, or nothing for HEAD). Never fails: an unreadable body leaves the
/// code as the status number.
///
/// ```
/// use tencent_cos::http::Headers;
/// let body = b"<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r1</RequestId></Error>";
/// let e = tencent_cos::unversioned::xml::parse_service_error(404, &Headers::new(), body);
/// assert_eq!((e.code.as_str(), e.message.as_str(), e.request_id.as_deref()), ("NoSuchKey", "gone", Some("r1")));
/// ```
pub fn parse_service_error(status: u16, headers: &Headers, body: &[u8]) -> ServiceError {
    let mut err = ServiceError { status, code: status.to_string(), ..Default::default() };
    if let Some(e) = error_element_fields(body) {
        if let Some(code) = e.code.filter(|c| !c.is_empty()) {
            err.code = code;
        }
        err.message = e.message.unwrap_or_default();
        err.request_id = e.request_id.filter(|s| !s.is_empty());
        err.resource = e.resource;
        err.trace_id = e.trace_id.filter(|s| !s.is_empty());
        err.string_to_sign = e.string_to_sign;
        err.format_string = e.format_string;
    }
    if err.request_id.is_none() {
        err.request_id = headers.get("x-cos-request-id").map(str::to_owned);
    }
    if err.trace_id.is_none() {
        err.trace_id = headers.get("x-cos-trace-id").map(str::to_owned);
    }
    err.headers = headers.clone();
    err
}

#[derive(Default)]
struct ErrorFields {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    resource: Option<String>,
    trace_id: Option<String>,
    string_to_sign: Option<String>,
    format_string: Option<String>,
}

fn error_element_fields(body: &[u8]) -> Option<ErrorFields> {
    let doc = parse_document(body).ok()?;
    let root = Element::root(&doc, "Error").ok()?;
    Some(ErrorFields {
        code: root.opt_text("Code"),
        message: root.opt_text("Message"),
        request_id: root.opt_text("RequestId"),
        resource: root.opt_text("Resource"),
        trace_id: root.opt_text("TraceId"),
        string_to_sign: root.opt_text("StringToSign"),
        format_string: root.opt_text("FormatString"),
    })
}

/// When a 2xx body is an `<Error>` document (copy, complete), the service error it carries.
///
/// ```
/// use tencent_cos::http::Headers;
/// assert!(tencent_cos::unversioned::xml::embedded_error(200, &Headers::new(), b"<Error><Code>InternalError</Code></Error>").is_some());
/// assert!(tencent_cos::unversioned::xml::embedded_error(200, &Headers::new(), b"<CopyObjectResult/>").is_none());
/// ```
pub fn embedded_error(status: u16, headers: &Headers, body: &[u8]) -> Option<ServiceError> {
    let doc = parse_document(body).ok()?;
    if doc.root_element().tag_name().name() != "Error" {
        return None;
    }
    Some(parse_service_error(status, headers, body))
}

#[cfg(test)]
mod recovery_tests {
    use super::*;

    #[test]
    fn raw_control_characters_in_values_come_out_exact() {
        let mut body = b"<InitiateMultipartUploadResult><Key>a\x07b\x01</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>".to_vec();
        assert!(parse_document(&body).is_err(), "strict XML refuses it");
        recover_control_chars(&mut body);
        let doc = parse_document(&body).unwrap();
        let root = Element::root(&doc, "InitiateMultipartUploadResult").unwrap();
        assert_eq!(root.req_text("Key").unwrap(), "a\u{7}b\u{1}");
        assert_eq!(root.req_text("UploadId").unwrap(), "u1");
    }

    #[test]
    fn clean_bodies_and_ambiguous_ones_are_left_alone() {
        let clean = b"<a><b>x\ty</b></a>".to_vec();
        let mut same = clean.clone();
        recover_control_chars(&mut same);
        assert_eq!(same, clean);
        // A genuine private-use character next to a raw control: no safe way back, so no recovery.
        let ambiguous = "<a><b>\u{E007}\u{7}</b></a>".as_bytes().to_vec();
        let mut same = ambiguous.clone();
        recover_control_chars(&mut same);
        assert_eq!(same, ambiguous);
        // A genuine private-use character in a clean document reads as itself.
        let doc = parse_document("<a><b>\u{E007}</b></a>".as_bytes()).unwrap();
        assert_eq!(Element::root(&doc, "a").unwrap().req_text("b").unwrap(), "\u{E007}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dtd_and_entities() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxx">]><a>&x;</a>"#;
        assert!(matches!(parse_document(bomb), Err(Error::Xml(_))));
        assert!(matches!(parse_document(b"<a>&undefined;</a>"), Err(Error::Xml(_))));
        assert!(matches!(parse_document(b"\xff\xfe<a/>"), Err(Error::Xml(_))));
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
        assert!(matches!(parse_document(deep.as_bytes()), Err(Error::Xml(m)) if m.contains("nested")));
        let ok = format!(
            "<r a='>' b=\"/>\"><!-- <x> --><![CDATA[<y>]]><e/>{}{}</r>",
            "<a>".repeat(MAX_DEPTH - 1),
            "</a>".repeat(MAX_DEPTH - 1)
        );
        assert!(parse_document(ok.as_bytes()).is_ok());
    }

    #[test]
    fn service_error_falls_back_to_headers() {
        let mut h = Headers::new();
        h.insert("x-cos-request-id", "hdr-id");
        let e = parse_service_error(404, &h, b"");
        assert_eq!(e.code, "404");
        assert_eq!(e.request_id.as_deref(), Some("hdr-id"));
    }
}
