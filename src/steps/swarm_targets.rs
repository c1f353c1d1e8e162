//! Step `swarm-targets` (tutorial step 4, `--cible swarm`): Prometheus must
//! scrape **one cAdvisor per node**. The cAdvisor targets (found through
//! `tasks.cadvisor`) are matched to the cAdvisor tasks by their overlay
//! address, hence to their nodes; every Ready node must have its target
//! `up`. Polls at most `settings.targets_timeout` (DNS discovery is refreshed
//! every 10 s); a node whose target is missing or down is named (ID and
//! address). Read-only.

use std::time::Duration;

use crate::adapters::prometheus::{Health, HttpPrometheus, PrometheusApi, Target};
use crate::adapters::swarm::{Node, Swarm, Task};
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::{Cell, Table};
use crate::steps::kit::wait::{Poll, Stopped, wait_until};
use crate::steps::{ComposeProject, MetricsNodes, StackUnchanged, SwarmClient, SwarmNodes};

/// Étape 4 : une cible cAdvisor par nœud.
pub struct SwarmTargets;

/// One node and its cAdvisor target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTarget {
    /// The node.
    pub node: Node,
    /// The scraped URL, if Prometheus has a target for the node's task.
    pub url: Option<String>,
    /// The target's `instance` label (what its series carry).
    pub instance: Option<String>,
    /// `up`, `down`, `inconnu`, or why there is none.
    pub state: String,
    /// Whether the target is up.
    pub up: bool,
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.split('/').next().unwrap_or(rest);
    hostport.rsplit_once(':').map_or(hostport, |(h, _)| h)
}

/// Matches each Ready node to its cAdvisor target.
pub fn match_targets(nodes: &[Node], tasks: &[Task], targets: &[Target]) -> Vec<NodeTarget> {
    nodes
        .iter()
        .filter(|n| n.is_ready())
        .map(|n| {
            let task = tasks.iter().find(|t| {
                t.node_id == n.id && t.state == "running" && t.desired_state == "running"
            });
            let target = task.and_then(|t| {
                targets.iter().find(|tg| {
                    tg.job == "cadvisor" && t.addrs.iter().any(|a| a == host_of(&tg.scrape_url))
                })
            });
            let (state, up) = match (task, target) {
                (None, _) => (
                    "aucune tâche cAdvisor en marche sur ce nœud".to_string(),
                    false,
                ),
                (Some(_), None) => ("pas encore découverte par Prometheus".to_string(), false),
                (Some(_), Some(t)) if t.health == Health::Up => ("up".to_string(), true),
                (Some(_), Some(t)) => (
                    if t.last_error.is_empty() {
                        t.health.label().to_string()
                    } else {
                        format!("{} : {}", t.health.label(), t.last_error)
                    },
                    false,
                ),
            };
            NodeTarget {
                node: n.clone(),
                url: target.map(|t| t.scrape_url.clone()),
                instance: target.map(|t| t.instance.clone()),
                state,
                up,
            }
        })
        .collect()
}

/// The per-node table for the journal.
pub fn table(rows: &[NodeTarget]) -> String {
    let mut t = Table::new(["Nœud", "Adresse", "Rôle", "Cible cAdvisor", "État"]);
    for r in rows {
        t.row([
            Cell::code(&r.node.id),
            Cell::text(&r.node.addr),
            Cell::text(r.node.role_label()),
            Cell::text(r.url.as_deref().unwrap_or("—")),
            Cell::text(&r.state),
        ]);
    }
    t.render()
}

/// The check against any [`Swarm`] and [`PrometheusApi`]; on success, the
/// rows (every one `up`, with its target's `instance`).
pub fn run_with(
    swarm: &dyn Swarm,
    expected: &[Node],
    api: &dyn PrometheusApi,
    stack: &str,
    timeout: Duration,
    poll: Duration,
    unchanged: bool,
) -> Result<(StepReport, Vec<NodeTarget>), StepFailure> {
    let command = "curl -s localhost:9090/api/v1/targets && docker node ls".to_string();
    let waited = wait_until(timeout, poll, || {
        let nodes = swarm.nodes()?;
        if let Some(lost) = super::swarm_preflight::lost_since(expected, &nodes) {
            return Err(StepFailure::from(lost).command("docker node ls"));
        }
        let tasks = swarm.tasks(&format!("{stack}_cadvisor"))?;
        let targets = api.targets().unwrap_or_default();
        let rows = match_targets(&nodes, &tasks, &targets);
        let cadvisor_targets = targets.iter().filter(|t| t.job == "cadvisor").count();
        Ok(if !rows.is_empty() && rows.iter().all(|r| r.up) {
            Poll::Ready(rows)
        } else {
            Poll::Pending((rows, cadvisor_targets))
        })
    });
    match waited {
        Ok(w) => {
            let rows = w.value;
            let summary = format!(
                "{} cibles cAdvisor UP pour {} nœuds prêts : une par nœud",
                rows.len(),
                rows.len()
            );
            let report = if unchanged && w.polls == 1 {
                StepReport::already_done(summary)
            } else {
                StepReport::done(summary)
            };
            let details = table(&rows);
            Ok((report.command(command).details(details), rows))
        }
        Err(Stopped::Failed(f)) => Err(f),
        Err(Stopped::TimedOut {
            last: (rows, cadvisor_targets),
            ..
        }) => {
            let bad = rows
                .iter()
                .filter(|r| !r.up)
                .map(|r| format!("{} : {}", r.node.named(), r.state))
                .collect::<Vec<_>>()
                .join(" ; ");
            Err(StepFailure::from(
                Error::failed(format!(
                    "Prometheus n'a pas une cible cAdvisor UP par nœud après {} ({cadvisor_targets} \
                     cible(s) cAdvisor pour {} nœud(s) prêt(s)) : {bad}",
                    crate::french::duration_ms(timeout.as_millis() as u64),
                    rows.len()
                ))
                .with_hint(format!(
                    "vérifiez la tâche cAdvisor de ce nœud (docker service ps --no-trunc {stack}_cadvisor) \
                     et que le nœud est « Ready » (docker node ls) ; la découverte DNS (tasks.cadvisor) \
                     se rafraîchit toutes les 10 s : augmentez --delai-cibles au besoin"
                )),
            )
            .command(command)
            .details(table(&rows)))
        }
    }
}

