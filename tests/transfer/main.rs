//! Test group `transfer`: managed transfers, the pipeline's budget and task controls, on the emulator.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod call_budget;
mod connection_reuse;
mod crash_resume;
mod download_safety;
mod pipeline;
mod single_request_progress;
mod transfer_copy;
mod transfer_download;
mod transfer_task_controls;
mod transfer_upload;
mod upload_reader;
