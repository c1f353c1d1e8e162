//! `journal note`: appends a manual entry. The text comes from the argument,
//! from standard input (`-`) or from `$EDITOR`. Files may be attached
//! (`--joindre`, see [`attach`]), the note may be about a run (`--execution`),
//! and an earlier note may be corrected (`--corrige`, see [`correct`]). It
//! reads other entries only to find the one `--execution` or `--corrige` names.

mod attach;
mod correct;

use std::io::Read;

use serde_json::json;

use super::Context;
use crate::cli::NoteArgs;
use crate::error::{Error, Result};
use crate::store::{EntryKind, FrontMatter, Status, Store, now};

use crate::templates::Templates;
pub use attach::is_image;

/// Runs `journal note`.
pub fn execute(ctx: &Context, args: NoteArgs) -> Result<()> {
    if let Some(id) = args.corrige.clone() {
        return correct::execute(ctx, &id, args);
    }
    // Everything is checked before anything is written.
    let text = text_of(args.texte.as_deref(), "")?;
    check_fields(ctx, &args)?;
    let titre = title(args.titre.as_deref(), &text)?;
    register_known_secrets(&ctx.project);
    let text = mask_typed(ctx, &text, "la note");
    let titre = mask_typed(ctx, &titre, "le titre");
    let store = Store::new(ctx.project.journal_dir());
    let execution = match &args.execution {
        Some(id) => Some(run_entry(&store, id)?),
        None => None,
    };
    let files = attach::prepare(ctx, &args.joindre, crate::settings::attachment_max()?)?;
    store.ensure_writable()?;
    let front = FrontMatter {
        partie: args.partie,
        tags: args.tags,
        origine: super::origin(&ctx.project, args.auteur.clone(), false),
        execution,
        ..FrontMatter::new(EntryKind::Note, titre, now(), Status::Recorded)
    };
    let templates = Templates::new(Some(&ctx.project.templates_dir()));
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let bodies = |id: &str| {
        let mut front = front.clone();
        front.pieces_jointes = names
            .iter()
            .map(|n| format!("{}/{id}/{n}", crate::store::paths::ATTACHMENTS_DIR))
            .collect();
        let body = render_body(&templates, &front, &text)?;
        Ok((front, body))
    };
    let payload: Vec<(String, Vec<u8>)> = files.into_iter().map(|f| (f.name, f.bytes)).collect();
    let path = store.create_with(&front, bodies, &payload)?;
    ctx.out.result(&path.display().to_string());
    // A note of a part on the dashboards; a refusal is only a warning.
    super::annotate::annotate(ctx, &path, super::annotate::SignIn::KnownPassword);
    Ok(())
}

/// Registers the secrets the tool knows, so that a note, an attachment or a
/// correction quoting one is masked: the values kept in `.journal-secrets/`,
/// the Grafana password given by `JOURNAL_GRAFANA_PASSWORD` and the alert
/// webhook (`JOURNAL_ALERTES_WEBHOOK`).
pub(crate) fn register_known_secrets(project: &crate::project::Project) {
    crate::secrets::register_dir(&project.secrets_dir());
    for name in [
        crate::settings::GRAFANA_PASSWORD,
        crate::settings::ALERT_WEBHOOK,
    ] {
        if let Some(v) = crate::settings::var(name) {
            crate::secrets::register(&v);
        }
    }
}

/// `text` with the secrets people type masked (see
/// [`crate::secrets::mask_typed`]), and a warning naming what was masked in
/// `what` (« la note », « la pièce jointe x.txt »).
pub(crate) fn mask_typed(ctx: &Context, text: &str, what: &str) -> String {
    let (masked, found) = crate::secrets::mask_typed(text);
    if !found.is_empty() || masked != text {
        let names = if found.is_empty() {
            "valeur secrète connue".to_string()
        } else {
            found.join(", ")
        };
        ctx.out.warn(&format!(
            "secret masqué dans {what} ({names}) : il n'est pas écrit en clair. aide : révoquez-le s'il a été copié ailleurs, et gardez les secrets dans .journal-secrets/"
        ));
    }
    masked
}

