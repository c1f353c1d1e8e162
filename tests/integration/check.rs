//! `journal check`: broken anchors and links, invalid entries, clean journal.

use crate::support::Projet;

#[test]
fn clean_journal_passes() {
    let p = Projet::fixture("journal-exemple");
    let out = p.journal().arg("check").run();
    out.expect_code(0);
    assert!(out.stderr.contains("vérification réussie"), "{out}");
    assert!(
        !p.path().join("book/html").exists(),
        "check ne rend pas de HTML"
    );
}

#[test]
fn broken_anchor_names_file_and_line() {
    let p = Projet::fixture("journal-ancre-cassee");
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "journal/2026-11-26T080000-000-note-aa11bb.md:13: lien « #section-absente »"
        ),
        "{out}"
    );
    assert!(lines[0].contains("ancre"), "{out}");
    assert!(
        lines[1].starts_with("journal/2026-11-26T080000-000-note-aa11bb.md:15: lien « 2026-01-01T000000-000-note-zzzzzz.md »"),
        "{out}"
    );
    assert!(lines[1].contains("n'existe pas"), "{out}");
    assert!(out.stderr.contains("erreur : 2 problèmes"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
}

#[test]
fn invalid_front_matter_names_file_and_line() {
    let p = Projet::fixture("journal-entete-invalide");
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout
            .starts_with("journal/2026-11-26T090000-000-note-cc22dd.md:5: "),
        "{out}"
    );
    assert!(out.stdout.contains("super"), "{out}");
}

#[test]
fn documentation_page_problems_point_to_the_page() {
    let p = Projet::fixture("journal-exemple");
    let doc = p.journal_dir().join("documentation/partie-6.md");
    let mut text = std::fs::read_to_string(&doc).unwrap();
    text.push_str("\nVoir [l'absente](#nulle-part) et [mailto](mailto:ops@exemple.fr) et [web](https://exemple.fr/#x).\n");
    std::fs::write(&doc, &text).unwrap();
    let line = text.lines().count();
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert_eq!(out.stdout.lines().count(), 1, "{out}");
    assert!(
        out.stdout
            .starts_with(&format!("journal/documentation/partie-6.md:{line}: ")),
        "{out}"
    );
}

#[test]
fn summary_entry_without_file_is_reported() {
    let p = Projet::fixture("journal-exemple");
    std::fs::create_dir_all(p.path().join("templates")).unwrap();
    std::fs::write(
        p.path().join("templates/livre-sommaire.md.j2"),
        "# Sommaire\n\n[Accueil](index.md)\n\n- [Perdu](perdu.md)\n",
    )
    .unwrap();
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout
            .starts_with("book/src/SUMMARY.md:5: chapitre du sommaire sans fichier"),
        "{out}"
    );
}

#[test]
fn github_format_prints_annotations() {
    let p = Projet::fixture("journal-ancre-cassee");
    let out = p.journal().args(["check", "--format", "github"]).run();
    out.expect_code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "::error file=journal/2026-11-26T080000-000-note-aa11bb.md,line=13::lien « #section-absente »"
        ),
        "{out}"
    );
    assert!(out.stderr.contains("erreur : 2 problèmes"), "{out}");
}

#[test]
fn jsonl_format_prints_one_object_per_problem() {
    let p = Projet::fixture("journal-ancre-cassee");
    let out = p.journal().args(["check", "--format", "jsonl"]).run();
    out.expect_code(1);
    let objects: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let array = p.journal().args(["check", "--format", "json"]).run();
    array.expect_code(1);
    let parsed: serde_json::Value = serde_json::from_str(&array.stdout).expect("JSON valide");
    assert_eq!(parsed, serde_json::Value::Array(objects.clone()), "{array}");
    for o in &objects {
        let keys: Vec<&String> = o.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["fichier", "ligne", "raison"], "schéma : {o}");
        assert!(o["ligne"].is_u64() && o["fichier"].is_string() && o["raison"].is_string());
    }
    assert_eq!(objects.len(), 2, "{out}");
    assert_eq!(
        objects[0]["fichier"],
        "journal/2026-11-26T080000-000-note-aa11bb.md"
    );
    assert_eq!(objects[0]["ligne"], 13);
    assert!(
        objects[1]["raison"]
            .as_str()
            .unwrap()
            .contains("n'existe pas")
    );
}

#[test]
fn unknown_format_is_a_usage_error() {
    let p = Projet::fixture("journal-exemple");
    let out = p.journal().args(["check", "--format", "xml"]).run();
    out.expect_code(2);
}

#[test]
fn clean_journal_passes_in_every_format() {
    for format in ["texte", "github", "json", "jsonl"] {
        let p = Projet::fixture("journal-exemple");
        let out = p.journal().args(["check", "--format", format]).run();
        out.expect_code(0);
        if format == "json" {
            assert_eq!(out.stdout.trim(), "[]", "{out}");
        } else {
            assert!(out.stdout.is_empty(), "{format} : {out}");
        }
    }
}

/// A note whose front matter names `attachment` (written by hand, as a
/// careless or hostile contributor would commit it).
fn note_naming(p: &Projet, attachment: &str) -> String {
    let name = "2026-11-27T090000-000-note-ff00ee.md";
    std::fs::write(
        p.journal_dir().join(name),
        format!(
            "---\ntype: note\ntitre: Pièce jointe\nhorodatage: 2026-11-27T09:00:00+01:00\nstatut: consigné\npieces_jointes:\n- {attachment}\n---\n\n# Pièce jointe\n\nVoir [le fichier]({attachment}).\n"
        ),
    )
    .unwrap();
    format!("journal/{name}:7:")
}

