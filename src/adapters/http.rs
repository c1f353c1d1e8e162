//! What the HTTP adapters (Prometheus, Grafana, grafana.com) share: the
//! blocking client with its timeouts, and the translation of transport errors
//! and error bodies into French. No request is made here.

use std::time::Duration;

use crate::error::{Error, Result};

/// A blocking HTTP client with the given timeouts. Never call it from inside
/// a tokio runtime (reqwest's blocking client panics there).
pub(crate) fn blocking_client(
    connect: Duration,
    total: Duration,
) -> Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .connect_timeout(connect)
        .timeout(total)
        .user_agent(concat!("journal/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            Error::environment(format!("client HTTP impossible à initialiser : {e}")).with_source(e)
        })
}

/// The host port of a URL (for hints), e.g. 9090 for `http://localhost:9090`.
pub(crate) fn url_port(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.port_or_known_default())
        .map(|p| p.to_string())
        .unwrap_or_else(|| "?".into())
}

/// The standard hint for a compose service that does not answer.
pub(crate) fn service_hint(service: &str, base_url: &str) -> String {
    format!(
        "le service `{service}` est-il démarré et publie-t-il le port {} sur l'hôte ? \
         Vérifiez avec `docker compose ps {service}` puis `docker compose logs {service}`",
        url_port(base_url)
    )
}

/// Translates a transport error (refused, timeout…) into a French
/// environment error for `label` (« Prometheus ») at `url`, with `hint`.
pub(crate) fn transport_error(label: &str, url: &str, e: reqwest::Error, hint: String) -> Error {
    let what = if e.is_connect() {
        "connexion impossible (refusée ou hôte injoignable)"
    } else if e.is_timeout() {
        "délai de réponse dépassé"
    } else {
        "échange HTTP interrompu"
    };
    Error::environment(format!("{label} ne répond pas à {url} : {what}"))
        .with_hint(hint)
        .with_source(e.without_url())
}

/// The `message` field of a JSON error body, or the body itself (shortened).
pub(crate) fn body_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        for key in ["message", "error"] {
            if let Some(m) = v.get(key).and_then(|m| m.as_str()) {
                return m.to_string();
            }
        }
    }
    let t = body.trim();
    if t.chars().count() > 200 {
        format!("{}…", t.chars().take(200).collect::<String>())
    } else {
        t.to_string()
    }
}
