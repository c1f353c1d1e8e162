//! Configuration in one place: every `JOURNAL_*` environment variable the tool
//! reads is declared in [`VARS`] (name, French role, default, as the README's
//! table shows them) and read through this module, nowhere else. The run
//! [`Settings`] are built here from the environment and the plain
//! [`RunOptions`] the command layer extracted from its arguments.
//!
//! A project may also keep its settings in `journal.toml`, at its root: the
//! same variables, without `JOURNAL_` and in lower case (`cible = "swarm"`).
//! [`load_project_file`] reads it once per process, when the command opens
//! the project; a command-line option wins over the environment, which wins
//! over the file. Secrets, the project root and the test clock cannot be
//! written there.
//!
//! It does not read Docker's own variables (`DOCKER_HOST`,
//! `COMPOSE_PROJECT_NAME`): the adapters that mirror Docker do, as Docker does.
//! Apart from that one load, reading settings has no side effect.

use std::time::Duration;

use crate::error::{Error, Result};

mod alerts;
mod project_file;
mod run;

pub use alerts::AlertSettings;
use project_file::PROJECT_VALUES;
pub use project_file::{
    PROJECT_FILE, file_key, load_project_file, load_project_file_with, param, parse_project_file,
};
pub use run::{Images, Ports, RunOptions, Settings, Target, attachment_max, port_var};

/// One environment variable of the tool.
#[derive(Debug, Clone, Copy)]
pub struct EnvVar {
    /// Its name (`JOURNAL_…`).
    pub name: &'static str,
    /// What it sets, in French (the README's « rôle » column).
    pub role: &'static str,
    /// Its default: written here only, shown to users by `Display`.
    pub default: DefaultValue,
}

/// A variable's default, the one place it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    /// No default (shown `—`).
    None,
    /// Described in words (« le dossier courant »).
    Described(&'static str),
    /// A value (shown as code).
    Value(&'static str),
}

impl std::fmt::Display for DefaultValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DefaultValue::None => f.write_str("—"),
            DefaultValue::Described(d) => f.write_str(d),
            DefaultValue::Value(v) => write!(f, "`{v}`"),
        }
    }
}

/// The default value of variable `name` (`""` when it has none).
pub fn default_of(name: &str) -> &'static str {
    match VARS.iter().find(|v| v.name == name).map(|v| v.default) {
        Some(DefaultValue::Value(v)) => v,
        _ => "",
    }
}

