//! Run settings: images, URLs, timeouts and options, from the command line and
//! the environment (`JOURNAL_*`). Reading them has no side effect.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

/// Default images: the tutorial's tags.
pub const DEFAULT_PROMETHEUS_IMAGE: &str = "prom/prometheus:v2.47.1";
/// Grafana OSS, the tutorial's tag.
pub const DEFAULT_GRAFANA_IMAGE: &str = "grafana/grafana-oss:10.1.5";
/// cAdvisor, the tutorial's tag.
pub const DEFAULT_CADVISOR_IMAGE: &str = "gcr.io/cadvisor/cadvisor:v0.47.2";
/// The grafana.com dashboard imported by default: « Cadvisor exporter ».
pub const DEFAULT_DASHBOARD_ID: u32 = 14282;
/// The id the tutorial names, which is not a cAdvisor dashboard.
pub const TUTORIAL_DASHBOARD_ID: u32 = 13981;

/// The images of the part's services.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Images {
    /// Prometheus image.
    pub prometheus: String,
    /// Grafana image.
    pub grafana: String,
    /// cAdvisor image.
    pub cadvisor: String,
}

/// Everything a run needs to know besides the project.
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
    /// A file holding the new Grafana admin password.
    pub grafana_password_file: Option<PathBuf>,
    /// Replace services that differ from the tutorial.
    pub force: bool,
    /// Only show the plan.
    pub dry_run: bool,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

fn env_or(name: &str, default: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().to_string(),
        _ => default.to_string(),
    }
}

fn env_secs(name: &str, default: u64) -> Result<Duration> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim()
                .parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| {
                    Error::usage(format!("{name}=« {v} » n'est pas un nombre de secondes"))
                        .with_hint(format!("par exemple {name}={default}"))
                })
        }
        _ => Ok(Duration::from_secs(default)),
    }
}

impl Settings {
    /// Settings from the environment, with command-line values taking precedence.
    pub fn from_env(args: &crate::cli::RunArgs) -> Result<Self> {
        let mut targets_timeout = env_secs("JOURNAL_DELAI_CIBLES", 35)?;
        if let Some(s) = args.delai_cibles {
            targets_timeout = Duration::from_secs(s);
        }
        let dashboard_id = match args.dashboard {
            Some(id) => id,
            None => match std::env::var("JOURNAL_DASHBOARD_ID") {
                Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| {
                    Error::usage(format!(
                        "JOURNAL_DASHBOARD_ID=« {v} » n'est pas un identifiant grafana.com"
                    ))
                    .with_hint("un nombre, par exemple 14282")
                })?,
                _ => DEFAULT_DASHBOARD_ID,
            },
        };
        Ok(Settings {
            images: Images {
                prometheus: env_or("JOURNAL_IMAGE_PROMETHEUS", DEFAULT_PROMETHEUS_IMAGE),
                grafana: env_or("JOURNAL_IMAGE_GRAFANA", DEFAULT_GRAFANA_IMAGE),
                cadvisor: env_or("JOURNAL_IMAGE_CADVISOR", DEFAULT_CADVISOR_IMAGE),
            },
            prometheus_url: env_or("JOURNAL_PROMETHEUS_URL", "http://localhost:9090")
                .trim_end_matches('/')
                .to_string(),
            grafana_url: env_or("JOURNAL_GRAFANA_URL", "http://localhost:8084")
                .trim_end_matches('/')
                .to_string(),
            grafana_com_url: env_or("JOURNAL_GRAFANA_COM_URL", "https://grafana.com")
                .trim_end_matches('/')
                .to_string(),
            dashboard_id,
            targets_timeout,
            ready_timeout: env_secs("JOURNAL_DELAI_DEMARRAGE", 120)?,
            grafana_password_file: args.grafana_password_file.clone(),
            force: args.force,
            dry_run: args.dry_run,
        })
    }
}
