//! Adds services, named volumes and a network to an existing
//! `docker-compose.yml` **without touching anything that is already there**.
//!
//! Part 6 of the tutorial (supervision) asks the user to add `prometheus`,
//! `grafana` and `cadvisor`, the volumes `prometheus_data` and `grafana_data`
//! and, if missing, the network `systeme-ticketing-net` to a compose file that
//! already holds many services. [`apply`] does that edit on a string:
//!
//! - every byte of the original text survives, in order: other services,
//!   comments, key order, quoting, flow style, anchors, CRLF line endings.
//!   Only new lines are inserted. The one exception is an empty placeholder
//!   value of `services`, `volumes` or `networks` (`{}`, `~`, `null`), which
//!   has to go for the section to become a block mapping;
//! - new services are appended at the end of `services:`, with the file's
//!   indentation (2 or 4 spaces), each preceded by a blank line and an
//!   optional comment; comments inside the bodies are kept;
//! - a service that already exists and is semantically equal (after light
//!   normalization: `9090` and `"9090"` are the same) is left alone; one that
//!   differs is an error ([`ComposeError::Differs`]) unless `force`, which
//!   replaces only that service's body;
//! - a second application changes nothing.
//!
//! The result is parsed again with serde_yaml and compared with the original
//! before being returned: if a layout was misread, [`apply`] refuses
//! ([`ComposeError::Unsupported`]) rather than returning a damaged file.
//!
//! What it does **not** do: no file I/O (it works on strings; the caller
//! writes the file atomically and runs `docker compose config`), no Compose
//! schema validation, no check of port or container-name clashes with the
//! other services.

mod compare;
mod reindent;
mod scan;
#[cfg(test)]
mod tests;

use serde_yaml::{Mapping, Value};

use crate::error::Error;
use scan::{Entry, LineKind, Scan, ValueStart};

/// One service to add: its name and the YAML text of its body (a block
/// mapping, unindented, may contain comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceBlock {
    /// The service key, e.g. `prometheus`.
    pub name: String,
    /// A comment written on its own line above the service key, without the
    /// `#`, e.g. `--- Collecteur de métriques : Prometheus ---`.
    pub comment: Option<String>,
    /// The body, e.g. `"image: prom/prometheus:v2.47.1\ncontainer_name: prometheus\n"`.
    pub body: String,
}

/// Everything to add to the compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Additions {
    pub services: Vec<ServiceBlock>,
    /// Named volumes, added with a null value (`prometheus_data:`).
    pub volumes: Vec<String>,
    /// The network, added with `driver: bridge` if missing (empty: none).
    pub network: String,
}

/// One thing [`apply`] did or found already done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    ServiceAdded(String),
    ServiceUnchanged(String),
    ServiceReplaced(String),
    VolumeAdded(String),
    VolumePresent(String),
    NetworkAdded(String),
    NetworkPresent(String),
    /// The input was empty (or only comments): a new file was written.
    FileCreated,
}

/// The result of [`apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The new file text (equal to the input when nothing changed).
    pub text: String,
    pub changes: Vec<Change>,
    /// Whether `text` differs from the input.
    pub changed: bool,
}

/// A service of the same name already exists and differs from the wanted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub service: String,
    /// In French, one per differing key, e.g. `image : « grafana/grafana:9.0 »
    /// dans le fichier, « grafana/grafana-oss:10.1.5 » attendu`.
    pub details: Vec<String>,
}

/// Why the compose file cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// The text is not valid YAML (1-based position; 0 when unknown).
    #[error("erreur de syntaxe YAML{} : {message}", position(*.line, *.column))]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// The root or a section is not a mapping; `what` is in French, e.g.
    /// « la section « services » ».
    #[error("{what} n'est pas un mapping YAML")]
    NotAMapping { what: String },
    /// Services already exist with another definition.
    #[error("{} service(s) existe(nt) déjà avec une autre définition", .0.len())]
    Differs(Vec<Difference>),
    /// A layout this module does not edit safely (e.g. `services` written as
    /// a multi-line flow mapping); `what` is in French.
    #[error("modification non prise en charge : {what}")]
    Unsupported { what: String },
}

/// « ligne 3, colonne 5 » with a leading space, or nothing when unknown.
fn position(line: usize, column: usize) -> String {
    if line > 0 {
        format!(" ligne {line}, colonne {column}")
    } else {
        String::new()
    }
}

