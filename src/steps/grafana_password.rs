//! Step `grafana-password` (tutorial step 5.2): waits for Grafana (joining the
//! background wait started by `prometheus-targets`), then makes sure the
//! `admin` password is no longer the default `admin`.
//!
//! The target password comes from `JOURNAL_GRAFANA_PASSWORD`, then
//! `--grafana-password-file`, then `.journal-secrets/grafana-admin`; failing
//! those, one is generated and stored there (0600) *before* Grafana is
//! changed. At most one login is tried per candidate (never a loop: five
//! failures in five minutes lock the account). The working credentials are
//! left in the run context for the next steps. It never writes or prints the
//! password itself.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::adapters::grafana::{
    AuthOutcome, Credentials, GrafanaApi, GrafanaHealth, HttpGrafana, blocked_error,
};
use chrono::{DateTime, FixedOffset};

use super::grafana_refusals::{self as refusals, Candidate, Refusals};
use crate::error::{Error, Kind, Result};
use crate::french;
use crate::project::Project;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::secrets::{Secret, generate_password};
use crate::steps::deployment;
use crate::steps::kit::secret_file::{read_secret_file, store_secret};
use crate::steps::kit::table::{Cell, Table};
use crate::steps::kit::wait::{Poll, Stopped, wait_until};

/// The environment variable holding the wanted password.
pub const PASSWORD_ENV: &str = crate::settings::GRAFANA_PASSWORD;
/// The secrets file name under `.journal-secrets/`.
pub const SECRET_FILE: &str = "grafana-admin";

/// Étape 5.2 : mot de passe administrateur de Grafana.
pub struct GrafanaPassword;

// ---------------------------------------------------------------- readiness

/// Grafana answered its health check.
#[derive(Debug, Clone)]
pub struct ReadyInfo {
    /// What `/api/health` said.
    pub health: GrafanaHealth,
    /// Time waited.
    pub waited: Duration,
}

/// The background wait for Grafana's `/api/health`, started by
/// `prometheus-targets` and joined here.
pub struct GrafanaReadiness {
    handle: Option<JoinHandle<Result<ReadyInfo>>>,
}

impl GrafanaReadiness {
    /// Starts waiting for Grafana at `base_url`, at most `timeout`.
    pub fn spawn(base_url: String, timeout: Duration) -> Self {
        let handle = std::thread::Builder::new()
            .name("attente-grafana".into())
            .spawn(move || {
                let api = HttpGrafana::new(&base_url, None)?;
                wait_grafana(&api, timeout, Duration::from_millis(500))
            })
            .ok();
        GrafanaReadiness { handle }
    }

    /// The wait's outcome (`None` if already joined or never started).
    pub fn join(&mut self) -> Option<Result<ReadyInfo>> {
        let h = self.handle.take()?;
        Some(h.join().unwrap_or_else(|_| {
            Err(Error::failed(
                "l'attente de Grafana s'est interrompue anormalement",
            ))
        }))
    }
}

/// Polls `/api/health` until Grafana answers with a healthy database, at most
/// `timeout`.
pub fn wait_grafana(api: &dyn GrafanaApi, timeout: Duration, poll: Duration) -> Result<ReadyInfo> {
    let waited = wait_until(timeout, poll, || match api.health() {
        Ok(h) if h.database == "ok" => Ok(Poll::Ready(h)),
        Ok(h) => Ok(Poll::Pending(Error::environment(format!(
            "base de données de Grafana : {}",
            h.database
        )))),
        Err(e) if e.kind() == Kind::Environment => Ok(Poll::Pending(e)),
        Err(e) => Err(e),
    });
    match waited {
        Ok(w) => Ok(ReadyInfo {
            health: w.value,
            waited: w.waited,
        }),
        Err(Stopped::Failed(e)) => Err(e),
        Err(Stopped::TimedOut { last, .. }) => Err(Error::environment(format!(
            "Grafana n'est pas prêt après {} : {}",
            french::duration_ms(timeout.as_millis() as u64),
            last.message()
        ))
        .with_hint(
            "consultez `docker compose ps grafana` et `docker compose logs grafana` ; \
             un premier démarrage (migrations de la base) peut être long : \
             augmentez JOURNAL_DELAI_DEMARRAGE",
        )),
    }
}

