//! The command line as a newcomer meets it: projects found from a subfolder
//! like git, a refusal outside any project, `journal init` (twice), shell
//! completions and the man page, the version, typoed commands.

use std::fs;
use std::process::Command;

use crate::support::{Projet, Run};

#[test]
fn a_note_from_a_subfolder_goes_to_the_project_root() {
    let p = Projet::empty();
    fs::create_dir_all(p.path().join("journal")).unwrap();
    let sub = p.path().join("compose/config/prometheus");
    fs::create_dir_all(&sub).unwrap();
    Run::new()
        .in_dir(&sub)
        .args(["note", "Note écrite depuis un sous-dossier"])
        .run()
        .expect_code(0);
    assert_eq!(p.entry_files().len(), 1, "{:?}", p.entry_files());
    assert!(!sub.join("journal").exists(), "second journal/ créé");
    let out = Run::new().in_dir(&sub).args(["list"]).run();
    out.expect_code(0);
    assert!(out.stdout.contains("Note écrite depuis"), "{out}");
}

#[test]
fn outside_any_project_commands_refuse_with_the_init_hint() {
    let outside = Projet::empty();
    let dir = outside.path().join("nulle-part");
    fs::create_dir_all(&dir).unwrap();
    for args in [
        vec!["note", "perdue ?"],
        vec!["list"],
        vec!["run", "partie-6"],
    ] {
        let out = Run::new().in_dir(&dir).args(&args).run();
        out.expect_code(2);
        assert!(
            out.stderr.contains("n'est dans aucun projet journal"),
            "{out}"
        );
        assert!(out.stderr.contains("aide :"), "{out}");
        assert!(out.stderr.contains("journal init"), "{out}");
    }
    assert!(
        fs::read_dir(&dir).unwrap().next().is_none(),
        "rien ne doit être créé hors d'un projet"
    );
}

#[test]
fn projet_flag_still_wins_over_discovery() {
    let a = Projet::empty();
    fs::create_dir_all(a.path().join("journal")).unwrap();
    let b = Projet::empty();
    Run::new()
        .in_dir(a.path())
        .arg("--projet")
        .arg(b.path())
        .args(["note", "Pour B"])
        .run()
        .expect_code(0);
    assert_eq!(a.entry_files().len(), 0);
    assert_eq!(b.entry_files().len(), 1);
}

#[test]
fn init_twice_creates_the_layout_then_says_already_done() {
    let p = Projet::empty();
    let first = Run::new().in_dir(p.path()).arg("init").run();
    first.expect_code(0);
    assert!(first.stderr.contains("initialisé"), "{first}");
    assert!(p.path().join("compose").is_dir());
    assert!(p.path().join("journal").is_dir());
    let gitignore = fs::read_to_string(p.path().join(".gitignore")).unwrap();
    for line in ["/book/", "/.journal-secrets/"] {
        assert!(gitignore.lines().any(|l| l == line), "{gitignore}");
    }
    let second = Run::new().in_dir(p.path()).arg("init").run();
    second.expect_code(0);
    assert!(second.stderr.contains("déjà fait"), "{second}");
    assert_eq!(
        fs::read_to_string(p.path().join(".gitignore")).unwrap(),
        gitignore
    );
    // The new project is found from a subfolder.
    Run::new()
        .in_dir(&p.path().join("compose"))
        .args(["note", "Première note"])
        .run()
        .expect_code(0);
    assert_eq!(p.entry_files().len(), 1);
}

#[test]
fn completions_are_generated_for_three_shells_and_bash_sources_its_own() {
    let dir = Projet::empty();
    for shell in ["bash", "zsh", "fish"] {
        let out = Run::new()
            .in_dir(dir.path())
            .args(["completions", shell])
            .run();
        out.expect_code(0);
        assert!(out.stdout.contains("montre"), "{shell} : {out}");
        assert!(
            out.stdout.contains("partie-6"),
            "{shell} : noms de parties absents"
        );
        if shell == "bash" {
            let script = dir.path().join("journal.bash");
            fs::write(&script, &out.stdout).unwrap();
            // Source it, then ask for the completions of `journal run part`.
            let check = Command::new("bash")
                .arg("-c")
                .arg(format!(
                    "source '{}' && COMP_WORDS=(journal run part) COMP_CWORD=2 COMP_LINE='journal run part' COMP_POINT=16 && _journal journal part run && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                    script.display()
                ))
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&check.stdout);
            assert!(
                check.status.success(),
                "bash : {}",
                String::from_utf8_lossy(&check.stderr)
            );
            assert!(stdout.lines().any(|l| l == "partie-6"), "{stdout}");
        }
    }
    let fish = Run::new()
        .in_dir(dir.path())
        .args(["completions", "fish"])
        .run();
    assert!(
        fish.stdout
            .contains("__fish_seen_subcommand_from montre show"),
        "{fish}"
    );
    let bad = Run::new()
        .in_dir(dir.path())
        .args(["completions", "tcsh"])
        .run();
    bad.expect_code(2);
}

