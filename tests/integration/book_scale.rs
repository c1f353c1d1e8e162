//! The book at the journal's scale: a generated journal of a few thousand
//! entries builds into bounded books whose sidebars stay short, with every
//! entry's text, readable files and no English label; an incremental build
//! gives the same files as a full one; the French search finds old and
//! recent entries in a real browser.
//!
//! No timing here: performance is measured in `benches/` (BENCHMARKS.md).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::browser::{Site, browser, dump_dom};
use crate::support::{Projet, walk};

const EXECUTION: &str = "---
type: execution
titre: Partie 6 — Supervision
partie: partie-6
horodatage: {ts}
statut: {statut}
tags: []
duree_ms: 48250
etapes:
- id: demarrage
  titre: Démarrage des conteneurs
  statut: {statut}
  duree_ms: 31400
- id: grafana-mot-de-passe
  titre: Mot de passe de Grafana
  statut: déjà fait
  duree_ms: 120
---

# Partie 6 — Supervision

*Exécution n° {i} ({marque}), durée 48,2 s.*

## Étapes

| Étape | Statut | Durée |
|---|---|---|
| Démarrage des conteneurs | {statut} | 31,4 s |
| Changement du mot de passe administrateur de Grafana | déjà fait | 120 ms |

## Cibles Prometheus

Toutes les cibles sont à l'état `up`. Voir [les étapes](#étapes) et la [documentation](documentation/partie-6.md#vérifications).
";

const NOTE: &str = "---
type: note
titre: Note d'exploitation n° {i}
{partie}horodatage: {ts}
statut: consigné
tags:
- exploitation
---

# Note d'exploitation n° {i}

Redémarrage après la maintenance ({marque}) ; rien à signaler.
";

/// The unique word of entry `i`.
fn marque(i: usize) -> String {
    format!("marque{i:05}")
}

/// Writes `n` entries, `per_day` a day from 2024-01-01, 2 executions for 1
/// note (one failed execution in 7), and a documentation page.
fn write_journal(journal: &Path, n: usize, per_day: usize) {
    fs::create_dir_all(journal.join("documentation")).unwrap();
    fs::write(
        journal.join("documentation/partie-6.md"),
        "# Supervision\n\n## Vérifications\n\nLes cibles doivent être `up`.\n",
    )
    .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 0..n {
        let day = start + chrono::Duration::days((i / per_day) as i64);
        let minutes = 8 * 60 + (i % per_day) * (14 * 60 / per_day);
        let ts = format!("{day}T{:02}:{:02}:00+01:00", minutes / 60, minutes % 60);
        let stamp = format!("{day}T{:02}{:02}00-000", minutes / 60, minutes % 60);
        let (name, text) = if i % 3 == 2 {
            let partie = if i % 2 == 1 { "partie: partie-6\n" } else { "" };
            (
                format!("{stamp}-note-{i:06x}.md"),
                NOTE.replace("{partie}", partie),
            )
        } else {
            let statut = if i % 7 == 0 { "échoué" } else { "réussi" };
            (
                format!("{stamp}-execution-{i:06x}.md"),
                EXECUTION.replace("{statut}", statut),
            )
        };
        let text = text
            .replace("{ts}", &ts)
            .replace("{i}", &i.to_string())
            .replace("{marque}", &marque(i));
        fs::write(journal.join(name), text).unwrap();
    }
}

fn generated(n: usize, per_day: usize) -> Projet {
    let p = Projet::empty();
    write_journal(&p.journal_dir(), n, per_day);
    p
}

/// Every file under `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|f| {
            (
                f.strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(&f).unwrap(),
            )
        })
        .collect()
}

/// English labels of mdBook and of its search that must not be left.
const ENGLISH: [&str; 12] = [
    "Copy to clipboard",
    "Copied!",
    "Document not found",
    "This URL is invalid",
    "Search results",
    "Toggle Table of Contents",
    "Print this book",
    "Search this book",
    "Previous chapter",
    "Next chapter",
    "Change theme",
    "Git repository",
];

