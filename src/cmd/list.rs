//! `journal list`: the entries, newest first, with date, type, part, status,
//! title and id — as text for people, TSV for scripts (fields escaped, so a
//! tab in a title never breaks a column) or JSON (`json`, `jsonl`: every
//! front-matter field, see `cmd::entry_json`). Malformed entries are
//! reported (`file:line: reason`) and skipped.

use super::Context;
use crate::cli::{KindArg, ListArgs, ListFormat};
use crate::error::Result;
use crate::store::filter::{Filter, fold, parse_day, parse_status};
use crate::store::{Entry, EntryKind, Store, now};

/// One listed entry, as the text and TSV formats show it (JSON shows the
/// whole front matter: `cmd::entry_json`).
#[derive(Debug)]
struct Row {
    id: String,
    horodatage: String,
    auteur: Option<String>,
    kind: &'static str,
    partie: Option<String>,
    statut: &'static str,
    titre: String,
    etapes_reussies: Option<usize>,
    etapes: Option<usize>,
}

impl Row {
    fn of(e: &Entry) -> Self {
        let f = &e.front;
        let has_steps = !f.etapes.is_empty();
        Row {
            id: e.id(),
            horodatage: f.horodatage.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
            auteur: f.origine.auteur.clone(),
            kind: f.kind.label(),
            partie: f.partie.clone(),
            statut: f.statut.label(),
            titre: f.titre.clone(),
            etapes_reussies: has_steps.then(|| f.steps_ok()),
            etapes: has_steps.then_some(f.etapes.len()),
        }
    }

    fn text(&self) -> String {
        let steps = match (self.etapes_reussies, self.etapes) {
            (Some(ok), Some(n)) => format!(" ({ok}/{n} étapes réussies)"),
            _ => String::new(),
        };
        [
            self.horodatage.clone(),
            self.kind.to_string(),
            self.partie.clone().unwrap_or_else(|| "—".into()),
            self.statut.to_string(),
            format!("{}{steps}", one_line(&self.titre)),
            self.id.clone(),
        ]
        .join("\t")
    }

    fn tsv(&self) -> String {
        [
            self.horodatage.clone(),
            self.kind.to_string(),
            self.partie.clone().unwrap_or_default(),
            self.statut.to_string(),
            self.auteur.clone().unwrap_or_default(),
            self.titre.clone(),
            self.etapes_reussies
                .map(|n| n.to_string())
                .unwrap_or_default(),
            self.etapes.map(|n| n.to_string()).unwrap_or_default(),
            self.id.clone(),
        ]
        .iter()
        .map(|f| tsv_escape(f))
        .collect::<Vec<_>>()
        .join("\t")
    }
}

const TSV_HEADER: &str =
    "horodatage\ttype\tpartie\tstatut\tauteur\ttitre\tetapes_reussies\tetapes\tid";

/// A title on one line for people: tabs and line breaks become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// TSV escaping (as PostgreSQL's text format and `mlr --tsv`): backslash,
/// tab, newline and carriage return written `\\`, `\t`, `\n`, `\r`.
fn tsv_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// The command line's criteria, checked before anything is read.
fn filter(args: &ListArgs) -> Result<Filter> {
    let today = now().date_naive();
    let day =
        |v: &Option<String>, opt: &str| v.as_deref().map(|d| parse_day(d, opt, today)).transpose();
    Ok(Filter {
        partie: args.partie.clone(),
        depuis: day(&args.depuis, "--depuis")?,
        jusqua: day(&args.jusqua, "--jusqua")?,
        kind: args.kind.map(|k| match k {
            KindArg::Execution => EntryKind::Execution,
            KindArg::Note => EntryKind::Note,
        }),
        statut: args.statut.as_deref().map(parse_status).transpose()?,
        tag: args.tag.as_deref().map(fold),
        auteur: args.auteur.as_deref().map(fold),
        cherche: args
            .cherche
            .as_deref()
            .map(fold)
            .filter(|q| !q.trim().is_empty()),
    })
}

/// Runs `journal list`.
pub fn execute(ctx: &Context, args: ListArgs) -> Result<()> {
    let filter = filter(&args)?;
    if let (Some(a), Some(b)) = (filter.depuis, filter.jusqua)
        && a > b
    {
        ctx.out.warn(&format!(
            "--depuis ({a}) est postérieur à --jusqua ({b}) : aucune entrée ne peut correspondre"
        ));
    }
    let (entries, errors) = Store::new(ctx.project.journal_dir()).load()?;
    for e in &errors {
        ctx.out.warn(&format!("entrée ignorée : {e}"));
    }
    let rows: Vec<Row> = entries
        .iter()
        .rev()
        .filter(|e| filter.keeps(e))
        .take(args.nombre.unwrap_or(usize::MAX))
        .map(Row::of)
        .collect();
    if let ListFormat::Json | ListFormat::Jsonl = args.format {
        let values: Vec<_> = entries
            .iter()
            .rev()
            .filter(|e| filter.keeps(e))
            .take(args.nombre.unwrap_or(usize::MAX))
            .map(|e| super::entry_json::entry(&ctx.project, e, false))
            .collect();
        let text = super::entry_json::render(&values, args.format == ListFormat::Jsonl);
        if !text.is_empty() {
            ctx.out.result(&text);
        }
        return Ok(());
    }
    match args.format {
        ListFormat::Json | ListFormat::Jsonl => unreachable!("printed above"),
        ListFormat::Tsv => {
            ctx.out.result(TSV_HEADER);
            for r in &rows {
                ctx.out.result(&r.tsv());
            }
        }
        ListFormat::Texte => {
            if rows.is_empty() && entries.is_empty() {
                ctx.out.info("le journal est vide (aucune entrée)");
            } else if rows.is_empty() {
                ctx.out.info(&format!(
                    "aucune des {} entrées ne correspond aux critères",
                    entries.len()
                ));
            }
            for r in &rows {
                ctx.out.result(&r.text());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_fields_never_split_and_round_trip() {
        let title = "Panne\tDNS\nsuite \\ fin";
        let escaped = tsv_escape(title);
        assert!(!escaped.contains('\t') && !escaped.contains('\n'));
        assert_eq!(escaped, "Panne\\tDNS\\nsuite \\\\ fin");
    }

    #[test]
    fn text_lines_hold_one_title_on_one_line() {
        assert_eq!(one_line("a\tb\nc"), "a b c");
    }
}
