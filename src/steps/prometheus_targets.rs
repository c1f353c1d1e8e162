//! Step `prometheus-targets` (tutorial step 4.2, « Status → Targets »): waits
//! for Prometheus to be ready, then polls its scrape targets until every
//! active one is `up`, bounded by `settings.targets_timeout`, and records them
//! as a table. It also starts, in the background, the wait for Grafana's
//! health (joined by `grafana-password`) so both waits overlap.
//!
//! It is a check: it never changes Prometheus' configuration.

use std::time::Duration;

#[cfg(test)] // the tests below name it through `super::*`
use crate::adapters::prometheus::Health;
use crate::adapters::prometheus::{HttpPrometheus, PrometheusApi, Target};
use crate::error::{Error, Result};
use crate::french;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::prometheus::{self, TargetHints};
pub use crate::steps::kit::prometheus::{TargetsOutcome, targets_table, wait_ready};

use super::grafana_password::GrafanaReadiness;

/// The jobs the tutorial's `prometheus.yml` defines.
pub const EXPECTED_JOBS: [&str; 2] = ["prometheus", "cadvisor"];

/// Étape 4 : cibles Prometheus.
pub struct PrometheusTargets;

/// Polls the targets until all active ones are up, at most `timeout`, with
/// the hints of the tutorial's two jobs (`kit::prometheus::wait_targets`).
pub fn wait_targets(
    api: &dyn PrometheusApi,
    timeout: Duration,
    poll: Duration,
) -> std::result::Result<TargetsOutcome, (Error, Vec<Target>)> {
    prometheus::wait_targets(api, None, timeout, poll, &HINTS)
}

/// What to say when the tutorial's targets are not up.
const HINTS: TargetHints = TargetHints {
    none: "le fichier prometheus.yml monté dans le conteneur est-il celui de l'étape 1 ? \
           Vérifiez `docker compose exec prometheus cat /etc/prometheus/prometheus.yml`",
    down: target_hint,
};

fn target_hint(down: &[&Target]) -> String {
    let mut hints = Vec::new();
    for t in down {
        let h = if t.job == "cadvisor" {
            "cadvisor : le service `cadvisor` doit être sur le réseau `systeme-ticketing-net` \
             et écouter sur le port 8080 (cible `cadvisor:8080`) ; consultez `docker compose logs cadvisor` \
             et `docker compose ps cadvisor`"
                .to_string()
        } else if t.job == "prometheus" {
            "prometheus : la cible `localhost:9090` est Prometheus lui-même ; consultez \
             `docker compose logs prometheus`"
                .to_string()
        } else {
            format!(
                "{} : vérifiez que le service répond sur {} (`docker compose logs`)",
                t.job, t.scrape_url
            )
        };
        if !hints.contains(&h) {
            hints.push(h);
        }
    }
    hints.push(
        "une cible « inconnu » n'a pas encore été interrogée : augmentez le délai avec \
         --delai-cibles ou JOURNAL_DELAI_CIBLES"
            .to_string(),
    );
    hints.join(" — ")
}

fn command(ctx: &RunContext) -> String {
    format!("curl -s {}/api/v1/targets", ctx.settings.prometheus_url)
}

impl Step for PrometheusTargets {
    fn id(&self) -> &'static str {
        "prometheus-targets"
    }

    fn title(&self) -> &'static str {
        "Étape 4 : cibles Prometheus"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let s = &ctx.settings;
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : attendrait que Prometheus soit prêt ({}/-/ready, au plus {}), puis que \
                 toutes ses cibles soient UP (au plus {}) ; en parallèle, attendrait Grafana ({}/api/health)",
                s.prometheus_url,
                french::duration_ms(s.ready_timeout.as_millis() as u64),
                french::duration_ms(s.targets_timeout.as_millis() as u64),
                s.grafana_url
            ))
            .command(command(ctx)));
        }
        // Started with the containers' check (see `start_waits`): join it.
        if let Some(waited) = ctx.get_mut::<TargetsWatch>().and_then(TargetsWatch::join) {
            return report(ctx, waited);
        }
        start_waits(ctx, false);
        let api = HttpPrometheus::new(&ctx.settings.prometheus_url)?;
        run_with(&api, ctx, POLL)
    }
}

