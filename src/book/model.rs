//! What every page of the book is generated from: the parts, one view per
//! entry (with its permalink), the entries grouped by day and by month.
//!
//! Pure: built once from the [`Input`], shared by the main book's pages and
//! by the month books (a minijinja `Value` is reference-counted: a view is
//! never copied per page).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use minijinja::Value;
use serde::Serialize;

use super::markup::{badge, dest};
use super::paths::{DOCS_DIR, ENTRIES_DIR, OLDER_YEARS_FILE, day_file, month_key};
use super::sources::Input;
use crate::store::{EntryKind, Status};

/// A part of the book: one of the given parts (`Input::parts`), or another
/// part name found in the entries or documentation pages.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    pub id: String,
    pub titre: String,
    pub titre_md: String,
    /// The file-name slug (unique), also used in the month books.
    pub slug: String,
    /// The part's page in the main book.
    pub fichier: String,
    pub documentation: Option<String>,
    pub connue: bool,
}

/// What templates know about an entry. Paths are relative to the site root
/// (`book/src` of the main book); templates prefix them with `racine`.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView<'a> {
    pub id: String,
    /// The entry's anchor in its day page (its id: stable).
    pub ancre: String,
    /// The permalink: the day page and the anchor.
    pub fichier: String,
    pub titre: &'a str,
    pub titre_md: String,
    pub kind: &'static str,
    #[serde(rename = "type")]
    pub type_label: &'static str,
    pub partie: Option<&'a str>,
    pub partie_titre: Option<String>,
    pub partie_fichier: Option<String>,
    pub horodatage: String,
    pub date: String,
    pub date_longue: String,
    pub date_heure: String,
    pub heure: String,
    pub statut: &'static str,
    /// The status as a badge (HTML, no emoji).
    pub statut_html: String,
    pub duree_ms: Option<u64>,
    pub duree: String,
    pub etapes_total: usize,
    pub etapes_reussies: usize,
    pub etapes_echouees: usize,
    pub tags: &'a [String],
    /// Who wrote the entry (absent from old entries).
    pub auteur: Option<&'a str>,
    /// A note about a run: the run's permalink and its title.
    pub execution: Option<Value>,
    /// A run: the notes about it (permalink and title), oldest first.
    pub notes: Vec<Value>,
}

/// A month of the journal: its month book.
#[derive(Debug, Clone)]
pub struct Month {
    /// `2024-03`.
    pub key: String,
    /// Days with entries, oldest first.
    pub days: Vec<NaiveDate>,
}

/// The whole journal, ready for the templates.
pub struct Model {
    pub parts: Vec<PartView>,
    pub views: Vec<Value>,
    /// Entry indices by day, oldest day first.
    pub days: BTreeMap<NaiveDate, Vec<usize>>,
    /// Months, oldest first.
    pub months: Vec<Month>,
    /// Part index of each entry (`None`: no part).
    pub part_of: Vec<Option<usize>>,
    /// Entry id → permalink (site path of the day page, anchor).
    pub permalinks: HashMap<String, (String, String)>,
    /// The years that have their own page (the most recent ones, see
    /// `generate::SIDEBAR_YEARS`); older years share one page.
    pub own_page_years: HashSet<String>,
}

/// The UTC offset a time was recorded in, as the book shows it: « UTC »,
/// « UTC+1 », « UTC−5 », « UTC+5:30 » (the reader sees which zone each time
/// is in; entries recorded on hosts in different zones stay as recorded).
pub fn zone(t: &DateTime<FixedOffset>) -> String {
    let secs = t.offset().local_minus_utc();
    if secs == 0 {
        return "UTC".into();
    }
    let sign = if secs < 0 { '\u{2212}' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    }
}

/// « 24 novembre 2026 à 21:30 UTC+1 », the zone joined by a no-break space.
pub fn date_time_zoned(t: &DateTime<FixedOffset>) -> String {
    format!("{}\u{a0}{}", crate::french::date_time(t), zone(t))
}

/// « 21:30 UTC+1 ».
pub fn time_zoned(t: &DateTime<FixedOffset>) -> String {
    format!("{}\u{a0}{}", t.format("%H:%M"), zone(t))
}

