//! `journal run partie-6 --cible swarm` end to end on a real multi-node
//! Docker Swarm built on this machine by tests/bench/swarm.sh (the host's
//! engine as manager, one extra dockerd per worker in its own network
//! namespace). Each test holds the Docker bench (`Bench::take`) for its
//! whole life, brings the swarm up itself and leaves the host engine as it
//! found it (stack removed, swarm left, extra daemons stopped).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use journal::store::{Status, StepStatus};

use crate::bench::{Bench, GrafanaCom, Stack};
use crate::support::latest_run;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bench/swarm.sh");

fn sh(args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(SCRIPT)
        .args(args)
        .output()
        .expect("bash tests/bench/swarm.sh");
    assert!(
        out.status.success(),
        "swarm.sh {args:?} : {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The swarm bench, held with the Docker bench; torn down on drop.
struct SwarmBench {
    stack: Option<String>,
    _bench: Bench,
}

impl SwarmBench {
    fn up(test: &str, nodes: u32) -> SwarmBench {
        let bench = Bench::take(test);
        let b = SwarmBench {
            stack: None,
            _bench: bench,
        };
        sh(&["up", &nodes.to_string()]);
        b
    }

    /// Worker `k`'s node ID.
    fn worker_id(k: u32) -> String {
        docker(&[
            "-H",
            &format!("unix:///run/journal-swarm/node{k}/docker.sock"),
            "info",
            "-f",
            "{{.Swarm.NodeID}}",
        ])
    }
}

impl Drop for SwarmBench {
    fn drop(&mut self) {
        if let Some(stack) = &self.stack {
            let _ = Command::new("docker").args(["stack", "rm", stack]).output();
            let label = format!("label=com.docker.stack.namespace={stack}");
            let until = Instant::now() + Duration::from_secs(60);
            while Instant::now() < until && !docker(&["ps", "-aq", "--filter", &label]).is_empty() {
                std::thread::sleep(Duration::from_millis(500));
            }
            for v in docker(&["volume", "ls", "-q", "--filter", &label]).lines() {
                let _ = Command::new("docker")
                    .args(["volume", "rm", "-f", v])
                    .output();
            }
        }
        let _ = Command::new("bash").arg(SCRIPT).arg("down").output();
    }
}

/// Waits (at most 90 s) until `docker node inspect <id>` gives `state`.
fn wait_node_state(id: &str, state: &str) {
    let until = Instant::now() + Duration::from_secs(90);
    loop {
        let now = docker(&["node", "inspect", "-f", "{{.Status.State}}", id]);
        if now == state {
            return;
        }
        assert!(
            Instant::now() < until,
            "le nœud {id} n'est pas « {state} » (état « {now} »)"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// (node ID, state) of the running cAdvisor tasks.
fn cadvisor_tasks(stack: &str) -> Vec<(String, String)> {
    let ids = docker(&[
        "service",
        "ps",
        "-q",
        "--filter",
        "desired-state=running",
        &format!("{stack}_cadvisor"),
    ]);
    let ids: Vec<&str> = ids.lines().collect();
    let mut args = vec![
        "inspect",
        "--type",
        "task",
        "-f",
        "{{.NodeID}} {{.Status.State}}",
    ];
    args.extend(ids);
    let mut v: Vec<(String, String)> = docker(&args)
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(a, b)| (a.into(), b.into())))
        .collect();
    v.sort();
    v
}

fn service_versions(stack: &str) -> String {
    let ids = docker(&[
        "service",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.stack.namespace={stack}"),
    ]);
    let mut args = vec![
        "service",
        "inspect",
        "-f",
        "{{.Spec.Name}}={{.Version.Index}}",
    ];
    args.extend(ids.lines());
    let mut v: Vec<String> = docker(&args).lines().map(str::to_string).collect();
    v.sort();
    v.join(" ")
}

fn cadvisor_targets_up() -> usize {
    let out = Command::new("curl")
        .args(["-s", "http://localhost:9090/api/v1/targets"])
        .output()
        .expect("curl");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON de Prometheus");
    v["data"]["activeTargets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["labels"]["job"] == "cadvisor" && t["health"] == "up")
        .count()
}

#[test]
#[ignore = "banc Docker (tests/bench) et banc Swarm (tests/bench/swarm.sh) : cargo test -- --include-ignored"]
fn swarm_three_nodes_run_rerun_lose_a_node_and_recover() {
    let mut bench = SwarmBench::up("swarm_three_nodes_run_rerun_lose_a_node_and_recover", 3);
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("swarm");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    bench.stack = Some(s.name.clone());
    let compose_before = std::fs::read_to_string(s.compose_file()).unwrap();
    let worker2 = SwarmBench::worker_id(2);
    let worker3 = SwarmBench::worker_id(3);
    assert!(!worker3.is_empty());

    // On a worker: refused, exit 3, nothing deployed.
    let on_worker = s
        .journal()
        .env("DOCKER_HOST", "unix:///run/journal-swarm/node2/docker.sock")
        .args(["run", "partie-6", "--cible", "swarm"])
        .run();
    on_worker.expect_code(3);
    assert!(
        on_worker.stderr.contains("pas un gestionnaire"),
        "{on_worker}"
    );
    assert!(on_worker.stderr.contains(&worker2), "{on_worker}");
    assert!(docker(&["service", "ls", "-q"]).is_empty());

    // A dry run: the nodes and the stack file shown, nothing written or deployed.
    let entries = s.projet.entry_files().len();
    let dry = s
        .journal()
        .args(["run", "partie-6", "--cible", "swarm", "--dry-run"])
        .run();
    dry.expect_code(0);
    assert!(dry.stdout.contains(&worker3), "les nœuds :\n{dry}");
    assert!(
        dry.stdout.contains("mode: global"),
        "le fichier de pile :\n{dry}"
    );
    assert!(!s.projet.path().join("compose/docker-stack.yml").exists());
    assert_eq!(
        s.projet.entry_files().len(),
        entries,
        "une simulation n'écrit pas d'entrée"
    );
    assert!(docker(&["service", "ls", "-q"]).is_empty());

    // Full run on 3 nodes.
    let first = s
        .journal()
        .args(["run", "partie-6", "--cible", "swarm"])
        .run();
    first.expect_code(0);
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Succeeded, "{first}");
    assert!(e.body.contains("3 nœuds"), "{}", e.body);
    assert!(
        e.body.contains(&worker3) && e.body.contains("10.98.0.3"),
        "{}",
        e.body
    );
    assert!(e.body.contains("--resolve-image never"), "{}", e.body);
    for id in [
        "stack-file",
        "stack-deploy",
        "stack-services",
        "swarm-targets",
    ] {
        assert!(
            e.front.etapes.iter().any(|st| st.id == id),
            "étape {id} absente"
        );
    }
    for st in &e.front.etapes {
        assert_eq!(
            st.statut,
            StepStatus::Succeeded,
            "étape {} :\n{}",
            st.id,
            e.body
        );
    }
    let stack_file = s.projet.path().join("compose/docker-stack.yml");
    assert!(stack_file.is_file());
    assert_eq!(
        std::fs::read_to_string(s.compose_file()).unwrap(),
        compose_before,
        "docker-compose.yml modifié"
    );
    let tasks = cadvisor_tasks(&s.name);
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    assert!(tasks.iter().all(|(_, st)| st == "running"), "{tasks:?}");
    let mut nodes: Vec<&str> = tasks.iter().map(|(n, _)| n.as_str()).collect();
    nodes.dedup();
    assert_eq!(nodes.len(), 3, "une tâche cAdvisor par nœud : {tasks:?}");
    assert_eq!(cadvisor_targets_up(), 3);
    let doc = std::fs::read_to_string(s.projet.journal_dir().join("documentation/partie-6.md"))
        .expect("page de documentation de la partie 6");
    assert!(doc.contains("Docker Swarm"), "{doc}");
    // Metrics and resources per node: each worker's cAdvisor sent series
    // and saw its node's one container, its own task.
    assert!(e.body.contains("Noms `container_*`"), "{}", e.body);
    for (worker, addr) in [(&worker2, "10.98.0.2"), (&worker3, "10.98.0.3")] {
        let line = format!("- nœud `{worker}` ({addr}, travail) : ");
        let found = e
            .body
            .lines()
            .find(|l| l.starts_with(&line))
            .unwrap_or_else(|| panic!("pas de ligne « {line} » :\n{}", e.body));
        assert!(found.contains(" : 1 conteneur,"), "{found}\n{}", e.body);
    }

    // Second run: nothing redeployed.
    let versions = service_versions(&s.name);
    let second = s
        .journal()
        .args(["run", "partie-6", "--cible", "swarm"])
        .run();
    second.expect_code(0);
    let e = latest_run(&s.projet);
    for st in &e.front.etapes {
        assert_eq!(
            st.statut,
            StepStatus::AlreadyDone,
            "étape {} :\n{}",
            st.id,
            e.body
        );
    }
    assert_eq!(service_versions(&s.name), versions, "pile redéployée");

    // A worker lost: the run fails and names it.
    sh(&["stop", "3"]);
    wait_node_state(&worker3, "down");
    let lost = s
        .journal()
        .args(["run", "partie-6", "--cible", "swarm"])
        .run();
    lost.expect_code(1);
    assert!(lost.stderr.contains(&worker3), "{lost}");
    assert!(lost.stderr.contains("10.98.0.3"), "{lost}");
    assert!(!Path::new(&stack_file).with_extension("yml.bak").exists());

    // Back: the next run succeeds.
    sh(&["start", "3"]);
    wait_node_state(&worker3, "ready");
    let back = s
        .journal()
        .args(["run", "partie-6", "--cible", "swarm"])
        .run();
    back.expect_code(0);
    assert_eq!(cadvisor_tasks(&s.name).len(), 3);

    // The admin password reset, in the Grafana task's container.
    let reset = s
        .journal()
        .args([
            "run",
            "partie-6",
            "--cible",
            "swarm",
            "--reinitialiser-grafana",
        ])
        .run();
    reset.expect_code(0);
    let e = latest_run(&s.projet);
    let password = e
        .front
        .etapes
        .iter()
        .find(|st| st.id == "grafana-password")
        .expect("étape grafana-password");
    assert_eq!(password.statut, StepStatus::Succeeded, "{}", e.body);
    assert!(
        e.body.contains("réinitialisé dans le conteneur"),
        "{}",
        e.body
    );
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn swarm_target_without_a_swarm_says_docker_swarm_init() {
    let _bench = Bench::take("swarm_target_without_a_swarm_says_docker_swarm_init");
    assert_eq!(
        docker(&["info", "-f", "{{.Swarm.LocalNodeState}}"]),
        "inactive",
        "le moteur de l'hôte est dans un essaim : ce test veut un moteur seul"
    );
    let s = Stack::new("sans-essaim");
    let out = s
        .journal()
        .args(["run", "partie-6", "--cible", "swarm"])
        .run();
    out.expect_code(3);
    assert!(out.stderr.contains("docker swarm init"), "{out}");
    assert!(out.stderr.contains("rien n'a été déployé"), "{out}");
    assert!(!s.projet.path().join("compose/docker-stack.yml").exists());
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Failed);

    // The same target from the project's settings, without the flag.
    std::fs::write(s.projet.path().join("journal.toml"), "cible = \"swarm\"\n").unwrap();
    let out = s.journal().args(["run", "partie-6"]).run();
    out.expect_code(3);
    assert!(out.stderr.contains("docker swarm init"), "{out}");
    // The flag wins over the file: Compose is not refused for want of a swarm.
    let dry = s
        .journal()
        .args(["run", "partie-6", "--cible", "compose", "--dry-run"])
        .run();
    dry.expect_code(0);
    assert!(!dry.stderr.contains("docker swarm init"), "{dry}");
}
