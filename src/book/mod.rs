//! The mdBook rendering of the journal.
//!
//! - [`load`] reads the project's `journal/` folder (entries, documentation
//!   pages, SVG images) into an [`Input`]; the caller adds the parts
//!   ([`PartInfo`]: the book knows nothing of the runbook);
//! - [`generate`] turns an [`Input`] into the book sources ([`Sources`]: a
//!   map of site paths to texts: the main book and one book per month under
//!   `mois/`), without any I/O;
//! - [`check`] finds broken links, anchors and summary entries in
//!   [`Sources`], without rendering anything;
//! - [`render`] writes the sources under `book/` and renders each book with
//!   the mdBook 0.5 library (a month book only when its sources changed),
//!   then [`search`] indexes the whole site with Pagefind.
//!
//! It never modifies `journal/`, and never fetches external links.

pub mod archive;
pub mod check;
pub mod files;
pub mod generate;
pub mod health;
pub mod ids;
pub mod inline;
pub mod manifest;
pub mod markup;
pub mod model;
pub mod pages;
pub mod paths;
pub mod render;
pub mod sanitize;
pub mod search;
pub mod sources;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::{EntryError, Store};

pub use check::{Problem, check};
pub use generate::generate;
pub use paths::{DOCS_DIR, ENTRIES_DIR, MONTHS_DIR};
pub use sources::{Input, PartInfo, SourceEntry, Sources};

