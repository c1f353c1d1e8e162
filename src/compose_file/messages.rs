//! The French side of the compose edit: [`ComposeError`] and its
//! translation into the crate's [`Error`] (message and hint), the summary of
//! an [`Edit`], and the translation of libyaml's messages.

use crate::error::Error;

use super::ports::PortClash;
use super::{Change, Difference, Edit, NameClash};

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
    /// Other services of the file already use container names the wanted
    /// services need.
    #[error("nom de conteneur déjà pris par un autre service")]
    ContainerNameTaken(Vec<NameClash>),
    /// Other services of the file already publish host ports the wanted
    /// services need.
    #[error("port de l'hôte déjà publié par un autre service")]
    PortTaken(Vec<PortClash>),
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
            ComposeError::ContainerNameTaken(clashes) => {
                let line = |c: &NameClash| {
                    format!(
                        "le nom de conteneur « {} » est déjà pris par le service « {} » du \
                         fichier Compose ; le service « {} » du tutoriel en a besoin",
                        c.container, c.service, c.wanted
                    )
                };
                let message = match clashes.as_slice() {
                    [one] => line(one),
                    many => {
                        let mut m = String::from("des noms de conteneur sont déjà pris :");
                        for c in many {
                            m.push_str(&format!("\n  - {}", line(c)));
                        }
                        m
                    }
                };
                let services: Vec<String> = clashes
                    .iter()
                    .map(|c| format!("« {} »", c.service))
                    .collect();
                Error::usage(format!("{message} ; le fichier n'a pas été modifié")).with_hint(format!(
                    "Compose refuserait deux conteneurs du même nom : changez le container_name \
                     de {} (ou retirez ce service s'il fait double emploi avec celui du \
                     tutoriel), puis relancez ; --force ne remplace que les services de même nom",
                    services.join(", ")
                ))
            }
            ComposeError::PortTaken(clashes) => port_taken(&clashes),
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

/// « le port 8084 (udp, adresse 127.0.0.1) ».
fn port_label(p: &super::ports::Published) -> String {
    let mut extra = Vec::new();
    if p.protocol != "tcp" {
        extra.push(p.protocol.clone());
    }
    if !p.host_ip.is_empty() {
        extra.push(format!("adresse {}", p.host_ip));
    }
    let what = if p.first == p.last {
        "le port"
    } else {
        "les ports"
    };
    if extra.is_empty() {
        format!("{what} {}", p.ports())
    } else {
        format!("{what} {} ({})", p.ports(), extra.join(", "))
    }
}

