//! What `journal run` does the same for a built-in part (`run`) and for a
//! project's runbook (`runbook`): the command line's values as settings
//! options, and the end of a run (the entry's path, the Grafana annotation,
//! success or the failed step's error). It starts no run itself.

use super::Context;
use crate::cli::RunArgs;
use crate::error::{Error, Result};
use crate::runbook::{RunContext, engine};
use crate::settings::RunOptions;

/// The command line's values, as plain settings options.
pub(super) fn options(args: &RunArgs) -> RunOptions {
    RunOptions {
        targets_timeout_secs: args.delai_cibles,
        dashboard_id: args.dashboard,
        grafana_password_file: args.grafana_password_file.clone(),
        force: args.force,
        dry_run: args.dry_run,
        strict: args.strict,
        reset_grafana_password: args.reinitialiser_grafana,
        target: args.cible.clone(),
        drill: args.exercice,
    }
}

/// What the end of a run prints and returns: the entry's path (and the run
/// as a Grafana annotation, with the credentials the run validated), then
/// success, or the failed step's error.
pub(super) fn finish(
    ctx: &Context,
    id: &str,
    dry_run: bool,
    outcome: engine::RunOutcome,
    run_ctx: &RunContext,
) -> Result<()> {
    if let Some(p) = &outcome.path {
        ctx.out.result(&p.display().to_string());
        if !dry_run {
            // The run on the dashboards; a refusal is only a warning.
            // The run's own credentials, else those its start signed in with.
            let creds = run_ctx
                .get::<crate::adapters::grafana::Credentials>()
                .cloned()
                .or_else(|| {
                    run_ctx
                        .get::<super::annotate::StartCredentials>()
                        .and_then(|c| c.0.borrow().clone())
                });
            super::annotate::annotate(ctx, p, super::annotate::SignIn::Run(creds));
        }
    }
    match outcome.failure {
        None => {
            if dry_run {
                ctx.out
                    .success("simulation terminée : rien n'a été modifié");
            } else {
                ctx.out.success(&format!(
                    "{id} terminée ; « journal build » met le livre à jour"
                ));
            }
            Ok(())
        }
        Some(e) => {
            let step = outcome
                .record
                .etapes
                .iter()
                .find(|s| s.statut == crate::store::StepStatus::Failed)
                .map(|s| s.titre.clone())
                .unwrap_or_default();
            let mut err = Error::failed(format!(
                "la {id} a échoué à l'étape « {step} » : {}",
                e.message()
            ))
            .with_kind(e.kind());
            if let Some(h) = e.hint() {
                err = err.with_hint(h.to_string());
            }
            Err(err)
        }
    }
}
