//! What the book is generated from ([`Input`]: the journal's entries,
//! documentation pages and images, the known parts) and into ([`Sources`]:
//! the pages by site path, what to copy, what to report where). A leaf:
//! every other module of `book` may import it; it imports none of them.
//!
//! Data only: reading the journal is `book::load`, filling the sources is
//! `generate`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use crate::store::Entry;

/// A part of the tutorial, as the book shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartInfo {
    /// `partie-6`.
    pub id: String,
    /// « Supervision : Prometheus, Grafana et cAdvisor ».
    pub title: String,
    /// Its runbook, when the part is written as one: its page is then the
    /// runbook's prose with each step's last result (`runbook_page`).
    pub runbook: Option<PartRunbook>,
}

/// The text of a part's runbook, as the caller found it (the book parses
/// it with `part_file`, never runs it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartRunbook {
    /// Where it comes from, as messages show it (`parties/x.md`).
    pub origin: String,
    /// Embedded in journal (`templates/parties/`) rather than the project's.
    pub builtin: bool,
    /// The file's text.
    pub text: String,
}

/// One valid entry with the exact text of its file.
#[derive(Debug, Clone)]
pub struct SourceEntry {
    /// The parsed entry; its `body` is left empty (the text holds it: a
    /// journal is not held twice in memory).
    pub entry: Entry,
    /// The file's text, front matter included (copied as is into the book).
    pub text: String,
}

/// Everything the book is generated from.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The project's `journal/` folder (only used to locate images to copy).
    pub journal_dir: PathBuf,
    /// Valid entries, oldest first.
    pub entries: Vec<SourceEntry>,
    /// Documentation pages by part id (`partie-6` → Markdown text).
    pub docs: BTreeMap<String, String>,
    /// Image file names directly under `journal/` (`*.svg`).
    pub images: Vec<String>,
    /// Image file names under `journal/documentation/` (`*.svg`).
    pub doc_images: Vec<String>,
    /// Those of `images` and `doc_images` (relative to `journal/`) whose
    /// type can run script in a browser (HTML, XML, SVG with script…):
    /// published as text only (`<nom>.txt`), never as a page.
    pub script_capable: BTreeSet<String>,
    /// The known parts, in the order the book lists them (supplied by the
    /// caller); other part names found in entries come after them.
    pub parts: Vec<PartInfo>,
    /// When the book is built (set by the caller, shown on the home page;
    /// `None` leaves the generation independent of the clock).
    pub built_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// The earlier versions of corrected notes that are published, by file
    /// name relative to `journal/` (`revisions/<id>.<n>.txt`) → text.
    pub revisions: BTreeMap<String, String>,
    /// The per-day verification summaries, validated (`health::load`), for
    /// the health calendar; empty: no calendar page.
    pub health: Vec<super::health::HealthMonth>,
}

/// The generated book sources.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Markdown pages, by site path (`/`-separated): the main book's pages
    /// (relative to `book/src`) and the month books' pages (under `mois/`).
    pub files: BTreeMap<String, String>,
    /// The entries as written (`entrees/<id>.md`): checked, so that problems
    /// point to the entry's file and line, but not rendered (their text is
    /// rendered in their day page).
    pub check_only: BTreeMap<String, String>,
    /// For day pages: the line ranges (1-based, inclusive) holding an
    /// entry's text, whose problems are reported on the entry itself.
    pub embedded: HashMap<String, Vec<(usize, usize)>>,
    /// Odd but valid inputs (dates, shared timestamps, crowded days).
    pub warnings: Vec<String>,
    /// For files copied from the user's journal: the path to report in
    /// messages (`journal/<file>.md`), relative to the project root.
    pub origins: HashMap<String, String>,
    /// Files to copy as is (images), by site path (main book).
    pub assets: BTreeMap<String, PathBuf>,
    /// Site paths of files that can run script (see
    /// [`Input::script_capable`]): a link to one is valid, but the book
    /// holds it only as `<chemin>.txt`.
    pub withheld: BTreeSet<String>,
    /// Theme files (mdBook's page template and script with French labels),
    /// by path relative to `book/theme`.
    pub theme: BTreeMap<String, String>,
    /// For each month book generated: the entry ids its links were looked
    /// up for (see `incremental`).
    pub lookups: BTreeMap<String, BTreeSet<String>>,
    /// Month books not generated this time, kept as the last build rendered
    /// them (see `incremental`): month → fingerprint of their rendering.
    pub kept_months: BTreeMap<String, String>,
    /// The number of pages of those months.
    pub kept_pages: usize,
}

impl Sources {
    /// The number of pages of the site (kept months included).
    pub fn page_count(&self) -> usize {
        self.files.len() + self.kept_pages
    }

    /// The location to report for `rel` (a path relative to `book/src`).
    pub fn origin(&self, rel: &str) -> String {
        match self.origins.get(rel) {
            Some(o) => o.clone(),
            None => format!("book/src/{rel}"),
        }
    }
}
