//! Test group `emulator`: the emulator on both fronts, the capability suite, the CLI and the quickstart.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod capability;
mod cli;
mod cli_first_program;
mod emulator_acl_cors;
mod emulator_auth;
mod emulator_bucket_configs;
mod emulator_buckets;
mod emulator_data_dir;
mod emulator_example;
mod emulator_hostile;
mod emulator_http;
mod emulator_keys;
mod emulator_multipart;
mod emulator_node_replay;
mod emulator_object_tagging;
mod emulator_objects;
mod emulator_post_form;
mod emulator_regions;
mod emulator_retention;
mod emulator_robustness;
mod emulator_select;
mod emulator_sse;
mod emulator_traffic_limit;
mod emulator_versions;
mod quickstart;
