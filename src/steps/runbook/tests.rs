//! A project runbook run by the real engine, with the real shell, on a
//! temporary project; Prometheus and the HTTP service are fakes.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use super::*;
use crate::adapters::prometheus::{Health, Target};
use crate::part_file::Kind;
use crate::runbook::engine::{RunOutcome, run_steps};
use crate::store::{Status, StepStatus};
use crate::testing::context::StepContext;
use crate::testing::prometheus::{FakePrometheus, sample};

/// An HTTP service that answers what the test set.
struct FakeHttp(RefCell<(u16, String)>);

impl crate::adapters::http::HttpGet for FakeHttp {
    fn get_url(&self, _url: &str) -> Result<(u16, String)> {
        Ok(self.0.borrow().clone())
    }
}

const RUNBOOK: &str = r#"---
id: partie-essai
titre: Essai
parametres:
  nom: monde
---

## Le fichier

Le fichier de configuration.

```text journal:fichier chemin=conf/a.txt
bonjour {{ nom }}
```

## La commande

```sh journal:commande deja_fait="test -f fait" attendu=ok
touch fait && echo ok
```

## Les séries

```yaml journal:promql
requete: up{job="node"}
```

## Les cibles

```yaml journal:cibles
job: node
```

## La page

```yaml journal:http
url: http://node:9100/metrics
contient: node_
```
"#;

struct Bench {
    dir: tempfile::TempDir,
    prometheus: Rc<FakePrometheus>,
    http: Rc<FakeHttp>,
    grafana: Option<Rc<dyn GrafanaApi>>,
}

fn bench() -> Bench {
    let prometheus = Rc::new(FakePrometheus::default());
    prometheus.answer("up{job=\"node\"}", vec![sample(&[("job", "node")], 1.0)]);
    prometheus.targets.borrow_mut().push(Target {
        job: "node".into(),
        instance: "node:9100".into(),
        scrape_url: "http://node:9100/metrics".into(),
        health: Health::Up,
        last_error: String::new(),
        last_scrape: None,
        last_scrape_duration: None,
    });
    Bench {
        dir: tempfile::tempdir().unwrap(),
        prometheus,
        http: Rc::new(FakeHttp(RefCell::new((
            200,
            "node_cpu_seconds_total 1".into(),
        )))),
        grafana: None,
    }
}

impl Bench {
    fn run(&self, text: &str, value: Option<&str>) -> RunOutcome {
        let runbook = crate::part_file::parse(text).unwrap();
        let steps = steps_for(
            &runbook,
            "parties/essai.md",
            "compose",
            Origin::Project,
            &|_| value.map(str::to_string),
        );
        let ports = Adapters {
            shell: Rc::new(SystemShell),
            prometheus: Some(self.prometheus.clone()),
            http: self.http.clone(),
            grafana: self.grafana.clone(),
            grafana_com: None,
            poll: Duration::from_millis(10),
        };
        let mut ctx = StepContext::new(self.dir.path()).with(ports).build();
        run_steps(&runbook.id, &runbook.title, &steps, &mut ctx).unwrap()
    }

    fn statuses(outcome: &RunOutcome) -> Vec<StepStatus> {
        outcome.record.etapes.iter().map(|s| s.statut).collect()
    }
}

