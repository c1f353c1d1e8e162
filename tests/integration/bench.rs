//! The real Docker bench for end-to-end tests: checks that the engine and the
//! bench images (tests/bench/setup.sh) are there, serialises the tests that use
//! it (the tutorial's fixed container names allow one stack at a time), tears
//! each stack down, and plays grafana.com with a local HTTP fixture.
//!
//! Every test that needs the bench is `#[ignore]`d with a reason, so a plain
//! `cargo test` reports it as ignored in its own summary. Once asked for
//! (`-- --include-ignored`, as the README's test command and .ci/run do), a
//! bench test requires the bench: a missing one is a failure, never a silent
//! pass. `JOURNAL_E2E=1` says that the end-to-end tests must run: with it, a
//! test run that leaves the ignored tests out fails
//! ([`e2e_includes_the_ignored_tests`]).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use crate::support::{Projet, Run};

static BENCH: Mutex<()> = Mutex::new(());

/// Bench images, as exported by tests/bench/env.sh.
pub const IMAGE_PROMETHEUS: &str = "local/prometheus:bench";
pub const IMAGE_GRAFANA: &str = "local/grafana-standin:bench";
pub const IMAGE_CADVISOR: &str = "local/cadvisor-standin:bench";
pub const IMAGE_CRASHLOOP: &str = "local/cadvisor-crashloop:bench";
/// The cAdvisor stand-in exporting only unnamed cgroups (`CADVISOR_STANDIN_MODE=unnamed`).
pub const IMAGE_CADVISOR_UNNAMED: &str = "local/cadvisor-unnamed:bench";
pub const IMAGE_ALERTMANAGER: &str = "local/alertmanager:bench";

