//! Restarting a Compose service because its configuration changed (a
//! bind-mounted file is read at start): `compose restart`, its output kept
//! in the step's log under a French line that says why, a failure shown
//! with the command and the log so far.

use std::path::Path;

use crate::adapters::compose::Compose;
use crate::runbook::StepFailure;

/// Restarts `service` of the compose file `file` because of `why`; appends
/// its output to `log`; the French action for the report.
pub fn restart(
    compose: &dyn Compose,
    file: &Path,
    service: &str,
    why: &str,
    log: &mut String,
) -> Result<String, StepFailure> {
    let r = compose.restart(file, &[service]).map_err(|e| {
        StepFailure::from(e)
            .command(format!("{} restart {service}", compose.program()))
            .output(log.clone())
    })?;
    log.push_str(&format!(
        "\n# {why} : redémarrage de {service}\n{}",
        r.combined()
    ));
    Ok(format!("{service} redémarré ({why})"))
}
