//! What the test groups share: scripted transports and wire replay (`common`), the official
//! SDKs' fixtures (`shared_fixtures`), the fuzz corpus driver (`fuzz_shared`, also the fuzz
//! targets'), and the emulator harnesses. Each group uses part of it.

#![allow(dead_code, unused_imports)] // each test group uses a different part

pub mod common;
pub mod fuzz_shared;
pub mod log_capture;
pub mod object_common;
pub mod parts_cos;
pub mod shared_fixtures;
#[cfg(feature = "emulator")]
#[macro_use]
pub mod emulator_support;
#[cfg(feature = "emulator")]
pub mod capability_support;
#[cfg(feature = "emulator")]
pub mod transfer_support;
