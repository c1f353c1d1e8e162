//! `journal note` and `journal list`: concurrent writers, front matter
//! fields, bad input (French message, `aide :` hint, exit 2, nothing
//! written), and `journal run` with an unknown part.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;

use journal::store::{EntryKind, Status, Store};

use crate::support::{Projet, is_root};

#[test]
fn fifty_concurrent_notes_give_fifty_distinct_entries() {
    let p = Projet::empty();
    // Same clock for all: names only differ by their random suffix.
    let children: Vec<_> = (0..50)
        .map(|i| {
            p.journal()
                .args(["note", &format!("Note concurrente numéro {i}")])
                .env("JOURNAL_HORLOGE", "2026-11-24T21:30:05+01:00")
                .spawn()
        })
        .collect();
    let outs: Vec<_> = children.into_iter().map(|c| c.wait()).collect();
    for o in &outs {
        o.expect_code(0);
    }
    let printed: HashSet<&str> = outs.iter().map(|o| o.stdout.trim()).collect();
    assert_eq!(printed.len(), 50, "50 chemins distincts attendus");
    let (entries, errors) = Store::new(p.journal_dir()).load().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(entries.len(), 50);
    let texts: HashSet<&str> = entries.iter().map(|e| e.body.as_str()).collect();
    assert_eq!(texts.len(), 50);
    for i in 0..50 {
        let needle = format!("Note concurrente numéro {i}\n");
        assert!(
            entries.iter().any(|e| e.body.ends_with(&needle)),
            "note {i} absente"
        );
    }
    // No temporary file left behind.
    assert_eq!(
        p.all_journal_files().len(),
        50,
        "{:?}",
        p.all_journal_files()
    );
}

#[test]
fn note_prints_its_path_and_records_title_tags_and_part() {
    let p = Projet::empty();
    let out = p
        .journal()
        .args([
            "note",
            "Redémarrage de Grafana après mise à jour.",
            "--titre",
            "Redémarrage de Grafana",
            "--tag",
            "grafana",
            "--tag",
            "maintenance",
            "--partie",
            "partie-6",
        ])
        .env("JOURNAL_HORLOGE", "2026-11-24T22:15:00+01:00")
        .run();
    out.expect_code(0);
    let path = std::path::PathBuf::from(out.stdout.trim());
    assert!(path.is_file(), "{out}");
    assert_eq!(path.parent().unwrap(), p.journal_dir());
    let e = journal::store::read(&path).unwrap();
    assert_eq!(e.front.kind, EntryKind::Note);
    assert_eq!(e.front.titre, "Redémarrage de Grafana");
    assert_eq!(
        e.front.tags,
        vec!["grafana".to_string(), "maintenance".to_string()]
    );
    assert_eq!(e.front.partie.as_deref(), Some("partie-6"));
    assert_eq!(e.front.statut, Status::Recorded);
    assert_eq!(e.front.horodatage.to_rfc3339(), "2026-11-24T22:15:00+01:00");
    assert!(e.body.contains("Redémarrage de Grafana après mise à jour."));
}

#[test]
fn note_from_stdin() {
    let p = Projet::empty();
    let out = p
        .journal()
        .args(["note", "-"])
        .stdin("Sauvegarde vérifiée\nDétails.\n")
        .run();
    out.expect_code(0);
    let (entries, _) = Store::new(p.journal_dir()).load().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].front.titre, "Sauvegarde vérifiée");
}

#[test]
fn note_from_the_editor() {
    let p = Projet::empty();
    // An "editor" that writes the note into the file it is given.
    let editor = p.path().join("editeur.sh");
    fs::write(
        &editor,
        "#!/bin/sh\nprintf 'Rotation des journaux\\nFaite à la main.\\n' > \"$1\"\n",
    )
    .unwrap();
    fs::set_permissions(&editor, fs::Permissions::from_mode(0o755)).unwrap();
    let out = p
        .journal()
        .args(["note", "--tag", "maintenance"])
        .env("VISUAL", "")
        .env("EDITOR", &editor)
        .run();
    out.expect_code(0);
    let (entries, _) = Store::new(p.journal_dir()).load().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].front.titre, "Rotation des journaux");
    assert!(entries[0].body.contains("Faite à la main."));

    // An editor that leaves the file empty: nothing is written.
    let out = p
        .journal()
        .args(["note"])
        .env("VISUAL", "")
        .env("EDITOR", "true")
        .run();
    out.expect_code(2);
    assert_eq!(Store::new(p.journal_dir()).load().unwrap().0.len(), 1);
}

