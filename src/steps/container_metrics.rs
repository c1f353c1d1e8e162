//! Step `container-metrics` (tutorial step 4.3, « tapez `container_` »): counts
//! the `container_*` metric names Prometheus holds (collected from cAdvisor)
//! and lists a few of them. The outcome decides: each service of the part
//! must have named `container_*` series (`name` label; its compose or swarm
//! service label when cAdvisor exports it), waited for within the targets'
//! bound (`kit::wait`). No `container_*` name, or none named (an old cAdvisor
//! that sees only bare `/system.slice/docker-<id>.scope` cgroups on today's
//! engines), is a failure giving the cAdvisor image to use; some services
//! missing are listed.
//!
//! On a swarm (`--cible swarm`), it also counts, per node, the `container_*`
//! names, series and named containers its cAdvisor sent: a node whose
//! cAdvisor sends nothing, or no named container, is a failure naming it.
//!
//! It is a read-only check of Prometheus; it does not read the values.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::adapters::prometheus::{HttpPrometheus, PrometheusApi};
use crate::adapters::swarm::Node;
use crate::error::{Error, Result};
use crate::french;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::{Cell, Table};
use crate::steps::kit::wait::{Poll, Stopped, wait_until};
use crate::steps::{MetricsNodes, PART6_SERVICES, compat, deployment};

/// How many names the journal lists.
const SHOWN: usize = 12;

/// The pause between two looks while cAdvisor's first series arrive.
const POLL: Duration = Duration::from_millis(500);

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
pub fn per_node(api: &dyn PrometheusApi, cadvisors: &MetricsNodes) -> Result<Vec<NodeMetrics>> {
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

/// The named `container_*` series: one sample per container and cAdvisor
/// target, with its compose or swarm service label when cAdvisor exports it.
pub const NAMED_SERIES: &str = r#"count by (instance, name, container_label_com_docker_compose_service, container_label_com_docker_swarm_service_name) ({__name__=~"container_.+", job="cadvisor", name!=""})"#;
/// The Docker containers seen only as bare cgroups (no `name` label), e.g.
/// `/system.slice/docker-<id>.scope`: what an old cAdvisor shows of the
/// containers of an engine it cannot talk to.
pub const UNNAMED_DOCKER_CGROUPS: &str =
    r#"count(container_last_seen{job="cadvisor", name="", id=~".*docker.*"})"#;

/// One container with named `container_*` series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedContainer {
    /// The cAdvisor target that sent it.
    pub instance: String,
    /// Its `name` label.
    pub name: String,
    /// Its compose service (`container_label_com_docker_compose_service`)
    /// or swarm service (`container_label_com_docker_swarm_service_name`).
    pub service: String,
}

impl NamedContainer {
    /// Whether this container runs the part's `service` (compose service,
    /// swarm service `<stack>_<service>`, or, without labels, the name).
    pub fn runs(&self, service: &str) -> bool {
        let stack_service = |s: &str| s == service || s.ends_with(&format!("_{service}"));
        if !self.service.is_empty() {
            return stack_service(&self.service);
        }
        let name = self.name.trim_start_matches('/');
        name == service
            || stack_service(name.split('.').next().unwrap_or(name))
            || name
                .rsplit_once('-')
                .is_some_and(|(base, n)| n.parse::<u32>().is_ok() && base.ends_with(service))
    }
}

/// The containers with named `container_*` series.
pub fn named_containers(api: &dyn PrometheusApi) -> Result<Vec<NamedContainer>> {
    let label = |s: &crate::adapters::prometheus::Sample, k: &str| {
        s.metric.get(k).cloned().unwrap_or_default()
    };
    Ok(api
        .query(NAMED_SERIES)?
        .samples()
        .iter()
        .filter(|s| !label(s, "name").is_empty())
        .map(|s| {
            let compose = label(s, "container_label_com_docker_compose_service");
            NamedContainer {
                instance: label(s, "instance"),
                name: label(s, "name"),
                service: if compose.is_empty() {
                    label(s, "container_label_com_docker_swarm_service_name")
                } else {
                    compose
                },
            }
        })
        .collect())
}

/// What one look at Prometheus found.
#[derive(Debug, Clone, Default)]
struct Look {
    /// Every metric name.
    all: Vec<String>,
    /// The `container_*` names.
    names: Vec<String>,
    /// The containers with named series.
    named: Vec<NamedContainer>,
    /// The part's services without any named series.
    missing: Vec<&'static str>,
    /// On a swarm, what each node's cAdvisor sent.
    nodes: Option<Vec<NodeMetrics>>,
}