impl Step for SwarmTargets {
    fn id(&self) -> &'static str {
        "swarm-targets"
    }

    fn title(&self) -> &'static str {
        "Étape 4 : une cible cAdvisor par nœud"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        if ctx.dry_run() {
            return Ok(StepReport::skipped(
                "simulation : vérifierait que Prometheus a une cible cAdvisor UP par nœud prêt",
            ));
        }
        let project = ctx.require::<ComposeProject>("le projet")?.clone();
        let swarm = ctx.require::<SwarmClient>("le client Swarm")?.0.clone();
        let api = HttpPrometheus::new(&ctx.settings.prometheus_url)?;
        let expected = ctx.get::<SwarmNodes>().map_or(&[][..], |n| &n.0[..]);
        let (report, rows) = run_with(
            swarm.as_ref(),
            expected,
            &api,
            &project.name,
            ctx.settings.targets_timeout,
            Duration::from_millis(500),
            ctx.get::<StackUnchanged>().is_some(),
        )?;
        ctx.put(MetricsNodes(
            rows.into_iter()
                .filter_map(|r| r.instance.map(|i| (r.node, i)))
                .collect(),
        ));
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::swarm::{FakeSwarm, node, task};

    fn target(url: &str, health: Health) -> Target {
        Target {
            job: "cadvisor".into(),
            instance: String::new(),
            scrape_url: url.into(),
            health,
            last_error: if health == Health::Up {
                String::new()
            } else {
                "connection refused".into()
            },
            last_scrape: None,
            last_scrape_duration: None,
        }
    }

    #[test]
    fn each_ready_node_is_matched_by_its_task_address() {
        let fake = FakeSwarm::three_nodes();
        let nodes = fake.nodes.borrow().clone();
        let tasks = vec![
            task("a", "n1", "running", "10.0.1.1"),
            task("b", "n2", "running", "10.0.1.2"),
            task("c", "n3", "running", "10.0.1.3"),
        ];
        let targets = vec![
            target("http://10.0.1.1:8080/metrics", Health::Up),
            target("http://10.0.1.2:8080/metrics", Health::Up),
            target("http://10.0.1.3:8080/metrics", Health::Down),
        ];
        let rows = match_targets(&nodes, &tasks, &targets);
        assert_eq!(rows.iter().filter(|r| r.up).count(), 2);
        let bad = rows.iter().find(|r| !r.up).unwrap();
        assert_eq!(bad.node.id, "n3");
        assert!(bad.state.contains("connection refused"));
        assert!(
            table(&rows).contains("| `n3` | 10.98.3.2 | travail | http://10.0.1.3:8080/metrics |")
        );
    }

    #[test]
    fn all_up_gives_the_instances_and_a_lost_node_fails_at_once() {
        let fake = FakeSwarm::three_nodes();
        let expected = fake.nodes.borrow().clone();
        fake.deployed("pile", "x");
        let prom = crate::testing::prometheus::FakePrometheus::default();
        *prom.targets.borrow_mut() = (1..=3)
            .map(|i| {
                let mut t = target(&format!("http://10.0.1.{i}:8080/metrics"), Health::Up);
                t.instance = format!("10.0.1.{i}:8080");
                t
            })
            .collect();
        let (r, rows) = run_with(
            &fake,
            &expected,
            &prom,
            "pile",
            Duration::ZERO,
            Duration::ZERO,
            true,
        )
        .unwrap();
        assert_eq!(r.status, crate::store::StepStatus::AlreadyDone);
        assert_eq!(rows[2].instance.as_deref(), Some("10.0.1.3:8080"));
        fake.nodes.borrow_mut()[1].state = "down".into();
        let f = run_with(
            &fake,
            &expected,
            &prom,
            "pile",
            Duration::from_secs(3600),
            Duration::ZERO,
            false,
        )
        .unwrap_err();
        assert!(
            f.error.message().contains("n2 (10.98.2.2, état « down »"),
            "{}",
            f.error.message()
        );
    }

    #[test]
    fn a_node_without_target_is_named() {
        let nodes = vec![
            node("n1", "10.98.1.1", "manager", "ready"),
            node("n2", "10.98.2.2", "worker", "ready"),
        ];
        let tasks = vec![task("a", "n1", "running", "10.0.1.1")];
        let rows = match_targets(
            &nodes,
            &tasks,
            &[target("http://10.0.1.1:8080/metrics", Health::Up)],
        );
        assert!(rows[0].up);
        assert!(!rows[1].up);
        assert!(rows[1].state.contains("aucune tâche"));
    }
}
