//! Fakes of the Docker engine ([`Containers`]) and of Compose ([`Compose`]).
//!
//! `FakeDocker` answers `service_containers` from a script of frames (one per
//! call, the last one repeated), so a step that samples twice sees what the
//! test wrote; `FakeCompose` records each command and answers from settings.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::Path;

use crate::adapters::compose::{Captured, Compose};
use crate::adapters::docker::{ContainerState, Containers, EngineInfo};
use crate::error::{Error, Result};

/// A container of this part's stack, as the engine would report it.
pub fn container(service: &str, id: &str, state: &str, restarts: i64) -> ContainerState {
    ContainerState {
        id: id.to_string(),
        name: service.to_string(),
        service: service.to_string(),
        project: "compose".to_string(),
        image: format!("local/{service}:test"),
        state: state.to_string(),
        status: if state == "running" {
            "Up 2 minutes".into()
        } else {
            "Exited (1) 3 seconds ago".into()
        },
        restart_count: restarts,
        health: None,
        exit_code: (state != "running").then_some(1),
        ports: Vec::new(),
        host_ports: Vec::new(),
        started_at: Some(chrono::Local::now().fixed_offset() - chrono::Duration::minutes(2)),
        image_id: format!("sha256:{id}"),
        image_digest: String::new(),
    }
}

/// The three services running, with ids `<service>-<generation>`.
pub fn stack(generation: u32) -> Vec<ContainerState> {
    ["prometheus", "grafana", "cadvisor"]
        .iter()
        .map(|s| container(s, &format!("{s}-{generation}"), "running", 0))
        .collect()
}

/// A scripted Docker engine.
#[derive(Default)]
pub struct FakeDocker {
    frames: RefCell<VecDeque<Vec<ContainerState>>>,
    /// What `logs_tail` answers.
    pub logs: String,
}

impl FakeDocker {
    /// An engine whose successive `service_containers` calls see `frames`.
    pub fn scripted(frames: Vec<Vec<ContainerState>>) -> Self {
        FakeDocker {
            frames: RefCell::new(frames.into()),
            logs: "level=error msg=\"bind: address already in use\"".into(),
        }
    }
}

impl Containers for FakeDocker {
    fn info(&self) -> Result<EngineInfo> {
        Ok(EngineInfo::default())
    }

    fn service_containers(&self, _project: &str, services: &[&str]) -> Result<Vec<ContainerState>> {
        let mut frames = self.frames.borrow_mut();
        let frame = if frames.len() > 1 {
            frames.pop_front().unwrap_or_default()
        } else {
            frames.front().cloned().unwrap_or_default()
        };
        Ok(frame
            .into_iter()
            .filter(|c| services.contains(&c.service.as_str()))
            .collect())
    }

    fn publishing(&self, _port: u16) -> Result<Vec<ContainerState>> {
        Ok(Vec::new())
    }

    fn inspect(&self, id: &str) -> Result<ContainerState> {
        Err(Error::environment(format!("conteneur {id} inconnu")))
    }

    fn logs_tail(&self, _id: &str, _lines: usize) -> Result<String> {
        Ok(self.logs.clone())
    }

    fn cpu_cores(&self, names: &[String]) -> Result<Vec<(String, f64)>> {
        Ok(names.iter().map(|n| (n.clone(), 0.0125)).collect())
    }
}

/// A Compose CLI that records its commands.
#[derive(Default)]
pub struct FakeCompose {
    /// Each command run, e.g. `up -d prometheus grafana cadvisor`.
    pub calls: RefCell<Vec<String>>,
    /// What `config -q` says of a file (`None`: valid).
    pub invalid: Option<String>,
    /// Make `restart` fail like Compose does.
    pub restart_fails: bool,
    /// What `exec_status` and `run_status` answer (`None`: success, no output).
    pub checker: Option<(bool, String)>,
    /// Standard input given to `exec_status` and `run_status`, in order.
    pub inputs: RefCell<Vec<String>>,
}

impl FakeCompose {
    fn record(&self, call: String) -> Captured {
        self.calls.borrow_mut().push(call);
        Captured {
            stdout: String::new(),
            stderr: String::new(),
        }
    }

    fn check(&self, input: &str) -> (bool, Captured) {
        self.inputs.borrow_mut().push(input.to_string());
        let (ok, stderr) = self.checker.clone().unwrap_or((true, String::new()));
        (
            ok,
            Captured {
                stdout: String::new(),
                stderr,
            },
        )
    }

    /// The commands run so far.
    pub fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

impl Compose for FakeCompose {
    fn describe(&self) -> String {
        "docker compose 2.26.1 (v2)".into()
    }

    fn program(&self) -> &'static str {
        "docker compose"
    }

    fn validate(&self, file: &Path) -> std::result::Result<(), String> {
        self.record(format!("config -q {}", file.display()));
        match &self.invalid {
            Some(msg) => Err(msg.clone()),
            None => Ok(()),
        }
    }

    fn project_name(&self, _file: &Path) -> Result<String> {
        Ok("compose".into())
    }

    fn up(&self, _file: &Path, services: &[&str]) -> Result<Captured> {
        Ok(self.record(format!("up -d {}", services.join(" "))))
    }

    fn ps(&self, _file: &Path, services: &[&str]) -> Result<Captured> {
        Ok(self.record(format!("ps -a {}", services.join(" "))))
    }

    fn exec_with_input(
        &self,
        _file: &Path,
        service: &str,
        command: &[&str],
        _input: &str,
    ) -> Result<Captured> {
        Ok(self.record(format!("exec -T {service} {}", command.join(" "))))
    }

    fn exec_status(
        &self,
        _file: &Path,
        service: &str,
        command: &[&str],
        input: &str,
    ) -> Result<(bool, Captured)> {
        self.record(format!("exec -T {service} {}", command.join(" ")));
        Ok(self.check(input))
    }

    fn run_status(
        &self,
        _file: &Path,
        service: &str,
        entrypoint: &str,
        args: &[&str],
        input: &str,
    ) -> Result<(bool, Captured)> {
        self.record(format!(
            "run --rm -T --no-deps --entrypoint {entrypoint} {service} {}",
            args.join(" ")
        ));
        Ok(self.check(input))
    }

    fn signal(&self, _file: &Path, service: &str, signal: &str) -> Result<Captured> {
        Ok(self.record(format!("kill -s {signal} {service}")))
    }

    fn restart(&self, _file: &Path, services: &[&str]) -> Result<Captured> {
        self.record(format!("restart {}", services.join(" ")));
        if self.restart_fails {
            return Err(Error::failed(format!(
                "« docker compose restart {} » a échoué : no such service",
                services.join(" ")
            )));
        }
        Ok(Captured {
            stdout: String::new(),
            stderr: " Container compose-prometheus-1  Restarting\n Container compose-prometheus-1  Started"
                .into(),
        })
    }
}

/// Puts the fakes where `preflight` would have put the real clients, with the
/// project's compose file.
pub fn install(
    ctx: &mut crate::runbook::RunContext,
    docker: std::rc::Rc<FakeDocker>,
    compose: std::rc::Rc<FakeCompose>,
) {
    let file = ctx.project.compose_file();
    ctx.put(crate::steps::DockerClient(docker));
    ctx.put(crate::steps::ComposeClient(compose));
    ctx.put(crate::steps::ComposeProject {
        name: "compose".into(),
        file,
    });
}
