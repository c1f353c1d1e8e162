//! `journal list`: text for people, TSV and JSON for scripts; a tab or a line
//! break in a title never breaks a column.

use crate::support::Projet;

fn project_with_awkward_titles() -> Projet {
    let p = Projet::empty();
    for (title, clock) in [
        ("Panne\tDNS\tsecondaire", "2026-11-24T08:00:00+01:00"),
        ("Chemin C:\\temp et retour", "2026-11-25T08:00:00+01:00"),
    ] {
        p.journal()
            .args([
                "note",
                "corps de la note",
                "--titre",
                title,
                "--partie",
                "partie-6",
            ])
            .env("JOURNAL_HORLOGE", clock)
            .run()
            .expect_code(0);
    }
    p
}

#[test]
fn tsv_keeps_its_columns_whatever_the_titles() {
    let p = project_with_awkward_titles();
    let out = p.journal().args(["list", "--format", "tsv"]).run();
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("horodatage\ttype\t"), "{out}");
    for l in &lines {
        assert_eq!(l.matches('\t').count(), 7, "colonnes cassées : {l:?}");
    }
    assert!(lines[2].contains("Panne\\tDNS\\tsecondaire"), "{out}");
    assert!(lines[1].contains("C:\\\\temp"), "{out}");
}

#[test]
fn json_parses_back_newest_first() {
    let p = project_with_awkward_titles();
    let out = p.journal().args(["list", "--format", "json"]).run();
    out.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON valide");
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["titre"], "Chemin C:\\temp et retour");
    assert_eq!(rows[1]["titre"], "Panne\tDNS\tsecondaire");
    assert_eq!(rows[1]["type"], "note");
    assert_eq!(rows[1]["partie"], "partie-6");
    assert!(rows[1]["id"].as_str().unwrap().starts_with("2026-11-24"));
}

#[test]
fn text_shows_a_tabbed_title_on_one_line() {
    let p = project_with_awkward_titles();
    let out = p.journal().arg("list").run();
    out.expect_code(0);
    assert!(out.stdout.contains("Panne DNS secondaire"), "{out}");
    assert_eq!(out.stdout.lines().count(), 2, "{out}");
}

#[test]
fn an_unknown_format_is_a_french_usage_error() {
    let p = Projet::empty();
    let out = p.journal().args(["list", "--format", "csv"]).run();
    out.expect_code(2);
    assert!(out.stderr.contains("erreur"), "{out}");
}
