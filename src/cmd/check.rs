//! `journal check`: the documentation check run by CI. It generates the book
//! sources in memory and reports every invalid entry, broken internal link or
//! anchor and summary entry without its file: as `file:line: reason` lines
//! (default), GitHub Actions annotations, a JSON array or JSON lines
//! (`--format json|jsonl`: objects `fichier`, `ligne`, `raison`).
//!
//! It renders no HTML and writes nothing. When nothing `journal build` is
//! made from changed since its last complete run (`book::manifest`), it
//! reports what that build's check found, without reading the journal.

use super::Context;
use crate::book::{self, PartInfo, Problem};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{Error, Result};
use crate::templates::Templates;

/// Runs `journal check`.
pub fn execute(ctx: &Context, args: CheckArgs) -> Result<()> {
    let project = &ctx.project;
    // Nothing changed since the last complete `journal build` (same files,
    // same sizes and times, same executable): what its check found is said
    // again without reading the journal.
    let inputs =
        book::manifest::inputs_fingerprint(&[project.journal_dir(), project.templates_dir()])?
            + &book::manifest::summaries_stamp(&project.verifications_dir());
    if let Some(last) = book::manifest::read(&project.book_dir())
        && last.fingerprint == inputs
    {
        return report(
            ctx,
            &args,
            &last.warnings,
            &last.problems,
            last.entries,
            last.pages,
        );
    }
    let (mut input, errors) = book::load(&project.journal_dir())?;
    input.parts = known_parts();
    let (health, health_warnings) = book::health::load(&project.verifications_dir());
    input.health = health;
    let templates = Templates::new(Some(&project.templates_dir()));
    let mut sources = book::generate(&input, &templates)?;
    sources.warnings.extend(health_warnings);
    let problems = book::problems(&|p| project.display(p), &errors, &sources);
    report(
        ctx,
        &args,
        &sources.warnings,
        &problems,
        input.entries.len(),
        sources.files.len(),
    )
}

/// Prints the warnings and the problems; an error (exit 1) when there are
/// problems.
fn report(
    ctx: &Context,
    args: &CheckArgs,
    warnings: &[String],
    problems: &[Problem],
    entries: usize,
    pages: usize,
) -> Result<()> {
    for w in warnings {
        match args.format {
            CheckFormat::Github => ctx.out.result(&format!("::warning::{}", escape_data(w))),
            _ => ctx.out.warn(w),
        }
    }
    // The project's runbooks (parties/) are not among the build's inputs:
    // they are checked every time.
    let mut problems = problems.to_vec();
    problems.extend(runbook_problems(&ctx.project)?);
    if !problems.is_empty() {
        return Err(report_failure(ctx, &problems, args.format));
    }
    if args.format == CheckFormat::Json {
        // One JSON document whatever happens: no problem is an empty array.
        ctx.out.result("[]");
    }
    ctx.out.success(&format!(
        "vérification réussie : {entries} entrée{}, {pages} page{}, aucun lien ni ancre cassé",
        plural(entries),
        plural(pages),
    ));
    Ok(())
}

/// The problems of the project's runbooks (`parties/*.md`), read but never
/// run: each file's own, then the checks across files.
pub fn runbook_problems(project: &crate::project::Project) -> Result<Vec<Problem>> {
    let scan = crate::parts::project::scan(project)?;
    Ok(scan
        .problems(&crate::parts::builtin_ids())
        .into_iter()
        .map(|(file, p)| Problem {
            file,
            line: p.line,
            reason: format!("{} (aide : {})", p.message, p.hint),
        })
        .collect())
}

/// The parts the book lists first, in this order (the runbook's registry).
pub fn known_parts() -> Vec<PartInfo> {
    crate::parts::known()
        .iter()
        .map(|p| PartInfo {
            id: p.id.to_string(),
            title: p.title.to_string(),
        })
        .collect()
}

/// One problem in `format`.
pub fn format_problem(p: &Problem, format: CheckFormat) -> String {
    match format {
        CheckFormat::Texte => p.to_string(),
        CheckFormat::Github => format!(
            "::error file={},line={}::{}",
            escape_property(&p.file),
            p.line,
            escape_data(&p.reason)
        ),
        CheckFormat::Json | CheckFormat::Jsonl => problem_json(p).to_string(),
    }
}

/// One problem as a JSON object: `fichier`, `ligne` (1-based), `raison`.
fn problem_json(p: &Problem) -> serde_json::Value {
    serde_json::json!({
        "fichier": p.file,
        "ligne": p.line,
        "raison": p.reason,
    })
}

/// GitHub Actions workflow-command escaping of a message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub Actions workflow-command escaping of a property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Prints one line per problem and returns the error (exit 1) that ends
/// `journal check` and `journal build --strict`.
pub fn report_failure(ctx: &Context, problems: &[Problem], format: CheckFormat) -> Error {
    if format == CheckFormat::Json {
        let all: Vec<_> = problems.iter().map(problem_json).collect();
        ctx.out
            .result(&serde_json::to_string_pretty(&all).unwrap_or_else(|_| "[]".into()));
    } else {
        for p in problems {
            ctx.out.result(&format_problem(p, format));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> Problem {
        Problem {
            file: "journal/a,b.md".into(),
            line: 7,
            reason: "lien « #x » : 100 % cassé\nvraiment".into(),
        }
    }

    #[test]
    fn github_annotations_are_escaped() {
        assert_eq!(
            format_problem(&problem(), CheckFormat::Github),
            "::error file=journal/a%2Cb.md,line=7::lien « #x » : 100 %25 cassé%0Avraiment"
        );
    }

    #[test]
    fn json_is_one_object_per_line() {
        let line = format_problem(&problem(), CheckFormat::Json);
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["fichier"], "journal/a,b.md");
        assert_eq!(v["ligne"], 7);
        assert_eq!(v["raison"], "lien « #x » : 100 % cassé\nvraiment");
    }

    #[test]
    fn text_is_file_line_reason() {
        assert_eq!(
            format_problem(&problem(), CheckFormat::Texte),
            "journal/a,b.md:7: lien « #x » : 100 % cassé\nvraiment"
        );
    }
}
