//! Step `grafana-dashboard` (tutorial step 5.4): downloads a grafana.com
//! dashboard (default 14282 « Cadvisor exporter »: the tutorial's 13981 is the
//! FlyteAdmin dashboard), or falls back to the cAdvisor dashboard shipped with
//! journal when grafana.com is unreachable; maps its data source inputs to the
//! Prometheus data source, imports it (overwrite), confirms it through the
//! search API, and measures how many of the metrics it queries Prometheus
//! really has.
//!
//! It first looks in Grafana for the dashboard already imported from
//! grafana.com with the asked id (its `gnetId`, kept in the saved JSON): when
//! it is there, nothing is downloaded nor imported (« déjà fait », with its
//! uid and revision), so a broken or unreachable grafana.com does not fail a
//! step whose result is already in place. It only downloads when that
//! dashboard is missing or another id is asked for (`--dashboard`), does not
//! re-import a dashboard already imported at the same revision, and never
//! imports a malformed JSON.

use serde_json::Value;

use crate::adapters::grafana::{GrafanaApi, StoredDashboard};
use crate::adapters::grafana_com::{GrafanaCom, HttpGrafanaCom};
use crate::adapters::prometheus::{HttpPrometheus, PrometheusApi};
use crate::error::{Error, Kind, Result};
use crate::project::Project;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::settings::TUTORIAL_DASHBOARD_ID;
use crate::steps::kit::table::{Cell, Table};

use super::grafana_datasource::DatasourceInfo;

mod metrics;

pub use crate::steps::kit::dashboard::{
    Imported, already_imported, build_inputs, find_existing, find_imported, gnet_id_of, gnet_uid,
    import_once, parse_dashboard, same_import, title_of,
};
pub use metrics::{
    coverage, dashboard_metric_names, promql_metric_names, query_metric_names, substitute_variables,
};

/// The shipped fallback dashboard, under `templates/`.
pub const FALLBACK_DASHBOARD: &str = "tableaux/cadvisor-journal.json";

/// Below this share of known metrics, the journal warns.
const COVERAGE_THRESHOLD: f64 = 50.0;

/// Étape 5.4 : tableau de bord cAdvisor.
pub struct GrafanaDashboard;

/// Where the dashboard JSON came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// grafana.com.
    GrafanaCom {
        /// Dashboard id.
        id: u32,
        /// Revision downloaded.
        revision: u32,
        /// Its name on grafana.com.
        name: String,
    },
    /// Already in Grafana, imported from grafana.com by an earlier run: not
    /// downloaded again.
    InGrafana {
        /// Dashboard id (`gnetId`).
        id: u32,
        /// Revision recorded in Grafana, when there is one.
        revision: Option<i64>,
    },
    /// The dashboard shipped with journal (grafana.com unreachable).
    Fallback {
        /// Why grafana.com could not be used (French).
        reason: String,
    },
}

/// The imported dashboard, for the documentation step.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DashboardInfo {
    /// Title.
    pub title: String,
    /// Uid.
    pub uid: String,
    /// grafana.com id (none for the fallback).
    pub gnet_id: Option<u32>,
    /// Revision.
    pub revision: Option<i64>,
    /// Address from the host.
    pub url: String,
    /// Whether the shipped fallback was used.
    pub fallback: bool,
}

/// The fallback dashboard's text: the project's `templates/` override, or
/// the embedded one.
pub fn fallback_json(project: &Project) -> Result<String> {
    let over = project.templates_dir().join(FALLBACK_DASHBOARD);
    if over.is_file() {
        return std::fs::read_to_string(&over)
            .map_err(|e| Error::io("lecture du tableau de bord", &over, e));
    }
    crate::templates::embedded(FALLBACK_DASHBOARD)
        .map(str::to_string)
        .ok_or_else(|| {
            Error::failed("le tableau de bord de secours n'est pas embarqué dans journal")
        })
}

/// Downloads dashboard `id`; on an unreachable grafana.com, the fallback.
pub fn fetch_dashboard(
    com: &dyn GrafanaCom,
    id: u32,
    project: &Project,
) -> Result<(String, Origin)> {
    let got = com
        .dashboard_meta(id)
        .and_then(|m| com.download(id, m.revision).map(|text| (text, m)));
    match got {
        Ok((text, m)) => Ok((
            text,
            Origin::GrafanaCom {
                id,
                revision: m.revision,
                name: m.name,
            },
        )),
        Err(e) if e.kind() == Kind::Environment => Ok((
            fallback_json(project)?,
            Origin::Fallback {
                reason: e.message().to_string(),
            },
        )),
        Err(e) => Err(e),
    }
}

