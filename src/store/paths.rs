//! Which files of `journal/` are entries, and which paths named by an entry
//! may be published.
//!
//! - An entry is a `.md` file directly under `journal/`, a regular file (or
//!   a symbolic link that stays inside `journal/`), not hidden, and not an
//!   attachment: `<id d'entrée>-<nom>` (the flat layout of older versions)
//!   is an attachment, never an entry. New attachments live in
//!   `journal/pieces-jointes/<id>/`, where no entry is ever read.
//! - A path taken from an entry (attachment, revision) is confined to
//!   `journal/`: relative, without `..`, `.` or hidden parts, resolved
//!   (symbolic links followed) inside `journal/` and outside the project's
//!   `.journal-secrets/`, and a regular file.
//!
//! It reads metadata only: it never opens, modifies or deletes a file.

use std::fs;
use std::path::{Component, Path, PathBuf};

/// The folder of `journal/` holding attachments, one sub-folder per entry.
pub const ATTACHMENTS_DIR: &str = "pieces-jointes";

/// Whether `stem` (a file name without `.md`) is an entry id written by the
/// tool: `2026-11-24T101500-000-note-abc123`.
pub fn is_entry_id(stem: &str) -> bool {
    entry_id_len(stem) == Some(stem.len())
}

/// The length of the entry id that starts `name`, if any.
fn entry_id_len(name: &str) -> Option<usize> {
    let b = name.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    // 2026-11-24T101500-000-
    let shape = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b'T')
        && digits(11..17)
        && b.get(17) == Some(&b'-')
        && digits(18..21)
        && b.get(21) == Some(&b'-');
    if !shape {
        return None;
    }
    let rest = &name[22..];
    let kind = ["execution-", "note-"]
        .into_iter()
        .find(|k| rest.starts_with(k))?;
    let suffix = &rest[kind.len()..];
    let n = suffix
        .bytes()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .count();
    (n == 6).then_some(22 + kind.len() + 6)
}

/// Whether a file name of `journal/` is an attachment of the flat layout
/// (`<id d'entrée>-<nom>`), which must never be read as an entry.
pub fn is_flat_attachment(name: &str) -> bool {
    entry_id_len(name).is_some_and(|n| name.as_bytes().get(n) == Some(&b'-'))
}

/// Why `rel`, a path written in an entry, may not be published; `Ok(None)`
/// when the file does not exist (a broken link, reported by the book's
/// check), `Ok(Some(path))` for a publishable regular file.
pub fn confine(journal_dir: &Path, rel: &str) -> Result<Option<PathBuf>, String> {
    const HINT: &str = "aide : nommez un fichier de journal/ par un chemin relatif (par exemple pieces-jointes/<id>/capture.png)";
    if rel.trim().is_empty() {
        return Err(format!("chemin vide ; {HINT}"));
    }
    let path = Path::new(rel);
    if path.is_absolute() || rel.starts_with('\\') || rel.contains(':') {
        return Err(format!(
            "« {rel} » est un chemin absolu : seuls les fichiers de journal/ sont publiés ; {HINT}"
        ));
    }
    for c in path.components() {
        match c {
            Component::Normal(part) if !part.to_string_lossy().starts_with('.') => {}
            Component::Normal(_) => {
                return Err(format!(
                    "« {rel} » nomme un fichier ou un dossier caché : il n'est jamais publié ; {HINT}"
                ));
            }
            _ => {
                return Err(format!(
                    "« {rel} » sort de journal/ (« .. » ou « . ») : seuls les fichiers de journal/ sont publiés ; {HINT}"
                ));
            }
        }
    }
    let full = journal_dir.join(path);
    if fs::symlink_metadata(&full).is_err() {
        return Ok(None);
    }
    let root = fs::canonicalize(journal_dir).unwrap_or_else(|_| journal_dir.to_path_buf());
    let real = fs::canonicalize(&full).map_err(|_| {
        format!(
            "« {rel} » est un lien symbolique cassé ou illisible : il n'est pas publié ; {HINT}"
        )
    })?;
    let secrets = journal_dir
        .parent()
        .map(|p| p.join(".journal-secrets"))
        .and_then(|s| fs::canonicalize(s).ok());
    if secrets.as_ref().is_some_and(|s| real.starts_with(s)) {
        return Err(format!(
            "« {rel} » mène dans .journal-secrets/ : un secret n'est jamais publié ; {HINT}"
        ));
    }
    let inside = real.strip_prefix(&root).ok();
    let hidden_inside = inside.is_some_and(|r| {
        r.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    });
    if inside.is_none() || hidden_inside {
        return Err(format!(
            "« {rel} » est un lien symbolique qui mène hors de journal/ ({}) : il n'est pas publié ; {HINT}",
            real.display()
        ));
    }
    match fs::metadata(&real) {
        Ok(m) if m.is_file() => Ok(Some(real)),
        _ => Err(format!(
            "« {rel} » n'est pas un fichier ordinaire (dossier, tube, périphérique…) : il n'est pas publié ; {HINT}"
        )),
    }
}

/// The line (1-based) of `text`'s front matter that names `value`, else 1.
pub fn line_of(text: &str, value: &str) -> usize {
    let front_end = text
        .match_indices("\n---")
        .next()
        .map_or(text.len(), |(i, _)| i);
    text[..front_end]
        .lines()
        .position(|l| l.contains(value))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_and_flat_attachments() {
        assert!(is_entry_id("2026-11-24T101500-000-note-abc123"));
        assert!(is_entry_id("2026-11-24T213005-123-execution-ab12cd"));
        assert!(!is_entry_id("2026-11-24T101500-000-note-abc123-faux"));
        assert!(is_flat_attachment(
            "2026-11-24T101500-000-note-abc123-faux.md"
        ));
        assert!(!is_flat_attachment("2026-11-24T101500-000-note-abc123.md"));
        assert!(!is_flat_attachment("ancienne.md"));
    }

    #[test]
    fn paths_are_confined_to_the_journal() {
        let project = tempfile::tempdir().unwrap();
        let journal = project.path().join("journal");
        let secrets = project.path().join(".journal-secrets");
        fs::create_dir_all(journal.join("sous")).unwrap();
        fs::create_dir_all(&secrets).unwrap();
        fs::write(secrets.join("grafana-admin"), "s3cret").unwrap();
        fs::write(journal.join("sous/a.png"), "png").unwrap();
        assert!(confine(&journal, "sous/a.png").unwrap().is_some());
        assert_eq!(confine(&journal, "absent.png"), Ok(None));
        for bad in [
            "/etc/passwd",
            "../.journal-secrets/grafana-admin",
            "sous/../../x",
            ".cache",
            "",
        ] {
            assert!(confine(&journal, bad).is_err(), "{bad}");
        }
        assert!(confine(&journal, "sous").is_err(), "dossier");
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(secrets.join("grafana-admin"), journal.join("lien")).unwrap();
            let e = confine(&journal, "lien").unwrap_err();
            assert!(e.contains(".journal-secrets"), "{e}");
            symlink("/etc/hostname", journal.join("dehors")).unwrap();
            assert!(confine(&journal, "dehors").is_err());
            symlink("sous/a.png", journal.join("dedans")).unwrap();
            assert!(confine(&journal, "dedans").unwrap().is_some());
        }
    }
}
