//! The layering rules of ARCHITECTURE.md, checked on the source text: which
//! module folders may name which others (`crate::<module>`).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Lines of non-test code under `src/<module>` that name `crate::<forbidden>`.
fn violations(module: &str, forbidden: &[&str]) -> Vec<String> {
    let needles: Vec<String> = forbidden
        .iter()
        .flat_map(|m| [format!("crate::{m}::"), format!("crate::{m};")])
        .collect();
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    raw_uses(module, &needles)
}

#[test]
fn the_engine_knows_no_step_no_cli_no_adapter() {
    let v = violations("runbook", &["steps", "cli", "cmd", "adapters", "parts"]);
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn the_book_knows_only_what_it_renders() {
    let v = violations("book", &["runbook", "steps", "cmd", "adapters", "parts"]);
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn the_foundation_depends_on_no_layer_above() {
    for m in [
        "store",
        "settings",
        "compose_file",
        "templates",
        "project",
        "part_file",
    ] {
        let v = violations(m, &["runbook", "steps", "cmd", "cli", "adapters", "book"]);
        assert!(v.is_empty(), "{v:#?}");
    }
}

#[test]
fn adapters_hold_no_business_logic_of_the_layers_above() {
    let v = violations(
        "adapters",
        &["runbook", "steps", "cmd", "cli", "book", "store"],
    );
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn only_adapters_start_processes_or_open_sockets() {
    let mut bad = Vec::new();
    for m in [
        "steps",
        "runbook",
        "book",
        "store",
        "compose_file",
        "part_file",
    ] {
        bad.extend(raw_uses(
            m,
            &[
                "Command::new",
                "TcpListener",
                "TcpStream",
                "reqwest::",
                "bollard::",
            ],
        ));
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Lines of non-test code under `src/<module>` that contain one of `needles`.
fn raw_uses(module: &str, needles: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let dir = src.join(module);
    if dir.is_dir() {
        sources(&dir, &mut files);
    } else {
        files.push(src.join(format!("{module}.rs")));
    }
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // Unit tests (the trailing `#[cfg(test)]` module) may use anything.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            if needles.iter().any(|n| line.contains(n)) {
                found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    found
}
