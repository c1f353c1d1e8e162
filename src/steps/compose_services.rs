//! Step `compose-services` (tutorial step 2): adds the services `prometheus`,
//! `grafana` and `cadvisor`, the volumes `prometheus_data` and `grafana_data`
//! and the network `systeme-ticketing-net` to the compose file, keeping every
//! existing byte (the edit itself is `compose_file::apply`). The result is
//! validated with `docker compose config` before it replaces the file; the
//! old file is kept as a timestamped backup and the diff goes to the journal.

use crate::compose_file::{Additions, ComposeError, ServiceBlock, apply};
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::compose_edit::write_edit;
use crate::steps::kit::fragments::{combinations, complete_service};

/// Étape 2 : services dans docker-compose.yml.
pub struct ComposeServices;

/// The network the tutorial's services share.
pub const NETWORK: &str = "systeme-ticketing-net";

/// The additions of part 6, rendered from the `compose/*.yml.j2` templates.
pub fn additions(ctx: &RunContext) -> crate::error::Result<Additions> {
    let block = |name: &str, comment: &str| -> crate::error::Result<ServiceBlock> {
        Ok(ServiceBlock {
            name: name.to_string(),
            comment: Some(comment.to_string()),
            body: ctx
                .templates
                .render(&format!("compose/{name}.yml.j2"), &ctx.settings)?,
        })
    };
    Ok(Additions {
        services: vec![
            block("prometheus", "--- Collecteur de métriques : Prometheus ---")?,
            block("grafana", "--- Visualisation des métriques : Grafana ---")?,
            block(
                "cadvisor",
                "--- Exportateur de métriques Docker : cAdvisor ---",
            )?,
        ],
        volumes: vec!["prometheus_data".into(), "grafana_data".into()],
        network: NETWORK.into(),
    })
}

/// The edit that keeps a `prometheus` service completed by the declared
/// fragments, if one of their combinations matches the file.
fn completed_edit(
    project: &crate::project::Project,
    src: &str,
    add: &Additions,
) -> Option<crate::compose_file::Edit> {
    let fragments = crate::steps::prometheus_fragments(project);
    combinations(&fragments).into_iter().find_map(|set| {
        let completed = complete_service(add.clone(), &set).ok()?;
        apply(src, &completed, false).ok()
    })
}

