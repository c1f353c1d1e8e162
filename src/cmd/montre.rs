//! `journal montre <ID>`: prints one entry, found by its id (the file stem
//! `journal list` prints) or an unambiguous prefix of it — rendered on a
//! terminal, as Markdown when piped, or as one JSON object (`--format
//! json|jsonl`, see `cmd::entry_json`). Reads only.

use super::Context;
use crate::cli::{ShowArgs, ShowFormat};
use crate::error::{Error, Result};
use crate::store::{Entry, Store};

/// Runs `journal montre`.
pub fn execute(ctx: &Context, args: ShowArgs) -> Result<()> {
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    let e = find(&entries, &args.id)?;
    match args.format {
        ShowFormat::Texte => ctx.out.markdown(&e.body),
        ShowFormat::Json => {
            let v = super::entry_json::entry(&ctx.project, e, true);
            ctx.out
                .result(&serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string()));
        }
        ShowFormat::Jsonl => {
            ctx.out
                .result(&super::entry_json::entry(&ctx.project, e, true).to_string());
        }
    }
    Ok(())
}

/// The entry whose id is `id`, or the only one starting with it.
pub fn find<'a>(entries: &'a [Entry], id: &str) -> Result<&'a Entry> {
    let id = id.trim().trim_end_matches(".md");
    if id.is_empty() {
        return Err(Error::usage("identifiant d'entrée vide")
            .with_hint("donnez l'identifiant que « journal list » affiche en dernière colonne"));
    }
    if let Some(e) = entries.iter().find(|e| e.id() == id) {
        return Ok(e);
    }
    let matches: Vec<&Entry> = entries.iter().filter(|e| e.id().starts_with(id)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::usage(format!("aucune entrée « {id} »")).with_hint(
            "« journal list » affiche l'identifiant de chaque entrée (dernière colonne) ; \
             un début d'identifiant suffit s'il est unique",
        )),
        many => {
            let list = many
                .iter()
                .rev()
                .take(10)
                .map(|e| format!("{} ({})", e.id(), e.front.titre))
                .collect::<Vec<_>>()
                .join(" ; ");
            let more = if many.len() > 10 {
                format!(" ; et {} autres", many.len() - 10)
            } else {
                String::new()
            };
            Err(Error::usage(format!(
                "« {id} » désigne {} entrées : {list}{more}",
                many.len()
            ))
            .with_hint("donnez un début d'identifiant plus long, ou l'identifiant entier"))
        }
    }
}
