//! Docker Swarm through the `docker` command line, run against a manager:
//! the swarm state of this engine, the nodes, `docker stack deploy`, the
//! services of a stack and their tasks, `docker service ps` and
//! `docker service logs`. Like the Compose adapter, it checks every exit
//! code and translates errors into French; it holds no business logic.

use std::path::Path;

use crate::error::{Error, Result};

pub use super::compose::Captured;

/// This engine's place in a swarm (`docker info`, `.Swarm`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SwarmState {
    /// `inactive`, `pending`, `active`, `error`, `locked`.
    pub local_state: String,
    /// Whether this engine is a manager (`ControlAvailable`).
    pub manager: bool,
    /// This node's ID (empty when not in a swarm).
    pub node_id: String,
}

/// One node of the swarm (`docker node inspect`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    /// Node ID.
    pub id: String,
    /// Address (`Status.Addr`, or the manager's address when that is 0.0.0.0).
    pub addr: String,
    /// `manager` or `worker`.
    pub role: String,
    /// `ready`, `down`, `unknown`, `disconnected`.
    pub state: String,
    /// `active`, `pause`, `drain`.
    pub availability: String,
    /// Docker engine version.
    pub engine: String,
    /// Host name (not unique: identify nodes by ID and address).
    pub hostname: String,
}

impl Node {
    /// Whether the node is `ready` and accepts tasks.
    pub fn is_ready(&self) -> bool {
        self.state == "ready" && self.availability == "active"
    }

    /// How messages name the node: « nœud <ID> (<adresse>) ».
    pub fn named(&self) -> String {
        format!("nœud {} ({})", self.id, self.addr)
    }

    /// The node's role as the journal writes it (« gestionnaire », « travail »).
    pub fn role_label(&self) -> &'static str {
        if self.role == "manager" {
            "gestionnaire"
        } else {
            "travail"
        }
    }
}

/// One service of a stack (`docker service inspect`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Service {
    /// Service ID.
    pub id: String,
    /// Full name (`<pile>_<service>`).
    pub name: String,
    /// The spec's version index (changes on every update).
    pub version: u64,
    /// Service labels (`deploy.labels`).
    pub labels: std::collections::BTreeMap<String, String>,
    /// `mode: global`.
    pub global: bool,
    /// Replicas wanted (replicated mode).
    pub replicas: u64,
}

/// One task of a service (`docker inspect` of the task).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Task {
    /// Task ID.
    pub id: String,
    /// The node it was given to.
    pub node_id: String,
    /// `Status.State`: `running`, `failed`, `rejected`, `shutdown`…
    pub state: String,
    /// `DesiredState`.
    pub desired_state: String,
    /// `Status.Err`, when it failed.
    pub error: String,
    /// Its addresses on the overlay networks, without prefix length.
    pub addrs: Vec<String>,
}

/// The Swarm operations the steps use.
pub trait Swarm {
    /// This engine's place in a swarm.
    fn state(&self) -> Result<SwarmState>;
    /// Every node (managers only can tell).
    fn nodes(&self) -> Result<Vec<Node>>;
    /// Whether this engine has `image` locally.
    fn has_image(&self, image: &str) -> Result<bool>;
    /// The driver and scope of the network `name`, if it exists.
    fn network(&self, name: &str) -> Result<Option<(String, String)>>;
    /// `docker stack deploy --resolve-image never -c <file> <stack>`.
    fn deploy(&self, file: &Path, stack: &str) -> Result<Captured>;
    /// The services of `stack`.
    fn services(&self, stack: &str) -> Result<Vec<Service>>;
    /// Every task of `service` still known to the swarm (history included).
    fn tasks(&self, service: &str) -> Result<Vec<Task>>;
    /// `docker service ps --no-trunc <service>`, as text.
    fn service_ps(&self, service: &str) -> Result<String>;
    /// The last `lines` lines of `docker service logs <service>`.
    fn service_logs(&self, service: &str, lines: usize) -> Result<String>;
    /// `docker service update --force --detach <service>` (restarts its tasks).
    fn restart_service(&self, service: &str) -> Result<Captured>;
    /// Runs `command` in the running container of `service` on **this**
    /// engine's node (`docker exec -i`), `input` on its standard input.
    /// A task running on another node is an error naming that node.
    fn exec_in_service(&self, service: &str, command: &[&str], input: &str) -> Result<Captured>;
}

/// The `docker` CLI implementation (it honours `DOCKER_HOST` as Docker does).
#[derive(Debug, Clone, Default)]
pub struct SwarmCli;

