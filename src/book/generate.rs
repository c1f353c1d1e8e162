//! Generation of the book sources from the journal: `SUMMARY.md`, the index
//! page with its recap table, one chapter per part, « Notes générales », the
//! « Journal de bord » with one page per day, and the copies of the entries
//! and documentation pages (front matter kept: the preprocessor strips it).
//!
//! Pure: entries in, texts out. Page texts come from the `livre-*.md.j2`
//! templates (overridable by the project). It writes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use minijinja::Value;
use serde::Serialize;
use serde_json::json;

use super::{DOCS_DIR, ENTRIES_DIR, Input, Sources};
use crate::error::Result;
use crate::store::{EntryKind, Status};
use crate::templates::Templates;

/// The book's title.
pub const BOOK_TITLE: &str = "Journal d'exploitation";

/// Template names (under `templates/`).
pub mod names {
    /// `SUMMARY.md`.
    pub const SUMMARY: &str = "livre-sommaire.md.j2";
    /// `index.md`.
    pub const INDEX: &str = "livre-index.md.j2";
    /// `parties/<partie>.md`.
    pub const PART: &str = "livre-partie.md.j2";
    /// `notes-generales.md`.
    pub const GENERAL_NOTES: &str = "livre-notes-generales.md.j2";
    /// `journal-de-bord.md`.
    pub const LOGBOOK: &str = "livre-journal-de-bord.md.j2";
    /// `jours/<date>.md`.
    pub const DAY: &str = "livre-jour.md.j2";
}

/// A day of the logbook.
#[derive(Debug, Clone, Serialize)]
struct DayView {
    date: String,
    date_longue: String,
    fichier: String,
    total: usize,
    nb_executions: usize,
    nb_notes: usize,
    entrees: Value,
}

/// A part of the book: a registry part, or another part name found in the
/// entries or documentation pages.
#[derive(Debug, Clone, Serialize)]
struct PartView {
    id: String,
    titre: String,
    titre_md: String,
    fichier: String,
    documentation: Option<String>,
    connue: bool,
}

/// What templates know about an entry. Paths are relative to `book/src`;
/// templates of pages in a sub-folder prefix them with `racine` (`../`).
#[derive(Debug, Clone, Serialize)]
struct EntryView<'a> {
    id: String,
    fichier: String,
    titre: &'a str,
    titre_md: String,
    kind: &'static str,
    #[serde(rename = "type")]
    type_label: &'static str,
    partie: Option<&'a str>,
    partie_titre: Option<String>,
    partie_fichier: Option<String>,
    horodatage: String,
    date: String,
    date_longue: String,
    date_heure: String,
    heure: String,
    statut: &'static str,
    duree_ms: Option<u64>,
    duree: String,
    etapes_total: usize,
    etapes_reussies: usize,
    etapes_echouees: usize,
    tags: &'a [String],
}

/// mdBook's page template with French labels (`templates/theme/index.hbs`).
const THEME_INDEX: &str = "theme/index.hbs";

