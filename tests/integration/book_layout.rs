//! The book's layout as a reader meets it (issue 21), measured in real
//! Chromium at desktop (1366×768) and phone (390×844) sizes, at a site root
//! and under a sub-path: the home page shows the last runs and the last
//! failure above the fold and its runs' table fits the column; ←/→ cross
//! month boundaries in the same direction everywhere; the resource charts
//! fit a phone and are no white box in the dark themes; a corrected note's
//! earlier version is a page declaring UTF-8.
//!
//! The test server (`browser::Site`, a fixture) serves `book/html` under a
//! prefix and appends one measuring script to HTML pages; the script writes what
//! it measured into the DOM (`<pre id="mesures">`), which `--dump-dom`
//! returns. A theme asked by `?theme=` is stored where mdBook's page reads
//! it before any page script runs.

use std::fs;
use std::path::PathBuf;

use crate::browser::{Site, THEME_SCRIPT, browser, dump_sized, measuring_script};
use crate::support::Projet;

const DESKTOP: (u32, u32) = (1366, 768);
const PHONE: (u32, u32) = (390, 844);

/// `root` served under `prefix`, every HTML page choosing its theme from
/// `?theme=` and ending with `script`. Returns `http://addr`.
fn serve(root: PathBuf, prefix: &'static str, script: &'static str) -> String {
    Site::new(root)
        .under(prefix)
        .inject(THEME_SCRIPT, script)
        .serve()
}

/// The lines `clé valeur` of `<pre id="mesures">` in `dom`.
fn measures(dom: &str) -> Vec<(String, String)> {
    let start = dom
        .find(r#"<pre id="mesures">"#)
        .unwrap_or_else(|| panic!("mesures absentes :\n{dom}"));
    let text = &dom[start + r#"<pre id="mesures">"#.len()..];
    let text = &text[..text.find("</pre>").unwrap()];
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap_or((l, ""));
            (k.to_string(), v.replace("&amp;", "&"))
        })
        .collect()
}

fn get<'a>(m: &'a [(String, String)], key: &str) -> &'a str {
    m.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{key} non mesuré : {m:?}"))
}

/// The example journal (November 2026) plus runs in October and December
/// 2026 by authors with long names, the newest a success and the last
/// failure three days before it, and one run on 31 December 2025: four
/// month books over two years, 23 runs.
fn three_months() -> Projet {
    let p = Projet::fixture("journal-exemple");
    let journal = p.journal_dir();
    let model =
        fs::read_to_string(journal.join("2026-11-24T213005-123-execution-ab12cd.md")).unwrap();
    let run = |day: &str, month: &str, n: usize, failed: bool| {
        let stamp = format!("2026-{month}-{day}T08:15:00.000+01:00");
        let name = format!("2026-{month}-{day}T081500-000-execution-m{month}j{day}.md");
        let auteur = format!("Marie-Amélie de La Tour-Villeneuve n° {n}");
        let mut text = model
            .replace("2026-11-24T21:30:05.123+01:00", &stamp)
            .replacen(
                "\n---\n\n# ",
                &format!("\norigine:\n  auteur: {auteur}\n---\n\n# "),
                1,
            );
        if failed {
            text = text.replacen("statut: réussi", "statut: échoué", 1);
        }
        fs::write(journal.join(name), text).unwrap();
    };
    for d in 1..=12 {
        run(&format!("{d:02}"), "10", d, false);
    }
    for d in 1..=8 {
        run(&format!("{d:02}"), "12", 100 + d, d == 5);
    }
    // A year earlier: two years in the main book.
    let stamp = "2025-12-31T08:15:00.000+01:00";
    fs::write(
        journal.join("2025-12-31T081500-000-execution-an2025.md"),
        model.replace("2026-11-24T21:30:05.123+01:00", stamp),
    )
    .unwrap();
    p.journal().arg("build").run().expect_code(0);
    p
}

