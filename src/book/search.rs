//! The search index of the whole site (main book and month books), and the
//! search page's module: journal's own index, made for what the journal
//! holds (one result per entry, French words, filters, date sort) and
//! small enough to build with the book.
//!
//! One index for the main book's documentation (`recherche/livre/`), one
//! per past year of month books and one per month of the latest year
//! (`recherche/<année>/` or `<année-mois>/`), merged by the search page
//! ([`index_groups`]): a year's or month's index is rebuilt only when the
//! fingerprints of its months changed (kept in `book/recherche/<groupe>/`),
//! so that adding a note re-indexes the main book and the note's month,
//! not its whole year. The number of indexes the page merges stays bounded
//! (the years, plus at most twelve months); when a new year starts, the
//! months of the one before are indexed once more as a year. Indexes to
//! build are built in parallel.
//!
//! A result is a journal entry: each day page of a month book is cut into
//! one record per entry (its title, date, part, status and type read from
//! the attributes the day template puts on the entry's metadata paragraph),
//! so that a search lists entries, not whole days. The documentation pages
//! of the main book are one record each; the pages that only gather
//! entries (home, log, years, general notes, months' summaries) are not
//! indexed, nor mdBook's print, 404 and table of contents pages. What every
//! run repeats (commands and their output, tables, chart, the tutorial's
//! explanation of each step) is left out of a run's record.
//!
//! The words are cut and folded by `search_text`, the files laid out by
//! `search_index`; `search.js` (written beside the indexes) is the page's
//! module that reads them. It does not render pages, nor decide what a
//! page shows (templates).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::cores::on_cores;
use super::files::remove_dir;
use super::paths::{
    CACHE_DIR, FINGERPRINT, HTML_DIR, MAIN_INDEX, MONTHS_DIR, OLD_INDEX_DIRS, SCRATCH_DIR,
    SEARCH_DIR,
};
use super::search_index::{Doc, Index};
use super::search_text::{decode_entities, html_text};
use crate::error::{Error, Result};

/// The search page's module, beside the indexes.
const SEARCH_MODULE: &str = "recherche.js";
const SEARCH_MODULE_JS: &str = include_str!("search.js");

/// Pages never indexed (mdBook's own, or duplicates of other pages).
const SKIPPED: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// The folder of a group's index in the site (and in the cache).
const INDEX: &str = "index";

/// What [`index_site`] did.
#[derive(Debug, Clone, Default)]
pub struct Indexed {
    /// Pages read for the indexes built.
    pub pages: usize,
    /// Indexes (years or months) built this time.
    pub groups_built: usize,
    /// Indexes whose previous build was reused (same pages).
    pub groups_reused: usize,
}

