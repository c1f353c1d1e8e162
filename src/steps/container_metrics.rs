//! Step `container-metrics` (tutorial step 4.3, « tapez `container_` »): counts
//! the `container_*` metric names Prometheus holds (collected from cAdvisor)
//! and lists a few of them. None at all is a failure.
//!
//! On a swarm (`--cible swarm`), it also counts, per node, the `container_*`
//! names, series and named containers its cAdvisor sent: a node whose
//! cAdvisor sends nothing is a failure naming the node.
//!
//! It is a read-only check of Prometheus; it does not read the values.

use std::collections::BTreeMap;

use crate::adapters::prometheus::{HttpPrometheus, PrometheusApi};
use crate::adapters::swarm::Node;
use crate::error::{Error, Result};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::{Cell, Table};
use crate::steps::{SwarmCadvisors, deployment};

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

/// `container_*` series per cAdvisor target.
pub const SERIES_BY_INSTANCE: &str =
    r#"count by (instance) ({__name__=~"container_.+", job="cadvisor"})"#;
/// Distinct `container_*` names per cAdvisor target.
pub const NAMES_BY_INSTANCE: &str = r#"count by (instance) (count by (instance, __name__) ({__name__=~"container_.+", job="cadvisor"}))"#;
/// Named containers per cAdvisor target.
pub const CONTAINERS_BY_INSTANCE: &str = r#"count by (instance) (count by (instance, name) ({__name__=~"container_.+", job="cadvisor", name!=""}))"#;

/// What one node's cAdvisor sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeMetrics {
    /// The node.
    pub node: Node,
    /// Its cAdvisor target's `instance` label.
    pub instance: String,
    /// Distinct `container_*` names.
    pub names: u64,
    /// `container_*` series.
    pub series: u64,
    /// Containers with a `name` label.
    pub containers: u64,
}

fn counts(api: &dyn PrometheusApi, query: &str) -> Result<BTreeMap<String, u64>> {
    Ok(api
        .query(query)?
        .samples()
        .iter()
        .filter(|s| s.value.is_finite() && s.value >= 0.0)
        .filter_map(|s| {
            s.metric
                .get("instance")
                .map(|i| (i.clone(), s.value as u64))
        })
        .collect())
}

/// The counts of every node of `cadvisors`, in their order (0 when
/// Prometheus has nothing for a node).
pub fn per_node(api: &dyn PrometheusApi, cadvisors: &SwarmCadvisors) -> Result<Vec<NodeMetrics>> {
    let series = counts(api, SERIES_BY_INSTANCE)?;
    let names = counts(api, NAMES_BY_INSTANCE)?;
    let containers = counts(api, CONTAINERS_BY_INSTANCE)?;
    let get = |m: &BTreeMap<String, u64>, i: &str| m.get(i).copied().unwrap_or(0);
    Ok(cadvisors
        .0
        .iter()
        .map(|(node, instance)| NodeMetrics {
            node: node.clone(),
            instance: instance.clone(),
            names: get(&names, instance),
            series: get(&series, instance),
            containers: get(&containers, instance),
        })
        .collect())
}