impl Look {
    fn complete(&self) -> bool {
        !self.names.is_empty()
            && self.missing.is_empty()
            && self
                .nodes
                .as_ref()
                .is_none_or(|rows| rows.iter().all(|r| r.series > 0 && r.containers > 0))
    }
}

fn look(api: &dyn PrometheusApi, cadvisors: Option<&MetricsNodes>) -> Result<Look> {
    let all = api.metric_names()?;
    let names = container_names(&all);
    if names.is_empty() {
        return Ok(Look {
            all,
            ..Look::default()
        });
    }
    let named = named_containers(api)?;
    let missing = PART6_SERVICES
        .iter()
        .copied()
        .filter(|s| !named.iter().any(|c| c.runs(s)))
        .collect();
    let nodes = match cadvisors {
        Some(c) => Some(per_node(api, c)?),
        None => None,
    };
    Ok(Look {
        all,
        names,
        named,
        missing,
        nodes,
    })
}

/// The failure when cAdvisor sends `container_*` series but none named.
fn none_named(api: &dyn PrometheusApi, look: &Look, waited: &str) -> Error {
    let bare = api
        .query(UNNAMED_DOCKER_CGROUPS)
        .ok()
        .and_then(|r| r.samples().first().map(|s| s.value))
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(|v| v as u64);
    let cause = match bare {
        Some(n) => format!(
            "cAdvisor ne voit les conteneurs que comme {n} cgroups sans nom \
             (`/system.slice/docker-<id>.scope`)"
        ),
        None => "cAdvisor ne voit aucun conteneur Docker".to_string(),
    };
    Error::failed(format!(
        "aucune série container_* ne porte le nom d'un conteneur après {waited} \
         ({} noms de métriques container_*, mais aucun label `name`) : {cause}, \
         sa version ne sait pas lire ce moteur Docker (API trop ancienne ou magasin d'images containerd) ; \
         chaque graphique par conteneur du tableau de bord serait vide",
        look.names.len()
    ))
    .with_hint(compat::cadvisor_fix())
}

