//! Host ports published by the services of a compose (or stack) file, and
//! the clashes between the ports the tutorial's services want and the ports
//! other services of the file already publish.
//!
//! A service of the file that is stopped today still owns its host port
//! tomorrow: the next `docker compose up` of the whole stack could not bind
//! both. So the comparison is made on the file, not on the host: short
//! syntax (`[IP:][HÔTE[-FIN]:]CONTENEUR[/PROTO]`, IPv6 addresses in
//! brackets), long syntax (`published`, `host_ip`, `protocol`), ranges, and
//! `${VAR}`, `${VAR:-défaut}`, `${VAR-défaut}`, `$VAR` where they resolve
//! (through the lookup the caller gives: the environment, then `.env`).
//!
//! Two publications clash when their protocols are equal, their host port
//! ranges overlap and their host addresses overlap (an empty address,
//! `0.0.0.0` or `::` covers every address). A service of the file that has
//! the same name as a wanted one is not compared: it is that service
//! (« déjà fait », or a different definition `apply` reports).
//!
//! What it does not do: no I/O, no look at the host (the preflight checks
//! the ports that are taken right now), no merge keys (`<<`) or `extends`.

use serde_yaml::Value;

use super::ComposeError;
use super::scan::{LineKind, Scan, comment_start};

/// One host port range published by a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The service that publishes it.
    pub service: String,
    /// The host address (`""` when none: every address).
    pub host_ip: String,
    /// `tcp` (the default), `udp` or `sctp`.
    pub protocol: String,
    /// First and last host port (equal outside ranges).
    pub first: u16,
    pub last: u16,
    /// The publication as written in the file (`8084:80`,
    /// `published: 8084`).
    pub written: String,
    /// The 1-based line of the file where it is written, when found.
    pub line: Option<usize>,
}

impl Published {
    /// Whether `self` and `other` cannot both be bound.
    pub fn clashes_with(&self, other: &Published) -> bool {
        let wildcard = |ip: &str| matches!(ip, "" | "0.0.0.0" | "::" | "[::]");
        let same_address = wildcard(&self.host_ip)
            || wildcard(&other.host_ip)
            || self.host_ip.trim_matches(['[', ']']) == other.host_ip.trim_matches(['[', ']']);
        self.protocol == other.protocol
            && same_address
            && self.first <= other.last
            && other.first <= self.last
    }

    /// `8084`, or `8000-8010`.
    pub fn ports(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}-{}", self.first, self.last)
        }
    }
}

/// A wanted publication that another service of the file already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortClash {
    /// What the tutorial's service wants.
    pub wanted: Published,
    /// What the other service of the file publishes.
    pub holder: Published,
    /// A port free in the file for the wanted service (the next one up that
    /// no service of the file publishes and no wanted service needs).
    pub free: u16,
}

/// A variable's value for interpolation, `None` when unset.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Every host port published by the services of `src` (a whole compose
/// file). Publications whose host port does not resolve (a variable unset
/// without default) or that publish no host port (`"80"`: Docker picks one)
/// are left out. `src` must already be valid YAML.
pub fn published(src: &str, vars: Lookup) -> Vec<Published> {
    let Ok(Value::Mapping(root)) = serde_yaml::from_str::<Value>(src) else {
        return Vec::new();
    };
    let Some(services) = root.get("services").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let scan = Scan::new(src);
    let mut out = Vec::new();
    for (key, body) in services {
        let Some(name) = key.as_str() else { continue };
        let region = service_region(&scan, name);
        out.extend(service_ports(name, body, vars, |written| {
            region.and_then(|(from, to)| find_line(&scan, from, to, written))
        }));
    }
    out
}

/// The publications of one service `body` (a mapping), without lines.
pub fn service_published(name: &str, body: &Value, vars: Lookup) -> Vec<Published> {
    service_ports(name, body, vars, |_| None)
}

/// The clashes between `wanted` and the publications of the services of
/// `src` not named like a wanted service.
pub fn clashes(src: &str, wanted: &[Published], vars: Lookup) -> Vec<PortClash> {
    let all = published(src, vars);
    let others: Vec<&Published> = all
        .iter()
        .filter(|p| !wanted.iter().any(|w| w.service == p.service))
        .collect();
    let mut out = Vec::new();
    for w in wanted {
        if let Some(holder) = others.iter().find(|o| w.clashes_with(o)) {
            let taken = |port: u16| {
                all.iter()
                    .chain(wanted.iter())
                    .any(|p| p.first <= port && port <= p.last)
            };
            let free = (w.last.saturating_add(1)..=u16::MAX)
                .find(|&p| !taken(p))
                .unwrap_or(w.first);
            out.push(PortClash {
                wanted: w.clone(),
                holder: (*holder).clone(),
                free,
            });
        }
    }
    out
}

/// [`clashes`] as the error [`super::precheck`] returns.
pub fn check(src: &str, wanted: &[Published], vars: Lookup) -> Result<(), ComposeError> {
    let found = clashes(src, wanted, vars);
    if found.is_empty() {
        Ok(())
    } else {
        Err(ComposeError::PortTaken(found))
    }
}

