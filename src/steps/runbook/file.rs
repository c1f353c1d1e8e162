//! `journal:fichier`: a file of the project written whole with the kit's
//! managed file — « déjà fait » when it already holds the block's content,
//! refused without `--force` when it holds something else (difference in the
//! journal, backup kept when replaced).

use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::managed_file::ManagedFile;

use super::Meta;

/// The step.
pub struct FileStep {
    /// Its block.
    pub meta: Meta,
    /// Path from the project's root.
    pub path: String,
    /// What to write.
    pub content: String,
}

impl Step for FileStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let path = ctx.project.root().join(&self.path);
        let file = ManagedFile::read(ctx, path, self.content.clone())?;
        if file.is_current() {
            return Ok(StepReport::already_done(format!(
                "`{}` contient déjà le texte du bloc ({})",
                file.shown, self.meta.at
            )));
        }
        if ctx.dry_run() {
            return Ok(
                StepReport::skipped(format!("{} `{}`", file.dry_run_verb(), file.shown))
                    .details(file.diff_block()),
            );
        }
        if file.exists() && !ctx.settings.force {
            return Err(file.refusal());
        }
        let backup = file.write(ctx)?;
        let mut report = StepReport::done(format!("`{}` écrit", file.shown));
        if let Some(b) = backup {
            report = report
                .details(file.diff_block())
                .warn(format!("l'ancien fichier est gardé dans `{b}`"));
        }
        Ok(report)
    }
}