/// `"14282"` as a number, at compile time (a default written once as text).
const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        n = n * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// The project's root folder (also `--projet`).
pub const PROJECT: &str = "JOURNAL_PROJET";
/// Prometheus image.
pub const IMAGE_PROMETHEUS: &str = "JOURNAL_IMAGE_PROMETHEUS";
/// Grafana image.
pub const IMAGE_GRAFANA: &str = "JOURNAL_IMAGE_GRAFANA";
/// cAdvisor image.
pub const IMAGE_CADVISOR: &str = "JOURNAL_IMAGE_CADVISOR";
/// The new Grafana admin password.
pub const GRAFANA_PASSWORD: &str = "JOURNAL_GRAFANA_PASSWORD";
/// grafana.com or a mirror.
pub const GRAFANA_COM_URL: &str = "JOURNAL_GRAFANA_COM_URL";
/// The grafana.com dashboard to import.
pub const DASHBOARD_ID: &str = "JOURNAL_DASHBOARD_ID";
/// Prometheus as seen from the host.
pub const PROMETHEUS_URL: &str = "JOURNAL_PROMETHEUS_URL";
/// Grafana as seen from the host.
pub const GRAFANA_URL: &str = "JOURNAL_GRAFANA_URL";
/// Wait for every Prometheus target, in seconds.
pub const TARGETS_TIMEOUT: &str = "JOURNAL_DELAI_CIBLES";
/// Wait for Prometheus and Grafana to answer, in seconds.
pub const READY_TIMEOUT: &str = "JOURNAL_DELAI_DEMARRAGE";
/// Gap between the two restart-count samples, in seconds.
pub const RESTART_GAP: &str = "JOURNAL_DELAI_REDEMARRAGES";
/// A fixed clock (RFC 3339).
pub const CLOCK: &str = "JOURNAL_HORLOGE";
/// The author of new entries.
pub const AUTHOR: &str = "JOURNAL_AUTEUR";
/// The largest attachment, in MiB.
pub const ATTACHMENT_MAX: &str = "JOURNAL_PIECE_JOINTE_MAX";
/// The deployment target (`compose` or `swarm`).
pub const TARGET: &str = "JOURNAL_CIBLE";
/// Alertmanager image.
pub const IMAGE_ALERTMANAGER: &str = "JOURNAL_IMAGE_ALERTMANAGER";
/// Alertmanager as seen from the host.
pub const ALERTMANAGER_URL: &str = "JOURNAL_ALERTMANAGER_URL";
/// E-mail address receiving the alerts.
pub const ALERT_EMAIL: &str = "JOURNAL_ALERTES_EMAIL";
/// SMTP relay (`hôte:port`) for the e-mail receiver.
pub const ALERT_SMTP: &str = "JOURNAL_ALERTES_SMTP";
/// Webhook URL receiving the alerts (treated as a secret).
pub const ALERT_WEBHOOK: &str = "JOURNAL_ALERTES_WEBHOOK";
/// CPU threshold of the « CPU élevé » rule, in cores.
pub const ALERT_CPU_THRESHOLD: &str = "JOURNAL_ALERTES_SEUIL_CPU";
/// Bound of each wait of the fire drill, in seconds.
pub const DRILL_TIMEOUT: &str = "JOURNAL_DELAI_EXERCICE";
/// Host port Prometheus is published on.
pub const PORT_PROMETHEUS: &str = "JOURNAL_PORT_PROMETHEUS";
/// Host port Grafana is published on.
pub const PORT_GRAFANA: &str = "JOURNAL_PORT_GRAFANA";
/// Host port Alertmanager is published on.
pub const PORT_ALERTMANAGER: &str = "JOURNAL_PORT_ALERTMANAGER";
/// The node exporter's image (built-in runbook partie-6-hote).
pub const IMAGE_NODE_EXPORTER: &str = "JOURNAL_IMAGE_NODE_EXPORTER";
/// Default time limit of a runbook's command, in seconds.
pub const COMMAND_TIMEOUT: &str = "JOURNAL_DELAI_COMMANDE";
/// Runs and notes as Grafana annotations (`oui` or `non`).
pub const ANNOTATIONS: &str = "JOURNAL_ANNOTATIONS";

/// Default images: the tutorial's tags.
pub const DEFAULT_PROMETHEUS_IMAGE: &str = "prom/prometheus:v2.47.1";
/// Grafana OSS, the tutorial's tag.
pub const DEFAULT_GRAFANA_IMAGE: &str = "grafana/grafana-oss:10.1.5";
/// cAdvisor, the tutorial's tag.
pub const DEFAULT_CADVISOR_IMAGE: &str = "gcr.io/cadvisor/cadvisor:v0.47.2";
/// Alertmanager, the version this part was written for.
pub const DEFAULT_ALERTMANAGER_IMAGE: &str = "prom/alertmanager:v0.26.0";
/// The default CPU threshold of the « CPU élevé » rule, in cores.
pub const DEFAULT_CPU_THRESHOLD: &str = "0.8";
/// The tutorial's host ports: Prometheus, Grafana (3000 is Wiki.js's), Alertmanager.
const DEFAULT_PORT_PROMETHEUS: &str = "9090";
const DEFAULT_PORT_GRAFANA: &str = "8084";
const DEFAULT_PORT_ALERTMANAGER: &str = "9093";
const DEFAULT_DRILL_SECS: &str = "120";
const DEFAULT_COMMAND_SECS: &str = "300";
const DEFAULT_DASHBOARD: &str = "14282";
/// The grafana.com dashboard imported by default: « Cadvisor exporter ».
pub const DEFAULT_DASHBOARD_ID: u32 = parse_u32(DEFAULT_DASHBOARD);
/// The id the tutorial names, which is not a cAdvisor dashboard.
pub const TUTORIAL_DASHBOARD_ID: u32 = 13981;

