//! Grafana HTTP API (health, admin password, data sources, dashboard import
//! and search, organization annotations) behind the [`GrafanaApi`] trait, with a blocking reqwest
//! implementation ([`HttpGrafana`]) using basic authentication.
//!
//! Statuses and messages are mapped as Grafana 10.1 answers them (see the
//! project's grafana-api reference): bad credentials (400 or 401), account
//! locked (`login-attempt.blocked`), 409 on a duplicate name, 500 on an
//! unknown data source uid, health 400 `{"status":"ERROR"}`.
//! It never logs or formats a password, and it never retries a login.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::http::{Endpoint, body_message, service_hint};
use crate::error::{Error, Result};
use crate::secrets::Secret;

/// The admin user Grafana creates on first start.
pub const ADMIN_USER: &str = "admin";

/// A Grafana login. The password is a [`Secret`]: it never shows in text.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user name (`admin`).
    pub user: String,
    /// The password.
    pub password: Secret,
}

impl Credentials {
    /// `admin` with `password`.
    pub fn admin(password: Secret) -> Self {
        Credentials {
            user: ADMIN_USER.to_string(),
            password,
        }
    }
}

/// `GET /api/health`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GrafanaHealth {
    /// `ok` or `failing`.
    #[serde(default)]
    pub database: String,
    /// Grafana version (absent when hidden).
    #[serde(default)]
    pub version: Option<String>,
    /// Commit (absent when hidden).
    #[serde(default)]
    pub commit: Option<String>,
}

/// The outcome of a login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// The credentials work.
    Valid,
    /// Grafana refused them (400/401 `password-auth.*`, « Invalid username or password »).
    BadCredentials,
    /// Too many failed logins: the account is locked for up to 5 minutes.
    Blocked,
}

/// A data source as Grafana returns it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Datasource {
    /// Numeric id.
    #[serde(default)]
    pub id: i64,
    /// Stable uid.
    pub uid: String,
    /// Name.
    pub name: String,
    /// Plugin type (`prometheus`).
    #[serde(rename = "type")]
    pub kind: String,
    /// `proxy` (server) or `direct` (browser).
    #[serde(default)]
    pub access: String,
    /// URL as seen from Grafana.
    #[serde(default)]
    pub url: String,
    /// Default data source.
    #[serde(default, rename = "isDefault")]
    pub is_default: bool,
    /// Plugin settings.
    #[serde(default, rename = "jsonData")]
    pub json_data: Value,
    /// Optimistic-lock version.
    #[serde(default)]
    pub version: Option<i64>,
    /// Provisioned (cannot be changed through the API).
    #[serde(default, rename = "readOnly")]
    pub read_only: bool,
}

/// The body of a data source creation or update.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DatasourceSpec {
    /// Name.
    pub name: String,
    /// Plugin type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Access mode.
    pub access: String,
    /// URL as seen from Grafana.
    pub url: String,
    /// Default data source.
    #[serde(rename = "isDefault")]
    pub is_default: bool,
    /// Plugin settings.
    #[serde(rename = "jsonData")]
    pub json_data: Value,
}

/// The outcome of a creation.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// Created.
    Created(Datasource),
    /// 409: a data source with this name (or uid) already exists.
    Conflict(String),
}

/// `GET /api/datasources/uid/:uid/health` (« Save & test »).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DatasourceHealth {
    /// `OK`, `ERROR` or `UNKNOWN`.
    pub status: String,
    /// Grafana's message.
    #[serde(default)]
    pub message: String,
}

/// `POST /api/dashboards/import` response.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct ImportResponse {
    /// Dashboard uid.
    pub uid: String,
    /// Title.
    pub title: String,
    /// `/d/<uid>/<slug>`.
    #[serde(rename = "importedUrl")]
    pub imported_url: String,
    /// Slug.
    pub slug: String,
    /// Numeric id.
    #[serde(rename = "dashboardId")]
    pub dashboard_id: i64,
    /// The JSON's `revision`.
    pub revision: i64,
    /// Whether it was imported.
    pub imported: bool,
}

/// One `/api/search` hit.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SearchHit {
    /// Numeric id.
    #[serde(default)]
    pub id: i64,
    /// Uid.
    pub uid: String,
    /// Title.
    pub title: String,
    /// `/d/<uid>/<slug>`.
    #[serde(default)]
    pub url: String,
    /// `dash-db` or `dash-folder`.
    #[serde(default, rename = "type")]
    pub kind: String,
}

/// `GET /api/dashboards/uid/:uid`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredDashboard {
    /// The dashboard JSON as saved.
    pub dashboard: Value,
    /// Metadata (`url`, `slug`, `version`…).
    #[serde(default)]
    pub meta: Value,
}

