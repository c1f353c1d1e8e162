//! What Grafana refused, remembered across runs so the « never loop » rule
//! holds beyond one process: Grafana locks `admin` after 5 failed logins in
//! 5 minutes, and three runs in a row used to make 6.
//!
//! Kept in `.journal-secrets/grafana-refus.json` (0600, with the secrets):
//! when, which candidate (the wanted password or the default `admin`), and a
//! salted SHA-256 fingerprint of the value — never the value. A refused value
//! is not tried again within Grafana's window unless it changed; the default
//! `admin`/`admin`, once refused, is never tried again. Success forgets all.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset, Local};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::secrets::Secret;

/// The file under `.journal-secrets/`.
pub const FILE: &str = "grafana-refus.json";

/// Grafana's lockout window (`loginAttemptsWindow`, 10.x).
pub fn window() -> Duration {
    Duration::minutes(5)
}

/// Which candidate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Candidate {
    /// The password the run wants (environment, file or secrets).
    #[serde(rename = "mot de passe voulu")]
    Wanted,
    /// The default `admin`/`admin`.
    #[serde(rename = "admin/admin")]
    Default,
}

/// One refused login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refusal {
    /// When Grafana refused it.
    pub quand: DateTime<FixedOffset>,
    /// Which candidate.
    pub candidat: Candidate,
    /// Salted SHA-256 of the value, hexadecimal.
    pub empreinte: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct OnDisk {
    sel: String,
    refus: Vec<Refusal>,
}

/// The refusals of this project.
#[derive(Debug)]
pub struct Refusals {
    /// `None`: kept in memory only (one process).
    path: Option<PathBuf>,
    disk: OnDisk,
}

impl Refusals {
    /// Reads the project's refusals (none when the file does not exist).
    pub fn load(secrets_dir: &Path) -> Result<Self> {
        let path = secrets_dir.join(FILE);
        let disk = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::usage(format!(
                    "{} est illisible : {e}",
                    path.display()
                ))
                .with_hint(format!(
                    "ce fichier ne retient que les refus de Grafana ; supprimez-le ({}) s'il a été modifié à la main",
                    path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => OnDisk::default(),
            Err(e) => return Err(Error::io("lecture de", &path, e)),
        };
        Ok(Refusals::with(Some(path), disk))
    }

    /// Refusals remembered by this process only (tests of one run's rule).
    #[cfg(test)]
    pub fn in_memory() -> Self {
        Refusals::with(None, OnDisk::default())
    }

    fn with(path: Option<PathBuf>, mut disk: OnDisk) -> Self {
        if disk.sel.is_empty() {
            disk.sel = crate::secrets::generate_password().expose().to_string();
        }
        Refusals { path, disk }
    }

    /// The fingerprint of a value (salted, so it cannot be looked up).
    pub fn fingerprint(&self, value: &Secret) -> String {
        let mut h = Sha256::new();
        h.update(self.disk.sel.as_bytes());
        h.update([0u8]);
        h.update(value.expose().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// When this value was last refused, if within Grafana's window.
    pub fn refused_recently(
        &self,
        value: &Secret,
        now: DateTime<FixedOffset>,
    ) -> Option<DateTime<FixedOffset>> {
        let fp = self.fingerprint(value);
        self.disk
            .refus
            .iter()
            .filter(|r| r.empreinte == fp && now - r.quand < window())
            .map(|r| r.quand)
            .max()
    }

    /// When the default `admin`/`admin` was refused, if ever.
    pub fn default_refused(&self) -> Option<DateTime<FixedOffset>> {
        self.disk
            .refus
            .iter()
            .filter(|r| r.candidat == Candidate::Default)
            .map(|r| r.quand)
            .max()
    }

    /// Remembers a refusal and saves at once (a crash must not forget it).
    pub fn record(
        &mut self,
        candidate: Candidate,
        value: &Secret,
        now: DateTime<FixedOffset>,
    ) -> Result<()> {
        let empreinte = self.fingerprint(value);
        let horizon = now - window();
        // Keep what still matters: recent refusals, and the default's for ever.
        self.disk
            .refus
            .retain(|r| r.candidat == Candidate::Default || r.quand > horizon);
        self.disk.refus.push(Refusal {
            quand: now,
            candidat: candidate,
            empreinte,
        });
        self.save()
    }

    /// Forgets every refusal (the wanted password works, or was just reset).
    pub fn clear(&mut self) -> Result<()> {
        if self.disk.refus.is_empty() {
            return Ok(());
        }
        self.disk.refus.clear();
        self.save()
    }

    /// The refusals kept.
    pub fn all(&self) -> &[Refusal] {
        &self.disk.refus
    }

    /// Where they are kept (none in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn save(&self) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let text = serde_json::to_string_pretty(&self.disk).unwrap_or_default();
        crate::steps::kit::secret_file::store_private(dir, FILE, text.as_bytes())
    }
}

/// Now, on the wall clock (Grafana's window is real time, whatever
/// `JOURNAL_HORLOGE` says).
pub fn wall_clock() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-25T10:00:00+01:00").unwrap() + Duration::minutes(min)
    }

    #[test]
    fn a_refused_value_is_remembered_for_the_window_only_and_never_stored() {
        let dir = tempfile::tempdir().unwrap();
        let v = Secret::new("valeur-refusée-de-test");
        let mut r = Refusals::load(dir.path()).unwrap();
        r.record(Candidate::Wanted, &v, at(0)).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(!text.contains("valeur-refusée-de-test"));
        let r = Refusals::load(dir.path()).unwrap();
        assert_eq!(r.refused_recently(&v, at(4)), Some(at(0)));
        assert_eq!(r.refused_recently(&v, at(5)), None);
        assert_eq!(
            r.refused_recently(&Secret::new("une-autre-valeur"), at(1)),
            None
        );
    }

    #[test]
    fn the_default_once_refused_stays_refused_until_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Refusals::load(dir.path()).unwrap();
        r.record(Candidate::Default, &Secret::new("admin"), at(0))
            .unwrap();
        r.record(Candidate::Wanted, &Secret::new("valeur-de-test-1"), at(60))
            .unwrap();
        let mut r = Refusals::load(dir.path()).unwrap();
        assert_eq!(r.default_refused(), Some(at(0)));
        r.clear().unwrap();
        assert_eq!(Refusals::load(dir.path()).unwrap().default_refused(), None);
    }

    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut r = Refusals::load(dir.path()).unwrap();
        r.record(Candidate::Default, &Secret::new("admin"), at(0))
            .unwrap();
        let mode = std::fs::metadata(dir.path().join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_damaged_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "{pas du json").unwrap();
        let e = Refusals::load(dir.path()).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.hint().unwrap().contains("supprimez-le"));
    }
}
