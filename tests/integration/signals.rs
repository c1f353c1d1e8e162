//! Signals during `journal run`: Ctrl-C, SIGTERM and SIGHUP all leave a
//! complete entry (step and run « interrompu ») and exit with 128 + signal.
//!
//! No Docker bench is needed: `DOCKER_HOST` points at a socket that accepts
//! connections and never answers, so the preflight step stays « en cours »
//! (the engine's 10 s negotiation timeout) while the signal arrives.

use std::os::unix::net::UnixListener;
use std::process::Command;
use std::time::{Duration, Instant};

use journal::store::{self, EntryKind, Status, StepStatus};

use crate::support::Projet;

fn interrupted_by(signal: &str, code: i32, words: &str) {
    let p = Projet::fixture("projet-partie6");
    let sock_dir = tempfile::tempdir().unwrap();
    let sock = sock_dir.path().join("docker-muet.sock");
    let _silent_engine = UnixListener::bind(&sock).unwrap();
    let child = p
        .journal()
        .args(["run", "partie-6"])
        .env("DOCKER_HOST", format!("unix://{}", sock.display()))
        .spawn();
    let deadline = Instant::now() + Duration::from_secs(20);
    let entry = loop {
        let (entries, _) = store::Store::new(p.journal_dir())
            .load()
            .unwrap_or_default();
        if let Some(e) = entries.into_iter().find(|e| {
            e.front.kind == EntryKind::Execution
                && e.front.etapes.iter().any(|s| s.id == "preflight")
        }) {
            break e;
        }
        assert!(
            Instant::now() < deadline,
            "l'étape preflight n'a jamais commencé"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(entry.front.statut, Status::InProgress);
    std::thread::sleep(Duration::from_millis(200));
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait();
    assert_eq!(out.code, code, "{out}");
    let e = store::read(&entry.path).unwrap();
    assert_eq!(e.front.statut, Status::Interrupted, "{}", e.body);
    let step = e.front.etapes.iter().find(|s| s.id == "preflight").unwrap();
    assert_eq!(step.statut, StepStatus::Interrupted);
    assert!(e.body.contains(words), "{}", e.body);
}

#[test]
fn ctrl_c_marks_the_run_interrupted_and_exits_130() {
    interrupted_by("-INT", 130, "Ctrl-C");
}

#[test]
fn sigterm_marks_the_run_interrupted_and_exits_143() {
    interrupted_by("-TERM", 143, "SIGTERM");
}

#[test]
fn sighup_marks_the_run_interrupted_and_exits_129() {
    interrupted_by("-HUP", 129, "SIGHUP");
}
