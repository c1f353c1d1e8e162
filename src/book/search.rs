//! The search index of the whole site (main book and month books), built
//! with Pagefind's library: French stemming, accent-insensitive queries, an
//! index split in chunks that the browser fetches on demand (so the page
//! stays light however large the journal), filters (type, part, status,
//! year) and Pagefind's search page translated into French by the page's
//! `lang`.
//!
//! It indexes the `<main data-pagefind-body>` of every rendered page except
//! mdBook's print, 404 and table of contents pages, and writes
//! `book/html/pagefind/`.

use std::fs;
use std::path::{Path, PathBuf};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::error::{Error, Result};

/// The index folder, relative to the HTML output.
pub const INDEX_DIR: &str = "pagefind";

/// The folder of `book/` where the pages are prepared for Pagefind (removed
/// once the index is written).
pub const SCRATCH_DIR: &str = ".recherche";

/// Pages never indexed (mdBook's own, or duplicates of other pages).
const SKIPPED: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// Indexes every page of `html_dir` and writes the index beside them;
/// returns the number of pages indexed. `scratch` is a folder it may fill
/// and removes (the pages as Pagefind reads them).
pub fn index_site(html_dir: &Path, scratch: &Path) -> Result<usize> {
    let index_dir = html_dir.join(INDEX_DIR);
    super::render::remove_dir(&index_dir)?;
    super::render::remove_dir(scratch)?;
    let mut pages = Vec::new();
    collect_pages(html_dir, html_dir, &mut pages)?;
    pages.sort();
    for rel in &pages {
        let from = html_dir.join(rel);
        let page = fs::read_to_string(&from).map_err(|e| Error::io("lecture de", &from, e))?;
        let to = scratch.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("création du dossier", parent, e))?;
        }
        fs::write(&to, searchable(&page)).map_err(|e| Error::io("écriture de", &to, e))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("index de recherche : {e}")))?;
    let built = runtime.block_on(build(scratch, &index_dir));
    super::render::remove_dir(scratch)?;
    built.map_err(|e| {
        Error::failed(format!(
            "index de recherche impossible à construire : {e:#}"
        ))
        .with_hint("relancez « journal build -v » ; le livre lui-même est rendu")
    })?;
    Ok(pages.len())
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
/// `root`, without the index folder nor mdBook's own pages.
fn collect_pages(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let rd = fs::read_dir(dir).map_err(|e| Error::io("lecture du dossier", dir, e))?;
    for d in rd.filter_map(|d| d.ok()) {
        let path: PathBuf = d.path();
        let name = d.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !(dir == root && name == INDEX_DIR) {
                collect_pages(root, &path, out)?;
            }
        } else if name.ends_with(".html") && !SKIPPED.contains(&name.as_str()) {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}