/// Generates the book sources.
pub fn generate(input: &Input, templates: &Templates) -> Result<Sources> {
    let mut sources = Sources::default();
    if let Some(index) = templates.raw(THEME_INDEX) {
        sources.theme.insert("index.hbs".into(), index);
    }
    let parts = collect_parts(input);
    let part_index: HashMap<&str, usize> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();

    // Entry views, built once and shared by every page (a minijinja Value is
    // reference-counted: no copy per page).
    let mut views: Vec<Value> = Vec::with_capacity(input.entries.len());
    for se in &input.entries {
        let e = &se.entry;
        let f = &e.front;
        let id = e.id();
        let fichier = format!("{ENTRIES_DIR}/{id}.md");
        let part = f
            .partie
            .as_deref()
            .and_then(|p| part_index.get(p))
            .map(|i| &parts[*i]);
        let view = EntryView {
            fichier: fichier.clone(),
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
            date_heure: crate::french::date_time(&f.horodatage),
            heure: f.horodatage.format("%H:%M").to_string(),
            statut: f.statut.label(),
            duree_ms: f.duree_ms,
            duree: f
                .duree_ms
                .map(crate::french::duration_ms)
                .unwrap_or_else(|| "—".into()),
            etapes_total: f.etapes.len(),
            etapes_reussies: f.steps_ok(),
            etapes_echouees: f.steps_failed(),
            tags: &f.tags,
            id,
        };
        views.push(Value::from_serialize(&view));
        sources.files.insert(fichier.clone(), se.text.clone());
        sources
            .origins
            .insert(fichier, format!("journal/{}", file_name(&e.path)));
    }

    // Copies of the documentation pages and images.
    for (id, text) in &input.docs {
        let rel = format!("{ENTRIES_DIR}/{DOCS_DIR}/{id}.md");
        sources.files.insert(rel.clone(), text.clone());
        sources
            .origins
            .insert(rel, format!("journal/{DOCS_DIR}/{id}.md"));
    }
    for name in &input.images {
        sources.assets.insert(
            format!("{ENTRIES_DIR}/{name}"),
            input.journal_dir.join(name),
        );
    }
    for name in &input.doc_images {
        sources.assets.insert(
            format!("{ENTRIES_DIR}/{DOCS_DIR}/{name}"),
            input.journal_dir.join(DOCS_DIR).join(name),
        );
    }

    let entries = &input.entries;
    let is_run = |i: &usize| entries[*i].entry.front.kind == EntryKind::Execution;
    let all: Vec<usize> = (0..entries.len()).collect();
    let pick = |idx: &mut dyn Iterator<Item = usize>| -> Vec<Value> {
        idx.map(|i| views[i].clone()).collect::<Vec<_>>()
    };

    // Index page.
    let runs_newest: Vec<Value> = pick(&mut all.iter().rev().copied().filter(is_run));
    let count_status = |s: Status| {
        entries
            .iter()
            .filter(|e| e.entry.front.kind == EntryKind::Execution && e.entry.front.statut == s)
            .count()
    };
    let days = group_by_day(input);
    let index = templates.render(
        names::INDEX,
        json!({
            "titre_livre": BOOK_TITLE,
            "racine": "",
            "total": entries.len(),
            "nb_executions": runs_newest.len(),
            "nb_reussies": count_status(Status::Succeeded),
            "nb_echouees": count_status(Status::Failed),
            "nb_interrompues": count_status(Status::Interrupted),
            "nb_en_cours": count_status(Status::InProgress),
            "nb_notes": entries.len() - runs_newest.len(),
            "nb_jours": days.len(),
            "premiere": entries.first().map(|e| crate::french::date_time(&e.entry.front.horodatage)),
            "derniere": entries.last().map(|e| crate::french::date_time(&e.entry.front.horodatage)),
            "parties": &parts,
            "executions": Value::from(runs_newest),
        }),
    )?;
    sources.files.insert("index.md".into(), index);

    // One chapter per part.
    let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
    let mut general_notes = Vec::new();
    for (i, se) in entries.iter().enumerate() {
        match se
            .entry
            .front
            .partie
            .as_deref()
            .and_then(|p| part_index.get(p))
        {
            Some(&pi) => by_part[pi].push(i),
            None => {
                if se.entry.front.kind == EntryKind::Note {
                    general_notes.push(i);
                }
            }
        }
    }
    for (p, idx) in parts.iter().zip(&by_part) {
        let runs = pick(&mut idx.iter().rev().copied().filter(is_run));
        let notes = pick(&mut idx.iter().rev().copied().filter(|i| !is_run(i)));
        let text = templates.render(
            names::PART,
            json!({
                "titre_livre": BOOK_TITLE,
                "racine": "../",
                "partie": p,
                "executions": Value::from(runs),
                "notes": Value::from(notes),
            }),
        )?;
        sources.files.insert(p.fichier.clone(), text);
    }
    // Executions without a part cannot happen (`journal run` always has
    // one); if some do, they are listed in the logbook only.
    let notes = pick(&mut general_notes.iter().rev().copied());
    let text = templates.render(
        names::GENERAL_NOTES,
        json!({ "titre_livre": BOOK_TITLE, "racine": "", "notes": Value::from(notes) }),
    )?;
    sources.files.insert("notes-generales.md".into(), text);

    // The logbook: one page per day, oldest first.
    let mut day_views = Vec::with_capacity(days.len());
    for (date, idx) in &days {
        let date_key = date.format("%Y-%m-%d").to_string();
        let runs = idx.iter().filter(|i| is_run(i)).count();
        let day = DayView {
            fichier: format!("jours/{date_key}.md"),
            date: date_key,
            date_longue: crate::french::long_date(*date),
            total: idx.len(),
            nb_executions: runs,
            nb_notes: idx.len() - runs,
            entrees: Value::from(pick(&mut idx.iter().copied())),
        };
        let text = templates.render(
            names::DAY,
            json!({
                "titre_livre": BOOK_TITLE,
                "racine": "../",
                "jour": &day,
                "entrees": &day.entrees,
            }),
        )?;
        sources.files.insert(day.fichier.clone(), text);
        day_views.push(Value::from_serialize(&day));
    }
    let jours = Value::from(day_views);
    let text = templates.render(
        names::LOGBOOK,
        json!({ "titre_livre": BOOK_TITLE, "racine": "", "jours": &jours }),
    )?;
    sources.files.insert("journal-de-bord.md".into(), text);

    let summary = templates.render(
        names::SUMMARY,
        json!({
            "titre_livre": BOOK_TITLE,
            "racine": "",
            "parties": &parts,
            "jours": &jours,
        }),
    )?;
    sources.files.insert("SUMMARY.md".into(), summary);
    Ok(sources)
}

