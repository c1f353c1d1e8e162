//! The search index of the whole site (main book and month books), built
//! with Pagefind's library: French stemming, accent-insensitive queries, an
//! index split in chunks that the browser fetches on demand (so the page
//! stays light however large the journal), filters (type, part, status,
//! year) and Pagefind's search page translated into French by the page's
//! `lang`.
//!
//! One index for the main book (`book/html/pagefind/`) and one per year of
//! month books (`book/html/pagefind-annees/<année>/`), merged by the search
//! page: a year's index is rebuilt only when the SHA-256 of its pages
//! changed (kept in `book/recherche/<année>/`), so that adding a note
//! re-indexes the main book and the current year, not the whole journal.
//! It indexes the `<main data-pagefind-body>` of every rendered page except
//! mdBook's print, 404 and table of contents pages.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use sha2::{Digest, Sha256};

use super::MONTHS_DIR;
use super::render::{FINGERPRINT, remove_dir};
use crate::error::{Error, Result};

/// The main book's index folder, relative to the HTML output.
pub const INDEX_DIR: &str = "pagefind";

/// The folder of the years' indexes, relative to the HTML output.
pub const YEARS_DIR: &str = "pagefind-annees";

/// The folder of `book/` where the years' indexes are kept between builds.
pub const CACHE_DIR: &str = "recherche";

/// The folder of `book/` where the pages are prepared for Pagefind (removed
/// once the index is written).
pub const SCRATCH_DIR: &str = ".recherche";

/// Pages never indexed (mdBook's own, or duplicates of other pages).
const SKIPPED: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// What [`index_site`] did.
#[derive(Debug, Clone, Default)]
pub struct Indexed {
    /// Pages in the indexes.
    pub pages: usize,
    /// Years whose index was built this time.
    pub years_built: usize,
    /// Years whose previous index was reused (same pages).
    pub years_reused: usize,
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
    let html = book_dir.join(super::render::HTML_DIR);
    let scratch = book_dir.join(SCRATCH_DIR);
    remove_dir(&scratch)?;
    let mut pages = Vec::new();
    collect_pages(&html, &html, &mut pages)?;
    pages.sort();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in pages.iter() {
        groups.entry(year_of(rel)).or_default().push(rel.clone());
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
    for (year, rels) in &groups {
        if year.is_empty() {
            job.build(rels, &scratch.join("livre"), &html.join(INDEX_DIR))?;
        } else if job.year(year, rels, &year_fingerprint(year, months), full)? {
            done.years_built += 1;
        } else {
            done.years_reused += 1;
        }
    }
    remove_stale(&cache, &groups)?;
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

    /// A year's index, built again (`true`) or reused; copied into the site.
    fn year(&mut self, year: &str, rels: &[String], fingerprint: &str, full: bool) -> Result<bool> {
        let kept = self.cache.join(year);
        let same = !full
            && kept.join(INDEX_DIR).is_dir()
            && fs::read_to_string(kept.join(FINGERPRINT)).is_ok_and(|h| h == fingerprint);
        if !same {
            let _ = fs::remove_file(kept.join(FINGERPRINT));
            self.build(rels, &self.scratch.join(year), &kept.join(INDEX_DIR))?;
            super::render::write_file(&kept.join(FINGERPRINT), fingerprint.as_bytes())?;
        }
        super::render::copy_tree(&kept.join(INDEX_DIR), &self.html.join(YEARS_DIR).join(year))?;
        Ok(!same)
    }
}

/// The year of a month book's page (`mois/2024-03/…` → `2024`), empty for
/// the main book's pages.
fn year_of(rel: &str) -> String {
    rel.strip_prefix(MONTHS_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.get(..4))
        .unwrap_or_default()
        .to_string()
}

/// The SHA-256 of a year's index inputs: the fingerprints of its months
/// (and Pagefind's version and settings).
fn year_fingerprint(year: &str, months: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    h.update(b"pagefind 1.6 fr\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for (key, hash) in months
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{year}-")))
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

/// Removes the kept indexes of years that no longer have pages.
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
    fn a_year_fingerprint_follows_its_months_only() {
        let mut months = BTreeMap::from([
            ("2023-12".to_string(), "a".to_string()),
            ("2024-01".to_string(), "b".to_string()),
        ]);
        let y2023 = year_fingerprint("2023", &months);
        let y2024 = year_fingerprint("2024", &months);
        months.insert("2024-02".into(), "c".into());
        assert_eq!(year_fingerprint("2023", &months), y2023);
        assert_ne!(year_fingerprint("2024", &months), y2024);
        months.insert("2024-01".into(), "b2".into());
        assert_ne!(year_fingerprint("2024", &months), y2024);
    }

    #[test]
    fn pages_are_grouped_by_year() {
        assert_eq!(year_of("mois/2024-03/2024-03-05.html"), "2024");
        assert_eq!(year_of("mois/2024-03/parties/partie-6.html"), "2024");
        assert_eq!(year_of("parties/partie-6.html"), "");
        assert_eq!(year_of("index.html"), "");
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
