//! One journal entry: YAML front matter (the on-disk contract) and a Markdown
//! body. Parsing never panics and never touches the file: a malformed entry
//! becomes an [`EntryError`] with `file:line: reason`.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// The kind of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// The record of a `journal run`.
    Execution,
    /// A manual note (`journal note`).
    Note,
}

impl EntryKind {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Execution => "exécution",
            EntryKind::Note => "note",
        }
    }
}

/// The status of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// A run still in progress (or killed without a chance to say so).
    #[serde(rename = "en cours")]
    InProgress,
    /// Every step succeeded (or was already done, or skipped).
    #[serde(rename = "réussi")]
    Succeeded,
    /// A step failed.
    #[serde(rename = "échoué")]
    Failed,
    /// The run was interrupted (Ctrl-C).
    #[serde(rename = "interrompu")]
    Interrupted,
    /// A note: recorded, nothing to succeed or fail.
    #[serde(rename = "consigné")]
    Recorded,
}

impl Status {
    /// French label, as written in the front matter.
    pub fn label(self) -> &'static str {
        match self {
            Status::InProgress => "en cours",
            Status::Succeeded => "réussi",
            Status::Failed => "échoué",
            Status::Interrupted => "interrompu",
            Status::Recorded => "consigné",
        }
    }
}

/// The status of one step of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepStatus {
    /// The step did its work.
    #[serde(rename = "réussi")]
    Succeeded,
    /// The step failed.
    #[serde(rename = "échoué")]
    Failed,
    /// The step was skipped (an earlier step failed, or `--dry-run`).
    #[serde(rename = "ignoré")]
    Skipped,
    /// Nothing to do: the wanted state was already there.
    #[serde(rename = "déjà fait")]
    AlreadyDone,
    /// The step was running when the run stopped.
    #[serde(rename = "interrompu")]
    Interrupted,
}

impl StepStatus {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            StepStatus::Succeeded => "réussi",
            StepStatus::Failed => "échoué",
            StepStatus::Skipped => "ignoré",
            StepStatus::AlreadyDone => "déjà fait",
            StepStatus::Interrupted => "interrompu",
        }
    }

    /// Whether the step counts as a success.
    pub fn is_ok(self) -> bool {
        matches!(self, StepStatus::Succeeded | StepStatus::AlreadyDone)
    }
}

/// The summary of one step, kept in the front matter for recap tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSummary {
    /// Stable step id (e.g. `compose-services`).
    pub id: String,
    /// French title.
    pub titre: String,
    /// Outcome.
    pub statut: StepStatus,
    /// Duration in milliseconds.
    pub duree_ms: u64,
}

/// The YAML front matter of an entry: the on-disk contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// `execution` or `note`.
    #[serde(rename = "type")]
    pub kind: EntryKind,
    /// Title.
    pub titre: String,
    /// The tutorial part (`partie-6`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partie: Option<String>,
    /// When the entry was started, with its UTC offset.
    pub horodatage: DateTime<FixedOffset>,
    /// Status.
    pub statut: Status,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Total duration of a run, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duree_ms: Option<u64>,
    /// Step summaries of a run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub etapes: Vec<StepSummary>,
    /// Who wrote the entry, where, and (for runs) against what.
    #[serde(default, skip_serializing_if = "Origin::is_empty")]
    pub origine: Origin,
    /// Notes: files attached beside the entry (`<id>-<nom>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pieces_jointes: Vec<String>,
    /// Notes: the run this note is about (its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<String>,
    /// Notes: earlier versions, oldest first (`journal note --corrige`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<Revision>,
}

/// An earlier version of a corrected note, kept whole in
/// `journal/revisions/<id>.<numero>.txt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// 1 for the first version.
    pub numero: u32,
    /// When it was replaced.
    pub corrigee_le: DateTime<FixedOffset>,
    /// Who replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub par: Option<String>,
    /// The file keeping it, relative to `journal/`.
    pub fichier: String,
}

/// Who and where: on every new entry, absent from old ones (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The author (`--auteur`, `JOURNAL_AUTEUR`, `git config user.name`, login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auteur: Option<String>,
    /// The host the command ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hote: Option<String>,
    /// Runs: the Docker engine endpoint used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moteur_docker: Option<String>,
    /// Runs in a git repository: the commit and whether the tree was dirty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitState>,
}

/// The project's git state when a run started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitState {
    /// `HEAD`'s full commit id.
    pub commit: String,
    /// Whether the working tree had uncommitted changes.
    pub modifie: bool,
}

