//! Data-driven tests on the fixtures of `tests/fixtures/compose/`, with the
//! real part-6 service bodies.

use super::scan::yaml_key;
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
    Case {
        name: "long-syntax-applied.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: false,
    },
    Case {
        name: "long-syntax-mixed.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "document-end-comments.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "root-indented.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "cr-only.yml",
        force: false,
        placeholders: &[],
        whole_lines: false,
        changes: true,
    },
    Case {
        name: "line-separator.yml",
        force: false,
        placeholders: &[],
        whole_lines: true,
        changes: true,
    },
    Case {
        name: "next-line.yml",
        force: false,
        placeholders: &[],
        whole_lines: false,
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

// ------------------------------------------------------------ classes of issue 9

/// The line breaks of `text`, by kind (`\r\n` counted once).
fn breaks(text: &str) -> std::collections::BTreeSet<&'static str> {
    let mut out = std::collections::BTreeSet::new();
    let mut at = 0;
    while let Some((i, len)) = super::scan::next_break(text, at) {
        let b = super::scan::BREAKS
            .iter()
            .find(|b| **b == &text[i..i + len])
            .unwrap();
        out.insert(*b);
        at = i + len;
    }
    out
}

#[test]
fn long_syntax_equal_to_the_tutorial_is_already_done() {
    let edit = apply(&fixture("long-syntax-applied.yml"), &part6(), false).unwrap();
    assert!(!edit.changed, "{}", edit.text);
    assert_eq!(
        edit.summary_fr(),
        "services déjà présents : prometheus, grafana, cadvisor ; volumes déjà présents : \
         prometheus_data, grafana_data ; réseau déjà présent : systeme-ticketing-net"
    );
    // Mixed forms: prometheus is recognised, the two others are added.
    let edit = apply(&fixture("long-syntax-mixed.yml"), &part6(), false).unwrap();
    assert!(
        edit.changes
            .contains(&Change::ServiceUnchanged("prometheus".into()))
    );
    assert!(
        edit.changes
            .contains(&Change::ServiceAdded("grafana".into()))
    );
    insta::assert_snapshot!("long_syntax_mixed", edit.text);
}

#[test]
fn long_and_short_forms_compare_by_meaning() {
    let y = |s: &str| -> Value { serde_yaml::from_str(s).unwrap() };
    let same = [
        (
            "ports: ['127.0.0.1:8084:3000/udp']",
            "ports: [{target: 3000, published: '8084', host_ip: 127.0.0.1, protocol: udp}]",
        ),
        (
            "ports: ['[::1]:80:80']",
            "ports: [{target: 80, published: 80, host_ip: '::1'}]",
        ),
        (
            "ports: ['80', '443:443']",
            "ports: [{target: 443, published: 443}, {target: 80}]",
        ),
        (
            "volumes: ['/data']",
            "volumes: [{type: volume, target: /data}]",
        ),
        (
            "volumes: ['./a:/b:ro,z']",
            "volumes: [{type: bind, source: a, target: /b, read_only: true, bind: {selinux: z}}]",
        ),
        (
            "volumes: ['v:/b:nocopy']",
            "volumes: [{type: volume, source: v, target: /b, volume: {nocopy: true}}]",
        ),
        ("networks: [a, b]", "networks: {b: {}, a: ~}"),
        ("environment: [A=1, B]", "environment: {A: '1', B: ~}"),
        ("labels: ['x=y']", "labels: {x: y}"),
    ];
    for (a, b) in same {
        assert!(compare::same(&y(a), &y(b)), "{a} <> {b}");
    }
    let differ = [
        (
            "ports: ['8084:3000']",
            "ports: [{target: 3000, published: 8085}]",
        ),
        (
            "ports: ['8084:3000']",
            "ports: [{target: 3000, published: 8084, protocol: udp}]",
        ),
        (
            "volumes: ['/a:/b:ro']",
            "volumes: [{type: bind, source: /a, target: /b}]",
        ),
        (
            "volumes: ['v:/b']",
            "volumes: [{type: bind, source: v, target: /b}]",
        ),
        ("networks: [a]", "networks: {a: {aliases: [x]}}"),
        (
            "ports: ['9090-9091:9090-9091']",
            "ports: [{target: 9090, published: 9090}]",
        ),
    ];
    for (a, b) in differ {
        assert!(!compare::same(&y(a), &y(b)), "{a} == {b}");
    }
    // Details name only what differs in meaning, shown as written.
    let d = compare::details(
        &y(
            "ports: [{target: 3000, published: 8084}]\nvolumes: [{type: volume, source: g, target: /x}]",
        ),
        &y("ports: ['8084:3000']\nvolumes: ['g:/y']"),
    );
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("volumes :"), "{d:?}");
}