#[test]
fn a_large_journal_builds_a_bounded_readable_french_book() {
    let n = 3000;
    let p = generated(n, 12);
    let out = p.journal().args(["-v", "build"]).run();
    out.expect_code(0);
    assert!(
        out.stderr
            .contains("mois rendus : 9, repris tels quels : 0"),
        "{out}"
    );
    p.journal().arg("check").run().expect_code(0);

    let html = p.html();
    let mut found = vec![false; n];
    let mut pages = 0;
    for f in walk(&html) {
        let rel = f
            .strip_prefix(&html)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mode = fs::metadata(&f).unwrap().permissions().mode();
        assert!(
            mode & 0o004 != 0,
            "{rel} illisible par les autres ({mode:o})"
        );
        if rel.starts_with("recherche/") && !rel.ends_with(".js") {
            continue;
        }
        let is_page = rel.ends_with(".html");
        if !(is_page || rel.ends_with(".js")) {
            continue;
        }
        let text = fs::read_to_string(&f).unwrap();
        for english in ENGLISH {
            assert!(!text.contains(english), "« {english} » dans {rel}");
        }
        for (i, _) in text.match_indices("aria-describedby=\"") {
            let id = text[i + 18..].split('"').next().unwrap_or("");
            assert!(
                text.contains(&format!("id=\"{id}\"")),
                "{rel} : aria-describedby « {id} » sans élément"
            );
        }
        if rel.ends_with("toc.html") {
            let links = text.matches("<a href=").count();
            assert!(links <= 200, "{rel} : {links} liens dans la barre latérale");
        }
        if is_page && rel.starts_with("mois/") && rel != "mois/print.html" {
            pages += 1;
            for (i, w) in text.match_indices("marque") {
                if let Ok(k) = text[i + 6..].get(..5).unwrap_or("").parse::<usize>()
                    && k < n
                {
                    found[k] = true;
                }
                let _ = w;
            }
        }
    }
    let missing: Vec<usize> = (0..n).filter(|i| !found[*i]).collect();
    assert!(
        missing.is_empty(),
        "{} entrées absentes du HTML : {:?}…",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    // 250 days, 9 months: at most one page per day, month and part per month.
    assert!(pages <= 250 + 9 * 4, "{pages} pages de mois");
    // Every directory is traversable by others too.
    for d in walk_dirs(&p.path().join("book")) {
        let mode = fs::metadata(&d).unwrap().permissions().mode();
        assert!(mode & 0o005 == 0o005, "{} : {mode:o}", d.display());
    }
}

fn walk_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(walk_dirs(&e.path()));
        }
    }
    out
}

/// The time of the builds compared byte for byte: the home page says
/// when the book was built (to the minute).
const BUILT_AT: &str = "2024-02-04T09:00:00+01:00";