impl Origin {
    /// Whether nothing is known (old entries).
    pub fn is_empty(&self) -> bool {
        *self == Origin::default()
    }

    /// One French line for the rendered entry (empty when nothing is known).
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = &self.auteur {
            parts.push(format!("par **{a}**"));
        }
        if let Some(h) = &self.hote {
            parts.push(format!("sur l'hôte `{h}`"));
        }
        if let Some(d) = &self.moteur_docker {
            parts.push(format!("moteur Docker `{d}`"));
        }
        if let Some(g) = &self.git {
            let short: String = g.commit.chars().take(12).collect();
            parts.push(format!(
                "dépôt au commit `{short}`{}",
                if g.modifie {
                    " (avec des modifications non validées)"
                } else {
                    ""
                }
            ));
        }
        parts.join(", ")
    }
}

impl FrontMatter {
    /// An entry of `kind` with nothing else known yet: no part, tag, step,
    /// origin, attachment, run link or revision.
    pub fn new(
        kind: EntryKind,
        titre: impl Into<String>,
        horodatage: DateTime<FixedOffset>,
        statut: Status,
    ) -> Self {
        FrontMatter {
            kind,
            titre: titre.into(),
            partie: None,
            horodatage,
            statut,
            tags: Vec::new(),
            duree_ms: None,
            etapes: Vec::new(),
            origine: Origin::default(),
            pieces_jointes: Vec::new(),
            execution: None,
            revisions: Vec::new(),
        }
    }

    /// Number of steps that succeeded (including « déjà fait »).
    pub fn steps_ok(&self) -> usize {
        self.etapes.iter().filter(|s| s.statut.is_ok()).count()
    }

    /// Number of steps that failed.
    pub fn steps_failed(&self) -> usize {
        self.etapes
            .iter()
            .filter(|s| s.statut == StepStatus::Failed)
            .count()
    }
}

/// An entry read from disk.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file.
    pub path: PathBuf,
    /// Its front matter.
    pub front: FrontMatter,
    /// The Markdown body (after the closing `---`).
    pub body: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
}

impl Entry {
    /// File stem: the entry's stable id.
    pub fn id(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// A malformed entry: `file:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// French reason.
    pub reason: String,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.reason)
    }
}

impl std::error::Error for EntryError {}

/// Serializes an entry: `---`, YAML, `---`, blank line, body.
pub fn render(front: &FrontMatter, body: &str) -> String {
    let yaml = serde_yaml::to_string(front).expect("front matter serializes");
    let mut out = String::with_capacity(yaml.len() + body.len() + 16);
    out.push_str("---\n");
    out.push_str(&yaml);
    out.push_str("---\n\n");
    out.push_str(body);
    if !body.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Splits `text` into its front matter text, the body (leading blank lines
/// removed) and the body's first line (1-based).
pub fn split(text: &str) -> Option<(&str, &str, usize)> {
    let open = if text.starts_with("---\n") {
        4
    } else if text.starts_with("---\r\n") {
        5
    } else {
        return None;
    };
    let rest = &text[open..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let after = &rest[offset + line.len()..];
            let body = after.trim_start_matches(['\n', '\r']);
            let start = text.len() - body.len();
            let body_line = text[..start].matches('\n').count() + 1;
            return Some((yaml, body, body_line));
        }
        offset += line.len();
    }
    None
}

/// Parses an entry's text; `path` is only used for messages.
pub fn parse(path: &Path, text: &str) -> Result<Entry, EntryError> {
    let err = |line: usize, reason: String| EntryError {
        path: path.to_path_buf(),
        line,
        reason,
    };
    if let Some(line) = conflict_marker(text) {
        return Err(err(
            line,
            "conflit de fusion non résolu (marqueur « <<<<<<< » de git) ; aide : gardez la bonne version entre « <<<<<<< », « ======= » et « >>>>>>> », retirez les marqueurs, puis « git add »".into(),
        ));
    }
    let Some((yaml, body, body_line)) = split(text) else {
        return Err(err(
            1,
            "en-tête YAML absent ou non fermé (le fichier doit commencer par « --- » et l'en-tête finir par « --- »)"
                .into(),
        ));
    };
    match serde_yaml::from_str::<FrontMatter>(yaml) {
        Ok(front) => Ok(Entry {
            path: path.to_path_buf(),
            front,
            body: body.to_string(),
            body_line,
        }),
        Err(e) => {
            let line = e.location().map(|l| l.line() + 1).unwrap_or(2);
            Err(err(line, french_yaml_error(&e.to_string())))
        }
    }
}

/// The line (1-based) of the first git merge-conflict marker of `text`: a
/// `<<<<<<< ` line followed by `=======` and `>>>>>>> ` lines.
fn conflict_marker(text: &str) -> Option<usize> {
    let mut start = None;
    let mut middle = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("<<<<<<<") && start.is_none() {
            start = Some(i + 1);
        } else if start.is_some() && line.trim_end() == "=======" {
            middle = true;
        } else if middle && line.starts_with(">>>>>>>") {
            return start;
        }
    }
    None
}

