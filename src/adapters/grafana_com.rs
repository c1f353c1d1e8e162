//! grafana.com dashboard downloads (metadata and one revision's JSON) behind
//! the [`GrafanaCom`] trait, with a blocking reqwest implementation using
//! short timeouts (connect 5 s, total 20 s).
//!
//! An unreachable site (connection error, timeout, 5xx) is an
//! [`Kind::Environment`](crate::error::Kind) error, so the caller can fall
//! back to the embedded dashboard; an unknown id or a malformed answer is a
//! plain failure. It does not parse the dashboard itself.

use std::time::Duration;

use serde::Deserialize;

use super::http::Endpoint;
use crate::error::{Error, Result};

/// A dashboard's metadata on grafana.com.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DashboardMeta {
    /// The grafana.com id.
    #[serde(default)]
    pub id: u32,
    /// Its name (« Cadvisor exporter »).
    pub name: String,
    /// Latest revision number.
    pub revision: u32,
}

/// What the dashboard step needs from grafana.com.
pub trait GrafanaCom {
    /// `GET /api/dashboards/<id>`.
    fn dashboard_meta(&self, id: u32) -> Result<DashboardMeta>;
    /// `GET /api/dashboards/<id>/revisions/<rev>/download`: the raw JSON text.
    fn download(&self, id: u32, revision: u32) -> Result<String>;
}

/// Parses the metadata answer.
pub fn parse_meta(body: &str) -> Result<DashboardMeta> {
    serde_json::from_str(body)
        .map_err(|e| Error::failed(format!("réponse de grafana.com illisible : {e}")))
}

/// [`GrafanaCom`] over HTTP(S).
pub struct HttpGrafanaCom {
    http: Endpoint,
}

impl HttpGrafanaCom {
    /// A client for `base_url` (`https://grafana.com` or a mirror).
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(HttpGrafanaCom {
            http: Endpoint::new(
                "grafana.com",
                base_url,
                (Duration::from_secs(5), Duration::from_secs(20)),
                |base| {
                    format!(
                        "cette machine a-t-elle accès à {base} ? Derrière un proxy, définissez \
                         HTTPS_PROXY ; un miroir se choisit avec JOURNAL_GRAFANA_COM_URL"
                    )
                },
            )?,
        })
    }

    fn get(&self, path: &str, id: u32) -> Result<String> {
        let reply = self.http.get(path, &[])?;
        let base = self.http.base();
        match reply.status {
            200 => Ok(reply.body),
            404 => Err(Error::usage(format!(
                "le tableau de bord {id} n'existe pas sur {base} (404)"
            ))
            .with_hint("vérifiez l'identifiant passé à --dashboard (par défaut 14282, « Cadvisor exporter »)")),
            s if s >= 500 || s == 429 => Err(Error::environment(format!(
                "grafana.com indisponible ({s}) : {}",
                reply.message()
            ))
            .with_hint(self.http.hint())),
            s => Err(Error::failed(format!(
                "grafana.com a répondu {s} pour {} : {}",
                self.http.url(path),
                reply.message()
            ))),
        }
    }
}

impl GrafanaCom for HttpGrafanaCom {
    fn dashboard_meta(&self, id: u32) -> Result<DashboardMeta> {
        parse_meta(&self.get(&format!("/api/dashboards/{id}"), id)?)
    }

    fn download(&self, id: u32, revision: u32) -> Result<String> {
        self.get(
            &format!("/api/dashboards/{id}/revisions/{revision}/download"),
            id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Kind;

    #[test]
    fn parses_metadata() {
        let m = parse_meta(r#"{"id":14282,"status":1,"name":"Cadvisor exporter","revision":1,"downloads":12345,"datasource":"Prometheus","json":{"title":"Cadvisor exporter"}}"#).unwrap();
        assert_eq!(m.id, 14282);
        assert_eq!(m.name, "Cadvisor exporter");
        assert_eq!(m.revision, 1);
    }

    #[test]
    fn unreachable_site_is_an_environment_error() {
        let c = HttpGrafanaCom::new("http://127.0.0.1:9").unwrap();
        let e = c.dashboard_meta(14282).unwrap_err();
        assert_eq!(e.kind(), Kind::Environment);
        assert!(e.hint().unwrap().contains("JOURNAL_GRAFANA_COM_URL"));
    }
}
