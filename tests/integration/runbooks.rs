//! Project parts written as Markdown runbooks (`parties/*.md`): listed by
//! `journal parties`, checked by `journal check`, planned by
//! `journal run <id> --dry-run` — and never executed by any of these.

use crate::support::Projet;

/// A runbook whose command would leave `marqueur` in the project if it ran.
const RUNBOOK: &str = r#"---
id: partie-7-essai
titre: "Essai : un runbook du projet"
requiert: [partie-6]
parametres:
  image_essai:
    defaut: "exemple/essai:1.0"
    role: "image de l'essai"
---

# Un essai

## Le fichier

```yaml journal:fichier chemin=compose/config/essai.yml
image: {{ image_essai }}
```

## La commande

```bash journal:commande deja_fait="test -f marqueur" delai=5
touch marqueur
```

## La vérification

```yaml journal:promql
requete: up{job="essai"}
```
"#;

fn project_with(files: &[(&str, &str)]) -> Projet {
    let p = Projet::empty();
    for (name, text) in files {
        let path = p.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    p
}

#[test]
fn parties_lists_built_in_and_project_parts() {
    let p = project_with(&[("parties/essai.md", RUNBOOK)]);
    let out = p.journal().arg("parties").run();
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("id "), "{out}");
    assert!(lines[2].starts_with("partie-6 "), "{out}");
    assert!(lines[3].starts_with("partie-6-alertes "), "{out}");
    assert!(lines[4].starts_with("partie-6-hote "), "{out}");
    assert!(lines[4].contains("intégrée (runbook)"), "{out}");
    assert!(lines[5].starts_with("partie-7-essai "), "{out}");
    assert!(lines[5].contains("parties/essai.md"), "{out}");
    assert!(lines[5].contains("jamais"), "{out}");
    assert!(!p.path().join("marqueur").exists());
}

#[test]
fn dry_run_of_a_project_part_shows_the_plan_and_touches_nothing() {
    let p = project_with(&[
        ("parties/essai.md", RUNBOOK),
        ("journal.toml", "image_essai = \"registre.local/essai:2\"\n"),
    ]);
    let out = p
        .journal()
        .args(["run", "partie-7-essai", "--dry-run"])
        .run();
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("image_essai  registre.local/essai:2  journal.toml (« image_essai »)"),
        "{out}"
    );
    assert!(
        out.stdout
            .contains("écrire `compose/config/essai.yml` (1 lignes)"),
        "{out}"
    );
    assert!(
        out.stdout
            .contains("lancer `touch marqueur`, sauf si `test -f marqueur` réussit, 5 s au plus"),
        "{out}"
    );
    assert!(out.stdout.contains("parties/essai.md:21"), "{out}");
    assert!(
        out.stderr.contains("la partie-6 n'a jamais réussi"),
        "{out}"
    );
    assert!(out.stderr.contains("rien n'a été modifié"), "{out}");
    // The variable wins over journal.toml.
    let out = p
        .journal()
        .args(["run", "partie-7-essai", "--dry-run"])
        .env("JOURNAL_IMAGE_ESSAI", "autre/essai:3")
        .run();
    assert!(
        out.stdout.contains("autre/essai:3  JOURNAL_IMAGE_ESSAI"),
        "{out}"
    );
    // Nothing written, nothing run.
    assert!(!p.path().join("marqueur").exists());
    assert!(!p.path().join("compose").exists());
    assert!(!p.path().join("journal").exists());
}

#[test]
fn a_requirement_never_run_stops_the_run_before_anything() {
    let p = project_with(&[("parties/essai.md", RUNBOOK)]);
    let out = p.journal().args(["run", "partie-7-essai"]).run();
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("parties/essai.md:4: la partie-6 n'a jamais réussi"),
        "{out}"
    );
    assert!(
        out.stderr
            .contains("aide : lancez d'abord « journal run partie-6 »"),
        "{out}"
    );
    assert!(!p.path().join("marqueur").exists());
    assert!(!p.path().join("journal").exists());
}

