//! The registry of tutorial parts that `journal run` knows: ids, French
//! titles and step lists. It sits above both the engine (which runs any
//! [`PartDef`] it is given) and the steps (which know nothing of parts), so
//! adding a part touches neither: a steps list in `steps/` and a line here.
//!
//! The project's own parts (Markdown runbooks in `parties/`) are read by
//! [`project`]; [`resolve`] finds a part by id among both, and refuses a
//! project part that would take a built-in id.

pub mod project;

use crate::error::{Error, Result};
pub use crate::runbook::PartDef;

/// The embedded runbooks (file name, parsed), in name order; a test checks
/// they all parse.
fn embedded() -> Vec<(&'static str, crate::part_file::Runbook)> {
    crate::templates::embedded_in("parties")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".md"))
        .filter_map(|(name, text)| Some((name, crate::part_file::parse(text).ok()?)))
        .collect()
}

/// Whether a runbook has steps of journal's own Rust code
/// (`journal:integree`): a built-in part run by the engine as a whole.
fn has_own_steps(r: &crate::part_file::Runbook) -> bool {
    r.blocks
        .iter()
        .any(|b| b.kind() == crate::part_file::Kind::Builtin)
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// Every known part with steps of its own, in tutorial order (a part after
/// those it requires): the embedded runbooks with `journal:integree` blocks.
pub fn known() -> &'static [PartDef] {
    static KNOWN: std::sync::OnceLock<Vec<PartDef>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut parts: Vec<(&'static str, crate::part_file::Runbook)> = embedded()
            .into_iter()
            .filter(|(_, r)| has_own_steps(r))
            .collect();
        parts.sort_by(|(_, a), (_, b)| (a.requires.len(), &a.id).cmp(&(b.requires.len(), &b.id)));
        parts
            .into_iter()
            .map(|(name, runbook)| {
                let shown = format!("intégrée/{}", name.rsplit('/').next().unwrap_or(name));
                let requires: Vec<&'static str> =
                    runbook.requires.iter().map(|r| leak(r)).collect();
                PartDef {
                    id: leak(&runbook.id),
                    title: leak(&runbook.title),
                    requires: Box::leak(requires.into_boxed_slice()),
                    steps: Box::new(move |settings| {
                        crate::steps::runbook::builtin_part_steps(&runbook, &shown, settings)
                    }),
                }
            })
            .collect()
    })
}

/// Finds a part by id, or a French error listing the known parts.
pub fn find(id: &str) -> Result<&'static PartDef> {
    let id_norm = id.trim().to_lowercase();
    if let Some(p) = known().iter().find(|p| p.id == id_norm) {
        return Ok(p);
    }
    let list = known()
        .iter()
        .map(|p| format!("{} ({})", p.id, p.title))
        .collect::<Vec<_>>()
        .join(", ");
    let mut hint = format!("parties connues : {list}");
    if let Some(n) = id_norm
        .strip_prefix("partie")
        .map(|s| s.trim_start_matches(['-', ' ', '_']))
    {
        if let Some(p) = known().iter().find(|p| p.id.ends_with(&format!("-{n}"))) {
            hint = format!("vouliez-vous dire « {} » ? {hint}", p.id);
        }
    } else if let Ok(n) = id_norm.parse::<u32>()
        && let Some(p) = known().iter().find(|p| p.id == format!("partie-{n}"))
    {
        hint = format!("vouliez-vous dire « {} » ? {hint}", p.id);
    }
    Err(Error::usage(format!("partie inconnue « {id} »")).with_hint(hint))
}

/// The built-in parts written as runbooks without Rust steps of their own
/// (`templates/parties/*.md`, embedded in the binary): run like a
/// project's. Each is parsed when asked for (a test checks they all parse).
pub fn builtin_runbooks() -> Vec<project::ProjectPart> {
    embedded()
        .into_iter()
        .filter(|(_, r)| !has_own_steps(r))
        .map(|(name, runbook)| {
            let file = name.rsplit('/').next().unwrap_or(name);
            project::ProjectPart {
                path: name.into(),
                shown: format!("intégrée/{file}"),
                runbook,
            }
        })
        .collect()
}

/// The embedded runbook of built-in part `id` (with Rust steps or not),
/// e.g. for its page in the book.
pub fn builtin_runbook(id: &str) -> Option<crate::part_file::Runbook> {
    embedded().into_iter().map(|(_, r)| r).find(|r| r.id == id)
}

/// The ids of the built-in parts (in Rust, then as runbooks).
pub fn builtin_ids() -> Vec<&'static str> {
    static IDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        known()
            .iter()
            .map(|p| p.id)
            .chain(
                builtin_runbooks()
                    .into_iter()
                    .map(|p| &*Box::leak(p.runbook.id.into_boxed_str())),
            )
            .collect()
    })
    .clone()
}

