//! `journal run <partie>`: runs a part's runbook and records it in the
//! journal (or, with `--dry-run`, prints the plan and changes nothing).

use super::Context;
use super::run_common::{finish, options};
use crate::cli::RunArgs;
use crate::error::Result;
use crate::runbook::{RunContext, engine};
use crate::settings::Settings;

/// Runs `journal run`.
pub fn execute(ctx: &Context, args: RunArgs) -> Result<()> {
    let scan = crate::parts::project::scan(&ctx.project)?;
    let part = match crate::parts::resolve(&args.partie, &scan)? {
        crate::parts::Found::Builtin(p) => p,
        crate::parts::Found::Project(p) => return super::runbook::execute(ctx, &args, &p),
    };
    let options = options(&args);
    let settings = Settings::resolve(options.clone())?;
    let dry_run = settings.dry_run;
    let mut run_ctx = RunContext::new(ctx.project.clone(), settings, ctx.out.clone());
    run_ctx.origin = super::origin(&ctx.project, args.auteur.clone(), true);
    super::annotate::when_run_starts(ctx, &mut run_ctx, &options);
    ctx.out.info(&format!(
        "{} de la {} — {}",
        if dry_run { "Simulation" } else { "Exécution" },
        part.id,
        part.title
    ));
    let outcome = engine::run(part, &mut run_ctx)?;
    finish(ctx, part.id, dry_run, outcome, &run_ctx)
}
