//! The step kind « a part adds its fragment to `prometheus.yml` »: the
//! tutorial's file (`prometheus.yml.j2`) assembled with the fragments of
//! the parts already applied (recognised in the current file) and with this
//! part's own, written as a managed file. A file journal wrote (the
//! tutorial's, completed or not by other parts) is completed without
//! `--force`; a file changed by hand needs it (backup kept).
//!
//! The part gives its fragment, the registry of every part's fragments (for
//! their order and to recognise them) and its French messages; the kit
//! knows no part.

use std::path::PathBuf;

use crate::error::Error;
use crate::runbook::{RunContext, StepFailure, StepReport};
use crate::steps::kit::fragments::{Fragment, assemble_config, combinations};
use crate::steps::kit::managed_file::ManagedFile;

/// What a part's step says and adds.
pub struct FragmentStep<'a> {
    /// `prometheus.yml`.
    pub path: PathBuf,
    /// This part's fragment.
    pub fragment: Fragment,
    /// Every part's fragment, in the order they go into the file.
    pub registered: Vec<Fragment>,
    /// What the command line shows it adds (`evaluation_interval, rule_files`).
    pub note: &'a str,
    /// The summary when the file already has the fragment (given the shown path).
    pub already: &'a dyn Fn(&str) -> String,
    /// The summary once written (shown path, shown backup if any).
    pub done: &'a dyn Fn(&str, Option<String>) -> String,
}

/// Runs the step; `true` with the report when the file was written.
pub fn apply_fragment(
    ctx: &RunContext,
    step: &FragmentStep,
) -> Result<(StepReport, bool), StepFailure> {
    let base = ctx.templates.render("prometheus.yml.j2", &ctx.settings)?;
    let current = crate::store::read_optional(&step.path)?;
    let others: Vec<Fragment> = step
        .registered
        .iter()
        .filter(|f| f.part != step.fragment.part)
        .cloned()
        .collect();
    let order = |set: &mut Vec<&Fragment>| {
        set.sort_by_key(|f| step.registered.iter().position(|r| r.part == f.part));
    };
    // The other parts' fragments the file already carries (none: the
    // tutorial's file), when journal wrote it.
    let sets = std::iter::once(Vec::new()).chain(combinations(&others));
    let mut present = None;
    for set in sets {
        let mut with_mine = set.clone();
        with_mine.push(&step.fragment);
        order(&mut with_mine);
        let same = |s: &[&Fragment]| current.is_some() && current == assemble_config(&base, s).ok();
        if same(&set) || same(&with_mine) {
            present = Some(with_mine);
            break;
        }
    }
    let written_by_journal = present.is_some();
    let set = present.unwrap_or_else(|| vec![&step.fragment]);
    let file = ManagedFile::read(ctx, step.path.clone(), assemble_config(&base, &set)?)?;
    let shown = &file.shown;
    serde_yaml::from_str::<serde_yaml::Value>(&file.wanted).map_err(|e| {
        Error::usage(format!(
            "{shown} complété ne serait pas un YAML valide : {e}"
        ))
    })?;
    let command = format!("$EDITOR {shown}   # {}", step.note);
    if file.is_current() {
        return Ok((
            StepReport::already_done((step.already)(shown)).command(command),
            false,
        ));
    }
    let diff = file.diff_block();
    if ctx.dry_run() {
        return Ok((
            StepReport::skipped(format!("simulation : compléterait {shown}")).details(diff),
            false,
        ));
    }
    if file.exists() && !written_by_journal && !ctx.settings.force {
        return Err(file.refusal().command(command));
    }
    let backup = file.write(ctx)?;
    Ok((
        StepReport::done((step.done)(shown, backup))
            .command(command)
            .details(diff),
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StepStatus;

    fn fragment(part: &'static str, job: &str) -> Fragment {
        Fragment {
            part,
            what: "un job",
            scrape_jobs: vec![format!("  - job_name: '{job}'\n")],
            ..Fragment::default()
        }
    }

    fn run(
        ctx: &mut RunContext,
        mine: Fragment,
        all: &[Fragment],
    ) -> Result<(StepReport, bool), StepFailure> {
        let step = FragmentStep {
            path: ctx
                .project
                .compose_dir()
                .join("config/prometheus/prometheus.yml"),
            fragment: mine,
            registered: all.to_vec(),
            note: "job",
            already: &|s| format!("{s} a déjà le job"),
            done: &|s, b| {
                format!(
                    "{s} complété{}",
                    b.map(|b| format!(" ; {b}")).unwrap_or_default()
                )
            },
        };
        apply_fragment(ctx, &step)
    }

    #[test]
    fn a_second_part_keeps_the_first_ones_fragment_and_a_hand_edit_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let (a, b) = (fragment("partie-a", "a"), fragment("partie-b", "b"));
        let all = [a.clone(), b.clone()];
        let (r, changed) = run(&mut ctx, b.clone(), &all).unwrap();
        assert!(changed && r.status == StepStatus::Succeeded);
        let (_, changed) = run(&mut ctx, a.clone(), &all).unwrap();
        assert!(changed);
        let path = ctx
            .project
            .compose_dir()
            .join("config/prometheus/prometheus.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        let (ia, ib) = (
            text.find("job_name: 'a'").unwrap(),
            text.find("job_name: 'b'").unwrap(),
        );
        assert!(ia < ib, "dans l'ordre du registre :\n{text}");
        let (r, changed) = run(&mut ctx, b.clone(), &all).unwrap();
        assert!(!changed && r.status == StepStatus::AlreadyDone);

        std::fs::write(&path, "global: {}\n").unwrap();
        let f = run(&mut ctx, a.clone(), &all).unwrap_err();
        assert!(f.error.hint().unwrap().contains("--force"));
        ctx.settings.force = true;
        let (r, _) = run(&mut ctx, a, &all).unwrap();
        assert!(r.summary.contains(".bak."), "{}", r.summary);
    }
}
