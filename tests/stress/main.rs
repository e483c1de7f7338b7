//! Test group `stress`: seeded random schedules and the soak run.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod soak;
mod task_schedules;
