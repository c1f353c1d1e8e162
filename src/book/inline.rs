//! An entry's body made into a section of its day page.
//!
//! The entry keeps its text, line for line, with:
//! - its first level-1 heading dropped (the day page writes the section
//!   heading, with the entry's anchor), the other headings one level down,
//!   with explicit ids prefixed by the entry's anchor (`<ancre>--<id>`), so
//!   that two entries of a day never share an id;
//! - its links rebased: `#id` to the prefixed id, links to other entries to
//!   their permalinks, other relative links (documentation, images) from
//!   `entrees/` to the day page's folder;
//! - its raw HTML and links made harmless first ([`super::sanitize`]);
//! - the tool's resource chart (`![…](<id>-ressources.svg)`) made a
//!   `<picture>` choosing `<id>-ressources-etroit.svg` on a phone, when that
//!   file is published (written after sanitizing, from the tool's own link);
//! - the reader fixes: status emoji turned into text badges (only in
//!   entries the tool writes, the runs: a user's emoji in a note stay as
//!   written), empty headers of key/value tables named, non-breaking spaces
//!   between numbers and units.
//!
//! Pure text in, text out. Lines are never added nor removed, so that a
//! problem found in the day page can be mapped back to the entry's file.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::ids::{id_from_content, mdbook_options, unique_id};
use super::markup::{badge, nbsp_units, raw_dest_span};
use super::paths::ENTRIES_DIR;

/// One heading of the body.
struct Heading {
    range: Range<usize>,
    level: usize,
    id: String,
    explicit: bool,
}

/// Where a link of an entry leads, for [`inline_entry`].
pub struct Context<'a> {
    /// The entry's anchor in the day page.
    pub anchor: &'a str,
    /// The day page's folder, relative to the site root (`mois/2024-03`).
    pub page_dir: &'a str,
    /// Entry id → (day page, anchor), for links between entries.
    pub permalinks: &'a HashMap<String, (String, String)>,
    /// Site paths of files published as text only (`<chemin>.txt`), see
    /// [`super::sources::Sources::withheld`].
    pub withheld: &'a std::collections::BTreeSet<String>,
    /// Site paths of earlier versions of notes (`entrees/revisions/<id>.<n>.txt`)
    /// that have a page beside the day page (`revisions/<id>.<n>.md`, see
    /// [`super::revision`]): links to them lead to that page.
    pub revisions: &'a std::collections::BTreeSet<String>,
    /// Site paths of the published narrow resource charts
    /// (`entrees/<id>-ressources-etroit.svg`).
    pub narrow_charts: &'a std::collections::BTreeSet<String>,
    /// Whether the tool wrote the entry's statuses (a run): only then are
    /// status emoji made into badges. A note is the user's text, its emoji
    /// are kept as written.
    pub tool_statuses: bool,
    /// Records the entry ids links were looked up for (found or not): what
    /// the section depends on beyond its own text (see `incremental`).
    pub looked_up: &'a std::cell::RefCell<std::collections::BTreeSet<String>>,
}

