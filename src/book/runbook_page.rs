//! A part written as a runbook, as its page shows it: the runbook's prose
//! (its documentation) with, at each step block, the result of that step's
//! last run read from the journal — status, date with its zone, author and
//! a link to the run's entry — or « jamais exécutée ».
//!
//! The runbook is untrusted input, like a note: its prose goes through
//! [`super::sanitize`], its links to anything but `http(s)`, `mailto` or an
//! anchor of the page lose their destination (the book publishes no file
//! a runbook names), and each step block is shown again as a code block
//! the tool writes itself (fence longer than any in the content, language
//! word checked), never as raw text. Nothing here runs a step, reads a
//! file or substitutes a parameter: the page shows `{{ nom }}` as written
//! and lists the parameters with their defaults.
//!
//! The journal is the source of truth: a step's result is the newest run
//! entry of the part whose `etapes` list has the step's id with another
//! status than « ignoré » (entries without `etapes` are still read: they
//! simply give no step a result). Pure: text and entries in, a view out.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde::Serialize;

use super::ids::mdbook_options;
use super::markup::{apply_edits, as_text, badge, raw_dest_span};
use super::model::{date_time_zoned, md_inline};
use super::paths::day_file;
use super::sources::{PartRunbook, SourceEntry};
use crate::store::StepStatus;

/// What the part template (`livre-partie.md.j2`) gets as `runbook`.
#[derive(Debug, Clone, Serialize)]
pub struct RunbookView {
    /// Where the runbook comes from (`parties/x.md`, `intégrée/x.md`).
    pub origine: String,
    /// Built into journal (`true`) or the project's own.
    pub integree: bool,
    /// Whether the runbook parses (else only `origine` is meaningful).
    pub valide: bool,
    /// Parts it requires.
    pub requiert: Vec<String>,
    /// Its declared parameters.
    pub parametres: Vec<ParamView>,
    /// Its body: prose, each followed by a step (the last one without).
    pub segments: Vec<Segment>,
    /// How many steps it has.
    pub nb_etapes: usize,
    /// How many of them no run has ever executed.
    pub nb_jamais: usize,
}

/// A declared parameter, every field escaped for a table cell.
#[derive(Debug, Clone, Serialize)]
pub struct ParamView {
    pub nom: String,
    pub variable: String,
    pub defaut_md: String,
    pub role_md: String,
}

/// Prose (sanitized Markdown) and the step block that follows it.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub prose: String,
    pub etape: Option<StepView>,
}

/// One step block.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// Its id (`[a-z0-9-]`, checked by the parser).
    pub id: String,
    /// Its kind's name (`services`, `commande`…).
    pub sorte: &'static str,
    /// Line of its fence in the runbook.
    pub ligne: usize,
    /// Its header as written (`journal:commande deja_fait="…" delai=180`,
    /// the language word aside), as an inline code span.
    pub entete_md: String,
    /// The block as a fenced code block, ready to be written as is.
    pub code: String,
    /// Its last run, if any.
    pub derniere: Option<LastRun>,
}

/// The last run of a step.
#[derive(Debug, Clone, Serialize)]
pub struct LastRun {
    /// The step's status there (« réussi », « déjà fait », « échoué »…).
    pub statut: &'static str,
    /// The same as a badge.
    pub statut_html: String,
    /// When the run started, with its zone.
    pub date_heure: String,
    /// Who ran it (escaped), if recorded.
    pub auteur: Option<String>,
    /// The run's permalink, from the site root.
    pub fichier: String,
    /// The run's title (escaped).
    pub titre_md: String,
}