impl Model {
    pub fn new(input: &Input) -> Model {
        let parts = collect_parts(input);
        let part_index: HashMap<&str, usize> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let mut days: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        let mut views = Vec::with_capacity(input.entries.len());
        let mut part_of = Vec::with_capacity(input.entries.len());
        let mut permalinks = HashMap::with_capacity(input.entries.len());
        // Runs and the notes about them, both ways.
        let by_id: HashMap<String, usize> = input
            .entries
            .iter()
            .enumerate()
            .map(|(i, se)| (se.entry.id(), i))
            .collect();
        let mut notes_of: HashMap<usize, Vec<Value>> = HashMap::new();
        for se in &input.entries {
            if let Some(run) = se
                .entry
                .front
                .execution
                .as_deref()
                .and_then(|r| by_id.get(r))
            {
                notes_of.entry(*run).or_default().push(entry_link(se));
            }
        }
        for (i, se) in input.entries.iter().enumerate() {
            let f = &se.entry.front;
            let date = f.horodatage.date_naive();
            days.entry(date).or_default().push(i);
            let pi = f.partie.as_deref().and_then(|p| part_index.get(p)).copied();
            part_of.push(pi);
            let id = se.entry.id();
            let day = day_file(date);
            permalinks.insert(id.clone(), (day.clone(), id.clone()));
            let mut view = entry_view(se, id, &day, pi.map(|i| &parts[i]));
            view.notes = notes_of.remove(&i).unwrap_or_default();
            view.execution = f
                .execution
                .as_deref()
                .and_then(|r| by_id.get(r))
                .map(|r| entry_link(&input.entries[*r]));
            views.push(Value::from(minijinja::value::Serde(view)));
        }
        let mut months: Vec<Month> = Vec::new();
        for d in days.keys() {
            let key = month_key(*d);
            match months.last_mut() {
                Some(m) if m.key == key => m.days.push(*d),
                _ => months.push(Month {
                    key,
                    days: vec![*d],
                }),
            }
        }
        let mut years: Vec<&str> = months.iter().map(|m| &m.key[..4]).collect();
        years.dedup();
        let own_page_years = years
            .iter()
            .rev()
            .take(super::paths::SIDEBAR_YEARS)
            .map(|y| y.to_string())
            .collect();
        Model {
            parts,
            views,
            days,
            months,
            part_of,
            permalinks,
            own_page_years,
        }
    }

    /// The page of `year` in the main book.
    pub fn year_file(&self, year: &str) -> String {
        if self.own_page_years.contains(year) {
            format!("annees/{year}.md")
        } else {
            OLDER_YEARS_FILE.to_string()
        }
    }

    /// The views of `idx`, in that order.
    pub fn pick(&self, idx: impl Iterator<Item = usize>) -> Value {
        Value::from(idx.map(|i| self.views[i].clone()).collect::<Vec<_>>())
    }
}

fn entry_view<'a>(
    se: &'a super::sources::SourceEntry,
    id: String,
    day: &str,
    part: Option<&PartView>,
) -> EntryView<'a> {
    let f = &se.entry.front;
    EntryView {
        fichier: format!("{day}#{id}"),
        ancre: id.clone(),
        titre: &f.titre,
        titre_md: md_inline(&f.titre),
        kind: match f.kind {
            EntryKind::Execution => "execution",
            EntryKind::Note => "note",
        },
        type_label: f.kind.label(),
        partie: f.partie.as_deref(),
        partie_titre: part.map(|p| p.titre.clone()),
        partie_fichier: part.map(|p| p.fichier.clone()),
        horodatage: f.horodatage.to_rfc3339(),
        date: f.horodatage.format("%Y-%m-%d").to_string(),
        date_longue: crate::french::long_date(f.horodatage.date_naive()),
        date_heure: date_time_zoned(&f.horodatage),
        heure: time_zoned(&f.horodatage),
        statut: f.statut.label(),
        statut_html: match f.statut {
            Status::Recorded => String::new(),
            s => badge(s.label()),
        },
        duree_ms: f.duree_ms,
        duree: f
            .duree_ms
            .map(|ms| super::markup::nbsp_units(&crate::french::duration_ms(ms)))
            .unwrap_or_else(|| "—".into()),
        etapes_total: f.etapes.len(),
        etapes_reussies: f.steps_ok(),
        etapes_echouees: f.steps_failed(),
        tags: &f.tags,
        auteur: f.origine.auteur.as_deref(),
        execution: None,
        notes: Vec::new(),
        id,
    }
}

