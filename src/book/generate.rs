//! Generation of the book sources from the journal.
//!
//! The site is one main book (`index.md`, one page per part, « Notes
//! générales », « Journal de bord », one page per year, « Recherche ») and
//! one month book per month (`mois/2024-03/…`: the month page, one page per
//! day holding that day's entries as sections, one page per part listing the
//! month's entries). Every mdBook render thus has a bounded number of pages,
//! the main book's sidebar stays short, and an entry's permalink
//! (`mois/<mois>/<jour>.html#<id>`) depends only on its own date and file.
//!
//! Pure: entries in, texts out. Page texts come from the `livre-*.md.j2`
//! templates (overridable by the project). It writes nothing.

use chrono::{Datelike, NaiveDate, Utc};

use super::model::Model;
use super::paths::{DOCS_DIR, ENTRIES_DIR, file_name};
use super::sources::{Input, SourceEntry, Sources};
use crate::error::Result;
use crate::templates::Templates;

/// mdBook's page template with French labels (`templates/theme/index.hbs`).
const THEME_INDEX: &str = "theme/index.hbs";
/// mdBook's page script with French labels (`templates/theme/book.js`).
const THEME_BOOK_JS: &str = "theme/book.js";

/// Generates the book sources.
pub fn generate(input: &Input, templates: &Templates) -> Result<Sources> {
    generate_with(input, templates, &Model::new(input), None)
}

/// Generates the main book and the month books of `only` (all of them when
/// `None`), with their entries (the other months are kept from the last
/// build, see `incremental`: their entries' texts may be absent).
pub fn generate_with(
    input: &Input,
    templates: &Templates,
    model: &Model,
    only: Option<&std::collections::BTreeSet<String>>,
) -> Result<Sources> {
    let mut sources = Sources::default();
    for (name, rel) in [(THEME_INDEX, "index.hbs"), (THEME_BOOK_JS, "book.js")] {
        if let Some(text) = templates.raw(name) {
            sources.theme.insert(rel.into(), text);
        }
    }
    let wanted = |month: &str| only.is_none_or(|o| o.contains(month));
    copy_journal_files(input, &wanted, &mut sources);
    sources.warnings = odd_inputs(input);
    let main = super::pages::MainPages {
        input,
        model,
        templates,
    };
    main.write(&mut sources)?;
    month_books(input, model, templates, &wanted, &mut sources)?;
    Ok(sources)
}

/// The month books, generated on every core (each month is independent).
fn month_books(
    input: &Input,
    model: &Model,
    templates: &Templates,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    sources: &mut Sources,
) -> Result<()> {
    // Each month is taken by whichever thread is free: months differ in
    // size by ten times or more.
    let months: Vec<usize> = (0..model.months.len())
        .filter(|&i| wanted(&model.months[i].key))
        .collect();
    let parts = super::cores::on_cores(&months, |&i| {
        let mut part = Sources::default();
        super::archive::month_book(input, model, templates, i, &model.months[i], &mut part)
            .map(|()| part)
    })
    .unwrap_or_else(|_| {
        vec![Err(crate::error::Error::failed(
            "génération d’un mois interrompue",
        ))]
    });
    for part in parts {
        let part = part?;
        sources.files.extend(part.files);
        sources.embedded.extend(part.embedded);
        sources.lookups.extend(part.lookups);
    }
    Ok(())
}

/// The entries (checked, not rendered: they are rendered in their day
/// pages), documentation pages and images.
fn copy_journal_files(input: &Input, wanted: &dyn Fn(&str) -> bool, sources: &mut Sources) {
    for se in &input.entries {
        let e = &se.entry;
        if !wanted(&super::paths::month_key(e.front.horodatage.date_naive())) {
            continue;
        }
        let rel = format!("{ENTRIES_DIR}/{}.md", e.id());
        sources
            .origins
            .insert(rel.clone(), format!("journal/{}", file_name(&e.path)));
        sources.check_only.insert(rel, se.text.clone());
    }
    for (id, text) in &input.docs {
        let rel = format!("{ENTRIES_DIR}/{DOCS_DIR}/{id}.md");
        sources
            .files
            .insert(rel.clone(), super::sanitize::sanitize(text));
        sources
            .origins
            .insert(rel, format!("journal/{DOCS_DIR}/{id}.md"));
    }
    let files = input
        .images
        .iter()
        .cloned()
        .chain(input.doc_images.iter().map(|n| format!("{DOCS_DIR}/{n}")));
    for name in files {
        let site = format!("{ENTRIES_DIR}/{name}");
        let from = input.journal_dir.join(&name);
        if input.script_capable.contains(&name) {
            // Served as text, never as a page of the book's origin.
            sources.assets.insert(format!("{site}.txt"), from);
            sources.withheld.insert(site);
        } else {
            sources.assets.insert(site, from);
        }
    }
}

/// Warnings for odd but valid journals: dates far in the future or before
/// 2000, entries sharing a timestamp, very full days (one line each, so
/// that a journal with thousands of odd entries stays readable).
fn odd_inputs(input: &Input) -> Vec<String> {
    let mut out = Vec::new();
    let next_year = Utc::now().year() + 1;
    let name = |se: &SourceEntry| format!("journal/{}", file_name(&se.entry.path));
    let dated = |keep: &dyn Fn(i32) -> bool| -> Vec<&SourceEntry> {
        input
            .entries
            .iter()
            .filter(|se| keep(se.entry.front.horodatage.year()))
            .collect()
    };
    let old = dated(&|y| y < 2000);
    let future = dated(&|y| y > next_year);
    for (list, when) in [(&old, "avant 2000"), (&future, "dans le futur")] {
        if let Some(first) = list.first() {
            let n = list.len();
            out.push(format!(
                "{n} entrée{} datée{} {when}, dont {} : horloge du système mal réglée ?",
                plural(n),
                plural(n),
                name(first)
            ));
        }
    }
    let same = input
        .entries
        .windows(2)
        .filter(|w| w[0].entry.front.horodatage == w[1].entry.front.horodatage)
        .count();
    if same > 0 {
        out.push(format!(
            "{same} entrée{s} partage{nt} l’horodatage d’une autre : rangée{s} par nom de fichier",
            s = plural(same),
            nt = if same > 1 { "nt" } else { "" },
        ));
    }
    let mut per_day = std::collections::BTreeMap::<NaiveDate, usize>::new();
    for se in &input.entries {
        *per_day
            .entry(se.entry.front.horodatage.date_naive())
            .or_default() += 1;
    }
    for (d, n) in per_day.into_iter().filter(|(_, n)| *n > 500) {
        out.push(format!(
            "{n} entrées le {} : la page de ce jour sera longue",
            crate::french::long_date(d)
        ));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}

#[cfg(test)]
#[path = "generate_tests.rs"]
mod tests;
