//! The book as a reader meets it (issue 21): served under a sub-path like
//! project pages (`/projet/`), its 404 page finds its styles and scripts;
//! a month book's sidebar leads back to the main book; every page has a
//! skip link; the search page is readable in the dark themes (contrast of
//! its input and results measured in Chromium).
//!
//! The test server (`browser::Site`, a fixture) serves `book/html` under a
//! prefix, answers missing files with `404.html` (as GitHub Pages does) and,
//! for the contrast check only, injects two scripts into HTML pages: one
//! choosing the theme from `?theme=`, one writing the measured contrasts
//! into the DOM (`<pre id="contrastes">`).

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use crate::browser::{Site, THEME_SCRIPT, browser, dump_dom, measuring_script};
use crate::support::Projet;

const PREFIX: &str = "/projet/";

/// After the page's scripts: the contrast of the text of a few elements
/// against their effective background, once the search has run.
const CONTRAST_SCRIPT: &str = measuring_script!(
    r#"  setTimeout(function () {
    var out = [document.documentElement.className];
    [".recherche-champ", ".recherche-message", ".recherche-lien",
     ".recherche-extrait", "main p", "main a", "main .statut", "main th"].forEach(function (sel) {
      var el = document.querySelector(sel);
      out.push(sel + " " + (el ? textContrast(el).toFixed(2) : "absent"));
    });
    show("contrastes", out);
  }, 3000);
"#
);

/// The book served under [`PREFIX`] (missing files get `404.html` with
/// status 404).
fn site(root: PathBuf) -> Site {
    Site::new(root).under(PREFIX)
}

fn built() -> Projet {
    let p = Projet::fixture("journal-exemple");
    p.journal().arg("build").run().expect_code(0);
    p
}

