//! What [`apply`](super::apply) has to write: the services to add or
//! replace, the volumes and the network, decided against the parsed file.

use serde_yaml::{Mapping, Value};

use super::messages::unsupported;
use super::scan::{comment_start, parse_key, yaml_key};
use super::{
    Additions, Change, ComposeError, Difference, NameClash, ServiceBlock, compare, reindent,
};

/// The services of the file (an empty mapping when there are none).
fn services(root: &Mapping) -> Mapping {
    root.get("services")
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default()
}

/// Services of the file, other than the wanted ones, whose `container_name`
/// a wanted service needs: Compose would refuse the file (« container name
/// already in use ») after the edit.
pub(super) fn container_name_clashes(
    root: &Mapping,
    wanted: &[(&ServiceBlock, Value)],
) -> Vec<NameClash> {
    let name_of = |v: &Value| {
        compare::normalize(v)
            .get("container_name")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut out = Vec::new();
    for (block, body) in wanted {
        let Some(container) = name_of(body) else {
            continue;
        };
        for (key, existing) in &services(root) {
            let service = key
                .as_str()
                .map_or_else(|| compare::render(key), str::to_string);
            if service != block.name && name_of(existing).as_deref() == Some(container.as_str()) {
                out.push(NameClash {
                    container: container.clone(),
                    service,
                    wanted: block.name.clone(),
                });
            }
        }
    }
    out
}

/// The key under which the file already declares the network `name`
/// (`key: {name: <name>, external: true}`), when it is not `name` itself.
pub(super) fn network_alias(root: &Mapping, name: &str) -> Option<String> {
    let networks = root.get("networks")?.as_mapping()?;
    if networks.contains_key(name) {
        return None;
    }
    networks.iter().find_map(|(k, v)| {
        (v.get("name").and_then(Value::as_str) == Some(name))
            .then(|| k.as_str().map(str::to_string))
            .flatten()
    })
}

/// `body` with its references to the network `from` under `networks:` (list
/// items, mapping keys, a one-line flow list) renamed `to`; comments and the
/// rest are kept.
pub(super) fn retarget_network(body: &str, from: &str, to: &str) -> String {
    let unquote = |t: &str| -> String {
        let t = t.trim();
        for q in ['"', '\''] {
            if let Some(inner) = t.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
                return inner.to_string();
            }
        }
        t.to_string()
    };
    let new = yaml_key(to);
    let mut out = Vec::new();
    let mut inside = false;
    for line in reindent::body_lines(body) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let text = &line[indent..];
        let cut = comment_start(text);
        let (value, comment) = text.split_at(cut);
        if indent == 0 && !text.is_empty() && !text.starts_with('#') {
            inside = false;
            if let Some((key, colon)) = parse_key(text)
                && key == "networks"
            {
                inside = true;
                let rest = value[colon..].trim();
                if let Some(items) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                    let items: Vec<String> = items
                        .split(',')
                        .map(|i| {
                            if unquote(i) == from {
                                new.clone()
                            } else {
                                i.trim().to_string()
                            }
                        })
                        .collect();
                    let sep = if comment.is_empty() { "" } else { " " };
                    out.push(format!("networks: [{}]{sep}{comment}", items.join(", ")));
                    continue;
                }
            }
            out.push(line);
            continue;
        }
        if inside && indent > 0 {
            let trail = &value[value.trim_end().len()..];
            if let Some(item) = value.strip_prefix("- ")
                && unquote(item) == from
            {
                out.push(format!("{}- {new}{trail}{comment}", " ".repeat(indent)));
                continue;
            }
            if let Some((key, colon)) = parse_key(value)
                && key == from
            {
                out.push(format!(
                    "{}{new}:{}{comment}",
                    " ".repeat(indent),
                    &value[colon..]
                ));
                continue;
            }
        }
        out.push(line);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The additions with their services' network renamed `key`, checked: each
