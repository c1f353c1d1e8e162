//! An in-memory Grafana ([`FakeGrafana`]) for the steps' unit tests: it
//! behaves like Grafana 10.1 for what the steps use and counts every call.

use std::cell::{Cell, RefCell};

use serde_json::Value;

use crate::adapters::grafana::{
    Annotation, AnnotationSpec, AuthOutcome, Created, Credentials, Datasource, DatasourceHealth,
    DatasourceSpec, GrafanaApi, GrafanaHealth, ImportResponse, SearchHit, StoredDashboard,
};
use crate::error::{Error, Result};
use crate::secrets::Secret;

/// Records every call; behaves like Grafana 10.1 for what the steps use.
pub(crate) struct FakeGrafana {
    pub password: RefCell<String>,
    pub blocked: bool,
    pub attempts: Cell<u32>,
    pub changes: Cell<u32>,
    pub datasources: RefCell<Vec<Datasource>>,
    pub creates: Cell<u32>,
    pub updates: Cell<u32>,
    /// Simulates a concurrent creation: the next create answers 409
    /// after someone else created the data source.
    pub race: Cell<bool>,
    pub ds_health: RefCell<DatasourceHealth>,
    pub dashboards: RefCell<Vec<Value>>,
    pub imports: Cell<u32>,
    /// Annotations, in creation order; their id is their index + 1.
    pub annotations: RefCell<Vec<Annotation>>,
    /// Annotation calls, in order (`POST`, `PATCH <id>`).
    pub annotation_calls: RefCell<Vec<String>>,
    /// Refuses every annotation call (403), like a viewer's account.
    pub refuse_annotations: Cell<bool>,
}

impl FakeGrafana {
    pub(crate) fn new(password: &str) -> Self {
        FakeGrafana {
            password: RefCell::new(password.into()),
            blocked: false,
            attempts: Cell::new(0),
            changes: Cell::new(0),
            datasources: RefCell::new(Vec::new()),
            creates: Cell::new(0),
            updates: Cell::new(0),
            race: Cell::new(false),
            ds_health: RefCell::new(DatasourceHealth {
                status: "OK".into(),
                message: "Successfully queried the Prometheus API.".into(),
            }),
            dashboards: RefCell::new(Vec::new()),
            imports: Cell::new(0),
            annotations: RefCell::new(Vec::new()),
            annotation_calls: RefCell::new(Vec::new()),
            refuse_annotations: Cell::new(false),
        }
    }

    /// A Grafana whose `admin` password is `current`, its account `blocked`
    /// or not.
    pub(crate) fn with(current: &str, blocked: bool) -> Self {
        let mut f = FakeGrafana::new(current);
        f.blocked = blocked;
        f
    }

    fn to_ds(spec: &DatasourceSpec, uid: &str, id: i64) -> Datasource {
        Datasource {
            id,
            uid: uid.into(),
            name: spec.name.clone(),
            kind: spec.kind.clone(),
            access: spec.access.clone(),
            url: spec.url.clone(),
            is_default: spec.is_default,
            json_data: spec.json_data.clone(),
            version: Some(1),
            read_only: false,
        }
    }
}

