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
use std::time::{Duration, Instant};

use crate::adapters::grafana::{
    AuthOutcome, Credentials, GrafanaApi, GrafanaHealth, HttpGrafana, blocked_error,
};
use crate::error::{Error, Kind, Result};
use crate::french;
use crate::project::Project;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::secrets::{Secret, generate_password};

/// The environment variable holding the wanted password.
pub const PASSWORD_ENV: &str = "JOURNAL_GRAFANA_PASSWORD";
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
    let start = Instant::now();
    loop {
        let last = match api.health() {
            Ok(h) if h.database == "ok" => {
                return Ok(ReadyInfo {
                    health: h,
                    waited: start.elapsed(),
                });
            }
            Ok(h) => Error::environment(format!("base de données de Grafana : {}", h.database)),
            Err(e) if e.kind() == Kind::Environment => e,
            Err(e) => return Err(e),
        };
        if start.elapsed() >= timeout {
            return Err(Error::environment(format!(
                "Grafana n'est pas prêt après {} : {}",
                french::duration_ms(timeout.as_millis() as u64),
                last.message()
            ))
            .with_hint(
                "consultez `docker compose ps grafana` et `docker compose logs grafana` ; \
                 un premier démarrage (migrations de la base) peut être long : \
                 augmentez JOURNAL_DELAI_DEMARRAGE",
            ));
        }
        std::thread::sleep(poll);
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

fn read_secret_file(path: &Path) -> Result<Secret> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::io("lecture du mot de passe", path, e))?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err(Error::usage(format!(
            "le fichier de mot de passe « {} » est vide",
            path.display()
        ))
        .with_hint(
            "écrivez-y le mot de passe voulu, ou supprimez-le pour que journal en génère un",
        ));
    }
    Ok(Secret::new(value))
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

/// Creates `dir` (0700, with a `.gitignore` holding `*`) and writes `secret`
/// into `dir/name` atomically with mode 0600, never replacing an existing file.
pub fn store_secret(dir: &Path, name: &str, secret: &Secret) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("réglage des droits du dossier", dir, e))?;
    }
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        crate::store::write_atomic(&gitignore, b"*\n", true)
            .map_err(|e| Error::io("écriture de", &gitignore, e))?;
    }
    let path = dir.join(name);
    let mut bytes = secret.expose().as_bytes().to_vec();
    bytes.push(b'\n');
    // The temporary file is created 0600 by tempfile, then renamed: the
    // secret is never readable by others, not even for an instant.
    crate::store::write_atomic_private(&path, &bytes, false)
        .map_err(|e| Error::io("écriture du mot de passe dans", &path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io("réglage des droits de", &path, e))?;
    }
    Ok(path)
}

// ---------------------------------------------------------------- decision

/// What the password step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordOutcome {
    /// The wanted password already works.
    AlreadySet,
    /// `admin`/`admin` worked and the password was changed.
    Changed,
}

/// Makes `admin`'s password `target`: tries `target` once (unless
/// `try_target` is false, e.g. it was just generated), then `admin`/`admin`
/// once, then changes it and checks the new one. Never more attempts:
/// five failures in five minutes lock the account.
pub fn ensure_password(
    api: &dyn GrafanaApi,
    target: &Secret,
    try_target: bool,
    source: &str,
    kept: &str,
) -> Result<PasswordOutcome> {
    let wanted = Credentials::admin(target.clone());
    if try_target {
        match api.authenticate(&wanted)? {
            AuthOutcome::Valid => return Ok(PasswordOutcome::AlreadySet),
            AuthOutcome::Blocked => return Err(blocked_error()),
            AuthOutcome::BadCredentials => {}
        }
    }
    let default = Credentials::admin(Secret::new("admin"));
    match api.authenticate(&default)? {
        AuthOutcome::Valid => {}
        AuthOutcome::Blocked => return Err(blocked_error()),
        AuthOutcome::BadCredentials => {
            let tried = if try_target {
                format!(
                    "« admin » avec le mot de passe voulu ({source}), puis « admin » avec le mot de passe par défaut"
                )
            } else {
                "« admin » avec le mot de passe par défaut".to_string()
            };
            return Err(Error::failed(format!(
                "Grafana refuse les identifiants essayés : {tried} ; journal s'arrête là \
                 pour ne pas bloquer le compte"
            ))
            .with_hint(format!(
                "ne relancez pas en boucle : 5 échecs en 5 minutes bloquent le compte « admin » \
                 (jusqu'à 5 minutes). Le mot de passe voulu est {kept}. Si vous connaissez le mot de \
                 passe actuel, fournissez-le par {PASSWORD_ENV} ; sinon, réinitialisez-le : \
                 `docker compose exec grafana grafana cli admin reset-admin-password \"$(cat .journal-secrets/{SECRET_FILE})\"`"
            )));
        }
    }
    api.change_password("admin", &default.password, target)?;
    match api.authenticate(&wanted)? {
        AuthOutcome::Valid => Ok(PasswordOutcome::Changed),
        AuthOutcome::Blocked => Err(blocked_error()),
        AuthOutcome::BadCredentials => Err(Error::failed(
            "Grafana a accepté le changement de mot de passe mais refuse le nouveau",
        )
        .with_hint("consultez `docker compose logs grafana`")),
    }
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
        let env = std::env::var(PASSWORD_ENV).ok();
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
        let outcome =
            ensure_password(&api, &target, try_target, &described, &kept).map_err(|e| {
                StepFailure::from(e).command(cmd.clone()).details(format!(
                    "Mot de passe voulu : {described}, conservé {kept}."
                ))
            })?;
        ctx.put(Credentials::admin(target));
        let version = ready
            .health
            .version
            .clone()
            .unwrap_or_else(|| "masquée".into());
        let details = format!(
            "| | |\n|---|---|\n\
             | Grafana | prêt après {} (version {version}, base de données {}) |\n\
             | Utilisateur | `admin` |\n\
             | Source du mot de passe | {described} |\n\
             | Conservation | {kept} |\n\
             | Identifiants essayés | {} |",
            french::duration_ms(ready.waited.as_millis() as u64),
            ready.health.database,
            match (outcome, try_target) {
                (PasswordOutcome::AlreadySet, _) => "le mot de passe voulu (accepté)",
                (PasswordOutcome::Changed, true) =>
                    "le mot de passe voulu (refusé), puis admin/admin (accepté, remplacé)",
                (PasswordOutcome::Changed, false) => "admin/admin (accepté, remplacé)",
            }
        );
        let report = match outcome {
            PasswordOutcome::AlreadySet => StepReport::already_done(format!(
                "le mot de passe de « admin » n'est plus celui par défaut ; mot de passe en place : {described}"
            )),
            PasswordOutcome::Changed => StepReport::done(format!(
                "mot de passe par défaut admin/admin remplacé ; nouveau mot de passe : {described}"
            )),
        };
        Ok(report.command(cmd).details(details))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::grafana::fake::FakeGrafana;

    impl FakeGrafana {
        fn with(current: &str, blocked: bool) -> Self {
            let mut f = FakeGrafana::new(current);
            f.blocked = blocked;
            f
        }
    }

    // A test-only value, not a real password.
    fn target() -> Secret {
        Secret::new("valeur-de-test-Xy7-cible")
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
}
