//! The host itself, as the steps need it: whether a TCP port is free, which
//! process listens on it (from `/proc`, Linux, best effort) and whether a
//! device file exists. Read-only: it binds a port only to test it and lets
//! it go at once.

use std::path::Path;

/// What the steps ask of the host.
pub trait Host {
    /// Whether nothing listens on `port` (all addresses).
    fn port_is_free(&self, port: u16) -> bool;
    /// The process listening on `port`: pid and command name.
    fn process_on_port(&self, port: u16) -> Option<(u32, String)>;
    /// Whether `path` exists on the host (e.g. `/dev/kmsg`).
    fn path_exists(&self, path: &Path) -> bool;
}

/// The machine this process runs on.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalHost;

impl Host for LocalHost {
    fn port_is_free(&self, port: u16) -> bool {
        std::net::TcpListener::bind(("0.0.0.0", port)).is_ok()
    }

    fn process_on_port(&self, port: u16) -> Option<(u32, String)> {
        let inodes = listening_inodes(port);
        if inodes.is_empty() {
            return None;
        }
        owner_of(&inodes)
    }

    fn path_exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

/// This machine's name (`/proc/sys/kernel/hostname`, else `HOSTNAME`).
pub fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// The login name of the user running the command (`USER`, else `LOGNAME`).
pub fn login_name() -> Option<String> {
    std::env::var("USER")
        .ok()
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|u| !u.trim().is_empty())
}

/// The socket inodes (`socket:[N]`) listening on `port`, from /proc/net.
fn listening_inodes(port: u16) -> Vec<String> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 10 || cols[3] != "0A" {
                continue;
            }
            let local_port = cols[1]
                .rsplit(':')
                .next()
                .and_then(|h| u16::from_str_radix(h, 16).ok());
            if local_port == Some(port) {
                inodes.push(format!("socket:[{}]", cols[9]));
            }
        }
    }
    inodes
}

/// The first process holding one of `inodes` open.
fn owner_of(inodes: &[String]) -> Option<(u32, String)> {
    for proc_entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = proc_entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(proc_entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path())
                && inodes.iter().any(|i| Path::new(i) == target)
            {
                let name = std::fs::read_to_string(proc_entry.path().join("comm"))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_else(|_| "?".into());
                return Some((pid, name));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_port_is_not_free_and_its_process_is_found() {
        let l = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert!(!LocalHost.port_is_free(port));
        let (pid, _) = LocalHost.process_on_port(port).expect("our own process");
        assert_eq!(pid, std::process::id());
    }
}