#[test]
fn check_reports_runbook_problems_with_file_and_line_and_runs_nothing() {
    let broken = RUNBOOK
        .replace("journal:promql", "journal:promq")
        .replace("chemin=compose/config/essai.yml", "");
    let p = project_with(&[("parties/essai.md", &broken)]);
    for cmd in [["check"].as_slice(), &["parties"], &["list"], &["build"]] {
        p.journal().args(cmd).run();
    }
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout.contains(
            "parties/essai.md:15: champ obligatoire « chemin » absent du bloc journal:fichier"
        ),
        "{out}"
    );
    assert!(
        out.stdout.contains("parties/essai.md:27: sorte de bloc inconnue « journal:promq » (aide : vouliez-vous dire « promql » ?"),
        "{out}"
    );
    assert!(
        !p.path().join("marqueur").exists(),
        "un runbook n'est exécuté que par journal run"
    );
    // `journal run` refuses it too, with its file and line.
    let out = p
        .journal()
        .args(["run", "partie-7-essai", "--dry-run"])
        .run();
    out.expect_code(2);
    assert!(out.stderr.contains("parties/essai.md:15: "), "{out}");
}

#[test]
fn a_project_part_may_not_shadow_a_built_in_one() {
    let shadow = RUNBOOK.replace("id: partie-7-essai", "id: partie-6");
    let p = project_with(&[("parties/ombre.md", &shadow)]);
    for args in [vec!["parties"], vec!["run", "partie-6", "--dry-run"]] {
        let out = p.journal().args(&args).run();
        out.expect_code(2);
        assert!(
            out.stderr
                .contains("parties/ombre.md:2: l'id « partie-6 » est celui d'une partie intégrée"),
            "{out}"
        );
    }
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout.contains("parties/ombre.md:2: l'id « partie-6 »"),
        "{out}"
    );
}

#[test]
fn partie_6_hote_is_a_built_in_runbook_with_a_plan() {
    let p = Projet::empty();
    let out = p
        .journal()
        .args(["run", "partie-6-hote", "--dry-run"])
        .env(
            "JOURNAL_IMAGE_NODE_EXPORTER",
            "registre.local/node-exporter:1",
        )
        .run();
    out.expect_code(0);
    assert!(
        out.stdout.contains(
            "image_node_exporter  registre.local/node-exporter:1  JOURNAL_IMAGE_NODE_EXPORTER"
        ),
        "{out}"
    );
    assert!(
        out.stdout
            .contains("journal:tableau-de-bord  importer le tableau de bord grafana.com 1860"),
        "{out}"
    );
    assert!(!p.path().join("compose").exists());
    // Its requirement never ran: refused before anything.
    let out = p.journal().args(["run", "partie-6-hote"]).run();
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("intégrée/partie-6-hote.md:4: la partie-6 n'a jamais réussi"),
        "{out}"
    );
}

#[test]
fn two_project_parts_may_not_share_an_id() {
    let p = project_with(&[("parties/a.md", RUNBOOK), ("parties/b.md", RUNBOOK)]);
    let out = p
        .journal()
        .args(["run", "partie-7-essai", "--dry-run"])
        .run();
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("parties/b.md:2: l'id « partie-7-essai » est déjà celui de parties/a.md"),
        "{out}"
    );
}

/// A runbook the engine can run without Docker: a file and a command.
const LOCAL: &str = r#"---
id: partie-locale
titre: "Une partie locale"
parametres:
  message: bonjour
---

## Le fichier

```text journal:fichier chemin=conf/message.txt
{{ message }}
```

## La commande

Elle laisse une trace, une seule fois.

```sh journal:commande deja_fait="test -f trace" attendu=fait
cp conf/message.txt trace && echo fait
```
"#;

#[test]
fn a_project_runbook_runs_for_real_then_says_already_done() {
    let p = project_with(&[("parties/locale.md", LOCAL)]);
    let out = p
        .journal()
        .args(["run", "partie-locale"])
        .env("JOURNAL_MESSAGE", "salut")
        .run();
    out.expect_code(0);
    assert_eq!(
        std::fs::read_to_string(p.path().join("trace")).unwrap(),
        "salut\n"
    );
    let entry = crate::support::latest_run(&p);
    assert_eq!(entry.front.partie.as_deref(), Some("partie-locale"));
    assert!(
        entry.body.contains("Elle laisse une trace"),
        "{}",
        entry.body
    );
    assert!(
        entry.body.contains("cp conf/message.txt trace"),
        "{}",
        entry.body
    );

    let out = p
        .journal()
        .args(["run", "partie-locale"])
        .env("JOURNAL_MESSAGE", "salut")
        .run();
    out.expect_code(0);
    let entry = crate::support::latest_run(&p);
    assert!(
        entry
            .front
            .etapes
            .iter()
            .all(|s| s.statut == journal::store::StepStatus::AlreadyDone),
        "{:?}",
        entry.front.etapes
    );
    let out = p.journal().arg("parties").run();
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("partie-locale") && l.ends_with("réussi")),
        "{out}"
    );
}

