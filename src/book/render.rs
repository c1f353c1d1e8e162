//! Writing and rendering the books with the mdBook 0.5 library: the main
//! book (`book/src` → `book/html`) and one book per month
//! (`book/mois/<mois>/src` → `book/mois/<mois>/html`, copied into
//! `book/html/mois/<mois>/`).
//!
//! A month book is rendered again only when the SHA-256 of its inputs (its
//! pages, its theme, its `book.toml` and the tool's version) differs from
//! the one recorded beside its last rendering (`.empreinte`), or when
//! `full` is set (`journal build --complet`). The main book is rendered
//! into `book/.principal` (mdBook empties the folder it renders into) and
//! linked into `book/html`, which is never emptied: images are copied only
//! when their original changed, and what no longer belongs to the site is
//! pruned. Every file written is readable by all (the book is meant to be
//! served).
//!
//! It does not generate nor check page texts (see `generate` and `check`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use mdbook_driver::MDBook;
use mdbook_driver::book::Book;
use mdbook_driver::config::Config;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use sha2::{Digest, Sha256};

use super::files::{
    copy_tree_each, create_dir, link_or_copy, remove_dir, write_bytes_if_changed, write_file,
    write_if_changed, write_tree,
};
use super::paths::{BOOK_TITLE, ENTRIES_DIR, FINGERPRINT, HTML_DIR, MAIN_OUT, MONTHS_DIR};
use super::sources::Sources;
use crate::error::{Error, Result};

/// The `book.toml` of a book (the main one when `month` is `None`), also
/// the configuration the library renders with, so that `mdbook build` on
/// the folder gives the same book.
pub fn book_toml(month: Option<&str>) -> String {
    let title = match month {
        Some(m) => format!("{BOOK_TITLE} — {}", super::pages::month_title(m)),
        None => BOOK_TITLE.to_string(),
    };
    let month_only = if month.is_some() {
        "input-404 = \"\"\n\n[output.html.print]\nenable = false\n"
    } else {
        ""
    };
    format!(
        r#"# Généré par `journal build` : ne pas modifier (le fichier est réécrit).
[book]
title = "{title}"
language = "fr"
src = "src"

[build]
build-dir = "html"
create-missing = false
use-default-preprocessors = false

[output.html]
hash-files = false
no-section-label = true
{month_only}
[output.html.search]
enable = false
"#
    )
}

/// The mdBook configuration of a book (see [`book_toml`]).
pub fn config(month: Option<&str>) -> Result<Config> {
    Config::from_str(&book_toml(month))
        .map_err(|e| Error::failed(format!("configuration mdBook invalide : {e}")))
}

/// Strips the YAML front matter of pages copied from `journal/`.
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

/// One book's share of the sources.
#[derive(Default)]
struct BookFiles<'a> {
    pages: BTreeMap<&'a str, &'a str>,
}

/// The theme of a book: the main theme, with the site root placeholder
/// (`@RACINE@`) resolved; a month book takes mdBook's shared files (styles,
/// fonts, scripts) from the main book's output rather than its own.
pub fn theme_for(theme: &BTreeMap<String, String>, month: bool) -> BTreeMap<String, String> {
    let up = if month { "../../" } else { "" };
    theme
        .iter()
        .map(|(rel, text)| {
            let mut t = text.replace("@RACINE@", up);
            if month && rel == "index.hbs" {
                t = shared_resources(&t);
            }
            (rel.clone(), t)
        })
        .collect()
}

/// `{{ resource "x" }}` → `{{ path_to_root }}../../x`, except `toc.js`
/// (each book has its own table of contents).
fn shared_resources(hbs: &str) -> String {
    let mut out = String::with_capacity(hbs.len());
    let mut rest = hbs;
    let marker = "{{ resource \"";
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i]);
        let after = &rest[i + marker.len()..];
        let Some(end) = after.find("\" }}") else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = &after[..end];
        if name == "toc.js" {
            out.push_str(&rest[i..i + marker.len() + end + 4]);
        } else {
            out.push_str("{{ path_to_root }}../../");
            out.push_str(name);
        }
        rest = &after[end + 4..];
    }
    out.push_str(rest);
    out
}

