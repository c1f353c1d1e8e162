//! Adds services, named volumes and a network to an existing
//! `docker-compose.yml` **without touching anything that is already there**.
//!
//! Part 6 of the tutorial (supervision) asks the user to add `prometheus`,
//! `grafana` and `cadvisor`, the volumes `prometheus_data` and `grafana_data`
//! and, if missing, the network `systeme-ticketing-net` to a compose file that
//! already holds many services. [`apply`] does that edit on a string:
//!
//! - every byte of the original text survives, in order: other services,
//!   comments, key order, quoting, flow style, anchors, CRLF line endings.
//!   Only new lines are inserted. The one exception is an empty placeholder
//!   value of `services`, `volumes` or `networks` (`{}`, `~`, `null`), which
//!   has to go for the section to become a block mapping;
//! - new services are appended at the end of `services:`, with the file's
//!   indentation (2 or 4 spaces), each preceded by a blank line and an
//!   optional comment; comments inside the bodies are kept;
//! - a service that already exists and is semantically equal (canonical
//!   forms: `9090` and `"9090"`, Compose's short and long syntaxes of ports,
//!   volumes, networks, environment are the same) is left alone; one that
//!   differs is an error ([`ComposeError::Differs`]) unless `force`, which
//!   replaces only that service's body;
//! - another service already using a `container_name` a new service needs is
//!   an error before anything ([`ComposeError::ContainerNameTaken`], also
//!   through [`precheck`]), even with `force`;
//! - a network already declared under another key with the wanted `name:`
//!   (often `external: true`) is reused: the new services name that key
//!   ([`Change::NetworkReused`]);
//! - any YAML line break (`\n`, `\r\n`, `\r`, U+0085, U+2028, U+2029) is
//!   kept, new lines use the file's first one; a root indented by spaces, and
//!   comments after a final `...`, are handled;
//! - a second application changes nothing.
//!
//! The result is parsed again with serde_yaml and compared with the original
//! before being returned: if a layout was misread, [`apply`] refuses
//! ([`ComposeError::Unsupported`]) rather than returning a damaged file.
//!
//! [`precheck`] also refuses a host port a new service publishes that another
//! service of the file already publishes ([`ComposeError::PortTaken`], see
//! [`ports`]): a stopped service still owns its port at the next `up`.
//!
//! What it does **not** do: no file I/O (it works on strings; the caller
//! writes the file atomically and runs `docker compose config`), no Compose
//! schema validation, no look at the ports the host holds right now.

mod compare;
mod messages;
mod plan;
pub mod ports;
mod reindent;
mod scan;
#[cfg(test)]
mod tests;
mod verify;
mod writer;

use serde_yaml::{Mapping, Value};

pub use messages::ComposeError;
pub use verify::validate;

use plan::{Plan, container_name_clashes, network_alias, wanted_services, with_network_key};
use verify::verify;
use writer::Writer;

/// One service to add: its name and the YAML text of its body (a block
/// mapping, unindented, may contain comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceBlock {
    /// The service key, e.g. `prometheus`.
    pub name: String,
    /// A comment written on its own line above the service key, without the
    /// `#`, e.g. `--- Collecteur de métriques : Prometheus ---`.
    pub comment: Option<String>,
    /// The body, e.g. `"image: prom/prometheus:v2.47.1\ncontainer_name: prometheus\n"`.
    pub body: String,
}

/// Everything to add to the compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Additions {
    pub services: Vec<ServiceBlock>,
    /// Named volumes, added with a null value (`prometheus_data:`).
    pub volumes: Vec<String>,
    /// The network, added with `driver: bridge` if missing (empty: none).
    pub network: String,
}

/// One thing [`apply`] did or found already done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    ServiceAdded(String),
    ServiceUnchanged(String),
    ServiceReplaced(String),
    VolumeAdded(String),
    VolumePresent(String),
    NetworkAdded(String),
    NetworkPresent(String),
    /// The network was already declared under another key with its name
    /// (`key: {name: <name>}`, often `external: true`): the new services
    /// use that key, no second network is added.
    NetworkReused {
        key: String,
        name: String,
    },
    /// The input was empty (or only comments): a new file was written.
    FileCreated,
}

