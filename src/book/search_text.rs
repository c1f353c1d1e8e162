//! The words of the search index: rendered HTML turned into the plain text
//! a result shows (tags dropped, entities decoded, headings marked), and
//! that text cut into the words the index keeps, each folded (lower case,
//! no accents) and stemmed in French.
//!
//! The search page (`search.js`) cuts and folds a query the same way:
//! `fold` here and `fold` there must agree, and so must [`words`] and the
//! page's `/[\p{L}\p{N}]+/gu`. French elisions need no rule of their own:
//! the apostrophe cuts « l’échéance » into « l » and « échéance », and
//! one-character words are not kept.
//!
//! It does not decide what a page brings to the index (`search`), nor how
//! the index is laid out (`search_index`).

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Elements whose content is never text (a sanitized note has none of
/// them; the theme's pages may).
const SKIPPED: [&str; 4] = ["script", "style", "template", "noscript"];

/// Inline elements: a word may run through them (`<em>ré</em>sultat`).
const INLINE: [&str; 12] = [
    "a", "abbr", "b", "code", "em", "i", "kbd", "mark", "small", "span", "strong", "sub",
];

/// A page's or an entry's text as a result shows it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Text {
    /// One line of text, spaces collapsed.
    pub text: String,
    /// The byte ranges of `text` that were headings (`<h1>`…`<h6>`).
    pub headings: Vec<Range<usize>>,
}

/// The text of `html`: tags dropped (a block one leaves a space), entities
/// decoded, runs of white space (non-breaking ones too) made one space,
/// the content of `<script>`, `<style>`, `<template>` and `<noscript>`
/// left out.
pub fn html_text(html: &str) -> Text {
    let mut out = Text {
        text: String::with_capacity(html.len() / 2),
        headings: Vec::new(),
    };
    let mut heading_start: Option<usize> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out.text, rest);
            break;
        };
        push_text(&mut out.text, &rest[..lt]);
        rest = &rest[lt..];
        let Some(gt) = rest.find('>') else {
            // A lone `<` (escaped in well-formed HTML): kept as text.
            push_text(&mut out.text, rest);
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !closing && SKIPPED.contains(&name.as_str()) {
            let end = format!("</{name}");
            match find_ascii_ci(rest, &end) {
                Some(i) => rest = &rest[i..],
                None => rest = "",
            }
            continue;
        }
        if !INLINE.contains(&name.as_str()) && !out.text.ends_with(' ') && !out.text.is_empty() {
            out.text.push(' ');
        }
        if is_heading(&name) {
            if closing {
                if let Some(start) = heading_start.take() {
                    let end = out.text.trim_end().len();
                    if end > start {
                        out.headings.push(start..end);
                    }
                }
            } else {
                heading_start = Some(out.text.len());
            }
        }
    }
    let trimmed = out.text.trim_end().len();
    out.text.truncate(trimmed);
    out
}

fn is_heading(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 2 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1])
}

/// The first `needle` (ASCII, lower case) in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Appends `raw` (HTML text, entities encoded) to `text`, white space
/// collapsed.
fn push_text(text: &mut String, raw: &str) {
    let decoded = decode_entities(raw);
    for c in decoded.chars() {
        if c.is_whitespace() {
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
        } else {
            text.push(c);
        }
    }
}

/// `raw` with its character references decoded: numeric ones and the few
/// named ones the renderers write (pulldown-cmark, minijinja, ammonia);
/// any other is kept as written.
pub fn decode_entities(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
            .map(|e| e + 1);
        let decoded = match end {
            Some(e) if rest.as_bytes().get(e) == Some(&b';') => {
                entity(&rest[1..e]).map(|c| (c, e + 1))
            }
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "rsquo" => '’',
        "lsquo" => '‘',
        "laquo" => '«',
        "raquo" => '»',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        _ => return None,
    })
}

/// The words of `text` with their byte offsets: runs of letters and
/// digits (what the search page's `/[\p{L}\p{N}]+/gu` finds).
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut offset = 0;
    std::iter::from_fn(move || {
        let start = rest.find(char::is_alphanumeric)?;
        let len = rest[start..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + len];
        let at = offset + start;
        offset += start + len;
        rest = &rest[start + len..];
        Some((at, word))
    })
}

/// Whether the index keeps `word` (as found in the text): not a single
/// character (elided articles, « à »), not a number of one or two digits
/// (hours, minutes of every run), not longer than 40 characters (hashes).
pub fn kept(word: &str) -> bool {
    let mut chars = word.chars();
    let n = chars.by_ref().take(41).count();
    if !(2..=40).contains(&n) {
        return false;
    }
    !(n == 2 && word.bytes().all(|b| b.is_ascii_digit()))
}

/// `word` in lower case without its accents (« Échéance » → « echeance »,
/// « Œuvre » → « oeuvre »): what the index and the query compare.
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// French stems, folded: « échéances » and « échéance » share
/// « echeanc ».
pub struct Stems(rust_stemmers::Stemmer);

impl Default for Stems {
    fn default() -> Self {
        Self(rust_stemmers::Stemmer::create(
            rust_stemmers::Algorithm::French,
        ))
    }
}

impl Stems {
    /// The folded stem of `word` (stemmed in lower case with its accents,
    /// which the French rules read, then folded).
    pub fn of(&self, word: &str) -> String {
        fold(&self.0.stem(&word.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_words_apart_across_blocks_and_together_across_inline_tags() {
        let t = html_text(
            "<h2 id=\"a\">08:00 · Une <em>note</em></h2><p>Vu à l&rsquo;<strong>éché</strong>ance&nbsp;:</p><ul><li>un</li><li>deux</li></ul><script>var x = 1;</script><p>fin &amp; &#233;t&#xE9; &unknown; 3 &lt; 4</p>",
        );
        assert_eq!(
            t.text,
            "08:00 · Une note Vu à l’échéance : un deux fin & été &unknown; 3 < 4"
        );
        assert_eq!(&t.text[t.headings[0].clone()], "08:00 · Une note");
        assert_eq!(t.headings.len(), 1);
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let w: Vec<_> = words("l’échéance, node-exporter:9100 (x)").collect();
        assert_eq!(
            w,
            [
                (0, "l"),
                (4, "échéance"),
                (16, "node"),
                (21, "exporter"),
                (30, "9100"),
                (36, "x")
            ]
        );
        assert!(kept("échéance") && kept("9100") && kept("ok"));
        assert!(!kept("l") && !kept("à") && !kept("15") && !kept(&"a".repeat(41)));
    }

    #[test]
    fn folding_and_stems_join_the_forms_of_a_french_word() {
        assert_eq!(fold("Échéance"), "echeance");
        assert_eq!(fold("ŒUVRE"), "oeuvre");
        assert_eq!(fold("Prometheus"), "prometheus");
        let s = Stems::default();
        assert_eq!(s.of("échéances"), s.of("Échéance"));
        assert_eq!(s.of("vérifications"), s.of("vérification"));
        assert_ne!(s.of("vérification"), s.of("échéance"));
    }
}
