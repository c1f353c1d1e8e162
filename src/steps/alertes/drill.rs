//! Step `alert-drill` (« exercice ») : proves the whole chain as an operator
//! would before trusting it. A temporary rule that fires at once (labelled
//! `exercice: "oui"`) is written beside the rules and Prometheus told to
//! reload (SIGHUP); the times are recorded as the alert is loaded, firing in
//! Prometheus and received by Alertmanager (`/api/v2/alerts`). The rule is
//! then disarmed (same name and labels, an expression that never matches: the
//! alert resolves and Prometheus says so to Alertmanager), and finally
//! removed. Every wait is bounded; a broken chain is reported at the link
//! that broke, and the temporary rule is always removed.
//!
//! Run again only with `--exercice`, or when the last successful drill is
//! older than the rules file.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, FixedOffset, Local};
use serde::Serialize;

use crate::adapters::alertmanager::{AlertmanagerApi, HttpAlertmanager};
use crate::adapters::prometheus::{HttpPrometheus, PrometheusAlertingApi};
use crate::error::{Error, Result};
use crate::french;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::Table;
use crate::steps::kit::wait::{Poll, Stopped, wait_until};
use crate::steps::{ComposeClient, ComposeProject};
use crate::store::{EntryKind, StepStatus, Store, now};

use super::PART_ID;

/// Étape G : exercice d'alerte.
pub struct AlertDrill;

/// The drill's alert name.
pub const DRILL_ALERT: &str = "ExerciceAlerte";

/// The drill's rules file: armed (fires at once) or disarmed (never matches).
pub fn drill_rules(armed: bool) -> String {
    format!(
        "# Règle temporaire de l'exercice d'alerte (journal run {PART_ID}) : retirée à la fin de l'exercice.\n\
         groups:\n  - name: exercice\n    rules:\n      - alert: {DRILL_ALERT}\n        expr: {}\n        \
         labels:\n          severity: info\n          exercice: \"oui\"\n        annotations:\n          \
         summary: \"Exercice d'alerte : à ignorer\"\n          \
         description: \"Alerte déclenchée volontairement par journal pour prouver la chaîne Prometheus → Alertmanager ; elle se résout d'elle-même.\"\n",
        if armed { "vector(1)" } else { "vector(1) == 0" }
    )
}

/// One event of the drill's timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DrillEvent {
    /// What happened, in French.
    pub label: String,
    /// Wall-clock time (`14:03:07`).
    pub at: String,
    /// Time since the drill started, in French (`12,3 s`).
    pub since: String,
}

/// What the drill needs to act on the world.
pub struct DrillIo<'a> {
    /// Prometheus' rules.
    pub prometheus: &'a dyn PrometheusAlertingApi,
    /// Alertmanager's alerts.
    pub alertmanager: &'a dyn AlertmanagerApi,
    /// Writes the drill rule (`Some(armed)`) or removes it (`None`), then
    /// makes Prometheus reload.
    pub set_rule: &'a mut dyn FnMut(Option<bool>) -> Result<()>,
    /// Bound of each wait.
    pub timeout: Duration,
    /// Poll interval.
    pub poll: Duration,
}

fn wait_for(io: &DrillIo, mut test: impl FnMut(&DrillIo) -> Result<bool>) -> Result<bool> {
    let waited = wait_until(io.timeout, io.poll, || match test(io) {
        Ok(true) => Ok(Poll::Ready(())),
        Ok(false) => Ok(Poll::Pending(())),
        Err(e) if e.kind() != crate::error::Kind::Environment => Err(e),
        Err(_) => Ok(Poll::Pending(())),
    });
    match waited {
        Ok(_) => Ok(true),
        Err(Stopped::TimedOut { .. }) => Ok(false),
        Err(Stopped::Failed(e)) => Err(e),
    }
}