/// The body (front matter already removed) as a section of a day page.
pub fn inline_entry(body: &str, ctx: &Context) -> String {
    let sanitized = super::sanitize::sanitize(body);
    let body = sanitized.as_str();
    let (headings, links) = scan(body);
    let first_h1 = headings
        .first()
        .filter(|h| h.level == 1 && body[..h.range.start].trim().is_empty())
        .map(|h| h.id.clone());
    let local: HashSet<&str> = headings.iter().map(|h| h.id.as_str()).collect();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        if i == 0 && first_h1.is_some() {
            let newlines = body[h.range.clone()].matches('\n').count();
            edits.push((h.range.clone(), "\n".repeat(newlines)));
        } else {
            heading_edits(body, h, ctx.anchor, &mut edits);
        }
    }
    for (dest_url, range) in links {
        if let Some(picture) = chart_picture(body, &dest_url, range.clone(), ctx) {
            edits.push((range, picture));
            continue;
        }
        if let Some(new) = rebase(&dest_url, ctx, &local, first_h1.as_deref())
            && let Some(span) = raw_dest_span(body, range)
        {
            edits.push((span, super::markup::dest(&new)));
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(body.len() + 64);
    let mut at = 0;
    for (r, text) in edits {
        if r.start < at {
            continue; // overlapping edit (link inside a dropped heading)
        }
        out.push_str(&body[at..r.start]);
        out.push_str(&text);
        at = r.end;
    }
    out.push_str(&body[at..]);
    if ctx.tool_statuses {
        reader_fixes(&out)
    } else {
        fixes(&out, false)
    }
}

/// A link or image: its destination and the span of its text.
type LinkSpan = (String, Range<usize>);

/// The headings of `text` with the ids mdBook gives them on a page of
/// their own, and its links and images (one parse).
fn scan(text: &str) -> (Vec<Heading>, Vec<LinkSpan>) {
    let mut out = Vec::new();
    let mut links = Vec::new();
    let mut used = HashSet::new();
    let mut current: Option<(Range<usize>, usize, Option<String>, String)> = None;
    for (event, range) in Parser::new_ext(text, mdbook_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                current = Some((
                    range,
                    level as usize,
                    id.map(|s| s.to_string()),
                    String::new(),
                ));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, _, content)) = current.as_mut() {
                    content.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push((dest_url.to_string(), range));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((range, level, explicit, content)) = current.take() {
                    let (id, explicit) = match explicit {
                        Some(id) => (id, true),
                        None => (unique_id(&id_from_content(&content), &mut used), false),
                    };
                    out.push(Heading {
                        range,
                        level,
                        id,
                        explicit,
                    });
                }
            }
            _ => {}
        }
    }
    (out, links)
}

/// One level down, with the prefixed explicit id.
fn heading_edits(body: &str, h: &Heading, anchor: &str, edits: &mut Vec<(Range<usize>, String)>) {
    let slice = &body[h.range.clone()];
    let first_end = h.range.start + slice.find('\n').unwrap_or(slice.len());
    let line = &body[h.range.start..first_end];
    let attr = format!("{{#{anchor}--{}}}", h.id);
    let atx = line.trim_start().starts_with('#');
    if h.level < 6 {
        let indent = line.len() - line.trim_start().len();
        let hashes = if atx {
            "#".to_string()
        } else {
            "#".repeat(h.level + 1) + " "
        };
        edits.push((h.range.start + indent..h.range.start + indent, hashes));
    }
    // The explicit id written by the entry, if any, is replaced.
    let trimmed = line.trim_end();
    let attr_start = if h.explicit && trimmed.ends_with('}') {
        trimmed.rfind('{').map(|i| h.range.start + i)
    } else {
        None
    };
    match attr_start {
        Some(s) => edits.push((s..h.range.start + trimmed.len(), attr)),
        None => {
            let end = h.range.start + trimmed.len();
            edits.push((end..end, format!(" {attr}")));
        }
    }
    if !atx && h.level < 6 {
        // Setext underline: blanked (the heading is now ATX).
        let under_start = (first_end + 1).min(body.len());
        let under_end = body[under_start..]
            .find('\n')
            .map_or(body.len(), |i| under_start + i);
        edits.push((under_start..under_end, String::new()));
    }
}

/// Suffix of the resource chart the tool attaches to a run…
pub const CHART_SUFFIX: &str = "-ressources.svg";
/// …and of its narrow variant, for a phone.
pub const NARROW_CHART_SUFFIX: &str = "-ressources-etroit.svg";

