//! Step `prometheus-config` (tutorial step 1): writes
//! `config/prometheus/prometheus.yml` next to the compose file from the
//! template `prometheus.yml.j2`. Identical file: « déjà fait ». Different
//! file: a timestamped backup is kept and the diff goes into the journal.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::PrometheusConfigChanged;
use crate::steps::kit::fragments::{assemble_config, combinations, completed_by};
use crate::steps::kit::managed_file::ManagedFile;

/// Étape 1 : configuration de Prometheus.
pub struct PrometheusConfig;

/// Where the file goes: `<dossier du compose>/config/prometheus/prometheus.yml`.
pub fn config_path(compose_file: &Path) -> PathBuf {
    compose_file
        .parent()
        .unwrap_or(Path::new("."))
        .join("config/prometheus/prometheus.yml")
}

/// The file the part writes today, from `prometheus.yml.j2` (a usage
/// error when the template does not render valid YAML).
pub fn wanted_text(ctx: &RunContext) -> Result<String, Error> {
    let wanted = ctx.templates.render("prometheus.yml.j2", &ctx.settings)?;
    serde_yaml::from_str::<serde_yaml::Value>(&wanted).map_err(|e| {
        Error::usage(format!(
            "le modèle prometheus.yml.j2 ne produit pas un YAML valide : {e}"
        ))
        .with_hint(
            "corrigez templates/prometheus.yml.j2 ou supprimez-le pour revenir au modèle intégré",
        )
    })?;
    Ok(wanted)
}

/// When `file` is the tutorial's file completed by other parts' fragments,
/// which ones (French); `None` otherwise.
pub fn completed_by_parts(ctx: &RunContext, file: &ManagedFile) -> Option<String> {
    let fragments = crate::steps::prometheus_fragments(&ctx.project);
    combinations(&fragments)
        .into_iter()
        .find(|set| file.exists() && file.current == assemble_config(&file.wanted, set).ok())
        .map(|set| completed_by(&set))
}

impl Step for PrometheusConfig {
    fn id(&self) -> &'static str {
        "prometheus-config"
    }

    fn title(&self) -> &'static str {
        "Étape 1 : configuration de Prometheus"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let path = config_path(&ctx.project.compose_file());
        let shown = ctx.project.display(&path);
        let wanted = wanted_text(ctx)?;
        let command = format!(
            "mkdir -p {} && $EDITOR {shown}",
            ctx.project.display(path.parent().unwrap_or(Path::new(".")))
        );
        let file = ManagedFile::read(ctx, path, wanted)?;
        if file.is_current() {
            return Ok(
                StepReport::already_done(format!("{shown} est déjà identique au tutoriel"))
                    .command(command),
            );
        }
        // Completed by other parts (partie-6-alertes: rules, Alertmanager):
        // the tutorial's file plus their fragments, left as it is.
        if let Some(by) = completed_by_parts(ctx, &file) {
            return Ok(StepReport::already_done(format!(
                "{shown} est celui du tutoriel, complété par {by}"
            ))
            .command(command));
        }
        let diff_block = file.diff_block();
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : {} {shown}",
                file.dry_run_verb()
            ))
            .details(diff_block));
        }
        let report = match file.write(ctx)? {
            Some(backup) => StepReport::done(format!(
                "{shown} remplacé (il différait du tutoriel) ; ancienne version sauvegardée dans {backup}"
            )),
            None => StepReport::done(format!("{shown} créé")),
        };
        ctx.put(PrometheusConfigChanged);
        Ok(report.command(command).details(diff_block))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StepStatus;
    use crate::testing::test_context;

    fn project() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        let path = dir.path().join("compose/config/prometheus/prometheus.yml");
        (dir, path)
    }

    #[test]
    fn creates_then_finds_it_already_done() {
        let (dir, path) = project();
        let mut ctx = test_context(dir.path());
        let r = PrometheusConfig.run(&mut ctx).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        assert!(ctx.get::<PrometheusConfigChanged>().is_some());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("- targets: ['cadvisor:8080']"));

        let mut again = test_context(dir.path());
        let r = PrometheusConfig.run(&mut again).unwrap();
        assert_eq!(r.status, StepStatus::AlreadyDone);
        assert!(again.get::<PrometheusConfigChanged>().is_none());
    }

    #[test]
    fn a_different_file_is_backed_up_and_diffed() {
        let (dir, path) = project();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "global:\n  scrape_interval: 1m\n").unwrap();
        let mut ctx = test_context(dir.path());
        let r = PrometheusConfig.run(&mut ctx).unwrap();
        assert!(r.summary.contains("ancienne version sauvegardée"));
        assert!(r.details.contains("-  scrape_interval: 1m"));
        let backups: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".bak."))
            .collect();
        assert_eq!(backups.len(), 1);
        assert_eq!(
            std::fs::read_to_string(backups[0].path()).unwrap(),
            "global:\n  scrape_interval: 1m\n"
        );
    }

    #[test]
    fn dry_run_writes_nothing() {
        let (dir, path) = project();
        let mut ctx = test_context(dir.path());
        ctx.settings.dry_run = true;
        let r = PrometheusConfig.run(&mut ctx).unwrap();
        assert_eq!(r.status, StepStatus::Skipped);
        assert!(r.summary.contains("créerait"));
        assert!(!path.exists());
    }
}
