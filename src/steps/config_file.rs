//! Step `prometheus-config` (tutorial step 1): writes
//! `config/prometheus/prometheus.yml` next to the compose file from the
//! template `prometheus.yml.j2`. Identical file: « déjà fait ». Different
//! file: a timestamped backup is kept and the diff goes into the journal.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::PrometheusConfigChanged;
use crate::store::{now, write_atomic};
use crate::textdiff;

/// Étape 1 : configuration de Prometheus.
pub struct PrometheusConfig;

/// Where the file goes: `<dossier du compose>/config/prometheus/prometheus.yml`.
pub fn config_path(compose_file: &Path) -> PathBuf {
    compose_file
        .parent()
        .unwrap_or(Path::new("."))
        .join("config/prometheus/prometheus.yml")
}

/// A backup name next to `path`: `<nom>.bak.<AAAAMMJJ-HHMMSS>`.
pub fn backup_path(path: &Path) -> PathBuf {
    let stamp = now().format("%Y%m%d-%H%M%S");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidate = path.with_file_name(format!("{name}.bak.{stamp}"));
    let mut i = 1;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{name}.bak.{stamp}-{i}"));
        i += 1;
    }
    candidate
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
        let wanted = ctx.templates.render("prometheus.yml.j2", &ctx.settings)?;
        serde_yaml::from_str::<serde_yaml::Value>(&wanted).map_err(|e| {
            Error::usage(format!("le modèle prometheus.yml.j2 ne produit pas un YAML valide : {e}"))
                .with_hint("corrigez templates/prometheus.yml.j2 ou supprimez-le pour revenir au modèle intégré")
        })?;
        let command = format!(
            "mkdir -p {} && $EDITOR {shown}",
            ctx.project.display(path.parent().unwrap_or(Path::new(".")))
        );
        let current = crate::store::read_optional(&path)?;
        if current.as_deref() == Some(wanted.as_str()) {
            return Ok(
                StepReport::already_done(format!("{shown} est déjà identique au tutoriel"))
                    .command(command),
            );
        }
        // Completed by partie-6-alertes (rules, Alertmanager): the tutorial's
        // file plus those lines, left as it is.
        if current.is_some()
            && current == crate::steps::alertes::config::with_alerting(&wanted).ok()
        {
            return Ok(StepReport::already_done(format!(
                "{shown} est celui du tutoriel, complété par la partie-6-alertes (règles et Alertmanager)"
            ))
            .command(command));
        }
        let diff = textdiff::unified(current.as_deref().unwrap_or(""), &wanted, &shown);
        let diff_block = format!("Différences :\n\n````diff\n{}````", diff);
        if ctx.dry_run() {
            let verb = if current.is_some() {
                "remplacerait"
            } else {
                "créerait"
            };
            return Ok(
                StepReport::skipped(format!("simulation : {verb} {shown}")).details(diff_block)
            );
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))?;
        let mut report = if current.is_some() {
            let backup = backup_path(&path);
            std::fs::copy(&path, &backup).map_err(|e| Error::io("sauvegarde de", &path, e))?;
            StepReport::done(format!(
                "{shown} remplacé (il différait du tutoriel) ; ancienne version sauvegardée dans {}",
                ctx.project.display(&backup)
            ))
        } else {
            StepReport::done(format!("{shown} créé"))
        };
        write_atomic(&path, wanted.as_bytes(), true)
            .map_err(|e| Error::io("écriture de", &path, e))?;
        ctx.put(PrometheusConfigChanged);
        report = report.command(command).details(diff_block);
        Ok(report)
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