/// service that named the network now names `key`.
pub(super) fn with_network_key(
    additions: &Additions,
    key: &str,
) -> Result<Additions, ComposeError> {
    let mut out = additions.clone();
    for block in &mut out.services {
        let before: Value = serde_yaml::from_str(&block.body).unwrap_or_default();
        let body = retarget_network(&block.body, &additions.network, key);
        let after: Value = serde_yaml::from_str(&body).unwrap_or_default();
        let nets = |v: &Value| compare::canonical(v).get("networks").cloned();
        let named = |v: &Value, n: &str| {
            nets(v)
                .and_then(|m| m.as_mapping().map(|m| m.contains_key(n)))
                .unwrap_or(false)
        };
        if named(&before, &additions.network)
            && (!named(&after, key) || named(&after, &additions.network))
        {
            return Err(unsupported(format!(
                "le modèle du service « {} » cite le réseau « {} » d'une façon que journal ne sait \
                 pas renommer en « {key} »",
                block.name, additions.network
            )));
        }
        block.body = body;
    }
    out.network = key.to_string();
    Ok(out)
}

/// The wanted services, parsed.
pub(super) fn wanted_services(
    additions: &Additions,
) -> Result<Vec<(&ServiceBlock, Value)>, ComposeError> {
    additions
        .services
        .iter()
        .map(|s| {
            let v: Value = serde_yaml::from_str(&reindent::body_lines(&s.body).join("\n"))
                .map_err(|e| ComposeError::Unsupported {
                    what: format!("le modèle du service « {} » est invalide : {e}", s.name),
                })?;
            if !v.is_mapping() {
                return Err(ComposeError::NotAMapping {
                    what: format!("le modèle du service « {} »", s.name),
                });
            }
            Ok((s, v))
        })
        .collect()
}

/// What has to be written.
pub(super) struct Plan<'a> {
    pub(super) add: Vec<(&'a ServiceBlock, &'a Value)>,
    pub(super) replace: Vec<(&'a ServiceBlock, &'a Value)>,
    pub(super) volumes: Vec<&'a str>,
    pub(super) network: Option<&'a str>,
    pub(super) changes: Vec<Change>,
}

impl<'a> Plan<'a> {
    pub(super) fn new(
        root: &Mapping,
        wanted: &'a [(&'a ServiceBlock, Value)],
        additions: &'a Additions,
        force: bool,
    ) -> Result<Self, ComposeError> {
        let empty = Mapping::new();
        let section = |k: &str| root.get(k).and_then(Value::as_mapping).unwrap_or(&empty);
        let services = section("services");
        let mut plan = Plan {
            add: Vec::new(),
            replace: Vec::new(),
            volumes: Vec::new(),
            network: None,
            changes: Vec::new(),
        };
        let mut diffs = Vec::new();
        for (block, value) in wanted {
            let name = block.name.clone();
            match services.get(block.name.as_str()) {
                None => {
                    plan.add.push((block, value));
                    plan.changes.push(Change::ServiceAdded(name));
                }
                Some(existing) if compare::same(existing, value) => {
                    plan.changes.push(Change::ServiceUnchanged(name));
                }
                Some(existing) => {
                    diffs.push(Difference {
                        service: name.clone(),
                        details: compare::details(existing, value),
                    });
                    plan.replace.push((block, value));
                    plan.changes.push(Change::ServiceReplaced(name));
                }
            }
        }
        if !diffs.is_empty() && !force {
            return Err(ComposeError::Differs(diffs));
        }
        let volumes = section("volumes");
        for v in &additions.volumes {
            if volumes.contains_key(v.as_str()) || plan.volumes.contains(&v.as_str()) {
                plan.changes.push(Change::VolumePresent(v.clone()));
            } else {
                plan.volumes.push(v);
                plan.changes.push(Change::VolumeAdded(v.clone()));
            }
        }
        if !additions.network.is_empty() {
            let net = additions.network.clone();
            if section("networks").contains_key(net.as_str()) {
                plan.changes.push(Change::NetworkPresent(net));
            } else {
                plan.network = Some(&additions.network);
                plan.changes.push(Change::NetworkAdded(net));
            }
        }
        Ok(plan)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.add.is_empty()
            && self.replace.is_empty()
            && self.volumes.is_empty()
            && self.network.is_none()
    }
}