#[test]
fn list_shows_newest_first() {
    let p = Projet::empty();
    for (t, clock) in [
        ("Première", "2026-11-24T08:00:00+01:00"),
        ("Troisième", "2026-11-26T08:00:00+01:00"),
        ("Deuxième", "2026-11-25T08:00:00+01:00"),
    ] {
        p.journal()
            .args(["note", t])
            .env("JOURNAL_HORLOGE", clock)
            .run()
            .expect_code(0);
    }
    let out = p.journal().arg("list").run();
    out.expect_code(0);
    let order: Vec<&str> = ["Troisième", "Deuxième", "Première"]
        .into_iter()
        .filter(|t| out.stdout.contains(t))
        .collect();
    assert_eq!(order.len(), 3, "{out}");
    let pos: Vec<usize> = order.iter().map(|t| out.stdout.find(t).unwrap()).collect();
    assert!(pos[0] < pos[1] && pos[1] < pos[2], "{out}");
}

/// Asserts a French usage error: exit 2, `erreur :` and `aide :` on stderr,
/// nothing on stdout.
fn assert_usage_error(out: &crate::support::Outcome, words: &str) {
    out.expect_code(2);
    assert!(out.stderr.contains("erreur :"), "{out}");
    assert!(out.stderr.contains(words), "« {words} » attendu\n{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    assert!(out.stdout.trim().is_empty(), "{out}");
}

#[test]
fn empty_note_is_refused() {
    let p = Projet::empty();
    assert_usage_error(&p.journal().args(["note", ""]).run(), "vide");
    assert_usage_error(&p.journal().args(["note", "   \n"]).run(), "vide");
    assert_usage_error(&p.journal().args(["note", "-"]).stdin("").run(), "vide");
    assert!(
        p.all_journal_files().is_empty(),
        "{:?}",
        p.all_journal_files()
    );
}

#[test]
fn missing_project_folder_is_refused() {
    let p = Projet::empty();
    let absent = p.path().join("absent");
    let out = crate::support::Run::new()
        .arg("--projet")
        .arg(&absent)
        .args(["note", "x"])
        .run();
    assert_usage_error(&out, "n'existe pas");
    assert!(!absent.exists());
}

#[test]
fn unwritable_journal_is_refused() {
    // Root ignores file modes (CAP_DAC_OVERRIDE): when the tests run as root,
    // the binary runs as `nobody` (65534) so that chmod 0555 really applies.
    let p = Projet::empty();
    fs::create_dir(p.journal_dir()).unwrap();
    fs::set_permissions(p.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(p.journal_dir(), fs::Permissions::from_mode(0o555)).unwrap();
    let mut run = p.journal().args(["note", "texte"]);
    if is_root() {
        run = run.run_as(65534, 65534);
    }
    let out = run.run();
    out.expect_code(4);
    assert!(out.stderr.contains("permission refusée"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    assert!(
        p.all_journal_files().is_empty(),
        "{:?}",
        p.all_journal_files()
    );
    fs::set_permissions(p.journal_dir(), fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn journal_being_a_file_is_refused_without_writing() {
    // The other way to make `journal/` unwritable, even for root.
    let p = Projet::empty();
    fs::write(p.journal_dir(), "pas un dossier").unwrap();
    let out = p.journal().args(["note", "texte"]).run();
    out.expect_code(2);
    assert!(out.stderr.contains("erreur :"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    assert!(out.stderr.contains("journal"), "{out}");
    assert!(out.stdout.trim().is_empty(), "{out}");
    assert_eq!(
        fs::read_to_string(p.journal_dir()).unwrap(),
        "pas un dossier"
    );
}

#[test]
fn unknown_part_is_refused() {
    let p = Projet::empty();
    let out = p.journal().args(["run", "partie-9"]).run();
    assert_usage_error(&out, "partie-9");
    assert!(out.stderr.contains("partie-6"), "{out}");
    assert!(!p.journal_dir().exists() || p.all_journal_files().is_empty());
    let out = p.journal().args(["note", "x", "--partie", "neuf"]).run();
    assert_usage_error(&out, "neuf");
    assert!(!p.journal_dir().exists() || p.all_journal_files().is_empty());
}

/// Who and where: the author comes from `--auteur`, then `JOURNAL_AUTEUR`,
/// then git, then the login; the host is recorded and shown.
#[test]
fn notes_record_their_author_and_host() {
    let p = Projet::empty();
    p.journal()
        .args([
            "note",
            "Rotation des journaux",
            "--auteur",
            "Camille Exploitation",
        ])
        .env("JOURNAL_AUTEUR", "Ignoré")
        .run()
        .expect_code(0);
    p.journal()
        .args(["note", "Sauvegarde vérifiée"])
        .env("JOURNAL_AUTEUR", "Dominique Astreinte")
        .run()
        .expect_code(0);
    let (entries, errors) = journal::store::Store::new(p.journal_dir()).load().unwrap();
    assert!(errors.is_empty());
    let authors: Vec<_> = entries
        .iter()
        .map(|e| e.front.origine.auteur.clone().unwrap_or_default())
        .collect();
    assert!(
        authors.contains(&"Camille Exploitation".to_string()),
        "{authors:?}"
    );
    assert!(
        authors.contains(&"Dominique Astreinte".to_string()),
        "{authors:?}"
    );
    for e in &entries {
        assert!(e.front.origine.hote.is_some());
        assert!(
            e.front.origine.moteur_docker.is_none(),
            "une note n'a pas de moteur"
        );
        let author = e.front.origine.auteur.as_deref().unwrap();
        assert!(e.body.contains(&format!("par **{author}**")), "{}", e.body);
    }
}

/// Entries written before these fields existed stay valid.
#[test]
fn old_entries_without_author_stay_valid() {
    let p = Projet::fixture("journal-exemple");
    let out = p.journal().arg("check").run();
    out.expect_code(0);
}

/// A run records the Docker endpoint and the project's commit (dirty or
/// not), even when it fails at once (no engine here).
#[test]
fn runs_record_the_engine_and_the_git_commit() {
    let p = Projet::fixture("projet-partie6");
    let git = |args: &[&str]| {
        assert!(
            std::process::Command::new("git")
                .arg("-C")
                .arg(p.path())
                .args(args)
                .output()
                .unwrap()
                .status
                .success()
        )
    };
    git(&["init", "-q"]);
    git(&["config", "user.name", "Alex Dépôt"]);
    git(&["config", "user.email", "alex@example.org"]);
    git(&["add", "compose"]);
    git(&["commit", "-q", "-m", "pile"]);
    let run = |dirty: bool| {
        if dirty {
            let f = p.path().join("compose/docker-compose.yml");
            let text = std::fs::read_to_string(&f).unwrap();
            std::fs::write(&f, format!("{text}\n# modifié à la main\n")).unwrap();
        }
        p.journal()
            .args(["run", "partie-6"])
            .env("DOCKER_HOST", "unix:///nulle-part/docker.sock")
            .run()
            .expect_code(3);
        let (entries, _) = journal::store::Store::new(p.journal_dir()).load().unwrap();
        entries.into_iter().last().unwrap()
    };
    let clean = run(false);
    let o = &clean.front.origine;
    assert_eq!(o.auteur.as_deref(), Some("Alex Dépôt"));
    assert_eq!(
        o.moteur_docker.as_deref(),
        Some("unix:///nulle-part/docker.sock")
    );
    let g = o.git.as_ref().expect("commit enregistré");
    assert_eq!(g.commit.len(), 40);
    assert!(!g.modifie);
    assert!(
        clean.body.contains("| Origine | par **Alex Dépôt**"),
        "{}",
        clean.body
    );
    let dirty = run(true);
    assert!(dirty.front.origine.git.as_ref().unwrap().modifie);
    assert!(
        dirty.body.contains("modifications non validées"),
        "{}",
        dirty.body
    );
}

#[test]
fn a_token_and_the_configured_password_typed_in_a_note_are_never_written() {
    let p = Projet::empty();
    let dir = tempfile::tempdir().unwrap();
    let extrait = dir.path().join("extrait.env");
    std::fs::write(
        &extrait,
        "GF_SECURITY_ADMIN_PASSWORD=Mdp-Configure-2026\nCI_TOKEN=glpat-AbCdEfGhIjKlMnOpQrSt12\n",
    )
    .unwrap();
    let out = p
        .journal()
        .args([
            "note",
            "Accès Grafana : admin / Mdp-Configure-2026, jeton glpat-AbCdEfGhIjKlMnOpQrSt12 pour la CI",
        ])
        .arg("--joindre")
        .arg(&extrait)
        .env("JOURNAL_GRAFANA_PASSWORD", "Mdp-Configure-2026")
        .run();
    out.expect_code(0);
    assert!(out.stderr.contains("secret masqué"), "{out}");
    assert!(out.stderr.contains("jeton GitLab"), "{out}");
    let files = crate::support::walk(&p.journal_dir());
    assert_eq!(files.len(), 2, "la note et sa pièce jointe : {files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains("Mdp-Configure-2026"),
            "{} : {text}",
            f.display()
        );
        assert!(!text.contains("glpat-AbCd"), "{} : {text}", f.display());
    }
    assert!(!out.stdout.contains("glpat-AbCd") && !out.stderr.contains("glpat-AbCd"));
}
