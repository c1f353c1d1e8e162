//! Docker Compose through its command line: `docker compose` (v2, preferred)
//! or `docker-compose` (v1, accepted). It validates files, reads the project
//! name, starts, restarts and lists services; it never edits the compose file.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// Which Compose is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// The `docker compose` plugin.
    V2,
    /// The Python `docker-compose`.
    V1,
}

/// The output of a Compose command.
#[derive(Debug, Clone)]
pub struct Captured {
    /// Standard output.
    pub stdout: String,
    /// Standard error (Compose writes its progress there).
    pub stderr: String,
}

impl Captured {
    /// stdout and stderr together, for the journal.
    pub fn combined(&self) -> String {
        let mut s = self.stderr.trim_end().to_string();
        if !self.stdout.trim().is_empty() {
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str(self.stdout.trim_end());
        }
        s
    }
}

/// The Compose operations the steps use.
pub trait Compose {
    /// `docker compose version`, as recorded.
    fn describe(&self) -> String;
    /// The command prefix users would type (`docker compose` or `docker-compose`).
    fn program(&self) -> &'static str;
    /// Validates `file` (`config -q`); the error text on failure.
    fn validate(&self, file: &Path) -> std::result::Result<(), String>;
    /// The project name Compose uses for `file`.
    fn project_name(&self, file: &Path) -> Result<String>;
    /// `up -d <services>`.
    fn up(&self, file: &Path, services: &[&str]) -> Result<Captured>;
    /// `ps <services>`.
    fn ps(&self, file: &Path, services: &[&str]) -> Result<Captured>;
    /// `restart <services>`; a non-zero exit is an error.
    fn restart(&self, file: &Path, services: &[&str]) -> Result<Captured>;
    /// `exec -T <service> <command…>` with `input` on its standard input
    /// (how a secret reaches a container without showing in a command line).
    fn exec_with_input(
        &self,
        file: &Path,
        service: &str,
        command: &[&str],
        input: &str,
    ) -> Result<Captured>;
    /// `exec -T <service> <command…>` with `input` on its standard input; the
    /// exit status and the output whatever the status (a validator's refusal
    /// is an answer, not an error). `Err` only when Compose cannot be launched.
    fn exec_status(
        &self,
        file: &Path,
        service: &str,
        command: &[&str],
        input: &str,
    ) -> Result<(bool, Captured)>;
    /// `run --rm -T --no-deps --entrypoint <entrypoint> <service> <args…>`
    /// with `input` on its standard input: a one-off command in the service's
    /// image (a validator shipped beside the server); status and output.
    fn run_status(
        &self,
        file: &Path,
        service: &str,
        entrypoint: &str,
        args: &[&str],
        input: &str,
    ) -> Result<(bool, Captured)>;
    /// `kill -s <signal> <service>` (SIGHUP: Prometheus and Alertmanager
    /// read their configuration again); a non-zero exit is an error.
    fn signal(&self, file: &Path, service: &str, signal: &str) -> Result<Captured>;
}

/// The CLI implementation.
#[derive(Debug, Clone)]
pub struct ComposeCli {
    flavor: Flavor,
    version: String,
}

fn run(program: &str, args: &[&str], dir: Option<&Path>) -> std::io::Result<(bool, Captured)> {
    run_with_input(program, args, dir, None)
}

/// Runs `program args…` in `dir`, `input` (if any) on its standard input;
/// whether it succeeded and what it printed. Shared with the Swarm adapter.
pub(super) fn run_with_input(
    program: &str,
    args: &[&str],
    dir: Option<&Path>,
    input: Option<&str>,
) -> std::io::Result<(bool, Captured)> {
    super::trace::command(program, args, dir);
    let mut cmd = Command::new(program);
    cmd.args(args);
    // The engine the API client uses, whatever the CLI's own context says.
    if let Ok(e) = super::engine_endpoint::resolve() {
        cmd.env("DOCKER_HOST", &e.host).env_remove("DOCKER_CONTEXT");
    }
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = match input {
        None => cmd.output()?,
        Some(text) => {
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn()?;
            if let Some(mut stdin) = child.stdin.take() {
                std::io::Write::write_all(&mut stdin, text.as_bytes())?;
            }
            child.wait_with_output()?
        }
    };
    let captured = Captured {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    super::trace::command_answer(out.status.success(), &captured.stdout, &captured.stderr);
    Ok((out.status.success(), captured))
}

impl ComposeCli {
    /// Finds Compose: `docker compose` first, then `docker-compose`.
    pub fn detect() -> Result<Self> {
        if let Ok((true, out)) = run("docker", &["compose", "version", "--short"], None) {
            return Ok(ComposeCli {
                flavor: Flavor::V2,
                version: out.stdout.trim().to_string(),
            });
        }
        if let Ok((true, out)) = run("docker-compose", &["version", "--short"], None) {
            return Ok(ComposeCli {
                flavor: Flavor::V1,
                version: out.stdout.trim().to_string(),
            });
        }
        Err(Error::environment("Docker Compose est introuvable (ni « docker compose » ni « docker-compose »)")
            .with_hint(
                "installez le greffon Compose v2 (paquet docker-compose-plugin, ou docker-compose de Debian \
                 trixie) ; docker-compose v1 est aussi accepté",
            ))
    }

    /// The flavor found.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    fn invoke(&self, file: &Path, args: &[&str]) -> std::io::Result<(bool, Captured)> {
        self.invoke_with_input(file, args, None)
    }

    fn invoke_with_input(
        &self,
        file: &Path,
        args: &[&str],
        input: Option<&str>,
    ) -> std::io::Result<(bool, Captured)> {
        let dir = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let file_s = file.to_string_lossy().to_string();
        let mut full: Vec<&str> = Vec::new();
        let program = match self.flavor {
            Flavor::V2 => {
                full.push("compose");
                "docker"
            }
            Flavor::V1 => "docker-compose",
        };
        full.extend(["-f", file_s.as_str()]);
        full.extend(args);
        run_with_input(program, &full, Some(&dir), input)
    }

    /// Runs `<command…> <services…>`; a non-zero exit becomes a French error.
    fn checked(&self, file: &Path, command: &[&str], services: &[&str]) -> Result<Captured> {
        let args: Vec<&str> = command.iter().chain(services).copied().collect();
        match self.invoke(file, &args) {
            Ok((true, out)) => Ok(out),
            Ok((false, out)) => Err(self.failure(&args.join(" "), file, &out)),
            Err(e) => Err(self.launch_error(e)),
        }
    }

    fn failure(&self, what: &str, file: &Path, out: &Captured) -> Error {
        Error::failed(format!(
            "« {} {what} » a échoué : {}",
            self.program(),
            first_error_line(&out.combined())
        ))
        .with_hint(format!(
            "lancez la commande à la main pour voir le détail : cd {} && {} {what}",
            file.parent().unwrap_or(Path::new(".")).display(),
            self.program()
        ))
    }
}