/// Reads the journal: valid entries (oldest first) and the invalid ones.
pub fn load(journal_dir: &Path) -> Result<(Input, Vec<EntryError>)> {
    let store = Store::new(journal_dir);
    let (paths, refused) = store.scan()?;
    // Reading and parsing thousands of entries: on every core.
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let chunk = paths.len().div_ceil(workers).max(1);
    let (mut entries, mut errors) = (Vec::new(), Vec::new());
    std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|c| s.spawn(move || read_entries(c)))
            .collect();
        for h in handles {
            match h.join() {
                Ok((e, r)) => {
                    entries.extend(e);
                    errors.extend(r);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    // Same order as `Store::load`.
    entries.sort_by(|a, b| {
        a.entry
            .front
            .horodatage
            .cmp(&b.entry.front.horodatage)
            .then_with(|| a.entry.path.cmp(&b.entry.path))
    });
    let mut docs_dir = journal_dir.join(DOCS_DIR);
    if fs::symlink_metadata(&docs_dir).is_ok_and(|m| m.file_type().is_symlink()) {
        errors.push(EntryError {
            path: docs_dir.clone(),
            line: 1,
            reason: "journal/documentation est un lien symbolique : ses pages ne sont pas publiées ; aide : remplacez-le par un vrai dossier".into(),
        });
        docs_dir = journal_dir.join(".documentation-refusee");
    }
    let mut docs = BTreeMap::new();
    for name in list_files(&docs_dir, "md")? {
        let path = docs_dir.join(&name);
        let text =
            fs::read_to_string(&path).map_err(|e| Error::io("lecture de la page", &path, e))?;
        let id = name.trim_end_matches(".md").to_string();
        docs.insert(id, text);
    }
    errors.extend(refused);
    errors.extend(leftovers(journal_dir, &entries));
    let images = assets_of(journal_dir, &entries, &mut errors)?;
    let doc_images = list_files(&docs_dir, "svg")?;
    let script_capable = images
        .iter()
        .filter(|n| can_run_script(&journal_dir.join(n)))
        .cloned()
        .chain(
            doc_images
                .iter()
                .filter(|n| can_run_script(&docs_dir.join(n)))
                .map(|n| format!("{DOCS_DIR}/{n}")),
        )
        .collect();
    let input = Input {
        journal_dir: journal_dir.to_path_buf(),
        entries,
        docs,
        images,
        doc_images,
        script_capable,
        parts: Vec::new(),
        health: Vec::new(),
    };
    Ok((input, errors))
}

/// The files of `journal/` the book copies beside the entries: SVG charts,
/// the files attached to notes and the earlier versions of corrected notes
/// (those that exist: a missing one is reported by `journal check`). A path
/// that leads out of `journal/` (absolute, `..`, a symbolic link outside or
/// into the secrets, not a regular file) is never copied: it becomes an
/// error at the entry's line (see [`crate::store::paths::confine`]).
fn assets_of(
    journal_dir: &Path,
    entries: &[SourceEntry],
    errors: &mut Vec<EntryError>,
) -> Result<Vec<String>> {
    // A set: thousands of attachments must not cost a quadratic search.
    let mut out: std::collections::BTreeSet<String> =
        list_files(journal_dir, "svg")?.into_iter().collect();
    for se in entries {
        let f = &se.entry.front;
        let files = f
            .pieces_jointes
            .iter()
            .map(|n| ("pièce jointe", n))
            .chain(f.revisions.iter().map(|r| ("révision", &r.fichier)));
        for (what, name) in files {
            match crate::store::paths::confine(journal_dir, name) {
                Ok(Some(_)) => {
                    out.insert(name.clone());
                }
                Ok(None) => {}
                Err(reason) => errors.push(EntryError {
                    path: se.entry.path.clone(),
                    line: crate::store::paths::line_of(&se.text, name),
                    reason: format!("{what} non publiée : {reason}"),
                }),
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// What a command killed (`kill -9`, power cut) may leave in `journal/`
/// that `git add -A` would commit: hidden temporary files (`.tmp-…`,
/// `.ecriture-…`) and attachment folders whose entry was never written.
/// Reported, never removed (reading never deletes anything).
fn leftovers(journal_dir: &Path, entries: &[SourceEntry]) -> Vec<EntryError> {
    let mut out = Vec::new();
    let temp = |dir: &Path, out: &mut Vec<EntryError>| {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for d in rd.flatten() {
            let name = d.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp-") || name.starts_with(".ecriture-") {
                out.push(EntryError {
                    path: d.path(),
                    line: 1,
                    reason: "fichier temporaire laissé par une commande interrompue ; aide : supprimez-le (rm) avant « git add », il ne contient rien que le journal n'ait déjà".into(),
                });
            }
        }
    };
    temp(journal_dir, &mut out);
    let attachments = journal_dir.join(crate::store::paths::ATTACHMENTS_DIR);
    if let Ok(rd) = fs::read_dir(&attachments) {
        let ids: std::collections::HashSet<String> =
            entries.iter().map(|se| se.entry.id()).collect();
        for d in rd.flatten() {
            let id = d.file_name().to_string_lossy().into_owned();
            temp(&d.path(), &mut out);
            if d.file_type().is_ok_and(|t| t.is_dir())
                && !ids.contains(&id)
                && !journal_dir.join(format!("{id}.md")).exists()
            {
                out.push(EntryError {
                    path: d.path(),
                    line: 1,
                    reason: format!(
                        "pièces jointes sans entrée (« {id}.md » n'a jamais été écrite : commande interrompue) ; aide : supprimez ce dossier, ou joignez ces fichiers à une nouvelle note"
                    ),
                });
            }
        }
    }
    out
}

/// Extensions of files a browser may run script from when served as a page.
const SCRIPT_CAPABLE: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "xml", "xsl", "xslt", "svgz", "js", "mjs", "mht",
    "mhtml", "swf", "pdf",
];

/// Whether `path`, served from the book's origin, could run script: by its
/// extension, or an SVG holding script, event attributes, foreign content,
/// external references or entities. A plain chart (the tool's own SVG) is
/// published as is.
pub fn can_run_script(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|x| x.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if SCRIPT_CAPABLE.contains(&ext.as_str()) {
        return true;
    }
    if ext != "svg" {
        return false;
    }
    let Ok(text) = fs::read_to_string(path) else {
        return true;
    };
    let t = text.to_lowercase();
    const FORBIDDEN: [&str; 10] = [
        "<script",
        "javascript:",
        "data:",
        "<foreignobject",
        "<iframe",
        "<embed",
        "<object",
        "<!entity",
        "href=\"http",
        "href='http",
    ];
    if FORBIDDEN.iter().any(|f| t.contains(f)) {
        return true;
    }
    // Event attributes: ` onload=`, `/onclick =`…
    let b = t.as_bytes();
    t.match_indices("on").any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| b[j]);
        let starts =
            before.is_some_and(|c| c.is_ascii_whitespace() || c == b'/' || c == b'"' || c == b'\'');
        let letters = b[i + 2..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let mut k = i + 2 + letters;
        while b.get(k).is_some_and(u8::is_ascii_whitespace) {
            k += 1;
        }
        starts && letters > 0 && b.get(k) == Some(&b'=')
    })
}

/// Reads and parses `paths`: valid entries and errors.
fn read_entries(paths: &[PathBuf]) -> (Vec<SourceEntry>, Vec<EntryError>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fs::read_to_string(path) {
            Ok(text) => match crate::store::entry::parse(path, &text) {
                Ok(entry) => entries.push(SourceEntry { entry, text }),
                Err(e) => errors.push(e),
            },
            // Not UTF-8 or unreadable: let the store phrase the error.
            Err(_) => match crate::store::read(path) {
                Ok(entry) => {
                    let text = crate::store::entry::render(&entry.front, &entry.body);
                    entries.push(SourceEntry { entry, text });
                }
                Err(e) => errors.push(e),
            },
        }
    }
    (entries, errors)
}

/// Names of the regular, non-hidden files of `dir` with extension `ext`,
/// sorted; an absent folder gives an empty list.
fn list_files(dir: &Path, ext: &str) -> Result<Vec<String>> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("lecture du dossier", dir, e)),
    };
    let mut out: Vec<String> = rd
        .filter_map(|d| d.ok())
        .filter(|d| d.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|d| d.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && Path::new(n).extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    Ok(out)
}

/// The problems of the journal as `file:line: reason` lines: invalid entries
/// first, then the book's broken links.
pub fn problems(
    project_display: &dyn Fn(&Path) -> String,
    errors: &[EntryError],
    sources: &Sources,
) -> Vec<Problem> {
    let mut out: Vec<Problem> = errors
        .iter()
        .map(|e| Problem {
            file: project_display(&e.path),
            line: e.line,
            reason: e.reason.clone(),
        })
        .collect();
    out.extend(check(sources));
    out
}
