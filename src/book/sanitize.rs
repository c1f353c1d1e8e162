//! What the book shows of a note: the raw HTML and the links of a Markdown
//! text (an entry's body, a documentation page) made harmless before the
//! text reaches mdBook.
//!
//! - Raw HTML is cut into tags: each allowed tag goes through `ammonia`
//!   (allow-listed tags and attributes, links and images to `http(s)`,
//!   `mailto` or relative addresses only, no event attribute, no style);
//!   other tags are dropped, and `<script>`, `<style>`, `<iframe>`… with
//!   their content; comments are kept only when plain (`<!-- annexes -->`);
//!   any other `<` becomes `&lt;`.
//! - Markdown links and images to another scheme (`javascript:`, `data:`,
//!   `vbscript:`, `file:`…) lose their destination.
//! - The result is sanitized again until nothing changes (removing a tag
//!   can turn an HTML block into Markdown).
//!
//! Lines are never added nor removed, so that a problem found in the
//! sanitized text maps back to the entry's line. It does not decide which
//! files are copied into the book (see `generate`), nor touch the pages the
//! tool writes itself.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::ids::mdbook_options;
use super::markup::{apply_edits, as_text};

/// Tags a note may use (Markdown's own output, tables, `details/summary`,
/// the tool's status badges `<span class="statut …">`).
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
];

/// Tags dropped with everything up to their end tag.
const WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "iframe",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "textarea",
    "title",
    "xmp",
    "object",
    "plaintext",
];

/// The ammonia configuration of one tag.
fn cleaner() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.add_tags(TAGS.iter().copied())
            .add_generic_attributes(["title", "lang", "class"])
            .add_tag_attributes("a", ["href"])
            .add_tag_attributes("img", ["src", "alt", "width", "height"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("td", ["colspan", "rowspan", "align"])
            .add_tag_attributes("th", ["colspan", "rowspan", "align"])
            .add_tag_attributes("ol", ["start"])
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer"))
            .strip_comments(true);
        b
    })
}

/// `text` with its raw HTML and its links made harmless; same lines.
pub fn sanitize(text: &str) -> String {
    let Some(mut current) = once(text) else {
        return text.to_string();
    };
    for _ in 0..8 {
        match once(&current) {
            Some(next) if next != current => current = next,
            _ => return current,
        }
    }
    // Never converges (should not happen): no markup at all.
    current.replace('<', "&lt;")
}

/// One pass over the Markdown: `None` when there was nothing to change.
fn once(text: &str) -> Option<String> {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut in_block: Option<usize> = None;
    for (event, range) in Parser::new_ext(text, mdbook_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::HtmlBlock) => in_block = Some(range.start),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(start) = in_block.take() {
                    let r = start..range.end;
                    edits.push((r.clone(), clean_html(&text[r])));
                }
            }
            Event::Html(_) if in_block.is_none() => {
                edits.push((range.clone(), clean_html(&text[range])));
            }
            Event::InlineHtml(_) => edits.push((range.clone(), clean_html(&text[range]))),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !is_safe_url(&dest_url) =>
            {
                match super::markup::raw_dest_span(text, range.clone()) {
                    Some(span) => edits.push((span, "#".into())),
                    None => edits.push((range.clone(), as_text(&text[range]))),
                }
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return None;
    }
    Some(apply_edits(text, edits))
}

/// Whether a link's destination may stay: relative, fragment, or an
/// allowed scheme.
fn is_safe_url(dest: &str) -> bool {
    // Browsers ignore tabs, newlines and leading control characters.
    let d: String = dest
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    match d.find([':', '/', '?', '#']) {
        Some(i) if d.as_bytes()[i] == b':' => {
            let scheme = d[..i].to_ascii_lowercase();
            ["http", "https", "mailto"].contains(&scheme.as_str())
        }
        _ => true,
    }
}

