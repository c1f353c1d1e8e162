//! Step `alert-rules`: writes the rules file `config/prometheus/regles/alertes.yml`
//! from the template `prometheus/alertes.yml.j2`, after `promtool check rules`
//! (run in the Prometheus container) accepted it. A file already there and
//! different is checked too: refused by promtool, the failure names its line;
//! accepted, it is replaced only with `--force` (backup kept).

use serde::Serialize;

use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::{Cell, Table};
use crate::steps::{ComposeClient, ComposeProject};

use super::RulesChanged;
use super::files::{self, Validator, Verdict};
use crate::steps::kit::managed_file::{self, ManagedFile};

/// The template of the rules.
pub const TEMPLATE: &str = "prometheus/alertes.yml.j2";

/// Étape A : règles d'alerte.
pub struct AlertRules;

/// Why each rule of the shipped file exists (the journal's « raison »).
const REASONS: [(&str, &str); 6] = [
    (
        "CibleInjoignable",
        "une cible muette ne produit plus de métriques : sans cette règle, les autres alertes se taisent sans rien dire",
    ),
    (
        "ConteneurDisparu",
        "un conteneur arrêté ou supprimé disparaît des tableaux de bord sans bruit ; cAdvisor le voit en premier",
    ),
    (
        "RedemarragesEnBoucle",
        "un service qui plante et redémarre (restart: unless-stopped) paraît « Up » à chaque instant",
    ),
    (
        "CpuEleve",
        "une consommation soutenue annonce une lenteur avant que les utilisateurs ne la signalent",
    ),
    (
        "MemoireProcheLimite",
        "au-delà de sa limite, le noyau tue le conteneur (OOM) : mieux vaut le savoir avant",
    ),
    (
        "VerificationEnRetard",
        "une vérification horaire qui ne tourne plus, ou qui échoue depuis un jour, ne se voit pas sans elle",
    ),
];

/// One rule, as the journal and the documentation show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleRow {
    /// Alert name.
    pub name: String,
    /// PromQL expression.
    pub expr: String,
    /// `for` (« — » when none).
    pub duration: String,
    /// `severity` label.
    pub severity: String,
    /// French summary.
    pub summary: String,
    /// French description.
    pub description: String,
    /// Why it exists (empty for a rule added by hand).
    pub reason: String,
}

/// The rules of a rules file's text.
pub fn rule_rows(text: &str) -> Vec<RuleRow> {
    let Ok(v) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Vec::new();
    };
    let s = |v: &serde_yaml::Value, k: &str| -> String {
        match v.get(k) {
            Some(serde_yaml::Value::String(s)) => s.clone(),
            Some(serde_yaml::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let mut rows = Vec::new();
    for g in v
        .get("groups")
        .and_then(|g| g.as_sequence())
        .into_iter()
        .flatten()
    {
        for r in g
            .get("rules")
            .and_then(|r| r.as_sequence())
            .into_iter()
            .flatten()
        {
            let name = s(r, "alert");
            if name.is_empty() {
                continue;
            }
            let labels = r.get("labels").cloned().unwrap_or_default();
            let annotations = r.get("annotations").cloned().unwrap_or_default();
            let duration = s(r, "for");
            rows.push(RuleRow {
                reason: REASONS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, w)| w.to_string())
                    .unwrap_or_default(),
                expr: s(r, "expr"),
                duration: if duration.is_empty() {
                    "—".into()
                } else {
                    duration
                },
                severity: s(&labels, "severity"),
                summary: s(&annotations, "summary"),
                description: s(&annotations, "description"),
                name,
            });
        }
    }
    rows
}

/// The journal's table of rules; `health` gives the state Prometheus reports.
pub fn rules_table(rows: &[RuleRow], health: impl Fn(&str) -> Option<String>) -> String {
    let mut t = Table::new(["Règle", "Expression", "Durée", "Sévérité", "État", "Raison"]);
    for r in rows {
        t.row([
            Cell::text(&r.name),
            Cell::code(&r.expr),
            Cell::text(&r.duration),
            Cell::text(&r.severity),
            Cell::text(health(&r.name).unwrap_or_else(|| "—".into())),
            Cell::text(if r.reason.is_empty() {
                &r.description
            } else {
                &r.reason
            }),
        ]);
    }
    t.render()
}

