//! What [`apply`](super::apply) has to write: the services to add or
//! replace, the volumes and the network, decided against the parsed file.

use serde_yaml::{Mapping, Value};

use super::{Additions, Change, ComposeError, Difference, ServiceBlock, compare, reindent};

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
