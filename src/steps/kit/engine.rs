//! The Docker engine as the preflights first meet it: connected, its
//! version read, a failure of either shown with `docker info` as the
//! command to try.

use crate::adapters::docker::{Containers, Docker, EngineInfo};
use crate::runbook::StepFailure;

/// Connects to the engine and reads what it says of itself.
pub fn connect() -> Result<(Docker, EngineInfo), StepFailure> {
    let fail = |e| StepFailure::from(e).command("docker info");
    let docker = Docker::connect().map_err(fail)?;
    let info = docker.info().map_err(fail)?;
    Ok((docker, info))
}