#[test]
fn month_books_lead_back_and_every_page_has_a_skip_link() {
    let p = built();
    let day = fs::read_to_string(p.html().join("mois/2026-11/2026-11-24.html")).unwrap();
    assert!(
        day.contains(r#"<a class="journal-retour" data-racine="../../" href="../../index.html">← Livre principal</a>"#),
        "pas de retour au livre principal dans la barre latérale du mois"
    );
    let index = fs::read_to_string(p.html().join("index.html")).unwrap();
    // In the main book the link exists but is hidden (its root is empty).
    assert!(index.contains(r#"data-racine="""#), "{index}");
    assert!(index.contains(r#".journal-retour[data-racine=""] { display: none; }"#));
    for page in [&day, &index] {
        let skip = page
            .find(r##"<a class="journal-evitement" href="#mdbook-content">Aller au contenu</a>"##)
            .expect("lien d'évitement absent");
        assert!(
            skip < page.find("mdbook-sidebar").unwrap(),
            "le lien d'évitement doit précéder la barre latérale"
        );
        assert!(page.contains(r#"id="mdbook-content""#));
    }
}

#[test]
fn the_404_page_loads_its_styles_under_a_sub_path_and_at_a_root() {
    let Some(chromium) = browser("the_404_page_loads_its_styles_under_a_sub_path_and_at_a_root")
    else {
        return;
    };
    let p = built();
    for prefix in [PREFIX, "/"] {
        let base = Site::new(p.html()).under(prefix).serve();
        let dom = dump_dom(
            &chromium,
            &format!("{base}{prefix}mois/2026-11/absente.html"),
        );
        assert!(dom.contains("Page introuvable (404)"), "{dom}");
        assert!(
            dom.contains(&format!(r#"<base href="{prefix}">"#)),
            "la base de la page 404 n'est pas la racine du livre ({prefix}) :\n{dom}"
        );
        // toc.js, loaded through the base, filled the sidebar: the scripts
        // and styles of the book were found.
        let nav_start = dom.find("<mdbook-sidebar-scrollbox").unwrap();
        let nav_end = nav_start
            + dom[nav_start..]
                .find("</mdbook-sidebar-scrollbox>")
                .unwrap();
        let nav = &dom[nav_start..nav_end];
        assert!(
            nav.contains("Journal de bord"),
            "barre latérale vide : toc.js introuvable sous {prefix} :\n{nav}"
        );
    }
}

/// The contrasts measured on `path` in `theme`: (selector, ratio), `None`
/// for an element absent from the page.
fn contrasts(
    chromium: &std::path::Path,
    base: &str,
    path: &str,
    theme: &str,
) -> Vec<(String, Option<f64>)> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let dom = dump_dom(chromium, &format!("{base}{PREFIX}{path}{sep}theme={theme}"));
    let start = dom
        .find(r#"<pre id="contrastes">"#)
        .unwrap_or_else(|| panic!("mesure absente ({path}, {theme}) :\n{dom}"));
    let report = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    assert!(report.contains(theme), "thème non appliqué : {report}");
    report
        .lines()
        .skip(1)
        .map(|line| {
            let (sel, ratio) = line.rsplit_once(' ').unwrap();
            (sel.to_string(), ratio.parse().ok())
        })
        .collect()
}

#[test]
fn the_search_page_and_a_day_page_are_readable_in_every_theme() {
    let Some(chromium) = browser("the_search_page_and_a_day_page_are_readable_in_every_theme")
    else {
        return;
    };
    let p = built();
    let base = site(p.html()).inject(THEME_SCRIPT, CONTRAST_SCRIPT).serve();
    let pages: [(&str, &[&str]); 2] = [
        (
            "recherche.html?q=prometheus",
            &[
                ".recherche-champ",
                ".recherche-message",
                ".recherche-lien",
                ".recherche-extrait",
                "main p",
            ],
        ),
        (
            "mois/2026-11/2026-11-24.html",
            &["main p", "main a", "main .statut", "main th"],
        ),
    ];
    for theme in ["light", "rust", "coal", "navy", "ayu"] {
        for (path, required) in pages {
            let measured = contrasts(&chromium, &base, path, theme);
            for sel in required {
                assert!(
                    measured.iter().any(|(s, r)| s == sel && r.is_some()),
                    "{sel} absent de {path} ({theme}) : {measured:?}"
                );
            }
            for (sel, ratio) in &measured {
                if let Some(ratio) = ratio {
                    assert!(
                        *ratio >= 4.5,
                        "contraste {ratio} < 4,5 pour {sel} sur {path}, thème {theme} : {measured:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn serve_builds_the_book_and_serves_it_on_localhost() {
    use std::io::Read;
    let p = Projet::fixture("journal-exemple");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_journal"))
        .args([
            "--projet",
            &p.path().display().to_string(),
            "serve",
            "--port",
            "0",
        ])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let announce = lines
        .by_ref()
        .map_while(|l| l.ok())
        .find(|l| l.starts_with("Livre servi sur http://127.0.0.1:"));
    let get = |addr: &str, target: &str| {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let result = announce.map(|line| {
        let addr = line
            .trim_start_matches("Livre servi sur http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        (line.clone(), get(&addr, "/"), get(&addr, "/absente.html"))
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let (line, home, missing) = result.expect("pas de ligne « Livre servi sur … »");
    assert!(
        line.contains("ouvrez cette adresse dans un navigateur"),
        "{line}"
    );
    // Built before serving: the home page of the book.
    assert!(p.html().join("index.html").is_file());
    assert!(home.starts_with("HTTP/1.1 200 OK\r\n"), "{home}");
    assert!(home.contains("charset=utf-8"), "{home}");
    assert!(home.contains("Journal d’exploitation"), "{home}");
    assert!(
        missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
        "{missing}"
    );
    assert!(missing.contains("Page introuvable (404)"), "{missing}");
}

#[test]
fn serve_on_a_busy_port_says_so_with_a_hint() {
    let p = Projet::fixture("journal-exemple");
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = p.journal().args(["serve", "--port", &port]).run();
    out.expect_code(3);
    assert!(
        out.stderr.contains("impossible d'écouter sur 127.0.0.1:"),
        "{out}"
    );
    assert!(
        out.stderr.contains("aide : choisissez un autre port"),
        "{out}"
    );
}

#[test]
fn the_search_page_opened_from_disk_says_how_to_serve_the_book() {
    let Some(chromium) = browser("the_search_page_opened_from_disk_says_how_to_serve_the_book")
    else {
        return;
    };
    let p = built();
    let url = format!("file://{}", p.html().join("recherche.html").display());
    let dom = dump_dom(&chromium, &url);
    // The message is the content of the search's element (the script's
    // source holds the same words: the element is what is checked).
    let shown = r#"">La recherche demande que le livre soit servi par un serveur web"#;
    assert!(dom.contains(shown), "{dom}");
    assert!(
        dom.contains("lancez « journal serve » dans le projet"),
        "{dom}"
    );
    // Served over HTTP, the same page searches (no such message).
    let base = site(p.html()).serve();
    let dom = dump_dom(
        &chromium,
        &format!("{base}{PREFIX}recherche.html?q=prometheus"),
    );
    assert!(!dom.contains(shown), "{dom}");
    assert!(dom.contains(r#"class="recherche-resultat""#), "{dom}");
}

/// Asserts that the search page's DOM says « aucun résultat pour « `q` » »
/// and lists no result.
fn says_no_result(dom: &str, q: &str) {
    assert!(
        dom.contains(&format!("aucun résultat pour « {q} »")),
        "{}",
        &dom[dom.find(r#"class="recherche-message""#).unwrap_or(0)..]
    );
    assert!(result_links(dom).is_empty());
}

/// The result links (`href`) of a search page's DOM.
fn result_links(dom: &str) -> Vec<String> {
    let start = dom.find(r#"class="recherche-resultats""#).unwrap_or(0);
    dom[start..]
        .match_indices(r#"class="recherche-lien"#)
        .filter_map(|(i, _)| {
            let tag = &dom[start + i..];
            let tag = &tag[..tag.find('>')?];
            let h = tag.find(r#"href=""#)? + 6;
            Some(tag[h..h + tag[h..].find('"')?].replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn search_finds_french_words_after_an_elision_one_result_per_entry() {
    let Some(chromium) = browser("search_finds_french_words_after_an_elision_one_result_per_entry")
    else {
        return;
    };
    let p = Projet::fixture("journal-exemple");
    p.journal()
        .args([
            "note",
            "Certificat renouvelé avant l’échéance avec l’aide d’équipe, redémarrage de l'hôte",
        ])
        .env("JOURNAL_HORLOGE", "2026-11-26T09:00:00+01:00")
        .run()
        .expect_code(0);
    p.journal().arg("build").run().expect_code(0);
    let note = p
        .entry_files()
        .into_iter()
        .find(|f| f.starts_with("2026-11-26T") && f.contains("-note-"))
        .expect("note écrite");
    let anchor = format!("#{}", note.trim_end_matches(".md"));
    let base = site(p.html()).serve();
    let search = |q: &str| dump_dom(&chromium, &format!("{base}{PREFIX}recherche.html?q={q}"));
    // « échéance », « équipe », « hôte », and the query typed with its
    // elision: the note is found, once, with its title and date.
    for q in [
        "%C3%A9ch%C3%A9ance",
        "%C3%A9quipe",
        "h%C3%B4te",
        "l%E2%80%99%C3%A9ch%C3%A9ance",
    ] {
        let dom = search(q);
        let links = result_links(&dom);
        let hits = links.iter().filter(|l| l.ends_with(&anchor)).count();
        assert_eq!(
            hits, 1,
            "{q} : l'entrée {anchor} pas trouvée une fois : {links:?}"
        );
        let mut unique = links.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), links.len(), "{q} : doublons : {links:?}");
        // Results are entries (a day page and its anchor) or documentation
        // pages, never the pages that gather entries.
        for l in &links {
            assert!(
                l.contains("/mois/") && l.contains(".html?") && l.contains('#')
                    || l.contains("/entrees/documentation/")
                    || l.contains("/parties/")
                    || l.contains("/ecrire-une-partie.html"),
                "{q} : résultat qui n'est pas une entrée : {l}"
            );
            assert!(
                !l.contains("journal-de-bord") && !l.contains("/annees/"),
                "{l}"
            );
        }
        assert!(
            dom.contains("26 novembre 2026"),
            "{q} : date absente du résultat"
        );
        // The elision is joined back in the excerpt.
        assert!(
            !dom.contains("l’ <mark>"),
            "{q} : élision coupée dans l'extrait"
        );
    }
    // A nonsense word says so, instead of listing loose matches.
    says_no_result(&search("zzqxwvutrs"), "zzqxwvutrs");
    // Followed, a result highlights the word on the entry's page.
    let dom = search("%C3%A9ch%C3%A9ance");
    let link = result_links(&dom)
        .into_iter()
        .find(|l| l.ends_with(&anchor))
        .unwrap();
    assert!(link.contains("surligner="), "{link}");
    let page = dump_dom(&chromium, &format!("{base}{link}"));
    assert!(
        page.contains(r#"class="journal-surligne">échéance</mark>"#),
        "mot non surligné sur {link}"
    );
}

/// The entry anchors (`2026-09-10T090000-000-note-…`) of a search's
/// result links, in the page's order (documentation pages left aside).
fn result_entries(dom: &str) -> Vec<String> {
    result_links(dom)
        .iter()
        .filter_map(|l| l.rsplit_once('#').map(|(_, a)| a.to_string()))
        .collect()
}

#[test]
fn search_sorts_by_date_across_month_indexes_and_drops_loose_matches() {
    let Some(chromium) =
        browser("search_sorts_by_date_across_month_indexes_and_drops_loose_matches")
    else {
        return;
    };
    let p = Projet::fixture("journal-exemple");
    // Three months of the latest year: three indexes merged by the page.
    // The oldest notes say « sauvegarde » most often (the ranking puts them
    // first), the newest once in a longer text.
    let notes = [
        (
            "2026-09-03T09:00:00+02:00",
            "Sauvegarde : sauvegarde du volume, sauvegarde vérifiée",
        ),
        (
            "2026-09-20T09:00:00+02:00",
            "Sauvegarde relancée, sauvegarde complète",
        ),
        (
            "2026-10-05T09:00:00+02:00",
            "Sauvegarde : sauvegarde du volume de Grafana",
        ),
        (
            "2026-10-22T09:00:00+02:00",
            "Rotation des journaux, puis sauvegarde du dossier de Prometheus et contrôle des cibles",
        ),
        (
            "2026-11-02T09:00:00+01:00",
            "Mise à jour de cAdvisor, redémarrage des conteneurs puis sauvegarde des réglages et des tableaux de bord, tout est revenu",
        ),
        (
            "2026-11-27T09:00:00+01:00",
            "Migration du disque de la machine de supervision, grep -q sur les journaux, une sauvegarde pour finir",
        ),
    ];
    for (when, text) in notes {
        p.journal()
            .args(["note", text])
            .env("JOURNAL_HORLOGE", when)
            .run()
            .expect_code(0);
    }
    p.journal().arg("build").run().expect_code(0);
    let base = site(p.html()).serve();
    let search = |q: &str| dump_dom(&chromium, &format!("{base}{PREFIX}recherche.html?q={q}"));
    let relevance = result_entries(&search("sauvegarde"));
    // Ours, and the fixture's own note about a backup.
    for (when, _) in notes {
        let stamp = format!("{}T{}", &when[..10], when[11..19].replace(':', ""));
        assert!(
            relevance.iter().any(|a| a.starts_with(&stamp)),
            "{stamp} absente : {relevance:?}"
        );
    }
    let mut by_date = relevance.clone();
    by_date.sort();
    assert_ne!(
        relevance, by_date,
        "la pertinence range déjà les notes par date : le test ne prouve rien"
    );
    for (tri, newest_first) in [("recentes", true), ("anciennes", false)] {
        let dom = search(&format!("sauvegarde&tri={tri}"));
        let got = result_entries(&dom);
        assert_eq!(got.len(), relevance.len(), "{tri} : {got:?}");
        let strictly = got.windows(2).all(|w| {
            if newest_first {
                w[0] > w[1]
            } else {
                w[0] < w[1]
            }
        });
        assert!(strictly, "{tri} : pas dans l'ordre des dates : {got:?}");
        assert!(dom.contains(r#"<option value="anciennes">"#));
    }
    // A word no entry has, nor any word it starts (the « q » of
    // « grep -q » is no match): the page says so.
    says_no_result(&search("qqqzzw"), "qqqzzw");
    // A word being typed still finds its entries (words it starts).
    assert_eq!(result_entries(&search("sauveg")).len(), relevance.len());
}

#[test]
fn s_and_slash_lead_to_the_search_from_any_page() {
    let Some(chromium) = browser("s_and_slash_lead_to_the_search_from_any_page") else {
        return;
    };
    let p = built();
    // The pages get a script that presses the key once they are loaded
    // (the test's own copy of the book).
    let press = |rel: &str, key: &str, then: &str| {
        let f = p.html().join(rel);
        let page = fs::read_to_string(&f).unwrap().replacen(
            "</body>",
            &format!(
                r#"<script>setTimeout(function () {{
  if (document.activeElement) document.activeElement.blur();
  document.body.dispatchEvent(new KeyboardEvent("keydown", {{ key: "{key}", bubbles: true }}));
  {then}
}}, 1500);</script></body>"#
            ),
            1,
        );
        fs::write(&f, page).unwrap();
    };
    press("mois/2026-11/2026-11-24.html", "s", "");
    let mark = r#"var p = document.createElement("pre"); p.id = "focus"; p.textContent = "focus:" + (document.activeElement && document.activeElement.className); document.body.appendChild(p);"#;
    press("recherche.html", "/", mark);
    let base = site(p.html()).serve();
    // From a day page, `S` opens the search page.
    let dom = dump_dom(
        &chromium,
        &format!("{base}{PREFIX}mois/2026-11/2026-11-24.html"),
    );
    assert!(
        dom.contains(r#"<div id="recherche-journal""#),
        "pas de page de recherche :\n{dom}"
    );
    // On the search page, `/` puts the cursor in the search field.
    let dom = dump_dom(&chromium, &format!("{base}{PREFIX}recherche.html"));
    assert!(
        dom.contains(r#"<pre id="focus">focus:recherche-champ"#),
        "{}",
        &dom[dom.find("<pre id=\"focus\"").unwrap_or(0)..]
    );
}
