//! Prometheus HTTP API (readiness, scrape targets, metric names, instant
//! queries) behind the [`PrometheusApi`] trait, with a blocking reqwest
//! implementation ([`HttpPrometheus`]) and the JSON parsing it needs.
//!
//! The request path (client, transport errors) is shared with the other HTTP
//! adapters in [`super::http`].
//! It does not wait, retry or decide anything: the steps do.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};

use super::http::{Endpoint, service_hint};

/// What the steps need from Prometheus.
pub trait PrometheusApi {
    /// `GET /-/ready`: `Ok(())` once Prometheus is ready to serve queries.
    fn ready(&self) -> Result<()>;
    /// `GET /api/v1/targets`: the active scrape targets.
    fn targets(&self) -> Result<Vec<Target>>;
    /// `GET /api/v1/label/__name__/values`: every metric name Prometheus holds.
    fn metric_names(&self) -> Result<Vec<String>>;
    /// `GET /api/v1/query`: an instant query.
    fn query(&self, promql: &str) -> Result<QueryResult>;
}

/// What the alerting part needs from Prometheus besides [`PrometheusApi`].
pub trait PrometheusAlertingApi {
    /// `GET /api/v1/rules`: the rule groups loaded, with health and state.
    fn rules(&self) -> Result<Vec<RuleGroup>>;
    /// `GET /api/v1/alertmanagers`: the URLs of the active Alertmanagers.
    fn alertmanagers(&self) -> Result<Vec<String>>;
}

/// One rule group of `/api/v1/rules`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RuleGroup {
    /// Group name.
    pub name: String,
    /// The file it was read from (path inside the container).
    #[serde(default)]
    pub file: String,
    /// Its rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// One rule of `/api/v1/rules`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rule {
    /// Alert (or record) name.
    pub name: String,
    /// The PromQL expression.
    #[serde(default)]
    pub query: String,
    /// `for`, in seconds.
    #[serde(default)]
    pub duration: f64,
    /// `ok`, `err` or `unknown`.
    #[serde(default)]
    pub health: String,
    /// `inactive`, `pending` or `firing` (alerting rules).
    #[serde(default)]
    pub state: String,
    /// The last evaluation's error.
    #[serde(default, rename = "lastError")]
    pub last_error: String,
    /// `alerting` or `recording`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The rule's labels (`severity`…).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// The health of a scrape target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Last scrape succeeded.
    Up,
    /// Last scrape failed.
    Down,
    /// Not scraped yet.
    Unknown,
}

impl Health {
    fn parse(s: &str) -> Self {
        match s {
            "up" => Health::Up,
            "down" => Health::Down,
            _ => Health::Unknown,
        }
    }

    /// French label for the journal (« UP » as in the Prometheus UI).
    pub fn label(self) -> &'static str {
        match self {
            Health::Up => "UP",
            Health::Down => "DOWN",
            Health::Unknown => "inconnu (pas encore interrogée)",
        }
    }
}

/// One active scrape target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// `labels.job` (or the scrape pool).
    pub job: String,
    /// `labels.instance`.
    pub instance: String,
    /// The URL Prometheus scrapes.
    pub scrape_url: String,
    /// Health of the last scrape.
    pub health: Health,
    /// Error of the last scrape (`""` when healthy).
    pub last_error: String,
    /// Time of the last scrape (RFC 3339), if any.
    pub last_scrape: Option<String>,
    /// Duration of the last scrape, in seconds.
    pub last_scrape_duration: Option<f64>,
}

/// One sample of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series' labels.
    pub metric: BTreeMap<String, String>,
    /// Evaluation timestamp (Unix seconds).
    pub timestamp: f64,
    /// The value (`NaN` / `±Inf` are parsed as such).
    pub value: f64,
}

/// The result of an instant query.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryResult {
    /// `resultType: vector`.
    Vector(Vec<Sample>),
    /// `resultType: scalar`: timestamp and value.
    Scalar(f64, f64),
    /// Another result type (matrix, string), not used by the steps.
    Other(String),
}