/// Moves the second half of the page template of a month book
/// (`index.hbs`: the page's body, from the menu bar on) into its header
/// partial (`header.hbs`, which mdBook's template includes and which is
/// empty in this theme), the pages staying the same byte for byte. mdBook
/// parses the template again for every book, and the parser's cost grows
/// with the square of a template's length: two halves parse several times
/// faster than the whole. (The head partial is also included by mdBook's
/// `toc.html`: it is left alone.)
///
/// The partial takes whole lines outside any block, and is called just
/// before the text of the line after them (never on a line of its own,
/// which would indent it). A template of another shape is left as it is.
fn split_into_partials(theme: &mut BTreeMap<String, String>) {
    if theme.contains_key("header.hbs") {
        return;
    }
    let Some(index) = theme.get("index.hbs") else {
        return;
    };
    if let Some((index, header)) = split_template(index) {
        theme.insert("index.hbs".into(), index);
        theme.insert("header.hbs".into(), header);
    }
}

/// `(index, header)` for [`split_into_partials`], or `None`.
fn split_template(t: &str) -> Option<(String, String)> {
    // Only the simple shapes: no whitespace control, inverse or raw blocks,
    // and no tag spanning lines.
    if ["{{~", "~}}", "{{^", "{{{{"].iter().any(|m| t.contains(m)) {
        return None;
    }
    let lines: Vec<&str> = t.split_inclusive('\n').collect();
    // Block depth at the start of each line.
    let mut depth = Vec::with_capacity(lines.len());
    let mut d: i64 = 0;
    for l in &lines {
        if l.matches("{{").count() != l.matches("}}").count() {
            return None;
        }
        depth.push(d);
        d += l.matches("{{#").count() as i64 - l.matches("{{/").count() as i64;
        if d < 0 {
            return None;
        }
    }
    if d != 0 {
        return None;
    }
    let r = lines.iter().position(|l| l.trim() == "{{> header}}")?;
    // The partial: the lines after the call up to the last line of plain
    // text outside any block, which the call then precedes. It starts with
    // a line of plain text too (a tag on a partial's first line could be
    // taken for a standalone one).
    let plain = |i: usize| !lines[i].contains("{{");
    let e = (r + 2..lines.len())
        .rev()
        .find(|&i| depth[i] == 0 && !lines[i].trim().is_empty() && plain(i))?;
    if depth[r] != 0 || !plain(r + 1) {
        return None;
    }
    let index = [
        lines[..r].concat(),
        "{{> header}}".to_string(),
        lines[e..].concat(),
    ]
    .concat();
    Some((index, lines[r + 1..e].concat()))
}

/// What [`render_all`] did.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// `book/html/index.html`.
    pub index: PathBuf,
    /// Month books rendered this time.
    pub months_rendered: usize,
    /// Month books whose previous rendering was reused (same inputs).
    pub months_reused: usize,
    /// Every month book's fingerprint (`2024-03` → SHA-256 of its inputs):
    /// equal fingerprints, identical pages.
    pub fingerprints: BTreeMap<String, String>,
}

