//! The French side of the compose edit: [`ComposeError`] and its
//! translation into the crate's [`Error`] (message and hint), the summary of
//! an [`Edit`], and the translation of libyaml's messages.

use crate::error::Error;

use super::{Change, Difference, Edit};

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

/// A layout this module does not edit safely.
pub(super) fn unsupported(what: impl Into<String>) -> ComposeError {
    ComposeError::Unsupported { what: what.into() }
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

/// Translates the usual libyaml messages; unknown ones are kept as is.
pub(super) fn french_yaml_message(raw: &str) -> String {
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
