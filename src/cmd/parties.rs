//! `journal parties`: every part `journal run` knows — built-in ones, then
//! the runbooks of the project's `parties/` folder — with its title, origin,
//! requirements and last run (date and status, from the journal).
//!
//! It reads runbooks, never runs them. A runbook that does not parse is
//! reported (`fichier:ligne`) and left out; a project part that takes a
//! built-in id or another file's id is refused (exit 2).

use chrono::{DateTime, FixedOffset};

use super::Context;
use crate::error::{Error, Result};
use crate::parts::project::{self, Scan};
use crate::store::{EntryKind, Status, Store};

/// One listed part.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// Its id.
    pub id: String,
    /// Its French title.
    pub title: String,
    /// « intégrée » or its file (`parties/x.md`).
    pub origin: String,
    /// The parts it requires.
    pub requires: Vec<String>,
    /// When it last ran, and how it ended.
    pub last: Option<(DateTime<FixedOffset>, Status)>,
}

/// Runs `journal parties`.
pub fn execute(ctx: &Context) -> Result<()> {
    let scan = project::scan(&ctx.project)?;
    let builtin = crate::parts::builtin_ids();
    let problems = scan.problems(&builtin);
    if let Some((file, p)) = problems
        .iter()
        .find(|(_, p)| p.message.starts_with("l'id « "))
    {
        return Err(Error::usage(format!("{file}:{}: {}", p.line, p.message)).with_hint(&p.hint));
    }
    for (file, p) in &problems {
        ctx.out.warn(&format!(
            "{file}:{}: {} (partie ignorée ; « journal check » les liste toutes)",
            p.line, p.message
        ));
    }
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    let runs: Vec<(String, DateTime<FixedOffset>, Status)> = entries
        .iter()
        .filter(|e| e.front.kind == EntryKind::Execution)
        .filter_map(|e| {
            let part = e.front.partie.clone()?;
            Some((part, e.front.horodatage, e.front.statut))
        })
        .collect();
    let rows = listed(&scan, &runs);
    let (header, cells) = table(&rows);
    for line in crate::output::format_table(&header, &cells) {
        ctx.out.result(&line);
    }
    Ok(())
}

/// Built-in parts, then the project's valid ones, each with its last run
/// among `runs` (part id, start, status).
pub fn listed(scan: &Scan, runs: &[(String, DateTime<FixedOffset>, Status)]) -> Vec<Listed> {
    let last = |id: &str| {
        runs.iter()
            .filter(|(p, _, _)| p == id)
            .max_by_key(|(_, t, _)| *t)
            .map(|(_, t, s)| (*t, *s))
    };
    let builtin = crate::parts::known().iter().map(|p| Listed {
        id: p.id.to_string(),
        title: p.title.to_string(),
        origin: "intégrée".into(),
        requires: p.requires.iter().map(|r| r.to_string()).collect(),
        last: last(p.id),
    });
    let runbooks = crate::parts::builtin_runbooks()
        .into_iter()
        .map(|p| Listed {
            last: last(&p.runbook.id),
            id: p.runbook.id,
            title: p.runbook.title,
            origin: "intégrée (runbook)".into(),
            requires: p.runbook.requires,
        });
    let mine = scan.parts.iter().map(|p| Listed {
        id: p.runbook.id.clone(),
        title: p.runbook.title.clone(),
        origin: p.shown.clone(),
        requires: p.runbook.requires.clone(),
        last: last(&p.runbook.id),
    });
    builtin.chain(runbooks).chain(mine).collect()
}

/// The table's header and cells.
pub fn table(rows: &[Listed]) -> ([&'static str; 6], Vec<Vec<String>>) {
    let cells = rows
        .iter()
        .map(|r| {
            let (when, status) = match &r.last {
                Some((t, s)) => (crate::french::date_time(t), s.label().to_string()),
                None => ("jamais".into(), "—".into()),
            };
            vec![
                r.id.clone(),
                r.title.clone(),
                r.origin.clone(),
                if r.requires.is_empty() {
                    "—".into()
                } else {
                    r.requires.join(", ")
                },
                when,
                status,
            ]
        })
        .collect();
    (
        [
            "id",
            "titre",
            "origine",
            "requiert",
            "dernière exécution",
            "statut",
        ],
        cells,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::part_file::parse;
    use crate::parts::project::ProjectPart;

    #[test]
    fn parties_lists_built_in_then_project_parts_with_their_last_run() {
        let runbook = parse(
            "---\nid: partie-7-traefik\ntitre: Traefik devant la pile\nrequiert: [partie-6]\n---\n",
        )
        .unwrap();
        let scan = Scan {
            parts: vec![ProjectPart {
                path: "parties/traefik.md".into(),
                shown: "parties/traefik.md".into(),
                runbook,
            }],
            invalid: Vec::new(),
        };
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let runs = vec![
            (
                "partie-6".to_string(),
                t("2026-11-24T09:10:00+01:00"),
                Status::Failed,
            ),
            (
                "partie-6".to_string(),
                t("2026-11-25T09:10:00+01:00"),
                Status::Succeeded,
            ),
            (
                "partie-7-traefik".to_string(),
                t("2026-11-26T14:02:00+01:00"),
                Status::Succeeded,
            ),
        ];
        let rows = listed(&scan, &runs);
        let (header, cells) = table(&rows);
        let text = crate::output::format_table(&header, &cells).join("\n");
        insta::assert_snapshot!(text);
    }
}
