//! The state a run carries from step to step: project, settings, templates,
//! output, and a typed bag where a step leaves what later steps need (the
//! Docker client, the Grafana password, the data source uid…).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::output::Output;
use crate::project::Project;
use crate::templates::Templates;

use super::Settings;

/// What every step receives.
pub struct RunContext {
    /// The infrastructure project.
    pub project: Project,
    /// Images, URLs, timeouts, options.
    pub settings: Settings,
    /// Templates (project overrides, then embedded).
    pub templates: Templates,
    /// Terminal output.
    pub out: Output,
    /// The entry file's stem, once created (attachments are named after it).
    pub entry_stem: Option<String>,
    /// Who runs, where, against what (recorded in the entry).
    pub origin: crate::store::Origin,
    shared: HashMap<TypeId, Box<dyn Any>>,
}

impl RunContext {
    /// A new context.
    pub fn new(project: Project, settings: Settings, out: Output) -> Self {
        let templates = Templates::new(Some(&project.templates_dir()));
        RunContext {
            project,
            settings,
            templates,
            out,
            entry_stem: None,
            origin: crate::store::Origin::default(),
            shared: HashMap::new(),
        }
    }

    /// Whether this is a `--dry-run`.
    pub fn dry_run(&self) -> bool {
        self.settings.dry_run
    }

    /// Stores a value for later steps (one per type).
    pub fn put<T: Any>(&mut self, value: T) {
        self.shared.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// A value stored by an earlier step.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.shared
            .get(&TypeId::of::<T>())
            .and_then(|b| b.downcast_ref())
    }

    /// A mutable value stored by an earlier step.
    pub fn get_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.shared
            .get_mut(&TypeId::of::<T>())
            .and_then(|b| b.downcast_mut())
    }

    /// A value an earlier step must have stored; a French error otherwise.
    pub fn require<T: Any>(&self, what: &str) -> Result<&T> {
        self.get::<T>().ok_or_else(|| {
            Error::failed(format!(
                "{what} n'est pas disponible : une étape précédente ne l'a pas préparé"
            ))
        })
    }

    /// Writes an attachment (e.g. an SVG chart) next to the run's entry and
    /// returns its file name, to be linked from the entry's Markdown.
    pub fn attach(&self, suffix: &str, bytes: &[u8]) -> Result<Option<String>> {
        let Some(stem) = &self.entry_stem else {
            return Ok(None);
        };
        let name = format!("{stem}-{suffix}");
        let path: PathBuf = self.project.journal_dir().join(&name);
        crate::store::write_atomic(&path, bytes, true)
            .map_err(|e| Error::io("écriture de la pièce jointe", &path, e))?;
        Ok(Some(name))
    }
}
