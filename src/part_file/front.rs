//! The runbook's front matter (`id`, `titre`, `requiert`, `cibles`,
//! `parametres`), read from its YAML with every problem at its line, and the
//! checks of ids and target names that the blocks share. It reads no block.

use serde_yaml::{Mapping, Value};

use super::{Param, Problem};

/// Front matter keys.
const FRONT_KEYS: [&str; 5] = ["id", "titre", "requiert", "cibles", "parametres"];
/// Deployment targets a runbook may name.
pub(super) const TARGETS: [&str; 2] = ["compose", "swarm"];

/// What the front matter declares.
pub(super) struct Front {
    pub(super) id: String,
    pub(super) id_line: usize,
    pub(super) title: String,
    pub(super) requires: Vec<String>,
    pub(super) targets: Vec<String>,
    pub(super) params: Vec<Param>,
}

/// Line (in the file) of top-level key `key` of the front matter, else 1.
pub(super) fn key_line(yaml: &str, key: &str) -> usize {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 2)
}

pub(super) fn front_matter(yaml: &str, problems: &mut Vec<Problem>) -> Front {
    let mut front = Front {
        id: String::new(),
        id_line: 1,
        title: String::new(),
        requires: Vec::new(),
        targets: vec!["compose".into()],
        params: Vec::new(),
    };
    let map = match crate::compose_file::validate(yaml) {
        Ok(Value::Mapping(m)) => m,
        Ok(_) => {
            problems.push(Problem::new(
                2,
                "l'en-tête n'est pas un dictionnaire YAML",
                "écrivez une clé par ligne : id: …, titre: …",
            ));
            return front;
        }
        Err(crate::compose_file::ComposeError::Syntax { line, message, .. }) => {
            problems.push(Problem::new(
                line.max(1) + 1,
                format!("l'en-tête YAML ne se lit pas : {message}"),
                "vérifiez l'indentation (des espaces, pas de tabulation) et les « : »",
            ));
            return front;
        }
        Err(e) => {
            problems.push(Problem::new(2, e.to_string(), "vérifiez l'en-tête YAML"));
            return front;
        }
    };
    for key in map.keys() {
        let key = key.as_str().unwrap_or("?");
        if !FRONT_KEYS.contains(&key) {
            problems.push(Problem::new(
                key_line(yaml, key),
                format!("clé d'en-tête « {key} » inconnue"),
                format!(
                    "{}clés possibles : {}",
                    suggestion(key, &FRONT_KEYS),
                    FRONT_KEYS.join(", ")
                ),
            ));
        }
    }
    let text_of = |key: &str, problems: &mut Vec<Problem>| -> Option<String> {
        match map.get(key) {
            None => {
                problems.push(Problem::new(
                    1,
                    format!("clé d'en-tête obligatoire « {key} » absente"),
                    format!("ajoutez « {key}: … » entre les deux lignes ---"),
                ));
                None
            }
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(_) => {
                problems.push(Problem::new(
                    key_line(yaml, key),
                    format!("« {key} » doit être un texte non vide"),
                    format!("par exemple {key}: \"…\""),
                ));
                None
            }
        }
    };
    if let Some(id) = text_of("id", problems) {
        front.id_line = key_line(yaml, "id");
        if !valid_id(&id) {
            problems.push(Problem::new(
                front.id_line,
                format!("id de partie invalide « {id} »"),
                "minuscules, chiffres et tirets seulement, par exemple partie-6-hote",
            ));
        }
        front.id = id;
    }
    if let Some(t) = text_of("titre", problems) {
        front.title = t;
    }
    front.requires = list(&map, "requiert", yaml, problems);
    if map.contains_key("cibles") {
        front.targets = list(&map, "cibles", yaml, problems);
        for t in &front.targets {
            if !TARGETS.contains(&t.as_str()) {
                problems.push(Problem::new(
                    key_line(yaml, "cibles"),
                    format!("cible inconnue « {t} »"),
                    "cibles possibles : compose, swarm",
                ));
            }
        }
    }
    front.params = params(&map, yaml, problems);
    front
}

pub(super) fn valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// « vouliez-vous dire « x » ? » when a candidate is close to `word`.
pub(super) fn suggestion(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(c, word), *c))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map_or(String::new(), |(_, c)| {
            format!("vouliez-vous dire « {c} » ? ")
        })
}

/// A list of texts (a single text counts as a list of one).
fn list(map: &Mapping, key: &str, yaml: &str, problems: &mut Vec<Problem>) -> Vec<String> {
    match map.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.trim().to_string()],
        Some(Value::Sequence(items)) if items.iter().all(|i| i.is_string()) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| s.trim().to_string()))
            .collect(),
        Some(_) => {
            problems.push(Problem::new(
                key_line(yaml, key),
                format!("« {key} » doit être une liste de textes"),
                format!("par exemple {key}: [partie-6]"),
            ));
            Vec::new()
        }
    }
}

/// `parametres:` — `nom: défaut` or `nom: {defaut: …, role: …}`.
fn params(map: &Mapping, yaml: &str, problems: &mut Vec<Problem>) -> Vec<Param> {
    let Some(v) = map.get("parametres") else {
        return Vec::new();
    };
    let Some(m) = v.as_mapping() else {
        problems.push(Problem::new(
            key_line(yaml, "parametres"),
            "« parametres » doit être un dictionnaire nom: valeur par défaut",
            "par exemple parametres: { image_node_exporter: prom/node-exporter:v1.7.0 }",
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in m {
        let name = k.as_str().unwrap_or("").to_string();
        let line = yaml
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{name}:")))
            .map_or(key_line(yaml, "parametres"), |i| i + 2);
        if !name.starts_with(|c: char| c.is_ascii_lowercase())
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            problems.push(Problem::new(
                line,
                format!("nom de paramètre invalide « {name} »"),
                "minuscules, chiffres et « _ », par exemple image_node_exporter (variable JOURNAL_IMAGE_NODE_EXPORTER)",
            ));
            continue;
        }
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let (default, role) = match v {
            Value::Mapping(d) => (
                d.get("defaut").and_then(scalar),
                d.get("role").and_then(scalar).unwrap_or_default(),
            ),
            other => (scalar(other), String::new()),
        };
        let Some(default) = default else {
            problems.push(Problem::new(
                line,
                format!("paramètre « {name} » sans valeur par défaut"),
                format!("écrivez {name}: <défaut> ou {name}: {{ defaut: …, role: … }}"),
            ));
            continue;
        };
        out.push(Param {
            name,
            default,
            role,
            line,
        });
    }
    out
}