/// A part found by [`resolve`].
pub enum Found {
    /// Built into `journal`.
    Builtin(&'static PartDef),
    /// A runbook of the project's `parties/` folder.
    Project(Box<project::ProjectPart>),
}

/// Finds part `id` among the built-in parts and the project's (`scan`).
/// A project runbook that claims a built-in id, shares its id with another
/// file or does not parse makes this a usage error (exit 2) with its
/// `fichier:ligne`, even when the built-in part is the one asked for.
pub fn resolve(id: &str, scan: &project::Scan) -> Result<Found> {
    let ids = builtin_ids();
    let wanted = id.trim().to_lowercase();
    if let Some(found) = scan.find(&wanted, &ids)? {
        return Ok(Found::Project(Box::new(found.clone())));
    }
    if let Some(p) = builtin_runbooks()
        .into_iter()
        .find(|p| p.runbook.id == wanted)
    {
        return Ok(Found::Project(Box::new(p)));
    }
    match find(&wanted) {
        Ok(p) => Ok(Found::Builtin(p)),
        Err(e) if scan.parts.is_empty() => Err(e),
        Err(e) => {
            let mine: Vec<String> = scan
                .parts
                .iter()
                .map(|p| format!("{} ({})", p.runbook.id, p.shown))
                .collect();
            let hint = format!(
                "{} ; parties du projet : {}",
                e.hint().unwrap_or_default(),
                mine.join(", ")
            );
            Err(Error::usage(e.message().to_string()).with_hint(hint))
        }
    }
}

/// Checks a part name given to `journal note --partie`: a built-in part,
/// one of the project's (`project_ids`) or `partie-<numéro>` (notes may
/// concern parts that are not automated).
pub fn validate_part_name(name: &str, project_ids: &[String]) -> Result<()> {
    let ok = builtin_ids().contains(&name)
        || project_ids.iter().any(|p| p == name)
        || name
            .strip_prefix("partie-")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!("nom de partie invalide « {name} »"))
            .with_hint(if project_ids.is_empty() {
                "écrivez partie-<numéro>, par exemple --partie partie-6".to_string()
            } else {
                format!(
                    "écrivez partie-<numéro>, par exemple --partie partie-6, ou l'id d'une partie du projet : {}",
                    project_ids.join(", ")
                )
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_part_lists_known_ones_and_suggests() {
        let e = find("partie6").err().unwrap();
        assert_eq!(e.code(), 2);
        assert!(e.hint().unwrap().contains("vouliez-vous dire « partie-6 »"));
        let e = find("partie-9").err().unwrap();
        assert!(e.hint().unwrap().contains("partie-6 (Supervision"));
    }

    #[test]
    fn built_in_runbooks_parse_and_are_found() {
        let embedded = crate::templates::embedded_in("parties");
        assert!(!embedded.is_empty());
        for (name, text) in embedded {
            if let Err(p) = crate::part_file::parse(text) {
                panic!("{name} : {p:#?}");
            }
        }
        let scan = project::Scan::default();
        let Ok(Found::Project(p)) = resolve("partie-6-hote", &scan) else {
            panic!("partie-6-hote introuvable");
        };
        assert_eq!(p.shown, "intégrée/partie-6-hote.md");
        assert_eq!(p.runbook.requires, ["partie-6"]);
        assert!(
            p.runbook
                .blocks
                .iter()
                .all(|b| b.kind() != crate::part_file::Kind::Snapshot)
        );
        assert!(builtin_ids().contains(&"partie-6-hote"));
        assert!(validate_part_name("partie-6-hote", &[]).is_ok());
    }

    #[test]
    fn built_in_runbook_parameters_are_settings_with_the_same_default() {
        for part in builtin_runbooks() {
            for p in &part.runbook.params {
                let var = crate::settings::VARS
                    .iter()
                    .find(|v| v.name == p.variable())
                    .unwrap_or_else(|| panic!("{} absente de settings::VARS", p.variable()));
                let shown = format!("{:?}", var.default);
                assert!(
                    shown.contains(&p.default),
                    "{} : {shown} ≠ {}",
                    p.name,
                    p.default
                );
            }
        }
    }

    #[test]
    fn parts_with_rust_steps_are_known_in_tutorial_order() {
        let ids: Vec<&str> = known().iter().map(|p| p.id).collect();
        assert_eq!(ids, ["partie-6", "partie-6-alertes"]);
        assert_eq!(
            known()[0].title,
            "Supervision : Prometheus, Grafana et cAdvisor"
        );
        assert_eq!(known()[1].requires, ["partie-6"]);
        let others: Vec<String> = builtin_runbooks()
            .into_iter()
            .map(|p| p.runbook.id)
            .collect();
        assert_eq!(others, ["partie-6-hote"]);
        assert_eq!(
            builtin_ids(),
            ["partie-6", "partie-6-alertes", "partie-6-hote"]
        );
        assert!(builtin_runbook("partie-6").is_some());
    }

    #[test]
    fn part_names_for_notes() {
        assert!(validate_part_name("partie-5", &[]).is_ok());
        assert!(validate_part_name("cinq", &[]).is_err());
        let mine = ["sauvegardes".to_string()];
        assert!(validate_part_name("sauvegardes", &mine).is_ok());
        let e = validate_part_name("sauvegarde", &mine).unwrap_err();
        assert!(e.hint().unwrap().contains("sauvegardes"), "{:?}", e.hint());
    }
}