const DEFAULT_GRAFANA_COM_URL: &str = "https://grafana.com";
const DEFAULT_TARGETS_SECS: &str = "35";
const DEFAULT_READY_SECS: &str = "120";
const DEFAULT_RESTART_GAP_SECS: &str = "5";
const DEFAULT_ATTACHMENT_MIB: &str = "20";

/// Every `JOURNAL_*` variable, in the README's order.
pub const VARS: &[EnvVar] = &[
    EnvVar {
        name: PROJECT,
        role: "racine du projet d'infrastructure (aussi `--projet`)",
        default: DefaultValue::Described(
            "le dossier courant ou son premier parent qui contient `journal.toml`, `journal/` ou `compose/`",
        ),
    },
    EnvVar {
        name: IMAGE_PROMETHEUS,
        role: "image de Prometheus (registre privé, site isolé)",
        default: DefaultValue::Value(DEFAULT_PROMETHEUS_IMAGE),
    },
    EnvVar {
        name: IMAGE_GRAFANA,
        role: "image de Grafana",
        default: DefaultValue::Value(DEFAULT_GRAFANA_IMAGE),
    },
    EnvVar {
        name: IMAGE_CADVISOR,
        role: "image de cAdvisor",
        default: DefaultValue::Value(DEFAULT_CADVISOR_IMAGE),
    },
    EnvVar {
        name: GRAFANA_PASSWORD,
        role: "nouveau mot de passe administrateur de Grafana (sinon `--grafana-password-file`, \
               sinon généré et conservé dans `.journal-secrets/grafana-admin`, mode 0600)",
        default: DefaultValue::None,
    },
    EnvVar {
        name: GRAFANA_COM_URL,
        role: "grafana.com ou un miroir, pour télécharger le tableau de bord",
        default: DefaultValue::Value(DEFAULT_GRAFANA_COM_URL),
    },
    EnvVar {
        name: DASHBOARD_ID,
        role: "tableau de bord grafana.com à importer (aussi `--dashboard`)",
        default: DefaultValue::Value(DEFAULT_DASHBOARD),
    },
    EnvVar {
        name: PROMETHEUS_URL,
        role: "adresse de Prometheus vue depuis l'hôte",
        default: DefaultValue::Described(
            "`http://localhost:9090` (le port suit `JOURNAL_PORT_PROMETHEUS`)",
        ),
    },
    EnvVar {
        name: GRAFANA_URL,
        role: "adresse de Grafana vue depuis l'hôte",
        default: DefaultValue::Described(
            "`http://localhost:8084` (le port suit `JOURNAL_PORT_GRAFANA`)",
        ),
    },
    EnvVar {
        name: TARGETS_TIMEOUT,
        role: "attente maximale des cibles Prometheus, en secondes (aussi `--delai-cibles`)",
        default: DefaultValue::Value(DEFAULT_TARGETS_SECS),
    },
    EnvVar {
        name: READY_TIMEOUT,
        role: "attente maximale de Prometheus et de Grafana, en secondes",
        default: DefaultValue::Value(DEFAULT_READY_SECS),
    },
    EnvVar {
        name: RESTART_GAP,
        role: "écart entre les deux relevés du compteur de redémarrages, en secondes",
        default: DefaultValue::Value(DEFAULT_RESTART_GAP_SECS),
    },
    EnvVar {
        name: AUTHOR,
        role: "auteur des nouvelles entrées (aussi `--auteur` ; sinon `git config user.name` du projet, sinon le nom de connexion)",
        default: DefaultValue::None,
    },
    EnvVar {
        name: ATTACHMENT_MAX,
        role: "taille maximale d'une pièce jointe (`journal note --joindre`), en Mio",
        default: DefaultValue::Value(DEFAULT_ATTACHMENT_MIB),
    },
    EnvVar {
        name: TARGET,
        role: "cible du déploiement : `compose` (un hôte, `docker compose`) ou `swarm` (un essaim, `docker stack deploy`) ; aussi `--cible`",
        default: DefaultValue::Value("compose"),
    },
    EnvVar {
        name: CLOCK,
        role: "horloge fixe (RFC 3339), pour des tests et des exemples reproductibles",
        default: DefaultValue::None,
    },
    EnvVar {
        name: IMAGE_ALERTMANAGER,
        role: "image d'Alertmanager (partie-6-alertes)",
        default: DefaultValue::Value(DEFAULT_ALERTMANAGER_IMAGE),
    },
    EnvVar {
        name: ALERTMANAGER_URL,
        role: "adresse d'Alertmanager vue depuis l'hôte",
        default: DefaultValue::Described(
            "`http://localhost:9093` (le port suit `JOURNAL_PORT_ALERTMANAGER`)",
        ),
    },
    EnvVar {
        name: ALERT_EMAIL,
        role: "adresse e-mail qui reçoit les alertes (avec `JOURNAL_ALERTES_SMTP`)",
        default: DefaultValue::None,
    },
    EnvVar {
        name: ALERT_SMTP,
        role: "relais SMTP des alertes, `hôte:port`",
        default: DefaultValue::None,
    },
    EnvVar {
        name: ALERT_WEBHOOK,
        role: "URL d'un webhook qui reçoit les alertes (traitée comme un secret, jamais écrite dans le journal)",
        default: DefaultValue::None,
    },
    EnvVar {
        name: ALERT_CPU_THRESHOLD,
        role: "seuil de la règle « CPU élevé », en cœurs (0,8 = 80 % d'un cœur)",
        default: DefaultValue::Value(DEFAULT_CPU_THRESHOLD),
    },
    EnvVar {
        name: DRILL_TIMEOUT,
        role: "attente maximale de chaque maillon de l'exercice d'alerte, en secondes",
        default: DefaultValue::Value(DEFAULT_DRILL_SECS),
    },
    EnvVar {
        name: PORT_PROMETHEUS,
        role: "port de l'hôte sur lequel Prometheus est publié (`\"9090:9090\"` dans le fichier Compose)",
        default: DefaultValue::Value(DEFAULT_PORT_PROMETHEUS),
    },
    EnvVar {
        name: PORT_GRAFANA,
        role: "port de l'hôte sur lequel Grafana est publié (3000 est déjà pris par Wiki.js)",
        default: DefaultValue::Value(DEFAULT_PORT_GRAFANA),
    },
    EnvVar {
        name: PORT_ALERTMANAGER,
        role: "port de l'hôte sur lequel Alertmanager est publié (partie-6-alertes)",
        default: DefaultValue::Value(DEFAULT_PORT_ALERTMANAGER),
    },
    EnvVar {
        name: IMAGE_NODE_EXPORTER,
        role: "image du node exporter (partie-6-hote)",
        default: DefaultValue::Value("prom/node-exporter:v1.7.0"),
    },
    EnvVar {
        name: COMMAND_TIMEOUT,
        role: "durée maximale d'une commande d'un runbook (bloc `journal:commande` sans `delai=`), en secondes",
        default: DefaultValue::Value(DEFAULT_COMMAND_SECS),
    },
    EnvVar {
        name: ANNOTATIONS,
        role: "chaque exécution et chaque note d'une partie devient une annotation de Grafana (`oui` ou `non`)",
        default: DefaultValue::Value(DEFAULT_ANNOTATIONS),
    },
];