/// Part 6 with a clashing `container_name` in `file`: refused, naming `service`.
fn assert_clash(file: &str, service: &str, container: &str) {
    for force in [false, true] {
        let err = apply(file, &part6(), force).unwrap_err();
        let ComposeError::ContainerNameTaken(clashes) = &err else {
            panic!("{err:?}\n{file}")
        };
        assert!(
            clashes
                .iter()
                .any(|c| c.service == service && c.container == container),
            "{clashes:?}"
        );
        assert_eq!(precheck(file, &part6(), &|_| None).unwrap_err(), err);
        let e: Error = err.into();
        assert_eq!(e.code(), 2);
        assert!(
            e.message().contains(&format!("« {service} »")),
            "{}",
            e.message()
        );
        assert!(
            e.message().contains("n'a pas été modifié"),
            "{}",
            e.message()
        );
        assert!(e.hint().unwrap().contains("container_name"));
    }
}

#[test]
fn container_name_taken_by_another_service_is_refused_first() {
    assert_clash(
        "services:\n  supervision:\n    image: grafana/grafana:9.0\n    container_name: grafana\n",
        "supervision",
        "grafana",
    );
    assert_clash(
        "services:\n    metrics:\n        image: prom/prometheus\n        container_name: \"prometheus\"\n    prometheus:\n        image: x\n",
        "metrics",
        "prometheus",
    );
    assert_clash(
        "services: {monitoring-cadvisor: {image: c, container_name: cadvisor}}\n",
        "monitoring-cadvisor",
        "cadvisor",
    );
    // Several at once are all named.
    let file = "services:\n  a:\n    container_name: grafana\n  b:\n    container_name: cadvisor\n";
    let Err(ComposeError::ContainerNameTaken(c)) = apply(file, &part6(), false) else {
        panic!()
    };
    assert_eq!(c.len(), 2);
    let e: Error = ComposeError::ContainerNameTaken(c).into();
    assert!(e.message().contains("« a »") && e.message().contains("« b »"));
    // The same service under its own name is not a clash.
    assert!(precheck(&fixture("already-applied.yml"), &part6(), &|_| None).is_ok());
    assert!(
        precheck(
            "services:\n  x:\n    container_name: other\n",
            &part6(),
            &|_| None
        )
        .is_ok()
    );
}

#[test]
fn network_declared_under_another_key_is_reused() {
    let files = [
        "services:\n  zammad:\n    image: z\n    networks:\n      - ticketing\nnetworks:\n  ticketing:\n    name: systeme-ticketing-net\n    external: true\n",
        "services:\n    zammad:\n        image: z\n        networks: [ticketing]\nnetworks:\n    ticketing:\n        name: \"systeme-ticketing-net\"\n        driver: bridge\n",
        "services:\n  zammad: {image: z, networks: [\"ticketing net\"]}\nnetworks: {\"ticketing net\": {name: systeme-ticketing-net, external: true}}\n",
    ];
    for (i, file) in files.iter().enumerate() {
        let edit = apply(file, &part6(), false).unwrap_or_else(|e| panic!("{i}: {e:?}"));
        let key = if i == 2 { "ticketing net" } else { "ticketing" };
        assert!(
            edit.changes.contains(&Change::NetworkReused {
                key: key.into(),
                name: "systeme-ticketing-net".into()
            }),
            "{i}: {:?}",
            edit.changes
        );
        assert!(is_subsequence(file, &edit.text), "{i}");
        let v = validate(&edit.text).unwrap();
        let nets = v["networks"].as_mapping().unwrap();
        assert_eq!(
            nets.len(),
            1,
            "{i}: a second network was added\n{}",
            edit.text
        );
        for svc in ["prometheus", "grafana", "cadvisor"] {
            let n = &v["services"][svc]["networks"];
            assert_eq!(
                n,
                &serde_yaml::from_str::<Value>(&format!("[\"{key}\"]")).unwrap(),
                "{i} {svc}"
            );
        }
        let again = apply(&edit.text, &part6(), false).unwrap();
        assert!(!again.changed, "{i}");
        assert!(
            edit.summary_fr().contains("réutilisé"),
            "{}",
            edit.summary_fr()
        );
        if i == 0 {
            insta::assert_snapshot!("network_reused", edit.text);
        }
    }
    // The tutorial's own key wins over an alias.
    let file = "networks:\n  systeme-ticketing-net:\n  other:\n    name: systeme-ticketing-net\n";
    let edit = apply(file, &part6(), false).unwrap();
    assert!(
        edit.changes
            .contains(&Change::NetworkPresent("systeme-ticketing-net".into()))
    );
}