#[test]
fn a_runbook_runs_then_says_already_done() {
    let b = bench();
    let first = b.run(RUNBOOK, Some("équipe"));
    assert!(first.failure.is_none(), "{:?}", first.failure);
    assert_eq!(first.record.statut, Status::Succeeded);
    assert_eq!(Bench::statuses(&first), [StepStatus::Succeeded; 5]);
    assert_eq!(
        std::fs::read_to_string(b.dir.path().join("conf/a.txt")).unwrap(),
        "bonjour équipe\n"
    );
    assert!(b.dir.path().join("fait").exists());
    let steps = &first.record.etapes;
    assert_eq!(steps[0].titre, "Le fichier");
    assert!(
        steps[0]
            .explication
            .contains("Le fichier de configuration.")
    );
    assert_eq!(steps[1].sortie.as_deref(), Some("ok"));
    assert!(
        steps[2].details.contains("job=\\\"node\\\"") || steps[2].details.contains("job=\"node\"")
    );
    assert!(steps[3].resume.contains("1 cible(s) up"));
    assert!(steps[4].resume.contains("répond 200"));
    // The entry is on disk.
    let entry = first.path.as_ref().unwrap();
    assert!(
        std::fs::read_to_string(entry)
            .unwrap()
            .contains("partie-essai")
    );

    let second = b.run(RUNBOOK, Some("équipe"));
    assert_eq!(
        Bench::statuses(&second)[..2],
        [StepStatus::AlreadyDone, StepStatus::AlreadyDone]
    );
    assert!(
        second.record.etapes[1]
            .resume
            .starts_with("déjà fait : la vérification `test -f fait` réussit")
    );
}

#[test]
fn a_failed_expectation_stops_the_run() {
    let b = bench();
    b.prometheus.answers.borrow_mut().clear();
    let text = RUNBOOK.replace(
        "requete: up{job=\"node\"}",
        "requete: up{job=\"node\"}\ndelai: 0",
    );
    let out = b.run(&text, None);
    assert_eq!(out.record.statut, Status::Failed);
    assert_eq!(
        Bench::statuses(&out),
        [
            StepStatus::Succeeded,
            StepStatus::Succeeded,
            StepStatus::Failed,
            StepStatus::Skipped,
            StepStatus::Skipped
        ]
    );
    let e = out.failure.unwrap();
    assert_eq!(e.code(), 1);
    assert!(
        e.message().contains("renvoie 0 série(s)"),
        "{}",
        e.message()
    );
    assert!(e.hint().unwrap().contains("parties/essai.md:"));
}

#[test]
fn a_failing_or_slow_command_fails_its_step_with_its_output() {
    let b = bench();
    let text = RUNBOOK.replace("touch fait && echo ok", "echo raté >&2; exit 4");
    let out = b.run(&text, None);
    let step = &out.record.etapes[1];
    assert_eq!(step.statut, StepStatus::Failed);
    assert_eq!(step.resume, "la commande a échoué (code 4, 0 attendu)");
    assert_eq!(step.sortie.as_deref(), Some("raté"));
    assert_eq!(step.commande.as_deref(), Some("echo raté >&2; exit 4"));

    let text = RUNBOOK
        .replace("attendu=ok", "attendu=ok delai=1")
        .replace("touch fait && echo ok", "echo lent; sleep 5");
    let out = b.run(&text, None);
    let step = &out.record.etapes[1];
    assert_eq!(step.statut, StepStatus::Failed);
    assert_eq!(
        step.resume,
        "la commande a dépassé son délai de 1 s : elle a été arrêtée"
    );
    assert!(step.aide.as_deref().unwrap().contains("delai=<secondes>"));
    assert_eq!(step.sortie.as_deref(), Some("lent"));
}

#[test]
fn an_http_answer_without_the_text_fails() {
    let b = bench();
    *b.http.0.borrow_mut() = (200, "autre chose".into());
    let text = RUNBOOK.replace("contient: node_", "contient: node_\ndelai: 0");
    let out = b.run(&text, None);
    let step = &out.record.etapes[4];
    assert_eq!(step.statut, StepStatus::Failed);
    assert!(
        step.resume.contains("ne contient pas « node_ »"),
        "{}",
        step.resume
    );
}

