//! Runs that survive what was seen on real machines (issue 9, items 3 and
//! 4): a dashboard already imported while grafana.com answers garbage, and
//! compose files the editor used to handle wrongly. The bench tests take the
//! bench lock and tear their stack down.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;

use journal::store::{Status, StepStatus};

use crate::bench::{Bench, GrafanaCom, Stack};
use crate::support::{Projet, latest_run, step_status};

/// A grafana.com that answers `200` with an HTML page to every request (a
/// captive portal, a broken proxy); the thread lives as long as the test.
fn garbage_grafana_com() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
            let _ = stream.read(&mut [0u8; 0]);
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn dashboard_already_imported_and_grafana_com_broken_is_already_done() {
    let _bench = Bench::take("dashboard_already_imported_and_grafana_com_broken_is_already_done");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("tableau-deja-la");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    let first = s.journal().args(["run", "partie-6"]).run();
    first.expect_code(0);
    assert_eq!(
        step_status(&latest_run(&s.projet), "grafana-dashboard"),
        StepStatus::Succeeded
    );
    drop(gcom);

    s.set("JOURNAL_GRAFANA_COM_URL", &garbage_grafana_com());
    let second = s.journal().args(["run", "partie-6"]).run();
    second.expect_code(0);
    let e = latest_run(&s.projet);
    assert_eq!(e.front.statut, Status::Succeeded, "{second}");
    assert_eq!(
        step_status(&e, "grafana-dashboard"),
        StepStatus::AlreadyDone,
        "{second}"
    );
    assert!(e.body.contains("déjà dans Grafana"), "{}", e.body);
    assert!(e.body.contains("ID 14282, révision 1"), "{}", e.body);
    assert!(e.body.contains("rien n'a été téléchargé"), "{}", e.body);
}

/// The fixture's compose file with its network declared under the key
/// `ticketing` with `name: systeme-ticketing-net`.
fn with_network_alias(text: &str) -> String {
    let text = text.replace(
        "  systeme-ticketing-net:\n    driver: bridge\n",
        "  ticketing:\n    name: systeme-ticketing-net\n    driver: bridge\n",
    );
    text.replace("- systeme-ticketing-net", "- ticketing")
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn network_declared_under_another_key_is_shared_on_the_bench() {
    let _bench = Bench::take("network_declared_under_another_key_is_shared_on_the_bench");
    let gcom = GrafanaCom::start(14282);
    let mut s = Stack::new("reseau-nomme");
    s.set("JOURNAL_GRAFANA_COM_URL", &gcom.url);
    let original = fs::read_to_string(s.compose_file()).unwrap();
    let aliased = with_network_alias(&original);
    assert_ne!(aliased, original, "fixture changée : adapter le test");
    assert!(!aliased.contains("- systeme-ticketing-net"));
    fs::write(s.compose_file(), &aliased).unwrap();

    let out = s.journal().args(["run", "partie-6"]).run();
    out.expect_code(0);
    let e = latest_run(&s.projet);
    assert_eq!(step_status(&e, "compose-services"), StepStatus::Succeeded);
    let text = fs::read_to_string(s.compose_file()).unwrap();
    assert_eq!(
        text.matches("systeme-ticketing-net").count(),
        1,
        "un second réseau a été ajouté :\n{text}"
    );
    // The three new containers are on the existing network, where
    // Prometheus reached cAdvisor (targets step).
    let inspect = Command::new("docker")
        .args([
            "network",
            "inspect",
            "systeme-ticketing-net",
            "--format",
            "{{range .Containers}}{{.Name}} {{end}}",
        ])
        .output()
        .expect("docker network inspect");
    let names = String::from_utf8_lossy(&inspect.stdout);
    for c in ["prometheus", "grafana", "cadvisor"] {
        assert!(
            names.split_whitespace().any(|n| n == c),
            "{c} absent : {names}"
        );
    }
    let again = s.journal().args(["run", "partie-6"]).run();
    again.expect_code(0);
    assert_eq!(
        step_status(&latest_run(&s.projet), "compose-services"),
        StepStatus::AlreadyDone
    );
    assert_eq!(fs::read_to_string(s.compose_file()).unwrap(), text);
}

#[test]
fn host_port_published_by_another_service_is_exit_2_even_in_dry_run() {
    // Needs no Docker: preflight refuses before touching anything. The
    // webhook.site service of Haxxnet/Compose-Examples publishes 8084.
    let p = Projet::fixture("projet-partie6");
    let file = p.path().join("compose/docker-compose.yml");
    let text = fs::read_to_string(&file).unwrap().replacen(
        "services:\n",
        "services:\n  webhook:\n    image: webhooksite/webhook.site\n    ports:\n      - \"8084:80\"\n\n",
        1,
    );
    fs::write(&file, &text).unwrap();
    for dry_run in [true, false] {
        let mut args = vec!["run", "partie-6"];
        if dry_run {
            args.push("--dry-run");
        }
        let out = p.journal().args(&args).env("NO_COLOR", "1").run();
        assert_eq!(out.code, 2, "{out}");
        assert!(out.stderr.contains("« webhook »"), "{out}");
        assert!(out.stderr.contains("ligne 7"), "{out}");
        assert!(out.stderr.contains("JOURNAL_PORT_GRAFANA=8085"), "{out}");
        assert_eq!(fs::read_to_string(&file).unwrap(), text);
    }
    let e = latest_run(&p);
    assert_eq!(step_status(&e, "preflight"), StepStatus::Failed);
    // The hint holds: Grafana moved to 8085 by journal.toml, no clash left.
    fs::write(p.path().join("journal.toml"), "port_grafana = 8085\n").unwrap();
    let out = p
        .journal()
        .args(["run", "partie-6", "--dry-run"])
        .env("NO_COLOR", "1")
        .run();
    assert!(!out.stderr.contains("« webhook »"), "{out}");
    assert!(!out.stdout.contains("« webhook »"), "{out}");
}

#[test]
fn swarm_target_refuses_a_port_published_by_another_service_of_either_file() {
    // Needs no Docker: the swarm preflight compares the files first.
    let p = Projet::fixture("projet-partie6");
    let compose = p.path().join("compose/docker-compose.yml");
    let original = fs::read_to_string(&compose).unwrap();
    let text = original.replacen(
        "services:\n",
        "services:\n  webhook:\n    image: webhooksite/webhook.site\n    ports:\n      - \"8084:80\"\n\n",
        1,
    );
    fs::write(&compose, &text).unwrap();
    let run = || {
        p.journal()
            .args(["run", "partie-6", "--cible", "swarm"])
            .env("NO_COLOR", "1")
            .run()
    };
    let out = run();
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("« webhook »"), "{out}");
    assert!(out.stderr.contains("JOURNAL_PORT_GRAFANA=8085"), "{out}");
    // A stack file edited by hand with another service on 9090.
    fs::write(&compose, &original).unwrap();
    let stack = p.path().join("compose/docker-stack.yml");
    fs::write(
        &stack,
        "services:\n  prometheus:\n    image: prom/prometheus\n  victoria:\n    image: victoriametrics/victoria-metrics\n    ports:\n      - target: 8428\n        published: 9090\n        mode: host\n",
    )
    .unwrap();
    let out = run();
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("docker-stack.yml"), "{out}");
    assert!(out.stderr.contains("« victoria »"), "{out}");
    assert!(out.stderr.contains("ligne 8"), "{out}");
    assert!(out.stderr.contains("JOURNAL_PORT_PROMETHEUS=9091"), "{out}");
}

