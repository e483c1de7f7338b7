//! A small XML writer for request bodies: no declaration, no whitespace, the node SDK's escaping.

use crate::error::{Error, Result};

/// Writes compact XML. Text is escaped (`& < > " '`, and a carriage return as `&#13;`, which a
/// parser would otherwise read as a line feed); characters XML 1.0 cannot carry are refused with
/// [`Error::InvalidArgument`] naming the field, so a body is never corrupt.
///
/// ```
/// use tencent_cos::unversioned::xml::XmlWriter;
/// let mut w = XmlWriter::new();
/// w.open("Delete");
/// w.open("Object");
/// w.leaf("Key", "a&b<c>\"d'", "key").unwrap();
/// w.close("Object");
/// w.close("Delete");
/// assert_eq!(w.finish(), "<Delete><Object><Key>a&amp;b&lt;c&gt;&quot;d&apos;</Key></Object></Delete>");
/// assert!(XmlWriter::new().leaf("Key", "bell\u{7}", "key").is_err());
/// let mut w = XmlWriter::new();
/// w.leaf("Key", "a\rb\r\nc", "key").unwrap();
/// assert_eq!(w.finish(), "<Key>a&#13;b&#13;\nc</Key>");
/// ```
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: String,
}

impl XmlWriter {
    /// An empty document.
    pub fn new() -> Self {
        XmlWriter { buf: String::with_capacity(256) }
    }

    /// A writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        XmlWriter { buf: String::with_capacity(capacity) }
    }

    /// `<tag>`
    pub fn open(&mut self, tag: &str) {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.buf.push('>');
    }

    /// `</tag>`
    pub fn close(&mut self, tag: &str) {
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
    }

    /// `<tag>escaped text</tag>`; `field` names the input in the error for a character XML
    /// cannot carry.
    pub fn leaf(&mut self, tag: &str, text: &str, field: &'static str) -> Result<()> {
        self.open(tag);
        self.text(text, field)?;
        self.close(tag);
        Ok(())
    }

    /// Escaped text.
    pub fn text(&mut self, text: &str, field: &'static str) -> Result<()> {
        for c in text.chars() {
            match c {
                '&' => self.buf.push_str("&amp;"),
                '<' => self.buf.push_str("&lt;"),
                '>' => self.buf.push_str("&gt;"),
                '"' => self.buf.push_str("&quot;"),
                '\'' => self.buf.push_str("&apos;"),
                // XML end-of-line handling turns a raw CR (or CR LF) into LF: a key "a\rb" would
                // name the object "a\nb". A character reference survives it.
                '\r' => self.buf.push_str("&#13;"),
                c if is_xml_char(c) => self.buf.push(c),
                c => {
                    return Err(Error::invalid(
                        field,
                        format!("contains U+{:04X}, which XML 1.0 cannot carry", c as u32),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The document.
    pub fn finish(self) -> String {
        self.buf
    }
}

/// XML 1.0 `Char`: `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}