/// How often Prometheus is asked (its targets' state changes at most once
/// per scrape; a short poll ends the wait close to the first scrape).
const POLL: Duration = Duration::from_millis(250);

/// What the wait for Prometheus gave: how long until `/-/ready`, then the targets.
pub type Waited = (
    Duration,
    std::result::Result<TargetsOutcome, (Error, Vec<Target>)>,
);

/// The wait for Prometheus and its targets, run in the background so that it
/// overlaps the containers' restart sampling and Grafana's start; joined by
/// this step.
pub struct TargetsWatch {
    handle: Option<std::thread::JoinHandle<Result<Waited>>>,
}

impl TargetsWatch {
    /// Starts waiting for Prometheus at `url`.
    pub fn spawn(url: String, ready_timeout: Duration, targets_timeout: Duration) -> Self {
        let handle = std::thread::Builder::new()
            .name("attente-cibles".into())
            .spawn(move || {
                let api = HttpPrometheus::new(&url)?;
                let ready_in = wait_ready(&api, ready_timeout, POLL)?;
                Ok((ready_in, wait_targets(&api, targets_timeout, POLL)))
            })
            .ok();
        TargetsWatch { handle }
    }

    /// The wait's outcome (`None` if already joined or never started).
    pub fn join(&mut self) -> Option<Result<Waited>> {
        let h = self.handle.take()?;
        Some(h.join().unwrap_or_else(|_| {
            Err(Error::failed(
                "l'attente des cibles Prometheus s'est interrompue anormalement",
            ))
        }))
    }
}

/// Starts the waits for Grafana and (when `targets`) for the Prometheus
/// targets in the background, as soon as the containers are started: they
/// overlap each other and the containers' check.
pub fn start_waits(ctx: &mut RunContext, targets: bool) {
    let s = &ctx.settings;
    let grafana = GrafanaReadiness::spawn(s.grafana_url.clone(), s.ready_timeout);
    let watch = targets
        .then(|| TargetsWatch::spawn(s.prometheus_url.clone(), s.ready_timeout, s.targets_timeout));
    ctx.put(grafana);
    if let Some(w) = watch {
        ctx.put(w);
    }
}

/// The step's work against any [`PrometheusApi`].
pub fn run_with(
    api: &dyn PrometheusApi,
    ctx: &RunContext,
    poll: Duration,
) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let ready_in = wait_ready(api, ctx.settings.ready_timeout, poll)
        .map_err(|e| StepFailure::from(e).command(cmd.clone()))?;
    report(
        ctx,
        Ok((
            ready_in,
            wait_targets(api, ctx.settings.targets_timeout, poll),
        )),
    )
}