#[test]
fn dry_run_changes_nothing_and_runs_nothing() {
    let b = bench();
    let runbook = crate::part_file::parse(RUNBOOK).unwrap();
    let steps = steps_for(
        &runbook,
        "parties/essai.md",
        "compose",
        Origin::Project,
        &|_| None,
    );
    let mut ctx = StepContext::new(b.dir.path())
        .settings(|s| s.dry_run = true)
        .build();
    let out = run_steps(&runbook.id, &runbook.title, &steps, &mut ctx).unwrap();
    assert!(out.path.is_none());
    assert!(
        Bench::statuses(&out)
            .iter()
            .all(|s| *s == StepStatus::Skipped)
    );
    assert!(!b.dir.path().join("fait").exists());
    assert!(!b.dir.path().join("conf").exists());
    assert!(b.prometheus.asked.borrow().is_empty());
}

const SERVICES: &str = r#"---
id: partie-services
titre: Services
parametres:
  image: prom/node-exporter:v1.7.0
---

## Le service

```yaml journal:services
services:
  # --- Métriques de l'hôte ---
  node-exporter:
    image: {{ image }}
    container_name: node-exporter
    restart: unless-stopped
    # Lecture seule
    volumes:
      - /:/host:ro
    networks:
      - systeme-ticketing-net

volumes:
  node_data:

networks:
  systeme-ticketing-net:
```
"#;

#[test]
fn services_are_read_as_the_editor_wants_them() {
    let r = crate::part_file::parse(SERVICES).unwrap();
    let Spec::Services { content, .. } = &r.blocks[0].spec else {
        panic!()
    };
    let add = services::additions(content).unwrap();
    assert_eq!(add.services.len(), 1);
    let s = &add.services[0];
    assert_eq!(s.name, "node-exporter");
    assert_eq!(s.comment.as_deref(), Some("--- Métriques de l'hôte ---"));
    assert_eq!(
        s.body,
        "image: {{ image }}\ncontainer_name: node-exporter\nrestart: unless-stopped\n# Lecture seule\n\
         volumes:\n  - /:/host:ro\nnetworks:\n  - systeme-ticketing-net\n"
    );
    assert_eq!(add.volumes, ["node_data"]);
    assert_eq!(add.network, "systeme-ticketing-net");
}

#[test]
fn services_are_added_to_the_compose_file_then_already_there() {
    use crate::testing::docker::{FakeCompose, FakeDocker, install};
    let b = bench();
    let compose_file = b.dir.path().join("compose/docker-compose.yml");
    std::fs::create_dir_all(compose_file.parent().unwrap()).unwrap();
    std::fs::write(
        &compose_file,
        "# Ma pile\nservices:\n  zammad:\n    image: zammad/zammad:6.0 # figée\n",
    )
    .unwrap();
    let runbook = crate::part_file::parse(SERVICES).unwrap();
    let steps = steps_for(
        &runbook,
        "parties/s.md",
        "compose",
        Origin::Project,
        &|_| None,
    );
    for expected in [StepStatus::Succeeded, StepStatus::AlreadyDone] {
        let mut ctx = StepContext::new(b.dir.path()).build();
        install(
            &mut ctx,
            Rc::new(FakeDocker::default()),
            Rc::new(FakeCompose::default()),
        );
        let out = run_steps(&runbook.id, &runbook.title, &steps, &mut ctx).unwrap();
        assert_eq!(Bench::statuses(&out), [expected], "{:?}", out.failure);
    }
    let text = std::fs::read_to_string(&compose_file).unwrap();
    assert!(
        text.starts_with("# Ma pile\nservices:\n  zammad:\n    image: zammad/zammad:6.0 # figée\n"),
        "{text}"
    );
    assert!(text.contains("  # --- Métriques de l'hôte ---\n  node-exporter:\n    image: prom/node-exporter:v1.7.0\n"), "{text}");
    assert!(text.contains("node_data:"), "{text}");
}

