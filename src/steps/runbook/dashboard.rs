//! `journal:tableau-de-bord`: a Grafana dashboard imported with the kit
//! (`kit::dashboard`: inputs mapped to the data source named `source`, and
//! so are its Prometheus data source variables (`${ds_prometheus}`),
//! imported unless Grafana already holds it at this revision — then « déjà
//! fait » —, confirmed by the search API). It comes from grafana.com
//! (`grafana_com`) or, when grafana.com cannot be reached or no id is given,
//! from the copy bundled with the project (`copie`).
//!
//! Grafana is reached as `admin` with the password the partie-6 keeps in
//! `.journal-secrets/grafana-admin` (or the one a step of this run left).

use std::rc::Rc;

use serde_json::Value;

use crate::adapters::grafana::{Credentials, GrafanaApi, HttpGrafana};
use crate::adapters::grafana_com::{GrafanaCom, HttpGrafanaCom};
use crate::error::{Error, Kind, Result};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::dashboard::{
    build_inputs, import_once, parse_dashboard, pin_datasource_variables, title_of,
};

use super::{Adapters, Meta};

/// The step.
pub struct DashboardStep {
    /// Its block.
    pub meta: Meta,
    /// The grafana.com id.
    pub grafana_com: Option<u32>,
    /// The bundled copy, from the project's root.
    pub copy: Option<String>,
    /// The data source's name.
    pub source: String,
}

impl DashboardStep {
    fn grafana(&self, ctx: &RunContext, ports: &Adapters) -> Result<Rc<dyn GrafanaApi>> {
        if let Some(g) = &ports.grafana {
            return Ok(Rc::clone(g));
        }
        let creds = match ctx.get::<Credentials>() {
            Some(c) => c.clone(),
            None => {
                let path = ctx.project.secrets_dir().join("grafana-admin");
                if !path.is_file() {
                    return Err(Error::usage(format!(
                        "mot de passe de Grafana inconnu : {} est absent",
                        ctx.project.display(&path)
                    ))
                    .with_hint(
                        "lancez d'abord « journal run partie-6 », qui le choisit et le garde",
                    ));
                }
                Credentials::admin(crate::steps::kit::secret_file::read_secret_file(&path)?)
            }
        };
        Ok(Rc::new(HttpGrafana::new(
            &ctx.settings.grafana_url,
            Some(creds),
        )?))
    }

    fn com(&self, ctx: &RunContext, ports: &Adapters) -> Result<Rc<dyn GrafanaCom>> {
        match &ports.grafana_com {
            Some(c) => Ok(Rc::clone(c)),
            None => Ok(Rc::new(HttpGrafanaCom::new(&ctx.settings.grafana_com_url)?)),
        }
    }

    /// The bundled copy: the project's file, else its `templates/` override,
    /// else the copy embedded in journal (built-in runbooks).
    fn read_copy(&self, ctx: &RunContext) -> Result<String> {
        let copy = self.copy.as_deref().unwrap_or_default();
        let path = ctx.project.root().join(copy);
        if !path.is_file() {
            let over = ctx.project.templates_dir().join(copy);
            if over.is_file() {
                return std::fs::read_to_string(&over)
                    .map_err(|e| Error::io("lecture du tableau de bord", &over, e));
            }
            if let Some(text) = crate::templates::embedded(copy) {
                return Ok(text.to_string());
            }
        }
        std::fs::read_to_string(&path)
            .map_err(|e| Error::io("lecture du tableau de bord", &path, e))
    }

    /// The dashboard's JSON, its grafana.com id and revision if it came from
    /// there, and a warning when the copy replaced it.
    fn fetch(&self, ctx: &RunContext, ports: &Adapters) -> Result<Fetched> {
        let Some(id) = self.grafana_com else {
            return Ok((self.read_copy(ctx)?, None, None));
        };
        let com = self.com(ctx, ports)?;
        let got = com
            .dashboard_meta(id)
            .and_then(|m| com.download(id, m.revision).map(|t| (t, m.revision)));
        match got {
            Ok((text, rev)) => Ok((text, Some((id, rev)), None)),
            Err(e) if e.kind() == Kind::Environment && self.copy.is_some() => Ok((
                self.read_copy(ctx)?,
                None,
                Some(format!(
                    "grafana.com injoignable ({}) : la copie `{}` a été importée à la place",
                    e.message(),
                    self.copy.as_deref().unwrap_or_default()
                )),
            )),
            Err(e) => Err(e),
        }
    }
}

/// A dashboard's JSON, its grafana.com id and revision if it came from
/// there, and a warning when the bundled copy replaced it.
type Fetched = (String, Option<(u32, u32)>, Option<String>);

/// Marks the dashboard with its grafana.com origin and a stable uid.
fn prepare(mut dash: Value, origin: Option<(u32, u32)>) -> Value {
    if let Some(obj) = dash.as_object_mut() {
        obj.insert("id".into(), Value::Null);
        if let Some((id, revision)) = origin {
            obj.insert("gnetId".into(), Value::from(id));
            obj.insert("revision".into(), Value::from(revision));
            if obj
                .get("uid")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                obj.insert("uid".into(), Value::from(format!("grafana-com-{id}")));
            }
        }
    }
    dash
}

impl Step for DashboardStep {
    meta_identity!();

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let what = match (self.grafana_com, &self.copy) {
            (Some(id), _) => format!("le tableau de bord grafana.com {id}"),
            (None, Some(c)) => format!("le tableau de bord `{c}`"),
            (None, None) => "un tableau de bord".into(),
        };
        let command = format!(
            "Grafana → Dashboards → New → Import ({})",
            self.grafana_com.map_or_else(
                || self.copy.clone().unwrap_or_default(),
                |id| id.to_string()
            )
        );
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!("importerait {what}")).command(command));
        }
        let ports = Adapters::of(ctx)?;
        let api = self.grafana(ctx, &ports)?;
        let (text, origin, warning) = self.fetch(ctx, &ports)?;
        let dash = prepare(parse_dashboard(&text)?, origin);
        let Some(ds) = api.datasource_by_name(&self.source)? else {
            return Err(StepFailure::from(
                Error::failed(format!(
                    "la source de données « {} » n'existe pas dans Grafana",
                    self.source
                ))
                .with_hint(format!(
                    "lancez d'abord la partie qui la crée (partie-6 pour « Prometheus »), ou corrigez source: ({})",
                    self.meta.at
                )),
            )
            .command(command));
        };
        let inputs = build_inputs(&dash, &ds.uid)?;
        let dash = pin_datasource_variables(dash, &ds.name, &ds.uid);
        let imported = import_once(api.as_ref(), &dash, &inputs)?;
        let url = format!("{}{}", ctx.settings.grafana_url, imported.path);
        let title = title_of(&dash);
        let mut report = if imported.already {
            StepReport::already_done(format!(
                "le tableau de bord « {title} » est déjà dans Grafana à cette révision : {url}"
            ))
        } else {
            StepReport::done(format!("tableau de bord « {title} » importé : {url}"))
        }
        .command(command);
        if let Some(w) = warning {
            report = report.warn(w);
        }
        Ok(report)
    }
}
