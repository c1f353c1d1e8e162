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

/// A uniform random index below `n`, from the operating system's CSPRNG
/// (rejection sampling: no modulo bias).
fn os_index(n: usize) -> usize {
    debug_assert!(n > 0 && n <= 256);
    let limit = 256 - 256 % n;
    loop {
        let mut b = [0u8; 1];
        getrandom::fill(&mut b).expect("générateur aléatoire du système indisponible");
        if (b[0] as usize) < limit {
            return b[0] as usize % n;
        }
    }
}

/// A new random password: 24 characters from letters, digits and a few
/// symbols, at least one of each class (satisfies Grafana's optional
/// policy), drawn from the operating system's CSPRNG (`getrandom`).
pub fn generate_password() -> Secret {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"-_.+";
    let all: Vec<u8> = [LOWER, UPPER, DIGIT, SYMBOL].concat();
    let mut chars: Vec<u8> = vec![
        LOWER[os_index(LOWER.len())],
        UPPER[os_index(UPPER.len())],
        DIGIT[os_index(DIGIT.len())],
        SYMBOL[os_index(SYMBOL.len())],
    ];
    while chars.len() < 24 {
        chars.push(all[os_index(all.len())]);
    }
    // Fisher-Yates, with the same generator.
    for i in (1..chars.len()).rev() {
        chars.swap(i, os_index(i + 1));
    }
    Secret::new(String::from_utf8(chars).expect("ASCII"))
}

/// The well-known shapes of secrets people paste into notes, with the
/// French name of each; see [`mask_typed`].
fn token_shapes() -> &'static [(regex::Regex, &'static str)] {
    static SHAPES: std::sync::OnceLock<Vec<(regex::Regex, &'static str)>> =
        std::sync::OnceLock::new();
    SHAPES.get_or_init(|| {
        let r = |p: &str| regex::Regex::new(p).expect("motif valide");
        vec![
            (
                r(r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)"),
                "clé privée",
            ),
            (
                r(r"\b(glpat|glptt|gldt|glrt|glsoat|glcbt|glft|glimt|glagent)-[A-Za-z0-9_\-]{20,}"),
                "jeton GitLab",
            ),
            (
                r(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
                "jeton GitHub",
            ),
            (
                r(r"\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/=_\-]{32,}|eyJrIjoi[A-Za-z0-9+/=]{20,})"),
                "jeton Grafana",
            ),
            (
                r(r"(?i)\b(authorization\s*:\s*(bearer|basic|token)\s+)(?P<v>[^\s\x22']+)"),
                "en-tête Authorization",
            ),
            (
                r(r"(?im)^([\s>*\-]*(export\s+)?[\x22']?[A-Za-z0-9_.\-]*(password|passwd|pwd|secret|token|api_?key|mot_de_passe)[\x22']?\s*[:=]\s*)(?P<v>[\x22']?[^\s\x22'$<•][^\s\x22']*[\x22']?)\s*$"),
                "ligne « mot de passe : valeur »",
            ),
        ]
    })
}

/// `text` with the secrets people type masked: the registered values (see
/// [`redact`]) and the well-known shapes of tokens (GitLab, GitHub,
/// Grafana), `Authorization:` headers, private key blocks and
/// `password: valeur` lines. Lines are kept (a masked key block keeps its
/// line count). Also returns the names of the shapes found, for a warning.
pub fn mask_typed(text: &str) -> (String, Vec<&'static str>) {
    let mut out = redact(text);
    let mut found = Vec::new();
    for (re, name) in token_shapes() {
        if !re.is_match(&out) {
            continue;
        }
        found.push(*name);
        out = re
            .replace_all(&out, |c: &regex::Captures| {
                let whole = c.get(0).expect("correspondance");
                // Only the value of a header or a `clé : valeur` line.
                let masked = c.name("v").unwrap_or(whole);
                let start = masked.start() - whole.start();
                let end = masked.end() - whole.start();
                let w = whole.as_str();
                let newlines = w[start..end].matches('\n').count();
                format!(
                    "{}{MASK}{}{}",
                    &w[..start],
                    "\n".repeat(newlines),
                    &w[end..]
                )
            })
            .into_owned();
    }
    (out, found)
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
    fn typed_tokens_are_masked_whatever_their_shape() {
        let text = "jeton glpat-AbCdEfGhIjKlMnOpQrSt12 ici\n\
            gh ghp_0123456789abcdefghijABCDEFGHIJ012345\n\
            curl -H 'Authorization: Bearer eyJhbGciOi.abc.def' http://x\n\
            grafana glsa_0123456789abcdefghijABCDEFGHIJ01_0a1b2c3d\n\
            password: Tr0ub4dor&3\n\
            -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n\
            Le mot de passe a été changé ce matin.\n";
        let (got, found) = mask_typed(text);
        for leak in [
            "glpat-AbCd",
            "ghp_0123",
            "eyJhbGciOi",
            "glsa_0123",
            "Tr0ub4dor",
            "b3BlbnNzaC1rZXktdjE",
        ] {
            assert!(!got.contains(leak), "{leak} en clair :\n{got}");
        }
        assert!(got.contains("Authorization: Bearer ••••••••"), "{got}");
        assert!(got.contains("password: ••••••••"), "{got}");
        assert!(got.contains("Le mot de passe a été changé ce matin."));
        assert_eq!(got.lines().count(), text.lines().count(), "{got}");
        assert_eq!(found.len(), 6, "{found:?}");
    }

    #[test]
    fn short_values_and_admin_are_not_masked() {
        register("abc");
        register("admin");
        assert_eq!(redact("admin abc"), "admin abc");
    }
}
