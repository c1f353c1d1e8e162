//! Step `stack-file` (tutorial step 2, `--cible swarm`): writes the stack
//! file `docker-stack.yml` next to the compose file, from the template
//! `swarm/docker-stack.yml.j2` (the tutorial's three services for a swarm:
//! global cAdvisor reached task by task, Prometheus and Grafana on a manager
//! with host-mode ports, an attachable overlay network). The user's
//! `docker-compose.yml` is left alone: `container_name` and `restart` mean
//! nothing to a stack.
//!
//! The file carries two fingerprints: `journal.empreinte` (the file itself,
//! a service label the deployment step compares with the deployed services)
//! and `journal.empreinte-config` (prometheus.yml, a container label, so a
//! new configuration restarts Prometheus). Identical file: « déjà fait ».
//! Only the fingerprints differ: rewritten. Anything else differs (edited by
//! hand): the differences are reported, and `--force` replaces the file
//! after a timestamped backup.
//!
//! The file is journal's own, written whole: it goes through the kit's
//! managed file (`kit::managed_file`: compare, diff, backup, atomic write),
//! not through the comment-preserving compose editor, which inserts
//! services into the user's `docker-compose.yml` (left alone here).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::settings::Images;
use crate::steps::ComposeProject;
use crate::steps::kit::managed_file::{self, ManagedFile};

/// Étape 2 : fichier de pile (essaim).
pub struct StackFile;

/// The stack file's fingerprint, left by this step for the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackFingerprint(pub String);

/// The stack file's name, next to the compose file.
pub const STACK_FILE: &str = "docker-stack.yml";

/// Where the stack file goes.
pub fn stack_path(compose_file: &Path) -> PathBuf {
    compose_file
        .parent()
        .unwrap_or(Path::new("."))
        .join(STACK_FILE)
}

#[derive(serde::Serialize)]
struct View<'a> {
    images: &'a Images,
    ports: &'a crate::settings::Ports,
    pile: &'a str,
    empreinte: String,
    empreinte_config: String,
}