/// The step's work against any [`PrometheusApi`]: waits (at most the
/// targets' bound, every `poll`) until each service of the part, and on a
/// swarm each node, has named `container_*` series.
pub fn run_with(
    api: &dyn PrometheusApi,
    ctx: &RunContext,
    poll: Duration,
) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let deployment = deployment::of(ctx);
    let cadvisors = deployment.metrics_nodes();
    let timeout = ctx.settings.targets_timeout;
    let waited = wait_until(timeout, poll, || {
        look(api, cadvisors).map(|l| {
            if l.complete() {
                Poll::Ready(l)
            } else {
                Poll::Pending(l)
            }
        })
    });
    let (look, complete) = match waited {
        Ok(w) => (w.value, true),
        Err(Stopped::TimedOut { last, .. }) => (last, false),
        Err(Stopped::Failed(e)) => return Err(StepFailure::from(e).command(cmd)),
    };
    let delay = french::duration_ms(timeout.as_millis() as u64);
    let names = &look.names;
    if names.is_empty() {
        return Err(StepFailure::from(
            Error::failed(format!(
                "Prometheus ne connaît aucune métrique container_* après {delay} ({} métriques au total) : \
                 cAdvisor ne remonte rien",
                look.all.len()
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
        look.all.len(),
        shown.len(),
        shown.join("\n")
    );
    if names.len() > SHOWN {
        details.push_str(&format!("\n- … et {} autres", names.len() - SHOWN));
    }
    details.push_str(&format!(
        "\n\nConteneurs dont les séries `container_*` portent un nom (label `name`) :\n\n{}",
        named_table(&look.named)
    ));
    let mut summary = format!(
        "{} métriques container_* disponibles dans Prometheus, {} conteneurs nommés",
        names.len(),
        look.named.len()
    );
    if let Some(rows) = &look.nodes {
        details.push_str(&format!(
            "\n\nPar nœud (séries envoyées par le cAdvisor de chaque nœud, label `instance` de sa cible) :\n\n{}",
            node_table(rows)
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
        summary.push_str(&format!(", envoyées par les {} nœuds", rows.len()));
    }
    if look.named.is_empty() {
        return Err(StepFailure::from(none_named(api, &look, &delay))
            .command(cmd)
            .details(details));
    }
    if !complete {
        let mut gaps = Vec::new();
        if !look.missing.is_empty() {
            gaps.push(format!(
                "aucune série container_* nommée pour le(s) service(s) : {}",
                look.missing.join(", ")
            ));
        }
        let quiet: Vec<String> = look
            .nodes
            .iter()
            .flatten()
            .filter(|r| r.containers == 0)
            .map(|r| r.node.named())
            .collect();
        if !quiet.is_empty() {
            gaps.push(format!(
                "aucun conteneur nommé vu par le cAdvisor de : {}",
                quiet.join(", ")
            ));
        }
        return Err(StepFailure::from(
            Error::failed(format!("après {delay}, {}", gaps.join(" ; "))).with_hint(format!(
                "vérifiez que ces conteneurs tournent ({}) ; si cAdvisor en nomme d'autres mais pas \
                 ceux-là, {}",
                deployment
                    .service_status_command("cadvisor")
                    .unwrap_or_else(|_| "docker ps".to_string()),
                compat::cadvisor_fix()
            )),
        )
        .command(cmd)
        .details(details));
    }
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

/// The table of named containers for the journal.
pub fn named_table(rows: &[NamedContainer]) -> String {
    let mut t = Table::new(["Conteneur (`name`)", "Service", "Cible cAdvisor"]);
    for r in rows {
        t.row([
            Cell::code(&r.name),
            Cell::text(if r.service.is_empty() {
                "—"
            } else {
                &r.service
            }),
            Cell::text(&r.instance),
        ]);
    }
    t.render()
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
        run_with(&api, ctx, POLL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::prometheus::parse_label_values;
    use crate::testing::prometheus::{FakePrometheus, sample};
    use crate::testing::swarm::node;

    /// A named series of a swarm task of `service` sent by `instance`.
    fn swarm_named(instance: &str, service: &str) -> crate::adapters::prometheus::Sample {
        sample(
            &[
                ("instance", instance),
                ("name", &format!("{service}.1.x{instance}")),
                ("container_label_com_docker_swarm_service_name", service),
            ],
            9.0,
        )
    }

    /// A context whose waits end at once.
    fn ctx_in(dir: &std::path::Path) -> RunContext {
        let mut ctx = crate::testing::test_context(dir);
        ctx.settings.targets_timeout = Duration::ZERO;
        ctx
    }

    /// Three nodes; the worker n3's cAdvisor sends `n3_series` series.
    fn swarm_case(n3_series: f64) -> (FakePrometheus, MetricsNodes) {
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
        let mut named = vec![
            swarm_named("10.0.1.1:8080", "part6_prometheus"),
            swarm_named("10.0.1.1:8080", "part6_grafana"),
            swarm_named("10.0.1.1:8080", "part6_cadvisor"),
            swarm_named("10.0.1.2:8080", "part6_cadvisor"),
        ];
        if n3_series > 0.0 {
            named.push(swarm_named("10.0.1.3:8080", "part6_cadvisor"));
        }
        prom.answer(NAMED_SERIES, named);
        let cadvisors = MetricsNodes(vec![
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

    /// The step on a swarm whose metrics instances are `cadvisors`.
    fn on_the_swarm(
        prom: &FakePrometheus,
        cadvisors: MetricsNodes,
    ) -> Result<StepReport, StepFailure> {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_in(dir.path());
        ctx.put(cadvisors);
        crate::steps::deployment::choose(&mut ctx, crate::settings::Target::Swarm);
        run_with(prom, &ctx, Duration::ZERO)
    }

    #[test]
    fn on_a_swarm_the_journal_has_a_table_per_node() {
        let (prom, cadvisors) = swarm_case(40.0);
        let r = on_the_swarm(&prom, cadvisors).unwrap();
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
        let err = on_the_swarm(&prom, cadvisors).unwrap_err();
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
            NAMED_SERIES,
            UNNAMED_DOCKER_CGROUPS,
        ] {
            assert!(promql_parser::parser::parse(q).is_ok(), "{q}");
        }
    }

    /// A compose-mode Prometheus: the metric names, and the named series
    /// of `services` (container name = service, compose label).
    fn compose_case(services: &[&str], bare_cgroups: f64) -> FakePrometheus {
        let prom = FakePrometheus::default();
        *prom.names.borrow_mut() = vec![
            "container_cpu_usage_seconds_total".into(),
            "container_last_seen".into(),
            "container_memory_usage_bytes".into(),
            "up".into(),
        ];
        prom.answer(
            NAMED_SERIES,
            services
                .iter()
                .map(|s| {
                    sample(
                        &[
                            ("instance", "cadvisor:8080"),
                            ("name", s),
                            ("container_label_com_docker_compose_service", s),
                        ],
                        9.0,
                    )
                })
                .collect(),
        );
        if bare_cgroups > 0.0 {
            prom.answer(UNNAMED_DOCKER_CGROUPS, vec![sample(&[], bare_cgroups)]);
        }
        prom
    }

    #[test]
    fn in_compose_mode_each_service_named_is_a_success_without_per_node_query() {
        let prom = compose_case(&["prometheus", "grafana", "cadvisor"], 0.0);
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx_in(dir.path());
        let r = run_with(&prom, &ctx, Duration::ZERO).unwrap();
        assert!(!r.details.contains("Par nœud"));
        assert!(r.summary.contains("3 conteneurs nommés"), "{}", r.summary);
        assert!(
            r.details
                .contains("| `grafana` | grafana | cadvisor:8080 |"),
            "{}",
            r.details
        );
        assert!(
            !prom
                .asked
                .borrow()
                .iter()
                .any(|q| q.contains("by (instance) (")),
            "{:?}",
            prom.asked.borrow()
        );
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn only_unnamed_cgroup_series_fail_with_the_cadvisor_fix() {
        // What cAdvisor v0.47.2 sends on Docker Engine 29: `container_*`
        // names for `/system.slice/docker-<id>.scope`, no `name` label.
        let prom = compose_case(&[], 3.0);
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx_in(dir.path());
        let err = run_with(&prom, &ctx, Duration::ZERO).unwrap_err();
        assert_eq!(err.error.kind(), crate::error::Kind::Failed);
        let message = err.error.message();
        assert!(
            message.contains("aucune série container_* ne porte le nom"),
            "{message}"
        );
        assert!(message.contains("3 cgroups sans nom"), "{message}");
        assert!(
            message.contains("/system.slice/docker-<id>.scope"),
            "{message}"
        );
        let hint = err.error.hint().unwrap();
        assert!(hint.contains(compat::SUGGESTED_CADVISOR), "{hint}");
        assert!(hint.contains("ghcr.io/google/cadvisor:"), "{hint}");
        assert!(hint.contains("JOURNAL_IMAGE_CADVISOR="), "{hint}");
        assert!(hint.contains("journal.toml"), "{hint}");
    }

    #[test]
    fn missing_containers_are_listed() {
        let prom = compose_case(&["prometheus"], 2.0);
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx_in(dir.path());
        let err = run_with(&prom, &ctx, Duration::ZERO).unwrap_err();
        let message = err.error.message();
        assert!(
            message.contains("service(s) : grafana, cadvisor"),
            "{message}"
        );
        assert!(!message.contains("prometheus"), "{message}");
        assert!(err.details.contains("| `prometheus` |"), "{}", err.details);
    }

    #[test]
    fn a_collection_just_started_is_waited_for() {
        // First look: no named series yet; the next ones: all three.
        struct Late {
            inner: FakePrometheus,
            looks: std::cell::Cell<u32>,
        }
        impl PrometheusApi for Late {
            fn ready(&self) -> Result<()> {
                self.inner.ready()
            }
            fn targets(&self) -> Result<Vec<crate::adapters::prometheus::Target>> {
                self.inner.targets()
            }
            fn metric_names(&self) -> Result<Vec<String>> {
                self.looks.set(self.looks.get() + 1);
                self.inner.metric_names()
            }
            fn query(&self, q: &str) -> Result<crate::adapters::prometheus::QueryResult> {
                if q == NAMED_SERIES && self.looks.get() < 2 {
                    return FakePrometheus::default().query(q);
                }
                self.inner.query(q)
            }
        }
        let prom = Late {
            inner: compose_case(&["prometheus", "grafana", "cadvisor"], 0.0),
            looks: std::cell::Cell::new(0),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_in(dir.path());
        ctx.settings.targets_timeout = Duration::from_secs(5);
        let r = run_with(&prom, &ctx, Duration::ZERO).unwrap();
        assert_eq!(prom.looks.get(), 2);
        assert!(r.summary.contains("3 conteneurs nommés"), "{}", r.summary);
    }

    #[test]
    fn a_swarm_node_without_named_container_fails() {
        let (prom, cadvisors) = swarm_case(40.0);
        prom.answer(
            CONTAINERS_BY_INSTANCE,
            vec![
                sample(&[("instance", "10.0.1.1:8080")], 3.0),
                sample(&[("instance", "10.0.1.3:8080")], 1.0),
            ],
        );
        let err = on_the_swarm(&prom, cadvisors).unwrap_err();
        let message = err.error.message();
        assert!(
            message.contains("aucun conteneur nommé vu par le cAdvisor de : nœud n2"),
            "{message}"
        );
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
