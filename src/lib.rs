//! # tencent-cos
//!
//! A synchronous client for Tencent Cloud Object Storage (COS, XML API v5): every bucket,
//! object, ACL, CORS and multipart call of the official JavaScript SDK, its signing, temporary
//! credentials, and managed transfers -- for Rust programs with no async runtime.

#![warn(missing_docs)]

pub mod api;
pub mod auth;
pub mod checksum;
pub mod client;
pub mod config;
#[cfg(feature = "emulator")]
pub mod emulator;
mod error;
pub mod http;
pub mod operation;
mod percent;
pub mod presign;
mod retry;
pub mod transfer;
pub mod transport;
pub mod xml;

pub use auth::{
    AuthorizationParams, AuthorizationRequest, Credentials, KeyTime, SignedAuthorization, TemporaryCredentials,
    get_authorization,
};
pub use client::{Bucket, Client, ClientBuilder};
pub use config::{Config, Protocol};
pub use error::{Error, Result, ServiceError, TransportErrorKind};
pub use percent::{decode_component, encode_component, encode_key};
pub use retry::RetryPolicy;
