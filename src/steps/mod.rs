//! The steps of the parts, one file per step kind. Each step does its work
//! through the adapters and reports in French; none of them writes the journal
//! (the engine does).

pub mod alertes;
pub mod compat;
pub mod compose_services;
pub mod compose_up;
pub mod config_file;
pub mod container_metrics;
pub mod containers;
pub mod deployment;
pub mod documentation;
pub mod grafana_dashboard;
pub mod grafana_datasource;
pub mod grafana_password;
pub mod grafana_refusals;
pub mod kit;
pub mod preflight;
pub mod prometheus_targets;
pub mod resource_snapshot;
pub mod runbook;
pub mod stack_deploy;
pub mod stack_file;
pub mod stack_services;
pub mod swarm_preflight;
pub mod swarm_targets;
pub mod verify;

/// The compose services this part adds, in order.
pub const PART6_SERVICES: [&str; 3] = ["prometheus", "grafana", "cadvisor"];

/// The Compose project in use (name and file), stored by `preflight`.
#[derive(Debug, Clone)]
pub struct ComposeProject {
    /// The project name (`com.docker.compose.project` label).
    pub name: String,
    /// The compose file.
    pub file: std::path::PathBuf,
}

/// The Docker engine client, stored by `preflight`.
pub struct DockerClient(pub std::rc::Rc<dyn crate::adapters::docker::Containers>);

/// The Compose client, stored by `preflight`.
pub struct ComposeClient(pub std::rc::Rc<dyn crate::adapters::compose::Compose>);

/// Set by `prometheus-config` when it changed the file: a running Prometheus
/// must then be restarted to read it (the file is bind-mounted).
pub struct PrometheusConfigChanged;

/// Set by `compose-up` when the three containers were already running and
/// nothing was recreated: the checks that follow then report « déjà fait »
/// (the state they verify was established by an earlier run).
pub struct StackUnchanged;

/// What the known parts add to partie-6's Prometheus (configuration and
/// service): partie-6 accepts its files completed by any of them, without
/// knowing them — partie-6-alertes', the built-in runbooks' scrape jobs and
/// those of `project`'s runbooks (`parties/*.md`).
pub fn prometheus_fragments(project: &crate::project::Project) -> Vec<kit::fragments::Fragment> {
    let mut all = vec![alertes::prometheus_fragment()];
    all.extend(runbook::builtin_fragments());
    all.extend(runbook::project_fragments(project));
    all
}

/// The Swarm client, stored by `swarm-preflight`.
pub struct SwarmClient(pub std::rc::Rc<dyn crate::adapters::swarm::Swarm>);

/// The swarm's nodes as `swarm-preflight` found them.
pub struct SwarmNodes(pub Vec<crate::adapters::swarm::Node>);

/// Each Ready node with the `instance` label of its cAdvisor target, as
/// `swarm-targets` matched them: the per-node tables of the later steps
/// group Prometheus series by this label.
pub struct SwarmCadvisors(pub Vec<(crate::adapters::swarm::Node, String)>);

impl SwarmCadvisors {
    /// The node whose cAdvisor has the label `instance`.
    pub fn node(&self, instance: &str) -> Option<&crate::adapters::swarm::Node> {
        self.0.iter().find(|(_, i)| i == instance).map(|(n, _)| n)
    }
}
