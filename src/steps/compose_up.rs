//! Step `compose-up` (tutorial step 3): `docker compose up -d prometheus
//! grafana cadvisor` — only this part's services; the others are neither
//! started nor restarted. Restarts Prometheus when step 1 changed its
//! (bind-mounted) configuration. « déjà fait » when the three containers were
//! already running and were not recreated.

use crate::adapters::docker::ContainerState;
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::{
    ComposeClient, ComposeProject, DockerClient, PART6_SERVICES, PrometheusConfigChanged,
    StackUnchanged,
};

/// Étape 3 : démarrage des services.
pub struct ComposeUp;

fn running_ids(list: &[ContainerState]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .filter(|c| c.state == "running")
        .map(|c| (c.service.clone(), c.id.clone()))
        .collect();
    v.sort();
    v
}

impl Step for ComposeUp {
    fn id(&self) -> &'static str {
        "compose-up"
    }

    fn title(&self) -> &'static str {
        "Étape 3 : démarrage des services"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
        let docker = ctx.require::<DockerClient>("le client Docker")?.0.clone();
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        let shown = ctx.project.display(&project.file);
        let command = format!(
            "cd {} && {} up -d {}",
            ctx.project
                .display(project.file.parent().unwrap_or(ctx.project.root())),
            compose.program(),
            PART6_SERVICES.join(" ")
        );
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : démarrerait {} (projet « {} », {shown}) ; les autres services ne seraient pas touchés",
                PART6_SERVICES.join(", "),
                project.name
            ))
            .command(command));
        }
        let before = docker.service_containers(&project.name, &PART6_SERVICES)?;
        let out = compose
            .up(&project.file, &PART6_SERVICES)
            .map_err(|e| StepFailure::from(e).command(command.clone()))?;
        let mut log = out.combined();
        let config_changed = ctx.get::<PrometheusConfigChanged>().is_some();
        let prom_was_running = before
            .iter()
            .any(|c| c.service == "prometheus" && c.state == "running");
        if config_changed && prom_was_running {
            let restarted = compose
                .restart(&project.file, &["prometheus"])
                .map_err(|e| {
                    StepFailure::from(e)
                        .command(format!("{} restart prometheus", compose.program()))
                        .output(log.clone())
                })?;
            log.push_str("\n# prometheus.yml a changé : redémarrage de Prometheus\n");
            log.push_str(&restarted.combined());
        }
        let after = docker.service_containers(&project.name, &PART6_SERVICES)?;
        let missing: Vec<&str> = PART6_SERVICES
            .iter()
            .copied()
            .filter(|s| !after.iter().any(|c| c.service == *s))
            .collect();
        if !missing.is_empty() {
            return Err(StepFailure::from(
                Error::failed(format!("aucun conteneur pour : {}", missing.join(", "))).with_hint(
                    format!(
                        "vérifiez {shown} et la sortie de « {} up -d »",
                        compose.program()
                    ),
                ),
            )
            .command(command)
            .output(log));
        }
        let unchanged = running_ids(&before) == running_ids(&after)
            && running_ids(&before).len() == PART6_SERVICES.len();
        let report = if unchanged && !(config_changed && prom_was_running) {
            ctx.put(StackUnchanged);
            StepReport::already_done("les trois conteneurs tournaient déjà ; aucun n'a été recréé")
        } else {
            let created: Vec<String> = after
                .iter()
                .filter(|c| !before.iter().any(|b| b.id == c.id && b.state == "running"))
                .map(|c| c.name.clone())
                .collect();
            StepReport::done(if created.is_empty() {
                "services à jour".to_string()
            } else {
                format!("conteneurs démarrés ou recréés : {}", created.join(", "))
            })
        };
        Ok(report.command(command).output(log))
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::store::StepStatus;
    use crate::testing::docker::{FakeCompose, FakeDocker, container, install, stack};
    use crate::testing::test_context;

    fn run(
        frames: Vec<Vec<ContainerState>>,
        compose: FakeCompose,
        config_changed: bool,
    ) -> (Result<StepReport, StepFailure>, Rc<FakeCompose>, RunContext) {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = test_context(dir.path());
        let compose = Rc::new(compose);
        install(
            &mut ctx,
            Rc::new(FakeDocker::scripted(frames)),
            compose.clone(),
        );
        if config_changed {
            ctx.put(PrometheusConfigChanged);
        }
        (ComposeUp.run(&mut ctx), compose, ctx)
    }

    #[test]
    fn running_stack_not_recreated_is_already_done() {
        let (r, compose, ctx) = run(vec![stack(1), stack(1)], FakeCompose::default(), false);
        let report = r.unwrap();
        assert_eq!(report.status, StepStatus::AlreadyDone);
        assert!(ctx.get::<StackUnchanged>().is_some());
        assert_eq!(compose.calls(), ["up -d prometheus grafana cadvisor"]);
    }

    #[test]
    fn new_containers_are_named() {
        let (r, _, ctx) = run(vec![vec![], stack(1)], FakeCompose::default(), false);
        let report = r.unwrap();
        assert_eq!(report.status, StepStatus::Succeeded);
        assert!(report.summary.contains("prometheus, grafana, cadvisor"));
        assert!(ctx.get::<StackUnchanged>().is_none());
    }

    #[test]
    fn changed_config_restarts_a_running_prometheus_through_compose() {
        let (r, compose, ctx) = run(vec![stack(1), stack(1)], FakeCompose::default(), true);
        let report = r.unwrap();
        assert_eq!(report.status, StepStatus::Succeeded);
        assert_eq!(
            compose.calls(),
            ["up -d prometheus grafana cadvisor", "restart prometheus"]
        );
        assert!(report.output.unwrap().contains("redémarrage de Prometheus"));
        assert!(ctx.get::<StackUnchanged>().is_none());
    }

    #[test]
    fn changed_config_with_prometheus_not_running_needs_no_restart() {
        let (r, compose, _) = run(vec![vec![], stack(1)], FakeCompose::default(), true);
        assert!(r.is_ok());
        assert!(!compose.calls().iter().any(|c| c.starts_with("restart")));
    }

    #[test]
    fn a_failed_restart_fails_the_step() {
        let compose = FakeCompose {
            restart_fails: true,
            ..Default::default()
        };
        let (r, _, _) = run(vec![stack(1), stack(1)], compose, true);
        let f = r.expect_err("the restart failed");
        assert!(f.error.message().contains("restart prometheus"));
        assert_eq!(
            f.command.as_deref(),
            Some("docker compose restart prometheus")
        );
    }

    #[test]
    fn a_service_without_container_fails_naming_it() {
        let partial = vec![
            container("prometheus", "p1", "running", 0),
            container("grafana", "g1", "running", 0),
        ];
        let (r, _, _) = run(vec![vec![], partial], FakeCompose::default(), false);
        let f = r.expect_err("cadvisor is missing");
        assert_eq!(f.error.message(), "aucun conteneur pour : cadvisor");
    }
}
