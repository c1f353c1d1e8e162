//! `journal verifie [PARTIE…]`: runs, read-only, the verifications of the
//! parts already applied (their last successful run in the journal) against
//! the real services, prints what does not hold, and records a change of
//! state (`state`): an entry only when the state differs from the previous
//! verification's, and a per-day count of checks. The parts are the
//! built-in ones (partie-6: containers, targets, metrics, Grafana,
//! `prometheus.yml`; partie-6-alertes: its container, the alert chain, its
//! two files) and the runbooks (their `journal:fichier` blocks). One
//! verification at a time writes (`state::lock`). It changes nothing in the
//! stack, Grafana or the managed files. Exit 0 all hold, 1 drift, 3 a
//! service unreachable or the lock still held, 2 no part ever applied or an
//! unknown part.

pub mod state;

use super::Context;
use crate::adapters::alertmanager::HttpAlertmanager;
use crate::adapters::docker::Containers;
use crate::adapters::grafana::{GrafanaApi, HttpGrafana};
use crate::adapters::prometheus::HttpPrometheus;
use crate::cli::VerifyArgs;
use crate::error::{Error, Result};
use crate::parts::project::ProjectPart;
use crate::runbook::RunContext;
use crate::settings::{RunOptions, Settings};
use crate::steps::kit::managed_file::ManagedFile;
use crate::steps::verify::{self, Finding, Stack};
use crate::store::{EntryKind, Status, Store};

/// The parts to verify: those named (each must be known and have succeeded
/// once), or every part that succeeded once — built-in parts, built-in
/// runbooks and the project's runbooks (`parties/*.md`); a usage error
/// (exit 2) when none did.
pub fn applied_parts(ctx: &Context, named: &[String]) -> Result<Vec<String>> {
    let scan = crate::parts::project::scan(&ctx.project)?;
    let wanted: Vec<String> = if named.is_empty() {
        let mut all: Vec<String> = crate::parts::known()
            .iter()
            .map(|p| p.id.to_string())
            .collect();
        all.extend(
            crate::parts::builtin_runbooks()
                .into_iter()
                .map(|p| p.runbook.id),
        );
        all.extend(scan.parts.iter().map(|p| p.runbook.id.clone()));
        all
    } else {
        named
            .iter()
            .map(|n| {
                crate::parts::resolve(n, &scan).map(|f| match f {
                    crate::parts::Found::Builtin(p) => p.id.to_string(),
                    crate::parts::Found::Project(p) => p.runbook.id,
                })
            })
            .collect::<Result<_>>()?
    };
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    let succeeded = |id: &str| {
        entries.iter().any(|e| {
            e.front.kind == EntryKind::Execution
                && e.front.partie.as_deref() == Some(id)
                && e.front.statut == Status::Succeeded
        })
    };
    let never: Vec<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|p| !succeeded(p))
        .collect();
    if !named.is_empty() && !never.is_empty() {
        return Err(Error::usage(format!(
            "rien à vérifier : la {} n'a jamais réussi dans ce projet",
            never.join(", la ")
        ))
        .with_hint(format!("lancez d'abord « journal run {} »", never[0])));
    }
    let applied: Vec<String> = wanted.into_iter().filter(|p| succeeded(p)).collect();
    if applied.is_empty() {
        return Err(Error::usage(
            "rien à vérifier : aucune partie n'a encore réussi dans ce projet",
        )
        .with_hint("lancez d'abord « journal run partie-6 », puis « journal verifie »"));
    }
    Ok(applied)
}

/// A managed file compared with `wanted` (`accepted`: its current text is
/// acceptable anyway).
fn file_finding(
    run_ctx: &RunContext,
    path: std::path::PathBuf,
    wanted: String,
    accepted: impl Fn(&ManagedFile) -> bool,
) -> Result<Option<Finding>> {
    let file = ManagedFile::read(run_ctx, path, wanted)?;
    Ok(verify::managed_file(
        &file.shown,
        file.current.as_deref(),
        &file.wanted,
        accepted(&file),
    ))
}

