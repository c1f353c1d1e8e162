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
//! It indexes the `<main data-pagefind-body>` of every rendered page except
//! mdBook's print, 404 and table of contents pages.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use sha2::{Digest, Sha256};

use super::files::remove_dir;
use super::paths::{CACHE_DIR, FINGERPRINT, INDEX_DIR, MONTHS_DIR, SCRATCH_DIR, YEARS_DIR};
use crate::error::{Error, Result};

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
    let html = book_dir.join(super::paths::HTML_DIR);
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
        scratch: &scratch,
        cache: &cache,
        runtime: &runtime,
    };
    for (group, rels) in &groups {
        if group.is_empty() {
            job.build(rels, &scratch.join("livre"), &html.join(INDEX_DIR))?;
        } else if job.group(group, rels, &group_fingerprint(group, months), full)? {
            done.groups_built += 1;
        } else {
            done.groups_reused += 1;
        }
    }
    remove_stale(&cache, &groups)?;
    remove_stale(&html.join(YEARS_DIR), &groups)?;
    remove_dir(&scratch)?;
    Ok(done)
}

/// Where the indexes are built.
struct Job<'a> {
    html: &'a Path,
    scratch: &'a Path,
    cache: &'a Path,
    runtime: &'a tokio::runtime::Runtime,
}

impl Job<'_> {
    /// Indexes `rels` into `out`.
    fn build(&mut self, rels: &[String], work: &Path, out: &Path) -> Result<()> {
        remove_dir(out)?;
        write_pages(work, &prepare(self.html, rels)?)?;
        self.runtime.block_on(build(work, out)).map_err(|e| {
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
            self.build(rels, &self.scratch.join(group), &kept.join(INDEX_DIR))?;
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
    h.update(b"pagefind 1.6 fr\0");
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

/// The pages as Pagefind reads them.
fn prepare(html: &Path, rels: &[String]) -> Result<Vec<(String, String)>> {
    rels.iter()
        .map(|rel| {
            let from = html.join(rel);
            let page = fs::read_to_string(&from).map_err(|e| Error::io("lecture de", &from, e))?;
            Ok((rel.clone(), searchable(&page)))
        })
        .collect()
}

/// Writes the pages for Pagefind under `work`.
fn write_pages(work: &Path, texts: &[(String, String)]) -> Result<()> {
    for (rel, text) in texts {
        let to = work.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("création du dossier", parent, e))?;
        }
        fs::write(&to, text).map_err(|e| Error::io("écriture de", &to, e))?;
    }
    Ok(())
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

/// Pagefind on the pages under `dir` (read on every core), index in `out`.
async fn build(dir: &Path, out: &Path) -> anyhow::Result<()> {
    let config = PagefindServiceConfig::builder()
        .force_language("fr".to_string())
        .keep_index_url(true)
        .build();
    let mut index = PagefindIndex::new(Some(config))?;
    index
        .add_directory(dir.to_string_lossy().into_owned(), None)
        .await?;
    index
        .write_files(Some(out.to_string_lossy().into_owned()))
        .await?;
    Ok(())
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
    fn only_the_main_content_is_indexed() {
        let page = r#"<html><head><title>x</title></head><body><nav>Sommaire</nav><span data-pagefind-meta="title" hidden>Mardi</span><main data-pagefind-body><h1>Mardi</h1></main><script>x</script></body></html>"#;
        let s = searchable(page);
        assert!(s.contains(r#"<html lang="fr">"#));
        assert!(s.contains("<main data-pagefind-body><h1>Mardi</h1></main>"));
        assert!(s.contains(r#"<span data-pagefind-meta="title">Mardi</span>"#));
        assert!(!s.contains("Sommaire") && !s.contains("<script>"));
    }
}
