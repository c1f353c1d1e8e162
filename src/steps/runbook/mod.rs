//! The steps of a project's runbook: each `journal:<sorte>` block of a
//! parsed runbook ([`crate::part_file`]) becomes one [`Step`], built on the
//! kit — a managed file, a shell command with its time limit and its
//! « déjà fait » check, PromQL, HTTP and targets expectations through the
//! kit's bounded wait. The block's prose is the step's explanation.
//!
//! The built-in kinds (`mot-de-passe-grafana`, `instantane`,
//! `exercice-alerte`, `integree`) are Rust steps ([`integree`]); the blocks
//! of a run are those of its target (`cibles=` of a block).
//!
//! Not executable in a project's runbook (refused before anything runs, with
//! their lines): `services` for another file than `compose/docker-compose.yml`
//! and `integree` (the steps of the built-in parts, which rely on their own
//! preflight).

/// The part of [`Step`] every block step shares: its id, title and
/// explanation come from its block ([`Meta`], field `meta`).
macro_rules! meta_identity {
    () => {
        fn id(&self) -> &'static str {
            self.meta.id
        }

        fn title(&self) -> &'static str {
            self.meta.title
        }

        fn explanation(&self) -> Option<String> {
            Some(self.meta.prose.clone())
        }
    };
}

mod command;
mod dashboard;
mod file;
mod http;
pub mod integree;
mod promql;
mod scrape_job;
mod services;
mod targets;

use std::rc::Rc;
use std::time::Duration;

use crate::adapters::grafana::GrafanaApi;
use crate::adapters::grafana_com::GrafanaCom;
use crate::adapters::http::{HttpChecker, HttpGet};
use crate::adapters::prometheus::{HttpPrometheus, PrometheusApi};
use crate::adapters::shell::{Shell, SystemShell};
use crate::error::Result;
use crate::part_file::{Block, Param, Runbook, Spec};
use crate::runbook::{RunContext, Step};

/// What the runbook steps reach the world through; the real adapters unless
/// a test put its fakes in the context's bag.
#[derive(Clone)]
pub struct Ports {
    /// The shell of the commands.
    pub shell: Rc<dyn Shell>,
    /// Prometheus (`None`: the real one, at `JOURNAL_PROMETHEUS_URL`).
    pub prometheus: Option<Rc<dyn PrometheusApi>>,
    /// The HTTP checks.
    pub http: Rc<dyn HttpGet>,
    /// Grafana (`None`: the real one, signed in as `admin`).
    pub grafana: Option<Rc<dyn GrafanaApi>>,
    /// grafana.com (`None`: the real one, at `JOURNAL_GRAFANA_COM_URL`).
    pub grafana_com: Option<Rc<dyn GrafanaCom>>,
    /// Time between two probes of a wait.
    pub poll: Duration,
}

impl Ports {
    /// Those of `ctx`: its bag's, else the real ones.
    pub fn of(ctx: &RunContext) -> Result<Ports> {
        if let Some(p) = ctx.get::<Ports>() {
            return Ok(p.clone());
        }
        Ok(Ports {
            shell: Rc::new(SystemShell),
            prometheus: None,
            http: Rc::new(HttpChecker::new(
                "le service",
                Duration::from_secs(3),
                Duration::from_secs(10),
            )?),
            grafana: None,
            grafana_com: None,
            poll: Duration::from_secs(1),
        })
    }

    /// Prometheus.
    pub fn prometheus(&self, ctx: &RunContext) -> Result<Rc<dyn PrometheusApi>> {
        match &self.prometheus {
            Some(p) => Ok(Rc::clone(p)),
            None => Ok(Rc::new(HttpPrometheus::new(&ctx.settings.prometheus_url)?)),
        }
    }
}