// ---------------------------------------------------------------- password source

/// Where the wanted password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// `JOURNAL_GRAFANA_PASSWORD`.
    Env,
    /// `--grafana-password-file`.
    File(PathBuf),
    /// `.journal-secrets/grafana-admin`, kept by an earlier run.
    Secrets(PathBuf),
    /// Generated now and stored in `.journal-secrets/grafana-admin`.
    Generated(PathBuf),
}

impl PasswordSource {
    /// French description (never the value).
    pub fn describe(&self, project: &Project) -> String {
        match self {
            PasswordSource::Env => format!("la variable d'environnement `{PASSWORD_ENV}`"),
            PasswordSource::File(p) => {
                format!("le fichier `{}` (--grafana-password-file)", p.display())
            }
            PasswordSource::Secrets(p) => {
                format!("le fichier de secrets `{}`", project.display(p))
            }
            PasswordSource::Generated(p) => format!(
                "un mot de passe généré par journal et enregistré dans `{}`",
                project.display(p)
            ),
        }
    }

    /// Where the password is kept, in French.
    pub fn kept_where(&self, project: &Project) -> String {
        match self {
            PasswordSource::Env => format!(
                "journal ne le conserve pas : il vient de `{PASSWORD_ENV}`, gardez-le de votre côté"
            ),
            PasswordSource::File(p) => format!("dans votre fichier `{}`", p.display()),
            PasswordSource::Secrets(p) | PasswordSource::Generated(p) => format!(
                "dans `{}` (droits 0600, dossier ignoré par git, jamais copié dans le journal ni le livre)",
                project.display(p)
            ),
        }
    }
}

/// The wanted password from the environment value, the option's file or the
/// secrets file, in that order; `None` when there is none yet.
pub fn existing_password(
    env: Option<String>,
    file: Option<&Path>,
    secrets_file: &Path,
) -> Result<Option<(Secret, PasswordSource)>> {
    if let Some(v) = env.filter(|v| !v.is_empty()) {
        return Ok(Some((Secret::new(v), PasswordSource::Env)));
    }
    if let Some(f) = file {
        return Ok(Some((
            read_secret_file(f)?,
            PasswordSource::File(f.to_path_buf()),
        )));
    }
    if secrets_file.is_file() {
        return Ok(Some((
            read_secret_file(secrets_file)?,
            PasswordSource::Secrets(secrets_file.to_path_buf()),
        )));
    }
    Ok(None)
}

// ---------------------------------------------------------------- decision

/// What the password step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordOutcome {
    /// The wanted password already works.
    AlreadySet,
    /// `admin`/`admin` worked and the password was changed.
    Changed,
    /// Reset through the container's `grafana cli` (`--reinitialiser-grafana`).
    Reset,
}

/// The command that resets the password inside the Grafana container; the
/// value goes through standard input, never the command line.
pub const RESET_COMMAND: [&str; 5] = [
    "grafana",
    "cli",
    "admin",
    "reset-admin-password",
    "--password-from-stdin",
];

/// `--reinitialiser-grafana`: sets `admin`'s password to `target` with
/// `docker compose exec grafana grafana cli admin reset-admin-password` (on a
/// swarm, `docker exec` in the Grafana task's container on this manager),
/// forgets the refusals, then checks the new password with one login.
fn reset_in_container(
    ctx: &RunContext,
    api: &dyn GrafanaApi,
    target: &Secret,
    refusals: &mut Refusals,
) -> Result<PasswordOutcome> {
    // On a swarm, the Grafana task's container on this manager; otherwise
    // the Compose service.
    let deployment = deployment::of(ctx);
    let where_ = deployment.service_status_command("grafana")?;
    let done = deployment.exec_in_service("grafana", &RESET_COMMAND, target.expose());
    done.map_err(|e| {
        Error::failed(format!(
            "la réinitialisation du mot de passe dans le conteneur grafana a échoué : {}",
            e.message()
        ))
        .with_hint(format!(
            "le conteneur grafana doit tourner ({where_}) ; Grafana ≥ 9.1 accepte --password-from-stdin{}",
            e.hint().map_or(String::new(), |h| format!(" ; {h}"))
        ))
    })?;
    refusals.clear()?;
    match api.authenticate(&Credentials::admin(target.clone()))? {
        AuthOutcome::Valid => Ok(PasswordOutcome::Reset),
        AuthOutcome::Blocked => Err(blocked_error()),
        AuthOutcome::BadCredentials => Err(Error::failed(
            "Grafana refuse le mot de passe qui vient d'être réinitialisé",
        )
        .with_hint("consultez `docker compose logs grafana`")),
    }
}

