//! File-system helpers of `book/`: files written readable by all, trees
//! copied as hard links, folders removed or made readable. A leaf: it
//! imports no other module of `book` (`render` and `search` use it).
//!
//! It knows nothing of what the files hold.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// Copies the files under `from` into `to` (hard links when possible).
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    copy_tree_each(from, to, &mut |_| {})
}

/// [`copy_tree`], calling `placed` with the path of each file put under `to`.
pub fn copy_tree_each(from: &Path, to: &Path, placed: &mut dyn FnMut(&Path)) -> Result<()> {
    let rd = fs::read_dir(from).map_err(|e| Error::io("lecture du dossier", from, e))?;
    create_dir(to)?;
    for d in rd.filter_map(|d| d.ok()) {
        let path = d.path();
        let target = to.join(d.file_name());
        if path.is_dir() {
            copy_tree_each(&path, &target, placed)?;
        } else {
            link_or_copy(&path, &target)?;
            placed(&target);
        }
    }
    Ok(())
}

/// Puts `from` at `to`: a new hard link, else a copy written beside `to`
/// then renamed. The old `to` is unlinked first, never opened for writing:
/// when it is a hard link of `from` (the previous build's), copying onto it
/// would truncate both.
pub fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        // Already the same file (a month reused from the last build).
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (fs::metadata(from), fs::symlink_metadata(to))
            && a.ino() == b.ino()
            && a.dev() == b.dev()
        {
            return Ok(());
        }
    }
    match fs::remove_file(to) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("remplacement de", to, e)),
    }
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let bytes = fs::read(from).map_err(|e| Error::io("lecture de", from, e))?;
    crate::store::write_atomic(to, &bytes, true).map_err(|e| Error::io("copie de", from, e))
}

pub fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))
}

/// Writes a file readable by all (mode 0644 on Unix, whatever the umask
/// says about others' read access).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    // Unlinked first: a hard link (or symbolic link) left at `path` is never
    // written through, so no other file is ever truncated.
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("remplacement de", path, e)),
    }
    fs::write(path, bytes).map_err(|e| Error::io("écriture de", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io("réglage des droits de", path, e))?;
    }
    Ok(())
}

/// Makes every file under `dir` readable by all (0644) and every folder
/// traversable (0755): mdBook copies files with their mode, and the book is
/// meant to be served by a web server that is not their owner.
pub fn make_readable(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let rd = fs::read_dir(dir).map_err(|e| Error::io("lecture du dossier", dir, e))?;
        for d in rd.filter_map(|d| d.ok()) {
            let path = d.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            let (wanted, is_dir) = if meta.is_dir() {
                (0o755, true)
            } else if meta.is_file() {
                (0o644, false)
            } else {
                continue;
            };
            if meta.permissions().mode() & 0o777 != wanted {
                fs::set_permissions(&path, fs::Permissions::from_mode(wanted))
                    .map_err(|e| Error::io("réglage des droits de", &path, e))?;
            }
            if is_dir {
                make_readable(&path)?;
            }
        }
    }
    Ok(())
}

/// Removes `dir` and its content; an absent folder is fine.
pub fn remove_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("suppression de l’ancien dossier", dir, e)),
    }
}
