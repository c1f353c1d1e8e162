//! `journal:commande`: a shell command of a runbook, with a time limit (its
//! `delai=`, else `JOURNAL_DELAI_COMMANDE`), its expected exit status and
//! text, and its « déjà fait » check (`deja_fait=`: a command whose success
//! means there is nothing to do). Command and output go to the journal,
//! which masks every secret it knows. In `--dry-run`, nothing runs — not
//! even the check.

use std::time::Duration;

use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};

use super::{Adapters, Meta};

/// The step.
pub struct CommandStep {
    /// Its block.
    pub meta: Meta,
    /// The script (`sh -c`).
    pub script: String,
    /// The « déjà fait » check.
    pub already_done: Option<String>,
    /// Text the output must contain.
    pub expected: Option<String>,
    /// Expected exit status.
    pub code: i32,
    /// Its own time limit.
    pub timeout: Option<Duration>,
}

impl CommandStep {
    fn limit(&self) -> Result<Duration, Error> {
        match self.timeout {
            Some(t) => Ok(t),
            None => crate::settings::command_timeout(),
        }
    }
}

impl Step for CommandStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let script = self.script.trim_end().to_string();
        let limit = self.limit()?;
        let secs = limit.as_secs();
        if ctx.dry_run() {
            let check = self
                .already_done
                .as_deref()
                .map_or(String::new(), |c| format!(" (sauf si `{c}` réussit)"));
            return Ok(StepReport::skipped(format!(
                "lancerait la commande{check}, {secs} s au plus"
            ))
            .command(script));
        }
        let ports = Adapters::of(ctx)?;
        let dir = ctx.project.root().to_path_buf();
        if let Some(check) = &self.already_done {
            let r = ports.shell.run(check, &dir, limit)?;
            if r.code == Some(0) {
                return Ok(StepReport::already_done(format!(
                    "déjà fait : la vérification `{check}` réussit, la commande n'a pas été lancée"
                ))
                .command(check.clone()));
            }
        }
        let r = ports.shell.run(&script, &dir, limit)?;
        let fail = |error: Error| {
            StepFailure::from(error)
                .command(script.clone())
                .output(r.output.clone())
        };
        if r.timed_out {
            return Err(fail(
                Error::failed(format!(
                    "la commande a dépassé son délai de {secs} s : elle a été arrêtée"
                ))
                .with_hint(format!(
                    "si elle a besoin de plus de temps, écrivez delai=<secondes> dans l'en-tête du bloc \
                     ({}) ou réglez JOURNAL_DELAI_COMMANDE",
                    self.meta.at
                )),
            ));
        }
        if r.code != Some(self.code) {
            let got = r.code.map_or("arrêtée par un signal".to_string(), |c| {
                format!("code {c}")
            });
            return Err(fail(
                Error::failed(format!(
                    "la commande a échoué ({got}, {} attendu)",
                    self.code
                ))
                .with_hint(format!(
                    "sa sortie est dans le journal ; relancez-la à la main depuis la racine du projet \
                     pour comprendre, puis corrigez le bloc ({})",
                    self.meta.at
                )),
            ));
        }
        if let Some(want) = &self.expected
            && !r.output.contains(want.as_str())
        {
            return Err(fail(
                Error::failed(format!(
                    "la sortie de la commande ne contient pas « {want} »"
                ))
                .with_hint(format!(
                    "vérifiez la sortie enregistrée, ou le champ attendu= du bloc ({})",
                    self.meta.at
                )),
            ));
        }
        let mut report = StepReport::done(format!("commande réussie (code {})", self.code))
            .command(script.clone());
        if !r.output.trim().is_empty() {
            report = report.output(r.output.clone());
        }
        if let Some(check) = &self.already_done {
            let again = ports.shell.run(check, &dir, limit)?;
            if again.code != Some(0) {
                report = report.warn(format!(
                    "la vérification « déjà fait » `{check}` échoue encore après la commande : \
                     la prochaine exécution la relancera"
                ));
            }
        }
        Ok(report)
    }
}
