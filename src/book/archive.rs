//! One month book (`mois/<mois>/`): its `SUMMARY.md`, the month page, one
//! page per day holding the day's entries as sections (see `inline`), the
//! pages of the earlier versions of its corrected notes (see `revision`),
//! and one page per part listing the month's entries of that part. Its first
//! and last pages carry the addresses of the neighbouring months' last and
//! first pages, and its first and last days those of the neighbouring
//! months' last and first days, for ←/→ (`book.js`).
//!
//! A month book depends only on its own entries, the parts and its two
//! neighbouring months: adding a note re-renders one month book.

use minijinja::value::merge_maps;
use minijinja::{Value, context};
use serde::Serialize;
use serde_json::json;

use super::inline::{Context, inline_entry};
use super::model::{Model, Month, PartView};
use super::pages::{day_view, month_title};
use super::paths::{BOOK_TITLE, month_dir, names};
use super::sources::{Input, Sources};
use crate::error::Result;
use crate::templates::Templates;

/// A part's entries in one month.
#[derive(Debug, Clone, Serialize)]
struct MonthPart<'a> {
    partie: Option<&'a PartView>,
    titre_md: String,
    slug: String,
    entrees: Value,
}

/// One entry section of a day page.
#[derive(Debug, Clone, Serialize)]
struct Section {
    entree: Value,
    corps: String,
}

/// Writes the month book of `model.months[i]` into `sources`.
pub fn month_book(
    input: &Input,
    model: &Model,
    templates: &Templates,
    i: usize,
    month: &Month,
    sources: &mut Sources,
) -> Result<()> {
    let dir = month_dir(&month.key);
    let titre = month_title(&month.key);
    let link = |m: Option<&Month>| {
        m.map(|m| json!({ "titre": month_title(&m.key), "fichier": format!("../{}/index.md", m.key) }))
    };
    let prev = i.checked_sub(1).and_then(|p| model.months.get(p));
    let days: Vec<_> = month
        .days
        .iter()
        .map(|d| day_view(model, input, *d))
        .collect();
    let parts = month_parts(model, month);
    let looked_up = std::cell::RefCell::default();
    let versions =
        super::revision::pages(input, model, templates, &month.days, &looked_up, sources)?;
    // ←/→ cross month ends: the first page (the month page) leads back to
    // the previous month book's last page (its last part page), the last
    // page forward to the next month book's first page.
    let prev_last = prev.and_then(|m| {
        month_parts(model, m)
            .last()
            .map(|p| format!("{}/parties/{}.html", month_dir(&m.key), p.slug))
    });
    let next_first = model
        .months
        .get(i + 1)
        .map(|m| format!("{}/index.html", month_dir(&m.key)));
    // The month's context is built once, as a template value, and shared
    // by its pages (each page adds its own few keys on top).
    let base = context! {
        titre_livre => BOOK_TITLE,
        mois => context! {
            cle => &month.key,
            titre => &titre,
            annee => &month.key[..4],
            fichier_annee => val(&model.year_file(&month.key[..4])),
        },
        precedent => val(&link(prev)),
        suivant => val(&link(model.months.get(i + 1))),
        jours => val(&days),
        parties => val(&parts),
        versions => val(&versions),
        fin_precedent => prev_last,
        debut_suivant => next_first,
    };
    let with = |page: Value| merge_maps([base.clone(), page]);
    sources.files.insert(
        format!("{dir}/SUMMARY.md"),
        templates.render(names::MONTH_SUMMARY, with(context! { racine => "../../" }))?,
    );
    sources.files.insert(
        format!("{dir}/index.md"),
        templates.render(names::MONTH, with(context! { racine => "../../" }))?,
    );
    for (n, p) in parts.iter().enumerate() {
        let ctx = with(context! {
            racine => "../../../",
            partie => val(&p),
            derniere_page => n + 1 == parts.len(),
        });
        sources.files.insert(
            format!("{dir}/parties/{}.md", p.slug),
            templates.render(names::MONTH_PART, ctx)?,
        );
    }
    for (d, view) in month.days.iter().zip(&days) {
        day_page(
            input, model, templates, *d, view, &titre, &looked_up, sources,
        )?;
    }
    // Paging day by day crosses month ends too: the first day leads back to
    // the previous month's last day, the last day on to the next month's
    // first day (after the sections: the entries' line ranges are kept).
    let html = |d: &chrono::NaiveDate| super::paths::day_file(*d).replace(".md", ".html");
    let ends = [
        (
            month.days.first(),
            "precedent",
            prev.and_then(|m| m.days.last()),
        ),
        (
            month.days.last(),
            "suivant",
            model.months.get(i + 1).and_then(|m| m.days.first()),
        ),
    ];
    for (day, side, target) in ends {
        if let (Some(day), Some(target)) = (day, target)
            && let Some(page) = sources.files.get_mut(&super::paths::day_file(*day))
        {
            page.push_str(&format!(
                "\n<span hidden data-journal-{side}=\"../../{}\"></span>\n",
                html(target)
            ));
        }
    }
    sources
        .lookups
        .insert(month.key.clone(), looked_up.into_inner());
    Ok(())
}

/// `x` as a template value.
fn val<T: Serialize>(x: &T) -> Value {
    Value::from(minijinja::value::Serde(x))
}

