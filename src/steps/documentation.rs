//! Step `documentation` (the tutorial's « Documentation de cette Étape »):
//! renders `templates/documentation-partie-6.md.j2` with the values the run
//! recorded (data source, imported dashboard) or their defaults, and writes it
//! atomically to `journal/documentation/partie-6.md` (plain Markdown, no front
//! matter), which the book publishes.
//!
//! It rewrites the page only when its content changes; it never writes a
//! password, only where it is kept.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::settings::{DEFAULT_DASHBOARD_ID, Images, TUTORIAL_DASHBOARD_ID};

use super::ComposeProject;
use super::deployment::{self, DeploymentDoc};
use super::grafana_dashboard::DashboardInfo;
use super::grafana_datasource::{DATASOURCE_NAME, DATASOURCE_URL, DatasourceInfo};
use super::grafana_password::SECRET_FILE;

/// The template rendered.
pub const TEMPLATE: &str = "documentation-partie-6.md.j2";
/// The page's file name under `journal/documentation/`.
pub const PAGE: &str = "partie-6.md";

/// Documentation de la partie.
pub struct Documentation;

/// The data source, as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DocDatasource {
    /// Name.
    pub name: String,
    /// URL as seen from Grafana.
    pub url: String,
    /// Uid, once known.
    pub uid: Option<String>,
}

/// What the documentation template receives.
#[derive(Debug, Clone, Serialize)]
pub struct DocContext {
    /// Images in use.
    pub images: Images,
    /// Prometheus from the host.
    pub prometheus_url: String,
    /// Grafana from the host.
    pub grafana_url: String,
    /// grafana.com (or mirror).
    pub grafana_com_url: String,
    /// `prometheus.yml`, relative to the project.
    pub prometheus_yml: String,
    /// The compose file, relative to the project.
    pub compose_file: String,
    /// The secrets file, relative to the project.
    pub secrets_file: String,
    /// The data source.
    pub datasource: DocDatasource,
    /// The dashboard id asked for.
    pub dashboard_id: u32,
    /// The default (cAdvisor) id.
    pub default_dashboard_id: u32,
    /// The tutorial's id.
    pub tutorial_dashboard_id: u32,
    /// The imported dashboard, if this run recorded it.
    pub dashboard: Option<DashboardInfo>,
    /// The deployment target (`compose` or `swarm`).
    pub cible: &'static str,
    /// Swarm: the stack file and the nodes as the preflight found them
    /// (what the deployment says of itself).
    pub swarm: Option<DocSwarm>,
}

/// What the page says of a deployment beyond one host (a swarm's stack).
pub type DocSwarm = DeploymentDoc;

/// The template's context from the run.
pub fn doc_context(ctx: &RunContext) -> DocContext {
    let compose = ctx
        .get::<ComposeProject>()
        .map(|c| c.file.clone())
        .unwrap_or_else(|| ctx.project.compose_file());
    let compose_dir = compose
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| ctx.project.compose_dir());
    let yml = compose_dir
        .join("config")
        .join("prometheus")
        .join("prometheus.yml");
    let ds = ctx.get::<DatasourceInfo>();
    DocContext {
        images: ctx.settings.images.clone(),
        prometheus_url: ctx.settings.prometheus_url.clone(),
        grafana_url: ctx.settings.grafana_url.clone(),
        grafana_com_url: ctx.settings.grafana_com_url.clone(),
        prometheus_yml: ctx.project.display(&yml),
        compose_file: ctx.project.display(&compose),
        secrets_file: ctx
            .project
            .display(&ctx.project.secrets_dir().join(SECRET_FILE)),
        datasource: DocDatasource {
            name: ds.map_or(DATASOURCE_NAME.to_string(), |d| d.name.clone()),
            url: ds.map_or(DATASOURCE_URL.to_string(), |d| d.url.clone()),
            uid: ds.map(|d| d.uid.clone()),
        },
        dashboard_id: ctx.settings.dashboard_id,
        default_dashboard_id: DEFAULT_DASHBOARD_ID,
        tutorial_dashboard_id: TUTORIAL_DASHBOARD_ID,
        dashboard: ctx.get::<DashboardInfo>().cloned(),
        cible: ctx.settings.target.as_str(),
        swarm: deployment::of(ctx).documentation(&compose),
    }
}

impl Step for Documentation {
    fn id(&self) -> &'static str {
        "documentation"
    }

    fn title(&self) -> &'static str {
        "Documentation de la partie"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let text = ctx.templates.render(TEMPLATE, doc_context(ctx))?;
        publish(
            ctx,
            &text,
            PAGE,
            "journal run partie-6   # régénère la page, puis : journal build",
        )
    }
}