/// The step's report from what the wait gave.
fn report(ctx: &RunContext, waited: Result<Waited>) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let (ready_in, targets) = waited.map_err(|e| StepFailure::from(e).command(cmd.clone()))?;
    match targets {
        Ok(o) => {
            let jobs: Vec<&str> = o.targets.iter().map(|t| t.job.as_str()).collect();
            let summary = if o.polls == 1 {
                format!(
                    "les {} cibles sont UP dès le premier relevé ({}) : rien à attendre",
                    o.targets.len(),
                    jobs.join(", ")
                )
            } else {
                format!(
                    "les {} cibles sont UP ({}) après {} et {} relevés",
                    o.targets.len(),
                    jobs.join(", "),
                    french::duration_ms(o.waited.as_millis() as u64),
                    o.polls
                )
            };
            // A check: « déjà fait » when the stack was already running
            // before this run (nothing recreated by `compose-up`).
            let report = if ctx.get::<super::StackUnchanged>().is_some() {
                StepReport::already_done(summary)
            } else {
                StepReport::done(summary)
            };
            let mut report = report.command(cmd).details(format!(
                "Prometheus prêt après {}.\n\n{}",
                french::duration_ms(ready_in.as_millis() as u64),
                targets_table(&o.targets)
            ));
            for job in EXPECTED_JOBS {
                if !jobs.contains(&job) {
                    report = report.warn(format!(
                        "le job « {job} » du tutoriel n'apparaît pas parmi les cibles : \
                         le prometheus.yml chargé n'est peut-être pas celui de l'étape 1"
                    ));
                }
            }
            Ok(report)
        }
        Err((e, targets)) => {
            let f = StepFailure::from(e).command(cmd);
            Err(if targets.is_empty() {
                f
            } else {
                f.details(targets_table(&targets))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::prometheus::{QueryResult, parse_targets};
    use std::cell::RefCell;

    struct Fake {
        polls: RefCell<Vec<&'static str>>,
    }

    impl PrometheusApi for Fake {
        fn ready(&self) -> Result<()> {
            Ok(())
        }
        fn targets(&self) -> Result<Vec<Target>> {
            let mut p = self.polls.borrow_mut();
            let body = if p.len() > 1 { p.remove(0) } else { p[0] };
            parse_targets(body)
        }
        fn metric_names(&self) -> Result<Vec<String>> {
            Ok(vec![])
        }
        fn query(&self, _: &str) -> Result<QueryResult> {
            Ok(QueryResult::Vector(vec![]))
        }
    }

    const DOWN: &str = r#"{"status":"success","data":{"activeTargets":[
      {"labels":{"job":"cadvisor","instance":"cadvisor:8080"},"scrapeUrl":"http://cadvisor:8080/metrics",
       "lastError":"Get \"http://cadvisor:8080/metrics\": dial tcp: lookup cadvisor on 127.0.0.11:53: no such host",
       "lastScrape":"2026-11-24T19:47:18Z","lastScrapeDuration":0.001054623,"health":"down"},
      {"labels":{"job":"prometheus","instance":"localhost:9090"},"scrapeUrl":"http://localhost:9090/metrics",
       "lastError":"","lastScrape":"2026-11-24T19:47:19Z","lastScrapeDuration":0.0042,"health":"up"}]}}"#;
    const UP: &str = r#"{"status":"success","data":{"activeTargets":[
      {"labels":{"job":"cadvisor","instance":"cadvisor:8080"},"scrapeUrl":"http://cadvisor:8080/metrics",
       "lastError":"","lastScrape":"2026-11-24T19:47:33Z","lastScrapeDuration":0.0512,"health":"up"},
      {"labels":{"job":"prometheus","instance":"localhost:9090"},"scrapeUrl":"http://localhost:9090/metrics",
       "lastError":"","lastScrape":"2026-11-24T19:47:34Z","lastScrapeDuration":0.0042,"health":"up"}]}}"#;

    #[test]
    fn waits_until_all_targets_are_up() {
        let f = Fake {
            polls: RefCell::new(vec![DOWN, DOWN, UP]),
        };
        let o = wait_targets(&f, Duration::from_secs(5), Duration::ZERO).unwrap();
        assert_eq!(o.polls, 3);
        assert!(o.targets.iter().all(|t| t.health == Health::Up));
    }

    #[test]
    fn a_target_down_at_the_deadline_fails_with_its_last_error_and_a_hint() {
        let f = Fake {
            polls: RefCell::new(vec![DOWN]),
        };
        let (e, targets) = wait_targets(&f, Duration::ZERO, Duration::ZERO).unwrap_err();
        assert_eq!(targets.len(), 2);
        assert!(e.message().contains("no such host"), "{}", e.message());
        let hint = e.hint().unwrap();
        assert!(hint.contains("systeme-ticketing-net"));
        assert!(hint.contains("docker compose logs cadvisor"));
        assert!(hint.contains("8080"));
    }

    #[test]
    fn table_uses_french_decimal_comma() {
        let t = parse_targets(DOWN).unwrap();
        let table = targets_table(&t);
        assert!(table.contains("| cadvisor | http://cadvisor:8080/metrics | DOWN |"));
        assert!(table.contains("1,1 ms"));
        assert!(table.contains("4,2 ms"));
        assert!(table.contains("| Job | URL interrogée | État | Dernière erreur |"));
    }

    #[test]
    fn check_is_already_done_when_the_stack_was_already_running() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let f = Fake {
            polls: RefCell::new(vec![UP]),
        };
        let r = run_with(&f, &ctx, Duration::ZERO).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::Succeeded);
        assert!(r.summary.contains("dès le premier relevé"));
        assert!(r.details.contains("| cadvisor |"));
        ctx.put(crate::steps::StackUnchanged);
        let r = run_with(&f, &ctx, Duration::ZERO).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::AlreadyDone);
    }
}
