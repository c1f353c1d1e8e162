//! The book check: internal links to missing files, anchors that no heading
//! produces, summary entries without their file. Locations point to the
//! user's files (`journal/…`) when a page is a copy of one, else to the
//! generated page (`book/src/…`).
//!
//! It works on in-memory [`Sources`]; it never renders HTML, never reads the
//! disk and never fetches external links (`scheme:` or `//host`).

use std::collections::HashMap;
use std::fmt;

use super::ids::{self, PageInfo};
use super::sources::Sources;

/// One problem: `file:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file to fix, relative to the project root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// French reason.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Pages mdBook (or the search index) generates itself, valid link targets
/// without a source.
const GENERATED_PAGES: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// Checks the sources; the problems are sorted by file and line.
pub fn check(sources: &Sources) -> Vec<Problem> {
    let pages: HashMap<&str, PageInfo> = sources
        .files
        .iter()
        .chain(&sources.check_only)
        .filter(|(rel, _)| !is_summary(rel))
        .map(|(rel, text)| {
            let (body, first_line) = page_body(rel, text);
            (rel.as_str(), ids::analyze(body, first_line))
        })
        .collect();
    let mut problems = check_summaries(sources);
    for (rel, page) in &pages {
        let dir = match rel.rfind('/') {
            Some(i) => &rel[..i],
            None => "",
        };
        let embedded = sources.embedded.get(*rel);
        for link in &page.links {
            if embedded.is_some_and(|r| r.iter().any(|(a, b)| (*a..=*b).contains(&link.line))) {
                continue; // reported on the entry's own file
            }
            if let Some(reason) = check_link(sources, &pages, rel, dir, &link.dest) {
                problems.push(Problem {
                    file: sources.origin(rel),
                    line: link.line,
                    reason,
                });
            }
        }
    }
    problems.sort();
    problems
}

fn is_summary(rel: &str) -> bool {
    rel == "SUMMARY.md" || rel.ends_with("/SUMMARY.md")
}

/// The folder of the book a page belongs to: `` for the main book,
/// `mois/2024-03` for a month book.
pub fn book_root(rel: &str) -> &str {
    let prefix = format!("{}/", super::paths::MONTHS_DIR);
    match rel.strip_prefix(&prefix).and_then(|r| r.find('/')) {
        Some(i) => &rel[..prefix.len() + i],
        None => "",
    }
}

/// Every book's summary: chapters without their file, and generated pages
/// no summary lists (mdBook would not render them).
fn check_summaries(sources: &Sources) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut listed = std::collections::HashSet::new();
    for (summary_rel, summary) in sources.files.iter().filter(|(r, _)| is_summary(r)) {
        let root = book_root(summary_rel);
        for link in ids::analyze(summary, 1).links {
            let (path, _) = split_fragment(&link.dest);
            if path.is_empty() {
                continue; // draft chapter
            }
            let target = resolve(root, path).unwrap_or_else(|| String::from(path));
            listed.insert(target.clone());
            if !sources.files.contains_key(&target) {
                problems.push(Problem {
                    file: sources.origin(summary_rel),
                    line: link.line,
                    reason: format!("chapitre du sommaire sans fichier : « {path} »"),
                });
            }
        }
    }
    for rel in sources.files.keys() {
        let root = book_root(rel);
        let summary = if root.is_empty() {
            "SUMMARY.md".to_string()
        } else {
            format!("{root}/SUMMARY.md")
        };
        if is_summary(rel) || rel == "404.md" || !sources.files.contains_key(&summary) {
            continue;
        }
        if !listed.contains(rel) {
            problems.push(Problem {
                file: sources.origin(rel),
                line: 1,
                reason: format!(
                    "page absente du sommaire « {} » : elle ne serait pas rendue",
                    shown(&summary)
                ),
            });
        }
    }
    problems
}

/// The text mdBook renders for a page (entries lose their front matter) and
/// the line of its first line in the file.
pub fn page_body<'a>(rel: &str, text: &'a str) -> (&'a str, usize) {
    if rel.starts_with(super::paths::ENTRIES_DIR)
        && let Some((_, body, line)) = crate::store::entry::split(text)
    {
        return (body, line);
    }
    (text, 1)
}

fn check_link(
    sources: &Sources,
    pages: &HashMap<&str, PageInfo>,
    rel: &str,
    dir: &str,
    dest: &str,
) -> Option<String> {
    if dest.is_empty() || is_external(dest) {
        return None;
    }
    let (path, fragment) = split_fragment(dest);
    let path = path.split('?').next().unwrap_or("");
    let target = if path.is_empty() {
        rel.to_string()
    } else {
        let decoded = percent_decode(path);
        let Some(mut target) = resolve(dir, &decoded) else {
            return Some(format!("lien « {dest} » : la cible sort du livre"));
        };
        if target.is_empty() || target.ends_with('/') {
            target.push_str("index.md");
        }
        if sources.withheld.contains(&target) {
            return None; // published as text (`<chemin>.txt`)
        }
        if let Some(stem) = target.strip_suffix(".html") {
            if GENERATED_PAGES.contains(&target.as_str()) {
                return None;
            }
            target = format!("{stem}.md");
        }
        if !sources.files.contains_key(&target)
            && !sources.check_only.contains_key(&target)
            && !sources.assets.contains_key(&target)
        {
            return Some(format!(
                "lien « {dest} » : le fichier « {} » n'existe pas",
                shown(&target)
            ));
        }
        target
    };
    let fragment = fragment?;
    let page = pages.get(target.as_str())?; // images: anchors not checked
    let id = percent_decode(fragment);
    if id.is_empty() || page.ids.contains(&id) {
        return None;
    }
    let place = if target == rel {
        "cette page".to_string()
    } else {
        format!("« {} »", shown(&target))
    };
    Some(format!(
        "lien « {dest} » : aucun titre de {place} ne produit l'ancre « #{id} »"
    ))
}