impl Step for ComposeServices {
    fn id(&self) -> &'static str {
        "compose-services"
    }

    fn title(&self) -> &'static str {
        "Étape 2 : services dans docker-compose.yml"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let file = ctx.project.compose_file();
        let shown = ctx.project.display(&file);
        let current = crate::store::read_optional(&file)?;
        let add = additions(ctx)?;
        let src = current.as_deref().unwrap_or("");
        let edit = match apply(src, &add, ctx.settings.force) {
            // The Prometheus service as other parts completed it (partie-6-
            // alertes: the rules folder mounted) is the tutorial's plus their
            // lines: accepted as is.
            Err(ComposeError::Differs(d)) if d.iter().all(|d| d.service == "prometheus") => {
                completed_edit(&ctx.project, src, &add).ok_or(ComposeError::Differs(d))
            }
            other => other,
        }
        .map_err(|e| {
            let e: Error = e.into();
            StepFailure::from(
                Error::usage(format!("{shown} : {}", e.message()))
                    .with_hint(e.hint().unwrap_or("")),
            )
        })?;
        let command =
            format!("$EDITOR {shown}   # ajouter prometheus, grafana, cadvisor, volumes et réseau");
        if !edit.changed {
            return Ok(StepReport::already_done(format!(
                "{shown} contient déjà les services du tutoriel ({})",
                edit.summary_fr()
            ))
            .command(command));
        }
        write_edit(ctx, current.as_deref(), &edit, command)
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::store::StepStatus;
    use crate::testing::docker::{FakeCompose, FakeDocker, install};
    use crate::testing::test_context;

    const EXISTING: &str =
        "# Pile de ticketing\nservices:\n  zammad:\n    image: zammad/zammad:6.0 # version figée\n";

    fn run(
        existing: Option<&str>,
        compose: FakeCompose,
        dry_run: bool,
    ) -> (
        tempfile::TempDir,
        Result<StepReport, StepFailure>,
        Rc<FakeCompose>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("compose/docker-compose.yml");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        if let Some(text) = existing {
            std::fs::write(&file, text).unwrap();
        }
        let mut ctx = test_context(dir.path());
        ctx.settings.dry_run = dry_run;
        let compose = Rc::new(compose);
        install(&mut ctx, Rc::new(FakeDocker::default()), compose.clone());
        let r = ComposeServices.run(&mut ctx);
        (dir, r, compose)
    }

    fn compose_text(dir: &tempfile::TempDir) -> String {
        std::fs::read_to_string(dir.path().join("compose/docker-compose.yml")).unwrap()
    }

    fn backups(dir: &tempfile::TempDir) -> usize {
        std::fs::read_dir(dir.path().join("compose"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".bak."))
            .count()
    }

    #[test]
    fn adds_the_services_keeping_every_byte_and_a_backup() {
        let (dir, r, compose) = run(Some(EXISTING), FakeCompose::default(), false);
        let r = r.unwrap();
        assert_eq!(r.status, StepStatus::Succeeded);
        let text = compose_text(&dir);
        assert!(text.starts_with(EXISTING));
        for s in [
            "prometheus:",
            "grafana:",
            "cadvisor:",
            "systeme-ticketing-net",
        ] {
            assert!(text.contains(s), "{s} manque");
        }
        assert_eq!(backups(&dir), 1);
        assert!(r.summary.contains("sauvegarde"));
        // Compose validated the staged candidate, not the real file.
        let calls = compose.calls();
        assert_eq!(calls.len(), 1);
        assert!(calls[0].contains(".docker-compose.journal-"), "{calls:?}");
        // No staged file is left behind.
        let leftovers = std::fs::read_dir(dir.path().join("compose"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".docker-compose")
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn a_second_run_is_already_done() {
        let (dir, r, _) = run(Some(EXISTING), FakeCompose::default(), false);
        r.unwrap();
        let done = compose_text(&dir);
        let (dir2, r, compose) = run(Some(&done), FakeCompose::default(), false);
        assert_eq!(r.unwrap().status, StepStatus::AlreadyDone);
        assert_eq!(compose_text(&dir2), done);
        assert!(compose.calls().is_empty());
    }

    #[test]
    fn a_file_compose_refuses_is_left_untouched() {
        let compose = FakeCompose {
            invalid: Some("services.grafana.ports contains an invalid type".into()),
            ..Default::default()
        };
        let (dir, r, _) = run(Some(EXISTING), compose, false);
        let f = r.expect_err("refused");
        assert!(f.error.message().contains("n'a pas été touché"));
        assert!(f.output.unwrap().contains("invalid type"));
        assert_eq!(compose_text(&dir), EXISTING);
        assert_eq!(backups(&dir), 0);
    }

    #[test]
    fn dry_run_shows_the_diff_and_writes_nothing() {
        let (dir, r, compose) = run(Some(EXISTING), FakeCompose::default(), true);
        let r = r.unwrap();
        assert_eq!(r.status, StepStatus::Skipped);
        assert!(r.details.contains("+  prometheus:"));
        assert_eq!(compose_text(&dir), EXISTING);
        assert!(compose.calls().is_empty());
    }

    #[test]
    fn a_missing_file_is_created_without_backup() {
        let (dir, r, _) = run(None, FakeCompose::default(), false);
        assert_eq!(r.unwrap().status, StepStatus::Succeeded);
        assert!(compose_text(&dir).contains("prometheus:"));
        assert_eq!(backups(&dir), 0);
    }

    #[test]
    fn a_container_name_taken_by_another_service_is_exit_2_and_untouched() {
        let existing = "services:\n  supervision:\n    image: grafana/grafana:9.0\n    container_name: grafana\n";
        let (dir, r, compose) = run(Some(existing), FakeCompose::default(), false);
        let f = r.expect_err("refused");
        assert_eq!(f.error.code(), 2);
        assert!(
            f.error.message().contains("« supervision »"),
            "{}",
            f.error.message()
        );
        assert!(f.error.hint().unwrap().contains("container_name"));
        assert_eq!(compose_text(&dir), existing);
        assert_eq!(backups(&dir), 0);
        assert!(compose.calls().is_empty());
    }

    #[test]
    fn a_network_declared_under_another_key_is_reused() {
        let existing = "services:\n  zammad:\n    image: z\n    networks: [ticketing]\nnetworks:\n  ticketing:\n    name: systeme-ticketing-net\n    external: true\n";
        let (dir, r, _) = run(Some(existing), FakeCompose::default(), false);
        let r = r.unwrap();
        assert!(r.summary.contains("réutilisé : ticketing"), "{}", r.summary);
        let text = compose_text(&dir);
        assert_eq!(text.matches("systeme-ticketing-net").count(), 1, "{text}");
        let (_, r, _) = run(Some(&text), FakeCompose::default(), false);
        assert_eq!(r.unwrap().status, StepStatus::AlreadyDone);
    }
}
