//! Semantic comparison of an existing service with the wanted one, and the
//! French description of what differs.

use serde_yaml::{Mapping, Value};

/// Light normalization before comparing: numbers and booleans become the
/// string they would be written as (`9090` and `"9090"` are equal), tags
/// are dropped, merge keys (`<<: *default`) are applied.
pub(crate) fn normalize(v: &Value) -> Value {
    let mut merged = v.clone();
    if merged.apply_merge().is_err() {
        merged = v.clone();
    }
    norm(&merged)
}

fn norm(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Sequence(s) => Value::Sequence(s.iter().map(norm).collect()),
        Value::Mapping(m) => Value::Mapping(m.iter().map(|(k, v)| (norm(k), norm(v))).collect()),
        Value::Tagged(t) => norm(&t.value),
        other => other.clone(),
    }
}

/// Whether two service bodies are the same after normalization.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    normalize(a) == normalize(b)
}

/// One French line per differing top-level key of the service.
pub(crate) fn details(existing: &Value, wanted: &Value) -> Vec<String> {
    let (e, w) = (normalize(existing), normalize(wanted));
    let (Some(em), Some(wm)) = (e.as_mapping(), w.as_mapping()) else {
        return vec![format!(
            "définition : « {} » dans le fichier, « {} » attendu",
            render(&e),
            render(&w)
        )];
    };
    let mut out = Vec::new();
    for (k, wv) in wm {
        match em.get(k) {
            None => out.push(format!(
                "{} : absent du fichier, « {} » attendu",
                render(k),
                render(wv)
            )),
            Some(ev) if ev != wv => out.push(format!(
                "{} : « {} » dans le fichier, « {} » attendu",
                render(k),
                render(ev),
                render(wv)
            )),
            Some(_) => {}
        }
    }
    for (k, ev) in em {
        if !wm.contains_key(k) {
            out.push(format!(
                "{} : « {} » dans le fichier, absent de la définition attendue",
                render(k),
                render(ev)
            ));
        }
    }
    out
}

/// A compact one-line rendering (flow style), shortened past 120 characters.
pub(crate) fn render(v: &Value) -> String {
    let mut s = String::new();
    write_flow(v, &mut s);
    if s.chars().count() > 120 {
        let mut cut: String = s.chars().take(119).collect();
        cut.push('…');
        cut
    } else {
        s
    }
}

fn write_flow(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push('~'),
        Value::Bool(b) => out.push_str(&b.to_string()),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(s),
        Value::Sequence(seq) => {
            out.push('[');
            for (i, item) in seq.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(item, out);
            }
            out.push(']');
        }
        Value::Mapping(m) => write_mapping(m, out),
        Value::Tagged(t) => write_flow(&t.value, out),
    }
}

fn write_mapping(m: &Mapping, out: &mut String) {
    out.push('{');
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_flow(k, out);
        out.push_str(": ");
        write_flow(v, out);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn number_and_string_forms_are_equal() {
        assert!(same(
            &y("ports: [\"9090:9090\", 80]"),
            &y("ports:\n  - 9090:9090\n  - '80'")
        ));
        assert!(same(&y("privileged: true"), &y("privileged: 'true'")));
        assert!(!same(&y("image: a"), &y("image: b")));
    }

    #[test]
    fn merge_keys_are_applied() {
        let file = y("x: &d\n  restart: always\nsvc:\n  <<: *d\n  image: a\n");
        let svc = file.get("svc").unwrap();
        assert!(same(svc, &y("image: a\nrestart: always")));
    }

    #[test]
    fn details_name_each_key() {
        let d = details(
            &y("image: grafana/grafana:9.0\nports: ['3001:3000']\nuser: root"),
            &y("image: grafana/grafana-oss:10.1.5\nports: ['8084:3000']\nrestart: unless-stopped"),
        );
        assert_eq!(
            d,
            vec![
                "image : « grafana/grafana:9.0 » dans le fichier, « grafana/grafana-oss:10.1.5 » attendu",
                "ports : « [3001:3000] » dans le fichier, « [8084:3000] » attendu",
                "restart : absent du fichier, « unless-stopped » attendu",
                "user : « root » dans le fichier, absent de la définition attendue",
            ]
        );
    }
}