/// Translates the common serde_yaml messages into French.
fn french_yaml_error(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("champ obligatoire manquant : {rest}");
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let field = rest.split(',').next().unwrap_or(rest);
        return format!("champ inconnu : {field}");
    }
    if let Some((_, rest)) = msg.split_once("unknown variant ") {
        let (value, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        if expected.is_empty() {
            return format!("valeur inconnue {value}");
        }
        let expected = expected.replace("one of ", "").replace(" or ", " ou ");
        return format!("valeur inconnue {value} (attendu : {expected})");
    }
    const SYNTAX: [&str; 3] = ["premature end", "mapping values", "did not find expected"];
    if SYNTAX.iter().any(|k| msg.contains(k)) {
        return format!("YAML invalide : {msg}");
    }
    const VALUE: [&str; 3] = ["invalid", "out of range", "trailing input"];
    if VALUE.iter().any(|k| msg.contains(k)) {
        return format!("valeur invalide : {msg}");
    }
    format!("en-tête invalide : {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FrontMatter {
        FrontMatter {
            partie: Some("partie-6".into()),
            tags: vec!["zammad".into()],
            ..FrontMatter::new(
                EntryKind::Note,
                "Redémarrage de Zammad",
                DateTime::parse_from_rfc3339("2026-11-24T10:15:00+01:00").unwrap(),
                Status::Recorded,
            )
        }
    }

    #[test]
    fn render_then_parse_round_trips() {
        let text = render(&sample(), "Texte.\n");
        assert!(text.contains("statut: consigné"), "{text}");
        let e = parse(Path::new("x.md"), &text).unwrap();
        assert_eq!(e.front, sample());
        assert_eq!(e.body, "Texte.\n");
        assert_eq!(text.lines().nth(e.body_line - 1), Some("Texte."));
    }

    #[test]
    fn missing_front_matter_is_line_one() {
        let e = parse(Path::new("j/x.md"), "# Titre\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.to_string().starts_with("j/x.md:1: en-tête YAML"));
    }

    #[test]
    fn bad_status_reports_its_line() {
        let text = "---\ntype: note\ntitre: t\nhorodatage: 2026-11-24T10:15:00+01:00\nstatut: super\n---\nx\n";
        let e = parse(Path::new("x.md"), text).unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        assert!(e.reason.contains("super"), "{e}");
        assert!(
            e.reason.contains("attendu :") && e.reason.contains("réussi"),
            "{e}"
        );
        assert!(!e.reason.contains("one of"), "{e}");
    }

    #[test]
    fn unknown_field_is_rejected_in_french() {
        let text = "---\ntype: note\ntitre: t\nhorodatage: 2026-11-24T10:15:00+01:00\nstatut: consigné\ncouleur: bleu\n---\nx\n";
        let e = parse(Path::new("x.md"), text).unwrap_err();
        assert!(e.reason.contains("champ inconnu"), "{e}");
    }

    #[test]
    fn merge_conflict_markers_are_reported_at_their_line() {
        let text = "---\ntype: note\ntitre: t\nhorodatage: 2026-11-24T10:15:00+01:00\nstatut: consigné\n---\n\nAvant\n<<<<<<< HEAD\nmoi\n=======\ntoi\n>>>>>>> autre\n";
        let e = parse(Path::new("x.md"), text).unwrap_err();
        assert_eq!(e.line, 9, "{e}");
        assert!(e.reason.contains("conflit de fusion non résolu"), "{e}");
        let setext = "---\ntype: note\ntitre: t\nhorodatage: 2026-11-24T10:15:00+01:00\nstatut: consigné\n---\n\nTitre\n=======\n";
        assert!(parse(Path::new("x.md"), setext).is_ok());
    }

    #[test]
    fn garbage_never_panics() {
        for t in [
            "",
            "---",
            "---\n",
            "---\n---\n",
            "---\n: :\n---\n",
            "---\n\u{0}\n---\n",
        ] {
            let _ = parse(Path::new("x.md"), t);
        }
    }
}
