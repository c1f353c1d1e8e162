//! Reading the journal for the book: its valid entries (with their text),
//! the invalid ones as errors at their line, the documentation pages, the
//! images and attachments to copy (confined to `journal/`), the files that
//! could run script, and what an interrupted command left behind.
//!
//! It reads `journal/` and never writes anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::paths::DOCS_DIR;
use super::sources::{Input, SourceEntry};
use crate::error::{Error, Result};
use crate::store::{EntryError, Store};

/// Reads the journal: valid entries (oldest first) and the invalid ones.
pub fn load(journal_dir: &Path) -> Result<(Input, Vec<EntryError>)> {
    let store = Store::new(journal_dir);
    let (paths, refused) = store.scan()?;
    let (entries, errors) = read_all(&paths);
    complete(journal_dir, entries, errors, refused, &mut |p| {
        can_run_script(p)
    })
}

/// Reads and parses the entries of `paths` on every core: valid entries and
/// errors, in the order of `paths`.
pub fn read_all(paths: &[PathBuf]) -> (Vec<SourceEntry>, Vec<EntryError>) {
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
    (entries, errors)
}

/// The [`Input`] of `entries` (read, or kept from the last build without
/// their text): sorted, with the documentation pages and the images; the
/// entries' errors, then the documentation's, the `refused` files', the
/// leftovers' and the attachments'. `script` tells
/// whether an image can run script (see [`can_run_script`]).
pub fn complete(
    journal_dir: &Path,
    mut entries: Vec<SourceEntry>,
    entry_errors: Vec<EntryError>,
    refused: Vec<EntryError>,
    script: &mut dyn FnMut(&Path) -> bool,
) -> Result<(Input, Vec<EntryError>)> {
    let mut errors = Vec::new();
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
    // The entries' errors first, as `load` always gave them.
    let mut errors = {
        let mut all = entry_errors;
        all.append(&mut errors);
        all
    };
    errors.extend(refused);
    errors.extend(leftovers(journal_dir, &entries));
    let images = assets_of(journal_dir, &entries, &mut errors)?;
    let revisions = read_revisions(journal_dir, &entries, &images);
    let doc_images = list_files(&docs_dir, "svg")?;
    let mut script_capable = BTreeSet::new();
    for n in &images {
        if script(&journal_dir.join(n)) {
            script_capable.insert(n.clone());
        }
    }
    for n in &doc_images {
        if script(&docs_dir.join(n)) {
            script_capable.insert(format!("{DOCS_DIR}/{n}"));
        }
    }
    let input = Input {
        journal_dir: journal_dir.to_path_buf(),
        entries,
        docs,
        images,
        doc_images,
        script_capable,
        parts: Vec::new(),
        built_at: None,
        revisions,
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
                    // An entry kept from the last build has no text here.
                    line: if se.text.is_empty() {
                        let text = fs::read_to_string(&se.entry.path).unwrap_or_default();
                        crate::store::paths::line_of(&text, name)
                    } else {
                        crate::store::paths::line_of(&se.text, name)
                    },
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
                Ok(mut entry) => {
                    entry.body = String::new();
                    entries.push(SourceEntry { entry, text });
                }
                Err(e) => errors.push(e),
            },
            // Not UTF-8 or unreadable: let the store phrase the error.
            Err(_) => match crate::store::read(path) {
                Ok(mut entry) => {
                    let text = crate::store::entry::render(&entry.front, &entry.body);
                    entry.body = String::new();
                    entries.push(SourceEntry { entry, text });
                }
                Err(e) => errors.push(e),
            },
        }
    }
    (entries, errors)
}

/// Reads the text of the entries of `months` kept without it.
pub fn load_texts(input: &mut Input, months: &BTreeSet<String>) {
    let missing: Vec<usize> = input
        .entries
        .iter()
        .enumerate()
        .filter(|(_, se)| {
            se.text.is_empty()
                && months.contains(&super::paths::month_key(
                    se.entry.front.horodatage.date_naive(),
                ))
        })
        .map(|(i, _)| i)
        .collect();
    let paths: Vec<PathBuf> = missing
        .iter()
        .map(|i| input.entries[*i].entry.path.clone())
        .collect();
    let texts = read_texts(&paths);
    for (i, text) in missing.into_iter().zip(texts) {
        input.entries[i].text = text;
    }
}

/// The texts of `paths` (empty when unreadable), read on every core.
fn read_texts(paths: &[PathBuf]) -> Vec<String> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let chunk = paths.len().div_ceil(workers).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(|p| read_text(p)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The text of an entry as [`read_all`] keeps it (an entry that is not
/// UTF-8 rendered again from what the store reads of it); empty when it
/// cannot be read.
pub fn read_text(path: &Path) -> String {
    match fs::read_to_string(path) {
        Ok(text) => text,
        Err(_) => crate::store::read(path)
            .map(|e| crate::store::entry::render(&e.front, &e.body))
            .unwrap_or_default(),
    }
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

/// Reads the earlier versions named by the notes' front matter among the
/// published files `published` (confined to `journal/`): file name → text
/// (invalid UTF-8 replaced). Their pages are made by [`super::revision`].
pub fn read_revisions(
    journal_dir: &Path,
    entries: &[SourceEntry],
    published: &[String],
) -> BTreeMap<String, String> {
    let published: BTreeSet<&str> = published.iter().map(String::as_str).collect();
    entries
        .iter()
        .flat_map(|se| se.entry.front.revisions.iter())
        .filter(|r| published.contains(r.fichier.as_str()))
        .filter_map(|r| {
            let bytes = fs::read(journal_dir.join(&r.fichier)).ok()?;
            Some((
                r.fichier.clone(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        })
        .collect()
}