#[test]
fn document_end_marker_followed_by_comments_is_accepted() {
    let input = fixture("document-end-comments.yml");
    let edit = apply(&input, &part6(), false).unwrap();
    let tail = "...\n# Fin du document : ces commentaires suivent le marqueur « ... ».\n\n# Dernière mise à jour : partie 5.\n";
    assert!(edit.text.ends_with(tail), "{}", edit.text);
    assert!(
        edit.text.contains("  grafana_data:\n...\n"),
        "{}",
        edit.text
    );
    insta::assert_snapshot!("document_end_comments", edit.text);
}

#[test]
fn other_line_breaks_are_kept_and_used() {
    for (name, eol) in [("cr-only.yml", "\r"), ("next-line.yml", "\u{85}")] {
        let input = fixture(name);
        let edit = apply(&input, &part6(), false).unwrap();
        assert!(is_subsequence(&input, &edit.text), "{name}");
        assert_eq!(
            breaks(&edit.text).into_iter().collect::<Vec<_>>(),
            [eol],
            "{name}"
        );
        assert_complete(name, &edit.text);
    }
    // A file whose only breaks are U+2028.
    let input = "services:\u{2028}  a:\u{2028}    image: x\u{2028}";
    let edit = round_trip(input, false);
    assert_eq!(
        breaks(&edit.text).into_iter().collect::<Vec<_>>(),
        ["\u{2028}"]
    );
    // A stray U+2028 in a `\n` file is a break for YAML: the comment after
    // it stays a comment, new lines use `\n`.
    let edit = apply(&fixture("line-separator.yml"), &part6(), false).unwrap();
    assert!(edit.text.contains("\u{2028}# coupé par U+2028\n"));
    assert!(!edit.text.contains("\u{2028}\n"));
}

#[test]
fn root_indented_by_spaces_is_edited_at_its_column() {
    let edit = apply(&fixture("root-indented.yml"), &part6(), false).unwrap();
    assert!(
        edit.text.contains(
            "\n  # --- Définition des volumes nommés ---\n  volumes:\n    prometheus_data:\n"
        ),
        "{}",
        edit.text
    );
    assert!(
        edit.text
            .contains("\n    prometheus:\n      image: prom/prometheus"),
        "{}",
        edit.text
    );
    insta::assert_snapshot!("root_indented", edit.text);
    round_trip("   services:\n     a:\n         image: x\n", false);
}

#[test]
fn parser_messages_are_french_with_their_position() {
    let cases = [
        (
            "a: \"abc\n",
            "chaîne entre guillemets commencée ligne 1, colonne 4",
        ),
        ("a: 'x\n", "fin de fichier inattendue"),
        ("a: [1, 2\n", "« , » ou « ] » attendu"),
        ("a: {b: 1\n", "« , » ou « } » attendu"),
        ("a:\n\t- b\n", "tabulation ?"),
        ("a: *x\n", "ancre inconnue"),
        ("a: \"\\q\"\n", "séquence d'échappement inconnue"),
    ];
    for (input, want) in cases {
        let Err(ComposeError::Syntax { message, line, .. }) = validate(input) else {
            panic!("{input:?}")
        };
        assert!(message.contains(want), "{input:?}: {message}");
        assert!(line > 0, "{input:?}");
        for english in ["while ", "found ", "did not", "expected", "scanning"] {
            assert!(!message.contains(english), "{input:?}: {message}");
        }
    }
    let deep = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
    let Err(err @ ComposeError::Syntax { .. }) = validate(&deep) else {
        panic!()
    };
    let e: Error = err.into();
    assert!(
        e.message().contains("imbrication trop profonde"),
        "{}",
        e.message()
    );
    assert!(e.message().contains("ligne 1, colonne"), "{}", e.message());
    // An unknown message is quoted and said to be the parser's.
    let raw = super::messages::french_yaml_message("something new at line 2 column 3");
    assert_eq!(
        raw,
        "erreur signalée par l'analyseur YAML (message d'origine, en anglais) : « something new »"
    );
}

/// A fixture of `tests/fixtures/compose-ports/`.
fn ports_fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/compose-ports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What `precheck` says about a compose file, as the user reads it: the
/// French message and hint (exit 2), or that nothing clashes.
fn port_verdict(src: &str, additions: &Additions, vars: ports::Lookup) -> String {
    match precheck(src, additions, vars) {
        Ok(()) => "aucun conflit de port".into(),
        Err(e) => {
            assert!(matches!(e, ComposeError::PortTaken(_)), "{e:?}");
            let e: Error = e.into();
            assert_eq!(e.code(), 2);
            format!(
                "code {}\nerreur : {}\naide : {}",
                e.code(),
                e.message(),
                e.hint().unwrap_or("")
            )
        }
    }
}

fn no_vars(_: &str) -> Option<String> {
    None
}

