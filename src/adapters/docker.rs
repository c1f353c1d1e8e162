//! The Docker engine, through bollard (API version negotiated; the engine may
//! be as old as API 1.41), at the endpoint `engine_endpoint` resolves (the
//! one the `docker` command would use). Read-only: it lists, inspects and reads logs; it
//! never creates or starts containers (Compose does, see `compose.rs`).

use std::collections::HashMap;

use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptionsBuilder, LogsOptionsBuilder,
};
use futures_util::StreamExt;

use super::engine_endpoint;
use crate::error::{Error, Result};

/// What the engine says about itself.
#[derive(Debug, Clone, Default)]
pub struct EngineInfo {
    /// Engine version, e.g. `20.10.24`.
    pub version: String,
    /// Negotiated API version, e.g. `1.41`.
    pub api_version: String,
    /// Operating system of the host.
    pub os: String,
    /// Kernel version.
    pub kernel: String,
    /// `1` or `2` (empty when unknown).
    pub cgroup_version: String,
    /// `cgroupfs` or `systemd`.
    pub cgroup_driver: String,
    /// Docker root dir, e.g. `/var/lib/docker`.
    pub root_dir: String,
    /// Oldest API version the engine accepts, e.g. `1.44`.
    pub min_api_version: String,
    /// Storage driver, e.g. `overlay2`, `overlayfs`.
    pub storage_driver: String,
    /// Whether images are stored by the containerd snapshotter
    /// (`DriverStatus` `driver-type: io.containerd.snapshotter.v1`).
    pub containerd_store: bool,
}

/// One container as the steps need it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerState {
    /// Full id.
    pub id: String,
    /// Name without the leading slash.
    pub name: String,
    /// Compose service label.
    pub service: String,
    /// Compose project label.
    pub project: String,
    /// Image.
    pub image: String,
    /// `running`, `restarting`, `exited`…
    pub state: String,
    /// Human status (`Up 5 seconds`).
    pub status: String,
    /// Restart count (from inspect).
    pub restart_count: i64,
    /// Health status when a healthcheck exists.
    pub health: Option<String>,
    /// Exit code of the last run.
    pub exit_code: Option<i64>,
    /// Published ports `hôte:conteneur`.
    pub ports: Vec<String>,
    /// Host ports published.
    pub host_ports: Vec<u16>,
    /// When the container was last started (from inspect).
    pub started_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// The id of the image it runs (`sha256:…`, from inspect).
    pub image_id: String,
    /// The registry digest of that image (`repo@sha256:…`), empty for an
    /// image that came from no registry (built or imported locally).
    pub image_digest: String,
}

/// The engine operations the steps use.
pub trait Containers {
    /// Engine version and host facts.
    fn info(&self) -> Result<EngineInfo>;
    /// Containers (running or not) of `services` in compose project `project`.
    fn service_containers(&self, project: &str, services: &[&str]) -> Result<Vec<ContainerState>>;
    /// Every container publishing host port `port`.
    fn publishing(&self, port: u16) -> Result<Vec<ContainerState>>;
    /// Fresh state of one container (restart count, health).
    fn inspect(&self, id: &str) -> Result<ContainerState>;
    /// The last `lines` lines of a container's logs.
    fn logs_tail(&self, id: &str, lines: usize) -> Result<String>;
    /// CPU used by each named container, in cores, as `docker stats` computes
    /// it: the engine reads the cgroup counters twice about a second apart
    /// (all containers at once). Unknown or stopped containers are left out.
    fn cpu_cores(&self, names: &[String]) -> Result<Vec<(String, f64)>>;
}

/// Cores used between the two readings of one `stats` answer.
fn cores_of(s: &bollard::models::ContainerStatsResponse) -> Option<f64> {
    let now = s.cpu_stats.as_ref()?;
    let pre = s.precpu_stats.as_ref()?;
    let used =
        now.cpu_usage.as_ref()?.total_usage? as f64 - pre.cpu_usage.as_ref()?.total_usage? as f64;
    let system = now.system_cpu_usage? as f64 - pre.system_cpu_usage? as f64;
    let cpus = now.online_cpus.filter(|n| *n > 0).or_else(|| {
        now.cpu_usage
            .as_ref()?
            .percpu_usage
            .as_ref()
            .map(|v| v.len() as u32)
    })? as f64;
    (system > 0.0 && used >= 0.0).then(|| used / system * cpus)
}

/// The bollard implementation.
pub struct Docker {
    rt: tokio::runtime::Runtime,
    client: bollard::Docker,
}

/// The engine this run talks to, as the journal records it: the endpoint
/// resolved like the `docker` command (`DOCKER_HOST`, `DOCKER_CONTEXT`, the
/// current context), with how it was chosen; the raw `DOCKER_HOST` or the
/// local socket when it cannot be resolved (the run then stops in preflight).
pub fn endpoint() -> String {
    match engine_endpoint::resolve_with(
        &engine_endpoint::docker_env,
        &engine_endpoint::config_dir(),
    ) {
        Ok(e) => e.recorded(),
        Err(_) => std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| engine_endpoint::LOCAL_SOCKET.into()),
    }
}

