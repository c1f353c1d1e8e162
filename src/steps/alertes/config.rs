//! Steps `alertmanager-config` and `prometheus-alerting`: Alertmanager's
//! configuration file (route, default receiver, e-mail and webhook receivers
//! from the settings; `amtool check-config` when the image ships it), and
//! `prometheus.yml` completed with `evaluation_interval`, `rule_files` and
//! `alerting.alertmanagers`.
//!
//! The webhook's address is written to Alertmanager's file only: it is
//! registered as a secret, so the journal shows it masked.

use serde::Serialize;

use crate::error::Result;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::settings::AlertSettings;
use crate::steps::config_file::config_path;
use crate::steps::{ComposeClient, ComposeProject};

use super::files::{self, Validator, Verdict};
use super::{AlertingConfigChanged, AlertmanagerConfigChanged, RULES_DIR_IN_CONTAINER};
use crate::steps::kit::managed_file::ManagedFile;
use crate::steps::kit::prometheus_config::{FragmentStep, apply_fragment};

/// Étape C : configuration d'Alertmanager.
pub struct AlertmanagerConfig;

/// Étape D : Prometheus relié à Alertmanager.
pub struct PrometheusAlerting;

/// The template of Alertmanager's file.
pub const TEMPLATE: &str = "alertmanager/alertmanager.yml.j2";

#[derive(Serialize)]
struct AmContext<'a> {
    alerts: &'a AlertSettings,
    email_domain: String,
    webhook_url: Option<&'a str>,
}

/// Alertmanager's configuration as this run wants it.
pub fn wanted_alertmanager(ctx: &RunContext) -> Result<String> {
    let a = &ctx.settings.alerts;
    ctx.templates.render(
        TEMPLATE,
        AmContext {
            alerts: a,
            email_domain: a
                .email
                .as_deref()
                .and_then(|e| e.split_once('@'))
                .map(|(_, d)| d.to_string())
                .unwrap_or_else(|| "localhost".into()),
            webhook_url: a.webhook.as_ref().map(|w| w.expose()),
        },
    )
}

impl Step for AlertmanagerConfig {
    fn id(&self) -> &'static str {
        "alertmanager-config"
    }

    fn title(&self) -> &'static str {
        "Étape C : configuration d'Alertmanager"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
        let path = super::alertmanager_config_path(&project.file);
        let file = ManagedFile::read(ctx, path, wanted_alertmanager(ctx)?)?;
        let (shown, wanted) = (&file.shown, &file.wanted);
        let command = Validator::Amtool.command(compose.program(), shown);
        if file.is_current() {
            return Ok(
                StepReport::already_done(format!("{shown} est déjà à jour")).command(command)
            );
        }
        let diff = file.diff_block();
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!("simulation : écrirait {shown}")).details(diff));
        }
        if file.exists() && !ctx.settings.force {
            return Err(file.refusal().command(command));
        }
        let mut report_warn = None;
        match files::validate(
            compose.as_ref(),
            &project.file,
            Validator::Amtool,
            wanted,
            shown,
        )? {
            Verdict::Accepted(_) => {}
            Verdict::Refused(out) => {
                return Err(files::refusal(
                    Validator::Amtool,
                    &out,
                    shown,
                    "un destinataire donné par JOURNAL_ALERTES_* ou le modèle alertmanager/alertmanager.yml.j2 \
                     produit une configuration invalide : rien n'a été écrit",
                )
                .command(command)
                .details(diff));
            }
            Verdict::Unavailable(why) => {
                files::check_yaml_only(TEMPLATE, wanted)?;
                report_warn = Some(format!(
                    "{why} : configuration vérifiée seulement comme YAML ; Alertmanager la vérifiera au démarrage"
                ));
            }
        }
        let backup = file.write(ctx)?;
        ctx.put(AlertmanagerConfigChanged);
        let checked = if report_warn.is_some() {
            ""
        } else {
            ", acceptée par amtool"
        };
        let mut report = StepReport::done(match backup {
            Some(b) => format!("{shown} remplacé{checked} ; ancienne version : {b}"),
            None => format!("{shown} écrit{checked}"),
        })
        .command(command)
        .details(diff);
        if let Some(w) = report_warn {
            report = report.warn(w);
        }
        Ok(report)
    }
}

