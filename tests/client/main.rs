//! Test group `client`: the client against scripted and hostile transports and sockets, without the emulator.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod body_resume;
mod hostile_server;
mod logging;
mod read_timeout;
mod transfer_large_parts;
mod upload_streamed;
mod ureq_transport;