#[test]
fn blocks_not_executable_in_a_project_are_refused_before_anything() {
    // The steps of the built-in parts (`journal:integree`) rely on their own
    // preflight: refused in a project's runbook.
    let text = LOCAL.replace(
        "## La commande",
        "```text journal:integree etape=preflight\n```\n\n## La commande",
    );
    let p = project_with(&[("parties/locale.md", &text)]);
    let out = p.journal().args(["run", "partie-locale"]).run();
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("parties/locale.md:14: journal:integree"),
        "{out}"
    );
    assert!(!p.path().join("conf").exists());
    assert!(!p.path().join("journal").exists());
    let out = p.journal().arg("check").run();
    out.expect_code(1);
    assert!(
        out.stdout
            .contains("parties/locale.md:14: journal:integree est réservé")
            || out
                .stderr
                .contains("parties/locale.md:14: journal:integree est réservé"),
        "{out}"
    );
}

#[test]
fn a_command_output_is_masked_and_its_interruption_recorded() {
    use journal::store::{self, EntryKind, Status, StepStatus};
    use std::time::{Duration, Instant};
    let text = LOCAL
        .replace(
            "cp conf/message.txt trace && echo fait",
            "cat .journal-secrets/grafana-admin; echo fait",
        )
        .replace("deja_fait=\"test -f trace\" ", "");
    let p = project_with(&[
        ("parties/locale.md", &text),
        (".journal-secrets/grafana-admin", "Tr3s-S3cr3t-42\n"),
    ]);
    let out = p.journal().args(["run", "partie-locale"]).run();
    out.expect_code(0);
    let entry = crate::support::latest_run(&p);
    let raw = std::fs::read_to_string(&entry.path).unwrap();
    assert!(!raw.contains("Tr3s-S3cr3t-42"), "{raw}");
    assert!(raw.contains("••••••••"), "{raw}");
    assert!(!out.stdout.contains("Tr3s-S3cr3t-42") && !out.stderr.contains("Tr3s-S3cr3t-42"));

    // A long command stopped by SIGTERM: step and run « interrompu », 143.
    let slow = LOCAL.replace(
        "cp conf/message.txt trace && echo fait",
        "sleep 2; touch apres",
    );
    let p = project_with(&[("parties/locale.md", &slow)]);
    let child = p.journal().args(["run", "partie-locale"]).spawn();
    let deadline = Instant::now() + Duration::from_secs(20);
    let entry = loop {
        let (entries, _) = store::Store::new(p.journal_dir())
            .load()
            .unwrap_or_default();
        if let Some(e) = entries.into_iter().find(|e| {
            e.front.kind == EntryKind::Execution
                && e.front.etapes.iter().any(|s| s.id == "commande-1")
        }) {
            break e;
        }
        assert!(Instant::now() < deadline, "la commande n'a jamais commencé");
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(200));
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait();
    assert_eq!(out.code, 143, "{out}");
    let e = store::read(&entry.path).unwrap();
    assert_eq!(e.front.statut, Status::Interrupted, "{}", e.body);
    let step = e
        .front
        .etapes
        .iter()
        .find(|s| s.id == "commande-1")
        .unwrap();
    assert_eq!(step.statut, StepStatus::Interrupted);
    // The command died with journal: it never finished.
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        !p.path().join("apres").exists(),
        "commande restée orpheline"
    );
}

/// On the Docker bench, after a real partie-6: a runbook written by the test
/// (a shell step against the real Compose project, a PromQL expectation and
/// targets against the real Prometheus) runs for real, twice.
#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn a_project_runbook_runs_for_real_on_the_bench() {
    use crate::bench::{Bench, GrafanaCom, Stack};
    use journal::store::{Status, StepStatus};
    let _bench = Bench::take("a_project_runbook_runs_for_real_on_the_bench");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("runbook");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    s.journal().args(["run", "partie-6"]).run().expect_code(0);
    let runbook = r#"---
