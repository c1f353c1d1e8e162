//! `journal:http`: an address that must answer an expected status (200 by
//! default) and, if asked, a body containing a text — waited for (the
//! block's `delai`, else `JOURNAL_DELAI_DEMARRAGE`) with the kit's bounded
//! wait.

use std::time::Duration;

use crate::error::{Error, Kind};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::wait::{Poll, Stopped, wait_until};

use super::{Meta, Ports};

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

impl HttpStep {
    fn answers(&self, status: u16, body: &str) -> bool {
        status == self.status && self.contains.as_deref().is_none_or(|c| body.contains(c))
    }
}

impl Step for HttpStep {
    fn id(&self) -> &'static str {
        self.meta.id
    }

    fn title(&self) -> &'static str {
        self.meta.title
    }

    fn explanation(&self) -> Option<String> {
        Some(self.meta.prose.clone())
    }

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
        let ports = Ports::of(ctx);
        let waited = wait_until(timeout, ports.poll, || match ports.http.get(&self.url) {
            Ok((status, body)) if self.answers(status, &body) => Ok(Poll::Ready(status)),
            Ok(reply) => Ok(Poll::Pending(Ok(reply))),
            Err(e) if e.kind() == Kind::Environment => Ok(Poll::Pending(Err(e))),
            Err(e) => Err(e),
        });
        match waited {
            Ok(w) => Ok(StepReport::done(format!(
                "{} répond {}{}",
                self.url,
                w.value,
                self.contains
                    .as_deref()
                    .map_or(String::new(), |c| format!(", avec « {c} »"))
            ))
            .command(command)),
            Err(Stopped::Failed(e)) | Err(Stopped::TimedOut { last: Err(e), .. }) => {
                Err(StepFailure::from(e).command(command))
            }
            Err(Stopped::TimedOut {
                last: Ok((status, body)),
                ..
            }) => {
                let why = if status != self.status {
                    format!("a répondu {status} ({} attendu)", self.status)
                } else {
                    format!(
                        "a répondu sans « {} »",
                        self.contains.as_deref().unwrap_or_default()
                    )
                };
                Err(StepFailure::from(
                    Error::failed(format!(
                        "{} {why} après {}",
                        self.url,
                        crate::french::duration_ms(timeout.as_millis() as u64)
                    ))
                    .with_hint(format!(
                        "le début de sa réponse est dans le journal ; vérifiez le service, ou le bloc ({})",
                        self.meta.at
                    )),
                )
                .command(command)
                .output(body.chars().take(2000).collect::<String>()))
            }
        }
    }
}
