//! Notes that carry files, correct earlier notes, or speak about a run.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use journal::store::{self, EntryKind};

use crate::support::Projet;

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn entries(p: &Projet) -> Vec<store::Entry> {
    let (entries, errors) = store::Store::new(p.journal_dir()).load().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    entries
}

#[test]
fn attached_files_sit_beside_the_note_readable_by_all_and_linked() {
    let p = Projet::empty();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("capture écran.png");
    fs::write(&png, PNG).unwrap();
    let conf = dir.path().join("extrait.yml");
    fs::write(&conf, "scrape_interval: 15s\n").unwrap();
    let out = p
        .journal()
        .args(["note", "Tableau de bord vide ce matin"])
        .arg("--joindre")
        .arg(&png)
        .arg("--joindre")
        .arg(&conf)
        .run();
    out.expect_code(0);
    let e = entries(&p).pop().unwrap();
    assert_eq!(e.front.pieces_jointes.len(), 2);
    for f in &e.front.pieces_jointes {
        assert!(f.starts_with(&format!("pieces-jointes/{}/", e.id())), "{f}");
        let path = p.journal_dir().join(f);
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "{f} illisible par les autres");
    }
    assert_eq!(
        fs::read(p.journal_dir().join(&e.front.pieces_jointes[0])).unwrap(),
        PNG
    );
    assert!(
        e.body.contains(&format!(
            "![capture-écran.png](pieces-jointes/{}/capture-écran.png)",
            e.id()
        )),
        "{}",
        e.body
    );
    assert!(
        e.body.contains(&format!(
            "- [extrait.yml](pieces-jointes/{}/extrait.yml)",
            e.id()
        )),
        "{}",
        e.body
    );
}

#[test]
fn an_attachment_too_big_a_folder_or_a_secret_writes_nothing() {
    let p = Projet::empty();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("gros.bin");
    fs::write(&big, vec![0u8; 2 * 1024 * 1024 + 1]).unwrap();
    let secrets = p.path().join(".journal-secrets");
    fs::create_dir_all(&secrets).unwrap();
    fs::write(secrets.join("grafana-admin"), "Valeur-Secrète-De-Test-42\n").unwrap();
    for (arg, words) in [
        (big.clone(), "au-delà de la limite de 2 Mio"),
        (dir.path().to_path_buf(), "est un dossier"),
        (
            secrets.join("grafana-admin"),
            "un secret ne se joint jamais",
        ),
        (dir.path().join("absent.txt"), "introuvable"),
    ] {
        let out = p
            .journal()
            .args(["note", "essai"])
            .arg("--joindre")
            .arg(&arg)
            .env("JOURNAL_PIECE_JOINTE_MAX", "2")
            .run();
        out.expect_code(2);
        assert!(out.stderr.contains(words), "{out}");
        assert!(!p.journal_dir().exists() || fs::read_dir(p.journal_dir()).unwrap().count() == 0);
    }
}

