//! Data-driven tests on the fixtures of `tests/fixtures/compose/`, with the
//! real part-6 service bodies.

use super::writer::yaml_key;
use super::*;
use crate::error::Error;

const PROMETHEUS: &str = r#"image: prom/prometheus:v2.47.1
container_name: prometheus
restart: unless-stopped
ports:
  # Port pour l'interface web de Prometheus
  - "9090:9090"
volumes:
  # Montage du fichier de configuration que nous venons de créer
  - ./config/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml
  # Volume pour stocker les données des métriques
  - prometheus_data:/prometheus
command:
  - '--config.file=/etc/prometheus/prometheus.yml'
networks:
  - systeme-ticketing-net
"#;

const GRAFANA: &str = r#"image: grafana/grafana-oss:10.1.5
container_name: grafana
restart: unless-stopped
ports:
  # Port pour l'interface web de Grafana.
  # Note: 3000 est déjà pris par wikijs, nous utilisons donc 8084 sur l'hôte.
  - "8084:3000"
volumes:
  - grafana_data:/var/lib/grafana
networks:
  - systeme-ticketing-net
"#;

const CADVISOR: &str = r#"image: gcr.io/cadvisor/cadvisor:v0.47.2
container_name: cadvisor
restart: unless-stopped
volumes:
  # Accès requis pour que cAdvisor puisse lire les informations des conteneurs
  - /:/rootfs:ro
  - /var/run:/var/run:ro
  - /sys:/sys:ro
  - /var/lib/docker/:/var/lib/docker:ro
networks:
  - systeme-ticketing-net
"#;

/// The additions of part 6, step 2, as in the tutorial.
fn part6() -> Additions {
    let svc = |name: &str, comment: &str, body: &str| ServiceBlock {
        name: name.into(),
        comment: Some(comment.into()),
        body: body.into(),
    };
    Additions {
        services: vec![
            svc(
                "prometheus",
                "--- Collecteur de métriques : Prometheus ---",
                PROMETHEUS,
            ),
            svc(
                "grafana",
                "--- Visualisation des métriques : Grafana ---",
                GRAFANA,
            ),
            svc(
                "cadvisor",
                "--- Exportateur de métriques Docker : cAdvisor ---",
                CADVISOR,
            ),
        ],
        volumes: vec!["prometheus_data".into(), "grafana_data".into()],
        network: "systeme-ticketing-net".into(),
    }
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/compose/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if name == "crlf.yml" && !text.contains("\r\n") {
        // A checkout that normalized line endings must not hide the case.
        return text.replace('\n', "\r\n");
    }
    text
}

/// How each fixture is expected to behave.
struct Case {
    name: &'static str,
    force: bool,
    /// Exact substrings of the input that the edit is allowed to remove
    /// (empty placeholders such as `{}`), as (before, after).
    placeholders: &'static [(&'static str, &'static str)],
    /// Whether only whole lines are inserted (false when a one-line flow
    /// mapping is extended in place).
    whole_lines: bool,
    /// Whether the first application changes the text.
    changes: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "tutorial-stack.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "anchors.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "flow-style.yml",
        force: false,
        placeholders: &[],
        whole_lines: false,
        changes: true,
    },
    Case {
        name: "no-networks.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "long-ports.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "crlf.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "no-trailing-newline.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "version-key.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "empty-services.yml",
        force: false,
        placeholders: &[
            ("services: {}", "services:"),
            ("networks: {}  #", "networks:  #"),
        ],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "four-space-indent.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "comments-everywhere.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "already-applied.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: false,
    },
    Case {
        name: "conflicting-grafana.yml",
        force: true,
        placeholders: &[],
        whole_lines: false,
        changes: true,
    },
    Case {
        name: "comment-only.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
];

/// Whether `needle` is a subsequence of `hay` (bytes, in order).
fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut it = hay.bytes();
    needle.bytes().all(|b| it.any(|h| h == b))
}

