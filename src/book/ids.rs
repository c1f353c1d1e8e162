//! What a Markdown page offers and points to, as mdBook 0.5 renders it: the
//! anchor ids of its headings (computed like `mdbook-html`'s private
//! `id_from_content` / `unique_id`, plus explicit `{#id}` attributes and HTML
//! `id=`/`name=` attributes) and its links and images with their lines.
//!
//! It only parses text (pulldown-cmark, same options as mdBook); it does not
//! resolve links nor read files.

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A link or image destination found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as written (after reference resolution).
    pub dest: String,
    /// 1-based line in the analysed text.
    pub line: usize,
}

/// The anchors and links of a page.
#[derive(Debug, Clone, Default)]
pub struct PageInfo {
    /// Every id a `#fragment` may target.
    pub ids: HashSet<String>,
    /// Links and images, in order.
    pub links: Vec<Link>,
}

/// The parser options of mdBook 0.5's HTML renderer with its default
/// settings (smart punctuation, definition lists and admonitions on).
pub fn mdbook_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// An id from a heading's text, the way `mdbook-html` 0.5 computes it: trim,
/// lowercase, keep alphanumerics (Unicode included), `_` and `-`, turn
/// whitespace into `-`, drop everything else.
pub fn id_from_content(content: &str) -> String {
    content
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|ch| {
            if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                Some(ch)
            } else if ch.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Makes `id` unique among `used` with a `-1`, `-2`… suffix, and records it.
pub fn unique_id(id: &str, used: &mut HashSet<String>) -> String {
    if used.insert(id.to_string()) {
        return id.to_string();
    }
    let mut counter: u32 = 1;
    loop {
        let candidate = format!("{id}-{counter}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
        counter += 1;
    }
}

/// Analyses a page. `first_line` is the line number of the text's first line
/// in the file being reported (1 for a whole file).
pub fn analyze(text: &str, first_line: usize) -> PageInfo {
    let mut info = PageInfo::default();
    let mut used = HashSet::new();
    let mut lines = LineIndex::new(text);
    // Text of the heading (or definition title) being read, if any, and its
    // explicit id.
    let mut heading: Option<(String, Option<String>)> = None;
    let parser = Parser::new_ext(text, mdbook_options()).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some((String::new(), id.map(|s| s.to_string())));
            }
            Event::Start(Tag::DefinitionListTitle) => heading = Some((String::new(), None)),
            Event::End(TagEnd::Heading(_)) | Event::End(TagEnd::DefinitionListTitle) => {
                if let Some((content, explicit)) = heading.take() {
                    match explicit {
                        // mdBook keeps an explicit id as is, without
                        // reserving it for the automatic ones.
                        Some(id) => {
                            info.ids.insert(id);
                        }
                        None => {
                            let id = unique_id(&id_from_content(&content), &mut used);
                            info.ids.insert(id);
                        }
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((content, _)) = heading.as_mut() {
                    content.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                html_ids(&h, &mut info.ids);
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                info.links.push(Link {
                    dest: dest_url.to_string(),
                    line: lines.line_of(range.start) + first_line - 1,
                });
            }
            _ => {}
        }
    }
    info
}

/// Collects the values of `id="…"` and `name="…"` attributes of raw HTML.
pub fn html_ids(html: &str, ids: &mut HashSet<String>) {
    let lower = html.to_ascii_lowercase();
    for attr in ["id", "name"] {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(attr).map(|p| p + from) {
            from = pos + attr.len();
            let before_ok = pos > 0 && lower.as_bytes()[pos - 1].is_ascii_whitespace();
            let rest = html[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=').filter(|_| before_ok) else {
                continue;
            };
            let rest = rest.trim_start();
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest
                    .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .next()
                    .unwrap_or(""),
            };
            if !value.is_empty() {
                ids.insert(value.to_string());
            }
        }
    }
}

/// Byte offset → 1-based line number, for increasing offsets mostly.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_of(&mut self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_mdbook() {
        assert_eq!(
            id_from_content("  Vérification des cibles  "),
            "vérification-des-cibles"
        );
        assert_eq!(
            id_from_content("Étape 1 : `docker` (ok) !"),
            "étape-1--docker-ok-"
        );
        assert_eq!(
            id_from_content("snake_case-et-tirets"),
            "snake_case-et-tirets"
        );
    }

    #[test]
    fn duplicates_get_suffixes_and_explicit_ids_are_kept() {
        let page = analyze(
            "# Titre\n\n## Titre\n\n## Titre\n\n## Autre {#perso}\n\n<a name=\"ici\"></a>\n<div id='la'>x</div>\n",
            1,
        );
        for id in ["titre", "titre-1", "titre-2", "perso", "ici", "la"] {
            assert!(page.ids.contains(id), "{id} absent de {:?}", page.ids);
        }
        assert!(!page.ids.contains("autre"));
    }

    #[test]
    fn smart_punctuation_is_applied_before_ids() {
        // mdBook turns `--` into an en dash, which the id then drops.
        let page = analyze("# a -- b\n", 1);
        assert!(page.ids.contains("a--b"), "{:?}", page.ids);
    }

    #[test]
    fn links_have_lines() {
        let page = analyze(
            "texte\n\n[a](b.md#c) et ![i](x.svg)\n\n[r]\n\n[r]: y.md\n",
            10,
        );
        let got: Vec<(&str, usize)> = page
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.line))
            .collect();
        assert_eq!(got, vec![("b.md#c", 12), ("x.svg", 12), ("y.md", 14)]);
    }
}