id: partie-7-verifications
titre: "Vérifications de la supervision"
requiert: [partie-6]
---

## Prometheus tourne

```sh journal:commande attendu=prometheus-actif delai=60
docker compose -f compose/docker-compose.yml ps --status running -q prometheus | grep -q . && echo prometheus-actif
```

## Prometheus se collecte lui-même

```yaml journal:promql
requete: up{job="prometheus"} == 1
delai: 30
```

## cAdvisor est collecté

```yaml journal:cibles
job: cadvisor
```
"#;
    let dir = s.projet.path().join("parties");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("verifications.md"), runbook).unwrap();
    for _ in 0..2 {
        let out = s.journal().args(["run", "partie-7-verifications"]).run();
        out.expect_code(0);
        let e = crate::support::latest_run(&s.projet);
        assert_eq!(e.front.partie.as_deref(), Some("partie-7-verifications"));
        assert_eq!(e.front.statut, Status::Succeeded, "{}", e.body);
        assert!(
            e.front
                .etapes
                .iter()
                .all(|st| st.statut == StepStatus::Succeeded),
            "{}",
            e.body
        );
        assert!(e.body.contains("prometheus-actif"), "{}", e.body);
        assert!(e.body.contains("up{job=\"prometheus\"} == 1"), "{}", e.body);
    }
}

/// On the Docker bench, after partie-6: a project runbook with the built-in
/// kinds `mot-de-passe-grafana` (the password partie-6 kept: « déjà fait »,
/// never written) and `instantane` (CPU and memory of the running containers),
/// Docker and Compose connected by the kinds themselves (no preflight).
#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn built_in_kinds_run_for_real_in_a_project_runbook() {
    use crate::bench::{Bench, GrafanaCom, Stack};
    use journal::store::StepStatus;
    let _bench = Bench::take("built_in_kinds_run_for_real_in_a_project_runbook");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("sortes-integrees");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    s.journal().args(["run", "partie-6"]).run().expect_code(0);
    let runbook = "---\nid: partie-7-releve\ntitre: \"Relevé\"\nrequiert: [partie-6]\n---\n\n\
                   ## Grafana\n\nLe compte admin.\n\n```text journal:mot-de-passe-grafana\n```\n\n\
                   ## Ressources\n\n```text journal:instantane id=releve\n```\n";
    let dir = s.projet.path().join("parties");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("releve.md"), runbook).unwrap();
    let out = s.journal().args(["run", "partie-7-releve"]).run();
    out.expect_code(0);
    let e = crate::support::latest_run(&s.projet);
    assert_eq!(e.front.partie.as_deref(), Some("partie-7-releve"));
    assert_eq!(
        crate::support::step_status(&e, "mot-de-passe-grafana-1"),
        StepStatus::AlreadyDone,
        "{}",
        e.body
    );
    assert_eq!(
        crate::support::step_status(&e, "releve"),
        StepStatus::Succeeded,
        "{}",
        e.body
    );
    assert!(e.body.contains("Le compte admin."), "{}", e.body);
    assert!(e.body.contains("prometheus"), "{}", e.body);
    let password =
        std::fs::read_to_string(s.projet.path().join(".journal-secrets/grafana-admin")).unwrap();
    let password = password.trim();
    assert!(!password.is_empty());
    assert!(!e.body.contains(password) && !out.stdout.contains(password));
}

