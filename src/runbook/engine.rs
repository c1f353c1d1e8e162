//! Runs a part's steps in order and keeps the execution entry current.
//!
//! Invariants: the entry exists (statut « en cours ») before the first step
//! runs and is rewritten atomically after each step; a failed step stops the
//! run and the remaining steps are recorded « ignoré »; Ctrl-C records the
//! running step and the run as « interrompu » before exiting with code 130.
//! In `--dry-run`, nothing is written: steps only describe their plan.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::store::{Status, StepStatus, Store, now};
use crate::templates::Templates;

use super::parts::PartDef;
use super::record::{RunRecord, StepRecord};
use super::step::excerpt;
use super::{RunContext, Step, StepFailure};

/// What the Ctrl-C handler needs to record an interruption.
struct Live {
    store: Store,
    path: PathBuf,
    record: RunRecord,
    templates_dir: PathBuf,
}

static LIVE: OnceLock<Arc<Mutex<Option<Live>>>> = OnceLock::new();

fn live() -> &'static Arc<Mutex<Option<Live>>> {
    LIVE.get_or_init(|| {
        let slot: Arc<Mutex<Option<Live>>> = Arc::new(Mutex::new(None));
        let handler_slot = Arc::clone(&slot);
        let _ = ctrlc::set_handler(move || {
            let mut guard = handler_slot.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(live) = guard.as_mut() {
                let t = now();
                live.record.statut = Status::Interrupted;
                live.record.fin = Some(t);
                if let Some(last) = live.record.etapes.last_mut()
                    && last.fin.is_none()
                {
                    last.fin = Some(t);
                    last.statut = StepStatus::Interrupted;
                    last.resume = "interrompue par l'utilisateur (Ctrl-C)".into();
                    last.duree_ms = (t - last.debut).num_milliseconds().max(0) as u64;
                }
                let templates = Templates::new(Some(&live.templates_dir));
                if let Ok(body) = live.record.body(&templates) {
                    let _ = live
                        .store
                        .update(&live.path, &live.record.front_matter(), &body);
                }
            }
            std::process::exit(130);
        });
        slot
    })
}

/// The outcome of a run.
pub struct RunOutcome {
    /// The record (as written).
    pub record: RunRecord,
    /// The entry file (none in `--dry-run`).
    pub path: Option<PathBuf>,
    /// The error of the failed step, if any.
    pub failure: Option<Error>,
}

/// Runs `part` in `ctx`.
pub fn run(part: &PartDef, ctx: &mut RunContext) -> Result<RunOutcome> {
    let steps = (part.steps)();
    let store = Store::new(ctx.project.journal_dir());
    let mut record = RunRecord::new(part.id, part.title, now());
    if ctx.dry_run() {
        record.tags.push("simulation".into());
    }
    let mut _run_lock = None;
    let path = if ctx.dry_run() {
        None
    } else {
        store.ensure_writable()?;
        _run_lock = Some(lock_runs(&store)?);
        for p in recover_crashed(&store)? {
            ctx.out.warn(&format!(
                "l'exécution {} s'était arrêtée brutalement : elle est maintenant marquée « interrompu »",
                ctx.project.display(&p)
            ));
        }
        let body = record.body(&ctx.templates)?;
        let p = store.create(&record.front_matter(), &body)?;
        ctx.entry_stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
        ctx.out
            .info(&format!("journal : {}", ctx.project.display(&p)));
        Some(p)
    };
    let publish = |record: &RunRecord, ctx: &RunContext| -> Result<()> {
        if let Some(p) = &path {
            let body = record.body(&ctx.templates)?;
            // Hold the lock while writing, so the Ctrl-C handler's
            // « interrompu » version can never be overwritten by this one.
            let mut guard = live().lock().unwrap_or_else(|e| e.into_inner());
            store.update(p, &record.front_matter(), &body)?;
            *guard = Some(Live {
                store: store.clone(),
                path: p.clone(),
                record: record.clone(),
                templates_dir: ctx.project.templates_dir(),
            });
        }
        Ok(())
    };
    publish(&record, ctx)?;

    let total = steps.len();
    let clock = Instant::now();
    let mut failure: Option<Error> = None;
    for (i, step) in steps.iter().enumerate() {
        let explication = explanation(part, step.as_ref(), ctx)?;
        let start = now();
        let mut rec = StepRecord {
            id: step.id().to_string(),
            titre: step.title().to_string(),
            explication,
            debut: start,
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
        };
        if failure.is_some() {
            rec.fin = Some(start);
            rec.statut = StepStatus::Skipped;
            rec.resume = "non exécutée : une étape précédente a échoué".into();
            record.etapes.push(rec);
            continue;
        }
        record.etapes.push(rec.clone());
        publish(&record, ctx)?;

        let progress = ctx.out.step_start(i + 1, total, step.title());
        let t0 = Instant::now();
        let result = step.run(ctx);
        let elapsed = t0.elapsed().as_millis() as u64;
        rec.fin = Some(now());
        rec.duree_ms = elapsed;
        match result {
            Ok(report) => {
                rec.statut = report.status;
                rec.resume = report.summary;
                rec.commande = report.command;
                rec.sortie = report.output.map(|o| excerpt(&o, 40));
                rec.details = report.details;
                rec.avertissements = report.warnings;
            }
            Err(StepFailure {
                error,
                command,
                output,
                details,
            }) => {
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
                failure = Some(error);
            }
        }
        progress.finish(
            rec.statut.is_ok() || rec.statut == StepStatus::Skipped,
            rec.statut.label(),
            &crate::french::duration_ms(rec.duree_ms),
        );
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
        *record.etapes.last_mut().expect("pushed above") = rec;
        publish(&record, ctx)?;
    }
    record.fin = Some(now());
    record.duree_ms = Some(clock.elapsed().as_millis() as u64);
    record.statut = if failure.is_some() {
        Status::Failed
    } else {
        Status::Succeeded
    };
    publish(&record, ctx)?;
    if let Ok(mut guard) = live().lock() {
        *guard = None;
    }
    summary(ctx, &record);
    Ok(RunOutcome {
        record,
        path,
        failure,
    })
}