fn sha(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file's text without its fingerprint lines (what a hand edit changes).
fn without_fingerprints(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("journal.empreinte"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The tutorial's stack file for `stack` and its fingerprint.
pub fn render(ctx: &RunContext, stack: &str) -> crate::error::Result<(String, String)> {
    let config = ctx.templates.render("prometheus.yml.j2", &ctx.settings)?;
    let config_fp = sha(&config);
    let view = |fp: String| View {
        images: &ctx.settings.images,
        ports: &ctx.settings.ports,
        pile: stack,
        empreinte: fp,
        empreinte_config: config_fp.clone(),
    };
    let unstamped = ctx
        .templates
        .render("swarm/docker-stack.yml.j2", view(String::new()))?;
    let fp = sha(&unstamped);
    let text = ctx
        .templates
        .render("swarm/docker-stack.yml.j2", view(fp.clone()))?;
    serde_yaml::from_str::<serde_yaml::Value>(&text).map_err(|e| {
        Error::usage(format!(
            "le modèle swarm/docker-stack.yml.j2 ne produit pas un YAML valide : {e}"
        ))
        .with_hint("corrigez templates/swarm/docker-stack.yml.j2 ou supprimez-le pour revenir au modèle intégré")
    })?;
    Ok((text, fp))
}

impl Step for StackFile {
    fn id(&self) -> &'static str {
        "stack-file"
    }

    fn title(&self) -> &'static str {
        "Étape 2 : fichier de pile Swarm"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let project = ctx.require::<ComposeProject>("le projet")?.clone();
        let path = stack_path(&project.file);
        let shown = ctx.project.display(&path);
        let (wanted, fp) = render(ctx, &project.name)?;
        ctx.put(StackFingerprint(fp));
        let command = format!("$EDITOR {shown}");
        let file = ManagedFile::read(ctx, path, wanted)?;
        let untouched = format!(
            "{} n'est pas modifié : les options `container_name` et `restart` n'ont pas de sens dans \
             une pile, d'où un fichier à part.",
            ctx.project.display(&project.file)
        );
        if file.is_current() {
            return Ok(
                StepReport::already_done(format!("{shown} est déjà identique au tutoriel"))
                    .command(command)
                    .details(untouched),
            );
        }
        let diff_block = file.diff_block();
        let hand_edited = file
            .current
            .as_deref()
            .is_some_and(|c| without_fingerprints(c) != without_fingerprints(&file.wanted));
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : {} {shown}",
                file.dry_run_verb()
            ))
            .details(format!(
                "Fichier de pile :\n\n````yaml\n{}````",
                file.wanted
            ))
            .details(diff_block));
        }
        if hand_edited && !ctx.settings.force {
            return Err(StepFailure::from(
                Error::usage(format!(
                    "{shown} diffère du fichier de pile du tutoriel (modifié à la main ?) : rien n'a été \
                     déployé"
                ))
                .with_hint(
                    "relisez les différences dans le journal ; --force remplace le fichier (l'ancien est \
                     sauvegardé à côté)",
                ),
            )
            .command(command)
            .details(diff_block));
        }
        let summary = match &file.current {
            Some(_) if hand_edited => format!(
                "{shown} remplacé (--force) ; ancienne version sauvegardée dans {}",
                ctx.project.display(&managed_file::backup(&file.path)?)
            ),
            Some(_) => format!("{shown} mis à jour (prometheus.yml a changé : nouvelle empreinte)"),
            None => format!("{shown} créé"),
        };
        managed_file::write_readable(&file.path, file.wanted.as_bytes())?;
        Ok(StepReport::done(summary)
            .command(command)
            .details(untouched)
            .details(diff_block))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Target;
    use crate::store::StepStatus;
    use crate::testing::StepContext;

    fn ctx(root: &Path, force: bool) -> RunContext {
        StepContext::new(root)
            .settings(|s| {
                s.target = Target::Swarm;
                s.force = force;
            })
            .with(ComposeProject {
                name: "pile".into(),
                file: root.join("compose/docker-compose.yml"),
            })
            .build()
    }

    #[test]
    fn writes_the_stack_then_finds_it_already_done() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        let mut c = ctx(dir.path(), false);
        let r = StackFile.run(&mut c).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        let text = std::fs::read_to_string(dir.path().join("compose/docker-stack.yml")).unwrap();
        let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(v["services"]["cadvisor"]["deploy"]["mode"], "global");
        assert_eq!(
            v["services"]["cadvisor"]["deploy"]["endpoint_mode"],
            "dnsrr"
        );
        assert_eq!(v["services"]["prometheus"]["ports"][0]["mode"], "host");
        for svc in ["prometheus", "grafana", "cadvisor"] {
            assert_eq!(
                v["services"][svc]["deploy"]["endpoint_mode"], "dnsrr",
                "{svc}"
            );
        }
        assert_eq!(
            v["services"]["grafana"]["deploy"]["placement"]["constraints"][0],
            "node.role == manager"
        );
        assert_eq!(v["networks"]["systeme-ticketing-net"]["driver"], "overlay");
        let fp = c.get::<StackFingerprint>().unwrap().0.clone();
        assert_eq!(
            v["services"]["grafana"]["deploy"]["labels"]["journal.empreinte"],
            fp.as_str()
        );
        assert!(!dir.path().join("compose/docker-compose.yml").exists());

        let r = StackFile.run(&mut ctx(dir.path(), false)).unwrap();
        assert_eq!(r.status, StepStatus::AlreadyDone);
    }

    #[test]
    fn dry_run_shows_the_stack_file_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        let mut c = StepContext::new(dir.path())
            .settings(|s| {
                s.target = Target::Swarm;
                s.dry_run = true;
            })
            .with(ComposeProject {
                name: "pile".into(),
                file: dir.path().join("compose/docker-compose.yml"),
            })
            .build();
        let r = StackFile.run(&mut c).unwrap();
        assert_eq!(r.status, StepStatus::Skipped);
        assert!(r.summary.contains("créerait"), "{}", r.summary);
        assert!(r.details.contains("mode: global"), "{}", r.details);
        assert!(r.details.contains("````diff"), "{}", r.details);
        assert!(!dir.path().join("compose/docker-stack.yml").exists());
    }

    #[test]
    fn a_hand_edit_is_reported_and_force_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        StackFile.run(&mut ctx(dir.path(), false)).unwrap();
        let path = dir.path().join("compose/docker-stack.yml");
        let edited = std::fs::read_to_string(&path)
            .unwrap()
            .replace("published: 8084", "published: 8085");
        std::fs::write(&path, &edited).unwrap();
        let f = StackFile.run(&mut ctx(dir.path(), false)).unwrap_err();
        assert_eq!(f.error.code(), 2);
        assert!(
            f.details.contains("-        published: 8085"),
            "{}",
            f.details
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);

        let r = StackFile.run(&mut ctx(dir.path(), true)).unwrap();
        assert!(r.summary.contains("sauvegardée"), "{}", r.summary);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("published: 8084")
        );
    }

    #[test]
    fn only_a_new_fingerprint_is_rewritten_without_force() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        StackFile.run(&mut ctx(dir.path(), false)).unwrap();
        let path = dir.path().join("compose/docker-stack.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        let old = text.replace(
            "journal.empreinte-config: \"",
            "journal.empreinte-config: \"0",
        );
        std::fs::write(&path, old).unwrap();
        let r = StackFile.run(&mut ctx(dir.path(), false)).unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}
