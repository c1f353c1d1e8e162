//! The search index of the whole site (main book and month books), built
//! with Pagefind's library: French stemming, accent-insensitive queries, an
//! index split in chunks that the browser fetches on demand (so the page
//! stays light however large the journal), filters (type, part, status,
//! year) and Pagefind's search page translated into French by the page's
//! `lang`.
//!
//! One index for the main book (`book/html/pagefind/`), one per past year of
//! month books and one per month of the latest year
//! (`book/html/pagefind-annees/<année>/` or `<année-mois>/`), merged by the
//! search page ([`index_groups`]): an index is rebuilt only when the SHA-256
//! of its pages changed (kept in `book/recherche/<groupe>/`), so that adding
//! a note re-indexes the main book and the note's month, not its whole year.
//! The number of indexes the page merges stays bounded (the years, plus at
//! most twelve months); when a new year starts, the months of the one before
//! are indexed once more as a year.
//! A result is a journal entry: each day page of a month book is cut into
//! one Pagefind record per entry (its title, date, part, status and type as
//! metadata, filters and date sort key, read from the attributes the day
//! template puts on the entry's metadata paragraph), so that a search lists
//! entries, not whole days. The documentation pages of the main book are one
//! record each; the pages that only gather entries (home, log, years,
//! general notes, months' summaries) are not indexed, nor mdBook's print,
//! 404 and table of contents pages. What every run repeats (commands and
//! their output, tables, chart) is left out of a run's record. French
//! elisions are cut after their apostrophe (« l’ échéance ») so that the
//! word after them is indexed; the search page does the same to a query and
//! joins them back in the excerpts.
//! Beside Pagefind's `pagefind.js`, `pagefind/journal/pagefind.js` (from
//! `pagefind_journal.js`) is the module the search page gives Pagefind's UI:
//! it drops the loose matches Pagefind returns for a word no page has (it
//! falls back to the longest indexed word the query starts with), and sorts
//! by date across the merged indexes.
//!
//! It does not render pages, nor decide what a page shows (templates).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use sha2::{Digest, Sha256};

use super::files::remove_dir;
use super::paths::{CACHE_DIR, FINGERPRINT, INDEX_DIR, MONTHS_DIR, SCRATCH_DIR, YEARS_DIR};
use crate::error::{Error, Result};

/// At most this many fragment files per index: beyond, Pagefind bundles
/// the records' fragments in shared files (a year has thousands of entries).
const MAX_FRAGMENTS: u32 = 256;

/// Pagefind's module as the search page uses it (loose matches dropped,
/// date sort across indexes), beside Pagefind's own `pagefind.js`.
const SEARCH_MODULE: &str = "journal/pagefind.js";
const SEARCH_MODULE_JS: &str = include_str!("pagefind_journal.js");

/// Pages never indexed (mdBook's own, or duplicates of other pages).
const SKIPPED: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// What [`index_site`] did.
#[derive(Debug, Clone, Default)]
pub struct Indexed {
    /// Pages in the indexes.
    pub pages: usize,
    /// Indexes (years or months) built this time.
    pub groups_built: usize,
    /// Indexes whose previous build was reused (same pages).
    pub groups_reused: usize,
}

/// Indexes every page of `book_dir/html`; `full` rebuilds every year.
/// `months` are the month books' fingerprints (`2024-03` → hash): a year's
/// pages are the month books' pages, identical when the fingerprints of its
/// months are.
pub fn index_site(
    book_dir: &Path,
    full: bool,
    months: &BTreeMap<String, String>,
) -> Result<Indexed> {
    // What the book was made from is freed by now (the caller dropped it):
    // handed back to the system before Pagefind allocates its own.
    give_back_freed_memory();
    let html = book_dir.join(super::paths::HTML_DIR);
    // Left by a version that wrote the pages for Pagefind to disk.
    let scratch = book_dir.join(SCRATCH_DIR);
    remove_dir(&scratch)?;
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("index de recherche : {e}")))?;
    let mut done = Indexed {
        pages: pages.len(),
        ..Indexed::default()
    };
    let cache = book_dir.join(CACHE_DIR);
    let mut job = Job {
        html: &html,
        cache: &cache,
        runtime: &runtime,
    };
    for (group, rels) in &groups {
        if group.is_empty() {
            job.build(rels, &html.join(INDEX_DIR))?;
        } else if job.group(group, rels, &group_fingerprint(group, months), full)? {
            done.groups_built += 1;
        } else {
            done.groups_reused += 1;
        }
    }
    remove_stale(&cache, &groups)?;
    remove_stale(&html.join(YEARS_DIR), &groups)?;
    let module = html.join(INDEX_DIR).join(SEARCH_MODULE);
    super::files::create_dir(module.parent().unwrap_or(&html))?;
    super::files::write_file(&module, SEARCH_MODULE_JS.as_bytes())?;
    Ok(done)
}

