//! The settings of one run: what `journal run` was asked ([`RunOptions`]),
//! the target, the images, and the [`Settings`] resolved from them, the
//! environment and `journal.toml`.

use std::path::PathBuf;
use std::time::Duration;

use super::alerts::AlertSettings;
use super::*;
use crate::error::{Error, Result};
use crate::secrets::Secret;

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
    /// `--strict`: a known incompatibility refuses the run (exit 2).
    pub strict: bool,
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
    /// The host ports of the services (`ports` in templates).
    pub ports: Ports,
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
    /// Refuse the run (exit 2) on a known engine/image incompatibility
    /// instead of a warning.
    pub strict: bool,
    /// Reset Grafana's admin password through its container.
    pub reset_grafana_password: bool,
    /// Where the services are deployed (`cible` in templates).
    #[serde(rename = "cible")]
    pub target: Target,
    /// The alerting part's settings.
    pub alerts: AlertSettings,
}

impl Settings {
    /// Settings from the environment, command-line values taking precedence.
    pub fn resolve(opts: RunOptions) -> Result<Self> {
        let targets_timeout = match opts.targets_timeout_secs {
            Some(s) => Duration::from_secs(s),
            None => secs(TARGETS_TIMEOUT)?,
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
        let ports = Ports::resolve()?;
        let localhost = |port: u16| format!("http://localhost:{port}");
        Ok(Settings {
            images: Images {
                prometheus: var_or_default(IMAGE_PROMETHEUS),
                grafana: var_or_default(IMAGE_GRAFANA),
                cadvisor: var_or_default(IMAGE_CADVISOR),
                alertmanager: var_or_default(IMAGE_ALERTMANAGER),
            },
            prometheus_url: url_or(PROMETHEUS_URL, &localhost(ports.prometheus)),
            grafana_url: url_or(GRAFANA_URL, &localhost(ports.grafana)),
            ports,
            grafana_com_url: url(GRAFANA_COM_URL),
            dashboard_id,
            targets_timeout,
            ready_timeout: secs(READY_TIMEOUT)?,
            restart_sample_gap: restart_gap(),
            grafana_password: env_only(GRAFANA_PASSWORD).map(Secret::new),
            grafana_password_file: opts.grafana_password_file,
            force: opts.force,
            dry_run: opts.dry_run,
            strict: opts.strict,
            reset_grafana_password: opts.reset_grafana_password,
            target,
            alerts: AlertSettings {
                alertmanager_url: url_or(ALERTMANAGER_URL, &localhost(ports.alertmanager)),
                email: var(ALERT_EMAIL),
                smtp: var(ALERT_SMTP),
                webhook: var(ALERT_WEBHOOK).map(Secret::new),
                has_webhook: var(ALERT_WEBHOOK).is_some(),
                cpu_threshold: var_or_default(ALERT_CPU_THRESHOLD),
                drill_timeout: secs(DRILL_TIMEOUT)?,
                drill: opts.drill,
            },
        })
    }
}

/// The host ports the part's services are published on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Ports {
    pub prometheus: u16,
    pub grafana: u16,
    pub alertmanager: u16,
}

impl Default for Ports {
    fn default() -> Self {
        Ports::DEFAULT
    }
}

impl Ports {
    /// The tutorial's ports, from the registry's defaults (each written once,
    /// as text) turned into numbers at compile time: nothing is looked up or
    /// parsed at run time.
    pub const DEFAULT: Ports = Ports {
        prometheus: parse_u32(DEFAULT_PORT_PROMETHEUS) as u16,
        grafana: parse_u32(DEFAULT_PORT_GRAFANA) as u16,
        alertmanager: parse_u32(DEFAULT_PORT_ALERTMANAGER) as u16,
    };

    /// `JOURNAL_PORT_*`, each a port from 1 to 65535.
    pub fn resolve() -> Result<Self> {
        Ok(Ports {
            prometheus: port(PORT_PROMETHEUS)?,
            grafana: port(PORT_GRAFANA)?,
            alertmanager: port(PORT_ALERTMANAGER)?,
        })
    }
}

/// The variable that sets the host port of the tutorial's service `service`.
pub fn port_var(service: &str) -> Option<&'static str> {
    match service {
        "prometheus" => Some(PORT_PROMETHEUS),
        "grafana" => Some(PORT_GRAFANA),
        "alertmanager" => Some(PORT_ALERTMANAGER),
        _ => None,
    }
}

fn port(name: &str) -> Result<u16> {
    let default: u16 = default_of(name).parse().unwrap_or_default();
    match var(name) {
        Some(v) => v.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
            Error::usage(format!("{} n'est pas un port (1 à 65535)", shown(name, &v)))
                .with_hint(format!("par exemple {name}={}", default.saturating_add(1)))
        }),
        None => Ok(default),
    }
}

/// The largest attachment accepted, in bytes (`JOURNAL_PIECE_JOINTE_MAX`, MiB).
pub fn attachment_max() -> Result<u64> {
    match var(ATTACHMENT_MAX) {
        None => Ok(default_of(ATTACHMENT_MAX).parse::<u64>().unwrap_or(20) * 1024 * 1024),
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
            .unwrap_or_else(|| default_of(RESTART_GAP).parse().unwrap_or(5)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_ports_are_the_registry_defaults() {
        let registry = |name| default_of(name).parse::<u16>().unwrap();
        let d = Ports::default();
        assert_eq!(d.prometheus, registry(PORT_PROMETHEUS));
        assert_eq!(d.grafana, registry(PORT_GRAFANA));
        assert_eq!(d.alertmanager, registry(PORT_ALERTMANAGER));
        assert_eq!(
            (d.prometheus, d.grafana, d.alertmanager),
            (9090, 8084, 9093)
        );
    }
}
