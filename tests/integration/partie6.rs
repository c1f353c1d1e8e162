//! `journal run partie-6` end to end on the real Docker bench: real engine,
//! real Compose, real Prometheus; Grafana and cAdvisor stand-ins (test
//! fixtures, tests/bench/). Each test takes the bench lock and tears its
//! stack down.

use std::fs;
use std::process::Command;

use journal::store::{self, Status, StepStatus};

use crate::bench::{
    Bench, GrafanaCom, IMAGE_CADVISOR, IMAGE_CADVISOR_UNNAMED, IMAGE_CRASHLOOP, IMAGE_GRAFANA,
    IMAGE_PROMETHEUS, Stack,
};
use crate::support::{Outcome, Projet, latest_run, step_status, walk};

/// Lines of `before` all present, in order, in `after`, and nothing removed.
fn only_insertions(before: &str, after: &str) {
    let diff = similar::TextDiff::from_lines(before, after);
    for op in diff.ops() {
        assert!(
            !matches!(
                op.tag(),
                similar::DiffTag::Delete | similar::DiffTag::Replace
            ),
            "le fichier Compose a perdu ou modifié des lignes : {op:?}\n{}",
            diff.unified_diff()
        );
    }
    // Byte-identical untouched parts: the original is a subsequence.
    let mut rest = after;
    for line in before.split_inclusive('\n') {
        let i = rest
            .find(line)
            .unwrap_or_else(|| panic!("ligne perdue : {line:?}"));
        rest = &rest[i + line.len()..];
    }
}

fn grafana_password(p: &Projet) -> String {
    fs::read_to_string(p.path().join(".journal-secrets/grafana-admin"))
        .expect("mot de passe Grafana conservé")
        .trim()
        .to_string()
}

fn assert_secret_absent(secret: &str, p: &Projet, outputs: &[&Outcome]) {
    assert!(secret.len() >= 16, "mot de passe trop court");
    for dir in [p.journal_dir(), p.path().join("book")] {
        if !dir.is_dir() {
            continue;
        }
        for f in walk(&dir) {
            if let Ok(text) = fs::read(&f) {
                let text = String::from_utf8_lossy(&text);
                assert!(
                    !text.contains(secret),
                    "mot de passe trouvé dans {}",
                    f.display()
                );
            }
        }
    }
    for o in outputs {
        assert!(
            !o.stdout.contains(secret) && !o.stderr.contains(secret),
            "mot de passe dans la sortie"
        );
    }
}

