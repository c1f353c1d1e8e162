//! The record of a run: what the execution entry is made of. It turns into
//! the entry's front matter (summaries) and body (template
//! `entree-execution.md.j2`); it does not write anything itself.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::error::Result;
use crate::store::{EntryKind, FrontMatter, Status, StepStatus, StepSummary};
use crate::templates::Templates;

/// One step as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// Stable id.
    pub id: String,
    /// French title.
    pub titre: String,
    /// What the step does and why (rendered from its template).
    pub explication: String,
    /// Start time.
    pub debut: DateTime<FixedOffset>,
    /// End time, once finished.
    pub fin: Option<DateTime<FixedOffset>>,
    /// Duration in milliseconds.
    pub duree_ms: u64,
    /// Status.
    #[serde(serialize_with = "ser_step_status")]
    pub statut: StepStatus,
    /// One-sentence result.
    pub resume: String,
    /// Equivalent manual command.
    pub commande: Option<String>,
    /// Output excerpt.
    pub sortie: Option<String>,
    /// More Markdown.
    pub details: String,
    /// On failure: the cause.
    pub cause: Option<String>,
    /// On failure: the hint.
    pub aide: Option<String>,
    /// Warnings.
    pub avertissements: Vec<String>,
}

fn ser_step_status<S: serde::Serializer>(s: &StepStatus, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.label())
}

fn ser_status<S: serde::Serializer>(s: &Status, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.label())
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Part id.
    pub partie: String,
    /// Part title.
    pub partie_titre: String,
    /// Start time.
    pub horodatage: DateTime<FixedOffset>,
    /// End time.
    pub fin: Option<DateTime<FixedOffset>>,
    /// Status.
    #[serde(serialize_with = "ser_status")]
    pub statut: Status,
    /// Total duration.
    pub duree_ms: Option<u64>,
    /// `journal` version.
    pub version: String,
    /// Extra tags.
    pub tags: Vec<String>,
    /// Steps so far.
    pub etapes: Vec<StepRecord>,
}

impl RunRecord {
    /// A new run, in progress.
    pub fn new(partie: &str, titre: &str, start: DateTime<FixedOffset>) -> Self {
        RunRecord {
            partie: partie.to_string(),
            partie_titre: titre.to_string(),
            horodatage: start,
            fin: None,
            statut: Status::InProgress,
            duree_ms: None,
            version: env!("CARGO_PKG_VERSION").to_string(),
            tags: vec!["exécution".to_string()],
            etapes: Vec::new(),
        }
    }

    /// The entry's front matter.
    pub fn front_matter(&self) -> FrontMatter {
        FrontMatter {
            kind: EntryKind::Execution,
            titre: format!("Exécution de la {} — {}", self.partie.replace('-', " "), self.partie_titre),
            partie: Some(self.partie.clone()),
            horodatage: self.horodatage,
            statut: self.statut,
            tags: self.tags.clone(),
            duree_ms: self.duree_ms,
            etapes: self
                .etapes
                .iter()
                .map(|s| StepSummary {
                    id: s.id.clone(),
                    titre: s.titre.clone(),
                    statut: s.statut,
                    duree_ms: s.duree_ms,
                })
                .collect(),
        }
    }

    /// The entry's Markdown body.
    pub fn body(&self, templates: &Templates) -> Result<String> {
        templates.render("entree-execution.md.j2", self)
    }

    /// Counts per step status: (réussi, déjà fait, ignoré, échoué).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let c = |st: StepStatus| self.etapes.iter().filter(|s| s.statut == st).count();
        (
            c(StepStatus::Succeeded),
            c(StepStatus::AlreadyDone),
            c(StepStatus::Skipped),
            c(StepStatus::Failed) + c(StepStatus::Interrupted),
        )
    }
}