/// Writes and renders every book, then assembles the site in `book/html`.
pub fn render_all(book_dir: &Path, sources: &Sources, full: bool) -> Result<Rendered> {
    let mut main = BookFiles::default();
    let mut months: BTreeMap<&str, BookFiles> = BTreeMap::new();
    for (rel, text) in &sources.files {
        match super::check::book_root(rel) {
            "" => main.pages.insert(rel, text),
            root => months.entry(root).or_default().pages.insert(
                rel.strip_prefix(root)
                    .and_then(|r| r.strip_prefix('/'))
                    .unwrap_or(rel),
                text,
            ),
        };
    }
    let html = book_dir.join(HTML_DIR);
    create_dir(&html)?;
    let main_theme = theme_for(&sources.theme, false);
    let mut month_theme = theme_for(&sources.theme, true);
    // A month book's pages take their fonts from the main book's output: an
    // empty `fonts.css` in its theme keeps mdBook from writing the fonts
    // into every month's output (its pages are the same).
    month_theme.insert("fonts/fonts.css".to_string(), String::new());
    split_into_partials(&mut month_theme);
    let mut fingerprints = BTreeMap::new();
    let mut todo: Vec<(PathBuf, String, &BookFiles, String)> = Vec::new();
    for (root, files) in &months {
        let key = root.rsplit('/').next().unwrap_or(root);
        let dir = book_dir.join(root);
        let hash = fingerprint(files, &month_theme, &book_toml(Some(key)));
        fingerprints.insert(key.to_string(), hash.clone());
        let up_to_date = !full
            && dir.join(HTML_DIR).join("index.html").is_file()
            && pages_intact(&dir.join(HTML_DIR), false)
            && fs::read_to_string(dir.join(FINGERPRINT)).is_ok_and(|h| h == hash);
        if !up_to_date {
            todo.push((dir, key.to_string(), files, hash));
        }
    }
    // mdBook empties its output folder before rendering: the main book is
    // rendered beside the site, then linked into it, so that the month
    // pages, the images and the search indexes already there stay. It is
    // rendered beside the month books, on the same cores.
    let main_book = || -> Result<()> {
        write_book(book_dir, &main, &main_theme, &book_toml(None))?;
        render_html(book_dir, None)
    };
    // The images and attachments are copied meanwhile too.
    let assets = || write_assets(&html, &sources.assets, full);
    render_months(&todo, &month_theme, &[&main_book, &assets])?;
    let mut published: std::collections::HashSet<PathBuf> =
        sources.assets.keys().map(PathBuf::from).collect();
    copy_tree_each(&book_dir.join(MAIN_OUT), &html, &mut |target| {
        published.insert(target.strip_prefix(&html).unwrap_or(target).to_path_buf());
    })?;
    // The months kept from the last build (see `incremental`: checked
    // intact with `month_intact` before they were kept).
    let mut roots: std::collections::BTreeSet<String> =
        months.keys().map(|r| r.to_string()).collect();
    for (key, hash) in &sources.kept_months {
        fingerprints.insert(key.clone(), hash.clone());
        roots.insert(format!("{MONTHS_DIR}/{key}"));
    }
    remove_stale_months(book_dir, &roots)?;
    for root in &roots {
        copy_rendered(
            &book_dir.join(root).join(HTML_DIR),
            &html.join(root),
            &html,
            &mut published,
        )?;
    }
    // What an earlier build published and this one did not (a page or an
    // image gone, a stray file): removed. The search indexes are `search`'s.
    prune(&html, &html, &published)?;
    Ok(Rendered {
        index: html.join("index.html"),
        months_rendered: todo.len(),
        months_reused: roots.len() - todo.len(),
        fingerprints,
    })
}

