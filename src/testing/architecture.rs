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

/// The modules named in the « modules » column of ARCHITECTURE.md's import
/// table.
fn modules_of_the_table() -> Vec<String> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .unwrap();
    doc.lines()
        .skip_while(|l| !l.starts_with("| couche | modules |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(2))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_string))
        .collect()
}

/// Every module of `lib.rs` (the test helpers of `testing` apart) has its
/// layer in the table, so a new module cannot escape the rules.
#[test]
fn the_import_table_covers_every_module() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let table = modules_of_the_table();
    for layer in [
        "steps", "parts", "cmd", "runbook", "book", "adapters", "store",
    ] {
        assert!(table.iter().any(|m| m == layer), "{layer} : {table:?}");
    }
    let missing: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .filter(|m| *m != "testing" && !table.iter().any(|t| t == m))
        .collect();
    assert!(
        missing.is_empty(),
        "modules absents du tableau d'ARCHITECTURE.md : {missing:?}"
    );
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

/// The modules of `book`, lowest first (ARCHITECTURE.md, « Couches du
/// livre »): each may name (`super::<m>`, `crate::book::<m>`) only those
/// before it. `mod.rs` is the facade above them all: no module imports from
/// it, so `super::Sources` is written `super::sources::Sources`.
const BOOK_LAYERS: [&str; 23] = [
    "cores",
    "paths",
    "health",
    "sources",
    "markup",
    "files",
    "load",
    "ids",
    "check",
    "manifest",
    "sanitize",
    "search_text",
    "search_index",
    "search",
    "model",
    "inline",
    "revision",
    "runbook_page",
    "pages",
    "archive",
    "generate",
    "render",
    "incremental",
];

/// The first path segments named after `needle` on `line`: `a` for
/// `needle a::b`, `a` and `b` for `needle {a::x, b}`.
fn named_after(line: &str, needle: &str) -> Vec<String> {
    line.split(needle)
        .skip(1)
        .flat_map(|rest| match rest.strip_prefix('{') {
            Some(list) => {
                let (mut depth, mut items, mut item) = (0, Vec::new(), String::new());
                for c in list.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                        _ if depth == 0 => item.push(c),
                        _ => {}
                    }
                }
                items.push(item);
                items
                    .iter()
                    .map(|i| i.trim().split("::").next().unwrap_or("").to_string())
                    .collect()
            }
            None => vec![
                rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or("")
                    .to_string(),
            ],
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[test]
fn book_modules_import_only_lower_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/book");
    let mut bad = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(name) = file.strip_suffix(".rs") else {
            continue;
        };
        // The facade, and unit tests kept in their own file.
        if name == "mod" || name.ends_with("_tests") {
            continue;
        }
        let Some(rank) = BOOK_LAYERS.iter().position(|m| *m == name) else {
            bad.push(format!("src/book/{file} : absent de BOOK_LAYERS"));
            continue;
        };
        for line in raw_uses(&format!("book/{name}"), &["super::", "crate::book"]) {
            let code = line.split_once(": ").map_or("", |(_, c)| c);
            if code.starts_with("//") {
                continue;
            }
            let mut names = named_after(code, "super::");
            names.extend(named_after(code, "crate::book::"));
            for n in names {
                match BOOK_LAYERS.iter().position(|m| *m == n) {
                    Some(r) if r < rank => {}
                    Some(_) => bad.push(format!("{line} (`{n}` n'est pas plus bas)")),
                    None => bad.push(format!("{line} (`{n}` : par la façade mod.rs)")),
                }
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
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
fn steps_know_neither_the_commands_nor_the_registry_nor_the_book() {
    let v = violations("steps", &["cmd", "cli", "parts", "book"]);
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn the_registry_knows_only_the_engine_and_the_steps() {
    let v = violations(
        "parts",
        &["cmd", "cli", "book", "adapters", "store", "compose_file"],
    );
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn only_main_calls_the_commands() {
    let mut v = Vec::new();
    for m in [
        "cli",
        "parts",
        "steps",
        "runbook",
        "book",
        "adapters",
        "store",
        "settings",
        "clock",
        "compose_file",
        "templates",
        "output",
        "project",
        "part_file",
        "error",
        "french",
        "secrets",
        "textdiff",
    ] {
        v.extend(violations(m, &["cmd"]));
    }
    assert!(v.is_empty(), "{v:#?}");
}

/// The kit knows no part: its files name only the kit itself and the shared
/// types of `steps` (`crate::steps::ComposeClient`…), never a step's file.
#[test]
fn the_step_kit_knows_no_part() {
    let mut bad = Vec::new();
    for line in raw_uses("steps/kit", &["crate::steps::"]) {
        let names = named_after(&line, "crate::steps::");
        if names
            .iter()
            .any(|n| n != "kit" && !n.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            bad.push(line);
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
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
    }
    // A module may be `src/<m>.rs` with its sub-modules in `src/<m>/`.
    let file = src.join(format!("{module}.rs"));
    if file.is_file() {
        files.push(file);
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