/// An organization annotation as Grafana returns it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Annotation {
    /// Its id.
    #[serde(default)]
    pub id: i64,
    /// Start, in milliseconds since the Unix epoch.
    #[serde(default)]
    pub time: i64,
    /// End, in milliseconds.
    #[serde(default, rename = "timeEnd")]
    pub time_end: i64,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Text.
    #[serde(default)]
    pub text: String,
}

/// The body of an annotation creation or update (no dashboard: shown on
/// every dashboard whose annotation query filters on its tags).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnnotationSpec {
    /// Start, in milliseconds since the Unix epoch.
    pub time: i64,
    /// End, in milliseconds.
    #[serde(rename = "timeEnd")]
    pub time_end: i64,
    /// Tags.
    pub tags: Vec<String>,
    /// Text.
    pub text: String,
}

/// What the steps need from Grafana.
pub trait GrafanaApi {
    /// `GET /api/health` (no authentication).
    fn health(&self) -> Result<GrafanaHealth>;
    /// One login attempt with `creds` (`GET /api/user`). Never retried.
    fn authenticate(&self, creds: &Credentials) -> Result<AuthOutcome>;
    /// `PUT /api/user/password`, authenticated as `user` with `old`.
    fn change_password(&self, user: &str, old: &Secret, new: &Secret) -> Result<()>;
    /// `GET /api/datasources/name/:name` (`None` on 404).
    fn datasource_by_name(&self, name: &str) -> Result<Option<Datasource>>;
    /// `POST /api/datasources`.
    fn create_datasource(&self, spec: &DatasourceSpec) -> Result<Created>;
    /// `PUT /api/datasources/uid/:uid`.
    fn update_datasource(&self, uid: &str, spec: &DatasourceSpec) -> Result<Datasource>;
    /// `GET /api/datasources/uid/:uid/health`.
    fn datasource_health(&self, uid: &str) -> Result<DatasourceHealth>;
    /// `POST /api/dashboards/import` with `body` (dashboard, overwrite, inputs).
    fn import_dashboard(&self, body: &Value) -> Result<ImportResponse>;
    /// `GET /api/search?query=<q>&type=dash-db`.
    fn search_dashboards(&self, query: &str) -> Result<Vec<SearchHit>>;
    /// `GET /api/dashboards/uid/:uid` (`None` on 404).
    fn dashboard_by_uid(&self, uid: &str) -> Result<Option<StoredDashboard>>;
    /// `GET /api/annotations?tags=…&type=annotation`: the annotations with
    /// every tag of `tags`.
    fn annotations_tagged(&self, tags: &[String]) -> Result<Vec<Annotation>>;
    /// `POST /api/annotations`: the new annotation's id.
    fn create_annotation(&self, spec: &AnnotationSpec) -> Result<i64>;
    /// `PATCH /api/annotations/:id`.
    fn update_annotation(&self, id: i64, spec: &AnnotationSpec) -> Result<()>;
}

/// How Grafana qualified a refused request, from its status and body.
pub fn classify_auth_failure(status: u16, body: &str) -> Option<AuthOutcome> {
    if status != 400 && status != 401 {
        return None;
    }
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let id = v.get("messageId").and_then(Value::as_str).unwrap_or("");
    let msg = v
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or(body)
        .to_lowercase();
    if id == "login-attempt.blocked" || msg.contains("temporarily blocked") {
        return Some(AuthOutcome::Blocked);
    }
    if id.starts_with("password-auth.")
        || id.starts_with("login-attempt.")
        || msg.contains("invalid username or password")
        || (status == 401 && (msg.contains("unauthorized") || msg.is_empty()))
    {
        return Some(AuthOutcome::BadCredentials);
    }
    None
}

/// The French error for a locked `admin` account.
pub fn blocked_error() -> Error {
    Error::failed(
        "Grafana a bloqué le compte « admin » après trop d'échecs de connexion : \
         compte bloqué jusqu'à 5 minutes",
    )
    .with_hint(
        "attendez 5 minutes sans aucune tentative de connexion (navigateur compris), \
         puis relancez `journal run partie-6`",
    )
}

fn bad_credentials_error(user: &str) -> Error {
    Error::failed(format!(
        "Grafana refuse les identifiants de « {user} » enregistrés par l'étape du mot de passe"
    ))
    .with_hint(
        "le mot de passe a-t-il été changé depuis ? Relancez `journal run partie-6` : \
         l'étape « mot de passe » le vérifiera (sans boucle, pour ne pas bloquer le compte)",
    )
}

