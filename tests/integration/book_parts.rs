//! The book shows runbooks as executable documentation: a project part's
//! page is its runbook's prose with each step's last result, read from the
//! journal; `journal build` never runs a step, and notices a changed
//! runbook.

use crate::support::Projet;

const RUNBOOK: &str = r#"---
id: partie-locale
titre: "Une partie locale"
---

# Une partie locale

## La commande

Elle laisse une trace, une seule fois.

```sh journal:commande id=trace deja_fait="test -f trace" attendu=fait
echo fait > trace && echo fait
```
"#;

#[test]
fn a_runbook_page_shows_its_last_run_and_follows_the_runbook() {
    let p = Projet::empty();
    let file = p.path().join("parties/locale.md");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, RUNBOOK).unwrap();
    let page = || std::fs::read_to_string(p.html().join("parties/partie-locale.html")).unwrap();

    // Before any run: the documentation, the block, « jamais exécutée »,
    // and nothing executed by the build.
    p.journal().arg("build").run().expect_code(0);
    let html = page();
    assert!(html.contains("Elle laisse une trace"), "{html}");
    assert!(html.contains("echo fait &gt; trace"), "{html}");
    assert!(html.contains("jamais exécutée"), "{html}");
    assert!(
        !p.path().join("trace").exists(),
        "le build a exécuté l'étape"
    );

    // After a run: its status, date, author and link.
    p.journal()
        .args(["run", "partie-locale"])
        .env("JOURNAL_AUTEUR", "alice")
        .run()
        .expect_code(0);
    let entry = crate::support::latest_run(&p);
    assert_eq!(entry.front.etapes[0].id, "trace");
    p.journal().arg("build").run().expect_code(0);
    let html = page();
    assert!(!html.contains("jamais exécutée"), "{html}");
    assert!(
        html.contains(r#"<span class="statut statut-reussi">réussi</span>"#),
        "{html}"
    );
    assert!(html.contains("par alice"), "{html}");
    let id = entry
        .path
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(html.contains(&format!(".html#{id}\"")), "{html}");
    p.journal().arg("check").run().expect_code(0);

    // A changed runbook (nothing else changed): the page is rebuilt.
    std::fs::write(
        &file,
        RUNBOOK.replace("une seule fois", "une fois pour toutes"),
    )
    .unwrap();
    let out = p.journal().args(["-v", "build"]).run();
    out.expect_code(0);
    assert!(!out.stderr.contains("livre déjà à jour"), "{out}");
    assert!(page().contains("une fois pour toutes"));
}

#[cfg(unix)]
#[test]
fn a_runbook_linked_from_outside_parties_is_not_published() {
    let p = Projet::empty();
    let outside = p.path().join("ailleurs/locale.md");
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    std::fs::write(&outside, RUNBOOK).unwrap();
    std::fs::create_dir_all(p.path().join("parties")).unwrap();
    std::os::unix::fs::symlink("../ailleurs/locale.md", p.path().join("parties/locale.md"))
        .unwrap();
    p.journal().arg("build").run().expect_code(0);
    assert!(!p.html().join("parties/partie-locale.html").exists());
    // The built-in runbook part has its page.
    let hote = std::fs::read_to_string(p.html().join("parties/partie-6-hote.html")).unwrap();
    assert!(hote.contains("jamais exécutée"), "{hote}");
}
