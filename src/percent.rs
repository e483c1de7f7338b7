//! Percent-encoding as COS and its official SDKs do it.
//!
//! One rule serves signing, query strings and object paths: every byte of the UTF-8 text is
//! encoded except the RFC 3986 unreserved set `A-Z a-z 0-9 - _ . ~`, with upper-case hex.
//! Object paths keep `/` as a separator.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// True for the bytes COS leaves as they are: `A-Z a-z 0-9 - _ . ~`.
#[inline]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `input` percent-encoded (upper-case hex) to `out`; `keep_slash` leaves `/` as is.
#[inline]
pub(crate) fn encode_into(out: &mut String, input: &str, keep_slash: bool) {
    encode_keeping(out, input, |b| is_unreserved(b) || (keep_slash && b == b'/'))
}

/// Appends `input` to `out` with every byte `keep` refuses percent-encoded (upper-case hex).
#[inline]
fn encode_keeping(out: &mut String, input: &str, keep: impl Fn(u8) -> bool) {
    let bytes = input.as_bytes();
    // Fast path: copy runs of kept bytes in one go.
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if keep(b) {
            continue;
        }
        // A run that starts after an encoded byte begins with ASCII, so `start` is a char boundary.
        if start < i {
            out.push_str(&input[start..i]);
        }
        out.push('%');
        out.push(HEX_UPPER[(b >> 4) as usize] as char);
        out.push(HEX_UPPER[(b & 0xf) as usize] as char);
        start = i + 1;
    }
    if start < bytes.len() {
        out.push_str(&input[start..]);
    }
}

/// JavaScript's `encodeURIComponent` with `/` kept, as the node SDK's `getV4Auth` encodes a key:
/// it also leaves `! * ' ( )` as they are (the XML API's rule encodes them).
pub(crate) fn encode_uri_component_keep_slash(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    encode_keeping(&mut out, input, |b| is_unreserved(b) || matches!(b, b'/' | b'!' | b'*' | b'\'' | b'(' | b')'));
    out
}

/// Encodes a query name or value, or a signed header name or value, the way the official SDKs do
/// (`camSafeUrlEncode`): space becomes `%20`, `+` `%2B`, `/` `%2F`, `*` `%2A`, `~` stays.
///
/// ```
/// assert_eq!(tencent_cos::encode_component("a b+c/~*"), "a%20b%2Bc%2F~%2A");
/// ```
pub fn encode_component(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    encode_into(&mut out, input, false);
    out
}

/// Encodes an object key for the URL path: like [`encode_component`] but `/` is kept.
///
/// ```
/// assert_eq!(
///     tencent_cos::encode_key("folder/photo 1+2 (final)~*.jpg"),
///     "folder/photo%201%2B2%20%28final%29~%2A.jpg"
/// );
/// ```
pub fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    encode_into(&mut out, key, true);
    out
}

/// Decodes `%XX` sequences (as COS returns keys with `encoding-type=url`). `+` is left alone,
/// since COS encodes spaces as `%20`. Returns `None` when the result is not UTF-8 or a `%` is not
/// followed by two hex digits.
///
/// ```
/// assert_eq!(tencent_cos::decode_component("a%20b%2Fc").as_deref(), Some("a b/c"));
/// assert_eq!(tencent_cos::decode_component("bad%zz"), None);
/// ```
pub fn decode_component(input: &str) -> Option<String> {
    if !input.contains('%') {
        return Some(input.to_owned());
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = (*bytes.get(i + 1)? as char).to_digit(16)?;
            let lo = (*bytes.get(i + 2)? as char).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_cam_safe_url_encode() {
        assert_eq!(encode_component("!'()*"), "%21%27%28%29%2A");
        assert_eq!(encode_component("é"), "%C3%A9");
        assert_eq!(encode_component("-_.~azAZ09"), "-_.~azAZ09");
        assert_eq!(encode_key("/a b/"), "/a%20b/");
    }

    #[test]
    fn decode_round_trips_every_byte_class() {
        let s = "a b+c/~*é😀%";
        assert_eq!(decode_component(&encode_component(s)).unwrap(), s);
        assert_eq!(decode_component("%"), None);
        assert_eq!(decode_component("%ff"), None);
    }
}