#[test]
fn a_scrape_job_completes_the_tutorials_prometheus_yml_once() {
    assert_eq!(
        scrape_job::as_item("job_name: node\nstatic_configs:\n  - targets: ['n:9100']\n"),
        "  - job_name: node\n    static_configs:\n      - targets: ['n:9100']\n"
    );
    assert_eq!(
        scrape_job::as_item("  - job_name: node\n    static_configs: []\n"),
        "  - job_name: node\n    static_configs: []\n"
    );
    let b = bench();
    let text = "---\nid: partie-hote\ntitre: Hôte\n---\n\n\
                ```yaml journal:collecte\n- job_name: 'node'\n  static_configs:\n    - targets: ['node-exporter:9100']\n```\n";
    for expected in [StepStatus::Succeeded, StepStatus::AlreadyDone] {
        let out = b.run(text, None);
        assert_eq!(Bench::statuses(&out), [expected], "{:?}", out.failure);
    }
    let yml = std::fs::read_to_string(
        b.dir
            .path()
            .join("compose/config/prometheus/prometheus.yml"),
    )
    .unwrap();
    assert!(yml.contains("job_name: 'cadvisor'"), "{yml}");
    assert!(
        yml.ends_with(
            "  - job_name: 'node'\n    static_configs:\n      - targets: ['node-exporter:9100']\n"
        ),
        "{yml}"
    );
    serde_yaml::from_str::<serde_yaml::Value>(&yml).unwrap();
}

#[test]
fn a_bundled_dashboard_is_imported_then_already_there() {
    use crate::adapters::grafana::Datasource;
    use crate::testing::grafana::FakeGrafana;
    let grafana = Rc::new(FakeGrafana::new("secret"));
    grafana.datasources.borrow_mut().push(Datasource {
        id: 1,
        uid: "prom-uid".into(),
        name: "Prometheus".into(),
        kind: "prometheus".into(),
        access: "proxy".into(),
        url: "http://prometheus:9090".into(),
        is_default: true,
        json_data: serde_json::json!({}),
        version: Some(1),
        read_only: false,
    });
    let mut b = bench();
    b.grafana = Some(grafana.clone());
    let copy = b.dir.path().join("tableaux/node.json");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::write(
        &copy,
        r#"{"title": "Node Exporter Full", "uid": "rYdddlPWk", "version": 3,
            "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],
            "panels": [{"datasource": "${DS_PROMETHEUS}", "targets": [{"expr": "node_load1"}]}]}"#,
    )
    .unwrap();
    let text = "---\nid: partie-hote\ntitre: Hôte\n---\n\n## Le tableau\n\n\
                ```yaml journal:tableau-de-bord\ncopie: tableaux/node.json\n```\n";
    let first = b.run(text, None);
    assert_eq!(
        Bench::statuses(&first),
        [StepStatus::Succeeded],
        "{:?}",
        first.failure
    );
    assert!(
        first.record.etapes[0]
            .resume
            .contains("« Node Exporter Full » importé")
    );
    let second = b.run(text, None);
    assert_eq!(
        Bench::statuses(&second),
        [StepStatus::AlreadyDone],
        "{:?}",
        second.failure
    );
    assert_eq!(grafana.imports.get(), 1);
}

