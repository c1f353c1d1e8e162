//! Step `swarm-preflight` (`--cible swarm`): checks what a Swarm deployment
//! needs before touching anything — this engine in an active swarm and a
//! manager, every node listed (ID, address, role, state, engine version),
//! every node `Ready`, the images present on this manager (the engine cannot
//! tell for the other nodes without a registry: the deployment step names a
//! node whose task fails for a missing image), and no non-overlay network
//! holding the stack network's name. It changes nothing.

use std::rc::Rc;

use crate::adapters::compose::{Compose, ComposeCli};
use crate::adapters::docker::{Containers, Docker};
use crate::adapters::host::{Host, LocalHost};
use crate::adapters::swarm::{Node, Swarm, SwarmCli};
use crate::error::Error;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::deployment::nodes_table;

/// Vérifications préalables (essaim Docker).
pub struct SwarmPreflight;

/// The stack's overlay network, as Docker names it (`<pile>_<réseau>`).
pub fn stack_network(stack: &str) -> String {
    format!("{stack}_systeme-ticketing-net")
}

/// « 3 nœuds », « 1 nœud ».
pub fn node_count(n: usize) -> String {
    format!("{n} nœud{}", if n > 1 { "s" } else { "" })
}

/// The checks against any [`Swarm`]: the nodes, or a failure with its hint.
pub fn check(
    swarm: &dyn Swarm,
    stack: &str,
    images: &[&str],
) -> Result<(Vec<Node>, String, Vec<String>), StepFailure> {
    let state = swarm
        .state()
        .map_err(|e| StepFailure::from(e).command("docker info"))?;
    if state.local_state != "active" {
        return Err(StepFailure::from(
            Error::environment(format!(
                "ce moteur Docker n'est pas dans un essaim Swarm (état « {} ») : rien n'a été déployé",
                if state.local_state.is_empty() {
                    "inconnu"
                } else {
                    &state.local_state
                }
            ))
            .with_hint(
                "créez l'essaim sur ce moteur avec « docker swarm init » (puis « docker swarm join » \
                 sur les autres nœuds), ou lancez journal sans --cible swarm",
            ),
        )
        .command("docker info --format '{{.Swarm.LocalNodeState}}'"));
    }
    if !state.manager {
        return Err(StepFailure::from(
            Error::environment(format!(
                "ce moteur Docker (nœud {}) est un nœud de travail de l'essaim, pas un gestionnaire : \
                 rien n'a été déployé",
                state.node_id
            ))
            .with_hint(
                "lancez journal sur un gestionnaire (celui où « docker swarm init » a été fait), ou \
                 promouvez ce nœud depuis un gestionnaire : docker node promote <ID>",
            ),
        )
        .command("docker info --format '{{.Swarm.ControlAvailable}}'"));
    }
    let nodes = swarm
        .nodes()
        .map_err(|e| StepFailure::from(e).command("docker node ls"))?;
    let table = nodes_table(&nodes, &state.node_id);
    let not_ready: Vec<&Node> = nodes.iter().filter(|n| !n.is_ready()).collect();
    if !not_ready.is_empty() {
        let list = not_ready
            .iter()
            .map(|n| not_ready_label(n, &n.addr))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(StepFailure::from(
            Error::failed(format!(
                "{} sur {} n'{} pas prêt{} : {list} ; la supervision doit couvrir chaque nœud",
                node_count(not_ready.len()),
                nodes.len(),
                if not_ready.len() > 1 { "sont" } else { "est" },
                if not_ready.len() > 1 { "s" } else { "" },
            ))
            .with_hint(NOT_READY_HINT),
        )
        .command("docker node ls")
        .details(table));
    }
    let mut missing = Vec::new();
    for img in images {
        if !swarm.has_image(img)? {
            missing.push(*img);
        }
    }
    if !missing.is_empty() {
        let me = nodes
            .iter()
            .find(|n| n.id == state.node_id)
            .map_or(state.node_id.clone(), |n| format!("{} ({})", n.id, n.addr));
        return Err(StepFailure::from(
            Error::environment(format!(
                "image(s) absente(s) du gestionnaire {me} : {}",
                missing.join(", ")
            ))
            .with_hint(format!(
                "le déploiement se fait sans registre (--resolve-image never) : chargez les images sur \
                 chaque nœud, par exemple « docker save {} | docker -H ssh://<nœud> load »",
                missing.join(" ")
            )),
        )
        .details(table));
    }
    let net = stack_network(stack);
    if let Some((driver, scope)) = swarm.network(&net)?
        && (driver != "overlay" || scope != "swarm")
    {
        return Err(StepFailure::from(
            Error::usage(format!(
                "le réseau « {net} » existe déjà avec le pilote « {driver} » (portée « {scope} ») : \
                 la pile a besoin d'un réseau overlay de ce nom"
            ))
            .with_hint(format!(
                "c'est sans doute le réseau de la pile Compose du même projet : arrêtez-la \
                 (docker compose down) ou supprimez le réseau (docker network rm {net}), puis relancez"
            )),
        )
        .command(format!("docker network inspect {net}"))
        .details(table));
    }
    let mut warnings = Vec::new();
    if nodes.len() > 1 {
        warnings.push(format!(
            "sans registre, chaque nœud doit déjà avoir les images ({}) : le moteur ne peut le vérifier \
             que sur ce gestionnaire ; une tâche sans image est signalée au déploiement avec son nœud",
            images.join(", ")
        ));
    }
    Ok((nodes, table, warnings))
}