/// Takes the project's run lock (`journal/.execution.verrou`), so two runs
/// never drive the same stack at once; released when the file is dropped.
fn lock_runs(store: &Store) -> Result<std::fs::File> {
    let path = store.dir().join(".execution.verrou");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("ouverture du verrou", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::usage(
            "une autre exécution de « journal run » est en cours dans ce projet",
        )
        .with_hint("attendez qu'elle se termine (ou arrêtez-la avec Ctrl-C), puis relancez")),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io("verrouillage de", &path, e)),
    }
}

/// With the run lock held, an execution entry still « en cours » belongs to a
/// process that died without a word (kill -9, power loss): mark it
/// « interrompu », keeping its body and adding one line that says so.
fn recover_crashed(store: &Store) -> Result<Vec<PathBuf>> {
    let (entries, _) = store.load()?;
    let mut fixed = Vec::new();
    for e in entries {
        if e.front.kind != crate::store::EntryKind::Execution
            || e.front.statut != Status::InProgress
        {
            continue;
        }
        let mut front = e.front.clone();
        front.statut = Status::Interrupted;
        let body = format!(
            "{}\n> ⛔ **Exécution interrompue brutalement** : le processus s'est arrêté sans pouvoir le consigner ; \
             constaté le {} par l'exécution suivante.\n",
            e.body.trim_end(),
            crate::french::date_time(&now())
        );
        store.update(&e.path, &front, &body)?;
        fixed.push(e.path);
    }
    Ok(fixed)
}

fn explanation(part: &PartDef, step: &dyn Step, ctx: &RunContext) -> Result<String> {
    let name = format!("etapes/{}/{}.md.j2", part.id, step.id());
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
    use crate::store::{EntryKind, FrontMatter};

    #[test]
    fn a_second_run_cannot_take_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let first = lock_runs(&store).unwrap();
        let e = lock_runs(&store).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.message().contains("une autre exécution"));
        drop(first);
        assert!(lock_runs(&store).is_ok());
    }

    #[test]
    fn a_run_left_in_progress_is_marked_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let front = FrontMatter {
            kind: EntryKind::Execution,
            titre: "Exécution".into(),
            partie: Some("partie-6".into()),
            horodatage: now(),
            statut: Status::InProgress,
            tags: vec![],
            duree_ms: None,
            etapes: vec![],
        };
        let crashed = store
            .create(&front, "# Exécution\n\ncorps d'origine\n")
            .unwrap();
        let mut done = front.clone();
        done.statut = Status::Succeeded;
        let finished = store.create(&done, "# Fini\n").unwrap();
        let before_finished = std::fs::read(&finished).unwrap();

        assert_eq!(recover_crashed(&store).unwrap(), vec![crashed.clone()]);
        let e = crate::store::read(&crashed).unwrap();
        assert_eq!(e.front.statut, Status::Interrupted);
        assert!(e.body.contains("corps d'origine"));
        assert!(e.body.contains("interrompue brutalement"));
        assert_eq!(std::fs::read(&finished).unwrap(), before_finished);
        assert!(recover_crashed(&store).unwrap().is_empty());
    }
}
