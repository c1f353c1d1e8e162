//! `journal note --joindre FICHIER`: what may be attached, checked before
//! anything is written. A regular file, at most the configured size, never
//! from the project's secrets folder; text goes through the same secret
//! masking as the note itself. Files are written to
//! `pieces-jointes/<id de l'entrée>/<nom>`.

use std::path::{Path, PathBuf};

use super::Context;
use crate::error::{Error, Result};

/// One file to attach, read and checked.
pub struct Prepared {
    /// Its name beside the entry, after the entry's id.
    pub name: String,
    /// Its content (text: secrets masked).
    pub bytes: Vec<u8>,
}

/// Whether a file name is an image the book shows inline.
pub fn is_image(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"]
        .iter()
        .any(|x| lower.ends_with(x))
}

/// The name a reader sees: the attached file's own name, without its
/// folder (`pieces-jointes/<id>/capture.png` → `capture.png`) or, in the
/// flat layout of older journals, without the entry's id
/// (`2026-11-25T091000-456-note-abc123-capture.png` → `capture.png`).
pub fn display_name(file: &str) -> &str {
    if let Some((_, name)) = file.rsplit_once('/') {
        return name;
    }
    file.splitn(7, '-').nth(6).unwrap_or(file)
}

/// A safe file name: letters, digits, `.`, `_` and `-`; others become `-`.
fn safe_name(path: &Path) -> String {
    let raw = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches(['.', '-']).to_string();
    if s.is_empty() {
        "piece-jointe".into()
    } else {
        s
    }
}

/// Reads and checks every file given to `--joindre`.
pub fn prepare(ctx: &Context, paths: &[PathBuf], max: u64) -> Result<Vec<Prepared>> {
    let secrets = std::fs::canonicalize(ctx.project.secrets_dir()).ok();
    let mut out: Vec<Prepared> = Vec::new();
    for path in paths {
        let bytes = read_regular(path, secrets.as_deref(), max)?;
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => super::mask_typed(
                ctx,
                &text,
                &format!("la pièce jointe « {} »", path.display()),
            )
            .into_bytes(),
            Err(e) => e.into_bytes(),
        };
        let mut name = safe_name(path);
        let base = name.clone();
        let mut n = 2;
        while out.iter().any(|p| p.name == name) {
            name = format!("{n}-{base}");
            n += 1;
        }
        out.push(Prepared { name, bytes });
    }
    Ok(out)
}

/// A usage error about `path` (exit 2, nothing written).
fn refused(path: &Path, what: &str, hint: &str) -> Error {
    Error::usage(format!("« {} » {what}", path.display()))
        .with_hint(format!("{hint} ; rien n'a été écrit"))
}

/// The bytes of `path` if it is a regular file (not a link, a folder, a
/// pipe, a device or a file of `/proc`), outside the secrets, of at most
/// `max` bytes, counted while reading (a file may grow, or lie about its
/// size). Never blocks: the file is opened without waiting for a writer.
fn read_regular(path: &Path, secrets: Option<&Path>, max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).map_err(|e| {
        Error::usage(format!(
            "pièce jointe « {} » introuvable : {}",
            path.display(),
            crate::error::french_io(&e)
        ))
        .with_hint("vérifiez le chemin ; rien n'a été écrit")
    })?;
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(refused(
            path,
            "est un lien symbolique : seul un fichier ordinaire peut être joint",
            "joignez le fichier qu'il désigne, par son propre chemin",
        ));
    }
    if kind.is_dir() {
        return Err(refused(
            path,
            "est un dossier : seuls des fichiers peuvent être joints",
            "joignez les fichiers un par un (--joindre est répétable), ou une archive",
        ));
    }
    if !kind.is_file() {
        return Err(refused(
            path,
            "n'est pas un fichier ordinaire (tube, périphérique ou socket) : il ne peut pas être joint",
            "enregistrez d'abord son contenu dans un fichier, puis joignez ce fichier",
        ));
    }
    let real = std::fs::canonicalize(path).map_err(|e| Error::io("lecture de", path, e))?;
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|v| real.starts_with(v))
    {
        return Err(refused(
            path,
            "est un fichier virtuel du noyau (/proc, /sys, /dev) : il ne peut pas être joint",
            "copiez ce que vous voulez garder dans un fichier ordinaire, puis joignez-le",
        ));
    }
    if secrets.is_some_and(|s| real.starts_with(s)) {
        return Err(refused(
            path,
            "est dans .journal-secrets/ : un secret ne se joint jamais au journal",
            "le journal et le livre sont lisibles par toute l'équipe",
        ));
    }
    let too_big = |size: u64| {
        Error::usage(format!(
            "« {} » pèse {} Mio, au-delà de la limite de {} Mio",
            path.display(),
            crate::french::decimal(size as f64 / 1_048_576.0, 1),
            max / 1_048_576
        ))
        .with_hint(format!(
            "réduisez le fichier, ou relevez la limite avec {}=<Mio> ; rien n'a été écrit",
            crate::settings::ATTACHMENT_MAX
        ))
    };
    if meta.len() > max {
        return Err(too_big(meta.len()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Replaced by a pipe or a link since it was checked: never wait.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options
        .open(path)
        .map_err(|e| Error::io("lecture de", path, e))?;
    let opened = file
        .metadata()
        .map_err(|e| Error::io("lecture de", path, e))?;
    if !opened.is_file() {
        return Err(refused(
            path,
            "a changé pendant la lecture et n'est plus un fichier ordinaire",
            "relancez la commande",
        ));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("lecture de", path, e))?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_shown_without_the_entry_id() {
        assert_eq!(
            safe_name(Path::new("/tmp/Capture d'écran.png")),
            "Capture-d-écran.png"
        );
        assert_eq!(safe_name(Path::new("../..")), "piece-jointe");
        assert_eq!(
            display_name("2026-11-25T091000-456-note-abc123-capture.png"),
            "capture.png"
        );
        assert_eq!(
            display_name("pieces-jointes/2026-11-25T091000-456-note-abc123/capture.png"),
            "capture.png"
        );
        assert!(is_image("x.PNG") && !is_image("x.yml"));
    }
}