const DEFAULT_ANNOTATIONS: &str = "oui";

/// Whether runs and notes become Grafana annotations (`JOURNAL_ANNOTATIONS`).
pub fn annotations_enabled() -> Result<bool> {
    let v = var(ANNOTATIONS).unwrap_or_else(|| DEFAULT_ANNOTATIONS.to_string());
    match v.to_lowercase().as_str() {
        "oui" | "1" | "true" | "yes" => Ok(true),
        "non" | "0" | "false" | "no" => Ok(false),
        _ => Err(
            Error::usage(format!("valeur invalide {}", shown(ANNOTATIONS, &v)))
                .with_hint("écrivez oui ou non"),
        ),
    }
}

/// The default time limit of a runbook's command (`JOURNAL_DELAI_COMMANDE`).
pub fn command_timeout() -> Result<Duration> {
    secs(COMMAND_TIMEOUT)
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn file_value(name: &str) -> Option<String> {
    PROJECT_VALUES
        .get()
        .and_then(|m| m.get(name))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A declared variable's value, from the environment, else from the
/// project's `journal.toml`: `None` when unset or blank. Panics in debug
/// builds on an undeclared name, so a new variable cannot skip [`VARS`].
pub fn var(name: &str) -> Option<String> {
    debug_assert!(
        VARS.iter().any(|v| v.name == name),
        "variable {name} absente de settings::VARS"
    );
    env_value(name).or_else(|| file_value(name))
}

fn from_file(name: &str) -> bool {
    env_value(name).is_none() && file_value(name).is_some()
}

/// Where the value of `name` comes from, for an error message: the
/// variable's name, or its key in `journal.toml`.
pub fn source_of(name: &str) -> String {
    if from_file(name) {
        format!("{PROJECT_FILE} (« {} »)", file_key(name))
    } else {
        name.to_string()
    }
}

/// The value `value` of `name` as an error message shows it, with where it
/// was set: `JOURNAL_X=« v »`, or `journal.toml (« x ») = « v »`.
pub fn shown(name: &str, value: &str) -> String {
    if from_file(name) {
        format!("{} = « {value} »", source_of(name))
    } else {
        format!("{name}=« {value} »")
    }
}

/// The value of `name`, else its default.
fn var_or_default(name: &str) -> String {
    var(name).unwrap_or_else(|| default_of(name).to_string())
}

/// A variable of the environment for the interpolation of a compose file
/// (`${NOM}`), as Compose reads it: not a `JOURNAL_*` setting.
pub fn compose_variable(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A URL setting, without its trailing `/`; `default` when unset.
fn url_or(name: &str, default: &str) -> String {
    var(name)
        .unwrap_or_else(|| default.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// A URL setting with a default in [`VARS`], without its trailing `/`.
fn url(name: &str) -> String {
    url_or(name, default_of(name))
}

/// A number of seconds.
fn secs(name: &str) -> Result<Duration> {
    let default = default_of(name);
    match var(name) {
        Some(v) => v.parse::<u64>().map(Duration::from_secs).map_err(|_| {
            Error::usage(format!(
                "{} n'est pas un nombre de secondes",
                shown(name, &v)
            ))
            .with_hint(format!("par exemple {name}={default}"))
        }),
        None => Ok(Duration::from_secs(default.parse().unwrap_or_default())),
    }
}

/// A variable read from the environment only (a secret, never from
/// `journal.toml`): `None` when unset or empty.
fn env_only(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A duration as its number of seconds (for the templates).
fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_toml_sets_variables_by_their_short_lower_case_name() {
        let v = parse_project_file(
            "# Réglages\ncible = \"swarm\"\ndelai_cibles = 60\nalertes_seuil_cpu = 0.8\n",
            "journal.toml",
        )
        .unwrap();
        assert_eq!(v[TARGET], "swarm");
        assert_eq!(v[TARGETS_TIMEOUT], "60");
        assert_eq!(v[ALERT_CPU_THRESHOLD], "0.8");
        assert_eq!(file_key(TARGETS_TIMEOUT), "delai_cibles");
        assert!(parse_project_file("", "journal.toml").unwrap().is_empty());
    }

    #[test]
    fn journal_toml_refuses_secrets_the_root_the_clock_and_unknown_keys() {
        for (text, said) in [
            ("grafana_password = \"x\"", "c'est un secret"),
            ("alertes_webhook = \"https://x\"", "secret"),
            ("projet = \"/srv\"", "déjà à la racine"),
            ("horloge = \"2026-01-01T00:00:00Z\"", "fausserait la date"),
            ("cibles = \"swarm\"", "réglage « cibles » inconnu"),
            ("cible = { a = 1 }", "doit être un texte ou un nombre"),
            ("cible = \"a\"\ncible = \"b\"", "ligne 2, colonne 1"),
        ] {
            let e = parse_project_file(text, "journal.toml").unwrap_err();
            assert_eq!(e.code(), 2, "{text}");
            assert!(e.message().contains(said), "{text} : {}", e.message());
            assert!(e.hint().is_some(), "{text}");
        }
        let e = parse_project_file("cibles = 1", "journal.toml").unwrap_err();
        assert!(
            e.hint()
                .unwrap()
                .starts_with("vouliez-vous dire « cible » ?")
        );
    }

    /// The README's variable table lists exactly the variables of [`VARS`],
    /// with the same defaults.
    #[test]
    fn readme_table_matches_the_declared_variables() {
        let readme = include_str!("../README.md");
        let section = readme
            .split("### Variables d'environnement")
            .nth(1)
            .expect("section « Variables d'environnement » du README");
        let section = section.split("\n#").next().unwrap_or(section);
        let mut documented: Vec<(String, String, String)> = Vec::new();
        for line in section.lines().filter(|l| l.starts_with("| `JOURNAL_")) {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
            let name = cells[0].trim().trim_matches('`').to_string();
            documented.push((
                name,
                cells[1].trim().to_string(),
                cells[2].trim().to_string(),
            ));
        }
        let declared: Vec<(String, String, String)> = VARS
            .iter()
            .map(|v| {
                (
                    v.name.to_string(),
                    v.role.to_string(),
                    v.default.to_string(),
                )
            })
            .collect();
        assert_eq!(documented, declared, "README et settings::VARS divergent");
    }

    /// Outside this module, the environment is read only for the conventions
    /// of other tools (colours, editors, Docker's own variables).
    #[test]
    fn no_other_module_reads_journal_variables() {
        const OTHERS: [&str; 11] = [
            "\"DOCKER_CONTEXT\"",
            "\"DOCKER_CONFIG\"",
            "\"HOME\"",
            "\"NO_COLOR\"",
            "\"VISUAL\"",
            "\"EDITOR\"",
            "\"COMPOSE_PROJECT_NAME\"",
            "\"DOCKER_HOST\"",
            "\"USER\"",
            "\"LOGNAME\"",
            "\"HOSTNAME\"",
        ];
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, found);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("settings.rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    for (i, l) in text.lines().enumerate() {
                        if l.contains("env::var") && !OTHERS.iter().any(|o| l.contains(o)) {
                            found.push(format!("{}:{}", p.display(), i + 1));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "lectures hors de settings : {found:?}");
    }

    #[test]
    fn target_parses_and_defaults_to_compose() {
        assert_eq!(Target::default(), Target::Compose);
        assert_eq!(Target::parse(" Swarm ", "--cible").unwrap(), Target::Swarm);
        let e = Target::parse("k8s", "--cible").unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.message().contains("« k8s »"), "{}", e.message());
        let opts = RunOptions {
            target: Some("swarm".into()),
            ..Default::default()
        };
        assert_eq!(Settings::resolve(opts).unwrap().target, Target::Swarm);
    }

    #[test]
    fn every_declared_variable_is_readable() {
        for v in VARS {
            assert!(v.name.starts_with("JOURNAL_"));
            let _ = var(v.name);
        }
    }
}
