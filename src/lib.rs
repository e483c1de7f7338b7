//! # tencent-cos
//!
//! A synchronous client for Tencent Cloud Object Storage (COS, XML API v5): every bucket,
//! object, ACL, CORS and multipart call of the official JavaScript SDK, its signing, temporary
//! credentials, and managed transfers -- for Rust programs with no async runtime.
//!
//! # A client and a bucket
//!
//! ```
//! # #[cfg(feature = "emulator")] {
//! use tencent_cos::{Client, Credentials};
//! # use tencent_cos::emulator::{DEFAULT_SECRET_ID as ID, DEFAULT_SECRET_KEY as KEY, Emulator};
//! # let emulator = Emulator::new();
//! let client = Client::builder()
//!     .credentials(Credentials::new(ID, KEY))   // or .temporary_credentials(..), .authorization_callback(..)
//!     .region("ap-guangzhou")
//! #   .transport(emulator.clone())
//!     .build()?;
//! let bucket = client.bucket("examplebucket-1250000000");   // or client.bucket_in(name, region)
//! bucket.put_bucket().send()?;
//! # }
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! # Calls
//!
//! Every call of the JS SDK is a builder on [`Client`] or [`Bucket`] ending in `.send()`, named as
//! in the JS SDK in snake_case ([`api`] has one module per family). Outputs are typed and keep
//! the status and every header (`meta`).
//!
//! ```
//! # #[cfg(feature = "emulator")] {
//! # use tencent_cos::emulator::{DEFAULT_SECRET_ID as ID, DEFAULT_SECRET_KEY as KEY, Emulator};
//! # let client = tencent_cos::Client::builder().secret(ID, KEY).region("ap-guangzhou").transport(Emulator::new()).build()?;
//! # let bucket = client.bucket("examplebucket-1250000000");
//! # bucket.put_bucket().send()?;
//! bucket.put_object("notes/a.txt").body("hello world").content_type("text/plain").send()?;
//! let listing = bucket.get_bucket().prefix("notes/").send()?;
//! assert_eq!(listing.contents[0].key, "notes/a.txt");
//! let hello = bucket.get_object("notes/a.txt").range(0..=4).send()?.bytes()?;
//! assert_eq!(hello, b"hello");
//! match bucket.head_object("missing").send() {
//!     Err(e) if e.is_not_found() => {}
//!     other => panic!("{other:?}"),
//! }
//! # }
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! # Transfers
//!
//! [`Bucket::slice_upload_file`], [`Bucket::upload_file`], [`Bucket::upload_files`],
//! [`Bucket::slice_copy_file`] and [`Bucket::download_file`] run on the client's fixed worker pool
//! ([`transfer`]), with progress, and a [`transfer::TaskHandle`] to pause, restart, cancel or
//! wait; `.send()` blocks instead.
//!
//! # Signing without sending
//!
//! [`get_authorization`] is the JS SDK's static `COS.getAuthorization`; [`Client::get_auth`] and
//! [`Bucket::get_object_url`] sign with the client's credentials.
//!
//! # Testing with the emulator
//!
//! [`emulator::Emulator`] (feature `emulator`, on by default) is an in-memory COS that checks
//! signatures: a [`transport::Transport`] for your tests, or an HTTP server on loopback.

#![warn(missing_docs)]

pub mod api;
mod auth;
mod cancel;
pub mod checksum;
mod client;
mod config;
#[cfg(feature = "emulator")]
pub mod emulator;
mod error;
pub mod http;
mod json;
mod mime;
pub mod operation;
mod percent;
mod presign;
mod retry;
pub mod transfer;
pub mod transport;
pub mod unversioned;
mod xml;

pub use auth::{
    AuthorizationParams, AuthorizationRequest, CredentialScope, Credentials, KeyTime, SignedAuthorization,
    TemporaryCredentials, get_authorization,
};
pub use cancel::CancelToken;
pub use client::{BodySent, Bucket, CallOptions, Client, ClientBuilder, MAX_CLOCK_SKEW_CORRECTION, Scope};
pub use config::{
    Config, DEFAULT_DOMAIN, DEFAULT_READ_TIMEOUT, DEFAULT_SERVICE_DOMAIN, MinThroughput, Protocol, validate_bucket,
};
pub use error::{Error, IntegrityError, Result, ServiceError, TransportErrorKind};
pub use percent::{decode_component, encode_component, encode_key};
pub use presign::{AuthResult, GetAuthParams, GetObjectUrl, GetV4AuthParams};
pub use retry::RetryPolicy;

/// The README's examples, compiled and run as doc tests so that the README stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
