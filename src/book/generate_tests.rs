//! Tests of the book generation: snapshots of the pages of the example
//! journal, permalinks, bounds, odd inputs.

use super::*;
use crate::book::{PartInfo, SourceEntry, load};
use std::path::Path;

fn parts() -> Vec<PartInfo> {
    vec![PartInfo {
        id: "partie-6".into(),
        title: "Supervision : Prometheus, Grafana et cAdvisor".into(),
        ..PartInfo::default()
    }]
}

fn fixture() -> Input {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal-exemple/journal");
    let (mut input, errors) = load(&dir).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(input.entries.len(), 5);
    input.parts = parts();
    input
}

fn generated() -> Sources {
    generate(&fixture(), &Templates::embedded_only()).unwrap()
}

/// `n` copies of the fixture's first note, one every `seconds` seconds from
/// 2024-01-01 08:00.
fn many(n: usize, seconds: i64) -> Input {
    let mut input = fixture();
    let model = input.entries[1].clone();
    let start = chrono::DateTime::parse_from_rfc3339("2024-01-01T08:00:00+01:00").unwrap();
    input.entries = (0..n)
        .map(|i| {
            let mut se: SourceEntry = model.clone();
            let t = start + chrono::Duration::seconds(seconds * i as i64);
            se.entry.front.horodatage = t;
            se.entry.front.titre = format!("Note n° {i}");
            se.entry.path =
                format!("journal/{}-note-{i:06}.md", t.format("%Y-%m-%dT%H%M%S-000")).into();
            se.text = format!("---\ntype: note\n---\n\n# Note n° {i}\n\nTexte {i}.\n");
            se
        })
        .collect();
    input
}

#[test]
fn summary_snapshot() {
    insta::assert_snapshot!("sommaire", generated().files["SUMMARY.md"]);
}

#[test]
fn index_snapshot() {
    insta::assert_snapshot!("index", generated().files["index.md"]);
}

#[test]
fn part_and_day_pages_snapshot() {
    let s = generated();
    insta::assert_snapshot!("partie-6", s.files["parties/partie-6.md"]);
    insta::assert_snapshot!("jour", s.files["mois/2026-11/2026-11-24.md"]);
    insta::assert_snapshot!("journal-de-bord", s.files["journal-de-bord.md"]);
    insta::assert_snapshot!("notes-generales", s.files["notes-generales.md"]);
    insta::assert_snapshot!("mois", s.files["mois/2026-11/index.md"]);
    insta::assert_snapshot!("mois-sommaire", s.files["mois/2026-11/SUMMARY.md"]);
}