/// Marks the dashboard with its origin (`gnetId`, `revision`) and gives it a
/// stable uid when it has none, so a re-run finds it again; adds the query
/// that shows the journal's annotations (tag `journal`).
pub fn prepare(dash: Value, origin: &Origin) -> Value {
    let mut dash = crate::steps::kit::dashboard::with_annotation_query(
        dash,
        "journal",
        "Journal (exécutions et notes)",
    );
    let obj = dash.as_object_mut().expect("checked by parse_dashboard");
    obj.insert("id".into(), Value::Null);
    if let Origin::GrafanaCom { id, revision, .. } = origin {
        obj.insert("gnetId".into(), Value::from(*id));
        obj.insert("revision".into(), Value::from(*revision));
        let has_uid = obj
            .get("uid")
            .and_then(Value::as_str)
            .is_some_and(|u| !u.is_empty());
        if !has_uid {
            obj.insert("uid".into(), Value::from(gnet_uid(*id)));
        }
    }
    dash
}

// ---------------------------------------------------------------- step

fn command(ctx: &RunContext) -> String {
    let id = ctx.settings.dashboard_id;
    format!(
        "curl -s {com}/api/dashboards/{id}/revisions/<révision>/download > tableau.json\n\
         jq '{{dashboard: ., overwrite: true, inputs: [{{name: \"DS_PROMETHEUS\", type: \"datasource\", pluginId: \"prometheus\", value: \"<uid de la source>\"}}]}}' tableau.json \\\n  \
         | curl -s -u admin:<mot de passe> -H 'Content-Type: application/json' -d @- {url}/api/dashboards/import",
        com = ctx.settings.grafana_com_url,
        url = ctx.settings.grafana_url
    )
}

fn source_label(origin: &Origin) -> String {
    match origin {
        Origin::GrafanaCom { id, revision, name } => {
            format!("grafana.com, ID {id} « {name} », révision {revision}")
        }
        Origin::InGrafana { id, revision } => format!(
            "déjà dans Grafana : grafana.com, ID {id}, {} (rien n'a été téléchargé)",
            revision.map_or("révision inconnue".to_string(), |r| format!(
                "révision {r}"
            ))
        ),
        Origin::Fallback { .. } => {
            format!("tableau de secours livré avec journal (`templates/{FALLBACK_DASHBOARD}`)")
        }
    }
}

/// The step's work against any Grafana, grafana.com and Prometheus.
pub fn run_with(
    api: &dyn GrafanaApi,
    com: &dyn GrafanaCom,
    prom: &dyn PrometheusApi,
    ctx: &mut RunContext,
) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let fail = |e: Error| StepFailure::from(e).command(cmd.clone());
    let ds_uid = ctx
        .require::<DatasourceInfo>("la source de données Prometheus")?
        .uid
        .clone();
    let id = ctx.settings.dashboard_id;
    // Grafana first: a dashboard already imported from this id is the
    // step's result, whatever grafana.com answers today.
    if let Some(stored) = find_imported(api, id).map_err(fail)? {
        return Ok(already_in_grafana(&stored, id, prom, ctx, cmd));
    }
    let (dash, inputs, origin) = load(com, id, &ds_uid, &ctx.project).map_err(fail)?;
    let imported = import_once(api, &dash, &inputs).map_err(fail)?;
    let info = dashboard_info(&dash, &origin, &imported, &ctx.settings.grafana_url);
    ctx.put(info.clone());

    let mut table = summary_table(&info, &origin, imported.dashboard_id);
    let mut warnings = origin_warnings(&origin, id);
    let (rows, warning) = metrics_coverage(&dash, prom);
    table.push_str(&rows);
    warnings.extend(warning);
    let mut report = if imported.already {
        StepReport::already_done(format!(
            "le tableau de bord « {} » est déjà importé à cette révision (uid {}) : pas de réimport",
            info.title, info.uid
        ))
    } else {
        StepReport::done(format!(
            "tableau de bord « {} » importé (uid {}) : {}",
            info.title, info.uid, info.url
        ))
    }
    .command(cmd)
    .details(table);
    for w in warnings {
        report = report.warn(w);
    }
    Ok(report)
}