#[test]
fn partie_6_hote_runs_with_fakes_and_its_embedded_dashboard_copy() {
    // The built-in runbook's last three steps (targets, node_ metrics, the
    // dashboard with grafana.com unreachable: the embedded copy).
    use crate::adapters::grafana::Datasource;
    use crate::adapters::grafana_com::DashboardMeta;
    use crate::testing::grafana::FakeGrafana;
    struct Offline;
    impl GrafanaCom for Offline {
        fn dashboard_meta(&self, _: u32) -> Result<DashboardMeta> {
            Err(crate::error::Error::environment("grafana.com injoignable"))
        }
        fn download(&self, _: u32, _: u32) -> Result<String> {
            unreachable!()
        }
    }
    let text = crate::templates::embedded("parties/partie-6-hote.md").unwrap();
    let mut runbook = crate::part_file::parse(text).unwrap();
    runbook
        .blocks
        .retain(|b| matches!(b.kind(), Kind::Targets | Kind::Promql | Kind::Dashboard));
    let b = bench();
    b.prometheus.answer(
        "count({__name__=~\"node_.+\", job=\"node\"})",
        vec![sample(&[], 312.0)],
    );
    let grafana = Rc::new(FakeGrafana::new("secret"));
    grafana.datasources.borrow_mut().push(Datasource {
        id: 1,
        uid: "prom-uid".into(),
        name: "Prometheus".into(),
        kind: "prometheus".into(),
        access: "proxy".into(),
        url: "http://prometheus:9090".into(),
        is_default: true,
        json_data: serde_json::json!({}),
        version: Some(1),
        read_only: false,
    });
    let steps = steps_for(
        &runbook,
        "intégrée/partie-6-hote.md",
        "compose",
        Origin::Project,
        &|_| None,
    );
    let ports = Adapters {
        shell: Rc::new(SystemShell),
        prometheus: Some(b.prometheus.clone()),
        http: b.http.clone(),
        grafana: Some(grafana.clone()),
        grafana_com: Some(Rc::new(Offline)),
        poll: Duration::from_millis(10),
    };
    let mut ctx = StepContext::new(b.dir.path()).with(ports).build();
    let out = run_steps(&runbook.id, &runbook.title, &steps, &mut ctx).unwrap();
    assert_eq!(
        Bench::statuses(&out),
        [StepStatus::Succeeded; 3],
        "{:?}",
        out.failure
    );
    let dash = &out.record.etapes[2];
    assert!(
        dash.resume.contains("« Node Exporter Full » importé"),
        "{}",
        dash.resume
    );
    assert!(dash.avertissements[0].contains("grafana.com injoignable"));
    assert!(dash.avertissements[0].contains("tableaux/node-exporter-full.json"));
    assert!(dash.explication.contains("Node Exporter Full"));
    // The bundled copy is rfmoz's file: its data source variable, used by
    // its panels as `${ds_prometheus}`, now names the project's Prometheus.
    let stored = grafana.dashboards.borrow();
    assert_eq!(stored.len(), 1);
    let saved = &stored[0];
    assert_eq!(saved["title"], "Node Exporter Full");
    assert_eq!(saved["uid"], "rYdddlPWk");
    let vars = saved["templating"]["list"].as_array().unwrap();
    let ds = vars
        .iter()
        .find(|v| v["type"] == "datasource")
        .expect("a data source variable");
    assert_eq!(ds["name"], "ds_prometheus");
    assert_eq!(ds["current"]["value"], "prom-uid", "{ds}");
    assert_eq!(ds["current"]["text"], "Prometheus", "{ds}");
    let text = saved.to_string();
    assert!(!text.contains("${DS_"), "a placeholder left unresolved");
    assert!(text.matches("\"uid\":\"${ds_prometheus}\"").count() > 100);
    assert!(text.contains("node_cpu_seconds_total"));
}

#[test]
fn the_bundled_node_exporter_full_is_rfmoz_file_with_its_licence() {
    // Bundled verbatim (see templates/tableaux/LICENCE-node-exporter-full):
    // its data source comes from a variable, not from `__inputs`.
    let text = crate::templates::embedded("tableaux/node-exporter-full.json").unwrap();
    let dash = crate::steps::kit::dashboard::parse_dashboard(text).unwrap();
    assert_eq!(
        crate::steps::kit::dashboard::title_of(&dash),
        "Node Exporter Full"
    );
    assert!(
        crate::steps::kit::dashboard::build_inputs(&dash, "u")
            .unwrap()
            .is_empty()
    );
    let licence = crate::templates::embedded("tableaux/LICENCE-node-exporter-full").unwrap();
    assert!(licence.contains("Apache License"));
    assert!(licence.contains("Version 2.0, January 2004"));
    assert!(licence.contains("rfmoz/grafana-dashboards"));
    assert!(licence.contains("4b1729d13b610d449b1055659b070d28c19a9699"));
}