fn service_ports(
    name: &str,
    body: &Value,
    vars: Lookup,
    line_of: impl Fn(&str) -> Option<usize>,
) -> Vec<Published> {
    let Some(ports) = body.get("ports").and_then(Value::as_sequence) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in ports {
        let parsed = match item {
            Value::String(s) => interpolate(s, vars)
                .and_then(|s| short(&s))
                .map(|p| (p, s.clone())),
            Value::Number(n) => short(&n.to_string()).map(|p| (p, n.to_string())),
            Value::Mapping(_) => long(item, vars),
            _ => None,
        };
        if let Some(((host_ip, protocol, first, last), written)) = parsed {
            out.push(Published {
                service: name.to_string(),
                host_ip,
                protocol,
                first,
                last,
                line: line_of(&written),
                written,
            });
        }
    }
    out
}

type Parsed = (String, String, u16, u16);

/// `[IP:][HÔTE[-FIN]:]CONTENEUR[-FIN][/PROTO]`; `None` without a host port.
fn short(spec: &str) -> Option<Parsed> {
    let spec = spec.trim();
    let (spec, protocol) = match spec.rsplit_once('/') {
        Some((s, p)) => (s, p.to_lowercase()),
        None => (spec, "tcp".to_string()),
    };
    // An IPv6 address in brackets: `[::1]:8080:80`.
    let (host_ip, rest) = if let Some(r) = spec.strip_prefix('[') {
        let (ip, rest) = r.split_once(']')?;
        (ip.to_string(), rest.strip_prefix(':')?)
    } else {
        match spec.matches(':').count() {
            0 => return None,
            1 => (String::new(), spec),
            _ => {
                let (ip, rest) = spec.split_once(':')?;
                (ip.to_string(), rest)
            }
        }
    };
    let (host, _container) = rest.split_once(':')?;
    if host.is_empty() {
        return None;
    }
    let (first, last) = range(host)?;
    Some((host_ip, protocol, first, last))
}

fn range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim().trim_matches(['"', '\'']);
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => s.parse().ok().map(|p| (p, p)),
    }
}

/// The long syntax: `published` (a port or a range), `host_ip`, `protocol`.
fn long(item: &Value, vars: Lookup) -> Option<(Parsed, String)> {
    let text = |key: &str| -> Option<String> {
        match item.get(key)? {
            Value::String(s) => interpolate(s, vars),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let published = text("published")?;
    let (first, last) = range(&published)?;
    let host_ip = text("host_ip").unwrap_or_default();
    let protocol = text("protocol")
        .map(|p| p.to_lowercase())
        .unwrap_or_else(|| "tcp".into());
    let written = match item.get("published") {
        Some(Value::String(s)) => format!("published: {s}"),
        _ => format!("published: {published}"),
    };
    Some(((host_ip, protocol, first, last), written))
}

/// Compose's interpolation of `s`: `$$` is a `$`; `${VAR}`, `$VAR`,
/// `${VAR:-défaut}` (default when unset or empty), `${VAR-défaut}` (when
/// unset), `${VAR:?…}`/`${VAR?…}` (the value, or unresolved). `None` when a
/// variable does not resolve.
pub fn interpolate(s: &str, vars: Lookup) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('{') {
            let close = r.find('}')?;
            let inner = &r[..close];
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, op) = inner.split_at(name_len);
            let value = vars(name);
            let resolved = if let Some(d) = op.strip_prefix(":-") {
                Some(
                    value
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| d.to_string()),
                )
            } else if let Some(d) = op.strip_prefix('-') {
                Some(value.unwrap_or_else(|| d.to_string()))
            } else if op.is_empty() || op.starts_with(":?") || op.starts_with('?') {
                value
            } else {
                // `:+`, `+`: an alternative value.
                let alt = op.trim_start_matches(':').strip_prefix('+')?;
                Some(if value.is_some_and(|v| !v.is_empty()) {
                    alt.to_string()
                } else {
                    String::new()
                })
            };
            out.push_str(&resolved?);
            rest = &r[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&vars(&after[..len])?);
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The values of a `.env` file (`NOM=valeur`, `export NOM=valeur`,
/// comments, quotes), for [`Lookup`].
pub fn dotenv(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                return None;
            }
            let l = l.strip_prefix("export ").unwrap_or(l);
            let (k, v) = l.split_once('=')?;
            let v = v.trim();
            let v = if let Some(q) = ['"', '\''].into_iter().find(|q| v.starts_with(*q)) {
                v[1..].split(q).next().unwrap_or("").to_string()
            } else {
                v[..comment_start(v)].trim().to_string()
            };
            Some((k.trim().to_string(), v))
        })
        .collect()
}

/// Lines `[from, to)` of the service `name` under the top-level `services`.
fn service_region(scan: &Scan, name: &str) -> Option<(usize, usize)> {
    let services = scan.top_level().into_iter().find(|e| e.key == "services")?;
    let first = scan.first_content(services.line, services.region_end)?;
    let indent = scan.lines[first].indent;
    if indent <= scan.root {
        return None;
    }
    scan.entries(first, services.region_end, indent)
        .into_iter()
        .find(|e| e.key == name)
        .map(|e| (e.line, e.region_end))
}

/// The first content line of `[from, to)` that holds `written` (for a long
/// syntax, `published:` and its value), 1-based.
fn find_line(scan: &Scan, from: usize, to: usize, written: &str) -> Option<usize> {
    let (key, value) = match written.strip_prefix("published: ") {
        Some(v) => (Some("published"), v),
        None => (None, written),
    };
    (from..to).find_map(|i| {
        if scan.lines[i].kind != LineKind::Content {
            return None;
        }
        let text = scan.line_text(i);
        let text = &text[..comment_start(text)];
        let found = match key {
            Some(k) => text.find(k).is_some_and(|at| text[at..].contains(value)),
            None => text.contains(value),
        };
        found.then_some(i + 1)
    })
}
