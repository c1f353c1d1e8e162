//! `journal metriques`: the journal's runs and the last verifications as
//! Prometheus metrics (text exposition format 0.0.4), per part and Docker
//! engine: last run time, last success time, last run's status and
//! duration, and the last verification's outcome. It reads the journal and
//! `verifications/etat.json`; it writes nothing (redirect it to a file of
//! node-exporter's textfile collector, atomically: `> f.tmp && mv f.tmp f.prom`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Context;
use super::verifie::state::{self, PartState};
use crate::error::Result;
use crate::store::{Entry, EntryKind, Status, Store};

/// The statuses a run can have, one series each (1 for the last run's).
const RUN_STATUSES: [(Status, &str); 4] = [
    (Status::InProgress, "en cours"),
    (Status::Succeeded, "réussi"),
    (Status::Failed, "échoué"),
    (Status::Interrupted, "interrompu"),
];

/// The outcomes of a verification.
const OUTCOMES: [&str; 3] = ["conforme", "écart", "injoignable"];

/// Runs `journal metriques`.
pub fn execute(ctx: &Context) -> Result<()> {
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    let verifications = state::load(ctx.project.root())?;
    ctx.out.result(render(&entries, &verifications).trim_end());
    Ok(())
}

/// A label value, escaped as the text format wants.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn seconds(t: &chrono::DateTime<chrono::FixedOffset>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

/// One metric family: its header and samples (`labels`, value).
fn family(out: &mut String, name: &str, help: &str, samples: &[(String, f64)]) {
    if samples.is_empty() {
        return;
    }
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    }
}

/// The metrics text for `entries` (the journal) and the last verifications.
pub fn render(entries: &[Entry], verifications: &BTreeMap<String, PartState>) -> String {
    // (part, engine) → runs, oldest first (entries are sorted by time).
    let mut runs: BTreeMap<(String, String), Vec<&Entry>> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| e.front.kind == EntryKind::Execution)
    {
        let Some(part) = e.front.partie.clone() else {
            continue;
        };
        let engine = e
            .front
            .origine
            .moteur_docker
            .clone()
            .unwrap_or_else(|| "inconnu".into());
        runs.entry((part, engine)).or_default().push(e);
    }
    let mut last_run = Vec::new();
    let mut last_success = Vec::new();
    let mut status = Vec::new();
    let mut duration = Vec::new();
    for ((part, engine), list) in &runs {
        let l = format!("partie=\"{}\",cible=\"{}\"", label(part), label(engine));
        let last = list
            .iter()
            .max_by_key(|e| e.front.horodatage)
            .expect("non-empty");
        last_run.push((l.clone(), seconds(&last.front.horodatage)));
        if let Some(ok) = list
            .iter()
            .filter(|e| e.front.statut == Status::Succeeded)
            .max_by_key(|e| e.front.horodatage)
        {
            last_success.push((l.clone(), seconds(&ok.front.horodatage)));
        }
        for (s, name) in RUN_STATUSES {
            let v = if last.front.statut == s { 1.0 } else { 0.0 };
            status.push((format!("{l},statut=\"{name}\""), v));
        }
        if let Some(ms) = last.front.duree_ms {
            duration.push((l, ms as f64 / 1000.0));
        }
    }
    let mut verified = Vec::new();
    let mut verified_ok = Vec::new();
    let mut outcome = Vec::new();
    for (part, st) in verifications {
        let l = format!("partie=\"{}\"", label(part));
        verified.push((l.clone(), seconds(&st.horodatage)));
        if let Some(t) = &st.derniere_conforme {
            verified_ok.push((l.clone(), seconds(t)));
        }
        for o in OUTCOMES {
            let v = if st.outcome() == o { 1.0 } else { 0.0 };
            outcome.push((format!("{l},resultat=\"{o}\""), v));
        }
    }
    let mut out = String::new();
    family(
        &mut out,
        "journal_derniere_execution_horodatage_secondes",
        "Début de la dernière exécution de la partie (secondes depuis l'époque Unix).",
        &last_run,
    );
    family(
        &mut out,
        "journal_derniere_reussite_horodatage_secondes",
        "Début de la dernière exécution réussie de la partie.",
        &last_success,
    );
    family(
        &mut out,
        "journal_derniere_execution_statut",
        "Statut de la dernière exécution (1 pour le sien, 0 pour les autres).",
        &status,
    );
    family(
        &mut out,
        "journal_derniere_execution_duree_secondes",
        "Durée de la dernière exécution.",
        &duration,
    );
    family(
        &mut out,
        "journal_derniere_verification_horodatage_secondes",
        "Heure de la dernière vérification (journal verifie).",
        &verified,
    );
    family(
        &mut out,
        "journal_derniere_verification_conforme_horodatage_secondes",
        "Heure de la dernière vérification où tout était conforme.",
        &verified_ok,
    );
    family(
        &mut out,
        "journal_derniere_verification_resultat",
        "Résultat de la dernière vérification (1 pour le sien, 0 pour les autres).",
        &outcome,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FrontMatter;

    fn run(part: &str, at: &str, statut: Status, ms: u64) -> Entry {
        let mut front = FrontMatter::new(
            EntryKind::Execution,
            "x",
            chrono::DateTime::parse_from_rfc3339(at).unwrap(),
            statut,
        );
        front.partie = Some(part.into());
        front.duree_ms = Some(ms);
        front.origine.moteur_docker = Some("unix:///var/run/docker.sock".into());
        Entry {
            path: "x.md".into(),
            front,
            body: String::new(),
            body_line: 1,
        }
    }

    #[test]
    fn runs_and_verifications_in_the_text_format() {
        let entries = [
            run(
                "partie-6",
                "2026-12-01T10:00:00+00:00",
                Status::Succeeded,
                61_500,
            ),
            run(
                "partie-6",
                "2026-12-02T10:00:00+00:00",
                Status::Failed,
                2_000,
            ),
        ];
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00+00:00").unwrap();
        let mut v = BTreeMap::new();
        v.insert(
            "partie-6".to_string(),
            PartState {
                horodatage: t,
                constats: Vec::new(),
                derniere_conforme: Some(t),
            },
        );
        let text = render(&entries, &v);
        let l = r#"partie="partie-6",cible="unix:///var/run/docker.sock""#;
        assert!(
            text.contains(&format!(
                "journal_derniere_execution_horodatage_secondes{{{l}}} 1796205600\n"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "journal_derniere_reussite_horodatage_secondes{{{l}}} 1796119200\n"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "journal_derniere_execution_statut{{{l},statut=\"échoué\"}} 1\n"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "journal_derniere_execution_statut{{{l},statut=\"réussi\"}} 0\n"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "journal_derniere_execution_duree_secondes{{{l}}} 2\n"
            )),
            "{text}"
        );
        assert!(text.contains("journal_derniere_verification_resultat{partie=\"partie-6\",resultat=\"conforme\"} 1\n"), "{text}");
        // Every family has its HELP and TYPE, once.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split('{').next().unwrap();
            assert_eq!(
                text.matches(&format!("# TYPE {name} gauge\n")).count(),
                1,
                "{name}"
            );
            assert!(
                line.rsplit(' ').next().unwrap().parse::<f64>().is_ok(),
                "{line}"
            );
        }
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