#[test]
fn partie_6_run_again_recognises_the_node_job_of_partie_6_hote() {
    let text = crate::templates::embedded("parties/partie-6-hote.md").unwrap();
    let mut runbook = crate::part_file::parse(text).unwrap();
    runbook.blocks.retain(|b| b.kind() == Kind::ScrapeJob);
    let b = bench();
    let first = {
        let steps = steps_for(
            &runbook,
            "intégrée/partie-6-hote.md",
            "compose",
            Origin::Project,
            &|_| None,
        );
        let mut ctx = StepContext::new(b.dir.path()).build();
        run_steps(&runbook.id, &runbook.title, &steps, &mut ctx).unwrap()
    };
    assert_eq!(Bench::statuses(&first), [StepStatus::Succeeded]);
    let mut ctx = StepContext::new(b.dir.path()).build();
    let report = crate::steps::config_file::PrometheusConfig
        .run(&mut ctx)
        .unwrap_or_else(|f| panic!("{}", f.error.message()));
    assert_eq!(report.status, StepStatus::AlreadyDone, "{}", report.summary);
    assert!(
        report.summary.contains("partie-6-hote"),
        "{}",
        report.summary
    );
}

#[test]
fn partie_6_run_again_recognises_a_project_runbooks_scrape_job() {
    let text = "---\nid: partie-7-sauvegarde\ntitre: t\n---\n\
                ```yaml journal:collecte\n- job_name: 'sauvegarde'\n  static_configs:\n    \
                - targets: ['sauvegarde:9101']\n```\n";
    let b = bench();
    std::fs::create_dir_all(b.dir.path().join("parties")).unwrap();
    std::fs::write(b.dir.path().join("parties/sauvegarde.md"), text).unwrap();
    let runbook = crate::part_file::parse(text).unwrap();
    let steps = steps_for(
        &runbook,
        "parties/sauvegarde.md",
        "compose",
        Origin::Project,
        &|_| None,
    );
    let mut ctx = StepContext::new(b.dir.path()).build();
    let first = run_steps(&runbook.id, &runbook.title, &steps, &mut ctx).unwrap();
    assert_eq!(Bench::statuses(&first), [StepStatus::Succeeded]);
    let mut ctx = StepContext::new(b.dir.path()).build();
    let report = crate::steps::config_file::PrometheusConfig
        .run(&mut ctx)
        .unwrap_or_else(|f| panic!("{}", f.error.message()));
    assert_eq!(report.status, StepStatus::AlreadyDone, "{}", report.summary);
    assert!(
        report.summary.contains("partie-7-sauvegarde"),
        "{}",
        report.summary
    );
}

#[test]
fn built_in_kinds_run_in_a_project_but_not_the_built_in_parts_steps() {
    let runbook = crate::part_file::parse(
        "---\nid: p\ntitre: t\n---\nLe mot de passe.\n\n```text journal:mot-de-passe-grafana\n```\n\n\
         ```text journal:instantane id=releve\n```\n\n```text journal:exercice-alerte\n```\n\n\
         ```text journal:integree etape=containers\n```\n",
    )
    .unwrap();
    let executable: Vec<bool> = runbook.blocks.iter().map(executable).collect();
    assert_eq!(executable, [true, true, true, false]);
    let steps = steps_for(
        &runbook,
        "parties/p.md",
        "compose",
        Origin::Project,
        &|_| None,
    );
    let ids: Vec<&str> = steps.iter().map(|s| s.id()).collect();
    assert_eq!(
        ids,
        [
            "mot-de-passe-grafana-1",
            "releve",
            "exercice-alerte-1",
            "containers"
        ]
    );
    // No template for a project's part: the block's prose explains it.
    assert_eq!(steps[0].explanation().as_deref(), Some("Le mot de passe."));
    assert_eq!(steps[0].title(), "Mot de passe de Grafana");
}