/// The report when Grafana already holds the dashboard of grafana.com id
/// `id`: nothing downloaded, nothing imported.
fn already_in_grafana(
    stored: &StoredDashboard,
    id: u32,
    prom: &dyn PrometheusApi,
    ctx: &mut RunContext,
    cmd: String,
) -> StepReport {
    let dash = &stored.dashboard;
    let imported = already_imported(stored);
    let revision = dash.get("revision").and_then(Value::as_i64);
    let origin = Origin::InGrafana { id, revision };
    let info = dashboard_info(dash, &origin, &imported, &ctx.settings.grafana_url);
    ctx.put(info.clone());
    let mut table = summary_table(&info, &origin, imported.dashboard_id);
    let mut warnings = origin_warnings(&origin, id);
    let (rows, warning) = metrics_coverage(dash, prom);
    table.push_str(&rows);
    warnings.extend(warning);
    let mut report = StepReport::already_done(format!(
        "le tableau de bord « {} » (grafana.com ID {id}, {}) est déjà dans Grafana (uid {}) : \
         rien n'a été téléchargé ni réimporté",
        info.title,
        revision.map_or("révision inconnue".to_string(), |r| format!(
            "révision {r}"
        )),
        info.uid
    ))
    .command(cmd)
    .details(table);
    for w in warnings {
        report = report.warn(w);
    }
    report
}

/// The dashboard to import (downloaded or the fallback, parsed, marked with
/// its origin), its import inputs, and its origin.
fn load(
    com: &dyn GrafanaCom,
    id: u32,
    datasource_uid: &str,
    project: &Project,
) -> Result<(Value, Vec<Value>, Origin)> {
    let (text, origin) = fetch_dashboard(com, id, project)?;
    let dash = parse_dashboard(&text)?;
    let inputs = build_inputs(&dash, datasource_uid)?;
    Ok((prepare(dash, &origin), inputs, origin))
}

/// What the documentation step needs of the imported dashboard.
fn dashboard_info(
    dash: &Value,
    origin: &Origin,
    imported: &Imported,
    grafana_url: &str,
) -> DashboardInfo {
    let gnet_id = match origin {
        Origin::GrafanaCom { id, .. } | Origin::InGrafana { id, .. } => Some(*id),
        Origin::Fallback { .. } => None,
    };
    DashboardInfo {
        title: title_of(dash).to_string(),
        uid: imported.uid.clone(),
        gnet_id,
        revision: dash.get("revision").and_then(Value::as_i64),
        url: format!("{grafana_url}{}", imported.path),
        fallback: gnet_id.is_none(),
    }
}

/// The journal's table: title, source, uid, id, revision, address.
fn summary_table(info: &DashboardInfo, origin: &Origin, dashboard_id: i64) -> String {
    Table::key_value()
        .with([Cell::text("Titre"), Cell::text(&info.title)])
        .with([Cell::text("Source"), Cell::text(source_label(origin))])
        .with([Cell::text("uid"), Cell::code(&info.uid)])
        .with([
            Cell::text("ID dans Grafana"),
            Cell::text(dashboard_id.to_string()),
        ])
        .with([
            Cell::text("Révision"),
            Cell::text(info.revision.map_or("—".to_string(), |r| r.to_string())),
        ])
        .with([Cell::text("Adresse"), Cell::text(format!("<{}>", info.url))])
        .render_trimmed()
}

/// The warnings about where the dashboard came from: the fallback, the
/// tutorial's (wrong) dashboard id.
fn origin_warnings(origin: &Origin, id: u32) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Origin::Fallback { reason } = origin {
        warnings.push(format!(
            "grafana.com est injoignable ({reason}) : le tableau de bord de secours livré avec journal \
             a été importé à la place du tableau {id}"
        ));
    }
    if id == TUTORIAL_DASHBOARD_ID {
        warnings.push(format!(
            "l'ID {TUTORIAL_DASHBOARD_ID} demandé est le tableau de bord FlyteAdmin (Flyte), pas un tableau cAdvisor : \
             ses panneaux resteront vides ; l'ID 14282 « Cadvisor exporter » convient"
        ));
    }
    warnings
}