/// The note's text from the argument, standard input (`-`) or the editor
/// (which starts from `initial`); never empty.
fn text_of(arg: Option<&str>, initial: &str) -> Result<String> {
    let text = match arg {
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
        None => from_editor(initial)?,
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(Error::usage("la note est vide : rien n'a été écrit").with_hint(
            "donnez le texte en argument (journal note \"texte\"), par l'entrée standard (-) ou dans l'éditeur",
        ));
    }
    Ok(text)
}

fn check_fields(ctx: &Context, args: &NoteArgs) -> Result<()> {
    if let Some(p) = &args.partie {
        // The project's runbooks count (an unreadable `parties/`: none).
        let mine: Vec<String> = crate::parts::project::scan(&ctx.project)
            .map(|s| s.parts.into_iter().map(|p| p.runbook.id).collect())
            .unwrap_or_default();
        crate::parts::validate_part_name(p, &mine)?;
    }
    for t in &args.tags {
        if t.trim().is_empty() || t.contains(['\n', ',']) {
            return Err(Error::usage(format!("étiquette invalide « {t} »"))
                .with_hint("une étiquette est un mot sans virgule ni saut de ligne ; répétez --tag pour en donner plusieurs"));
        }
    }
    Ok(())
}

fn title(arg: Option<&str>, text: &str) -> Result<String> {
    match arg {
        Some(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        Some(_) => Err(Error::usage("le titre est vide")
            .with_hint("omettez --titre pour utiliser la première ligne du texte")),
        None => Ok(first_line_title(text)),
    }
}

/// The id of the run entry `id` designates (`--execution`).
fn run_entry(store: &Store, id: &str) -> Result<String> {
    let (entries, _) = store.load()?;
    let e = super::montre::find(&entries, id)?;
    if e.front.kind != EntryKind::Execution {
        return Err(Error::usage(format!(
            "l'entrée « {} » est une note, pas une exécution",
            e.id()
        ))
        .with_hint(
            "--execution attend l'identifiant d'une exécution (journal list --type execution)",
        ));
    }
    Ok(e.id())
}

/// The Markdown body of a note (template `entree-note.md.j2`).
pub fn render_body(templates: &Templates, front: &FrontMatter, text: &str) -> Result<String> {
    let pieces: Vec<serde_json::Value> = front
        .pieces_jointes
        .iter()
        .map(|f| {
            json!({
                "fichier": f,
                "nom": attach::display_name(f),
                "image": attach::is_image(f),
            })
        })
        .collect();
    let revision = front.revisions.last().map(|r| {
        json!({
            "le": r.corrigee_le.to_rfc3339(),
            "par": r.par,
            "nombre": front.revisions.len(),
            "fichier": r.fichier,
        })
    });
    templates.render(
        "entree-note.md.j2",
        json!({
            "titre": front.titre,
            "partie": front.partie,
            "horodatage": front.horodatage.to_rfc3339(),
            "tags": front.tags,
            "origine": front.origine.line(),
            "execution": front.execution,
            "pieces": pieces,
            "revision": revision,
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

/// The text typed in `$VISUAL`/`$EDITOR`, starting from `initial`.
fn from_editor(initial: &str) -> Result<String> {
    let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let editor = set(std::env::var("VISUAL").ok())
        .or_else(|| set(std::env::var("EDITOR").ok()))
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
    std::fs::write(file.path(), initial).map_err(|e| Error::io("écriture de", file.path(), e))?;
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
            partie: Some("partie-6".into()),
            tags: vec!["grafana".into(), "maintenance".into()],
            ..FrontMatter::new(
                EntryKind::Note,
                "Redémarrage de Grafana",
                chrono::DateTime::parse_from_rfc3339("2026-11-24T22:15:00+01:00").unwrap(),
                Status::Recorded,
            )
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