fn docker(args: &[&str], dir: Option<&Path>) -> Result<Captured> {
    docker_with_input(args, dir, None)
}

fn docker_with_input(args: &[&str], dir: Option<&Path>, input: Option<&str>) -> Result<Captured> {
    let (success, captured) =
        super::compose::run_with_input("docker", args, dir, input).map_err(|e| {
            Error::environment(format!("impossible de lancer « docker » : {e}"))
                .with_hint("installez le client Docker (paquet docker.io ou docker-ce-cli)")
        })?;
    if success {
        Ok(captured)
    } else {
        Err(Error::failed(format!(
            "« docker {} » a échoué : {}",
            args.join(" "),
            captured.stderr.trim()
        )))
    }
}

fn json_lines(text: &str) -> Result<Vec<serde_json::Value>> {
    let v: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|e| Error::failed(format!("réponse illisible de docker inspect : {e}")))?;
    Ok(v.as_array().cloned().unwrap_or_default())
}

fn s(v: &serde_json::Value, path: &[&str]) -> String {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or_default().to_string()
}

/// A node from `docker node inspect`'s JSON.
pub fn parse_node(v: &serde_json::Value) -> Node {
    let mut addr = s(v, &["Status", "Addr"]);
    if addr.is_empty() || addr == "0.0.0.0" {
        let m = s(v, &["ManagerStatus", "Addr"]);
        addr = m.rsplit_once(':').map_or(m.clone(), |(h, _)| h.to_string());
    }
    Node {
        id: s(v, &["ID"]),
        addr,
        role: s(v, &["Spec", "Role"]),
        state: s(v, &["Status", "State"]),
        availability: s(v, &["Spec", "Availability"]),
        engine: s(v, &["Description", "Engine", "EngineVersion"]),
        hostname: s(v, &["Description", "Hostname"]),
    }
}