/// Makes `admin`'s password `target`: tries `target` once (unless
/// `try_target` is false, e.g. it was just generated), then `admin`/`admin`
/// once, then changes it and checks the new one. Never more attempts:
/// five failures in five minutes lock the account. One run's rule, without
/// memory of earlier runs: the step uses [`ensure_password_remembering`].
#[cfg(test)]
pub fn ensure_password(
    api: &dyn GrafanaApi,
    target: &Secret,
    try_target: bool,
    source: &str,
    kept: &str,
) -> Result<PasswordOutcome> {
    let mut refusals = Refusals::in_memory();
    let attempt = Attempt {
        target,
        try_target,
        source,
        kept,
    };
    ensure_password_remembering(api, &attempt, &mut refusals, refusals::wall_clock())
}

/// The wanted password and what to say of it.
pub struct Attempt<'a> {
    /// The wanted password.
    pub target: &'a Secret,
    /// Whether trying it makes sense (not when just generated).
    pub try_target: bool,
    /// Where it comes from (French).
    pub source: &'a str,
    /// Where it is kept (French).
    pub kept: &'a str,
}

/// [`ensure_password`] with the refusals of earlier runs: a value Grafana
/// refused less than 5 minutes ago is not tried again (unless it changed),
/// `admin`/`admin` is never tried again once refused; each refusal is
/// recorded before going on, and success forgets them all.
pub fn ensure_password_remembering(
    api: &dyn GrafanaApi,
    a: &Attempt<'_>,
    refusals: &mut Refusals,
    now: DateTime<FixedOffset>,
) -> Result<PasswordOutcome> {
    let wanted = Credentials::admin(a.target.clone());
    let mut held_back = None;
    if a.try_target {
        if let Some(when) = refusals.refused_recently(a.target, now) {
            held_back = Some(when);
        } else {
            match api.authenticate(&wanted)? {
                AuthOutcome::Valid => {
                    refusals.clear()?;
                    return Ok(PasswordOutcome::AlreadySet);
                }
                AuthOutcome::Blocked => return Err(blocked_error()),
                AuthOutcome::BadCredentials => refusals.record(Candidate::Wanted, a.target, now)?,
            }
        }
    }
    let default = Credentials::admin(Secret::new("admin"));
    if let Some(when) = refusals.default_refused() {
        return Err(refused_error(a, held_back, Some(when), now, true));
    }
    match api.authenticate(&default)? {
        AuthOutcome::Valid => {}
        AuthOutcome::Blocked => return Err(blocked_error()),
        AuthOutcome::BadCredentials => {
            refusals.record(Candidate::Default, &default.password, now)?;
            return Err(refused_error(a, held_back, None, now, false));
        }
    }
    api.change_password("admin", &default.password, a.target)?;
    match api.authenticate(&wanted)? {
        AuthOutcome::Valid => {
            refusals.clear()?;
            Ok(PasswordOutcome::Changed)
        }
        AuthOutcome::Blocked => Err(blocked_error()),
        AuthOutcome::BadCredentials => Err(Error::failed(
            "Grafana a accepté le changement de mot de passe mais refuse le nouveau",
        )
        .with_hint("consultez `docker compose logs grafana`")),
    }
}