/// Registry parts in registry order, then the other part names (from entries
/// and documentation pages) in alphabetical order.
fn collect_parts(input: &Input) -> Vec<PartView> {
    let known = crate::parts::known();
    let mut others = BTreeSet::new();
    for se in &input.entries {
        if let Some(p) = &se.entry.front.partie
            && !known.iter().any(|k| k.id == p)
        {
            others.insert(p.clone());
        }
    }
    for id in input.docs.keys() {
        if !known.iter().any(|k| k.id == id) {
            others.insert(id.clone());
        }
    }
    let mut used = std::collections::HashSet::new();
    let mut parts = Vec::new();
    let ids = known
        .iter()
        .map(|k| (k.id.to_string(), Some(k.title)))
        .chain(others.into_iter().map(|o| (o, None)));
    for (id, title) in ids {
        let number = id.strip_prefix("partie-").filter(|n| !n.is_empty());
        let titre = match (number, title) {
            (Some(n), Some(t)) => format!("Partie {n} — {t}"),
            (None, Some(t)) => t.to_string(),
            (Some(n), None) => format!("Partie {n}"),
            (None, None) => id.clone(),
        };
        let slug = super::ids::unique_id(&slug(&id), &mut used);
        let fichier = format!("parties/{slug}.md");
        let documentation = input
            .docs
            .contains_key(&id)
            .then(|| format!("{ENTRIES_DIR}/{DOCS_DIR}/{id}.md"));
        parts.push(PartView {
            titre_md: md_inline(&titre),
            titre,
            fichier,
            documentation: documentation.map(|d| dest(&d)),
            connue: title.is_some(),
            id,
        });
    }
    parts
}

