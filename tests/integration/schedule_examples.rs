//! The scheduling examples of `exemples/cron/` and `exemples/systemd/`
//! (README, « Vérifier la pile chaque heure »): valid syntax (cron fields in
//! range; units accepted by `systemd-analyze verify`, the timer's calendar
//! included), and every `journal` command they run exists and ends with a
//! documented code on a project whose services cannot be reached.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Outcome, Projet};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("exemples")
}

/// The arguments of each `journal` command of a shell line (split on `&&`,
/// `;`, `|`, up to a redirection).
fn journal_commands(line: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for part in line
        .split("&&")
        .flat_map(|p| p.split(';'))
        .flat_map(|p| p.split('|'))
    {
        let mut words = part.split_whitespace().map(|w| w.trim_matches('\''));
        if words.any(|w| w == "journal" || w.ends_with("/journal")) {
            out.push(
                words
                    .take_while(|w| !w.starts_with('>') && *w != "2>&1")
                    .map(str::to_string)
                    .collect(),
            );
        }
    }
    out
}

/// Runs `args` in a project where partie-6 succeeded but nothing answers.
fn run_unreachable(args: &[String]) -> Outcome {
    let p = Projet::fixture("journal-exemple");
    p.journal()
        .args(args)
        .env("DOCKER_HOST", "unix:///nulle-part/docker.sock")
        .env("JOURNAL_PROMETHEUS_URL", "http://127.0.0.1:9")
        .env("JOURNAL_GRAFANA_URL", "http://127.0.0.1:9")
        .run()
}

/// The code a command of the examples must end with here: `verifie` finds
/// the services unreachable (3), `metriques` succeeds (0).
fn expected_code(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("verifie") => 3,
        Some("metriques") => 0,
        other => panic!("commande inattendue dans les exemples : {other:?}"),
    }
}

fn cron_field_ok(field: &str, min: u32, max: u32) -> bool {
    field.split(',').all(|item| {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        let step_ok = step.is_none_or(|s| s.parse::<u32>().is_ok_and(|n| n >= 1 && n <= max));
        let in_range = |s: &str| s.parse::<u32>().is_ok_and(|n| (min..=max).contains(&n));
        let range_ok = range == "*"
            || match range.split_once('-') {
                Some((a, b)) => in_range(a) && in_range(b),
                None => in_range(range),
            };
        step_ok && range_ok
    })
}

/// The schedule lines of a crontab: (five fields, command).
fn cron_jobs(text: &str) -> Vec<(Vec<String>, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| {
            // NAME=value lines set the environment.
            !l.split_whitespace().next().is_some_and(|w| {
                w.contains('=') && !w.starts_with(|c: char| c.is_ascii_digit() || c == '*')
            })
        })
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            assert!(words.len() > 5, "ligne de crontab incomplète : {l}");
            (
                words[..5].iter().map(|w| w.to_string()).collect(),
                words[5..].join(" "),
            )
        })
        .collect()
}

fn check_cron(text: &str) -> Result<Vec<Vec<String>>, String> {
    const BOUNDS: [(u32, u32); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];
    let mut commands = Vec::new();
    let jobs = cron_jobs(text);
    if jobs.is_empty() {
        return Err("aucune tâche".into());
    }
    for (fields, command) in jobs {
        for (f, (min, max)) in fields.iter().zip(BOUNDS) {
            if !cron_field_ok(f, min, max) {
                return Err(format!("champ d'horaire invalide « {f} » dans {fields:?}"));
            }
        }
        commands.extend(journal_commands(&command));
    }
    Ok(commands)
}

#[test]
fn the_cron_example_is_valid_and_runs_existing_commands() {
    let text = fs::read_to_string(examples().join("cron/journal-verifie.cron")).unwrap();
    let commands = check_cron(&text).unwrap();
    assert!(
        commands
            .iter()
            .any(|c| c.first().is_some_and(|s| s == "verifie")),
        "{commands:?}"
    );
    assert!(
        commands
            .iter()
            .any(|c| c.first().is_some_and(|s| s == "metriques")),
        "{commands:?}"
    );
    for args in &commands {
        run_unreachable(args).expect_code(expected_code(args));
    }
    // The check can fail.
    assert!(check_cron("61 * * * * journal verifie").is_err());
    assert!(check_cron("* * * * journal verifie").is_err());
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `systemd-analyze verify` on copies of the units whose binary, user and
/// folder exist here.
fn analyze(service: &str, timer: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_journal");
    let service = service
        .replace("/usr/local/bin/journal", bin)
        .replace("User=infra", &format!("User={}", current_user()))
        .replace("/srv/infra", &dir.path().display().to_string());
    fs::write(dir.path().join("journal-verifie.service"), service).unwrap();
    fs::write(dir.path().join("journal-verifie.timer"), timer).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("journal-verifie.service"))
        .arg(dir.path().join("journal-verifie.timer"))
        .output()
        .expect("systemd-analyze est nécessaire à ce test (paquet systemd)");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() && said.trim().is_empty() {
        Ok(())
    } else {
        Err(said)
    }
}

#[test]
fn the_systemd_units_are_verified_by_systemd_and_run_existing_commands() {
    let dir = examples().join("systemd");
    let service = fs::read_to_string(dir.join("journal-verifie.service")).unwrap();
    let timer = fs::read_to_string(dir.join("journal-verifie.timer")).unwrap();
    analyze(&service, &timer).unwrap();
    assert!(timer.contains("Unit=journal-verifie.service"));
    let commands: Vec<Vec<String>> = service
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.starts_with("Exec"))
        .flat_map(|(_, v)| journal_commands(v))
        .collect();
    assert!(
        commands
            .iter()
            .any(|c| c.first().is_some_and(|s| s == "verifie")),
        "{commands:?}"
    );
    for args in &commands {
        run_unreachable(args).expect_code(expected_code(args));
    }
    // The check can fail: a calendar systemd does not know.
    assert!(
        analyze(
            &service,
            &timer.replace("OnCalendar=hourly", "OnCalendar=chaque-heure")
        )
        .is_err()
    );
}