/// [`GrafanaApi`] over HTTP, with optional basic-auth credentials.
pub struct HttpGrafana {
    http: Endpoint,
    creds: Option<Credentials>,
}

impl HttpGrafana {
    /// A client for Grafana at `base_url` (e.g. `http://localhost:8084`).
    pub fn new(base_url: &str, creds: Option<Credentials>) -> Result<Self> {
        Ok(HttpGrafana {
            http: Endpoint::new(
                "Grafana",
                base_url,
                (Duration::from_secs(5), Duration::from_secs(30)),
                |base| service_hint("grafana", base),
            )?,
            creds,
        })
    }

    fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        creds: Option<&Credentials>,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<(u16, String)> {
        let reply = self.http.send(method, path, |mut req| {
            req = req.query(query);
            if let Some(c) = creds {
                req = req.basic_auth(&c.user, Some(c.password.expose()));
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            req
        })?;
        Ok((reply.status, reply.body))
    }

    /// An authenticated call with the client's credentials; bad credentials
    /// and a locked account become French errors.
    fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<(u16, String)> {
        let (status, text) = self.send(method, path, self.creds.as_ref(), query, body)?;
        match classify_auth_failure(status, &text) {
            Some(AuthOutcome::Blocked) => Err(blocked_error()),
            Some(AuthOutcome::BadCredentials) => Err(bad_credentials_error(
                self.creds.as_ref().map_or(ADMIN_USER, |c| c.user.as_str()),
            )),
            _ => Ok((status, text)),
        }
    }

    /// `GET path`: the parsed body on 200, `None` on 404 (Grafana's « not
    /// found »), a French error otherwise.
    fn get_optional<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        what: &str,
        action: &str,
    ) -> Result<Option<T>> {
        let (status, body) = self.call(reqwest::Method::GET, path, &[], None)?;
        match status {
            200 => parse(what, &body).map(Some),
            404 => Ok(None),
            _ => Err(self.unexpected(action, status, &body)),
        }
    }

