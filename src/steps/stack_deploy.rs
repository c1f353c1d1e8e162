//! Step `stack-deploy` (tutorial step 3, `--cible swarm`):
//! `docker stack deploy --resolve-image never -c docker-stack.yml <pile>`,
//! the stack named after the Compose project. Nothing is redeployed when the
//! deployed services already carry the stack file's fingerprint (the file is
//! what was deployed): « déjà fait », and the service versions stay the same.

use crate::adapters::swarm::Service;
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::stack_file::{StackFingerprint, stack_path};
use crate::steps::{ComposeProject, PART6_SERVICES, StackUnchanged, SwarmClient};

/// Étape 3 : déploiement de la pile.
pub struct StackDeploy;

/// Whether each of the part's services of `stack` is deployed with `fp`.
pub fn up_to_date(services: &[Service], stack: &str, fp: &str) -> bool {
    PART6_SERVICES.iter().all(|s| {
        services.iter().any(|d| {
            d.name == format!("{stack}_{s}")
                && d.labels.get("journal.empreinte").map(String::as_str) == Some(fp)
        })
    })
}

fn versions(services: &[Service]) -> String {
    let mut v: Vec<String> = services
        .iter()
        .map(|s| format!("{} (version {})", s.name, s.version))
        .collect();
    v.sort();
    v.join(", ")
}

impl Step for StackDeploy {
    fn id(&self) -> &'static str {
        "stack-deploy"
    }

    fn title(&self) -> &'static str {
        "Étape 3 : déploiement de la pile"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let swarm = ctx.require::<SwarmClient>("le client Swarm")?.0.clone();
        let project = ctx.require::<ComposeProject>("le projet")?.clone();
        let fp = ctx
            .require::<StackFingerprint>("l'empreinte du fichier de pile")?
            .0
            .clone();
        let file = stack_path(&project.file);
        let stack = &project.name;
        let command = format!(
            "cd {} && docker stack deploy --resolve-image never -c {} {stack}",
            ctx.project
                .display(file.parent().unwrap_or(ctx.project.root())),
            crate::steps::stack_file::STACK_FILE
        );
        let before = swarm.services(stack)?;
        if up_to_date(&before, stack, &fp) {
            ctx.put(StackUnchanged);
            return Ok(StepReport::already_done(format!(
                "la pile « {stack} » déployée correspond au fichier de pile (empreinte {fp}) : rien n'a \
                 été redéployé"
            ))
            .command(command)
            .details(format!("Services : {}.", versions(&before))));
        }
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : déploierait la pile « {stack} » (prometheus, grafana, cadvisor) sans \
                 consulter de registre"
            ))
            .command(command));
        }
        let out = swarm.deploy(&file, stack).map_err(|e| {
            StepFailure::from(
                Error::failed(format!("le déploiement de la pile « {stack} » a échoué")).with_hint(
                    format!(
                        "{} ; vérifiez le fichier de pile (docker stack config -c {})",
                        e.message(),
                        crate::steps::stack_file::STACK_FILE
                    ),
                ),
            )
            .command(command.clone())
        })?;
        let after = swarm.services(stack)?;
        let verb = if before.is_empty() {
            "déployée"
        } else {
            "mise à jour"
        };
        Ok(StepReport::done(format!(
            "pile « {stack} » {verb} sans registre (--resolve-image never) : {} services",
            after.len()
        ))
        .command(command)
        .output(out.combined())
        .details(format!("Services : {}.", versions(&after))))
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::store::StepStatus;
    use crate::testing::StepContext;
    use crate::testing::swarm::FakeSwarm;

    fn run(fake: Rc<FakeSwarm>, root: &std::path::Path) -> (RunContext, StepReport) {
        let mut ctx = StepContext::new(root)
            .with(SwarmClient(fake))
            .with(StackFingerprint("abc".into()))
            .with(ComposeProject {
                name: "pile".into(),
                file: root.join("compose/docker-compose.yml"),
            })
            .build();
        let r = StackDeploy.run(&mut ctx).unwrap();
        (ctx, r)
    }

    #[test]
    fn deploys_once_then_nothing_when_the_fingerprint_matches() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Rc::new(FakeSwarm::three_nodes());
        let (_, r) = run(fake.clone(), dir.path());
        assert_eq!(r.status, StepStatus::Succeeded);
        assert_eq!(*fake.calls.borrow(), vec!["deploy pile".to_string()]);

        fake.deployed("pile", "abc");
        let (ctx, r) = run(fake.clone(), dir.path());
        assert_eq!(r.status, StepStatus::AlreadyDone);
        assert!(ctx.get::<StackUnchanged>().is_some());
        assert_eq!(fake.calls.borrow().len(), 1);

        fake.deployed("pile", "old");
        let (_, r) = run(fake.clone(), dir.path());
        assert!(r.summary.contains("mise à jour"), "{}", r.summary);
        assert_eq!(fake.calls.borrow().len(), 2);
    }
}