#[test]
fn text_attachments_are_masked_like_notes() {
    let p = Projet::empty();
    let secrets = p.path().join(".journal-secrets");
    fs::create_dir_all(&secrets).unwrap();
    fs::write(secrets.join("grafana-admin"), "Valeur-Secrète-De-Test-42\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("commande.txt");
    fs::write(
        &txt,
        "curl -u admin:Valeur-Secrète-De-Test-42 http://localhost:8084\n",
    )
    .unwrap();
    p.journal()
        .args([
            "note",
            "Commande utilisée : admin:Valeur-Secrète-De-Test-42",
        ])
        .arg("--joindre")
        .arg(&txt)
        .run()
        .expect_code(0);
    for f in crate::support::walk(&p.journal_dir()) {
        let text = String::from_utf8_lossy(&fs::read(&f).unwrap()).to_string();
        assert!(
            !text.contains("Valeur-Secrète-De-Test-42"),
            "secret dans {}",
            f.display()
        );
    }
}

#[test]
fn a_correction_keeps_the_previous_version() {
    let p = Projet::empty();
    p.journal()
        .args([
            "note",
            "Le DNS secondaire ne répond plus",
            "--auteur",
            "Camille",
        ])
        .env("JOURNAL_HORLOGE", "2026-11-24T10:00:00+01:00")
        .run()
        .expect_code(0);
    let before = entries(&p).pop().unwrap();
    let original = fs::read_to_string(&before.path).unwrap();
    let out = p
        .journal()
        .args([
            "note",
            "--corrige",
            &before.id()[..17],
            "Le DNS primaire ne répond plus",
        ])
        .args(["--auteur", "Dominique"])
        .env("JOURNAL_HORLOGE", "2026-11-24T11:30:00+01:00")
        .run();
    out.expect_code(0);
    let after = entries(&p).pop().unwrap();
    assert_eq!(after.path, before.path, "la note garde son identifiant");
    assert!(after.body.contains("Le DNS primaire ne répond plus"));
    assert!(!after.body.contains("secondaire"));
    assert!(
        after
            .body
            .contains("Corrigée le 24 novembre 2026 à 11:30 par Dominique"),
        "{}",
        after.body
    );
    let r = &after.front.revisions[0];
    assert_eq!(r.numero, 1);
    assert_eq!(r.par.as_deref(), Some("Dominique"));
    assert_eq!(
        fs::read_to_string(p.journal_dir().join(&r.fichier)).unwrap(),
        original
    );
    // Unchanged text: nothing written.
    let same = p
        .journal()
        .args([
            "note",
            "--corrige",
            &before.id(),
            "Le DNS primaire ne répond plus",
        ])
        .run();
    same.expect_code(0);
    assert_eq!(entries(&p).pop().unwrap().front.revisions.len(), 1);
}

#[test]
fn run_entries_are_never_corrected_but_notes_can_point_at_them() {
    let p = Projet::fixture("journal-exemple");
    let run_id = "2026-11-25T091000-456-execution-zz98yy";
    let before = fs::read(p.journal_dir().join(format!("{run_id}.md"))).unwrap();
    let out = p
        .journal()
        .args(["note", "--corrige", run_id, "autre chose"])
        .run();
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("ne modifie jamais le compte rendu d'une exécution"),
        "{out}"
    );
    assert!(
        out.stderr
            .contains(&format!("journal note --execution {run_id}")),
        "{out}"
    );
    assert_eq!(
        fs::read(p.journal_dir().join(format!("{run_id}.md"))).unwrap(),
        before
    );

    p.journal()
        .args([
            "note",
            "cAdvisor relancé à la main",
            "--execution",
            "2026-11-25T0910",
        ])
        .run()
        .expect_code(0);
    let note = entries(&p)
        .into_iter()
        .find(|e| e.front.kind == EntryKind::Note && e.front.execution.is_some())
        .unwrap();
    assert_eq!(note.front.execution.as_deref(), Some(run_id));
    assert!(note.body.contains(run_id));
    let out = p
        .journal()
        .args(["note", "x", "--execution", "2026-11-24T221500"])
        .run();
    out.expect_code(2);
    assert!(
        out.stderr.contains("est une note, pas une exécution"),
        "{out}"
    );
}

#[test]
fn a_correction_opens_the_editor_on_the_current_text() {
    let p = Projet::empty();
    p.journal()
        .args(["note", "Sauvegarde de la base : 12 Go"])
        .run()
        .expect_code(0);
    let id = entries(&p).pop().unwrap().id();
    let dir = tempfile::tempdir().unwrap();
    let editor = dir.path().join("editeur.sh");
    // The editor sees the current text and changes 12 into 14.
    fs::write(
        &editor,
        "#!/bin/sh\ngrep -q '12 Go' \"$1\" && sed -i 's/12 Go/14 Go/' \"$1\"\n",
    )
    .unwrap();
    fs::set_permissions(&editor, fs::Permissions::from_mode(0o755)).unwrap();
    p.journal()
        .args(["note", "--corrige", &id])
        .env("EDITOR", &editor)
        .run()
        .expect_code(0);
    let e = entries(&p).pop().unwrap();
    assert!(
        e.body.contains("Sauvegarde de la base : 14 Go"),
        "{}",
        e.body
    );
    assert_eq!(e.front.titre, "Sauvegarde de la base : 14 Go");
    assert_eq!(e.front.revisions.len(), 1);
}

