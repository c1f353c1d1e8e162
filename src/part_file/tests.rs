use super::*;

const HEAD: &str = "---\nid: partie-test\ntitre: \"Une partie de test\"\n---\n";

fn ok(body: &str) -> Runbook {
    match parse(&format!("{HEAD}{body}")) {
        Ok(r) => r,
        Err(p) => panic!("{p:#?}"),
    }
}

/// The only problem of `text`.
fn problem(text: &str) -> Problem {
    let mut p = parse(text).expect_err("doit échouer");
    assert_eq!(p.len(), 1, "{p:#?}");
    p.remove(0)
}

fn body_problem(body: &str) -> Problem {
    problem(&format!("{HEAD}{body}"))
}

#[test]
fn front_matter_with_parameters_and_defaults() {
    let r = parse(
        "---\nid: partie-6-hote\ntitre: Métriques de l'hôte\nrequiert: [partie-6]\ncibles: compose\n\
         parametres:\n  image_node_exporter:\n    defaut: prom/node-exporter:v1.7.0\n    role: image du node exporter\n  \
         port: 9100\n---\n# Titre\n",
    )
    .unwrap();
    assert_eq!(r.id, "partie-6-hote");
    assert_eq!(r.id_line, 2);
    assert_eq!(r.title, "Métriques de l'hôte");
    assert_eq!(r.requires, ["partie-6"]);
    assert_eq!(r.targets, ["compose"]);
    assert_eq!(r.params.len(), 2);
    assert_eq!(r.params[0].name, "image_node_exporter");
    assert_eq!(r.params[0].default, "prom/node-exporter:v1.7.0");
    assert_eq!(r.params[0].role, "image du node exporter");
    assert_eq!(r.params[0].variable(), "JOURNAL_IMAGE_NODE_EXPORTER");
    assert_eq!(r.params[1].default, "9100");
    assert!(r.blocks.is_empty());
    // Without `cibles`, Compose only.
    assert_eq!(ok("").targets, ["compose"]);
}

#[test]
fn parameters_are_substituted_declared_names_only() {
    let r = parse("---\nid: p\ntitre: t\nparametres: { image: a/b:1 }\n---\n").unwrap();
    let text = "image: {{ image }} {{image}} {{ $labels.x }} {{ autre }} {{";
    assert_eq!(
        r.substitute(text, &|_| None),
        "image: a/b:1 a/b:1 {{ $labels.x }} {{ autre }} {{"
    );
    assert_eq!(
        r.substitute("{{ image }}", &|p| Some(format!("registre/{}", p.name))),
        "registre/image"
    );
}

#[test]
fn file_block_keeps_its_content_and_takes_the_heading_as_title() {
    let r = ok("Du texte.\n\n## Étape 1 : le fichier\n\nExplication.\n\n\
                ```yaml journal:fichier chemin=compose/config/a.yml\nglobal:\n  x: 1\n```\n");
    let b = &r.blocks[0];
    assert_eq!(b.line, 11);
    assert_eq!(b.id, "fichier-1");
    assert_eq!(b.title, "Étape 1 : le fichier");
    assert!(b.prose.starts_with("Du texte."));
    assert!(b.prose.ends_with("Explication."));
    assert_eq!(
        b.spec,
        Spec::File {
            path: "compose/config/a.yml".into(),
            content: "global:\n  x: 1\n".into()
        }
    );
}