/// The parts with entries this month (the given order), then the general
/// notes.
fn month_parts<'a>(model: &'a Model, month: &Month) -> Vec<MonthPart<'a>> {
    let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); model.parts.len() + 1];
    for d in &month.days {
        for &i in &model.days[d] {
            let slot = model.part_of[i].unwrap_or(model.parts.len());
            by_part[slot].push(i);
        }
    }
    by_part
        .into_iter()
        .enumerate()
        .filter(|(_, idx)| !idx.is_empty())
        .map(|(p, idx)| {
            let part = model.parts.get(p);
            MonthPart {
                partie: part,
                titre_md: part
                    .map_or_else(|| "Notes générales".to_string(), |p| p.titre_md.clone()),
                slug: part.map_or_else(|| "notes-generales".to_string(), |p| p.slug.clone()),
                entrees: model.pick(idx.into_iter()),
            }
        })
        .collect()
}

/// The day page: a table of the day's entries, then one section each.
#[allow(clippy::too_many_arguments)]
fn day_page(
    input: &Input,
    model: &Model,
    templates: &Templates,
    date: chrono::NaiveDate,
    view: &super::pages::DayView,
    month_title: &str,
    looked_up: &std::cell::RefCell<std::collections::BTreeSet<String>>,
    sources: &mut Sources,
) -> Result<()> {
    let dir = month_dir(&super::paths::month_key(date));
    let withheld: std::collections::BTreeSet<String> = input
        .script_capable
        .iter()
        .map(|n| format!("{}/{n}", super::paths::ENTRIES_DIR))
        .collect();
    let narrow_charts: std::collections::BTreeSet<String> = input
        .images
        .iter()
        // Published as an image (not withheld as text) and a chart's variant.
        .filter(|n| {
            n.ends_with(super::inline::NARROW_CHART_SUFFIX) && !input.script_capable.contains(*n)
        })
        .map(|n| format!("{}/{n}", super::paths::ENTRIES_DIR))
        .collect();
    let idx = &model.days[&date];
    let revisions = super::revision::linked(input, model, &[date]);
    let sections: Vec<Section> = idx
        .iter()
        .map(|&i| {
            let se = &input.entries[i];
            let body = crate::store::entry::split(&se.text).map_or(se.text.as_str(), |(_, b, _)| b);
            let id = se.entry.id();
            let ctx = Context {
                anchor: &id,
                page_dir: &dir,
                permalinks: &model.permalinks,
                withheld: &withheld,
                narrow_charts: &narrow_charts,
                revisions: &revisions,
                tool_statuses: se.entry.front.kind == crate::store::entry::EntryKind::Execution,
                looked_up,
            };
            Section {
                entree: model.views[i].clone(),
                corps: inline_entry(body, &ctx),
            }
        })
        .collect();
    let text = templates.render(
        names::DAY,
        context! {
            titre_livre => BOOK_TITLE,
            racine => "../../",
            jour => val(&view),
            mois_titre => month_title,
            sections => val(&sections),
        },
    )?;
    let rel = super::paths::day_file(date);
    let ranges = embedded_lines(&text, sections.iter().map(|s| s.corps.as_str()));
    sources.embedded.insert(rel.clone(), ranges);
    sources.files.insert(rel, text);
    Ok(())
}

/// The line ranges (1-based, inclusive) where `bodies` appear, in order, in
/// `page`.
fn embedded_lines<'a>(page: &str, bodies: impl Iterator<Item = &'a str>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut line = 1;
    for body in bodies {
        if body.trim().is_empty() {
            continue;
        }
        let Some(pos) = find_from(page, at, body) else {
            continue;
        };
        line += page[at..pos].matches('\n').count();
        let n = body.matches('\n').count();
        out.push((line, line + n));
        line += n;
        at = pos + body.len();
    }
    out
}

/// The first position at or after `at` where `body` appears in `page`:
/// a short prefix is looked for, then the whole body compared (a body is
/// often tens of kilobytes: searching for it whole prepares the search on
/// all of it each time).
fn find_from(page: &str, at: usize, body: &str) -> Option<usize> {
    let mut k = body.len().min(64);
    while !body.is_char_boundary(k) {
        k -= 1;
    }
    let key = &body[..k];
    let step = key.chars().next().map_or(1, char::len_utf8);
    let mut from = at;
    loop {
        let pos = from + page[from..].find(key)?;
        if page[pos..].starts_with(body) {
            return Some(pos);
        }
        from = pos + step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_found_whole_after_a_partial_match() {
        let page = "é abc abcd abc abcdef";
        assert_eq!(find_from(page, 0, "abcdef"), Some(16));
        assert_eq!(find_from(page, 0, "abc abcd"), Some(3));
        assert_eq!(find_from(page, 4, "abc"), Some(7));
        assert_eq!(find_from(page, 0, "abcdefg"), None);
    }

    #[test]
    fn embedded_lines_are_found_in_order() {
        let page = "# J\n\n## a\n\nx\ny\n\n## b\n\nz\n";
        assert_eq!(
            embedded_lines(page, ["x\ny\n", "z\n"].into_iter()),
            vec![(5, 7), (10, 11)]
        );
    }
}
