//! Secrets: a wrapper that never prints its value, a process-wide registry of
//! values to mask, and the secrets file kept outside `journal/` and `book/`.
//!
//! Every text that reaches the journal, the book or the terminal goes through
//! [`redact`]; a secret registered once is masked everywhere afterwards.

use std::fmt;
use std::sync::Mutex;

/// What replaces a secret in any written or printed text.
pub const MASK: &str = "••••••••";

static REGISTRY: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A secret value (password, token). `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value and registers it for masking.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    /// The value itself, for the one call that needs it (an HTTP request).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its length in characters (safe to show).
    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Registers a value to be masked from now on. Values shorter than 4
/// characters are ignored (masking "a" everywhere would destroy texts), and
/// so is the well-known default `admin`, which the documentation must name.
pub fn register(value: &str) {
    if value.chars().count() < 4 || value == "admin" {
        return;
    }
    let mut reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    if !reg.iter().any(|v| v == value) {
        reg.push(value.to_string());
        // Longest first, so a secret containing another is masked whole.
        reg.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// Registers the values kept in the project's secrets folder (one per file;
/// the private state files, JSON, are not secrets), so that a note, an
/// attachment or a correction quoting one of them is masked too.
pub fn register_dir(dir: &std::path::Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for f in rd.flatten() {
        let p = f.path();
        let name = f.file_name().to_string_lossy().into_owned();
        if !p.is_file() || name.starts_with('.') || name.ends_with(".json") {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&p) {
            register(text.trim_end_matches(['\n', '\r']));
        }
    }
}

/// Replaces every registered secret in `text` with [`MASK`].
pub fn redact(text: &str) -> String {
    let reg = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    let mut out = text.to_string();
    for v in reg.iter() {
        if out.contains(v.as_str()) {
            out = out.replace(v.as_str(), MASK);
        }
    }
    out
}

/// A new random password: 24 characters from letters, digits and a few
/// symbols, at least one of each class (satisfies Grafana's optional policy).
pub fn generate_password() -> Secret {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"-_.+";
    let mut rng = fastrand::Rng::new();
    let all: Vec<u8> = [LOWER, UPPER, DIGIT, SYMBOL].concat();
    let mut chars: Vec<u8> = vec![
        LOWER[rng.usize(..LOWER.len())],
        UPPER[rng.usize(..UPPER.len())],
        DIGIT[rng.usize(..DIGIT.len())],
        SYMBOL[rng.usize(..SYMBOL.len())],
    ];
    while chars.len() < 24 {
        chars.push(all[rng.usize(..all.len())]);
    }
    rng.shuffle(&mut chars);
    Secret::new(String::from_utf8(chars).expect("ASCII"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_displays_its_value() {
        let s = Secret::new("motdepasse-tres-secret");
        assert!(!format!("{s} {s:?}").contains("motdepasse"));
        assert_eq!(redact("pw=motdepasse-tres-secret;"), format!("pw={MASK};"));
    }

    #[test]
    fn generated_password_is_long_and_mixed() {
        let p = generate_password();
        let v = p.expose();
        assert!(v.len() >= 16);
        assert!(v.chars().any(|c| c.is_ascii_lowercase()));
        assert!(v.chars().any(|c| c.is_ascii_uppercase()));
        assert!(v.chars().any(|c| c.is_ascii_digit()));
        assert_eq!(redact(v), MASK);
    }

    #[test]
    fn short_values_and_admin_are_not_masked() {
        register("abc");
        register("admin");
        assert_eq!(redact("admin abc"), "admin abc");
    }
}
