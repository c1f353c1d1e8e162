//! `journal run partie-6-alertes`: refused without a successful partie-6
//! (exit 2), bad receiver settings refused before anything changes; on the
//! real Docker bench (real Prometheus with promtool, real Alertmanager from
//! Debian's package): the full part after partie-6 with its fire drill, a
//! second run « déjà fait », a rules file broken by hand, the port 9093 taken
//! and an Alertmanager that does not start.

use std::fs;
use std::process::Command;

use journal::store::{Status, StepStatus};

use crate::bench::{Bench, GrafanaCom, IMAGE_CRASHLOOP, Stack};
use crate::support::{Outcome, Projet, latest_run, step_status, walk};

const PART: &str = "partie-6-alertes";
const WEBHOOK_TOKEN: &str = "jeton-webhook-9f8e7d6c5b4a";

/// A copy of the partie-6 fixture whose journal holds a successful partie-6.
fn after_fake_partie6() -> Projet {
    let p = Projet::fixture("projet-partie6");
    let entry = "2026-11-24T213005-123-execution-ab12cd.md";
    fs::create_dir_all(p.journal_dir()).unwrap();
    fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/journal-exemple/journal")
            .join(entry),
        p.journal_dir().join(entry),
    )
    .unwrap();
    p
}

#[test]
fn partie6_never_run_is_exit_2_and_recorded() {
    let p = Projet::fixture("projet-partie6");
    let compose_before = fs::read_to_string(p.path().join("compose/docker-compose.yml")).unwrap();
    let out = p.journal().args(["run", PART]).run();
    out.expect_code(2);
    assert!(
        out.stderr.contains("la partie-6 n'a jamais réussi"),
        "{out}"
    );
    assert!(
        out.stderr
            .contains("aide : lancez d'abord « journal run partie-6 »"),
        "{out}"
    );
    let e = latest_run(&p);
    assert_eq!(e.front.statut, Status::Failed);
    assert_eq!(step_status(&e, "preflight-alertes"), StepStatus::Failed);
    assert_eq!(step_status(&e, "alert-rules"), StepStatus::Skipped);
    assert_eq!(
        fs::read_to_string(p.path().join("compose/docker-compose.yml")).unwrap(),
        compose_before
    );
    assert!(!p.path().join("compose/config/prometheus/regles").exists());
}

#[test]
fn invalid_receivers_are_refused_before_anything_changes() {
    for (vars, expected) in [
        (
            vec![("JOURNAL_ALERTES_EMAIL", "exploitation@example.org")],
            "JOURNAL_ALERTES_EMAIL est donné sans JOURNAL_ALERTES_SMTP",
        ),
        (
            vec![
                ("JOURNAL_ALERTES_EMAIL", "pas-une-adresse"),
                ("JOURNAL_ALERTES_SMTP", "smtp.example.org:587"),
            ],
            "n'est pas une adresse e-mail",
        ),
        (
            vec![(
                "JOURNAL_ALERTES_WEBHOOK",
                "ftp://example.org/jeton-ftp-secret",
            )],
            "JOURNAL_ALERTES_WEBHOOK n'est pas une URL",
        ),
    ] {
        let p = after_fake_partie6();
        let mut run = p.journal().args(["run", PART]);
        for (k, v) in &vars {
            run = run.env(k, v);
        }
        let out = run.run();
        out.expect_code(2);
        assert!(out.stderr.contains(expected), "{out}");
        assert!(out.stderr.contains("aide :"), "{out}");
        assert!(!out.stderr.contains("jeton-ftp-secret"), "{out}");
        let e = latest_run(&p);
        assert_eq!(e.front.partie.as_deref(), Some(PART));
        assert_eq!(step_status(&e, "preflight-alertes"), StepStatus::Failed);
        assert!(!e.body.contains("jeton-ftp-secret"));
        assert!(!p.path().join("compose/config/alertmanager").exists());
    }
}

fn assert_absent(secret: &str, p: &Projet, outputs: &[&Outcome]) {
    for dir in [p.journal_dir(), p.path().join("book")] {
        if !dir.is_dir() {
            continue;
        }
        for f in walk(&dir) {
            let text = String::from_utf8_lossy(&fs::read(&f).unwrap()).into_owned();
            assert!(
                !text.contains(secret),
                "{secret} trouvé dans {}",
                f.display()
            );
        }
    }
    for o in outputs {
        assert!(
            !o.stdout.contains(secret) && !o.stderr.contains(secret),
            "{o}"
        );
    }
}

