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
        assert_eq!(l.matches('\t').count(), 8, "colonnes cassées : {l:?}");
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

/// A small journal: notes by two authors over three days, two runs.
fn fixture_journal() -> Projet {
    let p = Projet::empty();
    let notes: [(&str, &str, &str, &[&str], &str); 5] = [
        (
            "Redémarrage de Zammad",
            "2026-11-20T09:00:00+01:00",
            "Camille",
            &["zammad"],
            "Le service a été relancé.",
        ),
        (
            "Mot de passe Grafana changé",
            "2026-11-23T10:00:00+01:00",
            "Dominique",
            &["grafana"],
            "Rotation trimestrielle réussie.",
        ),
        (
            "Cible cAdvisor en échec",
            "2026-11-24T11:00:00+01:00",
            "Camille",
            &["prometheus"],
            "La cible échouait : réseau.",
        ),
        (
            "Sauvegarde vérifiée",
            "2026-11-25T08:00:00+01:00",
            "Dominique",
            &["sauvegarde"],
            "Tout est réussi.",
        ),
        (
            "Note sans étiquette",
            "2026-11-25T09:30:00+01:00",
            "Camille",
            &[],
            "RAS.",
        ),
    ];
    for (title, clock, author, tags, text) in notes {
        let mut args = vec!["note", text, "--titre", title, "--auteur", author];
        for t in tags {
            args.extend(["--tag", t]);
        }
        p.journal()
            .args(args)
            .env("JOURNAL_HORLOGE", clock)
            .run()
            .expect_code(0);
    }
    crate::support::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/journal-exemple/journal"),
        &p.journal_dir(),
    );
    p
}

fn list(p: &Projet, args: &[&str]) -> String {
    let out = p
        .journal()
        .arg("list")
        .args(args)
        .env("JOURNAL_HORLOGE", "2026-11-25T12:00:00+01:00")
        .run();
    out.expect_code(0);
    // Ids end with a random suffix: keep the stable part.
    out.stdout
        .lines()
        .map(|l| l.rsplit_once('\t').map(|(a, _)| a).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_filter_and_their_combination() {
    let p = fixture_journal();
    let mut report = String::new();
    for args in [
        &["--depuis", "2026-11-24"][..],
        &["--jusqua", "hier"],
        &["--depuis", "7j", "--jusqua", "2026-11-23"],
        &["--type", "note", "--depuis", "aujourd'hui"],
        &["--type", "execution"],
        &["--statut", "reussi"],
        &["--statut", "Échoué"],
        &["--tag", "grafana"],
        &["--auteur", "dominique"],
        &["--cherche", "REUSSI"],
        &["--cherche", "echouait"],
        &[
            "--auteur",
            "camille",
            "--cherche",
            "cible",
            "--depuis",
            "2026-11-21",
        ],
        &["-n", "2"],
    ] {
        report.push_str(&format!(
            "$ journal list {}\n{}\n\n",
            args.join(" "),
            list(&p, args)
        ));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn bad_filters_are_french_usage_errors() {
    let p = fixture_journal();
    for (args, words) in [
        (&["--depuis", "31/02"][..], "« 31/02 » n'est pas une date"),
        (&["--jusqua", "2026-02-31"], "n'est pas une date"),
        (&["--statut", "perdu"], "statut inconnu"),
        (&["--type", "rapport"], "rapport"),
    ] {
        let out = p.journal().arg("list").args(args).run();
        out.expect_code(2);
        assert!(out.stderr.contains(words), "{out}");
        assert!(out.stdout.is_empty(), "{out}");
    }
}

#[test]
fn montre_finds_an_entry_by_its_id_or_a_unique_prefix() {
    let p = fixture_journal();
    let out = p.journal().args(["montre", "2026-11-25T091000"]).run();
    out.expect_code(0);
    assert!(out.stdout.contains("# "), "{out}");
    let whole = p
        .journal()
        .args(["montre", "2026-11-25T091000-456-execution-zz98yy"])
        .run();
    whole.expect_code(0);
    assert_eq!(whole.stdout, out.stdout);
    // Piped: the Markdown itself, no terminal escapes.
    assert!(!out.stdout.contains('\u{1b}'), "{out}");
}

#[test]
fn montre_refuses_an_ambiguous_or_unknown_id() {
    let p = fixture_journal();
    let out = p.journal().args(["montre", "2026-11-25"]).run();
    out.expect_code(2);
    assert!(out.stderr.contains("désigne"), "{out}");
    assert!(
        out.stderr
            .contains("2026-11-25T091000-456-execution-zz98yy"),
        "{out}"
    );
    assert!(out.stdout.is_empty());
    let out = p.journal().args(["montre", "1999-01-01"]).run();
    out.expect_code(2);
    assert!(out.stderr.contains("aucune entrée « 1999-01-01 »"), "{out}");
}

/// The documented JSON schema of an entry (README, « Sorties JSON »): every
/// key, always present, with its JSON type.
fn assert_entry_schema(v: &serde_json::Value, with_body: bool) {
    let o = v.as_object().expect("un objet");
    let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut wanted = vec![
        "id",
        "fichier",
        "type",
        "titre",
        "partie",
        "horodatage",
        "statut",
        "tags",
        "duree_ms",
        "etapes",
        "origine",
        "pieces_jointes",
        "execution",
        "revisions",
    ];
    if with_body {
        wanted.push("corps");
    }
    wanted.sort_unstable();
    assert_eq!(keys, wanted, "{v}");
    for k in ["id", "fichier", "type", "titre", "statut"] {
        assert!(v[k].is_string(), "{k} : {v}");
    }
    for k in ["tags", "etapes", "pieces_jointes", "revisions"] {
        assert!(v[k].is_array(), "{k} : {v}");
    }
    assert!(v["origine"].is_object(), "{v}");
    for k in ["auteur", "hote", "moteur_docker", "git"] {
        assert!(v["origine"].get(k).is_some(), "origine.{k} : {v}");
    }
    let when = v["horodatage"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(when).expect("horodatage RFC 3339");
    assert!(
        v["fichier"].as_str().unwrap().starts_with("journal/"),
        "{v}"
    );
}

#[test]
fn json_and_jsonl_carry_every_front_matter_field_in_rfc3339() {
    let p = project_with_awkward_titles();
    let out = p.journal().args(["list", "--format", "json"]).run();
    out.expect_code(0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    for r in &rows {
        assert_entry_schema(r, false);
    }
    assert_eq!(rows[1]["horodatage"], "2026-11-24T08:00:00+01:00");
    assert_eq!(rows[1]["statut"], "consigné");
    let lines = p.journal().args(["list", "--format", "jsonl"]).run();
    lines.expect_code(0);
    let parsed: Vec<serde_json::Value> = lines
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("une ligne, un objet"))
        .collect();
    assert_eq!(parsed, rows);
}

#[test]
fn montre_json_is_the_same_object_with_the_body() {
    let p = project_with_awkward_titles();
    let list = p.journal().args(["list", "--format", "json"]).run();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&list.stdout).unwrap();
    let id = rows[0]["id"].as_str().unwrap();
    for format in ["json", "jsonl"] {
        let out = p.journal().args(["montre", id, "--format", format]).run();
        out.expect_code(0);
        if format == "jsonl" {
            assert_eq!(out.stdout.lines().count(), 1, "{out}");
        }
        let mut v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_entry_schema(&v, true);
        assert!(v["corps"].as_str().unwrap().contains("corps de la note"));
        v.as_object_mut().unwrap().remove("corps");
        assert_eq!(v, rows[0]);
    }
}
