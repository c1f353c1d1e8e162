//! Where a run is recorded: takes the project's run lock, marks the entries
//! of runs that died « interrompu », creates the execution entry and rewrites
//! it after each step (keeping the Ctrl-C handler's copy current). In
//! `--dry-run` it writes nothing at all.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::store::{Status, Store, now};

use super::RunContext;
use super::interrupt::{Live, live};
use super::record::RunRecord;

/// The execution entry of a run being recorded (nothing in `--dry-run`).
pub(super) struct Recorder {
    store: Store,
    path: Option<PathBuf>,
    templates_dir: PathBuf,
    /// Held for the whole run; released when the recorder is dropped.
    _lock: Option<std::fs::File>,
}

impl Recorder {
    /// Opens the run's entry: lock, recovery of crashed runs, creation of the
    /// entry (« en cours »), whose stem goes into `ctx.entry_stem`.
    pub fn open(record: &RunRecord, ctx: &mut RunContext) -> Result<Self> {
        let store = Store::new(ctx.project.journal_dir());
        let templates_dir = ctx.project.templates_dir();
        if ctx.dry_run() {
            return Ok(Recorder {
                store,
                path: None,
                templates_dir,
                _lock: None,
            });
        }
        store.ensure_writable()?;
        let lock = lock_runs(&store)?;
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
        Ok(Recorder {
            store,
            path: Some(p),
            templates_dir,
            _lock: Some(lock),
        })
    }

    /// The entry file (none in `--dry-run`).
    pub fn path(&self) -> Option<&PathBuf> {
        self.path.as_ref()
    }

    /// Rewrites the entry with `record`.
    pub fn publish(&self, record: &RunRecord, ctx: &RunContext) -> Result<()> {
        let Some(p) = &self.path else {
            return Ok(());
        };
        let body = record.body(&ctx.templates)?;
        // Hold the lock while writing, so the Ctrl-C handler's « interrompu »
        // version can never be overwritten by this one.
        let mut guard = live();
        self.store.update(p, &record.front_matter(), &body)?;
        *guard = Some(Live {
            store: self.store.clone(),
            path: p.clone(),
            record: record.clone(),
            templates_dir: self.templates_dir.clone(),
        });
        Ok(())
    }

    /// The run is over: Ctrl-C no longer has anything to record.
    pub fn close(self) {
        *live() = None;
    }
}

/// Takes the project's run lock (`journal/.execution.verrou`), so two runs
/// never drive the same stack at once; released when the file is dropped.
fn lock_runs(store: &Store) -> Result<std::fs::File> {
    let path = store.dir().join(".execution.verrou");
    match crate::store::try_lock_file(&path)? {
        crate::store::Lock::Held(file) => Ok(file),
        crate::store::Lock::Busy(_) => Err(Error::usage(
            "une autre exécution de « journal run » est en cours dans ce projet",
        )
        .with_hint("attendez qu'elle se termine (ou arrêtez-la avec Ctrl-C), puis relancez")),
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
            partie: Some("partie-6".into()),
            ..FrontMatter::new(EntryKind::Execution, "Exécution", now(), Status::InProgress)
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
