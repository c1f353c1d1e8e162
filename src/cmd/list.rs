//! `journal list`: the entries, newest first, with type, part, date and
//! status. Malformed entries are reported (`file:line: reason`) and skipped.

use super::Context;
use crate::cli::ListArgs;
use crate::error::Result;
use crate::store::Store;

/// Runs `journal list`.
pub fn execute(ctx: &Context, args: ListArgs) -> Result<()> {
    let (entries, errors) = Store::new(ctx.project.journal_dir()).load()?;
    for e in &errors {
        ctx.out.warn(&format!("entrée ignorée : {e}"));
    }
    let rows: Vec<String> = entries
        .iter()
        .rev()
        .filter(|e| args.partie.is_none() || e.front.partie == args.partie)
        .map(|e| {
            let f = &e.front;
            let steps = if f.etapes.is_empty() {
                String::new()
            } else {
                format!(" ({}/{} étapes réussies)", f.steps_ok(), f.etapes.len())
            };
            format!(
                "{}\t{}\t{}\t{}\t{}{}\t{}",
                f.horodatage.format("%Y-%m-%d %H:%M:%S %:z"),
                f.kind.label(),
                f.partie.as_deref().unwrap_or("—"),
                f.statut.label(),
                f.titre,
                steps,
                e.id()
            )
        })
        .collect();
    if rows.is_empty() {
        ctx.out.info("le journal est vide (aucune entrée)");
    }
    for r in rows {
        ctx.out.result(&r);
    }
    Ok(())
}