/// The contract: the original (minus allowed placeholders) survives in
/// order; with `whole_lines`, removing the inserted lines gives it back.
fn assert_preserved(case: &Case, input: &str, output: &str) {
    let mut expected = input.to_string();
    for (before, after) in case.placeholders {
        assert!(expected.contains(before), "{}: {before}", case.name);
        expected = expected.replacen(before, after, 1);
    }
    assert!(
        is_subsequence(&expected, output),
        "{}: original bytes lost\n{}",
        case.name,
        crate::textdiff::unified(&expected, output, case.name)
    );
    if case.whole_lines {
        let eol = if input.contains("\r\n") { "\r\n" } else { "\n" };
        if !expected.is_empty() && !expected.ends_with('\n') {
            expected.push_str(eol);
        }
        let diff = similar::TextDiff::from_lines(expected.as_str(), output);
        for op in diff.ops() {
            assert!(
                matches!(op.tag(), similar::DiffTag::Equal | similar::DiffTag::Insert),
                "{}: lines were changed, not only inserted\n{}",
                case.name,
                crate::textdiff::unified(&expected, output, case.name)
            );
        }
    }
}

/// The result parses and holds the three services, two volumes, network.
fn assert_complete(name: &str, output: &str) {
    let v = validate(output).unwrap_or_else(|e| panic!("{name}: {e}\n{output}"));
    let additions = part6();
    for s in &additions.services {
        let got = v["services"]
            .get(s.name.as_str())
            .unwrap_or_else(|| panic!("{name}: {} missing", s.name));
        let want: Value = serde_yaml::from_str(&s.body).unwrap();
        assert!(compare::same(got, &want), "{name}: {} differs", s.name);
    }
    for vol in &additions.volumes {
        assert!(
            v["volumes"].get(vol.as_str()).is_some(),
            "{name}: volume {vol}"
        );
    }
    assert!(
        v["networks"].get(additions.network.as_str()).is_some(),
        "{name}: network"
    );
}

#[test]
fn every_fixture_has_a_case() {
    let dir = format!("{}/tests/fixtures/compose", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut cases: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    cases.sort();
    assert_eq!(files, cases);
}

#[test]
fn fixtures_keep_their_bytes_parse_complete_and_are_idempotent() {
    let additions = part6();
    for case in CASES {
        let input = fixture(case.name);
        let first = apply(&input, &additions, case.force)
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        assert_eq!(first.changed, case.changes, "{}", case.name);
        assert_eq!(first.changed, first.text != input, "{}", case.name);
        if !case.changes {
            assert_eq!(first.text, input, "{}", case.name);
        }
        if !case.force {
            assert_preserved(case, &input, &first.text);
        }
        assert_complete(case.name, &first.text);
        if input.contains("\r\n") {
            assert_eq!(
                first.text.matches('\n').count(),
                first.text.matches("\r\n").count(),
                "{}: mixed line endings",
                case.name
            );
        }
        let second = apply(&first.text, &additions, false)
            .unwrap_or_else(|e| panic!("{} (2nd): {e:?}", case.name));
        assert!(!second.changed, "{}: second run changed", case.name);
        assert_eq!(second.text, first.text, "{}", case.name);
        assert!(
            second.changes.iter().all(|c| matches!(
                c,
                Change::ServiceUnchanged(_) | Change::VolumePresent(_) | Change::NetworkPresent(_)
            )),
            "{}: {:?}",
            case.name,
            second.changes
        );
    }
}

#[test]
fn tutorial_stack_summary_and_snapshot() {
    let edit = apply(&fixture("tutorial-stack.yml"), &part6(), false).unwrap();
    assert_eq!(
        edit.summary_fr(),
        "services ajoutés : prometheus, grafana, cadvisor ; volumes ajoutés : \
         prometheus_data, grafana_data ; réseau déjà présent : systeme-ticketing-net"
    );
    insta::assert_snapshot!("tutorial_stack", edit.text);
}

#[test]
fn snapshots_of_tricky_layouts() {
    for name in [
        "anchors.yml",
        "flow-style.yml",
        "empty-services.yml",
        "four-space-indent.yml",
        "comments-everywhere.yml",
        "version-key.yml",
        "no-trailing-newline.yml",
        "comment-only.yml",
    ] {
        let edit = apply(&fixture(name), &part6(), false).unwrap();
        let snap = name.trim_end_matches(".yml").replace('-', "_");
        insta::assert_snapshot!(snap, edit.text);
    }
}

#[test]
fn crlf_is_kept() {
    let input = fixture("crlf.yml");
    let edit = apply(&input, &part6(), false).unwrap();
    assert!(
        edit.text
            .starts_with(&input[..input.find("volumes:").unwrap()])
    );
    assert!(!edit.text.replace("\r\n", "").contains('\n'));
    insta::assert_snapshot!("crlf", edit.text.replace("\r\n", "⏎\n"));
}

#[test]
fn existing_different_service_is_reported_with_details() {
    let input = fixture("conflicting-grafana.yml");
    let err = apply(&input, &part6(), false).unwrap_err();
    let ComposeError::Differs(diffs) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0].service, "grafana");
    assert_eq!(
        diffs[0].details,
        vec![
            "image : « grafana/grafana:9.0 » dans le fichier, « grafana/grafana-oss:10.1.5 » attendu",
            "container_name : absent du fichier, « grafana » attendu",
            "restart : absent du fichier, « unless-stopped » attendu",
            "ports : « [3001:3000] » dans le fichier, « [8084:3000] » attendu",
            "networks : absent du fichier, « [systeme-ticketing-net] » attendu",
        ]
    );
    let e: Error = err.into();
    assert_eq!(e.code(), 2);
    assert!(e.message().contains("« grafana »"), "{}", e.message());
    assert!(e.message().contains("grafana/grafana:9.0"));
    assert!(e.hint().unwrap().contains("--force"));
    assert!(e.hint().unwrap().contains("renommez"));
}

