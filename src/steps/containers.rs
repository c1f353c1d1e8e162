//! Step `containers` (tutorial step 3, « docker compose ps »): checks through
//! the Docker API (containers found by their Compose labels) that the three
//! containers run, samples `RestartCount` twice a few seconds apart to detect
//! a restart loop (then the container's last log lines go to the journal),
//! and reads the health status when a healthcheck exists. Read-only.

#[cfg(test)] // the tests below name them through `super::*`
use std::time::Duration;

#[cfg(test)]
use crate::adapters::docker::ContainerState;
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::containers::{Assessment, assess};
use crate::steps::{ComposeClient, ComposeProject, DockerClient, PART6_SERVICES, StackUnchanged};

/// Étape 3 : vérification des conteneurs.
pub struct Containers {
    /// Start the waits of step 4 (targets, Grafana) in the background first.
    pub overlap: bool,
}

pub use crate::steps::kit::containers::{images_table, ps_table, second_sample_in};

impl Step for Containers {
    fn id(&self) -> &'static str {
        "containers"
    }

    fn title(&self) -> &'static str {
        "Étape 3 : vérification des conteneurs"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
        let command = format!("{} ps {}", compose.program(), PART6_SERVICES.join(" "));
        if ctx.dry_run() {
            return Ok(
                StepReport::skipped("simulation : vérifierait l'état des trois conteneurs")
                    .command(command),
            );
        }
        let docker = ctx.require::<DockerClient>("le client Docker")?.0.clone();
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        // Prometheus' targets and Grafana are waited for meanwhile.
        if self.overlap {
            super::prometheus_targets::start_waits(ctx, true);
        }
        let first = docker.service_containers(&project.name, &PART6_SERVICES)?;
        let gap = ctx.settings.restart_sample_gap;
        let wait = second_sample_in(&first, gap, chrono::Local::now().fixed_offset());
        let second = if wait.is_zero() {
            first.clone()
        } else {
            std::thread::sleep(wait);
            docker.service_containers(&project.name, &PART6_SERVICES)?
        };
        let gap_fr = crate::french::duration_ms(gap.as_millis() as u64);
        let sampled = match wait.is_zero() {
            true => format!("en marche depuis plus de {gap_fr}, sans redémarrage"),
            false => format!("sans redémarrage en {gap_fr}"),
        };
        let ps = compose
            .ps(&project.file, &PART6_SERVICES)
            .map(|c| c.combined())
            .unwrap_or_default();
        let table = ps_table(&second);

        let Assessment {
            looping,
            stopped,
            unhealthy,
            missing,
        } = assess(&first, &second, &PART6_SERVICES);
        if let Some(s) = missing.first() {
            return Err(StepFailure::from(
                Error::failed(format!("le conteneur du service {s} est introuvable")).with_hint(
                    format!(
                        "relancez « {} up -d {s} » et lisez sa sortie",
                        compose.program()
                    ),
                ),
            )
            .command(command)
            .output(ps)
            .details(table));
        }
        if let Some(c) = looping.first().or(stopped.first()) {
            let logs = docker
                .logs_tail(&c.id, 20)
                .unwrap_or_else(|e| format!("(journaux illisibles : {})", e.message()));
            let is_loop = !looping.is_empty();
            let what = if is_loop {
                format!(
                    "le conteneur « {} » redémarre en boucle ({} redémarrages, état « {} »)",
                    c.name, c.restart_count, c.state
                )
            } else {
                format!(
                    "le conteneur « {} » ne tourne pas (état « {} », code de sortie {})",
                    c.name,
                    c.state,
                    c.exit_code.unwrap_or_default()
                )
            };
            return Err(StepFailure::from(Error::failed(what).with_hint(format!(
                "lisez ses journaux (docker logs {}) : les dernières lignes sont ci-dessous ; vérifiez l'image ({}) et ses montages",
                c.name, c.image
            )))
            .command(format!("{command} && docker logs --tail 20 {}", c.name))
            .output(logs)
            .details(table));
        }
        let names = second
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        // The versions this run depended on: image and running digest per service.
        let table = format!(
            "{table}\nImages en service (référence demandée et empreinte de l'image qui tourne) :\n\n{}",
            images_table(&second)
        );
        let mut report = if ctx.get::<StackUnchanged>().is_some() {
            StepReport::already_done(format!(
                "les trois conteneurs tournaient déjà et tournent toujours ({names}), {sampled}"
            ))
        } else {
            StepReport::done(format!(
                "les trois conteneurs tournent ({names}), {sampled}"
            ))
        }
        .command(command)
        .output(ps)
        .details(table);
        for c in unhealthy {
            report = report.warn(format!(
                "le conteneur « {} » est signalé « unhealthy » par son healthcheck",
                c.name
            ));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::store::StepStatus;
    use crate::testing::docker::{FakeCompose, FakeDocker, container, install, stack};
    use crate::testing::test_context;

    fn run(frames: Vec<Vec<ContainerState>>, unchanged: bool) -> Result<StepReport, StepFailure> {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = test_context(dir.path());
        ctx.settings.restart_sample_gap = Duration::from_millis(300);
        install(
            &mut ctx,
            Rc::new(FakeDocker::scripted(frames)),
            Rc::new(FakeCompose::default()),
        );
        if unchanged {
            ctx.put(StackUnchanged);
        }
        Containers { overlap: false }.run(&mut ctx)
    }

    #[test]
    fn three_running_containers_pass() {
        let r = run(vec![stack(1), stack(1)], false).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        assert!(r.details.contains("| prometheus | local/prometheus:test |"));
        let r = run(vec![stack(1), stack(1)], true).unwrap();
        assert_eq!(r.status, StepStatus::AlreadyDone);
    }

    /// The stack as just started: every container young.
    fn young(generation: u32) -> Vec<ContainerState> {
        let mut s = stack(generation);
        for c in &mut s {
            c.started_at = Some(chrono::Local::now().fixed_offset());
        }
        s
    }

    #[test]
    fn containers_running_for_long_need_one_sample_only() {
        // A second frame that would show a restart is never read.
        let mut second = stack(1);
        second[1].restart_count = 3;
        let r = run(vec![stack(1), second], false).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        assert!(
            r.summary.contains("en marche depuis plus de 300 ms"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn the_second_sample_waits_only_for_the_youngest() {
        let now = chrono::Local::now().fixed_offset();
        let gap = Duration::from_secs(5);
        let mut s = stack(1);
        assert_eq!(second_sample_in(&s, gap, now), Duration::ZERO);
        s[0].started_at = Some(now - chrono::Duration::seconds(2));
        assert_eq!(second_sample_in(&s, gap, now), Duration::from_secs(3));
        s[1].started_at = None;
        assert_eq!(second_sample_in(&s, gap, now), gap);
        let mut stopped = stack(1);
        stopped[2].state = "exited".into();
        assert_eq!(second_sample_in(&stopped, gap, now), gap);
    }

    #[test]
    fn a_restart_between_samples_is_a_loop_with_its_logs() {
        let mut second = stack(1);
        second[1].restart_count = 3;
        let f = run(vec![young(1), second], false).expect_err("loop");
        assert!(
            f.error
                .message()
                .contains("« grafana » redémarre en boucle")
        );
        assert!(f.output.unwrap().contains("address already in use"));
        assert!(f.command.unwrap().contains("docker logs --tail 20 grafana"));
    }

    #[test]
    fn a_stopped_container_is_reported_with_its_exit_code() {
        let mut second = stack(1);
        second[2] = container("cadvisor", "cadvisor-1", "exited", 0);
        let f = run(vec![young(1), second], false).expect_err("stopped");
        assert!(f.error.message().contains("« cadvisor » ne tourne pas"));
        assert!(f.error.message().contains("code de sortie 1"));
    }

    #[test]
    fn a_missing_container_is_named() {
        let partial: Vec<ContainerState> = stack(1).into_iter().take(2).collect();
        let f = run(vec![partial.clone(), partial], false).expect_err("missing");
        assert!(
            f.error
                .message()
                .contains("service cadvisor est introuvable")
        );
    }
}
