//! The pages of the earlier versions of corrected notes (`journal note
//! --corrige`): each version rendered like a note (its front matter left
//! out, its text made harmless by [`super::sanitize`] through
//! [`inline_entry`]), then what the next correction changed, as a diff of
//! the note's text (`similar`, via [`crate::textdiff`]) in a code block.
//!
//! A version's page lives in its note's month book, under the note's day in
//! the sidebar (`mois/<mois>/revisions/<id>.<n>.md`), and the note's
//! « version précédente » link leads there instead of the raw `.txt` kept in
//! `journal/revisions/` (still published, for old links). Pure: the texts
//! come in [`Input::revisions`]; nothing is read or written here.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use serde_json::json;

use super::inline::{Context, inline_entry};
use super::model::{Model, date_time_zoned, md_inline};
use super::paths::{BOOK_TITLE, ENTRIES_DIR, month_dir, month_key};
use super::sources::{Input, Sources};
use crate::error::Result;

/// The template of a version's page.
pub const TEMPLATE: &str = "livre-revision.md.j2";

/// Where the annexes (attachments, run, revisions) of a note's body start
/// (the marker `journal note` writes): the text compared ends there.
const ANNEXES: &str = "<!-- annexes -->";

/// An earlier version with a page, as the month's sidebar lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionView {
    /// The page, relative to the month book (`revisions/<id>.<n>.md`).
    pub fichier: String,
    pub titre_md: String,
    pub numero: u32,
    /// The note's day (`2024-03-05`): the sidebar lists the page under it.
    pub jour: String,
}

/// The site paths of the month's earlier versions that get a page
/// (`entrees/revisions/<id>.<n>.txt`), for the notes' links.
pub fn linked(input: &Input, model: &Model, days: &[chrono::NaiveDate]) -> BTreeSet<String> {
    days.iter()
        .flat_map(|d| model.days[d].iter())
        .flat_map(|&i| input.entries[i].entry.front.revisions.iter())
        .filter(|r| input.revisions.contains_key(&r.fichier))
        .map(|r| format!("{ENTRIES_DIR}/{}", r.fichier))
        .collect()
}

/// The body of an entry file (front matter left out) up to its annexes.
fn note_text(file: &str) -> &str {
    let body = crate::store::entry::split(file).map_or(file, |(_, b, _)| b);
    body.split(ANNEXES).next().unwrap_or(body).trim()
}

/// Writes the pages of the earlier versions of the notes of `days` (one
/// month) into `sources`; returns them for the month's sidebar.
pub fn pages(
    input: &Input,
    model: &Model,
    templates: &crate::templates::Templates,
    days: &[chrono::NaiveDate],
    looked_up: &std::cell::RefCell<BTreeSet<String>>,
    sources: &mut Sources,
) -> Result<Vec<RevisionView>> {
    let mut out = Vec::new();
    for d in days {
        for &i in &model.days[d] {
            let se = &input.entries[i];
            let front = &se.entry.front;
            let id = se.entry.id();
            let dir = month_dir(&month_key(*d));
            let page_dir = format!("{dir}/revisions");
            for (n, r) in front.revisions.iter().enumerate() {
                let Some(text) = input.revisions.get(&r.fichier) else {
                    continue;
                };
                // The text that replaced this version: the next kept
                // version, or the note as it is now.
                let next = front
                    .revisions
                    .get(n + 1)
                    .and_then(|r| input.revisions.get(&r.fichier))
                    .map_or(se.text.as_str(), String::as_str);
                let diff = crate::textdiff::unified(
                    &format!("{}\n", note_text(text)),
                    &format!("{}\n", note_text(next)),
                    "note",
                );
                let body = crate::store::entry::split(text).map_or(text.as_str(), |(_, b, _)| b);
                let ctx = Context {
                    anchor: "version",
                    page_dir: &page_dir,
                    permalinks: &model.permalinks,
                    withheld: &BTreeSet::new(),
                    narrow_charts: &BTreeSet::new(),
                    revisions: &BTreeSet::new(),
                    tool_statuses: false,
                    looked_up,
                };
                let name = Path::new(&r.fichier)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| format!("{id}.{}", r.numero));
                let fichier = format!("revisions/{name}.md");
                let titre_md = md_inline(&front.titre);
                let page = templates.render(
                    TEMPLATE,
                    json!({
                        "titre_livre": BOOK_TITLE,
                        "racine": "../../../",
                        "titre_md": &titre_md,
                        "numero": r.numero,
                        "nombre": front.revisions.len(),
                        "corrigee_le": date_time_zoned(&r.corrigee_le),
                        "par_md": r.par.as_deref().map(md_inline),
                        "note": format!("../{}.md#{id}", d.format("%Y-%m-%d")),
                        "corps": inline_entry(body, &ctx),
                        "difference": diff,
                        "cloture": fence(&diff),
                        "suivante_est_actuelle": n + 1 == front.revisions.len(),
                    }),
                )?;
                sources.files.insert(format!("{dir}/{fichier}"), page);
                out.push(RevisionView {
                    fichier,
                    titre_md,
                    numero: r.numero,
                    jour: d.format("%Y-%m-%d").to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// A code fence longer than any run of backticks in `text` (untrusted: it
/// must not close the block).
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_outruns_the_backticks_of_the_text() {
        assert_eq!(fence("a"), "```");
        assert_eq!(fence("x ```` y"), "`````");
    }

    #[test]
    fn the_compared_text_stops_at_the_annexes() {
        let file = "---\ntype: note\n---\n\n# T\n\nTexte\n\n<!-- annexes -->\n\n*Corrigée*\n";
        assert_eq!(note_text(file), "# T\n\nTexte");
    }
}