/// What the home page shows: the first run link and the last failure's
/// link inside the viewport, no horizontal overflow of the page, the runs'
/// table inside the main column and none of its links cut.
const HOME_SCRIPT: &str = measuring_script!(
    r#"  function inView(el) {
    if (!el) return "absent";
    var r = el.getBoundingClientRect();
    var ok = r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
    return ok ? "oui" : "non " + [r.left, r.top, r.right, r.bottom].map(Math.round).join(",");
  }
  setTimeout(function () {
    var out = [];
    var main = document.querySelector("main").getBoundingClientRect();
    var box = document.querySelector(".journal-executions");
    var wrap = box.querySelector(".table-wrapper") || box;
    var w = wrap.getBoundingClientRect();
    var t = box.querySelector("table").getBoundingClientRect();
    var cut = 0, links = box.querySelectorAll("a");
    links.forEach(function (a) {
      var r = a.getBoundingClientRect();
      if (r.width === 0 || r.left < w.left - 0.5 || r.right > w.right + 0.5
          || r.left < main.left - 0.5 || r.right > main.right + 0.5) cut++;
    });
    out.push("page-deborde " + (document.documentElement.scrollWidth > innerWidth ? "oui" : "non"));
    out.push("tableau-deborde " + (wrap.scrollWidth > wrap.clientWidth + 1 || t.right > main.right + 0.5 || t.left < main.left - 0.5 ? "oui" : "non"));
    out.push("liens-coupes " + cut + "/" + links.length);
    out.push("derniere-execution " + inView(document.querySelector(".journal-dernieres li a")));
    out.push("derniere-execution-lien " + document.querySelector(".journal-dernieres li a").getAttribute("href"));
    out.push("dernier-echec " + inView(document.querySelector(".journal-echec a")));
    out.push("dernier-echec-lien " + document.querySelector(".journal-echec a").getAttribute("href"));
    out.push("construit " + inView(document.querySelector(".journal-construit")));
    show("mesures", out);
  }, 1500);
"#
);

#[test]
fn the_home_page_shows_the_last_runs_above_the_fold_and_its_table_fits() {
    let Some(chromium) =
        browser("the_home_page_shows_the_last_runs_above_the_fold_and_its_table_fits")
    else {
        return;
    };
    let p = three_months();
    let home = fs::read_to_string(p.html().join("index.html")).unwrap();
    assert!(
        home.contains("Livre construit le "),
        "date du build absente"
    );
    assert!(
        home.contains("jours d’activité (jours ayant au moins une entrée)"),
        "« N jours » ne dit pas ce qu'il compte"
    );
    for prefix in ["/projet/", "/"] {
        let base = serve(p.html(), prefix, HOME_SCRIPT);
        for size in [DESKTOP, PHONE] {
            let m = measures(&dump_sized(&chromium, &format!("{base}{prefix}"), size));
            let at = format!("{prefix} {size:?} : {m:?}");
            assert_eq!(get(&m, "derniere-execution"), "oui", "{at}");
            assert_eq!(
                get(&m, "derniere-execution-lien"),
                "mois/2026-12/2026-12-08.html#2026-12-08T081500-000-execution-m12j08",
                "{at}"
            );
            assert_eq!(get(&m, "dernier-echec"), "oui", "{at}");
            assert_eq!(
                get(&m, "dernier-echec-lien"),
                "mois/2026-12/2026-12-05.html#2026-12-05T081500-000-execution-m12j05",
                "{at}"
            );
            assert_eq!(get(&m, "construit"), "oui", "{at}");
            assert_eq!(get(&m, "page-deborde"), "non", "{at}");
            assert_eq!(get(&m, "tableau-deborde"), "non", "{at}");
            // 20 rows, each with its run's link and its part's link.
            assert_eq!(get(&m, "liens-coupes"), "0/40", "{at}");
        }
    }
}

/// Presses the keys of `?touches=` (G for ←, D for →) one per page, through
/// mdBook's own key handler, then writes where it landed and the targets
/// of the page's arrows (wide and mobile).
const KEYS_SCRIPT: &str = measuring_script!(
    r#"  var start = new URLSearchParams(location.search).get("touches");
  if (start !== null) sessionStorage.setItem("touches", start);
  var keys = sessionStorage.getItem("touches") || "";
  setTimeout(function () {
    if (keys.length > 0) {
      sessionStorage.setItem("touches", keys.slice(1));
      var key = keys[0] === "G" ? "ArrowLeft" : "ArrowRight";
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key: key, bubbles: true }));
      return;
    }
    var out = ["page " + location.pathname];
    ["nav-chapters", "mobile-nav-chapters"].forEach(function (cls) {
      ["previous", "next"].forEach(function (side) {
        var a = document.querySelector("." + cls + "." + side);
        out.push(cls + "-" + side + " " + (a ? new URL(a.href).pathname : "aucune"));
      });
    });
    show("mesures", out);
  }, 500);
