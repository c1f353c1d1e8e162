//! The infrastructure project `journal` works on and where each of its parts
//! lives: `--projet` (or `JOURNAL_PROJET`) when given, otherwise found like
//! git finds its repository, by walking up from the current folder to the
//! first one that holds `journal.toml`, `journal/` or `compose/`.
//!
//! It only computes paths and checks the root exists; it creates nothing
//! (`journal init`, in `cmd::init`, creates the layout).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The sub-folder of `journal/` holding the parts' documentation pages
/// (written by the steps, published by the book).
pub const DOCS_DIR: &str = "documentation";
/// The folder, under the project root, where `journal verifie` keeps its
/// state and per-day summaries (outside `journal/`; the book reads the
/// summaries for its health calendar).
pub const VERIFICATIONS_DIR: &str = "verifications";
/// What marks a project root, for messages.
pub const PROJECT_MARKERS: &str = "journal.toml, journal/ ou compose/";

/// Whether `dir` is a project root: it holds `journal.toml`, `journal/` or `compose/`.
pub fn is_root(dir: &Path) -> bool {
    dir.join(crate::settings::PROJECT_FILE).is_file()
        || dir.join("journal").is_dir()
        || dir.join("compose").is_dir()
}

/// The current directory, as an I/O error when it cannot be read (deleted).
pub fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(|e| Error::io("lecture du dossier courant", Path::new("."), e))
}

/// Paths of an infrastructure project.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

impl Project {
    /// Opens the project at `root` when given (it must exist; nothing else is
    /// required of it), otherwise the one found by [`Project::discover`] from
    /// the current directory.
    pub fn open(root: Option<&Path>) -> Result<Self> {
        let root = match root {
            Some(r) => r.to_path_buf(),
            None => {
                let cwd = current_dir()?;
                return Project::discover(&cwd).ok_or_else(|| {
                    Error::usage(format!(
                        "« {} » n'est dans aucun projet journal (ni ce dossier ni ses parents \
                         ne contiennent {PROJECT_MARKERS})",
                        cwd.display()
                    ))
                    .with_hint(
                        "créez un projet ici avec « journal init », placez-vous dans un projet, \
                         ou indiquez sa racine avec --projet <DOSSIER>",
                    )
                });
            }
        };
        if !root.is_dir() {
            let what = if root.exists() {
                "n'est pas un dossier"
            } else {
                "n'existe pas"
            };
            return Err(Error::usage(format!(
                "le dossier de projet « {} » {what}",
                root.display()
            ))
            .with_hint(
                "indiquez la racine du projet d'infrastructure avec --projet <DOSSIER> \
                 (le dossier qui contient compose/, journal/ et book/)",
            ));
        }
        Ok(Project { root })
    }

    /// The project whose root is `start` or its nearest ancestor holding
    /// `journal.toml`, `journal/` or `compose/`; `None` up to `/`.
    pub fn discover(start: &Path) -> Option<Self> {
        start
            .ancestors()
            .find(|dir| is_root(dir))
            .map(|root| Project {
                root: root.to_path_buf(),
            })
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `journal/`: one Markdown file per entry.
    pub fn journal_dir(&self) -> PathBuf {
        self.root.join("journal")
    }

    /// `book/`: the generated mdBook (sources in `book/src`, HTML in `book/html`).
    pub fn book_dir(&self) -> PathBuf {
        self.root.join("book")
    }

    /// `verifications/`: the state and per-day summaries of `journal verifie`.
    pub fn verifications_dir(&self) -> PathBuf {
        self.root.join(VERIFICATIONS_DIR)
    }

    /// `templates/`: files overriding the embedded templates of the same name.
    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("templates")
    }

    /// `compose/`: the Docker Compose project.
    pub fn compose_dir(&self) -> PathBuf {
        self.root.join("compose")
    }

    /// `compose/docker-compose.yml`.
    pub fn compose_file(&self) -> PathBuf {
        self.compose_dir().join("docker-compose.yml")
    }

    /// `parties/`: the project's own parts, one Markdown runbook per file.
    pub fn parts_dir(&self) -> PathBuf {
        self.root.join("parties")
    }

    /// `.journal-secrets/`: secrets kept outside `journal/` and `book/`, git-ignored.
    pub fn secrets_dir(&self) -> PathBuf {
        self.root.join(".journal-secrets")
    }

    /// `journal/documentation/`: the parts' documentation pages, written by
    /// their last step and published by the book.
    pub fn docs_dir(&self) -> PathBuf {
        self.journal_dir().join(DOCS_DIR)
    }

    /// A path relative to the root, for messages and the journal.
    pub fn display(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap_or(p)
            .display()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_walks_up_to_the_nearest_marked_folder() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("infra");
        let deep = root.join("compose/config/prometheus");
        std::fs::create_dir_all(&deep).unwrap();
        let found = Project::discover(&deep).unwrap();
        // compose/config has no marker; compose/ is found in `infra`.
        assert_eq!(found.root(), root);
        std::fs::create_dir_all(root.join("journal")).unwrap();
        let sub = root.join("journal");
        assert_eq!(Project::discover(&sub).unwrap().root(), root);
    }

    #[test]
    fn journal_toml_alone_marks_a_root() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("journal.toml"), "").unwrap();
        std::fs::create_dir_all(t.path().join("a/b")).unwrap();
        assert_eq!(
            Project::discover(&t.path().join("a/b")).unwrap().root(),
            t.path()
        );
    }
}
