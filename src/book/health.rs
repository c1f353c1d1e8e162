//! The health calendar of the main book (« Santé de la pile »): the per-day
//! summaries that `journal verifie` keeps outside the journal
//! (`verifications/AAAA-MM.json`: day → part → counts), read as untrusted
//! data and validated ([`load`]), then shaped into one small table per month
//! (a row per part, a cell per day coloured by the day's worst outcome, with
//! a symbol, a text alternative and the counts) for the
//! `livre-sante.md.j2` template ([`view`]).
//!
//! It reads only files named `AAAA-MM.json` directly in that folder (regular
//! files, at most [`MAX_FILE_BYTES`]), never follows a link, never writes,
//! and publishes no file: only numbers, dates and part ids that passed the
//! checks reach the page. A file or a day that does not pass is left out
//! with a French warning; the book is built anyway.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A summary file larger than this is not read (a month of hourly checks of
/// a dozen parts is a few tens of kilobytes).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// At most this many verifications counted for a part in a day (one a
/// second): a larger count is not a summary `journal verifie` wrote.
const MAX_PER_DAY: u32 = 86_400;

/// A day's counts for one part, as `journal verifie` writes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DayCounts {
    pub verifications: u32,
    pub conformes: u32,
    pub ecarts: u32,
    pub injoignables: u32,
}

impl DayCounts {
    /// The day's worst outcome: `injoignable`, `ecart` or `conforme`.
    pub fn worst(&self) -> &'static str {
        if self.injoignables > 0 {
            "injoignable"
        } else if self.ecarts > 0 {
            "ecart"
        } else {
            "conforme"
        }
    }
}

/// One month's validated summary: day → part → counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthMonth {
    /// `2026-12`.
    pub key: String,
    pub days: BTreeMap<NaiveDate, BTreeMap<String, DayCounts>>,
}

/// The month (`2026-12`) a summary file's name stands for, if it is one.
fn month_of(name: &str) -> Option<NaiveDate> {
    let stem = name.strip_suffix(".json")?;
    let (y, m) = stem.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// A part id as `journal` makes them (`partie-6-alertes`).
fn valid_part(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// Validates one month's text (`shown` names the file in warnings).
pub fn parse(month: NaiveDate, text: &str, shown: &str, warnings: &mut Vec<String>) -> HealthMonth {
    let key = month.format("%Y-%m").to_string();
    let mut out = HealthMonth {
        key: key.clone(),
        days: BTreeMap::new(),
    };
    let raw: BTreeMap<String, BTreeMap<String, DayCounts>> = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            warnings.push(format!(
                "{shown} : résumé des vérifications illisible ({e}), laissé hors du calendrier de santé"
            ));
            return out;
        }
    };
    for (day, parts) in raw {
        let date = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .ok()
            .filter(|d| d.year() == month.year() && d.month() == month.month() && day.len() == 10);
        let Some(date) = date else {
            warnings.push(format!(
                "{shown} : « {} » n'est pas un jour de {key}, ignoré",
                day.escape_default()
            ));
            continue;
        };
        for (part, c) in parts {
            if !valid_part(&part) {
                warnings.push(format!(
                    "{shown} : « {} » n'est pas un nom de partie, ignoré",
                    part.escape_default()
                ));
                continue;
            }
            let sum = u64::from(c.conformes) + u64::from(c.ecarts) + u64::from(c.injoignables);
            if c.verifications == 0
                || c.verifications > MAX_PER_DAY
                || sum != u64::from(c.verifications)
            {
                warnings.push(format!(
                    "{shown} : comptes incohérents pour {part} le {day}, ignorés"
                ));
                continue;
            }
            out.days.entry(date).or_default().insert(part, c);
        }
    }
    out
}

/// Reads the summaries of `dir` (the project's `verifications/`), oldest
/// month first, with the warnings about what was left out. A missing
/// folder is no summary.
pub fn load(dir: &Path) -> (Vec<HealthMonth>, Vec<String>) {
    let mut warnings = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return (Vec::new(), warnings);
    };
    let mut files: Vec<(NaiveDate, std::path::PathBuf, String)> = rd
        .filter_map(|d| d.ok())
        .filter_map(|d| {
            let name = d.file_name().to_str()?.to_string();
            Some((month_of(&name)?, d.path(), name))
        })
        .collect();
    files.sort();
    let mut months = Vec::new();
    for (month, path, name) in files {
        let shown = format!("{}/{name}", crate::project::VERIFICATIONS_DIR);
        // Never follow a link out of the folder; regular files only.
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() && m.len() <= MAX_FILE_BYTES => {}
            Ok(m) if m.file_type().is_file() => {
                warnings.push(format!(
                    "{shown} : trop gros pour un résumé ({} octets), laissé hors du calendrier de santé",
                    m.len()
                ));
                continue;
            }
            _ => {
                warnings.push(format!(
                    "{shown} : pas un fichier ordinaire, laissé hors du calendrier de santé"
                ));
                continue;
            }
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let m = parse(month, &text, &shown, &mut warnings);
                if !m.days.is_empty() {
                    months.push(m);
                }
            }
            Err(e) => warnings.push(format!("{shown} : lecture impossible ({e}), ignoré")),
        }
    }
    (months, warnings)
}

