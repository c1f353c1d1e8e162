//! Finding in Grafana the dashboard a run would import: by uid or title
//! (`find_existing`), or as imported from a grafana.com id (`find_imported`,
//! through the `gnetId` Grafana keeps in the saved JSON), and telling
//! whether a stored dashboard is the same import (`same_import`). Reads
//! Grafana only; imports nothing and asks nothing of grafana.com.

use serde_json::Value;

use crate::adapters::grafana::{GrafanaApi, StoredDashboard};
use crate::error::Result;

use super::title_of;

/// The dashboard already in Grafana with the same uid, or else the same title.
pub fn find_existing(api: &dyn GrafanaApi, dash: &Value) -> Result<Option<StoredDashboard>> {
    if let Some(uid) = dash
        .get("uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        && let Some(found) = api.dashboard_by_uid(uid)?
    {
        return Ok(Some(found));
    }
    let title = title_of(dash);
    for hit in api.search_dashboards(title)? {
        if hit.title == title {
            return api.dashboard_by_uid(&hit.uid);
        }
    }
    Ok(None)
}

/// The uid a dashboard without one gets when imported from grafana.com.
pub fn gnet_uid(id: u32) -> String {
    format!("gnet-{id}")
}

/// The grafana.com id a stored dashboard was imported from (`gnetId`, a
/// number or, in hand-edited JSON, a numeric string).
pub fn gnet_id_of(dash: &Value) -> Option<u64> {
    match dash.get("gnetId")? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The dashboard imported from grafana.com dashboard `id` that Grafana
/// already holds, found by its `gnetId`: first under the uid journal gives
/// a dashboard without one (`gnet-<id>`), then among every dashboard the
/// search lists. Reads only; nothing is asked of grafana.com.
pub fn find_imported(api: &dyn GrafanaApi, id: u32) -> Result<Option<StoredDashboard>> {
    let is_it = |s: &StoredDashboard| gnet_id_of(&s.dashboard) == Some(u64::from(id));
    let guess = gnet_uid(id);
    if let Some(found) = api.dashboard_by_uid(&guess)?
        && is_it(&found)
    {
        return Ok(Some(found));
    }
    for hit in api.search_dashboards("")? {
        if hit.uid == guess || (!hit.kind.is_empty() && hit.kind != "dash-db") {
            continue;
        }
        if let Some(found) = api.dashboard_by_uid(&hit.uid)?
            && is_it(&found)
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Whether `stored` is this very dashboard at this very revision.
pub fn same_import(stored: &Value, dash: &Value) -> bool {
    let key = |d: &Value, k: &str| d.get(k).cloned().unwrap_or(Value::Null);
    title_of(stored) == title_of(dash)
        && key(stored, "gnetId") == key(dash, "gnetId")
        && key(stored, "revision") == key(dash, "revision")
}