#[test]
fn all_differing_services_are_listed() {
    let input = "services:\n  grafana:\n    image: a\n  cadvisor:\n    image: b\n";
    let Err(ComposeError::Differs(diffs)) = apply(input, &part6(), false) else {
        panic!("expected Differs")
    };
    let names: Vec<&str> = diffs.iter().map(|d| d.service.as_str()).collect();
    assert_eq!(names, ["grafana", "cadvisor"]);
    let e: Error = ComposeError::Differs(diffs).into();
    assert!(
        e.message()
            .starts_with("les services « grafana », « cadvisor »")
    );
}

#[test]
fn force_replaces_only_the_differing_service() {
    let input = fixture("conflicting-grafana.yml");
    let edit = apply(&input, &part6(), true).unwrap();
    assert!(
        edit.changes
            .contains(&Change::ServiceReplaced("grafana".into()))
    );
    assert!(
        edit.changes
            .contains(&Change::ServiceAdded("prometheus".into()))
    );
    assert!(
        edit.changes
            .contains(&Change::VolumePresent("grafana_data".into()))
    );
    // Everything before grafana's body and after it is untouched.
    let head = "  # Un Grafana installé avant le tutoriel\n  grafana:\n";
    let cut = input.find(head).unwrap() + head.len();
    assert!(edit.text.starts_with(&input[..cut]));
    let tail = "\n\n  portainer:\n    image: portainer/portainer-ce:2.19.1\n";
    assert!(edit.text.contains(tail));
    assert!(!edit.text.contains("grafana/grafana:9.0"));
    assert!(!edit.text.contains("ancien port"));
    insta::assert_snapshot!("conflicting_grafana_forced", edit.text);
    assert!(edit.summary_fr().contains("service remplacé : grafana"));
}

#[test]
fn syntax_error_has_its_line() {
    let input = "services:\n  wikijs:\n    image: a\n   ports: [\n";
    let err = apply(input, &part6(), false).unwrap_err();
    let ComposeError::Syntax { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, 4, "{err:?}");
    assert!(*column > 0);
    let e: Error = err.into();
    assert_eq!(e.code(), 2);
    assert!(e.message().contains("ligne 4"), "{}", e.message());

    let Err(ComposeError::Syntax { line, message, .. }) = validate("a: 1\nb: [x\nc: 2\n  d: : :\n")
    else {
        panic!()
    };
    assert!(line >= 2, "{line} {message}");
}