/// A day cell of the calendar.
#[derive(Debug, Serialize)]
pub struct CellView {
    /// Day of the month.
    pub jour: u32,
    /// CSS class: `conforme`, `ecart`, `injoignable`, or `vide`.
    pub classe: &'static str,
    /// Shown in the cell (not colour alone): `✓`, `≠`, `✗` or nothing.
    pub symbole: &'static str,
    /// The outcome in words, for screen readers (the cell's row and column
    /// headers give the part and the day): empty for a day without checks.
    pub etat: &'static str,
    /// The tooltip: date and counts (empty for a day without checks).
    pub texte: String,
}

/// How many months (the newest) the page shows as tables; older ones are
/// one sentence per part, so five years of hourly checks stay a page of a
/// reasonable size.
pub const MONTHS_AS_TABLES: usize = 12;

/// A part's row in a month.
#[derive(Debug, Serialize)]
pub struct RowView {
    pub partie: String,
    pub titre: String,
    pub cellules: Vec<CellView>,
    /// « 29 jours conformes, 1 jour avec écart (le 12) ».
    pub resume: String,
}

/// A month's table.
#[derive(Debug, Serialize)]
pub struct MonthView {
    pub cle: String,
    pub titre: String,
    pub jours: Vec<u32>,
    pub lignes: Vec<RowView>,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n}\u{a0}{}", if n > 1 { many } else { one })
}

fn outcome_label(worst: &str) -> &'static str {
    match worst {
        "injoignable" => "service injoignable",
        "ecart" => "écart",
        _ => "conforme",
    }
}

/// « mercredi 4 février 2026 : 24 vérifications, 22 conformes, 1 écart,
/// 1 injoignable » (only the counts that are not zero).
fn counts_text(day: &str, c: &DayCounts) -> String {
    let n = plural(c.verifications as usize, "vérification", "vérifications");
    if c.conformes == c.verifications {
        return format!(
            "{day} : {n}, {}",
            if c.verifications > 1 {
                "toutes conformes"
            } else {
                "conforme"
            }
        );
    }
    let mut parts = vec![n];
    for (k, one, many) in [
        (c.conformes, "conforme", "conformes"),
        (c.ecarts, "écart", "écarts"),
        (c.injoignables, "injoignable", "injoignables"),
    ] {
        if k > 0 {
            parts.push(plural(k as usize, one, many));
        }
    }
    format!("{day} : {}", parts.join(", "))
}

