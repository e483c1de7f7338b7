//! Every COS call of the JS SDK: one module per resource family, each with pure request
//! builders, pure response parsers, and the builders on [`Client`](crate::Client) /
//! [`Bucket`](crate::Bucket) that send them.

pub mod acl;
pub mod acl_calls;
mod acl_headers;
pub mod bucket;
pub mod bucket_accelerate;
pub mod bucket_acl;
pub mod bucket_lifecycle;
pub mod bucket_list;
pub mod bucket_policy;
pub mod bucket_tagging;
pub mod bucket_versioning;
pub mod cors;
mod listing;
pub mod multipart;
pub mod multipart_complete;
pub mod multipart_copy;
pub mod multipart_list;
pub mod multipart_list_part;
pub mod object;
pub mod object_acl;
pub mod object_attributes;
pub mod object_copy;
pub mod object_copy_source;
pub mod object_delete;
pub mod object_get;
pub mod object_head;
pub mod object_options;
pub mod object_put;
pub mod pages;
pub mod service;
mod xml_body;
