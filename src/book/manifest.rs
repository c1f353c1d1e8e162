//! The state of the last complete `journal build`: a SHA-256 over the name,
//! size and modification time of every file it was built from (`journal/`,
//! the project's `templates/` and `parties/` — a runbook is its part's
//! page —, the `journal` executable itself), kept in
//! `book/.etat-build` with what the check reported (problems, warnings,
//! counts). When nothing changed since, `journal build` says so and stops
//! before reading a single entry (a rebuild would write the same files),
//! and `journal check` reports again what was recorded.
//!
//! It reads metadata only (no file content). It does not decide what to
//! rebuild when something changed: the month fingerprints of `render` and
//! the index fingerprints of `search` do.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use super::check::Problem;
use super::paths::STATE_FILE;
use crate::error::{Error, Result};

/// The SHA-256 of the build's inputs, as metadata: every file under
/// `roots` (recursively, hidden files included: the run lock aside), and
/// the running executable.
pub fn inputs_fingerprint(roots: &[PathBuf]) -> Result<String> {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Ok(exe) = std::env::current_exe() {
        stamp(&mut h, &exe, "exe");
    }
    for root in roots {
        h.update(root.to_string_lossy().as_bytes());
        h.update([1]);
        let mut files = Vec::new();
        walk(root, root, &mut files)?;
        files.sort();
        for rel in files {
            stamp(&mut h, &root.join(&rel), &rel);
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The metadata of the verification summaries the health calendar reads
/// (`verifications/AAAA-MM.json`, not the verifications' state file, which
/// changes at every run): appended to [`inputs_fingerprint`], so that an
/// hourly `journal verifie` that changed a day's counts makes the next build
/// re-render the main book (its health page) — the month books keep their
/// own fingerprints and are not re-rendered. Empty when there is none.
pub fn summaries_stamp(dir: &Path) -> String {
    let Ok(rd) = fs::read_dir(dir) else {
        return String::new();
    };
    let mut names: Vec<String> = rd
        .filter_map(|d| d.ok()?.file_name().into_string().ok())
        .filter(|n| n.len() == 12 && n.ends_with(".json") && n.as_bytes()[4] == b'-')
        .collect();
    if names.is_empty() {
        return String::new();
    }
    names.sort();
    let mut h = Sha256::new();
    for n in &names {
        stamp(&mut h, &dir.join(n), n);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("+sante:{hex}")
}

fn stamp(h: &mut Sha256, path: &Path, name: &str) {
    h.update(name.as_bytes());
    h.update([0]);
    if let Ok(meta) = fs::metadata(path) {
        h.update(meta.len().to_le_bytes());
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        h.update(mtime.to_le_bytes());
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("lecture du dossier", dir, e)),
    };
    for d in rd.filter_map(|d| d.ok()) {
        let path = d.path();
        let Ok(t) = d.file_type() else { continue };
        if t.is_dir() {
            walk(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel.to_string_lossy().into_owned();
            // The run lock is touched by every run, whatever the entries.
            if !rel.ends_with(".verrou") {
                out.push(rel);
            }
        }
    }
    Ok(())
}

/// The state recorded by the last complete build: its inputs' fingerprint
/// and what the check found then (the problems, the warnings, the numbers
/// of entries and pages), so that `journal check` on unchanged inputs can
/// say it again without reading the journal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct State {
    pub fingerprint: String,
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
    pub entries: usize,
    pub pages: usize,
}

/// Reads `book/.etat-build`; `None` when absent, unreadable or written by
/// another version of the format.
pub fn read(book_dir: &Path) -> Option<State> {
    let text = fs::read_to_string(book_dir.join(STATE_FILE)).ok()?;
    let mut lines = text.lines();
    let mut state = State {
        fingerprint: lines.next()?.strip_prefix("empreinte ")?.to_string(),
        ..State::default()
    };
    for line in lines {
        let (key, value) = line.split_once(' ')?;
        match key {
            "entrees" => state.entries = value.parse().ok()?,
            "pages" => state.pages = value.parse().ok()?,
            "avertissement" => state.warnings.push(serde_json::from_str(value).ok()?),
            "probleme" => {
                let (file, line, reason): (String, usize, String) =
                    serde_json::from_str(value).ok()?;
                state.problems.push(Problem { file, line, reason });
            }
            _ => return None,
        }
    }
    Some(state)
}

/// Records `state` (atomically) once a build is complete.
pub fn write(book_dir: &Path, state: &State) -> Result<()> {
    let mut text = format!(
        "empreinte {}\nentrees {}\npages {}\n",
        state.fingerprint, state.entries, state.pages
    );
    for w in &state.warnings {
        text.push_str(&format!("avertissement {}\n", serde_json::json!(w)));
    }
    for p in &state.problems {
        text.push_str(&format!(
            "probleme {}\n",
            serde_json::json!([p.file, p.line, p.reason])
        ));
    }
    let path = book_dir.join(STATE_FILE);
    crate::store::write_atomic(&path, text.as_bytes(), true)
        .map_err(|e| Error::io("écriture de", &path, e))
}

/// Forgets the last build (before a build starts: an interrupted build must
/// not look complete).
pub fn forget(book_dir: &Path) -> Result<()> {
    match fs::remove_file(book_dir.join(STATE_FILE)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("suppression de", &book_dir.join(STATE_FILE), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_added_or_changed_file_changes_the_fingerprint_and_the_lock_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("journal");
        fs::create_dir_all(j.join("revisions")).unwrap();
        fs::write(j.join("a.md"), "a").unwrap();
        let roots = [j.clone(), dir.path().join("templates")];
        let h1 = inputs_fingerprint(&roots).unwrap();
        assert_eq!(inputs_fingerprint(&roots).unwrap(), h1);
        fs::write(j.join(".execution.verrou"), "").unwrap();
        assert_eq!(inputs_fingerprint(&roots).unwrap(), h1);
        fs::write(j.join("revisions/a.1.txt"), "v").unwrap();
        let h2 = inputs_fingerprint(&roots).unwrap();
        assert_ne!(h2, h1);
        fs::write(j.join("a.md"), "ab").unwrap();
        assert_ne!(inputs_fingerprint(&roots).unwrap(), h2);
        let state = State {
            fingerprint: h2.clone(),
            problems: vec![Problem {
                file: "journal/a.md".into(),
                line: 1,
                reason: "lien « b.md » cassé\nsur deux lignes".into(),
            }],
            warnings: vec!["deux entrées à la même heure".into()],
            entries: 1,
            pages: 7,
        };
        write(dir.path(), &state).unwrap();
        assert_eq!(read(dir.path()), Some(state));
        forget(dir.path()).unwrap();
        assert_eq!(read(dir.path()), None);
    }

    #[test]
    fn a_summary_changes_the_stamp_and_the_state_file_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let v = dir.path().join("verifications");
        assert_eq!(summaries_stamp(&v), "");
        fs::create_dir_all(&v).unwrap();
        fs::write(v.join("etat.json"), "{}").unwrap();
        assert_eq!(
            summaries_stamp(&v),
            "",
            "the state file is not read by the book"
        );
        fs::write(v.join("2026-12.json"), "{}").unwrap();
        let s1 = summaries_stamp(&v);
        assert!(s1.starts_with("+sante:"), "{s1}");
        fs::write(v.join("etat.json"), "{\"a\": 1}").unwrap();
        assert_eq!(summaries_stamp(&v), s1);
        fs::write(v.join("2026-12.json"), "{\"b\": 2}").unwrap();
        assert_ne!(summaries_stamp(&v), s1);
    }
}
