//! `journal.toml`, the project's settings: the `JOURNAL_*` variables without
//! their prefix, in lower case. The command line wins over the environment,
//! which wins over the file; a bad file is refused in French, with a hint,
//! exit 2, before anything is written.

use std::fs;

use journal::store::Store;

use crate::support::Projet;

fn write_settings(p: &Projet, text: &str) {
    fs::write(p.path().join("journal.toml"), text).unwrap();
}

fn authors(p: &Projet) -> Vec<String> {
    let (mut entries, errors) = Store::new(p.journal_dir()).load().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
        .iter()
        .map(|e| e.front.origine.auteur.clone().unwrap_or_default())
        .collect()
}

#[test]
fn the_author_comes_from_the_flag_then_the_environment_then_journal_toml() {
    let p = Projet::empty();
    write_settings(&p, "# Réglages du projet\nauteur = \"Camille\"\n");
    let note = |n: u32| {
        p.journal()
            .args(["note", &format!("Note {n}")])
            .env("JOURNAL_HORLOGE", format!("2026-11-24T10:0{n}:00+01:00"))
    };
    note(1).run().expect_code(0);
    note(2)
        .env("JOURNAL_AUTEUR", "Dominique")
        .run()
        .expect_code(0);
    note(3)
        .env("JOURNAL_AUTEUR", "Dominique")
        .args(["--auteur", "Alex"])
        .run()
        .expect_code(0);
    assert_eq!(authors(&p), ["Camille", "Dominique", "Alex"]);
}

#[test]
fn a_bad_journal_toml_is_refused_before_anything_is_written() {
    let cases: [(&str, &[&str], &[&str]); 6] = [
        (
            "cible = \"essaim\"\n",
            &["run", "partie-6", "--dry-run"],
            &[
                "journal.toml (« cible »)",
                "cible inconnue « essaim »",
                "« swarm »",
            ],
        ),
        (
            "delai_cibles = \"bientôt\"\n",
            &["run", "partie-6", "--dry-run"],
            &["journal.toml (« delai_cibles ») = « bientôt » n'est pas un nombre de secondes"],
        ),
        (
            "grafana_password = \"secret-de-test\"\n",
            &["note", "Une note"],
            &[
                "ne peut pas contenir « grafana_password »",
                "JOURNAL_GRAFANA_PASSWORD",
            ],
        ),
        (
            "delai_cible = 60\n",
            &["note", "Une note"],
            &[
                "réglage « delai_cible » inconnu",
                "vouliez-vous dire « delai_cibles » ?",
            ],
        ),
        (
            "auteur = [\"Camille\"]\n",
            &["note", "Une note"],
            &["« auteur » doit être un texte ou un nombre"],
        ),
        (
            "cible = swarm\n",
            &["note", "Une note"],
            &[
                "n'est pas un fichier TOML valide : ligne 1, colonne 9",
                "un texte s'écrit entre guillemets",
            ],
        ),
    ];
    for (text, args, said) in cases {
        let p = Projet::empty();
        write_settings(&p, text);
        let out = p.journal().args(args).run();
        out.expect_code(2);
        for s in said {
            assert!(out.stderr.contains(s), "{text} : « {s} » absent\n{out}");
        }
        assert!(out.stderr.contains("aide :"), "{out}");
        assert!(!out.stderr.contains("secret-de-test"), "{out}");
        assert!(
            p.all_journal_files().is_empty(),
            "{text} : rien ne doit être écrit"
        );
    }
}
