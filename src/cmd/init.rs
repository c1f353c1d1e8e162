//! `journal init`: creates a project's layout in the current folder (or
//! `--projet`): `compose/`, `journal/` and a `.gitignore` that keeps the
//! generated book and the secrets out of git. Idempotent: what is already
//! there is left alone and reported « déjà fait ».
//!
//! It writes no compose file and no entry (`journal run` and `journal note`
//! do); an existing `.gitignore` only gets the missing lines appended.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::Output;
use crate::project::Project;

/// The lines `journal init` makes sure `.gitignore` has.
/// `/verifications/` (the state and per-day summaries of `journal verifie`)
/// too: it changes at every scheduled verification (every hour) and
/// belongs to the host that verifies, like `book/` to the one that builds;
/// what matters for the history, each change of state, is an entry of
/// `journal/`.
pub const GITIGNORE_LINES: [&str; 4] = [
    "/book/",
    "/.journal-secrets/",
    "/journal/.execution.verrou",
    "/verifications/",
];

/// Runs `journal init` in `root` (the `--projet` folder, else the current one).
pub fn execute(root: Option<&Path>, out: &Output) -> Result<()> {
    let root: PathBuf = match root {
        Some(r) => r.to_path_buf(),
        None => crate::project::current_dir()?,
    };
    if root.exists() && !root.is_dir() {
        return Err(
            Error::usage(format!("« {} » n'est pas un dossier", root.display()))
                .with_hint("indiquez un dossier avec --projet <DOSSIER>"),
        );
    }
    if !crate::project::is_root(&root)
        && let Some(parent) = root.parent().and_then(Project::discover)
    {
        out.warn(&format!(
            "ce dossier est dans le projet « {} » : le nouveau projet le masquera pour \
             les commandes lancées ici",
            parent.root().display()
        ));
    }
    let mut created = Vec::new();
    for dir in ["compose", "journal"] {
        let path = root.join(dir);
        if path.is_dir() {
            continue;
        }
        std::fs::create_dir_all(&path).map_err(|e| Error::io("création de", &path, e))?;
        created.push(format!("{dir}/"));
    }
    if update_gitignore(&root.join(".gitignore"))? {
        created.push(".gitignore".to_string());
    }
    if created.is_empty() {
        out.success(&format!(
            "projet « {} » : déjà fait (compose/, journal/ et .gitignore en place)",
            root.display()
        ));
    } else {
        out.success(&format!(
            "projet « {} » initialisé : {}",
            root.display(),
            created.join(", ")
        ));
        out.info(
            "ensuite : journal run partie-6 --dry-run, puis journal run partie-6 et journal build",
        );
    }
    Ok(())
}

/// Appends the missing [`GITIGNORE_LINES`]; `true` if the file changed.
fn update_gitignore(path: &Path) -> Result<bool> {
    let current = crate::store::read_optional(path)?.unwrap_or_default();
    let have: Vec<&str> = current.lines().map(str::trim).collect();
    let missing: Vec<&str> = GITIGNORE_LINES
        .iter()
        .copied()
        .filter(|l| !have.contains(l) && !have.contains(&l.trim_start_matches('/')))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut text = current;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# journal : livre généré, secrets et verrou d'exécution\n");
    for l in missing {
        text.push_str(l);
        text.push('\n');
    }
    crate::store::write_atomic(path, text.as_bytes(), true)
        .map_err(|e| Error::io("écriture de", path, e))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_keeps_existing_lines_and_adds_the_missing_ones_once() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join(".gitignore");
        std::fs::write(&p, "target\nbook/").unwrap();
        assert!(update_gitignore(&p).unwrap());
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("target\nbook/\n"), "{text}");
        assert!(!text.contains("/book/"), "{text}");
        assert!(text.contains("/.journal-secrets/\n"), "{text}");
        assert!(text.contains("/verifications/\n"), "{text}");
        assert!(!update_gitignore(&p).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    }
}