#[test]
fn incremental_build_is_identical_to_a_full_build() {
    let p = generated(400, 12);
    // One note of 2023: two years, two months in the search indexes.
    p.journal()
        .args(["note", "Inventaire de fin d'année"])
        .env("JOURNAL_HORLOGE", "2023-12-31T18:00:00+01:00")
        .run()
        .expect_code(0);
    p.journal().arg("build").run().expect_code(0);
    let note = p
        .journal()
        .args([
            "note",
            "Rotation des journaux du proxy",
            "--partie",
            "partie-6",
        ])
        .env("JOURNAL_HORLOGE", "2024-02-03T23:30:00+01:00")
        .run();
    note.expect_code(0);
    let out = p
        .journal()
        .args(["-v", "build"])
        .env("JOURNAL_HORLOGE", BUILT_AT)
        .run();
    out.expect_code(0);
    let said = |out: &crate::support::Outcome, what: &str| out.stderr.contains(what);
    assert!(
        said(&out, "mois rendus : 1, repris tels quels : 2"),
        "{out}"
    );
    // Only the note's month was read, generated and checked again.
    assert!(
        said(&out, "mois lus et générés : 1, gardés du dernier build : 2"),
        "{out}"
    );
    // The search index of the note's month only (2024 is the latest year:
    // one index per month; 2023 has one for the year).
    assert!(
        said(
            &out,
            "index d'années ou de mois construits : 1, repris tels quels : 2"
        ),
        "{out}"
    );
    let incremental = tree(&p.path().join("book"));
    // Nothing changed since: said, and nothing rewritten.
    let out = p
        .journal()
        .args(["-v", "build"])
        .env("JOURNAL_HORLOGE", BUILT_AT)
        .run();
    out.expect_code(0);
    assert!(said(&out, "livre déjà à jour"), "{out}");
    assert!(!said(&out, "mois rendus"), "{out}");
    assert!(tree(&p.path().join("book")) == incremental);

    let out = p
        .journal()
        .args(["-v", "build", "--complet"])
        .env("JOURNAL_HORLOGE", BUILT_AT)
        .run();
    out.expect_code(0);
    assert!(
        said(&out, "mois rendus : 3, repris tels quels : 0"),
        "{out}"
    );
    assert!(
        said(
            &out,
            "index d'années ou de mois construits : 3, repris tels quels : 0"
        ),
        "{out}"
    );
    let full = tree(&p.path().join("book"));
    let differ: Vec<&PathBuf> = full
        .iter()
        .filter(|(k, v)| incremental.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .chain(incremental.keys().filter(|k| !full.contains_key(*k)))
        .collect();
    assert!(differ.is_empty(), "fichiers différents : {differ:?}");
    let day = fs::read_to_string(p.html().join("mois/2024-02/2024-02-03.html")).unwrap();
    assert!(day.contains("Rotation des journaux du proxy"));
}

/// The entry files of `journal/` (names).
fn entry_names(p: &Projet) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(p.journal_dir())
        .unwrap()
        .flatten()
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    v.sort();
    v
}

/// The id of the first entry whose name starts with `start` and holds
/// `kind` (`-execution-`, `-note-`).
fn entry_id(p: &Projet, start: &str, kind: &str) -> String {
    entry_names(p)
        .into_iter()
        .find(|n| n.starts_with(start) && n.contains(kind))
        .unwrap_or_else(|| panic!("aucune entrée {start}…{kind}"))
        .trim_end_matches(".md")
        .to_string()
}

/// Runs `journal note` at `when` and returns the new entry's id.
fn note_at(p: &Projet, when: &str, args: &[&str]) -> String {
    let before = entry_names(p);
    p.journal()
        .arg("note")
        .args(args)
        .env("JOURNAL_HORLOGE", when)
        .run()
        .expect_code(0);
    let new: Vec<String> = entry_names(p)
        .into_iter()
        .filter(|n| !before.contains(n))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    new[0].trim_end_matches(".md").to_string()
}

