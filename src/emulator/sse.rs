//! Server-side encryption as COS's wire shows it. The emulator stores bytes in the clear; what it
//! keeps is the encryption an object was written with, so that it answers the same headers COS
//! answers and refuses an SSE-C read without the customer key.
//!
//! | Written with | Kept and answered (PUT, Initiate, parts, Complete, copy, GET, HEAD) |
//! |---|---|
//! | `x-cos-server-side-encryption: AES256` | `x-cos-server-side-encryption: AES256` |
//! | `x-cos-server-side-encryption: cos/kms` (+ `-cos-kms-key-id`) | the same two headers |
//! | `-customer-algorithm: AES256`, `-customer-key`, `-customer-key-MD5` | `-customer-algorithm` and `-customer-key-MD5`, never the key |
//!
//! A GET, HEAD, part upload or copy from an SSE-C object without the customer key, or with
//! another, is 400 `InvalidRequest`.

use base64::Engine;
use md5::{Digest, Md5};

use super::request::Incoming;
use super::response::{CosError, Outgoing};

pub(crate) const SSE: &str = "x-cos-server-side-encryption";
pub(crate) const KMS_KEY_ID: &str = "x-cos-server-side-encryption-cos-kms-key-id";
pub(crate) const CUSTOMER_ALGORITHM: &str = "x-cos-server-side-encryption-customer-algorithm";
pub(crate) const CUSTOMER_KEY: &str = "x-cos-server-side-encryption-customer-key";
pub(crate) const CUSTOMER_KEY_MD5: &str = "x-cos-server-side-encryption-customer-key-MD5";

/// How an object is encrypted at rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Sse {
    /// SSE-COS (`AES256`).
    Cos,
    /// SSE-KMS, with the key id the request named (COS's default key when `None`).
    Kms { key_id: Option<String> },
    /// SSE-C: the algorithm and the base64 MD5 of the customer's key (the key itself is never kept).
    Customer { algorithm: String, key_md5: String },
}

impl Sse {
    /// The headers COS answers for an object written this way.
    pub(crate) fn answer(&self, out: &mut Outgoing) {
        match self {
            Sse::Cos => out.headers.append(SSE, "AES256"),
            Sse::Kms { key_id } => {
                out.headers.append(SSE, "cos/kms");
                if let Some(id) = key_id {
                    out.headers.append(KMS_KEY_ID, id.clone());
                }
            }
            Sse::Customer { algorithm, key_md5 } => {
                out.headers.append(CUSTOMER_ALGORITHM, algorithm.clone());
                out.headers.append(CUSTOMER_KEY_MD5, key_md5.clone());
            }
        }
    }

    /// One line for the data directory.
    pub(crate) fn to_record(&self) -> String {
        match self {
            Sse::Cos => "cos".to_owned(),
            Sse::Kms { key_id: None } => "kms".to_owned(),
            Sse::Kms { key_id: Some(id) } => format!("kms {}", crate::encode_component(id)),
            Sse::Customer { algorithm, key_md5 } => {
                format!("customer {} {}", crate::encode_component(algorithm), crate::encode_component(key_md5))
            }
        }
    }

    /// The inverse of [`Sse::to_record`].
    pub(crate) fn from_record(s: &str) -> Option<Sse> {
        let mut words = s.split(' ');
        let sse = match words.next()? {
            "cos" => Sse::Cos,
            "kms" => Sse::Kms {
                key_id: match words.next() {
                    // A key id that does not decode is a broken record, not an empty id.
                    Some(id) => Some(crate::decode_component(id)?),
                    None => None,
                },
            },
            "customer" => Sse::Customer {
                algorithm: crate::decode_component(words.next()?)?,
                key_md5: crate::decode_component(words.next()?)?,
            },
            _ => return None,
        };
        Some(sse)
    }
}

