//! XML: reading COS responses with roxmltree, writing request bodies with an escaping writer.

mod reader;
mod writer;

pub(crate) use reader::recover_control_chars;
pub use reader::{
    Element, MAX_XML_BODY, embedded_error, parse_bool, parse_document, parse_number, parse_service_error,
};
pub use writer::XmlWriter;