/// A link to an entry for templates: its permalink (from the site root) and title.
fn entry_link(se: &super::sources::SourceEntry) -> Value {
    let f = &se.entry.front;
    Value::from(minijinja::value::Serde(serde_json::json!({
        "fichier": format!("{}#{}", day_file(f.horodatage.date_naive()), se.entry.id()),
        "titre_md": md_inline(&f.titre),
        "date_heure": date_time_zoned(&f.horodatage),
    })))
}

/// The given parts in their order, then the other part names (from entries
/// and documentation pages) in alphabetical order.
fn collect_parts(input: &Input) -> Vec<PartView> {
    let known = &input.parts;
    let is_known = |p: &str| known.iter().any(|k| k.id == p);
    let mut others = BTreeSet::new();
    for se in &input.entries {
        if let Some(p) = &se.entry.front.partie
            && !is_known(p)
        {
            others.insert(p.clone());
        }
    }
    for id in input.docs.keys() {
        if !is_known(id) {
            others.insert(id.clone());
        }
    }
    // `notes-generales` is the general notes' slug in the month books.
    let mut used = HashSet::from(["notes-generales".to_string()]);
    let ids = known
        .iter()
        .map(|k| (k.id.clone(), Some(k.title.as_str())))
        .chain(others.into_iter().map(|o| (o, None)));
    ids.map(|(id, title)| {
        let number = id.strip_prefix("partie-").filter(|n| !n.is_empty());
        let titre = match (number, title) {
            (Some(n), Some(t)) => format!("Partie {n} — {t}"),
            (None, Some(t)) => t.to_string(),
            (Some(n), None) => format!("Partie {n}"),
            (None, None) => id.clone(),
        };
        let slug = super::ids::unique_id(&slug(&id), &mut used);
        let documentation = input
            .docs
            .contains_key(&id)
            .then(|| dest(&format!("{ENTRIES_DIR}/{DOCS_DIR}/{id}.md")));
        PartView {
            titre_md: md_inline(&titre),
            titre,
            fichier: format!("parties/{slug}.md"),
            slug,
            documentation,
            connue: title.is_some(),
            id,
        }
    })
    .collect()
}

/// An ASCII file-name slug: lowercase letters, digits and `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { "partie".into() } else { out }
}

/// Escapes text for inline Markdown (link texts, table cells, titles):
/// punctuation that Markdown would interpret gets a backslash; line breaks
/// become spaces.
pub fn md_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '#' | '!' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_inline_escapes_markdown() {
        assert_eq!(md_inline("a_b [c]\nd"), "a\\_b \\[c\\] d");
    }

    #[test]
    fn day_pages_live_in_their_month_book() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        assert_eq!(day_file(d), "mois/2024-03/2024-03-05.md");
    }

    #[test]
    fn times_show_their_zone() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        assert_eq!(
            date_time_zoned(&t("2026-11-24T21:30:05+01:00")),
            "24 novembre 2026 à 21:30\u{a0}UTC+1"
        );
        assert_eq!(time_zoned(&t("2026-11-24T21:30:05Z")), "21:30\u{a0}UTC");
        assert_eq!(zone(&t("2026-11-24T21:30:05-05:00")), "UTC\u{2212}5");
        assert_eq!(zone(&t("2026-11-24T21:30:05+05:30")), "UTC+5:30");
    }

    #[test]
    fn badges_need_no_emoji() {
        let b = badge("échoué");
        assert_eq!(b, r#"<span class="statut statut-echoue">échoué</span>"#);
        assert!(b.is_ascii() || b.chars().all(|c| (c as u32) < 0x2000));
    }
}
