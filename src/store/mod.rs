//! The journal store: one Markdown file per entry under `journal/`.
//!
//! Invariants: writes are atomic (temporary file in the same folder, fsync,
//! rename, fsync of the folder); new names are unique (timestamp + random
//! suffix, created without ever replacing an existing file); creating an entry
//! never reads the other entries; reading never modifies or deletes a file.
//! Every text written goes through [`crate::secrets::redact`].

pub mod entry;
pub mod filter;
pub mod paths;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Local};

pub use entry::{
    Entry, EntryError, EntryKind, FrontMatter, GitState, Origin, Revision, Status, StepStatus,
    StepSummary,
};

use crate::error::{Error, Result};
use crate::secrets::redact;

/// The current time with the local UTC offset. `JOURNAL_HORLOGE` (RFC 3339)
/// fixes it, for reproducible tests and documentation.
pub fn now() -> DateTime<FixedOffset> {
    crate::clock::fixed_clock().unwrap_or_else(|| Local::now().fixed_offset())
}

/// The `journal/` folder of a project.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// A store on `dir` (nothing is created yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the folder if needed and checks it is writable, without
    /// leaving anything behind.
    pub fn ensure_writable(&self) -> Result<()> {
        if self.dir.exists() && !self.dir.is_dir() {
            return Err(Error::usage(format!(
                "« {} » existe mais n'est pas un dossier : le journal ne peut pas y être écrit",
                self.dir.display()
            ))
            .with_hint("renommez ce fichier, ou choisissez un autre projet avec --projet"));
        }
        fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io("création du dossier", &self.dir, e))?;
        let probe = tempfile::Builder::new()
            .prefix(".ecriture-")
            .tempfile_in(&self.dir)
            .map_err(|e| Error::io("écriture dans le dossier", &self.dir, e))?;
        drop(probe);
        Ok(())
    }

    /// Writes a new entry under a fresh unique name and returns its path.
    pub fn create(&self, front: &FrontMatter, body: &str) -> Result<PathBuf> {
        self.create_with(front, |_| Ok((front.clone(), body.to_string())), &[])
    }

    /// Writes a new entry with files attached: each `(name, bytes)` becomes
    /// `pieces-jointes/<id>/<name>` (world-readable, as [`write_atomic`] writes;
    /// a folder no entry is ever read from),
    /// written before the entry, so an entry never links to a missing file;
    /// `compose` receives the entry's id (the name is chosen from `front`'s
    /// time and kind) and gives the front matter and body that name the files.
    /// On any failure, nothing is left behind.
    pub fn create_with(
        &self,
        front: &FrontMatter,
        compose: impl Fn(&str) -> Result<(FrontMatter, String)>,
        files: &[(String, Vec<u8>)],
    ) -> Result<PathBuf> {
        let stamp = front.horodatage.format("%Y-%m-%dT%H%M%S%.3f").to_string();
        let stamp = stamp.replace('.', "-");
        let mut rng = fastrand::Rng::new();
        for _ in 0..16 {
            let suffix: String = (0..6)
                .map(|_| rng.alphanumeric().to_ascii_lowercase())
                .collect();
            let id = format!("{stamp}-{}-{suffix}", front.kind.label_ascii());
            let path = self.dir.join(format!("{id}.md"));
            // Composed first: a body that cannot be written leaves no file.
            let (front, body) = compose(&id)?;
            let text = redact(&entry::render(&front, &body));
            let mut written: Vec<PathBuf> = Vec::new();
            let undo = |written: &[PathBuf]| {
                for w in written {
                    let _ = fs::remove_file(w);
                }
            };
            let mut clash = false;
            let folder = self.dir.join(paths::ATTACHMENTS_DIR).join(&id);
            if !files.is_empty() {
                match fs::create_dir(&folder) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        fs::create_dir_all(&folder)
                            .map_err(|e| Error::io("création du dossier", &folder, e))?;
                    }
                    Err(e) => return Err(Error::io("création du dossier", &folder, e)),
                }
                set_dir_mode(&folder);
            }
            let undo = |written: &[PathBuf]| {
                undo(written);
                if !files.is_empty() {
                    let _ = fs::remove_dir(&folder);
                }
            };
            for (name, bytes) in files {
                let p = folder.join(name);
                match write_atomic(&p, bytes, false) {
                    Ok(()) => written.push(p),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        clash = true;
                        break;
                    }
                    Err(e) => {
                        undo(&written);
                        return Err(Error::io("écriture de la pièce jointe", &p, e));
                    }
                }
            }
            if clash {
                undo(&written);
                continue;
            }
            match write_atomic(&path, text.as_bytes(), false) {
                Ok(()) => return Ok(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    undo(&written);
                    continue;
                }
                Err(e) => {
                    undo(&written);
                    return Err(Error::io("écriture de l'entrée", &path, e));
                }
            }
        }
        Err(
            Error::failed("impossible de trouver un nom d'entrée libre après 16 essais")
                .with_hint("vérifiez l'horloge du système et le contenu du dossier journal/"),
        )
    }

    /// Replaces an entry written earlier by this process (atomic).
    pub fn update(&self, path: &Path, front: &FrontMatter, body: &str) -> Result<()> {
        let text = redact(&entry::render(front, body));
        write_atomic(path, text.as_bytes(), true)
            .map_err(|e| Error::io("mise à jour de l'entrée", path, e))
    }

    /// Paths of every entry file, sorted by name (that is, chronologically).
    pub fn paths(&self) -> Result<Vec<PathBuf>> {
        Ok(self.scan()?.0)
    }

    /// The entry files (sorted by name), and the `.md` files refused as
    /// entries (a symbolic link leading out of `journal/` or into the
    /// secrets). Attachments (`<id>-<nom>`, or under `pieces-jointes/`)
    /// are never entries; see [`paths`].
    pub fn scan(&self) -> Result<(Vec<PathBuf>, Vec<EntryError>)> {
        let rd = match fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Vec::new(), Vec::new()));
            }
            Err(e) => return Err(Error::io("lecture du dossier", &self.dir, e)),
        };
        let mut out = Vec::new();
        let mut refused = Vec::new();
        for d in rd.filter_map(|d| d.ok()) {
            let name = d.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".md") || name.starts_with('.') || paths::is_flat_attachment(&name) {
                continue;
            }
            let Ok(kind) = d.file_type() else { continue };
            if kind.is_file() {
                out.push(d.path());
            } else if kind.is_symlink() {
                match paths::confine(&self.dir, &name) {
                    Ok(Some(_)) => out.push(d.path()),
                    Ok(None) => {}
                    Err(reason) => refused.push(EntryError {
                        path: d.path(),
                        line: 1,
                        reason: format!("entrée refusée : {reason}"),
                    }),
                }
            }
        }
        out.sort();
        Ok((out, refused))
    }

    /// Reads every entry: the good ones sorted oldest first, and the errors.
    pub fn load(&self) -> Result<(Vec<Entry>, Vec<EntryError>)> {
        let (paths, mut errors) = self.scan()?;
        let mut entries = Vec::new();
        for p in paths {
            match read(&p) {
                Ok(e) => entries.push(e),
                Err(e) => errors.push(e),
            }
        }
        entries.sort_by(|a, b| {
            a.front
                .horodatage
                .cmp(&b.front.horodatage)
                .then_with(|| a.path.cmp(&b.path))
        });
        Ok((entries, errors))
    }
}

