//! The one error type of `journal`: a French message, an optional hint and a
//! documented exit code. It does not print anything: `output` renders it.
//!
//! Exit codes (also in `--help` and the README):
//! - 0: success;
//! - 1: a step or a check failed (the journal records it);
//! - 2: usage error or invalid input (nothing was changed);
//! - 3: the environment is not available (Docker engine, Compose, a service);
//! - 4: an input/output error on the project's files;
//! - 130: interrupted (Ctrl-C); 143: stopped by SIGTERM; 129: SIGHUP (terminal closed).

use std::fmt;
use std::path::Path;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The category of an error; it decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A step or a check failed (exit 1).
    Failed,
    /// Bad usage or invalid input (exit 2).
    Usage,
    /// Docker, Compose or a service is unavailable (exit 3).
    Environment,
    /// Reading or writing a file failed (exit 4).
    Io,
    /// The run was stopped by a signal (exit 128 + the signal: 130 for
    /// Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
    Interrupted(u8),
}

impl Kind {
    /// The process exit code for this kind.
    pub fn code(self) -> u8 {
        match self {
            Kind::Failed => 1,
            Kind::Usage => 2,
            Kind::Environment => 3,
            Kind::Io => 4,
            Kind::Interrupted(signal) => 128u8.saturating_add(signal),
        }
    }
}

/// An error with a French message, an optional French hint and a cause chain.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    message: String,
    hint: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// A step or a check failed.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Kind::Failed, message)
    }

    /// Bad usage or invalid input.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// The environment (Docker, Compose, a service) is unavailable.
    pub fn environment(message: impl Into<String>) -> Self {
        Self::new(Kind::Environment, message)
    }

    /// The run was stopped by `signal` (2 SIGINT, 15 SIGTERM, 1 SIGHUP): its
    /// exit code is 128 + the signal.
    pub fn stopped_by(signal: u8) -> Self {
        Self::new(
            Kind::Interrupted(signal),
            "exécution interrompue par l'utilisateur",
        )
        .with_hint("relancez la même commande : les étapes déjà faites seront reconnues")
    }

    /// An I/O error while `action` (e.g. « écriture de ») on `path`.
    pub fn io(action: &str, path: &Path, source: std::io::Error) -> Self {
        let hint = match source.kind() {
            std::io::ErrorKind::PermissionDenied => Some(format!(
                "vérifiez les droits d'écriture sur « {} » (ls -ld, chmod, chown)",
                path.display()
            )),
            std::io::ErrorKind::NotFound => {
                Some("vérifiez le chemin, ou l'option --projet".to_string())
            }
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Some(format!(
                "libérez de la place sur le disque de « {} » (df -h), puis relancez la commande",
                path.display()
            )),
            std::io::ErrorKind::ReadOnlyFilesystem => Some(format!(
                "« {} » est sur un système de fichiers en lecture seule : choisissez un autre dossier, ou remontez-le en écriture",
                path.display()
            )),
            _ => None,
        };
        // Permission denied, disk full, read-only: all file I/O (exit 4).
        Error {
            kind: Kind::Io,
            message: format!(
                "{action} « {} » impossible : {}",
                path.display(),
                french_io(&source)
            ),
            hint,
            source: Some(Box::new(source)),
        }
    }

    /// Adds (or replaces) the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Says what the command was doing (« index de recherche : écriture
    /// de … impossible : disque plein »); kind, hint and cause unchanged.
    pub fn during(mut self, what: &str) -> Self {
        self.message = format!("{what} : {}", self.message);
        self
    }

    /// Changes the kind (e.g. an I/O error that means a step failed).
    pub fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// The error category.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        self.kind.code()
    }

    /// The French message, without the hint.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The French hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The causes, outermost first, as text.
    pub fn causes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur: Option<&(dyn std::error::Error + 'static)> = match &self.source {
            Some(s) => Some(s.as_ref()),
            None => None,
        };
        while let Some(e) = cur {
            let text = e.to_string();
            if !self.message.contains(&text) && !out.contains(&text) {
                out.push(text);
            }
            cur = e.source();
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.source {
            Some(s) => Some(s.as_ref()),
            None => None,
        }
    }
}

/// A short French description of common I/O errors.
pub fn french_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "fichier ou dossier introuvable".into(),
        K::PermissionDenied => "permission refusée".into(),
        K::AlreadyExists => "existe déjà".into(),
        K::ConnectionRefused => "connexion refusée".into(),
        K::TimedOut => "délai dépassé".into(),
        K::AddrInUse => "adresse déjà utilisée".into(),
        K::ReadOnlyFilesystem => "système de fichiers en lecture seule".into(),
        K::StorageFull => "disque plein".into(),
        K::InvalidData => format!("données invalides ({e})"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_documented_values() {
        assert_eq!(Error::failed("x").code(), 1);
        assert_eq!(Error::usage("x").code(), 2);
        assert_eq!(Error::environment("x").code(), 3);
    }

    #[test]
    fn a_signal_exits_with_128_plus_its_number() {
        assert_eq!(Error::stopped_by(2).code(), 130);
        assert_eq!(Error::stopped_by(15).code(), 143);
        assert_eq!(Error::stopped_by(1).code(), 129);
    }

    #[test]
    fn permission_denied_is_a_file_error_with_hint() {
        let e = Error::io(
            "écriture de",
            Path::new("/x"),
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(e.code(), 4, "code documenté des erreurs de fichiers");
        assert!(e.message().contains("permission refusée"));
        assert!(e.hint().unwrap().contains("/x"));
    }
}
