//! The text writer: turns a [`Plan`] into splices (insertions, and the
//! replacement of a forced service's body) on the original text, with the
//! file's own indentation and line endings.

use serde_yaml::Mapping;

use super::messages::unsupported;
use super::plan::Plan;
use super::scan::{BREAKS, Entry, LineKind, Scan, ValueStart, next_break, yaml_key};
use super::{ComposeError, ServiceBlock, reindent};

/// A replacement of `text[from..to]` by `insert`.
#[derive(Debug)]
struct Splice {
    from: usize,
    to: usize,
    insert: String,
}

/// Builds the splices for a plan and applies them.
pub(super) struct Writer<'a> {
    scan: Scan<'a>,
    top: Vec<Entry>,
    plan: &'a Plan<'a>,
    eol: &'static str,
    /// Indentation of the entries of top-level sections.
    indent: usize,
    /// Nesting step inside a service.
    step: usize,
    splices: Vec<Splice>,
    /// Lines of new top-level sections, appended at the end.
    tail: Vec<Vec<String>>,
}

/// `src` with a final line ending added when it lacks one (an insertion, so
/// the contract holds), to make every line end the same way.
fn with_final_eol(src: &str, eol: &str) -> String {
    let mut text = src.to_string();
    if !text.is_empty() && !BREAKS.iter().any(|b| text.ends_with(b)) {
        text.push_str(eol);
    }
    text
}

/// The file's line break: its first one (`\n`, `\r\n`, a lone `\r`, or
/// the Unicode breaks libyaml knows), `\n` when it has none.
fn detect_eol(src: &str) -> &'static str {
    next_break(src, 0)
        .and_then(|(at, len)| BREAKS.iter().find(|b| **b == &src[at..at + len]))
        .copied()
        .unwrap_or("\n")
}

