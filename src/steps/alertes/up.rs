//! Step `alertmanager-up`: `docker compose up -d alertmanager prometheus`
//! (Prometheus is recreated when its service gained the rules folder), then
//! Prometheus restarted if only its configuration file changed (a file
//! bind-mount keeps the old file until the container starts again), or told
//! to reload (SIGHUP) when only the rules changed; Alertmanager restarted when
//! only its configuration changed. Waits, bounded, for both to answer; an
//! Alertmanager that does not start is named with its logs.

use std::time::Duration;

use crate::adapters::alertmanager::{AlertmanagerApi, HttpAlertmanager};
use crate::adapters::docker::{ContainerState, Containers};
use crate::adapters::prometheus::HttpPrometheus;
use crate::error::Error;
use crate::french;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit;
use crate::steps::kit::prometheus::wait_ready;
use crate::steps::kit::wait::{Poll, Stopped, wait_until};
use crate::steps::{ComposeClient, ComposeProject, DockerClient};

use super::{AlertingConfigChanged, AlertmanagerConfigChanged, RulesChanged, SERVICE};

/// Étape E : démarrage d'Alertmanager.
pub struct AlertmanagerUp;

/// Set when nothing was started, recreated, restarted or reloaded.
pub struct AlertingUnchanged;

const SERVICES: [&str; 2] = [SERVICE, "prometheus"];

fn id_of(list: &[ContainerState], service: &str) -> Option<String> {
    list.iter()
        .find(|c| c.service == service && c.state == "running")
        .map(|c| c.id.clone())
}

/// Waits until Alertmanager answers `/-/ready`; on timeout, or as soon as
/// its container stopped, a failure naming it with the end of its logs.
pub fn wait_alertmanager(
    api: &dyn AlertmanagerApi,
    docker: &dyn Containers,
    project: &str,
    timeout: Duration,
) -> Result<Duration, StepFailure> {
    let waited = wait_until(timeout, Duration::from_millis(500), || {
        let err = match api.ready() {
            Ok(()) => return Ok(Poll::Ready(())),
            Err(e) => e,
        };
        let container = docker
            .service_containers(project, &[SERVICE])?
            .into_iter()
            .next();
        let stopped = container
            .as_ref()
            .is_some_and(|c| c.state != "running" || c.restart_count > 0);
        if stopped {
            return Err(not_started(docker, container.as_ref(), &err));
        }
        Ok(Poll::Pending((container, err)))
    });
    match waited {
        Ok(w) => Ok(w.waited),
        Err(Stopped::Failed(f)) => Err(f),
        Err(Stopped::TimedOut {
            last: (container, err),
            ..
        }) => Err(not_started(docker, container.as_ref(), &err)),
    }
}

/// The failure of an Alertmanager that does not start: its container's
/// state, the last answer, the end of its logs.
fn not_started(
    docker: &dyn Containers,
    container: Option<&ContainerState>,
    err: &Error,
) -> StepFailure {
    let (what, logs) = match container {
        Some(c) => (
            format!(
                "le conteneur « {} » est « {} » ({})",
                c.name, c.state, c.status
            ),
            docker.logs_tail(&c.id, 30).unwrap_or_default(),
        ),
        None => (
            "aucun conteneur alertmanager n'existe".to_string(),
            String::new(),
        ),
    };
    StepFailure::from(
        Error::failed(format!(
            "Alertmanager ne démarre pas : {what} ; dernière réponse : {}",
            err.message()
        ))
        .with_hint(
            "lisez ses journaux ci-dessous (docker compose logs alertmanager) : une configuration \
             refusée y est nommée avec sa ligne ; corrigez compose/config/alertmanager/alertmanager.yml \
             ou relancez avec --force pour reprendre celle de journal",
        ),
    )
    .output(logs)
}

