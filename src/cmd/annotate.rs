//! The journal on the dashboards: each run and each note of a part becomes
//! one Grafana organization annotation (tags `journal`, the part, the
//! status, `auteur:<nom>`, and `entree:<id>`, the key that makes it
//! idempotent), from its start to its end, with the book's permalink in its
//! text. Off with `JOURNAL_ANNOTATIONS=non`. A Grafana that cannot be
//! reached, refuses the password or the annotation is a warning (or, when
//! it is simply not there, a detail), never a failed command; the password
//! is tried once for a note, with the refusal memory of `run`; a run uses
//! the credentials its password step found, or annotates nothing.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use super::Context;
use crate::adapters::grafana::{AnnotationSpec, Credentials, GrafanaApi, HttpGrafana};
use crate::runbook::RunContext;
use crate::runbook::engine::OnStarted;
use crate::settings::RunOptions;
use crate::steps::kit::annotation::{Upserted, upsert};
use crate::steps::verify::Severity;
use crate::store::{Entry, EntryKind, FrontMatter};

/// The key tag of the entry `id`.
pub fn key(id: &str) -> String {
    format!("entree:{id}")
}

/// The annotation of an entry: its tags and text.
pub fn spec(front: &FrontMatter, id: &str) -> Option<AnnotationSpec> {
    let part = front.partie.clone()?;
    let time = front.horodatage.timestamp_millis();
    let time_end = time + front.duree_ms.unwrap_or(0) as i64;
    let mut tags = vec![
        "journal".to_string(),
        part.clone(),
        front.statut.label().to_string(),
    ];
    if front.kind == EntryKind::Note {
        tags.push("note".into());
    }
    if let Some(a) = &front.origine.auteur {
        tags.push(format!("auteur:{a}"));
    }
    tags.push(key(id));
    let permalink = format!(
        "{}#{id}",
        crate::book::paths::day_file(front.horodatage.date_naive()).replace(".md", ".html")
    );
    let by = front
        .origine
        .auteur
        .as_deref()
        .map(|a| format!(" — {a}"))
        .unwrap_or_default();
    let text = crate::secrets::redact(&format!(
        "{} ({}, {}){by} — livre : {permalink}",
        front.titre,
        part,
        front.statut.label()
    ));
    Some(AnnotationSpec {
        time,
        time_end,
        tags,
        text,
    })
}

/// Annotates `entry` through `api`: `Ok` with what was done, or the French
/// warning to show.
pub fn annotate_with(api: &dyn GrafanaApi, entry: &Entry) -> Result<Option<Upserted>, String> {
    let id = entry.id();
    let Some(spec) = spec(&entry.front, &id) else {
        return Ok(None);
    };
    upsert(api, &key(&id), &spec).map(Some).map_err(|e| {
        format!(
            "annotation de Grafana non écrite pour {id} : {} (l'entrée est enregistrée ; \
             JOURNAL_ANNOTATIONS=non les désactive)",
            e.message()
        )
    })
}

/// How to sign in to Grafana.
pub enum SignIn {
    /// With the credentials a run found; none (the run did not reach
    /// Grafana's password step): no annotation, and no login attempt that
    /// would count towards Grafana's lockout.
    Run(Option<Credentials>),
    /// With the known password, tried once (refusal memory of `run`).
    KnownPassword,
}

/// Annotates the entry at `path`. Never fails the command: returns the
/// credentials it signed in with, if it did.
pub fn annotate(ctx: &Context, path: &Path, how: SignIn) -> Option<Credentials> {
    match crate::settings::annotations_enabled() {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => {
            ctx.out
                .warn(&format!("{} ; aucune annotation écrite", e.message()));
            return None;
        }
    }
    let entry = crate::store::read(path).ok()?;
    entry.front.partie.as_ref()?;
    let settings = match crate::settings::Settings::resolve(Default::default()) {
        Ok(s) => s,
        Err(e) => {
            ctx.out.warn(e.message());
            return None;
        }
    };
    let creds = match how {
        SignIn::Run(Some(c)) => c,
        SignIn::Run(None) => {
            ctx.out
                .detail("pas d'annotation : l'exécution n'a pas eu accès à Grafana");
            return None;
        }
        SignIn::KnownPassword => match sign_in(ctx, &settings.grafana_url) {
            Ok(Some(c)) => c,
            Ok(None) => return None,
            Err(warning) => {
                ctx.out.warn(&warning);
                return None;
            }
        },
    };
    let api = match HttpGrafana::new(&settings.grafana_url, Some(creds.clone())) {
        Ok(a) => a,
        Err(e) => {
            ctx.out.warn(e.message());
            return None;
        }
    };
    match annotate_with(&api, &entry) {
        Ok(Some(Upserted::Created(n))) => ctx
            .out
            .detail(&format!("annotation {n} créée dans Grafana")),
        Ok(Some(Upserted::Updated(n))) => ctx
            .out
            .detail(&format!("annotation {n} mise à jour dans Grafana")),
        Ok(_) => {}
        Err(w) => ctx.out.warn(&w),
    }
    Some(creds)
}

/// The credentials the start of a run signed in with, kept in the run's
/// bag for its end (a run that fails before Grafana's password step still
/// updates the annotation its start created).
#[derive(Clone, Default)]
pub struct StartCredentials(pub Rc<RefCell<Option<Credentials>>>);