/// The most telling line of a Compose error output.
pub fn first_error_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| {
            let l = l.to_lowercase();
            l.contains("error")
                || l.contains("erreur")
                || l.contains("invalid")
                || l.contains("bind")
        })
        .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("")
        .trim()
        .to_string()
}

impl Compose for ComposeCli {
    fn describe(&self) -> String {
        match self.flavor {
            Flavor::V2 => format!("docker compose {} (v2)", self.version),
            Flavor::V1 => format!("docker-compose {} (v1)", self.version),
        }
    }

    fn program(&self) -> &'static str {
        match self.flavor {
            Flavor::V2 => "docker compose",
            Flavor::V1 => "docker-compose",
        }
    }

    fn validate(&self, file: &Path) -> std::result::Result<(), String> {
        match self.invoke(file, &["config", "-q"]) {
            Ok((true, _)) => Ok(()),
            Ok((false, out)) => Err(out.combined().trim().to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn project_name(&self, file: &Path) -> Result<String> {
        if let Ok(name) = std::env::var("COMPOSE_PROJECT_NAME")
            && !name.trim().is_empty()
        {
            return Ok(name.trim().to_string());
        }
        if self.flavor == Flavor::V2
            && file.is_file()
            && let Ok((true, out)) = self.invoke(file, &["config", "--format", "json"])
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&out.stdout)
            && let Some(name) = v.get("name").and_then(|n| n.as_str())
        {
            return Ok(name.to_string());
        }
        // Compose's default: the folder's name, lowercased, [a-z0-9_-] only.
        let dir = file
            .parent()
            .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf()))
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let name: String = dir
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        Ok(name)
    }

    fn up(&self, file: &Path, services: &[&str]) -> Result<Captured> {
        self.checked(file, &["up", "-d"], services)
    }

    fn ps(&self, file: &Path, services: &[&str]) -> Result<Captured> {
        self.checked(file, &["ps", "-a"], services)
    }

    fn restart(&self, file: &Path, services: &[&str]) -> Result<Captured> {
        self.checked(file, &["restart"], services)
    }

    fn exec_with_input(
        &self,
        file: &Path,
        service: &str,
        command: &[&str],
        input: &str,
    ) -> Result<Captured> {
        match self.exec_status(file, service, command, input)? {
            (true, out) => Ok(out),
            (false, out) => {
                let what = format!("exec -T {service} {}", command.join(" "));
                Err(self.failure(&what, file, &out))
            }
        }
    }

    fn exec_status(
        &self,
        file: &Path,
        service: &str,
        command: &[&str],
        input: &str,
    ) -> Result<(bool, Captured)> {
        let mut args = vec!["exec", "-T", service];
        args.extend(command);
        self.invoke_with_input(file, &args, Some(input))
            .map_err(|e| self.launch_error(e))
    }

    fn run_status(
        &self,
        file: &Path,
        service: &str,
        entrypoint: &str,
        args: &[&str],
        input: &str,
    ) -> Result<(bool, Captured)> {
        let mut full = vec![
            "run",
            "--rm",
            "-T",
            "--no-deps",
            "--entrypoint",
            entrypoint,
            service,
        ];
        full.extend(args);
        self.invoke_with_input(file, &full, Some(input))
            .map_err(|e| self.launch_error(e))
    }

    fn signal(&self, file: &Path, service: &str, signal: &str) -> Result<Captured> {
        self.checked(file, &["kill", "-s", signal], &[service])
    }
}

impl ComposeCli {
    fn launch_error(&self, e: std::io::Error) -> Error {
        Error::environment(format!("lancement de {} impossible : {e}", self.program()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_line_prefers_error_words() {
        let t = "Container x Creating\nError response from daemon: driver failed programming external connectivity: Bind for 0.0.0.0:9090 failed: port is already allocated\n";
        assert!(first_error_line(t).contains("port is already allocated"));
    }
}
