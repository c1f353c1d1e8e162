//! Step `alerting-check`: Prometheus reports every rule of the rules file
//! loaded and healthy (`/api/v1/rules`) and the Alertmanager active
//! (`/api/v1/alertmanagers`); Alertmanager answers (`/api/v2/status`). Waits,
//! bounded, for the first evaluation. It changes nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::adapters::alertmanager::{AlertmanagerApi, AmStatus, HttpAlertmanager};
use crate::adapters::prometheus::{HttpPrometheus, PrometheusAlertingApi, Rule};
use crate::error::{Error, Result};
use crate::french;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::ComposeProject;
use crate::steps::kit::table::Table;
use crate::steps::kit::wait::{Poll, Stopped, wait_until};

use super::rules::{RuleRow, rule_rows, rules_table};
use super::up::AlertingUnchanged;
use super::{INTERNAL_URL, RULES_DIR_IN_CONTAINER};

/// Étape F : vérification de la chaîne d'alerte.
pub struct AlertingCheck;

/// The rules as checked, for the documentation.
#[derive(Debug, Clone)]
pub struct CheckedRules {
    /// The rules of the file.
    pub rows: Vec<RuleRow>,
    /// « OK, inactive »… by rule name.
    pub health: BTreeMap<String, String>,
}

/// What the check found at its last poll.
#[derive(Debug, Clone, Default)]
pub struct ChainState {
    /// Loaded rules by name.
    pub rules: BTreeMap<String, Rule>,
    /// Active Alertmanager URLs.
    pub alertmanagers: Vec<String>,
}

impl ChainState {
    /// What does not hold in the chain (French, one per problem): an
    /// expected rule not loaded or unhealthy, the Alertmanager not active.
    pub fn problems(&self, expected: &[RuleRow]) -> Vec<String> {
        let mut p = Vec::new();
        for r in expected {
            match self.rules.get(&r.name) {
                None => p.push(format!("règle {} non chargée", r.name)),
                Some(rule) if rule.health != "ok" => p.push(format!(
                    "règle {} : santé « {} »{}",
                    r.name,
                    rule.health,
                    if rule.last_error.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", rule.last_error)
                    }
                )),
                Some(_) => {}
            }
        }
        let host = INTERNAL_URL.trim_start_matches("http://");
        if !self.alertmanagers.iter().any(|u| u.contains(host)) {
            p.push(format!(
                "Alertmanager {host} absent des Alertmanagers actifs de Prometheus ({})",
                if self.alertmanagers.is_empty() {
                    "aucun".to_string()
                } else {
                    self.alertmanagers.join(", ")
                }
            ));
        }
        p
    }
}

/// Reads the chain's state from Prometheus.
pub fn read_state(api: &dyn PrometheusAlertingApi) -> Result<ChainState> {
    let mut rules = BTreeMap::new();
    for g in api.rules()? {
        for r in g.rules {
            rules.insert(r.name.clone(), r);
        }
    }
    Ok(ChainState {
        rules,
        alertmanagers: api.alertmanagers()?,
    })
}

/// Polls until every expected rule is healthy and the Alertmanager active.
pub fn wait_chain(
    api: &dyn PrometheusAlertingApi,
    expected: &[RuleRow],
    timeout: Duration,
    poll: Duration,
) -> std::result::Result<ChainState, (Error, ChainState)> {
    let waited = wait_until(timeout, poll, || {
        let state = match read_state(api) {
            Ok(s) => s,
            Err(e) => return Ok(Poll::Pending(Err(e))),
        };
        let problems = state.problems(expected);
        Ok::<_, std::convert::Infallible>(if problems.is_empty() {
            Poll::Ready(state)
        } else {
            Poll::Pending(Ok((state, problems)))
        })
    });
    match waited {
        Ok(w) => Ok(w.value),
        Err(Stopped::Failed(never)) => match never {},
        Err(Stopped::TimedOut { last: Err(e), .. }) => Err((e, ChainState::default())),
        Err(Stopped::TimedOut {
            last: Ok((state, problems)),
            ..
        }) => Err((
            Error::failed(format!(
                "la chaîne d'alerte n'est pas prête après {} : {}",
                french::duration_ms(timeout.as_millis() as u64),
                problems.join(" ; ")
            ))
            .with_hint(format!(
                "vérifiez que prometheus.yml lit {RULES_DIR_IN_CONTAINER}/*.yml et envoie à alertmanager:9093, \
                 que le service prometheus monte le dossier des règles \
                 (docker compose exec prometheus ls {RULES_DIR_IN_CONTAINER}) et consultez \
                 docker compose logs prometheus"
            )),
            state,
        )),
    }
}

fn health_label(r: &Rule) -> String {
    let state = match r.state.as_str() {
        "inactive" => "inactive",
        "pending" => "en attente",
        "firing" => "**déclenchée**",
        other => other,
    };
    format!(
        "{}, {state}",
        if r.health == "ok" {
            "OK"
        } else {
            r.health.as_str()
        }
    )
}