/// The table rows on the metrics the dashboard queries that Prometheus has,
/// and a warning when too few of them exist (or when Prometheus cannot say).
fn metrics_coverage(dash: &Value, prom: &dyn PrometheusApi) -> (String, Option<String>) {
    let wanted = dashboard_metric_names(dash);
    let known = match prom.metric_names() {
        Ok(_) if wanted.is_empty() => {
            return (
                "\n| Métriques interrogées | aucune trouvée dans le JSON |".to_string(),
                None,
            );
        }
        Ok(known) => known,
        Err(e) => {
            let warning = format!(
                "impossible de comparer les métriques du tableau de bord à celles de Prometheus : {}",
                e.message()
            );
            return (String::new(), Some(warning));
        }
    };
    let (have, miss, pct) = coverage(&wanted, &known);
    let mut rows = format!(
        "\n| Métriques interrogées présentes dans Prometheus | {} sur {} ({} %) |",
        have.len(),
        wanted.len(),
        crate::french::decimal(pct, 0)
    );
    if !miss.is_empty() {
        let shown: Vec<String> = miss.iter().take(8).map(|m| format!("`{m}`")).collect();
        rows.push_str(&format!(
            "\n| Absentes | {}{} |",
            shown.join(", "),
            if miss.len() > 8 {
                format!(" … (+{})", miss.len() - 8)
            } else {
                String::new()
            }
        ));
    }
    let warning = (pct < COVERAGE_THRESHOLD).then(|| {
        format!(
            "seulement {} % des métriques interrogées par ce tableau de bord existent dans Prometheus \
             ({} sur {}) : la plupart de ses panneaux resteront vides",
            crate::french::decimal(pct, 0),
            have.len(),
            wanted.len()
        )
    });
    (rows, warning)
}

