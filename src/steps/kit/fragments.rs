//! Parts contribute, they do not patch each other: `prometheus.yml` and the
//! `prometheus` Compose service are the tutorial's, assembled with the
//! [`Fragment`]s that each applied part declares — a line in `global:`,
//! scrape jobs, top-level blocks (`rule_files`, `alerting`), mounts in the
//! service. The part that owns the base file (partie-6) recognises any
//! assembly of the declared fragments as its own file completed, without
//! knowing the parts that declared them; a new part adds a scrape job by
//! declaring a fragment, without touching either.
//!
//! The assembly is text, like the tutorial's files: each fragment's lines
//! go at a fixed place, so the result is byte for byte what the parts wrote
//! before fragments existed.

use crate::compose_file::Additions;
use crate::error::{Error, Result};

/// What one part adds to Prometheus' configuration and service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fragment {
    /// The part that declares it (`partie-6-alertes`).
    pub part: &'static str,
    /// What it adds, for « complété par la <part> (<what>) ».
    pub what: &'static str,
    /// A line of `global:` (without its indentation), inserted after
    /// `scrape_interval:`, and how to name it in an error.
    pub global: Option<(String, &'static str)>,
    /// Scrape jobs (`  - job_name: …` blocks, indented as in
    /// `scrape_configs:`), appended to the tutorial's jobs.
    pub scrape_jobs: Vec<String>,
    /// Top-level blocks appended to the file, each after a blank line.
    pub blocks: Vec<String>,
    /// Mounts of the `prometheus` service, after its configuration file:
    /// (comment, volume).
    pub mounts: Vec<(String, String)>,
    /// How to name the mounts in an error.
    pub mounts_what: &'static str,
}

/// `base` (the tutorial's `prometheus.yml`) with `fragments` added, in order.
pub fn assemble_config(base: &str, fragments: &[&Fragment]) -> Result<String> {
    let mut out = String::new();
    let mut globals = fragments
        .iter()
        .filter_map(|f| f.global.as_ref())
        .peekable();
    let wants_global = globals.peek().is_some();
    let mut done = false;
    for line in base.split_inclusive('\n') {
        out.push_str(line);
        if !done && line.trim_start().starts_with("scrape_interval:") && line.starts_with("  ") {
            for (g, _) in globals.by_ref() {
                out.push_str(&format!("  {g}\n"));
            }
            done = true;
        }
    }
    if wants_global && !done {
        let what = fragments
            .iter()
            .find_map(|f| f.global.as_ref())
            .map_or("", |(_, w)| *w);
        return Err(Error::usage(format!(
            "le modèle prometheus.yml.j2 n'a pas de « scrape_interval » dans « global » : \
             impossible d'y ajouter {what}"
        ))
        .with_hint("revenez au modèle intégré (supprimez templates/prometheus.yml.j2)"));
    }
    if fragments.is_empty() {
        return Ok(out);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for f in fragments {
        for job in &f.scrape_jobs {
            out.push('\n');
            out.push_str(job);
        }
    }
    for f in fragments {
        for block in &f.blocks {
            out.push('\n');
            out.push_str(block);
        }
    }
    Ok(out)
}

/// The `prometheus` service's body with the fragments' mounts added after
/// its configuration file.
pub fn assemble_service(body: &str, fragments: &[&Fragment]) -> Result<String> {
    let mounts: Vec<&(String, String)> = fragments.iter().flat_map(|f| &f.mounts).collect();
    if mounts.is_empty() {
        return Ok(body.to_string());
    }
    let mut out = String::new();
    let mut done = false;
    for line in body.split_inclusive('\n') {
        out.push_str(line);
        if !done && line.contains(":/etc/prometheus/prometheus.yml") {
            let indent: String = line.chars().take_while(|c| *c == ' ').collect();
            for (comment, volume) in &mounts {
                out.push_str(&format!("{indent}# {comment}\n{indent}- {volume}\n"));
            }
            done = true;
        }
    }
    if !done {
        let what = fragments
            .iter()
            .find(|f| !f.mounts.is_empty())
            .map_or("", |f| f.mounts_what);
        return Err(Error::usage(format!(
            "le modèle compose/prometheus.yml.j2 ne monte pas /etc/prometheus/prometheus.yml : \
             impossible d'y ajouter {what}"
        ))
        .with_hint("revenez au modèle intégré (supprimez templates/compose/prometheus.yml.j2)"));
    }
    Ok(out)
}

/// `add` (the tutorial's Compose additions) with the `prometheus` service
/// completed by the fragments' mounts.
pub fn complete_service(mut add: Additions, fragments: &[&Fragment]) -> Result<Additions> {
    for s in add.services.iter_mut().filter(|s| s.name == "prometheus") {
        s.body = assemble_service(&s.body, fragments)?;
    }
    Ok(add)
}

/// The non-empty sets of `fragments` (in their order), smallest first: the
/// completions an owner of the base file accepts as its own.
pub fn combinations(fragments: &[Fragment]) -> Vec<Vec<&Fragment>> {
    let n = fragments.len().min(16);
    let mut sets: Vec<Vec<&Fragment>> = (1u32..(1 << n))
        .map(|mask| {
            fragments[..n]
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, f)| f)
                .collect()
        })
        .collect();
    sets.sort_by_key(Vec::len);
    sets
}

