//! The target behind one trait: a [`Deployment`] is where the part's
//! services run — one Docker host with Compose, or a Swarm stack. The
//! preflight of the part chose it once, by the clients it left in the run
//! context (`ComposeClient`, or `SwarmClient` and `SwarmNodes`); [`of`]
//! gives the steps that choice, so that no shared step names a Swarm type.
//!
//! A deployment offers what the shared steps need: run a command in a
//! service, the command that shows a service, the node of each metrics
//! instance, its name (project or stack), what it supports, and how the
//! documentation describes it. Deploying itself stays in the target's own
//! steps (`compose_up`, `stack_deploy`), chosen by the `cibles=` of the blocks of `templates/parties/partie-6.md`.

mod compose;
mod swarm;

use std::path::Path;

use crate::error::Result;
use crate::runbook::RunContext;
use crate::settings::Target;
use crate::steps::{SwarmCadvisors, SwarmClient, SwarmNodes};

pub use swarm::DeploymentDoc;

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
    fn metrics_nodes(&self) -> Option<&SwarmCadvisors>;

    /// How the documentation describes this deployment beyond the
    /// tutorial's single host (`None`: nothing to add).
    fn documentation(&self, compose_file: &Path) -> Option<DeploymentDoc>;

    /// Whether it offers `capability`.
    fn supports(&self, capability: Capability) -> bool {
        supports(self.target(), capability)
    }
}

/// The deployment the preflight chose for this run.
pub fn of(ctx: &RunContext) -> Box<dyn Deployment + '_> {
    let swarm = ctx.get::<SwarmClient>().is_some()
        || ctx.get::<SwarmNodes>().is_some()
        || ctx.get::<SwarmCadvisors>().is_some();
    if swarm {
        Box::new(swarm::SwarmDeployment { ctx })
    } else {
        Box::new(compose::ComposeDeployment { ctx })
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
        ctx.put(SwarmNodes(
            crate::testing::swarm::FakeSwarm::three_nodes()
                .nodes
                .borrow()
                .clone(),
        ));
        let d = of(&ctx);
        assert_eq!(d.target(), Target::Swarm);
        assert!(!d.supports(Capability::Alerting));
        assert_eq!(d.documentation(Path::new("c.yml")).unwrap().nodes, 3);
    }
}