/// The view of `runbook`, given the runs of its part, newest first.
pub fn view(runbook: &PartRunbook, runs: &[&SourceEntry]) -> RunbookView {
    let mut out = RunbookView {
        origine: runbook.origin.clone(),
        integree: runbook.builtin,
        valide: false,
        requiert: Vec::new(),
        parametres: Vec::new(),
        segments: Vec::new(),
        nb_etapes: 0,
        nb_jamais: 0,
    };
    let (Ok(parsed), Some((body, base))) = (
        crate::part_file::parse(&runbook.text),
        crate::part_file::body(&runbook.text),
    ) else {
        return out;
    };
    out.valide = true;
    out.requiert = parsed.requires.clone();
    out.parametres = parsed
        .params
        .iter()
        .map(|p| ParamView {
            nom: p.name.clone(),
            variable: p.variable(),
            defaut_md: md_inline(&p.default),
            role_md: md_inline(&p.role),
        })
        .collect();
    let line_of = |offset: usize| base + body[..offset].matches('\n').count();
    let mut blocks = parsed.blocks.iter().peekable();
    let mut prose_start = 0;
    let mut fence: Option<(String, usize, String)> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                fence = Some((info.to_string(), range.start, String::new()));
            }
            Event::Text(t) => {
                if let Some((_, _, content)) = fence.as_mut() {
                    content.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info, start, content)) = fence.take() else {
                    continue;
                };
                // The parser's blocks come in file order: this fence is the
                // next one only if it starts on that block's line.
                let Some(block) = blocks.next_if(|b| b.line == line_of(start)) else {
                    continue;
                };
                let derniere = last_run(&block.id, runs);
                out.nb_etapes += 1;
                out.nb_jamais += usize::from(derniere.is_none());
                out.segments.push(Segment {
                    prose: prose(&body[prose_start..start], out.segments.is_empty()),
                    etape: Some(StepView {
                        id: block.id.clone(),
                        sorte: block.kind().name(),
                        ligne: block.line,
                        entete_md: code_span(header(&info)),
                        code: code_block(&info, &content),
                        derniere,
                    }),
                });
                prose_start = range.end;
            }
            _ => {}
        }
    }
    out.segments.push(Segment {
        prose: prose(&body[prose_start..], out.segments.is_empty()),
        etape: None,
    });
    out
}

/// The newest run (of `runs`, newest first) that executed step `id`.
fn last_run(id: &str, runs: &[&SourceEntry]) -> Option<LastRun> {
    runs.iter().find_map(|se| {
        let f = &se.entry.front;
        let step = f
            .etapes
            .iter()
            .find(|s| s.id == id && s.statut != StepStatus::Skipped)?;
        Some(LastRun {
            statut: step.statut.label(),
            statut_html: badge(step.statut.label()),
            date_heure: date_time_zoned(&f.horodatage),
            auteur: f.origine.auteur.as_deref().map(md_inline),
            fichier: format!("{}#{}", day_file(f.horodatage.date_naive()), se.entry.id()),
            titre_md: md_inline(&f.titre),
        })
    })
}

/// The info string of a block without its language word (the code block
/// shows it): from its `journal:<sorte>` word on.
fn header(info: &str) -> &str {
    let info = info.trim();
    match info.find("journal:") {
        Some(at) => &info[at..],
        None => info,
    }
}

/// `text` as an inline code span that nothing in it can close.
fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = longest_run(&text, '`');
    let tick = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{tick}{pad}{text}{pad}{tick}")
}

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A step block written again by the tool: its language word when it is
/// one (`yaml`, `bash`), its content as is, inside a fence that nothing in
/// the content can close.
fn code_block(info: &str, content: &str) -> String {
    let lang = info
        .split_whitespace()
        .next()
        .filter(|w| {
            !w.contains(':')
                && w.len() <= 20
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
        })
        .unwrap_or("");
    let fence = "`".repeat((longest_run(content, '`') + 1).max(3));
    let nl = if content.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{lang}\n{content}{nl}{fence}")
}

/// Prose of the runbook made safe for the page: sanitized like a note, its
/// leading level-1 heading dropped when `first` (the page has the part's
/// title), its other level-1 headings one level down (the page's sections
/// are level 2), its links to paths neutralized.
fn prose(text: &str, first: bool) -> String {
    let text = super::sanitize::sanitize(text);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut seen_heading = false;
    for (event, range) in Parser::new_ext(&text, mdbook_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let leading = !seen_heading && text[..range.start].trim().is_empty();
                seen_heading = true;
                if level != pulldown_cmark::HeadingLevel::H1 {
                    continue;
                }
                if first && leading {
                    edits.push((range, String::new()));
                } else {
                    edits.push(demote(&text, range));
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if is_path(&dest_url) =>
            {
                match raw_dest_span(&text, range.clone()) {
                    Some(span) => edits.push((span, "#".into())),
                    None => edits.push((range.clone(), as_text(&text[range]))),
                }
            }
            _ => {}
        }
    }
    apply_edits(&text, edits).trim().to_string()
}

