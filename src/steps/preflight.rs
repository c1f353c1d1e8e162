//! Step `preflight`: checks what the part needs before touching anything —
//! the Docker engine (version recorded), Compose (which one), the compose
//! file's syntax, the host ports 9090 and 8084, and the host facts cAdvisor
//! cares about (cgroup version, /dev/kmsg, Docker root dir) as warnings.
//! It changes nothing, even outside `--dry-run`.

use std::path::Path;
use std::rc::Rc;

use crate::adapters::compose::{Compose, ComposeCli};
use crate::adapters::docker::{Containers, EngineInfo};
use crate::adapters::host::{Host, LocalHost};
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::Table;
use crate::steps::{ComposeClient, ComposeProject, DockerClient, PART6_SERVICES};

/// Vérifications préalables.
pub struct Preflight;

/// A host port a part publishes, with the service and mapping that use it.
pub(crate) struct PortUse {
    pub(crate) port: u16,
    pub(crate) service: &'static str,
    pub(crate) mapping: &'static str,
    /// The step that writes the mapping (« étape 2 »).
    pub(crate) step: &'static str,
}

const PORTS: [PortUse; 2] = [
    PortUse {
        port: 9090,
        service: "prometheus",
        mapping: "9090:9090",
        step: "étape 2",
    },
    PortUse {
        port: 8084,
        service: "grafana",
        mapping: "8084:3000",
        step: "étape 2",
    },
];

impl Step for Preflight {
    fn id(&self) -> &'static str {
        "preflight"
    }

    fn title(&self) -> &'static str {
        "Vérifications préalables"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut warnings = Vec::new();

        let file = ctx.project.compose_file();
        let shown = ctx.project.display(&file);
        let src = crate::store::read_optional(&file)?;
        match &src {
            Some(text) => {
                // Syntax, and container names the part needs but another
                // service already uses: refused before anything is touched.
                let additions = crate::steps::compose_services::additions(ctx)?;
                crate::compose_file::precheck(text, &additions).map_err(|e| {
                    let e: Error = e.into();
                    let msg = format!("{shown} : {}", e.message());
                    let hint = e.hint().map(str::to_string);
                    let mut err = Error::usage(msg);
                    if let Some(h) = hint {
                        err = err.with_hint(h);
                    }
                    StepFailure::from(err)
                })?;
                rows.push((
                    "Fichier Compose".into(),
                    format!("{shown} : syntaxe YAML valide"),
                ));
            }
            None => rows.push((
                "Fichier Compose".into(),
                format!("{shown} absent : il sera créé à l'étape 2"),
            )),
        }
        let (docker, info) = crate::steps::kit::engine::connect()?;
        rows.push((
            "Moteur Docker".into(),
            format!("{} (API {}), {}", info.version, info.api_version, info.os),
        ));
        let compose = ComposeCli::detect()?;
        let compose_desc = compose.describe();
        rows.push(("Docker Compose".into(), compose.describe()));

        let project_name = compose.project_name(&file)?;
        rows.push(("Projet Compose".into(), format!("« {project_name} »")));

        for p in &PORTS {
            let verdict = check_port(
                &LocalHost,
                &docker,
                p,
                (&project_name, &PART6_SERVICES),
                src.as_deref(),
                &shown,
            )?;
            rows.push((format!("Port {} de l'hôte", p.port), verdict));
        }

        host_facts(&LocalHost, &info, &mut rows, &mut warnings);

        ctx.put(DockerClient(Rc::new(docker)));
        ctx.put(ComposeClient(Rc::new(compose)));
        ctx.put(ComposeProject {
            name: project_name,
            file,
        });

        let table = checks_table(&rows);
        let summary = format!(
            "Docker {} et {} disponibles, ports 9090 et 8084 utilisables",
            info.version, compose_desc
        );
        // Both ports held by this stack's own containers: the part was
        // deployed by an earlier run, and these checks have nothing new to say.
        let deployed = rows
            .iter()
            .filter(|(k, v)| k.starts_with("Port ") && v.starts_with("déjà tenu"))
            .count()
            == PORTS.len();
        let mut report = if deployed {
            StepReport::already_done(format!("{summary} ; la pile de supervision tourne déjà"))
        } else {
            StepReport::done(summary)
        }
        .command("docker info && docker compose version && ss -ltnp '( sport = :9090 or sport = :8084 )'")
        .details(table);
        for w in warnings {
            report = report.warn(w);
        }
        Ok(report)
    }
}

/// The « Vérification | Résultat » table of a preflight, for the journal.
pub(crate) fn checks_table(rows: &[(String, String)]) -> String {
    let mut table = Table::new(["Vérification", "Résultat"]);
    for (k, v) in rows {
        table.row([k, v]);
    }
    table.render()
}