/// Makes the run annotate itself as soon as its entry exists (« en cours »,
/// from its start), signing in with the known password once (refusal memory
/// of `run`: a refused value is not tried again by the password step
/// within 5 minutes, so this adds no attempt towards Grafana's lockout).
/// Nothing when Grafana is not there yet (a first run), a warning when it
/// refuses. Not when the run is about to change Grafana's password
/// (`--grafana-password-file`, `--reinitialiser-grafana`), nor in
/// `--dry-run`. The run's end updates the same annotation ([`annotate`]).
pub fn when_run_starts(ctx: &Context, run_ctx: &mut RunContext, options: &RunOptions) {
    if options.dry_run || options.grafana_password_file.is_some() || options.reset_grafana_password
    {
        return;
    }
    let kept = StartCredentials::default();
    let cell = Rc::clone(&kept.0);
    let (project, out) = (ctx.project.clone(), ctx.out.clone());
    run_ctx.put(kept);
    run_ctx.put(OnStarted(Box::new(move |path: &Path| {
        let ctx = Context {
            project: project.clone(),
            out: out.clone(),
        };
        *cell.borrow_mut() = annotate(&ctx, path, SignIn::KnownPassword);
    })));
}

/// The credentials of the known password, tried once (refusal memory of
/// `run`); `Ok(None)` when no password is known or Grafana is not there.
fn sign_in(ctx: &Context, url: &str) -> Result<Option<Credentials>, String> {
    let secrets = ctx.project.secrets_dir();
    let settings_password = crate::settings::Settings::resolve(Default::default())
        .ok()
        .and_then(|s| s.grafana_password)
        .map(|s| s.expose().to_string());
    let password = crate::steps::grafana_password::existing_password(
        settings_password,
        None,
        &secrets.join(crate::steps::grafana_password::SECRET_FILE),
    )
    .map_err(|e| e.message().to_string())?;
    let Some((password, _)) = password else {
        return Ok(None);
    };
    let mut refusals = crate::steps::grafana_refusals::Refusals::load(&secrets)
        .map_err(|e| e.message().to_string())?;
    let anonymous = HttpGrafana::new(url, None).map_err(|e| e.message().to_string())?;
    match crate::steps::verify::grafana_sign_in(
        &anonymous,
        Some(password),
        &mut refusals,
        crate::steps::grafana_refusals::wall_clock(),
    ) {
        Ok(c) => Ok(Some(c)),
        Err(f) if f.gravite == Severity::Unreachable => {
            ctx.out.detail(&format!("pas d'annotation : {}", f.message));
            Ok(None)
        }
        Err(f) => Err(format!("pas d'annotation dans Grafana : {}", f.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Status;
    use crate::testing::grafana::FakeGrafana;

    fn entry(statut: Status) -> Entry {
        let mut front = FrontMatter::new(
            EntryKind::Execution,
            "Exécution de la partie-6",
            chrono::DateTime::parse_from_rfc3339("2026-12-05T10:00:00+01:00").unwrap(),
            statut,
        );
        front.partie = Some("partie-6".into());
        front.duree_ms = Some(61_000);
        front.origine.auteur = Some("Camille".into());
        Entry {
            path: "journal/2026-12-05T100000-000-execution-ab12cd.md".into(),
            front,
            body: String::new(),
            body_line: 1,
        }
    }

    #[test]
    fn a_run_is_annotated_once_across_two_calls_and_updated_when_it_ends() {
        let g = FakeGrafana::new("p");
        let running = entry(Status::InProgress);
        assert!(matches!(
            annotate_with(&g, &running),
            Ok(Some(Upserted::Created(1)))
        ));
        let done = entry(Status::Succeeded);
        assert!(matches!(
            annotate_with(&g, &done),
            Ok(Some(Upserted::Updated(1)))
        ));
        assert!(matches!(
            annotate_with(&g, &done),
            Ok(Some(Upserted::Unchanged(1)))
        ));
        let list = g.annotations.borrow();
        assert_eq!(list.len(), 1);
        let a = &list[0];
        assert_eq!(a.time_end - a.time, 61_000);
        for t in [
            "journal",
            "partie-6",
            "réussi",
            "auteur:Camille",
            "entree:2026-12-05T100000-000-execution-ab12cd",
        ] {
            assert!(a.tags.iter().any(|x| x == t), "{t} absent de {:?}", a.tags);
        }
        assert!(
            a.text
                .contains("2026-12/2026-12-05.html#2026-12-05T100000-000-execution-ab12cd"),
            "{}",
            a.text
        );
    }

    #[test]
    fn a_refusing_grafana_is_a_warning_and_an_entry_without_part_is_not_annotated() {
        let g = FakeGrafana::new("p");
        g.refuse_annotations.set(true);
        let w = annotate_with(&g, &entry(Status::Failed)).unwrap_err();
        assert!(
            w.contains("403") && w.contains("l'entrée est enregistrée"),
            "{w}"
        );
        let mut e = entry(Status::Succeeded);
        e.front.partie = None;
        g.refuse_annotations.set(false);
        assert_eq!(annotate_with(&g, &e), Ok(None));
        assert!(g.annotation_calls.borrow().is_empty());
    }
}
