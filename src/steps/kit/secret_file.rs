//! Secret files of a project (`.journal-secrets/`): the folder created 0700
//! with a `.gitignore` holding `*`, each file written atomically with mode
//! 0600 from the start, a stored secret read back. Nothing here prints or
//! logs a value.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::secrets::Secret;

/// Reads a secret from `path` (its last line break dropped); an empty file
/// is a usage error.
pub fn read_secret_file(path: &Path) -> Result<Secret> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::io("lecture du mot de passe", path, e))?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err(Error::usage(format!(
            "le fichier de mot de passe « {} » est vide",
            path.display()
        ))
        .with_hint(
            "écrivez-y le mot de passe voulu, ou supprimez-le pour que journal en génère un",
        ));
    }
    Ok(Secret::new(value))
}

/// Creates the secrets folder `dir` (0700, with a `.gitignore` holding `*`).
pub fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("réglage des droits du dossier", dir, e))?;
    }
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        crate::store::write_atomic(&gitignore, b"*\n", true)
            .map_err(|e| Error::io("écriture de", &gitignore, e))?;
    }
    Ok(())
}

/// Writes `bytes` into `dir/name` atomically, mode 0600 from the start:
/// never readable by others, not even for an instant.
pub fn write_private(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    crate::store::write_atomic_private(path, bytes, replace)
        .map_err(|e| Error::io("écriture dans", path, e))
}

/// Creates `dir` (0700, with a `.gitignore` holding `*`) and writes `secret`
/// into `dir/name` atomically with mode 0600, never replacing an existing file.
pub fn store_secret(dir: &Path, name: &str, secret: &Secret) -> Result<PathBuf> {
    private_dir(dir)?;
    let path = dir.join(name);
    let mut bytes = secret.expose().as_bytes().to_vec();
    bytes.push(b'\n');
    write_private(&path, &bytes, false)?;
    Ok(path)
}

/// Private state beside the secrets (e.g. the refusals): `dir/name`, 0600,
/// replaced atomically.
pub fn store_private(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    private_dir(dir)?;
    write_private(&dir.join(name), bytes, true)
}
