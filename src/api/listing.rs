//! What every listing shares (objects, multipart uploads, parts): one page-size rule, one
//! `encoding-type` rule, and one reader of the encoding COS reports, whichever spelling its
//! document uses.

use crate::error::{Error, Result};
use crate::percent::decode_component;
use crate::xml::Element;

/// Most entries COS returns in one listing page.
pub const MAX_LIST_PAGE: u32 = 1000;

/// The encoding COS reports; its documents spell the element three ways.
pub(crate) fn reported_encoding(root: Element<'_, '_>) -> Option<String> {
    ["Encoding-Type", "Encoding-type", "EncodingType"].iter().find_map(|name| root.opt_text(name))
}

/// Decodes listing text when the answer is URL-encoded (asked for, or reported by COS).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListingText {
    url_encoded: bool,
}

impl ListingText {
    pub(crate) fn new(requested: Option<&str>, reported: Option<&str>) -> Self {
        let is_url = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case("url"));
        ListingText { url_encoded: is_url(requested) || is_url(reported) }
    }

    pub(crate) fn decode(self, element: &str, text: String) -> Result<String> {
        if !self.url_encoded {
            return Ok(text);
        }
        decode_component(&text).ok_or_else(|| Error::Xml(format!("<{element}> is not valid URL encoding: {text:?}")))
    }

    pub(crate) fn decode_opt(self, element: &str, text: Option<String>) -> Result<Option<String>> {
        text.map(|t| self.decode(element, t)).transpose()
    }
}

/// Refuses an `encoding-type` other than `url`, the only one COS knows.
pub(crate) fn validate_encoding_type(value: Option<&str>) -> Result<()> {
    match value {
        Some(e) if e != "url" => Err(Error::invalid("encoding_type", format!("the only value is \"url\", not {e:?}"))),
        _ => Ok(()),
    }
}

/// Refuses a page size outside 1..=1000.
pub(crate) fn validate_page_size(field: &'static str, n: Option<impl Into<u64>>) -> Result<()> {
    match n.map(Into::into) {
        Some(n) if n == 0 || n > u64::from(MAX_LIST_PAGE) => {
            Err(Error::invalid(field, format!("must be 1 to {MAX_LIST_PAGE}, not {n}")))
        }
        _ => Ok(()),
    }
}
