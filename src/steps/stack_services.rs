//! Step `stack-services` (tutorial step 3, « docker stack services »,
//! `--cible swarm`): waits, at most `settings.ready_timeout`, until every
//! service of the stack has converged — Prometheus and Grafana one running
//! task each, cAdvisor (global) one running task on every Ready node. A task
//! that keeps failing (or a node without the image) ends the wait at once:
//! its error and node (ID, address) are named, with `docker service ps
//! --no-trunc` and the service's last log lines in the journal. Read-only.

use std::time::Duration;

use crate::adapters::swarm::{Node, Swarm, Task};
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::Table;
use crate::steps::kit::wait::{Poll, Stopped, wait_until};
use crate::steps::{ComposeProject, PART6_SERVICES, StackUnchanged, SwarmClient, SwarmNodes};

/// Étape 3 : convergence des services.
pub struct StackServices;

/// Failed tasks of one service beyond which it « keeps failing ».
const FAILURES_TO_GIVE_UP: usize = 3;

/// Where one service stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceState {
    /// Short name (`cadvisor`).
    pub service: String,
    /// Running tasks.
    pub running: usize,
    /// Running tasks wanted.
    pub wanted: usize,
    /// Ready nodes without a running task (global service only).
    pub missing_on: Vec<String>,
    /// Failed or rejected tasks: (node, error).
    pub failures: Vec<(String, String)>,
}

impl ServiceState {
    /// Whether it has converged.
    pub fn converged(&self) -> bool {
        self.running >= self.wanted && self.missing_on.is_empty()
    }
}

fn describe_node(nodes: &[Node], id: &str) -> String {
    nodes
        .iter()
        .find(|n| n.id == id)
        .map_or(format!("nœud {id}"), Node::named)
}

/// Where `service` stands given its tasks and the nodes.
pub fn assess(service: &str, global: bool, tasks: &[Task], nodes: &[Node]) -> ServiceState {
    let running: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.desired_state == "running" && t.state == "running")
        .collect();
    let ready: Vec<&Node> = nodes.iter().filter(|n| n.is_ready()).collect();
    let missing_on = if global {
        ready
            .iter()
            .filter(|n| !running.iter().any(|t| t.node_id == n.id))
            .map(|n| describe_node(nodes, &n.id))
            .collect()
    } else {
        Vec::new()
    };
    let failures = tasks
        .iter()
        .filter(|t| matches!(t.state.as_str(), "failed" | "rejected"))
        .map(|t| (describe_node(nodes, &t.node_id), t.error.clone()))
        .collect();
    ServiceState {
        service: service.to_string(),
        running: running.len(),
        wanted: if global { ready.len() } else { 1 },
        missing_on,
        failures,
    }
}

/// The table of services for the journal.
pub fn services_table(states: &[ServiceState]) -> String {
    let mut t = Table::new(["Service", "Tâches en marche", "Voulues", "État"]);
    for s in states {
        t.row([
            s.service.clone(),
            s.running.to_string(),
            s.wanted.to_string(),
            if s.converged() {
                "convergé".to_string()
            } else if !s.missing_on.is_empty() {
                format!("manque sur {}", s.missing_on.join(", "))
            } else {
                "en attente".to_string()
            },
        ]);
    }
    t.render()
}

/// One look at the stack: each service's state.
fn look(swarm: &dyn Swarm, stack: &str) -> crate::error::Result<(Vec<ServiceState>, Vec<Node>)> {
    let nodes = swarm.nodes()?;
    let mut states = Vec::new();
    for s in PART6_SERVICES {
        let tasks = swarm.tasks(&format!("{stack}_{s}"))?;
        states.push(assess(s, s == "cadvisor", &tasks, &nodes));
    }
    Ok((states, nodes))
}

