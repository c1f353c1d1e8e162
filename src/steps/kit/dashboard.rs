//! Grafana dashboard import, the kit's part: parse a dashboard JSON, map its
//! data source inputs, import it unless Grafana already holds it at this
//! revision (`existing`), confirm the import through the search API. Where
//! the dashboard comes from (grafana.com, a shipped fallback) and what a
//! part reports of it are the step's.

use serde_json::Value;

use crate::adapters::grafana::{GrafanaApi, StoredDashboard};
use crate::error::{Error, Result};

mod existing;

pub use existing::{find_existing, find_imported, gnet_id_of, gnet_uid, same_import};

/// Adds to `dash` an annotation query showing Grafana's organization
/// annotations tagged `tag` (named `name`), unless one already asks for
/// that tag.
pub fn with_annotation_query(mut dash: Value, tag: &str, name: &str) -> Value {
    let Some(obj) = dash.as_object_mut() else {
        return dash;
    };
    let annotations = obj
        .entry("annotations")
        .or_insert_with(|| serde_json::json!({"list": []}));
    if !annotations.is_object() {
        *annotations = serde_json::json!({"list": []});
    }
    let list = annotations
        .as_object_mut()
        .expect("an object")
        .entry("list")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    let list = list.as_array_mut().expect("an array");
    let present = list.iter().any(|q| {
        q["target"]["type"] == "tags"
            && q["target"]["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == tag))
    });
    if !present {
        list.push(serde_json::json!({
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": true,
            "hide": false,
            "iconColor": "rgba(255, 152, 48, 1)",
            "name": name,
            "target": {"type": "tags", "tags": [tag], "matchAny": false, "limit": 100}
        }));
    }
    dash
}

/// Parses a dashboard JSON: an object with a title.
pub fn parse_dashboard(text: &str) -> Result<Value> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Error::failed(format!("le JSON du tableau de bord est invalide : {e} ; rien n'a été importé"))
            .with_hint("vérifiez l'identifiant (--dashboard) ou le fichier templates/tableaux/cadvisor-journal.json")
    })?;
    // The grafana.com metadata wraps the JSON under `json`.
    let v = match v.get("json") {
        Some(inner) if inner.is_object() && v.get("title").is_none() => inner.clone(),
        _ => v,
    };
    if !v.is_object() || v.get("title").and_then(Value::as_str).is_none() {
        return Err(Error::failed(
            "le JSON reçu n'est pas un tableau de bord Grafana (pas de titre) ; rien n'a été importé",
        ));
    }
    Ok(v)
}

/// The import inputs: every `__inputs` data source of type Prometheus gets
/// the data source uid; constants keep their value.
pub fn build_inputs(dash: &Value, datasource_uid: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for input in dash
        .get("__inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = input
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = input
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let plugin = input
            .get("pluginId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = match kind {
            "datasource" if plugin == "prometheus" => Value::from(datasource_uid),
            "datasource" => {
                return Err(Error::failed(format!(
                    "le tableau de bord demande une source de données « {plugin} » ({name}) \
                     que ce projet ne fournit pas ; rien n'a été importé"
                ))
                .with_hint("choisissez un tableau de bord Prometheus/cAdvisor avec --dashboard"));
            }
            _ => input.get("value").cloned().unwrap_or(Value::from("")),
        };
        out.push(serde_json::json!({
            "name": name,
            "type": kind,
            "pluginId": plugin,
            "value": value,
        }));
    }
    Ok(out)
}

/// Points every Prometheus data source variable of `dash` (templating
/// variables of type `datasource` whose query is `prometheus`, such as
/// « Node Exporter Full »'s `ds_prometheus`, used by its panels as
/// `${ds_prometheus}`) at the data source `name` / `uid`: the dashboard
/// opens on the project's Prometheus rather than on whichever one Grafana
/// takes as default. Dashboards written with `__inputs` are resolved by
/// [`build_inputs`] instead; this is their equivalent for variables.
pub fn pin_datasource_variables(mut dash: Value, name: &str, uid: &str) -> Value {
    let vars = dash
        .get_mut("templating")
        .and_then(|t| t.get_mut("list"))
        .and_then(Value::as_array_mut);
    for var in vars.into_iter().flatten() {
        if var.get("type").and_then(Value::as_str) == Some("datasource")
            && var.get("query").and_then(Value::as_str) == Some("prometheus")
            && let Some(obj) = var.as_object_mut()
        {
            obj.insert(
                "current".into(),
                serde_json::json!({"selected": false, "text": name, "value": uid}),
            );
        }
    }
    dash
}

