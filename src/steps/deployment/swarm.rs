//! The Swarm deployment: a stack deployed from a manager; a service's
//! containers are its tasks, spread over the nodes, and each node has its
//! own cAdvisor.

use std::path::Path;

use crate::error::Result;
use crate::runbook::RunContext;
use crate::settings::Target;
use crate::steps::{ComposeProject, MetricsNodes, SwarmClient, SwarmNodes};

use super::Deployment;
use crate::adapters::swarm::Node;
use crate::steps::kit::table::Table;

/// A stack on a swarm.
pub struct SwarmDeployment<'a> {
    pub(super) ctx: &'a RunContext,
}

/// What the documentation says of a deployment beyond one host: the stack
/// file, the stack's name, the nodes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeploymentDoc {
    /// The stack file, as shown.
    pub stack_file: String,
    /// The stack's name.
    pub pile: String,
    /// Number of nodes.
    pub nodes: usize,
    /// The node table (Markdown).
    pub nodes_table: String,
}

impl SwarmDeployment<'_> {
    fn stack(&self) -> Result<String> {
        Ok(self
            .ctx
            .require::<ComposeProject>("le projet Compose")?
            .name
            .clone())
    }
}

impl Deployment for SwarmDeployment<'_> {
    fn target(&self) -> Target {
        Target::Swarm
    }

    fn exec_in_service(&self, service: &str, args: &[&str], input: &str) -> Result<()> {
        let full = format!("{}_{service}", self.stack()?);
        let swarm = self.ctx.require::<SwarmClient>("le client Swarm")?;
        swarm.0.exec_in_service(&full, args, input).map(|_| ())
    }

    fn service_status_command(&self, service: &str) -> Result<String> {
        Ok(format!("docker service ps {}_{service}", self.stack()?))
    }

    fn metrics_nodes(&self) -> Option<&MetricsNodes> {
        self.ctx.get::<MetricsNodes>()
    }

    fn documentation(&self, compose_file: &Path) -> Option<DeploymentDoc> {
        let nodes = self.ctx.get::<SwarmNodes>()?;
        Some(DeploymentDoc {
            stack_file: self
                .ctx
                .project
                .display(&crate::steps::stack_file::stack_path(compose_file)),
            pile: self
                .ctx
                .get::<ComposeProject>()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            nodes: nodes.0.len(),
            nodes_table: nodes_table(&nodes.0, ""),
        })
    }
}

/// The node table for the journal.
pub fn nodes_table(nodes: &[Node], self_id: &str) -> String {
    let mut t = Table::new([
        "ID du nœud",
        "Adresse",
        "Rôle",
        "État",
        "Disponibilité",
        "Moteur",
    ]);
    for n in nodes {
        t.row([
            format!(
                "`{}`{}",
                n.id,
                if n.id == self_id { " (ce moteur)" } else { "" }
            ),
            n.addr.clone(),
            n.role_label().to_string(),
            n.state.clone(),
            n.availability.clone(),
            n.engine.clone(),
        ]);
    }
    t.render()
}