/// An incremental `build` then a `--complet` one give the same files (the
/// cache of `book/.cache` included); returns the incremental build's `-v`
/// output.
fn same_as_full(p: &Projet, what: &str) -> String {
    let out = p
        .journal()
        .args(["-v", "build"])
        .env("JOURNAL_HORLOGE", BUILT_AT)
        .run();
    out.expect_code(0);
    let incremental = tree(&p.path().join("book"));
    p.journal()
        .args(["build", "--complet"])
        .env("JOURNAL_HORLOGE", BUILT_AT)
        .run()
        .expect_code(0);
    let full = tree(&p.path().join("book"));
    let differ: Vec<&PathBuf> = full
        .iter()
        .filter(|(k, v)| incremental.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .chain(incremental.keys().filter(|k| !full.contains_key(*k)))
        .collect();
    assert!(
        differ.is_empty(),
        "{what} : fichiers différents : {differ:?}"
    );
    out.stderr
}

/// `journal check` with the cache of the last build, then without it: the
/// same report and exit code.
fn same_check(p: &Projet, what: &str) -> crate::support::Outcome {
    let cache = p.path().join("book/.cache");
    let aside = p.path().join("cache-de-cote");
    let a = p.journal().args(["check", "--format", "jsonl"]).run();
    fs::rename(&cache, &aside).unwrap();
    let b = p.journal().args(["check", "--format", "jsonl"]).run();
    fs::rename(&aside, &cache).unwrap();
    assert_eq!(a.code, b.code, "{what}\n{a}\n{b}");
    assert_eq!(a.stdout, b.stdout, "{what}");
    assert_eq!(a.stderr, b.stderr, "{what}");
    a
}

#[test]
fn incremental_builds_and_checks_follow_every_kind_of_change() {
    // 300 entries, 4 a day from 2024-01-01: January to mid-March.
    let p = generated(300, 4);
    let svg = p.path().join("capture.svg");
    fs::write(
        &svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"4\" height=\"4\"/></svg>\n",
    )
    .unwrap();
    let noted = note_at(
        &p,
        "2024-02-10T10:00:00+01:00",
        &[
            "Capture du tableau de bord",
            "--joindre",
            svg.to_str().unwrap(),
        ],
    );
    p.journal().arg("build").run().expect_code(0);
    let said = |out: &str, what: &str| assert!(out.contains(what), "{what}\n{out}");

    // A note in an old month: that month only is read again.
    note_at(
        &p,
        "2024-01-05T18:00:00+01:00",
        &["Note tardive de janvier"],
    );
    let out = same_as_full(&p, "note dans un mois ancien");
    said(&out, "mois lus et générés : 1, gardés du dernier build : 2");

    // Links across months: a January note links to a March run, with an
    // anchor that exists, then one that does not (a problem).
    let run = entry_id(&p, "2024-03-0", "-execution-");
    let text = format!(
        "Voir [l'exécution]({run}.md#cibles-prometheus) et [ailleurs]({run}.md#nulle-part)."
    );
    let linking = note_at(
        &p,
        "2024-01-08T09:00:00+01:00",
        &["--titre", "Renvoi", &text],
    );
    same_as_full(&p, "note avec des liens vers un autre mois");
    let c = same_check(&p, "lien vers une ancre absente d'un autre mois");
    assert_eq!(c.code, 1, "{c}");
    assert!(
        c.stdout.contains(&linking) && c.stdout.contains("nulle-part"),
        "{c}"
    );

    // The linked run deleted: January's links break, though January's own
    // files did not change.
    fs::remove_file(p.journal_dir().join(format!("{run}.md"))).unwrap();
    let c = same_check(&p, "entrée liée supprimée");
    assert!(c.stdout.contains("n'existe pas"), "{c}");
    same_as_full(&p, "entrée supprimée");
    same_check(&p, "entrée supprimée, après le build");

    // A corrected note.
    p.journal()
        .args([
            "note",
            "--corrige",
            &noted,
            "Capture corrigée du tableau de bord",
        ])
        .env("JOURNAL_HORLOGE", "2024-03-20T08:00:00+01:00")
        .run()
        .expect_code(0);
    same_check(&p, "note corrigée");
    same_as_full(&p, "note corrigée");

    // An entry moved from March to January (its date changed).
    let moved = format!("{}.md", entry_id(&p, "2024-03-1", "-note-"));
    let path = p.journal_dir().join(&moved);
    let text = fs::read_to_string(&path).unwrap();
    let line = text.lines().find(|l| l.starts_with("horodatage:")).unwrap();
    fs::write(
        &path,
        text.replace(line, "horodatage: 2024-01-20T12:00:00+01:00"),
    )
    .unwrap();
    same_check(&p, "entrée déplacée");
    let out = same_as_full(&p, "entrée déplacée");
    said(&out, "mois lus et générés : 2, gardés du dernier build : 1");
    let jan = fs::read_to_string(p.html().join("mois/2024-01/2024-01-20.html")).unwrap();
    assert!(jan.contains(moved.trim_end_matches(".md")));

    // An attachment changed in place: now able to run script, it is
    // published as text only, and the links to it follow.
    let attached = fs::read_dir(p.journal_dir().join("pieces-jointes").join(&noted))
        .map(|rd| rd.flatten().map(|d| d.path()).collect::<Vec<_>>())
        .unwrap_or_default();
    let attached = attached
        .into_iter()
        .chain(
            fs::read_dir(p.journal_dir())
                .unwrap()
                .flatten()
                .map(|d| d.path())
                .filter(|f| {
                    f.to_string_lossy().ends_with(".svg") && f.to_string_lossy().contains(&noted)
                }),
        )
        .next()
        .expect("pièce jointe");
    fs::write(&attached, "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect width=\"4\" height=\"4\"/></svg>\n").unwrap();
    same_check(&p, "pièce jointe modifiée");
    same_as_full(&p, "pièce jointe modifiée");

    // A run's resource chart, then its narrow variant alone (the step
    // writes it beside, the entry does not change): the run's month shows
    // a <picture> after an incremental build as after a full one, and the
    // plain image again once the narrow file is gone.
    let charted = entry_id(&p, "2024-02-2", "-execution-");
    let path = p.journal_dir().join(format!("{charted}.md"));
    let text = fs::read_to_string(&path).unwrap()
        + &format!("\n![Consommation des conteneurs]({charted}-ressources.svg)\n");
    fs::write(&path, text).unwrap();
    let chart = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"><rect width=\"4\" height=\"4\"/></svg>\n";
    fs::write(
        p.journal_dir().join(format!("{charted}-ressources.svg")),
        chart,
    )
    .unwrap();
    same_as_full(&p, "graphique de ressources");
    let day = p
        .html()
        .join(format!("mois/2024-02/{}.html", &charted[..10]));
    let page = || fs::read_to_string(&day).unwrap();
    assert!(page().contains(&format!("{charted}-ressources.svg")));
    assert!(!page().contains("<picture class"));
    let narrow = p
        .journal_dir()
        .join(format!("{charted}-ressources-etroit.svg"));
    fs::write(&narrow, chart).unwrap();
    let out = same_as_full(&p, "variante étroite ajoutée");
    said(&out, "mois lus et générés : 1, gardés du dernier build : 2");
    assert!(
        page().contains(&format!(
            "<picture class=\"journal-graphique\"><source media=\"(max-width: 640px)\" srcset=\"../../entrees/{charted}-ressources-etroit.svg\">"
        )),
        "{}",
        page()
    );
    fs::remove_file(&narrow).unwrap();
    same_as_full(&p, "variante étroite supprimée");
    assert!(!page().contains("<picture class"));
}

/// The search results of the page's DOM (its message and result list).
fn results(dom: &str) -> &str {
    let start = dom.find(r#"class="recherche-message""#).unwrap_or(0);
    &dom[start..]
}

#[test]
fn french_search_finds_old_and_recent_entries_in_a_real_browser() {
    let Some(chromium) = browser("french_search_finds_old_and_recent_entries_in_a_real_browser")
    else {
        return;
    };
    let p = generated(600, 12);
    p.journal()
        .args(["note", "Le certificat zéphyrin du proxy a été renouvelé"])
        .env("JOURNAL_HORLOGE", "2024-03-01T09:00:00+01:00")
        .run()
        .expect_code(0);
    p.journal().arg("build").run().expect_code(0);
    // Served over HTTP: the search fetches its index, which a `file://`
    // page may not.
    let base = Site::new(p.html()).serve();
    let search = |q: &str| dump_dom(&chromium, &format!("{base}/recherche.html?q={q}"));

    // Accents folded, French stemming: « reussi » finds « réussi ».
    let dom = search("reussi");
    let r = results(&dom);
    assert!(
        r.contains("résultats pour"),
        "résultats non traduits :\n{r}"
    );
    assert!(r.contains("réussi"), "« reussi » sans résultat :\n{r}");
    // « cible » finds « cibles ».
    let dom = search("cible");
    assert!(results(&dom).contains("cibles"), "{}", results(&dom));
    // « mot de passe » : the pages that have it, not every page with « de ».
    let dom = search("mot%20de%20passe");
    let r = results(&dom);
    assert!(r.contains("mot de passe"), "{r}");
    // A word of the most recent note: its day page is found, with the
    // note's own anchor.
    let dom = search("zephyrin");
    let r = results(&dom);
    assert!(r.contains("mois/2024-03/2024-03-01.html"), "{r}");
    assert!(r.contains("zéphyrin"), "{r}");
    assert!(
        !dom.contains("Search") || !dom.contains("results for"),
        "anglais dans la page"
    );
}
