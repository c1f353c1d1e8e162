//! Step `grafana-datasource` (tutorial step 5.3): makes sure Grafana has a
//! data source « Prometheus » pointing at `http://prometheus:9090`, creating
//! or correcting it through the API, then tests it the way « Save & test »
//! does. The uid is left in the run context for the dashboard step.
//!
//! It never creates a duplicate and never deletes a data source.

use crate::adapters::grafana::{DatasourceSpec, GrafanaApi};
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::grafana;
pub use crate::steps::kit::grafana::{DatasourceAction, ensure_datasource, matches};
use crate::steps::kit::table::{Cell, Table};

/// The data source's name, as the UI names it by default.
pub const DATASOURCE_NAME: &str = "Prometheus";
/// Prometheus as seen from Grafana (same Compose network).
pub const DATASOURCE_URL: &str = "http://prometheus:9090";

/// The data source in use, for later steps and the documentation.
#[derive(Debug, Clone)]
pub struct DatasourceInfo {
    /// Uid.
    pub uid: String,
    /// Name.
    pub name: String,
    /// URL as seen from Grafana.
    pub url: String,
}

/// Étape 5.3 : source de données Prometheus.
pub struct GrafanaDatasource;

/// The tutorial's data source.
pub fn prometheus_spec() -> DatasourceSpec {
    DatasourceSpec {
        name: DATASOURCE_NAME.into(),
        kind: "prometheus".into(),
        access: "proxy".into(),
        url: DATASOURCE_URL.into(),
        is_default: true,
        json_data: serde_json::json!({"httpMethod": "POST"}),
    }
}

fn command(ctx: &RunContext) -> String {
    format!(
        "curl -s -u admin:<mot de passe> -H 'Content-Type: application/json' \\\n  \
         -d '{{\"name\":\"Prometheus\",\"type\":\"prometheus\",\"access\":\"proxy\",\"url\":\"http://prometheus:9090\",\"isDefault\":true,\"jsonData\":{{\"httpMethod\":\"POST\"}}}}' \\\n  \
         {url}/api/datasources\n\
         curl -s -u admin:<mot de passe> {url}/api/datasources/uid/<uid>/health",
        url = ctx.settings.grafana_url
    )
}

/// The step's work against any [`GrafanaApi`].
pub fn run_with(api: &dyn GrafanaApi, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let spec = prometheus_spec();
    let (ds, action, before) =
        ensure_datasource(api, &spec).map_err(|e| StepFailure::from(e).command(cmd.clone()))?;
    let mut rows = Table::key_value()
        .with([Cell::text("Nom"), Cell::text(&ds.name)])
        .with([Cell::text("Type"), Cell::code(&ds.kind)])
        .with([
            Cell::text("Accès"),
            Cell::text(format!("`{}` (serveur)", ds.access)),
        ])
        .with([Cell::text("URL"), Cell::code(&ds.url)])
        .with([
            Cell::text("Par défaut"),
            Cell::text(if ds.is_default { "oui" } else { "non" }),
        ])
        .with([Cell::text("uid"), Cell::code(&ds.uid)]);
    if let Some(b) = &before {
        rows.row([
            "Avant correction".to_string(),
            format!("type `{}`, accès `{}`, URL `{}`", b.kind, b.access, b.url),
        ]);
    }
    let mut table = rows.render_trimmed();
    ctx.put(DatasourceInfo {
        uid: ds.uid.clone(),
        name: ds.name.clone(),
        url: ds.url.clone(),
    });
    let health = api.datasource_health(&ds.uid).map_err(|e| {
        StepFailure::from(e)
            .command(cmd.clone())
            .details(table.clone())
    })?;
    rows.row([
        "Test (« Save & test »)".to_string(),
        format!("{} — {}", health.status, health.message),
    ]);
    table = rows.render_trimmed();
    if health.status != "OK" {
        return Err(StepFailure::from(
            Error::failed(format!(
                "le test de la source de données a échoué ({}) : {}",
                health.status, health.message
            ))
            .with_hint(
                "Grafana doit joindre Prometheus à l'adresse http://prometheus:9090 : les deux services \
                 sont-ils sur le même réseau (`systeme-ticketing-net`) ? Vérifiez avec \
                 `docker compose exec grafana wget -qO- http://prometheus:9090/-/ready`",
            ),
        )
        .command(cmd)
        .details(table));
    }
    let report = action.report(
        format!(
            "source de données « {} » créée (uid {}) et testée : {}",
            ds.name, ds.uid, health.message
        ),
        format!(
            "source de données « {} » corrigée pour pointer vers {} (uid {}) et testée : {}",
            ds.name, ds.url, ds.uid, health.message
        ),
        format!(
            "la source de données « {} » existe déjà avec les bons réglages (uid {}) ; test : {}",
            ds.name, ds.uid, health.message
        ),
    );
    Ok(report.command(cmd).details(table))
}

