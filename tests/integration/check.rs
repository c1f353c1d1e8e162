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
