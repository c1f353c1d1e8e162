//! Prometheus checks of the kit: wait until Prometheus is ready, wait until
//! the active targets (all, or those of one job) are up — the last targets
//! seen and a French error naming the ones down on timeout —, the table of
//! targets for the journal, and « a PromQL query returns something ».
//!
//! What to advise when a target stays down belongs to the part that
//! declared the job: the caller gives it ([`TargetHints`]).

use std::time::Duration;

use crate::adapters::prometheus::{Health, PrometheusApi, Sample, Target};
use crate::error::{Error, Result};
use crate::french;
use crate::steps::kit::table::{Cell, Table};
use crate::steps::kit::wait::{Poll, Stopped, wait_until};

/// How the wait for the targets went.
#[derive(Debug, Clone)]
pub struct TargetsOutcome {
    /// The targets at the last poll.
    pub targets: Vec<Target>,
    /// Number of polls made.
    pub polls: u32,
    /// Time spent polling.
    pub waited: Duration,
}

/// Waits until `/-/ready` answers 200, at most `timeout`; returns the time waited.
pub fn wait_ready(api: &dyn PrometheusApi, timeout: Duration, poll: Duration) -> Result<Duration> {
    match wait_until(timeout, poll, || {
        Ok::<_, Error>(match api.ready() {
            Ok(()) => Poll::Ready(()),
            Err(e) => Poll::Pending(e),
        })
    }) {
        Ok(w) => Ok(w.waited),
        Err(Stopped::Failed(e)) => Err(e),
        Err(Stopped::TimedOut { last: e, .. }) => Err(Error::environment(format!(
            "Prometheus n'est pas prêt après {} : {}",
            french::duration_ms(timeout.as_millis() as u64),
            e.message()
        ))
        .with_hint(
            e.hint()
                .unwrap_or("docker compose logs prometheus")
                .to_string(),
        )),
    }
}

/// Polls the targets until all active ones are up, at most `timeout`. On
/// timeout, returns the last targets seen with the error. (Prometheus not
/// answering is waited through; any other error ends the wait.)
pub fn wait_targets(
    api: &dyn PrometheusApi,
    job: Option<&str>,
    timeout: Duration,
    poll: Duration,
    hints: &TargetHints,
) -> std::result::Result<TargetsOutcome, (Error, Vec<Target>)> {
    let of_job = |all: Vec<Target>| -> Vec<Target> {
        match job {
            Some(j) => all.into_iter().filter(|t| t.job == j).collect(),
            None => all,
        }
    };
    let waited = wait_until(timeout, poll, || match api.targets().map(of_job) {
        Ok(t) if !t.is_empty() && t.iter().all(|t| t.health == Health::Up) => Ok(Poll::Ready(t)),
        Ok(t) => Ok(Poll::Pending(Ok(t))),
        Err(e) if e.kind() == crate::error::Kind::Environment => Ok(Poll::Pending(Err(e))),
        Err(e) => Err(e),
    });
    match waited {
        Ok(w) => Ok(TargetsOutcome {
            targets: w.value,
            polls: w.polls,
            waited: w.waited,
        }),
        Err(Stopped::Failed(e)) | Err(Stopped::TimedOut { last: Err(e), .. }) => {
            Err((e, Vec::new()))
        }
        Err(Stopped::TimedOut {
            last: Ok(targets), ..
        }) => Err((not_up_error(&targets, timeout, hints), targets)),
    }
}

/// What to advise when targets are missing or down.
pub struct TargetHints {
    /// No active target at all.
    pub none: &'static str,
    /// Some targets down (given): the advice, job by job.
    pub down: fn(&[&Target]) -> String,
}

/// The error for targets not all up after `timeout`.
pub fn not_up_error(targets: &[Target], timeout: Duration, hints: &TargetHints) -> Error {
    let delay = french::duration_ms(timeout.as_millis() as u64);
    if targets.is_empty() {
        return Error::failed(format!("Prometheus n'a aucune cible active après {delay}"))
            .with_hint(hints.none);
    }
    let down: Vec<&Target> = targets.iter().filter(|t| t.health != Health::Up).collect();
    let list = down
        .iter()
        .map(|t| {
            if t.last_error.is_empty() {
                format!("{} ({}) : {}", t.job, t.scrape_url, t.health.label())
            } else {
                format!("{} ({}) : {}", t.job, t.scrape_url, t.last_error)
            }
        })
        .collect::<Vec<_>>()
        .join(" ; ");
    Error::failed(format!("cible(s) toujours pas UP après {delay} : {list}"))
        .with_hint((hints.down)(&down))
}

/// The French Markdown table of targets.
pub fn targets_table(targets: &[Target]) -> String {
    let mut s = Table::new([
        "Job",
        "URL interrogée",
        "État",
        "Dernière erreur",
        "Durée du dernier scrape",
    ]);
    for t in targets {
        let err = if t.last_error.is_empty() {
            Cell::text("—")
        } else {
            Cell::code(&t.last_error)
        };
        let dur = match t.last_scrape_duration {
            Some(d) if t.health != Health::Unknown => {
                format!("{} ms", french::decimal(d * 1000.0, 1))
            }
            _ => "—".to_string(),
        };
        s.row([
            Cell::text(&t.job),
            Cell::text(&t.scrape_url),
            Cell::text(t.health.label()),
            err,
            Cell::text(dur),
        ]);
    }
    s.render()
}

/// Runs `promql` and returns its samples; none is a failure that names the
/// query (with `hint`).
pub fn query_has_result(api: &dyn PrometheusApi, promql: &str, hint: &str) -> Result<Vec<Sample>> {
    let samples = api.query(promql)?.samples().to_vec();
    if samples.is_empty() {
        return Err(Error::failed(format!(
            "la requête PromQL `{promql}` ne renvoie aucune série"
        ))
        .with_hint(hint.to_string()));
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::prometheus::{FakePrometheus, target};

    const HINTS: TargetHints = TargetHints {
        none: "aucune",
        down: |d| format!("{} en panne", d.len()),
    };

    #[test]
    fn only_the_asked_job_must_be_up() {
        let p = FakePrometheus::default();
        *p.targets.borrow_mut() = vec![target("a", true), target("b", false)];
        let o = wait_targets(&p, Some("a"), Duration::ZERO, Duration::ZERO, &HINTS).unwrap();
        assert_eq!(o.targets.len(), 1);
        let (e, last) =
            wait_targets(&p, Some("b"), Duration::ZERO, Duration::ZERO, &HINTS).unwrap_err();
        assert_eq!(last.len(), 1);
        assert_eq!(e.hint(), Some("1 en panne"));
        let (e, _) =
            wait_targets(&p, Some("c"), Duration::ZERO, Duration::ZERO, &HINTS).unwrap_err();
        assert_eq!(e.hint(), Some("aucune"));
    }

    #[test]
    fn an_empty_query_is_a_failure_naming_it() {
        let p = FakePrometheus::default();
        let e = query_has_result(&p, "up{job=\"x\"}", "vérifiez").unwrap_err();
        assert!(e.message().contains("up{job=\"x\"}"), "{}", e.message());
        assert_eq!(e.hint(), Some("vérifiez"));
    }
}
