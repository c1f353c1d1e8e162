//! Which entries a reader asks for: dates, type, status, tag, author and a
//! text searched without regard to accents or case. Pure: it reads entries
//! already loaded, and parses the French date words of `journal list`.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{Entry, EntryKind};
use crate::error::{Error, Result};

/// A text without accents, in lower case, for comparisons (« Réussi » and
/// « reussi » fold the same).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        match c {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            c => out.push(c),
        }
    }
    out
}

/// A day given on the command line: `2026-11-01`, `aujourd'hui`, `hier` or
/// `7j` (seven days ago), relative to `today`.
pub fn parse_day(text: &str, option: &str, today: NaiveDate) -> Result<NaiveDate> {
    let t = fold(text.trim()).replace('’', "'");
    let relative = match t.as_str() {
        "aujourd'hui" | "aujourdhui" => Some(0),
        "hier" => Some(1),
        _ => t
            .strip_suffix('j')
            .and_then(|n| n.trim().parse::<i64>().ok())
            .filter(|n| (0..=36_500).contains(n)),
    };
    if let Some(days) = relative {
        return Ok(today - Duration::days(days));
    }
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::usage(format!("{option} « {text} » n'est pas une date"))
            .with_hint(format!(
                "écrivez une date AAAA-MM-JJ (par exemple {option} 2026-11-01), ou aujourd'hui, hier, 7j"
            ))
    })
}

/// The criteria of `journal list`; all given criteria must hold (AND).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this part.
    pub partie: Option<String>,
    /// From this day on (inclusive, in each entry's own offset).
    pub depuis: Option<NaiveDate>,
    /// Up to this day (inclusive).
    pub jusqua: Option<NaiveDate>,
    /// Only runs or only notes.
    pub kind: Option<EntryKind>,
    /// Only this status (folded label).
    pub statut: Option<String>,
    /// Entries carrying this tag (folded).
    pub tag: Option<String>,
    /// Entries whose author contains this (folded).
    pub auteur: Option<String>,
    /// Entries whose title or body contains this (folded).
    pub cherche: Option<String>,
}

impl Filter {
    /// Whether `e` is asked for.
    pub fn keeps(&self, e: &Entry) -> bool {
        let f = &e.front;
        let day = |t: &DateTime<FixedOffset>| t.date_naive();
        self.partie
            .as_ref()
            .is_none_or(|p| f.partie.as_ref() == Some(p))
            && self.depuis.is_none_or(|d| day(&f.horodatage) >= d)
            && self.jusqua.is_none_or(|d| day(&f.horodatage) <= d)
            && self.kind.is_none_or(|k| f.kind == k)
            && self
                .statut
                .as_ref()
                .is_none_or(|s| fold(f.statut.label()) == *s)
            && self
                .tag
                .as_ref()
                .is_none_or(|t| f.tags.iter().any(|x| fold(x) == *t))
            && self.auteur.as_ref().is_none_or(|a| {
                f.origine
                    .auteur
                    .as_deref()
                    .is_some_and(|x| fold(x).contains(a.as_str()))
            })
            && self.cherche.as_ref().is_none_or(|q| {
                fold(&f.titre).contains(q.as_str()) || fold(&e.body).contains(q.as_str())
            })
    }
}

/// Checks a `--statut` value against the statuses entries can have.
pub fn parse_status(text: &str) -> Result<String> {
    const KNOWN: [&str; 5] = ["réussi", "échoué", "interrompu", "en cours", "consigné"];
    let folded = fold(text.trim());
    if KNOWN.iter().any(|k| fold(k) == folded) {
        return Ok(folded);
    }
    Err(Error::usage(format!("statut inconnu « {text} »"))
        .with_hint(format!("statuts possibles : {}", KNOWN.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_accents_and_case() {
        assert_eq!(fold("Réussi"), "reussi");
        assert_eq!(fold("ÉCHOUÉ"), "echoue");
        assert_eq!(fold("Mot de passe changé"), "mot de passe change");
        assert_eq!(fold("Cœur"), "coeur");
    }

    #[test]
    fn days_in_french_words_and_iso_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let d = |s| parse_day(s, "--depuis", today).unwrap().to_string();
        assert_eq!(d("aujourd'hui"), "2026-11-25");
        assert_eq!(d("Aujourd’hui"), "2026-11-25");
        assert_eq!(d("hier"), "2026-11-24");
        assert_eq!(d("7j"), "2026-11-18");
        assert_eq!(d("2026-11-01"), "2026-11-01");
        let e = parse_day("31/02", "--depuis", today).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.message().contains("« 31/02 » n'est pas une date"));
        assert!(e.hint().unwrap().contains("AAAA-MM-JJ"));
        assert!(parse_day("2026-02-31", "--jusqua", today).is_err());
    }

    #[test]
    fn statuses_are_checked_without_accents() {
        assert_eq!(parse_status("reussi").unwrap(), "reussi");
        assert_eq!(parse_status("Échoué").unwrap(), "echoue");
        assert!(parse_status("perdu").is_err());
    }
}