/// Entry indices grouped by their local day, oldest day first.
fn group_by_day(input: &Input) -> BTreeMap<NaiveDate, Vec<usize>> {
    let mut days: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, se) in input.entries.iter().enumerate() {
        days.entry(se.entry.front.horodatage.date_naive())
            .or_default()
            .push(i);
    }
    days
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An ASCII file-name slug: lowercase letters, digits and `-`.
fn slug(s: &str) -> String {
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

/// A link destination: wrapped in `<…>` when it has spaces or parentheses.
fn dest(path: &str) -> String {
    if path.contains([' ', '(', ')']) {
        format!("<{path}>")
    } else {
        path.to_string()
    }
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
    use crate::book::{SourceEntry, load};
    use std::path::Path;

    fn fixture() -> Input {
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal-exemple/journal");
        let (input, errors) = load(&dir).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(input.entries.len(), 5);
        input
    }

    fn generated() -> Sources {
        generate(&fixture(), &Templates::embedded_only()).unwrap()
    }

    #[test]
    fn summary_snapshot() {
        insta::assert_snapshot!("sommaire", generated().files["SUMMARY.md"]);
    }

    #[test]
    fn index_snapshot() {
        insta::assert_snapshot!("index", generated().files["index.md"]);
    }

    #[test]
    fn part_and_day_pages_snapshot() {
        let s = generated();
        insta::assert_snapshot!("partie-6", s.files["parties/partie-6.md"]);
        insta::assert_snapshot!("jour", s.files["jours/2026-11-24.md"]);
        insta::assert_snapshot!("journal-de-bord", s.files["journal-de-bord.md"]);
        insta::assert_snapshot!("notes-generales", s.files["notes-generales.md"]);
    }

    #[test]
    fn note_entry_file_snapshot() {
        use crate::store::{FrontMatter, entry};
        let front = FrontMatter {
            kind: EntryKind::Note,
            titre: "Redémarrage de Grafana".into(),
            partie: Some("partie-6".into()),
            horodatage: chrono::DateTime::parse_from_rfc3339("2026-11-24T22:15:00+01:00").unwrap(),
            statut: Status::Recorded,
            tags: vec!["grafana".into(), "maintenance".into()],
            duree_ms: None,
            etapes: vec![],
            origine: Default::default(),
            pieces_jointes: Vec::new(),
            execution: None,
            revisions: Vec::new(),
        };
        let body = crate::cmd::note::render_body(
            &Templates::embedded_only(),
            &front,
            "Le tableau de bord s'affiche de nouveau.",
        )
        .unwrap();
        insta::assert_snapshot!("entree-note", entry::render(&front, &body));
    }

    #[test]
    fn generated_book_of_the_fixture_is_clean() {
        let s = generated();
        assert_eq!(crate::book::check(&s), vec![]);
        // Entry copies are exact; images are copied beside them.
        assert!(
            s.files["entrees/2026-11-24T213005-123-execution-ab12cd.md"]
                .starts_with("---\ntype: execution")
        );
        assert!(
            s.assets
                .contains_key("entrees/2026-11-24T213005-123-execution-ab12cd.svg")
        );
        assert_eq!(
            s.origin("entrees/2026-11-24T213005-123-execution-ab12cd.md"),
            "journal/2026-11-24T213005-123-execution-ab12cd.md"
        );
    }

    #[test]
    fn empty_journal_still_has_every_chapter() {
        let s = generate(&Input::default(), &Templates::embedded_only()).unwrap();
        for f in [
            "SUMMARY.md",
            "index.md",
            "parties/partie-6.md",
            "notes-generales.md",
            "journal-de-bord.md",
        ] {
            assert!(s.files.contains_key(f), "{f}");
        }
        assert!(
            s.files["index.md"].contains("vide"),
            "{}",
            s.files["index.md"]
        );
        assert_eq!(crate::book::check(&s), vec![]);
    }

    #[test]
    fn odd_titles_and_part_names_stay_valid_markdown() {
        let mut input = fixture();
        let mut se: SourceEntry = input.entries[1].clone();
        se.entry.front.titre = "[crochets] *étoiles* | barre".into();
        se.entry.front.partie = Some("Partie spéciale (test)".into());
        input.entries.push(se);
        let s = generate(&input, &Templates::embedded_only()).unwrap();
        assert!(
            s.files.contains_key("parties/partie-sp-ciale-test.md"),
            "{:?}",
            s.files.keys()
        );
        assert!(s.files["SUMMARY.md"].contains("\\[crochets\\] \\*étoiles\\* \\| barre"));
        assert_eq!(crate::book::check(&s), vec![]);
    }

    #[test]
    fn md_inline_escapes_markdown() {
        assert_eq!(md_inline("a_b [c]\nd"), "a\\_b \\[c\\] d");
    }
}
