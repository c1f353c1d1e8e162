//! Writing the book under `book/` (`book.toml`, `book/src/…`) and rendering
//! it to `book/html/` with the mdBook 0.5 library, with a preprocessor that
//! strips the entries' YAML front matter (mdBook would render it as a rule
//! and a heading).
//!
//! It does not generate nor check page texts (see `generate` and `check`).

use std::fs;
use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use mdbook_driver::book::Book;
use mdbook_driver::config::Config;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use super::generate::BOOK_TITLE;
use super::{ENTRIES_DIR, Sources};
use crate::error::{Error, Result};

/// The HTML output folder, relative to `book/`.
pub const HTML_DIR: &str = "html";

/// The `book.toml` written beside the sources, equivalent to [`config`] (a
/// unit test checks it), so that `mdbook build book/` gives the same book.
pub const BOOK_TOML: &str = r#"# Généré par `journal build` : ne pas modifier (le fichier est réécrit).
[book]
title = "Journal d'exploitation"
language = "fr"
src = "src"

[build]
build-dir = "html"
create-missing = false
use-default-preprocessors = false

[output.html]
hash-files = false
no-section-label = true

[output.html.search]
enable = true
"#;

/// The mdBook configuration, built in code.
pub fn config() -> Result<Config> {
    let mut cfg = Config::default();
    cfg.book.title = Some(BOOK_TITLE.into());
    cfg.book.language = Some("fr".into());
    cfg.book.src = PathBuf::from("src");
    cfg.build.build_dir = PathBuf::from(HTML_DIR);
    cfg.build.create_missing = false;
    // No `{{#include}}` processing of the entries' text: they are data.
    cfg.build.use_default_preprocessors = false;
    // Every key below must exist in mdBook's HtmlConfig: an unknown key
    // silently resets all HTML settings (see the unit test).
    let settings: [(&str, bool); 3] = [
        ("output.html.hash-files", false),
        ("output.html.no-section-label", true),
        ("output.html.search.enable", true),
    ];
    for (key, value) in settings {
        cfg.set(key, value)
            .map_err(|e| Error::failed(format!("configuration mdBook invalide ({key}) : {e}")))?;
    }
    Ok(cfg)
}

/// Strips the YAML front matter of the entry pages.
pub struct StripFrontMatter;

impl Preprocessor for StripFrontMatter {
    fn name(&self) -> &str {
        "journal-entetes"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        book.for_each_chapter_mut(|ch| {
            let is_entry = ch.path.as_ref().is_some_and(|p| p.starts_with(ENTRIES_DIR));
            if is_entry && let Some(body) = strip_front_matter(&ch.content) {
                ch.content = body;
            }
        });
        Ok(book)
    }
}

/// The text without its front matter, or `None` if it has none.
pub fn strip_front_matter(text: &str) -> Option<String> {
    crate::store::entry::split(text).map(|(_, body, _)| body.to_string())
}

/// Replaces `book/src` and `book/book.toml` with the sources.
pub fn write_sources(book_dir: &Path, sources: &Sources) -> Result<()> {
    let src = book_dir.join("src");
    remove_dir(&src)?;
    fs::create_dir_all(&src).map_err(|e| Error::io("création du dossier", &src, e))?;
    fs::write(book_dir.join("book.toml"), BOOK_TOML)
        .map_err(|e| Error::io("écriture de", &book_dir.join("book.toml"), e))?;
    let mut made = std::collections::HashSet::new();
    let mut ensure_parent = |path: &Path| -> Result<()> {
        if let Some(parent) = path.parent()
            && made.insert(parent.to_path_buf())
        {
            fs::create_dir_all(parent).map_err(|e| Error::io("création du dossier", parent, e))?;
        }
        Ok(())
    };
    for (rel, text) in &sources.files {
        let path = src.join(rel);
        ensure_parent(&path)?;
        fs::write(&path, text).map_err(|e| Error::io("écriture de", &path, e))?;
    }
    for (rel, from) in &sources.assets {
        let path = src.join(rel);
        ensure_parent(&path)?;
        fs::copy(from, &path).map_err(|e| Error::io("copie de", from, e))?;
    }
    let theme = book_dir.join("theme");
    remove_dir(&theme)?;
    for (rel, text) in &sources.theme {
        let path = theme.join(rel);
        ensure_parent(&path)?;
        fs::write(&path, text).map_err(|e| Error::io("écriture de", &path, e))?;
    }
    Ok(())
}

/// Renders `book/` (sources already written) into `book/html`; returns the
/// path of `index.html`.
pub fn render_html(book_dir: &Path) -> Result<PathBuf> {
    let html = book_dir.join(HTML_DIR);
    remove_dir(&html)?;
    let mut md = MDBook::load_with_config(book_dir, config()?).map_err(|e| {
        Error::failed(format!("chargement du livre impossible : {}", chain(&e)))
            .with_hint("lancez « journal check » pour trouver le chapitre ou le lien en cause")
    })?;
    md.with_preprocessor(StripFrontMatter);
    md.build().map_err(|e| {
        Error::failed(format!("rendu HTML du livre impossible : {}", chain(&e)))
            .with_hint("lancez « journal check », puis « journal build -v » pour plus de détails")
    })?;
    Ok(html.join("index.html"))
}

fn chain(e: &anyhow::Error) -> String {
    e.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" : ")
}

fn remove_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("suppression de l'ancien dossier", dir, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn book_toml_matches_the_config_built_in_code() {
        let from_file = Config::from_str(BOOK_TOML).unwrap();
        let built = config().unwrap();
        assert_eq!(from_file.book.title, built.book.title);
        assert_eq!(from_file.book.language, built.book.language);
        assert_eq!(from_file.build.build_dir, built.build.build_dir);
        assert_eq!(from_file.build.create_missing, built.build.create_missing);
        assert_eq!(
            from_file.build.use_default_preprocessors,
            built.build.use_default_preprocessors
        );
        assert_eq!(from_file.html_config(), built.html_config());
    }

    #[test]
    fn html_settings_are_all_known_to_mdbook() {
        // An unknown key would make html_config() fail and fall back to the
        // defaults (hash-files = true, search = None).
        let html = config().unwrap().html_config().unwrap();
        assert!(!html.hash_files);
        assert!(html.no_section_label);
        assert!(html.search.unwrap().enable);
    }

    #[test]
    fn front_matter_is_stripped() {
        let body =
            strip_front_matter("---\ntype: note\nstatut: consigné\n---\n\n# Titre\n").unwrap();
        assert_eq!(body, "# Titre\n");
        assert_eq!(strip_front_matter("# Titre\n"), None);
    }
}
