//! Page and text templates (minijinja). The defaults are the files of the
//! repository's `templates/` folder, embedded in the binary; a file of the
//! same name under the project's `templates/` overrides one.
//!
//! It renders text only; it never writes files.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use minijinja::{Environment, UndefinedBehavior, Value, path_loader};
use serde::Serialize;

use crate::error::{Error, Result};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The embedded default of a template, if any.
pub fn embedded(name: &str) -> Option<&'static str> {
    EMBEDDED.get_file(name).and_then(|f| f.contents_utf8())
}

/// The embedded files directly in folder `dir` (`parties`), as (name, text),
/// in name order.
pub fn embedded_in(dir: &str) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = EMBEDDED
        .get_dir(dir)
        .map(|d| {
            d.files()
                .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?)))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A template environment: project overrides first, then embedded defaults.
pub struct Templates {
    env: Environment<'static>,
    overrides: Option<PathBuf>,
}

impl Templates {
    /// Templates with overrides from `dir` when it exists.
    pub fn new(dir: Option<&Path>) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        let overrides = dir.filter(|d| d.is_dir()).map(Path::to_path_buf);
        let disk = overrides.clone().map(path_loader);
        env.set_loader(move |name| {
            if let Some(disk) = &disk
                && let Some(s) = disk(name)?
            {
                return Ok(Some(s));
            }
            Ok(embedded(name).map(|t| minijinja::TemplateSource::from(t.to_string())))
        });
        env.add_filter("date_longue", filter_long_date);
        env.add_filter("date_heure", filter_date_time);
        env.add_filter("heure", filter_time);
        env.add_filter("duree", |ms: u64| crate::french::duration_ms(ms));
        env.add_filter("cellule", |s: String| escape_cell(&s));
        Templates { env, overrides }
    }

    /// Templates without overrides (embedded defaults only).
    pub fn embedded_only() -> Self {
        Self::new(None)
    }

    /// The raw text of a non-template file (e.g. the mdBook theme), the
    /// project's copy first, then the embedded one.
    pub fn raw(&self, name: &str) -> Option<String> {
        if let Some(dir) = &self.overrides
            && let Ok(text) = std::fs::read_to_string(dir.join(name))
        {
            return Some(text);
        }
        embedded(name).map(str::to_string)
    }

    /// Renders `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: impl Serialize) -> Result<String> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| self.error(name, e))?;
        tmpl.render(Value::from(minijinja::value::Serde(&ctx)))
            .map_err(|e| self.error(name, e))
    }

    fn error(&self, name: &str, e: minijinja::Error) -> Error {
        let place = match &self.overrides {
            Some(d) if d.join(name).is_file() => format!("{}", d.join(name).display()),
            _ => format!("{name} (modèle intégré)"),
        };
        let line = e.line().map(|l| format!(":{l}")).unwrap_or_default();
        Error::usage(format!("modèle « {place}{line} » invalide : {e}")).with_hint(
            "corrigez le fichier du dossier templates/ ou supprimez-le pour revenir au modèle intégré",
        )
    }
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(s).ok()
}

fn filter_long_date(s: String) -> String {
    if let Some(t) = parse_time(&s) {
        return crate::french::long_date(t.date_naive());
    }
    match chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        Ok(d) => crate::french::long_date(d),
        Err(_) => s,
    }
}

fn filter_date_time(s: String) -> String {
    parse_time(&s)
        .map(|t| crate::french::date_time(&t))
        .unwrap_or(s)
}

fn filter_time(s: String) -> String {
    parse_time(&s).map(|t| crate::french::time(&t)).unwrap_or(s)
}

/// Escapes a value for a Markdown table cell (pipes and newlines).
pub fn escape_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_file_overrides_embedded_template() {
        let dir = tempfile::tempdir().unwrap();
        let name = "entree-note.md.j2";
        assert!(embedded(name).is_some());
        std::fs::write(dir.path().join(name), "PERSO {{ titre }}\n").unwrap();
        let t = Templates::new(Some(dir.path()));
        let out = t.render(name, serde_json::json!({"titre": "x"})).unwrap();
        assert_eq!(out, "PERSO x\n");
    }

    #[test]
    fn undefined_variable_is_a_french_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.md.j2"), "{{ absent }}").unwrap();
        let e = Templates::new(Some(dir.path()))
            .render("x.md.j2", serde_json::json!({}))
            .unwrap_err();
        assert!(e.message().contains("invalide"), "{}", e.message());
        assert_eq!(e.code(), 2);
    }
}