/// The managed files of `part` compared with what it would write today:
/// `prometheus.yml` (partie-6), the rules file and Alertmanager's file
/// (partie-6-alertes), the `journal:fichier` blocks of a runbook (built-in
/// or the project's, with today's parameter values).
fn file_findings(
    run_ctx: &RunContext,
    part: &str,
    runbooks: &[ProjectPart],
) -> Result<Vec<Finding>> {
    use crate::steps::{alertes, config_file};
    let compose = run_ctx.project.compose_file();
    let mut out = Vec::new();
    match part {
        "partie-6" => out.extend(file_finding(
            run_ctx,
            config_file::config_path(&compose),
            config_file::wanted_text(run_ctx)?,
            |f| config_file::completed_by_parts(run_ctx, f).is_some(),
        )?),
        alertes::PART_ID => {
            out.extend(file_finding(
                run_ctx,
                alertes::rules_path(&compose),
                alertes::rules::wanted_rules(run_ctx)?,
                |_| false,
            )?);
            // The webhook's address is a secret given to `run` through the
            // environment only: a scheduled verification without it cannot
            // know the file `run` wrote, and says so instead of a false drift.
            let am = alertes::alertmanager_config_path(&compose);
            let current = crate::store::read_optional(&am)?.unwrap_or_default();
            if run_ctx.settings.alerts.webhook.is_none() && current.contains("webhook_configs:") {
                run_ctx.out.info(&format!(
                    "{} : {} non comparé, son webhook vient de {} absent ici",
                    alertes::PART_ID,
                    run_ctx.project.display(&am),
                    crate::settings::ALERT_WEBHOOK
                ));
            } else {
                out.extend(file_finding(
                    run_ctx,
                    am,
                    alertes::config::wanted_alertmanager(run_ctx)?,
                    |_| false,
                )?);
            }
        }
        _ => {
            if let Some(p) = runbooks.iter().find(|p| p.runbook.id == part) {
                let values = super::runbook::param_values(&p.runbook);
                let value = |param: &crate::part_file::Param| {
                    values
                        .iter()
                        .find(|v| v.name == param.name)
                        .map(|v| v.value.clone())
                };
                for b in &p.runbook.blocks {
                    if let crate::part_file::Spec::File { path, content } = &b.spec {
                        out.extend(file_finding(
                            run_ctx,
                            run_ctx
                                .project
                                .root()
                                .join(p.runbook.substitute(path, &value)),
                            p.runbook.substitute(content, &value),
                            |_| false,
                        )?);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Runs `journal verifie`.
pub fn execute(ctx: &Context, args: VerifyArgs) -> Result<()> {
    let parts = applied_parts(ctx, &args.parties)?;
    // One verification at a time writes the state, the summary and the
    // journal (with --sans-journal nothing is written: no lock).
    let _lock = match args.sans_journal {
        true => None,
        false => Some(state::lock(
            ctx.project.root(),
            std::time::Duration::from_secs(args.attente),
            &ctx.out,
        )?),
    };
    let settings = Settings::resolve(RunOptions::default())?;
    let run_ctx = RunContext::new(ctx.project.clone(), settings.clone(), ctx.out.clone());

    // On a swarm, the containers are the stack's tasks, which the
    // Compose-labelled check below does not see: it is left out, said once.
    let swarm = settings.target == crate::settings::Target::Swarm;
    if swarm {
        ctx.out.info(
            "cible swarm : l'état des conteneurs n'est pas vérifié ici (docker stack ps),              les cibles, les métriques et Grafana le sont",
        );
    }
    // The services, each connected once; a failure becomes a finding.
    let docker = crate::adapters::docker::Docker::connect().and_then(|d| {
        use crate::adapters::compose::Compose;
        let compose = crate::adapters::compose::ComposeCli::detect()?;
        let name = compose.project_name(&ctx.project.compose_file())?;
        Ok((d, name))
    });
    let prometheus = HttpPrometheus::new(&settings.prometheus_url)?;
    let anonymous = HttpGrafana::new(&settings.grafana_url, None)?;
    let secrets = ctx.project.secrets_dir();
    let password = crate::steps::grafana_password::existing_password(
        settings
            .grafana_password
            .as_ref()
            .map(|s| s.expose().to_string()),
        None,
        &secrets.join(crate::steps::grafana_password::SECRET_FILE),
    )?
    .map(|(s, _)| s);
    let mut refusals = crate::steps::grafana_refusals::Refusals::load(&secrets)?;
    let signed = verify::grafana_sign_in(
        &anonymous,
        password,
        &mut refusals,
        crate::steps::grafana_refusals::wall_clock(),
    )
    .and_then(|creds| {
        HttpGrafana::new(&settings.grafana_url, Some(creds))
            .map_err(|e| Finding::unreachable("grafana", "Grafana", &e))
    });
    let fallback_title = crate::steps::grafana_dashboard::fallback_json(&ctx.project)
        .and_then(|t| crate::steps::kit::dashboard::parse_dashboard(&t))
        .map(|d| crate::steps::kit::dashboard::title_of(&d).to_string())
        .unwrap_or_default();
    let stack = Stack {
        docker: docker
            .as_ref()
            .map(|(d, n)| (d as &dyn Containers, n.clone()))
            .map_err(|e| Finding::unreachable("docker", "le moteur Docker ou Compose", e)),
        prometheus: &prometheus,
        grafana: signed
            .as_ref()
            .map(|g| g as &dyn GrafanaApi)
            .map_err(Clone::clone),
        gap: settings.restart_sample_gap,
        containers: !swarm,
        dashboard: (settings.dashboard_id, fallback_title),
    };

    // The alert chain, asked only when partie-6-alertes is verified.
    let alerting = HttpAlertmanager::new(&settings.alerts.alertmanager_url)?;
    let rules = crate::store::read_optional(&crate::steps::alertes::rules_path(
        &ctx.project.compose_file(),
    ))?
    .map(|t| crate::steps::alertes::rules::rule_rows(&t))
    .unwrap_or_default();
    let chain = verify::AlertChain {
        prometheus: &prometheus,
        alertmanager: &alerting,
        rules,
        grace: std::time::Duration::from_secs(20),
    };
    let mut runbooks = crate::parts::builtin_runbooks();
    runbooks.extend(crate::parts::project::scan(&ctx.project)?.parts);

    let mut all = Vec::new();
    let mut results = Vec::new();
    for part in &parts {
        let part = part.as_str();
        let mut findings = match part {
            "partie-6" => verify::partie6(&stack),
            crate::steps::alertes::PART_ID => verify::partie6_alertes(&stack, &chain),
            _ => Vec::new(),
        };
        findings.extend(file_findings(&run_ctx, part, &runbooks)?);
        // Secrets (a webhook's address in Alertmanager's file…) never reach
        // the terminal, the journal or the state file.
        for f in &mut findings {
            f.message = crate::secrets::redact(&f.message);
            f.details = crate::secrets::redact(&f.details);
        }
        report(ctx, part, &findings);
        all.extend(findings.iter().cloned());
        results.push((part.to_string(), findings));
    }
    if !args.sans_journal {
        state::record(ctx, &results)?;
    }
    verify::outcome(&all)
}

/// Prints one part's verdict.
fn report(ctx: &Context, part: &str, findings: &[Finding]) {
    if findings.is_empty() {
        ctx.out.success(&format!("{part} : tout est conforme"));
        return;
    }
    for f in findings {
        ctx.out.warn(&format!("{part} : {}", f.message));
        if !f.details.is_empty() {
            ctx.out.markdown(&f.details);
        }
    }
}
