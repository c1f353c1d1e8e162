//! Runs a part's steps in order and keeps the execution entry current.
//!
//! Invariants: the entry exists (statut « en cours ») before the first step
//! runs and is rewritten atomically after each step; a failed step stops the
//! run and the remaining steps are recorded « ignoré »; Ctrl-C records the
//! running step and the run as « interrompu » before exiting with code 130.
//! In `--dry-run`, nothing is written: steps only describe their plan.
//! Where and how the entry is written is the [`Recorder`]'s business.

use std::path::PathBuf;
use std::time::Instant;

use crate::error::{Error, Result};
use crate::store::{Status, StepStatus, now};

use super::PartDef;
use super::record::{RunRecord, StepRecord};
use super::recorder::Recorder;
use super::step::excerpt;
use super::{RunContext, Step, StepFailure, StepReport};

/// The outcome of a run.
pub struct RunOutcome {
    /// The record (as written).
    pub record: RunRecord,
    /// The entry file (none in `--dry-run`).
    pub path: Option<PathBuf>,
    /// The error of the failed step, if any.
    pub failure: Option<Error>,
}

/// Called once, with the entry's path, as soon as the run's entry exists
/// (never in `--dry-run`): what the caller puts in the bag to act when a run
/// starts (`cmd` annotates it on Grafana's dashboards). It cannot fail the
/// run.
pub struct OnStarted(pub Box<dyn Fn(&std::path::Path)>);

/// Runs `part` in `ctx`.
pub fn run(part: &PartDef, ctx: &mut RunContext) -> Result<RunOutcome> {
    let steps = (part.steps)(&ctx.settings);
    run_steps(part.id, part.title, &steps, ctx)
}

/// Runs `steps`, the steps of part `id` (titled `title`), in `ctx`: what
/// [`run`] does for a built-in part, and `cmd` for a project's runbook.
pub fn run_steps(
    id: &str,
    title: &str,
    steps: &[Box<dyn Step>],
    ctx: &mut RunContext,
) -> Result<RunOutcome> {
    let mut record = RunRecord::new(id, title, now());
    record.origine = ctx.origin.clone();
    if ctx.dry_run() {
        record.tags.push("simulation".into());
    }
    let recorder = Recorder::open(&record, ctx)?;
    recorder.publish(&record, ctx)?;
    if let (Some(path), Some(hook)) = (recorder.path(), ctx.get::<OnStarted>()) {
        (hook.0)(path);
    }

    let total = steps.len();
    let clock = Instant::now();
    let mut failure: Option<Error> = None;
    for (i, step) in steps.iter().enumerate() {
        let rec = pending(id, step.as_ref(), ctx)?;
        if failure.is_some() {
            record.etapes.push(skipped(rec));
            continue;
        }
        record.etapes.push(rec.clone());
        recorder.publish(&record, ctx)?;
        let (rec, error) = run_step(step.as_ref(), rec, i + 1, total, ctx);
        failure = error;
        *record.etapes.last_mut().expect("pushed above") = rec;
        recorder.publish(&record, ctx)?;
    }
    record.fin = Some(now());
    record.duree_ms = Some(clock.elapsed().as_millis() as u64);
    record.statut = if failure.is_some() {
        Status::Failed
    } else {
        Status::Succeeded
    };
    recorder.publish(&record, ctx)?;
    let path = recorder.path().cloned();
    recorder.close();
    summary(ctx, &record);
    Ok(RunOutcome {
        record,
        path,
        failure,
    })
}

/// A step's record before it runs (« en cours »).
fn pending(part: &str, step: &dyn Step, ctx: &RunContext) -> Result<StepRecord> {
    Ok(StepRecord {
        id: step.id().to_string(),
        titre: step.title().to_string(),
        explication: explanation(part, step, ctx)?,
        debut: now(),
        fin: None,
        duree_ms: 0,
        statut: StepStatus::Interrupted,
        resume: "en cours".into(),
        commande: None,
        sortie: None,
        details: String::new(),
        cause: None,
        aide: None,
        avertissements: Vec::new(),
    })
}

/// A step not run because an earlier one failed.
fn skipped(mut rec: StepRecord) -> StepRecord {
    rec.fin = Some(rec.debut);
    rec.statut = StepStatus::Skipped;
    rec.resume = "non exécutée : une étape précédente a échoué".into();
    rec
}

