//! `journal:promql`: a PromQL query that must return at least `min` series,
//! waited for (the block's `delai`, else `JOURNAL_DELAI_CIBLES`) with the
//! kit's bounded wait; the series found go to the journal as a table.

use std::time::Duration;

use crate::error::{Error, Kind};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::{Cell, Table};
use crate::steps::kit::wait::{Poll, Stopped, wait_until};

use super::{Adapters, Meta};

/// The step.
pub struct PromqlStep {
    /// Its block.
    pub meta: Meta,
    /// The query.
    pub query: String,
    /// Minimal number of series.
    pub min: u64,
    /// Its own wait limit.
    pub timeout: Option<Duration>,
}

impl Step for PromqlStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let timeout = self.timeout.unwrap_or(ctx.settings.targets_timeout);
        let command = format!(
            "curl -sG {}/api/v1/query --data-urlencode 'query={}'",
            ctx.settings.prometheus_url, self.query
        );
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "attendrait au moins {} série(s) pour `{}`",
                self.min, self.query
            ))
            .command(command));
        }
        let ports = Adapters::of(ctx)?;
        let api = ports.prometheus(ctx)?;
        let waited = wait_until(timeout, ports.poll, || match api.query(&self.query) {
            Ok(r) if r.samples().len() as u64 >= self.min.max(1) => {
                Ok(Poll::Ready(r.samples().to_vec()))
            }
            Ok(r) => Ok(Poll::Pending(Ok(r.samples().len()))),
            Err(e) if e.kind() == Kind::Environment => Ok(Poll::Pending(Err(e))),
            Err(e) => Err(e),
        });
        let samples = match waited {
            Ok(w) => w.value,
            Err(Stopped::Failed(e)) | Err(Stopped::TimedOut { last: Err(e), .. }) => {
                return Err(StepFailure::from(e).command(command));
            }
            Err(Stopped::TimedOut { last: Ok(n), .. }) => {
                return Err(StepFailure::from(
                    Error::failed(format!(
                        "la requête PromQL `{}` renvoie {n} série(s) après {} (au moins {} attendue(s))",
                        self.query,
                        crate::french::duration_ms(timeout.as_millis() as u64),
                        self.min.max(1)
                    ))
                    .with_hint(format!(
                        "essayez la requête dans Prometheus (onglet Graph) ; si les séries arrivent plus \
                         tard, allongez delai: dans le bloc ({})",
                        self.meta.at
                    )),
                )
                .command(command));
            }
        };
        let mut table = Table::new(["série", "valeur"]).right(1);
        for s in samples.iter().take(10) {
            let labels = s
                .metric
                .iter()
                .map(|(k, v)| format!("{k}=\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ");
            table.row([
                Cell::code(format!("{{{labels}}}")),
                Cell::text(crate::french::decimal(s.value, 2)),
            ]);
        }
        Ok(
            StepReport::done(format!("`{}` : {} série(s)", self.query, samples.len()))
                .command(command)
                .details(table.render()),
        )
    }
}
