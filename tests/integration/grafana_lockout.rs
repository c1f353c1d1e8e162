//! The « never loop » rule across runs, on the Docker bench: when someone
//! changed Grafana's admin password in the UI, runs in a row make at most two
//! rejected logins in all (Grafana locks `admin` after 5 in 5 minutes), say
//! how long to wait, and `--reinitialiser-grafana` recovers through the
//! container's `grafana cli`, without writing the value anywhere.

use std::fs;
use std::process::Command;

use journal::adapters::grafana::{AuthOutcome, Credentials, GrafanaApi, HttpGrafana};
use journal::secrets::Secret;
use journal::store::{self, StepStatus};

use crate::bench::{Bench, GrafanaCom, Stack};
use crate::support::walk;

const UI_PASSWORD: &str = "Change-dans-l-interface-2026";

fn grafana_logs_since(since: &str) -> String {
    let logs = Command::new("docker")
        .args(["logs", "--since", since, "grafana"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&logs.stdout).to_string() + &String::from_utf8_lossy(&logs.stderr)
}

fn login(password: &str) -> AuthOutcome {
    let api = HttpGrafana::new("http://localhost:8084", None).unwrap();
    api.authenticate(&Credentials::admin(Secret::new(password)))
        .unwrap()
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn three_runs_against_a_changed_password_never_lock_the_account() {
    let _bench = Bench::take("three_runs_against_a_changed_password_never_lock_the_account");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("verrouillage");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    s.journal().args(["run", "partie-6"]).run().expect_code(0);
    let wanted = fs::read_to_string(s.projet.path().join(".journal-secrets/grafana-admin"))
        .unwrap()
        .trim()
        .to_string();

    // Someone changes the password in Grafana's UI.
    let api = HttpGrafana::new("http://localhost:8084", None).unwrap();
    api.change_password(
        "admin",
        &Secret::new(wanted.clone()),
        &Secret::new(UI_PASSWORD),
    )
    .unwrap();

    let since = chrono::Utc::now().timestamp().to_string();
    let mut outs = Vec::new();
    for _ in 0..3 {
        let out = s.journal().args(["run", "partie-6"]).run();
        out.expect_code(1);
        outs.push(out);
    }
    let refused = grafana_logs_since(&since)
        .lines()
        .filter(|l| l.contains("status=401"))
        .count();
    assert!(
        refused <= 2,
        "{refused} connexions refusées en trois exécutions"
    );
    assert_eq!(login(UI_PASSWORD), AuthOutcome::Valid, "compte bloqué");
    assert!(
        outs[1].stderr.contains("aucune connexion n'a été tentée"),
        "{}",
        outs[1]
    );
    assert!(
        outs[2].stderr.contains("--reinitialiser-grafana"),
        "{}",
        outs[2]
    );
    assert!(
        outs[2].stderr.contains("ne le réessaiera pas avant"),
        "{}",
        outs[2]
    );
    let refusals =
        fs::read_to_string(s.projet.path().join(".journal-secrets/grafana-refus.json")).unwrap();
    assert!(!refusals.contains(&wanted) && !refusals.contains(UI_PASSWORD));

    // Recovery through the container, then everything is back to normal.
    let reset = s
        .journal()
        .args(["run", "partie-6", "--reinitialiser-grafana"])
        .run();
    reset.expect_code(0);
    assert_eq!(login(&wanted), AuthOutcome::Valid);
    let (entries, _) = store::Store::new(s.projet.journal_dir()).load().unwrap();
    let last = entries.last().unwrap();
    let step = last
        .front
        .etapes
        .iter()
        .find(|st| st.id == "grafana-password")
        .unwrap();
    assert_eq!(step.statut, StepStatus::Succeeded);
    assert!(
        last.body.contains("réinitialisé dans le conteneur"),
        "{}",
        last.body
    );
    for f in walk(&s.projet.journal_dir()) {
        let text = String::from_utf8_lossy(&fs::read(&f).unwrap()).to_string();
        assert!(!text.contains(&wanted), "mot de passe dans {}", f.display());
        assert!(
            !text.contains(UI_PASSWORD),
            "mot de passe dans {}",
            f.display()
        );
    }
    for out in outs.iter().chain([&reset]) {
        assert!(!out.stdout.contains(&wanted) && !out.stderr.contains(&wanted));
    }
    s.journal().args(["run", "partie-6"]).run().expect_code(0);
}
