//! A scripted Docker Swarm behind the [`Swarm`] trait: nodes, images,
//! networks, services and tasks set by the test, calls recorded.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use crate::adapters::compose::Captured;
use crate::adapters::swarm::{Node, Service, Swarm, SwarmState, Task};
use crate::error::Result;

/// A node in state `state` (`ready`, `down`…), available.
pub fn node(id: &str, addr: &str, role: &str, state: &str) -> Node {
    Node {
        id: id.into(),
        addr: addr.into(),
        role: role.into(),
        state: state.into(),
        availability: "active".into(),
        engine: "20.10.24".into(),
        hostname: "vm".into(),
    }
}

/// A running task of a service on `node_id`, with one overlay address.
pub fn task(id: &str, node_id: &str, state: &str, addr: &str) -> Task {
    Task {
        id: id.into(),
        node_id: node_id.into(),
        state: state.into(),
        desired_state: "running".into(),
        error: String::new(),
        addrs: vec![addr.into()],
    }
}

/// The fake swarm.
#[derive(Default)]
pub struct FakeSwarm {
    /// What `state` answers.
    pub state: RefCell<SwarmState>,
    /// What `nodes` answers.
    pub nodes: RefCell<Vec<Node>>,
    /// Images present on this engine.
    pub images: RefCell<Vec<String>>,
    /// Networks: (name, driver, scope).
    pub networks: RefCell<Vec<(String, String, String)>>,
    /// Services by stack.
    pub services: RefCell<Vec<Service>>,
    /// Tasks by full service name.
    pub tasks: RefCell<BTreeMap<String, Vec<Task>>>,
    /// Calls that change something (`deploy <pile>`, `restart <service>`,
    /// `exec <service> <commande>`).
    pub calls: RefCell<Vec<String>>,
    /// What `exec_in_service` received on standard input.
    pub inputs: RefCell<Vec<String>>,
}

impl FakeSwarm {
    /// A manager `n1` (10.98.1.1) and two workers `n2`, `n3`, all ready, with
    /// the images `p`, `g`, `c`.
    pub fn three_nodes() -> Self {
        let f = FakeSwarm::default();
        *f.state.borrow_mut() = SwarmState {
            local_state: "active".into(),
            manager: true,
            node_id: "n1".into(),
        };
        *f.nodes.borrow_mut() = vec![
            node("n1", "10.98.1.1", "manager", "ready"),
            node("n2", "10.98.2.2", "worker", "ready"),
            node("n3", "10.98.3.2", "worker", "ready"),
        ];
        *f.images.borrow_mut() = vec!["p".into(), "g".into(), "c".into()];
        f
    }

    /// The three services of `stack` deployed with `fingerprint`, each task
    /// running (cAdvisor on every node, at 10.0.1.<node>).
    pub fn deployed(&self, stack: &str, fingerprint: &str) {
        let mut services = Vec::new();
        for (i, s) in ["prometheus", "grafana", "cadvisor"].iter().enumerate() {
            let mut labels = BTreeMap::new();
            labels.insert("journal.empreinte".to_string(), fingerprint.to_string());
            services.push(Service {
                id: format!("s{i}"),
                name: format!("{stack}_{s}"),
                version: 10 + i as u64,
                labels,
                global: *s == "cadvisor",
                replicas: if *s == "cadvisor" { 0 } else { 1 },
            });
        }
        *self.services.borrow_mut() = services;
        let mut tasks = self.tasks.borrow_mut();
        tasks.insert(
            format!("{stack}_prometheus"),
            vec![task("tp", "n1", "running", "10.0.1.100")],
        );
        tasks.insert(
            format!("{stack}_grafana"),
            vec![task("tg", "n1", "running", "10.0.1.101")],
        );
        let cadvisor = self
            .nodes
            .borrow()
            .iter()
            .enumerate()
            .map(|(i, n)| {
                task(
                    &format!("tc{i}"),
                    &n.id,
                    "running",
                    &format!("10.0.1.{}", i + 1),
                )
            })
            .collect();
        tasks.insert(format!("{stack}_cadvisor"), cadvisor);
    }
}

impl Swarm for FakeSwarm {
    fn state(&self) -> Result<SwarmState> {
        Ok(self.state.borrow().clone())
    }

    fn nodes(&self) -> Result<Vec<Node>> {
        Ok(self.nodes.borrow().clone())
    }

    fn has_image(&self, image: &str) -> Result<bool> {
        Ok(self.images.borrow().iter().any(|i| i == image))
    }

    fn network(&self, name: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .networks
            .borrow()
            .iter()
            .find(|n| n.0 == name)
            .map(|n| (n.1.clone(), n.2.clone())))
    }

    fn deploy(&self, _file: &Path, stack: &str) -> Result<Captured> {
        self.calls.borrow_mut().push(format!("deploy {stack}"));
        Ok(Captured {
            stdout: format!("Creating service {stack}_prometheus\n"),
            stderr: String::new(),
        })
    }

    fn services(&self, stack: &str) -> Result<Vec<Service>> {
        Ok(self
            .services
            .borrow()
            .iter()
            .filter(|s| s.name.starts_with(&format!("{stack}_")))
            .cloned()
            .collect())
    }

    fn tasks(&self, service: &str) -> Result<Vec<Task>> {
        Ok(self
            .tasks
            .borrow()
            .get(service)
            .cloned()
            .unwrap_or_default())
    }

    fn service_ps(&self, service: &str) -> Result<String> {
        Ok(format!("ID NAME NODE ({service})"))
    }

    fn service_logs(&self, service: &str, _lines: usize) -> Result<String> {
        Ok(format!("{service}.1 | dernière ligne"))
    }

    fn restart_service(&self, service: &str) -> Result<Captured> {
        self.calls.borrow_mut().push(format!("restart {service}"));
        Ok(Captured {
            stdout: String::new(),
            stderr: String::new(),
        })
    }

    fn exec_in_service(&self, service: &str, command: &[&str], input: &str) -> Result<Captured> {
        self.calls
            .borrow_mut()
            .push(format!("exec {service} {}", command.join(" ")));
        self.inputs.borrow_mut().push(input.to_string());
        Ok(Captured {
            stdout: String::new(),
            stderr: String::new(),
        })
    }
}
