//! Step `grafana-alertmanager`: a data source « Alertmanager » in Grafana
//! (type `alertmanager`, implementation `prometheus`, `http://alertmanager:9093`)
//! so the alerts show in Grafana's alerting pages. Created, corrected or kept
//! like partie-6's Prometheus data source; never duplicated, never deleted.

use crate::adapters::grafana::{DatasourceSpec, GrafanaApi};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::grafana::{self, ensure_datasource};
use crate::steps::kit::table::{Cell, Table};

use super::INTERNAL_URL;

/// The data source's name.
pub const NAME: &str = "Alertmanager";

/// Étape H : Alertmanager dans Grafana.
pub struct GrafanaAlertmanager;

/// The data source this part wants.
pub fn alertmanager_spec() -> DatasourceSpec {
    DatasourceSpec {
        name: NAME.into(),
        kind: "alertmanager".into(),
        access: "proxy".into(),
        url: INTERNAL_URL.into(),
        is_default: false,
        json_data: serde_json::json!({"implementation": "prometheus", "handleGrafanaManagedAlerts": false}),
    }
}

fn command(ctx: &RunContext) -> String {
    format!(
        "curl -s -u admin:<mot de passe> -H 'Content-Type: application/json' \\\n  \
         -d '{{\"name\":\"{NAME}\",\"type\":\"alertmanager\",\"access\":\"proxy\",\"url\":\"{INTERNAL_URL}\",\"jsonData\":{{\"implementation\":\"prometheus\"}}}}' \\\n  \
         {}/api/datasources",
        ctx.settings.grafana_url
    )
}

/// The step's work against any [`GrafanaApi`].
pub fn run_with(api: &dyn GrafanaApi, ctx: &RunContext) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let (ds, action, before) = ensure_datasource(api, &alertmanager_spec())
        .map_err(|e| StepFailure::from(e).command(cmd.clone()))?;
    let mut table = Table::key_value()
        .with([Cell::text("Nom"), Cell::text(&ds.name)])
        .with([
            Cell::text("Type"),
            Cell::text(format!("`{}` (implémentation `prometheus`)", ds.kind)),
        ])
        .with([Cell::text("URL"), Cell::code(&ds.url)])
        .with([Cell::text("uid"), Cell::code(&ds.uid)]);
    if let Some(b) = before {
        table.row([
            "Avant correction".to_string(),
            format!("type `{}`, URL `{}`", b.kind, b.url),
        ]);
    }
    let table = table.render_trimmed();
    let report = action.report(
        format!(
            "source de données « {} » créée (uid {}) : les alertes s'affichent dans Grafana (Alerting → Alert rules / Silences)",
            ds.name, ds.uid
        ),
        format!(
            "source de données « {} » corrigée pour pointer vers {INTERNAL_URL} (uid {})",
            ds.name, ds.uid
        ),
        format!(
            "la source de données « {} » existe déjà avec les bons réglages (uid {})",
            ds.name, ds.uid
        ),
    );
    Ok(report.command(cmd).details(table))
}

impl Step for GrafanaAlertmanager {
    fn id(&self) -> &'static str {
        "grafana-alertmanager"
    }

    fn title(&self) -> &'static str {
        "Étape H : Alertmanager dans Grafana"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : créerait ou corrigerait la source de données « {NAME} » ({INTERNAL_URL}) dans Grafana"
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
    use crate::store::StepStatus;
    use crate::testing::FakeGrafana;

    #[test]
    fn creates_the_alertmanager_source_once() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = crate::testing::test_context(dir.path());
        let g = FakeGrafana::new("x");
        let r = run_with(&g, &ctx).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        assert!(
            r.details
                .contains("`alertmanager` (implémentation `prometheus`)")
        );
        let r2 = run_with(&g, &ctx).unwrap();
        assert_eq!(r2.status, StepStatus::AlreadyDone);
        assert_eq!(g.creates.get(), 1);
        let ds = g.datasources.borrow();
        assert_eq!(ds.len(), 1);
    }
}