impl From<ComposeError> for Error {
    fn from(e: ComposeError) -> Self {
        match e {
            ComposeError::Syntax {
                line,
                column,
                message,
            } => Error::usage(format!(
                "le fichier Compose n'est pas un YAML valide{} : {message}",
                position(line, column)
            ))
            .with_hint(
                "corrigez le fichier à cet endroit (indentation en espaces, « clé: valeur » \
                     avec un espace après les deux-points, guillemets fermés), puis relancez ; \
                     « docker compose config » montre la même erreur",
            ),
            ComposeError::NotAMapping { what } => Error::usage(format!(
                "fichier Compose inattendu : {what} n'est pas un ensemble de paires « clé: valeur »"
            ))
            .with_hint(
                "corrigez cette partie du fichier à la main (voir « docker compose config »), \
                 puis relancez",
            ),
            ComposeError::Differs(diffs) => {
                let names: Vec<&str> = diffs.iter().map(|d| d.service.as_str()).collect();
                let mut message = if diffs.len() == 1 {
                    format!(
                        "le service « {} » existe déjà dans le fichier Compose avec une autre définition",
                        names[0]
                    )
                } else {
                    format!(
                        "les services {} existent déjà dans le fichier Compose avec une autre définition",
                        names
                            .iter()
                            .map(|n| format!("« {n} »"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                for d in &diffs {
                    for detail in &d.details {
                        message.push_str(&format!("\n  - {} : {detail}", d.service));
                    }
                }
                Error::usage(message).with_hint(
                    "relancez avec --force pour remplacer ces services par la définition du \
                     tutoriel (le reste du fichier est conservé), ou renommez le service \
                     existant dans le fichier",
                )
            }
            ComposeError::Unsupported { what } => Error::usage(format!(
                "impossible de modifier le fichier Compose sans risque : {what}"
            ))
            .with_hint(
                "ajoutez ces éléments à la main (voir la partie 6 du tutoriel), ou réécrivez \
                 la section concernée en style bloc (une clé par ligne), puis relancez",
            ),
        }
    }
}

impl Edit {
    /// A one-line French summary, e.g. « services ajoutés : prometheus,
    /// grafana, cadvisor ; volumes ajoutés : prometheus_data, grafana_data ;
    /// réseau déjà présent : systeme-ticketing-net ».
    pub fn summary_fr(&self) -> String {
        type Pick = fn(&Change) -> Option<&str>;
        let groups: [(&str, &str, Pick); 7] = [
            ("service ajouté", "services ajoutés", |c| match c {
                Change::ServiceAdded(n) => Some(n),
                _ => None,
            }),
            ("service remplacé", "services remplacés", |c| match c {
                Change::ServiceReplaced(n) => Some(n),
                _ => None,
            }),
            (
                "service déjà présent",
                "services déjà présents",
                |c| match c {
                    Change::ServiceUnchanged(n) => Some(n),
                    _ => None,
                },
            ),
            ("volume ajouté", "volumes ajoutés", |c| match c {
                Change::VolumeAdded(n) => Some(n),
                _ => None,
            }),
            (
                "volume déjà présent",
                "volumes déjà présents",
                |c| match c {
                    Change::VolumePresent(n) => Some(n),
                    _ => None,
                },
            ),
            ("réseau ajouté", "réseaux ajoutés", |c| match c {
                Change::NetworkAdded(n) => Some(n),
                _ => None,
            }),
            (
                "réseau déjà présent",
                "réseaux déjà présents",
                |c| match c {
                    Change::NetworkPresent(n) => Some(n),
                    _ => None,
                },
            ),
        ];
        let mut parts = Vec::new();
        if self.changes.contains(&Change::FileCreated) {
            parts.push("fichier créé".to_string());
        }
        for (one, many, pick) in groups {
            let names: Vec<&str> = self.changes.iter().filter_map(pick).collect();
            if !names.is_empty() {
                let label = if names.len() == 1 { one } else { many };
                parts.push(format!("{label} : {}", names.join(", ")));
            }
        }
        if parts.is_empty() {
            "aucune modification".to_string()
        } else {
            parts.join(" ; ")
        }
    }
}

/// Parses `src` with serde_yaml; a syntax error carries its 1-based line
/// and column. Empty or comment-only text gives `Value::Null`.
pub fn validate(src: &str) -> Result<Value, ComposeError> {
    // serde_yaml misreads some texts that start with a byte order mark
    // (« more than one document »); the mark is not content anyway.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    match serde_yaml::from_str::<Value>(src) {
        Ok(v) => Ok(v),
        Err(e) => {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            Err(ComposeError::Syntax {
                line,
                column,
                message: french_yaml_message(&e.to_string()),
            })
        }
    }
}

/// Translates the usual libyaml messages; unknown ones are kept as is.
fn french_yaml_message(raw: &str) -> String {
    // "…, did not find expected key at line 3 column 1" -> the last clause,
    // without its position.
    let mut msg = raw;
    if let Some(i) = msg.rfind(" at line ") {
        msg = &msg[..i];
    }
    if let Some(i) = msg.rfind(", ") {
        msg = &msg[i + 2..];
    }
    const TABLE: &[(&str, &str)] = &[
        (
            "mapping values are not allowed",
            "deux-points inattendu (une valeur « clé: valeur » n'est pas permise ici ; \
             indentation ou guillemets à vérifier)",
        ),
        (
            "did not find expected key",
            "clé attendue introuvable (indentation incohérente ?)",
        ),
        (
            "did not find expected '-' indicator",
            "élément de liste « - » attendu (indentation incohérente ?)",
        ),
        ("could not find expected ':'", "« : » attendu après une clé"),
        (
            "found character that cannot start any token",
            "caractère qui ne peut pas commencer une valeur (tabulation ?)",
        ),
        (
            "tab character",
            "tabulation dans l'indentation (utilisez des espaces)",
        ),
        (
            "found unexpected end of stream",
            "fin de fichier inattendue (guillemet ou crochet non fermé ?)",
        ),
        (
            "did not find expected node content",
            "valeur attendue introuvable",
        ),
        (
            "more than one document",
            "le fichier contient plusieurs documents YAML (séparateurs « --- ») ; un seul est accepté",
        ),
        (
            "unknown anchor",
            "alias vers une ancre inconnue (« *nom » sans « &nom »)",
        ),
        ("duplicate entry", "clé en double"),
    ];
    for (needle, fr) in TABLE {
        if msg.contains(needle) {
            if *needle == "duplicate entry" {
                let key = msg.split("key ").nth(1).unwrap_or("").trim();
                return if key.is_empty() {
                    fr.to_string()
                } else {
                    format!("{fr} : {key}")
                };
            }
            return fr.to_string();
        }
    }
    msg.to_string()
}

/// Adds `additions` to the compose text `src`. See the module documentation.
pub fn apply(src: &str, additions: &Additions, force: bool) -> Result<Edit, ComposeError> {
    let original = validate(src)?;
    let root = match &original {
        Value::Null => Mapping::new(),
        Value::Mapping(m) => m.clone(),
        _ => {
            return Err(ComposeError::NotAMapping {
                what: "la racine du fichier".into(),
            });
        }
    };
    for section in ["services", "volumes", "networks"] {
        if let Some(v) = root.get(section)
            && !(v.is_null() || v.is_mapping())
        {
            return Err(ComposeError::NotAMapping {
                what: format!("la section « {section} »"),
            });
        }
    }
    let wanted = wanted_services(additions)?;
    let plan = Plan::new(&root, &wanted, additions, force)?;
    let mut changes = Vec::new();
    if original.is_null() {
        changes.push(Change::FileCreated);
    }
    changes.extend(plan.changes.iter().cloned());
    if plan.is_empty() {
        return Ok(Edit {
            text: src.to_string(),
            changes,
            changed: false,
        });
    }
    let text = Writer::new(src, &root, &plan)?.write()?;
    verify(&root, &text, &plan)?;
    let changed = text != src;
    Ok(Edit {
        text,
        changes,
        changed,
    })
}

/// The wanted services, parsed.
fn wanted_services(additions: &Additions) -> Result<Vec<(&ServiceBlock, Value)>, ComposeError> {
    additions
        .services
        .iter()
        .map(|s| {
            let v: Value = serde_yaml::from_str(&reindent::body_lines(&s.body).join("\n"))
                .map_err(|e| ComposeError::Unsupported {
                    what: format!("le modèle du service « {} » est invalide : {e}", s.name),
                })?;
            if !v.is_mapping() {
                return Err(ComposeError::NotAMapping {
                    what: format!("le modèle du service « {} »", s.name),
                });
            }
            Ok((s, v))
        })
        .collect()
}

/// What has to be written.
struct Plan<'a> {
    add: Vec<(&'a ServiceBlock, &'a Value)>,
    replace: Vec<(&'a ServiceBlock, &'a Value)>,
    volumes: Vec<&'a str>,
    network: Option<&'a str>,
    changes: Vec<Change>,
}

impl<'a> Plan<'a> {
    fn new(
        root: &Mapping,
        wanted: &'a [(&'a ServiceBlock, Value)],
        additions: &'a Additions,
        force: bool,
    ) -> Result<Self, ComposeError> {
        let empty = Mapping::new();
        let section = |k: &str| root.get(k).and_then(Value::as_mapping).unwrap_or(&empty);
        let services = section("services");
        let mut plan = Plan {
            add: Vec::new(),
            replace: Vec::new(),
            volumes: Vec::new(),
            network: None,
            changes: Vec::new(),
        };
        let mut diffs = Vec::new();
        for (block, value) in wanted {
            let name = block.name.clone();
            match services.get(block.name.as_str()) {
                None => {
                    plan.add.push((block, value));
                    plan.changes.push(Change::ServiceAdded(name));
                }
                Some(existing) if compare::same(existing, value) => {
                    plan.changes.push(Change::ServiceUnchanged(name));
                }
                Some(existing) => {
                    diffs.push(Difference {
                        service: name.clone(),
                        details: compare::details(existing, value),
                    });
                    plan.replace.push((block, value));
                    plan.changes.push(Change::ServiceReplaced(name));
                }
            }
        }
        if !diffs.is_empty() && !force {
            return Err(ComposeError::Differs(diffs));
        }
        let volumes = section("volumes");
        for v in &additions.volumes {
            if volumes.contains_key(v.as_str()) || plan.volumes.contains(&v.as_str()) {
                plan.changes.push(Change::VolumePresent(v.clone()));
            } else {
                plan.volumes.push(v);
                plan.changes.push(Change::VolumeAdded(v.clone()));
            }
        }
        if !additions.network.is_empty() {
            let net = additions.network.clone();
            if section("networks").contains_key(net.as_str()) {
                plan.changes.push(Change::NetworkPresent(net));
            } else {
                plan.network = Some(&additions.network);
                plan.changes.push(Change::NetworkAdded(net));
            }
        }
        Ok(plan)
    }