"#
);

#[test]
fn arrows_cross_month_ends_and_go_forward_in_time_in_every_book() {
    let Some(chromium) = browser("arrows_cross_month_ends_and_go_forward_in_time_in_every_book")
    else {
        return;
    };
    let p = three_months();
    let base = serve(p.html(), "/projet/", KEYS_SCRIPT);
    let land = |start: &str, keys: &str| {
        let url = format!("{base}/projet/{start}?touches={keys}");
        let m = measures(&dump_sized(&chromium, &url, DESKTOP));
        (get(&m, "page").to_string(), m)
    };
    // ← from the first day of November: the last day of October; → from
    // November's last day: the first of December (paging day by day).
    let (page, m) = land("mois/2026-11/2026-11-24.html", "G");
    assert_eq!(page, "/projet/mois/2026-10/2026-10-12.html", "{m:?}");
    let (page, m) = land("mois/2026-11/2026-11-25.html", "D");
    assert_eq!(page, "/projet/mois/2026-12/2026-12-01.html", "{m:?}");
    let (page, m) = land("mois/2026-11/2026-11-24.html", "GDD");
    assert_eq!(page, "/projet/mois/2026-11/2026-11-25.html", "{m:?}");
    // November's month page (its book's first page) leads back to the last
    // page of October's book.
    let (page, m) = land("mois/2026-11/index.html", "G");
    assert_eq!(page, "/projet/mois/2026-10/parties/partie-6.html", "{m:?}");
    // → from there comes back into November (its first page), and both
    // arrows of the month's first page, wide and mobile, cross the month end.
    let (page, m) = land("mois/2026-10/parties/partie-6.html", "D");
    assert_eq!(page, "/projet/mois/2026-11/index.html", "{m:?}");
    for cls in ["nav-chapters", "mobile-nav-chapters"] {
        assert_eq!(
            get(&m, &format!("{cls}-previous")),
            "/projet/mois/2026-10/parties/partie-6.html",
            "{m:?}"
        );
        assert_eq!(
            get(&m, &format!("{cls}-next")),
            "/projet/mois/2026-11/2026-11-24.html",
            "{m:?}"
        );
    }
    // The last page of November's book leads to December's first page.
    let (_, m) = land("mois/2026-11/parties/notes-generales.html", "");
    assert_eq!(
        get(&m, "mobile-nav-chapters-next"),
        "/projet/mois/2026-12/index.html",
        "{m:?}"
    );
    // → goes forward in time in a month book and in the main book alike.
    let (page, _) = land("mois/2026-11/2026-11-24.html", "D");
    assert_eq!(page, "/projet/mois/2026-11/2026-11-25.html");
    let (page, _) = land("journal-de-bord.html", "D");
    assert_eq!(page, "/projet/annees/2025.html");
    let (page, _) = land("annees/2025.html", "D");
    assert_eq!(page, "/projet/annees/2026.html");
    // The newest month's last page has no next page.
    let (_, m) = land("mois/2026-12/parties/partie-6.html", "");
    assert_eq!(get(&m, "nav-chapters-next"), "aucune", "{m:?}");
}