/// Runs one step with its progress indicator; its record, and its error if it failed.
fn run_step(
    step: &dyn Step,
    mut rec: StepRecord,
    index: usize,
    total: usize,
    ctx: &mut RunContext,
) -> (StepRecord, Option<Error>) {
    let progress = ctx.out.step_start(index, total, step.title());
    let t0 = Instant::now();
    let result = step.run(ctx);
    rec.fin = Some(now());
    rec.duree_ms = t0.elapsed().as_millis() as u64;
    let error = match result {
        Ok(report) => {
            record_report(&mut rec, report);
            None
        }
        Err(failure) => Some(record_failure(&mut rec, failure)),
    };
    progress.finish(
        rec.statut.is_ok() || rec.statut == StepStatus::Skipped,
        rec.statut.label(),
        &crate::french::duration_ms(rec.duree_ms),
    );
    show_outcome(ctx, &rec);
    (rec, error)
}

fn record_report(rec: &mut StepRecord, report: StepReport) {
    rec.statut = report.status;
    rec.resume = report.summary;
    rec.commande = report.command;
    rec.sortie = report.output.map(|o| excerpt(&o, 40));
    rec.details = report.details;
    rec.avertissements = report.warnings;
}

fn record_failure(rec: &mut StepRecord, failure: StepFailure) -> Error {
    let StepFailure {
        error,
        command,
        output,
        details,
    } = failure;
    rec.statut = StepStatus::Failed;
    rec.resume = error.message().to_string();
    rec.cause = Some(
        std::iter::once(error.message().to_string())
            .chain(error.causes())
            .collect::<Vec<_>>()
            .join(" — "),
    );
    rec.aide = error.hint().map(str::to_string);
    rec.commande = command;
    rec.sortie = output.map(|o| excerpt(&o, 40));
    rec.details = details;
    error
}

/// The step's warnings and summary on the terminal (the plan in `--dry-run`).
fn show_outcome(ctx: &RunContext, rec: &StepRecord) {
    for w in &rec.avertissements {
        ctx.out.warn(w);
    }
    if ctx.dry_run() {
        ctx.out.info(&format!("    {}", rec.resume));
        if !rec.details.is_empty() {
            ctx.out.result(&rec.details);
        }
    } else {
        ctx.out.detail(&format!("    {}", rec.resume));
    }
}

fn explanation(part: &str, step: &dyn Step, ctx: &RunContext) -> Result<String> {
    if let Some(own) = step.explanation() {
        return Ok(own);
    }
    let name = format!("etapes/{part}/{}.md.j2", step.id());
    if crate::templates::embedded(&name).is_none()
        && !ctx.project.templates_dir().join(&name).is_file()
    {
        return Ok(String::new());
    }
    ctx.templates.render(&name, &ctx.settings)
}

fn summary(ctx: &RunContext, record: &RunRecord) {
    let rows: Vec<Vec<String>> = record
        .etapes
        .iter()
        .map(|s| {
            vec![
                s.titre.clone(),
                s.statut.label().to_string(),
                crate::french::duration_ms(s.duree_ms),
            ]
        })
        .collect();
    ctx.out.info("");
    ctx.out.table(&["étape", "statut", "durée"], &rows);
    let (ok, done, skipped, failed) = record.counts();
    ctx.out.info(&format!(
        "\n{} : {} réussie(s), {} déjà faite(s), {} ignorée(s), {} en échec — durée totale {}",
        record.partie,
        ok,
        done,
        skipped,
        failed,
        crate::french::duration_ms(record.duree_ms.unwrap_or(0))
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    struct Noop;
    impl Step for Noop {
        fn id(&self) -> &'static str {
            "rien"
        }
        fn title(&self) -> &'static str {
            "Ne rien faire"
        }
        fn explanation(&self) -> Option<String> {
            Some("Rien.".into())
        }
        fn run(&self, _: &mut RunContext) -> std::result::Result<StepReport, StepFailure> {
            Ok(StepReport::done("rien fait"))
        }
    }

    #[test]
    fn the_start_hook_sees_the_entry_in_progress_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::context::test_context(dir.path());
        let seen: Rc<RefCell<Vec<(PathBuf, Status)>>> = Rc::default();
        let sink = Rc::clone(&seen);
        ctx.put(OnStarted(Box::new(move |p: &std::path::Path| {
            let e = crate::store::read(p).unwrap();
            sink.borrow_mut().push((p.to_path_buf(), e.front.statut));
        })));
        let steps: Vec<Box<dyn Step>> = vec![Box::new(Noop)];
        let out = run_steps("partie-x", "Partie X", &steps, &mut ctx).unwrap();
        let seen = seen.borrow();
        assert_eq!(seen.len(), 1, "called once");
        assert_eq!(Some(&seen[0].0), out.path.as_ref());
        assert_eq!(seen[0].1, Status::InProgress);
        assert_eq!(out.record.statut, Status::Succeeded);
    }
}
