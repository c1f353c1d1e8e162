//! Semantic comparison of an existing service with the wanted one, and the
//! French description of what differs.
//!
//! Two bodies are compared in a canonical form close to what
//! `docker compose config` prints, computed here without Compose (pure):
//! after the light [`normalize`], `ports` and `volumes` in short syntax
//! (`"9090:9090"`, `./a:/b:ro`) and in long syntax (`target`/`published`,
//! `type`/`source`/`target`) become the same mapping, defaults dropped
//! (`protocol: tcp`, `mode: ingress`, `read_only: false`…) and order ignored;
//! `networks` as a list or as a mapping (`{net: {}}`, `{net: null}`), and
//! `environment`/`labels` as `K=V` items or as a mapping, are the same.
//! What is not understood is compared as written.

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

/// Whether two service bodies mean the same service (canonical forms).
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

/// The canonical form of a service body: see the module documentation.
pub(crate) fn canonical(v: &Value) -> Value {
    match normalize(v) {
        Value::Mapping(m) => Value::Mapping(
            m.into_iter()
                .map(|(k, v)| {
                    let v = canonical_key(k.as_str().unwrap_or_default(), v);
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

fn canonical_key(key: &str, v: Value) -> Value {
    match (key, v) {
        ("ports", Value::Sequence(s)) => sorted(s.iter().map(port).collect()),
        ("volumes", Value::Sequence(s)) => sorted(s.iter().map(volume).collect()),
        ("networks", v) => networks(v),
        ("environment" | "labels", Value::Sequence(s)) => {
            key_values(&s).unwrap_or(Value::Sequence(s))
        }
        (_, v) => v,
    }
}

/// A sequence whose order does not matter, sorted by its rendering.
fn sorted(mut items: Vec<Value>) -> Value {
    items.sort_by_cached_key(render_full);
    Value::Sequence(items)
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// A mapping from (key, value) pairs, skipping absent values.
fn mapping(pairs: &[(&str, Option<Value>)]) -> Value {
    Value::Mapping(
        pairs
            .iter()
            .filter_map(|(k, v)| v.clone().map(|v| (s(k), v)))
            .collect(),
    )
}

/// One `ports` item: `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]` or the long
/// syntax, as {target, published, host_ip, protocol (not tcp), …}.
fn port(item: &Value) -> Value {
    match item {
        Value::String(text) => {
            let (spec, protocol) = match text.rsplit_once('/') {
                Some((spec, p)) => (spec, p),
                None => (text.as_str(), "tcp"),
            };
            // An IPv6 host address is written in brackets.
            let (host_ip, rest) = match spec.strip_prefix('[') {
                Some(r) => match r.split_once("]:") {
                    Some((ip, rest)) => (Some(ip), rest),
                    None => return item.clone(),
                },
                None => (None, spec),
            };
            let parts: Vec<&str> = rest.split(':').collect();
            let (ip, published, target) = match (host_ip, parts.as_slice()) {
                (None, [t]) => (None, None, *t),
                (None, [p, t]) => (None, Some(*p), *t),
                (None, [ip, p, t]) => (Some(*ip), Some(*p), *t),
                (Some(ip), [p, t]) => (Some(ip), Some(*p), *t),
                _ => return item.clone(),
            };
            // Ranges expand to several ports: compared as written.
            if target.contains('-') || published.is_some_and(|p| p.contains('-')) {
                return item.clone();
            }
            mapping(&[
                ("target", Some(s(target))),
                ("published", published.filter(|p| !p.is_empty()).map(s)),
                ("host_ip", ip.filter(|i| !i.is_empty()).map(s)),
                ("protocol", (protocol != "tcp").then(|| s(protocol))),
            ])
        }
        Value::Mapping(m) => Value::Mapping(
            m.iter()
                .filter(|(k, v)| {
                    !matches!(
                        (k.as_str(), v.as_str()),
                        (Some("protocol"), Some("tcp"))
                            | (Some("mode"), Some("ingress"))
                            | (Some("published" | "host_ip"), Some(""))
                    )
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A path as Compose compares it: no trailing `/`, no `//`, no leading `./`.
fn clean_path(p: &str) -> String {
    let mut out = p.to_string();
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    while let Some(rest) = out.strip_prefix("./") {
        out = rest.to_string();
    }
    out
}

/// One `volumes` item: `[SOURCE:]TARGET[:MODE]` or the long syntax, as
/// {type, source, target, read_only (only when true), bind, volume}.
fn volume(item: &Value) -> Value {
    match item {
        Value::String(text) => {
            let parts: Vec<&str> = text.split(':').collect();
            let (source, target, modes) = match parts.as_slice() {
                [t] => (None, *t, ""),
                [src, t] => (Some(*src), *t, ""),
                [src, t, m] => (Some(*src), *t, *m),
                _ => return item.clone(),
            };
            let bind = source.is_some_and(|src| src.starts_with(['/', '.', '~']));
            let (mut read_only, mut selinux, mut nocopy, mut other) =
                (false, None, false, Vec::new());
            for m in modes.split(',').filter(|m| !m.is_empty()) {
                match m {
                    "ro" => read_only = true,
                    "rw" => {}
                    "z" | "Z" => selinux = Some(m),
                    "nocopy" => nocopy = true,
                    _ => other.push(m),
                }
            }
            if !other.is_empty() {
                return item.clone();
            }
            let source = source.map(|src| {
                if bind {
                    clean_path(src)
                } else {
                    src.to_string()
                }
            });
            mapping(&[
                ("type", Some(s(if bind { "bind" } else { "volume" }))),
                ("source", source.map(Value::String)),
                ("target", Some(Value::String(clean_path(target)))),
                ("read_only", read_only.then(|| s("true"))),
                ("bind", selinux.map(|z| mapping(&[("selinux", Some(s(z)))]))),
                (
                    "volume",
                    nocopy.then(|| mapping(&[("nocopy", Some(s("true")))])),
                ),
            ])
        }
        Value::Mapping(m) => {
            let kind = m
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("volume")
                .to_string();
            let mut out = Mapping::new();
            for (k, v) in m {
                let key = k.as_str().unwrap_or_default();
                let v = match (key, v) {
                    ("read_only", Value::String(b)) if b == "false" => continue,
                    ("source", Value::String(p)) if kind == "bind" => Value::String(clean_path(p)),
                    ("target", Value::String(p)) => Value::String(clean_path(p)),
                    ("bind" | "volume", Value::Mapping(opts)) => {
                        // Defaults of the short syntax.
                        let kept: Mapping = opts
                            .iter()
                            .filter(|(k, v)| {
                                !matches!(
                                    (k.as_str(), v.as_str()),
                                    (Some("create_host_path"), _) | (Some("nocopy"), Some("false"))
                                )
                            })
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        if kept.is_empty() {
                            continue;
                        }
                        Value::Mapping(kept)
                    }
                    _ => v.clone(),
                };
                out.insert(k.clone(), v);
            }
            out.insert(s("type"), s(&kind));
            Value::Mapping(out)
        }
        other => other.clone(),
    }
}

/// `networks` as a mapping: a list item or an empty value (`{}`, `~`)
/// becomes a null value.
fn networks(v: Value) -> Value {
    match v {
        Value::Sequence(items) => {
            Value::Mapping(items.into_iter().map(|n| (n, Value::Null)).collect())
        }
        Value::Mapping(m) => Value::Mapping(
            m.into_iter()
                .map(|(k, v)| match v {
                    Value::Mapping(inner) if inner.is_empty() => (k, Value::Null),
                    other => (k, other),
                })
                .collect(),
        ),
        other => other,
    }
}

/// `K=V` items (and bare `K`) as a mapping; `None` when an item is not a
/// string.
fn key_values(items: &[Value]) -> Option<Value> {
    let mut out = Mapping::new();
    for item in items {
        let text = item.as_str()?;
        match text.split_once('=') {
            Some((k, v)) => out.insert(s(k), s(v)),
            None => out.insert(s(text), Value::Null),
        };
    }
    Some(Value::Mapping(out))
}

/// One French line per differing top-level key of the service: keys are
/// compared in canonical form, shown as written (lightly normalized).
pub(crate) fn details(existing: &Value, wanted: &Value) -> Vec<String> {
    let (e, w) = (normalize(existing), normalize(wanted));
    let (ce, cw) = (canonical(existing), canonical(wanted));
    let (Some(em), Some(wm), Some(cem), Some(cwm)) = (
        e.as_mapping(),
        w.as_mapping(),
        ce.as_mapping(),
        cw.as_mapping(),
    ) else {
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
            Some(ev) if cem.get(k) != cwm.get(k) => out.push(format!(
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

/// The full one-line rendering (flow style).
fn render_full(v: &Value) -> String {
    let mut s = String::new();
    write_flow(v, &mut s);
    s
}

/// A compact one-line rendering (flow style), shortened past 120 characters.
pub(crate) fn render(v: &Value) -> String {
    let s = render_full(v);
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