impl Step for PrometheusAlerting {
    fn id(&self) -> &'static str {
        "prometheus-alerting"
    }

    fn title(&self) -> &'static str {
        "Étape D : Prometheus relié à Alertmanager"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        let step = FragmentStep {
            path: config_path(&project.file),
            fragment: super::prometheus_fragment(),
            registered: crate::steps::prometheus_fragments(&ctx.project),
            note: "evaluation_interval, rule_files, alerting",
            already: &|shown| format!("{shown} envoie déjà les alertes à Alertmanager"),
            done: &|shown, backup| {
                format!(
                    "{shown} complété : règles évaluées toutes les 15 s, lues dans {RULES_DIR_IN_CONTAINER}, \
                     alertes envoyées à alertmanager:9093{}",
                    backup
                        .map(|b| format!(" ; ancienne version : {b}"))
                        .unwrap_or_default()
                )
            },
        };
        let (report, changed) = apply_fragment(ctx, &step)?;
        if changed {
            ctx.put(AlertingConfigChanged);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::secrets::Secret;
    use crate::steps::config_file::PrometheusConfig;
    use crate::store::StepStatus;
    use crate::testing::docker::{FakeCompose, FakeDocker, install};
    use crate::testing::test_context;

    fn ctx(dir: &tempfile::TempDir) -> RunContext {
        let mut ctx = test_context(dir.path());
        install(
            &mut ctx,
            Rc::new(FakeDocker::default()),
            Rc::new(FakeCompose::default()),
        );
        ctx
    }

    #[test]
    fn prometheus_yml_is_completed_and_partie6_accepts_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        PrometheusConfig.run(&mut ctx(&dir)).unwrap();
        let r = PrometheusAlerting.run(&mut ctx(&dir)).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        let text =
            std::fs::read_to_string(dir.path().join("compose/config/prometheus/prometheus.yml"))
                .unwrap();
        let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(v["global"]["evaluation_interval"].as_str(), Some("15s"));
        assert_eq!(
            v["rule_files"][0].as_str(),
            Some("/etc/prometheus/regles/*.yml")
        );
        assert_eq!(
            v["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0].as_str(),
            Some("alertmanager:9093")
        );
        assert_eq!(
            PrometheusAlerting.run(&mut ctx(&dir)).unwrap().status,
            StepStatus::AlreadyDone
        );
        let part6 = PrometheusConfig.run(&mut ctx(&dir)).unwrap();
        assert_eq!(part6.status, StepStatus::AlreadyDone, "{}", part6.summary);
    }

    #[test]
    fn alertmanager_receivers_come_from_settings_and_the_webhook_stays_out_of_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = ctx(&dir);
        c.settings.alerts.email = Some("exploitation@example.org".into());
        c.settings.alerts.smtp = Some("smtp.example.org:587".into());
        let hook = "https://chat.example.org/hooks/jeton-tres-secret";
        c.settings.alerts.webhook = Some(Secret::new(hook));
        crate::secrets::register(hook);
        let r = AlertmanagerConfig.run(&mut c).unwrap();
        let text = std::fs::read_to_string(
            dir.path()
                .join("compose/config/alertmanager/alertmanager.yml"),
        )
        .unwrap();
        let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(v["route"]["receiver"].as_str(), Some("defaut"));
        let rcv = &v["receivers"][0];
        assert_eq!(
            rcv["email_configs"][0]["to"].as_str(),
            Some("exploitation@example.org")
        );
        assert_eq!(
            rcv["email_configs"][0]["from"].as_str(),
            Some("alertmanager@example.org")
        );
        assert_eq!(rcv["webhook_configs"][0]["url"].as_str(), Some(hook));
        // The journal's text is redacted when written (store) and shown (output).
        assert!(!crate::secrets::redact(&r.details).contains("jeton-tres-secret"));
        assert!(r.summary.contains("acceptée par amtool"));
    }

    #[test]
    fn without_receivers_the_default_one_only() {
        let dir = tempfile::tempdir().unwrap();
        let c = ctx(&dir);
        let text = wanted_alertmanager(&c).unwrap();
        let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(v["receivers"][0]["name"].as_str(), Some("defaut"));
        assert!(v["receivers"][0].get("email_configs").is_none());
    }
}