/// The wait against any [`Swarm`]; `expected` are the nodes the preflight
/// found (one of them no longer Ready ends the wait at once).
pub fn run_with(
    swarm: &dyn Swarm,
    expected: &[Node],
    stack: &str,
    timeout: Duration,
    poll: Duration,
    unchanged: bool,
) -> Result<StepReport, StepFailure> {
    let command = format!("docker stack services {stack} && docker stack ps {stack}");
    let waited = wait_until(timeout, poll, || {
        let (states, nodes) =
            look(swarm, stack).map_err(|e| StepFailure::from(e).command(command.clone()))?;
        if let Some(lost) = super::swarm_preflight::lost_since(expected, &nodes) {
            return Err(StepFailure::from(lost)
                .command("docker node ls")
                .details(services_table(&states)));
        }
        if states.iter().all(ServiceState::converged) {
            return Ok(Poll::Ready(states));
        }
        let no_image = states.iter().find(|s| {
            s.failures
                .iter()
                .any(|(_, e)| e.to_lowercase().contains("no such image"))
        });
        let failing = no_image.or_else(|| {
            states
                .iter()
                .find(|s| !s.converged() && s.failures.len() >= FAILURES_TO_GIVE_UP)
        });
        match failing {
            Some(f) => Err(not_converged(
                swarm,
                stack,
                &states,
                Some(f),
                timeout,
                &command,
            )),
            None => Ok(Poll::Pending(states)),
        }
    });
    let w = match waited {
        Ok(w) => w,
        Err(Stopped::Failed(f)) => return Err(f),
        Err(Stopped::TimedOut { last, .. }) => {
            return Err(not_converged(swarm, stack, &last, None, timeout, &command));
        }
    };
    let states = w.value;
    let table = services_table(&states);
    let cadvisor = states.iter().find(|s| s.service == "cadvisor");
    let summary = format!(
        "les trois services ont convergé : prometheus 1/1, grafana 1/1, cadvisor {}/{} (une tâche par nœud prêt)",
        cadvisor.map_or(0, |c| c.running),
        cadvisor.map_or(0, |c| c.wanted)
    );
    let report = if unchanged && w.polls == 1 {
        StepReport::already_done(summary)
    } else {
        StepReport::done(format!(
            "{summary}, en {}",
            crate::french::duration_ms(w.waited.as_millis() as u64)
        ))
    };
    Ok(report.command(command).details(table))
}

/// The failure of a stack that did not converge: `failing` is the service
/// whose tasks keep failing (the wait ended early), `None` at the bound.
fn not_converged(
    swarm: &dyn Swarm,
    stack: &str,
    states: &[ServiceState],
    failing: Option<&ServiceState>,
    timeout: Duration,
    command: &str,
) -> StepFailure {
    let s = failing
        .or_else(|| states.iter().find(|s| !s.converged()))
        .expect("a service has not converged");
    let full = format!("{stack}_{}", s.service);
    let mut output = swarm
        .service_ps(&full)
        .unwrap_or_else(|e| format!("(docker service ps illisible : {})", e.message()));
    output.push_str(&format!("\n\n# docker service logs --tail 20 {full}\n"));
    output.push_str(
        &swarm
            .service_logs(&full, 20)
            .unwrap_or_else(|e| format!("(journaux illisibles : {})", e.message())),
    );
    let (message, hint) = if let Some((node, err)) = s.failures.last().filter(|_| failing.is_some())
    {
        let hint = if err.to_lowercase().contains("no such image") {
            format!(
                "le {node} n'a pas l'image et le déploiement n'utilise pas de registre : copiez-la, \
                 par exemple « docker save IMAGE | docker -H ssh://<nœud> load », puis relancez"
            )
        } else {
            format!(
                "lisez « docker service ps --no-trunc {full} » et « docker service logs {full} »"
            )
        };
        (
            format!(
                "le service {} échoue sur le {node} : {err} ({} tâches en échec)",
                s.service,
                s.failures.len()
            ),
            hint,
        )
    } else {
        (
            format!(
                "le service {} n'a pas convergé après {} : {}/{} tâches en marche{}",
                s.service,
                crate::french::duration_ms(timeout.as_millis() as u64),
                s.running,
                s.wanted,
                if s.missing_on.is_empty() {
                    String::new()
                } else {
                    format!(", aucune sur {}", s.missing_on.join(", "))
                }
            ),
            format!(
                "lisez « docker service ps --no-trunc {full} » ; un nœud perdu pendant l'attente \
                 apparaît « Down » dans « docker node ls »"
            ),
        )
    };
    StepFailure::from(Error::failed(message).with_hint(hint))
        .command(command.to_string())
        .output(crate::runbook::step::excerpt(&output, 40))
        .details(services_table(states))
}

