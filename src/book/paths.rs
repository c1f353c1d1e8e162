//! The book's paths and shared constants: where each part of the site and
//! of `book/` lives, the book's title, the template names, how many items
//! the pages list. A leaf: every other module of `book` may import it; it
//! imports none of them.
//!
//! It holds no logic beyond composing a path.

use chrono::{Datelike, NaiveDate};

/// The book's title.
pub const BOOK_TITLE: &str = "Journal d’exploitation";

/// How many recent executions, notes and days the main pages list.
pub const RECENT: usize = 20;

/// How many years the main book's sidebar lists one by one; older years
/// share one page (so the sidebar stays under 200 links).
pub const SIDEBAR_YEARS: usize = 100;

/// Template names (under `templates/`).
pub mod names {
    /// `SUMMARY.md` of the main book.
    pub const SUMMARY: &str = "livre-sommaire.md.j2";
    /// `index.md`.
    pub const INDEX: &str = "livre-index.md.j2";
    /// `parties/<partie>.md`.
    pub const PART: &str = "livre-partie.md.j2";
    /// `notes-generales.md`.
    pub const GENERAL_NOTES: &str = "livre-notes-generales.md.j2";
    /// `journal-de-bord.md`.
    pub const LOGBOOK: &str = "livre-journal-de-bord.md.j2";
    /// `annees/<année>.md`.
    pub const YEAR: &str = "livre-annee.md.j2";
    /// `recherche.md`.
    pub const SEARCH: &str = "livre-recherche.md.j2";
    /// `404.md`.
    pub const NOT_FOUND: &str = "livre-404.md.j2";
    /// `sante.md` (the health calendar, when there are verification summaries).
    pub const HEALTH: &str = "livre-sante.md.j2";
    /// `ecrire-une-partie.md`.
    pub const WRITE_PART: &str = "livre-ecrire-une-partie.md.j2";
    /// `mois/<mois>/SUMMARY.md`.
    pub const MONTH_SUMMARY: &str = "livre-mois-sommaire.md.j2";
    /// `mois/<mois>/index.md`.
    pub const MONTH: &str = "livre-mois.md.j2";
    /// `mois/<mois>/parties/<partie>.md`.
    pub const MONTH_PART: &str = "livre-mois-partie.md.j2";
    /// `mois/<mois>/<jour>.md`.
    pub const DAY: &str = "livre-jour.md.j2";
}

/// The book folder where entries (and their images) are copied: it mirrors
/// `journal/`, so relative links written in entries resolve the same way.
pub const ENTRIES_DIR: &str = "entrees";

/// The sub-folder of `journal/` (and of [`ENTRIES_DIR`]) holding the parts'
/// documentation pages: the project's, where the steps write them.
pub use crate::project::DOCS_DIR;

/// The folder of the month books, relative to the site root.
pub const MONTHS_DIR: &str = "mois";

/// The health calendar's page in the main book.
pub const HEALTH_FILE: &str = "sante.md";

/// The page of the years without their own page.
pub const OLDER_YEARS_FILE: &str = "annees/anterieures.md";

/// The folder of a month book, relative to the site root.
pub fn month_dir(month: &str) -> String {
    format!("{MONTHS_DIR}/{month}")
}

/// `2024-03` for a day.
pub fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The day page of `d`, relative to the site root.
pub fn day_file(d: NaiveDate) -> String {
    format!("{}/{}.md", month_dir(&month_key(d)), d.format("%Y-%m-%d"))
}

/// The HTML output folder, relative to `book/`.
pub const HTML_DIR: &str = "html";

/// The folder of `book/` where mdBook renders the main book before it is
/// linked into the site (mdBook empties the folder it renders into).
pub const MAIN_OUT: &str = ".principal";

/// The file beside a month book's rendering that records its inputs' hash.
pub const FINGERPRINT: &str = ".empreinte";

/// The folder of the search indexes and of the search page's module,
/// relative to the HTML output: `recherche/livre/` (the main book's
/// documentation), `recherche/<année>/` and `recherche/<année-mois>/`.
pub const SEARCH_DIR: &str = "recherche";

/// The main book's index, in [`SEARCH_DIR`].
pub const MAIN_INDEX: &str = "livre";

/// The folder of `book/` where the years' and months' indexes are kept
/// between builds.
pub const CACHE_DIR: &str = "recherche";

/// The folders of the site written by earlier versions (Pagefind's
/// indexes), removed by the next build.
pub const OLD_INDEX_DIRS: [&str; 2] = ["pagefind", "pagefind-annees"];

/// The folder of `book/` where an earlier version prepared the pages for
/// its indexer (removed when found).
pub const SCRATCH_DIR: &str = ".recherche";

/// The file of `book/` that records the last complete build.
pub const STATE_FILE: &str = ".etat-build";

/// The file name of `p` (empty when it has none).
pub fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
