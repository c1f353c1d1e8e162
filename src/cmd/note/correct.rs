//! `journal note --corrige <ID>`: a new version of a note's text, without
//! rewriting history. The previous version is kept whole in
//! `journal/revisions/<id>.<n>.txt` (never replaced), the note's front matter
//! lists its revisions, and its body says « corrigée le … par … ». Run
//! entries are records of what the tool did: they are never edited.

use super::{Context, NoteArgs, render_body, text_of};
use crate::error::{Error, Result};
use crate::store::{Entry, EntryKind, Revision, Store, now, write_atomic};
use crate::templates::Templates;

/// Where the annexes (attachments, run, revisions) start in a note's body.
pub const ANNEXES: &str = "<!-- annexes -->";

/// The text of a note as its author wrote it: the body without its heading,
/// its meta line and its annexes.
pub fn note_text(body: &str) -> String {
    let body = body.split(ANNEXES).next().unwrap_or(body);
    let mut lines = body.lines().peekable();
    while lines.peek().is_some_and(|l| {
        l.starts_with("# ") || l.trim().is_empty() || l.starts_with("*Note manuelle")
    }) {
        lines.next();
    }
    lines.collect::<Vec<_>>().join("\n").trim().to_string()
}

/// Runs `journal note --corrige <id>`.
pub fn execute(ctx: &Context, id: &str, args: NoteArgs) -> Result<()> {
    let store = Store::new(ctx.project.journal_dir());
    let (entries, _) = store.load()?;
    let e: &Entry = crate::cmd::montre::find(&entries, id)?;
    if e.front.kind == EntryKind::Execution {
        return Err(Error::usage(format!(
            "« {} » est une entrée d'exécution : journal ne modifie jamais le compte rendu d'une exécution",
            e.id()
        ))
        .with_hint(format!(
            "ajoutez une note rattachée à cette exécution : journal note --execution {} \"…\"",
            e.id()
        )));
    }
    let old_text = note_text(&e.body);
    let text = text_of(args.texte.as_deref(), &format!("{old_text}\n"))?;
    if text == old_text && args.titre.is_none() {
        ctx.out
            .info("texte inchangé : aucune correction n'a été enregistrée");
        return Ok(());
    }
    super::register_known_secrets(&ctx.project);
    let text = super::mask_typed(ctx, &text, "la note");
    let dir = ctx.project.journal_dir().join("revisions");
    std::fs::create_dir_all(&dir).map_err(|err| Error::io("création du dossier", &dir, err))?;
    let previous =
        std::fs::read(&e.path).map_err(|err| Error::io("lecture de l'entrée", &e.path, err))?;
    // A file left by an interrupted correction is kept: the next free
    // number is used.
    let mut number = e.front.revisions.len() as u32 + 1;
    let fichier = loop {
        let fichier = format!("revisions/{}.{number}.txt", e.id());
        let kept = ctx.project.journal_dir().join(&fichier);
        match write_atomic(&kept, &previous, false) {
            Ok(()) => break fichier,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && number < 10_000 => {
                number += 1;
            }
            Err(err) => {
                return Err(Error::io(
                    "conservation de la version précédente dans",
                    &kept,
                    err,
                ));
            }
        }
    };
    let mut front = e.front.clone();
    if let Some(t) = args
        .titre
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        front.titre = super::mask_typed(ctx, t, "le titre");
    } else if front.titre == super::first_line_title(&old_text) {
        // The title was the text's first line: it follows the text.
        front.titre = super::first_line_title(&text);
    }
    front.revisions.push(Revision {
        numero: e.front.revisions.len() as u32 + 1,
        corrigee_le: now(),
        par: crate::cmd::origin(&ctx.project, args.auteur.clone(), false).auteur,
        fichier,
    });
    let templates = Templates::new(Some(&ctx.project.templates_dir()));
    let body = render_body(&templates, &front, &text)?;
    store.update(&e.path, &front, &body)?;
    ctx.out.result(&e.path.display().to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_found_between_the_meta_line_and_the_annexes() {
        let body = "# Panne DNS\n\n*Note manuelle du 25 novembre 2026 à 10:00.*\n\nLe DNS secondaire\nne répondait plus.\n\n<!-- annexes -->\n\n**Pièces jointes :**\n";
        assert_eq!(note_text(body), "Le DNS secondaire\nne répondait plus.");
        assert_eq!(
            note_text("# T\n\n*Note manuelle.*\n\nTexte seul\n"),
            "Texte seul"
        );
    }
}
