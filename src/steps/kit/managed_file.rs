//! A managed file: a file a step owns and writes whole (a configuration, a
//! rules file, a stack file). The kit reads what is there, compares it with
//! what the step wants, shows the difference for the journal, refuses to
//! replace a file someone changed unless the step allows it (`--force`),
//! keeps the old file beside it as a timestamped backup and writes the new
//! one atomically, readable by all (0644: the official images run as
//! `nobody`).
//!
//! It does not render templates nor decide what counts as « changed by
//! hand »: the step does, then calls these pieces.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::runbook::{RunContext, StepFailure};
use crate::store::{now, write_atomic};
use crate::textdiff;

/// A file the step owns: where it is, how it is shown, what it holds now and
/// what the step wants in it.
#[derive(Debug, Clone)]
pub struct ManagedFile {
    /// Its path.
    pub path: PathBuf,
    /// Its path as shown to the user (relative to the project).
    pub shown: String,
    /// What it holds now (`None`: absent).
    pub current: Option<String>,
    /// What the step wants it to hold.
    pub wanted: String,
}

impl ManagedFile {
    /// Reads the file at `path`; `wanted` is what the step would write.
    pub fn read(ctx: &RunContext, path: PathBuf, wanted: String) -> Result<Self> {
        let current = crate::store::read_optional(&path)?;
        Ok(ManagedFile {
            shown: ctx.project.display(&path),
            path,
            current,
            wanted,
        })
    }

    /// The file already holds what the step wants (« déjà fait »).
    pub fn is_current(&self) -> bool {
        self.current.as_deref() == Some(self.wanted.as_str())
    }

    /// The file exists.
    pub fn exists(&self) -> bool {
        self.current.is_some()
    }

    /// The journal block showing how the file would change.
    pub fn diff_block(&self) -> String {
        diff_block(self.current.as_deref(), &self.wanted, &self.shown)
    }

    /// What `--dry-run` would do: « remplacerait » or « créerait ».
    pub fn dry_run_verb(&self) -> &'static str {
        if self.exists() {
            "remplacerait"
        } else {
            "créerait"
        }
    }

    /// The refusal to replace this file without `--force`.
    pub fn refusal(&self) -> StepFailure {
        differs(&self.shown, self.diff_block())
    }

    /// Writes the wanted text (folder created); a file that was there is
    /// first copied to a timestamped backup, whose shown path is returned.
    pub fn write(&self, ctx: &RunContext) -> Result<Option<String>> {
        write_with_backup(ctx, &self.path, self.exists(), &self.wanted)
    }
}

/// The journal block showing how `current` becomes `wanted`.
pub fn diff_block(current: Option<&str>, wanted: &str, shown: &str) -> String {
    let diff = textdiff::unified(current.unwrap_or(""), wanted, shown);
    format!("Différences :\n\n````diff\n{diff}````")
}

/// The refusal to replace a file that differs from what the part writes.
pub fn differs(shown: &str, diff: String) -> StepFailure {
    StepFailure::from(
        Error::usage(format!(
            "{shown} existe déjà et diffère de ce que journal écrirait : il n'a pas été modifié"
        ))
        .with_hint(format!(
            "relisez la différence ci-dessous ; relancez avec --force pour remplacer {shown} \
             (l'ancien fichier sera sauvegardé à côté, en .bak.<date>)"
        )),
    )
    .details(diff)
}

/// A backup name next to `path`: `<nom>.bak.<AAAAMMJJ-HHMMSS>` (with a
/// suffix `-1`, `-2`… when that name is taken).
pub fn backup_path(path: &Path) -> PathBuf {
    let stamp = now().format("%Y%m%d-%H%M%S");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidate = path.with_file_name(format!("{name}.bak.{stamp}"));
    let mut i = 1;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{name}.bak.{stamp}-{i}"));
        i += 1;
    }
    candidate
}

/// Copies `path` to a fresh [`backup_path`]; returns that path.
pub fn backup(path: &Path) -> Result<PathBuf> {
    let b = backup_path(path);
    std::fs::copy(path, &b).map_err(|e| Error::io("sauvegarde de", path, e))?;
    Ok(b)
}

/// Writes `wanted` at `path` (folder created); a file that was there is
/// first copied to a timestamped backup, whose shown path is returned.
pub fn write_with_backup(
    ctx: &RunContext,
    path: &Path,
    had_file: bool,
    wanted: &str,
) -> Result<Option<String>> {
    create_parent(path)?;
    let backup = if had_file {
        Some(ctx.project.display(&backup(path)?))
    } else {
        None
    };
    write_readable(path, wanted.as_bytes())?;
    Ok(backup)
}

/// Creates the folder that holds `path`.
pub fn create_parent(path: &Path) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))
}

/// Writes `bytes` at `path` atomically, readable by all (0644, as
/// [`write_atomic`] writes): the official Prometheus and Alertmanager images
/// run as `nobody`.
pub fn write_readable(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes, true).map_err(|e| Error::io("écriture de", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_files_are_readable_by_the_containers_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regles/alertes.yml");
        let ctx = crate::testing::test_context(dir.path());
        write_with_backup(&ctx, &path, false, "groups: []\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }

    #[test]
    fn a_replaced_file_is_kept_beside_it_and_the_diff_shows_the_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yml");
        std::fs::write(&path, "old: 1\n").unwrap();
        let ctx = crate::testing::test_context(dir.path());
        let f = ManagedFile::read(&ctx, path.clone(), "new: 2\n".into()).unwrap();
        assert!(!f.is_current());
        assert_eq!(f.dry_run_verb(), "remplacerait");
        assert!(f.diff_block().contains("-old: 1"), "{}", f.diff_block());
        let shown = f.write(&ctx).unwrap().unwrap();
        assert!(shown.contains("a.yml.bak."), "{shown}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new: 2\n");
        let again = ManagedFile::read(&ctx, path, "new: 2\n".into()).unwrap();
        assert!(again.is_current());
        assert!(again.refusal().error.hint().unwrap().contains("--force"));
    }

    #[test]
    fn two_backups_in_the_same_second_get_distinct_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yml");
        std::fs::write(&path, "x").unwrap();
        let a = backup(&path).unwrap();
        let b = backup(&path).unwrap();
        assert_ne!(a, b);
        assert!(a.exists() && b.exists());
    }
}