/// The dashboard's title (empty when it has none).
pub fn title_of(dash: &Value) -> &str {
    dash.get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The dashboard as Grafana holds it after [`import_once`].
#[derive(Debug)]
pub struct Imported {
    /// Its uid.
    pub uid: String,
    /// `/d/<uid>/<slug>`.
    pub path: String,
    /// Grafana's numeric id.
    pub dashboard_id: i64,
    /// Already there at this revision: not imported again.
    pub already: bool,
}

/// Imports `dash` unless Grafana already holds it at this revision, then
/// confirms the import through the search API.
pub fn import_once(api: &dyn GrafanaApi, dash: &Value, inputs: &[Value]) -> Result<Imported> {
    if let Some(stored) = find_existing(api, dash)?
        && same_import(&stored.dashboard, dash)
    {
        return Ok(already_imported(&stored));
    }
    let body = serde_json::json!({
        "dashboard": dash,
        "overwrite": true,
        "inputs": inputs,
        "folderUid": "",
    });
    let r = api.import_dashboard(&body)?;
    let hits = api.search_dashboards(&r.title)?;
    let Some(hit) = hits.iter().find(|h| h.uid == r.uid) else {
        return Err(Error::failed(format!(
            "le tableau de bord « {} » (uid {}) est introuvable par la recherche de Grafana après l'import",
            r.title, r.uid
        )));
    };
    let path = if r.imported_url.is_empty() {
        hit.url.clone()
    } else {
        r.imported_url.clone()
    };
    Ok(Imported {
        uid: r.uid,
        path,
        dashboard_id: r.dashboard_id,
        already: false,
    })
}

/// What Grafana says of a dashboard it already holds.
pub fn already_imported(stored: &StoredDashboard) -> Imported {
    let uid = stored
        .dashboard
        .get("uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let path = stored
        .meta
        .get("url")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("/d/{uid}"));
    let dashboard_id = stored
        .dashboard
        .get("id")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    Imported {
        uid,
        path,
        dashboard_id,
        already: true,
    }
}

#[cfg(test)]
mod annotation_query_tests {
    use super::*;

    #[test]
    fn the_query_is_added_once_beside_the_built_in_one() {
        let dash = serde_json::json!({"title": "t", "annotations": {"list": [{"builtIn": 1}]}});
        let once = with_annotation_query(dash, "journal", "Journal");
        let twice = with_annotation_query(once.clone(), "journal", "Journal");
        assert_eq!(once, twice);
        let list = once["annotations"]["list"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["target"]["tags"][0], "journal");
        let bare = with_annotation_query(serde_json::json!({"title": "t"}), "journal", "Journal");
        assert_eq!(bare["annotations"]["list"].as_array().unwrap().len(), 1);
    }
}

#[cfg(test)]
mod datasource_variable_tests {
    use super::*;

    #[test]
    fn prometheus_data_source_variables_are_pinned_and_others_left() {
        let dash = serde_json::json!({"title": "t", "templating": {"list": [
            {"name": "ds_prometheus", "type": "datasource", "query": "prometheus", "current": {}},
            {"name": "loki", "type": "datasource", "query": "loki", "current": {}},
            {"name": "job", "type": "query", "query": "prometheus"}
        ]}});
        let pinned = pin_datasource_variables(dash, "Prometheus", "prom-uid");
        let list = pinned["templating"]["list"].as_array().unwrap();
        assert_eq!(list[0]["current"]["value"], "prom-uid");
        assert_eq!(list[0]["current"]["text"], "Prometheus");
        assert_eq!(list[1]["current"], serde_json::json!({}));
        assert!(list[2].get("current").is_none());
        let bare = serde_json::json!({"title": "t"});
        assert_eq!(pin_datasource_variables(bare.clone(), "P", "u"), bare);
    }
}
