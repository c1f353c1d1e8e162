//! `journal note`: appends a manual entry. The text comes from the argument,
//! from standard input (`-`) or from `$EDITOR`. It never reads other entries.

use std::io::Read;

use serde_json::json;

use super::Context;
use crate::cli::NoteArgs;
use crate::error::{Error, Result};
use crate::store::{EntryKind, FrontMatter, Status, Store, now};
use crate::templates::Templates;

/// Runs `journal note`.
pub fn execute(ctx: &Context, args: NoteArgs) -> Result<()> {
    let text = match args.texte.as_deref() {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::usage(format!("lecture de l'entrée standard impossible : {e}")).with_hint(
                    "envoyez du texte UTF-8, par exemple : echo \"texte\" | journal note -",
                )
            })?;
            s
        }
        Some(t) => t.to_string(),
        None => from_editor()?,
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(Error::usage("la note est vide : rien n'a été écrit").with_hint(
            "donnez le texte en argument (journal note \"texte\"), par l'entrée standard (-) ou dans l'éditeur",
        ));
    }
    if let Some(p) = &args.partie {
        crate::runbook::parts::validate_part_name(p)?;
    }
    for t in &args.tags {
        if t.trim().is_empty() || t.contains(['\n', ',']) {
            return Err(Error::usage(format!("étiquette invalide « {t} »"))
                .with_hint("une étiquette est un mot sans virgule ni saut de ligne ; répétez --tag pour en donner plusieurs"));
        }
    }
    let titre = match args.titre {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        Some(_) => {
            return Err(Error::usage("le titre est vide")
                .with_hint("omettez --titre pour utiliser la première ligne du texte"));
        }
        None => first_line_title(&text),
    };
    let store = Store::new(ctx.project.journal_dir());
    store.ensure_writable()?;
    let front = FrontMatter {
        kind: EntryKind::Note,
        titre,
        partie: args.partie,
        horodatage: now(),
        statut: Status::Recorded,
        tags: args.tags,
        duree_ms: None,
        etapes: vec![],
    };
    let templates = Templates::new(Some(&ctx.project.templates_dir()));
    let body = render_body(&templates, &front, &text)?;
    let path = store.create(&front, &body)?;
    ctx.out.result(&path.display().to_string());
    Ok(())
}

/// The Markdown body of a note (template `entree-note.md.j2`).
pub fn render_body(templates: &Templates, front: &FrontMatter, text: &str) -> Result<String> {
    templates.render(
        "entree-note.md.j2",
        json!({
            "titre": front.titre,
            "partie": front.partie,
            "horodatage": front.horodatage.to_rfc3339(),
            "tags": front.tags,
            "texte": text,
        }),
    )
}

/// The first line of the text, without Markdown heading marks, at most 80 characters.
fn first_line_title(text: &str) -> String {
    let line = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('#')
        .trim();
    let mut t: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        t.push('…');
    }
    t
}

fn from_editor() -> Result<String> {
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let editor = set("VISUAL")
        .or_else(|| set("EDITOR"))
        .ok_or_else(|| {
            Error::usage("aucun texte donné et ni $VISUAL ni $EDITOR ne sont définis").with_hint(
                "donnez le texte en argument, utilisez « - » pour l'entrée standard, ou définissez EDITOR (par exemple EDITOR=nano)",
            )
        })?;
    let file = tempfile::Builder::new()
        .prefix("journal-note-")
        .suffix(".md")
        .tempfile()
        .map_err(|e| {
            Error::io(
                "création du fichier temporaire",
                std::path::Path::new("/tmp"),
                e,
            )
        })?;
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(file.path())
        .status()
        .map_err(|e| {
            Error::usage(format!("impossible de lancer l'éditeur « {editor} » : {e}"))
                .with_hint("vérifiez la variable EDITOR")
        })?;
    if !status.success() {
        return Err(Error::usage(format!(
            "l'éditeur « {editor} » a échoué ({status}) : rien n'a été écrit"
        )));
    }
    std::fs::read_to_string(file.path()).map_err(|e| Error::io("lecture de", file.path(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_first_line_without_heading_marks() {
        assert_eq!(first_line_title("# Panne DNS\nsuite"), "Panne DNS");
        assert_eq!(first_line_title(&"é".repeat(100)).chars().count(), 81);
    }

    #[test]
    fn note_entry_file_snapshot() {
        use crate::store::{EntryKind, FrontMatter, Status, entry};
        let front = FrontMatter {
            kind: EntryKind::Note,
            titre: "Redémarrage de Grafana".into(),
            partie: Some("partie-6".into()),
            horodatage: chrono::DateTime::parse_from_rfc3339("2026-11-24T22:15:00+01:00").unwrap(),
            statut: Status::Recorded,
            tags: vec!["grafana".into(), "maintenance".into()],
            duree_ms: None,
            etapes: vec![],
        };
        let body = render_body(
            &Templates::embedded_only(),
            &front,
            "Le tableau de bord s'affiche de nouveau.",
        )
        .unwrap();
        insta::assert_snapshot!("entree-note", entry::render(&front, &body));
    }
}
