//! A block's fields: the `clé=valeur` words of its info string and the keys
//! of its YAML body, merged, checked against its kind, and read typed.

use std::collections::BTreeMap;

use super::Problem;
use super::kinds::Kind;

/// The words of an info string, split on blanks; `"…"` groups a value with
/// spaces (`titre="Mon titre"`). `None` when a quote is not closed.
pub fn words(info: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in info.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return None;
    }
    if any {
        out.push(cur);
    }
    Some(out)
}

/// The fields of one block, with the line each was written on.
#[derive(Debug, Default)]
pub struct Fields {
    values: BTreeMap<String, (serde_yaml::Value, usize)>,
}

impl Fields {
    /// Adds `key` (written at `line`), or the problem of a field written twice
    /// or unknown to `kind`.
    pub fn add(
        &mut self,
        kind: Kind,
        key: &str,
        value: serde_yaml::Value,
        line: usize,
    ) -> Result<(), Problem> {
        if !kind.accepts(key) {
            let (req, opt) = kind.fields();
            let closest = req
                .iter()
                .chain(opt)
                .chain(super::kinds::COMMON)
                .map(|f| (strsim::levenshtein(f, key), *f))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map_or(String::new(), |(_, f)| {
                    format!("vouliez-vous dire « {f} » ? ")
                });
            return Err(Problem::new(
                line,
                format!(
                    "champ « {key} » inconnu pour un bloc journal:{}",
                    kind.name()
                ),
                format!("{closest}champs possibles : {}", kind.field_list()),
            ));
        }
        if let Some((_, first)) = self.values.get(key) {
            return Err(Problem::new(
                line,
                format!("champ « {key} » écrit deux fois (déjà à la ligne {first})"),
                "gardez-en un seul, dans l'en-tête du bloc ou dans son YAML",
            ));
        }
        self.values.insert(key.to_string(), (value, line));
        Ok(())
    }

    /// Problems for the required fields of `kind` that are missing.
    pub fn missing(&self, kind: Kind, line: usize) -> Vec<Problem> {
        kind.fields()
            .0
            .iter()
            .filter(|f| !self.values.contains_key(**f))
            .map(|f| {
                Problem::new(
                    line,
                    format!(
                        "champ obligatoire « {f} » absent du bloc journal:{}",
                        kind.name()
                    ),
                    match kind.body() {
                        super::kinds::Body::Content => {
                            format!(
                                "ajoutez {f}=… après journal:{} dans l'en-tête du bloc",
                                kind.name()
                            )
                        }
                        super::kinds::Body::Fields => {
                            format!("ajoutez une ligne « {f}: … » dans le bloc")
                        }
                    },
                )
            })
            .collect()
    }

    /// A text field (numbers are written back as text).
    pub fn text(&self, key: &str) -> Option<String> {
        self.values.get(key).and_then(|(v, _)| match v {
            serde_yaml::Value::String(s) => Some(s.clone()),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            serde_yaml::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
    }

    /// An integer field; the problem when it is not one.
    pub fn integer(&self, key: &str) -> Result<Option<i64>, Problem> {
        let Some((v, line)) = self.values.get(key) else {
            return Ok(None);
        };
        let n = match v {
            serde_yaml::Value::Number(n) => n.as_i64(),
            serde_yaml::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        match n {
            Some(n) if n >= 0 => Ok(Some(n)),
            _ => Err(Problem::new(
                *line,
                format!("« {key} » doit être un nombre entier positif"),
                format!("par exemple {key}=30"),
            )),
        }
    }

    /// The line a field was written on.
    pub fn line(&self, key: &str) -> Option<usize> {
        self.values.get(key).map(|(_, l)| *l)
    }

    /// A list field: a YAML list of texts, or a text whose words are
    /// separated by commas or blanks (`cibles=compose,swarm`).
    pub fn list(&self, key: &str) -> Option<(Vec<String>, usize)> {
        let (v, line) = self.values.get(key)?;
        let items = match v {
            serde_yaml::Value::Sequence(s) => s
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            serde_yaml::Value::String(s) => s
                .split([',', ' '])
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        Some((items, *line))
    }

    /// A text field that is not text (a list, a mapping): its problem.
    /// (`cibles` may be a list.)
    pub fn not_text(&self) -> Option<Problem> {
        self.values
            .iter()
            .filter(|(k, _)| *k != "cibles")
            .find_map(|(k, (v, line))| {
                matches!(
                v,
                serde_yaml::Value::Sequence(_) | serde_yaml::Value::Mapping(_)
            )
            .then(|| {
                Problem::new(
                    *line,
                    format!(
                        "« {k} » doit être un texte ou un nombre, pas une liste ni un dictionnaire"
                    ),
                    format!("écrivez {k}: \"…\" sur une seule ligne"),
                )
            })
            })
    }
}
