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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::error::{Error, Result};
use crate::secrets::Secret;

/// One environment variable of the tool.
#[derive(Debug, Clone, Copy)]
pub struct EnvVar {
    /// Its name (`JOURNAL_…`).
    pub name: &'static str,
    /// What it sets, in French (the README's « rôle » column).
    pub role: &'static str,
    /// Its default, as shown to users (`—` when none).
    pub default: &'static str,
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

/// Default images: the tutorial's tags.
pub const DEFAULT_PROMETHEUS_IMAGE: &str = "prom/prometheus:v2.47.1";
/// Grafana OSS, the tutorial's tag.
pub const DEFAULT_GRAFANA_IMAGE: &str = "grafana/grafana-oss:10.1.5";
/// cAdvisor, the tutorial's tag.
pub const DEFAULT_CADVISOR_IMAGE: &str = "gcr.io/cadvisor/cadvisor:v0.47.2";
/// Alertmanager, the version this part was written for.
pub const DEFAULT_ALERTMANAGER_IMAGE: &str = "prom/alertmanager:v0.26.0";
/// The default CPU threshold of the « CPU élevé » rule, in cores.
pub const DEFAULT_CPU_THRESHOLD: f64 = 0.8;
const DEFAULT_ALERTMANAGER_URL: &str = "http://localhost:9093";
const DEFAULT_DRILL_SECS: u64 = 120;
/// The grafana.com dashboard imported by default: « Cadvisor exporter ».
pub const DEFAULT_DASHBOARD_ID: u32 = 14282;
/// The id the tutorial names, which is not a cAdvisor dashboard.
pub const TUTORIAL_DASHBOARD_ID: u32 = 13981;

const DEFAULT_PROMETHEUS_URL: &str = "http://localhost:9090";
const DEFAULT_GRAFANA_URL: &str = "http://localhost:8084";
const DEFAULT_GRAFANA_COM_URL: &str = "https://grafana.com";
const DEFAULT_TARGETS_SECS: u64 = 35;
const DEFAULT_READY_SECS: u64 = 120;
const DEFAULT_RESTART_GAP_SECS: u64 = 5;

/// Every `JOURNAL_*` variable, in the README's order.
pub const VARS: &[EnvVar] = &[
    EnvVar {
        name: PROJECT,
        role: "racine du projet d'infrastructure (aussi `--projet`)",
        default: "le dossier courant ou son premier parent qui contient `journal.toml`, `journal/` ou `compose/`",
    },
    EnvVar {
        name: IMAGE_PROMETHEUS,
        role: "image de Prometheus (registre privé, site isolé)",
        default: "`prom/prometheus:v2.47.1`",
    },
    EnvVar {
        name: IMAGE_GRAFANA,
        role: "image de Grafana",
        default: "`grafana/grafana-oss:10.1.5`",
    },
    EnvVar {
        name: IMAGE_CADVISOR,
        role: "image de cAdvisor",
        default: "`gcr.io/cadvisor/cadvisor:v0.47.2`",
    },
    EnvVar {
        name: GRAFANA_PASSWORD,
        role: "nouveau mot de passe administrateur de Grafana (sinon `--grafana-password-file`, \
               sinon généré et conservé dans `.journal-secrets/grafana-admin`, mode 0600)",
        default: "—",
    },
    EnvVar {
        name: GRAFANA_COM_URL,
        role: "grafana.com ou un miroir, pour télécharger le tableau de bord",
        default: "`https://grafana.com`",
    },
    EnvVar {
        name: DASHBOARD_ID,
        role: "tableau de bord grafana.com à importer (aussi `--dashboard`)",
        default: "`14282`",
    },
    EnvVar {
        name: PROMETHEUS_URL,
        role: "adresse de Prometheus vue depuis l'hôte",
        default: "`http://localhost:9090`",
    },
    EnvVar {
        name: GRAFANA_URL,
        role: "adresse de Grafana vue depuis l'hôte",
        default: "`http://localhost:8084`",
    },
    EnvVar {
        name: TARGETS_TIMEOUT,
        role: "attente maximale des cibles Prometheus, en secondes (aussi `--delai-cibles`)",
        default: "`35`",
    },
    EnvVar {
        name: READY_TIMEOUT,
        role: "attente maximale de Prometheus et de Grafana, en secondes",
        default: "`120`",
    },
    EnvVar {
        name: RESTART_GAP,
        role: "écart entre les deux relevés du compteur de redémarrages, en secondes",
        default: "`5`",
    },
    EnvVar {
        name: AUTHOR,
        role: "auteur des nouvelles entrées (aussi `--auteur` ; sinon `git config user.name` du projet, sinon le nom de connexion)",
        default: "—",
    },
    EnvVar {
        name: ATTACHMENT_MAX,
        role: "taille maximale d'une pièce jointe (`journal note --joindre`), en Mio",
        default: "`20`",
    },
    EnvVar {
        name: TARGET,
        role: "cible du déploiement : `compose` (un hôte, `docker compose`) ou `swarm` (un essaim, `docker stack deploy`) ; aussi `--cible`",
        default: "`compose`",
    },
    EnvVar {
        name: CLOCK,
        role: "horloge fixe (RFC 3339), pour des tests et des exemples reproductibles",
        default: "—",
    },
    EnvVar {
        name: IMAGE_ALERTMANAGER,
        role: "image d'Alertmanager (partie-6-alertes)",
        default: "`prom/alertmanager:v0.26.0`",
    },
    EnvVar {
        name: ALERTMANAGER_URL,
        role: "adresse d'Alertmanager vue depuis l'hôte",
        default: "`http://localhost:9093`",
    },
    EnvVar {
        name: ALERT_EMAIL,
        role: "adresse e-mail qui reçoit les alertes (avec `JOURNAL_ALERTES_SMTP`)",
        default: "—",
    },
    EnvVar {
        name: ALERT_SMTP,
        role: "relais SMTP des alertes, `hôte:port`",
        default: "—",
    },
    EnvVar {
        name: ALERT_WEBHOOK,
        role: "URL d'un webhook qui reçoit les alertes (traitée comme un secret, jamais écrite dans le journal)",
        default: "—",
    },
    EnvVar {
        name: ALERT_CPU_THRESHOLD,
        role: "seuil de la règle « CPU élevé », en cœurs (0,8 = 80 % d'un cœur)",
        default: "`0.8`",
    },
    EnvVar {
        name: DRILL_TIMEOUT,
        role: "attente maximale de chaque maillon de l'exercice d'alerte, en secondes",
        default: "`120`",
    },
];

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
static PROJECT_VALUES: OnceLock<BTreeMap<&'static str, String>> = OnceLock::new();

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
    for (key, value) in table {
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
    Ok(out)
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
    let path = root.join(PROJECT_FILE);
    let values = match crate::store::read_optional(&path)? {
        Some(text) => parse_project_file(&text, &path.display().to_string())?,
        None => BTreeMap::new(),
    };
    // A second load in the same process (tests) keeps the first.
    let _ = PROJECT_VALUES.set(values);
    Ok(())
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

fn var_or(name: &str, default: &str) -> String {
    var(name).unwrap_or_else(|| default.to_string())
}

fn url(name: &str, default: &str) -> String {
    var_or(name, default).trim_end_matches('/').to_string()
}

fn secs(name: &str, default: u64) -> Result<Duration> {
    match var(name) {
        Some(v) => v.parse::<u64>().map(Duration::from_secs).map_err(|_| {
            Error::usage(format!(
                "{} n'est pas un nombre de secondes",
                shown(name, &v)
            ))
            .with_hint(format!("par exemple {name}={default}"))
        }),
        None => Ok(Duration::from_secs(default)),
    }
}

/// The fixed clock of `JOURNAL_HORLOGE`, when set to a valid RFC 3339 time.
pub fn fixed_clock() -> Option<DateTime<FixedOffset>> {
    var(CLOCK).and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
}

/// What `journal run` was asked on its command line, as plain values (the
/// command layer converts its arguments into this).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `--delai-cibles`, in seconds.
    pub targets_timeout_secs: Option<u64>,
    /// `--dashboard`.
    pub dashboard_id: Option<u32>,
    /// `--grafana-password-file`.
    pub grafana_password_file: Option<PathBuf>,
    /// `--force`.
    pub force: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--reinitialiser-grafana`.
    pub reset_grafana_password: bool,
    /// `--cible`.
    pub target: Option<String>,
    /// `--exercice`.
    pub drill: bool,
}

/// Where the part's services are deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// One Docker host, `docker compose` (the tutorial's way).
    #[default]
    Compose,
    /// A Docker Swarm, `docker stack deploy` from a manager.
    Swarm,
}

impl Target {
    /// `compose` or `swarm` (as typed, case and blanks ignored), or a French
    /// usage error naming `source`.
    pub fn parse(value: &str, source: &str) -> Result<Self> {
        match value.trim().to_lowercase().as_str() {
            "compose" => Ok(Target::Compose),
            "swarm" => Ok(Target::Swarm),
            _ => Err(
                Error::usage(format!("{source} : cible inconnue « {value} »"))
                    .with_hint("les cibles connues sont « compose » (défaut) et « swarm »"),
            ),
        }
    }

    /// `compose` or `swarm`.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Compose => "compose",
            Target::Swarm => "swarm",
        }
    }
}

/// The images of the part's services.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Images {
    /// Prometheus image.
    pub prometheus: String,
    /// Grafana image.
    pub grafana: String,
    /// cAdvisor image.
    pub cadvisor: String,
    /// Alertmanager image.
    pub alertmanager: String,
}

/// The settings of `partie-6-alertes`, as given (checked by its first step,
/// so that a bad value stops the part before anything changes).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AlertSettings {
    /// Alertmanager as seen from the host.
    pub alertmanager_url: String,
    /// E-mail address receiving the alerts.
    pub email: Option<String>,
    /// SMTP relay, `hôte:port`.
    pub smtp: Option<String>,
    /// Webhook URL; never serialised (it may carry a token).
    #[serde(skip)]
    pub webhook: Option<Secret>,
    /// Whether a webhook is set (for the templates).
    pub has_webhook: bool,
    /// CPU threshold, as written (`0.8`).
    pub cpu_threshold: String,
    /// Bound of each wait of the fire drill (seconds in templates).
    #[serde(serialize_with = "as_secs")]
    pub drill_timeout: Duration,
    /// `--exercice`: run the fire drill again.
    pub drill: bool,
}

/// Everything a run needs to know besides the project. Serialised into the
/// templates' context: it holds no secret value there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    /// Service images (overridable for private registries).
    pub images: Images,
    /// Prometheus as seen from the host.
    pub prometheus_url: String,
    /// Grafana as seen from the host.
    pub grafana_url: String,
    /// grafana.com (or a mirror) for dashboard downloads.
    pub grafana_com_url: String,
    /// The grafana.com dashboard id to import.
    pub dashboard_id: u32,
    /// How long to wait for every Prometheus target to be up (seconds in templates).
    #[serde(serialize_with = "as_secs")]
    pub targets_timeout: Duration,
    /// How long to wait for a service to answer after `up -d` (seconds in templates).
    #[serde(serialize_with = "as_secs")]
    pub ready_timeout: Duration,
    /// The gap between the two restart-count samples (seconds in templates).
    #[serde(serialize_with = "as_secs")]
    pub restart_sample_gap: Duration,
    /// The wanted Grafana admin password from the environment; never serialised.
    #[serde(skip)]
    pub grafana_password: Option<Secret>,
    /// A file holding the new Grafana admin password.
    pub grafana_password_file: Option<PathBuf>,
    /// Replace services that differ from the tutorial.
    pub force: bool,
    /// Only show the plan.
    pub dry_run: bool,
    /// Reset Grafana's admin password through its container.
    pub reset_grafana_password: bool,
    /// Where the services are deployed (`cible` in templates).
    #[serde(rename = "cible")]
    pub target: Target,
    /// The alerting part's settings.
    pub alerts: AlertSettings,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl Settings {
    /// Settings from the environment, command-line values taking precedence.
    pub fn resolve(opts: RunOptions) -> Result<Self> {
        let targets_timeout = match opts.targets_timeout_secs {
            Some(s) => Duration::from_secs(s),
            None => secs(TARGETS_TIMEOUT, DEFAULT_TARGETS_SECS)?,
        };
        let dashboard_id = match opts.dashboard_id {
            Some(id) => id,
            None => match var(DASHBOARD_ID) {
                Some(v) => v.parse().map_err(|_| {
                    Error::usage(format!(
                        "{} n'est pas un identifiant grafana.com",
                        shown(DASHBOARD_ID, &v)
                    ))
                    .with_hint("un nombre, par exemple 14282")
                })?,
                None => DEFAULT_DASHBOARD_ID,
            },
        };
        let target = match (&opts.target, var(TARGET)) {
            (Some(v), _) => Target::parse(v, "--cible")?,
            (None, Some(v)) => Target::parse(&v, &source_of(TARGET))?,
            (None, None) => Target::default(),
        };
        Ok(Settings {
            images: Images {
                prometheus: var_or(IMAGE_PROMETHEUS, DEFAULT_PROMETHEUS_IMAGE),
                grafana: var_or(IMAGE_GRAFANA, DEFAULT_GRAFANA_IMAGE),
                cadvisor: var_or(IMAGE_CADVISOR, DEFAULT_CADVISOR_IMAGE),
                alertmanager: var_or(IMAGE_ALERTMANAGER, DEFAULT_ALERTMANAGER_IMAGE),
            },
            prometheus_url: url(PROMETHEUS_URL, DEFAULT_PROMETHEUS_URL),
            grafana_url: url(GRAFANA_URL, DEFAULT_GRAFANA_URL),
            grafana_com_url: url(GRAFANA_COM_URL, DEFAULT_GRAFANA_COM_URL),
            dashboard_id,
            targets_timeout,
            ready_timeout: secs(READY_TIMEOUT, DEFAULT_READY_SECS)?,
            restart_sample_gap: restart_gap(),
            grafana_password: std::env::var(GRAFANA_PASSWORD)
                .ok()
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            grafana_password_file: opts.grafana_password_file,
            force: opts.force,
            dry_run: opts.dry_run,
            reset_grafana_password: opts.reset_grafana_password,
            target,
            alerts: AlertSettings {
                alertmanager_url: url(ALERTMANAGER_URL, DEFAULT_ALERTMANAGER_URL),
                email: var(ALERT_EMAIL),
                smtp: var(ALERT_SMTP),
                webhook: var(ALERT_WEBHOOK).map(Secret::new),
                has_webhook: var(ALERT_WEBHOOK).is_some(),
                cpu_threshold: var_or(ALERT_CPU_THRESHOLD, &DEFAULT_CPU_THRESHOLD.to_string()),
                drill_timeout: secs(DRILL_TIMEOUT, DEFAULT_DRILL_SECS)?,
                drill: opts.drill,
            },
        })
    }
}

/// The largest attachment accepted, in bytes (`JOURNAL_PIECE_JOINTE_MAX`, MiB).
pub fn attachment_max() -> Result<u64> {
    match var(ATTACHMENT_MAX) {
        None => Ok(20 * 1024 * 1024),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| n * 1024 * 1024)
            .ok_or_else(|| {
                Error::usage(format!(
                    "{} n'est pas un nombre de Mio",
                    shown(ATTACHMENT_MAX, &v)
                ))
                .with_hint(format!("par exemple {ATTACHMENT_MAX}=50"))
            }),
    }
}

/// `JOURNAL_DELAI_REDEMARRAGES`; an unreadable value keeps the default, as
/// before this variable was read here.
fn restart_gap() -> Duration {
    Duration::from_secs(
        var(RESTART_GAP)
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_RESTART_GAP_SECS),
    )
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
        const OTHERS: [&str; 8] = [
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