impl<'a> Writer<'a> {
    pub(super) fn new(
        src: &'a str,
        root: &Mapping,
        plan: &'a Plan<'a>,
    ) -> Result<Writer<'a>, ComposeError> {
        // The scan runs on `src`; a missing final line ending is added when
        // writing (see `write`).
        let scan = Scan::new(src);
        let top = scan.top_level();
        if !root.is_empty() && top.is_empty() {
            return Err(unsupported(
                "le document n'est pas écrit en style bloc (une clé par ligne)",
            ));
        }
        for section in ["services", "volumes", "networks"] {
            if root.contains_key(section) && !top.iter().any(|e| e.key == section) {
                return Err(unsupported(format!(
                    "la section « {section} » n'a pas été retrouvée dans le texte"
                )));
            }
        }
        let mut w = Writer {
            eol: detect_eol(src),
            top,
            scan,
            plan,
            indent: 2,
            step: 2,
            splices: Vec::new(),
            tail: Vec::new(),
        };
        w.detect_indentation();
        Ok(w)
    }

    fn find(&self, key: &str) -> Option<&Entry> {
        self.top.iter().find(|e| e.key == key)
    }

    /// The entry indentation of top-level sections and the nesting step of
    /// services, from the file itself (services first), default 2.
    fn detect_indentation(&mut self) {
        let lines = &self.scan.lines;
        let block_child = |e: &Entry| -> Option<usize> {
            let i = self.scan.first_content(e.line, e.region_end)?;
            let l = lines[i];
            let text = &self.scan.text[l.start + l.indent..l.end];
            (l.indent > self.scan.root && !text.starts_with('-')).then_some(l.indent)
        };
        let services = self.find("services");
        let service_indent = services.and_then(&block_child);
        let indent = service_indent
            .or_else(|| self.top.iter().find_map(&block_child))
            .unwrap_or(self.scan.root + 2);
        let mut step = indent - self.scan.root;
        if let (Some(e), Some(si)) = (services, service_indent) {
            let first = self.scan.entries(e.line + 1, e.region_end, si);
            if let Some(child) = first.first().and_then(block_child)
                && child > si
            {
                step = child - si;
            }
        }
        self.indent = indent;
        self.step = step.clamp(1, 8);
    }

    pub(super) fn write(mut self) -> Result<String, ComposeError> {
        self.services()?;
        self.volumes()?;
        self.network()?;
        let src = self.scan.text;
        let text = with_final_eol(src, self.eol);
        // Appended sections go before a final `...` (which only blank lines
        // and comments may follow), else at the very end.
        if !self.tail.is_empty() {
            let lines = &self.scan.lines;
            let last = lines.iter().rposition(|l| l.kind != LineKind::Blank);
            let end_marker = lines
                .iter()
                .rposition(|l| !matches!(l.kind, LineKind::Blank | LineKind::Comment))
                .filter(|&i| {
                    lines[i].kind == LineKind::Marker && self.scan.line_text(i).starts_with("...")
                });
            let (at, before_blank) = match end_marker.or(last) {
                Some(i)
                    if self.scan.lines[i].kind == LineKind::Marker
                        && self.scan.line_text(i).starts_with("...") =>
                {
                    let at = self.scan.lines[i].start;
                    let blank = i == 0 || self.scan.lines[i - 1].kind == LineKind::Blank;
                    (at, blank)
                }
                Some(_) => {
                    let blank = self.scan.lines.last().map(|l| l.kind) == Some(LineKind::Blank);
                    (text.len(), blank)
                }
                None => (text.len(), true),
            };
            let mut lines = Vec::new();
            let root = " ".repeat(self.scan.root);
            for (i, section) in std::mem::take(&mut self.tail).into_iter().enumerate() {
                if i > 0 || !before_blank {
                    lines.push(String::new());
                }
                // Section headers are written unindented; entries already
                // carry their absolute indentation.
                lines.extend(section.into_iter().map(|l| {
                    if l.starts_with(' ') || l.is_empty() {
                        l
                    } else {
                        format!("{root}{l}")
                    }
                }));
            }
            self.insert_lines_at(at, &lines);
        }
        let mut splices = std::mem::take(&mut self.splices);
        splices.sort_by_key(|s| s.from);
        let mut out = String::with_capacity(text.len() + 2048);
        let mut cursor = 0;
        for s in splices {
            if s.from < cursor || s.to < s.from || s.to > text.len() {
                return Err(unsupported("modifications qui se chevauchent"));
            }
            out.push_str(&text[cursor..s.from]);
            out.push_str(&s.insert);
            cursor = s.to;
        }
        out.push_str(&text[cursor..]);
        Ok(out)
    }

    /// Inserts whole lines at `at`, the start of a line (or the end of the
    /// text, which always ends with a line ending when non-empty).
    fn insert_lines_at(&mut self, at: usize, lines: &[String]) {
        let mut insert = String::new();
        for l in lines {
            insert.push_str(l);
            insert.push_str(self.eol);
        }
        self.splices.push(Splice {
            from: at,
            to: at,
            insert,
        });
    }

    /// Inserts whole lines after line `i`.
    fn insert_lines_after(&mut self, i: usize, lines: &[String]) {
        let l = self.scan.lines[i];
        if l.next == l.end {
            // Last line without a line ending: `write` adds one to the text
            // at `l.end`, so the insertion point is just after it.
            let at = l.end + self.eol.len();
            self.insert_lines_at(at, lines);
        } else {
            self.insert_lines_at(l.next, lines);
        }
    }

    /// Appends `items` inside a one-line flow mapping whose `}` is at `close`.
    fn append_to_flow(&mut self, close: usize, items: &[String]) {
        let before = self.scan.text[..close].trim_end();
        let first_sep = if before.ends_with(',') || before.ends_with('{') {
            " "
        } else {
            ", "
        };
        let mut insert = String::new();
        for (i, item) in items.iter().enumerate() {
            insert.push_str(if i == 0 { first_sep } else { ", " });
            insert.push_str(item);
        }
        self.splices.push(Splice {
            from: close,
            to: close,
            insert,
        });
    }

    fn service_lines(&self, block: &ServiceBlock, indent: usize) -> Vec<String> {
        let pad = " ".repeat(indent);
        let mut lines = Vec::new();
        if let Some(c) = &block.comment {
            let c = c.trim();
            if c.starts_with('#') {
                lines.push(format!("{pad}{c}"));
            } else {
                lines.push(format!("{pad}# {c}"));
            }
        }
        lines.push(format!("{pad}{}:", yaml_key(&block.name)));
        lines.extend(reindent::render(&block.body, indent + self.step, self.step));
        lines
    }

    fn services(&mut self) -> Result<(), ComposeError> {
        let plan = self.plan;
        if plan.add.is_empty() && plan.replace.is_empty() {
            return Ok(());
        }
        let Some(entry) = self.find("services").cloned() else {
            // No `services` key at all: a new section at the end.
            let mut lines = vec!["services:".to_string()];
            for (i, (block, _)) in plan.add.iter().enumerate() {
                if i > 0 {
                    lines.push(String::new());
                }
                lines.extend(self.service_lines(block, self.indent));
            }
            self.tail.push(lines);
            return Ok(());
        };
        match entry.value {
            ValueStart::Block | ValueStart::Placeholder { .. } => {}
            ValueStart::Flow { close } => {
                if !plan.replace.is_empty() {
                    return Err(unsupported(
                        "la section « services » est écrite en style flux ({ … }) et un service \
                         doit y être remplacé",
                    ));
                }
                let mut items = Vec::with_capacity(plan.add.len());
                for (block, body) in &plan.add {
                    let json = serde_json::to_string(body).map_err(|e| {
                        unsupported(format!("service « {} » non convertible : {e}", block.name))
                    })?;
                    items.push(format!("{}: {json}", yaml_key(&block.name)));
                }
                self.append_to_flow(close, &items);
                return Ok(());
            }
            ValueStart::Other => {
                return Err(unsupported(
                    "la valeur de « services » n'est pas écrite en style bloc (alias ou style \
                     flux sur plusieurs lignes)",
                ));
            }
        }
        if let ValueStart::Placeholder { from, to } = entry.value {
            self.splices.push(Splice {
                from,
                to,
                insert: String::new(),
            });
        }
        let first = self.scan.first_content(entry.line, entry.region_end);
        let entry_indent = first.map_or(self.indent, |i| self.scan.lines[i].indent);
        if entry_indent <= self.scan.root {
            return Err(unsupported("la section « services » n'est pas indentée"));
        }
        // Replacements.
        if !plan.replace.is_empty() {
            let entries = self
                .scan
                .entries(entry.line + 1, entry.region_end, entry_indent);
            for (block, _) in &plan.replace {
                let Some(e) = entries.iter().find(|e| e.key == block.name) else {
                    return Err(unsupported(format!(
                        "le service « {} » n'a pas été retrouvé dans le texte",
                        block.name
                    )));
                };
                self.replace_service(e, entry_indent, block);
            }
        }
        // Additions, after the last line of the section.
        if !plan.add.is_empty() {
            let last = self
                .scan
                .last_significant(entry.line, entry.region_end, self.scan.root);
            let mut lines = Vec::new();
            for (i, (block, _)) in plan.add.iter().enumerate() {
                if i > 0 || last.is_some() {
                    lines.push(String::new());
                }
                lines.extend(self.service_lines(block, entry_indent));
            }
            self.insert_lines_after(last.unwrap_or(entry.line), &lines);
        }
        Ok(())
    }

    fn replace_service(&mut self, e: &Entry, indent: usize, block: &ServiceBlock) {
        let key_line = self.scan.lines[e.line];
        let body_last = self.scan.last_significant(e.line, e.region_end, indent);
        let del_to = body_last.map_or(key_line.end, |i| self.scan.lines[i].end);
        let from = match e.value {
            ValueStart::Block => key_line.end,
            ValueStart::Placeholder { from, to } => {
                self.splices.push(Splice {
                    from,
                    to,
                    insert: String::new(),
                });
                key_line.end
            }
            ValueStart::Flow { .. } | ValueStart::Other => e.colon_end,
        };
        let mut insert = String::new();
        for l in reindent::render(&block.body, indent + self.step, self.step) {
            insert.push_str(self.eol);
            insert.push_str(&l);
        }
        self.splices.push(Splice {
            from,
            to: del_to,
            insert,
        });
    }

    /// Adds the entry lines of a named section (`volumes`, `networks`):
    /// in the existing block, in an existing flow mapping, or as a new
    /// section at the end. `entry(pad, step)` gives the lines of one entry,
    /// `flow` its flow form.
    fn section_entries(
        &mut self,
        section: &str,
        comment: &str,
        names: &[&str],
        entry: impl Fn(&str, &str, &str) -> Vec<String>,
        flow: impl Fn(&str) -> String,
    ) -> Result<(), ComposeError> {
        if names.is_empty() {
            return Ok(());
        }
        let step = " ".repeat(self.step);
        let Some(e) = self.find(section).cloned() else {
            let pad = " ".repeat(self.indent);
            let mut lines = vec![format!("# {comment}"), format!("{section}:")];
            for n in names {
                lines.extend(entry(n, &pad, &step));
            }
            self.tail.push(lines);
            return Ok(());
        };
        match e.value {
            ValueStart::Block | ValueStart::Placeholder { .. } => {}
            ValueStart::Flow { close } => {
                let items: Vec<String> = names.iter().map(|n| flow(n)).collect();
                self.append_to_flow(close, &items);
                return Ok(());
            }
            ValueStart::Other => {
                return Err(unsupported(format!(
                    "la valeur de « {section} » n'est pas écrite en style bloc (alias ou style \
                     flux sur plusieurs lignes)"
                )));
            }
        }
        if let ValueStart::Placeholder { from, to } = e.value {
            self.splices.push(Splice {
                from,
                to,
                insert: String::new(),
            });
        }
        let first = self.scan.first_content(e.line, e.region_end);
        let indent = first.map_or(self.indent, |i| self.scan.lines[i].indent);
        if indent <= self.scan.root {
            return Err(unsupported(format!(
                "la section « {section} » n'est pas indentée"
            )));
        }
        let pad = " ".repeat(indent);
        let last = self
            .scan
            .last_significant(e.line, e.region_end, self.scan.root);
        let mut lines = Vec::new();
        for n in names {
            lines.extend(entry(n, &pad, &step));
        }
        self.insert_lines_after(last.unwrap_or(e.line), &lines);
        Ok(())
    }

    fn volumes(&mut self) -> Result<(), ComposeError> {
        let names = self.plan.volumes.clone();
        self.section_entries(
            "volumes",
            "--- Définition des volumes nommés ---",
            &names,
            |n, pad, _| vec![format!("{pad}{}:", yaml_key(n))],
            |n| format!("{}: {{}}", yaml_key(n)),
        )
    }

    fn network(&mut self) -> Result<(), ComposeError> {
        let names: Vec<&str> = self.plan.network.into_iter().collect();
        self.section_entries(
            "networks",
            "--- Définition des réseaux ---",
            &names,
            |n, pad, step| {
                vec![
                    format!("{pad}{}:", yaml_key(n)),
                    format!("{pad}{step}driver: bridge"),
                ]
            },
            |n| format!("{}: {{driver: bridge}}", yaml_key(n)),
        )
    }
}
