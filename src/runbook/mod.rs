//! The runbook engine: a part is an ordered list of steps; the engine runs
//! them, times them and records each one into the run's execution entry.

pub mod parts;
