//! `journal check`: the documentation check run by CI. It generates the book
//! sources in memory and reports every invalid entry, broken internal link or
//! anchor and summary entry without its file: as `file:line: reason` lines
//! (default), GitHub Actions annotations, a JSON array or JSON lines
//! (`--format json|jsonl`: objects `fichier`, `ligne`, `raison`).
//!
//! It renders no HTML and writes nothing. When nothing `journal build` is
//! made from changed since its last complete run (`book::manifest`), it
//! reports what that build's check found, without reading the journal;
//! otherwise it reads, generates and checks only the months that changed
//! since (`book::incremental`), the others' problems taken from the cache.

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
    let inputs = book::manifest::inputs_fingerprint(&[
        project.journal_dir(),
        project.templates_dir(),
        project.parts_dir(),
    ])? + &book::manifest::summaries_stamp(&project.verifications_dir());
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
    // Only the months that changed since the last build are read and
    // checked again (`book::incremental`); nothing is written.
    let (health, health_warnings) = book::health::load(&project.verifications_dir());
    let templates = Templates::new(Some(&project.templates_dir()));
    let mut prepared = book::incremental::prepare(
        &project.journal_dir(),
        &project.book_dir(),
        &project.templates_dir(),
        &templates,
        known_parts(project),
        None,
        health,
        false,
        &|p| project.display(p),
    )?;
    prepared.sources.warnings.extend(health_warnings);
    report(
        ctx,
        &args,
        &prepared.sources.warnings,
        &prepared.problems,
        prepared.input.entries.len(),
        prepared.sources.page_count(),
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

/// The parts the book lists first, in this order: the registry's, then the
/// built-in runbooks, then the project's valid runbooks (`parties/*.md`,
/// an id already taken aside: `journal check` reports it; a symbolic link
/// out of `parties/` aside too), each runbook with its text for its page.
/// Unreadable `parties/`: no project part (`journal check` says why).
pub fn known_parts(project: &crate::project::Project) -> Vec<PartInfo> {
    // Every embedded runbook, with Rust steps of its own or not.
    let embedded: Vec<PartInfo> = crate::templates::embedded_in("parties")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".md"))
        .filter_map(|(name, text)| {
            let runbook = crate::part_file::parse(text).ok()?;
            let file = name.rsplit('/').next().unwrap_or(name);
            Some(PartInfo {
                id: runbook.id,
                title: runbook.title,
                runbook: Some(book::PartRunbook {
                    origin: format!("intégrée/{file}"),
                    builtin: true,
                    text: text.to_string(),
                }),
            })
        })
        .collect();
    let mut out: Vec<PartInfo> = crate::parts::known()
        .iter()
        .map(|p| PartInfo {
            id: p.id.to_string(),
            title: p.title.to_string(),
            runbook: embedded
                .iter()
                .find(|b| b.id == p.id)
                .and_then(|b| b.runbook.clone()),
        })
        .collect();
    for b in embedded {
        if !out.iter().any(|p| p.id == b.id) {
            out.push(b);
        }
    }
    let scan = crate::parts::project::scan(project).unwrap_or_default();
    // Published only from inside `parties/` (a symbolic link out of it is
    // not the project's documentation: not shown).
    let dir = std::fs::canonicalize(project.parts_dir()).ok();
    let inside = |path: &std::path::Path| {
        dir.as_ref()
            .is_some_and(|d| std::fs::canonicalize(path).is_ok_and(|c| c.starts_with(d)))
    };
    for p in scan.parts {
        if out.iter().any(|o| o.id == p.runbook.id) || !inside(&p.path) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p.path) else {
            continue;
        };
        out.push(PartInfo {
            id: p.runbook.id,
            title: p.runbook.title,
            runbook: Some(book::PartRunbook {
                origin: p.shown,
                builtin: false,
                text,
            }),
        });
    }
    out
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
