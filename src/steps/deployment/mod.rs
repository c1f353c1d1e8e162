//! The target behind one trait: a [`Deployment`] is where the part's
//! services run — one Docker host with Compose, or a Swarm stack. The
//! preflight of the part chooses it once and stores that choice in the run
//! context ([`choose`], a [`Chosen`] value); [`of`] gives the steps the
//! deployment so chosen (reading the clients the preflight left beside it),
//! so that no shared step names a Swarm type or guesses the target from
//! which clients happen to be in the context.
//!
//! A deployment offers what the shared steps need: run a command in a
//! service, the command that shows a service, the node of each metrics
//! instance, its name (project or stack), what it supports, and how the
//! documentation describes it. Deploying itself stays in the target's own
//! steps (`compose_up`, `stack_deploy`), chosen by the `cibles=` of the blocks of `templates/parties/partie-6.md`.

mod compose;
mod swarm;

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::adapters::compose::Compose;
use crate::adapters::docker::Containers;
use crate::adapters::swarm::{Node, Swarm};
use crate::error::Result;
use crate::runbook::RunContext;
use crate::settings::Target;
use crate::steps::{
    ComposeClient, ComposeProject, DockerClient, MetricsNodes, SwarmClient, SwarmNodes,
};

pub use swarm::{DeploymentDoc, nodes_table};

/// What a part may need that not every target offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Alertmanager beside Prometheus, rules validated by `promtool` in the
    /// running container (partie-6-alertes).
    Alerting,
}

/// Whether `target` offers `capability` (known before any connection, so a
/// part's preflight can refuse a target at once).
pub fn supports(target: Target, capability: Capability) -> bool {
    match (target, capability) {
        (Target::Compose, Capability::Alerting) => true,
        (Target::Swarm, Capability::Alerting) => false,
    }
}

/// Where the part's services run.
pub trait Deployment {
    /// The target (`--cible`).
    fn target(&self) -> Target;

    /// Runs `args` in a running container of the part's `service` (its
    /// Compose service name), `input` on its standard input.
    fn exec_in_service(&self, service: &str, args: &[&str], input: &str) -> Result<()>;

    /// The command a user types to see `service`'s containers; an error when
    /// what [`Deployment::exec_in_service`] needs is missing from the run.
    fn service_status_command(&self, service: &str) -> Result<String>;

    /// The node of each metrics instance (cAdvisor target), when the
    /// deployment spreads containers over several nodes; `None` on one host.
    fn metrics_nodes(&self) -> Option<&MetricsNodes>;

    /// How the documentation describes this deployment beyond the
    /// tutorial's single host (`None`: nothing to add).
    fn documentation(&self, compose_file: &Path) -> Option<DeploymentDoc>;

    /// Whether it offers `capability`.
    fn supports(&self, capability: Capability) -> bool {
        supports(self.target(), capability)
    }
}

/// The deployment the preflight chose, kept in the run context for the
/// steps after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen(pub Target);

/// Stores the preflight's choice: called once per run, by the part's
/// preflight, when its checks have passed.
pub fn choose(ctx: &mut RunContext, target: Target) {
    ctx.put(Chosen(target));
}

/// Stores a Compose deployment chosen by a preflight: the engine and
/// Compose clients and the project (`name`, compose `file`), then the choice.
pub fn choose_compose(
    ctx: &mut RunContext,
    docker: Rc<dyn Containers>,
    compose: Rc<dyn Compose>,
    name: String,
    file: PathBuf,
) {
    ctx.put(DockerClient(docker));
    ctx.put(ComposeClient(compose));
    ctx.put(ComposeProject { name, file });
    choose(ctx, Target::Compose);
}

/// Stores a Swarm deployment chosen by a preflight: the engine and Swarm
/// clients, the nodes as found, the stack (its name as the project's, with
/// the compose `file`), then the choice.
pub fn choose_swarm(
    ctx: &mut RunContext,
    docker: Rc<dyn Containers>,
    swarm: Rc<dyn Swarm>,
    nodes: Vec<Node>,
    stack: String,
    file: PathBuf,
) {
    ctx.put(DockerClient(docker));
    ctx.put(SwarmClient(swarm));
    ctx.put(SwarmNodes(nodes));
    ctx.put(ComposeProject { name: stack, file });
    choose(ctx, Target::Swarm);
}

/// The deployment the preflight chose for this run. A step run without its
/// part's preflight (a unit test, a lone step) gets the one `--cible` names.
pub fn of(ctx: &RunContext) -> Box<dyn Deployment + '_> {
    match ctx.get::<Chosen>().map_or(ctx.settings.target, |c| c.0) {
        Target::Swarm => Box::new(swarm::SwarmDeployment { ctx }),
        Target::Compose => Box::new(compose::ComposeDeployment { ctx }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerting_is_offered_by_compose_only() {
        assert!(supports(Target::Compose, Capability::Alerting));
        assert!(!supports(Target::Swarm, Capability::Alerting));
    }

    #[test]
    fn the_preflight_choice_is_read_from_the_run_context() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        assert_eq!(of(&ctx).target(), Target::Compose);
        assert!(of(&ctx).documentation(Path::new("c.yml")).is_none());
        // Swarm clients alone do not make a swarm deployment: the choice does.
        ctx.put(SwarmNodes(
            crate::testing::swarm::FakeSwarm::three_nodes()
                .nodes
                .borrow()
                .clone(),
        ));
        assert_eq!(of(&ctx).target(), Target::Compose);
        choose(&mut ctx, Target::Swarm);
        let d = of(&ctx);
        assert_eq!(d.target(), Target::Swarm);
        assert!(!d.supports(Capability::Alerting));
        assert_eq!(d.documentation(Path::new("c.yml")).unwrap().nodes, 3);
    }

    #[test]
    fn without_a_preflight_the_target_of_the_settings_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        ctx.settings.target = Target::Swarm;
        assert_eq!(of(&ctx).target(), Target::Swarm);
        choose(&mut ctx, Target::Compose);
        assert_eq!(of(&ctx).target(), Target::Compose);
    }
}
