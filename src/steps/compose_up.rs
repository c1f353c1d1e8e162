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
        let prom = before
            .iter()
            .find(|c| c.service == "prometheus" && c.state == "running");
        let prom_was_running = prom.is_some();
        if let (true, Some(prom)) = (config_changed, prom) {
            let r = std::process::Command::new("docker")
                .args(["restart", prom.name.as_str()])
                .output()
                .map_err(|e| {
                    Error::environment(format!("redémarrage de Prometheus impossible : {e}"))
                })?;
            log.push_str("\n# prometheus.yml a changé : redémarrage de Prometheus\n");
            log.push_str(&String::from_utf8_lossy(&r.stdout));
            log.push_str(&String::from_utf8_lossy(&r.stderr));
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
