//! Step `documentation-alertes`: the part's documentation page
//! (`templates/documentation-partie-6-alertes.md.j2`) written to
//! `journal/documentation/partie-6-alertes.md`: what each rule catches, the
//! fire drill, the addresses, how to add a receiver and how to silence
//! an alert during maintenance. Never a receiver's secret address.

use serde::Serialize;

use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::ComposeProject;
use crate::steps::documentation::publish;

use super::rules::{RuleRow, rule_rows, wanted_rules};
use super::verify::CheckedRules;
use super::{INTERNAL_URL, PART_ID};

/// The template.
pub const TEMPLATE: &str = "documentation-partie-6-alertes.md.j2";

/// Documentation de la partie.
pub struct AlertesDocumentation;

#[derive(Serialize)]
struct DocContext {
    images: crate::settings::Images,
    alertmanager_url: String,
    internal_url: &'static str,
    prometheus_url: String,
    grafana_url: String,
    rules_file: String,
    alertmanager_file: String,
    prometheus_yml: String,
    rules: Vec<RuleRow>,
    receivers: Vec<String>,
    cpu_threshold: String,
}

fn doc_context(ctx: &RunContext) -> crate::error::Result<DocContext> {
    let compose = ctx
        .get::<ComposeProject>()
        .map(|c| c.file.clone())
        .unwrap_or_else(|| ctx.project.compose_file());
    let rules = match ctx.get::<CheckedRules>() {
        Some(c) => c.rows.clone(),
        None => rule_rows(&wanted_rules(ctx)?),
    };
    Ok(DocContext {
        images: ctx.settings.images.clone(),
        alertmanager_url: ctx.settings.alerts.alertmanager_url.clone(),
        internal_url: INTERNAL_URL,
        prometheus_url: ctx.settings.prometheus_url.clone(),
        grafana_url: ctx.settings.grafana_url.clone(),
        rules_file: ctx.project.display(&super::rules_path(&compose)),
        alertmanager_file: ctx
            .project
            .display(&super::alertmanager_config_path(&compose)),
        prometheus_yml: ctx
            .project
            .display(&crate::steps::config_file::config_path(&compose)),
        rules,
        receivers: super::preflight::check_alert_settings(&ctx.settings.alerts).unwrap_or_default(),
        cpu_threshold: ctx.settings.alerts.cpu_threshold.clone(),
    })
}

impl Step for AlertesDocumentation {
    fn id(&self) -> &'static str {
        "documentation"
    }

    fn title(&self) -> &'static str {
        "Documentation de la partie"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let text = ctx.templates.render(TEMPLATE, doc_context(ctx)?)?;
        publish(
            ctx,
            &text,
            &format!("{PART_ID}.md"),
            &format!("journal run {PART_ID}   # régénère la page, puis : journal build"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_explains_rules_receivers_and_silences() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let r = AlertesDocumentation.run(&mut ctx).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::Succeeded);
        let page =
            std::fs::read_to_string(dir.path().join("journal/documentation/partie-6-alertes.md"))
                .unwrap();
        for s in [
            "CibleInjoignable",
            "MemoireProcheLimite",
            "amtool silence add",
            "http://localhost:9093",
            "JOURNAL_ALERTES_WEBHOOK",
            "compose/config/prometheus/regles/alertes.yml",
            "compose/config/alertmanager/alertmanager.yml",
            "--exercice",
        ] {
            assert!(page.contains(s), "{s} absent de la page");
        }
        assert!(!page.contains("]("), "pas de lien Markdown");
        let r2 = AlertesDocumentation.run(&mut ctx).unwrap();
        assert_eq!(r2.status, crate::store::StepStatus::AlreadyDone);
    }
}
