//! What the HTTP adapters (Prometheus, Grafana, grafana.com) share: one
//! [`Endpoint`] (base URL, blocking client with its timeouts, French name and
//! hint) whose [`send`](Endpoint::send) is the only request path: send, read
//! the status and the body, translate transport errors into French. What a
//! status means stays with each adapter; [`body_message`] gives the text of an
//! error body.

use std::time::Duration;

use crate::error::{Error, Result};

/// One HTTP service: where it is, how to reach it, and how to name it in a
/// French error.
pub(crate) struct Endpoint {
    base: String,
    label: &'static str,
    hint: String,
    client: reqwest::blocking::Client,
}

/// A status and the body read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

impl Reply {
    /// The `message` of a JSON error body, or the body itself (shortened).
    pub(crate) fn message(&self) -> String {
        body_message(&self.body)
    }
}

impl Endpoint {
    /// `label` (« Prometheus ») at `base_url`, with the `hint` given when it
    /// does not answer; `timeouts` are the connect and total timeouts.
    pub(crate) fn new(
        label: &'static str,
        base_url: &str,
        timeouts: (Duration, Duration),
        hint: impl FnOnce(&str) -> String,
    ) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        Ok(Endpoint {
            hint: hint(&base),
            label,
            client: blocking_client(timeouts.0, timeouts.1)?,
            base,
        })
    }

    /// The base URL, without a trailing `/`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The hint for an unreachable service.
    pub(crate) fn hint(&self) -> String {
        self.hint.clone()
    }

    /// The full URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `method path` (with what `build` adds: query, authentication,
    /// body) and reads the answer; a transport error (refused, timeout…)
    /// becomes a French environment error naming the service.
    pub(crate) fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        build: impl FnOnce(reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder,
    ) -> Result<Reply> {
        let url = self.url(path);
        let failed = |e| transport_error(self.label, &url, e, self.hint());
        let request = build(self.client.request(method, &url))
            .build()
            .map_err(failed)?;
        super::trace::http(request.method().as_str(), request.url().as_str());
        let resp = self.client.execute(request).map_err(failed)?;
        let status = resp.status().as_u16();
        let body = resp.text().map_err(failed)?;
        super::trace::http_answer(status, &body);
        Ok(Reply { status, body })
    }

    /// `GET path` with a query string.
    pub(crate) fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Reply> {
        self.send(reqwest::Method::GET, path, |r| r.query(query))
    }
}

/// A plain `GET` of a full URL, for the HTTP checks of the steps: the
/// status and the body, or a French environment error when nothing answers.
pub trait HttpGet {
    /// `GET url`.
    fn get_url(&self, url: &str) -> Result<(u16, String)>;
}

/// [`HttpGet`] over reqwest, with the given timeouts; `label` names the
/// service in errors (« le service web »).
pub struct HttpChecker {
    label: &'static str,
    client: reqwest::blocking::Client,
}

impl HttpChecker {
    /// A checker for `label`, with connect and total timeouts.
    pub fn new(label: &'static str, connect: Duration, total: Duration) -> Result<Self> {
        Ok(HttpChecker {
            label,
            client: blocking_client(connect, total)?,
        })
    }
}

impl HttpGet for HttpChecker {
    fn get_url(&self, url: &str) -> Result<(u16, String)> {
        let hint = format!(
            "vérifiez que le service écoute sur le port {}",
            url_port(url)
        );
        let failed = |e| transport_error(self.label, url, e, hint.clone());
        let resp = self.client.get(url).send().map_err(failed)?;
        let status = resp.status().as_u16();
        let body = resp.text().map_err(failed)?;
        Ok((status, body))
    }
}

/// A blocking HTTP client with the given timeouts. Never call it from inside
/// a tokio runtime (reqwest's blocking client panics there).
fn blocking_client(connect: Duration, total: Duration) -> Result<reqwest::blocking::Client> {
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
fn url_port(url: &str) -> String {
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
fn transport_error(label: &str, url: &str, e: reqwest::Error, hint: String) -> Error {
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
