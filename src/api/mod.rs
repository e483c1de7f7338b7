//! Every COS call of the JS SDK: one module per resource family, each with pure request
//! builders, pure response parsers, and the builders on [`Client`](crate::Client) /
//! [`Bucket`](crate::Bucket) that send them.

pub mod acl;
mod acl_headers;
pub mod bucket;
pub mod bucket_acl;
pub mod bucket_list;
pub mod cors;
pub mod multipart;
pub mod object;
pub mod object_acl;
pub mod service;
mod xml_body;