/// « la partie-6-alertes (règles et Alertmanager) », « la partie-a (x) et
/// la partie-b (y) »: who completed a file.
pub fn completed_by(set: &[&Fragment]) -> String {
    set.iter()
        .map(|f| format!("la {} ({})", f.part, f.what))
        .collect::<Vec<_>>()
        .join(" et ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "global:\n  scrape_interval: 15s\n\nscrape_configs:\n  - job_name: 'a'\n";

    fn job() -> Fragment {
        Fragment {
            part: "partie-hote",
            what: "métriques de l'hôte",
            scrape_jobs: vec!["  - job_name: 'node'\n".into()],
            ..Fragment::default()
        }
    }

    fn alerting() -> Fragment {
        Fragment {
            part: "partie-alertes",
            what: "règles",
            global: Some(("evaluation_interval: 15s".into(), "evaluation_interval")),
            blocks: vec!["rule_files:\n  - /r/*.yml\n".into()],
            mounts: vec![("Règles".into(), "./r:/r:ro".into())],
            mounts_what: "le dossier des règles",
            ..Fragment::default()
        }
    }

    #[test]
    fn jobs_follow_the_tutorial_jobs_and_blocks_come_last() {
        let (j, a) = (job(), alerting());
        let out = assemble_config(BASE, &[&a, &j]).unwrap();
        assert_eq!(
            out,
            "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n\nscrape_configs:\n  \
             - job_name: 'a'\n\n  - job_name: 'node'\n\nrule_files:\n  - /r/*.yml\n"
        );
        assert_eq!(assemble_config(BASE, &[]).unwrap(), BASE);
    }

    #[test]
    fn a_base_without_the_anchor_is_refused_naming_what_was_added() {
        let a = alerting();
        let e = assemble_config("scrape_configs: []\n", &[&a]).unwrap_err();
        assert!(
            e.message().contains("evaluation_interval"),
            "{}",
            e.message()
        );
        let e = assemble_service("image: x\n", &[&a]).unwrap_err();
        assert!(
            e.message().contains("le dossier des règles"),
            "{}",
            e.message()
        );
        let body = "volumes:\n  - ./p.yml:/etc/prometheus/prometheus.yml\n";
        assert_eq!(
            assemble_service(body, &[&a]).unwrap(),
            format!("{body}  # Règles\n  - ./r:/r:ro\n")
        );
    }

    #[test]
    fn every_completion_is_listed_smallest_first() {
        let all = [job(), alerting()];
        let sets = combinations(&all);
        assert_eq!(sets.len(), 3);
        assert_eq!(sets[2].len(), 2);
        assert_eq!(
            completed_by(&sets[2]),
            "la partie-hote (métriques de l'hôte) et la partie-alertes (règles)"
        );
    }
}