#[test]
fn man_page_help_and_version_need_no_project() {
    let dir = Projet::empty();
    let man = Run::new().in_dir(dir.path()).arg("man").run();
    man.expect_code(0);
    assert!(man.stdout.contains(".TH journal 1"), "{man}");
    assert!(man.stdout.contains("montre"), "{man}");
    let help = Run::new().in_dir(dir.path()).args(["help", "list"]).run();
    help.expect_code(0);
    assert!(help.stdout.contains("journal list"), "{help}");
    let version = Run::new().in_dir(dir.path()).arg("--version").run();
    version.expect_code(0);
    assert!(
        version
            .stdout
            .starts_with(&format!("journal {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
}

#[test]
fn a_typoed_command_gets_its_french_suggestion() {
    let dir = Projet::empty();
    let out = Run::new().in_dir(dir.path()).arg("lis").run();
    out.expect_code(2);
    assert!(out.stderr.contains("vouliez-vous dire « list » ?"), "{out}");
}

#[test]
fn show_is_an_alias_of_montre() {
    let p = Projet::empty();
    p.journal()
        .args(["note", "Alias anglais"])
        .run()
        .expect_code(0);
    let id = p.entry_files()[0].trim_end_matches(".md").to_string();
    let a = p.journal().args(["montre", &id]).run();
    let b = p.journal().args(["show", &id]).run();
    a.expect_code(0);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn verbose_dry_run_lists_the_commands_and_calls_made() {
    let _bench = crate::bench::Bench::take("verbose_dry_run_lists_the_commands_and_calls_made");
    let s = crate::bench::Stack::new("bavard");
    let quiet = s.journal().args(["run", "partie-6", "--dry-run"]).run();
    quiet.expect_code(0);
    assert!(!quiet.stderr.contains("$ docker"), "{quiet}");
    let v = s
        .journal()
        .args(["run", "partie-6", "--dry-run", "-v"])
        .run();
    v.expect_code(0);
    for wanted in [
        "$ docker compose version --short",
        "→ API Docker : GET /info",
        "$ git ",
    ] {
        assert!(v.stderr.contains(wanted), "« {wanted} » absent\n{v}");
    }
    assert!(
        !v.stderr.contains("  ← réussi"),
        "-v ne montre pas les réponses\n{v}"
    );
    let vv = s
        .journal()
        .args(["run", "partie-6", "--dry-run", "-vv"])
        .run();
    vv.expect_code(0);
    assert!(
        vv.stderr
            .contains("$ docker compose version --short\n  ← réussi"),
        "{vv}"
    );
    assert!(
        s.projet.entry_files().is_empty(),
        "une simulation n'écrit rien"
    );
}

#[test]
fn statuses_and_aliases_accept_both_spellings() {
    let p = Projet::empty();
    p.journal()
        .args(["note", "Une note", "--etiquette", "essai"])
        .run()
        .expect_code(0);
    for args in [
        vec!["list", "--statut", "consigné"],
        vec!["list", "--statut", "CONSIGNE"],
        vec!["liste", "--tag", "essai"],
        vec!["list", "--etiquette", "essai", "--since", "7j"],
    ] {
        let out = p.journal().args(&args).run();
        out.expect_code(0);
        assert!(out.stdout.contains("Une note"), "{args:?}\n{out}");
    }
}

#[test]
#[ignore = "banc Docker (tests/bench) : cargo test -- --include-ignored"]
fn very_verbose_run_shows_http_calls_and_answers_without_the_password() {
    let _bench = crate::bench::Bench::take("very_verbose_run_shows_http_calls_and_answers");
    let s = crate::bench::Stack::new("tres-bavard");
    let out = s.journal().args(["run", "partie-6", "-vv"]).run();
    out.expect_code(0);
    let password = fs::read_to_string(s.projet.path().join(".journal-secrets/grafana-admin"))
        .unwrap()
        .trim()
        .to_string();
    assert!(!password.is_empty());
    assert!(
        !out.stderr.contains(&password),
        "mot de passe affiché par -vv"
    );
    assert!(
        !out.stdout.contains(&password),
        "mot de passe affiché par -vv"
    );
    assert!(out.stderr.contains("→ GET http://"), "{out}");
    assert!(
        out.stderr.contains("/api/"),
        "appels Grafana absents\n{out}"
    );
    assert!(
        out.stderr.contains("  ← 200 "),
        "réponses HTTP absentes\n{out}"
    );
    assert!(out.stderr.contains("$ docker compose"), "{out}");
}

#[test]
fn bash_completes_entry_ids_after_montre_and_execution() {
    let p = Projet::empty();
    p.journal()
        .args(["note", "Une note à retrouver"])
        .run()
        .expect_code(0);
    let id = p.entry_files()[0].trim_end_matches(".md").to_string();
    let script = p.path().join("journal.bash");
    let out = Run::new().args(["completions", "bash"]).run();
    fs::write(&script, &out.stdout).unwrap();
    let bin = env!("CARGO_BIN_EXE_journal");
    let complete = |words: &str, cword: usize| {
        let check = Command::new("bash")
            .current_dir(p.path())
            .arg("-c")
            .arg(format!(
                "source '{}' && COMP_WORDS=({words}) COMP_CWORD={cword} && _journal_ids \"${{COMP_WORDS[0]}}\" \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        String::from_utf8_lossy(&check.stdout).into_owned()
    };
    let prefix = &id[..7];
    assert_eq!(complete(&format!("'{bin}' montre {prefix}"), 2).trim(), id);
    assert_eq!(complete(&format!("'{bin}' show ''"), 2).trim(), id);
    assert_eq!(
        complete(&format!("'{bin}' note --execution {prefix}"), 3).trim(),
        id
    );
    // Elsewhere, clap_complete's own completion answers (bash passes the
    // command, the current and the previous word, as above).
    assert!(
        complete(&format!("'{bin}' mon"), 1)
            .lines()
            .any(|l| l == "montre")
    );
}