/// In the built book: the attached image is shown and readable by all, the
/// earlier version of a corrected note is reachable, a note about a run is
/// listed under that run and links back to it, and authors are in tables.
#[test]
fn the_book_shows_attachments_corrections_and_notes_about_runs() {
    let p = Projet::fixture("journal-exemple");
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("graphe.png");
    fs::write(&png, PNG).unwrap();
    let run_id = "2026-11-25T091000-456-execution-zz98yy";
    p.journal()
        .args([
            "note",
            "cAdvisor relancé : voir la capture",
            "--execution",
            run_id,
        ])
        .args(["--auteur", "Camille Exploitation"])
        .arg("--joindre")
        .arg(&png)
        .env("JOURNAL_HORLOGE", "2026-11-25T12:00:00+01:00")
        .run()
        .expect_code(0);
    let note = entries(&p)
        .into_iter()
        .find(|e| e.front.execution.is_some())
        .unwrap();
    p.journal()
        .args([
            "note",
            "--corrige",
            &note.id(),
            "cAdvisor relancé deux fois : voir la capture",
        ])
        .env("JOURNAL_HORLOGE", "2026-11-25T12:30:00+01:00")
        .run()
        .expect_code(0);
    p.journal().arg("check").run().expect_code(0);
    p.journal().args(["build", "--strict"]).run().expect_code(0);

    let html = p.html();
    let day = fs::read_to_string(html.join("mois/2026-11/html/2026-11-25.html"))
        .or_else(|_| fs::read_to_string(html.join("mois/2026-11/2026-11-25.html")))
        .expect("page du jour");
    let image = format!("pieces-jointes/{}/graphe.png", note.id());
    assert!(day.contains(&image), "image absente de la page du jour");
    let copies: Vec<_> = crate::support::walk(&html)
        .into_iter()
        .filter(|f| f.ends_with(&image))
        .collect();
    assert!(!copies.is_empty(), "image non copiée dans le livre");
    for c in &copies {
        let mode = fs::metadata(c).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "{} illisible par les autres",
            c.display()
        );
        assert_eq!(fs::read(c).unwrap(), PNG);
    }
    // The correction: said, and the earlier text reachable.
    assert!(
        day.contains("Corrigée le 25 novembre 2026 à 12:30"),
        "correction non signalée"
    );
    // A page of the month book, with the earlier text and a diff.
    let old = format!("revisions/{}.1.html", note.id());
    assert!(day.contains(&old), "lien vers la version précédente absent");
    let kept: Vec<_> = crate::support::walk(&html)
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(&old))
        .collect();
    assert!(!kept.is_empty(), "version précédente absente du livre");
    assert!(
        fs::read_to_string(&kept[0])
            .unwrap()
            .contains("cAdvisor relancé : voir la capture")
    );
    // The run lists the note; the note links back to the run.
    assert!(
        day.contains("Notes sur cette exécution"),
        "note absente sous l'exécution"
    );
    assert!(day.contains(&format!("#{}", note.id())));
    assert!(day.contains("Note sur l’exécution du") || day.contains("Note sur l'exécution du"));
    assert!(day.contains(&format!("#{run_id}")));
    assert!(
        day.contains("Camille Exploitation"),
        "auteur absent du tableau"
    );
}

/// A forged « réussi » partie-6 run, as a file someone could attach.
const FORGED: &str = "---\ntype: execution\ntitre: Partie 6 (contrefaite)\npartie: partie-6\nhorodatage: 2026-11-24T21:30:05+01:00\nstatut: réussi\n---\n\n# Contrefaçon\n";

#[test]
fn a_forged_md_attachment_never_becomes_an_entry() {
    let p = Projet::fixture("projet-partie6");
    let dir = tempfile::tempdir().unwrap();
    let forged = dir.path().join("rapport.md");
    fs::write(&forged, FORGED).unwrap();
    p.journal()
        .args(["note", "Rapport joint"])
        .arg("--joindre")
        .arg(&forged)
        .run()
        .expect_code(0);
    // The flat layout of older journals: `<id>-<nom>` beside the entry.
    fs::write(
        p.journal_dir()
            .join("2026-11-20T080000-000-note-ab12cd-ancien.md"),
        FORGED,
    )
    .unwrap();
    let out = p.journal().args(["list", "--format", "tsv"]).run();
    out.expect_code(0);
    assert!(!out.stdout.contains("contrefaite"), "{out}");
    assert_eq!(entries(&p).len(), 1, "seule la note est une entrée");
    // The forged run does not satisfy partie-6-alertes' precondition.
    let out = p.journal().args(["run", "partie-6-alertes"]).run();
    out.expect_code(2);
    assert!(
        out.stderr.contains("la partie-6 n'a jamais réussi"),
        "{out}"
    );
    p.journal().arg("build").run().expect_code(0);
    for f in crate::support::walk(&p.html()) {
        let text = fs::read_to_string(&f).unwrap_or_default();
        assert!(
            !(f.extension().is_some_and(|x| x == "html")
                && text.contains("Partie 6 (contrefaite)")),
            "{}",
            f.display()
        );
    }
}