fn curl(url: &str) -> String {
    let out = Command::new("curl")
        .args(["-s", "-m", "5", url])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn full_part_after_partie6_then_already_done_then_a_broken_rules_file() {
    let _bench = Bench::take("full_part_after_partie6_then_already_done_then_a_broken_rules_file");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("alertes");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    s.set(
        "JOURNAL_ALERTES_WEBHOOK",
        &format!("http://recepteur-absent.invalid/hooks/{WEBHOOK_TOKEN}"),
    );
    s.journal().args(["run", "partie-6"]).run().expect_code(0);
    let compose_after_part6 = fs::read_to_string(s.compose_file()).unwrap();

    let first = s.journal().args(["run", PART]).run();
    first.expect_code(0);
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Succeeded, "{first}");
    for st in &e.front.etapes {
        let expected = if st.id == "grafana-password" {
            StepStatus::AlreadyDone
        } else {
            StepStatus::Succeeded
        };
        assert_eq!(st.statut, expected, "étape {} :\n{}", st.id, e.body);
    }
    // Rules healthy, Alertmanager active, drill received and resolved.
    for s in [
        "| CibleInjoignable | `up == 0` | 1m | critique | OK, inactive |",
        "| MemoireProcheLimite |",
        "actif dans Prometheus",
        "| alerte déclenchée dans Prometheus (firing) |",
        "| alerte reçue par Alertmanager |",
        "| alerte résolue dans Alertmanager |",
        "| règle d'exercice disparue de Prometheus |",
        "http://localhost:9093",
    ] {
        assert!(e.body.contains(s), "« {s} » absent de l'entrée\n{}", e.body);
    }
    let compose = fs::read_to_string(s.compose_file()).unwrap();
    let mut rest = compose.as_str();
    for line in compose_after_part6.split_inclusive('\n') {
        let i = rest
            .find(line)
            .unwrap_or_else(|| panic!("ligne perdue : {line:?}"));
        rest = &rest[i + line.len()..];
    }
    let regles = s.projet.path().join("compose/config/prometheus/regles");
    assert!(regles.join("alertes.yml").is_file());
    assert!(
        !regles.join("exercice.yml").exists(),
        "règle d'exercice retirée"
    );
    let am_config = fs::read_to_string(
        s.projet
            .path()
            .join("compose/config/alertmanager/alertmanager.yml"),
    )
    .unwrap();
    assert!(
        am_config.contains(WEBHOOK_TOKEN),
        "le webhook va dans la configuration"
    );
    assert!(curl("http://localhost:9093/api/v2/status").contains("\"cluster\""));
    let rules = curl("http://localhost:9090/api/v1/rules");
    assert!(rules.contains("RedemarragesEnBoucle") && !rules.contains("ExerciceAlerte"));
    let doc = fs::read_to_string(
        s.projet
            .journal_dir()
            .join("documentation/partie-6-alertes.md"),
    )
    .expect("page de documentation");
    assert!(doc.contains("amtool silence add") && doc.contains("CpuEleve"));

    // Second run: everything « déjà fait », no drill without --exercice.
    let second = s.journal().args(["run", PART]).run();
    second.expect_code(0);
    let e2 = latest_run(&s.projet);
    for st in &e2.front.etapes {
        assert_eq!(
            st.statut,
            StepStatus::AlreadyDone,
            "étape {} :\n{}",
            st.id,
            e2.body
        );
    }
    // partie-6 accepts what its complement added.
    let part6 = s.journal().args(["run", "partie-6"]).run();
    part6.expect_code(0);
    let e6 = latest_run(&s.projet);
    assert_eq!(
        step_status(&e6, "prometheus-config"),
        StepStatus::AlreadyDone
    );
    assert_eq!(
        step_status(&e6, "compose-services"),
        StepStatus::AlreadyDone
    );

    // --exercice: the drill again, nothing else.
    let drill = s.journal().args(["run", PART, "--exercice"]).run();
    drill.expect_code(0);
    let e5 = latest_run(&s.projet);
    assert_eq!(
        step_status(&e5, "alert-drill"),
        StepStatus::Succeeded,
        "{}",
        e5.body
    );
    assert_eq!(step_status(&e5, "alert-rules"), StepStatus::AlreadyDone);
    assert_eq!(step_status(&e5, "alertmanager-up"), StepStatus::AlreadyDone);

    // The book builds with the part's chapter and documentation.
    let build = s.journal().args(["build"]).run();
    build.expect_code(0);
    assert_absent(
        WEBHOOK_TOKEN,
        &s.projet,
        &[&first, &second, &part6, &drill, &build],
    );

    // A rules file broken by hand: promtool's refusal, with the line.
    let path = regles.join("alertes.yml");
    let text = fs::read_to_string(&path).unwrap();
    let broken = text.replacen("expr: up == 0", "expr: up ==", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("expr: up =="))
        .unwrap()
        + 1;
    // `journal verifie` before that: the alert chain holds (Alertmanager
    // ready, active in Prometheus, every rule loaded and healthy) and the
    // part's files are as written (0).
    let verified = s.journal().args(["verifie", PART]).run();
    verified.expect_code(0);
    fs::write(&path, &broken).unwrap();
    // After: the hand edit is drift, with its diff (1).
    let drift = s.journal().args(["verifie", PART]).run();
    drift.expect_code(1);
    assert!(
        drift
            .stderr
            .contains("compose/config/prometheus/regles/alertes.yml a été modifié à la main"),
        "{drift}"
    );
    let said = format!("{}{}", drift.stdout, drift.stderr);
    assert!(
        said.lines()
            .any(|l| l.trim_start().starts_with('+') && l.ends_with("expr: up == 0")),
        "{drift}"
    );
    assert_absent(WEBHOOK_TOKEN, &s.projet, &[&verified, &drift]);
    let refused = s.journal().args(["run", PART]).run();
    refused.expect_code(1);
    assert!(
        refused.stderr.contains(&format!(
            "promtool refuse compose/config/prometheus/regles/alertes.yml (ligne {line})"
        )),
        "{refused}"
    );
    assert!(refused.stderr.contains("--force"), "{refused}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        broken,
        "fichier laissé tel quel"
    );
    let e3 = latest_run(&s.projet);
    assert_eq!(step_status(&e3, "alert-rules"), StepStatus::Failed);

    // --force takes the part's rules back (backup kept) and runs the drill again.
    let forced = s.journal().args(["run", PART, "--force"]).run();
    forced.expect_code(0);
    let e4 = latest_run(&s.projet);
    assert_eq!(step_status(&e4, "alert-rules"), StepStatus::Succeeded);
    assert_eq!(step_status(&e4, "alert-drill"), StepStatus::Succeeded);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    assert!(fs::read_dir(&regles).unwrap().flatten().any(|f| {
        f.file_name()
            .to_string_lossy()
            .starts_with("alertes.yml.bak.")
    }));
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn port_9093_taken_then_alertmanager_not_starting() {
    let _bench = Bench::take("port_9093_taken_then_alertmanager_not_starting");
    let mut s = Stack::new("alertes-panne");
    s.set("JOURNAL_GRAFANA_COM_URL", "http://127.0.0.1:9");
    s.journal().args(["run", "partie-6"]).run().expect_code(0);

    let holder = std::net::TcpListener::bind("0.0.0.0:9093").expect("port 9093 libre pour le test");
    let taken = s.journal().args(["run", PART]).run();
    taken.expect_code(1);
    assert!(
        taken
            .stderr
            .contains("le port 9093 de l'hôte est déjà utilisé"),
        "{taken}"
    );
    assert!(taken.stderr.contains("« 9094:9093 »"), "{taken}");
    assert_eq!(
        step_status(&latest_run(&s.projet), "alert-rules"),
        StepStatus::Skipped
    );
    drop(holder);

    // An image whose Alertmanager crashes: the failure names it, with its logs.
    s.set("JOURNAL_IMAGE_ALERTMANAGER", IMAGE_CRASHLOOP);
    let out = s.journal().args(["run", PART]).run();
    out.expect_code(1);
    assert!(out.stderr.contains("Alertmanager ne démarre pas"), "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "alertmanager-up"), StepStatus::Failed);
    assert_eq!(step_status(&e, "alerting-check"), StepStatus::Skipped);
    assert!(
        e.body.contains("fixture crash"),
        "journaux du conteneur\n{}",
        e.body
    );
    // amtool is absent from that image: said, not hidden.
    assert!(
        e.body.contains("amtool n'a pas pu être lancé"),
        "{}",
        e.body
    );
}