fn slug(title: &str) -> String {
    title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

impl GrafanaApi for FakeGrafana {
    fn health(&self) -> Result<GrafanaHealth> {
        Ok(GrafanaHealth {
            database: "ok".into(),
            version: Some("10.1.5".into()),
            commit: None,
        })
    }
    fn authenticate(&self, creds: &Credentials) -> Result<AuthOutcome> {
        self.attempts.set(self.attempts.get() + 1);
        Ok(if self.blocked {
            AuthOutcome::Blocked
        } else if creds.password.expose() == *self.password.borrow() {
            AuthOutcome::Valid
        } else {
            AuthOutcome::BadCredentials
        })
    }
    fn change_password(&self, _: &str, old: &Secret, new: &Secret) -> Result<()> {
        assert_eq!(old.expose(), *self.password.borrow());
        self.changes.set(self.changes.get() + 1);
        *self.password.borrow_mut() = new.expose().to_string();
        Ok(())
    }
    fn datasource_by_name(&self, name: &str) -> Result<Option<Datasource>> {
        Ok(self
            .datasources
            .borrow()
            .iter()
            .find(|d| d.name == name)
            .cloned())
    }
    fn create_datasource(&self, spec: &DatasourceSpec) -> Result<Created> {
        self.creates.set(self.creates.get() + 1);
        if self.race.replace(false) {
            self.datasources
                .borrow_mut()
                .push(Self::to_ds(spec, "uid-concurrent", 7));
        }
        if self
            .datasources
            .borrow()
            .iter()
            .any(|d| d.name == spec.name)
        {
            return Ok(Created::Conflict(
                "data source with the same name already exists".into(),
            ));
        }
        let n = self.datasources.borrow().len() as i64 + 1;
        let ds = Self::to_ds(spec, &format!("uid-{n}"), n);
        self.datasources.borrow_mut().push(ds.clone());
        Ok(Created::Created(ds))
    }
    fn update_datasource(&self, uid: &str, spec: &DatasourceSpec) -> Result<Datasource> {
        self.updates.set(self.updates.get() + 1);
        let mut all = self.datasources.borrow_mut();
        let d = all.iter_mut().find(|d| d.uid == uid).expect("known uid");
        *d = Self::to_ds(spec, uid, d.id);
        Ok(d.clone())
    }
    fn datasource_health(&self, uid: &str) -> Result<DatasourceHealth> {
        if !self.datasources.borrow().iter().any(|d| d.uid == uid) {
            return Err(Error::failed(
                "Grafana a répondu 500 : Unable to load datasource metadata",
            ));
        }
        Ok(self.ds_health.borrow().clone())
    }
    fn import_dashboard(&self, body: &Value) -> Result<ImportResponse> {
        self.imports.set(self.imports.get() + 1);
        let mut dash = body["dashboard"].clone();
        let text = dash.to_string();
        let mut text = text;
        for input in body["inputs"].as_array().into_iter().flatten() {
            let name = input["name"].as_str().unwrap_or_default();
            let value = input["value"].as_str().unwrap_or_default();
            text = text.replace(&format!("${{{name}}}"), value);
        }
        if text.contains("${DS_") {
            return Err(Error::failed(
                "Grafana a répondu 500 : Failed to save dashboard",
            ));
        }
        dash = serde_json::from_str(&text).unwrap();
        let obj = dash.as_object_mut().unwrap();
        obj.remove("__inputs");
        obj.remove("__requires");
        let title = obj["title"].as_str().unwrap().to_string();
        let uid = obj
            .get("uid")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| "genere".into());
        obj.insert("uid".into(), Value::from(uid.clone()));
        let mut all = self.dashboards.borrow_mut();
        all.retain(|d| d["uid"] != uid.as_str() && d["title"] != title.as_str());
        all.push(dash.clone());
        Ok(ImportResponse {
            uid: uid.clone(),
            title: title.clone(),
            imported_url: format!("/d/{uid}/{}", slug(&title)),
            slug: slug(&title),
            dashboard_id: all.len() as i64,
            revision: dash["revision"].as_i64().unwrap_or(0),
            imported: true,
        })
    }
    fn search_dashboards(&self, query: &str) -> Result<Vec<SearchHit>> {
        Ok(self
            .dashboards
            .borrow()
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d["title"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(&query.to_lowercase())
            })
            .map(|(i, d)| {
                let uid = d["uid"].as_str().unwrap().to_string();
                let title = d["title"].as_str().unwrap().to_string();
                SearchHit {
                    id: i as i64 + 1,
                    url: format!("/d/{uid}/{}", slug(&title)),
                    uid,
                    title,
                    kind: "dash-db".into(),
                }
            })
            .collect())
    }
    fn dashboard_by_uid(&self, uid: &str) -> Result<Option<StoredDashboard>> {
        Ok(self
            .dashboards
            .borrow()
            .iter()
            .find(|d| d["uid"] == uid)
            .map(|d| StoredDashboard {
                dashboard: d.clone(),
                meta: serde_json::json!({
                    "url": format!("/d/{uid}/{}", slug(d["title"].as_str().unwrap())),
                    "slug": slug(d["title"].as_str().unwrap()),
                }),
            }))
    }

    fn annotations_tagged(&self, tags: &[String]) -> Result<Vec<Annotation>> {
        self.annotation_refusal()?;
        Ok(self
            .annotations
            .borrow()
            .iter()
            .filter(|a| tags.iter().all(|t| a.tags.contains(t)))
            .cloned()
            .collect())
    }

    fn create_annotation(&self, spec: &AnnotationSpec) -> Result<i64> {
        self.annotation_refusal()?;
        self.annotation_calls.borrow_mut().push("POST".into());
        let mut list = self.annotations.borrow_mut();
        let id = list.len() as i64 + 1;
        list.push(Annotation {
            id,
            time: spec.time,
            time_end: spec.time_end,
            tags: spec.tags.clone(),
            text: spec.text.clone(),
        });
        Ok(id)
    }

    fn update_annotation(&self, id: i64, spec: &AnnotationSpec) -> Result<()> {
        self.annotation_refusal()?;
        self.annotation_calls
            .borrow_mut()
            .push(format!("PATCH {id}"));
        let mut list = self.annotations.borrow_mut();
        let a = list
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::failed("Grafana a répondu 404 (annotation inconnue)"))?;
        a.time = spec.time;
        a.time_end = spec.time_end;
        a.tags = spec.tags.clone();
        a.text = spec.text.clone();
        Ok(())
    }
}

impl FakeGrafana {
    fn annotation_refusal(&self) -> Result<()> {
        if self.refuse_annotations.get() {
            return Err(Error::failed(
                "Grafana a répondu 403 (création de l'annotation) : Permission denied",
            ));
        }
        Ok(())
    }
}
