//! What `journal verifie` keeps between two verifications, so that hourly
//! checks keep the journal readable: `verifications/etat.json` (each part's
//! findings at its last verification) and one small file per month,
//! `verifications/AAAA-MM.json` (per day and part: how many checks, how many
//! found everything right, drift, an unreachable service). A journal entry
//! is written only when a part's findings differ from the previous
//! verification's (drift appears, changes or is resolved). Outside
//! `journal/`: a verification that changes nothing leaves the journal, and
//! so `list`, `check` and `build`, untouched. Every file is written
//! atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::super::Context;
use crate::error::{Error, Result};
use crate::steps::verify::{Finding, Severity};
use crate::store::{EntryKind, FrontMatter, Status, Store};

/// The folder, under the project root.
pub const DIR: &str = crate::project::VERIFICATIONS_DIR;
/// The last state of each part.
pub const STATE_FILE: &str = "etat.json";

/// One part's last verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartState {
    /// When.
    pub horodatage: DateTime<FixedOffset>,
    /// What did not hold (empty: all held).
    #[serde(default)]
    pub constats: Vec<Finding>,
    /// When a verification last found everything right, if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derniere_conforme: Option<DateTime<FixedOffset>>,
}

impl PartState {
    /// `conforme`, `écart` or `injoignable`.
    pub fn outcome(&self) -> &'static str {
        outcome_of(&self.constats)
    }
}

fn outcome_of(findings: &[Finding]) -> &'static str {
    if findings.iter().any(|f| f.gravite == Severity::Unreachable) {
        "injoignable"
    } else if findings.is_empty() {
        "conforme"
    } else {
        "écart"
    }
}

/// A day's counts for one part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Verifications run.
    pub verifications: u32,
    /// All held.
    pub conformes: u32,
    /// Drift found.
    pub ecarts: u32,
    /// A service could not be reached.
    pub injoignables: u32,
}

/// A month's summary: day (`AAAA-MM-JJ`) → part → counts.
pub type Month = BTreeMap<String, BTreeMap<String, DayCounts>>;

fn dir(ctx: &Context) -> PathBuf {
    ctx.project.root().join(DIR)
}

fn read_json<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T> {
    match crate::store::read_optional(path)? {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            Error::usage(format!("{} est illisible : {e}", path.display())).with_hint(format!(
                "supprimez {} : la prochaine vérification le recrée",
                path.display()
            ))
        }),
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("serialisable") + "\n";
    crate::store::write_atomic(path, text.as_bytes(), true)
        .map_err(|e| Error::io("écriture de l'état des vérifications", path, e))
}

/// The lock file that keeps two verifications of a project from writing
/// the state, the summary and the journal at once.
pub const LOCK_FILE: &str = ".verifie.verrou";

/// Takes the verifications' lock (`verifications/.verifie.verrou`), waiting
/// up to `wait` for another `journal verifie` of the project to finish
/// (said once); released when the returned file is dropped or the process
/// dies. Still held after `wait`: an environment error (exit 3), nothing
/// written — the next scheduled verification will do.
pub fn lock(
    project_root: &Path,
    wait: std::time::Duration,
    out: &crate::output::Output,
) -> Result<std::fs::File> {
    let dir = project_root.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("création du dossier", &dir, e))?;
    let path = dir.join(LOCK_FILE);
    let started = std::time::Instant::now();
    let mut said = false;
    loop {
        if let crate::store::Lock::Held(file) = crate::store::try_lock_file(&path)? {
            return Ok(file);
        }
        if started.elapsed() >= wait {
            return Err(Error::environment(format!(
                "une autre « journal verifie » est en cours dans ce projet depuis plus de {} : \
                 rien n'a été vérifié ni écrit",
                crate::french::duration_ms(wait.as_millis() as u64)
            ))
            .with_hint(
                "attendez sa fin ; si elle dure, un service répond lentement (relancez avec -v), \
                 ou espacez les vérifications planifiées (--attente SECONDES allonge l'attente)",
            ));
        }
        if !said {
            out.info(
                "une autre « journal verifie » est en cours dans ce projet : attente de sa fin…",
            );
            said = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100).min(wait));
    }
}