#[test]
fn syntax_messages_are_french() {
    let Err(ComposeError::Syntax { message, line, .. }) =
        validate("services:\n  a:\n    image: x\n  b: c: d\n")
    else {
        panic!()
    };
    assert_eq!(line, 4);
    assert!(message.starts_with("deux-points inattendu"), "{message}");
    let Err(ComposeError::Syntax { message, .. }) = validate("a: 1\na: 2\n") else {
        panic!()
    };
    assert!(message.starts_with("clé en double"), "{message}");
}

#[test]
fn empty_input_creates_a_fresh_file() {
    for input in ["", "\n\n", "   \n"] {
        let edit = apply(input, &part6(), false).unwrap();
        assert!(edit.changed);
        assert_eq!(edit.changes[0], Change::FileCreated);
        assert!(edit.text.starts_with(input));
        assert_complete("empty", &edit.text);
        assert!(
            edit.summary_fr()
                .starts_with("fichier créé ; services ajoutés")
        );
        let again = apply(&edit.text, &part6(), false).unwrap();
        assert!(!again.changed);
    }
    let edit = apply("", &part6(), false).unwrap();
    insta::assert_snapshot!("fresh_file", edit.text);
}

#[test]
fn not_a_mapping_is_refused() {
    let err = apply("- a\n- b\n", &part6(), false).unwrap_err();
    assert!(matches!(err, ComposeError::NotAMapping { .. }), "{err:?}");
    let err = apply("services:\n  - a\n", &part6(), false).unwrap_err();
    assert_eq!(
        err,
        ComposeError::NotAMapping {
            what: "la section « services »".into()
        }
    );
    let e: Error = err.into();
    assert_eq!(e.code(), 2);
    assert!(e.hint().is_some());
}

#[test]
fn unsupported_layouts_are_refused_not_damaged() {
    // Top level in flow style: nothing to anchor the insertion on.
    let err = apply("{services: {a: {image: x}}}\n", &part6(), false).unwrap_err();
    assert!(matches!(err, ComposeError::Unsupported { .. }), "{err:?}");
    // Multi-line flow mapping for services.
    let input = "services: {\n  a: {image: x}\n}\n";
    let err = apply(input, &part6(), false).unwrap_err();
    assert!(matches!(err, ComposeError::Unsupported { .. }), "{err:?}");
    let e: Error = err.into();
    assert_eq!(e.code(), 2);
}

#[test]
fn placeholders_and_null_sections() {
    let input = "services: ~\nvolumes: null\nnetworks:\n";
    let edit = apply(input, &part6(), false).unwrap();
    assert!(edit.text.starts_with("services:\n  # --- Collecteur"));
    assert_complete("placeholders", &edit.text);
    assert!(edit.text.contains("\nvolumes:\n  prometheus_data:\n  grafana_data:\nnetworks:\n  systeme-ticketing-net:\n    driver: bridge\n"), "{}", edit.text);
}

#[test]
fn partial_additions_only_add_what_is_missing() {
    let input = "services:\n  portainer:\n    image: p\nvolumes:\n  grafana_data:\n";
    let additions = Additions {
        services: vec![],
        volumes: vec!["prometheus_data".into(), "grafana_data".into()],
        network: String::new(),
    };
    let edit = apply(input, &additions, false).unwrap();
    assert_eq!(edit.text, format!("{input}  prometheus_data:\n"));
    assert_eq!(
        edit.summary_fr(),
        "volume ajouté : prometheus_data ; volume déjà présent : grafana_data"
    );
    let none = apply(
        input,
        &Additions {
            services: vec![],
            volumes: vec![],
            network: String::new(),
        },
        false,
    )
    .unwrap();
    assert_eq!(none.summary_fr(), "aucune modification");
    assert!(!none.changed);
}