/// The scrape jobs of the built-in runbooks (`templates/parties/*.md`,
/// parameters at their defaults), as their parts' fragments of
/// `prometheus.yml`: partie-6 recognises its file completed by them.
pub fn builtin_fragments() -> Vec<crate::steps::kit::fragments::Fragment> {
    crate::templates::embedded_in("parties")
        .into_iter()
        .filter_map(|(_, text)| crate::part_file::parse(text).ok())
        .flat_map(|r| {
            let part: &'static str = Box::leak(r.id.clone().into_boxed_str());
            r.blocks
                .iter()
                .filter_map(|b| match &b.spec {
                    Spec::ScrapeJob { content, .. } => Some(scrape_job::fragment(
                        part,
                        &r.substitute(content, &|_| None),
                    )),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The scrape jobs of `project`'s runbooks (`parties/*.md` that parse,
/// parameters from the settings, else their defaults), as their parts'
/// fragments: partie-6 run again recognises its file completed by them.
/// Nothing when `parties/` is absent or unreadable (`journal check` says why).
pub fn project_fragments(
    project: &crate::project::Project,
) -> Vec<crate::steps::kit::fragments::Fragment> {
    let Ok(dir) = std::fs::read_dir(project.parts_dir()) else {
        return Vec::new();
    };
    let builtin: Vec<String> = crate::templates::embedded_in("parties")
        .into_iter()
        .filter_map(|(_, text)| crate::part_file::parse(text).ok().map(|r| r.id))
        .collect();
    let mut paths: Vec<std::path::PathBuf> = dir
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|text| crate::part_file::parse(&text).ok())
        .filter(|r| !builtin.contains(&r.id))
        .flat_map(|r| {
            let part: &'static str = Box::leak(r.id.clone().into_boxed_str());
            let value = |p: &Param| crate::settings::param(&p.name).map(|(v, _)| v);
            r.blocks
                .iter()
                .filter_map(|b| match &b.spec {
                    Spec::ScrapeJob { content, .. } => {
                        Some(scrape_job::fragment(part, &r.substitute(content, &value)))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What every runbook step knows of its block.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Step id (leaked once per run: the engine wants `'static`).
    pub id: &'static str,
    /// Step title.
    pub title: &'static str,
    /// The block's prose: the step's explanation.
    pub prose: String,
    /// Where the block is: `parties/x.md:12`.
    pub at: String,
}

/// Whether the engine can run `block` in a project's runbook.
pub fn executable(block: &Block) -> bool {
    match &block.spec {
        Spec::Services { file, .. } => file == crate::part_file::COMPOSE_YML,
        Spec::Builtin { .. } => false,
        _ => true,
    }
}

/// Where the runbook comes from: what its built-in steps may count on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A part built into `journal`: its own preflight prepares its steps.
    BuiltIn,
    /// A project's runbook: every block [`executable`].
    Project,
}

/// The steps of `runbook` (file shown as `shown`) for a run on `target`,
/// parameters replaced by `value` (else their defaults).
pub fn steps_for(
    runbook: &Runbook,
    shown: &str,
    target: &str,
    origin: Origin,
    value: &dyn Fn(&Param) -> Option<String>,
) -> Vec<Box<dyn Step>> {
    runbook
        .blocks
        .iter()
        .filter(|b| b.applies_to(target))
        .filter_map(|b| step_for(runbook, b, shown, origin, value))
        .collect()
}

/// The steps of built-in part `runbook` for a run with `settings`: its
/// target's blocks, parameters from the settings (else their defaults).
pub fn builtin_part_steps(
    runbook: &Runbook,
    shown: &str,
    settings: &crate::settings::Settings,
) -> Vec<Box<dyn Step>> {
    steps_for(
        runbook,
        shown,
        settings.target.as_str(),
        Origin::BuiltIn,
        &|p| crate::settings::param(&p.name).map(|(v, _)| v),
    )
}

fn step_for(
    runbook: &Runbook,
    b: &Block,
    shown: &str,
    origin: Origin,
    value: &dyn Fn(&Param) -> Option<String>,
) -> Option<Box<dyn Step>> {
    let sub = |s: &str| runbook.substitute(s, value);
    let meta = Meta {
        id: Box::leak(b.id.clone().into_boxed_str()),
        title: Box::leak(sub(&b.title).into_boxed_str()),
        prose: sub(&b.prose),
        at: format!("{shown}:{}", b.line),
    };
    if let Some(inner) = integree::of_spec(&b.spec) {
        let template = format!("etapes/{}/{}.md.j2", runbook.id, b.id);
        return Some(Box::new(integree::BuiltinStep {
            meta,
            inner,
            templated: crate::templates::embedded(&template).is_some(),
            connect: origin == Origin::Project,
        }));
    }
    Some(match &b.spec {
        Spec::File { path, content } => Box::new(file::FileStep {
            meta,
            path: sub(path),
            content: sub(content),
        }),
        Spec::Services { content, .. } => Box::new(services::ServicesStep {
            meta,
            content: sub(content),
        }),
        Spec::ScrapeJob { file, job, content } => Box::new(scrape_job::ScrapeJobStep {
            meta,
            part: Box::leak(runbook.id.clone().into_boxed_str()),
            file: sub(file),
            job: sub(job),
            content: sub(content),
        }),
        Spec::Dashboard {
            grafana_com,
            copy,
            source,
        } => Box::new(dashboard::DashboardStep {
            meta,
            grafana_com: *grafana_com,
            copy: copy.as_deref().map(sub),
            source: sub(source),
        }),
        Spec::Command {
            script,
            already_done,
            expected,
            code,
            timeout_secs,
        } => Box::new(command::CommandStep {
            meta,
            script: sub(script),
            already_done: already_done.as_deref().map(sub),
            expected: expected.as_deref().map(sub),
            code: *code,
            timeout: timeout_secs.map(Duration::from_secs),
        }),
        Spec::Promql {
            query,
            min,
            timeout_secs,
        } => Box::new(promql::PromqlStep {
            meta,
            query: sub(query),
            min: *min,
            timeout: timeout_secs.map(Duration::from_secs),
        }),
        Spec::Http {
            url,
            status,
            contains,
            timeout_secs,
        } => Box::new(http::HttpStep {
            meta,
            url: sub(url),
            status: *status,
            contains: contains.as_deref().map(sub),
            timeout: timeout_secs.map(Duration::from_secs),
        }),
        Spec::Targets { job, timeout_secs } => Box::new(targets::TargetsStep {
            meta,
            job: sub(job),
            timeout: timeout_secs.map(Duration::from_secs),
        }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