/// Writes a part's documentation page `journal/documentation/<page>`
/// atomically, only when its content changes (« déjà fait » otherwise).
pub fn publish(
    ctx: &RunContext,
    text: &str,
    page: &str,
    cmd: &str,
) -> Result<StepReport, StepFailure> {
    let dir = ctx.project.docs_dir();
    let path = dir.join(page);
    let shown = ctx.project.display(&path);
    let cmd = cmd.to_string();
    let current = std::fs::read(&path).ok();
    let same = current.as_deref() == Some(text.as_bytes());
    if ctx.dry_run() {
        return Ok(StepReport::skipped(if same {
            format!("simulation : la page `{shown}` est déjà à jour, rien ne serait écrit")
        } else {
            format!(
                "simulation : écrirait la page de documentation `{shown}` ({} lignes)",
                text.lines().count()
            )
        })
        .command(cmd));
    }
    let headings: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("## "))
        .map(|l| format!("- {}", l.trim_start_matches("## ")))
        .collect();
    let details = format!("Sections de `{shown}` :\n\n{}", headings.join("\n"));
    if same {
        return Ok(StepReport::already_done(format!(
            "la page de documentation `{shown}` est déjà à jour"
        ))
        .command(cmd)
        .details(details));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("création du dossier", &dir, e))?;
    crate::store::write_atomic(&path, text.as_bytes(), true)
        .map_err(|e| Error::io("écriture de la page", &path, e))?;
    Ok(StepReport::done(format!(
        "page de documentation {} : `{shown}` (publiée dans le livre par `journal build`)",
        if current.is_some() {
            "mise à jour"
        } else {
            "écrite"
        }
    ))
    .command(cmd)
    .details(details))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_page_then_already_done() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let r = Documentation.run(&mut ctx).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::Succeeded);
        let page =
            std::fs::read_to_string(dir.path().join("journal/documentation/partie-6.md")).unwrap();
        assert!(!page.starts_with("---"), "no front matter");
        for s in [
            "http://localhost:9090",
            "http://localhost:8084",
            "http://prometheus:9090",
            "compose/config/prometheus/prometheus.yml",
            ".journal-secrets/grafana-admin",
            "13981",
            "14282",
            "GF_SECURITY_ADMIN_PASSWORD",
            "journal run partie-6",
            "prom/prometheus:v2.47.1",
            "JOURNAL_IMAGE_",
        ] {
            assert!(page.contains(s), "{s}");
        }
        assert!(
            !page.contains("]("),
            "no Markdown links that the book could find broken"
        );
        let r2 = Documentation.run(&mut ctx).unwrap();
        assert_eq!(r2.status, crate::store::StepStatus::AlreadyDone);
    }

    #[test]
    fn uses_recorded_dashboard_and_datasource() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        ctx.put(DatasourceInfo {
            uid: "P1809F7CD0C75ACF3".into(),
            name: "Prometheus".into(),
            url: "http://prometheus:9090".into(),
        });
        ctx.put(DashboardInfo {
            title: "Cadvisor exporter".into(),
            uid: "pMEd7m0Mz".into(),
            gnet_id: Some(14282),
            revision: Some(1),
            url: "http://localhost:8084/d/pMEd7m0Mz/cadvisor-exporter".into(),
            fallback: false,
        });
        let text = ctx.templates.render(TEMPLATE, doc_context(&ctx)).unwrap();
        assert!(text.contains("P1809F7CD0C75ACF3"));
        assert!(text.contains("http://localhost:8084/d/pMEd7m0Mz/cadvisor-exporter"));
        assert!(text.contains("« Cadvisor exporter »"));
    }

    #[test]
    fn dry_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        ctx.settings.dry_run = true;
        let r = Documentation.run(&mut ctx).unwrap();
        assert_eq!(r.status, crate::store::StepStatus::Skipped);
        assert!(!dir.path().join("journal").exists());
    }

    #[test]
    fn on_a_swarm_the_page_speaks_of_the_stack_not_of_compose() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        let compose = crate::testing::test_context(dir.path())
            .project
            .compose_file();
        ctx.put(ComposeProject {
            name: "pile".into(),
            file: compose,
        });
        ctx.put(crate::steps::SwarmNodes(
            crate::testing::swarm::FakeSwarm::three_nodes()
                .nodes
                .borrow()
                .clone(),
        ));
        crate::steps::deployment::choose(&mut ctx, crate::settings::Target::Swarm);
        let swarm = ctx.templates.render(TEMPLATE, doc_context(&ctx)).unwrap();
        let single = {
            let ctx = crate::testing::test_context(dir.path());
            ctx.templates.render(TEMPLATE, doc_context(&ctx)).unwrap()
        };
        for s in [
            "de 3 nœuds",
            "`compose/docker-stack.yml`",
            "`pile_systeme-ticketing-net`",
            "`tasks.cadvisor:8080` (une adresse par nœud)",
            "journal run partie-6 --cible swarm --reinitialiser-grafana",
            "label `instance`",
        ] {
            assert!(swarm.contains(s), "{s}\n{swarm}");
        }
        for s in ["docker compose restart", "docker compose exec"] {
            assert!(!swarm.contains(s), "{s}");
            assert!(single.contains(s), "{s}");
        }
        assert!(!single.contains("tasks.cadvisor"));
    }
}
