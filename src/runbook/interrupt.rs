//! Signals during a run — Ctrl-C (SIGINT), SIGTERM (a cancelled CI job,
//! `timeout`, systemd) and SIGHUP (a closed terminal or SSH session): a
//! watcher thread records the running step and the run as « interrompu » in
//! the execution entry, then exits with 128 + the signal (130, 143, 129).
//!
//! The recorder keeps [`LIVE`] current after each write; the handler and the
//! recorder take the same lock, so the handler's version is never
//! overwritten by a later write of the run.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

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
        if let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let mut guard = handler_slot.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(live) = guard.as_mut() {
                        record_interruption(live, reason(signal));
                    }
                    let code = u8::try_from(signal).map_or(128 + signal, |s| {
                        i32::from(crate::error::Error::stopped_by(s).code())
                    });
                    std::process::exit(code);
                }
            });
        }
        slot
    })
}

/// Why the step stopped, in French, for each signal watched.
fn reason(signal: i32) -> &'static str {
    match signal {
        SIGTERM => {
            "interrompue par un signal d'arrêt (SIGTERM : tâche de CI annulée, timeout, arrêt du service)"
        }
        SIGHUP => "interrompue : le terminal ou la session SSH s'est fermé (SIGHUP)",
        _ => "interrompue par l'utilisateur (Ctrl-C)",
    }
}

/// Marks the running step and the run « interrompu » and rewrites the entry.
fn record_interruption(live: &mut Live, reason: &str) {
    let t = now();
    live.record.statut = Status::Interrupted;
    live.record.fin = Some(t);
    if let Some(last) = live.record.etapes.last_mut()
        && last.fin.is_none()
    {
        last.fin = Some(t);
        last.statut = StepStatus::Interrupted;
        last.resume = reason.into();
        last.duree_ms = (t - last.debut).num_milliseconds().max(0) as u64;
    }
    let templates = Templates::new(Some(&live.templates_dir));
    if let Ok(body) = live.record.body(&templates) {
        let _ = live
            .store
            .update(&live.path, &live.record.front_matter(), &body);
    }
}