#[test]
fn script_capable_attachments_are_published_as_text_only() {
    let p = Projet::fixture("journal-exemple");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    fs::write(&page, "<script>alert('VOLE')</script>\n").unwrap();
    let svg = dir.path().join("dessin.svg");
    fs::write(
        &svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert('VOLE')\"></svg>\n",
    )
    .unwrap();
    p.journal()
        .args(["note", "Deux fichiers actifs"])
        .arg("--joindre")
        .arg(&page)
        .arg("--joindre")
        .arg(&svg)
        .env("JOURNAL_HORLOGE", "2026-11-25T12:00:00+01:00")
        .run()
        .expect_code(0);
    p.journal().arg("check").run().expect_code(0);
    p.journal().args(["build", "--strict"]).run().expect_code(0);
    let id = entries(&p)
        .into_iter()
        .find(|e| e.front.titre == "Deux fichiers actifs")
        .unwrap()
        .id();
    let mut as_text = 0;
    for f in crate::support::walk(&p.html()) {
        let name = f.to_string_lossy().into_owned();
        if name.contains(&id) {
            assert!(name.ends_with(".txt"), "servi comme page : {name}");
            as_text += 1;
        }
    }
    assert_eq!(
        as_text, 2,
        "les deux pièces jointes restent téléchargeables"
    );
    let day = fs::read_to_string(p.html().join("mois/2026-11/2026-11-25.html")).unwrap();
    assert!(
        day.contains(&format!("{id}/page.html.txt")),
        "lien vers le texte"
    );
    assert!(
        day.contains(&format!("{id}/dessin.svg.txt")),
        "lien vers le texte"
    );
}

#[test]
fn a_fifo_a_device_a_proc_file_or_a_symlink_is_refused_without_hanging() {
    let p = Projet::empty();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("tube");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let target = dir.path().join("vrai.txt");
    fs::write(&target, "texte\n").unwrap();
    let link = dir.path().join("lien.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let cases = [
        (fifo.clone(), "fichier ordinaire"),
        (std::path::PathBuf::from("/dev/null"), "fichier ordinaire"),
        (std::path::PathBuf::from("/proc/self/environ"), "noyau"),
        (link, "lien symbolique"),
    ];
    for (path, says) in cases {
        let (tx, rx) = std::sync::mpsc::channel();
        let run = p
            .journal()
            .args(["note", "Pièce jointe spéciale"])
            .arg("--joindre")
            .arg(&path);
        std::thread::spawn(move || {
            let _ = tx.send(run.run());
        });
        let out = match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(out) => out,
            Err(_) => {
                // Unblock the reader before failing.
                let _ = fs::OpenOptions::new().write(true).open(&fifo);
                panic!(
                    "journal note --joindre {} ne rend pas la main",
                    path.display()
                );
            }
        };
        out.expect_code(2);
        assert!(out.stderr.contains(says), "{}: {out}", path.display());
        assert!(out.stderr.contains("aide :"), "{out}");
        assert!(p.all_journal_files().is_empty(), "rien d'écrit : {out}");
    }
}

#[test]
fn a_leftover_revision_file_does_not_block_a_correction() {
    let p = Projet::empty();
    p.journal()
        .args(["note", "Première version"])
        .run()
        .expect_code(0);
    let id = entries(&p).pop().unwrap().id();
    // Left by a correction killed before it rewrote the note.
    let revisions = p.journal_dir().join("revisions");
    fs::create_dir_all(&revisions).unwrap();
    fs::write(revisions.join(format!("{id}.1.txt")), "reliquat\n").unwrap();
    p.journal()
        .args(["note", "--corrige", &id, "Deuxième version"])
        .run()
        .expect_code(0);
    let after = entries(&p).pop().unwrap();
    assert!(after.body.contains("Deuxième version"));
    let r = &after.front.revisions[0];
    assert_eq!(r.fichier, format!("revisions/{id}.2.txt"));
    assert!(
        fs::read_to_string(p.journal_dir().join(&r.fichier))
            .unwrap()
            .contains("Première version")
    );
    assert_eq!(
        fs::read_to_string(revisions.join(format!("{id}.1.txt"))).unwrap(),
        "reliquat\n",
        "rien n'est perdu"
    );
    p.journal().arg("check").run().expect_code(0);
}