#[test]
fn port_clash_in_short_syntax_names_the_service_the_line_and_the_setting() {
    let verdict = port_verdict(&ports_fixture("short-syntax-clash.yml"), &part6(), &no_vars);
    assert!(verdict.contains("« webhook »") && verdict.contains("ligne 12"));
    assert!(verdict.contains("JOURNAL_PORT_GRAFANA=8085"), "{verdict}");
    insta::assert_snapshot!("ports_short_syntax_clash", verdict);
}

#[test]
fn port_clash_in_long_syntax_with_host_ip() {
    let verdict = port_verdict(
        &ports_fixture("long-syntax-host-ip.yml"),
        &part6(),
        &no_vars,
    );
    assert!(verdict.contains("« victoria »") && verdict.contains("ligne 13"));
    insta::assert_snapshot!("ports_long_syntax_host_ip", verdict);
}

#[test]
fn port_clash_inside_a_range_suggests_a_port_past_it() {
    let verdict = port_verdict(&ports_fixture("range-clash.yml"), &part6(), &no_vars);
    assert!(verdict.contains("« ftp »") && verdict.contains("ligne 10"));
    assert!(verdict.contains("JOURNAL_PORT_GRAFANA=8091"), "{verdict}");
    insta::assert_snapshot!("ports_range_clash", verdict);
}

#[test]
fn another_protocol_is_no_clash() {
    let verdict = port_verdict(&ports_fixture("other-protocol.yml"), &part6(), &no_vars);
    insta::assert_snapshot!("ports_other_protocol", verdict);
}

#[test]
fn another_host_address_is_no_clash() {
    // A project template publishing Grafana on one address only
    // (templates/compose/grafana.yml.j2 overridden).
    let mut local = part6();
    for s in local.services.iter_mut().filter(|s| s.name == "grafana") {
        s.body = s.body.replace("\"8084:3000\"", "\"127.0.0.1:8084:3000\"");
    }
    let src = ports_fixture("other-address.yml");
    insta::assert_snapshot!("ports_other_address", port_verdict(&src, &local, &no_vars));
    // On every address (the tutorial's mapping), it does clash.
    assert!(port_verdict(&src, &part6(), &no_vars).contains("« admin »"));
}

#[test]
fn the_same_service_already_present_is_no_clash() {
    let src = ports_fixture("already-present.yml");
    insta::assert_snapshot!(
        "ports_already_present",
        port_verdict(&src, &part6(), &no_vars)
    );
    let edit = apply(&src, &part6(), false).unwrap();
    assert!(edit.summary_fr().contains("service déjà présent : grafana"));
}

#[test]
fn interpolated_ports_clash_where_they_resolve() {
    let src = ports_fixture("interpolated.yml");
    // Defaults only: 8080 and an unresolved variable, no clash.
    assert_eq!(
        port_verdict(&src, &part6(), &no_vars),
        "aucun conflit de port"
    );
    // WEBHOOK_PORT=8084 (from the environment or .env).
    let vars = |n: &str| (n == "WEBHOOK_PORT").then(|| "8084".to_string());
    let verdict = port_verdict(&src, &part6(), &vars);
    assert!(
        verdict.contains("« webhook »") && verdict.contains("ligne 5"),
        "{verdict}"
    );
    let vars = |n: &str| (n == "METRICS_PORT").then(|| "9090".to_string());
    let verdict = port_verdict(&src, &part6(), &vars);
    assert!(
        verdict.contains("« metrics »") && verdict.contains("JOURNAL_PORT_PROMETHEUS=9091"),
        "{verdict}"
    );
}

#[test]
fn short_and_long_port_forms_are_read() {
    let src = "services:\n  a:\n    ports:\n      - 80\n      - \"127.0.0.1:5000-5002:5000-5002/udp\"\n      - \"[::1]:6000:6000\"\n      - target: 7000\n        published: \"7001-7003\"\n        host_ip: 10.0.0.1\n";
    let p = ports::published(src, &no_vars);
    let got: Vec<(String, String, u16, u16, Option<usize>)> = p
        .into_iter()
        .map(|p| (p.host_ip, p.protocol, p.first, p.last, p.line))
        .collect();
    assert_eq!(
        got,
        vec![
            ("127.0.0.1".into(), "udp".into(), 5000, 5002, Some(5)),
            ("::1".into(), "tcp".into(), 6000, 6000, Some(6)),
            ("10.0.0.1".into(), "tcp".into(), 7001, 7003, Some(8)),
        ]
    );
    assert_eq!(
        ports::interpolate("$${A}-${B:-1}${C-2}$D", &|n| (n == "D").then(|| "4".into())),
        Some("${A}-124".into())
    );
    assert_eq!(ports::interpolate("${X}", &no_vars), None);
    assert_eq!(
        ports::dotenv("# c\nexport A=1\nB=\"8 4\" # x\nC=5 # x\n"),
        vec![
            ("A".to_string(), "1".to_string()),
            ("B".into(), "8 4".into()),
            ("C".into(), "5".into())
        ]
    );
}