/// The per-node table for the journal.
pub fn node_table(rows: &[NodeMetrics]) -> String {
    let mut t = Table::new([
        "Nœud",
        "Adresse",
        "Rôle",
        "Cible cAdvisor",
        "Noms `container_*`",
        "Séries",
        "Conteneurs nommés",
    ])
    .right(4)
    .right(5)
    .right(6);
    for r in rows {
        t.row([
            Cell::code(&r.node.id),
            Cell::text(&r.node.addr),
            Cell::text(r.node.role_label()),
            Cell::text(&r.instance),
            Cell::text(r.names.to_string()),
            Cell::text(r.series.to_string()),
            Cell::text(r.containers.to_string()),
        ]);
    }
    t.render()
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
    let mut summary = format!(
        "{} métriques container_* disponibles dans Prometheus",
        names.len()
    );
    let mut quiet_nodes = Vec::new();
    if let Some(cadvisors) = deployment::of(ctx).metrics_nodes() {
        let rows =
            per_node(api, cadvisors).map_err(|e| StepFailure::from(e).command(cmd.clone()))?;
        details.push_str(&format!(
            "\n\nPar nœud (séries envoyées par le cAdvisor de chaque nœud, label `instance` de sa cible) :\n\n{}",
            node_table(&rows)
        ));
        let silent: Vec<&NodeMetrics> = rows.iter().filter(|r| r.series == 0).collect();
        if !silent.is_empty() {
            let named = silent
                .iter()
                .map(|r| r.node.named())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(StepFailure::from(
                Error::failed(format!(
                    "aucune métrique container_* n'arrive du cAdvisor de : {named}"
                ))
                .with_hint(
                    "la cible est UP mais ne renvoie rien : vérifiez les montages de la tâche cAdvisor de ce nœud \
                     (docker service ps --no-trunc <pile>_cadvisor, puis docker service logs <pile>_cadvisor)",
                ),
            )
            .command(cmd)
            .details(details));
        }
        quiet_nodes = rows
            .iter()
            .filter(|r| r.containers == 0)
            .map(|r| r.node.named())
            .collect();
        summary.push_str(&format!(", envoyées par les {} nœuds", rows.len()));
    }
    // A check: « déjà fait » when the stack was already running before this run.
    let mut report = if ctx.get::<super::StackUnchanged>().is_some() {
        StepReport::already_done(summary)
    } else {
        StepReport::done(summary)
    }
    .command(cmd)
    .details(details);
    if !quiet_nodes.is_empty() {
        report = report.warn(format!(
            "aucun conteneur nommé vu par cAdvisor sur : {} (label `name` absent : cgroup v2 ou \
             image cAdvisor trop ancienne)",
            quiet_nodes.join(", ")
        ));
    }
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
    use crate::testing::prometheus::{FakePrometheus, sample};
    use crate::testing::swarm::node;

    /// Three nodes; the worker n3's cAdvisor sends `n3_series` series.
    fn swarm_case(n3_series: f64) -> (FakePrometheus, SwarmCadvisors) {
        let prom = FakePrometheus::default();
        *prom.names.borrow_mut() = vec![
            "container_cpu_usage_seconds_total".into(),
            "container_memory_usage_bytes".into(),
            "up".into(),
        ];
        let by = |values: [f64; 3]| {
            ["10.0.1.1:8080", "10.0.1.2:8080", "10.0.1.3:8080"]
                .iter()
                .zip(values)
                .filter(|(_, v)| *v > 0.0)
                .map(|(i, v)| sample(&[("instance", i)], v))
                .collect()
        };
        prom.answer(SERIES_BY_INSTANCE, by([120.0, 40.0, n3_series]));
        prom.answer(NAMES_BY_INSTANCE, by([20.0, 20.0, n3_series.min(20.0)]));
        prom.answer(CONTAINERS_BY_INSTANCE, by([3.0, 1.0, n3_series.min(1.0)]));
        let cadvisors = SwarmCadvisors(vec![
            (
                node("n1", "10.98.0.1", "manager", "ready"),
                "10.0.1.1:8080".into(),
            ),
            (
                node("n2", "10.98.0.2", "worker", "ready"),
                "10.0.1.2:8080".into(),
            ),
            (
                node("n3", "10.98.0.3", "worker", "ready"),
                "10.0.1.3:8080".into(),
            ),
        ]);
        (prom, cadvisors)
    }

    #[test]
    fn on_a_swarm_the_journal_has_a_table_per_node() {
        let (prom, cadvisors) = swarm_case(40.0);
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        ctx.put(cadvisors);
        let r = run_with(&prom, &ctx).unwrap();
        assert!(
            r.summary.contains("envoyées par les 3 nœuds"),
            "{}",
            r.summary
        );
        assert!(
            r.details
                .contains("| `n1` | 10.98.0.1 | gestionnaire | 10.0.1.1:8080 | 20 | 120 | 3 |"),
            "{}",
            r.details
        );
        assert!(
            r.details
                .contains("| `n3` | 10.98.0.3 | travail | 10.0.1.3:8080 | 20 | 40 | 1 |")
        );
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_node_whose_cadvisor_sends_nothing_is_named() {
        let (prom, cadvisors) = swarm_case(0.0);
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        ctx.put(cadvisors);
        let err = run_with(&prom, &ctx).unwrap_err();
        let message = err.error.message();
        assert!(message.contains("nœud n3 (10.98.0.3)"), "{message}");
        assert!(!message.contains("n2"), "{message}");
        assert!(
            err.details
                .contains("| `n3` | 10.98.0.3 | travail | 10.0.1.3:8080 | 0 | 0 | 0 |")
        );
    }

    #[test]
    fn per_node_queries_are_valid_promql() {
        for q in [
            SERIES_BY_INSTANCE,
            NAMES_BY_INSTANCE,
            CONTAINERS_BY_INSTANCE,
        ] {
            assert!(promql_parser::parser::parse(q).is_ok(), "{q}");
        }
    }

    #[test]
    fn in_compose_mode_no_per_node_query_is_asked() {
        let (prom, _) = swarm_case(40.0);
        let dir = tempfile::tempdir().unwrap();
        let ctx = crate::testing::test_context(dir.path());
        let r = run_with(&prom, &ctx).unwrap();
        assert!(!r.details.contains("Par nœud"));
        assert!(prom.asked.borrow().is_empty());
    }

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