/// The rules file's text as this run wants it.
pub fn wanted_rules(ctx: &RunContext) -> crate::error::Result<String> {
    ctx.templates.render(TEMPLATE, &ctx.settings)
}

impl Step for AlertRules {
    fn id(&self) -> &'static str {
        "alert-rules"
    }

    fn title(&self) -> &'static str {
        "Étape A : règles d'alerte"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let project = ctx.require::<ComposeProject>("le projet Compose")?.clone();
        let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
        let path = super::rules_path(&project.file);
        let file = ManagedFile::read(ctx, path, wanted_rules(ctx)?)?;
        let (shown, wanted) = (file.shown.clone(), file.wanted.as_str());
        let rows = rule_rows(wanted);
        let command = Validator::Promtool.command(compose.program(), &shown);
        let table = rules_table(&rows, |_| None);
        if file.is_current() {
            return Ok(StepReport::already_done(format!(
                "{shown} contient déjà les {} règles d'alerte",
                rows.len()
            ))
            .command(command)
            .details(table));
        }
        let diff = file.diff_block();
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : écrirait {shown} ({} règles), après « promtool check rules »",
                rows.len()
            ))
            .details(table)
            .details(diff));
        }
        let check = |text: &str, label: &str| {
            files::validate(
                compose.as_ref(),
                &project.file,
                Validator::Promtool,
                text,
                label,
            )
            .map_err(|e| StepFailure::from(e).command(command.clone()))
        };
        let mut warnings = Vec::new();
        if let Some(cur) = file.current.as_deref()
            && !ctx.settings.force
        {
            return Err(match check(cur, &shown)? {
                Verdict::Refused(out) => files::refusal(
                    Validator::Promtool,
                    &out,
                    &shown,
                    &format!(
                        "{shown} a été modifié à la main et Prometheus ne pourrait pas le charger : \
                         corrigez la ligne indiquée, ou relancez avec --force pour reprendre les règles \
                         de journal (l'ancien fichier sera sauvegardé)"
                    ),
                )
                .command(command)
                .details(diff),
                Verdict::Unavailable(why) => managed_file::differs(&shown, diff)
                    .command(command)
                    .details(format!("Le fichier actuel n'a pas pu être vérifié : {why}.")),
                Verdict::Accepted(_) => managed_file::differs(&shown, diff).command(command),
            });
        }
        let proposed = format!("{shown} (proposé)");
        match check(wanted, &proposed)? {
            Verdict::Accepted(_) => {}
            Verdict::Refused(out) => {
                return Err(files::refusal(
                    Validator::Promtool,
                    &out,
                    &proposed,
                    "le modèle prometheus/alertes.yml.j2 (ou sa surcharge dans templates/) produit des \
                     règles invalides : rien n'a été écrit",
                )
                .command(command)
                .details(diff));
            }
            Verdict::Unavailable(why) => {
                files::check_yaml_only(TEMPLATE, wanted)?;
                warnings.push(format!(
                    "{why} : les règles n'ont été vérifiées que comme YAML ; l'image officielle \
                     prom/prometheus fournit /bin/promtool"
                ));
            }
        }
        let backup = file.write(ctx)?;
        ctx.put(RulesChanged);
        // Only what really happened: promtool may not have run at all.
        let checked = if warnings.is_empty() {
            "acceptées par promtool"
        } else {
            "vérifiées comme YAML seulement"
        };
        let summary = match backup {
            Some(b) => format!(
                "{shown} remplacé ({} règles, {checked}) ; ancienne version : {b}",
                rows.len()
            ),
            None => format!("{shown} écrit ({} règles, {checked})", rows.len()),
        };
        let mut report = StepReport::done(summary)
            .command(command)
            .details(table)
            .details(diff);
        for w in warnings {
            report = report.warn(w);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::store::StepStatus;
    use crate::testing::docker::{FakeCompose, FakeDocker, install};
    use crate::testing::test_context;

    fn run(
        dir: &tempfile::TempDir,
        compose: FakeCompose,
        force: bool,
    ) -> (Result<StepReport, StepFailure>, Rc<FakeCompose>) {
        let mut ctx = test_context(dir.path());
        ctx.settings.force = force;
        let compose = Rc::new(compose);
        install(&mut ctx, Rc::new(FakeDocker::default()), compose.clone());
        (AlertRules.run(&mut ctx), compose)
    }

    fn path(dir: &tempfile::TempDir) -> std::path::PathBuf {
        dir.path()
            .join("compose/config/prometheus/regles/alertes.yml")
    }

    #[test]
    fn the_shipped_rules_have_severity_french_text_and_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = test_context(dir.path());
        let text = wanted_rules(&ctx).unwrap();
        let rows = rule_rows(&text);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, REASONS.map(|(n, _)| n));
        for r in &rows {
            assert!(!r.severity.is_empty() && !r.summary.is_empty() && !r.reason.is_empty());
            assert!(r.description.contains("{{ $labels"), "{}", r.description);
        }
        assert!(text.contains("> 0.8\n"), "seuil CPU : {text}");
        assert!(text.contains("time() - container_last_seen{name!=\"\"} > 60"));
        assert!(text.contains("changes(container_start_time_seconds{name!=\"\"}[15m]) > 3"));
        assert!(text.contains("(seuil : 0.8 cœur)"));
    }

    #[test]
    fn writes_after_promtool_then_already_done() {
        let dir = tempfile::tempdir().unwrap();
        let (r, compose) = run(&dir, FakeCompose::default(), false);
        let r = r.unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        assert_eq!(
            compose.calls(),
            ["exec -T prometheus promtool check rules /dev/stdin"]
        );
        assert!(
            r.details
                .contains("| CibleInjoignable | `up == 0` | 1m | critique |")
        );
        let (r2, compose2) = run(&dir, FakeCompose::default(), false);
        assert_eq!(r2.unwrap().status, StepStatus::AlreadyDone);
        assert!(compose2.calls().is_empty());
    }

    #[test]
    fn without_promtool_the_summary_does_not_claim_its_approval() {
        let dir = tempfile::tempdir().unwrap();
        let compose = FakeCompose {
            checker: Some((
                false,
                "exec: \"promtool\": executable file not found".into(),
            )),
            ..Default::default()
        };
        let r = run(&dir, compose, false).0.unwrap();
        assert!(
            r.summary.contains("vérifiées comme YAML seulement"),
            "{}",
            r.summary
        );
        assert!(
            !r.summary.contains("acceptées par promtool"),
            "{}",
            r.summary
        );
        assert!(
            r.warnings[0].contains("promtool n'a pas pu être lancé"),
            "{:?}",
            r.warnings
        );
        let (r, _) = run(&tempfile::tempdir().unwrap(), FakeCompose::default(), false);
        assert!(r.unwrap().summary.contains("acceptées par promtool"));
    }

    #[test]
    fn a_file_broken_by_hand_is_refused_with_its_line_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(path(&dir).parent().unwrap()).unwrap();
        std::fs::write(
            path(&dir),
            "groups:\n  - name: x\n    rules:\n      - alert: B\n        expr: up ==\n",
        )
        .unwrap();
        let shown = "compose/config/prometheus/regles/alertes.yml";
        let compose = FakeCompose {
            checker: Some((
                false,
                "Checking /dev/stdin\n  FAILED:\n/dev/stdin: 5:15: group \"x\", rule 1, \"B\": could not parse expression: 1:6: parse error: unexpected end of input".to_string(),
            )),
            ..Default::default()
        };
        let (r, _) = run(&dir, compose, false);
        let f = r.unwrap_err();
        assert!(
            f.error
                .message()
                .starts_with(&format!("promtool refuse {shown} (ligne 5)")),
            "{}",
            f.error.message()
        );
        assert!(f.error.hint().unwrap().contains("--force"));
        assert!(
            std::fs::read_to_string(path(&dir))
                .unwrap()
                .contains("up ==\n")
        );
    }

    #[test]
    fn a_valid_different_file_needs_force_and_is_backed_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(path(&dir).parent().unwrap()).unwrap();
        std::fs::write(path(&dir), "groups: []\n").unwrap();
        let (r, _) = run(&dir, FakeCompose::default(), false);
        let f = r.unwrap_err();
        assert_eq!(f.error.code(), 2);
        assert!(f.details.contains("-groups: []"));
        let (r, _) = run(&dir, FakeCompose::default(), true);
        assert!(r.unwrap().summary.contains("ancienne version"));
        let backups = std::fs::read_dir(path(&dir).parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".bak."))
            .count();
        assert_eq!(backups, 1);
    }
}
