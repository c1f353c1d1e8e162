//! The runbook engine. A part is an ordered list of [`step::Step`]s; the
//! [`engine`] runs them in order, times them, shows their progress and records
//! each one into the run's execution entry, which is on disk from the first
//! step and rewritten (atomically) after each one.
//!
//! The engine knows nothing of Docker, Prometheus or Grafana: steps do, through
//! the adapters. Adding a part means a new list of steps and a line in `crate::parts`.

pub mod context;
pub mod engine;
mod interrupt;
pub mod part;
pub mod record;
mod recorder;
pub mod step;

pub use crate::settings::Settings;
pub use context::RunContext;
pub use part::PartDef;
pub use record::{RunRecord, StepRecord};
pub use step::{Step, StepFailure, StepReport};
