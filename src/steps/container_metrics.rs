//! Step `container-metrics` (tutorial step 4.3, « tapez `container_` »): counts
//! the `container_*` metric names Prometheus holds (collected from cAdvisor)
//! and lists a few of them. None at all is a failure.
//!
//! It is a read-only check of Prometheus; it does not query the values.

use crate::adapters::prometheus::{HttpPrometheus, PrometheusApi};
use crate::error::{Error, Result};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};

/// How many names the journal lists.
const SHOWN: usize = 12;

/// Étape 4 : métriques container_*.
pub struct ContainerMetrics;

/// The sorted `container_*` names among `all`.
pub fn container_names(all: &[String]) -> Vec<String> {
    let mut v: Vec<String> = all
        .iter()
        .filter(|n| n.starts_with("container_"))
        .cloned()
        .collect();
    v.sort();
    v.dedup();
    v
}

fn command(ctx: &RunContext) -> String {
    format!(
        "curl -s {}/api/v1/label/__name__/values | grep -o '\"container_[a-z_]*\"'",
        ctx.settings.prometheus_url
    )
}

/// The step's work against any [`PrometheusApi`].
pub fn run_with(api: &dyn PrometheusApi, ctx: &RunContext) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let all = api
        .metric_names()
        .map_err(|e| StepFailure::from(e).command(cmd.clone()))?;
    let names = container_names(&all);
    if names.is_empty() {
        return Err(StepFailure::from(
            Error::failed(format!(
                "Prometheus ne connaît aucune métrique container_* ({} métriques au total) : \
                 cAdvisor ne remonte rien",
                all.len()
            ))
            .with_hint(
                "vérifiez les montages de cAdvisor (/:/rootfs:ro, /var/run:/var/run:ro, /sys:/sys:ro, \
                 /var/lib/docker/:/var/lib/docker:ro) et ses journaux (`docker compose logs cadvisor`) ; \
                 sur cgroup v2, utilisez au moins l'image v0.47.2 (« Cannot detect current cgroup »)",
            ),
        )
        .command(cmd));
    }
    let shown: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("- `{n}`"))
        .collect();
    let mut details = format!(
        "{} noms de métriques commencent par `container_` (sur {} au total). \
         Les {} premiers, par ordre alphabétique :\n\n{}",
        names.len(),
        all.len(),
        shown.len(),
        shown.join("\n")
    );
    if names.len() > SHOWN {
        details.push_str(&format!("\n- … et {} autres", names.len() - SHOWN));
    }
    let summary = format!(
        "{} métriques container_* disponibles dans Prometheus",
        names.len()
    );
    // A check: « déjà fait » when the stack was already running before this run.
    let mut report = if ctx.get::<super::StackUnchanged>().is_some() {
        StepReport::already_done(summary)
    } else {
        StepReport::done(summary)
    }
    .command(cmd)
    .details(details);
    for key in [
        "container_cpu_usage_seconds_total",
        "container_memory_usage_bytes",
    ] {
        if !names.iter().any(|n| n == key) {
            report = report.warn(format!(
                "la métrique {key} est absente : les graphiques de consommation seront vides"
            ));
        }
    }
    Ok(report)
}

impl Step for ContainerMetrics {
    fn id(&self) -> &'static str {
        "container-metrics"
    }

    fn title(&self) -> &'static str {
        "Étape 4 : métriques container_*"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : listerait les noms de métriques de Prometheus ({}/api/v1/label/__name__/values) \
                 et compterait ceux qui commencent par container_",
                ctx.settings.prometheus_url
            ))
            .command(command(ctx)));
        }
        let api = HttpPrometheus::new(&ctx.settings.prometheus_url)?;
        run_with(&api, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::prometheus::parse_label_values;

    #[test]
    fn keeps_sorted_container_names_only() {
        let all = parse_label_values(
            r#"{"status":"success","data":["up","container_memory_usage_bytes","go_gc_duration_seconds","container_cpu_usage_seconds_total","machine_memory_bytes"]}"#,
        )
        .unwrap();
        assert_eq!(
            container_names(&all),
            vec![
                "container_cpu_usage_seconds_total",
                "container_memory_usage_bytes"
            ]
        );
    }
}