fn datasource_count(password: &str) -> usize {
    let client = reqwest::blocking::Client::new();
    let list: serde_json::Value = client
        .get("http://localhost:8084/api/datasources")
        .basic_auth("admin", Some(password))
        .send()
        .unwrap()
        .json()
        .unwrap();
    list.as_array().map(Vec::len).unwrap_or(0)
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn full_run_then_second_run_changes_nothing() {
    let _bench = Bench::take("full_run_then_second_run_changes_nothing");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("complet");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    let original = fs::read_to_string(s.compose_file()).unwrap();

    let first = s.journal().args(["run", "partie-6"]).run();
    first.expect_code(0);
    // Not a terminal: one plain line per step, then the summary table.
    assert!(
        first.stderr.contains("[1/12] Vérifications préalables"),
        "{first}"
    );
    assert!(
        first
            .stderr
            .contains("Étape 2 : services dans docker-compose.yml : réussi"),
        "{first}"
    );
    assert!(
        first.stderr.contains("étape") && first.stderr.contains("durée totale"),
        "{first}"
    );
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Succeeded, "{first}");
    assert!(e.front.duree_ms.is_some());
    // The bench's stand-in images are named loudly, on the terminal and in
    // the journal: a bench run can never be mistaken for a real one.
    assert!(first.stderr.contains("BANC D'ESSAI"), "{first}");
    assert!(
        e.body.contains("BANC D'ESSAI") && e.body.contains("local/grafana-standin:bench"),
        "{}",
        e.body
    );
    for st in &e.front.etapes {
        assert_eq!(
            st.statut,
            StepStatus::Succeeded,
            "étape {} : {:?}\n{}",
            st.id,
            st.statut,
            e.body
        );
    }
    // Steps 1–3.
    let after = fs::read_to_string(s.compose_file()).unwrap();
    only_insertions(&original, &after);
    for svc in [
        "prometheus:",
        "grafana:",
        "cadvisor:",
        "prometheus_data:",
        "grafana_data:",
    ] {
        assert!(after.contains(svc), "{svc} absent");
    }
    s.compose(&["config", "-q"]);
    assert!(
        s.projet
            .path()
            .join("compose/config/prometheus/prometheus.yml")
            .is_file()
    );
    let ids = s.container_ids();
    let services: Vec<&str> = ids.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(services, ["cadvisor", "grafana", "prometheus"], "{ids:?}");
    assert!(e.body.contains("Début"), "horodatages absents");
    // Step 3: the containers table has one row per service, with the bench's image.
    for (service, image) in [
        ("prometheus", IMAGE_PROMETHEUS),
        ("grafana", IMAGE_GRAFANA),
        ("cadvisor", IMAGE_CADVISOR),
    ] {
        let row = format!("| {service} | {image} | {service} | ");
        assert!(
            e.body.contains(&row),
            "ligne « {row} » absente :\n{}",
            e.body
        );
    }
    // Step 4: both targets up, container_* metrics.
    assert!(
        e.body.contains("cadvisor:8080"),
        "cible cadvisor absente du journal"
    );
    assert!(
        e.body.contains("container_cpu_usage_seconds_total"),
        "métriques container_* absentes"
    );
    // Step 5: data source healthy, dashboard imported, snapshot chart.
    assert!(
        e.body.contains("Successfully queried the Prometheus API"),
        "source de données non testée"
    );
    assert!(
        e.body.contains("Cadvisor exporter"),
        "tableau de bord absent du journal"
    );
    assert!(
        walk(&s.projet.journal_dir())
            .iter()
            .any(|f| f.extension().is_some_and(|x| x == "svg")),
        "graphique SVG absent"
    );
    // The chart and its narrow variant for a phone, only the first linked.
    let run = e.id();
    for suffix in ["ressources.svg", "ressources-etroit.svg"] {
        let f = s.projet.journal_dir().join(format!("{run}-{suffix}"));
        assert!(f.is_file(), "{} absent", f.display());
    }
    assert!(
        e.body.contains(&format!("({run}-ressources.svg)")),
        "{}",
        e.body
    );
    assert!(!e.body.contains("ressources-etroit"), "{}", e.body);
    assert!(
        s.projet
            .journal_dir()
            .join("documentation/partie-6.md")
            .is_file()
    );
    let password = grafana_password(&s.projet);
    assert_eq!(datasource_count(&password), 1);

    // Second run: everything already done, no container recreated.
    let second = s.journal().args(["run", "partie-6"]).run();
    second.expect_code(0);
    let e2 = latest_run(&s.projet);
    assert_ne!(e2.path, e.path);
    for st in &e2.front.etapes {
        assert_eq!(
            st.statut,
            StepStatus::AlreadyDone,
            "étape {} au second passage\n{}",
            st.id,
            e2.body
        );
    }
    assert_eq!(s.container_ids(), ids, "des conteneurs ont été recréés");
    assert_eq!(fs::read_to_string(s.compose_file()).unwrap(), after);
    assert_eq!(
        datasource_count(&password),
        1,
        "source de données en double"
    );
    assert_eq!(
        grafana_password(&s.projet),
        password,
        "le mot de passe conservé a changé"
    );

    // The book holds the part's documentation page.
    let build = s.journal().args(["build", "--strict"]).run();
    build.expect_code(0);
    let html = walk(&s.projet.html());
    assert!(
        html.iter()
            .any(|f| f.to_string_lossy().contains("documentation")
                && f.extension().is_some_and(|x| x == "html")),
        "page de documentation absente du livre"
    );
    assert_secret_absent(&password, &s.projet, &[&first, &second, &build]);
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn dry_run_changes_nothing() {
    let _bench = Bench::take("dry_run_changes_nothing");
    let s = Stack::new("simulation");
    let before = fs::read(s.compose_file()).unwrap();
    let out = s.journal().args(["run", "partie-6", "--dry-run"]).run();
    out.expect_code(0);
    assert!(
        out.stdout.contains("+  prometheus:"),
        "le plan doit montrer la différence\n{out}"
    );
    assert_eq!(fs::read(s.compose_file()).unwrap(), before);
    assert!(!s.projet.path().join("compose/config").exists());
    assert!(
        s.projet.entry_files().is_empty(),
        "une simulation n'écrit pas d'entrée"
    );
    assert!(s.container_ids().is_empty());
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn port_9090_held_by_another_process() {
    let _bench = Bench::take("port_9090_held_by_another_process");
    let holder = std::net::TcpListener::bind("0.0.0.0:9090").expect("port 9090 libre pour le test");
    let s = Stack::new("port-pris");
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_eq!(out.code, 1, "{out}");
    assert!(out.stderr.contains("port 9090"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Failed);
    assert_eq!(step_status(&e, "preflight"), StepStatus::Failed);
    assert_eq!(step_status(&e, "compose-up"), StepStatus::Skipped);
    assert!(s.container_ids().is_empty(), "rien ne doit démarrer");
    drop(holder);
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn restart_loop_is_reported_with_logs() {
    let _bench = Bench::take("restart_loop_is_reported_with_logs");
    let mut s = Stack::new("boucle");
    s.set("JOURNAL_IMAGE_CADVISOR", IMAGE_CRASHLOOP);
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_eq!(out.code, 1, "{out}");
    assert!(out.stderr.contains("redémarre en boucle"), "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "containers"), StepStatus::Failed);
    assert!(
        e.body.contains("fixture crash"),
        "les journaux du conteneur doivent figurer dans l'entrée\n{}",
        e.body
    );
}

#[test]
fn an_image_without_tag_is_refused_before_anything_is_deployed() {
    // Refused by the preflight before the engine is even asked: no bench.
    let p = Projet::fixture("projet-partie6");
    let compose_before = fs::read(p.path().join("compose/docker-compose.yml")).unwrap();
    let out = p
        .journal()
        .env("JOURNAL_IMAGE_CADVISOR", "gcr.io/cadvisor/cadvisor")
        .env("NO_COLOR", "1")
        .args(["run", "partie-6"])
        .run();
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr.contains("n'a pas d'étiquette de version"),
        "{out}"
    );
    assert!(out.stderr.contains("aide :"), "{out}");
    assert!(out.stderr.contains("JOURNAL_IMAGE_CADVISOR"), "{out}");
    assert_eq!(
        fs::read(p.path().join("compose/docker-compose.yml")).unwrap(),
        compose_before
    );
    assert!(!p.path().join("compose/config/prometheus").exists());
    let e = latest_run(&p);
    assert_eq!(step_status(&e, "preflight"), StepStatus::Failed);
    assert_eq!(step_status(&e, "prometheus-config"), StepStatus::Skipped);
}

#[test]
fn an_engine_only_docker_compose_could_reach_is_refused_up_front() {
    // `DOCKER_HOST=ssh://…`: `docker compose` would act on the remote engine
    // while the API client cannot; refused before anything (exit 3).
    let p = Projet::fixture("projet-partie6");
    let compose_before = fs::read(p.path().join("compose/docker-compose.yml")).unwrap();
    let out = p
        .journal()
        .env("DOCKER_HOST", "ssh://ops@prod.example")
        .env("NO_COLOR", "1")
        .args(["run", "partie-6"])
        .run();
    assert_eq!(out.code, 3, "{out}");
    assert!(
        out.stderr.contains("ssh://ops@prod.example (DOCKER_HOST)"),
        "{out}"
    );
    assert!(out.stderr.contains("aide :"), "{out}");
    assert_eq!(
        fs::read(p.path().join("compose/docker-compose.yml")).unwrap(),
        compose_before
    );
    let e = latest_run(&p);
    assert_eq!(step_status(&e, "preflight"), StepStatus::Failed);
    assert_eq!(
        e.front.origine.moteur_docker.as_deref(),
        Some("ssh://ops@prod.example")
    );
}

#[test]
fn the_current_docker_context_is_the_engine_used_and_recorded() {
    // `docker context use prod` (metadata store under DOCKER_CONFIG): the API
    // client goes to the context's endpoint — here a socket that does not
    // exist, so exit 3 naming it — and the journal records that engine.
    let p = Projet::fixture("projet-partie6");
    let config = tempfile::tempdir().unwrap();
    let meta = config
        .path()
        .join("contexts/meta")
        .join(journal::adapters::engine_endpoint::context_dir_name("prod"));
    fs::create_dir_all(&meta).unwrap();
    fs::write(
        meta.join("meta.json"),
        r#"{"Name":"prod","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///nonexistent/prod.sock","SkipTLSVerify":false}}}"#,
    )
    .unwrap();
    fs::write(
        config.path().join("config.json"),
        r#"{"currentContext":"prod"}"#,
    )
    .unwrap();
    let out = p
        .journal()
        .env("DOCKER_CONFIG", config.path().to_str().unwrap())
        .env("DOCKER_HOST", "")
        .env("DOCKER_CONTEXT", "")
        .env("NO_COLOR", "1")
        .args(["run", "partie-6"])
        .run();
    assert_eq!(out.code, 3, "{out}");
    let engine = "unix:///nonexistent/prod.sock (contexte « prod », docker context use)";
    assert!(out.stderr.contains(engine), "{out}");
    let e = latest_run(&p);
    assert_eq!(
        e.front.origine.moteur_docker.as_deref(),
        Some("unix:///nonexistent/prod.sock (contexte « prod »)")
    );
}

#[test]
fn an_unknown_docker_context_is_exit_2_with_a_hint() {
    let p = Projet::fixture("projet-partie6");
    let config = tempfile::tempdir().unwrap();
    fs::write(
        config.path().join("config.json"),
        r#"{"currentContext":"fantome"}"#,
    )
    .unwrap();
    let out = p
        .journal()
        .env("DOCKER_CONFIG", config.path().to_str().unwrap())
        .env("NO_COLOR", "1")
        .args(["run", "partie-6"])
        .run();
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("contexte Docker « fantome »"), "{out}");
    assert!(out.stderr.contains("docker context ls"), "{out}");
    assert!(!p.path().join("compose/config/prometheus").exists());
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn strict_refuses_a_known_incompatibility_before_deploying() {
    let _bench = Bench::take("strict_refuses_a_known_incompatibility_before_deploying");
    // A tag only ghcr.io publishes, asked on the tutorial's gcr.io path
    // (google/cadvisor#3807): known not to work, whatever the engine.
    let mut s = Stack::new("strict");
    s.set("JOURNAL_IMAGE_CADVISOR", "gcr.io/cadvisor/cadvisor:v0.60.5");
    let compose_before = fs::read(s.compose_file()).unwrap();
    let out = s.journal().args(["run", "partie-6", "--strict"]).run();
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("--strict"), "{out}");
    assert!(out.stderr.contains("google/cadvisor#3807"), "{out}");
    assert!(out.stderr.contains("ghcr.io/google/cadvisor:"), "{out}");
    assert_eq!(fs::read(s.compose_file()).unwrap(), compose_before);
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "preflight"), StepStatus::Failed);
    assert_eq!(step_status(&e, "prometheus-config"), StepStatus::Skipped);
    assert!(
        e.body.contains("| Compatibilité moteur / cAdvisor |"),
        "{}",
        e.body
    );
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn cadvisor_seeing_only_unnamed_cgroups_fails_step_4_with_the_fix() {
    let _bench = Bench::take("cadvisor_seeing_only_unnamed_cgroups_fails_step_4_with_the_fix");
    // What cAdvisor v0.47.2 exports on Docker Engine 29: `container_*` series
    // for `/system.slice/docker-<id>.scope` cgroups, none with a `name`.
    let mut s = Stack::new("cadvisor-sans-noms");
    s.set("JOURNAL_IMAGE_CADVISOR", IMAGE_CADVISOR_UNNAMED);
    s.set("JOURNAL_DELAI_CIBLES", "20");
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stderr
            .contains("aucune série container_* ne porte le nom"),
        "{out}"
    );
    assert!(out.stderr.contains("ghcr.io/google/cadvisor:"), "{out}");
    assert!(out.stderr.contains("JOURNAL_IMAGE_CADVISOR"), "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Failed);
    assert_eq!(step_status(&e, "prometheus-targets"), StepStatus::Succeeded);
    assert_eq!(step_status(&e, "container-metrics"), StepStatus::Failed);
    assert_eq!(step_status(&e, "grafana-password"), StepStatus::Skipped);
    assert!(
        e.body.contains("cgroups sans nom") && e.body.contains("ghcr.io/google/cadvisor:"),
        "l'entrée doit dire la cause et le remède\n{}",
        e.body
    );
    // The versions the run depended on: engine and API, Compose, and per
    // service the image asked for and the one actually running.
    assert!(e.body.contains("| Moteur Docker |"), "{}", e.body);
    assert!(e.body.contains("(API 1."), "{}", e.body);
    assert!(e.body.contains("| API minimale du moteur |"), "{}", e.body);
    assert!(e.body.contains("| Docker Compose |"), "{}", e.body);
    assert!(e.body.contains("Images en service"), "{}", e.body);
    assert!(
        e.body.contains(&format!(
            "| cadvisor | `{IMAGE_CADVISOR_UNNAMED}` | `sha256:"
        )),
        "{}",
        e.body
    );
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn cadvisor_not_answering_fails_targets_with_real_last_error() {
    let _bench = Bench::take("cadvisor_not_answering_fails_targets_with_real_last_error");
    // A container that runs but serves nothing on 8080 (the Grafana stand-in
    // listens on 3000): Prometheus really fails to scrape it.
    let mut s = Stack::new("cadvisor-muet");
    s.set("JOURNAL_IMAGE_CADVISOR", IMAGE_GRAFANA);
    s.set("JOURNAL_DELAI_CIBLES", "25");
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_eq!(out.code, 1, "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "prometheus-targets"), StepStatus::Failed);
    assert!(
        e.body.contains("connection refused") || e.body.contains("connect:"),
        "lastError réel attendu\n{}",
        e.body
    );
    assert!(out.stderr.contains("cadvisor"), "{out}");
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn wrong_stored_password_fails_once_without_lockout() {
    let _bench = Bench::take("wrong_stored_password_fails_once_without_lockout");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("mauvais-mdp");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    let first = s.journal().args(["run", "partie-6"]).run();
    first.expect_code(0);
    let real = grafana_password(&s.projet);
    let secret_file = s.projet.path().join(".journal-secrets/grafana-admin");
    fs::write(&secret_file, "Faux-mot-de-passe-2026\n").unwrap();
    let since = chrono::Utc::now().timestamp().to_string();
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_ne!(out.code, 0, "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "grafana-password"), StepStatus::Failed);
    assert!(out.stderr.contains("Grafana"), "{out}");
    let logs = Command::new("docker")
        .args(["logs", "--since", &since, "grafana"])
        .output()
        .unwrap();
    let logs =
        String::from_utf8_lossy(&logs.stdout).to_string() + &String::from_utf8_lossy(&logs.stderr);
    let failures = logs.lines().filter(|l| l.contains("status=401")).count();
    assert!(
        (1..=2).contains(&failures),
        "tentatives refusées : {failures}\n{logs}"
    );
    // Not locked: the real password still works.
    assert_eq!(datasource_count(&real), 1);
    assert!(
        !out.stderr.contains("Faux-mot-de-passe-2026")
            && !e.body.contains("Faux-mot-de-passe-2026")
    );
    assert_secret_absent(&real, &s.projet, &[&first, &out]);
    assert_secret_absent("Faux-mot-de-passe-2026", &s.projet, &[&out]);
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn grafana_com_unreachable_imports_the_shipped_dashboard() {
    let _bench = Bench::take("grafana_com_unreachable_imports_the_shipped_dashboard");
    let mut s = Stack::new("hors-ligne");
    s.set("JOURNAL_GRAFANA_COM_URL", &GrafanaCom::unreachable());
    let out = s.journal().args(["run", "partie-6"]).run();
    out.expect_code(0);
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "grafana-dashboard"), StepStatus::Succeeded);
    assert!(e.body.contains("grafana.com"), "{}", e.body);
    assert!(
        e.body.contains("journal-cadvisor"),
        "le tableau de bord fourni doit être nommé\n{}",
        e.body
    );
    assert_secret_absent(&grafana_password(&s.projet), &s.projet, &[&out]);
}

#[test]
fn bad_compose_file_is_left_untouched() {
    // Needs no Docker: the syntax is checked before anything else.
    let p = Projet::fixture("projet-partie6");
    let file = p.path().join("compose/docker-compose.yml");
    let bad = "services:\n  zammad:\n    image: [unclosed\n";
    fs::write(&file, bad).unwrap();
    let out = p
        .journal()
        .args(["run", "partie-6"])
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("docker-compose.yml"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    assert_eq!(fs::read_to_string(&file).unwrap(), bad);
    let e = latest_run(&p);
    assert_eq!(e.front.statut, Status::Failed);
    assert_eq!(step_status(&e, "preflight"), StepStatus::Failed);
}

#[test]
fn docker_engine_down_is_exit_3_and_recorded() {
    let p = Projet::fixture("projet-partie6");
    let file = p.path().join("compose/docker-compose.yml");
    let before = fs::read(&file).unwrap();
    let out = p
        .journal()
        .args(["run", "partie-6"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(out.code, 3, "{out}");
    assert!(out.stderr.contains("moteur Docker"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    assert_eq!(fs::read(&file).unwrap(), before);
    assert_eq!(
        step_status(&latest_run(&p), "preflight"),
        StepStatus::Failed
    );
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn compose_missing_is_exit_3() {
    let _bench = Bench::take("compose_missing_is_exit_3");
    let s = Stack::new("sans-compose");
    let empty_bin = tempfile::tempdir().unwrap();
    let out = s
        .journal()
        .args(["run", "partie-6"])
        .env("PATH", empty_bin.path())
        .run();
    assert_eq!(out.code, 3, "{out}");
    assert!(out.stderr.contains("Compose"), "{out}");
    assert!(s.container_ids().is_empty());
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn read_only_compose_file_is_refused() {
    let _bench = Bench::take("read_only_compose_file_is_refused");
    use std::os::unix::fs::PermissionsExt;
    let s = Stack::new("lecture-seule");
    let file = s.compose_file();
    let before = fs::read(&file).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).unwrap();
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("lecture seule"), "{out}");
    assert_eq!(fs::read(&file).unwrap(), before);
    assert_eq!(
        step_status(&latest_run(&s.projet), "compose-services"),
        StepStatus::Failed
    );
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn ctrl_c_marks_the_entry_interrupted() {
    let _bench = Bench::take("ctrl_c_marks_the_entry_interrupted");
    // cAdvisor that never answers: the targets step waits, and is interrupted.
    let mut s = Stack::new("interruption");
    s.set("JOURNAL_IMAGE_CADVISOR", IMAGE_GRAFANA);
    s.set("JOURNAL_DELAI_CIBLES", "120");
    let child = s.journal().args(["run", "partie-6"]).spawn();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let waiting = store::Store::new(s.projet.journal_dir())
            .load()
            .map(|(entries, _)| {
                entries.iter().any(|e| {
                    e.front
                        .etapes
                        .iter()
                        .any(|st| st.id == "prometheus-targets")
                })
            })
            .unwrap_or(false);
        if waiting {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "l'étape des cibles n'a jamais commencé"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait();
    assert_eq!(out.code, 130, "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Interrupted, "{}", e.body);
    assert_eq!(
        step_status(&e, "prometheus-targets"),
        StepStatus::Interrupted
    );
    assert_eq!(step_status(&e, "containers"), StepStatus::Succeeded);
    assert!(e.body.contains("interrompu"), "{}", e.body);
}

/// Switches a fault on in the running Grafana stand-in (see tests/bench/README.md).
fn grafana_fault(kind: &str) {
    let f = tempfile::NamedTempFile::new().unwrap();
    fs::write(f.path(), kind).unwrap();
    let ok = Command::new("docker")
        .arg("cp")
        .arg(f.path())
        .arg("grafana:/var/lib/grafana/standin-fault")
        .status()
        .unwrap();
    assert!(ok.success(), "docker cp du défaut {kind}");
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn grafana_500_and_never_ready_fail_with_hints() {
    let _bench = Bench::take("grafana_500_and_never_ready_fail_with_hints");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("grafana-panne");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    let first = s.journal().args(["run", "partie-6"]).run();
    first.expect_code(0);
    let compose_before = fs::read(s.compose_file()).unwrap();

    // A Grafana that answers 500 to every authenticated call.
    grafana_fault("500");
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_ne!(out.code, 0, "{out}");
    assert!(out.stderr.contains("500"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Failed);
    assert_eq!(step_status(&e, "grafana-password"), StepStatus::Failed);
    assert_eq!(step_status(&e, "grafana-datasource"), StepStatus::Skipped);

    // A Grafana that never becomes ready: the wait is bounded.
    grafana_fault("never-ready");
    s.set("JOURNAL_DELAI_DEMARRAGE", "4");
    let out = s.journal().args(["run", "partie-6"]).run();
    assert_ne!(out.code, 0, "{out}");
    assert!(out.stderr.contains("Grafana"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "grafana-password"), StepStatus::Failed);
    assert_eq!(
        fs::read(s.compose_file()).unwrap(),
        compose_before,
        "rien d'autre ne change"
    );
    assert_secret_absent(&grafana_password(&s.projet), &s.projet, &[&first, &out]);
}
