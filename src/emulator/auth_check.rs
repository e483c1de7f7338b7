//! Checks a request's signature as COS does: parse the `Authorization` (the header, or the
//! `q-*` parameters of a presigned URL, or `sign=`), find the key, check the key time and the
//! token, and recompute the signature with the crate's own signer over exactly the headers named
//! in `q-header-list` and the parameters named in `q-url-param-list`.

use sha1::{Digest, Sha1};

use crate::auth::{http_string, sign_parts};
use crate::checksum::hex;
use crate::{decode_component, encode_component};

use super::access::Principal;
use super::dates::iso8601;
use super::request::Incoming;
use super::response::CosError;
use super::{Inner, KeyInfo};

/// The fields of an `Authorization`.
#[derive(Debug, PartialEq, Eq)]
struct Authorization {
    secret_id: String,
    start: u64,
    end: u64,
    /// The readings of `q-header-list` (see [`list_readings`]).
    header_lists: Vec<Vec<String>>,
    /// The readings of `q-url-param-list`.
    param_lists: Vec<Vec<String>>,
    signature: String,
}

/// Who signed `req`, or why it is refused. `sign_paths` are the decoded paths the signature may
/// cover, in order of preference (a path-style request may be signed with or without its bucket
/// segment).
pub(crate) fn authenticate(
    inner: &Inner,
    req: &Incoming,
    sign_paths: &[&str],
    now: u64,
) -> Result<Principal, CosError> {
    let Some(auth) = find_authorization(req)? else {
        return Ok(Principal::Anonymous);
    };
    let key = inner.lookup_key(&auth.secret_id).ok_or_else(|| {
        CosError::new(403, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")
    })?;

    if now > auth.end {
        return Err(CosError::new(403, "AccessDenied", "Request has expired").with_extra("ServerTime", iso8601(now)));
    }
    if now < auth.start {
        return Err(CosError::new(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
        )
        .with_extra("ServerTime", iso8601(now)));
    }

    check_token(req, &key, now)?;

    // Every reading of the name lists gives the headers and parameters it signs.
    let mut header_sets: Vec<Vec<(&str, &str)>> = Vec::new();
    for list in &auth.header_lists {
        let headers: Vec<(&str, &str)> =
            req.headers.iter().filter(|(name, _)| list.contains(&lower_encoded(name))).collect();
        // The node SDK sends empty-valued headers but leaves them out of the signature, even when
        // another header of the same name is signed; other signers include them. Try both.
        let non_empty: Vec<(&str, &str)> = headers.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
        let differs = non_empty.len() != headers.len();
        header_sets.push(headers);
        if differs {
            header_sets.push(non_empty);
        }
    }
    let param_sets: Vec<Vec<(&str, &str)>> = auth
        .param_lists
        .iter()
        .map(|list| {
            req.query
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .filter(|(name, _)| list.contains(&lower_encoded(name)))
                .collect()
        })
        .collect();
    let method = req.method.as_str();
    for path in sign_paths {
        for params in &param_sets {
            for signed in &header_sets {
                let expected = sign_parts(
                    &auth.secret_id,
                    &key.secret_key,
                    method,
                    path,
                    params.iter().copied(),
                    signed.iter().copied(),
                    auth.start,
                    auth.end,
                );
                let computed = expected.rsplit_once("&q-signature=").map(|(_, s)| s).unwrap_or("");
                if !computed.is_empty() && constant_time_eq_ignore_case(computed, &auth.signature) {
                    return Ok(key.principal);
                }
            }
        }
    }

    let (headers, params) = (&header_sets[0], &param_sets[0]);
    let path = sign_paths.first().copied().unwrap_or("/");
    let format_string = http_string(method, path, params.iter().copied(), headers.iter().copied());
    let string_to_sign =
        format!("sha1\n{};{}\n{}\n", auth.start, auth.end, hex(Sha1::digest(format_string.as_bytes()).as_slice()));
    Err(CosError::new(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    )
    .with_extra("StringToSign", string_to_sign)
    .with_extra("FormatString", format_string))
}

/// A temporary key's request must carry its token, unexpired, wherever the signature is.
pub(crate) fn check_token(req: &Incoming, key: &KeyInfo, now: u64) -> Result<(), CosError> {
    if let Some(token) = &key.token {
        let sent = req.header("x-cos-security-token").or_else(|| req.query("x-cos-security-token"));
        match sent {
            None => {
                return Err(CosError::new(403, "AccessDenied", "A temporary key needs its x-cos-security-token."));
            }
            Some(t) if !constant_time_eq(t.as_bytes(), token.value.as_bytes()) => {
                return Err(CosError::new(403, "InvalidToken", "The security token you provided is invalid."));
            }
            Some(_) if now > token.expires_at => {
                return Err(CosError::new(403, "ExpiredToken", "The security token you provided has expired."));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Compares two secrets (signatures, tokens) ASCII-case-insensitively in a time that depends only
/// on their lengths, so the time of a refusal tells nothing about how much of a guess was right.
pub(crate) fn constant_time_eq_ignore_case(a: &str, b: &str) -> bool {
    let lower = |s: &str| s.bytes().map(|c| c.to_ascii_lowercase()).collect::<Vec<u8>>();
    constant_time_eq(&lower(a), &lower(b))
}

/// Compares two secrets byte for byte in a time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Through black_box so the optimiser cannot turn the fold back into an early exit.
    std::hint::black_box(diff) == 0
}

/// A name as it appears in `q-header-list` / `q-url-param-list`: encoded, then lower-cased.
fn lower_encoded(name: &str) -> String {
    let mut s = encode_component(name);
    s.make_ascii_lowercase();
    s
}

/// The Authorization of `req`, wherever it is; `None` for an anonymous request.
fn find_authorization(req: &Incoming) -> Result<Option<Authorization>, CosError> {
    if let Some(header) = req.header("authorization") {
        return parse_pairs(split_pairs(header)).map(Some);
    }
    if req.query.iter().any(|(n, _)| n == "q-sign-algorithm" || n == "q-ak" || n == "q-signature") {
        // From the query as sent: a list's separators and the escapes inside its names must be
        // told apart before anything is decoded.
        let pairs = split_pairs(&req.raw_query)
            .into_iter()
            .map(|(n, v)| (decode_component(&n).unwrap_or(n), v))
            .filter(|(n, _)| n.starts_with("q-"))
            .collect();
        return parse_pairs(pairs).map(Some);
    }
    // A `sign` that is not an XML-API Authorization was taken as a v4 signature before this
    // (`v4_check::v4_sign_of`); what reaches here parses as one or is refused.
    if let Some(sign) = req.query("sign").filter(|s| !s.is_empty()) {
        return parse_pairs(split_pairs(sign)).map(Some);
    }
    Ok(None)
}

/// `a=1&b=2` into pairs, values as they are (see [`parse_pairs`] for decoding).
fn split_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (n.trim().to_owned(), v.to_owned())
        })
        .collect()
}

/// A scalar field's value, decoded when it carries `%XX` (`q-key-time=1%3B2` in a URL).
fn decoded(value: &str) -> String {
    if value.contains('%') { decode_component(value).unwrap_or_else(|| value.to_owned()) } else { value.to_owned() }
}

/// The readings of a name list (`q-header-list`, `q-url-param-list`): the encoded, lower-cased
/// names joined by `;`. Split first, so that a name holding an escaped `;` (`%3b`) stays one
/// name; and, when the whole list was escaped once more (a presigned URL may send `a%3bb` for
/// the list `a;b`), split after decoding it once. The signature decides which reading is right.
fn list_readings(raw: &str) -> Vec<Vec<String>> {
    let split = |s: &str| -> Vec<String> {
        s.split(';').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect()
    };
    let mut readings = vec![split(raw)];
    if raw.contains('%')
        && let Some(once) = decode_component(raw)
    {
        let second = split(&once);
        if second != readings[0] {
            readings.push(second);
        }
    }
    readings
}

fn garbled(why: &str) -> CosError {
    CosError::new(403, "AccessDenied", format!("Authorization is malformed: {why}."))
}

fn parse_pairs(pairs: Vec<(String, String)>) -> Result<Authorization, CosError> {
    let raw = |name: &str| pairs.iter().rfind(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let scalars: Vec<(String, String)> = pairs.iter().map(|(n, v)| (n.clone(), decoded(v))).collect();
    let get = |name: &str| scalars.iter().rfind(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let algorithm = get("q-sign-algorithm").ok_or_else(|| garbled("no q-sign-algorithm"))?;
    if !algorithm.eq_ignore_ascii_case("sha1") {
        return Err(garbled("q-sign-algorithm must be sha1"));
    }
    let secret_id = get("q-ak").filter(|s| !s.is_empty()).ok_or_else(|| garbled("no q-ak"))?;
    let key_time = get("q-key-time").or_else(|| get("q-sign-time")).ok_or_else(|| garbled("no q-key-time"))?;
    let (start, end) = key_time
        .split_once(';')
        .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
        .filter(|(a, b)| a <= b)
        .ok_or_else(|| garbled("q-key-time is not start;end"))?;
    let signature = get("q-signature").filter(|s| !s.is_empty()).ok_or_else(|| garbled("no q-signature"))?;
    Ok(Authorization {
        secret_id: secret_id.to_owned(),
        start,
        end,
        header_lists: list_readings(raw("q-header-list").unwrap_or("")),
        param_lists: list_readings(raw("q-url-param-list").unwrap_or("")),
        signature: signature.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_secrets_whole() {
        assert!(constant_time_eq_ignore_case("ABCdef0123", "abcDEF0123"));
        assert!(!constant_time_eq_ignore_case("abcdef0123", "abcdef0124"));
        assert!(!constant_time_eq_ignore_case("abc", "abcd"));
        assert!(constant_time_eq(b"Token", b"Token"));
        assert!(!constant_time_eq(b"Token", b"token"));
        assert!(!constant_time_eq(b"", b"x"));
    }

    #[test]
    fn parses_header_form() {
        let a = parse_pairs(split_pairs("q-sign-algorithm=sha1&q-ak=AK&q-sign-time=1;2&q-key-time=1;2&q-header-list=host;range&q-url-param-list=prefix%3Bmax-keys&q-signature=ab")).unwrap();
        assert_eq!(a.secret_id, "AK");
        assert_eq!((a.start, a.end), (1, 2));
        assert_eq!(a.header_lists, vec![vec!["host", "range"]]);
        assert_eq!(a.param_lists, vec![vec!["prefix%3bmax-keys"], vec!["prefix", "max-keys"]]);
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            "",
            "garbage",
            "q-sign-algorithm=md5&q-ak=a&q-key-time=1;2&q-signature=x",
            "q-sign-algorithm=sha1&q-key-time=1;2&q-signature=x",
            "q-sign-algorithm=sha1&q-ak=a&q-key-time=2;1&q-signature=x",
            "q-sign-algorithm=sha1&q-ak=a&q-key-time=x;y&q-signature=x",
            "q-sign-algorithm=sha1&q-ak=a&q-key-time=1;2",
            "===&&&=",
        ] {
            let e = parse_pairs(split_pairs(bad)).unwrap_err();
            assert_eq!((e.status, e.code), (403, "AccessDenied"), "{bad}");
        }
    }
}
