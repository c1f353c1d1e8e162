//! `journal:http`: an address that must answer an expected status (200 by
//! default) and, if asked, a body containing a text — the kit's HTTP check
//! (`kit::http_check`), waited for (the block's `delai`, else
//! `JOURNAL_DELAI_DEMARRAGE`) with the kit's bounded wait.

use std::time::Duration;

use crate::error::{Error, Kind};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::http_check::{Expect, check};
use crate::steps::kit::wait::{Poll, Stopped, wait_until};

use super::{Adapters, Meta};

/// The step.
pub struct HttpStep {
    /// Its block.
    pub meta: Meta,
    /// The address.
    pub url: String,
    /// Expected status.
    pub status: u16,
    /// Text the body must contain.
    pub contains: Option<String>,
    /// Its own wait limit.
    pub timeout: Option<Duration>,
}

impl Step for HttpStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let timeout = self.timeout.unwrap_or(ctx.settings.ready_timeout);
        let command = format!("curl -sS -o /dev/null -w '%{{http_code}}' {}", self.url);
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "attendrait le statut {} de {}",
                self.status, self.url
            ))
            .command(command));
        }
        let ports = Adapters::of(ctx)?;
        let expect = Expect {
            url: &self.url,
            status: self.status,
            contains: self.contains.as_deref(),
        };
        let waited = wait_until(timeout, ports.poll, || {
            match check(ports.http.as_ref(), &expect) {
                Ok(body) => Ok(Poll::Ready(body)),
                // A wrong answer or no answer yet: one more state to wait through.
                Err(e) if matches!(e.kind(), Kind::Failed | Kind::Environment) => {
                    Ok(Poll::Pending(e))
                }
                Err(e) => Err(e),
            }
        });
        match waited {
            Ok(_) => Ok(StepReport::done(format!(
                "{} répond {}{}",
                self.url,
                self.status,
                self.contains
                    .as_deref()
                    .map_or(String::new(), |c| format!(", avec « {c} »"))
            ))
            .command(command)),
            Err(Stopped::Failed(e)) => Err(StepFailure::from(e).command(command)),
            Err(Stopped::TimedOut { last, .. }) => {
                let hint = format!(
                    "{} ; ou allongez delai: dans le bloc ({})",
                    last.hint().unwrap_or("vérifiez le service"),
                    self.meta.at
                );
                Err(StepFailure::from(
                    Error::failed(format!(
                        "{} (après {})",
                        last.message(),
                        crate::french::duration_ms(timeout.as_millis() as u64)
                    ))
                    .with_kind(last.kind())
                    .with_hint(hint),
                )
                .command(command))
            }
        }
    }
}
