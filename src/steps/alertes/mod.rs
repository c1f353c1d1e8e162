//! The steps of « partie-6-alertes » (complément : alertes), one file per
//! step kind: what Prometheus alerts on (rules checked by `promtool`), the
//! Alertmanager that receives the alerts, the check of the whole chain and a
//! fire drill that proves it, then Grafana and the documentation page.
//!
//! Files (beside the compose file): `config/prometheus/regles/alertes.yml`
//! (the rules; a folder, bind-mounted as a whole, so that a reload sees a file
//! replaced atomically), `config/prometheus/regles/exercice.yml` (the drill's
//! temporary rule) and `config/alertmanager/alertmanager.yml`.

pub mod compose;
pub mod config;
pub mod documentation;
pub mod drill;
pub mod files;
pub mod grafana;
pub mod preflight;
pub mod rules;
pub mod up;
pub mod verify;

use std::path::{Path, PathBuf};

use crate::steps::kit::fragments::Fragment;

/// The part's id.
pub const PART_ID: &str = "partie-6-alertes";
/// The part it completes.
pub const PREVIOUS_PART: &str = "partie-6";
/// The Compose service added.
pub const SERVICE: &str = "alertmanager";
/// Alertmanager as seen from Prometheus and Grafana (same network).
pub const INTERNAL_URL: &str = "http://alertmanager:9093";
/// The rules folder as Prometheus sees it.
pub const RULES_DIR_IN_CONTAINER: &str = "/etc/prometheus/regles";

/// `<dossier du compose>/config/prometheus/regles`.
pub fn rules_dir(compose_file: &Path) -> PathBuf {
    compose_dir(compose_file).join("config/prometheus/regles")
}

/// The rules file.
pub fn rules_path(compose_file: &Path) -> PathBuf {
    rules_dir(compose_file).join("alertes.yml")
}

/// The drill's temporary rules file.
pub fn drill_path(compose_file: &Path) -> PathBuf {
    rules_dir(compose_file).join("exercice.yml")
}

/// Alertmanager's configuration file.
pub fn alertmanager_config_path(compose_file: &Path) -> PathBuf {
    compose_dir(compose_file).join("config/alertmanager/alertmanager.yml")
}

fn compose_dir(compose_file: &Path) -> &Path {
    compose_file.parent().unwrap_or(Path::new("."))
}

/// The volume line mounting the rules folder into Prometheus.
pub fn rules_mount() -> String {
    format!("./config/prometheus/regles:{RULES_DIR_IN_CONTAINER}:ro")
}

/// What this part adds to partie-6's Prometheus: rules evaluated every 15 s
/// (the scrape interval), every `.yml` of the rules folder read, alerts sent
/// to `alertmanager:9093`, the rules folder mounted in the service.
pub fn prometheus_fragment() -> Fragment {
    let host = INTERNAL_URL.trim_start_matches("http://");
    Fragment {
        part: PART_ID,
        what: "règles et Alertmanager",
        global: Some((
            "evaluation_interval: 15s # Évalue les règles d'alerte au même rythme (partie-6-alertes)."
                .into(),
            "evaluation_interval",
        )),
        scrape_jobs: Vec::new(),
        blocks: vec![
            format!(
                "# Règles d'alerte (partie-6-alertes) : chaque fichier .yml du dossier regles/\n\
                 rule_files:\n  - {RULES_DIR_IN_CONTAINER}/*.yml\n"
            ),
            format!(
                "# Où Prometheus envoie les alertes\n\
                 alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{host}']\n"
            ),
        ],
        mounts: vec![(
            "Règles d'alerte (partie-6-alertes) : le dossier entier, relu à chaque rechargement"
                .into(),
            rules_mount(),
        )],
        mounts_what: "le dossier des règles",
    }
}

/// Set by `alert-rules` when it wrote the rules file.
pub struct RulesChanged;

/// Set by `prometheus-alerting` when it changed `prometheus.yml`.
pub struct AlertingConfigChanged;

/// Set by `alertmanager-config` when it changed Alertmanager's file.
pub struct AlertmanagerConfigChanged;

#[cfg(test)]
mod tests {
    use super::PART_ID;

    #[test]
    fn every_step_has_an_explanation_and_a_unique_id() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = crate::testing::test_context(dir.path());
        let mut ids = Vec::new();
        let runbook = crate::part_file::parse(
            crate::templates::embedded("parties/partie-6-alertes.md").expect("runbook intégré"),
        )
        .expect("runbook valide");
        for step in crate::steps::runbook::builtin_part_steps(&runbook, "p.md", &ctx.settings) {
            let name = format!("etapes/{PART_ID}/{}.md.j2", step.id());
            assert!(crate::templates::embedded(&name).is_some(), "{name} manque");
            let text = ctx.templates.render(&name, &ctx.settings).unwrap();
            assert!(!text.trim().is_empty(), "{name} est vide");
            assert!(!ids.contains(&step.id()), "{} en double", step.id());
            ids.push(step.id());
        }
    }
}
