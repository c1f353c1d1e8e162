//! `journal build`: generates the mdBook sources under `book/` and renders
//! the HTML into `book/html/`. Problems found by the check are warnings,
//! or errors (exit 1, nothing rendered) with `--strict`.
//!
//! It never modifies `journal/`.

use super::Context;
use super::check::{plural, report_failure};
use crate::book::{self, render};
use crate::cli::BuildArgs;
use crate::error::Result;
use crate::templates::Templates;

/// Runs `journal build`.
pub fn execute(ctx: &Context, args: BuildArgs) -> Result<()> {
    let project = &ctx.project;
    let (input, errors) = book::load(&project.journal_dir())?;
    let templates = Templates::new(Some(&project.templates_dir()));
    let sources = book::generate(&input, &templates)?;
    let display = |p: &std::path::Path| project.display(p);
    let book_dir = project.book_dir();

    let (index, problems) = if args.strict {
        let problems = book::problems(&display, &errors, &sources);
        if !problems.is_empty() {
            return Err(report_failure(ctx, &problems));
        }
        render::write_sources(&book_dir, &sources)?;
        (render::render_html(&book_dir)?, problems)
    } else {
        // The check runs on the second core while mdBook renders.
        std::thread::scope(|s| {
            let checker = s.spawn(|| book::problems(&display, &errors, &sources));
            let rendered = render::write_sources(&book_dir, &sources)
                .and_then(|()| render::render_html(&book_dir));
            let problems = checker.join().unwrap_or_default();
            rendered.map(|index| (index, problems))
        })?
    };
    for p in &problems {
        ctx.out.warn(&p.to_string());
    }
    ctx.out.result(&index.display().to_string());
    let n = input.entries.len();
    let mut summary = format!(
        "livre généré dans {} : {n} entrée{}, {} page{}",
        project.display(&book_dir.join(render::HTML_DIR)),
        plural(n),
        sources.files.len(),
        plural(sources.files.len()),
    );
    if !problems.is_empty() {
        summary.push_str(&format!(
            " ; {} problème{} signalé{} (voir « journal check »)",
            problems.len(),
            plural(problems.len()),
            plural(problems.len())
        ));
    }
    ctx.out.success(&summary);
    Ok(())
}
