//! `journal:collecte`: a scrape job added to `prometheus.yml` as this
//! part's fragment, through the kit's `prometheus_config` step kind — the
//! tutorial's file with the fragments of the parts already applied, « déjà
//! fait » when the job is there, a file changed by hand replaced only with
//! `--force`. Prometheus still has to read it again: the runbook says how
//! (a `journal:commande` block that restarts it, for instance).
//!
//! The built-in runbooks' jobs and the project's are registered fragments
//! (`steps::prometheus_fragments`): partie-6 run again recognises its file
//! completed by them.

use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::fragments::Fragment;
use crate::steps::kit::prometheus_config::{FragmentStep, apply_fragment};

use super::Meta;

/// The step.
pub struct ScrapeJobStep {
    /// Its block.
    pub meta: Meta,
    /// The part (its id), whose fragment this is.
    pub part: &'static str,
    /// `prometheus.yml`, from the project's root.
    pub file: String,
    /// The job's name.
    pub job: String,
    /// The scrape config as written in the block.
    pub content: String,
}

/// The block's scrape config as an item of `scrape_configs:` (`  - job_name: …`).
pub fn as_item(content: &str) -> String {
    let lines: Vec<&str> = content.lines().collect();
    let common = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.get(common..).unwrap_or(""))
        .collect();
    let listed = lines
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.starts_with("- "));
    let mut out = String::new();
    let mut first = true;
    for l in lines {
        if l.trim().is_empty() {
            continue;
        }
        let l = if listed {
            l.to_string()
        } else if first {
            format!("- {l}")
        } else {
            format!("  {l}")
        };
        first = false;
        out.push_str("  ");
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// The fragment of `prometheus.yml` of part `part` for scrape config `content`.
pub fn fragment(part: &'static str, content: &str) -> Fragment {
    Fragment {
        part,
        what: "job de collecte",
        scrape_jobs: vec![as_item(content)],
        ..Fragment::default()
    }
}

impl Step for ScrapeJobStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let fragment = fragment(self.part, &self.content);
        // Every known part's fragment; a built-in runbook's is there already.
        let mut registered = crate::steps::prometheus_fragments(&ctx.project);
        registered.retain(|f| f.part != self.part);
        registered.push(fragment.clone());
        let job = self.job.clone();
        let note = format!("job de collecte « {job} »");
        let step = FragmentStep {
            path: ctx.project.root().join(&self.file),
            fragment,
            registered,
            note: &note,
            already: &|shown| format!("{shown} a déjà le job de collecte « {job} »"),
            done: &|shown, backup| {
                format!(
                    "{shown} complété : job de collecte « {job} »{}",
                    backup
                        .map(|b| format!(" ; ancienne version : {b}"))
                        .unwrap_or_default()
                )
            },
        };
        apply_fragment(ctx, &step).map(|(report, _)| report)
    }
}