/// Each part's last verification, as recorded.
pub fn load(project_root: &Path) -> Result<BTreeMap<String, PartState>> {
    read_json(&project_root.join(DIR).join(STATE_FILE))
}

/// What changed between two verifications of a part: `None` when nothing.
pub fn change(previous: &[Finding], current: &[Finding]) -> Option<(Vec<Finding>, Vec<Finding>)> {
    let appeared: Vec<Finding> = current
        .iter()
        .filter(|f| !previous.contains(f))
        .cloned()
        .collect();
    let resolved: Vec<Finding> = previous
        .iter()
        .filter(|f| !current.contains(f))
        .cloned()
        .collect();
    (!appeared.is_empty() || !resolved.is_empty()).then_some((appeared, resolved))
}

/// The entry that tells a change: its front matter and body.
pub fn change_entry(
    part: &str,
    now: DateTime<FixedOffset>,
    current: &[Finding],
    appeared: &[Finding],
    resolved: &[Finding],
) -> (FrontMatter, String) {
    let (titre, statut) = if current.is_empty() {
        (
            format!("Vérification : {part} de nouveau conforme"),
            Status::Succeeded,
        )
    } else if outcome_of(current) == "injoignable" {
        (
            format!("Vérification : service injoignable pour {part}"),
            Status::Failed,
        )
    } else if appeared.is_empty() {
        (
            format!("Vérification : écart en partie résolu sur {part}"),
            Status::Failed,
        )
    } else {
        (
            format!("Vérification : écart constaté sur {part}"),
            Status::Failed,
        )
    };
    let mut body = String::new();
    if !appeared.is_empty() {
        body.push_str("## Nouveaux constats\n\n");
        for f in appeared {
            body.push_str(&format!("- {}\n", f.message));
        }
        body.push('\n');
        for f in appeared.iter().filter(|f| !f.details.is_empty()) {
            body.push_str(&format!("### {}\n\n{}\n\n", f.message, f.details));
        }
    }
    if !resolved.is_empty() {
        body.push_str("## Résolus depuis la vérification précédente\n\n");
        for f in resolved {
            body.push_str(&format!("- {}\n", f.message));
        }
        body.push('\n');
    }
    if !current.is_empty() && !appeared.is_empty() && current.len() > appeared.len() {
        body.push_str(&format!(
            "{} constat(s) déjà signalé(s) demeurent.\n\n",
            current.len() - appeared.len()
        ));
    }
    body.push_str(
        "Écrite par « journal verifie » : une vérification qui trouve le même état n'écrit rien.\n",
    );
    let front = FrontMatter {
        partie: Some(part.to_string()),
        tags: vec!["verification".into()],
        ..FrontMatter::new(EntryKind::Note, titre, now, statut)
    };
    (front, body)
}

