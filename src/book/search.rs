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

/// Pages never indexed (mdBook's own, or duplicates of other pages).
const SKIPPED: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// Indexes every page of `html_dir` and writes the index beside them;
/// returns the number of pages indexed.
pub fn index_site(html_dir: &Path) -> Result<usize> {
    let index_dir = html_dir.join(INDEX_DIR);
    super::render::remove_dir(&index_dir)?;
    let mut pages = Vec::new();
    collect_pages(html_dir, html_dir, &mut pages)?;
    pages.sort();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("index de recherche : {e}")))?;
    let count = pages.len();
    runtime
        .block_on(build(html_dir, pages, &index_dir))
        .map_err(|e| {
            Error::failed(format!(
                "index de recherche impossible à construire : {e:#}"
            ))
            .with_hint("relancez « journal build -v » ; le livre lui-même est rendu")
        })?;
    Ok(count)
}

async fn build(html_dir: &Path, pages: Vec<String>, out: &Path) -> anyhow::Result<()> {
    let config = PagefindServiceConfig::builder()
        .force_language("fr".to_string())
        .keep_index_url(true)
        .build();
    let mut index = PagefindIndex::new(Some(config))?;
    for rel in pages {
        let content = fs::read_to_string(html_dir.join(&rel))?;
        index.add_html_file(Some(rel), None, content).await?;
    }
    index
        .write_files(Some(out.to_string_lossy().into_owned()))
        .await?;
    Ok(())
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
