//! Runs and notes as Grafana annotations, on the Docker bench (the Grafana
//! stand-in keeps every annotation in its state): one per entry across two
//! runs, none duplicated (a run found Grafana at its start: created then,
//! updated at its end), a note of a part annotated too, the imported
//! dashboard querying them by the `journal` tag; a Grafana that
//! answers 500 is a warning, the note is written all the same; and
//! `JOURNAL_ANNOTATIONS=non` writes none.

use std::fs;
use std::process::Command;

use crate::bench::{Bench, GrafanaCom, Stack};

fn annotations(password: &str) -> Vec<serde_json::Value> {
    let list: serde_json::Value = reqwest::blocking::Client::new()
        .get("http://localhost:8084/api/annotations?tags=journal")
        .basic_auth("admin", Some(password))
        .send()
        .unwrap()
        .json()
        .unwrap();
    list.as_array().cloned().unwrap_or_default()
}

fn tagged(list: &[serde_json::Value], tag: &str) -> usize {
    list.iter()
        .filter(|a| {
            a["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == tag))
        })
        .count()
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn runs_and_notes_are_annotated_once_and_a_refusal_is_a_warning() {
    let _bench = Bench::take("annotations");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("annotations");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    let first = s.journal().args(["run", "partie-6"]).run();
    first.expect_code(0);
    assert!(
        !first.stderr.contains("annotation de Grafana non écrite"),
        "{first}"
    );
    let password = fs::read_to_string(s.projet.path().join(".journal-secrets/grafana-admin"))
        .unwrap()
        .trim()
        .to_string();
    let after_one = annotations(&password);
    assert_eq!(after_one.len(), 1, "{after_one:?}");
    assert_eq!(tagged(&after_one, "partie-6"), 1);
    assert_eq!(tagged(&after_one, "réussi"), 1);
    let text = after_one[0]["text"].as_str().unwrap();
    assert!(text.contains(".html#"), "lien permanent attendu : {text}");
    assert!(!text.contains(&password));

    // The imported dashboard shows them: an annotation query on the tag.
    let client = reqwest::blocking::Client::new();
    let hits: serde_json::Value = client
        .get("http://localhost:8084/api/search?type=dash-db")
        .basic_auth("admin", Some(&password))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let uid = hits[0]["uid"].as_str().expect("un tableau de bord importé");
    let dash: serde_json::Value = client
        .get(format!("http://localhost:8084/api/dashboards/uid/{uid}"))
        .basic_auth("admin", Some(&password))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let queries = dash["dashboard"]["annotations"]["list"].as_array().unwrap();
    assert!(
        queries.iter().any(|q| q["target"]["tags"][0] == "journal"),
        "{queries:?}"
    );

    s.journal().args(["run", "partie-6"]).run().expect_code(0);
    let after_two = annotations(&password);
    assert_eq!(
        after_two.len(),
        2,
        "une annotation par exécution : {after_two:?}"
    );
    let keys: Vec<&str> = after_two
        .iter()
        .flat_map(|a| a["tags"].as_array().unwrap().iter())
        .filter_map(|t| t.as_str())
        .filter(|t| t.starts_with("entree:"))
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
    // The second run found Grafana at its start: its annotation was created
    // then (« en cours », before the run ended) and updated at its end.
    let second = &after_two[0];
    let (created, updated) = (second["created"].as_i64(), second["updated"].as_i64());
    assert!(
        created < second["timeEnd"].as_i64(),
        "annotation créée au début de l'exécution : {second}"
    );
    assert!(updated > created, "mise à jour à la fin : {second}");
    assert!(
        second["timeEnd"].as_i64() > second["time"].as_i64(),
        "{second}"
    );
    let tags = second["tags"].as_array().unwrap();
    assert!(tags.iter().any(|t| t == "réussi"), "{second}");
    assert!(!tags.iter().any(|t| t == "en cours"), "{second}");

    let note = s
        .journal()
        .args(["note", "Redémarrage de cAdvisor", "--partie", "partie-6"])
        .run();
    note.expect_code(0);
    assert_eq!(tagged(&annotations(&password), "note"), 1);
    s.journal()
        .args(["note", "Sans partie"])
        .run()
        .expect_code(0);
    assert_eq!(
        annotations(&password).len(),
        3,
        "une note sans partie n'est pas annotée"
    );
    s.journal()
        .args(["note", "Désactivé", "--partie", "partie-6"])
        .env("JOURNAL_ANNOTATIONS", "non")
        .run()
        .expect_code(0);
    assert_eq!(annotations(&password).len(), 3, "JOURNAL_ANNOTATIONS=non");

    // A Grafana answering 500: a warning, the note is written.
    let f = tempfile::NamedTempFile::new().unwrap();
    fs::write(f.path(), "500").unwrap();
    assert!(
        Command::new("docker")
            .arg("cp")
            .arg(f.path())
            .arg("grafana:/var/lib/grafana/standin-fault")
            .status()
            .unwrap()
            .success()
    );
    let before = s.projet.entry_files().len();
    let refused = s
        .journal()
        .args(["note", "Grafana en panne", "--partie", "partie-6"])
        .run();
    refused.expect_code(0);
    assert!(refused.stderr.contains("attention :"), "{refused}");
    assert!(
        refused.stderr.contains("pas d'annotation dans Grafana"),
        "{refused}"
    );
    assert_eq!(s.projet.entry_files().len(), before + 1);
}
