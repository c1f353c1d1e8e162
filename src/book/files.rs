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

/// Makes `dir` hold exactly `files` (relative path, text): a file already
/// there with the same text is left untouched, the others are written
/// (see [`write_file`]), and whatever else is under `dir` is removed. A
/// rebuild thus neither removes nor creates the files that did not change
/// (creating files right after removing as many is slow on some file
/// systems).
pub fn write_tree<'t>(
    dir: &Path,
    files: &dyn Fn() -> Box<dyn Iterator<Item = (&'t str, &'t str)> + 't>,
) -> Result<()> {
    if sync_tree(dir, files()).is_ok() {
        return Ok(());
    }
    // Something odd in the way (a folder where a page goes, a file where a
    // folder goes): the folder is written again from scratch.
    remove_dir(dir)?;
    sync_tree(dir, files())
}

fn sync_tree<'t>(
    dir: &Path,
    files: Box<dyn Iterator<Item = (&'t str, &'t str)> + 't>,
) -> Result<()> {
    let mut wanted = std::collections::HashSet::new();
    let mut made = std::collections::HashSet::new();
    create_dir(dir)?;
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent()
            && made.insert(parent.to_path_buf())
        {
            create_dir(parent)?;
        }
        write_if_changed(&path, text)?;
        wanted.insert(path);
    }
    remove_others(dir, &wanted)
}

/// Writes `text` at `path` (see [`write_file`]) unless a plain file with
/// that very text is already there.
pub fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    write_bytes_if_changed(path, text.as_bytes())
}

/// [`write_if_changed`] for bytes. A file with other names (hard links) is
/// always written again, as a file of its own.
pub fn write_bytes_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    let alone = |m: &fs::Metadata| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            m.nlink() == 1
        }
        #[cfg(not(unix))]
        {
            let _ = m;
            true
        }
    };
    let same = fs::symlink_metadata(path)
        .is_ok_and(|m| m.is_file() && alone(&m) && m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|b| b == bytes);
    if same {
        return Ok(());
    }
    write_file(path, bytes)
}

/// Removes what is under `dir` and not in `wanted`, and the folders left
/// empty.
fn remove_others(dir: &Path, wanted: &std::collections::HashSet<std::path::PathBuf>) -> Result<()> {
    let rd = fs::read_dir(dir).map_err(|e| Error::io("lecture du dossier", dir, e))?;
    for d in rd.filter_map(|d| d.ok()) {
        let path = d.path();
        if d.file_type().is_ok_and(|t| t.is_dir()) {
            remove_others(&path, wanted)?;
            if fs::read_dir(&path).is_ok_and(|mut rd| rd.next().is_none()) {
                fs::remove_dir(&path).map_err(|e| Error::io("suppression de", &path, e))?;
            }
        } else if !wanted.contains(&path) {
            fs::remove_file(&path).map_err(|e| Error::io("suppression de", &path, e))?;
        }
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
