//! The record of a run: what the execution entry is made of. It turns into
//! the entry's front matter (summaries) and body (template
//! `entree-execution.md.j2`); it does not write anything itself.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::error::Result;
use crate::store::{EntryKind, FrontMatter, Origin, Status, StepStatus, StepSummary};
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
    /// Who runs, where, against what.
    pub origine: Origin,
}

/// What the entry template sees: the record and its origin as one line.
#[derive(Serialize)]
struct BodyView<'a> {
    #[serde(flatten)]
    record: &'a RunRecord,
    origine_texte: String,
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
            origine: Origin::default(),
        }
    }

    /// The entry's front matter.
    pub fn front_matter(&self) -> FrontMatter {
        FrontMatter {
            kind: EntryKind::Execution,
            titre: format!(
                "Exécution de la {} — {}",
                self.partie.replace('-', " "),
                self.partie_titre
            ),
            partie: Some(self.partie.clone()),
            horodatage: self.horodatage,
            statut: self.statut,
            tags: self.tags.clone(),
            duree_ms: self.duree_ms,
            origine: self.origine.clone(),
            pieces_jointes: Vec::new(),
            execution: None,
            revisions: Vec::new(),
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
        templates.render(
            "entree-execution.md.j2",
            BodyView {
                record: self,
                origine_texte: self.origine.line(),
            },
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn step(id: &str, titre: &str, debut: &str, ms: u64, statut: StepStatus) -> StepRecord {
        let d = at(debut);
        StepRecord {
            id: id.into(),
            titre: titre.into(),
            explication: format!("Ce que fait l'étape « {titre} » et pourquoi."),
            debut: d,
            fin: Some(d + chrono::Duration::milliseconds(ms as i64)),
            duree_ms: ms,
            statut,
            resume: "résumé".into(),
            commande: None,
            sortie: None,
            details: String::new(),
            cause: None,
            aide: None,
            avertissements: vec![],
        }
    }

    /// A failed run with every kind of step status, on a fixed clock.
    fn sample() -> RunRecord {
        let mut r = RunRecord::new(
            "partie-6",
            "Supervision : Prometheus, Grafana et cAdvisor",
            at("2026-11-24T10:15:00+01:00"),
        );
        let mut s1 = step(
            "prometheus-config",
            "Étape 1 : configuration de Prometheus",
            "2026-11-24T10:15:00.100+01:00",
            12,
            StepStatus::Succeeded,
        );
        s1.commande = Some("mkdir -p compose/config/prometheus".into());
        s1.details = "````diff\n+global:\n````".into();
        let s2 = step(
            "compose-services",
            "Étape 2 : services | docker-compose.yml",
            "2026-11-24T10:15:00.200+01:00",
            3,
            StepStatus::AlreadyDone,
        );
        let mut s3 = step(
            "compose-up",
            "Étape 3 : démarrage des services",
            "2026-11-24T10:15:01+01:00",
            2_400,
            StepStatus::Failed,
        );
        s3.sortie = Some("Error response from daemon: port is already allocated".into());
        s3.cause = Some("« docker compose up -d » a échoué".into());
        s3.aide = Some("libérez le port 9090".into());
        s3.avertissements = vec!["/dev/kmsg est absent".into()];
        let s4 = step(
            "containers",
            "Étape 3 : vérification des conteneurs",
            "2026-11-24T10:15:03.400+01:00",
            0,
            StepStatus::Skipped,
        );
        r.etapes = vec![s1, s2, s3, s4];
        r.statut = Status::Failed;
        r.fin = Some(at("2026-11-24T10:15:03.400+01:00"));
        r.duree_ms = Some(3_400);
        r.version = "0.0.0-test".into();
        r
    }

    #[test]
    fn execution_entry_renders_in_french() {
        let r = sample();
        let text = crate::store::entry::render(
            &r.front_matter(),
            &r.body(&Templates::embedded_only()).unwrap(),
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn front_matter_counts_steps() {
        let f = sample().front_matter();
        assert_eq!(f.steps_ok(), 2);
        assert_eq!(f.steps_failed(), 1);
        assert_eq!(sample().counts(), (1, 1, 1, 1));
    }
}