/// For an image of the tool's resource chart whose narrow variant is
/// published: a one-line `<picture>` showing the narrow chart on screens up
/// to 640 px and the wide one elsewhere (the `<img>`, same `src` as before).
fn chart_picture(body: &str, dest: &str, range: Range<usize>, ctx: &Context) -> Option<String> {
    let text = &body[range];
    let stem = dest.strip_suffix(CHART_SUFFIX)?;
    if !text.starts_with("![") || text.contains('\n') || stem.is_empty() {
        return None;
    }
    if !stem
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let narrow = format!("{stem}{NARROW_CHART_SUFFIX}");
    if !ctx
        .narrow_charts
        .contains(&format!("{ENTRIES_DIR}/{narrow}"))
    {
        return None;
    }
    let up = "../".repeat(ctx.page_dir.split('/').filter(|s| !s.is_empty()).count());
    let alt = text[2..].rsplit_once("](").map_or("", |(a, _)| a);
    let alt = alt
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    Some(format!(
        "<picture class=\"journal-graphique\"><source media=\"(max-width: 640px)\" srcset=\"{up}{ENTRIES_DIR}/{narrow}\"><img src=\"{up}{ENTRIES_DIR}/{dest}\" alt=\"{alt}\"></picture>"
    ))
}

/// The new destination of a link of the entry, or `None` to keep it.
fn rebase(dest: &str, ctx: &Context, local: &HashSet<&str>, h1: Option<&str>) -> Option<String> {
    if dest.is_empty() || dest.starts_with('/') || super::check::is_external(dest) {
        return None;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    if path.is_empty() {
        let f = super::check::percent_decode(fragment?);
        if Some(f.as_str()) == h1 {
            return Some(format!("#{}", ctx.anchor));
        }
        return local
            .contains(f.as_str())
            .then(|| format!("#{}--{f}", ctx.anchor));
    }
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let target = super::check::resolve(ENTRIES_DIR, &super::check::percent_decode(path))?;
    let up = "../".repeat(ctx.page_dir.split('/').filter(|s| !s.is_empty()).count());
    let entry_id = target
        .strip_prefix(ENTRIES_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_suffix(".md").or_else(|| r.strip_suffix(".html")))
        .filter(|r| !r.contains('/'));
    if let Some(id) = entry_id {
        ctx.looked_up.borrow_mut().insert(id.to_string());
    }
    if let Some((day, anchor)) = entry_id.and_then(|id| ctx.permalinks.get(id)) {
        let frag = match fragment {
            Some(f) if !f.is_empty() => format!("{anchor}--{}", super::check::percent_decode(f)),
            _ => anchor.clone(),
        };
        let day = day
            .strip_prefix(&format!("{}/", ctx.page_dir))
            .map_or_else(|| format!("{up}{day}"), str::to_string);
        return Some(format!("{day}#{frag}"));
    }
    if ctx.revisions.contains(&target) {
        let name = target.rsplit('/').next().unwrap_or_default();
        return Some(format!("revisions/{}.md", name.trim_end_matches(".txt")));
    }
    let mut out = format!("{up}{target}");
    if ctx.withheld.contains(&target) {
        out.push_str(".txt");
    }
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    Some(out)
}

/// Status emoji, the labels they stand for.
const EMOJI: [(&str, &str); 9] = [
    ("✅", "réussi"),
    ("☑️", "déjà fait"),
    ("☑", "déjà fait"),
    ("⏭️", "ignoré"),
    ("⏭", "ignoré"),
    ("❌", "échoué"),
    ("⛔", "interrompu"),
    ("⏳", "en cours"),
    ("⚠️", "attention"),
];

/// Emoji badges, key/value table headers and non-breaking spaces, outside
/// fenced code blocks. Lines are kept one for one.
pub fn reader_fixes(text: &str) -> String {
    fixes(text, true)
}

/// [`reader_fixes`], with status badges only if `badges_too`.
fn fixes(text: &str, badges_too: bool) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut fence: Option<&str> = None;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(if t.starts_with("```") { "```" } else { "~~~" });
            out.push_str(line);
            continue;
        }
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim() == "| | |"
            && lines
                .peek()
                .is_some_and(|n| n.trim().replace(' ', "") == "|---|---|")
        {
            out.push_str(&line.replacen("| | |", "| Rubrique | Valeur |", 1));
            continue;
        }
        if badges_too {
            out.push_str(&nbsp_units(&badges(line)));
        } else {
            out.push_str(&nbsp_units(line));
        }
    }
    out
}

