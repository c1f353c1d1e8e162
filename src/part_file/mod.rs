//! Parts written as Markdown runbooks: the format and its parser.
//!
//! A runbook is a Markdown file: a YAML front matter (`id`, `titre`,
//! `requiert`, `cibles`, `parametres`), French prose that explains each step
//! (it is the documentation), and fenced code blocks whose info string holds
//! `journal:<sorte>` — each such block is one step. Any other block is prose.
//!
//! ````markdown
//! ```yaml journal:fichier chemin=compose/config/prometheus/prometheus.yml
//! global:
//!   scrape_interval: 15s
//! ```
//! ````
//!
//! A block's fields come from `clé=valeur` words of its info string (a value
//! with spaces between double quotes) and, for the kinds whose body is a
//! description rather than a content, from the keys of its YAML body.
//!
//! This module only reads text: it opens no file, runs nothing and knows no
//! step. Every error carries its line (`fichier:ligne`) and a French hint;
//! [`parse`] reports all the errors of a file at once. Parameters are
//! substituted (`{{ nom }}`, declared names only) by [`Runbook::substitute`].

mod fields;
mod front;
mod kinds;
mod parse;

#[cfg(test)]
mod tests;

pub use kinds::{BUILTIN_STEPS, Kind, Spec};
pub use parse::{COMPOSE_YML, PROMETHEUS_YML, parse};

use crate::error::Error;

/// A parsed runbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Runbook {
    /// The part's id (`partie-6-hote`).
    pub id: String,
    /// Its French title.
    pub title: String,
    /// Line of `id:` in the file.
    pub id_line: usize,
    /// Parts that must have succeeded before this one.
    pub requires: Vec<String>,
    /// Line of `requiert:` (else of `id:`).
    pub requires_line: usize,
    /// Deployment targets it supports (`compose`, `swarm`).
    pub targets: Vec<String>,
    /// Declared parameters, in file order.
    pub params: Vec<Param>,
    /// Its steps, in file order.
    pub blocks: Vec<Block>,
}

/// A declared parameter: overridable by `JOURNAL_<NOM>` and by `<nom>` in
/// `journal.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name, `[a-z][a-z0-9_]*`.
    pub name: String,
    /// Its default value.
    pub default: String,
    /// What it sets (French), for `journal parties` and the README.
    pub role: String,
    /// Line of its declaration.
    pub line: usize,
}

impl Param {
    /// Its environment variable: `image_node_exporter` →
    /// `JOURNAL_IMAGE_NODE_EXPORTER`.
    pub fn variable(&self) -> String {
        format!("JOURNAL_{}", self.name.to_uppercase())
    }
}

/// One step of a runbook: a fenced block marked `journal:<sorte>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Line of the opening fence.
    pub line: usize,
    /// Step id: `id=…`, else `<sorte>-<n>`.
    pub id: String,
    /// Step title: `titre=…`, else the nearest heading above, else the kind's label.
    pub title: String,
    /// The Markdown prose between the previous step block and this one.
    pub prose: String,
    /// What the step does.
    pub spec: Spec,
    /// The deployment targets it applies to (`cibles=…`); empty: every
    /// target of the runbook.
    pub targets: Vec<String>,
}

impl Block {
    /// The block's kind.
    pub fn kind(&self) -> Kind {
        self.spec.kind()
    }

    /// Whether it is a step of a run on `target` (`compose`, `swarm`).
    pub fn applies_to(&self, target: &str) -> bool {
        self.targets.is_empty() || self.targets.iter().any(|t| t == target)
    }
}

/// One error in a runbook: its line, a French message and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong (French).
    pub message: String,
    /// What to do (French).
    pub hint: String,
}

impl Problem {
    pub(crate) fn new(line: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Problem {
            line,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The errors of one runbook file, as one usage error (exit 2): the first
/// problem as `fichier:ligne: message` with its hint, the others as causes.
pub fn problems_error(file: &str, problems: &[Problem]) -> Error {
    let Some(first) = problems.first() else {
        return Error::usage(format!("{file} : runbook invalide"));
    };
    let mut message = format!("{file}:{}: {}", first.line, first.message);
    for p in &problems[1..] {
        message.push_str(&format!("\n{file}:{}: {}", p.line, p.message));
    }
    Error::usage(message).with_hint(first.hint.clone())
}

/// The Markdown body of a runbook's text (after its front matter) and the
/// 1-based line of its first line, as [`parse`] reads them: block lines
/// ([`Block::line`]) count from there. `None` without a front matter.
pub fn body(text: &str) -> Option<(&str, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse::split_front(text).map(|(_, body, line)| (body, line))
}

impl Runbook {
    /// `text` with every `{{ nom }}` of a declared parameter replaced by its
    /// value (`value(name)`, else its default). Other `{{ … }}` are left as
    /// they are (Prometheus and Grafana templates use the same braces).
    pub fn substitute(&self, text: &str, value: &dyn Fn(&Param) -> Option<String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = after[..end].trim();
            match self.params.iter().find(|p| p.name == name) {
                Some(p) => out.push_str(&value(p).unwrap_or_else(|| p.default.clone())),
                None => out.push_str(&rest[start..start + 2 + end + 2]),
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }
}
