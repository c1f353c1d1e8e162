//! Ctrl-C during a run: the handler records the running step and the run as
//! « interrompu » in the execution entry, then exits with code 130.
//!
//! The recorder keeps [`LIVE`] current after each write; the handler and the
//! recorder take the same lock, so the handler's version is never
//! overwritten by a later write of the run.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::store::{Status, StepStatus, Store, now};
use crate::templates::Templates;

use super::record::RunRecord;

/// What the handler needs to record an interruption.
pub(super) struct Live {
    /// The journal.
    pub store: Store,
    /// The execution entry.
    pub path: PathBuf,
    /// The record as last written.
    pub record: RunRecord,
    /// The project's templates folder (the handler renders the body again).
    pub templates_dir: PathBuf,
}

static LIVE: OnceLock<Arc<Mutex<Option<Live>>>> = OnceLock::new();

/// The slot shared with the handler, installing the handler on first use.
pub(super) fn live() -> MutexGuard<'static, Option<Live>> {
    slot().lock().unwrap_or_else(|p| p.into_inner())
}

fn slot() -> &'static Arc<Mutex<Option<Live>>> {
    LIVE.get_or_init(|| {
        let slot: Arc<Mutex<Option<Live>>> = Arc::new(Mutex::new(None));
        let handler_slot = Arc::clone(&slot);
        let _ = ctrlc::set_handler(move || {
            let mut guard = handler_slot.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(live) = guard.as_mut() {
                record_interruption(live);
            }
            std::process::exit(130);
        });
        slot
    })
}

/// Marks the running step and the run « interrompu » and rewrites the entry.
fn record_interruption(live: &mut Live) {
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
