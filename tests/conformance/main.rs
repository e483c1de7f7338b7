//! Test group `conformance`: the wire, the vectors and the official SDKs' fixtures, without a server.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod api_bucket;
mod api_multipart;
mod api_object;
mod bucket_configs_wire;
mod credential_scope;
mod go_fixtures_bucket;
mod go_fixtures_object;
mod object_tagging_wire;
mod object_versions_wire;
mod post_form;
mod presign_vectors;
mod properties;
mod secrets_redacted;
mod select_wire;
mod signing_vectors;
mod transfers_wire;
mod wire_conformance_bucket;
mod wire_conformance_object;
