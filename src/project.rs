//! The infrastructure project `journal` works on (`--projet`, default: the
//! current directory) and where each of its parts lives.
//!
//! It only computes paths and checks the root exists; it creates nothing.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The sub-folder of `journal/` holding the parts' documentation pages
/// (written by the steps, published by the book).
pub const DOCS_DIR: &str = "documentation";

/// Paths of an infrastructure project.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

impl Project {
    /// Opens the project at `root` (or the current directory); it must exist.
    pub fn open(root: Option<&Path>) -> Result<Self> {
        let root = match root {
            Some(r) => r.to_path_buf(),
            None => std::env::current_dir()
                .map_err(|e| Error::io("lecture du dossier courant", Path::new("."), e))?,
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
