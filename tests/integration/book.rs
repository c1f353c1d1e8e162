//! `journal build`: the generated HTML book (language, chapters, recap
//! table, day pages holding their entries, search index, no front matter
//! leaked), template overrides, stale files, `--strict`, and the book opened
//! in headless Chromium.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::browser::{browser, dump_dom};
use crate::support::{Projet, walk};

const RUN_OK: &str = "2026-11-24T213005-123-execution-ab12cd";
const DAY: &str = "mois/2026-11/2026-11-24.html";

fn build(p: &Projet) -> String {
    let out = p.journal().arg("build").run();
    out.expect_code(0);
    out.stdout
}

#[test]
fn build_renders_a_french_book_with_every_chapter() {
    let p = Projet::fixture("journal-exemple");
    let stdout = build(&p);
    let index = p.html().join("index.html");
    assert_eq!(stdout.trim(), index.display().to_string());

    let html = fs::read_to_string(&index).unwrap();
    assert!(html.contains(r#"<html lang="fr""#), "lang absent");
    // The theme's own labels are French too (templates/theme/index.hbs).
    assert!(
        html.contains("Table des matières"),
        "libellés du thème non traduits"
    );
    assert!(
        !html.contains("Toggle Table of Contents"),
        "libellé anglais du thème"
    );
    assert!(
        html.contains("<title>Accueil - Journal d’exploitation</title>"),
        "titre absent"
    );
    // The recap table, newest first, with counts.
    assert!(html.contains("Récapitulatif des exécutions"));
    assert!(html.contains("Étapes réussies / échouées</th>"), "{html}");
    let table = &html[html.find("<table>").expect("tableau absent")..];
    let failed = table
        .find("25 novembre 2026 à 09:10")
        .expect("exécution échouée");
    let ok = table
        .find("24 novembre 2026 à 21:30")
        .expect("exécution réussie");
    assert!(
        failed < ok,
        "le tableau doit aller de la plus récente à la plus ancienne"
    );
    assert!(html.contains("<strong>5</strong> entrées"));

    // Chapters: parts in registry order then others, general notes, logbook,
    // years, search; the month book with its days.
    for page in [
        "parties/partie-6.html",
        "parties/partie-3.html",
        "notes-generales.html",
        "journal-de-bord.html",
        "annees/2026.html",
        "recherche.html",
        "mois/2026-11/index.html",
        "mois/2026-11/2026-11-24.html",
        "mois/2026-11/2026-11-25.html",
        "mois/2026-11/parties/partie-6.html",
        "entrees/documentation/partie-6.html",
    ] {
        assert!(p.html().join(page).is_file(), "page absente : {page}");
    }
    assert!(!p.html().join(format!("entrees/{RUN_OK}.html")).exists());
    let day = fs::read_to_string(p.html().join(DAY)).unwrap();
    assert!(day.contains("mardi 24 novembre 2026"));
    let toc = fs::read_to_string(p.html().join("toc.js")).unwrap();
    let six = toc
        .find("Partie 6 — Supervision : Prometheus")
        .expect("partie 6 dans la table des matières");
    let three = toc
        .find("Partie 3")
        .expect("partie 3 dans la table des matières");
    assert!(six < three);
    assert!(toc.contains("Notes générales") && toc.contains("Journal de bord"));
    assert!(toc.contains("Recherche"));

    // The entry is a section of its day page, with its own anchor; its
    // headings, image and links are rebased.
    assert!(
        day.contains(&format!(r#"id="{RUN_OK}""#)),
        "ancre de l'entrée"
    );
    assert!(
        day.contains(&format!(r#"id="{RUN_OK}--étapes""#)),
        "titre sans id"
    );
    assert!(day.contains(&format!(r##"href="#{RUN_OK}--étapes""##)));
    assert!(day.contains(&format!(r#"src="../../entrees/{RUN_OK}.svg""#)));
    assert!(day.contains(r#"href="../../entrees/documentation/partie-6.html#vérifications""#));
    assert!(p.html().join(format!("entrees/{RUN_OK}.svg")).is_file());
    // The month book uses the main book's styles and its own sidebar.
    assert!(day.contains(r#"href="../../css/general.css""#));
    assert!(day.contains(r#"src="toc.js""#));
    let month_toc = fs::read_to_string(p.html().join("mois/2026-11/toc.js")).unwrap();
    assert!(month_toc.contains("mardi 24 novembre 2026"));

    // The search's indexes (the documentation's, the month's) and page
    // module; not mdBook's English index.
    let entry_json = fs::read_to_string(p.html().join("recherche/2026-11/entree.json")).unwrap();
    assert!(entry_json.contains(r#""version":1"#), "{entry_json}");
    assert!(p.html().join("recherche/livre/entree.json").is_file());
    assert!(p.html().join("recherche/recherche.js").is_file());
    assert!(!p.html().join("searchindex.js").exists());

    // No front matter in any HTML page.
    for f in walk(&p.html()) {
        if f.extension().is_some_and(|x| x == "html") {
            let text = fs::read_to_string(&f).unwrap();
            for leak in [
                "horodatage:",
                "statut:",
                "type: execution",
                "type: note",
                "duree_ms",
            ] {
                assert!(!text.contains(leak), "« {leak} » dans {}", f.display());
            }
        }
    }
    // The sources stay on disk, one mdBook book per folder.
    assert!(p.path().join("book/book.toml").is_file());
    assert!(p.path().join("book/mois/2026-11/book.toml").is_file());
    assert!(
        p.path()
            .join("book/mois/2026-11/src/2026-11-24.md")
            .is_file()
    );
}

#[test]
fn build_removes_stale_files_and_never_touches_the_journal() {
    let p = Projet::fixture("journal-exemple");
    let before: Vec<(PathBuf, Vec<u8>)> = walk(&p.journal_dir())
        .into_iter()
        .map(|f| (f.clone(), fs::read(&f).unwrap()))
        .collect();
    fs::create_dir_all(p.path().join("book/src/entrees")).unwrap();
    fs::write(
        p.path().join("book/src/entrees/ancienne.md"),
        "# ancienne\n",
    )
    .unwrap();
    fs::create_dir_all(p.html()).unwrap();
    fs::write(p.html().join("ancienne.html"), "x").unwrap();
    fs::create_dir_all(p.path().join("book/mois/1999-01/html")).unwrap();
    build(&p);
    assert!(!p.path().join("book/src/entrees/ancienne.md").exists());
    assert!(!p.html().join("ancienne.html").exists());
    assert!(!p.path().join("book/mois/1999-01").exists(), "mois disparu");
    let after: Vec<(PathBuf, Vec<u8>)> = walk(&p.journal_dir())
        .into_iter()
        .map(|f| (f.clone(), fs::read(&f).unwrap()))
        .collect();
    assert_eq!(before, after, "journal/ ne doit pas changer");
}

#[test]
fn project_templates_override_the_embedded_ones() {
    let p = Projet::fixture("journal-exemple");
    fs::create_dir_all(p.path().join("templates")).unwrap();
    fs::write(
        p.path().join("templates/livre-index.md.j2"),
        "# Mon journal\n\n{{ total }} entrées au total, {{ nb_executions }} exécutions.\n",
    )
    .unwrap();
    build(&p);
    let html = fs::read_to_string(p.html().join("index.html")).unwrap();
    assert!(html.contains("5 entrées au total, 2 exécutions."), "{html}");
}

#[test]
fn broken_template_is_a_french_error() {
    let p = Projet::fixture("journal-exemple");
    fs::create_dir_all(p.path().join("templates")).unwrap();
    fs::write(
        p.path().join("templates/livre-jour.md.j2"),
        "# {{ inconnu }}\n",
    )
    .unwrap();
    let out = p.journal().arg("build").run();
    out.expect_code(2);
    assert!(out.stderr.contains("livre-jour.md.j2"), "{out}");
    assert!(out.stderr.contains("aide :"), "{out}");
}

#[test]
fn build_warns_without_strict_and_fails_with_it() {
    let p = Projet::fixture("journal-ancre-cassee");
    let out = p.journal().arg("build").run();
    out.expect_code(0);
    assert!(
        out.stderr
            .contains("attention : journal/2026-11-26T080000-000-note-aa11bb.md:13:"),
        "{out}"
    );
    assert!(p.html().join("index.html").is_file());

    let p = Projet::fixture("journal-ancre-cassee");
    let out = p.journal().args(["build", "--strict"]).run();
    out.expect_code(1);
    assert!(
        out.stdout
            .contains("journal/2026-11-26T080000-000-note-aa11bb.md:13: "),
        "{out}"
    );
    assert!(out.stderr.contains("aide :"), "{out}");
    assert!(
        !p.html().join("index.html").exists(),
        "--strict ne doit rien rendre"
    );
}

#[test]
fn empty_project_builds_an_empty_book() {
    let p = Projet::empty();
    build(&p);
    let html = fs::read_to_string(p.html().join("index.html")).unwrap();
    assert!(html.contains("Le journal est vide"), "{html}");
}

#[test]
fn book_opens_in_a_real_browser() {
    let Some(chromium) = browser("book_opens_in_a_real_browser") else {
        return;
    };
    let p = Projet::fixture("journal-exemple");
    build(&p);
    let url = format!("file://{}", p.html().join("index.html").display());
    let dom = dump_dom(&chromium, &url);
    assert!(
        dom.contains("<title>Accueil - Journal d’exploitation</title>"),
        "titre absent :\n{dom}"
    );
    // The sidebar is filled by toc.js: empty in the file, full in the DOM.
    let sidebar = |html: &str| -> String {
        let start = html
            .find(r#"<nav id="mdbook-sidebar""#)
            .expect("barre latérale absente");
        let end = html[start..]
            .find("</nav>")
            .map_or(html.len(), |e| start + e);
        html[start..end].to_string()
    };
    let raw = fs::read_to_string(p.html().join("index.html")).unwrap();
    assert!(
        !sidebar(&raw).contains("Journal de bord"),
        "la barre latérale devrait venir de toc.js"
    );
    let nav = sidebar(&dom);
    assert!(
        nav.contains("Journal de bord"),
        "navigation sans « Journal de bord » :\n{nav}"
    );
    assert!(
        nav.contains("Partie 6 — Supervision : Prometheus, Grafana et cAdvisor"),
        "navigation sans le chapitre de la partie 6 :\n{nav}"
    );
    assert!(nav.contains("Notes générales"), "{nav}");
    assert!(nav.contains("Recherche"), "{nav}");
    assert!(
        dom.contains("<table>") || dom.contains("<table"),
        "tableau récapitulatif absent"
    );
    assert!(dom.contains("Étapes réussies"));
    assert!(dom.contains("25 novembre 2026 à 09:10"));

    // A day page: the entries' bodies, no front matter, the month book's
    // own sidebar, the main book's styles applied (badges in colour).
    let url = format!("file://{}", p.html().join(DAY).display());
    let dom = dump_dom(&chromium, &url);
    assert!(dom.contains("Vérification des cibles Prometheus"));
    assert!(!dom.contains("horodatage:"));
    let nav = sidebar(&dom);
    assert!(nav.contains("mardi 24 novembre 2026"), "{nav}");
    // The copy button of code blocks speaks French; statuses are badges.
    assert!(
        dom.contains("Copier dans le presse-papiers"),
        "bouton de copie"
    );
    assert!(!dom.contains("Copy to clipboard"));
    assert!(dom.contains(r#"class="statut statut-reussi""#));
}

#[test]
fn every_file_written_for_the_book_is_readable_by_all() {
    use std::os::unix::fs::PermissionsExt;
    let p = Projet::fixture("journal-exemple");
    // The fixture's chart as a run leaves it before this fix: private.
    let chart = p.journal_dir().join(format!("{RUN_OK}.svg"));
    fs::set_permissions(&chart, fs::Permissions::from_mode(0o600)).unwrap();
    p.journal()
        .args(["note", "Vérification des droits"])
        .env("JOURNAL_HORLOGE", "2026-12-01T10:00:00+01:00")
        .run()
        .expect_code(0);
    let note = p
        .entry_files()
        .into_iter()
        .find(|f| f.starts_with("2026-12-01T"))
        .expect("note écrite");
    let mode = |f: &Path| fs::metadata(f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&p.journal_dir().join(&note)), 0o644, "{note}");
    build(&p);
    for f in walk(&p.path().join("book")) {
        assert!(mode(&f) & 0o004 != 0, "{} : {:o}", f.display(), mode(&f));
    }
    assert_eq!(mode(&p.html().join(format!("entrees/{RUN_OK}.svg"))), 0o644);
}

#[test]
fn script_bearing_markdown_never_reaches_the_published_page() {
    let p = Projet::fixture("journal-exemple");
    let text = "Trois formes de script :\n\n<script>document.title = 'VOLE'</script>\n\nUne image <img src=\"x.png\" onerror=\"fetch('//mal.example')\"> et un [lien](javascript:alert('VOLE')).\n\n<iframe src=\"https://mal.example/\"></iframe>\n\n<details><summary>Journaux</summary>\n\nrien\n\n</details>\n";
    p.journal()
        .args(["note", "-", "--titre", "Note piégée"])
        .stdin(text)
        .env("JOURNAL_HORLOGE", "2026-11-24T23:00:00+01:00")
        .run()
        .expect_code(0);
    build(&p);
    let page = fs::read_to_string(p.html().join(DAY)).unwrap();
    assert!(page.contains("Note piégée"), "note absente");
    let note = page
        .split_once("Note piégée")
        .unwrap()
        .1
        .split("<footer")
        .next()
        .unwrap()
        .to_lowercase();
    for bad in [
        "document.title",
        "onerror",
        "javascript:",
        "<iframe",
        "mal.example",
    ] {
        assert!(!note.contains(bad), "{bad} publié :\n{note}");
    }
    assert!(note.contains("<details>") && note.contains("<summary>journaux</summary>"));
    assert!(
        note.contains("<img src=\"x.png\""),
        "l'image reste : {note}"
    );
}

#[test]
fn with_umask_077_the_book_is_still_readable_by_a_web_server() {
    use std::os::unix::fs::PermissionsExt;
    let p = Projet::fixture("journal-exemple");
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 077 && exec \"$0\" --projet \"$1\" build --complet")
        .arg(env!("CARGO_BIN_EXE_journal"))
        .arg(p.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let book = p.path().join("book");
    let mut all = walk(&book);
    all.push(book.clone());
    let mut dirs = vec![book.clone()];
    for f in &all {
        if let Some(parent) = f.parent().filter(|d| d.starts_with(&book)) {
            dirs.push(parent.to_path_buf());
        }
    }
    for d in dirs {
        let mode = fs::metadata(&d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "{}", d.display());
    }
    for f in walk(&book) {
        let mode = fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{}", f.display());
    }
}

#[test]
fn two_concurrent_full_builds_take_turns_and_leave_a_whole_book() {
    let p = Projet::fixture("journal-exemple");
    let book = p.path().join("book");
    fs::create_dir_all(&book).unwrap();
    // A build already in progress (this test holds its lock).
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(book.join(".construction.verrou"))
        .unwrap();
    lock.lock().unwrap();
    let a = p.journal().args(["build", "--complet"]).spawn();
    let b = p.journal().args(["build", "--complet"]).spawn();
    std::thread::sleep(Duration::from_millis(800));
    drop(lock);
    for out in [a.wait(), b.wait()] {
        out.expect_code(0);
        assert!(out.stderr.contains("attente de sa fin"), "{out}");
    }
    let pages: Vec<PathBuf> = walk(&p.html())
        .into_iter()
        .filter(|f| f.extension().is_some_and(|x| x == "html"))
        .collect();
    assert!(pages.len() > 5);
    for f in pages {
        assert!(fs::metadata(&f).unwrap().len() > 0, "{} vide", f.display());
    }
}

#[test]
fn an_emptied_page_is_repaired_by_the_next_plain_build() {
    let p = Projet::fixture("journal-exemple");
    build(&p);
    let month_page = p.path().join("book/mois/2026-11/html/2026-11-24.html");
    let published = p.html().join(DAY);
    let before = fs::read(&published).unwrap();
    // Killed or out of space while writing: an empty page in both places.
    fs::write(&month_page, "").unwrap();
    build(&p);
    assert_eq!(fs::read(&published).unwrap(), before);
    assert_eq!(fs::read(&month_page).unwrap(), before);
}

#[test]
fn a_later_build_keeps_the_site_in_step_with_the_journal() {
    // book/html is no longer emptied by each build: what the journal no
    // longer has must still leave the site, and a changed image be copied.
    let p = Projet::fixture("journal-exemple");
    build(&p);
    let svg = "2026-11-24T213005-123-execution-ab12cd.svg";
    let published = p.html().join("entrees").join(svg);
    assert!(published.is_file());
    let main_page = p.html().join("index.html");
    let before = fs::read_to_string(&main_page).unwrap();
    // A changed image of the same size (only its time tells): copied again.
    let mut changed = fs::read(p.journal_dir().join(svg)).unwrap();
    let i = changed.iter().position(|b| *b == b' ').unwrap();
    changed[i] = b'\n';
    fs::write(p.journal_dir().join(svg), &changed).unwrap();
    build(&p);
    assert_eq!(fs::read(&published).unwrap(), changed);
    // An image gone from the journal: gone from the site.
    fs::remove_file(p.journal_dir().join(svg)).unwrap();
    p.journal().arg("build").run().expect_code(0);
    assert!(!published.exists(), "image disparue du journal");
    assert!(fs::read_to_string(&main_page).unwrap().len() > before.len() / 2);
    assert!(!p.path().join("book/html/.principal").exists());
}
