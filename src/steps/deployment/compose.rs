//! The Compose deployment: one Docker host, `docker compose` on the
//! project's compose file (the tutorial's way).

use std::path::Path;

use crate::error::Result;
use crate::runbook::RunContext;
use crate::settings::Target;
use crate::steps::{ComposeClient, ComposeProject, MetricsNodes};

use super::{Deployment, DeploymentDoc};

/// The services of a Compose project on this host.
pub struct ComposeDeployment<'a> {
    pub(super) ctx: &'a RunContext,
}

impl Deployment for ComposeDeployment<'_> {
    fn target(&self) -> Target {
        Target::Compose
    }

    fn exec_in_service(&self, service: &str, args: &[&str], input: &str) -> Result<()> {
        let project = self.ctx.require::<ComposeProject>("le projet Compose")?;
        let compose = self.ctx.require::<ComposeClient>("le client Compose")?;
        compose
            .0
            .exec_with_input(&project.file, service, args, input)
            .map(|_| ())
    }

    fn service_status_command(&self, service: &str) -> Result<String> {
        // What `exec_in_service` needs, asked first: a missing client is an
        // error of the run, not of the command.
        self.ctx.require::<ComposeProject>("le projet Compose")?;
        self.ctx.require::<ComposeClient>("le client Compose")?;
        Ok(format!("docker compose ps {service}"))
    }

    fn metrics_nodes(&self) -> Option<&MetricsNodes> {
        None
    }

    fn documentation(&self, _compose_file: &Path) -> Option<DeploymentDoc> {
        None
    }
}