/// Records the verification of `results` (part, findings): an entry per part
/// whose state changed, the new state, and the day's counts.
pub fn record(ctx: &Context, results: &[(String, Vec<Finding>)]) -> Result<()> {
    let now = crate::store::now();
    let dir = dir(ctx);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("création du dossier", &dir, e))?;
    let mut state = load(ctx.project.root())?;
    let store = Store::new(ctx.project.journal_dir());
    for (part, findings) in results {
        let previous = state
            .get(part)
            .map(|s| s.constats.clone())
            .unwrap_or_default();
        if let Some((appeared, resolved)) = change(&previous, findings) {
            let (mut front, body) = change_entry(part, now, findings, &appeared, &resolved);
            front.origine = super::super::origin(&ctx.project, None, false);
            store.ensure_writable()?;
            let path = store.create(&front, &body)?;
            ctx.out.info(&format!(
                "changement d'état de {part} consigné : {}",
                ctx.project.display(&path)
            ));
        }
        let derniere_conforme = match findings.is_empty() {
            true => Some(now),
            false => state.get(part).and_then(|s| s.derniere_conforme),
        };
        state.insert(
            part.clone(),
            PartState {
                horodatage: now,
                constats: findings.clone(),
                derniere_conforme,
            },
        );
    }
    write_json(&dir.join(STATE_FILE), &state)?;

    let month_path = dir.join(format!("{}.json", now.format("%Y-%m")));
    let mut month: Month = read_json(&month_path)?;
    let day = month.entry(now.format("%Y-%m-%d").to_string()).or_default();
    for (part, findings) in results {
        let c = day.entry(part.clone()).or_default();
        c.verifications += 1;
        match outcome_of(findings) {
            "conforme" => c.conformes += 1,
            "écart" => c.ecarts += 1,
            _ => c.injoignables += 1,
        }
    }
    write_json(&month_path, &month)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Output;
    use crate::project::Project;

    fn finding(cle: &str) -> Finding {
        Finding {
            cle: cle.into(),
            gravite: Severity::Drift,
            message: format!("{cle} ne tourne pas"),
            details: String::new(),
        }
    }

    fn entries(dir: &Path) -> usize {
        Store::new(dir.join("journal")).load().unwrap().0.len()
    }

    #[test]
    fn no_entry_when_unchanged_one_on_change_one_on_resolution() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context {
            project: Project::open(Some(dir.path())).unwrap(),
            out: Output::plain(),
        };
        let good = vec![("partie-6".to_string(), Vec::new())];
        let bad = vec![("partie-6".to_string(), vec![finding("cadvisor")])];
        record(&ctx, &good).unwrap();
        record(&ctx, &good).unwrap();
        assert_eq!(entries(dir.path()), 0, "all good twice: nothing to tell");
        record(&ctx, &bad).unwrap();
        assert_eq!(entries(dir.path()), 1, "drift appears: one entry");
        record(&ctx, &bad).unwrap();
        record(&ctx, &bad).unwrap();
        assert_eq!(entries(dir.path()), 1, "same drift again: no entry");
        record(&ctx, &good).unwrap();
        let (list, _) = Store::new(dir.path().join("journal")).load().unwrap();
        assert_eq!(list.len(), 2, "resolved: one more entry");
        let titles: Vec<&str> = list.iter().map(|e| e.front.titre.as_str()).collect();
        assert!(
            titles
                .iter()
                .any(|t| t.contains("écart constaté sur partie-6")),
            "{titles:?}"
        );
        assert!(
            titles.iter().any(|t| t.contains("de nouveau conforme")),
            "{titles:?}"
        );
        assert!(
            list.iter()
                .any(|e| e.body.contains("cadvisor ne tourne pas"))
        );

        let state = load(dir.path()).unwrap();
        assert_eq!(state["partie-6"].outcome(), "conforme");
        let month = std::fs::read_dir(dir.path().join(DIR))
            .unwrap()
            .flatten()
            .find(|e| e.file_name() != STATE_FILE)
            .unwrap();
        let month: Month =
            serde_json::from_str(&std::fs::read_to_string(month.path()).unwrap()).unwrap();
        let day = month.values().next().unwrap();
        assert_eq!(
            day["partie-6"],
            DayCounts {
                verifications: 6,
                conformes: 3,
                ecarts: 3,
                injoignables: 0
            }
        );
        // The book's health calendar reads that summary as written.
        let (months, warnings) = crate::book::health::load(&dir.path().join(DIR));
        assert!(warnings.is_empty(), "{warnings:?}");
        let counts = months[0].days.values().next().unwrap()["partie-6"];
        assert_eq!((counts.verifications, counts.ecarts), (6, 3));
        assert_eq!(counts.worst(), "ecart");
    }

    #[test]
    fn a_second_verification_waits_for_the_lock_then_gives_up_with_exit_3() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::plain();
        let held = lock(dir.path(), std::time::Duration::ZERO, &out).unwrap();
        let e = lock(dir.path(), std::time::Duration::from_millis(300), &out).unwrap_err();
        assert_eq!(e.code(), 3);
        assert!(
            e.message()
                .contains("une autre « journal verifie » est en cours"),
            "{e:?}"
        );
        // Released while the second one waits: it goes on.
        let root = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            lock(&root, std::time::Duration::from_secs(20), &Output::plain()).is_ok()
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(held);
        assert!(waiter.join().unwrap(), "the lock is taken once released");
    }

    #[test]
    fn a_changed_drift_is_a_change() {
        let a = [finding("a")];
        let b = [finding("a"), finding("b")];
        assert!(change(&a, &a).is_none());
        let (appeared, resolved) = change(&a, &b).unwrap();
        assert_eq!(appeared, [finding("b")]);
        assert!(resolved.is_empty());
    }
}
