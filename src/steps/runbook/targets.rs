//! `journal:cibles`: the targets of a Prometheus job, waited for until all
//! are up (the block's `delai`, else `JOURNAL_DELAI_CIBLES`) with the kit's
//! `wait_targets`; the targets table goes to the journal.

use std::time::Duration;

use crate::adapters::prometheus::Target;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::prometheus::{TargetHints, targets_table, wait_targets};

use super::{Adapters, Meta};

/// The step.
pub struct TargetsStep {
    /// Its block.
    pub meta: Meta,
    /// The job.
    pub job: String,
    /// Its own wait limit.
    pub timeout: Option<Duration>,
}

fn down_hint(down: &[&Target]) -> String {
    let first = down.first().map_or("", |t| t.scrape_url.as_str());
    format!(
        "le service de la cible est-il démarré et joignable depuis Prometheus ? Essayez \
         `docker compose exec prometheus wget -qO- {first}`"
    )
}

const HINTS: TargetHints = TargetHints {
    none: "aucune cible pour ce job : est-il dans prometheus.yml, et Prometheus a-t-il relu sa configuration ?",
    down: down_hint,
};

impl Step for TargetsStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let timeout = self.timeout.unwrap_or(ctx.settings.targets_timeout);
        let command = format!("curl -s {}/api/v1/targets", ctx.settings.prometheus_url);
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "attendrait que les cibles du job « {} » soient up",
                self.job
            ))
            .command(command));
        }
        let ports = Adapters::of(ctx)?;
        let api = ports.prometheus(ctx)?;
        match wait_targets(api.as_ref(), Some(&self.job), timeout, ports.poll, &HINTS) {
            Ok(o) => Ok(StepReport::done(format!(
                "job « {} » : {} cible(s) up",
                self.job,
                o.targets.len()
            ))
            .command(command)
            .details(targets_table(&o.targets))),
            Err((e, targets)) => {
                let mut f = StepFailure::from(e).command(command);
                if !targets.is_empty() {
                    f = f.details(targets_table(&targets));
                }
                Err(f)
            }
        }
    }
}
