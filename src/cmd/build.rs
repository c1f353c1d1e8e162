//! `journal build`: generates the books' sources under `book/`, renders the
//! main book and the month books whose sources changed (all of them with
//! `--complet`) into `book/html/`, then indexes the site for the search
//! page. Problems found by the check are warnings, or errors (exit 1,
//! nothing rendered) with `--strict`.
//!
//! When nothing it is built from changed since the last complete build
//! (`book::manifest`: names, sizes and times of the files, not their
//! content), it says so and stops before reading the journal; `--complet`
//! always rebuilds. When something changed, only the months touched are
//! read, generated, checked and rendered again (`book::incremental`, cache
//! `book/.cache/` written once the build is rendered).
//!
//! One build at a time: a second build of the same project waits for the
//! first (lock `book/.construction.verrou`). It never modifies `journal/`.

use super::Context;
use super::check::{known_parts, plural, report_failure};
use crate::book::{self, files, manifest, render, search};
use crate::cli::{BuildArgs, CheckFormat};
use crate::error::{Error, Result};
use crate::templates::Templates;

/// The lock file that keeps two builds of a project from writing `book/`
/// at the same time.
pub const LOCK: &str = ".construction.verrou";

/// Takes the book's lock (`book/.construction.verrou`), waiting for another
/// build of the same project to finish; released when the returned file is
/// dropped (or the process dies).
fn lock_book(ctx: &Context, book_dir: &std::path::Path) -> Result<std::fs::File> {
    std::fs::create_dir_all(book_dir).map_err(|e| Error::io("création du dossier", book_dir, e))?;
    let path = book_dir.join(LOCK);
    match crate::store::try_lock_file(&path)? {
        crate::store::Lock::Held(file) => Ok(file),
        crate::store::Lock::Busy(file) => {
            ctx.out
                .info("un autre « journal build » construit déjà ce livre : attente de sa fin…");
            file.lock()
                .map_err(|e| Error::io("verrouillage de", &path, e))?;
            Ok(file)
        }
    }
}

/// Runs `journal build`.
pub fn execute(ctx: &Context, args: BuildArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let project = &ctx.project;
    // One build at a time writes `book/`: a second one waits.
    let _lock = lock_book(ctx, &project.book_dir())?;
    let book_dir = project.book_dir();
    let html = book_dir.join(book::paths::HTML_DIR);
    let inputs = manifest::inputs_fingerprint(&[
        project.journal_dir(),
        project.templates_dir(),
        project.parts_dir(),
    ])? + &manifest::summaries_stamp(&project.verifications_dir());
    if !args.complet
        && html.join("index.html").is_file()
        && let Some(last) = manifest::read(&book_dir)
        && last.fingerprint == inputs
        && render::book_intact(&book_dir)
        && (!args.strict || last.problems.is_empty())
    {
        for p in &last.problems {
            ctx.out.warn(&p.to_string());
        }
        ctx.out
            .result(&html.join("index.html").display().to_string());
        ctx.out.success(&format!(
            "livre déjà à jour dans {} : rien n'a changé dans journal/ depuis le dernier build \
             (« journal build --complet » le refait entièrement)",
            project.display(&html)
        ));
        return Ok(());
    }
    manifest::forget(&book_dir)?;
    let (health, health_warnings) = book::health::load(&project.verifications_dir());
    let templates = Templates::new(Some(&project.templates_dir()));
    let display = |p: &std::path::Path| project.display(p);
    // Only the months whose entries (or what their pages show of other
    // months) changed are read, generated and checked (`--complet`: all).
    let mut prepared = book::incremental::prepare(
        &project.journal_dir(),
        &book_dir,
        &project.templates_dir(),
        &templates,
        known_parts(project),
        Some(crate::store::now()),
        health,
        args.complet,
        &display,
    )?;
    prepared.sources.warnings.extend(health_warnings);
    for w in &prepared.sources.warnings {
        ctx.out.warn(w);
    }
    let generated = started.elapsed();
    let problems = prepared.problems.clone();
    if args.strict && !problems.is_empty() {
        return Err(report_failure(ctx, &problems, CheckFormat::Texte));
    }
    let rendered = render::render_all(&book_dir, &prepared.sources, args.complet)?;
    let rendered_in = started.elapsed() - generated;
    // The journal and its generated pages are no longer needed: freed
    // before the search index reads the site.
    let (n, pages, warnings) = (
        prepared.input.entries.len(),
        prepared.sources.page_count(),
        prepared.sources.warnings.clone(),
    );
    let (months_generated, months_kept) = (prepared.generated, prepared.kept);
    book::incremental::save(&book_dir, prepared, &rendered.fingerprints)?;
    let indexed = search::index_site(&book_dir, args.complet, &rendered.fingerprints)
        .map_err(|e| e.during("index de recherche"))?;
    let rendered_at = generated + rendered_in;
    // The whole book, its folder included, is readable by a web server,
    // whatever the umask (077 on hardened hosts and some CI runners).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&book_dir, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| crate::error::Error::io("réglage des droits de", &book_dir, e))?;
    }
    files::make_readable(&book_dir)?;
    let seconds = |d: std::time::Duration| crate::french::decimal(d.as_secs_f64(), 2);
    ctx.out.detail(&format!(
        "durées : lecture et génération {} s, rendu {} s, index de recherche {} s",
        seconds(generated),
        seconds(rendered_at - generated),
        seconds(started.elapsed() - rendered_at),
    ));
    for p in &problems {
        ctx.out.warn(&p.to_string());
    }
    ctx.out.detail(&format!(
        "mois lus et générés : {months_generated}, gardés du dernier build : {months_kept}"
    ));
    ctx.out.detail(&format!(
        "mois rendus : {}, repris tels quels : {} ; pages indexées pour la recherche : {}, index d'années ou de mois construits : {}, repris tels quels : {}",
        rendered.months_rendered,
        rendered.months_reused,
        indexed.pages,
        indexed.groups_built,
        indexed.groups_reused,
    ));
    ctx.out.result(&rendered.index.display().to_string());
    let mut summary = format!(
        "livre généré dans {} : {n} entrée{}, {} page{}",
        project.display(&html),
        plural(n),
        pages,
        plural(pages),
    );
    if !problems.is_empty() {
        summary.push_str(&format!(
            " ; {} problème{} signalé{} (voir « journal check »)",
            problems.len(),
            plural(problems.len()),
            plural(problems.len())
        ));
    }
    manifest::write(
        &book_dir,
        &manifest::State {
            fingerprint: inputs,
            problems,
            warnings,
            entries: n,
            pages,
        },
    )?;
    ctx.out.success(&summary);
    Ok(())
}