/// No published file of the book holds `needle`.
fn book_never_holds(p: &Projet, needle: &str) {
    for f in crate::support::walk(&p.path().join("book")) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(needle),
            "{} publie {needle:?}",
            f.display()
        );
    }
}

#[test]
fn a_front_matter_path_outside_the_journal_is_reported_and_never_published() {
    let p = Projet::fixture("journal-exemple");
    let outside = p.path().join("hors-du-journal.txt");
    std::fs::write(&outside, "DONNEE-HORS-JOURNAL-42\n").unwrap();
    for path in [
        outside.display().to_string(),
        "../hors-du-journal.txt".to_string(),
    ] {
        let at = note_naming(&p, &path);
        let out = p.journal().arg("check").run();
        out.expect_code(1);
        assert!(
            out.stdout.lines().any(|l| l.starts_with(&at)
                && l.contains("pièce jointe non publiée")
                && l.contains("aide :")),
            "{path}: {out}"
        );
        let out = p.journal().args(["build", "--strict"]).run();
        out.expect_code(1);
        let out = p.journal().arg("build").run();
        out.expect_code(0);
        assert!(out.stderr.contains("pièce jointe non publiée"), "{out}");
        book_never_holds(&p, "DONNEE-HORS-JOURNAL-42");
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_to_the_secrets_is_reported_and_never_published() {
    let p = Projet::fixture("journal-exemple");
    let secrets = p.path().join(".journal-secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    std::fs::write(secrets.join("grafana-admin"), "MOT-DE-PASSE-SECRET-77\n").unwrap();
    std::os::unix::fs::symlink(
        secrets.join("grafana-admin"),
        p.journal_dir().join("capture.png"),
    )
    .unwrap();
    // Also an entry that is itself a link to the secret.
    std::os::unix::fs::symlink(
        secrets.join("grafana-admin"),
        p.journal_dir().join("2026-11-27T100000-000-note-aa00bb.md"),
    )
    .unwrap();
    let at = note_naming(&p, "capture.png");
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with(&at) && l.contains(".journal-secrets")),
        "{out}"
    );
    assert!(
        out.stdout
            .contains("2026-11-27T100000-000-note-aa00bb.md:1: entrée refusée"),
        "{out}"
    );
    assert!(!out.stdout.contains("MOT-DE-PASSE-SECRET-77"), "{out}");
    p.journal().args(["build", "--strict"]).run().expect_code(1);
    p.journal().arg("build").run().expect_code(0);
    book_never_holds(&p, "MOT-DE-PASSE-SECRET-77");
}

#[test]
fn a_conflict_marked_entry_is_reported_at_the_marker_line() {
    let p = Projet::fixture("journal-exemple");
    let name = "2026-11-27T090000-000-note-cf11cf.md";
    std::fs::write(
        p.journal_dir().join(name),
        "---\ntype: note\ntitre: Fusion\nhorodatage: 2026-11-27T09:00:00+01:00\nstatut: consigné\n---\n\n# Fusion\n\n<<<<<<< HEAD\nPrometheus redémarré.\n=======\nPrometheus arrêté.\n>>>>>>> branche-camille\n",
    )
    .unwrap();
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with(&format!("journal/{name}:10: conflit de fusion non résolu"))),
        "{out}"
    );
}

#[test]
fn what_a_killed_note_leaves_is_reported_by_check() {
    let p = Projet::fixture("journal-exemple");
    // `kill -9` between the attachment and the entry, and during a write.
    let orphan = p
        .journal_dir()
        .join("pieces-jointes/2026-11-27T090000-000-note-0rph4n");
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::write(orphan.join("capture.png"), "png").unwrap();
    std::fs::write(p.journal_dir().join(".tmp-Ab12Cd"), "---\n").unwrap();
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout.contains(
            "journal/pieces-jointes/2026-11-27T090000-000-note-0rph4n:1: pièces jointes sans entrée"
        ),
        "{out}"
    );
    assert!(
        out.stdout.contains(
            "journal/.tmp-Ab12Cd:1: fichier temporaire laissé par une commande interrompue"
        ),
        "{out}"
    );
    // Reported, never deleted.
    assert!(orphan.join("capture.png").exists());
}

#[test]
fn after_a_build_check_reports_the_same_problems_and_sees_any_change() {
    let p = Projet::fixture("journal-ancre-cassee");
    let formats = ["texte", "github", "json"];
    let check = |f: &str| {
        let out = p.journal().args(["check", "--format", f]).run();
        out.expect_code(1);
        (out.stdout, out.stderr)
    };
    // Without a build: the journal is read.
    let read: Vec<_> = formats.iter().map(|f| check(f)).collect();
    p.journal().arg("build").run().expect_code(0);
    assert!(p.path().join("book/.etat-build").is_file());
    // Unchanged since the build: what its check found, said the same way.
    let recorded: Vec<_> = formats.iter().map(|f| check(f)).collect();
    assert_eq!(read, recorded);
    assert!(read[0].0.lines().count() == 2, "{:?}", read[0]);
    // A new broken link after the build: seen at once.
    let entry = p.journal_dir().join("2026-11-26T080000-000-note-aa11bb.md");
    let mut text = std::fs::read_to_string(&entry).unwrap();
    text.push_str("\nVoir [ailleurs](absente.md).\n");
    std::fs::write(&entry, text).unwrap();
    let (stdout, stderr) = check("texte");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.contains("absente.md"), "{stdout}");
    assert!(stderr.contains("3 problèmes"), "{stderr}");
}