fn engine_error(e: bollard::errors::Error) -> Error {
    let text = e.to_string();
    let host =
        engine_endpoint::resolve_with(&engine_endpoint::docker_env, &engine_endpoint::config_dir())
            .map(|e| e.describe())
            .unwrap_or_else(|_| endpoint());
    Error::environment(format!("le moteur Docker ne répond pas ({host})"))
        .with_hint(
            "démarrez le moteur Docker (systemctl start docker, ou dockerd) et vérifiez les droits \
             sur la socket (groupe docker) ; « docker info » doit répondre",
        )
        .with_source(std::io::Error::other(text))
}

/// A compose label of a container (empty when absent).
fn label(labels: &HashMap<String, String>, key: &str) -> String {
    labels.get(key).cloned().unwrap_or_default()
}

/// A container name without Docker's leading slash.
fn bare_name(name: Option<&str>) -> String {
    name.unwrap_or_default().trim_start_matches('/').to_string()
}

impl Docker {
    /// Connects to the engine `docker` would use (`DOCKER_HOST`,
    /// `DOCKER_CONTEXT`, the current context: see `engine_endpoint`; the
    /// ones it cannot reach the same way are refused, exit 3) and negotiates
    /// the API version.
    pub fn connect() -> Result<Self> {
        let endpoint = engine_endpoint::resolve()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::environment(format!("initialisation du client Docker impossible : {e}"))
            })?;
        let client = if endpoint.host.starts_with("unix://") {
            bollard::Docker::connect_with_unix(&endpoint.host, 120, bollard::API_DEFAULT_VERSION)
        } else {
            bollard::Docker::connect_with_http(&endpoint.host, 120, bollard::API_DEFAULT_VERSION)
        }
        .map_err(engine_error)?;
        super::trace::docker(&format!(
            "GET /version (négociation de l'API, {})",
            endpoint.recorded()
        ));
        let client = rt
            .block_on(async {
                tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    client.negotiate_version(),
                )
                .await
            })
            .map_err(|_| {
                Error::environment("le moteur Docker ne répond pas (délai de 10 s dépassé)")
                    .with_hint("vérifiez que dockerd tourne : docker info")
            })?
            .map_err(engine_error)?;
        Ok(Docker { rt, client })
    }

    fn summary_to_state(c: bollard::models::ContainerSummary) -> ContainerState {
        let labels = c.labels.unwrap_or_default();
        let mut ports = Vec::new();
        let mut host_ports = Vec::new();
        for p in c.ports.unwrap_or_default() {
            if let Some(public) = p.public_port {
                let s = format!("{public}:{}", p.private_port);
                if !ports.contains(&s) {
                    ports.push(s);
                }
                if !host_ports.contains(&public) {
                    host_ports.push(public);
                }
            }
        }
        ContainerState {
            id: c.id.unwrap_or_default(),
            name: bare_name(c.names.as_ref().and_then(|n| n.first()).map(String::as_str)),
            service: label(&labels, "com.docker.compose.service"),
            project: label(&labels, "com.docker.compose.project"),
            image: c.image.unwrap_or_default(),
            state: c.state.map(|s| s.to_string()).unwrap_or_default(),
            status: c.status.unwrap_or_default(),
            ports,
            host_ports,
            ..Default::default()
        }
    }

    /// The registry digest of image `id` (the one of `reference`'s
    /// repository when there are several); empty when it has none or cannot
    /// be read (the journal then shows the image id).
    fn image_digest(&self, id: &str, reference: &str) -> String {
        if id.is_empty() {
            return String::new();
        }
        let digests = match self.rt.block_on(self.client.inspect_image(id)) {
            Ok(i) => i.repo_digests.unwrap_or_default(),
            Err(_) => return String::new(),
        };
        let repo = reference.split('@').next().unwrap_or(reference);
        let repo = match repo.rsplit_once(':') {
            Some((r, tag)) if !tag.contains('/') => r,
            _ => repo,
        };
        digests
            .iter()
            .find(|d| d.split('@').next() == Some(repo))
            .or(digests.first())
            .cloned()
            .unwrap_or_default()
    }

    fn list(&self, filters: HashMap<&str, Vec<&str>>) -> Result<Vec<ContainerState>> {
        super::trace::docker(&format!(
            "GET /containers/json?all=true&filters={filters:?}"
        ));
        let opts = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let list = self
            .rt
            .block_on(self.client.list_containers(Some(opts)))
            .map_err(engine_error)?;
        super::trace::docker_answer(|| format!("{} conteneur(s)", list.len()));
        Ok(list.into_iter().map(Self::summary_to_state).collect())
    }
}

