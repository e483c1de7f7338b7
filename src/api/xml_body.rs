//! Reading a response for the parsers of this directory: the status and headers every typed
//! output keeps, and an XML body whose root is checked (a 2xx `<Error>` becomes the service
//! error it carries).

use roxmltree::Document;

use crate::error::{Error, Result};
use crate::http::{Response, ResponseMeta};
use crate::xml::{self, Element};

/// The status and every header of `response`.
pub(crate) fn meta_of(response: &Response) -> ResponseMeta {
    ResponseMeta { status: response.status, headers: response.headers.clone() }
}

/// A response read into memory: its meta and the raw XML bytes.
pub(crate) struct XmlBody {
    pub(crate) meta: ResponseMeta,
    pub(crate) bytes: Vec<u8>,
}

impl XmlBody {
    /// Reads the body of `response` (at most [`xml::MAX_XML_BODY`] bytes). Leading whitespace
    /// is dropped: COS keeps a slow Complete or Copy alive by sending spaces before the
    /// document, and an XML declaration must come first.
    pub(crate) fn read(mut response: Response) -> Result<XmlBody> {
        let mut bytes = response.read_body(xml::MAX_XML_BODY)?;
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
        bytes.drain(..start);
        xml::recover_control_chars(&mut bytes);
        Ok(XmlBody { meta: meta_of(&response), bytes })
    }

    /// Parses the bytes as an XML document.
    pub(crate) fn document(&self) -> Result<Document<'_>> {
        xml::parse_document(&self.bytes)
    }

    /// The root of `doc` (parsed from these bytes), which must be `name`. An `<Error>` root is
    /// the service error it describes, whatever the status.
    pub(crate) fn root<'a, 'i>(&self, doc: &'a Document<'i>, name: &str) -> Result<Element<'a, 'i>> {
        if doc.root_element().tag_name().name() == "Error" && name != "Error" {
            let err = xml::parse_service_error(self.meta.status, &self.meta.headers, &self.bytes);
            return Err(Error::from(err));
        }
        Element::root(doc, name)
    }
}