/// The base64 MD5 of the customer key a request carries (headers named `{prefix}x-cos-...`),
/// checked: `None` when it carries none.
fn customer_key_md5(req: &Incoming, prefix: &str) -> Result<Option<(String, String)>, CosError> {
    let header = |name: &str| req.header(&format!("{prefix}{name}"));
    let (algorithm, key, claimed) = (header(CUSTOMER_ALGORITHM), header(CUSTOMER_KEY), header(CUSTOMER_KEY_MD5));
    if algorithm.is_none() && key.is_none() && claimed.is_none() {
        return Ok(None);
    }
    let algorithm = algorithm.ok_or_else(|| {
        CosError::invalid_argument(format!("{prefix}{CUSTOMER_ALGORITHM} is required with a customer key."))
    })?;
    if algorithm != "AES256" {
        return Err(CosError::invalid_argument(format!(
            "{prefix}{CUSTOMER_ALGORITHM} must be AES256, not {algorithm:?}."
        )));
    }
    let key = key.ok_or_else(|| {
        CosError::invalid_argument(format!("{prefix}{CUSTOMER_KEY} is required with {CUSTOMER_ALGORITHM}."))
    })?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| CosError::invalid_argument(format!("{prefix}{CUSTOMER_KEY} must be 32 bytes in base64.")))?;
    let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&raw));
    if let Some(claimed) = claimed
        && claimed.trim() != md5
    {
        return Err(CosError::invalid_argument(format!(
            "The calculated MD5 hash of the key did not match the hash that was provided in {prefix}{CUSTOMER_KEY_MD5}."
        )));
    }
    Ok(Some((algorithm.to_owned(), md5)))
}

/// The encryption a write asks for (PUT, Initiate, the destination of a copy).
pub(crate) fn from_request(req: &Incoming) -> Result<Option<Sse>, CosError> {
    let customer = customer_key_md5(req, "")?;
    let managed = req.header(SSE);
    match (managed, customer) {
        (Some(_), Some(_)) => {
            Err(CosError::invalid_argument(format!("{SSE} and {CUSTOMER_ALGORITHM} cannot be used together.")))
        }
        (None, Some((algorithm, key_md5))) => Ok(Some(Sse::Customer { algorithm, key_md5 })),
        (Some("AES256"), None) => Ok(Some(Sse::Cos)),
        (Some("cos/kms"), None) => Ok(Some(Sse::Kms { key_id: req.header(KMS_KEY_ID).map(str::to_owned) })),
        (Some(other), None) => {
            Err(CosError::invalid_argument(format!("{SSE} must be AES256 or cos/kms, not {other:?}.")))
        }
        (None, None) => Ok(None),
    }
}

/// Refuses to read (or add a part to) an SSE-C object without its customer key (`prefix`:
/// `x-cos-copy-source-` for a copy's source). 400 `InvalidRequest`, as S3 answers a read of an
/// SSE-C object without the key (COS documents no code of its own).
pub(crate) fn check_key(req: &Incoming, prefix: &str, stored: Option<&Sse>) -> Result<(), CosError> {
    let Some(Sse::Customer { key_md5, .. }) = stored else {
        return Ok(());
    };
    match customer_key_md5(req, prefix)? {
        Some((_, md5)) if md5 == *key_md5 => Ok(()),
        Some(_) => Err(CosError::invalid_request(
            "The provided customer key does not match the one the object was encrypted with.",
        )),
        None => Err(CosError::invalid_request(
            "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        for sse in [
            Sse::Cos,
            Sse::Kms { key_id: None },
            Sse::Kms { key_id: Some("key id/1".into()) },
            Sse::Customer { algorithm: "AES256".into(), key_md5: "OR41CyxhkKZxmdKO3dfQrg==".into() },
        ] {
            assert_eq!(Sse::from_record(&sse.to_record()), Some(sse));
        }
        assert_eq!(Sse::from_record("other"), None);
        assert_eq!(Sse::from_record("kms %zz"), None, "a broken key id is an error, not an empty id");
    }
}