fn rule_state(io: &DrillIo) -> Result<Option<String>> {
    Ok(io
        .prometheus
        .rules()?
        .into_iter()
        .flat_map(|g| g.rules)
        .find(|r| r.name == DRILL_ALERT)
        .map(|r| r.state))
}

fn received(io: &DrillIo) -> Result<bool> {
    let now = Local::now().fixed_offset();
    Ok(io.alertmanager.alerts()?.iter().any(|a| {
        a.labels.get("alertname").map(String::as_str) == Some(DRILL_ALERT)
            && DateTime::parse_from_rfc3339(&a.ends_at).map_or(true, |end| end > now)
    }))
}

/// Runs the drill; the events so far, and the broken link's error if any.
pub fn run_drill(io: &mut DrillIo) -> (Vec<DrillEvent>, Option<Error>) {
    let start = Instant::now();
    let mut events = Vec::new();
    let mark = |label: &str, events: &mut Vec<DrillEvent>| {
        events.push(DrillEvent {
            label: label.to_string(),
            at: french::time(&now()),
            since: french::duration_ms(start.elapsed().as_millis() as u64),
        })
    };
    let delay = french::duration_ms(io.timeout.as_millis() as u64);
    type Link<'x> = (
        &'x str,
        Option<Option<bool>>,
        fn(&DrillIo) -> Result<bool>,
        &'x str,
        String,
    );
    let links: [Link; 5] = [
        (
            "règle d'exercice écrite, Prometheus rechargé (SIGHUP)",
            Some(Some(true)),
            |io| Ok(rule_state(io)?.is_some()),
            "règle chargée par Prometheus",
            format!(
                "maillon rompu : Prometheus n'a pas chargé la règle {DRILL_ALERT} en {delay} (règle non chargée)"
            ),
        ),
        (
            "",
            None,
            |io| Ok(rule_state(io)?.as_deref() == Some("firing")),
            "alerte déclenchée dans Prometheus (firing)",
            format!(
                "maillon rompu : la règle {DRILL_ALERT} est chargée mais ne se déclenche pas en {delay}"
            ),
        ),
        (
            "",
            None,
            received,
            "alerte reçue par Alertmanager",
            format!(
                "maillon rompu : Prometheus n'a pas livré l'alerte à Alertmanager en {delay} (non livrée)"
            ),
        ),
        (
            "règle désamorcée, Prometheus rechargé",
            Some(Some(false)),
            |io| Ok(!received(io)?),
            "alerte résolue dans Alertmanager",
            format!(
                "maillon rompu : l'alerte {DRILL_ALERT} n'est pas résolue dans Alertmanager après {delay}"
            ),
        ),
        (
            "règle d'exercice retirée, Prometheus rechargé",
            Some(None),
            |io| Ok(rule_state(io)?.is_none()),
            "règle d'exercice disparue de Prometheus",
            format!("la règle {DRILL_ALERT} est toujours chargée {delay} après son retrait"),
        ),
    ];
    mark("début de l'exercice", &mut events);
    for (i, (action, change, test, reached, broken)) in links.into_iter().enumerate() {
        if let Some(change) = change {
            if let Err(e) = (io.set_rule)(change) {
                return (events, Some(e));
            }
            mark(action, &mut events);
        }
        match wait_for(io, test) {
            Ok(true) => mark(reached, &mut events),
            Ok(false) => return (events, Some(Error::failed(broken).with_hint(hint(i)))),
            Err(e) => return (events, Some(e)),
        }
    }
    (events, None)
}