/// Indexes the pages of `book_dir/html`; `full` rebuilds every year.
/// `months` are the month books' fingerprints (`2024-03` → hash): a year's
/// pages are the month books' pages, identical when the fingerprints of its
/// months are.
pub fn index_site(
    book_dir: &Path,
    full: bool,
    months: &BTreeMap<String, String>,
) -> Result<Indexed> {
    let html = book_dir.join(HTML_DIR);
    // Left by earlier versions (Pagefind's pages and indexes).
    remove_dir(&book_dir.join(SCRATCH_DIR))?;
    for old in OLD_INDEX_DIRS {
        remove_dir(&html.join(old))?;
    }
    let mut pages = Vec::new();
    collect_pages(&html, &html, &mut pages)?;
    pages.sort();
    let latest = latest_year(pages.iter().map(|r| month_of(r)));
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in pages.iter() {
        groups
            .entry(group_of(month_of(rel), &latest))
            .or_default()
            .push(rel.clone());
    }
    let cache = book_dir.join(CACHE_DIR);
    let site = html.join(SEARCH_DIR);
    let mut done = Indexed::default();
    // The main book's index is rebuilt each time (a few dozen pages);
    // a year's or a month's when its months changed.
    let mut jobs: Vec<(&[String], PathBuf, Option<String>)> = Vec::new();
    let mut built: Vec<String> = Vec::new();
    for (group, rels) in &groups {
        if group.is_empty() {
            jobs.push((rels, site.join(MAIN_INDEX), None));
            continue;
        }
        let kept = cache.join(group);
        let fingerprint = group_fingerprint(group, months);
        let same = !full
            && kept.join(INDEX).is_dir()
            && fs::read_to_string(kept.join(FINGERPRINT)).is_ok_and(|h| h == fingerprint);
        if same {
            done.groups_reused += 1;
        } else {
            let _ = fs::remove_file(kept.join(FINGERPRINT));
            done.groups_built += 1;
            built.push(group.clone());
            jobs.push((rels, kept.join(INDEX), Some(fingerprint)));
        }
    }
    done.pages = jobs.iter().map(|(rels, _, _)| rels.len()).sum();
    build_all(&html, jobs)?;
    remove_stale(&cache, &groups, &[])?;
    remove_stale(&site, &groups, &[MAIN_INDEX, SEARCH_MODULE])?;
    for group in groups.keys().filter(|g| !g.is_empty()) {
        let to = site.join(group);
        if built.contains(group) {
            // The old index's files must not stay beside the new ones.
            remove_dir(&to)?;
        }
        super::files::copy_tree(&cache.join(group).join(INDEX), &to)?;
    }
    super::files::write_file(&site.join(SEARCH_MODULE), SEARCH_MODULE_JS.as_bytes())?;
    Ok(done)
}

/// Builds each job's index (pages, output folder, fingerprint to write
/// beside it) on every core, the largest first (the threads finish
/// together).
fn build_all(html: &Path, mut jobs: Vec<(&[String], PathBuf, Option<String>)>) -> Result<()> {
    jobs.sort_by_key(|(rels, _, _)| std::cmp::Reverse(rels.len()));
    let built = on_cores(&jobs, |(rels, out, fingerprint)| {
        build(html, rels, out)?;
        match fingerprint {
            Some(f) => super::files::write_file(&out.with_file_name(FINGERPRINT), f.as_bytes()),
            None => Ok(()),
        }
    })
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    built.into_iter().collect()
}

/// The index of the pages `rels` of the site `html`, written into `out`.
/// Pages are read one at a time: only their records stay in memory.
fn build(html: &Path, rels: &[String], out: &Path) -> Result<()> {
    remove_dir(out)?;
    let mut index = Index::default();
    for rel in rels {
        let from = html.join(rel);
        let page = fs::read_to_string(&from).map_err(|e| Error::io("lecture de", &from, e))?;
        for doc in records(rel, &page) {
            index.add(doc);
        }
    }
    index.write(out)
}

