//! TEST FIXTURE standing in for cAdvisor v0.47.2 (which cannot be obtained on
//! the bench machine). Serves `GET /metrics` in the Prometheus text format,
//! shaped like cAdvisor's output, with real data: the running containers come
//! from the Docker socket, CPU and memory from the cgroup filesystem.
//!
//! Environment:
//!   CADVISOR_STANDIN_ADDR   listen address (default 0.0.0.0:8080)
//!   DOCKER_SOCKET           Docker socket (default: the daemon that runs this
//!                           container among /var/run/journal-swarm/*/docker.sock,
//!                           else /var/run/docker.sock)
//!   CADVISOR_STANDIN_CGROUP cgroup root to use first (default: /sys/fs/cgroup, then /rootfs/sys/fs/cgroup)
//!   CADVISOR_STANDIN_PROC   host /proc used for network counters (default /rootfs/proc)
//!   CADVISOR_STANDIN_MODE   `unnamed`: behave like cAdvisor v0.47.2 on Docker
//!                           Engine 29 (its Docker factory refused), i.e. export
//!                           the containers only as bare cgroups
//!                           `/system.slice/docker-<id>.scope`, without `name`,
//!                           `image` or `container_label_*` values (the image
//!                           local/cadvisor-unnamed:bench sets it)

use journal_bench_standins::{
    exchange, exit_on_sigterm, go_float, now_millis, now_secs, parse_rfc3339, serve, Request,
    Response,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

fn env_or(k: &str, d: &str) -> String {
    std::env::var(k)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| d.to_string())
}