fn hint(link: usize) -> &'static str {
    match link {
        0 => {
            "prometheus.yml doit lire /etc/prometheus/regles/*.yml et le service prometheus monter \
              ./config/prometheus/regles ; vérifiez docker compose exec prometheus ls /etc/prometheus/regles \
              et docker compose logs prometheus"
        }
        1 => {
            "Prometheus évalue les règles toutes les 15 s (evaluation_interval) : consultez l'état de la \
              règle sur http://localhost:9090/alerts et docker compose logs prometheus"
        }
        2 => {
            "Prometheus doit joindre alertmanager:9093 (section alerting de prometheus.yml, même réseau) : \
              consultez curl -s http://localhost:9090/api/v1/alertmanagers et docker compose logs prometheus"
        }
        _ => {
            "consultez http://localhost:9093 et docker compose logs alertmanager ; l'alerte d'exercice \
              expire d'elle-même en quelques minutes"
        }
    }
}

/// The timeline as a journal table.
pub fn timeline_table(events: &[DrillEvent]) -> String {
    let mut t = Table::new(["Événement", "Heure", "Depuis le début"]);
    for e in events {
        t.row([&e.label, &e.at, &e.since]);
    }
    t.render()
}

/// When the last successful drill of this project ended, if any.
pub fn last_drill(ctx: &RunContext) -> Result<Option<DateTime<FixedOffset>>> {
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    Ok(entries
        .iter()
        .filter(|e| {
            e.front.kind == EntryKind::Execution
                && e.front.partie.as_deref() == Some(PART_ID)
                && e.front
                    .etapes
                    .iter()
                    .any(|s| s.id == "alert-drill" && s.statut == StepStatus::Succeeded)
        })
        .map(|e| {
            e.front.horodatage
                + chrono::Duration::milliseconds(e.front.duree_ms.unwrap_or(0) as i64)
        })
        .max())
}

/// When the drill need not run again: without `--exercice`, the last
/// successful drill ended after the rules file was last written.
pub fn drill_not_due(ctx: &RunContext, rules: &Path) -> Result<Option<DateTime<FixedOffset>>> {
    if ctx.settings.alerts.drill {
        return Ok(None);
    }
    let rules_at = modified(rules);
    Ok(last_drill(ctx)?.filter(|last| rules_at.is_some_and(|r| r <= *last)))
}

fn modified(path: &Path) -> Option<DateTime<FixedOffset>> {
    let t: SystemTime = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(DateTime::<Local>::from(t).fixed_offset())
}

