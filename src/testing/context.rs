//! The run context of the steps' unit tests: a temporary project, the
//! default settings with short timeouts, and the values earlier steps would
//! have left in the context's bag.
//!
//! [`test_context`] is the plain context; [`StepContext`] builds one with
//! changed settings and stored values (`.with(value)`), which is also how a
//! fake adapter reaches a step that takes it from the context (e.g.
//! `.with(DockerClient(Rc::new(fake)))`): a fake's file may add a shorthand
//! method to [`StepContext`] in its own `impl` block.

use std::any::Any;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::output::Output;
use crate::project::Project;
use crate::runbook::RunContext;
use crate::settings::{
    AlertSettings, DEFAULT_ALERTMANAGER_IMAGE, DEFAULT_CADVISOR_IMAGE, DEFAULT_DASHBOARD_ID,
    DEFAULT_GRAFANA_IMAGE, DEFAULT_PROMETHEUS_IMAGE, Images, Settings,
};

/// The settings of a test run: default images and URLs, 1 s timeouts, no
/// `--force`, no `--dry-run`.
pub(crate) fn test_settings() -> Settings {
    Settings {
        images: Images {
            prometheus: DEFAULT_PROMETHEUS_IMAGE.into(),
            grafana: DEFAULT_GRAFANA_IMAGE.into(),
            cadvisor: DEFAULT_CADVISOR_IMAGE.into(),
            alertmanager: DEFAULT_ALERTMANAGER_IMAGE.into(),
        },
        prometheus_url: "http://localhost:9090".into(),
        grafana_url: "http://localhost:8084".into(),
        ports: Default::default(),
        grafana_com_url: "https://grafana.com".into(),
        dashboard_id: DEFAULT_DASHBOARD_ID,
        targets_timeout: Duration::from_secs(1),
        ready_timeout: Duration::from_secs(1),
        restart_sample_gap: Duration::from_secs(0),
        grafana_password: None,
        grafana_password_file: None,
        force: false,
        dry_run: false,
        strict: false,
        reset_grafana_password: false,
        target: Default::default(),
        alerts: AlertSettings {
            alertmanager_url: "http://localhost:9093".into(),
            email: None,
            smtp: None,
            webhook: None,
            has_webhook: false,
            cpu_threshold: "0.8".into(),
            drill_timeout: Duration::from_secs(1),
            drill: false,
        },
    }
}

/// A run context on the temporary project `root`, with [`test_settings`]
/// and nothing stored.
pub(crate) fn test_context(root: &Path) -> RunContext {
    StepContext::new(root).build()
}

/// Puts one value in a context being built.
type Store = Box<dyn FnOnce(&mut RunContext)>;

/// A run context under construction: settings to change, values to store.
pub(crate) struct StepContext {
    root: PathBuf,
    settings: Settings,
    stored: Vec<Store>,
}

impl StepContext {
    /// A context on the temporary project `root`, with [`test_settings`].
    pub(crate) fn new(root: &Path) -> Self {
        StepContext {
            root: root.to_path_buf(),
            settings: test_settings(),
            stored: Vec::new(),
        }
    }

    /// Changes the settings (`s.dry_run = true`, `s.force = true`…).
    #[allow(dead_code)]
    pub(crate) fn settings(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        change(&mut self.settings);
        self
    }

    /// Stores `value` in the context, as an earlier step would have.
    pub(crate) fn with<T: Any>(mut self, value: T) -> Self {
        self.stored.push(Box::new(move |ctx| ctx.put(value)));
        self
    }

    /// The context.
    pub(crate) fn build(self) -> RunContext {
        let project = Project::open(Some(&self.root)).expect("temporary project");
        let mut ctx = RunContext::new(project, self.settings, Output::plain());
        for store in self.stored {
            store(&mut ctx);
        }
        ctx
    }
}
