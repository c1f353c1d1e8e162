//! The mdBook rendering of the journal.
//!
//! - [`load`] reads the project's `journal/` folder (entries, documentation
//!   pages, SVG images) into an [`Input`]; the caller adds the parts
//!   ([`PartInfo`], with the text of its runbook when it has one: the
//!   book parses it with `part_file` to show it, never runs it);
//! - [`generate`] turns an [`Input`] into the book sources ([`Sources`]: a
//!   map of site paths to texts: the main book and one book per month under
//!   `mois/`), without any I/O;
//! - [`check`] finds broken links, anchors and summary entries in
//!   [`Sources`], without rendering anything;
//! - [`render`] writes the sources under `book/` and renders each book with
//!   the mdBook 0.5 library (a month book only when its sources changed),
//!   then [`search`] indexes the whole site (journal's own index, read by
//!   the search page);
//! - [`incremental`] does `load`, `generate` and `check` for the months that
//!   changed only, keeping the others from the last build (`book/.cache/`).
//!
//! It never modifies `journal/`, and never fetches external links.

pub mod archive;
pub mod check;
mod cores;
pub mod files;
pub mod generate;
pub mod health;
pub mod ids;
pub mod incremental;
pub mod inline;
pub mod load;
pub mod manifest;
pub mod markup;
pub mod model;
pub mod pages;
pub mod paths;
pub mod render;
pub mod revision;
pub mod runbook_page;
pub mod sanitize;
pub mod search;
mod search_index;
mod search_text;
pub mod sources;

use std::path::Path;

use crate::store::EntryError;

pub use check::{Problem, check};
pub use generate::generate;
pub use load::{can_run_script, load};
pub use paths::{DOCS_DIR, ENTRIES_DIR, MONTHS_DIR};
pub use sources::{Input, PartInfo, PartRunbook, SourceEntry, Sources};

/// The problems of the journal as `file:line: reason` lines: invalid entries
/// first, then the book's broken links.
pub fn problems(
    project_display: &dyn Fn(&Path) -> String,
    errors: &[EntryError],
    sources: &Sources,
) -> Vec<Problem> {
    let mut out: Vec<Problem> = errors
        .iter()
        .map(|e| Problem::invalid_entry(e, project_display))
        .collect();
    out.extend(check(sources));
    out
}
