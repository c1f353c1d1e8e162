//! The main book's pages: home, parts, general notes, logbook, years,
//! search, 404 and its `SUMMARY.md`. Each lists only the recent entries and
//! links to the month books for the rest, so that no page grows without
//! bound and the sidebar keeps fewer than 200 links.

use std::collections::BTreeMap;

use minijinja::Value;
use serde::Serialize;
use serde_json::json;

use super::model::Model;
use super::paths::{
    BOOK_TITLE, HEALTH_FILE, OLDER_YEARS_FILE, RECENT, SIDEBAR_YEARS, month_dir, names,
};
use super::sources::{Input, Sources};
use crate::error::Result;
use crate::store::{EntryKind, Status};
use crate::templates::Templates;

/// How many runs the top of the home page shows (above the fold on a
/// phone); the full table below lists [`RECENT`].
pub const LATEST: usize = 5;

/// A month, as listed by the main pages.
#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    pub cle: String,
    pub titre: String,
    /// The month book's page, relative to the site root.
    pub fichier: String,
    pub total: usize,
    pub nb_executions: usize,
    pub nb_notes: usize,
}

/// A day, as listed by the main pages and the month books.
#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    pub date: String,
    pub date_longue: String,
    pub fichier: String,
    pub total: usize,
    pub nb_executions: usize,
    pub nb_notes: usize,
}

/// A year page of the main book.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    pub annee: String,
    pub fichier: String,
    pub total: usize,
}

/// « mars 2024 » for `2024-03`.
pub fn month_title(key: &str) -> String {
    let (y, m) = key.split_once('-').unwrap_or((key, "01"));
    let m: u32 = m.parse().unwrap_or(1);
    format!("{} {y}", crate::french::month_name(m))
}

/// The views of a day's entries.
pub fn day_view(model: &Model, input: &Input, date: chrono::NaiveDate) -> DayView {
    let idx = &model.days[&date];
    let runs = idx
        .iter()
        .filter(|i| input.entries[**i].entry.front.kind == EntryKind::Execution)
        .count();
    DayView {
        date: date.format("%Y-%m-%d").to_string(),
        date_longue: crate::french::long_date(date),
        fichier: super::paths::day_file(date),
        total: idx.len(),
        nb_executions: runs,
        nb_notes: idx.len() - runs,
    }
}

/// The pages of the main book.
pub struct MainPages<'a> {
    pub input: &'a Input,
    pub model: &'a Model,
    pub templates: &'a Templates,
}

