//! PUT / GET / DELETE ?tagging on a bucket. With a data directory the tags
//! survive a restart.

use crate::xml::{Element, parse_document};

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::super::xml_out::Xml;
use super::bucket_documents::commit;
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket, xml_body};

/// Most tags one bucket may hold (the COS limit).
const MAX_TAGS: usize = 50;

/// MalformedXML with `why`.
fn malformed(why: String) -> CosError {
    CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"))
}

/// The `(Key, Value)` of each `<Tag>` of a `<Tagging>` body, in order, unchecked (bucket or
/// object: each call checks its own limits).
pub(super) fn tag_set(body: &[u8]) -> Result<Vec<(String, String)>, CosError> {
    let doc = parse_document(body).map_err(|e| malformed(e.to_string()))?;
    let root = Element::root(&doc, "Tagging").map_err(|e| malformed(e.to_string()))?;
    let sets: Vec<Element<'_, '_>> = root.children("TagSet").collect();
    Ok(sets
        .iter()
        .flat_map(|set| set.children("Tag").collect::<Vec<_>>())
        .map(|tag| (tag.opt_text("Key").unwrap_or_default(), tag.opt_text("Value").unwrap_or_default()))
        .collect())
}

fn parse_tagging(body: &[u8]) -> Result<Vec<(String, String)>, CosError> {
    let tags = tag_set(body)?;
    for (i, (key, _)) in tags.iter().enumerate() {
        if key.is_empty() {
            return Err(CosError::invalid_argument("A tag key must not be empty."));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            return Err(CosError::invalid_argument(format!("The tag key {key:?} is repeated.")));
        }
    }
    if tags.is_empty() || tags.len() > MAX_TAGS {
        return Err(malformed(format!("between 1 and {MAX_TAGS} <Tag> elements are needed")));
    }
    Ok(tags)
}

/// The `<Tagging>` answer of a GET ?tagging (bucket or object).
pub(super) fn tagging_answer(tags: &[(String, String)]) -> Outgoing {
    let mut x = Xml::new();
    x.open("Tagging");
    x.open("TagSet");
    for (key, value) in tags {
        x.open("Tag");
        x.leaf("Key", key);
        x.leaf("Value", value);
        x.close("Tag");
    }
    x.close("TagSet");
    x.close("Tagging");
    Outgoing::xml(x.finish())
}

/// PUT Bucket tagging (owner only): replaces the tags.
pub(crate) fn put_bucket_tagging(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let tags = parse_tagging(&xml_body(ctx)?)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.tags = Some(tags))?;
    Ok(Outgoing::empty(200))
}

/// GET Bucket tagging: 404 NoSuchTagSet when none is set.
pub(crate) fn get_bucket_tagging(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let tags =
        b.configs.tags.as_ref().ok_or_else(|| CosError::new(404, "NoSuchTagSet", "The TagSet does not exist."))?;
    Ok(tagging_answer(tags))
}

/// DELETE Bucket tagging: 204 whether or not tags were set.
pub(crate) fn delete_bucket_tagging(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    commit(ctx, b, |c| c.tags = None)?;
    Ok(Outgoing::empty(204))
}
