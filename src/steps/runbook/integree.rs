//! The built-in kinds of a runbook: `journal:mot-de-passe-grafana`,
//! `journal:instantane`, `journal:exercice-alerte` and `journal:integree`
//! (`etape: <nom>`), each an existing Rust step — the steps of the parts
//! built into `journal` (preflights, `prometheus.yml` assembled from the
//! parts' fragments, Compose services through the comment-preserving editor,
//! the Swarm deployment, the alerting chain…), which only Rust can do.
//!
//! The block gives the step its id and title (the Rust step's own in the
//! built-in runbooks, so entries stay the same); its explanation in the
//! journal is the step's template (`etapes/<partie>/<étape>.md.j2`, rendered
//! with the run's settings) when there is one, else the block's prose.
//!
//! In a project's runbook (no preflight of its own) the Compose project and
//! the Docker clients these steps need are connected first. This module
//! does not decide which parts exist (`crate::parts` does).

use std::rc::Rc;

use crate::adapters::compose::{Compose, ComposeCli};
use crate::part_file::Spec;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::{
    ComposeClient, ComposeProject, DockerClient, alertes, compose_services, compose_up,
    config_file, container_metrics, containers, documentation, grafana_dashboard,
    grafana_datasource, grafana_password, preflight, prometheus_targets, resource_snapshot,
    stack_deploy, stack_file, stack_services, swarm_preflight, swarm_targets,
};

use super::Meta;

/// The Rust step behind a `journal:integree` block's `etape` (the names of
/// `part_file::BUILTIN_STEPS`).
pub fn named(name: &str) -> Option<Box<dyn Step>> {
    Some(match name {
        "preflight" => Box::new(preflight::Preflight),
        "prometheus-config" => Box::new(config_file::PrometheusConfig),
        "compose-services" => Box::new(compose_services::ComposeServices),
        "compose-up" => Box::new(compose_up::ComposeUp),
        "containers" => Box::new(containers::Containers { overlap: true }),
        "prometheus-targets" => Box::new(prometheus_targets::PrometheusTargets),
        "container-metrics" => Box::new(container_metrics::ContainerMetrics),
        "grafana-datasource" => Box::new(grafana_datasource::GrafanaDatasource),
        "grafana-dashboard" => Box::new(grafana_dashboard::GrafanaDashboard),
        "documentation" => Box::new(documentation::Documentation),
        "swarm-preflight" => Box::new(swarm_preflight::SwarmPreflight),
        "stack-file" => Box::new(stack_file::StackFile),
        "stack-deploy" => Box::new(stack_deploy::StackDeploy),
        "stack-services" => Box::new(stack_services::StackServices),
        "swarm-targets" => Box::new(swarm_targets::SwarmTargets),
        "preflight-alertes" => Box::new(alertes::preflight::AlertesPreflight),
        "alert-rules" => Box::new(alertes::rules::AlertRules),
        "compose-alertmanager" => Box::new(alertes::compose::ComposeAlertmanager),
        "alertmanager-config" => Box::new(alertes::config::AlertmanagerConfig),
        "prometheus-alerting" => Box::new(alertes::config::PrometheusAlerting),
        "alertmanager-up" => Box::new(alertes::up::AlertmanagerUp),
        "alerting-check" => Box::new(alertes::verify::AlertingCheck),
        "grafana-alertmanager" => Box::new(alertes::grafana::GrafanaAlertmanager),
        "documentation-alertes" => Box::new(alertes::documentation::AlertesDocumentation),
        _ => return None,
    })
}

/// The Rust step of a built-in kind's block (`None` for the other kinds).
pub fn of_spec(spec: &Spec) -> Option<Box<dyn Step>> {
    match spec {
        Spec::GrafanaPassword => Some(Box::new(grafana_password::GrafanaPassword)),
        Spec::Snapshot => Some(Box::new(resource_snapshot::ResourceSnapshot)),
        Spec::AlertDrill => Some(Box::new(alertes::drill::AlertDrill)),
        Spec::Builtin { step } => named(step),
        _ => None,
    }
}

/// A Rust step as a runbook's block.
pub struct BuiltinStep {
    /// Its block.
    pub meta: Meta,
    /// The Rust step.
    pub inner: Box<dyn Step>,
    /// Its explanation template exists (`etapes/<partie>/<id>.md.j2`): the
    /// engine renders it instead of the prose.
    pub templated: bool,
    /// A project's runbook: connect Compose and Docker first if no
    /// preflight did.
    pub connect: bool,
}