/// Whether host port `p.port` can be used: « libre », « déjà tenu » by one of
/// `own` = (Compose project, services), or an error naming the holder and the
/// compose line to change.
pub(crate) fn check_port(
    host: &dyn Host,
    docker: &dyn Containers,
    p: &PortUse,
    own: (&str, &[&str]),
    compose_src: Option<&str>,
    shown: &str,
) -> Result<String, StepFailure> {
    let (project, services) = own;
    if host.port_is_free(p.port) {
        return Ok("libre".into());
    }
    let holders = docker.publishing(p.port)?;
    if let Some(own) = holders
        .iter()
        .find(|c| c.project == project && services.contains(&c.service.as_str()))
    {
        return Ok(format!(
            "déjà tenu par le conteneur « {} » de cette pile",
            own.name
        ));
    }
    let holder = match holders.first() {
        Some(c) => format!(
            "le conteneur « {} »{}",
            c.name,
            if c.project.is_empty() {
                String::new()
            } else {
                format!(
                    " (projet Compose « {} », service « {} »)",
                    c.project, c.service
                )
            }
        ),
        None => match host.process_on_port(p.port) {
            Some((pid, name)) => format!("le processus « {name} » (pid {pid})"),
            None => "un autre programme".into(),
        },
    };
    let line = compose_src
        .and_then(|s| {
            s.lines()
                .position(|l| l.contains(p.mapping))
                .map(|i| format!("la ligne {} de {shown} (« {} »)", i + 1, p.mapping))
        })
        .unwrap_or_else(|| {
            format!(
                "le mappage « {} » du service {} ({})",
                p.mapping, p.service, p.step
            )
        });
    let free_alt = p.port + 1;
    Err(StepFailure::from(
        Error::failed(format!(
            "le port {} de l'hôte est déjà utilisé par {holder} : le service {} ne pourrait pas démarrer",
            p.port, p.service
        ))
        .with_hint(format!(
            "libérez le port, ou changez {line} en « {free_alt}:{} », comme le tutoriel l'a fait pour \
             Grafana (Wiki.js publie déjà 3000 sur 8083, Grafana passe donc sur 8084)",
            p.mapping.split(':').nth(1).unwrap_or("")
        )),
    )
    .command(format!("ss -ltnp 'sport = :{}'", p.port)))
}

fn host_facts(
    host: &dyn Host,
    info: &EngineInfo,
    rows: &mut Vec<(String, String)>,
    warnings: &mut Vec<String>,
) {
    let cgroup = match info.cgroup_version.as_str() {
        "" => "inconnue".to_string(),
        v => format!("v{v} ({})", info.cgroup_driver),
    };
    rows.push(("cgroups".into(), cgroup));
    if info.cgroup_version == "2" {
        warnings.push(
            "cgroups v2 : cAdvisor v0.47.2 fonctionne, mais certaines installations perdent les étiquettes \
             « name » des conteneurs ; si les tableaux de bord restent vides, essayez une version récente de \
             cAdvisor (JOURNAL_IMAGE_CADVISOR)"
                .into(),
        );
    }
    let kmsg = host.path_exists(Path::new("/dev/kmsg"));
    rows.push((
        "/dev/kmsg".into(),
        if kmsg {
            "présent".into()
        } else {
            "absent".into()
        },
    ));
    if !kmsg {
        warnings.push(
            "/dev/kmsg est absent (conteneur LXC ?) : cAdvisor désactivera la détection des OOM ; \
             n'ajoutez pas « devices: - /dev/kmsg » au service cadvisor"
                .into(),
        );
    }
    rows.push(("Dossier racine de Docker".into(), info.root_dir.clone()));
    if !info.root_dir.is_empty() && info.root_dir.trim_end_matches('/') != "/var/lib/docker" {
        warnings.push(format!(
            "le dossier racine de Docker est {} (Docker installé par snap ?) : adaptez le montage \
             « /var/lib/docker/:/var/lib/docker:ro » du service cadvisor en « {}/:/var/lib/docker:ro »",
            info.root_dir,
            info.root_dir.trim_end_matches('/')
        ));
    }
    let major: u32 = info
        .version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major >= 29 {
        warnings.push(format!(
            "Docker {} refuse les clients d'API 1.41 : cAdvisor v0.47.2 ne verra pas les conteneurs ; \
             utilisez cAdvisor ≥ 0.54 (ghcr.io/google/cadvisor) via JOURNAL_IMAGE_CADVISOR",
            info.version
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snap_root_dir_and_missing_cgroup_give_warnings() {
        let info = EngineInfo {
            version: "29.0.1".into(),
            root_dir: "/var/snap/docker/common/var-lib-docker".into(),
            cgroup_version: "2".into(),
            ..Default::default()
        };
        let mut rows = Vec::new();
        let mut warnings = Vec::new();
        host_facts(&LocalHost, &info, &mut rows, &mut warnings);
        assert!(warnings.iter().any(|w| w.contains("snap")));
        assert!(warnings.iter().any(|w| w.contains("cgroups v2")));
        assert!(warnings.iter().any(|w| w.contains("Docker 29.0.1")));
    }
}
