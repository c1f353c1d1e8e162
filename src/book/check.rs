//! The book check: internal links to missing files, anchors that no heading
//! produces, summary entries without their file. Locations point to the
//! user's files (`journal/…`) when a page is a copy of one, else to the
//! generated page (`book/src/…`).
//!
//! It works on in-memory [`Sources`], and on what an [`Outside`] says of the
//! month books kept from the last build (see `incremental`); it never
//! renders HTML, never reads the disk itself and never fetches external
//! links (`scheme:` or `//host`). Problems and links leaving their month are
//! returned by group (main book, each month), so that a kept month's can be
//! reused.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

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

impl Problem {
    /// An invalid entry of the journal, its file shown by `display`.
    pub fn invalid_entry(e: &crate::store::EntryError, display: &dyn Fn(&Path) -> String) -> Self {
        Problem {
            file: display(&e.path),
            line: e.line,
            reason: e.reason.clone(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Pages mdBook (or the search index) generates itself, valid link targets
/// without a source.
const GENERATED_PAGES: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// Pages of month books kept from the last build, not in memory (see
/// `incremental`): what a link into them needs to know.
pub trait Outside: Sync {
    /// Whether `rel` is a generated page (`Sources::files`) of such a book.
    fn has_page(&self, rel: &str) -> bool;
    /// Whether `rel` is an entry (`Sources::check_only`) of such a book.
    fn has_entry(&self, rel: &str) -> bool;
    /// The anchors of page or entry `rel` of such a book.
    fn ids(&self, rel: &str) -> Option<std::sync::Arc<HashSet<String>>>;
}

/// No book outside the sources: a full check.
pub struct Nothing;

impl Outside for Nothing {
    fn has_page(&self, _: &str) -> bool {
        false
    }
    fn has_entry(&self, _: &str) -> bool {
        false
    }
    fn ids(&self, _: &str) -> Option<std::sync::Arc<HashSet<String>>> {
        None
    }
}

/// A link of a page whose target lies outside the page's group: what it
/// gave (`None`: fine), to be checked again when the group is kept.
pub type Outgoing = (String, String, Option<String>);

/// What [`Site::check`] found, by group (`""`: the main book and the
/// documentation; `2024-03`: a month book and its entries).
#[derive(Debug, Default)]
pub struct Checked {
    pub problems: BTreeMap<String, Vec<Problem>>,
    pub outgoing: BTreeMap<String, Vec<Outgoing>>,
}

/// The sources in memory, their pages analysed, and what lies outside.
pub struct Site<'a> {
    sources: &'a Sources,
    pages: HashMap<&'a str, PageInfo>,
    outside: &'a dyn Outside,
}

/// Checks the sources; the problems are sorted by file and line.
pub fn check(sources: &Sources) -> Vec<Problem> {
    let mut all: Vec<Problem> = Site::new(sources, &Nothing)
        .check(&|_| String::new())
        .problems
        .into_values()
        .flatten()
        .collect();
    all.sort();
    all
}

impl<'a> Site<'a> {
    /// Analyses every page of `sources` (on every core).
    pub fn new(sources: &'a Sources, outside: &'a dyn Outside) -> Site<'a> {
        let list: Vec<(&'a String, &'a String)> = sources
            .files
            .iter()
            .chain(&sources.check_only)
            .filter(|(rel, _)| !is_summary(rel))
            .collect();
        // Pages are taken in small batches by whichever thread is free: a day
        // page holding a day's runs weighs a hundred notes, so equal shares
        // by count would leave one core idle at the end.
        const BATCH: usize = 16;
        let batches: Vec<&[(&'a String, &'a String)]> = list.chunks(BATCH).collect();
        let analysed = super::cores::on_cores(&batches, |batch| {
            batch
                .iter()
                .map(|(rel, text)| {
                    let (body, first_line) = page_body(rel, text);
                    (rel.as_str(), ids::analyze(body, first_line))
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let mut pages = HashMap::with_capacity(list.len());
        pages.extend(analysed.into_iter().flatten());
        Site {
            sources,
            pages,
            outside,
        }
    }

    /// The anchors of the pages in memory that `keep` accepts.
    pub fn ids_of<'b>(
        &'b self,
        keep: &'b dyn Fn(&str) -> bool,
    ) -> impl Iterator<Item = (&'a str, &'b HashSet<String>)> + 'b {
        self.pages
            .iter()
            .filter(move |(rel, _)| keep(rel))
            .map(|(rel, p)| (*rel, &p.ids))
    }

    /// Checks every page in memory, `group_of` naming the group of a page.
    pub fn check(&self, group_of: &dyn Fn(&str) -> String) -> Checked {
        let mut out = Checked::default();
        for (rel, p) in check_summaries(self.sources, self.outside) {
            out.problems.entry(group_of(&rel)).or_default().push(p);
        }
        for (rel, page) in &self.pages {
            let group = group_of(rel);
            let embedded = self.sources.embedded.get(*rel);
            for link in &page.links {
                if embedded.is_some_and(|r| r.iter().any(|(a, b)| (*a..=*b).contains(&link.line))) {
                    continue; // reported on the entry's own file
                }
                let (reason, target) = self.link(rel, &link.dest);
                if target.as_deref().is_some_and(|t| group_of(t) != group) {
                    out.outgoing.entry(group.clone()).or_default().push((
                        rel.to_string(),
                        link.dest.clone(),
                        reason.clone(),
                    ));
                }
                if let Some(reason) = reason {
                    out.problems
                        .entry(group.clone())
                        .or_default()
                        .push(Problem {
                            file: self.sources.origin(rel),
                            line: link.line,
                            reason,
                        });
                }
            }
        }
        for list in out.problems.values_mut() {
            list.sort();
        }
        for list in out.outgoing.values_mut() {
            list.sort();
            list.dedup();
        }
        out
    }

    /// What link `dest` of page `rel` gives now (see [`Outgoing`]).
    pub fn outcome(&self, rel: &str, dest: &str) -> Option<String> {
        self.link(rel, dest).0
    }

    /// The problem with link `dest` of page `rel`, if any, and the page
    /// it leads to (`None`: external or the page itself).
    fn link(&self, rel: &str, dest: &str) -> (Option<String>, Option<String>) {
        let dir = match rel.rfind('/') {
            Some(i) => &rel[..i],
            None => "",
        };
        check_link(self, rel, dir, dest)
    }

    fn exists(&self, target: &str) -> bool {
        let s = self.sources;
        s.files.contains_key(target)
            || s.check_only.contains_key(target)
            || s.assets.contains_key(target)
            || self.outside.has_page(target)
            || self.outside.has_entry(target)
    }
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
fn check_summaries(sources: &Sources, outside: &dyn Outside) -> Vec<(String, Problem)> {
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
            if !sources.files.contains_key(&target) && !outside.has_page(&target) {
                problems.push((
                    summary_rel.clone(),
                    Problem {
                        file: sources.origin(summary_rel),
                        line: link.line,
                        reason: format!("chapitre du sommaire sans fichier : « {path} »"),
                    },
                ));
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
            problems.push((
                rel.clone(),
                Problem {
                    file: sources.origin(rel),
                    line: 1,
                    reason: format!(
                        "page absente du sommaire « {} » : elle ne serait pas rendue",
                        shown(&summary)
                    ),
                },
            ));
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

fn check_link(site: &Site, rel: &str, dir: &str, dest: &str) -> (Option<String>, Option<String>) {
    if dest.is_empty() || is_external(dest) {
        return (None, None);
    }
    let (path, fragment) = split_fragment(dest);
    let path = path.split('?').next().unwrap_or("");
    let target = if path.is_empty() {
        rel.to_string()
    } else {
        let decoded = percent_decode(path);
        let Some(mut target) = resolve(dir, &decoded) else {
            return (
                Some(format!("lien « {dest} » : la cible sort du livre")),
                None,
            );
        };
        if target.is_empty() || target.ends_with('/') {
            target.push_str("index.md");
        }
        if site.sources.withheld.contains(&target) {
            return (None, Some(target)); // published as text (`<chemin>.txt`)
        }
        if let Some(stem) = target.strip_suffix(".html") {
            if GENERATED_PAGES.contains(&target.as_str()) {
                return (None, None);
            }
            target = format!("{stem}.md");
        }
        if !site.exists(&target) {
            let reason = format!(
                "lien « {dest} » : le fichier « {} » n'existe pas",
                shown(&target)
            );
            return (Some(reason), Some(target));
        }
        target
    };
    let Some(fragment) = fragment else {
        return (None, Some(target));
    };
    let outside;
    let ids = match site.pages.get(target.as_str()) {
        Some(p) => &p.ids,
        None => match site.outside.ids(&target) {
            Some(ids) => {
                outside = ids;
                &*outside
            }
            None => return (None, Some(target)), // images: anchors not checked
        },
    };
    let id = percent_decode(fragment);
    if id.is_empty() || ids.contains(&id) {
        return (None, Some(target));
    }
    let place = if target == rel {
        "cette page".to_string()
    } else {
        format!("« {} »", shown(&target))
    };
    let reason = format!("lien « {dest} » : aucun titre de {place} ne produit l'ancre « #{id} »");
    (Some(reason), Some(target))
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