/// Status emoji replaced by text badges.
fn badges(line: &str) -> String {
    if line.is_ascii() {
        return line.to_string();
    }
    let mut s = line.to_string();
    for (emoji, label) in EMOJI {
        if !s.contains(emoji) {
            continue;
        }
        let b = badge(label);
        for pattern in [format!("{emoji} **{label}**"), format!("{emoji} {label}")] {
            s = s.replace(&pattern, &b);
        }
        let replacement = if label == "attention" {
            String::new()
        } else {
            format!("{b} ")
        };
        s = s
            .replace(&format!("{emoji} "), &replacement)
            .replace(emoji, &b);
    }
    s.replace("⚠ ", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(permalinks: &'a HashMap<String, (String, String)>) -> Context<'a> {
        Context {
            anchor: "2026-11-24T213005-123-execution-ab12cd",
            page_dir: "mois/2026-11",
            permalinks,
            withheld: Box::leak(Box::default()),
            narrow_charts: Box::leak(Box::default()),
            revisions: Box::leak(Box::default()),
            tool_statuses: true,
            looked_up: Box::leak(Box::default()),
        }
    }

    #[test]
    fn headings_go_down_and_get_prefixed_ids() {
        let p = HashMap::new();
        let body = "# Titre\n\n## Étapes\n\n## 1. Démarrage {#demarrage}\n\nVoir [les étapes](#étapes), [le titre](#titre) et [démarrage](#demarrage).\n";
        let got = inline_entry(body, &ctx(&p));
        assert_eq!(got.lines().count(), body.lines().count());
        let a = "2026-11-24T213005-123-execution-ab12cd";
        assert!(!got.contains("# Titre"), "{got}");
        assert!(
            got.contains(&format!("### Étapes {{#{a}--étapes}}")),
            "{got}"
        );
        assert!(
            got.contains(&format!("### 1. Démarrage {{#{a}--demarrage}}")),
            "{got}"
        );
        assert!(got.contains(&format!("(#{a}--étapes)")), "{got}");
        assert!(got.contains(&format!("(#{a})")), "{got}");
        assert!(got.contains(&format!("(#{a}--demarrage)")), "{got}");
    }

    #[test]
    fn setext_headings_become_atx_without_new_lines() {
        let p = HashMap::new();
        let body = "Titre\n=====\n\nSection\n-------\n\ntexte\n";
        let got = inline_entry(body, &ctx(&p));
        assert_eq!(got.lines().count(), body.lines().count(), "{got}");
        let a = "2026-11-24T213005-123-execution-ab12cd";
        assert!(!got.contains("Titre"), "{got}");
        assert!(
            got.contains(&format!("### Section {{#{a}--section}}\n\n")),
            "{got}"
        );
        assert!(!got.contains("---"), "{got}");
    }

    #[test]
    fn the_resource_chart_becomes_a_picture_only_when_its_narrow_file_is_published() {
        let p = HashMap::new();
        let run = "2026-11-24T213005-123-execution-ab12cd";
        let body = format!("Texte\n\n![Consommation des conteneurs]({run}-ressources.svg)\n");
        // Without the narrow file (an old entry): today's image link.
        let old = inline_entry(&body, &ctx(&p));
        assert!(!old.contains("<picture"), "{old}");
        assert!(
            old.contains(&format!("(../../entrees/{run}-ressources.svg)")),
            "{old}"
        );
        let published = Box::leak(Box::new(std::collections::BTreeSet::from([format!(
            "entrees/{run}-ressources-etroit.svg"
        )])));
        let with = Context {
            narrow_charts: published,
            ..ctx(&p)
        };
        let got = inline_entry(&body, &with);
        assert_eq!(got.lines().count(), body.lines().count(), "{got}");
        assert!(got.contains(&format!(
            "<picture class=\"journal-graphique\"><source media=\"(max-width: 640px)\" srcset=\"../../entrees/{run}-ressources-etroit.svg\"><img src=\"../../entrees/{run}-ressources.svg\" alt=\"Consommation des conteneurs\"></picture>"
        )), "{got}");
        // Another image of the entry is left as it was.
        let other = inline_entry(&format!("![g]({run}.svg)\n"), &with);
        assert!(!other.contains("<picture"), "{other}");
        // A user's raw <picture> is still dropped by the sanitizer.
        let raw = inline_entry(
            &format!(
                "<picture><source srcset=\"x.svg\"><img src=\"{run}-ressources.svg\"></picture>\n"
            ),
            &with,
        );
        assert!(
            !raw.contains("<picture") && !raw.contains("<source"),
            "{raw}"
        );
    }

    #[test]
    fn links_are_rebased_to_the_day_page() {
        let mut p = HashMap::new();
        p.insert(
            "2026-11-25T101500-000-note-m4n5b6".to_string(),
            (
                "mois/2026-11/2026-11-25.md".to_string(),
                "2026-11-25T101500-000-note-m4n5b6".to_string(),
            ),
        );
        let body = "Texte ![g](x.svg) [doc](documentation/partie-6.md#vérifications) [n](2026-11-25T101500-000-note-m4n5b6.md) [w](https://exemple.fr/a.md)\n";
        let got = inline_entry(body, &ctx(&p));
        assert!(got.contains("(../../entrees/x.svg)"), "{got}");
        assert!(
            got.contains("(../../entrees/documentation/partie-6.md#vérifications)"),
            "{got}"
        );
        assert!(
            got.contains("(2026-11-25.md#2026-11-25T101500-000-note-m4n5b6)"),
            "{got}"
        );
        assert!(got.contains("(https://exemple.fr/a.md)"), "{got}");
    }

    #[test]
    fn reader_fixes_badges_tables_and_spaces() {
        let text = "| | |\n|---|---|\n| Statut | ✅ **réussi** |\n| Durée | 48,2 s |\n\n> ⚠️ **Attention :** lent\n\n```\n✅ 12 s\n```\n";
        let got = reader_fixes(text);
        assert!(got.starts_with("| Rubrique | Valeur |\n"), "{got}");
        assert!(got.contains(&badge("réussi")), "{got}");
        assert!(got.contains("48,2\u{a0}s"), "{got}");
        assert!(got.contains("> **Attention :** lent"), "{got}");
        assert!(got.contains("```\n✅ 12 s\n```"), "code untouched: {got}");
        assert_eq!(got.lines().count(), text.lines().count());
    }

    #[test]
    fn a_notes_emoji_stay_as_written() {
        let p = HashMap::new();
        let body = "# Note\n\nTout va bien ✅ mais ⚠️ le disque, ❌ pas de ⏳ 12 s.\n\n⚠ fin\n";
        let note = Context {
            tool_statuses: false,
            ..ctx(&p)
        };
        let got = inline_entry(body, &note);
        assert!(
            got.contains("Tout va bien ✅ mais ⚠️ le disque, ❌ pas de ⏳ 12\u{a0}s."),
            "{got}"
        );
        assert!(got.contains("⚠ fin"), "{got}");
        assert!(!got.contains("statut-"), "{got}");
        // The same text in a run (written by the tool) gets its badges.
        let run = inline_entry(body, &ctx(&p));
        assert!(run.contains(&badge("réussi")), "{run}");
    }

    #[test]
    fn spaces_before_words_stay() {
        assert_eq!(nbsp_units("3 services, 12 ms"), "3 services, 12\u{a0}ms");
        assert_eq!(nbsp_units("1 min 05 s"), "1\u{a0}min 05\u{a0}s");
    }
}
