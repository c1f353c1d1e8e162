//! `journal verifie [PARTIE…]`: runs, read-only, the verifications of the
//! parts already applied (their last successful run in the journal) against
//! the real services, prints what does not hold, and records a change of
//! state (`state`): an entry only when the state differs from the previous
//! verification's, and a per-day count of checks. It changes nothing in the
//! stack, Grafana or the managed files. Exit 0 all hold, 1 drift, 3 a
//! service unreachable, 2 no part ever applied or an unknown part.

pub mod state;

use super::Context;
use crate::adapters::docker::Containers;
use crate::adapters::grafana::{GrafanaApi, HttpGrafana};
use crate::adapters::prometheus::HttpPrometheus;
use crate::cli::VerifyArgs;
use crate::error::{Error, Result};
use crate::runbook::RunContext;
use crate::settings::{RunOptions, Settings};
use crate::steps::verify::{self, Finding, Stack};
use crate::store::{EntryKind, Status, Store};

/// The parts to verify: those named (each must be known and have succeeded
/// once), or every part that succeeded once; a usage error (exit 2) when
/// none did.
pub fn applied_parts(ctx: &Context, named: &[String]) -> Result<Vec<&'static str>> {
    let wanted: Vec<&'static str> = if named.is_empty() {
        crate::parts::known().iter().map(|p| p.id).collect()
    } else {
        named
            .iter()
            .map(|n| crate::parts::find(n).map(|p| p.id))
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
    let never: Vec<&str> = wanted.iter().copied().filter(|p| !succeeded(p)).collect();
    if !named.is_empty() && !never.is_empty() {
        return Err(Error::usage(format!(
            "rien à vérifier : la {} n'a jamais réussi dans ce projet",
            never.join(", la ")
        ))
        .with_hint(format!("lancez d'abord « journal run {} »", never[0])));
    }
    let applied: Vec<&'static str> = wanted.into_iter().filter(|p| succeeded(p)).collect();
    if applied.is_empty() {
        return Err(Error::usage(
            "rien à vérifier : aucune partie n'a encore réussi dans ce projet",
        )
        .with_hint("lancez d'abord « journal run partie-6 », puis « journal verifie »"));
    }
    Ok(applied)
}

/// The managed files of `part` compared with what it would write today.
fn file_findings(run_ctx: &RunContext, part: &str) -> Result<Vec<Finding>> {
    use crate::steps::config_file;
    use crate::steps::kit::managed_file::ManagedFile;
    if part != "partie-6" {
        return Ok(Vec::new());
    }
    let path = config_file::config_path(&run_ctx.project.compose_file());
    let file = ManagedFile::read(run_ctx, path, config_file::wanted_text(run_ctx)?)?;
    let accepted = config_file::completed_by_parts(run_ctx, &file).is_some();
    Ok(
        verify::managed_file(&file.shown, file.current.as_deref(), &file.wanted, accepted)
            .into_iter()
            .collect(),
    )
}

/// Runs `journal verifie`.
pub fn execute(ctx: &Context, args: VerifyArgs) -> Result<()> {
    let parts = applied_parts(ctx, &args.parties)?;
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

    let mut all = Vec::new();
    let mut results = Vec::new();
    for part in parts {
        let mut findings = match part {
            "partie-6" => verify::partie6(&stack),
            "partie-6-alertes" => verify::partie6_alertes(&stack),
            _ => Vec::new(),
        };
        findings.extend(file_findings(&run_ctx, part)?);
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
