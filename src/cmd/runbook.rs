//! `journal run <partie>` for a part of the project (a Markdown runbook of
//! `parties/`): its target and requirements checked, its parameters resolved
//! (`JOURNAL_<NOM>`, `journal.toml`, default), then its plan shown
//! (`--dry-run`, nothing touched) or its steps run by the engine.

use super::Context;
use crate::cli::RunArgs;
use crate::error::{Error, Result};
use crate::part_file::Runbook;
use crate::parts::project::ProjectPart;
use crate::runbook::{RunContext, engine};
use crate::settings::Settings;
use crate::store::{EntryKind, Status, Store};

/// A parameter's value and where it comes from.
pub struct ParamValue {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// `JOURNAL_X`, `journal.toml (« x »)` or « défaut ».
    pub source: String,
}

/// The value of each parameter of `runbook`.
pub fn param_values(runbook: &Runbook) -> Vec<ParamValue> {
    runbook
        .params
        .iter()
        .map(|p| {
            let (value, source) = crate::settings::param(&p.name)
                .unwrap_or_else(|| (p.default.clone(), "défaut".into()));
            ParamValue {
                name: p.name.clone(),
                value,
                source,
            }
        })
        .collect()
}

/// The requirements of `runbook` that never succeeded in the project.
fn missing_requirements(ctx: &Context, runbook: &Runbook) -> Result<Vec<String>> {
    if runbook.requires.is_empty() {
        return Ok(Vec::new());
    }
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    Ok(runbook
        .requires
        .iter()
        .filter(|r| {
            !entries.iter().any(|e| {
                e.front.kind == EntryKind::Execution
                    && e.front.partie.as_deref() == Some(r.as_str())
                    && e.front.statut == Status::Succeeded
            })
        })
        .cloned()
        .collect())
}

/// Runs (or, with `--dry-run`, plans) project part `part`.
pub fn execute(ctx: &Context, args: &RunArgs, part: &ProjectPart) -> Result<()> {
    let r = &part.runbook;
    let settings = Settings::resolve(super::run_common::options(args))?;
    let target = settings.target.as_str();
    if !r.targets.iter().any(|t| t == target) {
        return Err(Error::usage(format!(
            "{}:{}: la {} ne prend pas en charge la cible « {target} » (rien n'a été modifié)",
            part.shown, r.id_line, r.id
        ))
        .with_hint(format!(
            "cibles de cette partie : {} ; ajoutez « {target} » à « cibles: » si ses étapes s'y appliquent",
            r.targets.join(", ")
        )));
    }
    let missing = missing_requirements(ctx, r)?;
    let values = param_values(r);
    if settings.dry_run {
        ctx.out.info(&format!(
            "Simulation de la {} — {} ({})",
            r.id, r.title, part.shown
        ));
        for m in &missing {
            ctx.out.warn(&format!(
                "la {m} n'a jamais réussi dans ce projet : « journal run {} » la demandera d'abord",
                r.id
            ));
        }
        for line in plan(part, target, &values) {
            ctx.out.result(&line);
        }
        ctx.out
            .success("simulation terminée : rien n'a été modifié");
        return Ok(());
    }
    if let Some(m) = missing.first() {
        return Err(Error::usage(format!(
            "{}:{}: la {m} n'a jamais réussi dans ce projet : la {} la demande (rien n'a été modifié)",
            part.shown, r.requires_line, r.id
        ))
        .with_hint(format!("lancez d'abord « journal run {m} », puis « journal run {} »", r.id)));
    }
    let not_yet: Vec<String> = r
        .blocks
        .iter()
        .filter(|b| b.applies_to(target) && !crate::steps::runbook::executable(b))
        .map(|b| format!("{}:{}: journal:{}", part.shown, b.line, b.kind().name()))
        .collect();
    if !not_yet.is_empty() {
        return Err(Error::usage(format!(
            "la {} a des blocs que journal ne sait pas encore exécuter (rien n'a été modifié) : {}",
            r.id,
            not_yet.join(", ")
        ))
        .with_hint(format!(
            "« journal run {} --dry-run » montre son plan ; exécutables dans une partie du projet : \
             fichier, services (du fichier Compose du projet), collecte, commande, promql, http, \
             cibles, tableau-de-bord, mot-de-passe-grafana, instantane, exercice-alerte \
             (integree est réservée aux parties intégrées à journal)",
            r.id
        )));
    }
    let steps = crate::steps::runbook::steps_for(
        r,
        &part.shown,
        target,
        crate::steps::runbook::Origin::Project,
        &|p| {
            values
                .iter()
                .find(|v| v.name == p.name)
                .map(|v| v.value.clone())
        },
    );
    // A command may print a secret the project keeps (the Grafana password…):
    // masked in the journal and on the terminal like any other.
    crate::secrets::register_dir(&ctx.project.secrets_dir());
    let mut run_ctx = RunContext::new(ctx.project.clone(), settings, ctx.out.clone());
    run_ctx.origin = super::origin(&ctx.project, args.auteur.clone(), true);
    super::annotate::when_run_starts(ctx, &mut run_ctx, &super::run_common::options(args));
    ctx.out.info(&format!(
        "Exécution de la {} — {} ({})",
        r.id, r.title, part.shown
    ));
    let outcome = engine::run_steps(&r.id, &r.title, &steps, &mut run_ctx)?;
    super::run_common::finish(ctx, &r.id, false, outcome, &run_ctx)
}

/// The plan of a project part on `target`: its parameters, then one line
/// per step of that target.
pub fn plan(part: &ProjectPart, target: &str, values: &[ParamValue]) -> Vec<String> {
    let r = &part.runbook;
    let mut out = Vec::new();
    if !values.is_empty() {
        let rows: Vec<Vec<String>> = values
            .iter()
            .map(|v| vec![v.name.clone(), v.value.clone(), v.source.clone()])
            .collect();
        out.extend(crate::output::format_table(
            &["paramètre", "valeur", "source"],
            &rows,
        ));
        out.push(String::new());
    }
    let rows: Vec<Vec<String>> = r
        .blocks
        .iter()
        .filter(|b| b.applies_to(target))
        .enumerate()
        .map(|(i, b)| {
            let spec_plan = r.substitute(&b.spec.plan(), &|p| {
                values
                    .iter()
                    .find(|v| v.name == p.name)
                    .map(|v| v.value.clone())
            });
            vec![
                (i + 1).to_string(),
                b.title.clone(),
                format!("journal:{}", b.kind().name()),
                spec_plan,
                format!("{}:{}", part.shown, b.line),
            ]
        })
        .collect();
    out.extend(crate::output::format_table(
        &["n°", "étape", "sorte", "ce qui serait fait", "bloc"],
        &rows,
    ));
    out
}