#[test]
fn generated_book_of_the_fixture_is_clean() {
    let s = generated();
    assert_eq!(crate::book::check(&s), vec![]);
    // Entries are checked as written, rendered in their day page.
    let id = "2026-11-24T213005-123-execution-ab12cd";
    assert!(s.check_only[&format!("entrees/{id}.md")].starts_with("---\ntype: execution"));
    assert!(!s.files.contains_key(&format!("entrees/{id}.md")));
    assert!(s.files["mois/2026-11/2026-11-24.md"].contains(&format!("{{#{id}}}")));
    assert!(s.assets.contains_key(&format!("entrees/{id}.svg")));
    assert_eq!(
        s.origin(&format!("entrees/{id}.md")),
        format!("journal/{id}.md")
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn empty_journal_still_has_every_chapter() {
    let input = Input {
        parts: parts(),
        ..Input::default()
    };
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    for f in [
        "SUMMARY.md",
        "index.md",
        "parties/partie-6.md",
        "notes-generales.md",
        "journal-de-bord.md",
        "recherche.md",
        "404.md",
    ] {
        assert!(s.files.contains_key(f), "{f}");
    }
    assert!(!s.files.keys().any(|k| k.starts_with("mois/")));
    assert!(
        s.files["index.md"].contains("vide"),
        "{}",
        s.files["index.md"]
    );
    assert_eq!(crate::book::check(&s), vec![]);
}

#[test]
fn odd_titles_and_part_names_stay_valid_markdown() {
    let mut input = fixture();
    let mut se: SourceEntry = input.entries[1].clone();
    se.entry.front.titre = "[crochets] *étoiles* | barre".into();
    se.entry.front.partie = Some("Partie spéciale (test)".into());
    input.entries.push(se);
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    assert!(
        s.files.contains_key("parties/partie-sp-ciale-test.md"),
        "{:?}",
        s.files.keys()
    );
    assert!(
        s.files["mois/2026-11/2026-11-24.md"].contains("\\[crochets\\] \\*étoiles\\* \\| barre")
    );
    assert_eq!(crate::book::check(&s), vec![]);
}

/// Links of every summary, by book.
fn summary_links(s: &Sources) -> Vec<(String, usize)> {
    s.files
        .iter()
        .filter(|(k, _)| k.ends_with("SUMMARY.md"))
        .map(|(k, v)| (k.clone(), crate::book::ids::analyze(v, 1).links.len()))
        .collect()
}

#[test]
fn books_and_sidebars_stay_bounded_and_permalinks_stable() {
    // 6 000 notes, 12 a day: 500 days, 17 months.
    let input = many(6000, 7200);
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    assert_eq!(crate::book::check(&s), vec![]);
    for (summary, links) in summary_links(&s) {
        assert!(links <= 200, "{summary} : {links} liens");
    }
    let books = s.files.keys().filter(|k| k.ends_with("SUMMARY.md")).count();
    assert_eq!(books, 1 + 17);
    for root in s.files.keys().map(|k| crate::book::check::book_root(k)) {
        let pages = s
            .files
            .keys()
            .filter(|k| crate::book::check::book_root(k) == root)
            .count();
        assert!(pages <= 60, "{root} : {pages} pages");
    }
    // Adding later entries changes no permalink, and only the last month
    // book (and the main book).
    let more = many(6010, 7200);
    let s2 = generate(&more, &Templates::embedded_only()).unwrap();
    let day = "mois/2024-01/2024-01-01.md";
    assert_eq!(s.files[day], s2.files[day]);
    let changed: std::collections::BTreeSet<&str> = s2
        .files
        .iter()
        .filter(|(k, v)| s.files.get(*k) != Some(*v))
        .map(|(k, _)| crate::book::check::book_root(k))
        .collect();
    assert_eq!(
        changed.into_iter().collect::<Vec<_>>(),
        vec!["", "mois/2025-05"]
    );
}

#[test]
fn odd_inputs_build_with_warnings() {
    let mut input = many(3, 0); // three entries with the same timestamp
    let mut old = input.entries[0].clone();
    old.entry.front.horodatage =
        chrono::DateTime::parse_from_rfc3339("1999-12-31T23:00:00+01:00").unwrap();
    old.entry.path = "journal/1999-12-31T230000-000-note-vieille.md".into();
    let mut future = input.entries[0].clone();
    future.entry.front.horodatage =
        chrono::DateTime::parse_from_rfc3339("9999-01-01T08:00:00+01:00").unwrap();
    future.entry.path = "journal/9999-01-01T080000-000-note-future.md".into();
    input.entries.insert(0, old);
    input.entries.push(future);
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    assert_eq!(crate::book::check(&s), vec![]);
    let w = s.warnings.join("\n");
    assert!(
        w.contains("1 entrée datée avant 2000, dont journal/1999-12-31T230000-000-note-vieille.md"),
        "{w}"
    );
    assert!(w.contains("1 entrée datée dans le futur"), "{w}");
    assert!(w.contains("2 entrées partagent l’horodatage"), "{w}");
    assert!(s.files.contains_key("mois/9999-01/9999-01-01.md"));
    assert!(s.files.contains_key("mois/1999-12/1999-12-31.md"));
}

#[test]
fn a_day_of_a_thousand_entries_is_one_page() {
    let input = many(1000, 30); // 30 s apart: 8 h 20 on 2024-01-01
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    assert_eq!(crate::book::check(&s), vec![]);
    let day = &s.files["mois/2024-01/2024-01-01.md"];
    assert_eq!(day.matches("\n## ").count(), 1000);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("1000 entrées le lundi 1er janvier 2024")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn execution_statuses_are_badges_without_emoji() {
    let s = generated();
    let day = &s.files["mois/2026-11/2026-11-24.md"];
    assert!(
        day.contains(r#"<span class="statut statut-reussi">réussi</span>"#),
        "{day}"
    );
    for emoji in ["✅", "❌", "⚠", "☑"] {
        for (k, v) in &s.files {
            assert!(!v.contains(emoji), "{emoji} dans {k}");
        }
    }
}

#[test]
fn the_book_depends_on_no_runbook_step_command_nor_adapter() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/book");
    let files = std::fs::read_dir(&dir).unwrap().flatten();
    for f in files.filter(|f| f.path().extension().is_some_and(|x| x == "rs")) {
        let text = std::fs::read_to_string(f.path()).unwrap();
        for module in ["runbook", "steps", "cmd", "adapters"] {
            let import = format!("crate::{module}");
            assert!(
                !text.contains(&import),
                "{} importe {import}",
                f.path().display()
            );
        }
    }
}

#[test]
fn a_journal_over_many_years_keeps_a_short_sidebar() {
    let mut input = many(150, 0);
    for (i, se) in input.entries.iter_mut().enumerate() {
        let year = 1877 + i as i32;
        se.entry.front.horodatage =
            chrono::DateTime::parse_from_rfc3339(&format!("{year}-06-01T08:00:00+01:00")).unwrap();
        se.entry.path = format!("journal/{year}-06-01T080000-000-note-{i:06}.md").into();
    }
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    assert_eq!(crate::book::check(&s), vec![]);
    for (summary, links) in summary_links(&s) {
        assert!(links <= 200, "{summary} : {links} liens");
    }
    let older = &s.files["annees/anterieures.md"];
    assert!(
        older.contains("juin 1877") && older.contains("juin 1926"),
        "{older}"
    );
    assert!(!older.contains("juin 1927"), "{older}");
    assert!(s.files.contains_key("annees/1927.md"));
    assert!(!s.files.contains_key("annees/1926.md"));
    assert!(s.files["mois/1900-06/index.md"].contains("(../../annees/anterieures.md)"));
}

#[test]
fn the_home_page_shows_the_build_date_and_escapes_authors() {
    let mut input = fixture();
    input.built_at =
        Some(chrono::DateTime::parse_from_rfc3339("2026-12-01T08:00:00+01:00").unwrap());
    let run = input
        .entries
        .iter_mut()
        .find(|se| se.entry.front.kind == crate::store::EntryKind::Execution)
        .unwrap();
    run.entry.front.origine.auteur = Some("<img src=x onerror=alert(1)> *x*".into());
    let index = &generate(&input, &Templates::embedded_only()).unwrap().files["index.md"];
    assert!(
        index.contains("Livre construit le 1er décembre 2026 à 08:00\u{a0}UTC+1."),
        "{index}"
    );
    assert!(!index.replace(r"\<img", "").contains("<img"), "{index}");
    assert!(
        index.contains(r"\<img src=x onerror=alert(1)\> \*x\*"),
        "{index}"
    );
    // Without a build date (generation independent of the clock), no line.
    assert!(!generated().files["index.md"].contains("Livre construit"));
}

#[test]
fn a_corrected_notes_earlier_version_is_a_page_with_a_diff() {
    let mut input = fixture();
    let note = input
        .entries
        .iter_mut()
        .find(|se| se.entry.id() == "2026-11-24T221500-000-note-k3j9pq")
        .unwrap();
    let id = note.entry.id();
    let fichier = format!("revisions/{id}.1.txt");
    let old = note.text.replace(
        "s'affiche de nouveau",
        "reste vide ✅ <script>alert(1)</script>",
    );
    assert_ne!(old, note.text);
    note.entry.front.revisions.push(crate::store::Revision {
        numero: 1,
        corrigee_le: chrono::DateTime::parse_from_rfc3339("2026-11-25T08:00:00+01:00").unwrap(),
        par: Some("Dominique".into()),
        fichier: fichier.clone(),
    });
    note.text = note.text.replacen(
        "\n\nLe tableau",
        &format!("\n\n*Corrigée ; [version précédente]({fichier}).*\n\nLe tableau"),
        1,
    );
    // As `load` finds it: published beside the entries, and read.
    input.images.push(fichier.clone());
    input.revisions.insert(fichier, old);
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    let page = &s.files[&format!("mois/2026-11/revisions/{id}.1.md")];
    // Left out of the search: the note is found once, on its day page.
    assert!(
        page.starts_with(
            "<div class=\"revision\">\n\n# Version 1 de « Grafana redémarré après la mise à jour »"
        ),
        "{page}"
    );
    assert!(page.contains("```diff\n"), "{page}");
    assert!(
        page.contains("\n-Le tableau de bord « Cadvisor exporter » reste vide ✅"),
        "{page}"
    );
    assert!(
        page.contains("\n+Le tableau de bord « Cadvisor exporter » s'affiche de nouveau."),
        "{page}"
    );
    assert!(page.contains(&format!("(../2026-11-24.md#{id})")), "{page}");
    assert!(page.contains("par Dominique"), "{page}");
    // The version's text is rendered like a note: no front matter, no live
    // script outside the diff's code block, emoji kept.
    let text = &page[page.find("## Texte de cette version").unwrap()..];
    assert!(!text.contains("type: note"), "{text}");
    assert!(!text.contains("<script>"), "{text}");
    assert!(text.contains("reste vide ✅"), "{text}");
    // The note's link leads to the page, listed under its day.
    let day = &s.files["mois/2026-11/2026-11-24.md"];
    assert!(
        day.contains(&format!("[version précédente](revisions/{id}.1.md)")),
        "{day}"
    );
    assert!(s.files["mois/2026-11/SUMMARY.md"].contains(&format!(
        "    - [Version 1 de « Grafana redémarré après la mise à jour »](revisions/{id}.1.md)"
    )));
}

/// The fixture of a project part: its runbook and two runs of it (the
/// newest failed), with `parts()` before it.
fn runbook_fixture(text: &str) -> Input {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/livre-runbook");
    let (mut input, errors) = load(&root.join("journal")).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(input.entries.len(), 2);
    input.parts = parts();
    input.parts.push(PartInfo {
        id: "partie-9-sauvegardes".into(),
        title: "Sauvegarde des volumes".into(),
        runbook: Some(crate::book::PartRunbook {
            origin: "parties/partie-9-sauvegardes.md".into(),
            builtin: false,
            text: text.into(),
        }),
    });
    input
}

fn fixture_runbook() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/livre-runbook");
    std::fs::read_to_string(root.join("parties/partie-9-sauvegardes.md")).unwrap()
}

#[test]
fn a_runbook_part_page_shows_each_step_with_its_last_run() {
    let s = generate(
        &runbook_fixture(&fixture_runbook()),
        &Templates::embedded_only(),
    )
    .unwrap();
    let page = &s.files["parties/partie-9-sauvegardes.md"];
    insta::assert_snapshot!("partie-runbook", page);
    // The newest run that executed the step: the 28th's (« échoué » for
    // `premiere`, « réussi » for `script`), not the 27th's (« réussi »,
    // « déjà fait »); `http-1` was only « ignoré »: never executed.
    let step = |id: &str| {
        let at = page.find(&format!("**Étape `{id}`**")).unwrap();
        page[at..].lines().take(2).collect::<Vec<_>>().join("\n")
    };
    assert!(step("premiere").contains("statut-echoue"), "{page}");
    assert!(step("premiere").contains("28 novembre 2026 à 08:00\u{a0}UTC+1, par alice"));
    assert!(
        step("premiere")
            .contains("(../mois/2026-11/2026-11-28.md#2026-11-28T080000-000-execution-aa11bb)")
    );
    assert!(step("script").contains("statut-reussi"), "{page}");
    assert!(step("http-1").contains("jamais exécutée"), "{page}");
    // The blocks stay visible; the other code block stays prose.
    assert!(page.contains("```sh\n#!/bin/sh\ntar czf {{ dossier_sauvegardes }}"));
    assert!(page.contains("```text\nsauvegardé\n```"));
    // The run tables of the page are still there, and every link resolves.
    assert!(page.contains("## Exécutions") && page.contains("## Mois par mois"));
    assert_eq!(crate::book::check(&s), vec![]);
    // A part without a runbook keeps its page.
    assert!(!s.files["parties/partie-6.md"].contains("runbook"));
}

#[test]
fn a_hostile_runbook_is_neutralized() {
    let text = "---\nid: partie-9-sauvegardes\ntitre: \"Piège\"\n---\n\n\
        # Piège\n\n<script>alert('prose')</script>\n\n\
        <img src=x onerror=\"alert(1)\"> [clic](javascript:alert(1)) \
        [secret](../../../etc/passwd) ![img](../.journal-secrets/grafana) \
        <a href=\"JaVaScRiPt:alert(2)\">a</a>\n\n\
        ```sh journal:commande id=piege\necho '```'\n```\n\n\
        <iframe src=\"https://mal.example\"></iframe>\n";
    let s = generate(&runbook_fixture(text), &Templates::embedded_only()).unwrap();
    let page = &s.files["parties/partie-9-sauvegardes.md"];
    let lower = page.to_lowercase();
    for bad in [
        "<script",
        "onerror",
        "javascript:",
        "passwd",
        ".journal-secrets",
        "<iframe",
    ] {
        assert!(!lower.contains(bad), "{bad} dans :\n{page}");
    }
    // The step is still there, in a fence its content cannot close.
    assert!(page.contains("````sh\necho '```'\n````"), "{page}");
    assert!(page.contains("**Étape `piege`**"), "{page}");
}

#[test]
fn an_unreadable_runbook_leaves_the_part_page_with_its_runs() {
    let s = generate(
        &runbook_fixture("---\nid: partie-9-sauvegardes\n"),
        &Templates::embedded_only(),
    )
    .unwrap();
    let page = &s.files["parties/partie-9-sauvegardes.md"];
    assert!(
        page.contains("ne se lit pas : `journal check` dit pourquoi"),
        "{page}"
    );
    assert!(page.contains("## Exécutions"), "{page}");
}

#[test]
fn a_runbook_part_with_a_documentation_page_links_it_and_still_says_it_is_a_runbook() {
    let mut input = runbook_fixture(&fixture_runbook());
    input
        .docs
        .insert("partie-9-sauvegardes".into(), "# Sauvegardes\n".into());
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    let page = &s.files["parties/partie-9-sauvegardes.md"];
    assert!(page.contains("La [documentation de la partie]"), "{page}");
    assert!(
        page.contains(
            "Cette partie est aussi un runbook (`parties/partie-9-sauvegardes.md` du projet)"
        ),
        "{page}"
    );
    assert!(page.contains("**Étape `premiere`**"), "{page}");
}

#[test]
fn the_built_in_partie_6_runbook_page_reads_the_runs_of_the_journal() {
    let mut input = fixture();
    let text = crate::templates::embedded("parties/partie-6.md").expect("partie-6 en runbook");
    input.parts[0].runbook = Some(crate::book::PartRunbook {
        origin: "intégrée/partie-6.md".into(),
        builtin: true,
        text: text.into(),
    });
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    let page = &s.files["parties/partie-6.md"];
    let at = page
        .find("**Étape `compose-services`**")
        .expect("bloc compose-services");
    let result = page[at..].lines().nth(1).unwrap();
    assert!(
        result.contains("statut-deja-fait") && result.contains("25 novembre 2026 à 09:10"),
        "{result}"
    );
    assert!(page.contains("## Exécutions"), "{page}");
    assert_eq!(crate::book::check(&s), vec![]);
}

#[test]
fn the_health_calendar_from_a_fixture() {
    let mut input = fixture();
    assert!(
        !generated()
            .files
            .contains_key(crate::book::paths::HEALTH_FILE),
        "no summary, no page"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verifications-exemple");
    let (health, warnings) = crate::book::health::load(&dir);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("pas un nom de partie"), "{warnings:?}");
    input.health = health;
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    assert_eq!(crate::book::check(&s), vec![]);
    assert!(
        s.files["SUMMARY.md"].contains("- [Santé de la pile](sante.md)"),
        "{}",
        s.files["SUMMARY.md"]
    );
    let page = &s.files[crate::book::paths::HEALTH_FILE];
    assert!(page.contains("## février 2026"), "{page}");
    assert!(page.contains("<caption>Santé de la pile en février 2026"));
    // A row per part, by its id (its title on hover and under the table).
    assert!(
        page.contains(
            r#"<th scope="row" title="Supervision : Prometheus, Grafana et cAdvisor">partie-6</th>"#
        ),
        "{page}"
    );
    assert!(page.contains(">partie-6-alertes</th>"));
    assert!(
        page.contains("- **partie-6** (Supervision : Prometheus, Grafana et cAdvisor) :"),
        "{page}"
    );
    // Worst outcome of the day, a symbol and a text alternative.
    assert!(
        page.contains(
            "<td class=\"injoignable\" title=\"mercredi 4 février 2026 : 24\u{a0}vérifications, 22\u{a0}conformes, 1\u{a0}écart, 1\u{a0}injoignable\"><span aria-hidden=\"true\">✗</span><span class=\"sante-texte\">service injoignable</span></td>"
        ),
        "{page}"
    );
    assert!(page.contains(r#"<span aria-hidden="true">≠</span>"#));
    assert!(page.contains("1\u{a0}jour avec écart (le 3)"), "{page}");
    assert_eq!(
        page.matches("<th scope=\"col\">").count(),
        29,
        "Partie + 28 days"
    );
    assert!(
        !page.contains("onerror"),
        "untrusted names never reach the page"
    );
    assert!(!page.contains("Mois précédents"), "one month: a table");
    // Readable in dark themes: explicit colours per theme family.
    assert!(page.contains(".coal table.sante td.injoignable"));
}

#[test]
fn older_months_of_the_health_calendar_are_one_line_each() {
    let mut input = fixture();
    let mut warnings = Vec::new();
    input.health = (1..=14u32)
        .map(|i| {
            let month = chrono::NaiveDate::from_ymd_opt(2025 + (i as i32 - 1) / 12, (i - 1) % 12 + 1, 1)
                .unwrap();
            let day = month.format("%Y-%m-02");
            let text = format!(
                r#"{{"{day}": {{"partie-6": {{"verifications": 2, "conformes": 1, "ecarts": 1, "injoignables": 0}}}}}}"#
            );
            crate::book::health::parse(month, &text, "v", &mut warnings)
        })
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    let s = generate(&input, &Templates::embedded_only()).unwrap();
    assert_eq!(crate::book::check(&s), vec![]);
    let page = &s.files[crate::book::paths::HEALTH_FILE];
    assert_eq!(page.matches("<table class=\"sante\">").count(), 12);
    assert!(page.contains("## février 2026"), "newest first");
    assert!(page.contains("## Mois précédents"), "{page}");
    assert!(
        page.contains("- **février 2025** — partie-6 : 1\u{a0}jour avec écart (le 2)."),
        "{page}"
    );
    assert!(!page.contains("## janvier 2025"));
}