impl QueryResult {
    /// The samples of a vector result (empty for any other type).
    pub fn samples(&self) -> &[Sample] {
        match self {
            QueryResult::Vector(v) => v,
            _ => &[],
        }
    }
}

// ---------------------------------------------------------------- parsing

#[derive(Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct TargetsData {
    #[serde(default, rename = "activeTargets")]
    active_targets: Vec<RawTarget>,
}

#[derive(Deserialize)]
struct RawTarget {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default, rename = "scrapePool")]
    scrape_pool: String,
    #[serde(default, rename = "scrapeUrl")]
    scrape_url: String,
    #[serde(default)]
    health: String,
    #[serde(default, rename = "lastError")]
    last_error: String,
    #[serde(default, rename = "lastScrape")]
    last_scrape: Option<String>,
    #[serde(default, rename = "lastScrapeDuration")]
    last_scrape_duration: Option<f64>,
}

#[derive(Deserialize)]
struct QueryData {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

fn envelope<T: for<'de> Deserialize<'de>>(body: &str, what: &str) -> Result<T> {
    let env: Envelope<T> = serde_json::from_str(body).map_err(|e| {
        Error::failed(format!("réponse de Prometheus illisible ({what}) : {e}"))
            .with_hint("l'URL JOURNAL_PROMETHEUS_URL désigne-t-elle bien Prometheus ?")
    })?;
    if env.status != "success" {
        return Err(Error::failed(format!(
            "Prometheus a répondu en erreur ({what}) : {} {}",
            env.error_type.unwrap_or_default(),
            env.error.unwrap_or_default()
        )));
    }
    env.data
        .ok_or_else(|| Error::failed(format!("réponse de Prometheus sans données ({what})")))
}

/// Parses a `/api/v1/targets` body into the active targets.
pub fn parse_targets(body: &str) -> Result<Vec<Target>> {
    let data: TargetsData = envelope(body, "cibles")?;
    Ok(data
        .active_targets
        .into_iter()
        .map(|t| Target {
            job: t
                .labels
                .get("job")
                .cloned()
                .unwrap_or_else(|| t.scrape_pool.clone()),
            instance: t.labels.get("instance").cloned().unwrap_or_default(),
            scrape_url: t.scrape_url,
            health: Health::parse(&t.health),
            last_error: t.last_error,
            last_scrape: t.last_scrape,
            last_scrape_duration: t.last_scrape_duration,
        })
        .collect())
}

#[derive(Deserialize)]
struct RulesData {
    #[serde(default)]
    groups: Vec<RuleGroup>,
}

/// Parses a `/api/v1/rules` body.
pub fn parse_rules(body: &str) -> Result<Vec<RuleGroup>> {
    let data: RulesData = envelope(body, "règles")?;
    Ok(data.groups)
}

#[derive(Deserialize)]
struct AlertmanagersData {
    #[serde(default, rename = "activeAlertmanagers")]
    active: Vec<AlertmanagerUrl>,
}

#[derive(Deserialize)]
struct AlertmanagerUrl {
    url: String,
}

/// Parses a `/api/v1/alertmanagers` body into the active URLs.
pub fn parse_alertmanagers(body: &str) -> Result<Vec<String>> {
    let data: AlertmanagersData = envelope(body, "Alertmanagers")?;
    Ok(data.active.into_iter().map(|a| a.url).collect())
}

/// Parses a `/api/v1/label/__name__/values` body.
pub fn parse_label_values(body: &str) -> Result<Vec<String>> {
    envelope(body, "noms de métriques")
}

fn parse_point(v: &serde_json::Value) -> Option<(f64, f64)> {
    let arr = v.as_array()?;
    let ts = arr.first()?.as_f64()?;
    let val = arr.get(1)?.as_str()?;
    let val = match val {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse::<f64>().ok()?,
    };
    Some((ts, val))
}

/// Parses a `/api/v1/query` body (values are `[ts, "string"]`).
pub fn parse_query(body: &str) -> Result<QueryResult> {
    let data: QueryData = envelope(body, "requête")?;
    let bad = || Error::failed("résultat de requête Prometheus inattendu");
    match data.result_type.as_str() {
        "vector" => {
            let items = data.result.as_array().ok_or_else(bad)?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let metric = item
                    .get("metric")
                    .and_then(|m| serde_json::from_value(m.clone()).ok())
                    .unwrap_or_default();
                let (timestamp, value) = item.get("value").and_then(parse_point).ok_or_else(bad)?;
                out.push(Sample {
                    metric,
                    timestamp,
                    value,
                });
            }
            Ok(QueryResult::Vector(out))
        }
        "scalar" => {
            let (ts, v) = parse_point(&data.result).ok_or_else(bad)?;
            Ok(QueryResult::Scalar(ts, v))
        }
        other => Ok(QueryResult::Other(other.to_string())),
    }
}