impl Step for BuiltinStep {
    fn id(&self) -> &'static str {
        self.meta.id
    }

    fn title(&self) -> &'static str {
        self.meta.title
    }

    fn explanation(&self) -> Option<String> {
        (!self.templated).then(|| self.meta.prose.clone())
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        if self.connect && !ctx.dry_run() && ctx.get::<ComposeClient>().is_none() {
            connect(ctx)?;
        }
        self.inner.run(ctx)
    }
}

/// What the preflight of partie-6 leaves for the steps after it: the Docker
/// engine, Compose and the project's name.
fn connect(ctx: &mut RunContext) -> Result<(), StepFailure> {
    let (docker, _) = crate::steps::kit::engine::connect()?;
    let compose = ComposeCli::detect()?;
    let file = ctx.project.compose_file();
    let name = compose.project_name(&file)?;
    ctx.put(DockerClient(Rc::new(docker)));
    ctx.put(ComposeClient(Rc::new(compose)));
    ctx.put(ComposeProject { name, file });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_step_name_has_its_rust_step_with_the_same_id() {
        for (name, what) in crate::part_file::BUILTIN_STEPS {
            let step = named(name).unwrap_or_else(|| panic!("{name} sans étape Rust"));
            assert!(!what.is_empty());
            let id = step.id();
            assert!(
                id == *name || name.strip_suffix("-alertes") == Some(id),
                "{name} ≠ {id}"
            );
        }
        assert!(named("inconnue").is_none());
    }

    /// The built-in runbooks' blocks keep the ids, titles and explanation
    /// templates of the Rust steps, so their journal entries stay the same.
    #[test]
    fn built_in_runbook_blocks_are_the_rust_steps_as_they_were() {
        let mut seen = 0;
        for (name, text) in crate::templates::embedded_in("parties") {
            let runbook = crate::part_file::parse(text).unwrap();
            for b in &runbook.blocks {
                let Some(step) = of_spec(&b.spec) else {
                    continue;
                };
                seen += 1;
                assert_eq!(b.id, step.id(), "{name}:{}", b.line);
                assert_eq!(b.title, step.title(), "{name}:{}", b.line);
                let template = format!("etapes/{}/{}.md.j2", runbook.id, b.id);
                assert!(
                    crate::templates::embedded(&template).is_some(),
                    "{template} manque"
                );
            }
        }
        assert!(seen >= 28, "{seen}");
    }

    #[test]
    fn built_in_parts_have_their_steps_in_order_for_each_target() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let ids = |id: &str, settings: &crate::settings::Settings| -> Vec<&'static str> {
            let text = crate::templates::embedded(&format!("parties/{id}.md")).unwrap();
            let runbook = crate::part_file::parse(text).unwrap();
            super::super::builtin_part_steps(&runbook, "x.md", settings)
                .iter()
                .map(|s| s.id())
                .collect()
        };
        let end = [
            "container-metrics",
            "grafana-password",
            "grafana-datasource",
            "grafana-dashboard",
            "resource-snapshot",
            "documentation",
        ];
        let compose = [
            "preflight",
            "prometheus-config",
            "compose-services",
            "compose-up",
            "containers",
            "prometheus-targets",
        ];
        assert_eq!(
            ids("partie-6", &ctx.settings),
            [&compose[..], &end].concat()
        );
        let alertes = [
            "preflight-alertes",
            "alert-rules",
            "compose-alertmanager",
            "alertmanager-config",
            "prometheus-alerting",
            "alertmanager-up",
            "alerting-check",
            "alert-drill",
            "grafana-password",
            "grafana-alertmanager",
            "documentation",
        ];
        assert_eq!(ids("partie-6-alertes", &ctx.settings), alertes);
        ctx.settings.target = crate::settings::Target::Swarm;
        let swarm = [
            "swarm-preflight",
            "prometheus-config",
            "stack-file",
            "stack-deploy",
            "stack-services",
            "prometheus-targets",
            "swarm-targets",
        ];
        assert_eq!(ids("partie-6", &ctx.settings), [&swarm[..], &end].concat());
        // On a swarm, partie-6-alertes still has all its steps: its
        // preflight says « pas encore » (and the run is recorded).
        assert_eq!(ids("partie-6-alertes", &ctx.settings), alertes);
    }
}