/// Where the indexes are built.
struct Job<'a> {
    html: &'a Path,
    cache: &'a Path,
    runtime: &'a tokio::runtime::Runtime,
}

impl Job<'_> {
    /// Indexes `rels` into `out`.
    fn build(&mut self, rels: &[String], out: &Path) -> Result<()> {
        remove_dir(out)?;
        let built = self.runtime.block_on(build(self.html, rels, out));
        // The index just written is dropped: its memory goes back to the
        // system before the next one is built.
        give_back_freed_memory();
        built.map_err(|e| {
            Error::failed(format!(
                "index de recherche impossible à construire : {e:#}"
            ))
            .with_hint("relancez « journal build -v » ; le livre lui-même est rendu")
        })
    }

    /// A year's or a month's index, built again (`true`) or reused; copied
    /// into the site.
    fn group(
        &mut self,
        group: &str,
        rels: &[String],
        fingerprint: &str,
        full: bool,
    ) -> Result<bool> {
        let kept = self.cache.join(group);
        let same = !full
            && kept.join(INDEX_DIR).is_dir()
            && fs::read_to_string(kept.join(FINGERPRINT)).is_ok_and(|h| h == fingerprint);
        if !same {
            let _ = fs::remove_file(kept.join(FINGERPRINT));
            self.build(rels, &kept.join(INDEX_DIR))?;
            super::files::write_file(&kept.join(FINGERPRINT), fingerprint.as_bytes())?;
            // The site keeps its pages between builds: the old index's
            // files (named by their hash) must not stay beside the new ones.
            remove_dir(&self.html.join(YEARS_DIR).join(group))?;
        }
        super::files::copy_tree(
            &kept.join(INDEX_DIR),
            &self.html.join(YEARS_DIR).join(group),
        )?;
        Ok(!same)
    }
}