/// A raw HTML fragment, tag by tag; same number of lines.
fn clean_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            match after.find("-->") {
                Some(end) => {
                    let inner = &after[..end];
                    let comment = &rest[..4 + end + 3];
                    if !inner.contains("--") && !inner.starts_with('>') && !inner.starts_with("->")
                    {
                        out.push_str(comment);
                    } else {
                        push_lines(&mut out, comment);
                    }
                    rest = &rest[comment.len()..];
                }
                None => {
                    out.push_str("&lt;");
                    rest = &rest[1..];
                }
            }
            continue;
        }
        let Some((tag, name, closing)) = tag_at(rest) else {
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        };
        let lower = name.to_ascii_lowercase();
        rest = &rest[tag.len()..];
        if !closing && WITH_CONTENT.contains(&lower.as_str()) {
            // Dropped up to its end tag (or the end of the fragment).
            let end = find_end_tag(rest, &lower).unwrap_or(rest.len());
            push_lines(&mut out, tag);
            push_lines(&mut out, &rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if !TAGS.contains(&lower.as_str()) {
            push_lines(&mut out, tag);
            continue;
        }
        if closing {
            out.push_str(&format!("</{lower}>"));
            push_lines(&mut out, tag);
            continue;
        }
        let cleaned = cleaner().clean(tag).to_string();
        let cleaned = cleaned
            .strip_suffix(&format!("</{lower}>"))
            .unwrap_or(&cleaned)
            .to_string();
        out.push_str(&cleaned);
        push_lines(&mut out, tag);
    }
    out.push_str(rest);
    out
}

/// As many newlines as `dropped` had.
fn push_lines(out: &mut String, dropped: &str) {
    for _ in 0..dropped.matches('\n').count() {
        out.push('\n');
    }
}

/// The tag starting `s` (`<name …>` or `</name>`): its text, name and
/// whether it is an end tag; `None` if `s` does not start a tag.
fn tag_at(s: &str) -> Option<(&str, &str, bool)> {
    let b = s.as_bytes();
    let closing = b.get(1) == Some(&b'/');
    let start = if closing { 2 } else { 1 };
    if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let name_len = b[start..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
        .count();
    let name = &s[start..start + name_len];
    let mut quote: Option<u8> = None;
    for (i, &c) in b.iter().enumerate().skip(start + name_len) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return Some((&s[..=i], name, closing)),
            None => {}
        }
    }
    // Unterminated: the rest of the fragment is the tag.
    Some((s, name, closing))
}

/// Where `</name` starts in `s` (case-insensitive), past its `>`.
fn find_end_tag(s: &str, name: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let at = lower.find(&format!("</{name}"))?;
    Some(lower[at..].find('>').map_or(s.len(), |gt| at + gt + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_lines(a: &str, b: &str) {
        assert_eq!(a.matches('\n').count(), b.matches('\n').count(), "{b}");
    }

    #[test]
    fn scripts_event_attributes_and_frames_are_removed() {
        for (text, forbidden) in [
            ("Avant\n\n<script>\nalert(1)\n</script>\n\nAprès\n", "alert"),
            ("Texte <img src=x onerror=\"alert(1)\"> fin\n", "onerror"),
            ("<iframe src=\"https://mal.example\"></iframe>\n", "iframe"),
            ("[clic](javascript:alert(1))\n", "javascript"),
            ("[clic](JaVaScRiPt&#58;alert(1))\n", "javascript"),
            ("<a href=\"javascript:alert(1)\">x</a>\n", "javascript"),
            ("![i](data:text/html;base64,PHNjcmlwdD4=)\n", "data:"),
            ("<javascript:alert(1)>\n", "<javascript"),
            ("[x][r]\n\n[r]: javascript:alert(1)\n", "[x][r]"),
            ("<svg><script>alert(1)</script></svg>\n", "<script"),
            (
                "<iframe>\n[x](javascript:alert(1))\n</iframe>\n",
                "javascript",
            ),
            ("<!-- a --!><img src=x onerror=alert(1)> -->\n", "onerror"),
            ("<details><summary onclick=\"x()\">s</summary>\n", "onclick"),
        ] {
            let got = sanitize(text);
            assert!(
                !got.to_lowercase().contains(&forbidden.to_lowercase()),
                "{text:?} → {got:?}"
            );
            same_lines(text, &got);
        }
    }

    #[test]
    fn what_notes_legitimately_use_is_kept() {
        let text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n<details>\n<summary>Journaux</summary>\n\n```\n<script>dans du code</script>\n```\n\n</details>\n\n<!-- annexes -->\n\n[doc](https://exemple.fr/x) [rel](pieces-jointes/a/b.png) ![c](c.png) `<b>`\n\nH<sub>2</sub>O <span class=\"statut statut-reussi\">réussi</span>\n";
        assert_eq!(sanitize(text), text);
    }
}