fn docker_ok(args: &[&str]) -> bool {
    Command::new("docker")
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The libtest options that run the ignored tests.
const INCLUDE_IGNORED: [&str; 2] = ["--include-ignored", "--ignored"];

/// Whether `JOURNAL_E2E=1`: the end-to-end tests must run.
fn e2e_required() -> bool {
    std::env::var("JOURNAL_E2E").is_ok_and(|v| v == "1")
}

/// What is missing for the bench, in French (empty when it is ready).
fn missing() -> Vec<String> {
    let mut missing = Vec::new();
    if !docker_ok(&["info"]) {
        missing.push("moteur Docker injoignable".to_string());
        return missing;
    }
    if !docker_ok(&["compose", "version"]) {
        missing.push("Docker Compose v2 absent (`docker compose version` échoue)".to_string());
    }
    for img in [
        IMAGE_PROMETHEUS,
        IMAGE_GRAFANA,
        IMAGE_CADVISOR,
        IMAGE_CRASHLOOP,
        IMAGE_CADVISOR_UNNAMED,
        IMAGE_ALERTMANAGER,
    ] {
        if !docker_ok(&["image", "inspect", img]) {
            missing.push(format!("image {img} absente"));
        }
    }
    missing
}

/// The bench, held by one test at a time.
pub struct Bench {
    _guard: MutexGuard<'static, ()>,
}

impl Bench {
    /// Takes the bench for `test`; panics when it is not ready. Only the
    /// ignored tests take it, so it runs only when asked for.
    pub fn take(test: &str) -> Bench {
        let guard = BENCH.lock().unwrap_or_else(|e| e.into_inner());
        let missing = missing();
        assert!(
            missing.is_empty(),
            "{test} : banc Docker indisponible ({}) ; préparez-le avec `bash tests/bench/setup.sh`, \
             ou lancez les tests sans --include-ignored",
            missing.join(", ")
        );
        // Leftovers of an interrupted test would hold the fixed names.
        remove_part6_containers();
        Bench { _guard: guard }
    }
}

/// With `JOURNAL_E2E=1`, the bench tests must not be left out: the test run
/// has to include the ignored tests.
#[test]
fn e2e_includes_the_ignored_tests() {
    if e2e_required() {
        assert!(
            std::env::args().any(|a| INCLUDE_IGNORED.contains(&a.as_str())),
            "JOURNAL_E2E=1 mais les tests du banc Docker sont ignorés : \
             lancez `cargo test --locked -- --include-ignored`"
        );
    }
}

/// Removes containers named like the tutorial's (from any earlier stack).
pub fn remove_part6_containers() {
    let _ = Command::new("docker")
        .args([
            "rm",
            "-f",
            "-v",
            "prometheus",
            "grafana",
            "cadvisor",
            "alertmanager",
        ])
        .output();
}

/// A project on the bench with its own Compose project name; torn down on drop.
pub struct Stack {
    pub projet: Projet,
    pub name: String,
    pub env: Vec<(String, String)>,
}

impl Stack {
    /// A copy of the `projet-partie6` fixture (Zammad, OCS, Wiki.js, Portainer).
    pub fn new(name: &str) -> Stack {
        let projet = Projet::fixture("projet-partie6");
        let name = format!("journal-test-{name}");
        let env = vec![
            ("COMPOSE_PROJECT_NAME".to_string(), name.clone()),
            (
                "JOURNAL_IMAGE_PROMETHEUS".to_string(),
                IMAGE_PROMETHEUS.to_string(),
            ),
            (
                "JOURNAL_IMAGE_GRAFANA".to_string(),
                IMAGE_GRAFANA.to_string(),
            ),
            (
                "JOURNAL_IMAGE_CADVISOR".to_string(),
                IMAGE_CADVISOR.to_string(),
            ),
            (
                "JOURNAL_IMAGE_ALERTMANAGER".to_string(),
                IMAGE_ALERTMANAGER.to_string(),
            ),
            ("JOURNAL_DELAI_REDEMARRAGES".to_string(), "3".to_string()),
            ("JOURNAL_DELAI_CIBLES".to_string(), "40".to_string()),
            ("JOURNAL_DELAI_DEMARRAGE".to_string(), "60".to_string()),
            ("NO_COLOR".to_string(), "1".to_string()),
        ];
        Stack { projet, name, env }
    }

    /// Sets (or replaces) an environment variable for later runs.
    pub fn set(&mut self, k: &str, v: &str) {
        self.env.retain(|(key, _)| key != k);
        self.env.push((k.to_string(), v.to_string()));
    }

    /// `journal --projet <root>` with the stack's environment.
    pub fn journal(&self) -> Run {
        let mut r = self.projet.journal();
        for (k, v) in &self.env {
            r = r.env(k, v);
        }
        r
    }

    /// The compose file.
    pub fn compose_file(&self) -> PathBuf {
        self.projet.path().join("compose/docker-compose.yml")
    }

    /// `docker compose -p <name> -f <file> <args>`; panics on failure.
    pub fn compose(&self, args: &[&str]) -> String {
        let out = Command::new("docker")
            .args(["compose", "-p", &self.name, "-f"])
            .arg(self.compose_file())
            .args(args)
            .output()
            .expect("docker compose");
        assert!(
            out.status.success(),
            "docker compose {args:?} : {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Ids of the running containers of this stack, by service.
    pub fn container_ids(&self) -> Vec<(String, String)> {
        let out = Command::new("docker")
            .args([
                "ps",
                "--no-trunc",
                "--filter",
                &format!("label=com.docker.compose.project={}", self.name),
                "--format",
                "{{.Label \"com.docker.compose.service\"}} {{.ID}}",
            ])
            .output()
            .expect("docker ps");
        let mut v: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                l.split_once(' ')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
            .collect();
        v.sort();
        v
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let file = self.compose_file();
        if file.exists() {
            let _ = Command::new("docker")
                .args(["compose", "-p", &self.name, "-f"])
                .arg(&file)
                .args(["down", "-v", "--remove-orphans", "-t", "2"])
                .output();
        }
        remove_part6_containers();
        let _ = Command::new("docker")
            .args([
                "volume",
                "prune",
                "-f",
                "--filter",
                &format!("label=com.docker.compose.project={}", self.name),
            ])
            .output();
    }
}

/// A local HTTP server playing grafana.com for one dashboard, until dropped.
pub struct GrafanaCom {
    pub url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    port: u16,
}

impl GrafanaCom {
    /// Serves `tests/fixtures/grafana-com/<id>.json` as revision 1 of `id`.
    pub fn start(id: u32) -> GrafanaCom {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop2 = stop.clone();
        let json_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/grafana-com/{id}.json"));
        let dashboard = std::fs::read_to_string(&json_path).expect("fixture grafana.com");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let meta = format!(
                    r#"{{"id":{id},"name":"Cadvisor exporter","revision":1,"slug":"cadvisor-exporter","downloads":1000}}"#
                );
                let (status, body) = if path == format!("/api/dashboards/{id}") {
                    ("200 OK", meta)
                } else if path.starts_with(&format!("/api/dashboards/{id}/revisions/"))
                    && path.ends_with("/download")
                {
                    ("200 OK", dashboard.clone())
                } else {
                    ("404 Not Found", r#"{"message":"Not found"}"#.to_string())
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.flush();
                let mut sink = [0u8; 0];
                let _ = stream.read(&mut sink);
            }
        });
        GrafanaCom {
            url: format!("http://127.0.0.1:{port}"),
            stop,
            port,
        }
    }

    /// An address where nothing answers (grafana.com unreachable).
    pub fn unreachable() -> String {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}")
    }
}

impl Drop for GrafanaCom {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}