/// On the Docker bench: partie-6, then the built-in runbook partie-6-hote
/// with the real node exporter (Debian package, local image) and grafana.com
/// unreachable (the bundled dashboard copy), then its second run.
#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn partie_6_hote_runs_for_real_after_partie_6_then_says_already_done() {
    use crate::bench::{Bench, GrafanaCom, Stack};
    use journal::store::{Status, StepStatus};
    const IMAGE: &str = "local/node-exporter:bench";
    let _bench = Bench::take("partie_6_hote_runs_for_real_after_partie_6_then_says_already_done");
    let present = std::process::Command::new("docker")
        .args(["image", "inspect", IMAGE])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(present, "image {IMAGE} absente : bash tests/bench/setup.sh");
    let _ = std::process::Command::new("docker")
        .args(["rm", "-f", "-v", "node-exporter"])
        .output();
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("hote");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    s.journal().args(["run", "partie-6"]).run().expect_code(0);
    s.set("JOURNAL_IMAGE_NODE_EXPORTER", IMAGE);
    s.set("JOURNAL_GRAFANA_COM_URL", &GrafanaCom::unreachable());

    let out = s.journal().args(["run", "partie-6-hote"]).run();
    out.expect_code(0);
    let password =
        std::fs::read_to_string(s.projet.path().join(".journal-secrets/grafana-admin")).unwrap();
    let password = password.trim().to_string();
    let e = crate::support::latest_run(&s.projet);
    assert_eq!(e.front.partie.as_deref(), Some("partie-6-hote"));
    assert_eq!(e.front.statut, Status::Succeeded, "{}", e.body);
    assert!(
        e.front
            .etapes
            .iter()
            .all(|st| st.statut == StepStatus::Succeeded),
        "{:?}\n{}",
        e.front.etapes,
        e.body
    );
    // Documented: the runbook's prose is each step's explanation.
    assert!(
        e.body.contains("Le node exporter lit `/proc` et `/sys`"),
        "{}",
        e.body
    );
    assert!(e.body.contains("node-exporter:9100"), "{}", e.body);
    assert!(
        e.body.contains("« Node Exporter Full » importé"),
        "{}",
        e.body
    );
    assert!(e.body.contains("grafana.com injoignable"), "{}", e.body);
    // The Grafana stand-in holds the bundled « Node Exporter Full », its
    // data source variable set to the project's Prometheus.
    let client = reqwest::blocking::Client::new();
    let get = |url: &str| -> serde_json::Value {
        client
            .get(format!("http://localhost:8084{url}"))
            .basic_auth("admin", Some(&password))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let prom_uid = get("/api/datasources/name/Prometheus")["uid"]
        .as_str()
        .expect("la source de données Prometheus")
        .to_string();
    let dash = get("/api/dashboards/uid/rYdddlPWk");
    assert_eq!(dash["dashboard"]["title"], "Node Exporter Full", "{dash}");
    let vars = dash["dashboard"]["templating"]["list"].as_array().unwrap();
    let ds = vars.iter().find(|v| v["name"] == "ds_prometheus").unwrap();
    assert_eq!(ds["current"]["value"], prom_uid.as_str(), "{ds}");
    assert!(!dash.to_string().contains("${DS_"));
    let prom = std::fs::read_to_string(
        s.projet
            .path()
            .join("compose/config/prometheus/prometheus.yml"),
    )
    .unwrap();
    assert!(prom.contains("job_name: 'node'"), "{prom}");

    let again = s.journal().args(["run", "partie-6-hote"]).run();
    again.expect_code(0);
    let e = crate::support::latest_run(&s.projet);
    let status = |id: &str| crate::support::step_status(&e, id);
    for id in [
        "services-1",
        "collecte-1",
        "commande-1",
        "commande-2",
        "tableau-de-bord-1",
    ] {
        assert_eq!(status(id), StepStatus::AlreadyDone, "{id}\n{}", e.body);
    }
    for id in ["cibles-1", "promql-1"] {
        assert_eq!(status(id), StepStatus::Succeeded, "{id}\n{}", e.body);
    }
    // partie-6 run again knows its prometheus.yml completed by the node job.
    s.journal().args(["run", "partie-6"]).run().expect_code(0);
    let _ = std::process::Command::new("docker")
        .args(["rm", "-f", "-v", "node-exporter"])
        .output();
}

#[test]
fn a_note_may_name_a_project_part() {
    let p = project_with(&[("parties/essai.md", RUNBOOK)]);
    let out = p
        .journal()
        .args([
            "note",
            "--partie",
            "partie-7-essai",
            "Sauvegarde vérifiée à la main",
        ])
        .run();
    out.expect_code(0);
    let out = p
        .journal()
        .args(["note", "--partie", "partie-7-esai", "Une faute de frappe"])
        .run();
    out.expect_code(2);
    assert!(out.stderr.contains("partie-7-essai"), "{out}");
    assert_eq!(p.entry_files().len(), 1);
}
