//! Step `compose-alertmanager`: adds the `alertmanager` service, its volume
//! `alertmanager_data` and the network to the compose file, and mounts the
//! rules folder into the `prometheus` service (one more line), the careful
//! way of partie-6's step 2 (`compose_file::apply`, every existing byte kept,
//! `docker compose config` on the candidate, backup, diff).
//!
//! The tutorial's `prometheus` service is completed without `--force`; a
//! `prometheus` or `alertmanager` service changed by hand is replaced only
//! with `--force`.

use crate::compose_file::{Additions, ComposeError, ServiceBlock, apply};
use crate::error::{Error, Result};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::compose_services::{NETWORK, additions};
use crate::steps::kit::compose_edit::write_edit;
use crate::steps::kit::fragments::complete_service;

use super::{SERVICE, rules_mount};

/// Étape B : service Alertmanager.
pub struct ComposeAlertmanager;

/// partie-6's additions with the `prometheus` service completed by this
/// part (the rules folder mounted after its configuration file).
pub fn completed(add: Additions) -> Result<Additions> {
    complete_service(add, &[&super::prometheus_fragment()])
}

/// What this part adds: Prometheus completed, Alertmanager, its volume.
pub fn alert_additions(ctx: &RunContext) -> Result<Additions> {
    let part6 = completed(additions(ctx)?)?;
    let mut services: Vec<ServiceBlock> = part6
        .services
        .into_iter()
        .filter(|s| s.name == "prometheus")
        .collect();
    services.push(ServiceBlock {
        name: SERVICE.into(),
        comment: Some("--- Routage des alertes : Alertmanager ---".into()),
        body: ctx
            .templates
            .render("compose/alertmanager.yml.j2", &ctx.settings)?,
    });
    Ok(Additions {
        services,
        volumes: vec!["alertmanager_data".into()],
        network: NETWORK.into(),
    })
}

/// Applies `add` to `src`: the tutorial's `prometheus` service is replaced
/// by the completed one without `--force`; anything else that differs needs it.
fn plan(
    ctx: &RunContext,
    src: &str,
    add: &Additions,
) -> std::result::Result<crate::compose_file::Edit, ComposeError> {
    match apply(src, add, ctx.settings.force) {
        Err(ComposeError::Differs(d)) if d.iter().all(|d| d.service == "prometheus") => {
            let tutorial = additions(ctx).map_err(|e| ComposeError::Unsupported {
                what: e.message().to_string(),
            })?;
            let prometheus_only = Additions {
                services: tutorial
                    .services
                    .into_iter()
                    .filter(|s| s.name == "prometheus")
                    .collect(),
                volumes: Vec::new(),
                network: String::new(),
            };
            match apply(src, &prometheus_only, false) {
                Ok(e) if !e.changed => apply(src, add, true),
                _ => Err(ComposeError::Differs(d)),
            }
        }
        other => other,
    }
}

impl Step for ComposeAlertmanager {
    fn id(&self) -> &'static str {
        "compose-alertmanager"
    }

    fn title(&self) -> &'static str {
        "Étape B : service Alertmanager dans docker-compose.yml"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let file = ctx.project.compose_file();
        let shown = ctx.project.display(&file);
        let current = crate::store::read_optional(&file)?;
        let add = alert_additions(ctx)?;
        let edit = plan(ctx, current.as_deref().unwrap_or(""), &add).map_err(|e| {
            let e: Error = e.into();
            StepFailure::from(
                Error::usage(format!("{shown} : {}", e.message()))
                    .with_hint(e.hint().unwrap_or("")),
            )
        })?;
        let command = format!(
            "$EDITOR {shown}   # ajouter alertmanager, le volume alertmanager_data et le montage {}",
            rules_mount()
        );
        if !edit.changed {
            return Ok(StepReport::already_done(format!(
                "{shown} contient déjà Alertmanager et le dossier des règles ({})",
                edit.summary_fr()
            ))
            .command(command));
        }
        write_edit(ctx, current.as_deref(), &edit, command)
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::steps::compose_services::ComposeServices;
    use crate::store::StepStatus;
    use crate::testing::docker::{FakeCompose, FakeDocker, install};
    use crate::testing::test_context;

    fn ctx(dir: &tempfile::TempDir, force: bool) -> RunContext {
        let mut ctx = test_context(dir.path());
        ctx.settings.force = force;
        install(
            &mut ctx,
            Rc::new(FakeDocker::default()),
            Rc::new(FakeCompose::default()),
        );
        ctx
    }

    fn text(dir: &tempfile::TempDir) -> String {
        std::fs::read_to_string(dir.path().join("compose/docker-compose.yml")).unwrap()
    }

    #[test]
    fn completes_partie6_then_both_parts_find_it_done() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        ComposeServices.run(&mut ctx(&dir, false)).unwrap();
        let before = text(&dir);
        let r = ComposeAlertmanager.run(&mut ctx(&dir, false)).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded, "{}", r.summary);
        let after = text(&dir);
        assert!(after.contains("  alertmanager:\n"));
        assert!(after.contains("- ./config/prometheus/regles:/etc/prometheus/regles:ro"));
        assert!(after.contains("alertmanager_data:"));
        // Only insertions.
        let mut rest = after.as_str();
        for line in before.split_inclusive('\n') {
            let i = rest.find(line).expect("ligne gardée");
            rest = &rest[i + line.len()..];
        }
        let again = ComposeAlertmanager.run(&mut ctx(&dir, false)).unwrap();
        assert_eq!(again.status, StepStatus::AlreadyDone);
        let part6 = ComposeServices.run(&mut ctx(&dir, false)).unwrap();
        assert_eq!(part6.status, StepStatus::AlreadyDone, "{}", part6.summary);
        assert_eq!(text(&dir), after);
    }

    #[test]
    fn an_alertmanager_changed_by_hand_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        ComposeServices.run(&mut ctx(&dir, false)).unwrap();
        ComposeAlertmanager.run(&mut ctx(&dir, false)).unwrap();
        let changed = text(&dir).replace("\"9093:9093\"", "\"9095:9093\"");
        std::fs::write(dir.path().join("compose/docker-compose.yml"), &changed).unwrap();
        let f = ComposeAlertmanager.run(&mut ctx(&dir, false)).unwrap_err();
        assert_eq!(f.error.code(), 2);
        assert!(
            f.error.message().contains("alertmanager"),
            "{}",
            f.error.message()
        );
        let r = ComposeAlertmanager.run(&mut ctx(&dir, true)).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        assert!(text(&dir).contains("\"9093:9093\""));
    }
}