impl Step for GrafanaDashboard {
    fn id(&self) -> &'static str {
        "grafana-dashboard"
    }

    fn title(&self) -> &'static str {
        "Étape 5.4 : tableau de bord cAdvisor"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let s = &ctx.settings;
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : téléchargerait le tableau de bord {} depuis {} (ou utiliserait le tableau de \
                 secours embarqué), l'associerait à la source Prometheus et l'importerait dans Grafana ({})",
                s.dashboard_id, s.grafana_com_url, s.grafana_url
            ))
            .command(command(ctx)));
        }
        let api = crate::steps::kit::grafana::signed_in(ctx)?;
        let com = HttpGrafanaCom::new(&s.grafana_com_url)?;
        let prom = HttpPrometheus::new(&s.prometheus_url)?;
        run_with(&api, &com, &prom, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::grafana_com::DashboardMeta;
    use crate::testing::prometheus::FakePrometheus;
    use crate::testing::{FakeGrafana, StepContext};

    #[test]
    fn fallback_dashboard_parses_and_has_inputs() {
        let text = crate::templates::embedded(FALLBACK_DASHBOARD).expect("embedded");
        let d = parse_dashboard(text).unwrap();
        assert_eq!(d["uid"], "journal-cadvisor");
        let inputs = build_inputs(&d, "uid-ds").unwrap();
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0]["name"], "DS_PROMETHEUS");
        assert_eq!(inputs[0]["value"], "uid-ds");
        let n = dashboard_metric_names(&d);
        for m in [
            "container_cpu_usage_seconds_total",
            "container_memory_usage_bytes",
            "container_memory_working_set_bytes",
            "container_network_receive_bytes_total",
            "container_network_transmit_bytes_total",
            "container_start_time_seconds",
            "container_last_seen",
        ] {
            assert!(n.contains(m), "{m} in {n:?}");
        }
    }

    #[test]
    fn malformed_json_is_refused() {
        let e = parse_dashboard("{\"title\": ").unwrap_err();
        assert!(e.message().contains("rien n'a été importé"));
        assert!(parse_dashboard("[1,2]").is_err());
    }

    #[test]
    fn flyte_dashboard_has_low_coverage() {
        let d = serde_json::json!({"title":"FlyteAdmin Dashboard (via Prometheus)","__inputs":[{"name":"DS_PROM","label":"Prometheus","type":"datasource","pluginId":"prometheus","pluginName":"Prometheus"}],
          "panels":[{"targets":[{"expr":"sum(rate(flyte:admin:admin:database:executions:get_ms_count[5m]))"},{"expr":"sum by(le) (rate(grpc_server_handling_seconds_bucket[5m]))"}]}]});
        let (_, miss, pct) = coverage(&dashboard_metric_names(&d), &["up".to_string()]);
        assert_eq!(miss.len(), 2);
        assert!(pct < COVERAGE_THRESHOLD);
        assert_eq!(build_inputs(&d, "u").unwrap()[0]["name"], "DS_PROM");
    }

    struct Com(Option<&'static str>);
    impl GrafanaCom for Com {
        fn dashboard_meta(&self, id: u32) -> Result<DashboardMeta> {
            match self.0 {
                Some(_) => Ok(DashboardMeta {
                    id,
                    name: "Cadvisor exporter".into(),
                    revision: 1,
                }),
                None => Err(Error::environment("grafana.com ne répond pas")),
            }
        }
        fn download(&self, _: u32, _: u32) -> Result<String> {
            Ok(self.0.unwrap().to_string())
        }
    }

    /// Prometheus knowing two of the metrics the dashboards query.
    fn prom() -> FakePrometheus {
        let p = FakePrometheus::default();
        *p.names.borrow_mut() = vec![
            "container_cpu_usage_seconds_total".into(),
            "container_memory_rss".into(),
        ];
        p
    }

    const CADVISOR: &str = r#"{"__inputs":[{"name":"DS_PROMETHEUS","type":"datasource","pluginId":"prometheus"}],
      "title":"Cadvisor exporter","uid":"pMEd7m0Mz","id":null,
      "panels":[{"datasource":"${DS_PROMETHEUS}","targets":[{"expr":"sum(rate(container_cpu_usage_seconds_total{name=~\".+\"}[5m])) by (name) *100"},{"expr":"container_memory_rss{name=~\".+\"}"}]}]}"#;

    fn ctx_with_ds(dir: &std::path::Path) -> RunContext {
        StepContext::new(dir)
            .with(DatasourceInfo {
                uid: "uid-ds".into(),
                name: "Prometheus".into(),
                url: "http://prometheus:9090".into(),
            })
            .build()
    }

    #[test]
    fn imports_once_then_already_done() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_with_ds(dir.path());
        let g = FakeGrafana::new("x");
        let r = run_with(&g, &Com(Some(CADVISOR)), &prom(), &mut ctx).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::Succeeded);
        assert!(
            r.details
                .contains("http://localhost:8084/d/pMEd7m0Mz/cadvisor-exporter")
        );
        assert!(r.details.contains("2 sur 2"));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(g.imports.get(), 1);
        let stored = &g.dashboards.borrow()[0];
        assert_eq!(stored["panels"][0]["datasource"], "uid-ds");
        assert_eq!(stored["gnetId"], 14282);
        let r2 = run_with(&g, &Com(Some(CADVISOR)), &prom(), &mut ctx).unwrap();
        assert_eq!(r2.status, crate::store::StepStatus::AlreadyDone);
        assert_eq!(g.imports.get(), 1);
        let info = ctx.get::<DashboardInfo>().unwrap();
        assert_eq!(info.gnet_id, Some(14282));
    }

    #[test]
    fn unreachable_grafana_com_imports_the_fallback_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_with_ds(dir.path());
        let g = FakeGrafana::new("x");
        let r = run_with(&g, &Com(None), &prom(), &mut ctx).unwrap();
        assert_eq!(g.imports.get(), 1);
        assert!(r.warnings.iter().any(|w| w.contains("injoignable")));
        assert!(r.details.contains("journal-cadvisor"));
        assert!(ctx.get::<DashboardInfo>().unwrap().fallback);
    }

    #[test]
    fn malformed_download_imports_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_with_ds(dir.path());
        let g = FakeGrafana::new("x");
        let f = run_with(&g, &Com(Some("<html>oops")), &prom(), &mut ctx).unwrap_err();
        assert!(f.error.message().contains("invalide"));
        assert_eq!(g.imports.get(), 0);
    }

    /// A grafana.com that counts the calls and answers `body` to every
    /// download (garbage, for a broken grafana.com).
    struct Counting {
        body: &'static str,
        calls: std::cell::Cell<u32>,
    }
    impl Counting {
        fn new(body: &'static str) -> Self {
            Counting {
                body,
                calls: std::cell::Cell::new(0),
            }
        }
    }
    impl GrafanaCom for Counting {
        fn dashboard_meta(&self, id: u32) -> Result<DashboardMeta> {
            self.calls.set(self.calls.get() + 1);
            Ok(DashboardMeta {
                id,
                name: "Tableau".into(),
                revision: 3,
            })
        }
        fn download(&self, _: u32, _: u32) -> Result<String> {
            self.calls.set(self.calls.get() + 1);
            Ok(self.body.to_string())
        }
    }

    const GARBAGE: &str = "<html><body>502 Bad Gateway</body></html>";

    const FLYTE: &str = r#"{"__inputs":[{"name":"DS_PROM","type":"datasource","pluginId":"prometheus"}],
      "title":"FlyteAdmin Dashboard (via Prometheus)","uid":null,"id":null,
      "panels":[{"datasource":"${DS_PROM}","targets":[{"expr":"sum(rate(flyte:admin:admin:database:executions:get_ms_count[5m]))"}]}]}"#;

    #[test]
    fn already_imported_dashboard_is_not_downloaded_again_with_grafana_com_broken() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_with_ds(dir.path());
        let g = FakeGrafana::new("x");
        run_with(&g, &Com(Some(CADVISOR)), &prom(), &mut ctx).unwrap();
        assert_eq!(g.imports.get(), 1);
        // A new run: nothing in the bag from the first one.
        let mut ctx = ctx_with_ds(dir.path());
        let broken = Counting::new(GARBAGE);
        let r = run_with(&g, &broken, &prom(), &mut ctx).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::AlreadyDone, "{r:?}");
        assert_eq!(broken.calls.get(), 0, "grafana.com interrogé");
        assert_eq!(g.imports.get(), 1);
        assert!(r.summary.contains("déjà dans Grafana"), "{}", r.summary);
        assert!(r.summary.contains("uid pMEd7m0Mz"), "{}", r.summary);
        assert!(r.summary.contains("ID 14282, révision 1"), "{}", r.summary);
        assert!(
            r.details.contains("rien n'a été téléchargé"),
            "{}",
            r.details
        );
        assert!(r.details.contains("2 sur 2"), "{}", r.details);
        assert!(
            r.details
                .contains("http://localhost:8084/d/pMEd7m0Mz/cadvisor-exporter")
        );
        let info = ctx
            .get::<DashboardInfo>()
            .expect("info for the documentation");
        assert_eq!(info.gnet_id, Some(14282));
        assert_eq!(info.revision, Some(1));
        assert!(!info.fallback);
    }

    #[test]
    fn another_id_is_downloaded_and_imported() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_with_ds(dir.path());
        let g = FakeGrafana::new("x");
        run_with(&g, &Com(Some(CADVISOR)), &prom(), &mut ctx).unwrap();
        ctx.settings.dashboard_id = TUTORIAL_DASHBOARD_ID;
        let com = Counting::new(FLYTE);
        let r = run_with(&g, &com, &prom(), &mut ctx).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::Succeeded);
        assert_eq!(com.calls.get(), 2, "métadonnées puis téléchargement");
        assert_eq!(g.imports.get(), 2);
        // With grafana.com broken, the wanted id is now found in Grafana
        // under the uid journal gave it.
        let broken = Counting::new(GARBAGE);
        let r = run_with(&g, &broken, &prom(), &mut ctx).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::AlreadyDone);
        assert_eq!(broken.calls.get(), 0);
        assert!(
            r.summary
                .contains(&format!("uid {}", gnet_uid(TUTORIAL_DASHBOARD_ID))),
            "{}",
            r.summary
        );
        assert!(r.summary.contains("révision 3"), "{}", r.summary);
        // The tutorial-id warning is still given.
        assert!(r.warnings.iter().any(|w| w.contains("FlyteAdmin")));
    }

    #[test]
    fn a_same_titled_dashboard_without_gnet_id_is_not_taken_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = ctx_with_ds(dir.path());
        let g = FakeGrafana::new("x");
        g.dashboards
            .borrow_mut()
            .push(serde_json::json!({"title": "Cadvisor exporter", "uid": "fait-main"}));
        let broken = Counting::new(GARBAGE);
        let f = run_with(&g, &broken, &prom(), &mut ctx).unwrap_err();
        assert!(
            f.error.message().contains("invalide"),
            "{}",
            f.error.message()
        );
        assert!(broken.calls.get() > 0);
        assert_eq!(g.imports.get(), 0);
        // Another dashboard id in Grafana is not this one either.
        g.dashboards.borrow_mut()[0]["gnetId"] = Value::from(999);
        assert!(find_imported(&g, 14282).unwrap().is_none());
        g.dashboards.borrow_mut()[0]["gnetId"] = Value::from("14282");
        let found = find_imported(&g, 14282).unwrap().expect("numeric string");
        assert_eq!(found.dashboard["uid"], "fait-main");
    }
}