impl Step for StackServices {
    fn id(&self) -> &'static str {
        "stack-services"
    }

    fn title(&self) -> &'static str {
        "Étape 3 : convergence des services"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let project = ctx.require::<ComposeProject>("le projet")?.clone();
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : attendrait que les services de la pile « {} » convergent (au plus {})",
                project.name,
                crate::french::duration_ms(ctx.settings.ready_timeout.as_millis() as u64)
            )));
        }
        let swarm = ctx.require::<SwarmClient>("le client Swarm")?.0.clone();
        let expected = ctx.get::<SwarmNodes>().map_or(&[][..], |n| &n.0[..]);
        run_with(
            swarm.as_ref(),
            expected,
            &project.name,
            ctx.settings.ready_timeout,
            Duration::from_millis(500),
            ctx.get::<StackUnchanged>().is_some(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StepStatus;
    use crate::testing::swarm::{FakeSwarm, task};

    /// The nodes as the preflight saw them.
    fn before(fake: &FakeSwarm) -> Vec<Node> {
        fake.nodes.borrow().clone()
    }

    /// The wait (bounded by `bound`, no pause) on a stack just deployed.
    fn converge(fake: &FakeSwarm, bound: Duration) -> Result<StepReport, StepFailure> {
        run_with(fake, &before(fake), "pile", bound, Duration::ZERO, false)
    }

    #[test]
    fn a_node_lost_during_the_wait_ends_it_at_once_naming_the_node() {
        let fake = FakeSwarm::three_nodes();
        let expected = before(&fake);
        fake.deployed("pile", "x");
        fake.nodes.borrow_mut()[2].state = "down".into();
        // Without the check, the two Ready nodes would count as converged.
        let f = run_with(
            &fake,
            &expected,
            "pile",
            Duration::from_secs(3600),
            Duration::ZERO,
            false,
        )
        .unwrap_err();
        let m = f.error.message();
        assert!(
            m.contains("1 nœud prêt au début de l'exécution ne l'est plus"),
            "{m}"
        );
        assert!(m.contains("n3 (10.98.3.2, état « down »"), "{m}");
        fake.nodes.borrow_mut().pop();
        let f = run_with(
            &fake,
            &expected,
            "pile",
            Duration::ZERO,
            Duration::ZERO,
            false,
        )
        .unwrap_err();
        assert!(
            f.error
                .message()
                .contains("n3 (10.98.3.2, retiré de l'essaim)")
        );
    }

    #[test]
    fn converged_stack_reports_one_cadvisor_per_node() {
        let fake = FakeSwarm::three_nodes();
        fake.deployed("pile", "x");
        let r = run_with(
            &fake,
            &before(&fake),
            "pile",
            Duration::ZERO,
            Duration::ZERO,
            true,
        )
        .unwrap();
        assert_eq!(r.status, StepStatus::AlreadyDone);
        assert!(r.summary.contains("cadvisor 3/3"), "{}", r.summary);
    }

    #[test]
    fn a_node_without_cadvisor_is_named_at_the_bound() {
        let fake = FakeSwarm::three_nodes();
        fake.deployed("pile", "x");
        fake.tasks
            .borrow_mut()
            .get_mut("pile_cadvisor")
            .unwrap()
            .retain(|t| t.node_id != "n3");
        let f = converge(&fake, Duration::ZERO).unwrap_err();
        assert!(
            f.error.message().contains("aucune sur nœud n3 (10.98.3.2)"),
            "{}",
            f.error.message()
        );
        assert!(
            f.output
                .unwrap()
                .contains("docker service logs --tail 20 pile_cadvisor")
        );
    }

    #[test]
    fn a_missing_image_ends_the_wait_at_once_with_the_hint() {
        let fake = FakeSwarm::three_nodes();
        fake.deployed("pile", "x");
        let mut t = task("bad", "n2", "rejected", "");
        t.error = "No such image: local/cadvisor-standin:bench".into();
        fake.tasks
            .borrow_mut()
            .get_mut("pile_cadvisor")
            .unwrap()
            .retain(|t| t.node_id != "n2");
        fake.tasks
            .borrow_mut()
            .get_mut("pile_cadvisor")
            .unwrap()
            .push(t);
        let f = converge(&fake, Duration::from_secs(3600)).unwrap_err();
        assert!(
            f.error.message().contains("nœud n2 (10.98.2.2)"),
            "{}",
            f.error.message()
        );
        assert!(f.error.hint().unwrap().contains("docker save"));
    }
}