#[test]
fn services_block_defaults_to_the_compose_file() {
    let r = ok(
        "```yaml journal:services id=node-exporter titre=\"Service node exporter\"\n\
         services:\n  node-exporter:\n    image: \"{{ image }}\"\n```\n",
    );
    let b = &r.blocks[0];
    assert_eq!(b.id, "node-exporter");
    assert_eq!(b.title, "Service node exporter");
    match &b.spec {
        Spec::Services { file, content } => {
            assert_eq!(file, "compose/docker-compose.yml");
            assert!(content.contains("node-exporter:"));
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(
        b.spec.plan(),
        "ajouter à `compose/docker-compose.yml` : node-exporter"
    );
}

#[test]
fn scrape_job_block_reads_its_job_name() {
    let r = ok(
        "```yaml journal:collecte\n- job_name: node\n  static_configs:\n    - targets: ['node-exporter:9100']\n```\n",
    );
    match &r.blocks[0].spec {
        Spec::ScrapeJob { file, job, .. } => {
            assert_eq!(file, "compose/config/prometheus/prometheus.yml");
            assert_eq!(job, "node");
        }
        s => panic!("{s:?}"),
    }
}

#[test]
fn command_block_with_check_expectation_and_time_limit() {
    let r = ok(
        "```bash journal:commande deja_fait=\"test -f x\" attendu=ok code=0 delai=30\n\
         touch x && echo ok\n```\n",
    );
    assert_eq!(
        r.blocks[0].spec,
        Spec::Command {
            script: "touch x && echo ok\n".into(),
            already_done: Some("test -f x".into()),
            expected: Some("ok".into()),
            code: 0,
            timeout_secs: Some(30),
        }
    );
    assert_eq!(r.blocks[0].title, "Commande");
}

#[test]
fn promql_http_and_targets_blocks_are_yaml_fields() {
    let r = ok(
        "```yaml journal:promql\nrequete: count(node_cpu_seconds_total)\nmin: 2\n```\n\n\
                ```yaml journal:http\nurl: http://localhost:9100/metrics\ncontient: node_\n```\n\n\
                ```yaml journal:cibles\njob: node\ndelai: 60\n```\n",
    );
    assert_eq!(
        r.blocks[0].spec,
        Spec::Promql {
            query: "count(node_cpu_seconds_total)".into(),
            min: 2,
            timeout_secs: None
        }
    );
    assert_eq!(
        r.blocks[1].spec,
        Spec::Http {
            url: "http://localhost:9100/metrics".into(),
            status: 200,
            contains: Some("node_".into()),
            timeout_secs: None
        }
    );
    assert_eq!(
        r.blocks[2].spec,
        Spec::Targets {
            job: "node".into(),
            timeout_secs: Some(60)
        }
    );
}

#[test]
fn dashboard_block_with_grafana_com_id_and_bundled_copy() {
    let r =
        ok("```yaml journal:tableau-de-bord\ngrafana_com: 1860\ncopie: tableaux/node.json\n```\n");
    assert_eq!(
        r.blocks[0].spec,
        Spec::Dashboard {
            grafana_com: Some(1860),
            copy: Some("tableaux/node.json".into()),
            source: "Prometheus".into()
        }
    );
}

#[test]
fn built_in_kinds_need_no_body() {
    let r = ok(
        "```journal:mot-de-passe-grafana\n```\n\n```journal:instantane\n```\n\n\
                ```text journal:exercice-alerte id=exercice\n```\n",
    );
    let kinds: Vec<Kind> = r.blocks.iter().map(Block::kind).collect();
    assert_eq!(
        kinds,
        [Kind::GrafanaPassword, Kind::Snapshot, Kind::AlertDrill]
    );
    assert!(kinds.iter().all(|k| k.is_builtin()));
    assert_eq!(r.blocks[2].id, "exercice");
}

#[test]
fn unmarked_blocks_are_prose() {
    let r = ok("```bash\ndocker-compose ps\n```\n\n```yaml journal:cibles\njob: node\n```\n");
    assert_eq!(r.blocks.len(), 1);
    assert!(r.blocks[0].prose.contains("docker-compose ps"));
}

#[test]
fn every_kind_has_a_distinct_name_and_a_label() {
    for k in Kind::ALL {
        assert_eq!(Kind::from_name(k.name()), Some(k));
        assert!(!k.label().is_empty());
    }
}

#[test]
fn unknown_kind_is_reported_at_its_line_with_a_suggestion() {
    let p = body_problem("texte\n\n```yaml journal:fichiers chemin=a\nx\n```\n");
    assert_eq!(p.line, 7);
    assert_eq!(p.message, "sorte de bloc inconnue « journal:fichiers »");
    assert!(
        p.hint.starts_with("vouliez-vous dire « fichier » ?"),
        "{}",
        p.hint
    );
    assert!(p.hint.contains("tableau-de-bord"));
}

#[test]
fn missing_required_field_names_the_field() {
    let p = body_problem("```yaml journal:fichier\nx: 1\n```\n");
    assert_eq!(p.line, 5);
    assert_eq!(
        p.message,
        "champ obligatoire « chemin » absent du bloc journal:fichier"
    );
    assert!(p.hint.contains("chemin=…"));
    let p = body_problem("```yaml journal:promql\nmin: 1\n```\n");
    assert_eq!(
        p.message,
        "champ obligatoire « requete » absent du bloc journal:promql"
    );
    assert!(p.hint.contains("requete: …"));
    for (kind, field) in [("http", "url"), ("cibles", "job")] {
        let p = body_problem(&format!("```yaml journal:{kind}\n```\n"));
        assert!(p.message.contains(&format!("« {field} »")), "{}", p.message);
    }
}

#[test]
fn unknown_field_suggests_the_closest() {
    let p = body_problem("```yaml journal:promql\nrequete: up\nrequette: up\n```\n");
    assert_eq!(p.line, 7);
    assert_eq!(
        p.message,
        "champ « requette » inconnu pour un bloc journal:promql"
    );
    assert!(p.hint.starts_with("vouliez-vous dire « requete » ?"));
}

#[test]
fn field_written_twice_is_reported() {
    let p = body_problem("```yaml journal:cibles job=a\njob: b\n```\n");
    assert_eq!(p.line, 6);
    assert!(p.message.contains("écrit deux fois (déjà à la ligne 5)"));
}

#[test]
fn bad_yaml_is_reported_at_its_line_in_the_block() {
    let p = body_problem(
        "Texte.\n\n```yaml journal:services\nservices:\n  a:\n    image: x\n   b: [\n```\n",
    );
    assert!((9..=11).contains(&p.line), "{p:?}");
    assert!(
        p.message
            .starts_with("le YAML du bloc journal:services ne se lit pas")
    );
    assert!(p.hint.contains("indentation"));
}

#[test]
fn bad_yaml_in_the_front_matter_is_reported_at_its_line() {
    let p = problem("---\nid: p\ntitre: [a\n---\n");
    assert!((3..=4).contains(&p.line), "{p:?}");
    assert!(p.message.starts_with("l'en-tête YAML ne se lit pas"));
}

#[test]
fn duplicate_step_ids_name_both_lines() {
    let p = body_problem(
        "```yaml journal:cibles id=a\njob: x\n```\n\n```yaml journal:cibles id=a\njob: y\n```\n",
    );
    assert_eq!(p.line, 9);
    assert_eq!(p.message, "id d'étape « a » déjà pris (ligne 5)");
}

#[test]
fn front_matter_problems() {
    let p = problem("# pas d'en-tête\n");
    assert_eq!(p.line, 1);
    assert!(p.message.starts_with("en-tête YAML absent"));
    let p = problem("---\ntitre: t\n---\n");
    assert_eq!(p.message, "clé d'en-tête obligatoire « id » absente");
    let p = problem("---\nid: Partie 7\ntitre: t\n---\n");
    assert_eq!(p.line, 2);
    assert!(p.message.starts_with("id de partie invalide"));
    let p = problem("---\nid: p\ntitre: t\nrequiers: [a]\n---\n");
    assert_eq!(p.line, 4);
    assert!(p.hint.starts_with("vouliez-vous dire « requiert » ?"));
    let p = problem("---\nid: p\ntitre: t\ncibles: [kubernetes]\n---\n");
    assert_eq!(p.message, "cible inconnue « kubernetes »");
    let p = problem("---\nid: p\ntitre: t\nparametres:\n  Image: x\n---\n");
    assert_eq!(p.line, 5);
    assert!(p.message.starts_with("nom de paramètre invalide"));
    let p = problem("---\nid: p\ntitre: t\nparametres:\n  image: {role: r}\n---\n");
    assert_eq!(p.message, "paramètre « image » sans valeur par défaut");
}

#[test]
fn block_problems() {
    let p = body_problem("```bash journal:commande\n```\n");
    assert_eq!(p.message, "bloc journal:commande vide");
    let p = body_problem("```bash journal:commande delai=bientôt\nls\n```\n");
    assert_eq!(p.message, "« delai » doit être un nombre entier positif");
    let p = body_problem("```yaml journal:services\nvolumes: {}\n```\n");
    assert!(p.message.contains("« services: »"));
    let p = body_problem("```yaml journal:collecte\nstatic_configs: []\n```\n");
    assert!(p.message.contains("job_name"));
    let p = body_problem("```yaml journal:tableau-de-bord\nsource: P\n```\n");
    assert!(p.message.contains("ne dit pas quel tableau"));
    let p = body_problem("```yaml journal:promql requete=up\n- up\n```\n");
    assert!(p.message.contains("clé: valeur"));
    let p = body_problem("```bash journal:commande titre=\"pas fermé\nls\n```\n");
    assert_eq!(p.message, "guillemet non fermé dans l'en-tête du bloc");
    let p = body_problem("```bash journal:commande id=Mon_Id\nls\n```\n");
    assert!(p.message.starts_with("id d'étape invalide"));
}

#[test]
fn all_problems_of_a_file_are_reported_in_line_order() {
    let p = parse(&format!(
        "{HEAD}```yaml journal:inconnu\n```\n\n```yaml journal:fichier\nx\n```\n"
    ))
    .unwrap_err();
    assert_eq!(p.len(), 2);
    assert!(p[0].line < p[1].line);
    let e = problems_error("parties/x.md", &p);
    assert_eq!(e.code(), 2);
    assert!(
        e.message()
            .starts_with("parties/x.md:5: sorte de bloc inconnue")
    );
    assert!(e.message().contains("\nparties/x.md:8: champ obligatoire"));
}

#[test]
fn a_tutorial_part_needs_only_annotations() {
    // The seed's partie 6, step 1, with one annotation added.
    let r = ok(
        "#### Étape 1 : Création du Fichier de Configuration de Prometheus\n\n\
        Prometheus a besoin d'un fichier de configuration.\n\n\
        ```yaml journal:fichier chemin=compose/config/prometheus/prometheus.yml\n\
        # Fichier de configuration global de Prometheus\nglobal:\n  scrape_interval: 15s\n\
        scrape_configs:\n  - job_name: 'prometheus'\n    static_configs:\n      - targets: ['localhost:9090']\n```\n\n\
        #### Étape 3 : Lancement et Vérification\n\n```bash journal:commande\ndocker-compose up -d\n```\n",
    );
    assert_eq!(r.blocks.len(), 2);
    assert_eq!(
        r.blocks[0].title,
        "Étape 1 : Création du Fichier de Configuration de Prometheus"
    );
    assert_eq!(r.blocks[1].title, "Étape 3 : Lancement et Vérification");
    assert_eq!(r.blocks[1].spec.plan(), "lancer `docker-compose up -d`");
}

/// The runbook between "````markdown" and "````" in `text`.
fn example(text: &str) -> &str {
    let start = text.find("````markdown\n").expect("exemple de runbook") + "````markdown\n".len();
    let end = start + text[start..].find("\n````").unwrap();
    &text[start..=end]
}

#[test]
fn the_book_page_example_is_a_valid_runbook() {
    let page = include_str!("../../templates/livre-ecrire-une-partie.md.j2");
    let r = parse(example(page)).unwrap_or_else(|p| panic!("{p:#?}"));
    let kinds: Vec<&str> = r.blocks.iter().map(|b| b.kind().name()).collect();
    assert_eq!(kinds, ["fichier", "commande", "http"]);
    // The page is a template: the example stays raw, braces included.
    let rendered = crate::templates::Templates::embedded_only()
        .render("livre-ecrire-une-partie.md.j2", serde_json::json!({}))
        .unwrap();
    assert!(rendered.contains("tar czf {{ dossier_sauvegardes }}/grafana-"));
    assert!(rendered.contains("`{{ nom }}`"));
}

#[test]
fn the_readme_example_is_a_valid_runbook() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("````markdown\n")
        .expect("exemple de runbook dans le README")
        + "````markdown\n".len();
    let end = start + readme[start..].find("\n````").unwrap();
    let r = parse(&readme[start..=end]).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(r.id, "partie-6-hote");
    assert_eq!(r.params[0].variable(), "JOURNAL_IMAGE_NODE_EXPORTER");
    let kinds: Vec<&str> = r.blocks.iter().map(|b| b.kind().name()).collect();
    assert_eq!(kinds, ["services", "commande", "cibles", "promql", "http"]);
    assert_eq!(r.blocks[0].title, "Étape 1 : le service");
}

#[test]
fn integree_names_a_rust_step_whose_name_is_its_id() {
    let r = parse(
        "---\nid: p\ntitre: t\ncibles: [compose, swarm]\n---\n\
         ```yaml journal:integree\netape: preflight\ncibles: [compose]\n```\n\n\
         ```text journal:integree etape=swarm-preflight cibles=swarm\n```\n\n\
         ```yaml journal:integree\netape: documentation-alertes\nid: documentation\n```\n",
    )
    .unwrap();
    assert_eq!(r.blocks.len(), 3);
    assert_eq!(r.blocks[0].id, "preflight");
    assert_eq!(
        r.blocks[0].spec,
        Spec::Builtin {
            step: "preflight".into()
        }
    );
    assert!(r.blocks[0].kind().is_builtin());
    assert_eq!(r.blocks[0].targets, ["compose"]);
    assert!(r.blocks[0].applies_to("compose") && !r.blocks[0].applies_to("swarm"));
    assert_eq!(r.blocks[1].targets, ["swarm"]);
    assert_eq!(r.blocks[2].id, "documentation");
    assert!(r.blocks[2].targets.is_empty());
    assert!(r.blocks[2].applies_to("swarm"));
    assert!(r.blocks[0].spec.plan().contains("vérifications préalables"));
}

#[test]
fn unknown_builtin_step_is_reported_at_its_line_with_a_suggestion() {
    let p = body_problem("```yaml journal:integree\netape: prefligth\n```\n");
    assert_eq!(p.line, 6);
    assert_eq!(p.message, "étape intégrée inconnue « prefligth »");
    assert!(
        p.hint.starts_with("vouliez-vous dire « preflight » ?"),
        "{}",
        p.hint
    );
    let p = body_problem("```yaml journal:integree\n```\n");
    assert_eq!(
        p.message,
        "champ obligatoire « etape » absent du bloc journal:integree"
    );
}

#[test]
fn block_targets_must_be_known_and_targets_of_the_part() {
    let p = body_problem("```yaml journal:cibles cibles=swram\njob: node\n```\n");
    assert_eq!(p.line, 5);
    assert_eq!(p.message, "cible inconnue « swram »");
    assert!(
        p.hint.starts_with("vouliez-vous dire « swarm » ?"),
        "{}",
        p.hint
    );
    // The head says compose only (the default).
    let p = body_problem("```yaml journal:cibles\njob: node\ncibles: [swarm]\n```\n");
    assert_eq!(p.line, 5);
    assert!(
        p.message
            .contains("la cible « swarm », absente de « cibles: » de l'en-tête"),
        "{}",
        p.message
    );
}