    fn is_empty(&self) -> bool {
        self.add.is_empty()
            && self.replace.is_empty()
            && self.volumes.is_empty()
            && self.network.is_none()
    }
}

/// A replacement of `text[from..to]` by `insert`.
#[derive(Debug)]
struct Splice {
    from: usize,
    to: usize,
    insert: String,
}

fn unsupported(what: impl Into<String>) -> ComposeError {
    ComposeError::Unsupported { what: what.into() }
}

/// Builds the splices for a plan and applies them.
struct Writer<'a> {
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
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(eol);
    }
    text
}

fn detect_eol(src: &str) -> &'static str {
    match src.find('\n') {
        Some(i) if i > 0 && src.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

impl<'a> Writer<'a> {
    fn new(src: &'a str, root: &Mapping, plan: &'a Plan<'a>) -> Result<Writer<'a>, ComposeError> {
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
            (l.indent > 0 && !text.starts_with('-')).then_some(l.indent)
        };
        let services = self.find("services");
        let service_indent = services.and_then(&block_child);
        let indent = service_indent
            .or_else(|| self.top.iter().find_map(&block_child))
            .unwrap_or(2);
        let mut step = indent;
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

    fn write(mut self) -> Result<String, ComposeError> {
        self.services()?;
        self.volumes()?;
        self.network()?;
        let src = self.scan.text;
        let text = with_final_eol(src, self.eol);
        // Appended sections go before a final `...`, else at the very end.
        if !self.tail.is_empty() {
            let last = self
                .scan
                .lines
                .iter()
                .rposition(|l| l.kind != LineKind::Blank);
            let (at, before_blank) = match last {
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
            for (i, section) in std::mem::take(&mut self.tail).into_iter().enumerate() {
                if i > 0 || !before_blank {
                    lines.push(String::new());
                }
                lines.extend(section);
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
        if entry_indent == 0 {
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
            let last = self.scan.last_significant(entry.line, entry.region_end, 0);
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
        if indent == 0 {
            return Err(unsupported(format!(
                "la section « {section} » n'est pas indentée"
            )));
        }
        let pad = " ".repeat(indent);
        let last = self.scan.last_significant(e.line, e.region_end, 0);
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

/// `name` as a mapping key: plain when it reads back as the same string,
/// double-quoted otherwise.
fn yaml_key(name: &str) -> String {
    let plain_ok = !name.is_empty()
        && !name.contains(['#', ':', '\n', '"', '\''])
        && serde_yaml::from_str::<Value>(&format!("{name}: 1"))
            .ok()
            .and_then(|v| v.as_mapping().and_then(|m| m.keys().next().cloned()))
            == Some(Value::String(name.to_string()));
    if plain_ok {
        name.to_string()
    } else {
        serde_json::to_string(name).unwrap_or_else(|_| format!("\"{name}\""))
    }
}

/// Re-parses the result and checks that everything original is still there,
/// unchanged, and that the additions are present.
fn verify(root: &Mapping, text: &str, plan: &Plan) -> Result<(), ComposeError> {
    let broken = |why: String| {
        unsupported(format!(
            "la disposition du fichier n'a pas permis une insertion sûre ({why})"
        ))
    };
    let out = validate(text).map_err(|e| broken(format!("le résultat ne se relit pas : {e}")))?;
    let Some(out) = out.as_mapping() else {
        return Err(broken("le résultat n'est pas un mapping".into()));
    };
    const SECTIONS: [&str; 3] = ["services", "volumes", "networks"];
    for (k, v) in root {
        if SECTIONS.iter().any(|s| k.as_str() == Some(s)) {
            continue;
        }
        if out.get(k) != Some(v) {
            return Err(broken(format!(
                "la clé « {} » a changé",
                compare::render(k)
            )));
        }
    }
    for k in out.keys() {
        if !root.contains_key(k) && !SECTIONS.iter().any(|s| k.as_str() == Some(s)) {
            return Err(broken(format!("clé inattendue « {} »", compare::render(k))));
        }
    }
    let empty = Mapping::new();
    let section = |m: &'_ Mapping, s: &str| -> Option<Mapping> {
        match m.get(s) {
            None | Some(Value::Null) => Some(empty.clone()),
            Some(Value::Mapping(m)) => Some(m.clone()),
            Some(_) => None,
        }
    };
    let check_section = |name: &str, added: Vec<&str>, replaced: Vec<&str>| {
        let before = section(root, name).unwrap_or_default();
        let after = section(out, name)
            .ok_or_else(|| broken(format!("« {name} » n'est plus un mapping")))?;
        for (k, v) in &before {
            let is_replaced = k.as_str().is_some_and(|k| replaced.contains(&k));
            if !is_replaced && after.get(k) != Some(v) {
                return Err(broken(format!(
                    "l'entrée « {} » de « {name} » a changé",
                    compare::render(k)
                )));
            }
        }
        for a in added.iter().chain(&replaced) {
            if !after.contains_key(*a) {
                return Err(broken(format!("« {a} » absent de « {name} »")));
            }
        }
        if after.len() != before.len() + added.len() {
            return Err(broken(format!(
                "nombre d'entrées inattendu dans « {name} »"
            )));
        }
        Ok(after)
    };
    let services = check_section(
        "services",
        plan.add.iter().map(|(b, _)| b.name.as_str()).collect(),
        plan.replace.iter().map(|(b, _)| b.name.as_str()).collect(),
    )?;
    for (block, body) in plan.add.iter().chain(&plan.replace) {
        if !services
            .get(block.name.as_str())
            .is_some_and(|v| compare::same(v, body))
        {
            return Err(broken(format!(
                "le service « {} » ne se relit pas comme attendu",
                block.name
            )));
        }
    }
    check_section("volumes", plan.volumes.clone(), Vec::new())?;
    check_section("networks", plan.network.into_iter().collect(), Vec::new())?;
    Ok(())
}