/// A port Prometheus or Grafana publishes in host mode on the manager: free,
/// held by this stack (already deployed), or a failure naming the holder.
fn check_port(
    host: &dyn Host,
    docker: &Docker,
    port: u16,
    service: &str,
    deployed: bool,
) -> Result<String, StepFailure> {
    if host.port_is_free(port) {
        return Ok("libre".into());
    }
    let holders = docker.publishing(port)?;
    if deployed && holders.iter().all(|c| c.project.is_empty()) {
        return Ok("déjà tenu par la pile".into());
    }
    let holder = match holders.first() {
        Some(c) if !c.project.is_empty() => format!(
            "le conteneur « {} » (projet Compose « {} »)",
            c.name, c.project
        ),
        Some(c) => format!("le conteneur « {} »", c.name),
        None => match host.process_on_port(port) {
            Some((pid, name)) => format!("le processus « {name} » (pid {pid})"),
            None => "un autre programme".into(),
        },
    };
    Err(StepFailure::from(
        Error::failed(format!(
            "le port {port} de ce gestionnaire est déjà utilisé par {holder} : la tâche {service}, publiée \
             en mode host, ne pourrait pas démarrer ; rien n'a été déployé"
        ))
        .with_hint(
            "libérez le port (une pile Compose du tutoriel sur ce même hôte : docker compose down), puis \
             relancez",
        ),
    )
    .command(format!("ss -ltnp 'sport = :{port}'")))
}

/// The host ports the stack publishes (`published`), already published by
/// another service of the compose file or of an existing stack file (a
/// service that is stopped today still owns its port tomorrow): exit 2,
/// naming the service and the line, before anything is touched.
fn file_port_clashes(
    ctx: &RunContext,
    file: &std::path::Path,
    published: &[(u16, &str)],
) -> Result<(), StepFailure> {
    use crate::compose_file::ports::{self, Published};
    let wanted: Vec<Published> = published
        .iter()
        .map(|&(port, service)| Published {
            service: service.to_string(),
            host_ip: String::new(),
            protocol: "tcp".into(),
            first: port,
            last: port,
            written: format!("published: {port}"),
            line: None,
        })
        .collect();
    let vars = crate::steps::preflight::compose_variables(file)?;
    for path in [
        file.to_path_buf(),
        crate::steps::stack_file::stack_path(file),
    ] {
        if let Some(text) = crate::store::read_optional(&path)? {
            ports::check(&text, &wanted, &vars)
                .map_err(|e| crate::steps::preflight::refusal(&ctx.project.display(&path), e))?;
        }
    }
    Ok(())
}

impl Step for SwarmPreflight {
    fn id(&self) -> &'static str {
        "swarm-preflight"
    }

    fn title(&self) -> &'static str {
        "Vérifications préalables (essaim Docker)"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        // An image without a version: refused before anything else.
        let cadvisor = crate::steps::preflight::image_refs(&ctx.settings.images)?;
        let file = ctx.project.compose_file();
        let ports = ctx.settings.ports;
        let published = [(ports.prometheus, "prometheus"), (ports.grafana, "grafana")];
        file_port_clashes(ctx, &file, &published)?;
        let (docker, info) = crate::steps::kit::engine::connect()?;
        let compose = ComposeCli::detect()?;
        let stack = compose.project_name(&file)?;
        let swarm = SwarmCli;
        let images = ctx.settings.images.clone();
        let (nodes, table, mut warnings) = check(
            &swarm,
            &stack,
            &[&images.prometheus, &images.grafana, &images.cadvisor],
        )?;
        // Known engine / cAdvisor incompatibilities, read on this manager.
        let mut compat_rows = Vec::new();
        warnings.extend(crate::steps::compat::standin_warning(&ctx.settings.images));
        crate::steps::preflight::known_incompatibilities(
            &info,
            &cadvisor,
            ctx.settings.strict,
            &mut compat_rows,
            &mut warnings,
        )?;
        let deployed = swarm.services(&stack)?.len();
        let mut port_rows = String::new();
        for (port, service) in published {
            let verdict = check_port(&LocalHost, &docker, port, service, deployed >= 3)?;
            port_rows.push_str(&format!("Port {port} du gestionnaire : {verdict}. "));
        }
        crate::steps::deployment::choose_swarm(
            ctx,
            Rc::new(docker),
            Rc::new(swarm),
            nodes.clone(),
            stack.clone(),
            file,
        );
        let managers = nodes.iter().filter(|n| n.role == "manager").count();
        let summary = format!(
            "cible Docker Swarm : {} prêts ({} gestionnaire{}), Docker {} ; pile « {stack} », \
             déployée sans registre (--resolve-image never)",
            node_count(nodes.len()),
            managers,
            if managers > 1 { "s" } else { "" },
            info.version
        );
        let details = format!(
            "Cible : **Docker Swarm** (`--cible swarm`), {} :\n\n{table}\nImages : {} présentes sur ce \
             gestionnaire ; sans registre, `docker stack deploy --resolve-image never` ne demande rien \
             à un registre et chaque nœud utilise ses images locales.\n\n{}",
            node_count(nodes.len()),
            [&images.prometheus, &images.grafana, &images.cadvisor]
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", "),
            port_rows.trim_end()
        ) + &format!(
            "\n\nMoteur de ce gestionnaire :\n\n{}",
            crate::steps::preflight::checks_table(&compat_rows)
        );
        let mut report = if deployed >= 3 {
            StepReport::already_done(format!("{summary} ; la pile est déjà déployée"))
        } else {
            StepReport::done(summary)
        }
        .command("docker info && docker node ls")
        .details(details);
        for w in warnings {
            report = report.warn(w);
        }
        Ok(report)
    }
}