/// A book path as the user knows it: copies of `journal/` files are shown
/// under `journal/`, generated pages under `book/src/`.
fn shown(target: &str) -> String {
    match target
        .strip_prefix(super::paths::ENTRIES_DIR)
        .and_then(|r| r.strip_prefix('/'))
    {
        Some(rest) => format!("journal/{rest}"),
        None => format!("book/src/{target}"),
    }
}

/// `scheme:` (http, https, mailto…) or protocol-relative `//host`.
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    let mut chars = dest.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    for c in chars {
        if c == ':' {
            return true;
        }
        if !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')) {
            return false;
        }
    }
    false
}

fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    }
}

/// Resolves `path` against folder `dir` (both relative to `book/src`);
/// `None` when it climbs above the root.
pub fn resolve(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    if !absolute {
        parts.extend(dir.split('/').filter(|s| !s.is_empty()));
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Decodes `%XX` sequences (UTF-8); invalid ones are kept as is.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> Sources {
        let mut s = Sources::default();
        for (k, v) in files {
            s.files.insert((*k).to_string(), (*v).to_string());
        }
        s
    }

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(
            resolve("jours", "../entrees/x.md").as_deref(),
            Some("entrees/x.md")
        );
        assert_eq!(resolve("", "../x.md"), None);
        assert_eq!(resolve("a", "/b.md").as_deref(), Some("b.md"));
        assert_eq!(percent_decode("v%C3%A9rifications"), "vérifications");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn external_links_are_ignored() {
        for d in [
            "https://exemple.fr/x#y",
            "mailto:a@b.c",
            "//cdn/x.js",
            "file:///etc",
        ] {
            assert!(is_external(d), "{d}");
        }
        assert!(!is_external("a.md#b:c"));
        assert!(!is_external("#ancre"));
    }

    #[test]
    fn reports_missing_files_anchors_and_summary_entries() {
        let s = sources(&[
            (
                "SUMMARY.md",
                "# Sommaire\n\n- [A](a.md)\n- [B](b.md)\n- [Brouillon]()\n- [I](index.md)\n",
            ),
            (
                "a.md",
                "# A\n\n## Cibles\n\n[ok](#cibles) [ok2](a.html#cibles) [externe](https://x.y/#z)\n[ko](#absente)\n[manque](c.md)\n[page ok](index.md)\n",
            ),
            (
                "index.md",
                "# Accueil\n\n[a](a.md#cibles) [a2](./a.md#nope) [p](print.html)\n",
            ),
        ]);
        let got: Vec<String> = check(&s).iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(
            got[0].starts_with("book/src/SUMMARY.md:4: chapitre du sommaire sans fichier"),
            "{got:#?}"
        );
        assert!(
            got[1].starts_with("book/src/a.md:6: lien « #absente »"),
            "{got:#?}"
        );
        assert!(
            got[2].starts_with("book/src/a.md:7: lien « c.md »"),
            "{got:#?}"
        );
        assert!(
            got[3].starts_with("book/src/index.md:3: lien « ./a.md#nope »"),
            "{got:#?}"
        );
    }

    #[test]
    fn pages_missing_from_their_book_summary_are_reported() {
        let s = sources(&[
            ("SUMMARY.md", "# Sommaire\n\n- [A](a.md)\n"),
            ("a.md", "# A\n\n[jour](mois/2024-03/2024-03-05.md#x)\n"),
            ("oubliee.md", "# O\n"),
            (
                "mois/2024-03/SUMMARY.md",
                "# Sommaire\n\n- [J](2024-03-05.md)\n",
            ),
            (
                "mois/2024-03/2024-03-05.md",
                "# J\n\n## X {#x}\n\n[a](../../a.md)\n",
            ),
            ("mois/2024-03/orpheline.md", "# O\n"),
        ]);
        let got: Vec<String> = check(&s).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            vec![
                "book/src/mois/2024-03/orpheline.md:1: page absente du sommaire « book/src/mois/2024-03/SUMMARY.md » : elle ne serait pas rendue",
                "book/src/oubliee.md:1: page absente du sommaire « book/src/SUMMARY.md » : elle ne serait pas rendue",
            ]
        );
    }

    #[test]
    fn problems_inside_embedded_entries_are_left_to_the_entry() {
        let mut s = sources(&[(
            "mois/2024-03/2024-03-05.md",
            "# J\n\n[cassé](#nulle-part)\n\n[cassé aussi](#ailleurs)\n",
        )]);
        s.embedded
            .insert("mois/2024-03/2024-03-05.md".into(), vec![(3, 3)]);
        let got: Vec<String> = check(&s).iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains(":5: "), "{got:?}");
    }

    #[test]
    fn entry_pages_report_journal_lines() {
        let mut s = sources(&[("entrees/n.md", "---\ntype: note\n---\n\n# N\n\n[x](#y)\n")]);
        s.origins
            .insert("entrees/n.md".into(), "journal/n.md".into());
        let got: Vec<String> = check(&s).iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("journal/n.md:7: "), "{got:?}");
    }
}