impl Step for AlertDrill {
    fn id(&self) -> &'static str {
        "alert-drill"
    }

    fn title(&self) -> &'static str {
        "Étape G : exercice d'alerte"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
        let path = super::drill_path(&project.file);
        let shown = ctx.project.display(&path);
        let command = format!(
            "$EDITOR {shown} && {p} kill -s SIGHUP prometheus && curl -s {a}/api/v2/alerts",
            p = compose.program(),
            a = ctx.settings.alerts.alertmanager_url
        );
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : écrirait une règle d'exercice {shown}, attendrait qu'Alertmanager reçoive \
                 l'alerte puis sa résolution (au plus {} par maillon), puis retirerait la règle",
                french::duration_ms(ctx.settings.alerts.drill_timeout.as_millis() as u64)
            ))
            .command(command));
        }
        // A drill rule left by an interrupted run would keep firing: removed.
        let leftover = path.exists();
        if leftover {
            std::fs::remove_file(&path).map_err(|e| Error::io("suppression de", &path, e))?;
            compose.signal(&project.file, "prometheus", "SIGHUP")?;
        }
        let leftover_note = format!(
            "une règle d'exercice laissée par une exécution interrompue ({shown}) a été retirée"
        );
        if let Some(last) = drill_not_due(ctx, &super::rules_path(&project.file))? {
            let mut report = StepReport::already_done(format!(
                "exercice déjà réussi le {}, après la dernière modification des règles ; \
                 « --exercice » le refait",
                french::date_time(&last)
            ))
            .command(command);
            if leftover {
                report = report.warn(leftover_note);
            }
            return Ok(report);
        }
        let prom = HttpPrometheus::new(&ctx.settings.prometheus_url)?;
        let am = HttpAlertmanager::new(&ctx.settings.alerts.alertmanager_url)?;
        let file = project.file.clone();
        let reload = |change: Option<bool>| -> Result<()> {
            match change {
                Some(armed) => crate::steps::kit::managed_file::write_readable(
                    &path,
                    drill_rules(armed).as_bytes(),
                )?,
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::io("suppression de", &path, e));
                    }
                    _ => {}
                },
            }
            compose.signal(&file, "prometheus", "SIGHUP").map(|_| ())
        };
        let mut set_rule = reload;
        let mut io = DrillIo {
            prometheus: &prom,
            alertmanager: &am,
            set_rule: &mut set_rule,
            timeout: ctx.settings.alerts.drill_timeout,
            poll: Duration::from_millis(500),
        };
        let (events, broken) = run_drill(&mut io);
        let table = timeline_table(&events);
        if let Some(e) = broken {
            // Never leave the drill's rule behind.
            let cleanup = (io.set_rule)(None)
                .err()
                .map(|c| {
                    format!(
                        "\n\nLa règle d'exercice n'a pas pu être retirée : {}",
                        c.message()
                    )
                })
                .unwrap_or_else(|| format!("\n\nLa règle d'exercice a été retirée ({shown})."));
            return Err(StepFailure::from(e)
                .command(command)
                .details(format!("{table}{cleanup}")));
        }
        let total = events.last().map(|e| e.since.clone()).unwrap_or_default();
        let received = events
            .iter()
            .find(|e| e.label.contains("reçue"))
            .map(|e| e.since.clone())
            .unwrap_or_default();
        let report = StepReport::done(format!(
            "exercice réussi : alerte reçue par Alertmanager {received} après le début, puis résolue ; \
             règle temporaire retirée (exercice complet en {total})"
        ))
        .command(command)
        .details(table);
        Ok(if leftover {
            report.warn(leftover_note)
        } else {
            report
        })
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};

    use super::*;
    use crate::adapters::alertmanager::{AmAlert, AmStatus};
    use crate::adapters::prometheus::{Rule, RuleGroup};

    /// Prometheus and Alertmanager as the drill sees them: the rule's state
    /// follows what was written, and delivery works when `delivers`.
    struct World {
        rule: Cell<Option<bool>>,
        delivers: bool,
        calls: RefCell<Vec<String>>,
    }

    impl PrometheusAlertingApi for World {
        fn rules(&self) -> Result<Vec<RuleGroup>> {
            let rules = match self.rule.get() {
                None => Vec::new(),
                Some(armed) => {
                    vec![Rule {
                        name: DRILL_ALERT.into(),
                        query: String::new(),
                        duration: 0.0,
                        health: "ok".into(),
                        state: if armed { "firing" } else { "inactive" }.into(),
                        last_error: String::new(),
                        kind: "alerting".into(),
                        labels: Default::default(),
                    }]
                }
            };
            Ok(vec![RuleGroup {
                name: "exercice".into(),
                file: String::new(),
                rules,
            }])
        }

        fn alertmanagers(&self) -> Result<Vec<String>> {
            Ok(Vec::new())
        }
    }

    impl AlertmanagerApi for World {
        fn ready(&self) -> Result<()> {
            Ok(())
        }

        fn status(&self) -> Result<AmStatus> {
            Ok(AmStatus::default())
        }

        fn alerts(&self) -> Result<Vec<AmAlert>> {
            Ok(if self.delivers && self.rule.get() == Some(true) {
                vec![AmAlert {
                    labels: [("alertname".to_string(), DRILL_ALERT.to_string())].into(),
                    starts_at: String::new(),
                    ends_at: "2999-01-01T00:00:00Z".into(),
                    status: Default::default(),
                }]
            } else {
                Vec::new()
            })
        }
    }

    fn drill(delivers: bool) -> (Vec<DrillEvent>, Option<Error>, Vec<String>, Option<bool>) {
        let world = World {
            rule: Cell::new(None),
            delivers,
            calls: RefCell::new(Vec::new()),
        };
        let mut set = |c: Option<bool>| {
            world.rule.set(c);
            world.calls.borrow_mut().push(format!("{c:?}"));
            Ok(())
        };
        let mut io = DrillIo {
            prometheus: &world,
            alertmanager: &world,
            set_rule: &mut set,
            timeout: Duration::from_millis(50),
            poll: Duration::from_millis(5),
        };
        let (events, err) = run_drill(&mut io);
        let calls = world.calls.borrow().clone();
        (events, err, calls, world.rule.get())
    }

    #[test]
    fn a_working_chain_gives_the_whole_timeline_and_removes_the_rule() {
        let (events, err, calls, rule) = drill(true);
        assert!(err.is_none(), "{err:?}");
        let labels: Vec<&str> = events.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "début de l'exercice",
                "règle d'exercice écrite, Prometheus rechargé (SIGHUP)",
                "règle chargée par Prometheus",
                "alerte déclenchée dans Prometheus (firing)",
                "alerte reçue par Alertmanager",
                "règle désamorcée, Prometheus rechargé",
                "alerte résolue dans Alertmanager",
                "règle d'exercice retirée, Prometheus rechargé",
                "règle d'exercice disparue de Prometheus",
            ]
        );
        assert_eq!(calls, ["Some(true)", "Some(false)", "None"]);
        assert_eq!(rule, None);
    }

    #[test]
    fn an_undelivered_alert_names_the_broken_link() {
        let (events, err, _, _) = drill(false);
        let e = err.expect("non livrée");
        assert!(
            e.message()
                .contains("n'a pas livré l'alerte à Alertmanager"),
            "{}",
            e.message()
        );
        assert!(e.hint().unwrap().contains("alertmanagers"));
        assert_eq!(
            events.last().unwrap().label,
            "alerte déclenchée dans Prometheus (firing)"
        );
    }

    fn drill_entry(dir: &Path, at: &str) {
        let journal = dir.join("journal");
        std::fs::create_dir_all(&journal).unwrap();
        std::fs::write(
            journal.join(format!("{}-execution-abcdef.md", at.replace(':', ""))),
            format!(
                "---\ntype: execution\ntitre: alertes\npartie: {PART_ID}\nhorodatage: {at}\n\
                 statut: réussi\ntags: []\nduree_ms: 60000\netapes:\n- id: alert-drill\n  titre: exercice\n  \
                 statut: réussi\n  duree_ms: 30000\n---\n\nCorps.\n"
            ),
        )
        .unwrap();
    }

    #[test]
    fn the_drill_runs_again_only_when_rules_changed_or_asked() {
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("alertes.yml");
        std::fs::write(&rules, "groups: []\n").unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        assert!(
            drill_not_due(&ctx, &rules).unwrap().is_none(),
            "jamais fait"
        );
        drill_entry(dir.path(), "2000-01-01T00:00:00+00:00");
        assert!(
            drill_not_due(&ctx, &rules).unwrap().is_none(),
            "plus ancien que les règles"
        );
        drill_entry(dir.path(), "2999-01-01T00:00:00+00:00");
        assert!(
            drill_not_due(&ctx, &rules).unwrap().is_some(),
            "plus récent que les règles"
        );
        ctx.settings.alerts.drill = true;
        assert!(drill_not_due(&ctx, &rules).unwrap().is_none(), "--exercice");
    }

    #[test]
    fn the_drill_rule_is_armed_then_disarmed_with_the_same_labels() {
        let (a, d) = (drill_rules(true), drill_rules(false));
        assert!(a.contains("expr: vector(1)\n") && d.contains("expr: vector(1) == 0\n"));
        assert_eq!(a.replace("vector(1)\n", "vector(1) == 0\n"), d);
        serde_yaml::from_str::<serde_yaml::Value>(&a).unwrap();
    }
}