/// The edit that makes the level-1 heading at `range` a level-2 one.
fn demote(text: &str, range: Range<usize>) -> (Range<usize>, String) {
    let h = &text[range.clone()];
    let indent = h.len() - h.trim_start().len();
    if h.trim_start().starts_with('#') {
        let at = range.start + indent;
        return (at..at, "#".into());
    }
    // Setext: its `===` underline becomes `---`.
    let body = h.trim_end();
    let underline = body.rfind('\n').map_or(0, |i| i + 1);
    let new = body[..underline].to_string() + &body[underline..].replace('=', "-");
    (range.start..range.start + body.len(), new)
}

/// Whether a link destination names a path (relative or absolute) rather
/// than a web address or an anchor of the page.
fn is_path(dest: &str) -> bool {
    let d = dest.trim();
    if d.is_empty() || d.starts_with('#') || d.starts_with("//") {
        return false;
    }
    !matches!(d.find([':', '/', '?', '#']), Some(i) if d.as_bytes()[i] == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, front: &str) -> SourceEntry {
        let text = format!(
            "---\ntype: execution\ntitre: Essai\npartie: partie-x\n{front}---\n\n# Essai\n"
        );
        let path = std::path::PathBuf::from(format!("journal/{name}.md"));
        let entry = crate::store::entry::parse(&path, &text).unwrap();
        SourceEntry { entry, text }
    }

    #[test]
    fn old_entries_are_read_and_skipped_steps_do_not_count() {
        let runbook = PartRunbook {
            origin: "parties/x.md".into(),
            builtin: false,
            text: "---\nid: partie-x\ntitre: X\n---\n\n```sh journal:commande id=a\ntrue\n```\n\n```sh journal:commande id=b\ntrue\n```\n".into(),
        };
        // Newest first: an entry written before `etapes` and `origine`
        // existed, a run where `a` was skipped, the run that failed it.
        let old = run(
            "2026-11-03T100000-000-execution-cc",
            "horodatage: 2026-11-03T10:00:00Z\nstatut: réussi\n",
        );
        let skipped = run(
            "2026-11-02T100000-000-execution-bb",
            "horodatage: 2026-11-02T10:00:00Z\nstatut: échoué\netapes:\n- id: a\n  titre: A\n  statut: ignoré\n  duree_ms: 0\n",
        );
        let failed = run(
            "2026-11-01T100000-000-execution-aa",
            "horodatage: 2026-11-01T10:00:00+02:00\nstatut: échoué\netapes:\n- id: a\n  titre: A\n  statut: échoué\n  duree_ms: 5\n",
        );
        let v = view(&runbook, &[&old, &skipped, &failed]);
        assert!(v.valide);
        assert_eq!((v.nb_etapes, v.nb_jamais), (2, 1));
        let a = v.segments[0].etape.as_ref().unwrap();
        let last = a.derniere.as_ref().unwrap();
        assert_eq!(last.statut, "échoué");
        assert_eq!(last.auteur, None);
        assert_eq!(last.date_heure, "1er novembre 2026 à 10:00\u{a0}UTC+2");
        assert_eq!(
            last.fichier,
            "mois/2026-11/2026-11-01.md#2026-11-01T100000-000-execution-aa"
        );
        assert!(v.segments[1].etape.as_ref().unwrap().derniere.is_none());
    }

    #[test]
    fn a_fence_in_the_content_cannot_close_the_block() {
        let got = code_block("bash journal:commande", "echo ```\n````\n");
        assert_eq!(got, "`````bash\necho ```\n````\n`````");
        assert_eq!(
            code_block("<img journal:x", "a"),
            "```\na\n```",
            "no language word that is not one"
        );
    }

    #[test]
    fn a_block_header_is_shown_whole_in_a_span_it_cannot_close() {
        let info = r#"bash journal:commande deja_fait="test `x`" delai=5"#;
        assert_eq!(
            code_span(header(info)),
            r#"``journal:commande deja_fait="test `x`" delai=5``"#
        );
        assert_eq!(code_span("`a`"), "`` `a` ``");
    }

    #[test]
    fn paths_lose_their_destination_web_links_stay() {
        let got = prose(
            "# Titre\n\nVoir [ici](../../etc/passwd), ![x](/etc/shadow), \
             [web](https://exemple.fr) et [plus bas](#etape).\n\n# Autre\n",
            true,
        );
        assert!(!got.contains("passwd") && !got.contains("shadow"), "{got}");
        assert!(got.contains("(https://exemple.fr)") && got.contains("(#etape)"));
        assert!(!got.contains("# Titre"), "{got}");
        assert!(got.contains("\n## Autre"), "{got}");
        assert_eq!(prose("Titre\n===\n\ntexte\n", false), "Titre\n---\n\ntexte");
    }
}
