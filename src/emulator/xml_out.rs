//! Response bodies: compact XML after COS's declaration line.

use std::fmt::Display;

/// The declaration COS puts before every XML answer.
const DECLARATION: &str = "<?xml version='1.0' encoding='utf-8' ?>\n";

/// Writes one XML answer. Text is escaped (`& < > " '`); like COS, characters XML 1.0 cannot
/// carry are written as they are (ask for `encoding-type=url` to list such keys safely).
pub(crate) struct Xml {
    buf: String,
}

impl Xml {
    /// A document with the declaration.
    pub(crate) fn new() -> Self {
        let mut buf = String::with_capacity(512);
        buf.push_str(DECLARATION);
        Xml { buf }
    }

    /// `<tag>`
    pub(crate) fn open(&mut self, tag: &str) {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.buf.push('>');
    }

    /// `<tag attrs>` with attributes written as given (constant text only).
    pub(crate) fn open_with(&mut self, tag: &str, attributes: &str) {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.buf.push(' ');
        self.buf.push_str(attributes);
        self.buf.push('>');
    }

    /// `</tag>`
    pub(crate) fn close(&mut self, tag: &str) {
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
    }

    /// `<tag>text</tag>`, escaped.
    pub(crate) fn leaf(&mut self, tag: &str, text: &str) {
        self.open(tag);
        escape_into(&mut self.buf, text);
        self.close(tag);
    }

    /// `<tag>value</tag>` for numbers and booleans.
    pub(crate) fn leaf_display(&mut self, tag: &str, value: impl Display) {
        self.leaf(tag, &value.to_string());
    }

    /// `<tag><ID>qcs::cam::uin/U:uin/U</ID><DisplayName>U</DisplayName></tag>`: an owner or
    /// initiator.
    pub(crate) fn account(&mut self, tag: &str, uin: &str) {
        self.open(tag);
        self.leaf("ID", &super::access::owner_id(uin));
        self.leaf("DisplayName", uin);
        self.close(tag);
    }

    /// A bare text root such as `<LocationConstraint>ap-guangzhou</LocationConstraint>`.
    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf.into_bytes()
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        let mut x = Xml::new();
        x.open("A");
        x.leaf("ETag", "\"abc\"");
        x.leaf_display("N", 3);
        x.close("A");
        let s = String::from_utf8(x.finish()).unwrap();
        assert_eq!(s, "<?xml version='1.0' encoding='utf-8' ?>\n<A><ETag>&quot;abc&quot;</ETag><N>3</N></A>");
    }
}
