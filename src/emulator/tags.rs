//! Object tags as COS checks them: from `x-cos-tagging` (PUT, POST ?uploads, a copy with
//! `x-cos-tagging-directive: Replaced`, an append) or a PUT ?tagging body.
//!
//! | limit (COS) | refused with |
//! |---|---|
//! | at most 10 tags per object | 400 InvalidTag |
//! | key 1..=128 characters, value at most 256 | 400 InvalidTag |
//! | a key given twice | 400 InvalidTag |
//! | an `x-cos-tagging` that is not URL-encoded `k=v&k2=v2` | 400 InvalidArgument |

use super::request::Incoming;
use super::response::CosError;

/// Most tags one object may hold.
pub(crate) const MAX_OBJECT_TAGS: usize = 10;
/// Longest tag key, in characters.
const MAX_KEY_CHARS: usize = 128;
/// Longest tag value, in characters.
const MAX_VALUE_CHARS: usize = 256;

fn invalid_tag(why: String) -> CosError {
    CosError::new(400, "InvalidTag", why)
}

/// Checks the tags of an object against COS's limits.
pub(crate) fn check_object_tags(tags: &[(String, String)]) -> Result<(), CosError> {
    if tags.len() > MAX_OBJECT_TAGS {
        return Err(invalid_tag(format!("An object can have at most {MAX_OBJECT_TAGS} tags, not {}.", tags.len())));
    }
    for (i, (key, value)) in tags.iter().enumerate() {
        let chars = key.chars().count();
        if chars == 0 || chars > MAX_KEY_CHARS {
            return Err(invalid_tag(format!("A tag key must have 1 to {MAX_KEY_CHARS} characters, not {chars}.")));
        }
        let chars = value.chars().count();
        if chars > MAX_VALUE_CHARS {
            return Err(invalid_tag(format!(
                "A tag value must have at most {MAX_VALUE_CHARS} characters, not {chars}."
            )));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            return Err(invalid_tag(format!("The tag key {key:?} is repeated.")));
        }
    }
    Ok(())
}

/// The tags of `x-cos-tagging` (none without it), checked.
pub(crate) fn from_header(req: &Incoming) -> Result<Vec<(String, String)>, CosError> {
    let Some(value) = req.header("x-cos-tagging") else { return Ok(Vec::new()) };
    let bad = || CosError::invalid_argument(format!("Invalid x-cos-tagging {value:?}."));
    let mut tags = Vec::new();
    for pair in value.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = crate::decode_component(k).ok_or_else(bad)?;
        let value = crate::decode_component(v).ok_or_else(bad)?;
        tags.push((key, value));
    }
    check_object_tags(&tags)?;
    Ok(tags)
}
