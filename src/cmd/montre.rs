//! `journal montre <ID>`: prints one entry, found by its id (the file stem
//! `journal list` prints) or an unambiguous prefix of it — rendered on a
//! terminal, as Markdown when piped, or as one JSON object (`--format
//! json|jsonl`, see `cmd::entry_json`). Terminal control sequences written
//! in the entry (colours, title changes, cursor moves, hyperlinks) are
//! removed from the text output first: an entry never drives the reader's
//! terminal (JSON escapes them). Reads only.

use super::Context;
use crate::cli::{ShowArgs, ShowFormat};
use crate::error::{Error, Result};
use crate::store::{Entry, Store};

/// Runs `journal montre`.
pub fn execute(ctx: &Context, args: ShowArgs) -> Result<()> {
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    let e = find(&entries, &args.id)?;
    match args.format {
        ShowFormat::Texte => ctx.out.markdown(&strip_controls(&e.body)),
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

/// `text` without terminal control sequences (ESC sequences: CSI, OSC, DCS…)
/// nor other control characters, tabs and newlines kept.
pub fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{1b}' => match chars.next() {
                // CSI: parameters, then one final byte.
                Some('[') => {
                    for n in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&n) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or ESC \.
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    while let Some(n) = chars.next() {
                        if n == '\u{7}' {
                            break;
                        }
                        if n == '\u{1b}' {
                            chars.next_if_eq(&'\\');
                            break;
                        }
                    }
                }
                _ => {}
            },
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_sequences_are_removed() {
        let text = "a\u{1b}[31mrouge\u{1b}[0m\u{1b}]0;titre\u{7}\u{1b}]8;;http://x\u{1b}\\lien\u{1b}]8;;\u{1b}\\\tfin\u{9b}2J\u{7}\n";
        assert_eq!(strip_controls(text), "arougelien\tfin2J\n");
    }
}