/// Does the jobs of `first` (the main book, the longest, then the images)
/// and renders the month books of `todo`, on every core, each month
/// recording its fingerprint once rendered.
fn render_months(
    todo: &[(PathBuf, String, &BookFiles, String)],
    theme: &BTreeMap<String, String>,
    first: &[&(dyn Fn() -> Result<()> + Sync)],
) -> Result<()> {
    enum Job<'a> {
        First(&'a (dyn Fn() -> Result<()> + Sync)),
        Month(&'a (PathBuf, String, &'a BookFiles<'a>, String)),
    }
    let jobs: Vec<Job> = first
        .iter()
        .map(|f| Job::First(*f))
        .chain(todo.iter().map(Job::Month))
        .collect();
    let done = super::cores::on_cores(&jobs, |job| match job {
        Job::First(job) => job(),
        Job::Month((dir, key, files, hash)) => {
            let _ = fs::remove_file(dir.join(FINGERPRINT));
            write_book(dir, files, theme, &book_toml(Some(key)))?;
            render_html(dir, Some(key))?;
            write_file(&dir.join(FINGERPRINT), hash.as_bytes())
        }
    })
    .unwrap_or_else(|_| vec![Err(Error::failed("rendu d’un livre interrompu"))]);
    done.into_iter().collect()
}

/// The SHA-256 of everything a month book is rendered from.
fn fingerprint(files: &BookFiles, theme: &BTreeMap<String, String>, toml: &str) -> String {
    let mut h = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), "mdbook-driver 0.5.4", toml] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for (rel, text) in theme
        .iter()
        .map(|(r, t)| (r.as_str(), t.as_str()))
        .chain(files.pages.iter().map(|(r, t)| (*r, *t)))
    {
        h.update(rel.as_bytes());
        h.update([0]);
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Replaces `dir/src`, `dir/theme` and `dir/book.toml` with a book's files
/// (a file already there with the same text is left as it is).
fn write_book(
    dir: &Path,
    files: &BookFiles,
    theme: &BTreeMap<String, String>,
    toml: &str,
) -> Result<()> {
    write_tree(&dir.join("src"), &|| {
        Box::new(files.pages.iter().map(|(r, t)| (*r, *t)))
    })?;
    write_tree(&dir.join("theme"), &|| {
        Box::new(theme.iter().map(|(r, t)| (r.as_str(), t.as_str())))
    })?;
    write_if_changed(&dir.join("book.toml"), toml)
}

/// Copies the images and attachments into the site (read and written
/// again: the copy is readable by all whatever the original's mode). A copy
/// already there with the original's size and written after the original's
/// last change is kept; with `full`, only a copy with the original's very
/// bytes is.
fn write_assets(html: &Path, assets: &BTreeMap<String, PathBuf>, full: bool) -> Result<()> {
    let mut made = std::collections::HashSet::new();
    for (rel, from) in assets {
        let path = html.join(rel);
        if !full && copy_is_current(from, &path) {
            continue;
        }
        ensure_parent(&path, &mut made)?;
        let bytes = fs::read(from).map_err(|e| Error::io("lecture de", from, e))?;
        if full {
            write_bytes_if_changed(&path, &bytes)?;
        } else {
            write_file(&path, &bytes)?;
        }
    }
    Ok(())
}

/// Whether `copy` has `original`'s size and was written after it last
/// changed (metadata only).
fn copy_is_current(original: &Path, copy: &Path) -> bool {
    let (Ok(o), Ok(c)) = (fs::metadata(original), fs::symlink_metadata(copy)) else {
        return false;
    };
    let (Ok(om), Ok(cm)) = (o.modified(), c.modified()) else {
        return false;
    };
    c.is_file() && o.len() == c.len() && cm >= om
}

/// Removes the files under `dir` (the site) that are not in `published`,
/// and the folders left empty; the search indexes' folders are left to
/// `search`.
fn prune(dir: &Path, html: &Path, published: &std::collections::HashSet<PathBuf>) -> Result<()> {
    let rd = fs::read_dir(dir).map_err(|e| Error::io("lecture du dossier", dir, e))?;
    for d in rd.filter_map(|d| d.ok()) {
        let path = d.path();
        let rel = path.strip_prefix(html).unwrap_or(&path);
        let Ok(t) = d.file_type() else { continue };
        if t.is_dir() {
            if dir == html && d.file_name() == super::paths::SEARCH_DIR {
                continue;
            }
            prune(&path, html, published)?;
            if fs::read_dir(&path).is_ok_and(|mut rd| rd.next().is_none()) {
                let _ = fs::remove_dir(&path);
            }
        } else if !published.contains(rel) {
            fs::remove_file(&path).map_err(|e| Error::io("suppression de", &path, e))?;
        }
    }
    Ok(())
}

/// Renders `dir` (sources already written) into `dir/html`, the main book
/// into `dir/.principal` ([`MAIN_OUT`]).
fn render_html(dir: &Path, month: Option<&str>) -> Result<()> {
    let mut md = MDBook::load_with_config(dir, config(month)?).map_err(|e| {
        Error::failed(format!("chargement du livre impossible : {}", chain(&e)))
            .with_hint("lancez « journal check » pour trouver le chapitre ou le lien en cause")
    })?;
    if month.is_none() {
        md.config.build.build_dir = PathBuf::from(MAIN_OUT);
    }
    md.with_preprocessor(StripFrontMatter);
    md.build().map_err(|e| {
        let io = e.chain().find_map(|c| c.downcast_ref::<std::io::Error>());
        if let Some(io) = io.filter(|io| io.kind() != std::io::ErrorKind::Other) {
            let io = io
                .raw_os_error()
                .map_or_else(|| std::io::Error::from(io.kind()), std::io::Error::from_raw_os_error);
            return Error::io("rendu HTML du livre dans", dir, io).with_hint(
                "libérez de la place ou corrigez les droits du dossier book/, puis relancez « journal build »",
            );
        }
        Error::failed(format!("rendu HTML du livre impossible : {}", chain(&e)))
            .with_hint("lancez « journal check », puis « journal build -v » pour plus de détails")
    })
}

/// Removes the month books of months that no longer have entries.
fn remove_stale_months(book_dir: &Path, months: &std::collections::BTreeSet<String>) -> Result<()> {
    let dir = book_dir.join(MONTHS_DIR);
    let Ok(rd) = fs::read_dir(&dir) else {
        return Ok(());
    };
    for d in rd.filter_map(|d| d.ok()) {
        let name = d.file_name().to_string_lossy().into_owned();
        if !months.contains(&format!("{MONTHS_DIR}/{name}")) {
            remove_dir(&d.path())?;
        }
    }
    Ok(())
}

/// Copies a month book's pages and table of contents (not mdBook's shared
/// files, taken from the main book) into the site, recording them (relative
/// to `html`) in `published`.
fn copy_rendered(
    from: &Path,
    to: &Path,
    html: &Path,
    published: &mut std::collections::HashSet<PathBuf>,
) -> Result<()> {
    let rd = fs::read_dir(from).map_err(|e| Error::io("lecture du dossier", from, e))?;
    create_dir(to)?;
    for d in rd.filter_map(|d| d.ok()) {
        let name = d.file_name().to_string_lossy().into_owned();
        let path = d.path();
        if path.is_dir() {
            if name == "parties" || name == "revisions" {
                copy_rendered(&path, &to.join(&name), html, published)?;
            }
            continue;
        }
        let keep = (name.ends_with(".html") && name != "print.html") || name == "toc.js";
        if keep {
            let target = to.join(&name);
            link_or_copy(&path, &target)?;
            published.insert(target.strip_prefix(html).unwrap_or(&target).to_path_buf());
        }
    }
    Ok(())
}

/// Whether the month book `key` was rendered from inputs of fingerprint
/// `hash` and its pages are all there: it can be kept without its sources.
pub fn month_intact(book_dir: &Path, key: &str, hash: &str) -> bool {
    let dir = book_dir.join(MONTHS_DIR).join(key);
    dir.join(HTML_DIR).join("index.html").is_file()
        && pages_intact(&dir.join(HTML_DIR), false)
        && fs::read_to_string(dir.join(FINGERPRINT)).is_ok_and(|h| h == hash)
}

/// Whether every HTML page under `book_dir` (month books and the published
/// site) is there and not empty: what `journal build` checks before it trusts
/// its manifest and does nothing (a page emptied since the last build is
/// then rendered again). Only directory entries are read, not the pages.
pub fn book_intact(book_dir: &Path) -> bool {
    pages_intact(book_dir, true)
}

/// Whether every page of a rendered book is there and not empty (a build
/// killed or out of space may have left one empty or half-written: the
/// month is then rendered again); with `deep`, in its sub-folders too (the
/// search index's aside).
fn pages_intact(dir: &Path, deep: bool) -> bool {
    let Ok(rd) = fs::read_dir(dir) else {
        return false;
    };
    rd.filter_map(|d| d.ok()).all(|d| {
        let name = d.file_name();
        let name = name.to_string_lossy();
        match d.file_type() {
            Ok(t) if t.is_dir() => {
                !deep || name == super::paths::SEARCH_DIR || pages_intact(&d.path(), deep)
            }
            _ if name.ends_with(".html") => d.metadata().is_ok_and(|m| m.len() > 0),
            _ => true,
        }
    })
}

fn ensure_parent(path: &Path, made: &mut std::collections::HashSet<PathBuf>) -> Result<()> {
    if let Some(parent) = path.parent()
        && made.insert(parent.to_path_buf())
    {
        create_dir(parent)?;
    }
    Ok(())
}

fn chain(e: &anyhow::Error) -> String {
    e.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" : ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_settings_are_all_known_to_mdbook() {
        // An unknown key would make html_config() fail and fall back to the
        // defaults (hash-files = true, search = None).
        for month in [None, Some("2024-03")] {
            let html = config(month).unwrap().html_config().unwrap();
            assert!(!html.hash_files);
            assert!(html.no_section_label);
            assert!(!html.search.unwrap().enable);
            assert_eq!(html.print.enable, month.is_none());
        }
        assert!(book_toml(Some("2024-03")).contains("mars 2024"));
    }

    #[test]
    fn month_theme_takes_shared_files_from_the_main_book() {
        let hbs = r#"<link href="{{ resource "css/general.css" }}"><script src="{{ resource "toc.js" }}"></script><a href="{{ path_to_root }}@RACINE@recherche.html">"#;
        let theme = BTreeMap::from([("index.hbs".to_string(), hbs.to_string())]);
        let m = &theme_for(&theme, true)["index.hbs"];
        assert_eq!(
            m,
            r#"<link href="{{ path_to_root }}../../css/general.css"><script src="{{ resource "toc.js" }}"></script><a href="{{ path_to_root }}../../recherche.html">"#
        );
        assert!(
            theme_for(&theme, false)["index.hbs"].contains(r#"{{ path_to_root }}recherche.html"#)
        );
    }

    #[test]
    fn month_template_is_split_into_its_partial_without_losing_a_line() {
        let hbs = crate::templates::embedded("theme/index.hbs").unwrap();
        let mut theme = BTreeMap::from([("index.hbs".to_string(), hbs.to_string())]);
        split_into_partials(&mut theme);
        let (index, header) = (&theme["index.hbs"], &theme["header.hbs"]);
        // The page's body is in the partial.
        assert!(header.len() > hbs.len() / 3, "{} octets", header.len());
        // Put back in place of its call (the call's own line gone), the two
        // give the template.
        let back = index.replacen("{{> header}}", header, 1);
        let without_call: String = hbs
            .split_inclusive('\n')
            .filter(|l| l.trim() != "{{> header}}")
            .collect();
        assert_eq!(back, without_call);
        // The call is never alone on its line (a partial alone on its line
        // is indented by handlebars).
        let line = index.lines().find(|l| l.contains("{{> header}}")).unwrap();
        assert_ne!(line.trim(), "{{> header}}");
        assert!(!theme.contains_key("head.hbs"));
        // A theme with its own partial, or of another shape, is kept.
        let mut own = BTreeMap::from([
            ("index.hbs".to_string(), hbs.to_string()),
            ("header.hbs".to_string(), String::new()),
        ]);
        split_into_partials(&mut own);
        assert_eq!(own["index.hbs"], hbs);
        assert_eq!(
            split_template("{{#if a}}\n{{> header}}\nx\n{{/if}}\n"),
            None
        );
    }

    #[test]
    fn fingerprint_changes_with_any_page() {
        let theme = BTreeMap::new();
        let mut a = BookFiles::default();
        a.pages.insert("index.md", "# Mars");
        let h1 = fingerprint(&a, &theme, "t");
        a.pages.insert("2024-03-05.md", "# Jour");
        let h2 = fingerprint(&a, &theme, "t");
        assert_ne!(h1, h2);
        assert_eq!(h2, fingerprint(&a, &theme, "t"));
        assert_ne!(h2, fingerprint(&a, &theme, "u"));
        assert_eq!(h1.len(), 64);
    }

    #[test]
    fn front_matter_is_stripped() {
        let body =
            strip_front_matter("---\ntype: note\nstatut: consigné\n---\n\n# Titre\n").unwrap();
        assert_eq!(body, "# Titre\n");
        assert_eq!(strip_front_matter("# Titre\n"), None);
    }
}

#[cfg(test)]
mod contrast_tests {
    /// Relative luminance of `#rrggbb` (WCAG 2).
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn status_badges_have_a_contrast_of_at_least_4_5() {
        let hbs = crate::templates::embedded("theme/index.hbs").unwrap();
        let mut seen = 0;
        for line in hbs
            .lines()
            .filter(|l| l.trim_start().starts_with(".statut"))
        {
            let Some(i) = line.find("background: #") else {
                continue;
            };
            let bg = &line[i + 12..i + 19];
            // White text on the badge's background.
            let ratio = 1.05 / (luminance(bg) + 0.05);
            assert!(ratio >= 4.5, "{line} : contraste {ratio:.2}");
            seen += 1;
        }
        assert!(seen >= 6, "{seen} couleurs de pastilles");
        assert!(hbs.contains("color: #fff"));
    }
}