/// Returns the heap's free pages to the system: glibc keeps them, spread
/// over one arena per thread that allocated them, so that the book's
/// memory, freed before indexing, would stay resident under Pagefind's, and
/// each index's under the next one's. From the first call on, threads
/// share at most two arenas (the threads Pagefind starts would otherwise
/// each get their own, none reusing what another freed).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` and `malloc_trim` only change how glibc's allocator
    // keeps free memory; no precondition, no live allocation touched.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::malloc_trim(0);
    }
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
/// year's, or the month's own), Pagefind's version and settings.
fn group_fingerprint(group: &str, months: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    // What is indexed and how (one record per entry, elisions cut).
    h.update(b"pagefind 1.6 fr entrees 4\0");
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
/// longer have pages.
fn remove_stale(cache: &Path, groups: &BTreeMap<String, Vec<String>>) -> Result<()> {
    let Ok(rd) = fs::read_dir(cache) else {
        return Ok(());
    };
    for d in rd.filter_map(|d| d.ok()) {
        if !groups.contains_key(d.file_name().to_string_lossy().as_ref()) {
            remove_dir(&d.path())?;
        }
    }
    Ok(())
}

/// Pagefind on the records of the pages `rels` of the site `html`, index
/// in `out`. Pages are read one at a time: only their records' words stay
/// in memory.
async fn build(html: &Path, rels: &[String], out: &Path) -> anyhow::Result<()> {
    let config = PagefindServiceConfig::builder()
        .force_language("fr".to_string())
        .keep_index_url(true)
        // One record per entry: thousands of small fragment files per year
        // otherwise (file creation was a third of the indexing time).
        .max_fragments(MAX_FRAGMENTS)
        .build();
    let mut index = PagefindIndex::new(Some(config))?;
    for rel in rels {
        let from = html.join(rel);
        let page = fs::read_to_string(&from)
            .map_err(|e| anyhow::anyhow!("lecture de {} : {e}", from.display()))?;
        for record in records(rel, &page) {
            index
                .add_html_file(None, Some(record.url), record.html)
                .await?;
        }
    }
    index
        .write_files(Some(out.to_string_lossy().into_owned()))
        .await?;
    Ok(())
}

/// One search result: a journal entry (its day page and its anchor), or a
/// documentation page.
#[derive(Debug)]
struct Record {
    /// From the site's root: `/mois/2024-03/2024-03-05.html#<id>`.
    url: String,
    /// What Pagefind reads.
    html: String,
}

/// What a page brings to the index, from its path `rel` in the site:
///
/// - a day page of a month book: one record per entry, with its title,
///   date, part and status as metadata, filters and sort key;
/// - a documentation page of the main book (a part, « écrire une partie »,
///   the documentation pages): one record, its tables left out, and a
///   part's lists (on a part's page they list its runs and notes, already
///   indexed as entries);
/// - nothing for the pages that only gather entries (home, log, years,
///   general notes, months' summaries and parts) nor for mdBook's own.
fn records(rel: &str, page: &str) -> Vec<Record> {
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
    ];
    if gathering.contains(&rel) || rel.starts_with("annees/") {
        return Vec::new();
    }
    let mut html =
        elisions_split(&searchable(page)).replace("<table", "<table data-pagefind-ignore");
    if rel.starts_with("parties/") {
        // A part's lists are its notes and runs, indexed as entries.
        html = html
            .replace("<ul>", "<ul data-pagefind-ignore>")
            .replace("<ol>", "<ol data-pagefind-ignore>");
    }
    vec![Record {
        url: format!("/{rel}"),
        html,
    }]
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

/// The entries of a day page, cut at their headings: each entry's
/// paragraph of metadata (`<p class="entree-meta" data-entree=…>`, written
/// by the day template) follows its `<h2>`. An entry's body cannot forge
/// that paragraph: its HTML is sanitized, `data-` attributes dropped.
fn entries(rel: &str, page: &str) -> Vec<Record> {
    const MARK: &str = r#"<p class="entree-meta" data-entree=""#;
    let Some(main) = page
        .find("<main")
        .and_then(|s| page[s..].find("</main>").map(|e| &page[s..s + e]))
    else {
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
        let attr = |name: &str| attribute(tag, name).unwrap_or_default();
        let (anchor, genre) = (attr("data-entree"), attr("data-genre"));
        // The paragraph itself is metadata, shown beside the result.
        let meta_end = main[tag_end..end]
            .find("</p>")
            .map_or(tag_end, |e| tag_end + e + 4);
        let mut body = String::with_capacity(end - heading(m));
        body.push_str(&main[heading(m)..m]);
        body.push_str(&main[meta_end..end]);
        if genre == "execution" {
            body = technical_left_out(&body);
        }
        let mut html = String::with_capacity(body.len() + 600);
        html.push_str(r#"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body><div data-pagefind-ignore="index">"#);
        for (kind, key, value) in [
            ("meta", "title", attr("data-titre")),
            ("meta", "quand", attr("data-quand")),
            ("meta", "type", attr("data-type")),
            ("meta", "partie", attr("data-partie")),
            ("meta", "statut", attr("data-statut")),
            // For the search page's date sort across indexes.
            ("meta", "date", attr("data-date")),
            ("filter", "type", attr("data-type")),
            ("filter", "partie", attr("data-partie")),
            ("filter", "statut", attr("data-statut")),
            (
                "filter",
                "année",
                attr("data-date").get(..4).unwrap_or_default(),
            ),
            ("sort", "date", attr("data-date")),
        ] {
            if !value.is_empty() {
                html.push_str(&format!(
                    r#"<span data-pagefind-{kind}="{key}">{value}</span>"#
                ));
            }
        }
        html.push_str("</div><div data-pagefind-body>");
        html.push_str(&elisions_split(&body));
        html.push_str("</div></body></html>");
        out.push(Record {
            url: format!("/{rel}#{anchor}"),
            html,
        });
    }
    out
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

/// The French elisions (« l’échéance », « qu’hôte », « jusqu'à ») cut
/// after their apostrophe, so that the word is indexed on its own: Pagefind
/// keeps « l’échéance » as one word (`’` is not punctuation to it) and
/// indexes « l'hôte » as a compound it ranks low. The search page joins
/// them back in the excerpts.
fn elisions_split(html: &str) -> std::borrow::Cow<'_, str> {
    static ELISION: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    ELISION
        .get_or_init(|| {
            regex::Regex::new(r"(?i)\b(jusqu|lorsqu|puisqu|qu|[cdjlmnst])([’'])(\w)")
                .expect("expression des élisions")
        })
        .replace_all(html, "$1$2 $3")
}

/// What Pagefind needs of a rendered page: its language, its title and its
/// `<main>` (the theme around it is the same on every page).
fn searchable(page: &str) -> String {
    let title = between(
        page,
        r#"<span data-pagefind-meta="title" hidden>"#,
        "</span>",
    );
    let main = page
        .find("<main")
        .and_then(|s| page[s..].find("</main>").map(|e| &page[s..s + e + 7]));
    match main {
        Some(main) => format!(
            r#"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body><span data-pagefind-meta="title">{}</span>{main}</body></html>"#,
            title.unwrap_or_default()
        ),
        None => page.to_string(),
    }
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
            if !(dir == root && (name == INDEX_DIR || name == YEARS_DIR)) {
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
    fn french_elisions_are_cut_after_their_apostrophe() {
        assert_eq!(
            elisions_split("à l’échéance, d’équipe, qu’hôte, l'hôte, jusqu’à, L’Été"),
            "à l’ échéance, d’ équipe, qu’ hôte, l' hôte, jusqu’ à, L’ Été"
        );
        // Not inside a word, nor an apostrophe without a letter after it.
        assert_eq!(elisions_split("aujourd’hui, l’ ici"), "aujourd’hui, l’ ici");
    }

    #[test]
    fn a_day_page_gives_one_record_per_entry_with_its_metadata() {
        let page = concat!(
            r#"<html><body><nav>Sommaire</nav><main data-pagefind-body><h1>Mardi</h1>"#,
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
        let (note, run) = (&r[0].html, &r[1].html);
        for meta in [
            r#"<span data-pagefind-meta="title">Une note</span>"#,
            r#"<span data-pagefind-filter="partie">Partie 6</span>"#,
            r#"<span data-pagefind-filter="statut">consigné</span>"#,
            r#"<span data-pagefind-filter="année">2024</span>"#,
            r#"<span data-pagefind-sort="date">2024-03-05T08:00:00+01:00</span>"#,
            // Read by the search page to sort across indexes.
            r#"<span data-pagefind-meta="date">2024-03-05T08:00:00+01:00</span>"#,
        ] {
            assert!(note.contains(meta), "{meta} absent : {note}");
        }
        // Only the entry's own text, elisions cut; not the day's summary,
        // not the other entry, not the metadata paragraph.
        assert!(note.contains("Vu à l’ échéance.") && note.contains("gardée"));
        assert!(!note.contains("Résumé du jour") && !note.contains("Sommaire"));
        assert!(!note.contains("cible DOWN") && !note.contains("Note · Partie 6"));
        // A run's commands and tables are left out, its results kept.
        assert!(run.contains("cible DOWN") && run.contains("Une exécution"));
        assert!(!run.contains("docker compose ps") && !run.contains("cadvisor"));
        assert!(!run.contains(r#"data-pagefind-filter="partie""#));
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
        let page = r#"<main data-pagefind-body><h1>X</h1><ul><li>une note</li></ul><table><tr><td>x</td></tr></table></main>"#;
        for rel in [
            "index.html",
            "journal-de-bord.html",
            "notes-generales.html",
            "recherche.html",
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
        assert!(doc[0].html.contains("<table data-pagefind-ignore>"));
        assert!(doc[0].html.contains("<ul>"));
        let part = records("parties/partie-6.html", page);
        assert!(part[0].html.contains("<ul data-pagefind-ignore>"));
    }

    #[test]
    fn only_the_main_content_is_indexed() {
        let page = r#"<html><head><title>x</title></head><body><nav>Sommaire</nav><span data-pagefind-meta="title" hidden>Mardi</span><main data-pagefind-body><h1>Mardi</h1></main><script>x</script></body></html>"#;
        let s = searchable(page);
        assert!(s.contains(r#"<html lang="fr">"#));
        assert!(s.contains("<main data-pagefind-body><h1>Mardi</h1></main>"));
        assert!(s.contains(r#"<span data-pagefind-meta="title">Mardi</span>"#));
        assert!(!s.contains("Sommaire") && !s.contains("<script>"));
    }
}
