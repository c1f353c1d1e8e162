//! The verification: the text is parsed (with French syntax errors), and
//! the result of an edit is parsed again and compared with the original.

use serde_yaml::{Mapping, Value};

use super::messages::{french_yaml_message, unsupported};
use super::plan::Plan;
use super::{ComposeError, compare};

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

/// Re-parses the result and checks that everything original is still there,
/// unchanged, and that the additions are present.
pub(super) fn verify(root: &Mapping, text: &str, plan: &Plan) -> Result<(), ComposeError> {
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