/// A task from `docker inspect`'s JSON.
pub fn parse_task(v: &serde_json::Value) -> Task {
    let addrs = v["NetworksAttachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| s(n, &["Network", "Spec", "Name"]) != "ingress")
        .flat_map(|n| n["Addresses"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| {
            a.as_str()
                .map(|a| a.split('/').next().unwrap_or(a).to_string())
        })
        .collect();
    Task {
        id: s(v, &["ID"]),
        node_id: s(v, &["NodeID"]),
        state: s(v, &["Status", "State"]),
        desired_state: s(v, &["DesiredState"]),
        error: s(v, &["Status", "Err"]),
        addrs,
    }
}

/// A service from `docker service inspect`'s JSON.
pub fn parse_service(v: &serde_json::Value) -> Service {
    let labels = v["Spec"]["Labels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, val)| (k.clone(), val.as_str().unwrap_or_default().to_string()))
        .collect();
    Service {
        id: s(v, &["ID"]),
        name: s(v, &["Spec", "Name"]),
        version: v["Version"]["Index"].as_u64().unwrap_or(0),
        labels,
        global: v["Spec"]["Mode"].get("Global").is_some(),
        replicas: v["Spec"]["Mode"]["Replicated"]["Replicas"]
            .as_u64()
            .unwrap_or(0),
    }
}

fn ids(out: &Captured) -> Vec<String> {
    out.stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

impl Swarm for SwarmCli {
    fn state(&self) -> Result<SwarmState> {
        let out = docker(&["info", "--format", "{{json .Swarm}}"], None).map_err(|e| {
            Error::environment(format!("moteur Docker injoignable : {}", e.message()))
                .with_hint("vérifiez que dockerd tourne (docker info)")
        })?;
        let v: serde_json::Value = serde_json::from_str(out.stdout.trim())
            .map_err(|e| Error::failed(format!("réponse illisible de docker info : {e}")))?;
        Ok(SwarmState {
            local_state: s(&v, &["LocalNodeState"]),
            manager: v["ControlAvailable"].as_bool().unwrap_or(false),
            node_id: s(&v, &["NodeID"]),
        })
    }

    fn nodes(&self) -> Result<Vec<Node>> {
        let list = ids(&docker(&["node", "ls", "-q"], None)?);
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["node", "inspect"];
        args.extend(list.iter().map(String::as_str));
        let out = docker(&args, None)?;
        Ok(json_lines(&out.stdout)?.iter().map(parse_node).collect())
    }

    fn has_image(&self, image: &str) -> Result<bool> {
        Ok(docker(&["image", "inspect", "--format", "{{.Id}}", image], None).is_ok())
    }

    fn network(&self, name: &str) -> Result<Option<(String, String)>> {
        match docker(
            &[
                "network",
                "inspect",
                "--format",
                "{{.Driver}} {{.Scope}}",
                name,
            ],
            None,
        ) {
            Ok(out) => {
                let t = out.stdout.trim();
                let (d, sc) = t.split_once(' ').unwrap_or((t, ""));
                Ok(Some((d.to_string(), sc.to_string())))
            }
            Err(_) => Ok(None),
        }
    }

    fn deploy(&self, file: &Path, stack: &str) -> Result<Captured> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        docker(
            &[
                "stack",
                "deploy",
                "--resolve-image",
                "never",
                "-c",
                &name,
                stack,
            ],
            file.parent(),
        )
    }

    fn services(&self, stack: &str) -> Result<Vec<Service>> {
        let filter = format!("label=com.docker.stack.namespace={stack}");
        let list = ids(&docker(
            &["service", "ls", "-q", "--filter", &filter],
            None,
        )?);
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["service", "inspect"];
        args.extend(list.iter().map(String::as_str));
        let out = docker(&args, None)?;
        Ok(json_lines(&out.stdout)?.iter().map(parse_service).collect())
    }

    fn tasks(&self, service: &str) -> Result<Vec<Task>> {
        let list = ids(&docker(
            &["service", "ps", "-q", "--no-trunc", service],
            None,
        )?);
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["inspect", "--type", "task"];
        args.extend(list.iter().map(String::as_str));
        let out = docker(&args, None)?;
        Ok(json_lines(&out.stdout)?.iter().map(parse_task).collect())
    }

    fn service_ps(&self, service: &str) -> Result<String> {
        Ok(docker(&["service", "ps", "--no-trunc", service], None)?.combined())
    }

    fn service_logs(&self, service: &str, lines: usize) -> Result<String> {
        let n = lines.to_string();
        Ok(docker(
            &["service", "logs", "--no-trunc", "--tail", &n, service],
            None,
        )?
        .combined())
    }

    fn restart_service(&self, service: &str) -> Result<Captured> {
        docker(&["service", "update", "--force", "--detach", service], None)
    }

    fn exec_in_service(&self, service: &str, command: &[&str], input: &str) -> Result<Captured> {
        let filter = format!("label=com.docker.swarm.service.name={service}");
        let listed = docker(
            &[
                "ps",
                "-q",
                "--no-trunc",
                "--filter",
                &filter,
                "--filter",
                "status=running",
            ],
            None,
        )?;
        let Some(container) = ids(&listed).into_iter().next() else {
            let elsewhere = self
                .tasks(service)?
                .into_iter()
                .find(|t| t.state == "running")
                .map_or(String::new(), |t| {
                    format!(" (sa tâche tourne sur le nœud {})", t.node_id)
                });
            return Err(Error::failed(format!(
                "aucun conteneur du service {service} ne tourne sur ce nœud{elsewhere}"
            ))
            .with_hint(format!(
                "lancez journal sur le nœud de la tâche (docker service ps {service}) ou \
                 attendez qu'elle tourne"
            )));
        };
        let mut args = vec!["exec", "-i", container.as_str()];
        args.extend(command);
        docker_with_input(&args, None, Some(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manager_address_falls_back_to_manager_status() {
        let v = serde_json::json!({
            "ID": "abc", "Spec": {"Role": "manager", "Availability": "active"},
            "Status": {"State": "ready", "Addr": "0.0.0.0"},
            "ManagerStatus": {"Addr": "10.98.1.1:2377"},
            "Description": {"Hostname": "vm", "Engine": {"EngineVersion": "20.10.24"}}
        });
        let n = parse_node(&v);
        assert_eq!(n.addr, "10.98.1.1");
        assert!(n.is_ready());
        assert_eq!(n.engine, "20.10.24");
    }

    #[test]
    fn task_addresses_skip_ingress_and_prefix() {
        let v = serde_json::json!({
            "ID": "t1", "NodeID": "n1", "DesiredState": "running",
            "Status": {"State": "running", "Err": ""},
            "NetworksAttachments": [
                {"Network": {"Spec": {"Name": "ingress"}}, "Addresses": ["10.0.0.5/24"]},
                {"Network": {"Spec": {"Name": "p_net"}}, "Addresses": ["10.98.129.6/24"]}
            ]
        });
        assert_eq!(parse_task(&v).addrs, vec!["10.98.129.6".to_string()]);
    }
}
