//! The project's own parts: the Markdown runbooks of its `parties/` folder
//! (`*.md`, in name order), read and parsed — never run: only `journal run`
//! turns a runbook into steps. Checks across files live here too: a project
//! part may not take a built-in part's id, two files may not share an id, a
//! requirement must name a known part.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::part_file::{self, Problem, Runbook};
use crate::project::Project;

/// A valid runbook of the project.
#[derive(Debug, Clone)]
pub struct ProjectPart {
    /// Its file.
    pub path: PathBuf,
    /// Its file as messages show it (`parties/x.md`).
    pub shown: String,
    /// What it says.
    pub runbook: Runbook,
}

/// A runbook of the project that does not parse.
#[derive(Debug, Clone)]
pub struct InvalidPart {
    /// Its file as messages show it.
    pub shown: String,
    /// The id its front matter seems to give, if any.
    pub id: Option<String>,
    /// Its problems, in line order.
    pub problems: Vec<Problem>,
}

/// Every runbook of the project's `parties/` folder.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Those that parse.
    pub parts: Vec<ProjectPart>,
    /// Those that do not.
    pub invalid: Vec<InvalidPart>,
}

/// Reads and parses `parties/*.md` (nothing when the folder is absent).
pub fn scan(project: &Project) -> Result<Scan> {
    let dir = project.parts_dir();
    let mut scan = Scan::default();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(scan),
        Err(e) => return Err(Error::io("lecture du dossier", &dir, e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io("lecture de la partie", &path, e))?;
        let shown = project.display(&path);
        match part_file::parse(&text) {
            Ok(runbook) => scan.parts.push(ProjectPart {
                path,
                shown,
                runbook,
            }),
            Err(problems) => scan.invalid.push(InvalidPart {
                shown,
                id: front_id(&text),
                problems,
            }),
        }
    }
    Ok(scan)
}

/// The names of the parameters the project's valid runbooks declare (none
/// when `parties/` cannot be read: `journal check` says why).
pub fn param_names(project: &Project) -> Vec<String> {
    scan(project)
        .map(|s| {
            s.parts
                .iter()
                .flat_map(|p| p.runbook.params.iter().map(|x| x.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The `id:` line of a front matter that does not parse as a whole.
fn front_id(text: &str) -> Option<String> {
    text.lines()
        .skip(1)
        .take_while(|l| l.trim_end() != "---")
        .find_map(|l| l.strip_prefix("id:"))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        .filter(|v| !v.is_empty())
}

impl Scan {
    /// Every problem of the folder as `(file, problem)`: each invalid file's,
    /// then the checks across files (built-in id taken, same id twice,
    /// unknown requirement) and the blocks kept for built-in parts
    /// (`journal:integree`).
    pub fn problems(&self, builtin: &[&str]) -> Vec<(String, Problem)> {
        let mut out: Vec<(String, Problem)> = self
            .invalid
            .iter()
            .flat_map(|i| i.problems.iter().map(|p| (i.shown.clone(), p.clone())))
            .collect();
        for (i, part) in self.parts.iter().enumerate() {
            let r = &part.runbook;
            if builtin.contains(&r.id.as_str()) {
                out.push((
                    part.shown.clone(),
                    Problem::new(
                        r.id_line,
                        format!(
                            "l'id « {} » est celui d'une partie intégrée à journal",
                            r.id
                        ),
                        "une partie du projet ne peut pas remplacer une partie intégrée : \
                         donnez-lui un autre id (par exemple en ajoutant un suffixe)",
                    ),
                ));
            }
            if let Some(first) = self.parts[..i].iter().find(|p| p.runbook.id == r.id) {
                out.push((
                    part.shown.clone(),
                    Problem::new(
                        r.id_line,
                        format!("l'id « {} » est déjà celui de {}", r.id, first.shown),
                        "deux parties ne peuvent pas avoir le même id : renommez l'une des deux",
                    ),
                ));
            }
            for b in r
                .blocks
                .iter()
                .filter(|b| b.kind() == part_file::Kind::Builtin)
            {
                out.push((
                    part.shown.clone(),
                    Problem::new(
                        b.line,
                        "journal:integree est réservé aux parties intégrées à journal \
                         (leurs étapes comptent sur leurs propres vérifications préalables)",
                        "dans une partie du projet, écrivez l'étape avec les sortes du kit \
                         (services, collecte, commande, cibles, promql…) ; « journal run <id> \
                         --dry-run » montre le plan",
                    ),
                ));
            }
            for req in &r.requires {
                let known = builtin.contains(&req.as_str())
                    || self.parts.iter().any(|p| &p.runbook.id == req)
                    || self.invalid.iter().any(|p| p.id.as_deref() == Some(req));
                if !known {
                    out.push((
                        part.shown.clone(),
                        Problem::new(
                            r.requires_line,
                            format!("« requiert » nomme une partie inconnue « {req} »"),
                            "« journal parties » liste les parties connues",
                        ),
                    ));
                }
            }
        }
        out
    }

    /// The valid part with id `id`, or, when the file that claims it does not
    /// parse or collides with another, the usage error (exit 2) that says why.
    pub fn find(&self, id: &str, builtin: &[&str]) -> Result<Option<&ProjectPart>> {
        if let Some(bad) = self.invalid.iter().find(|i| i.id.as_deref() == Some(id)) {
            return Err(part_file::problems_error(&bad.shown, &bad.problems));
        }
        let claimed: Vec<&ProjectPart> = self.parts.iter().filter(|p| p.runbook.id == id).collect();
        let problems: Vec<(String, Problem)> = self
            .problems(builtin)
            .into_iter()
            .filter(|(file, _)| claimed.iter().any(|c| &c.shown == file))
            .collect();
        if let Some((file, _)) = problems.first() {
            let list: Vec<Problem> = problems
                .iter()
                .filter(|(f, _)| f == file)
                .map(|(_, p)| p.clone())
                .collect();
            return Err(part_file::problems_error(file, &list));
        }
        Ok(claimed.first().copied())
    }
}