/// What a page brings to the index, from its path `rel` in the site:
///
/// - a day page of a month book: one record per entry, with its title,
///   date, part and status;
/// - a documentation page of the main book (a part, « écrire une partie »,
///   the documentation pages): one record, its tables left out, and a
///   part's lists (on a part's page they list its runs and notes, already
///   indexed as entries);
/// - nothing for the pages that only gather entries (home, log, years,
///   general notes, months' summaries and parts) nor for mdBook's own.
fn records(rel: &str, page: &str) -> Vec<Doc> {
    if let Some(day) = rel
        .strip_prefix(MONTHS_DIR)
        .and_then(|r| r.strip_prefix('/'))
    {
        return if is_day_page(day) {
            entries(rel, page)
        } else {
            Vec::new()
        };
    }
    let gathering = [
        "index.html",
        "journal-de-bord.html",
        "notes-generales.html",
        "recherche.html",
        // The health calendar: days and counts, no words to find.
        "sante.html",
    ];
    if gathering.contains(&rel) || rel.starts_with("annees/") {
        return Vec::new();
    }
    let Some(main) = main_of(page) else {
        return Vec::new();
    };
    let mut body = cut(main, "<table", "</table>");
    if rel.starts_with("parties/") {
        // A part's lists are its notes and runs, indexed as entries.
        body = cut_nested(&cut_nested(&body, "ul"), "ol");
    }
    let title = between(page, r#"<span data-journal-titre hidden>"#, "</span>").unwrap_or_default();
    vec![Doc {
        url: format!("/{rel}"),
        title: decode_entities(title).into_owned(),
        text: html_text(&body),
        ..Doc::default()
    }]
}

/// The content of a page's `<main>` element.
fn main_of(page: &str) -> Option<&str> {
    let s = page.find("<main")?;
    let e = page[s..].find("</main>")?;
    Some(&page[s..s + e])
}

/// The entries of a day page, cut at their headings: each entry's
/// paragraph of metadata (`<p class="entree-meta" data-entree=…>`, written
/// by the day template) follows its `<h2>`. An entry's body cannot forge
/// that paragraph: its HTML is sanitized, `data-` attributes dropped.
fn entries(rel: &str, page: &str) -> Vec<Doc> {
    const MARK: &str = r#"<p class="entree-meta" data-entree=""#;
    let Some(main) = main_of(page) else {
        return Vec::new();
    };
    let marks: Vec<usize> = main.match_indices(MARK).map(|(i, _)| i).collect();
    let heading = |m: usize| main[..m].rfind("<h2").unwrap_or(m);
    let mut out = Vec::with_capacity(marks.len());
    for (k, &m) in marks.iter().enumerate() {
        let end = marks.get(k + 1).map_or(main.len(), |&n| heading(n));
        let Some(tag_end) = main[m..].find('>').map(|e| m + e + 1) else {
            continue;
        };
        let tag = &main[m..tag_end];
        let attr =
            |name: &str| decode_entities(attribute(tag, name).unwrap_or_default()).into_owned();
        // The paragraph itself is metadata, shown beside the result.
        let meta_end = main[tag_end..end]
            .find("</p>")
            .map_or(tag_end, |e| tag_end + e + 4);
        let mut body = String::with_capacity(end - heading(m));
        body.push_str(&main[heading(m)..m]);
        body.push_str(&main[meta_end..end]);
        if attr("data-genre") == "execution" {
            body = technical_left_out(&body);
        }
        out.push(Doc {
            url: format!("/{rel}#{}", attr("data-entree")),
            title: attr("data-titre"),
            when: attr("data-quand"),
            kind: attr("data-type"),
            part: attr("data-partie"),
            status: attr("data-statut"),
            date: attr("data-date"),
            text: html_text(&body),
        });
    }
    out
}

/// `text` without every `<tag …>…</tag>`, nested ones included.
fn cut_nested(text: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        out.push_str(&rest[..i]);
        let mut depth = 0usize;
        let mut at = i;
        loop {
            let next_open = rest[at + 1..].find(&open).map(|j| at + 1 + j);
            let Some(next_close) = rest[at + 1..].find(&close).map(|j| at + 1 + j) else {
                rest = "";
                break;
            };
            match next_open {
                Some(o) if o < next_close => {
                    depth += 1;
                    at = o;
                }
                _ if depth == 0 => {
                    rest = &rest[next_close + close.len()..];
                    break;
                }
                _ => {
                    depth -= 1;
                    at = next_close;
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// The month of a month book's page (`mois/2024-03/…` → `2024-03`), empty
/// for the main book's pages.
fn month_of(rel: &str) -> &str {
    rel.strip_prefix(MONTHS_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.get(..7))
        .unwrap_or_default()
}

/// The latest year among `months` (`2024-03`…), empty when none.
fn latest_year<'a>(months: impl Iterator<Item = &'a str>) -> String {
    months
        .filter_map(|m| m.get(..4))
        .max()
        .unwrap_or_default()
        .to_string()
}

/// The index a month's pages go to: its year, or the month itself in the
/// latest year; empty (the main book's index) for no month.
fn group_of(month: &str, latest: &str) -> String {
    match month.get(..4) {
        None => String::new(),
        Some(year) if year == latest => month.to_string(),
        Some(year) => year.to_string(),
    }
}

/// The month books' indexes the search page merges, for the months
/// `2024-03`… of the journal: one per past year, one per month of the
/// latest year.
pub fn index_groups<'a>(months: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let latest = latest_year(months.clone());
    let groups: std::collections::BTreeSet<String> = months.map(|m| group_of(m, &latest)).collect();
    groups.into_iter().filter(|g| !g.is_empty()).collect()
}

/// The SHA-256 of an index's inputs: the fingerprints of its months (a
/// year's, or the month's own) and the layout's version (`search_index`).
fn group_fingerprint(group: &str, months: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    // What is indexed and how (search_text, search_index).
    h.update(format!("journal recherche {}\0", super::search_index::VERSION).as_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for (key, hash) in months
        .iter()
        .filter(|(k, _)| *k == group || k.starts_with(&format!("{group}-")))
    {
        h.update(key.as_bytes());
        h.update([0]);
        h.update(hash.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Removes the indexes (kept, or in the site) of years or months that no
/// longer have pages; `keep` are the other names of the folder.
fn remove_stale(dir: &Path, groups: &BTreeMap<String, Vec<String>>, keep: &[&str]) -> Result<()> {
    let Ok(rd) = fs::read_dir(dir) else {
        return Ok(());
    };
    for d in rd.filter_map(|d| d.ok()) {
        let name = d.file_name().to_string_lossy().into_owned();
        if groups.contains_key(&name) || keep.contains(&name.as_str()) {
            continue;
        }
        if d.file_type().is_ok_and(|t| t.is_dir()) {
            remove_dir(&d.path())?;
        } else {
            fs::remove_file(d.path()).map_err(|e| Error::io("suppression de", &d.path(), e))?;
        }
    }
    Ok(())
}

/// `2024-03/2024-03-05.html`: a month book's day page.
fn is_day_page(day: &str) -> bool {
    let b = day.as_bytes();
    day.is_ascii()
        && b.len() == "2024-03/2024-03-05.html".len()
        && day.ends_with(".html")
        && day[..7] == day[8..15]
        && b[7] == b'/'
        && b[15] == b'-'
        && b[16..18].iter().all(u8::is_ascii_digit)
}

/// The value of `name="…"` in an opening tag (still HTML-escaped).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(&tag[i..i + j])
}

/// A run's body without what every run repeats: commands and their output
/// (`<pre>`), tables (steps, checks, resources) and the chart. What stays
/// is its headings (the steps), its results and warnings, and its prose.
fn technical_left_out(body: &str) -> String {
    let mut out = body.to_string();
    for (open, close) in [
        ("<pre", "</pre>"),
        (r#"<div class="table-wrapper">"#, "</div>"),
        ("<table", "</table>"),
        ("<svg", "</svg>"),
    ] {
        out = cut(&out, open, close);
    }
    explanations_left_out(&out)
}

/// A run's body without the explanation of each step (the tutorial's
/// prose, the same in every run of a part): between a step's status line
/// (`<p><span class="statut …">`) and its result
/// (`<p><strong>Résultat :</strong>`), when no heading lies in between.
fn explanations_left_out(body: &str) -> String {
    const STATUS: &str = r#"<p><span class="statut "#;
    const RESULT: &str = "<p><strong>Résultat";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.find(STATUS) {
        let Some(line_end) = rest[i..].find("</p>").map(|e| i + e + 4) else {
            break;
        };
        out.push_str(&rest[..line_end]);
        rest = &rest[line_end..];
        if let Some(r) = rest.find(RESULT)
            && !rest[..r].contains("<h2")
            && !rest[..r].contains("<h3")
        {
            rest = &rest[r..];
        }
    }
    out.push_str(rest);
    out
}

/// `text` without every `open…close` (not nested).
fn cut(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        match rest[i..].find(close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)?;
    Some(&s[i..i + j])
}

/// The `.html` pages under `dir`, as `/`-separated paths relative to
/// `root`, without the indexes nor mdBook's own pages.
fn collect_pages(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let rd = fs::read_dir(dir).map_err(|e| Error::io("lecture du dossier", dir, e))?;
    for d in rd.filter_map(|d| d.ok()) {
        let path: PathBuf = d.path();
        let name = d.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !(dir == root && (name == SEARCH_DIR || OLD_INDEX_DIRS.contains(&name.as_str()))) {
                collect_pages(root, &path, out)?;
            }
        } else if name.ends_with(".html") && !SKIPPED.contains(&name.as_str()) {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_fingerprint_follows_its_months_only() {
        let mut months = BTreeMap::from([
            ("2023-12".to_string(), "a".to_string()),
            ("2024-01".to_string(), "b".to_string()),
        ]);
        let y2023 = group_fingerprint("2023", &months);
        let m2024 = group_fingerprint("2024-01", &months);
        months.insert("2024-02".into(), "c".into());
        assert_eq!(group_fingerprint("2023", &months), y2023);
        assert_eq!(group_fingerprint("2024-01", &months), m2024);
        months.insert("2024-01".into(), "b2".into());
        assert_ne!(group_fingerprint("2024-01", &months), m2024);
        assert_eq!(group_fingerprint("2023", &months), y2023);
    }

    #[test]
    fn pages_are_grouped_by_past_year_and_by_month_of_the_latest_year() {
        assert_eq!(month_of("mois/2024-03/2024-03-05.html"), "2024-03");
        assert_eq!(month_of("mois/2024-03/parties/partie-6.html"), "2024-03");
        assert_eq!(month_of("parties/partie-6.html"), "");
        assert_eq!(month_of("index.html"), "");
        assert_eq!(group_of("2024-03", "2024"), "2024-03");
        assert_eq!(group_of("2023-11", "2024"), "2023");
        assert_eq!(group_of("", "2024"), "");
        let months = ["2022-05", "2023-01", "2023-12", "2024-01", "2024-03"];
        assert_eq!(
            index_groups(months.iter().copied()),
            ["2022", "2023", "2024-01", "2024-03"]
        );
    }

    #[test]
    fn a_day_page_gives_one_record_per_entry_with_its_metadata() {
        let page = concat!(
            r#"<html><body><nav>Sommaire</nav><main><h1>Mardi</h1>"#,
            r##"<table><tr><td><a href="#a">Résumé du jour</a></td></tr></table>"##,
            r#"<h2 id="a">08:00 · Une note</h2><p class="entree-meta" data-entree="a" data-titre="Une note" data-type="note" data-genre="note" data-statut="consigné" data-date="2024-03-05T08:00:00+01:00" data-quand="5 mars 2024 à 08:00" data-partie="Partie 6">Note · Partie 6</p>"#,
            r#"<p>Vu à l’échéance.</p><table><tr><td>gardée</td></tr></table>"#,
            r#"<h2 id="b">09:00 · Une exécution</h2><p class="entree-meta" data-entree="b" data-titre="Exécution" data-type="exécution" data-genre="execution" data-statut="échoué" data-date="2024-03-05T09:00:00+01:00" data-quand="5 mars 2024 à 09:00">Exécution</p>"#,
            r#"<p><strong>Résultat :</strong> cible DOWN</p><pre><code>docker compose ps</code></pre><div class="table-wrapper"><table><tr><td>cadvisor</td></tr></table></div>"#,
            r#"</main></body></html>"#
        );
        let r = records("mois/2024-03/2024-03-05.html", page);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].url, "/mois/2024-03/2024-03-05.html#a");
        assert_eq!(r[1].url, "/mois/2024-03/2024-03-05.html#b");
        let (note, run) = (&r[0], &r[1]);
        assert_eq!(
            (
                note.title.as_str(),
                note.part.as_str(),
                note.status.as_str()
            ),
            ("Une note", "Partie 6", "consigné")
        );
        assert_eq!(note.date, "2024-03-05T08:00:00+01:00");
        assert_eq!(note.when, "5 mars 2024 à 08:00");
        assert_eq!(
            (note.kind.as_str(), run.kind.as_str()),
            ("note", "exécution")
        );
        // Only the entry's own text; not the day's summary, not the other
        // entry, not the metadata paragraph.
        assert_eq!(note.text.text, "08:00 · Une note Vu à l’échéance. gardée");
        assert_eq!(
            &note.text.text[note.text.headings[0].clone()],
            "08:00 · Une note"
        );
        // A run's commands and tables are left out, its results kept.
        let run_text = &run.text.text;
        assert!(run_text.contains("cible DOWN") && run_text.contains("Une exécution"));
        assert!(!run_text.contains("docker compose ps") && !run_text.contains("cadvisor"));
        assert!(run.part.is_empty());
    }

    #[test]
    fn a_run_keeps_its_steps_and_results_not_the_tutorial_s_explanations() {
        let body = concat!(
            r#"<h3 id="s1">1. Vérifications</h3><p><span class="statut statut-reussi">réussi</span> — durée 2 s</p>"#,
            r#"<p>Avant de modifier quoi que ce soit, journal vérifie l’échéance.</p>"#,
            r#"<p><strong>Résultat :</strong> ports libres</p><p>Commande équivalente :</p><pre><code>ss -ltnp</code></pre>"#,
            r#"<h3 id="s2">2. Sans résultat</h3><p><span class="statut statut-echoue">échoué</span></p><p>Erreur gardée.</p>"#,
            r#"<h3 id="s3">3. Suivante</h3><p><strong>Résultat :</strong> fin</p>"#,
        );
        let kept = technical_left_out(body);
        assert!(!kept.contains("Avant de modifier") && !kept.contains("ss -ltnp"));
        for k in [
            "1. Vérifications",
            "réussi",
            "ports libres",
            "échoué",
            "Erreur gardée.",
            "fin",
        ] {
            assert!(kept.contains(k), "{k} absent : {kept}");
        }
    }

    #[test]
    fn pages_that_gather_entries_are_not_indexed() {
        let page = r#"<main><h1>X</h1><ul><li>une note</li></ul><table><tr><td>x</td></tr></table></main>"#;
        for rel in [
            "index.html",
            "journal-de-bord.html",
            "notes-generales.html",
            "recherche.html",
            "sante.html",
            "annees/2024.html",
            "mois/2024-03/index.html",
            "mois/2024-03/parties/partie-6.html",
            "mois/2024-03/2024-03-05.html",
        ] {
            assert!(records(rel, page).is_empty(), "{rel}");
        }
        let doc = records("entrees/documentation/partie-6.html", page);
        assert_eq!(doc.len(), 1);
        assert_eq!(doc[0].url, "/entrees/documentation/partie-6.html");
        // Tables left out, lists kept; a part's lists (its entries) left
        // out, nested ones too.
        assert_eq!(doc[0].text.text, "X une note");
        let part = records(
            "parties/partie-6.html",
            "<main><h1>X</h1><ul><li>a<ul><li>b</li></ul>c</li></ul><p>fin</p></main>",
        );
        assert_eq!(part[0].text.text, "X fin");
    }

    #[test]
    fn only_the_main_content_is_indexed_with_the_page_s_title() {
        let page = r#"<html><head><title>x</title></head><body><nav>Sommaire</nav><span data-journal-titre hidden>Mardi &amp; mercredi</span><main><h1>Mardi</h1></main><script>x</script></body></html>"#;
        let r = records("ecrire-une-partie.html", page);
        assert_eq!(r[0].title, "Mardi & mercredi");
        assert_eq!(r[0].text.text, "Mardi");
    }
}
