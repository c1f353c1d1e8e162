//! A compose file edit written to disk: the step computes the edit (the
//! comment-preserving editor of `compose_file`), the kit shows its diff,
//! does nothing in `--dry-run`, refuses a read-only file, validates the
//! candidate with Compose itself beside the real file, keeps the old file
//! as a timestamped backup and replaces it atomically.
//!
//! It does not decide what to add: each part's step builds its additions.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::error::{Error, Kind};
use crate::runbook::{RunContext, StepFailure, StepReport};
use crate::steps::ComposeClient;
use crate::steps::kit::managed_file::backup;
use crate::store::Staged;
use crate::textdiff;

/// Writes a compose file edit: the diff in the journal, nothing in
/// `--dry-run`, a read-only file refused, the candidate validated by Compose
/// beside the real file, the old file kept as a timestamped backup.
pub fn write_edit(
    ctx: &RunContext,
    current: Option<&str>,
    edit: &crate::compose_file::Edit,
    command: String,
) -> Result<StepReport, StepFailure> {
    let file = ctx.project.compose_file();
    let shown = ctx.project.display(&file);
    let diff = textdiff::unified(current.unwrap_or(""), &edit.text, &shown);
    let (added, removed) = textdiff::stats(&diff);
    let diff_block = format!(
        "Différences ({added} lignes ajoutées, {removed} retirées) :\n\n````diff\n{diff}````"
    );
    if ctx.dry_run() {
        return Ok(StepReport::skipped(format!(
            "simulation : modifierait {shown} ({})",
            edit.summary_fr()
        ))
        .details(diff_block));
    }
    if let Some(meta) = std::fs::metadata(&file).ok().filter(|_| current.is_some())
        && meta.permissions().mode() & 0o222 == 0
    {
        return Err(Error::usage(format!(
            "{shown} est en lecture seule : il n'a pas été modifié"
        ))
        .with_hint(format!(
            "rendez-le modifiable (chmod u+w {shown}) puis relancez"
        ))
        .into());
    }
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))?;
    // Validate the candidate with Compose itself, beside the real file so
    // relative paths resolve the same way.
    let staged = Staged::new(
        dir,
        ".docker-compose.journal-",
        ".yml",
        edit.text.as_bytes(),
    )
    .map_err(|e| Error::io("écriture dans le dossier", dir, e))?;
    let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
    if let Err(msg) = compose.validate(staged.path()) {
        return Err(StepFailure::from(
            Error::failed(format!("« {} config » refuse le fichier modifié : {shown} n'a pas été touché", compose.program()))
                .with_hint("vérifiez la différence ci-dessous et le reste du fichier ; relancez avec -v pour plus de détails"),
        )
        .output(msg)
        .details(diff_block));
    }
    let mut summary = format!("{shown} mis à jour : {}", edit.summary_fr());
    if let Some(meta) = std::fs::metadata(&file).ok().filter(|_| current.is_some()) {
        let backup = backup(&file)?;
        let _ = staged.set_permissions(meta.permissions());
        summary.push_str(&format!(" ; sauvegarde : {}", ctx.project.display(&backup)));
    }
    staged
        .commit(&file)
        .map_err(|e| Error::io("remplacement de", &file, e).with_kind(Kind::Io))?;
    Ok(StepReport::done(summary)
        .command(command)
        .output(format!(
            "{} -f {shown} config -q : fichier valide",
            compose.program()
        ))
        .details(diff_block))
}