/// The months' tables, newest month first; parts in the order of `parts`
/// (id, title), then the others by id.
pub fn view(months: &[HealthMonth], parts: &[(String, String)]) -> Vec<MonthView> {
    let mut out = Vec::new();
    for m in months.iter().rev() {
        let Some(first) = m.days.keys().next().map(|d| d.with_day(1).unwrap_or(*d)) else {
            continue;
        };
        let last = (28..=31)
            .rev()
            .find(|d| first.with_day(*d).is_some())
            .unwrap_or(28);
        let mut ids: Vec<&str> = Vec::new();
        for (id, _) in parts {
            if m.days.values().any(|p| p.contains_key(id)) {
                ids.push(id);
            }
        }
        let mut others: Vec<&str> = m
            .days
            .values()
            .flat_map(|p| p.keys().map(String::as_str))
            .filter(|id| !parts.iter().any(|(p, _)| p == id))
            .collect();
        others.sort_unstable();
        others.dedup();
        ids.extend(others);
        let lignes = ids
            .into_iter()
            .map(|id| {
                let titre = parts
                    .iter()
                    .find(|(p, _)| p == id)
                    .map_or(id.to_string(), |(_, t)| t.clone());
                let mut by_outcome: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
                let cellules = (1..=last)
                    .map(|d| {
                        let date = first.with_day(d).expect("day of the month");
                        let day = crate::french::long_date(date);
                        match m.days.get(&date).and_then(|p| p.get(id)) {
                            None => CellView {
                                jour: d,
                                classe: "vide",
                                symbole: "",
                                etat: "",
                                texte: String::new(),
                            },
                            Some(c) => {
                                let worst = c.worst();
                                by_outcome.entry(worst).or_default().push(d);
                                CellView {
                                    jour: d,
                                    classe: worst,
                                    symbole: match worst {
                                        "injoignable" => "✗",
                                        "ecart" => "≠",
                                        _ => "✓",
                                    },
                                    etat: outcome_label(worst),
                                    texte: counts_text(&day, c),
                                }
                            }
                        }
                    })
                    .collect();
                let mut resume = Vec::new();
                for (key, one, many) in [
                    ("conforme", "jour conforme", "jours conformes"),
                    ("ecart", "jour avec écart", "jours avec écart"),
                    (
                        "injoignable",
                        "jour avec un service injoignable",
                        "jours avec un service injoignable",
                    ),
                ] {
                    if let Some(days) = by_outcome.get(key) {
                        let mut s = plural(days.len(), one, many);
                        if key != "conforme" {
                            let list: Vec<String> = days.iter().map(u32::to_string).collect();
                            s.push_str(&format!(
                                " (le{} {})",
                                if days.len() > 1 { "s" } else { "" },
                                list.join(", ")
                            ));
                        }
                        resume.push(s);
                    }
                }
                RowView {
                    partie: id.to_string(),
                    titre,
                    cellules,
                    resume: resume.join(", "),
                }
            })
            .collect();
        out.push(MonthView {
            cle: m.key.clone(),
            titre: format!(
                "{} {}",
                crate::french::month_name(first.month()),
                first.year()
            ),
            jours: (1..=last).collect(),
            lignes,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r#"{
      "2026-02-03": {
        "partie-6": {"verifications": 24, "conformes": 24, "ecarts": 0, "injoignables": 0},
        "partie-6-alertes": {"verifications": 24, "conformes": 20, "ecarts": 4, "injoignables": 0}
      },
      "2026-02-04": {
        "partie-6": {"verifications": 24, "conformes": 22, "ecarts": 1, "injoignables": 1},
        "<script>": {"verifications": 1, "conformes": 1, "ecarts": 0, "injoignables": 0}
      },
      "2026-03-01": {"partie-6": {"verifications": 1, "conformes": 1, "ecarts": 0, "injoignables": 0}},
      "2026-02-05": {"partie-6": {"verifications": 3, "conformes": 1, "ecarts": 0, "injoignables": 0}}
    }"#;

    #[test]
    fn a_month_is_validated_and_shown_as_a_calendar_per_part() {
        let mut warnings = Vec::new();
        let month = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let m = parse(month, FIXTURE, "verifications/2026-02.json", &mut warnings);
        assert_eq!(m.days.len(), 2, "{m:?}");
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("<script>") && w.contains("pas un nom de partie"))
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("2026-03-01") && w.contains("pas un jour de 2026-02"))
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("incohérents") && w.contains("2026-02-05"))
        );

        let parts = [("partie-6".to_string(), "Supervision".to_string())];
        let v = view(&[m], &parts);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].titre, "février 2026");
        assert_eq!(v[0].jours.len(), 28, "February 2026 has 28 days");
        let rows: Vec<&str> = v[0].lignes.iter().map(|r| r.partie.as_str()).collect();
        assert_eq!(rows, ["partie-6", "partie-6-alertes"]);
        let p6 = &v[0].lignes[0];
        assert_eq!(p6.titre, "Supervision");
        assert_eq!(p6.cellules[2].classe, "conforme");
        assert_eq!(p6.cellules[2].symbole, "✓");
        assert_eq!(
            p6.cellules[3].classe, "injoignable",
            "worst outcome of the day"
        );
        assert!(
            p6.cellules[3].texte.contains("4 février 2026"),
            "{}",
            p6.cellules[3].texte
        );
        assert_eq!(
            p6.cellules[3].texte,
            "mercredi 4 février 2026 : 24\u{a0}vérifications, 22\u{a0}conformes, 1\u{a0}écart, 1\u{a0}injoignable"
        );
        assert_eq!(p6.cellules[3].etat, "service injoignable");
        assert_eq!(
            p6.cellules[2].texte,
            "mardi 3 février 2026 : 24\u{a0}vérifications, toutes conformes"
        );
        assert_eq!(p6.cellules[0].texte, "", "no check that day");
        assert_eq!(p6.cellules[0].classe, "vide");
        assert!(
            p6.resume
                .contains("1\u{a0}jour avec un service injoignable (le 4)"),
            "{}",
            p6.resume
        );
        assert_eq!(v[0].lignes[1].cellules[2].classe, "ecart");
    }

    #[test]
    fn unreadable_files_links_and_other_names_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("etat.json"), "{}").unwrap();
        std::fs::write(d.join("2026-01.json"), "pas du json").unwrap();
        std::fs::write(
            d.join("2026-02.json"),
            r#"{"2026-02-03": {"partie-6": {"verifications": 1, "conformes": 0, "ecarts": 1, "injoignables": 0}}}"#,
        )
        .unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", d.join("2026-03.json")).unwrap();
        let (months, warnings) = load(d);
        assert_eq!(months.len(), 1, "{months:?}");
        assert_eq!(months[0].key, "2026-02");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("2026-01.json") && w.contains("illisible")),
            "{warnings:?}"
        );
        #[cfg(unix)]
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("2026-03.json") && w.contains("pas un fichier ordinaire")),
            "{warnings:?}"
        );
        assert!(!warnings.iter().any(|w| w.contains("etat.json")));
        assert_eq!(load(&d.join("absent")).0.len(), 0);
    }
}
