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
use crate::steps::compat::{self, ImageRef};
use crate::steps::kit::table::Table;
use crate::steps::{PART6_SERVICES, deployment};

/// Vérifications préalables.
pub struct Preflight;

/// A host port a part publishes, with the service and mapping that use it.
pub(crate) struct PortUse {
    pub(crate) port: u16,
    pub(crate) service: &'static str,
    /// The mapping as step 2 writes it (« 8084:3000 »).
    pub(crate) mapping: String,
    /// The step that writes the mapping (« étape 2 »).
    pub(crate) step: &'static str,
}

/// The host ports of Prometheus and Grafana, as the settings place them.
fn ports(p: &crate::settings::Ports) -> [PortUse; 2] {
    [
        PortUse {
            port: p.prometheus,
            service: "prometheus",
            mapping: format!("{}:9090", p.prometheus),
            step: "étape 2",
        },
        PortUse {
            port: p.grafana,
            service: "grafana",
            mapping: format!("{}:3000", p.grafana),
            step: "étape 2",
        },
    ]
}

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
        // An image without a version: refused before anything else.
        let cadvisor = image_refs(&ctx.settings.images)?;
        warnings.extend(compat::standin_warning(&ctx.settings.images));

        let file = ctx.project.compose_file();
        let shown = ctx.project.display(&file);
        let src = crate::store::read_optional(&file)?;
        match &src {
            Some(text) => {
                // Syntax, and container names the part needs but another
                // service already uses: refused before anything is touched.
                let additions = crate::steps::compose_services::additions(ctx)?;
                let vars = compose_variables(&file)?;
                crate::compose_file::precheck(text, &additions, &vars)
                    .map_err(|e| refusal(&shown, e))?;
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

        let wanted = ports(&ctx.settings.ports);
        for p in &wanted {
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
        known_incompatibilities(
            &info,
            &cadvisor,
            ctx.settings.strict,
            &mut rows,
            &mut warnings,
        )?;

        deployment::choose_compose(ctx, Rc::new(docker), Rc::new(compose), project_name, file);

        let table = checks_table(&rows);
        let summary = format!(
            "Docker {} et {} disponibles, ports {} et {} utilisables",
            info.version, compose_desc, wanted[0].port, wanted[1].port
        );
        // Both ports held by this stack's own containers: the part was
        // deployed by an earlier run, and these checks have nothing new to say.
        let deployed = rows
            .iter()
            .filter(|(k, v)| k.starts_with("Port ") && v.starts_with("déjà tenu"))
            .count()
            == wanted.len();
        let mut report = if deployed {
            StepReport::already_done(format!("{summary} ; la pile de supervision tourne déjà"))
        } else {
            StepReport::done(summary)
        }
        .command(format!(
            "docker info && docker compose version && ss -ltnp '( sport = :{} or sport = :{} )'",
            wanted[0].port, wanted[1].port
        ))
        .details(table);
        for w in warnings {
            report = report.warn(w);
        }
        Ok(report)
    }
}

/// The part's images read as references (exit 2 when one has no tag);
/// returns cAdvisor's.
pub(crate) fn image_refs(images: &crate::settings::Images) -> Result<ImageRef, StepFailure> {
    ImageRef::parse("prometheus", &images.prometheus)?;
    ImageRef::parse("grafana", &images.grafana)?;
    Ok(ImageRef::parse("cadvisor", &images.cadvisor)?)
}

/// The engine facts the compatibility table needs, one row each, and the
/// lines of [`compat::KNOWN`] that apply: warnings, or with `strict` a
/// refusal (exit 2) before anything changes.
pub(crate) fn known_incompatibilities(
    info: &EngineInfo,
    cadvisor: &ImageRef,
    strict: bool,
    rows: &mut Vec<(String, String)>,
    warnings: &mut Vec<String>,
) -> Result<(), StepFailure> {
    let or_unknown = |s: &str| {
        if s.is_empty() {
            "inconnue".to_string()
        } else {
            s.to_string()
        }
    };
    rows.push((
        "API minimale du moteur".into(),
        or_unknown(&info.min_api_version),
    ));
    rows.push((
        "Stockage des images".into(),
        format!(
            "{}{}",
            or_unknown(&info.storage_driver),
            if info.containerd_store {
                " (magasin d'images containerd)"
            } else {
                ""
            }
        ),
    ));
    let found = compat::check(
        &compat::EngineFacts {
            version: compat::Version::parse(&info.version),
            containerd_store: info.containerd_store,
        },
        cadvisor,
    );
    rows.push((
        "Compatibilité moteur / cAdvisor".into(),
        if found.is_empty() {
            "aucune incompatibilité connue".to_string()
        } else {
            format!("{} incompatibilité(s) connue(s)", found.len())
        },
    ));
    if strict && !found.is_empty() {
        let list = found
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join(" ; ");
        return Err(StepFailure::from(
            Error::usage(format!(
                "--strict : combinaison connue pour ne pas fonctionner, rien n'est déployé : {list}"
            ))
            .with_hint(compat::cadvisor_fix()),
        )
        .details(checks_table(rows)));
    }
    warnings.extend(found.into_iter().map(|f| f.message));
    Ok(())
}

/// A refusal of the compose file `shown` (exit 2), the file named first.
pub(crate) fn refusal(shown: &str, e: crate::compose_file::ComposeError) -> StepFailure {
    let e: Error = e.into();
    let msg = format!("{shown} : {}", e.message());
    let hint = e.hint().map(str::to_string);
    let mut err = Error::usage(msg);
    if let Some(h) = hint {
        err = err.with_hint(h);
    }
    StepFailure::from(err)
}

/// How Compose resolves `${NOM}` in `file`: the environment, then the `.env`
/// file next to it.
pub(crate) fn compose_variables(
    file: &Path,
) -> Result<impl Fn(&str) -> Option<String>, StepFailure> {
    let dotenv = crate::store::read_optional(&file.with_file_name(".env"))?
        .map(|t| crate::compose_file::ports::dotenv(&t))
        .unwrap_or_default();
    Ok(move |name: &str| {
        crate::settings::compose_variable(name).or_else(|| {
            dotenv
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    })
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
                .position(|l| l.contains(&p.mapping))
                .map(|i| format!("la ligne {} de {shown} (« {} »)", i + 1, p.mapping))
        })
        .unwrap_or_else(|| {
            format!(
                "le mappage « {} » du service {} ({})",
                p.mapping, p.service, p.step
            )
        });
    let free_alt = p.port.saturating_add(1);
    let target = p.mapping.split(':').nth(1).unwrap_or("");
    let change = match crate::settings::port_var(p.service) {
        Some(var) => format!(
            "publiez {} sur un autre port, par exemple « {free_alt}:{target} » : {var}={free_alt} \
             (ou « {} = {free_alt} » dans journal.toml), avec --force si {line} est déjà écrit",
            p.service,
            crate::settings::file_key(var)
        ),
        None => format!("changez {line} en « {free_alt}:{target} »"),
    };
    Err(StepFailure::from(
        Error::failed(format!(
            "le port {} de l'hôte est déjà utilisé par {holder} : le service {} ne pourrait pas démarrer",
            p.port, p.service
        ))
        .with_hint(format!(
            "libérez le port, ou {change}, comme le tutoriel l'a fait pour Grafana (Wiki.js publie \
             déjà 3000 sur 8083, Grafana passe donc sur 8084)"
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
    }

    fn engine(version: &str, containerd: bool) -> EngineInfo {
        EngineInfo {
            version: version.into(),
            min_api_version: "1.44".into(),
            storage_driver: "overlayfs".into(),
            containerd_store: containerd,
            ..Default::default()
        }
    }

    fn cadvisor(image: &str) -> ImageRef {
        ImageRef::parse("cadvisor", image).unwrap()
    }

    #[test]
    fn a_known_incompatibility_is_a_warning_with_the_suggested_image() {
        let (mut rows, mut warnings) = (Vec::new(), Vec::new());
        known_incompatibilities(
            &engine("29.0.1", true),
            &cadvisor("gcr.io/cadvisor/cadvisor:v0.47.2"),
            false,
            &mut rows,
            &mut warnings,
        )
        .unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains(compat::SUGGESTED_CADVISOR));
        let table = checks_table(&rows);
        assert!(
            table.contains("| API minimale du moteur | 1.44 |"),
            "{table}"
        );
        assert!(
            table.contains("overlayfs (magasin d'images containerd)"),
            "{table}"
        );
        assert!(table.contains("2 incompatibilité(s) connue(s)"), "{table}");
    }

    #[test]
    fn strict_refuses_a_known_incompatibility_with_exit_2() {
        let (mut rows, mut warnings) = (Vec::new(), Vec::new());
        let err = known_incompatibilities(
            &engine("29.0.1", false),
            &cadvisor("gcr.io/cadvisor/cadvisor:v0.47.2"),
            true,
            &mut rows,
            &mut warnings,
        )
        .unwrap_err();
        assert_eq!(err.error.kind(), crate::error::Kind::Usage);
        assert!(err.error.message().contains("--strict"));
        assert!(
            err.error
                .hint()
                .unwrap()
                .contains(compat::SUGGESTED_CADVISOR)
        );
        // A good combination passes, strict or not.
        known_incompatibilities(
            &engine("29.0.1", true),
            &cadvisor("ghcr.io/google/cadvisor:v0.60.5"),
            true,
            &mut rows,
            &mut warnings,
        )
        .unwrap();
        assert!(warnings.is_empty());
    }

    #[test]
    fn an_image_without_tag_is_refused_with_exit_2() {
        let images = crate::settings::Images {
            prometheus: "prom/prometheus:v2.47.1".into(),
            grafana: "grafana/grafana-oss".into(),
            cadvisor: "gcr.io/cadvisor/cadvisor:v0.47.2".into(),
            alertmanager: "prom/alertmanager:v0.26.0".into(),
        };
        let err = image_refs(&images).unwrap_err();
        assert_eq!(err.error.kind(), crate::error::Kind::Usage);
        assert!(err.error.message().contains("grafana/grafana-oss"));
        assert!(err.error.hint().unwrap().contains("JOURNAL_IMAGE_GRAFANA"));
    }
}
