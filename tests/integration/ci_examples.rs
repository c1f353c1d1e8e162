//! The CI examples of `exemples/ci/` (README, « Publier le livre en CI »):
//! valid YAML, and every `journal` command they run exists and succeeds on
//! a clean journal, with the options they pass.

use std::fs;
use std::path::Path;

use crate::support::Projet;

/// The shell lines of a workflow (`run:` of GitHub steps, `script:` of
/// GitLab jobs).
fn shell_lines(doc: &serde_yaml::Value, out: &mut Vec<String>) {
    match doc {
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    (Some("run"), serde_yaml::Value::String(s)) => {
                        out.extend(s.lines().map(str::to_string))
                    }
                    (Some("script"), serde_yaml::Value::Sequence(items)) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)))
                    }
                    _ => shell_lines(v, out),
                }
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|i| shell_lines(i, out)),
        _ => {}
    }
}

/// The arguments of the `journal` command of a shell line, if it has one
/// (up to the first redirection or shell operator).
fn journal_args(line: &str) -> Option<Vec<String>> {
    let mut words = line.split_whitespace();
    words.find(|w| *w == "journal" || w.ends_with("/journal"))?;
    Some(
        words
            .take_while(|w| !matches!(*w, ">" | "|" | "||" | "&&" | ";" | "2>&1"))
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn ci_examples_are_valid_yaml_and_run_only_existing_commands() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("exemples/ci");
    let mut seen = Vec::new();
    for name in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = fs::read_to_string(dir.join(name)).unwrap();
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name} : YAML invalide : {e}"));
        let mut lines = Vec::new();
        shell_lines(&doc, &mut lines);
        let commands: Vec<Vec<String>> = lines.iter().filter_map(|l| journal_args(l)).collect();
        assert!(
            commands
                .iter()
                .any(|c| c.first().is_some_and(|s| s == "check"))
                && commands
                    .iter()
                    .any(|c| c[..] == ["build".to_string(), "--strict".to_string()]),
            "{name} : check puis build --strict attendus : {commands:?}"
        );
        assert!(text.contains("book/html"), "{name} ne publie pas book/html");
        for args in commands {
            let p = Projet::fixture("journal-exemple");
            let out = p.journal().args(&args).run();
            out.expect_code(0);
            seen.push(args.join(" "));
        }
    }
    for wanted in [
        "check --format github",
        "check --format jsonl",
        "build --strict",
    ] {
        assert!(
            seen.iter().any(|s| s == wanted),
            "{wanted} absent de {seen:?}"
        );
    }
}

#[test]
fn a_command_the_tool_does_not_have_would_be_caught() {
    let p = Projet::fixture("journal-exemple");
    let args = journal_args("target/release/journal publier --vite").unwrap();
    assert_eq!(args, ["publier", "--vite"]);
    p.journal().args(&args).run().expect_code(2);
}
