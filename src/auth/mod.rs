//! Credentials and the pure request signer.

mod credentials;
mod sign;
mod v4;

pub(crate) use credentials::{AuthorizationCallback, CredentialSource, TemporaryFetch, TemporaryProvider};
pub use credentials::{AuthorizationRequest, CredentialScope, Credentials, SignedAuthorization, TemporaryCredentials};
pub use sign::{
    AuthorizationParams, KeyTime, SIGNED_HEADER_ALLOW_LIST, get_authorization, http_string, is_signed_header,
    sign_all_headers, sign_key, sign_parts, signing_path,
};
pub(crate) use sign::{hmac_sha1, hmac_sha1_hex, unix_now};
pub use v4::{V4AuthParams, get_v4_authorization};