/// What to do about a node that is not Ready.
const NOT_READY_HINT: &str = "redémarrez Docker sur ce nœud (il rejoint l'essaim de lui-même), ou \
     retirez-le s'il a quitté l'essaim pour de bon : docker node rm <ID> ; puis relancez journal";

/// A node that is not Ready as messages show it: ID, `addr` (the address
/// it had when Ready: a lost node may report 0.0.0.0), state, availability.
fn not_ready_label(n: &Node, addr: &str) -> String {
    format!(
        "{} ({addr}, état « {} », disponibilité « {} »)",
        n.id, n.state, n.availability
    )
}

/// The nodes that were Ready at the preflight (`before`) and no longer are
/// (`now`), as a French error naming each by ID and address: a wait must not
/// end « converged » on fewer nodes than the run started with.
pub fn lost_since(before: &[Node], now: &[Node]) -> Option<Error> {
    let lost: Vec<String> = before
        .iter()
        .filter(|b| b.is_ready())
        .filter_map(|b| match now.iter().find(|n| n.id == b.id) {
            Some(n) if n.is_ready() => None,
            Some(n) => Some(not_ready_label(n, &b.addr)),
            None => Some(format!("{} ({}, retiré de l'essaim)", b.id, b.addr)),
        })
        .collect();
    if lost.is_empty() {
        return None;
    }
    Some(
        Error::failed(format!(
            "{} prêt{} au début de l'exécution ne {} plus : {} ; la supervision doit couvrir chaque nœud",
            node_count(lost.len()),
            if lost.len() > 1 { "s" } else { "" },
            if lost.len() > 1 { "le sont" } else { "l'est" },
            lost.join(", ")
        ))
        .with_hint(NOT_READY_HINT),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::swarm::{FakeSwarm, node};

    const IMAGES: [&str; 3] = ["p", "g", "c"];

    #[test]
    fn not_a_swarm_names_docker_swarm_init_with_exit_3() {
        let fake = FakeSwarm::default();
        let e = check(&fake, "pile", &IMAGES).unwrap_err().error;
        assert_eq!(e.code(), 3);
        assert!(e.hint().unwrap().contains("docker swarm init"));
    }

    #[test]
    fn a_worker_is_refused() {
        let fake = FakeSwarm::three_nodes();
        fake.state.borrow_mut().manager = false;
        let e = check(&fake, "pile", &IMAGES).unwrap_err().error;
        assert_eq!(e.code(), 3);
        assert!(
            e.message().contains("pas un gestionnaire"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn lists_nodes_and_names_a_node_that_is_down() {
        let fake = FakeSwarm::three_nodes();
        let (nodes, table, _) = check(&fake, "pile", &IMAGES).unwrap();
        assert_eq!(nodes.len(), 3);
        assert!(table.contains("| `n1` (ce moteur) | 10.98.1.1 | gestionnaire | ready |"));
        fake.nodes.borrow_mut()[2] = node("n3", "10.98.3.2", "worker", "down");
        let f = check(&fake, "pile", &IMAGES).unwrap_err();
        assert!(
            f.error.message().contains("n3 (10.98.3.2"),
            "{}",
            f.error.message()
        );
        assert!(f.details.contains("| `n3` | 10.98.3.2 | travail | down |"));
    }

    #[test]
    fn missing_image_and_bridge_network_are_refused() {
        let fake = FakeSwarm::three_nodes();
        fake.images.borrow_mut().retain(|i| i != "g");
        let e = check(&fake, "pile", &IMAGES).unwrap_err().error;
        assert!(e.message().contains(": g"), "{}", e.message());
        assert!(e.hint().unwrap().contains("docker save g"));
        fake.images.borrow_mut().push("g".into());
        fake.networks.borrow_mut().push((
            "pile_systeme-ticketing-net".into(),
            "bridge".into(),
            "local".into(),
        ));
        let e = check(&fake, "pile", &IMAGES).unwrap_err().error;
        assert_eq!(e.code(), 2);
        assert!(e.hint().unwrap().contains("docker network rm"));
    }
}
