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
pub fn index_site(book_dir: &Path, full: bool) -> Result<Indexed> {
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
    for (year, rels) in &groups {
        let work = scratch.join(if year.is_empty() { "livre" } else { year });
        let (fingerprint, texts) = prepare(&html, rels)?;
        let (kept, out) = if year.is_empty() {
            (None, html.join(INDEX_DIR))
        } else {
            let kept = cache.join(year);
            let same =
                !full && fs::read_to_string(kept.join(FINGERPRINT)).is_ok_and(|h| h == fingerprint);
            if same {
                done.years_reused += 1;
                super::render::copy_tree(&kept.join(INDEX_DIR), &html.join(YEARS_DIR).join(year))?;
                continue;
            }
            (Some(kept), cache.join(year).join(INDEX_DIR))
        };
        remove_dir(&out)?;
        write_pages(&work, &texts)?;
        let built = runtime.block_on(build(&work, &out));
        built.map_err(|e| {
            Error::failed(format!(
                "index de recherche impossible à construire : {e:#}"
            ))
            .with_hint("relancez « journal build -v » ; le livre lui-même est rendu")
        })?;
        if let Some(kept) = kept {
            super::render::write_file(&kept.join(FINGERPRINT), fingerprint.as_bytes())?;
            super::render::copy_tree(&out, &html.join(YEARS_DIR).join(year))?;
            done.years_built += 1;
        }
    }
    remove_stale(&cache, &groups)?;
    remove_dir(&scratch)?;
    Ok(done)
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

/// The pages as Pagefind reads them, and their SHA-256 (with Pagefind's
/// version and settings).
fn prepare(html: &Path, rels: &[String]) -> Result<(String, Vec<(String, String)>)> {
    let mut h = Sha256::new();
    h.update(b"pagefind 1.6 fr\0");
    let mut texts = Vec::with_capacity(rels.len());
    for rel in rels {
        let from = html.join(rel);
        let page = fs::read_to_string(&from).map_err(|e| Error::io("lecture de", &from, e))?;
        let text = searchable(&page);
        h.update(rel.as_bytes());
        h.update([0]);
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
        texts.push((rel.clone(), text));
    }
    let hash = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((hash, texts))
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