    fn unexpected(&self, what: &str, status: u16, body: &str) -> Error {
        let e = Error::failed(format!(
            "Grafana a répondu {status} ({what}) : {}",
            body_message(body)
        ));
        if status >= 500 {
            e.with_hint(format!(
                "consultez les journaux de Grafana : `docker compose logs grafana` ({})",
                self.http.base()
            ))
        } else {
            e
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(what: &str, body: &str) -> Result<T> {
    serde_json::from_str(body)
        .map_err(|e| Error::failed(format!("réponse de Grafana illisible ({what}) : {e}")))
}

/// Parses the body of a successful data source creation (`datasource` DTO).
pub fn parse_created_datasource(body: &str) -> Result<Datasource> {
    #[derive(Deserialize)]
    struct Added {
        datasource: Datasource,
    }
    parse::<Added>("création de la source de données", body).map(|a| a.datasource)
}

impl GrafanaApi for HttpGrafana {
    fn health(&self) -> Result<GrafanaHealth> {
        let (status, body) = self.send(reqwest::Method::GET, "/api/health", None, &[], None)?;
        if status == 200 {
            return parse("santé", &body);
        }
        Err(Error::environment(format!(
            "Grafana n'est pas prêt ({status} : {})",
            body_message(&body)
        ))
        .with_hint(self.http.hint()))
    }

    fn authenticate(&self, creds: &Credentials) -> Result<AuthOutcome> {
        let (status, body) =
            self.send(reqwest::Method::GET, "/api/user", Some(creds), &[], None)?;
        if status == 200 {
            return Ok(AuthOutcome::Valid);
        }
        match classify_auth_failure(status, &body) {
            Some(outcome) => Ok(outcome),
            None => Err(self.unexpected("vérification des identifiants", status, &body)),
        }
    }

    fn change_password(&self, user: &str, old: &Secret, new: &Secret) -> Result<()> {
        let creds = Credentials {
            user: user.to_string(),
            password: old.clone(),
        };
        let body = serde_json::json!({
            "oldPassword": old.expose(),
            "newPassword": new.expose(),
            "confirmNew": new.expose(),
        });
        let (status, text) = self.send(
            reqwest::Method::PUT,
            "/api/user/password",
            Some(&creds),
            &[],
            Some(&body),
        )?;
        let msg = body_message(&text);
        match status {
            200 => Ok(()),
            401 if msg.contains("Invalid old password") => Err(Error::failed(
                "Grafana refuse l'ancien mot de passe lors du changement (« Invalid old password »)",
            )),
            400 if msg.contains("too short") => Err(Error::usage(
                "Grafana refuse le nouveau mot de passe : trop court (5 caractères au minimum)",
            )
            .with_hint("choisissez un mot de passe d'au moins 12 caractères")),
            _ => match classify_auth_failure(status, &text) {
                Some(AuthOutcome::Blocked) => Err(blocked_error()),
                Some(_) => Err(bad_credentials_error(user)),
                None => Err(self.unexpected("changement du mot de passe", status, &text)),
            },
        }
    }

    fn datasource_by_name(&self, name: &str) -> Result<Option<Datasource>> {
        let path = format!("/api/datasources/name/{}", encode_path(name));
        self.get_optional(
            &path,
            "source de données",
            "lecture de la source de données",
        )
    }

    fn create_datasource(&self, spec: &DatasourceSpec) -> Result<Created> {
        let body = serde_json::to_value(spec).expect("serializable");
        let (status, text) =
            self.call(reqwest::Method::POST, "/api/datasources", &[], Some(&body))?;
        match status {
            200 => parse_created_datasource(&text).map(Created::Created),
            409 => Ok(Created::Conflict(body_message(&text))),
            _ => Err(self.unexpected("création de la source de données", status, &text)),
        }
    }

    fn update_datasource(&self, uid: &str, spec: &DatasourceSpec) -> Result<Datasource> {
        let body = serde_json::to_value(spec).expect("serializable");
        let path = format!("/api/datasources/uid/{}", encode_path(uid));
        let (status, text) = self.call(reqwest::Method::PUT, &path, &[], Some(&body))?;
        match status {
            200 => parse_created_datasource(&text),
            403 => Err(Error::failed(format!(
                "Grafana refuse de modifier la source de données : {}",
                body_message(&text)
            ))
            .with_hint(
                "elle est provisionnée (fichier de provisioning de Grafana) : modifiez ce fichier \
                 plutôt que l'API",
            )),
            _ => Err(self.unexpected("mise à jour de la source de données", status, &text)),
        }
    }

    fn datasource_health(&self, uid: &str) -> Result<DatasourceHealth> {
        let path = format!("/api/datasources/uid/{}/health", encode_path(uid));
        let (status, text) = self.call(reqwest::Method::GET, &path, &[], None)?;
        match status {
            // 400 carries {"status":"ERROR","message":…}: a test result, not a transport failure.
            200 | 400 if text.contains("\"status\"") => {
                parse("test de la source de données", &text)
            }
            _ => Err(self.unexpected("test de la source de données", status, &text)),
        }
    }

    fn import_dashboard(&self, body: &Value) -> Result<ImportResponse> {
        let (status, text) = self.call(
            reqwest::Method::POST,
            "/api/dashboards/import",
            &[],
            Some(body),
        )?;
        match status {
            200 => parse("import du tableau de bord", &text),
            _ => Err(self.unexpected("import du tableau de bord", status, &text)),
        }
    }

    fn search_dashboards(&self, query: &str) -> Result<Vec<SearchHit>> {
        let (status, text) = self.call(
            reqwest::Method::GET,
            "/api/search",
            &[("query", query), ("type", "dash-db")],
            None,
        )?;
        match status {
            200 => parse("recherche de tableaux de bord", &text),
            _ => Err(self.unexpected("recherche de tableaux de bord", status, &text)),
        }
    }

    fn dashboard_by_uid(&self, uid: &str) -> Result<Option<StoredDashboard>> {
        let path = format!("/api/dashboards/uid/{}", encode_path(uid));
        self.get_optional(&path, "tableau de bord", "lecture du tableau de bord")
    }

    fn annotations_tagged(&self, tags: &[String]) -> Result<Vec<Annotation>> {
        let mut query: Vec<(&str, &str)> = vec![("type", "annotation"), ("limit", "100")];
        query.extend(tags.iter().map(|t| ("tags", t.as_str())));
        let (status, text) = self.call(reqwest::Method::GET, "/api/annotations", &query, None)?;
        match status {
            200 => parse("annotations", &text),
            _ => Err(self.unexpected("lecture des annotations", status, &text)),
        }
    }

    fn create_annotation(&self, spec: &AnnotationSpec) -> Result<i64> {
        #[derive(Deserialize)]
        struct Added {
            id: i64,
        }
        let body = serde_json::to_value(spec).expect("serialisable");
        let (status, text) =
            self.call(reqwest::Method::POST, "/api/annotations", &[], Some(&body))?;
        match status {
            200 => parse::<Added>("annotation créée", &text).map(|a| a.id),
            _ => Err(self.unexpected("création de l'annotation", status, &text)),
        }
    }

    fn update_annotation(&self, id: i64, spec: &AnnotationSpec) -> Result<()> {
        let body = serde_json::to_value(spec).expect("serialisable");
        let path = format!("/api/annotations/{id}");
        let (status, text) = self.call(reqwest::Method::PATCH, &path, &[], Some(&body))?;
        match status {
            200 => Ok(()),
            _ => Err(self.unexpected("mise à jour de l'annotation", status, &text)),
        }
    }
}

/// Percent-encodes a path segment (names may contain spaces).
fn encode_path(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_credentials_are_recognised_for_400_and_401() {
        let b = r#"{"message":"Invalid username or password","messageId":"password-auth.failed","statusCode":401,"traceID":""}"#;
        assert_eq!(
            classify_auth_failure(401, b),
            Some(AuthOutcome::BadCredentials)
        );
        assert_eq!(
            classify_auth_failure(400, b),
            Some(AuthOutcome::BadCredentials)
        );
        // Legacy path: lowercase message only.
        assert_eq!(
            classify_auth_failure(401, r#"{"message":"invalid username or password"}"#),
            Some(AuthOutcome::BadCredentials)
        );
        // A bad-request that is not about credentials.
        assert_eq!(
            classify_auth_failure(400, r#"{"message":"bad request data"}"#),
            None
        );
        assert_eq!(classify_auth_failure(500, b), None);
    }

    #[test]
    fn blocked_account_is_recognised_and_mentions_five_minutes() {
        let b = r#"{"message":"Invalid username or password","messageId":"login-attempt.blocked","statusCode":401,"traceID":""}"#;
        assert_eq!(classify_auth_failure(401, b), Some(AuthOutcome::Blocked));
        assert!(blocked_error().message().contains("5 minutes"));
    }

    #[test]
    fn parses_datasource_payloads() {
        let created = r#"{"message":"Datasource added","id":1,"name":"Prometheus","datasource":{"id":1,"uid":"P1809F7CD0C75ACF3","orgId":1,"name":"Prometheus","type":"prometheus","typeLogoUrl":"","access":"proxy","url":"http://prometheus:9090","user":"","database":"","basicAuth":false,"basicAuthUser":"","withCredentials":false,"isDefault":true,"jsonData":{"httpMethod":"POST"},"secureJsonFields":{},"version":1,"readOnly":false}}"#;
        let ds = parse_created_datasource(created).unwrap();
        assert_eq!(ds.uid, "P1809F7CD0C75ACF3");
        assert_eq!(ds.kind, "prometheus");
        assert_eq!(ds.url, "http://prometheus:9090");
        assert!(ds.is_default);
        assert_eq!(ds.json_data["httpMethod"], "POST");
        let h: DatasourceHealth = serde_json::from_str(
            r#"{"status":"ERROR","message":"Post \"http://prometheus:9090/api/v1/query\": dial tcp: lookup prometheus: no such host - There was an error returned querying the Prometheus API."}"#,
        )
        .unwrap();
        assert_eq!(h.status, "ERROR");
        assert!(h.message.contains("no such host"));
    }

    #[test]
    fn parses_import_and_search_payloads() {
        let r: ImportResponse = serde_json::from_str(r#"{"uid":"pMEd7m0Mz","pluginId":"","title":"Cadvisor exporter","imported":true,"importedUri":"db/cadvisor-exporter","importedUrl":"/d/pMEd7m0Mz/cadvisor-exporter","slug":"cadvisor-exporter","dashboardId":3,"folderId":0,"folderUid":"","importedRevision":0,"revision":1,"description":"","path":"","removed":false}"#).unwrap();
        assert_eq!(r.imported_url, "/d/pMEd7m0Mz/cadvisor-exporter");
        assert_eq!(r.dashboard_id, 3);
        let hits: Vec<SearchHit> = serde_json::from_str(r#"[{"id":3,"uid":"pMEd7m0Mz","title":"Cadvisor exporter","uri":"db/cadvisor-exporter","url":"/d/pMEd7m0Mz/cadvisor-exporter","slug":"","type":"dash-db","tags":["cadvisor"],"isStarred":false,"sortMeta":0}]"#).unwrap();
        assert_eq!(hits[0].uid, "pMEd7m0Mz");
        assert_eq!(hits[0].kind, "dash-db");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_path("Prometheus"), "Prometheus");
        assert_eq!(encode_path("Ma source"), "Ma%20source");
    }

    #[test]
    fn refused_connection_names_grafana_and_compose() {
        let g = HttpGrafana::new("http://127.0.0.1:9", None).unwrap();
        let e = g.health().unwrap_err();
        assert_eq!(e.code(), 3);
        assert!(e.hint().unwrap().contains("docker compose ps grafana"));
    }
}
