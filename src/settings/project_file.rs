//! `journal.toml`, the project's settings file: the same variables as the
//! environment, without `JOURNAL_` and in lower case, checked (known keys,
//! no secret, no root, no clock), read once per process.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use super::{ALERT_WEBHOOK, CLOCK, GRAFANA_PASSWORD, PROJECT, VARS};
use crate::error::{Error, Result};

/// The project's settings file, at its root.
pub const PROJECT_FILE: &str = "journal.toml";

/// What `journal.toml` may not set, and why (French).
const NOT_IN_PROJECT_FILE: [(&str, &str, &str); 4] = [
    (
        PROJECT,
        "inutile : journal.toml est déjà à la racine du projet",
        "retirez cette ligne ; pour un autre projet, --projet <DOSSIER>",
    ),
    (
        GRAFANA_PASSWORD,
        "c'est un secret, et journal.toml est fait pour être versionné",
        "donnez-le par JOURNAL_GRAFANA_PASSWORD, --grafana-password-file, ou laissez journal le \
         générer dans .journal-secrets/",
    ),
    (
        ALERT_WEBHOOK,
        "l'URL d'un webhook est un secret, et journal.toml est fait pour être versionné",
        "donnez-la par la variable JOURNAL_ALERTES_WEBHOOK",
    ),
    (
        CLOCK,
        "une horloge fixe fausserait la date de toutes les entrées du projet",
        "réservée aux tests : JOURNAL_HORLOGE=… le temps d'une commande",
    ),
];

/// The values read from `journal.toml` (empty until [`load_project_file`]).
pub(super) static PROJECT_VALUES: OnceLock<BTreeMap<&'static str, String>> = OnceLock::new();

/// The key of variable `name` in `journal.toml`: `JOURNAL_DELAI_CIBLES` →
/// `delai_cibles`.
pub fn file_key(name: &str) -> String {
    name.trim_start_matches("JOURNAL_").to_lowercase()
}

/// The variables set by the text of a `journal.toml`, checked: valid TOML,
/// known keys only, texts, numbers or booleans only, none of the forbidden
/// ones.
/// `shown` names the file in messages.
pub fn parse_project_file(text: &str, shown: &str) -> Result<BTreeMap<&'static str, String>> {
    parse_project_file_with(text, shown, &[]).map(|(vars, _)| vars)
}

/// The variables of a `journal.toml`, and the parameters of the project's
/// runbooks (`params`: their names) that it sets.
type ProjectValues = (BTreeMap<&'static str, String>, BTreeMap<String, String>);

/// [`parse_project_file`], where the parameters of the project's runbooks
/// (`params`) are keys like the variables.
fn parse_project_file_with(text: &str, shown: &str, params: &[String]) -> Result<ProjectValues> {
    let hint_keys = || {
        let keys: Vec<String> = VARS
            .iter()
            .filter(|v| !NOT_IN_PROJECT_FILE.iter().any(|(n, _, _)| *n == v.name))
            .map(|v| file_key(v.name))
            .collect();
        format!("réglages possibles : {}", keys.join(", "))
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        Error::usage(format!(
            "{shown} n'est pas un fichier TOML valide : {}",
            toml_error_fr(text, &e)
        ))
        .with_hint("une ligne par réglage, par exemple : cible = \"swarm\"")
    })?;
    let mut out = BTreeMap::new();
    let mut set_params = BTreeMap::new();
    for (key, value) in table {
        if !VARS.iter().any(|v| file_key(v.name) == key) && params.contains(&key) {
            let text = match &value {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Integer(_) | toml::Value::Float(_) => Some(value.to_string()),
                _ => None,
            };
            if let Some(text) = text {
                set_params.insert(key, text);
                continue;
            }
        }
        let Some(var) = VARS.iter().find(|v| file_key(v.name) == key) else {
            let closest = VARS
                .iter()
                .map(|v| file_key(v.name))
                .map(|k| (strsim::levenshtein(&k, &key.to_lowercase()), k))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map_or(String::new(), |(_, k)| {
                    format!("vouliez-vous dire « {k} » ? ")
                });
            return Err(Error::usage(format!("{shown} : réglage « {key} » inconnu"))
                .with_hint(format!("{closest}{}", hint_keys())));
        };
        if let Some((_, why, hint)) = NOT_IN_PROJECT_FILE.iter().find(|(n, _, _)| *n == var.name) {
            return Err(
                Error::usage(format!("{shown} ne peut pas contenir « {key} » : {why}"))
                    .with_hint(*hint),
            );
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(Error::usage(format!(
                    "{shown} : « {key} » doit être un texte ou un nombre, pas « {other} »"
                ))
                .with_hint(format!("par exemple : {key} = \"…\"")));
            }
        };
        out.insert(var.name, text);
    }
    Ok((out, set_params))
}

/// A TOML syntax error in French: where (line, column, the line itself)
/// and, for the usual mistakes, what is wrong; the parser's own English
/// text is left out.
fn toml_error_fr(text: &str, e: &toml::de::Error) -> String {
    let offset = e.span().map_or(0, |s| s.start).min(text.len());
    let before = &text[..offset];
    let line_no = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    let raw = e.message();
    let what = if raw.contains("must be quoted") {
        "un texte s'écrit entre guillemets"
    } else if raw.contains("duplicate key") {
        "réglage écrit deux fois"
    } else if raw.contains("expected `=`") {
        "il manque « = » et une valeur"
    } else {
        "syntaxe incorrecte"
    };
    format!("ligne {line_no}, colonne {column} (« {line} ») : {what}")
}

/// Reads `<root>/journal.toml` when there is one; its values then complete
/// the environment for the rest of the process.
pub fn load_project_file(root: &Path) -> Result<()> {
    load_project_file_with(root, &[])
}

/// [`load_project_file`], where the names of the project's runbook
/// parameters (`params`) are accepted as keys too (read by [`param`]).
pub fn load_project_file_with(root: &Path, params: &[String]) -> Result<()> {
    let path = root.join(PROJECT_FILE);
    let (values, set_params) = match std::fs::read_to_string(&path) {
        Ok(text) => parse_project_file_with(&text, &path.display().to_string(), params)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (BTreeMap::new(), BTreeMap::new()),
        Err(e) => return Err(Error::io("lecture de", &path, e)),
    };
    // A second load in the same process (tests) keeps the first.
    let _ = PROJECT_VALUES.set(values);
    let _ = PROJECT_PARAMS.set(set_params);
    Ok(())
}

/// The parameters of runbooks set in `journal.toml`.
static PROJECT_PARAMS: OnceLock<BTreeMap<String, String>> = OnceLock::new();

/// The value of runbook parameter `name` (`image_node_exporter`) and where
/// it comes from: the variable `JOURNAL_<NOM>`, else `<nom>` in
/// `journal.toml`; `None` when neither sets it (the runbook's default then).
pub fn param(name: &str) -> Option<(String, String)> {
    let var = format!("JOURNAL_{}", name.to_uppercase());
    if let Some(v) = super::env_value(&var) {
        return Some((v, var));
    }
    PROJECT_PARAMS
        .get()
        .and_then(|m| m.get(name))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .or_else(|| super::file_value(VARS.iter().find(|v| file_key(v.name) == name)?.name))
        .map(|v| (v, format!("{PROJECT_FILE} (« {name} »)")))
}