/// The French error when no candidate is left to try: what was refused and
/// when, how long to wait, how to recover.
fn refused_error(
    a: &Attempt<'_>,
    held_back: Option<DateTime<FixedOffset>>,
    default_refused_before: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
    nothing_tried_now: bool,
) -> Error {
    let mut said = Vec::new();
    match held_back {
        Some(when) => said.push(format!(
            "le mot de passe voulu ({}) a été refusé à {} ; journal ne le réessaiera pas avant {}              (Grafana bloque le compte après 5 échecs en 5 minutes)",
            a.source,
            french::time(&when),
            french::time(&(when + refusals::window()))
        )),
        None if a.try_target => said.push(format!(
            "« admin » avec le mot de passe voulu ({}) est refusé",
            a.source
        )),
        None => {}
    }
    match default_refused_before {
        Some(when) => said.push(format!(
            "« admin » avec le mot de passe par défaut a déjà été refusé le {} : journal ne l'essaie plus",
            french::date_time(&when)
        )),
        None => said.push("« admin » avec le mot de passe par défaut est refusé".into()),
    }
    let wait = match held_back {
        Some(when) => {
            let left = (when + refusals::window() - now).num_seconds().max(0);
            format!(
                "Un nouvel essai du même mot de passe est possible dans {} (un autre mot de passe                  est essayé tout de suite). ",
                french::duration_ms(left as u64 * 1000)
            )
        }
        None => String::new(),
    };
    Error::failed(format!(
        "Grafana refuse les identifiants : {}{}",
        said.join(" ; "),
        if nothing_tried_now {
            " ; aucune connexion n'a été tentée cette fois"
        } else {
            " ; journal s'arrête là pour ne pas bloquer le compte"
        }
    ))
    .with_hint(format!(
        "{wait}5 échecs en 5 minutes bloquent le compte « admin » : journal retient les refus \
         d'une exécution à l'autre. Le mot de passe voulu est {}. Si vous connaissez le mot de passe actuel, fournissez-le          par {PASSWORD_ENV} ; sinon, laissez journal le réinitialiser dans le conteneur :          `journal run partie-6 --reinitialiser-grafana` (grafana cli admin reset-admin-password).          Les refus retenus sont dans .journal-secrets/{} (sans aucun mot de passe).",
        a.kept,
        refusals::FILE
    ))
}

// ---------------------------------------------------------------- step

fn command(ctx: &RunContext) -> String {
    format!(
        "curl -s -X PUT -u admin:admin -H 'Content-Type: application/json' \\\n  \
         -d '{{\"oldPassword\":\"admin\",\"newPassword\":\"<nouveau mot de passe>\",\"confirmNew\":\"<nouveau mot de passe>\"}}' \\\n  \
         {}/api/user/password",
        ctx.settings.grafana_url
    )
}

fn readiness(ctx: &mut RunContext) -> Result<ReadyInfo> {
    let joined = ctx
        .get_mut::<GrafanaReadiness>()
        .and_then(GrafanaReadiness::join);
    match joined {
        Some(r) => r,
        None => {
            let api = HttpGrafana::new(&ctx.settings.grafana_url, None)?;
            wait_grafana(&api, ctx.settings.ready_timeout, Duration::from_millis(500))
        }
    }
}