impl Step for AlertmanagerUp {
    fn id(&self) -> &'static str {
        "alertmanager-up"
    }

    fn title(&self) -> &'static str {
        "Étape E : démarrage d'Alertmanager"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
        let docker = ctx.require::<DockerClient>("le client Docker")?.0.clone();
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        let command = format!("{} up -d {}", compose.program(), SERVICES.join(" "));
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : démarrerait Alertmanager et recréerait Prometheus si son service a changé ; \
                 attendrait {}/-/ready",
                ctx.settings.alerts.alertmanager_url
            ))
            .command(command));
        }
        let before = docker.service_containers(&project.name, &SERVICES)?;
        let out = compose
            .up(&project.file, &SERVICES)
            .map_err(|e| StepFailure::from(e).command(command.clone()))?;
        let mut log = out.combined();
        let after = docker.service_containers(&project.name, &SERVICES)?;
        let mut actions = Vec::new();
        for s in SERVICES {
            match (id_of(&before, s), id_of(&after, s)) {
                (None, Some(_)) => actions.push(format!("{s} démarré")),
                (Some(a), Some(b)) if a != b => actions.push(format!("{s} recréé")),
                _ => {}
            }
        }
        let prom_kept = id_of(&before, "prometheus").is_some()
            && id_of(&before, "prometheus") == id_of(&after, "prometheus");
        let am_kept =
            id_of(&before, SERVICE).is_some() && id_of(&before, SERVICE) == id_of(&after, SERVICE);
        let restart = |service: &str, why: &str, log: &mut String| {
            kit::restart::restart(compose.as_ref(), &project.file, service, why, log)
        };
        if prom_kept && ctx.get::<AlertingConfigChanged>().is_some() {
            actions.push(restart("prometheus", "prometheus.yml a changé", &mut log)?);
        } else if prom_kept && ctx.get::<RulesChanged>().is_some() {
            compose
                .signal(&project.file, "prometheus", "SIGHUP")
                .map_err(|e| StepFailure::from(e).output(log.clone()))?;
            actions.push("prometheus a relu ses règles (SIGHUP)".into());
        }
        if am_kept && ctx.get::<AlertmanagerConfigChanged>().is_some() {
            actions.push(restart(SERVICE, "alertmanager.yml a changé", &mut log)?);
        }
        let am = HttpAlertmanager::new(&ctx.settings.alerts.alertmanager_url)?;
        let waited = wait_alertmanager(
            &am,
            docker.as_ref(),
            &project.name,
            ctx.settings.ready_timeout,
        )
        .map_err(|f| f.command(format!("{} logs {SERVICE}", compose.program())))?;
        let prom = HttpPrometheus::new(&ctx.settings.prometheus_url)?;
        wait_ready(
            &prom,
            ctx.settings.ready_timeout,
            Duration::from_millis(500),
        )
        .map_err(|e| {
            StepFailure::from(e)
                .command(command.clone())
                .output(log.clone())
        })?;
        let report = if actions.is_empty() {
            ctx.put(AlertingUnchanged);
            StepReport::already_done(format!(
                "Alertmanager tournait déjà ({}), Prometheus aussi ; rien à redémarrer",
                ctx.settings.alerts.alertmanager_url
            ))
        } else {
            StepReport::done(format!(
                "{} ; Alertmanager répond après {}",
                actions.join(", "),
                french::duration_ms(waited.as_millis() as u64)
            ))
        };
        Ok(report.command(command).output(log))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::alertmanager::{AmAlert, AmStatus};
    use crate::error::Result;
    use crate::testing::docker::{FakeDocker, container};

    struct Silent;

    impl AlertmanagerApi for Silent {
        fn ready(&self) -> Result<()> {
            Err(Error::environment(
                "Alertmanager ne répond pas à http://localhost:9093/-/ready",
            ))
        }
        fn status(&self) -> Result<AmStatus> {
            unreachable!()
        }
        fn alerts(&self) -> Result<Vec<AmAlert>> {
            unreachable!()
        }
    }

    #[test]
    fn a_crashing_alertmanager_is_named_with_its_logs_at_once() {
        let mut docker =
            FakeDocker::scripted(vec![vec![container(SERVICE, "a1", "restarting", 2)]]);
        docker.logs =
            "level=error msg=\"Loading configuration file failed\" err=\"yaml: line 3\"".into();
        let f =
            wait_alertmanager(&Silent, &docker, "compose", Duration::from_secs(60)).unwrap_err();
        assert!(
            f.error.message().starts_with(
                "Alertmanager ne démarre pas : le conteneur « alertmanager » est « restarting »"
            ),
            "{}",
            f.error.message()
        );
        assert!(
            f.output
                .unwrap()
                .contains("Loading configuration file failed")
        );
    }
}
