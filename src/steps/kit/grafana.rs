//! Grafana helpers of the kit: the API signed in for a step, make sure a
//! data source exists with the
//! wanted settings (created, corrected or kept; never duplicated, never
//! deleted). Which data source a part wants, and how it reports it, is the
//! part's.

use crate::adapters::grafana::{
    Created, Credentials, Datasource, DatasourceSpec, GrafanaApi, HttpGrafana,
};
use crate::error::{Error, Result};
use crate::runbook::{RunContext, StepReport};

/// Grafana's API signed in as `admin` with the password the password step
/// left in the run context.
pub fn signed_in(ctx: &RunContext) -> Result<HttpGrafana> {
    let creds = ctx
        .require::<Credentials>("le mot de passe de Grafana")?
        .clone();
    HttpGrafana::new(&ctx.settings.grafana_url, Some(creds))
}

/// What [`ensure_datasource`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasourceAction {
    /// Created.
    Created,
    /// Existed with other settings; updated.
    Updated,
    /// Existed as wanted.
    Unchanged,
}

impl DatasourceAction {
    /// The step's report: « fait » for a created or corrected source,
    /// « déjà fait » for one that was already right.
    pub fn report(self, created: String, updated: String, unchanged: String) -> StepReport {
        match self {
            DatasourceAction::Created => StepReport::done(created),
            DatasourceAction::Updated => StepReport::done(updated),
            DatasourceAction::Unchanged => StepReport::already_done(unchanged),
        }
    }
}

/// Whether `ds` already matches `spec` on what matters (type, access, URL).
pub fn matches(ds: &Datasource, spec: &DatasourceSpec) -> bool {
    ds.kind == spec.kind
        && ds.access == spec.access
        && ds.url.trim_end_matches('/') == spec.url.trim_end_matches('/')
}

/// Creates, updates or keeps the data source named `spec.name`.
pub fn ensure_datasource(
    api: &dyn GrafanaApi,
    spec: &DatasourceSpec,
) -> Result<(Datasource, DatasourceAction, Option<Datasource>)> {
    let existing = match api.datasource_by_name(&spec.name)? {
        Some(ds) => ds,
        None => match api.create_datasource(spec)? {
            Created::Created(ds) => return Ok((ds, DatasourceAction::Created, None)),
            // Someone created it between our read and our write: read it again.
            Created::Conflict(msg) => api.datasource_by_name(&spec.name)?.ok_or_else(|| {
                Error::failed(format!(
                    "Grafana signale un conflit (« {msg} ») mais aucune source « {} » n'existe",
                    spec.name
                ))
                .with_hint("une source de données a peut-être le même uid : consultez Connections → Data sources")
            })?,
        },
    };
    if matches(&existing, spec) {
        return Ok((existing, DatasourceAction::Unchanged, None));
    }
    let updated = api.update_datasource(&existing.uid, spec)?;
    Ok((updated, DatasourceAction::Updated, Some(existing)))
}