#[test]
fn document_end_marker_stays_last() {
    let edit = apply(&fixture("version-key.yml"), &part6(), false).unwrap();
    assert!(
        edit.text.ends_with("    driver: bridge\n...\n"),
        "{}",
        edit.text
    );
}

#[test]
fn odd_service_names_are_quoted() {
    assert_eq!(yaml_key("prometheus"), "prometheus");
    assert_eq!(yaml_key("systeme-ticketing-net"), "systeme-ticketing-net");
    assert_eq!(yaml_key("true"), "\"true\"");
    assert_eq!(yaml_key("a: b"), "\"a: b\"");
    assert_eq!(yaml_key("123"), "\"123\"");
}

/// Applies part 6 and checks the result parses, is complete, idempotent and
/// keeps the original bytes in order.
fn round_trip(input: &str, force: bool) -> Edit {
    let edit = apply(input, &part6(), force).unwrap_or_else(|e| panic!("{e:?}\n{input}"));
    assert_complete("inline", &edit.text);
    if !force {
        assert!(is_subsequence(input, &edit.text), "{}", edit.text);
    }
    let again = apply(&edit.text, &part6(), false).unwrap();
    assert!(!again.changed, "{}", edit.text);
    edit
}

#[test]
fn byte_order_mark_quoted_keys_and_anchored_sections() {
    round_trip("\u{feff}services:\n  a:\n    image: x\n", false);
    let edit = round_trip(
        "\"services\":\n  'a':\n    image: x\n'volumes': &vols\n  d:\n\"networks\":\n",
        false,
    );
    assert!(
        edit.text
            .contains("'volumes': &vols\n  d:\n  prometheus_data:\n")
    );
    round_trip("services: &svcs # commentaire\n  a:\n    image: x\n", false);
}

#[test]
fn crlf_without_final_newline() {
    let edit = round_trip("services:\r\n  a:\r\n    image: x", false);
    assert!(
        edit.text
            .starts_with("services:\r\n  a:\r\n    image: x\r\n\r\n  # --- Collecteur")
    );
    assert!(!edit.text.replace("\r\n", "").contains('\n'));
}

#[test]
fn force_replaces_inline_and_null_services() {
    let input = "services:\n  grafana: {image: old} # ancien\n  cadvisor:\n  prometheus: ~\n  autre:\n    image: y\n";
    let edit = round_trip(input, true);
    assert_eq!(
        edit.changes[..3],
        [
            Change::ServiceReplaced("prometheus".into()),
            Change::ServiceReplaced("grafana".into()),
            Change::ServiceReplaced("cadvisor".into()),
        ]
    );
    assert!(edit.text.ends_with("  autre:\n    image: y\n\n# --- Définition des volumes nommés ---\nvolumes:\n  prometheus_data:\n  grafana_data:\n\n# --- Définition des réseaux ---\nnetworks:\n  systeme-ticketing-net:\n    driver: bridge\n"), "{}", edit.text);
}

#[test]
fn keep_chomping_scalar_at_the_end_is_refused_not_damaged() {
    // The trailing blank lines belong to the scalar: inserting before them
    // would change its value, which the final check detects.
    let input = "services:\n  a:\n    image: x\n    labels:\n      note: |+\n        texte\n\n\nvolumes:\n  d:\n";
    match apply(input, &part6(), false) {
        Ok(edit) => assert_complete("keep", &edit.text),
        Err(e) => assert!(matches!(e, ComposeError::Unsupported { .. }), "{e:?}"),
    }
}

#[test]
fn zero_indented_sequences_and_other_top_level_keys() {
    let input =
        "x-list:\n- a\n- b\nservices:\n  a:\n    ports:\n    - \"80:80\"\nx-after:\n  k: v\n";
    let edit = round_trip(input, false);
    assert!(edit.text.contains("    - \"80:80\"\n\n  # --- Collecteur"));
    assert!(
        edit.text
            .contains("systeme-ticketing-net\nx-after:\n  k: v\n")
    );
}
