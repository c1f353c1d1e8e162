//! `journal check`: the documentation check run by CI. It generates the book
//! sources in memory and reports every invalid entry, broken internal link or
//! anchor and summary entry without its file, as `file:line: reason`.
//!
//! It renders no HTML and writes nothing.

use super::Context;
use crate::book::{self, Problem};
use crate::cli::CheckArgs;
use crate::error::{Error, Result};
use crate::templates::Templates;

/// Runs `journal check`.
pub fn execute(ctx: &Context, args: CheckArgs) -> Result<()> {
    let CheckArgs {} = args;
    let project = &ctx.project;
    let (input, errors) = book::load(&project.journal_dir())?;
    let templates = Templates::new(Some(&project.templates_dir()));
    let sources = book::generate(&input, &templates)?;
    let problems = book::problems(&|p| project.display(p), &errors, &sources);
    if !problems.is_empty() {
        return Err(report_failure(ctx, &problems));
    }
    ctx.out.success(&format!(
        "vérification réussie : {} entrée{}, {} page{}, aucun lien ni ancre cassé",
        input.entries.len(),
        plural(input.entries.len()),
        sources.files.len(),
        plural(sources.files.len()),
    ));
    Ok(())
}

/// Prints one `file:line: reason` line per problem and returns the error
/// (exit 1) that ends `journal check` and `journal build --strict`.
pub fn report_failure(ctx: &Context, problems: &[Problem]) -> Error {
    for p in problems {
        ctx.out.result(&p.to_string());
    }
    let n = problems.len();
    Error::failed(format!(
        "{n} problème{} trouvé{} dans le journal et le livre",
        plural(n),
        plural(n)
    ))
    .with_hint("corrigez les fichiers indiqués (fichier:ligne), puis relancez « journal check »")
}

/// « s » when `n` > 1.
pub fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}
