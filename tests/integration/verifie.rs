//! `journal verifie` without the Docker bench: bad input (no part ever
//! applied, unknown part: exit 2) and services that cannot be reached
//! (exit 3), recorded once in the journal and not again while nothing
//! changes. Drift against fakes is tested in `steps::verify` and
//! `cmd::verifie::state`.

use crate::support::Projet;

#[test]
fn no_part_ever_applied_is_exit_2_and_says_what_to_run() {
    let p = Projet::fixture("journal-ancre-cassee");
    let o = p.journal().arg("verifie").run();
    o.expect_code(2);
    assert!(o.stderr.contains("aucune partie n'a encore réussi"), "{o}");
    assert!(o.stderr.contains("journal run partie-6"), "{o}");
    let o = p.journal().args(["verifie", "partie-6"]).run();
    o.expect_code(2);
    assert!(o.stderr.contains("la partie-6 n'a jamais réussi"), "{o}");
    assert!(!p.path().join("verifications").exists(), "rien n'est écrit");
}

#[test]
fn an_unknown_part_is_exit_2() {
    let p = Projet::fixture("journal-exemple");
    let o = p.journal().args(["verifie", "partie-9"]).run();
    o.expect_code(2);
    assert!(o.stderr.contains("partie inconnue « partie-9 »"), "{o}");
}

#[test]
fn unreachable_services_are_exit_3_recorded_once() {
    let p = Projet::fixture("journal-exemple");
    let before = p.entry_files().len();
    let verify = || {
        p.journal()
            .arg("verifie")
            .env("DOCKER_HOST", "unix:///nulle-part/docker.sock")
            .env("JOURNAL_PROMETHEUS_URL", "http://127.0.0.1:9")
            .env("JOURNAL_GRAFANA_URL", "http://127.0.0.1:9")
            .env("JOURNAL_GRAFANA_PASSWORD", "mot-de-passe-de-test")
            .run()
    };
    let o = verify();
    o.expect_code(3);
    assert!(o.stderr.contains("injoignable"), "{o}");
    assert!(
        !o.stdout.contains("mot-de-passe-de-test") && !o.stderr.contains("mot-de-passe-de-test")
    );
    assert_eq!(
        p.entry_files().len(),
        before + 1,
        "le changement d'état est consigné"
    );
    verify().expect_code(3);
    assert_eq!(
        p.entry_files().len(),
        before + 1,
        "même état : aucune entrée de plus"
    );
    let state = std::fs::read_to_string(p.path().join("verifications/etat.json")).unwrap();
    assert!(state.contains("\"partie-6\""), "{state}");
    assert!(!state.contains("mot-de-passe-de-test"));
}