impl Step for GrafanaDatasource {
    fn id(&self) -> &'static str {
        "grafana-datasource"
    }

    fn title(&self) -> &'static str {
        "Étape 5.3 : source de données Prometheus"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : chercherait la source « {DATASOURCE_NAME} » dans Grafana ({}), la créerait \
                 ou la corrigerait pour {DATASOURCE_URL}, puis la testerait comme « Save & test »",
                ctx.settings.grafana_url
            ))
            .command(command(ctx)));
        }
        let api = grafana::signed_in(ctx)?;
        run_with(&api, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeGrafana;

    #[test]
    fn creates_once_then_already_done() {
        let g = FakeGrafana::new("x");
        let (ds, a, _) = ensure_datasource(&g, &prometheus_spec()).unwrap();
        assert_eq!(a, DatasourceAction::Created);
        assert_eq!(ds.url, "http://prometheus:9090");
        let (ds2, a2, _) = ensure_datasource(&g, &prometheus_spec()).unwrap();
        assert_eq!(a2, DatasourceAction::Unchanged);
        assert_eq!(ds2.uid, ds.uid);
        assert_eq!(g.creates.get(), 1);
        assert_eq!(g.datasources.borrow().len(), 1);
    }

    #[test]
    fn different_url_is_updated_in_place() {
        let g = FakeGrafana::new("x");
        let mut wrong = prometheus_spec();
        wrong.url = "http://localhost:9090".into();
        ensure_datasource(&g, &wrong).unwrap();
        let (ds, a, before) = ensure_datasource(&g, &prometheus_spec()).unwrap();
        assert_eq!(a, DatasourceAction::Updated);
        assert_eq!(before.unwrap().url, "http://localhost:9090");
        assert_eq!(ds.url, "http://prometheus:9090");
        assert_eq!(g.updates.get(), 1);
        assert_eq!(g.datasources.borrow().len(), 1);
    }

    #[test]
    fn conflict_reads_the_concurrent_one_again() {
        let g = FakeGrafana::new("x");
        g.race.set(true);
        let (ds, a, _) = ensure_datasource(&g, &prometheus_spec()).unwrap();
        assert_eq!(a, DatasourceAction::Unchanged);
        assert_eq!(ds.uid, "uid-concurrent");
        assert_eq!(g.datasources.borrow().len(), 1);
    }

    #[test]
    fn failed_test_is_a_failure_with_grafana_message_and_network_hint() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let g = FakeGrafana::new("x");
        *g.ds_health.borrow_mut() = crate::adapters::grafana::DatasourceHealth {
            status: "ERROR".into(),
            message: "dial tcp: lookup prometheus: no such host - There was an error returned querying the Prometheus API.".into(),
        };
        let f = run_with(&g, &mut ctx).unwrap_err();
        assert!(f.error.message().contains("no such host"));
        assert!(f.error.hint().unwrap().contains("http://prometheus:9090"));
        assert!(f.details.contains("| uid |"));
        assert!(ctx.get::<DatasourceInfo>().is_some());
    }

    #[test]
    fn second_run_is_already_done() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let g = FakeGrafana::new("x");
        let r1 = run_with(&g, &mut ctx).unwrap();
        assert_eq!(r1.status, crate::store::StepStatus::Succeeded);
        let r2 = run_with(&g, &mut ctx).unwrap();
        assert_eq!(r2.status, crate::store::StepStatus::AlreadyDone);
        assert!(r2.details.contains("Successfully queried"));
        assert!(!r2.command.unwrap().contains("x:"));
    }
}