/// The result of [`apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The new file text (equal to the input when nothing changed).
    pub text: String,
    pub changes: Vec<Change>,
    /// Whether `text` differs from the input.
    pub changed: bool,
}

/// A service of the same name already exists and differs from the wanted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub service: String,
    /// In French, one per differing key, e.g. `image : « grafana/grafana:9.0 »
    /// dans le fichier, « grafana/grafana-oss:10.1.5 » attendu`.
    pub details: Vec<String>,
}

/// A `container_name` a wanted service needs, already used by another
/// service of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameClash {
    /// The container name, e.g. `grafana`.
    pub container: String,
    /// The service of the file that uses it, e.g. `supervision`.
    pub service: String,
    /// The tutorial's service that needs it, e.g. `grafana`.
    pub wanted: String,
}

/// The checks [`apply`] makes before planning anything, for a caller that
/// wants them first (before touching anything else): the text parses, and
/// no other service already uses a container name the additions need; and
/// one [`apply`] does not make: no other service publishes a host port the
/// additions publish (same address and protocol), `${…}` resolved through
/// `vars`.
pub fn precheck(src: &str, additions: &Additions, vars: ports::Lookup) -> Result<(), ComposeError> {
    let original = validate(src)?;
    if let Value::Mapping(root) = &original {
        let wanted = wanted_services(additions)?;
        let clashes = container_name_clashes(root, &wanted);
        if !clashes.is_empty() {
            return Err(ComposeError::ContainerNameTaken(clashes));
        }
        let published: Vec<ports::Published> = wanted
            .iter()
            .flat_map(|(block, body)| ports::service_published(&block.name, body, vars))
            .collect();
        ports::check(src, &published, vars)?;
    }
    Ok(())
}

/// Adds `additions` to the compose text `src`. See the module documentation.
pub fn apply(src: &str, additions: &Additions, force: bool) -> Result<Edit, ComposeError> {
    let original = validate(src)?;
    let root = match &original {
        Value::Null => Mapping::new(),
        Value::Mapping(m) => m.clone(),
        _ => {
            return Err(ComposeError::NotAMapping {
                what: "la racine du fichier".into(),
            });
        }
    };
    for section in ["services", "volumes", "networks"] {
        if let Some(v) = root.get(section)
            && !(v.is_null() || v.is_mapping())
        {
            return Err(ComposeError::NotAMapping {
                what: format!("la section « {section} »"),
            });
        }
    }
    let clashes = container_name_clashes(&root, &wanted_services(additions)?);
    if !clashes.is_empty() {
        return Err(ComposeError::ContainerNameTaken(clashes));
    }
    // The network declared under another key: the services use that key.
    let network_name = additions.network.clone();
    let alias = network_alias(&root, &network_name);
    let retargeted;
    let additions = match &alias {
        Some(key) => {
            retargeted = with_network_key(additions, key)?;
            &retargeted
        }
        None => additions,
    };
    let wanted = wanted_services(additions)?;
    let plan = Plan::new(&root, &wanted, additions, force)?;
    let mut changes = Vec::new();
    if original.is_null() {
        changes.push(Change::FileCreated);
    }
    changes.extend(plan.changes.iter().map(|c| match (c, &alias) {
        (Change::NetworkPresent(key), Some(alias)) if key == alias => Change::NetworkReused {
            key: key.clone(),
            name: network_name.clone(),
        },
        _ => c.clone(),
    }));
    if plan.is_empty() {
        return Ok(Edit {
            text: src.to_string(),
            changes,
            changed: false,
        });
    }
    let text = Writer::new(src, &root, &plan)?.write()?;
    verify(&root, &text, &plan)?;
    let changed = text != src;
    Ok(Edit {
        text,
        changes,
        changed,
    })
}
