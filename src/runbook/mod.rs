//! The runbook engine. A part is an ordered list of [`step::Step`]s; the
//! [`engine`] runs them in order, times them, shows their progress and records
//! each one into the run's execution entry, which is on disk from the first
//! step and rewritten (atomically) after each one.
//!
//! The engine knows nothing of Docker, Prometheus or Grafana: steps do, through
//! the adapters. Adding a part means a new list of steps in [`parts`].

pub mod context;
pub mod engine;
pub mod parts;
pub mod record;
pub mod settings;
pub mod step;

pub use context::RunContext;
pub use record::{RunRecord, StepRecord};
pub use settings::Settings;
pub use step::{Step, StepFailure, StepReport};