fn get_on(sock: &str, path: &str) -> Result<Value, String> {
    let s = UnixStream::connect(sock).map_err(|e| format!("connect {sock}: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: cadvisor-standin\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    let resp = exchange(s, req.as_bytes()).map_err(|e| format!("GET {path}: {e}"))?;
    if resp.status != 200 {
        return Err(format!("GET {path}: HTTP {}", resp.status));
    }
    serde_json::from_slice(&resp.body).map_err(|e| format!("GET {path}: {e}"))
}

/// The Docker socket of this node. The bench's extra swarm nodes are
/// `dockerd`s in network namespaces of one machine: they share its
/// filesystem, so the `/var/run` every cAdvisor task mounts holds the host's
/// socket, not its own node's. A real cAdvisor on a real node sees its own
/// daemon; to behave the same, the stand-in asks each bench daemon whether
/// it runs this container (Docker sets the hostname to the short ID).
fn socket() -> &'static str {
    static SOCKET: OnceLock<String> = OnceLock::new();
    SOCKET.get_or_init(|| {
        if let Ok(s) = std::env::var("DOCKER_SOCKET") {
            if !s.is_empty() {
                return s;
            }
        }
        let fallback = "/var/run/docker.sock".to_string();
        let me = fs::read_to_string("/etc/hostname")
            .unwrap_or_default()
            .trim()
            .to_string();
        let mut candidates: Vec<String> = fs::read_dir("/var/run/journal-swarm")
            .map(|d| {
                d.flatten()
                    .map(|e| e.path().join("docker.sock").to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        candidates.sort();
        if me.is_empty() || candidates.is_empty() {
            return fallback;
        }
        candidates.push(fallback.clone());
        let found = candidates
            .into_iter()
            .find(|c| get_on(c, &format!("/containers/{me}/json")).is_ok())
            .unwrap_or(fallback);
        eprintln!("I cadvisor-standin: Docker socket of this node: {found}");
        found
    })
}

fn docker_get(path: &str) -> Result<Value, String> {
    get_on(socket(), path)
}

struct Container {
    id: String,
    name: String,
    image: String,
    labels: BTreeMap<String, String>,
    pid: i64,
    started: Option<f64>,
}

fn list_containers() -> Vec<Container> {
    let list = match docker_get("/containers/json") {
        Ok(Value::Array(a)) => a,
        Ok(_) => return vec![],
        Err(e) => {
            eprintln!("W cadvisor-standin: docker: {e}");
            return vec![];
        }
    };
    let mut out = Vec::new();
    for c in list {
        let id = c["Id"].as_str().unwrap_or("").to_string();
        if id.is_empty() {
            continue;
        }
        let name = c["Names"]
            .as_array()
            .and_then(|a| a.first())
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .trim_start_matches('/')
            .to_string();
        let mut image = c["Image"].as_str().unwrap_or("").to_string();
        let labels: BTreeMap<String, String> = c["Labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let mut pid = 0;
        let mut started = None;
        if let Ok(ins) = docker_get(&format!("/containers/{id}/json")) {
            pid = ins["State"]["Pid"].as_i64().unwrap_or(0);
            started = ins["State"]["StartedAt"].as_str().and_then(parse_rfc3339);
            if let Some(i) = ins["Config"]["Image"].as_str() {
                if !i.is_empty() {
                    image = i.to_string();
                }
            }
        }
        if started.is_none() {
            started = c["Created"].as_f64();
        }
        out.push(Container {
            id,
            name,
            image,
            labels,
            pid,
            started,
        });
    }
    out
}

fn read_num(p: &Path) -> Option<f64> {
    fs::read_to_string(p).ok()?.trim().parse::<f64>().ok()
}

fn read_kv(p: &Path) -> BTreeMap<String, f64> {
    fs::read_to_string(p)
        .map(|s| {
            s.lines()
                .filter_map(|l| {
                    let mut it = l.split_whitespace();
                    Some((it.next()?.to_string(), it.next()?.parse().ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Default)]
struct Stats {
    id_label: String,
    cpu_seconds: Option<f64>,
    mem_usage: Option<f64>,
    working_set: Option<f64>,
    rss: Option<f64>,
    cache: Option<f64>,
}

fn cgroup_roots() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(r) = std::env::var("CADVISOR_STANDIN_CGROUP") {
        if !r.is_empty() {
            v.push(PathBuf::from(r));
        }
    }
    v.push(PathBuf::from("/sys/fs/cgroup"));
    v.push(PathBuf::from("/rootfs/sys/fs/cgroup"));
    v
}

/// cgroup v1 controller directory (`cpuacct` may be mounted as `cpu,cpuacct`).
fn v1_controller(root: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| root.join(n)).find(|p| p.is_dir())
}

fn is_unified(root: &Path) -> bool {
    root.join("cgroup.controllers").is_file()
}

/// Stats for a cgroup given relative to the hierarchy root ("" for the root).
fn stats_for(root: &Path, rel: &str) -> Option<Stats> {
    let relp = rel.trim_start_matches('/');
    let mut st = Stats {
        id_label: if rel.is_empty() {
            "/".into()
        } else {
            rel.to_string()
        },
        ..Default::default()
    };
    if is_unified(root) {
        let dir = if relp.is_empty() {
            root.to_path_buf()
        } else {
            root.join(relp)
        };
        if !dir.is_dir() {
            return None;
        }
        st.cpu_seconds = read_kv(&dir.join("cpu.stat"))
            .get("usage_usec")
            .map(|u| u / 1e6);
        st.mem_usage = read_num(&dir.join("memory.current"));
        let ms = read_kv(&dir.join("memory.stat"));
        if let (Some(u), Some(inact)) = (st.mem_usage, ms.get("inactive_file")) {
            st.working_set = Some((u - inact).max(0.0));
        } else {
            st.working_set = st.mem_usage;
        }
        st.rss = ms.get("anon").copied();
        st.cache = ms.get("file").copied();
        return Some(st);
    }
    let cpu = v1_controller(root, &["cpuacct", "cpu,cpuacct", "cpuacct,cpu"]).map(|c| c.join(relp));
    let mem = v1_controller(root, &["memory"]).map(|c| c.join(relp));
    let cpu = cpu.filter(|p| p.is_dir());
    let mem = mem.filter(|p| p.is_dir());
    if cpu.is_none() && mem.is_none() {
        return None;
    }
    if let Some(c) = cpu {
        st.cpu_seconds = read_num(&c.join("cpuacct.usage")).map(|ns| ns / 1e9);
    }
    if let Some(m) = mem {
        st.mem_usage = read_num(&m.join("memory.usage_in_bytes"));
        let ms = read_kv(&m.join("memory.stat"));
        let inact = ms
            .get("total_inactive_file")
            .or(ms.get("inactive_file"))
            .copied();
        st.working_set = match (st.mem_usage, inact) {
            (Some(u), Some(i)) => Some((u - i).max(0.0)),
            (u, _) => u,
        };
        st.rss = ms.get("total_rss").or(ms.get("rss")).copied();
        st.cache = ms.get("total_cache").or(ms.get("cache")).copied();
    }
    Some(st)
}

fn container_stats(id: &str) -> Option<Stats> {
    let rels = [
        format!("/system.slice/docker-{id}.scope"),
        format!("/docker/{id}"),
        format!("/docker.slice/docker-{id}.scope"),
    ];
    for root in cgroup_roots() {
        for rel in &rels {
            if let Some(s) = stats_for(&root, rel) {
                return Some(s);
            }
        }
    }
    None
}

fn root_stats() -> Option<Stats> {
    cgroup_roots()
        .into_iter()
        .find(|r| r.is_dir())
        .and_then(|r| stats_for(&r, ""))
}

/// (rx_bytes, tx_bytes) per interface, from the host's /proc/<pid>/net/dev.
fn net_stats(pid: i64) -> Vec<(String, f64, f64)> {
    if pid <= 0 {
        return vec![];
    }
    let proc_root = env_or("CADVISOR_STANDIN_PROC", "/rootfs/proc");
    let text = match fs::read_to_string(format!("{proc_root}/{pid}/net/dev")) {
        Ok(t) => t,
        Err(_) => return vec![],
    };
    text.lines()
        .skip(2)
        .filter_map(|l| {
            let (iface, rest) = l.split_once(':')?;
            let iface = iface.trim();
            if iface == "lo" {
                return None;
            }
            let f: Vec<f64> = rest
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            if f.len() < 9 {
                return None;
            }
            Some((iface.to_string(), f[0], f[8]))
        })
        .collect()
}

fn sanitize_label(k: &str) -> String {
    k.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn fmt_labels(labels: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", parts.join(","))
}

struct Family {
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    samples: Vec<String>,
}

fn metrics() -> String {
    let ts = now_millis();
    let now = now_secs();
    let containers = list_containers();
    let unnamed = std::env::var("CADVISOR_STANDIN_MODE").is_ok_and(|m| m == "unnamed");

    // Union of the label names over every container (cAdvisor rule).
    let mut names: BTreeSet<String> = ["id", "image", "name"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in containers.iter().filter(|_| !unnamed) {
        for k in c.labels.keys() {
            names.insert(format!("container_label_{}", sanitize_label(k)));
        }
    }
    let base = |id: &str, c: Option<&Container>| -> BTreeMap<String, String> {
        let mut m: BTreeMap<String, String> =
            names.iter().map(|n| (n.clone(), String::new())).collect();
        m.insert("id".into(), id.into());
        if let Some(c) = c.filter(|_| !unnamed) {
            m.insert("image".into(), c.image.clone());
            m.insert("name".into(), c.name.clone());
            for (k, v) in &c.labels {
                m.insert(format!("container_label_{}", sanitize_label(k)), v.clone());
            }
        }
        m
    };

    let mut cpu = Family {
        name: "container_cpu_usage_seconds_total",
        help: "Cumulative cpu time consumed in seconds.",
        kind: "counter",
        samples: vec![],
    };
    let mut last_seen = Family {
        name: "container_last_seen",
        help: "Last time a container was seen by the exporter",
        kind: "gauge",
        samples: vec![],
    };
    let mut cache = Family {
        name: "container_memory_cache",
        help: "Number of bytes of page cache memory.",
        kind: "gauge",
        samples: vec![],
    };
    let mut rss = Family {
        name: "container_memory_rss",
        help: "Size of RSS in bytes.",
        kind: "gauge",
        samples: vec![],
    };
    let mut usage = Family {
        name: "container_memory_usage_bytes",
        help:
            "Current memory usage in bytes, including all memory regardless of when it was accessed",
        kind: "gauge",
        samples: vec![],
    };
    let mut ws = Family {
        name: "container_memory_working_set_bytes",
        help: "Current working set in bytes.",
        kind: "gauge",
        samples: vec![],
    };
    let mut rx = Family {
        name: "container_network_receive_bytes_total",
        help: "Cumulative count of bytes received",
        kind: "counter",
        samples: vec![],
    };
    let mut tx = Family {
        name: "container_network_transmit_bytes_total",
        help: "Cumulative count of bytes transmitted",
        kind: "counter",
        samples: vec![],
    };
    let mut start = Family {
        name: "container_start_time_seconds",
        help: "Start time of the container since unix epoch in seconds.",
        kind: "gauge",
        samples: vec![],
    };

    let mut emit_stats = |st: &Stats, labels: &BTreeMap<String, String>| {
        let l = fmt_labels(labels);
        if let Some(v) = st.cpu_seconds {
            let mut lc = labels.clone();
            lc.insert("cpu".into(), "total".into());
            cpu.samples.push(format!(
                "{}{} {} {ts}",
                cpu.name,
                fmt_labels(&lc),
                go_float(v)
            ));
        }
        last_seen.samples.push(format!(
            "{}{l} {} {ts}",
            last_seen.name,
            go_float(now.floor())
        ));
        for (fam, v) in [
            (&mut cache, st.cache),
            (&mut rss, st.rss),
            (&mut usage, st.mem_usage),
            (&mut ws, st.working_set),
        ] {
            if let Some(v) = v {
                fam.samples
                    .push(format!("{}{l} {} {ts}", fam.name, go_float(v)));
            }
        }
    };

    if let Some(st) = root_stats() {
        let labels = base("/", None);
        emit_stats(&st, &labels);
    }
    let mut per_container = Vec::new();
    for c in &containers {
        let st = container_stats(&c.id).unwrap_or(Stats {
            id_label: format!("/docker/{}", c.id),
            ..Default::default()
        });
        let id_label = if unnamed {
            format!("/system.slice/docker-{}.scope", c.id)
        } else {
            st.id_label.clone()
        };
        let labels = base(&id_label, Some(c));
        emit_stats(&st, &labels);
        per_container.push((c, labels));
    }
    for (c, labels) in &per_container {
        for (iface, r, t) in net_stats(c.pid) {
            let mut li = labels.clone();
            li.insert("interface".into(), iface);
            let l = fmt_labels(&li);
            rx.samples
                .push(format!("{}{l} {} {ts}", rx.name, go_float(r)));
            tx.samples
                .push(format!("{}{l} {} {ts}", tx.name, go_float(t)));
        }
        if let Some(s) = c.started {
            start.samples.push(format!(
                "{}{} {}",
                start.name,
                fmt_labels(labels),
                go_float(s.floor())
            ));
        }
    }

    let mut out = String::new();
    // cadvisor_version_info
    let docker_version = docker_get("/version")
        .ok()
        .and_then(|v| v["Version"].as_str().map(String::from))
        .unwrap_or_default();
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_string();
    let mut vi = BTreeMap::new();
    vi.insert("cadvisorRevision".to_string(), "standin".to_string());
    vi.insert("cadvisorVersion".to_string(), "v0.47.2".to_string());
    vi.insert("dockerVersion".to_string(), docker_version);
    vi.insert("kernelVersion".to_string(), kernel);
    vi.insert(
        "osVersion".to_string(),
        "journal-bench stand-in".to_string(),
    );
    out.push_str("# HELP cadvisor_version_info A metric with a constant '1' value labeled by kernel version, OS version, docker version, cadvisor version & cadvisor revision.\n# TYPE cadvisor_version_info gauge\n");
    out.push_str(&format!("cadvisor_version_info{} 1\n", fmt_labels(&vi)));

    for fam in [cpu, last_seen, cache, rss, usage, ws, rx, tx, start] {
        if fam.samples.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "# HELP {} {}\n# TYPE {} {}\n",
            fam.name, fam.help, fam.name, fam.kind
        ));
        for s in fam.samples {
            out.push_str(&s);
            out.push('\n');
        }
    }

    // machine_memory_bytes
    let mem_total = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<f64>().ok())
                })
        })
        .map(|kb| kb * 1024.0);
    if let Some(mt) = mem_total {
        let first = |paths: &[&str]| -> String {
            paths
                .iter()
                .find_map(|p| {
                    fs::read_to_string(p)
                        .ok()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                })
                .unwrap_or_default()
        };
        let mut ml = BTreeMap::new();
        ml.insert(
            "boot_id".to_string(),
            first(&["/proc/sys/kernel/random/boot_id"]),
        );
        ml.insert(
            "machine_id".to_string(),
            first(&[
                "/rootfs/etc/machine-id",
                "/etc/machine-id",
                "/rootfs/var/lib/dbus/machine-id",
            ]),
        );
        ml.insert(
            "system_uuid".to_string(),
            first(&["/sys/class/dmi/id/product_uuid"]),
        );
        out.push_str("# HELP machine_memory_bytes Amount of memory installed on the machine.\n# TYPE machine_memory_bytes gauge\n");
        out.push_str(&format!(
            "machine_memory_bytes{} {}\n",
            fmt_labels(&ml),
            go_float(mt)
        ));
    }
    out
}

fn handle(req: &Request) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET" | "HEAD", "/metrics") => {
            Response::new(200, "text/plain; version=0.0.4; charset=utf-8", metrics())
        }
        ("GET" | "HEAD", "/healthz") => Response::text(200, "ok"),
        ("GET" | "HEAD", "/") => Response::new(
            307,
            "text/html; charset=utf-8",
            "<a href=\"/containers/\">Temporary Redirect</a>.\n",
        )
        .with_header("Location", "/containers/"),
        _ => Response::text(404, "404 page not found\n"),
    }
}

fn main() {
    exit_on_sigterm();
    let addr = env_or("CADVISOR_STANDIN_ADDR", "0.0.0.0:8080");
    eprintln!(
        "I cadvisor-standin: test fixture standing in for cAdvisor v0.47.2, listening on {addr}"
    );
    serve(&addr, Arc::new(handle), false)
}
