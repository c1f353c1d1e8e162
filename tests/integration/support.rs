//! Test helpers: a temporary copy of a fixture project, and a small builder
//! that runs the `journal` binary in it (arguments, standard input,
//! environment) and captures stdout, stderr and the exit code.
//!
//! It only runs the binary; assertions live in the test modules.

#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use journal::store::{self, Entry, StepStatus};

/// A temporary project, removed when dropped.
pub struct Projet {
    dir: tempfile::TempDir,
}

impl Projet {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        assert!(src.is_dir(), "fixture absente : {}", src.display());
        let p = Projet::empty();
        copy_dir(&src, p.path());
        p
    }

    /// An empty project folder.
    pub fn empty() -> Self {
        Projet {
            dir: tempfile::Builder::new()
                .prefix("journal-test-")
                .tempdir()
                .unwrap(),
        }
    }

    /// The project root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `journal/`.
    pub fn journal_dir(&self) -> PathBuf {
        self.path().join("journal")
    }

    /// `book/html/`.
    pub fn html(&self) -> PathBuf {
        self.path().join("book/html")
    }

    /// A command `journal --projet <root> <args…>`.
    pub fn journal(&self) -> Run {
        Run::new().arg("--projet").arg(self.path())
    }

    /// Names of the `.md` files directly under `journal/`, sorted.
    pub fn entry_files(&self) -> Vec<String> {
        let mut v: Vec<String> = match fs::read_dir(self.journal_dir()) {
            Ok(rd) => rd
                .filter_map(|d| d.ok())
                .map(|d| d.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".md"))
                .collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        v
    }

    /// Every file name under `journal/` (hidden ones included), sorted.
    pub fn all_journal_files(&self) -> Vec<String> {
        let mut v: Vec<String> = match fs::read_dir(self.journal_dir()) {
            Ok(rd) => rd
                .filter_map(|d| d.ok())
                .map(|d| d.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        v
    }
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// A run of the binary being prepared.
pub struct Run {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

/// What a finished run gave.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Outcome {
    /// Panics with both streams unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "code de sortie inattendu\n{self}");
        self
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "code : {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    /// `journal` with a clean environment (no colour, no editor, no project
    /// from the environment).
    pub fn new() -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_journal"));
        cmd.env("NO_COLOR", "1")
            .env_remove("JOURNAL_PROJET")
            .env_remove("JOURNAL_HORLOGE")
            .env_remove("JOURNAL_AUTEUR")
            .env_remove("EDITOR")
            .env_remove("VISUAL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        Run { cmd, stdin: None }
    }

    /// Adds an argument.
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(a);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(k, v);
        self
    }

    /// Runs in folder `dir` (project discovery starts there).
    pub fn in_dir(mut self, dir: &Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    /// Sends `text` on standard input.
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.as_bytes().to_vec());
        self.cmd.stdin(Stdio::piped());
        self
    }

    /// Runs the child as another user (tests running as root).
    pub fn run_as(mut self, uid: u32, gid: u32) -> Self {
        self.cmd.uid(uid).gid(gid);
        self
    }

    /// Starts the process without waiting.
    pub fn spawn(mut self) -> Spawned {
        let mut child = self.cmd.spawn().expect("lancement de journal");
        if let Some(input) = self.stdin.take() {
            let mut si = child.stdin.take().unwrap();
            si.write_all(&input).unwrap();
        }
        Spawned { child }
    }

    /// Runs to completion.
    pub fn run(self) -> Outcome {
        self.spawn().wait()
    }
}

impl Default for Run {
    fn default() -> Self {
        Self::new()
    }
}

/// A started process.
pub struct Spawned {
    child: Child,
}

impl Spawned {
    /// The child's process id (to send it a signal).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the end and captures the output.
    pub fn wait(self) -> Outcome {
        let out = self.child.wait_with_output().expect("attente de journal");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Whether this process runs as root (from `/proc/self/status`).
pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// The newest execution entry of a project (its journal holds no invalid entry).
pub fn latest_run(p: &Projet) -> Entry {
    let (entries, errors) = store::Store::new(p.journal_dir()).load().unwrap();
    assert!(errors.is_empty(), "entrées invalides : {errors:?}");
    entries
        .into_iter()
        .rfind(|e| e.front.kind == store::EntryKind::Execution)
        .expect("une entrée d'exécution")
}

/// The status of step `id` in a run entry.
pub fn step_status(e: &Entry, id: &str) -> StepStatus {
    e.front
        .etapes
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("étape {id} absente de {}", e.path.display()))
        .statut
}