fn addresses(ctx: &RunContext, status: &AmStatus) -> String {
    let version = if status.version.is_empty() {
        "?"
    } else {
        &status.version
    };
    let cluster = match status.cluster.as_str() {
        "disabled" => "désactivée (un seul Alertmanager)",
        "ready" => "prête",
        "settling" => "en formation",
        other => other,
    };
    Table::new(["Service", "Adresse", "État"])
        .with([
            "Alertmanager (interface et API)".to_string(),
            ctx.settings.alerts.alertmanager_url.clone(),
            format!("version {version}, grappe : {cluster}"),
        ])
        .with([
            "Alertmanager vu de Prometheus et de Grafana",
            INTERNAL_URL,
            "actif dans Prometheus",
        ])
        .with([
            "Règles dans Prometheus".to_string(),
            format!("{}/alerts", ctx.settings.prometheus_url),
            "—".to_string(),
        ])
        .render_trimmed()
}

impl Step for AlertingCheck {
    fn id(&self) -> &'static str {
        "alerting-check"
    }

    fn title(&self) -> &'static str {
        "Étape F : vérification de la chaîne d'alerte"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let command = format!(
            "curl -s {p}/api/v1/rules && curl -s {p}/api/v1/alertmanagers && curl -s {a}/api/v2/status",
            p = ctx.settings.prometheus_url,
            a = ctx.settings.alerts.alertmanager_url
        );
        if ctx.dry_run() {
            return Ok(StepReport::skipped(
                "simulation : vérifierait que chaque règle est chargée et saine, et Alertmanager actif",
            )
            .command(command));
        }
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        let path = super::rules_path(&project.file);
        let text = crate::store::read_optional(&path)?.unwrap_or_default();
        let rows = rule_rows(&text);
        let prom = HttpPrometheus::new(&ctx.settings.prometheus_url)?;
        let state = wait_chain(
            &prom,
            &rows,
            ctx.settings.ready_timeout,
            Duration::from_secs(1),
        )
        .map_err(|(e, state)| {
            StepFailure::from(e)
                .command(command.clone())
                .details(rules_table(&rows, |n| state.rules.get(n).map(health_label)))
        })?;
        let am = HttpAlertmanager::new(&ctx.settings.alerts.alertmanager_url)?;
        let status = am
            .status()
            .map_err(|e| StepFailure::from(e).command(command.clone()))?;
        let health: BTreeMap<String, String> = rows
            .iter()
            .filter_map(|r| {
                state
                    .rules
                    .get(&r.name)
                    .map(|x| (r.name.clone(), health_label(x)))
            })
            .collect();
        let table = rules_table(&rows, |n| health.get(n).cloned());
        ctx.put(CheckedRules {
            rows: rows.clone(),
            health,
        });
        let summary = format!(
            "{} règles chargées et saines ; Alertmanager actif dans Prometheus et répond (version {})",
            rows.len(),
            status.version
        );
        let report = if ctx.get::<AlertingUnchanged>().is_some() {
            StepReport::already_done(summary)
        } else {
            StepReport::done(summary)
        };
        Ok(report
            .command(command)
            .details(table)
            .details(addresses(ctx, &status)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::prometheus::RuleGroup;

    struct Prom(Vec<Rule>, Vec<String>);

    impl PrometheusAlertingApi for Prom {
        fn rules(&self) -> Result<Vec<RuleGroup>> {
            Ok(vec![RuleGroup {
                name: "supervision".into(),
                file: String::new(),
                rules: self.0.clone(),
            }])
        }
        fn alertmanagers(&self) -> Result<Vec<String>> {
            Ok(self.1.clone())
        }
    }

    fn rule(name: &str, health: &str, err: &str) -> Rule {
        Rule {
            name: name.into(),
            query: String::new(),
            duration: 0.0,
            health: health.into(),
            state: "inactive".into(),
            last_error: err.into(),
            kind: "alerting".into(),
            labels: Default::default(),
        }
    }

    fn expected() -> Vec<RuleRow> {
        let dir = tempfile::tempdir().unwrap();
        let ctx = crate::testing::test_context(dir.path());
        rule_rows(&super::super::rules::wanted_rules(&ctx).unwrap())
    }

    #[test]
    fn every_missing_link_is_named() {
        let rows = expected();
        let api = Prom(
            vec![rule(
                "CibleInjoignable",
                "err",
                "many-to-many matching not allowed",
            )],
            vec![],
        );
        let (e, _) = wait_chain(&api, &rows, Duration::ZERO, Duration::ZERO).unwrap_err();
        let m = e.message();
        assert!(
            m.contains(
                "règle CibleInjoignable : santé « err » (many-to-many matching not allowed)"
            ),
            "{m}"
        );
        assert!(m.contains("règle CpuEleve non chargée"), "{m}");
        assert!(
            m.contains("alertmanager:9093 absent des Alertmanagers actifs de Prometheus (aucun)"),
            "{m}"
        );
    }

    #[test]
    fn a_healthy_chain_passes() {
        let rows = expected();
        let api = Prom(
            rows.iter().map(|r| rule(&r.name, "ok", "")).collect(),
            vec!["http://alertmanager:9093/api/v2/alerts".into()],
        );
        let state = wait_chain(&api, &rows, Duration::ZERO, Duration::ZERO).unwrap();
        assert_eq!(state.rules.len(), 6);
    }
}