impl Step for GrafanaPassword {
    fn id(&self) -> &'static str {
        "grafana-password"
    }

    fn title(&self) -> &'static str {
        "Étape 5.2 : mot de passe administrateur de Grafana"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let secrets_file = ctx.project.secrets_dir().join(SECRET_FILE);
        let env = ctx
            .settings
            .grafana_password
            .as_ref()
            .map(|s| s.expose().to_string());
        let file = ctx.settings.grafana_password_file.clone();
        if ctx.dry_run() {
            let source = if env.as_deref().is_some_and(|v| !v.is_empty()) {
                PasswordSource::Env.describe(&ctx.project)
            } else if let Some(f) = &file {
                PasswordSource::File(f.clone()).describe(&ctx.project)
            } else if secrets_file.is_file() {
                PasswordSource::Secrets(secrets_file.clone()).describe(&ctx.project)
            } else {
                format!(
                    "un mot de passe qui serait généré et enregistré dans `{}`",
                    ctx.project.display(&secrets_file)
                )
            };
            return Ok(StepReport::skipped(format!(
                "simulation : attendrait Grafana ({}/api/health), essaierait une fois « admin » avec \
                 le mot de passe voulu ({source}), sinon une fois admin/admin pour le remplacer",
                ctx.settings.grafana_url
            ))
            .command(command(ctx)));
        }
        let cmd = command(ctx);
        let ready = readiness(ctx).map_err(|e| {
            StepFailure::from(
                Error::environment(format!("Grafana n'est pas prêt : {}", e.message())).with_hint(
                    e.hint()
                        .unwrap_or("docker compose logs grafana")
                        .to_string(),
                ),
            )
            .command(cmd.clone())
        })?;
        let (target, source) = match existing_password(env, file.as_deref(), &secrets_file)? {
            Some(found) => found,
            None => {
                let p = generate_password();
                // Stored before Grafana is touched: it can never be lost.
                let path = store_secret(&ctx.project.secrets_dir(), SECRET_FILE, &p)?;
                (p, PasswordSource::Generated(path))
            }
        };
        if target.expose() == "admin" || target.len() < 5 {
            return Err(StepFailure::from(
                Error::usage(format!(
                    "le mot de passe voulu ({}) est trop faible : ni « admin », ni moins de 5 caractères",
                    source.describe(&ctx.project)
                ))
                .with_hint("choisissez au moins 12 caractères mêlant lettres, chiffres et symboles"),
            ));
        }
        let described = source.describe(&ctx.project);
        let kept = source.kept_where(&ctx.project);
        let api = HttpGrafana::new(&ctx.settings.grafana_url, None)?;
        let try_target = !matches!(source, PasswordSource::Generated(_));
        let attempt = Attempt {
            target: &target,
            try_target,
            source: &described,
            kept: &kept,
        };
        let fail = |e: Error| {
            StepFailure::from(e).command(cmd.clone()).details(format!(
                "Mot de passe voulu : {described}.\n\nConservation : {kept}."
            ))
        };
        let mut refusals = Refusals::load(&ctx.project.secrets_dir()).map_err(fail)?;
        let outcome = if ctx.settings.reset_grafana_password {
            reset_in_container(ctx, &api, &target, &mut refusals).map_err(fail)?
        } else {
            ensure_password_remembering(&api, &attempt, &mut refusals, refusals::wall_clock())
                .map_err(fail)?
        };
        ctx.put(Credentials::admin(target));
        let version = ready
            .health
            .version
            .clone()
            .unwrap_or_else(|| "masquée".into());
        let tried = match (outcome, try_target) {
            (PasswordOutcome::Reset, _) => {
                "aucun avant la réinitialisation ; puis le mot de passe voulu (accepté)"
            }
            (PasswordOutcome::AlreadySet, _) => "le mot de passe voulu (accepté)",
            (PasswordOutcome::Changed, true) => {
                "le mot de passe voulu (refusé), puis admin/admin (accepté, remplacé)"
            }
            (PasswordOutcome::Changed, false) => "admin/admin (accepté, remplacé)",
        };
        let details = Table::key_value()
            .with([
                Cell::text("Grafana"),
                Cell::text(format!(
                    "prêt après {} (version {version}, base de données {})",
                    french::duration_ms(ready.waited.as_millis() as u64),
                    ready.health.database,
                )),
            ])
            .with([Cell::text("Utilisateur"), Cell::code("admin")])
            .with([Cell::text("Source du mot de passe"), Cell::text(&described)])
            .with([Cell::text("Conservation"), Cell::text(&kept)])
            .with([Cell::text("Identifiants essayés"), Cell::text(tried)])
            .render_trimmed();
        let report = match outcome {
            PasswordOutcome::AlreadySet => StepReport::already_done(format!(
                "le mot de passe de « admin » n'est plus celui par défaut ; mot de passe en place : {described}"
            )),
            PasswordOutcome::Changed => StepReport::done(format!(
                "mot de passe par défaut admin/admin remplacé ; nouveau mot de passe : {described}"
            )),
            PasswordOutcome::Reset => StepReport::done(format!(
                "mot de passe de « admin » réinitialisé dans le conteneur (--reinitialiser-grafana) ; \
                 nouveau mot de passe : {described}"
            )),
        };
        Ok(report.command(cmd).details(details))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{ComposeProject, SwarmClient};
    use crate::testing::FakeGrafana;

    // A test-only value, not a real password.
    fn target() -> Secret {
        Secret::new("valeur-de-test-Xy7-cible")
    }

    #[test]
    fn on_a_swarm_the_reset_runs_in_the_grafana_task_with_the_value_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let swarm = std::rc::Rc::new(crate::testing::swarm::FakeSwarm::three_nodes());
        ctx.put(SwarmClient(swarm.clone()));
        crate::steps::deployment::choose(&mut ctx, crate::settings::Target::Swarm);
        ctx.put(ComposeProject {
            name: "pile".into(),
            file: dir.path().join("docker-compose.yml"),
        });
        // The fake Grafana stands for the state after `grafana cli` ran.
        let f = FakeGrafana::with("valeur-de-test-Xy7-cible", false);
        let mut refusals = Refusals::load(&ctx.project.secrets_dir()).unwrap();
        let o = reset_in_container(&ctx, &f, &target(), &mut refusals).unwrap();
        assert_eq!(o, PasswordOutcome::Reset);
        assert_eq!(
            *swarm.calls.borrow(),
            vec!["exec pile_grafana grafana cli admin reset-admin-password --password-from-stdin"]
        );
        assert_eq!(*swarm.inputs.borrow(), vec![target().expose().to_string()]);
        assert_eq!(f.attempts.get(), 1);
    }

    #[test]
    fn target_already_working_is_already_done() {
        let f = FakeGrafana::with("valeur-de-test-Xy7-cible", false);
        let o = ensure_password(&f, &target(), true, "src", "ici").unwrap();
        assert_eq!(o, PasswordOutcome::AlreadySet);
        assert_eq!(f.attempts.get(), 1);
        assert_eq!(f.changes.get(), 0);
    }

    #[test]
    fn default_admin_is_changed_once_then_verified() {
        let f = FakeGrafana::with("admin", false);
        let o = ensure_password(&f, &target(), true, "src", "ici").unwrap();
        assert_eq!(o, PasswordOutcome::Changed);
        assert_eq!(f.changes.get(), 1);
        assert_eq!(*f.password.borrow(), "valeur-de-test-Xy7-cible");
        // Target (refused), admin (accepted), target (verification).
        assert_eq!(f.attempts.get(), 3);
    }

    #[test]
    fn both_refused_stops_after_exactly_two_attempts() {
        let f = FakeGrafana::with("autre-valeur-inconnue", false);
        let e =
            ensure_password(&f, &target(), true, "la variable", "dans le fichier X").unwrap_err();
        assert_eq!(f.attempts.get(), 2);
        assert_eq!(f.changes.get(), 0);
        assert!(e.message().contains("mot de passe voulu"));
        assert!(e.message().contains("par défaut"));
        let hint = e.hint().unwrap();
        assert!(hint.contains("5 échecs en 5 minutes"));
        assert!(hint.contains("dans le fichier X"));
        assert!(!e.message().contains("valeur-de-test") && !hint.contains("valeur-de-test"));
    }

    #[test]
    fn generated_password_skips_the_useless_first_attempt() {
        let f = FakeGrafana::with("autre-valeur-inconnue", false);
        assert!(ensure_password(&f, &target(), false, "s", "k").is_err());
        assert_eq!(f.attempts.get(), 1);
    }

    #[test]
    fn blocked_account_mentions_five_minutes() {
        let f = FakeGrafana::with("admin", true);
        let e = ensure_password(&f, &target(), true, "s", "k").unwrap_err();
        assert!(e.message().contains("5 minutes"));
        assert_eq!(f.attempts.get(), 1);
    }

    #[test]
    fn password_sources_follow_the_documented_order() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = dir.path().join("s").join(SECRET_FILE);
        assert!(existing_password(None, None, &secrets).unwrap().is_none());
        let f = dir.path().join("pw");
        std::fs::write(&f, "valeur-fichier-test\n").unwrap();
        let (s, src) = existing_password(None, Some(&f), &secrets)
            .unwrap()
            .unwrap();
        assert_eq!(s.expose(), "valeur-fichier-test");
        assert_eq!(src, PasswordSource::File(f.clone()));
        let (_, src) = existing_password(Some("valeur-env-test".into()), Some(&f), &secrets)
            .unwrap()
            .unwrap();
        assert_eq!(src, PasswordSource::Env);
    }

    #[cfg(unix)]
    #[test]
    fn stored_secret_is_private_and_git_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sdir = dir.path().join(".journal-secrets");
        let p = store_secret(&sdir, SECRET_FILE, &Secret::new("valeur-stockee-test")).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(&sdir).unwrap().permissions().mode() & 0o777;
        assert_eq!(dmode, 0o700);
        assert_eq!(
            std::fs::read_to_string(sdir.join(".gitignore")).unwrap(),
            "*\n"
        );
        // Never replaced.
        assert!(store_secret(&sdir, SECRET_FILE, &Secret::new("autre-valeur-test")).is_err());
        let (s, _) = existing_password(None, None, &p).unwrap().unwrap();
        assert_eq!(s.expose(), "valeur-stockee-test");
    }

    #[test]
    fn readiness_waits_then_reports() {
        let f = FakeGrafana::with("admin", false);
        let r = wait_grafana(&f, Duration::from_secs(1), Duration::ZERO).unwrap();
        assert_eq!(r.health.version.as_deref(), Some("10.1.5"));
    }

    fn three_runs(f: &FakeGrafana, dir: &Path, minutes_apart: i64) -> Vec<Result<PasswordOutcome>> {
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-11-25T10:00:00+01:00").unwrap();
        (0..3)
            .map(|i| {
                let mut r = Refusals::load(dir).unwrap();
                let a = Attempt {
                    target: &target(),
                    try_target: true,
                    source: "la variable",
                    kept: "ailleurs",
                };
                ensure_password_remembering(
                    f,
                    &a,
                    &mut r,
                    t0 + chrono::Duration::minutes(i * minutes_apart),
                )
            })
            .collect()
    }

    #[test]
    fn three_runs_against_a_changed_password_make_two_attempts_in_all() {
        let dir = tempfile::tempdir().unwrap();
        let f = FakeGrafana::with("changé-dans-l-interface", false);
        let runs = three_runs(&f, dir.path(), 1);
        assert_eq!(f.attempts.get(), 2, "jamais plus de deux refus");
        assert!(runs.iter().all(|r| r.is_err()));
        let second = runs[1].as_ref().unwrap_err();
        assert!(second.message().contains("aucune connexion n'a été tentée"));
        assert!(
            second
                .message()
                .contains("ne le réessaiera pas avant 10:05")
        );
        assert!(second.hint().unwrap().contains("--reinitialiser-grafana"));
        assert!(second.hint().unwrap().contains("dans 4 min"));
    }

    #[test]
    fn after_the_window_the_wanted_password_is_tried_once_more_but_never_admin() {
        let dir = tempfile::tempdir().unwrap();
        let f = FakeGrafana::with("changé-dans-l-interface", false);
        three_runs(&f, dir.path(), 6);
        // 2 at the first run, then the wanted password once per run.
        assert_eq!(f.attempts.get(), 4);
    }

    #[test]
    fn a_new_wanted_value_is_tried_at_once_and_success_forgets_the_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let f = FakeGrafana::with("la-valeur-actuelle-1", false);
        let _ = three_runs(&f, dir.path(), 1);
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-25T10:03:00+01:00").unwrap();
        let mut r = Refusals::load(dir.path()).unwrap();
        let current = Secret::new("la-valeur-actuelle-1");
        let a = Attempt {
            target: &current,
            try_target: true,
            source: "la variable",
            kept: "ailleurs",
        };
        let o = ensure_password_remembering(&f, &a, &mut r, now).unwrap();
        assert_eq!(o, PasswordOutcome::AlreadySet);
        assert!(Refusals::load(dir.path()).unwrap().all().is_empty());
    }
}