/// The French error for port clashes: each wanted port, the service and the
/// line that hold it; the hint gives a port free in the file and the
/// setting that moves the tutorial's service there.
fn port_taken(clashes: &[PortClash]) -> Error {
    let line = |c: &PortClash| {
        let at = match c.holder.line {
            Some(n) => format!(", ligne {n}"),
            None => String::new(),
        };
        format!(
            "{} de l'hôte, que le service « {} » du tutoriel publie (« {} »), est déjà publié par \
             le service « {} » du fichier Compose{at} (« {} »)",
            port_label(&c.wanted),
            c.wanted.service,
            c.wanted.written,
            c.holder.service,
            c.holder.written
        )
    };
    let message = match clashes {
        [one] => line(one),
        many => {
            let mut m = String::from("des ports de l'hôte sont déjà publiés :");
            for c in many {
                m.push_str(&format!("\n  - {}", line(c)));
            }
            m
        }
    };
    let mut hints = Vec::new();
    for c in clashes {
        let service = &c.wanted.service;
        let free = c.free;
        hints.push(match crate::settings::port_var(service) {
            Some(var) => format!(
                "publiez {service} sur un port que le fichier n'utilise pas, par exemple {free} : \
                 {var}={free} (ou « {} = {free} » dans journal.toml)",
                crate::settings::file_key(var)
            ),
            None => format!(
                "changez le port publié par « {} »{}",
                c.holder.service,
                c.holder
                    .line
                    .map_or(String::new(), |n| format!(" à la ligne {n}"))
            ),
        });
    }
    Error::usage(format!(
        "{message} ; même arrêté, ce service reprendrait le port au prochain démarrage de toute la \
         pile : rien n'a été modifié"
    ))
    .with_hint(format!(
        "{}, puis relancez ; ou changez le port publié par l'autre service, comme le tutoriel l'a \
         fait pour Grafana (Wiki.js publie déjà 3000, Grafana passe donc sur 8084)",
        hints.join(" ; ")
    ))
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
        let groups: [(&str, &str, Pick); 8] = [
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
            (
                "réseau déjà déclaré sous une autre clé, réutilisé",
                "réseaux déjà déclarés sous une autre clé, réutilisés",
                |c| match c {
                    Change::NetworkReused { key, .. } => Some(key),
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

/// The problems libyaml and serde_yaml report, in French (matched on the
/// start of the problem, without its position).
const PROBLEMS: &[(&str, &str)] = &[
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
    (
        "did not find expected ',' or ']'",
        "« , » ou « ] » attendu (crochet non fermé ?)",
    ),
    (
        "did not find expected ',' or '}'",
        "« , » ou « } » attendu (accolade non fermée ?)",
    ),
    ("could not find expected ':'", "« : » attendu après une clé"),
    (
        "found character that cannot start any token",
        "caractère qui ne peut pas commencer une valeur (tabulation ?)",
    ),
    (
        "found a tab character",
        "tabulation dans l'indentation (utilisez des espaces)",
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
        "block sequence entries are not allowed",
        "élément de liste « - » inattendu à cet endroit (indentation à vérifier)",
    ),
    (
        "found unknown escape character",
        "séquence d'échappement inconnue entre guillemets doubles (« \\ » à doubler, \
         ou guillemets simples)",
    ),
    (
        "found unexpected document indicator",
        "marqueur de document « --- » ou « ... » inattendu à l'intérieur d'une valeur",
    ),
    (
        "did not find expected <document start>",
        "début de document « --- » attendu (contenu après la fin du document)",
    ),
    (
        "did not find expected comment or line break",
        "commentaire ou fin de ligne attendu après la valeur",
    ),
    (
        "did not find expected whitespace or line break",
        "espace ou fin de ligne attendu",
    ),
    ("found undefined tag handle", "étiquette « ! » inconnue"),
    (
        "control characters are not allowed",
        "caractère de contrôle interdit dans le fichier",
    ),
    (
        "invalid leading UTF-8 octet",
        "le fichier n'est pas en UTF-8 valide",
    ),
    (
        "invalid trailing UTF-8 octet",
        "le fichier n'est pas en UTF-8 valide",
    ),
    (
        "incomplete UTF-8 octet sequence",
        "le fichier n'est pas en UTF-8 valide (séquence incomplète)",
    ),
    (
        "found duplicate %YAML directive",
        "directive %YAML en double",
    ),
    (
        "found incompatible YAML document",
        "version de YAML non prise en charge (directive %YAML)",
    ),
    (
        "recursion limit exceeded",
        "imbrication trop profonde (plus de 128 niveaux de listes ou de mappings)",
    ),
    (
        "repetition limit exceeded",
        "trop d'alias (« *nom ») : le document serait démesuré une fois développé",
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

/// The contexts libyaml gives after the problem (« while … »), in French.
const CONTEXTS: &[(&str, &str)] = &[
    (
        "while scanning a quoted scalar",
        "dans la chaîne entre guillemets commencée",
    ),
    ("while scanning a plain scalar", "dans la valeur commencée"),
    (
        "while scanning a block scalar",
        "dans le bloc de texte (| ou >) commencé",
    ),
    ("while scanning a simple key", "dans la clé commencée"),
    ("while scanning an anchor", "dans l'ancre (&nom) commencée"),
    ("while scanning an alias", "dans l'alias (*nom) commencé"),
    ("while scanning a tag", "dans l'étiquette (!) commencée"),
    (
        "while scanning a directive",
        "dans la directive (%) commencée",
    ),
    (
        "while scanning for the next token",
        "en cherchant l'élément suivant",
    ),
    (
        "while parsing a flow sequence",
        "dans la liste entre crochets ouverte",
    ),
    (
        "while parsing a flow mapping",
        "dans le mapping entre accolades ouvert",
    ),
    ("while parsing a block mapping", "dans le mapping commencé"),
    (
        "while parsing a block collection",
        "dans la liste commencée",
    ),
    (
        "while parsing a flow node",
        "dans la valeur entre crochets ou accolades commencée",
    ),
    ("while parsing a block node", "dans la valeur commencée"),
    ("while parsing a node", "dans la valeur commencée"),
];

/// Splits « … at line 3 column 5 » into the text and the French position.
fn split_position(s: &str) -> (&str, Option<String>) {
    let Some(i) = s.rfind(" at line ") else {
        return (s, None);
    };
    let pos = &s[i + " at line ".len()..];
    let mut parts = pos.split(" column ");
    let (Some(line), Some(col)) = (parts.next(), parts.next()) else {
        return (s, None);
    };
    match (line.trim().parse::<usize>(), col.trim().parse::<usize>()) {
        (Ok(l), Ok(c)) => (&s[..i], Some(format!("ligne {l}, colonne {c}"))),
        _ => (s, None),
    }
}

/// Translates the libyaml and serde_yaml messages (problem, then context
/// with its own position); the position of the problem is given apart by
/// the caller. An unknown problem is quoted as the parser said it, said to
/// be the parser's own words.
pub(super) fn french_yaml_message(raw: &str) -> String {
    // "found unexpected end of stream at line 2 column 1, while scanning a
    // quoted scalar at line 1 column 4"
    let (problem, context) = match raw.find(", while ") {
        Some(i) => (&raw[..i], Some(&raw[i + 2..])),
        None => (raw, None),
    };
    let (problem, _) = split_position(problem);
    // serde_yaml may prefix a path (« services.a: … »).
    let mut out = None;
    for (needle, fr) in PROBLEMS {
        if let Some(at) = problem.find(needle) {
            if *needle == "duplicate entry" {
                let key = problem[at..].split("key ").nth(1).unwrap_or("").trim();
                out = Some(if key.is_empty() {
                    fr.to_string()
                } else {
                    format!("{fr} : {key}")
                });
            } else {
                out = Some(fr.to_string());
            }
            break;
        }
    }
    let mut out = out.unwrap_or_else(|| {
        format!(
            "erreur signalée par l'analyseur YAML (message d'origine, en anglais) : « {problem} »"
        )
    });
    if let Some(ctx) = context {
        let (ctx, pos) = split_position(ctx);
        let fr = CONTEXTS
            .iter()
            .find(|(needle, _)| ctx.starts_with(needle))
            .map(|(_, fr)| (*fr).to_string());
        match (fr, pos) {
            (Some(fr), Some(pos)) => out.push_str(&format!(" ({fr} {pos})")),
            (Some(fr), None) => out.push_str(&format!(" ({fr})")),
            (None, _) => {}
        }
    }
    out
}