impl Containers for Docker {
    fn info(&self) -> Result<EngineInfo> {
        super::trace::docker("GET /info, GET /version");
        let (info, version) = self.rt.block_on(async {
            let info = self.client.info().await;
            let version = self.client.version().await;
            (info, version)
        });
        let info = info.map_err(engine_error)?;
        let version = version.map_err(engine_error)?;
        let containerd_store = info.driver_status.iter().flatten().any(|kv| {
            kv.iter()
                .any(|v| v.starts_with("io.containerd.snapshotter"))
        });
        Ok(EngineInfo {
            min_api_version: version.min_api_version.unwrap_or_default(),
            storage_driver: info.driver.unwrap_or_default(),
            containerd_store,
            version: version.version.or(info.server_version).unwrap_or_default(),
            api_version: version.api_version.unwrap_or_default(),
            os: info.operating_system.unwrap_or_default(),
            kernel: info.kernel_version.unwrap_or_default(),
            cgroup_version: info
                .cgroup_version
                .map(|v| v.to_string())
                .unwrap_or_default(),
            cgroup_driver: info
                .cgroup_driver
                .map(|v| v.to_string())
                .unwrap_or_default(),
            root_dir: info.docker_root_dir.unwrap_or_default(),
        })
    }

    fn service_containers(&self, project: &str, services: &[&str]) -> Result<Vec<ContainerState>> {
        let project_label = format!("com.docker.compose.project={project}");
        let mut filters = HashMap::new();
        filters.insert("label", vec![project_label.as_str()]);
        let mut all = self.list(filters)?;
        all.retain(|c| services.contains(&c.service.as_str()));
        let mut out = Vec::new();
        for c in all {
            let mut full = self.inspect(&c.id)?;
            full.image_digest = self.image_digest(&full.image_id, &full.image);
            full.ports = c.ports;
            full.host_ports = c.host_ports;
            full.status = c.status;
            out.push(full);
        }
        out.sort_by_key(|c| services.iter().position(|s| *s == c.service));
        Ok(out)
    }

    fn publishing(&self, port: u16) -> Result<Vec<ContainerState>> {
        let mut filters = HashMap::new();
        filters.insert("status", vec!["running", "restarting", "created"]);
        let mut all = self.list(filters)?;
        all.retain(|c| c.host_ports.contains(&port));
        Ok(all)
    }

    fn inspect(&self, id: &str) -> Result<ContainerState> {
        super::trace::docker(&format!("GET /containers/{id}/json"));
        let r = self
            .rt
            .block_on(
                self.client
                    .inspect_container(id, None::<InspectContainerOptions>),
            )
            .map_err(|e| match e {
                bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                } => Error::failed(format!("le conteneur « {id} » n'existe plus"))
                    .with_hint("relancez : journal run partie-6"),
                other => engine_error(other),
            })?;
        let labels = r
            .config
            .as_ref()
            .and_then(|c| c.labels.clone())
            .unwrap_or_default();
        let state = r.state.clone().unwrap_or_default();
        Ok(ContainerState {
            id: r.id.clone().unwrap_or_default(),
            name: bare_name(r.name.as_deref()),
            service: label(&labels, "com.docker.compose.service"),
            project: label(&labels, "com.docker.compose.project"),
            image: r
                .config
                .as_ref()
                .and_then(|c| c.image.clone())
                .unwrap_or_default(),
            state: state.status.map(|s| s.to_string()).unwrap_or_default(),
            status: String::new(),
            restart_count: r.restart_count.unwrap_or(0),
            health: state
                .health
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty() && s != "none"),
            exit_code: state.exit_code,
            image_id: r.image.clone().unwrap_or_default(),
            image_digest: String::new(),
            ports: Vec::new(),
            host_ports: Vec::new(),
            started_at: state
                .started_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .filter(|t| t.timestamp() > 0),
        })
    }

    fn cpu_cores(&self, names: &[String]) -> Result<Vec<(String, f64)>> {
        let opts = || {
            bollard::query_parameters::StatsOptionsBuilder::default()
                .stream(false)
                .one_shot(false)
                .build()
        };
        for n in names {
            super::trace::docker(&format!("GET /containers/{n}/stats?stream=false"));
        }
        let answers = self
            .rt
            .block_on(futures_util::future::join_all(names.iter().map(
                |n| async move {
                    let mut s = Box::pin(self.client.stats(n, Some(opts())));
                    (n.clone(), s.next().await)
                },
            )));
        Ok(answers
            .into_iter()
            .filter_map(|(n, r)| Some((n, cores_of(&r?.ok()?)?)))
            .collect())
    }

    fn logs_tail(&self, id: &str, lines: usize) -> Result<String> {
        let opts = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .tail(&lines.to_string())
            .build();
        super::trace::docker(&format!("GET /containers/{id}/logs?tail={lines}"));
        let chunks: Vec<_> = self
            .rt
            .block_on(self.client.logs(id, Some(opts)).collect::<Vec<_>>());
        let mut out = String::new();
        for c in chunks {
            match c {
                Ok(line) => out.push_str(&line.to_string()),
                Err(e) => return Err(engine_error(e)),
            }
        }
        Ok(out)
    }
}