#[test]
fn a_corrected_notes_earlier_version_is_a_rendered_page_declaring_utf8() {
    let p = Projet::fixture("journal-exemple");
    let id = "2026-11-24T221500-000-note-k3j9pq";
    p.journal()
        .args(["note", "--corrige", id])
        .arg("Le tableau « Cadvisor exporter » reste vide ❌ <script>alert(1)</script>")
        .args(["--auteur", "Dominique"])
        .env("JOURNAL_HORLOGE", "2026-11-26T10:00:00+01:00")
        .run()
        .expect_code(0);
    p.journal().arg("build").run().expect_code(0);
    let page = fs::read_to_string(p.html().join(format!("mois/2026-11/revisions/{id}.1.html")))
        .expect("page de la version précédente absente");
    // Declared within the first 1024 bytes, where a browser looks for it
    // when the server sends no charset.
    let charset = page.find(r#"<meta charset="UTF-8">"#).expect("charset");
    assert!(charset < 1024, "{charset}");
    assert!(page.contains("Version 1 de « Grafana redémarré après la mise à jour »"));
    assert!(page.contains("language-diff"), "{page}");
    assert!(page.contains("reste vide ❌"), "{page}");
    assert!(page.contains("Cadvisor exporter"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("type: note"), "{page}");
    // The note's « version précédente » leads to the page, not to the .txt.
    let day = fs::read_to_string(p.html().join("mois/2026-11/2026-11-24.html")).unwrap();
    assert!(
        day.contains(&format!(r#"href="revisions/{id}.1.html""#)),
        "{day}"
    );
    assert!(!day.contains(&format!("{id}.1.txt")), "{day}");
}

/// The chart of a day page: its scale, whether the page overflows, and
/// from its pixels drawn with the theme's filter, the contrast of its text
/// on its background and how far that background is from the page's.
const CHART_SCRIPT: &str = measuring_script!(
    r#"  setTimeout(function () {
    var out = [document.documentElement.className];
    var img = document.querySelector('main img[src$="-ressources.svg"]');
    if (!img) { out.push("graphique absent"); } else {
      var frame = img.closest(".checkbox-label") || img.parentElement;
      var r = img.getBoundingClientRect(), box = frame.getBoundingClientRect();
      out.push("echelle " + (r.width / img.naturalWidth).toFixed(3));
      out.push("etroit " + (/-ressources-etroit\.svg$/.test(img.currentSrc) ? "oui" : "non"));
      out.push("cadre-defile " + (frame.scrollWidth > frame.clientWidth + 0.5 ? "oui" : "non"));
      out.push("page-deborde " + (document.documentElement.scrollWidth > innerWidth ? "oui" : "non"));
      out.push("cadre-dans-l-ecran " + (box.left >= 0 && box.right <= innerWidth + 0.5 ? "oui" : "non"));
      var w = img.naturalWidth, h = img.naturalHeight;
      var c = document.createElement("canvas"); c.width = w; c.height = h;
      var g = c.getContext("2d");
      g.drawImage(img, 0, 0, w, h);
      var raw = g.getImageData(0, 0, w, h).data, dark = 0, low = 1e9;
      for (var i = 0; i < raw.length; i += 4) {
        var s = raw[i] + raw[i + 1] + raw[i + 2];
        if (raw[i + 3] === 255 && s < low) { low = s; dark = i; }
      }
      g.clearRect(0, 0, w, h);
      g.filter = getComputedStyle(img).filter;
      g.drawImage(img, 0, 0, w, h);
      var d = g.getImageData(0, 0, w, h).data;
      var fg = [d[dark], d[dark + 1], d[dark + 2]], bg = [d[8], d[9], d[10]];
      out.push("contraste-texte " + contrast(fg, bg).toFixed(2));
      out.push("ecart-fond " + contrast(bg, background(img)).toFixed(2));
    }
    show("mesures", out);
  }, 1500);
"#
);

#[test]
fn resource_charts_fit_a_phone_and_are_no_white_box_in_dark_themes() {
    use journal::steps::resource_snapshot::{
        NARROW_TEXT, Usage, render_chart, render_narrow_chart,
    };
    let Some(chromium) = browser("resource_charts_fit_a_phone_and_are_no_white_box_in_dark_themes")
    else {
        return;
    };
    let p = Projet::fixture("journal-exemple");
    let run = "2026-11-24T213005-123-execution-ab12cd";
    let usage = |name: &str, cpu: f64, mem: f64| Usage {
        instance: "cadvisor:8080".into(),
        name: name.into(),
        cpu_percent: Some(cpu),
        mem_mib: Some(mem),
    };
    // The chart as the resource snapshot step writes it (plotters, white
    // background), with Compose's long container names.
    let svg = render_chart(&[
        usage("supervision-prometheus-1", 1.2, 52.3),
        usage("supervision-grafana-1", 0.4, 80.1),
        usage("supervision-cadvisor-1", 3.5, 38.0),
    ])
    .unwrap();
    fs::write(p.journal_dir().join(format!("{run}-ressources.svg")), svg).unwrap();
    // And its narrow variant, as the step attaches it beside.
    let narrow = render_narrow_chart(&[
        usage("supervision-prometheus-1", 1.2, 52.3),
        usage("supervision-grafana-1", 0.4, 80.1),
        usage("supervision-cadvisor-1", 3.5, 38.0),
    ])
    .unwrap();
    fs::write(
        p.journal_dir().join(format!("{run}-ressources-etroit.svg")),
        narrow,
    )
    .unwrap();
    let entry = p.journal_dir().join(format!("{run}.md"));
    let text = fs::read_to_string(&entry).unwrap().replace(
        &format!("![Consommation]({run}.svg)"),
        &format!("![Consommation des conteneurs]({run}-ressources.svg)"),
    );
    fs::write(&entry, text).unwrap();
    p.journal().arg("build").run().expect_code(0);
    let base = serve(p.html(), "/projet/", CHART_SCRIPT);
    for theme in ["light", "rust", "coal", "navy", "ayu"] {
        for size in [DESKTOP, PHONE] {
            let url = format!("{base}/projet/mois/2026-11/2026-11-24.html?theme={theme}");
            let m = measures(&dump_sized(&chromium, &url, size));
            let at = format!("{theme} {size:?} : {m:?}");
            assert!(
                m[0].0.contains(theme) || m[0].1.contains(theme),
                "thème non appliqué : {at}"
            );
            let num = |k: &str| get(&m, k).parse::<f64>().unwrap();
            assert!(num("contraste-texte") >= 4.5, "{at}");
            // No white box: the chart's background is the page's, or close.
            assert!(num("ecart-fond") <= 1.6, "{at}");
            assert_eq!(get(&m, "page-deborde"), "non", "{at}");
            assert_eq!(get(&m, "cadre-dans-l-ecran"), "oui", "{at}");
            if size == PHONE {
                // The narrow chart, in the column without a scrolling box,
                // its text at 12 px or more.
                assert_eq!(get(&m, "etroit"), "oui", "{at}");
                assert_eq!(get(&m, "cadre-defile"), "non", "{at}");
                assert!(num("echelle") <= 1.0, "{at}");
                assert!(num("echelle") * NARROW_TEXT >= 12.0, "{at}");
            } else {
                assert_eq!(get(&m, "etroit"), "non", "{at}");
                assert!(num("echelle") <= 1.0, "{at}");
            }
        }
    }
}

/// The contrast of the home page's new elements against their effective
/// background, in the theme of `?theme=`.
const HOME_CONTRAST_SCRIPT: &str = measuring_script!(
    r#"  setTimeout(function () {
    var out = [document.documentElement.className];
    [".journal-construit", ".journal-echec p", ".journal-echec a", ".journal-echec strong",
     ".journal-echec .statut", ".journal-dernieres li", ".journal-dernieres a",
     ".journal-executions td", ".journal-executions a", ".journal-executions th"].forEach(function (sel) {
      var el = document.querySelector(sel);
      if (!el) { out.push(sel.replace(/ /g, "_") + " absent"); return; }
      out.push(sel.replace(/ /g, "_") + " " + textContrast(el).toFixed(2));
    });
    show("mesures", out);
  }, 1000);
"#
);

#[test]
fn the_home_page_is_readable_in_every_theme() {
    let Some(chromium) = browser("the_home_page_is_readable_in_every_theme") else {
        return;
    };
    let p = three_months();
    let base = serve(p.html(), "/projet/", HOME_CONTRAST_SCRIPT);
    for theme in ["light", "rust", "coal", "navy", "ayu"] {
        let url = format!("{base}/projet/index.html?theme={theme}");
        let m = measures(&dump_sized(&chromium, &url, DESKTOP));
        assert!(
            m[0].0.contains(theme) || m[0].1.contains(theme),
            "thème non appliqué : {m:?}"
        );
        assert_eq!(m.len(), 11, "{m:?}");
        for (sel, ratio) in &m[1..] {
            let r: f64 = ratio
                .parse()
                .unwrap_or_else(|_| panic!("{sel} {ratio} ({theme})"));
            assert!(
                r >= 4.5,
                "contraste {r} < 4,5 pour {sel}, thème {theme} : {m:?}"
            );
        }
    }
}
