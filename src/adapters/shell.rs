//! The shell of a runbook's `journal:commande` blocks: `sh -c <script>` in
//! the project's folder, its output (stdout then stderr) captured, stopped
//! (SIGKILL) when it outlives its time limit. Only `journal run` reaches it.
//!
//! The child stays in journal's process group, so a Ctrl-C in the terminal
//! stops it too, and it is killed if journal dies first (SIGTERM, SIGHUP:
//! the engine records the step « interrompu » and exits) — never left
//! running behind. It does not interpret the output: the step does.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellOutput {
    /// Its exit status; `None` when stopped by a signal or the time limit.
    pub code: Option<i32>,
    /// Its standard output, then its standard error.
    pub output: String,
    /// Stopped because it outlived its time limit.
    pub timed_out: bool,
}

/// What the command steps need from a shell.
pub trait Shell {
    /// Runs `script` with `sh -c` in `dir`, at most `limit`.
    fn run(&self, script: &str, dir: &Path, limit: Duration) -> Result<ShellOutput>;
}

/// The system's `/bin/sh`.
pub struct SystemShell;

impl Shell for SystemShell {
    fn run(&self, script: &str, dir: &Path, limit: Duration) -> Result<ShellOutput> {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: prctl is async-signal-safe and touches no memory of the
        // parent; it only asks the kernel to kill the child when journal dies.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|e| {
            Error::environment(format!(
                "impossible de lancer sh : {}",
                crate::error::french_io(&e)
            ))
            .with_hint("journal lance les commandes des runbooks avec /bin/sh")
        })?;
        let reader = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut buf);
                }
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let out = reader(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err = reader(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let start = Instant::now();
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if start.elapsed() >= limit => {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().map_err(|e| {
                        Error::environment(format!(
                            "commande arrêtée sans statut : {}",
                            crate::error::french_io(&e)
                        ))
                    })?;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    return Err(Error::environment(format!(
                        "statut de la commande illisible : {}",
                        crate::error::french_io(&e)
                    )));
                }
            }
        };
        let mut output = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        if !stderr.is_empty() {
            if !output.is_empty() && !output.ends_with('\n') {
                output.push('\n');
            }
            output.push_str(&stderr);
        }
        Ok(ShellOutput {
            code: if timed_out { None } else { status.code() },
            output,
            timed_out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_status_and_time_limit() {
        let dir = tempfile::tempdir().unwrap();
        let sh = SystemShell;
        let r = sh
            .run(
                "echo un; echo deux >&2; exit 3",
                dir.path(),
                Duration::from_secs(10),
            )
            .unwrap();
        assert_eq!(r.code, Some(3));
        assert_eq!(r.output, "un\ndeux\n");
        assert!(!r.timed_out);
        let r = sh
            .run(
                "echo avant; sleep 5",
                dir.path(),
                Duration::from_millis(200),
            )
            .unwrap();
        assert!(r.timed_out);
        assert_eq!(r.code, None);
    }
}