impl MainPages<'_> {
    /// Writes every page of the main book into `sources`.
    pub fn write(&self, sources: &mut Sources) -> Result<()> {
        let months = self.months();
        let years = self.years(&months);
        self.index(sources)?;
        self.parts(sources)?;
        self.logbook(sources, &months, &years)?;
        self.year_pages(sources, &months, &years)?;
        let index_years = super::search::index_groups(months.iter().map(|m| m.cle.as_str()));
        let base = json!({
            "titre_livre": BOOK_TITLE,
            "racine": "",
            "index_annees": index_years,
            "dossier_recherche": super::paths::SEARCH_DIR,
            "index_livre": super::paths::MAIN_INDEX,
        });
        for (name, file) in [
            (names::SEARCH, "recherche.md"),
            (names::NOT_FOUND, "404.md"),
            (names::WRITE_PART, "ecrire-une-partie.md"),
        ] {
            sources
                .files
                .insert(file.into(), self.templates.render(name, &base)?);
        }
        let health = !self.input.health.is_empty();
        if health {
            let parts: Vec<(String, String)> = self
                .input
                .parts
                .iter()
                .map(|p| (p.id.clone(), p.title.clone()))
                .collect();
            let months = super::health::view(&self.input.health, &parts);
            let shown = months.len().min(super::health::MONTHS_AS_TABLES);
            let page = self.templates.render(
                names::HEALTH,
                json!({
                    "titre_livre": BOOK_TITLE,
                    "mois": &months[..shown],
                    "anterieurs": &months[shown..],
                }),
            )?;
            sources.files.insert(HEALTH_FILE.into(), page);
        }
        let (shown, older) = sidebar_years(&years);
        let summary = self.templates.render(
            names::SUMMARY,
            json!({
                "titre_livre": BOOK_TITLE,
                "racine": "",
                "parties": &self.model.parts,
                "annees": shown,
                "annees_anterieures": older.then_some(OLDER_YEARS_FILE),
                "sante": health.then_some(HEALTH_FILE),
            }),
        )?;
        sources.files.insert("SUMMARY.md".into(), summary);
        Ok(())
    }

    fn is_run(&self, i: usize) -> bool {
        self.input.entries[i].entry.front.kind == EntryKind::Execution
    }

    fn index(&self, sources: &mut Sources) -> Result<()> {
        let entries = &self.input.entries;
        let all: Vec<usize> = (0..entries.len()).collect();
        let nb_runs = all.iter().filter(|i| self.is_run(**i)).count();
        let date = |e: Option<&super::sources::SourceEntry>| {
            e.map(|e| super::model::date_time_zoned(&e.entry.front.horodatage))
        };
        let mut ctx = json!({
            "titre_livre": BOOK_TITLE,
            "racine": "",
            "total": entries.len(),
            "nb_executions": nb_runs,
            "nb_notes": entries.len() - nb_runs,
            "nb_jours": self.model.days.len(),
            "premiere": date(entries.first()),
            "derniere": date(entries.last()),
            "parties": &self.model.parts,
            "recentes": RECENT,
            "executions": newest(self.model, &all, RECENT, |i| self.is_run(i)),
            "notes": newest(self.model, &all, RECENT, |i| !self.is_run(i)),
            "dernieres": LATEST,
            "dernier_echec": newest(self.model, &all, 1, |i| {
                self.is_run(i) && entries[i].entry.front.statut == crate::store::Status::Failed
            }),
            "construit_le": self.input.built_at.as_ref().map(super::model::date_time_zoned),
        });
        merge(&mut ctx, status_counts(self.input));
        let text = self.templates.render(names::INDEX, ctx)?;
        sources.files.insert("index.md".into(), text);
        Ok(())
    }

    fn parts(&self, sources: &mut Sources) -> Result<()> {
        let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); self.model.parts.len()];
        let mut general = Vec::new();
        for (i, p) in self.model.part_of.iter().enumerate() {
            match p {
                Some(p) => by_part[*p].push(i),
                None if !self.is_run(i) => general.push(i),
                None => {}
            }
        }
        for (p, idx) in self.model.parts.iter().zip(&by_part) {
            let runbook = self.runbook_of(&p.id, idx);
            let text = self.templates.render(
                names::PART,
                json!({
                    "titre_livre": BOOK_TITLE,
                    "racine": "../",
                    "partie": p,
                    "runbook": runbook,
                    "recentes": RECENT,
                    "executions": newest(self.model, idx, RECENT, |i| self.is_run(i)),
                    "notes": newest(self.model, idx, RECENT, |i| !self.is_run(i)),
                    "mois": self.months_of(idx, &p.slug),
                }),
            )?;
            sources.files.insert(p.fichier.clone(), text);
        }
        let text = self.templates.render(
            names::GENERAL_NOTES,
            json!({
                "titre_livre": BOOK_TITLE,
                "racine": "",
                "recentes": RECENT,
                "notes": newest(self.model, &general, RECENT, |_| true),
                "mois": self.months_of(&general, "notes-generales"),
            }),
        )?;
        sources.files.insert("notes-generales.md".into(), text);
        Ok(())
    }

    /// The runbook of part `id`, if it is written as one, with the last
    /// result of each step among its entries `idx` (oldest first).
    fn runbook_of(&self, id: &str, idx: &[usize]) -> Option<super::runbook_page::RunbookView> {
        let runbook = self
            .input
            .parts
            .iter()
            .find(|p| p.id == id)?
            .runbook
            .as_ref()?;
        let runs: Vec<&super::sources::SourceEntry> = idx
            .iter()
            .rev()
            .filter(|i| self.is_run(**i))
            .map(|i| &self.input.entries[*i])
            .collect();
        Some(super::runbook_page::view(runbook, &runs))
    }

    /// The months of entries `idx` (oldest first), newest first, each with
    /// its month book's page for part `slug`.
    fn months_of(&self, idx: &[usize], slug: &str) -> Value {
        let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for &i in idx {
            let d = self.input.entries[i].entry.front.horodatage.date_naive();
            let c = counts.entry(super::paths::month_key(d)).or_default();
            if self.is_run(i) {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
        let list: Vec<MonthView> = counts
            .into_iter()
            .rev()
            .map(|(key, (runs, notes))| MonthView {
                titre: month_title(&key),
                fichier: format!("{}/parties/{slug}.md", month_dir(&key)),
                cle: key,
                total: runs + notes,
                nb_executions: runs,
                nb_notes: notes,
            })
            .collect();
        Value::from(minijinja::value::Serde(&list))
    }

    fn months(&self) -> Vec<MonthView> {
        self.model
            .months
            .iter()
            .map(|m| {
                let days: Vec<DayView> = m
                    .days
                    .iter()
                    .map(|d| day_view(self.model, self.input, *d))
                    .collect();
                MonthView {
                    titre: month_title(&m.key),
                    fichier: format!("{}/index.md", month_dir(&m.key)),
                    cle: m.key.clone(),
                    total: days.iter().map(|d| d.total).sum(),
                    nb_executions: days.iter().map(|d| d.nb_executions).sum(),
                    nb_notes: days.iter().map(|d| d.nb_notes).sum(),
                }
            })
            .collect()
    }

    fn years(&self, months: &[MonthView]) -> Vec<YearView> {
        let mut years: Vec<YearView> = Vec::new();
        for m in months {
            let y = m.cle.split('-').next().unwrap_or_default().to_string();
            match years.last_mut() {
                Some(last) if last.annee == y => last.total += m.total,
                _ => years.push(YearView {
                    fichier: self.model.year_file(&y),
                    annee: y,
                    total: m.total,
                }),
            }
        }
        years
    }

    fn logbook(
        &self,
        sources: &mut Sources,
        months: &[MonthView],
        years: &[YearView],
    ) -> Result<()> {
        let recent_days: Vec<DayView> = self
            .model
            .days
            .keys()
            .rev()
            .take(RECENT)
            .map(|d| day_view(self.model, self.input, *d))
            .collect();
        let newest_months: Vec<&MonthView> = months.iter().rev().collect();
        let text = self.templates.render(
            names::LOGBOOK,
            json!({
                "titre_livre": BOOK_TITLE,
                "racine": "",
                "jours": recent_days,
                "mois": newest_months,
                "annees": years.iter().rev().collect::<Vec<_>>(),
            }),
        )?;
        sources.files.insert("journal-de-bord.md".into(), text);
        Ok(())
    }

    fn year_pages(
        &self,
        sources: &mut Sources,
        months: &[MonthView],
        years: &[YearView],
    ) -> Result<()> {
        let mut older: Vec<&MonthView> = Vec::new();
        let mut older_total = 0;
        for y in years {
            let list: Vec<&MonthView> = months
                .iter()
                .filter(|m| m.cle.starts_with(&format!("{}-", y.annee)))
                .collect();
            if y.fichier == OLDER_YEARS_FILE {
                older.extend(list);
                older_total += y.total;
                continue;
            }
            let text = self.templates.render(
                names::YEAR,
                json!({ "titre_livre": BOOK_TITLE, "racine": "../", "annee": y, "mois": list }),
            )?;
            sources.files.insert(y.fichier.clone(), text);
        }
        if !older.is_empty() {
            let annee = json!({ "annee": "Années antérieures", "total": older_total });
            let text = self.templates.render(
                names::YEAR,
                json!({ "titre_livre": BOOK_TITLE, "racine": "../", "annee": annee, "mois": older }),
            )?;
            sources.files.insert(OLDER_YEARS_FILE.into(), text);
        }
        Ok(())
    }
}

/// Counts of executions by status, for the index page.
pub fn status_counts(input: &Input) -> serde_json::Value {
    let count = |s: Status| {
        input
            .entries
            .iter()
            .filter(|e| e.entry.front.kind == EntryKind::Execution && e.entry.front.statut == s)
            .count()
    };
    json!({
        "nb_reussies": count(Status::Succeeded),
        "nb_echouees": count(Status::Failed),
        "nb_interrompues": count(Status::Interrupted),
        "nb_en_cours": count(Status::InProgress),
    })
}

/// The newest `n` entries of `idx` (oldest first) that match `keep`, newest
/// first.
pub fn newest(model: &Model, idx: &[usize], n: usize, keep: impl Fn(usize) -> bool) -> Value {
    model.pick(idx.iter().rev().copied().filter(|i| keep(*i)).take(n))
}

/// The years the sidebar lists (newest first, at most [`SIDEBAR_YEARS`])
/// and whether older ones share the « Années antérieures » page.
fn sidebar_years(years: &[YearView]) -> (Vec<&YearView>, bool) {
    let shown: Vec<&YearView> = years
        .iter()
        .rev()
        .filter(|y| y.fichier != OLDER_YEARS_FILE)
        .collect();
    (shown, years.len() > SIDEBAR_YEARS)
}

fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
    if let (Some(a), serde_json::Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}
