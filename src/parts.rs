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

/// Every known part, in tutorial order.
pub fn known() -> &'static [PartDef] {
    &[
        PartDef {
            id: "partie-6",
            title: "Supervision : Prometheus, Grafana et cAdvisor",
            requires: &[],
            steps: crate::steps::partie6_for,
        },
        PartDef {
            id: "partie-6-alertes",
            title: "Complément : alertes",
            requires: &["partie-6"],
            steps: crate::steps::partie6_alertes,
        },
    ]
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

/// The ids of the built-in parts.
pub fn builtin_ids() -> Vec<&'static str> {
    known().iter().map(|p| p.id).collect()
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

/// Checks a part name given to `journal note --partie`: a known part or
/// `partie-<numéro>` (notes may concern parts that are not automated).
pub fn validate_part_name(name: &str) -> Result<()> {
    let ok = known().iter().any(|p| p.id == name)
        || name
            .strip_prefix("partie-")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!("nom de partie invalide « {name} »"))
            .with_hint("écrivez partie-<numéro>, par exemple --partie partie-6"))
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
    fn part_names_for_notes() {
        assert!(validate_part_name("partie-5").is_ok());
        assert!(validate_part_name("cinq").is_err());
    }
}