impl EntryKind {
    fn label_ascii(self) -> &'static str {
        match self {
            EntryKind::Execution => "execution",
            EntryKind::Note => "note",
        }
    }
}

/// Reads and parses one entry file.
pub fn read(path: &Path) -> Result<Entry, EntryError> {
    let bytes = fs::read(path).map_err(|e| EntryError {
        path: path.to_path_buf(),
        line: 1,
        reason: format!("lecture impossible : {}", crate::error::french_io(&e)),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        EntryError {
            path: path.to_path_buf(),
            line: valid.iter().filter(|b| **b == b'\n').count() + 1,
            reason: "le fichier n'est pas de l'UTF-8 valide".into(),
        }
    })?;
    entry::parse(path, &text)
}

/// The text of `path`, `None` when there is no such file (a missing file is
/// an answer, any other failure an error).
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("lecture de", path, e)),
    }
}

/// A lock file taken without waiting (see [`try_lock_file`]).
pub enum Lock {
    /// Held by this process until the file is dropped (or the process dies).
    Held(fs::File),
    /// Held by another process; `File::lock` on it waits for its end.
    Busy(fs::File),
}

/// Opens (creating it if needed) the lock file `path` and tries to take its
/// exclusive lock without waiting.
pub fn try_lock_file(path: &Path) -> Result<Lock> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io("ouverture du verrou", path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock::Held(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(Lock::Busy(file)),
        Err(fs::TryLockError::Error(e)) => Err(Error::io("verrouillage de", path, e)),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// fsync, then rename (or hard-link when `replace` is false, so an existing
/// file is never overwritten), then fsync of the folder. The file is
/// readable by all (0644): entries and their images are meant to be
/// published; secrets use [`write_atomic_private`].
pub fn write_atomic(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    write_atomic_mode(path, bytes, replace, 0o644)
}

/// [`write_atomic`] for a secret: the file is created 0600 and never
/// readable by others, not even for an instant.
pub fn write_atomic_private(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    write_atomic_mode(path, bytes, replace, 0o600)
}

fn write_atomic_mode(path: &Path, bytes: &[u8], replace: bool, mode: u32) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let staged = Staged::with_mode(dir, ".tmp-", "", bytes, mode)?;
    if replace {
        staged.commit(path)
    } else {
        staged.commit_new(path)
    }
}

/// A file written and synced beside its destination but not yet in place:
/// it can be checked (e.g. by `docker compose config`) before [`Staged::commit`]
/// renames it over the destination. Dropped uncommitted, it disappears.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    dir: PathBuf,
}