// ---------------------------------------------------------------- reqwest implementation

/// [`PrometheusApi`] over HTTP.
pub struct HttpPrometheus {
    http: Endpoint,
}

impl HttpPrometheus {
    /// A client for Prometheus at `base_url` (e.g. `http://localhost:9090`).
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(HttpPrometheus {
            http: Endpoint::new(
                "Prometheus",
                base_url,
                (Duration::from_secs(5), Duration::from_secs(20)),
                |base| service_hint("prometheus", base),
            )?,
        })
    }

    fn get_api(&self, path: &str, query: &[(&str, &str)]) -> Result<String> {
        let reply = self.http.get(path, query)?;
        let status = reply.status;
        // Query errors come back as 400/422 with a JSON body the parser reports.
        if status == 200
            || ((400..500).contains(&status) && reply.body.trim_start().starts_with('{'))
        {
            return Ok(reply.body);
        }
        Err(Error::environment(format!(
            "Prometheus a répondu {status} sur {path} : {}",
            reply.message()
        ))
        .with_hint(self.http.hint()))
    }
}

impl PrometheusApi for HttpPrometheus {
    fn ready(&self) -> Result<()> {
        let reply = self.http.get("/-/ready", &[])?;
        if reply.status == 200 {
            Ok(())
        } else {
            Err(Error::environment(format!(
                "Prometheus n'est pas encore prêt ({} : {})",
                reply.status,
                reply.body.trim()
            ))
            .with_hint(self.http.hint()))
        }
    }

    fn targets(&self) -> Result<Vec<Target>> {
        parse_targets(&self.get_api("/api/v1/targets", &[("state", "active")])?)
    }

    fn metric_names(&self) -> Result<Vec<String>> {
        parse_label_values(&self.get_api("/api/v1/label/__name__/values", &[])?)
    }

    fn query(&self, promql: &str) -> Result<QueryResult> {
        parse_query(&self.get_api("/api/v1/query", &[("query", promql)])?)
    }
}

impl PrometheusAlertingApi for HttpPrometheus {
    fn rules(&self) -> Result<Vec<RuleGroup>> {
        parse_rules(&self.get_api("/api/v1/rules", &[])?)
    }