#[test]
fn container_name_taken_by_another_service_is_exit_2_before_anything() {
    // Needs no Docker: preflight refuses before touching anything.
    let p = Projet::fixture("projet-partie6");
    let file = p.path().join("compose/docker-compose.yml");
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str("\n# Un Grafana d'essai sous un autre nom de service\nx-vide: {}\n");
    let text = text.replacen(
        "services:\n",
        "services:\n  tableau:\n    image: grafana/grafana:9.0\n    container_name: grafana\n\n",
        1,
    );
    fs::write(&file, &text).unwrap();
    let out = p
        .journal()
        .args(["run", "partie-6"])
        .env("NO_COLOR", "1")
        .run();
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("« tableau »"), "{out}");
    assert!(out.stderr.contains("container_name"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
    let e = latest_run(&p);
    assert_eq!(e.front.statut, Status::Failed);
    assert_eq!(step_status(&e, "preflight"), StepStatus::Failed);
}

#[test]
fn a_closed_pipe_ends_list_quietly() {
    let p = Projet::fixture("journal-exemple");
    for i in 0..40 {
        p.journal()
            .args(["note", &format!("Note {i}"), "-q"])
            .run()
            .expect_code(0);
    }
    // `journal list | head -0`: the reader is gone before the first line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_journal"))
        .arg("--projet")
        .arg(p.path())
        .arg("list")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
}

/// A tmpfs of `size` mounted for the life of the value (the tests run as
/// root, like the bench's CI).
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn new(size: &str) -> Self {
        assert!(
            crate::support::is_root(),
            "ce test monte un tmpfs (disque plein) : il doit tourner en root, comme la CI"
        );
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount -t tmpfs");
        SmallDisk(dir)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn a_full_disk_during_the_build_is_exit_4_in_french_without_panic() {
    let journal = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/journal-exemple/journal");
    let build = |kib: u32| {
        let disk = SmallDisk::new(&format!("{kib}k"));
        crate::support::copy_dir(&journal, &disk.0.path().join("journal"));
        let out = crate::support::Run::new()
            .arg("--projet")
            .arg(disk.0.path())
            .arg("build")
            .run();
        assert!(!out.stderr.contains("panicked"), "{kib} Kio : {out}");
        if out.code != 0 {
            assert_eq!(out.code, 4, "{kib} Kio : {out}");
            assert!(out.stderr.contains("disque plein"), "{kib} Kio : {out}");
            assert!(out.stderr.contains("aide :"), "{kib} Kio : {out}");
        }
        out
    };
    // From « nothing fits » up to the first size where the book fits…
    let fits = (1200..=6000)
        .step_by(300)
        .find(|&kib| build(kib).code == 0)
        .expect("le livre ne tient dans aucune taille essayée");
    // …then just below it, where what is written last (the search index)
    // no longer does.
    let stages: Vec<u32> = (fits.saturating_sub(300)..fits)
        .step_by(12)
        .filter(|&kib| {
            let out = build(kib);
            out.code == 4 && out.stderr.contains("index de recherche")
        })
        .collect();
    assert!(
        !stages.is_empty(),
        "aucune taille n'a rempli le disque pendant l'index de recherche (le livre tient à {fits} Kio)"
    );
}
