//! What the engine runs: a part's id, its French title and its steps. The
//! registry of known parts lives above the engine, in `crate::parts`.

use super::{Settings, Step};

/// A part of the tutorial that `journal` can run.
pub struct PartDef {
    /// Stable id, e.g. `partie-6`.
    pub id: &'static str,
    /// French title.
    pub title: &'static str,
    /// Parts that must have succeeded in the project before this one.
    pub requires: &'static [&'static str],
    /// Its steps, in order, for the run's settings (the deployment target
    /// chooses the variants of some step kinds).
    pub steps: StepsFn,
}

/// How a part gives its steps for a run's settings.
pub type StepsFn = Box<dyn Fn(&Settings) -> Vec<Box<dyn Step>> + Send + Sync>;