    fn alertmanagers(&self) -> Result<Vec<String>> {
        parse_alertmanagers(&self.get_api("/api/v1/alertmanagers", &[])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_alertmanagers() {
        let g = parse_rules(r#"{"status":"success","data":{"groups":[{"name":"conteneurs","file":"/etc/prometheus/regles/alertes.yml","rules":[{"state":"inactive","name":"CibleInjoignable","query":"up == 0","duration":60,"labels":{"severity":"critique"},"annotations":{},"alerts":[],"health":"ok","evaluationTime":0.0003,"lastEvaluation":"2026-11-25T02:00:00Z","type":"alerting"}],"interval":15,"limit":0}]}}"#).unwrap();
        assert_eq!(g[0].rules[0].name, "CibleInjoignable");
        assert_eq!(g[0].rules[0].duration, 60.0);
        assert_eq!(g[0].rules[0].labels["severity"], "critique");
        assert_eq!(g[0].rules[0].health, "ok");
        let a = parse_alertmanagers(r#"{"status":"success","data":{"activeAlertmanagers":[{"url":"http://alertmanager:9093/api/v2/alerts"}],"droppedAlertmanagers":[]}}"#).unwrap();
        assert_eq!(a, ["http://alertmanager:9093/api/v2/alerts"]);
    }

    const TARGETS: &str = r#"{"status":"success","data":{"activeTargets":[
 {"discoveredLabels":{"__address__":"cadvisor-absent:8080","__metrics_path__":"/metrics","__scheme__":"http",
   "__scrape_interval__":"5s","__scrape_timeout__":"5s","env":"test","job":"cadvisor"},
  "labels":{"env":"test","instance":"cadvisor-absent:8080","job":"cadvisor"},
  "scrapePool":"cadvisor","scrapeUrl":"http://cadvisor-absent:8080/metrics","globalUrl":"http://cadvisor-absent:8080/metrics",
  "lastError":"Get \"http://cadvisor-absent:8080/metrics\": dial tcp: lookup cadvisor-absent on 10.255.255.53:53: no such host",
  "lastScrape":"2026-11-24T19:47:18.971613138Z","lastScrapeDuration":0.001054623,"health":"down",
  "scrapeInterval":"5s","scrapeTimeout":"5s"},
 {"labels":{"instance":"localhost:9090","job":"prometheus"},"scrapePool":"prometheus",
  "scrapeUrl":"http://localhost:9090/metrics","lastError":"","lastScrape":"2026-11-24T19:47:19Z",
  "lastScrapeDuration":0.0042,"health":"up"},
 {"labels":{"instance":"x:1","job":"nouveau"},"scrapePool":"nouveau","scrapeUrl":"http://x:1/metrics",
  "lastError":"","lastScrape":"0001-01-01T00:00:00Z","lastScrapeDuration":0,"health":"unknown"}],
 "droppedTargets":[{"discoveredLabels":{"__address__":"drop:2","job":"dropped-demo"}}]}}"#;

    #[test]
    fn parses_real_targets_payload() {
        let t = parse_targets(TARGETS).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].job, "cadvisor");
        assert_eq!(t[0].health, Health::Down);
        assert!(t[0].last_error.contains("no such host"));
        assert_eq!(t[0].scrape_url, "http://cadvisor-absent:8080/metrics");
        assert_eq!(t[0].last_scrape_duration, Some(0.001054623));
        assert_eq!(t[1].health, Health::Up);
        assert_eq!(t[1].instance, "localhost:9090");
        assert_eq!(t[2].health, Health::Unknown);
    }

    #[test]
    fn parses_vector_and_scalar() {
        let v = parse_query(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},"value":[1795549646.675,"1"]},{"metric":{},"value":[1795549646.675,"NaN"]}]}}"#,
        )
        .unwrap();
        let s = v.samples();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].metric["job"], "prometheus");
        assert_eq!(s[0].value, 1.0);
        assert!((s[0].timestamp - 1795549646.675).abs() < 1e-6);
        assert!(s[1].value.is_nan());
        let sc = parse_query(
            r#"{"status":"success","data":{"resultType":"scalar","result":[1795549646.675,"1795549646.675"]}}"#,
        )
        .unwrap();
        assert!(matches!(sc, QueryResult::Scalar(_, v) if v > 1.7e9));
    }

    #[test]
    fn query_error_is_french_with_prometheus_text() {
        let e = parse_query(r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error: unclosed left parenthesis"}"#)
            .unwrap_err();
        assert!(e.message().contains("Prometheus a répondu en erreur"));
        assert!(e.message().contains("unclosed left parenthesis"));
    }

    #[test]
    fn parses_label_values() {
        let v =
            parse_label_values(r#"{"status":"success","data":["go_gc_duration_seconds","up"]}"#)
                .unwrap();
        assert_eq!(v, vec!["go_gc_duration_seconds", "up"]);
    }

    #[test]
    fn refused_connection_is_an_environment_error_naming_the_service() {
        // Port 9 (discard) on localhost is closed on any sane test machine.
        let p = HttpPrometheus::new("http://127.0.0.1:9").unwrap();
        let e = p.ready().unwrap_err();
        assert_eq!(e.code(), 3);
        assert!(
            e.message().contains("Prometheus ne répond pas"),
            "{}",
            e.message()
        );
        assert!(e.hint().unwrap().contains("docker compose logs prometheus"));
    }
}
