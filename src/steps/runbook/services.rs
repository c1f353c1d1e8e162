//! `journal:services`: Compose services (and their named volumes and
//! network) added to `compose/docker-compose.yml` by the comment-preserving
//! editor of `compose_file` and written by the kit's `compose_edit` (diff,
//! validation by Compose beside the file, backup) — « déjà fait » when the
//! file already has them, a service that differs refused without `--force`.
//!
//! Only the project's main Compose file: a block with another `fichier` is
//! not executable yet (refused before the run by `executable`).

use std::rc::Rc;

use crate::adapters::compose::ComposeCli;
use crate::compose_file::{Additions, ServiceBlock, apply};
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::ComposeClient;
use crate::steps::kit::compose_edit::write_edit;

use super::Meta;

/// The step.
pub struct ServicesStep {
    /// Its block.
    pub meta: Meta,
    /// The block's YAML: `services:` and, optionally, `volumes:` and `networks:`.
    pub content: String,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// What the block adds: each service with its body as written (comments
/// kept, a comment line just above a service becomes its comment), the
/// named volumes, the first network.
pub fn additions(content: &str) -> Result<Additions, Error> {
    let value: serde_yaml::Value = serde_yaml::from_str(content)
        .map_err(|e| Error::usage(format!("le YAML du bloc ne se lit pas : {e}")))?;
    let keys = |section: &str| -> Vec<String> {
        value
            .get(section)
            .and_then(|v| v.as_mapping())
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let lines: Vec<&str> = content.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "services:")
        .ok_or_else(|| Error::usage("le bloc n'a pas de ligne « services: »"))?;
    let mut services: Vec<ServiceBlock> = Vec::new();
    let mut comment: Option<String> = None;
    let mut level: Option<usize> = None;
    for line in &lines[start + 1..] {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(s) = services.last_mut() {
                s.body.push('\n');
            }
            continue;
        }
        let ind = indent(line);
        if ind == 0 {
            break;
        }
        let lvl = *level.get_or_insert(ind);
        if ind == lvl {
            if let Some(c) = trimmed.strip_prefix('#') {
                comment = Some(c.trim().to_string());
            } else {
                services.push(ServiceBlock {
                    name: trimmed.trim_end_matches(':').to_string(),
                    comment: comment.take(),
                    body: String::new(),
                });
            }
        } else if let Some(s) = services.last_mut() {
            s.body.push_str(line);
            s.body.push('\n');
        }
    }
    for s in &mut services {
        let body_indent = s
            .body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(indent)
            .min()
            .unwrap_or(0);
        s.body = s
            .body
            .trim_end()
            .lines()
            .map(|l| l.get(body_indent..).unwrap_or("").to_string() + "\n")
            .collect();
    }
    Ok(Additions {
        services,
        volumes: keys("volumes"),
        network: keys("networks").into_iter().next().unwrap_or_default(),
    })
}

impl Step for ServicesStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let file = ctx.project.compose_file();
        let shown = ctx.project.display(&file);
        let add = additions(&self.content).map_err(|e| {
            Error::usage(format!("{} : {}", self.meta.at, e.message())).with_hint(
                "le bloc journal:services contient des services Compose sous « services: »",
            )
        })?;
        let names: Vec<&str> = add.services.iter().map(|s| s.name.as_str()).collect();
        let command = format!("$EDITOR {shown}   # ajouter {}", names.join(", "));
        let current = crate::store::read_optional(&file)?;
        let edit =
            apply(current.as_deref().unwrap_or(""), &add, ctx.settings.force).map_err(|e| {
                let e: Error = e.into();
                StepFailure::from(
                    Error::usage(format!("{shown} : {}", e.message()))
                        .with_hint(e.hint().unwrap_or("")),
                )
            })?;
        if !edit.changed {
            return Ok(StepReport::already_done(format!(
                "{shown} contient déjà {} ({})",
                names.join(", "),
                edit.summary_fr()
            ))
            .command(command));
        }
        if !ctx.dry_run() && ctx.get::<ComposeClient>().is_none() {
            let compose = ComposeCli::detect()?;
            ctx.put(ComposeClient(Rc::new(compose)));
        }
        write_edit(ctx, current.as_deref(), &edit, command)
    }
}