impl Staged {
    /// Writes `bytes` into a new hidden file of `dir` (`prefix…suffix`),
    /// readable by all (0644), and syncs it.
    pub fn new(dir: &Path, prefix: &str, suffix: &str, bytes: &[u8]) -> std::io::Result<Self> {
        Staged::with_mode(dir, prefix, suffix, bytes, 0o644)
    }

    /// [`Staged::new`] with the file's mode, set before any byte is written.
    pub fn with_mode(
        dir: &Path,
        prefix: &str,
        suffix: &str,
        bytes: &[u8],
        mode: u32,
    ) -> std::io::Result<Self> {
        let mut tmp = tempfile::Builder::new()
            .prefix(prefix)
            .suffix(suffix)
            .tempfile_in(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        Ok(Staged {
            tmp,
            dir: dir.to_path_buf(),
        })
    }

    /// Where the staged file is, to check it before committing.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Gives the staged file these permissions (those of the file it replaces).
    pub fn set_permissions(&self, perms: fs::Permissions) -> std::io::Result<()> {
        fs::set_permissions(self.tmp.path(), perms)
    }

    /// Renames the staged file over `path`, then syncs the folder.
    pub fn commit(self, path: &Path) -> std::io::Result<()> {
        self.tmp.persist(path).map_err(|e| e.error)?;
        sync_dir(&self.dir);
        Ok(())
    }

    /// Like [`Staged::commit`], but never replaces an existing file.
    pub fn commit_new(self, path: &Path) -> std::io::Result<()> {
        self.tmp.persist_noclobber(path).map_err(|e| e.error)?;
        sync_dir(&self.dir);
        Ok(())
    }
}

/// Makes a folder of the journal readable by all (0755), whatever the umask.
fn set_dir_mode(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o755));
        if let Some(parent) = dir.parent() {
            let _ = fs::set_permissions(parent, fs::Permissions::from_mode(0o755));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(t: &str) -> FrontMatter {
        FrontMatter::new(
            EntryKind::Note,
            t,
            DateTime::parse_from_rfc3339("2026-11-24T10:15:00+01:00").unwrap(),
            Status::Recorded,
        )
    }

    #[test]
    fn same_instant_gives_distinct_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let a = store.create(&note("a"), "A").unwrap();
        let b = store.create(&note("b"), "B").unwrap();
        assert_ne!(a, b);
        let (entries, errors) = store.load().unwrap();
        assert_eq!(entries.len(), 2);
        assert!(errors.is_empty());
    }

    #[test]
    fn no_overwrite_without_replace() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.md");
        write_atomic(&p, b"1", false).unwrap();
        let e = write_atomic(&p, b"2", false).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"1");
        write_atomic(&p, b"3", true).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&p), 0o644, "lisible par tous");
            let secret = p.with_extension("secret");
            write_atomic_private(&secret, b"s", false).unwrap();
            assert_eq!(mode(&secret), 0o600);
        }
        assert_eq!(fs::read(&p).unwrap(), b"3");
        // No temporary file left behind (x.md, and x.secret on Unix).
        let expected = if cfg!(unix) { 2 } else { 1 };
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), expected);
    }

    #[test]
    fn malformed_entries_are_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.md");
        fs::write(&bad, "---\ntype: note\n").unwrap();
        let (entries, errors) = Store::new(dir.path()).load().unwrap();
        assert!(entries.is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(fs::read_to_string(&bad).unwrap(), "---\ntype: note\n");
    }
}
