//! Alertmanager's HTTP API v2 (readiness, status, alerts) behind the
//! [`AlertmanagerApi`] trait, with a blocking implementation over the shared
//! [`Endpoint`]. It does not wait or decide anything: the steps do.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};

use super::http::{Endpoint, service_hint};

/// What the steps need from Alertmanager.
pub trait AlertmanagerApi {
    /// `GET /-/ready`: `Ok(())` once Alertmanager serves its API.
    fn ready(&self) -> Result<()>;
    /// `GET /api/v2/status`: version, uptime, cluster.
    fn status(&self) -> Result<AmStatus>;
    /// `GET /api/v2/alerts`: the alerts Alertmanager holds (active ones).
    fn alerts(&self) -> Result<Vec<AmAlert>>;
}

/// What `/api/v2/status` says (the configuration text is left out: it may
/// hold a receiver's address).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AmStatus {
    /// `versionInfo.version`.
    pub version: String,
    /// `uptime` (RFC 3339).
    pub uptime: String,
    /// `cluster.status` (`disabled` on a single host without gossip).
    pub cluster: String,
}

/// One alert of `/api/v2/alerts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AmAlert {
    /// Labels (`alertname`, `severity`…).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `startsAt` (RFC 3339).
    #[serde(default, rename = "startsAt")]
    pub starts_at: String,
    /// `endsAt` (RFC 3339).
    #[serde(default, rename = "endsAt")]
    pub ends_at: String,
    /// `status.state`: `active`, `suppressed` or `unprocessed`.
    #[serde(default)]
    pub status: AmAlertStatus,
}

/// The `status` object of an alert.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct AmAlertStatus {
    /// `active`, `suppressed` or `unprocessed`.
    #[serde(default)]
    pub state: String,
}

#[derive(Deserialize)]
struct RawStatus {
    #[serde(default)]
    uptime: String,
    #[serde(default, rename = "versionInfo")]
    version_info: BTreeMap<String, String>,
    #[serde(default)]
    cluster: serde_json::Value,
}

fn unreadable(what: &str, e: serde_json::Error) -> Error {
    Error::failed(format!("réponse d'Alertmanager illisible ({what}) : {e}"))
        .with_hint("l'adresse JOURNAL_ALERTMANAGER_URL désigne-t-elle bien Alertmanager ?")
}

/// Parses a `/api/v2/status` body.
pub fn parse_status(body: &str) -> Result<AmStatus> {
    let raw: RawStatus = serde_json::from_str(body).map_err(|e| unreadable("statut", e))?;
    Ok(AmStatus {
        version: raw.version_info.get("version").cloned().unwrap_or_default(),
        uptime: raw.uptime,
        cluster: raw
            .cluster
            .get("status")
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .to_string(),
    })
}

/// Parses a `/api/v2/alerts` body.
pub fn parse_alerts(body: &str) -> Result<Vec<AmAlert>> {
    serde_json::from_str(body).map_err(|e| unreadable("alertes", e))
}

/// [`AlertmanagerApi`] over HTTP.
pub struct HttpAlertmanager {
    http: Endpoint,
}

impl HttpAlertmanager {
    /// A client for Alertmanager at `base_url` (e.g. `http://localhost:9093`).
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(HttpAlertmanager {
            http: Endpoint::new(
                "Alertmanager",
                base_url,
                (Duration::from_secs(5), Duration::from_secs(20)),
                |base| service_hint("alertmanager", base),
            )?,
        })
    }

    fn get_ok(&self, path: &str) -> Result<String> {
        let reply = self.http.get(path, &[])?;
        if reply.status == 200 {
            return Ok(reply.body);
        }
        Err(Error::environment(format!(
            "Alertmanager a répondu {} sur {path} : {}",
            reply.status,
            reply.message()
        ))
        .with_hint(self.http.hint()))
    }
}

impl AlertmanagerApi for HttpAlertmanager {
    fn ready(&self) -> Result<()> {
        self.get_ok("/-/ready").map(|_| ())
    }

    fn status(&self) -> Result<AmStatus> {
        parse_status(&self.get_ok("/api/v2/status")?)
    }

    fn alerts(&self) -> Result<Vec<AmAlert>> {
        parse_alerts(&self.get_ok("/api/v2/alerts")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_without_the_configuration() {
        let s = parse_status(r#"{"cluster":{"peers":[],"status":"disabled"},"config":{"original":"route: {receiver: secret-hook}"},"uptime":"2026-11-25T02:21:42.906Z","versionInfo":{"branch":"debian/sid","version":"0.25.0"}}"#).unwrap();
        assert_eq!(s.version, "0.25.0");
        assert_eq!(s.cluster, "disabled");
        assert!(!format!("{s:?}").contains("secret-hook"));
    }

    #[test]
    fn parses_alerts() {
        let a = parse_alerts(r#"[{"annotations":{"summary":"x"},"endsAt":"2026-11-25T02:30:00.000Z","fingerprint":"1","receivers":[{"name":"defaut"}],"startsAt":"2026-11-25T02:26:00.000Z","status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},"updatedAt":"2026-11-25T02:26:00.000Z","labels":{"alertname":"ExerciceAlerte","exercice":"oui"}}]"#).unwrap();
        assert_eq!(a[0].labels["alertname"], "ExerciceAlerte");
        assert_eq!(a[0].status.state, "active");
    }
}
