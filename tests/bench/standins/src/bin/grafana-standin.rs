//! TEST FIXTURE standing in for Grafana OSS 10.1.5 (which cannot be obtained
//! on the bench machine). Implements the subset of the HTTP API the journal
//! tool uses, following shared/docs/reference/grafana-api.md: health, Basic
//! auth with brute-force lockout, password change, data sources (with a real
//! Prometheus health check), dashboard import, search, organization
//! annotations (kept in the state file, so a test reads every one written).
//!
//! Environment:
//!   GF_SECURITY_ADMIN_USER / GF_SECURITY_ADMIN_PASSWORD  first-run admin (admin/admin)
//!   GRAFANA_STANDIN_ADDR            listen address (default 0.0.0.0:3000)
//!   GRAFANA_STANDIN_STATE           state file (default /var/lib/grafana/standin-state.json)
//!   GRAFANA_STANDIN_FAULT=500       every authenticated /api route answers 500
//!   GRAFANA_STANDIN_NEVER_READY=1   /api/health answers 503 "database":"failing"
//!   The same faults can be switched on in a running container by copying a
//!   file `standin-fault` containing `500` or `never-ready` next to the state
//!   file (`docker cp fault grafana:/var/lib/grafana/standin-fault`).
//!   GRAFANA_STANDIN_LOCKOUT_WINDOW_SECONDS  lockout window (default 300, as Grafana)
//!
//! Invoked as `grafana cli admin reset-admin-password --password-from-stdin`
//! (the image links /bin/grafana to this binary), it does what Grafana's CLI
//! does: sets the admin password in the database — here, it leaves the new
//! password in `standin-reset-admin` beside the state file, which the running
//! server applies before its next login check. Like Grafana, it does not clear
//! the failed-login attempts.

use journal_bench_standins::{
    format_rfc3339, http_call, now_secs, percent_decode, serve, Request, Response,
};
use serde_json::{json, Map, Value};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const VERSION: &str = "10.1.5";
const MAX_ATTEMPTS: usize = 5;

struct App {
    state: Mutex<Value>,
    path: PathBuf,
    fault: bool,
    never_ready: bool,
    window: f64,
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

fn msg(status: u16, m: &str) -> Response {
    Response::json(status, &json!({ "message": m }))
}

fn err_id(status: u16, m: &str, id: &str) -> Response {
    Response::json(
        status,
        &json!({"message": m, "messageId": id, "statusCode": status, "traceID": ""}),
    )
}

static UID_COUNTER: AtomicU64 = AtomicU64::new(0);

/// 14-character uid, like Grafana 10's `util.GenerateShortUID`.
fn gen_uid() -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut h = RandomState::new().build_hasher();
    h.write_u64(UID_COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u64((now_secs() * 1e9) as u64);
    let mut x = h.finish();
    let mut h2 = RandomState::new().build_hasher();
    h2.write_u64(x);
    let mut y = h2.finish();
    let mut s = String::new();
    for i in 0..14 {
        let r = if i < 7 { &mut x } else { &mut y };
        let n = if i == 0 { 26 } else { 36 };
        s.push(ALNUM[(*r % n) as usize] as char);
        *r /= n;
    }
    s
}

fn valid_uid(u: &str) -> bool {
    u.len() <= 40
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Grafana's slugify (gosimple/slug): lower case, accents dropped, other runs → '-'.
fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        let t: &str = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ç' => "c",
            'ñ' => "n",
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            _ => "",
        };
        if !t.is_empty() {
            out.push_str(t);
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

impl App {
    fn lock(&self) -> MutexGuard<'_, Value> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn save(&self, st: &Value) {
        let tmp = self.path.with_extension("json.tmp");
        let data = serde_json::to_vec_pretty(st).unwrap_or_default();
        if let Err(e) = std::fs::write(&tmp, data).and_then(|_| std::fs::rename(&tmp, &self.path)) {
            eprintln!(
                "logger=standin level=error msg=\"cannot write state\" path={} error=\"{e}\"",
                self.path.display()
            );
        }
    }

    fn load(path: PathBuf) -> Value {
        if let Ok(data) = std::fs::read(&path) {
            match serde_json::from_slice::<Value>(&data) {
                Ok(v) if v.is_object() => return v,
                _ => eprintln!(
                    "logger=standin level=warn msg=\"unreadable state file, starting fresh\""
                ),
            }
        }
        let login = env("GF_SECURITY_ADMIN_USER").unwrap_or_else(|| "admin".into());
        let password = env("GF_SECURITY_ADMIN_PASSWORD").unwrap_or_else(|| "admin".into());
        let now = format_rfc3339(now_secs() as i64);
        json!({
            "users": { login.clone(): {"id": 1, "login": login, "password": password, "created": now} },
            "attempts": {},
            "datasources": [],
            "nextDatasourceId": 1,
            "dashboards": [],
            "nextDashboardId": 1
        })
    }

    /// Basic auth, with Grafana 10's brute-force protection.
    fn authenticate(&self, req: &Request) -> Result<String, Response> {
        let h = match req.header("authorization") {
            Some(h) if !h.trim().is_empty() => h.trim(),
            _ => return Err(msg(401, "Unauthorized")),
        };
        let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(msg(401, "Unauthorized"));
        }
        let invalid = || {
            err_id(
                400,
                "Invalid Basic Auth Header",
                "basic-auth.invalid-header",
            )
        };
        let decoded = b64_decode(rest.trim()).ok_or_else(invalid)?;
        let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
        let (user, password) = decoded.split_once(':').ok_or_else(invalid)?;
        let failed = || err_id(401, "Invalid username or password", "password-auth.failed");

        let mut st = self.lock();
        self.apply_cli_reset(&mut st);
        let now = now_secs();
        let window = self.window;
        let recent: Vec<Value> = st["attempts"][user]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|t| t.as_f64().map(|t| now - t < window).unwrap_or(false))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if recent.len() >= MAX_ATTEMPTS {
            return Err(err_id(
                401,
                "Invalid username or password",
                "login-attempt.blocked",
            ));
        }
        let stored = match st["users"][user]["password"].as_str() {
            Some(p) => p.to_string(),
            None => return Err(failed()),
        };
        if stored != password {
            let mut recent = recent;
            recent.push(json!(now));
            if !st["attempts"].is_object() {
                st["attempts"] = json!({});
            }
            st["attempts"][user] = Value::Array(recent);
            self.save(&st);
            return Err(failed());
        }
        Ok(user.to_string())
    }
}

// ---------------------------------------------------------------------------
// Data sources
// ---------------------------------------------------------------------------

fn type_logo(t: &str) -> String {
    match t {
        "prometheus" | "loki" | "elasticsearch" | "graphite" | "influxdb" | "mysql"
        | "postgres" => {
            format!("public/app/plugins/datasource/{t}/img/{t}_logo.svg")
        }
        _ => String::new(),
    }
}

fn ds_dto(ds: &Value) -> Value {
    let mut secure = Map::new();
    if let Some(m) = ds["secureJsonData"].as_object() {
        for k in m.keys() {
            secure.insert(k.clone(), json!(true));
        }
    }
    json!({
        "id": ds["id"], "uid": ds["uid"], "orgId": 1, "name": ds["name"], "type": ds["type"],
        "typeLogoUrl": type_logo(ds["type"].as_str().unwrap_or("")),
        "access": ds["access"], "url": ds["url"], "user": ds["user"], "database": ds["database"],
        "basicAuth": ds["basicAuth"], "basicAuthUser": ds["basicAuthUser"],
        "withCredentials": ds["withCredentials"], "isDefault": ds["isDefault"],
        "jsonData": ds["jsonData"], "secureJsonFields": secure,
        "version": ds["version"], "readOnly": false
    })
}

/// Binds an Add/UpdateDataSourceCommand; `None` means "bad request data".
fn bind_ds(body: &[u8]) -> Option<Map<String, Value>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let o = v.as_object()?.clone();
    let s = |k: &str| match o.get(k) {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let b = |k: &str| match o.get(k) {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    let mut m = Map::new();
    for k in [
        "name",
        "type",
        "access",
        "url",
        "user",
        "database",
        "basicAuthUser",
        "uid",
    ] {
        m.insert(k.into(), json!(s(k)?));
    }
    for k in ["basicAuth", "withCredentials", "isDefault"] {
        m.insert(k.into(), json!(b(k)?));
    }
    if m["name"] == "" || m["type"] == "" || m["access"] == "" {
        return None;
    }
    match o.get("jsonData") {
        None | Some(Value::Null) => m.insert("jsonData".into(), json!({})),
        Some(v @ Value::Object(_)) => m.insert("jsonData".into(), v.clone()),
        _ => return None,
    };
    match o.get("secureJsonData") {
        None | Some(Value::Null) => m.insert("secureJsonData".into(), json!({})),
        Some(Value::Object(sm)) if sm.values().all(|v| v.is_string()) => {
            m.insert("secureJsonData".into(), json!(sm))
        }
        _ => return None,
    };
    match o.get("version") {
        None | Some(Value::Null) => m.insert("version".into(), json!(0)),
        Some(v) if v.is_i64() => m.insert("version".into(), v.clone()),
        _ => return None,
    };
    Some(m)
}

fn datasources(st: &mut Value) -> &mut Vec<Value> {
    if !st["datasources"].is_array() {
        st["datasources"] = json!([]);
    }
    st["datasources"].as_array_mut().unwrap()
}

fn dashboards(st: &mut Value) -> &mut Vec<Value> {
    if !st["dashboards"].is_array() {
        st["dashboards"] = json!([]);
    }
    st["dashboards"].as_array_mut().unwrap()
}

fn next_id(st: &mut Value, key: &str) -> i64 {
    let id = st[key].as_i64().unwrap_or(1).max(1);
    st[key] = json!(id + 1);
    id
}

fn ds_create(app: &App, body: &[u8]) -> Response {
    let cmd = match bind_ds(body) {
        Some(c) => c,
        None => return msg(400, "bad request data"),
    };
    let uid_in = cmd["uid"].as_str().unwrap_or("").to_string();
    if !valid_uid(&uid_in) {
        return msg(400, "bad request data");
    }
    let mut st = app.lock();
    let list = datasources(&mut st);
    if list.iter().any(|d| d["name"] == cmd["name"]) {
        return msg(409, "data source with the same name already exists");
    }
    if !uid_in.is_empty() && list.iter().any(|d| d["uid"] == uid_in.as_str()) {
        return msg(409, "data source with the same uid already exists");
    }
    let uid = if uid_in.is_empty() { gen_uid() } else { uid_in };
    let id = next_id(&mut st, "nextDatasourceId");
    let mut ds = Value::Object(cmd);
    ds["id"] = json!(id);
    ds["uid"] = json!(uid);
    ds["version"] = json!(1);
    let list = datasources(&mut st);
    if ds["isDefault"] == true {
        for d in list.iter_mut() {
            d["isDefault"] = json!(false);
        }
    }
    list.push(ds.clone());
    app.save(&st);
    Response::json(
        200,
        &json!({"message": "Datasource added", "id": id, "name": ds["name"], "datasource": ds_dto(&ds)}),
    )
}

fn ds_update(app: &App, uid: &str, body: &[u8]) -> Response {
    let cmd = match bind_ds(body) {
        Some(c) => c,
        None => return msg(400, "bad request data"),
    };
    let mut st = app.lock();
    let list = datasources(&mut st);
    let idx = match list.iter().position(|d| d["uid"] == uid) {
        Some(i) => i,
        None => return msg(404, "Data source not found"),
    };
    if list
        .iter()
        .enumerate()
        .any(|(i, d)| i != idx && d["name"] == cmd["name"])
    {
        return msg(
            409,
            "Failed to update datasource: data source with the same name already exists",
        );
    }
    let cur_version = list[idx]["version"].as_i64().unwrap_or(1);
    let in_version = cmd["version"].as_i64().unwrap_or(0);
    if in_version != 0 && in_version < cur_version {
        return msg(
            409,
            "Datasource has already been updated by someone else. Please reload and try again",
        );
    }
    let old = list[idx].clone();
    let mut ds = Value::Object(cmd);
    ds["id"] = old["id"].clone();
    ds["uid"] = old["uid"].clone();
    ds["version"] = json!(cur_version + 1);
    let mut secure = old["secureJsonData"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if let Some(m) = ds["secureJsonData"].as_object() {
        for (k, v) in m {
            secure.insert(k.clone(), v.clone());
        }
    }
    ds["secureJsonData"] = Value::Object(secure);
    if ds["isDefault"] == true {
        for d in list.iter_mut() {
            d["isDefault"] = json!(false);
        }
    }
    list[idx] = ds.clone();
    app.save(&st);
    Response::json(
        200,
        &json!({"message": "Datasource updated", "id": ds["id"], "name": ds["name"], "datasource": ds_dto(&ds)}),
    )
}

fn ds_delete(app: &App, key: &str, value: &str) -> Response {
    let mut st = app.lock();
    let list = datasources(&mut st);
    match list.iter().position(|d| d[key] == value) {
        Some(i) => {
            let ds = list.remove(i);
            app.save(&st);
            Response::json(
                200,
                &json!({"message": "Data source deleted", "id": ds["id"]}),
            )
        }
        None => msg(404, "Data source not found"),
    }
}

fn ds_find(app: &App, key: &str, value: &str) -> Option<Value> {
    let mut st = app.lock();
    datasources(&mut st)
        .iter()
        .find(|d| d[key] == value)
        .cloned()
}

/// "Save & test": really queries the Prometheus API, as Grafana's backend does.
fn ds_health(app: &App, uid: &str) -> Response {
    let ds = match ds_find(app, "uid", uid) {
        Some(d) => d,
        None => return msg(500, "Unable to load datasource metadata"),
    };
    if ds["type"] != "prometheus" {
        return msg(501, "Plugin health check not implemented");
    }
    let base = ds["url"]
        .as_str()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();
    let fail = |e: String| {
        Response::json(
            400,
            &json!({"status": "ERROR", "message": format!("{e} - There was an error returned querying the Prometheus API.")}),
        )
    };
    let timeout = Duration::from_secs(5);
    let q = match http_call(
        "POST",
        &format!("{base}/api/v1/query"),
        Some("application/x-www-form-urlencoded"),
        b"query=1%2B1&time=4",
        timeout,
    ) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let parsed: Option<Value> = serde_json::from_slice(&q.body).ok();
    if q.status / 100 != 2 {
        let detail = parsed
            .as_ref()
            .and_then(|v| {
                Some(format!(
                    "{}: {}",
                    v["errorType"].as_str()?,
                    v["error"].as_str()?
                ))
            })
            .unwrap_or_else(|| format!("client_error: client error: {}", q.status));
        return fail(detail);
    }
    match parsed {
        Some(v) if v["status"] == "success" => {}
        _ => return fail("bad_response: unexpected response body".into()),
    }
    let mut out = json!({"status": "OK", "message": "Successfully queried the Prometheus API."});
    if let Ok(b) = http_call(
        "GET",
        &format!("{base}/api/v1/status/buildinfo"),
        None,
        b"",
        timeout,
    ) {
        if b.status == 200
            && serde_json::from_slice::<Value>(&b.body)
                .map(|v| v["status"] == "success")
                .unwrap_or(false)
        {
            out["details"] =
                json!({"application": "prometheus", "features": {"rulerEnabled": false}});
        }
    }
    Response::json(200, &out)
}

// ---------------------------------------------------------------------------
// Dashboards
// ---------------------------------------------------------------------------

/// Replaces every `${NAME}` found in any string of the JSON (regex `\$\{.+?\}`)
/// when NAME is a known variable; drops __inputs, __requires, __elements.
fn eval_template(v: &Value, vars: &Map<String, Value>) -> Value {
    match v {
        Value::String(s) => Value::String(substitute(s, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|x| eval_template(x, vars)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "__inputs" | "__requires" | "__elements"))
                .map(|(k, x)| (k.clone(), eval_template(x, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn substitute(s: &str, vars: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        // `.+?` needs at least one character before the closing brace
        match after[2..]
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '}')
            .map(|(j, _)| j + 2)
        {
            Some(end) => {
                let token = &after[..=end];
                match vars.get(token) {
                    Some(Value::String(val)) => out.push_str(val),
                    Some(other) => out.push_str(&other.to_string()),
                    None => out.push_str(token),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

struct Saved {
    id: i64,
    uid: String,
    title: String,
    slug: String,
    version: i64,
}

/// Grafana's SaveDashboard rules for the General folder.
fn save_dashboard(st: &mut Value, mut dash: Value, overwrite: bool) -> Result<Saved, Response> {
    let title = dash["title"].as_str().unwrap_or("").trim().to_string();
    if title.is_empty() {
        return Err(msg(400, "Dashboard title cannot be empty"));
    }
    let uid_in = dash["uid"].as_str().unwrap_or("").to_string();
    if !uid_in.is_empty() {
        if uid_in.len() > 40 {
            return Err(msg(400, "uid too long, max 40 characters"));
        }
        if !valid_uid(&uid_in) {
            return Err(msg(400, "uid contains illegal characters"));
        }
    }
    let list = dashboards(st);
    let mut target = None;
    if !uid_in.is_empty() {
        if let Some(i) = list.iter().position(|d| d["uid"] == uid_in.as_str()) {
            let existing_version = list[i]["version"].as_i64().unwrap_or(1);
            let in_version = dash["version"].as_i64().unwrap_or(0);
            if !overwrite && in_version != existing_version {
                return Err(Response::json(
                    412,
                    &json!({"status": "version-mismatch", "message": "The dashboard has been changed by someone else"}),
                ));
            }
            target = Some(i);
        }
    }
    if let Some(j) = list.iter().position(|d| d["title"] == title.as_str()) {
        if Some(j) != target {
            if overwrite {
                target = Some(j);
            } else {
                return Err(Response::json(
                    412,
                    &json!({"status": "name-exists", "message": "A dashboard with the same name in the folder already exists"}),
                ));
            }
        }
    }
    let now = format_rfc3339(now_secs() as i64);
    let slug = slugify(&title);
    let (id, uid, version, created) = match target {
        Some(i) => (
            list[i]["id"].as_i64().unwrap_or(0),
            list[i]["uid"].as_str().unwrap_or("").to_string(),
            list[i]["version"].as_i64().unwrap_or(1) + 1,
            list[i]["created"].clone(),
        ),
        None => (
            0,
            if uid_in.is_empty() { gen_uid() } else { uid_in },
            1,
            json!(now),
        ),
    };
    let id = if target.is_some() {
        id
    } else {
        next_id(st, "nextDashboardId")
    };
    dash["id"] = json!(id);
    dash["uid"] = json!(uid);
    dash["version"] = json!(version);
    dash["title"] = json!(title);
    let record = json!({"id": id, "uid": uid, "title": title, "slug": slug, "version": version,
                        "created": created, "updated": now, "dashboard": dash});
    let list = dashboards(st);
    match target {
        Some(i) => list[i] = record,
        None => list.push(record),
    }
    Ok(Saved {
        id,
        uid,
        title,
        slug,
        version,
    })
}

fn dash_import(app: &App, body: &[u8]) -> Response {
    let req: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return msg(400, "bad request data"),
    };
    let dash = match &req["dashboard"] {
        Value::Null => return msg(422, "Dashboard must be set"),
        v @ Value::Object(_) => v.clone(),
        _ => return msg(400, "bad request data"),
    };
    let overwrite = req["overwrite"].as_bool().unwrap_or(false);
    match &req["folderUid"] {
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        Value::String(_) => return msg(400, "folder not found"),
        _ => return msg(400, "bad request data"),
    }
    let inputs: Vec<Value> = match &req["inputs"] {
        Value::Null => vec![],
        Value::Array(a) => a.clone(),
        _ => return msg(400, "bad request data"),
    };
    let mut vars = Map::new();
    if let Some(defs) = dash["__inputs"].as_array() {
        for def in defs {
            let name = def["name"].as_str().unwrap_or("");
            let typ = def["type"].as_str().unwrap_or("");
            let found = inputs.iter().find(|i| {
                i["type"].as_str().unwrap_or("") == typ
                    && (i["name"].as_str() == Some(name) || i["name"].as_str() == Some("*"))
            });
            match found {
                Some(i) => {
                    vars.insert(format!("${{{name}}}"), i["value"].clone());
                }
                None => return msg(500, "Failed to save dashboard"),
            }
        }
    }
    let dash = eval_template(&dash, &vars);
    let revision = dash["revision"].as_i64().unwrap_or(1);
    let mut st = app.lock();
    let saved = match save_dashboard(&mut st, dash, overwrite) {
        Ok(s) => s,
        Err(r) => return r,
    };
    app.save(&st);
    Response::json(
        200,
        &json!({
            "uid": saved.uid, "pluginId": "", "title": saved.title, "imported": true,
            "importedUri": format!("db/{}", saved.slug),
            "importedUrl": format!("/d/{}/{}", saved.uid, saved.slug),
            "slug": saved.slug, "dashboardId": saved.id, "folderId": 0, "folderUid": "",
            "importedRevision": revision, "revision": revision,
            "description": "", "path": "", "removed": false
        }),
    )
}

fn dash_db(app: &App, body: &[u8]) -> Response {
    let req: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return msg(400, "bad request data"),
    };
    let dash = match &req["dashboard"] {
        v @ Value::Object(_) => v.clone(),
        Value::Null => return msg(422, "Dashboard must be set"),
        _ => return msg(400, "bad request data"),
    };
    let overwrite = req["overwrite"].as_bool().unwrap_or(false);
    let mut st = app.lock();
    let saved = match save_dashboard(&mut st, dash, overwrite) {
        Ok(s) => s,
        Err(r) => return r,
    };
    app.save(&st);
    Response::json(
        200,
        &json!({"id": saved.id, "slug": saved.slug, "status": "success", "uid": saved.uid,
                "url": format!("/d/{}/{}", saved.uid, saved.slug), "version": saved.version}),
    )
}

fn annotations(st: &mut Value) -> &mut Vec<Value> {
    if !st["annotations"].is_array() {
        st["annotations"] = json!([]);
    }
    st["annotations"].as_array_mut().unwrap()
}

/// `GET /api/annotations?tags=a&tags=b`: tags ANDed, newest first.
fn annotation_list(app: &App, req: &Request) -> Response {
    let tags = req.query_params("tags");
    let limit: usize = req
        .query_param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100);
    let mut st = app.lock();
    let mut list: Vec<Value> = annotations(&mut st)
        .iter()
        .filter(|a| {
            let atags: Vec<&str> = a["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            tags.iter().all(|t| atags.contains(&t.as_str()))
        })
        .cloned()
        .collect();
    list.reverse();
    list.truncate(limit);
    Response::json(200, &Value::Array(list))
}

/// `POST /api/annotations`.
fn annotation_create(app: &App, login: &str, body: &[u8]) -> Response {
    let Ok(b) = serde_json::from_slice::<Value>(body) else {
        return msg(400, "bad request data");
    };
    let mut st = app.lock();
    let id = st["nextAnnotationId"].as_i64().unwrap_or(1);
    st["nextAnnotationId"] = json!(id + 1);
    let now = (now_secs() * 1000.0) as i64;
    let a = json!({
        "id": id, "alertId": 0, "dashboardUID": "", "panelId": 0, "userId": 1,
        "time": b["time"].as_i64().unwrap_or(now), "timeEnd": b["timeEnd"].as_i64().unwrap_or(now),
        "text": b["text"].as_str().unwrap_or(""), "tags": b["tags"].clone(),
        "login": login, "email": "admin@localhost", "created": now, "updated": now
    });
    annotations(&mut st).push(a);
    app.save(&st);
    Response::json(200, &json!({"message": "Annotation added", "id": id}))
}

/// `PATCH /api/annotations/:id`.
fn annotation_patch(app: &App, id: &str, body: &[u8]) -> Response {
    let Ok(b) = serde_json::from_slice::<Value>(body) else {
        return msg(400, "bad request data");
    };
    let mut st = app.lock();
    let wanted = id.parse::<u64>().ok();
    let Some(a) = annotations(&mut st)
        .iter_mut()
        .find(|a| wanted.is_some() && a["id"].as_u64() == wanted)
    else {
        return msg(404, "Could not find annotation to update");
    };
    for k in ["time", "timeEnd", "text", "tags"] {
        if !b[k].is_null() {
            a[k] = b[k].clone();
        }
    }
    a["updated"] = json!((now_secs() * 1000.0) as i64);
    app.save(&st);
    Response::json(200, &json!({"message": "Annotation patched"}))
}

fn search(app: &App, req: &Request) -> Response {
    let query = req.query_param("query").unwrap_or_default().to_lowercase();
    let typ = req.query_param("type").unwrap_or_default();
    let tags = req.query_params("tag");
    let uids: Vec<String> = req
        .query_params("dashboardUIDs")
        .iter()
        .flat_map(|s| s.split(',').map(String::from))
        .collect();
    let limit: usize = req
        .query_param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(1000)
        .min(5000);
    if typ == "dash-folder" {
        return Response::json(200, &json!([]));
    }
    let mut st = app.lock();
    let mut hits: Vec<Value> = dashboards(&mut st)
        .iter()
        .filter(|d| {
            d["title"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains(&query)
        })
        .filter(|d| {
            let dtags: Vec<&str> = d["dashboard"]["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(|t| t.as_str()).collect())
                .unwrap_or_default();
            tags.iter().all(|t| dtags.contains(&t.as_str()))
        })
        .filter(|d| uids.is_empty() || uids.iter().any(|u| d["uid"] == u.as_str()))
        .map(|d| {
            let (uid, slug) = (
                d["uid"].as_str().unwrap_or(""),
                d["slug"].as_str().unwrap_or(""),
            );
            json!({"id": d["id"], "uid": uid, "title": d["title"], "uri": format!("db/{slug}"),
                   "url": format!("/d/{uid}/{slug}"), "slug": "", "type": "dash-db",
                   "tags": d["dashboard"]["tags"].as_array().cloned().unwrap_or_default(),
                   "isStarred": false, "sortMeta": 0})
        })
        .collect();
    hits.sort_by_key(|h| h["title"].as_str().unwrap_or("").to_lowercase());
    hits.truncate(limit);
    Response::json(200, &Value::Array(hits))
}

fn dash_get(app: &App, uid: &str) -> Response {
    let mut st = app.lock();
    match dashboards(&mut st).iter().find(|d| d["uid"] == uid) {
        Some(d) => {
            let slug = d["slug"].as_str().unwrap_or("");
            Response::json(
                200,
                &json!({"dashboard": d["dashboard"], "meta": {
                    "type": "db", "canSave": true, "canEdit": true, "canAdmin": true, "canStar": true, "canDelete": true,
                    "slug": slug, "url": format!("/d/{uid}/{slug}"), "expires": "0001-01-01T00:00:00Z",
                    "created": d["created"], "updated": d["updated"], "updatedBy": "admin", "createdBy": "admin",
                    "version": d["version"], "hasAcl": false, "isFolder": false, "folderId": 0, "folderUid": "",
                    "folderTitle": "General", "folderUrl": "", "provisioned": false, "provisionedExternalId": ""
                }}),
            )
        }
        None => msg(404, "Dashboard not found"),
    }
}

fn dash_delete(app: &App, uid: &str) -> Response {
    let mut st = app.lock();
    let list = dashboards(&mut st);
    match list.iter().position(|d| d["uid"] == uid) {
        Some(i) => {
            let d = list.remove(i);
            app.save(&st);
            let title = d["title"].as_str().unwrap_or("").to_string();
            Response::json(
                200,
                &json!({"title": title, "message": format!("Dashboard {title} deleted"), "id": d["id"]}),
            )
        }
        None => msg(404, "Dashboard not found"),
    }
}

// ---------------------------------------------------------------------------
// User
// ---------------------------------------------------------------------------

fn change_password(app: &App, login: &str, body: &[u8]) -> Response {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return msg(400, "bad request data"),
    };
    let get = |k: &str| match &v[k] {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    let (old, new) = match (get("oldPassword"), get("newPassword")) {
        (Some(o), Some(n)) => (o, n),
        _ => return msg(400, "bad request data"),
    };
    let mut st = app.lock();
    if st["users"][login]["password"].as_str() != Some(old.as_str()) {
        return msg(401, "Invalid old password");
    }
    if new.chars().count() <= 4 {
        return msg(400, "New password is too short");
    }
    st["users"][login]["password"] = json!(new);
    app.save(&st);
    msg(200, "User password changed")
}

fn current_user(app: &App, login: &str) -> Response {
    let st = app.lock();
    let u = &st["users"][login];
    Response::json(
        200,
        &json!({"id": u["id"], "email": "admin@localhost", "name": "", "login": login, "theme": "",
                "orgId": 1, "isGrafanaAdmin": true, "isDisabled": false, "isExternal": false,
                "authLabels": [], "updatedAt": u["created"], "createdAt": u["created"], "avatarUrl": ""}),
    )
}

// ---------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------

fn route(app: &App, req: &Request) -> Response {
    let path = req.path.as_str();
    let m = req.method.as_str();
    if path == "/api/health" && (m == "GET" || m == "HEAD") {
        let mut body = json!({"commit": "standin", "database": "ok", "version": VERSION});
        if app.never_ready || app.file_fault().as_deref() == Some("never-ready") {
            body["database"] = json!("failing");
            return Response::json_pretty(503, &body);
        }
        return Response::json_pretty(200, &body);
    }
    if path == "/healthz" && (m == "GET" || m == "HEAD") {
        return Response::text(200, "Ok");
    }
    if path == "/" && m == "GET" {
        return Response::new(
            302,
            "text/html; charset=utf-8",
            "<a href=\"/login\">Found</a>.\n\n",
        )
        .with_header("Location", "/login");
    }
    if path == "/login" && m == "GET" {
        return Response::new(
            200,
            "text/html; charset=UTF-8",
            "<!DOCTYPE html><html><head><title>Grafana</title></head><body>Grafana stand-in (test fixture) 10.1.5</body></html>\n",
        );
    }
    if !path.starts_with("/api/") {
        return msg(404, "Not found");
    }
    let segs: Vec<String> = path
        .trim_end_matches('/')
        .split('/')
        .skip(2)
        .map(|s| percent_decode(s, false))
        .collect();
    let s: Vec<&str> = segs.iter().map(|x| x.as_str()).collect();

    type H<'a> = Box<dyn FnOnce(&App, &str) -> Response + 'a>;
    let body = &req.body;
    let handler: H = match (m, s.as_slice()) {
        ("GET", ["user"]) => Box::new(current_user),
        ("PUT", ["user", "password"]) => Box::new(move |a, u| change_password(a, u, body)),
        ("GET", ["org"]) => Box::new(|_, _| {
            Response::json(
                200,
                &json!({"id": 1, "name": "Main Org.", "address": {"address1": "", "address2": "", "city": "", "zipCode": "", "state": "", "country": ""}}),
            )
        }),
        ("GET", ["datasources"]) => Box::new(|a, _| {
            let mut st = a.lock();
            let list: Vec<Value> = datasources(&mut st)
                .iter()
                .map(|d| {
                    let mut dto = ds_dto(d);
                    dto["typeName"] = json!(if d["type"] == "prometheus" {
                        "Prometheus"
                    } else {
                        ""
                    });
                    dto
                })
                .collect();
            Response::json(200, &Value::Array(list))
        }),
        ("POST", ["datasources"]) => Box::new(move |a, _| ds_create(a, body)),
        ("GET", ["datasources", "name", name]) => {
            let name = name.to_string();
            Box::new(move |a, _| {
                ds_find(a, "name", &name)
                    .map(|d| Response::json(200, &ds_dto(&d)))
                    .unwrap_or_else(|| msg(404, "Data source not found"))
            })
        }
        ("GET", ["datasources", "uid", uid]) => {
            let uid = uid.to_string();
            Box::new(move |a, _| {
                ds_find(a, "uid", &uid)
                    .map(|d| Response::json(200, &ds_dto(&d)))
                    .unwrap_or_else(|| msg(404, "Data source not found"))
            })
        }
        ("GET", ["datasources", "uid", uid, "health"]) => {
            let uid = uid.to_string();
            Box::new(move |a, _| ds_health(a, &uid))
        }
        ("PUT", ["datasources", "uid", uid]) => {
            let uid = uid.to_string();
            Box::new(move |a, _| ds_update(a, &uid, body))
        }
        ("DELETE", ["datasources", "uid", uid]) => {
            let uid = uid.to_string();
            Box::new(move |a, _| ds_delete(a, "uid", &uid))
        }
        ("DELETE", ["datasources", "name", name]) => {
            let name = name.to_string();
            Box::new(move |a, _| ds_delete(a, "name", &name))
        }
        ("POST", ["dashboards", "import"]) => Box::new(move |a, _| dash_import(a, body)),
        ("POST", ["dashboards", "db"]) => Box::new(move |a, _| dash_db(a, body)),
        ("GET", ["dashboards", "uid", uid]) => {
            let uid = uid.to_string();
            Box::new(move |a, _| dash_get(a, &uid))
        }
        ("DELETE", ["dashboards", "uid", uid]) => {
            let uid = uid.to_string();
            Box::new(move |a, _| dash_delete(a, &uid))
        }
        ("GET", ["search"]) => Box::new(move |a, _| search(a, req)),
        ("GET", ["annotations"]) => Box::new(move |a, _| annotation_list(a, req)),
        ("POST", ["annotations"]) => Box::new(move |a, login| annotation_create(a, login, body)),
        ("PATCH", ["annotations", id]) => {
            let id = id.to_string();
            Box::new(move |a, _| annotation_patch(a, &id, body))
        }
        _ => return msg(404, "Not found"),
    };
    let login = match app.authenticate(req) {
        Ok(l) => l,
        Err(r) => return r,
    };
    if app.fault || app.file_fault().as_deref() == Some("500") {
        return msg(500, "Internal Server Error");
    }
    handler(app, &login)
}

impl App {
    /// The fault switched on by a `standin-fault` file beside the state file.
    /// A password set by `grafana cli admin reset-admin-password`, applied once.
    fn apply_cli_reset(&self, st: &mut Value) {
        let Some(file) = self.path.parent().map(|d| d.join(RESET_FILE)) else {
            return;
        };
        if let Ok(password) = std::fs::read_to_string(&file) {
            let login = env("GF_SECURITY_ADMIN_USER").unwrap_or_else(|| "admin".into());
            st["users"][login.as_str()]["password"] = json!(password);
            self.save(st);
            let _ = std::fs::remove_file(&file);
        }
    }

    fn file_fault(&self) -> Option<String> {
        let file = self.path.parent()?.join("standin-fault");
        std::fs::read_to_string(file)
            .ok()
            .map(|s| s.trim().to_string())
    }
}

const RESET_FILE: &str = "standin-reset-admin";

/// `grafana cli admin reset-admin-password (--password-from-stdin | <password>)`.
fn cli(args: &[String]) -> i32 {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let password = match words.as_slice() {
        ["admin", "reset-admin-password", "--password-from-stdin"] => {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            line.trim_end_matches(['\n', '\r']).to_string()
        }
        ["admin", "reset-admin-password", p] if !p.starts_with('-') => p.to_string(),
        _ => {
            eprintln!("Error: ✗ unknown command (stand-in supports: admin reset-admin-password)");
            return 1;
        }
    };
    if password.is_empty() {
        eprintln!("Error: ✗ New password is too short");
        return 1;
    }
    let state = PathBuf::from(
        env("GRAFANA_STANDIN_STATE")
            .unwrap_or_else(|| "/var/lib/grafana/standin-state.json".into()),
    );
    let file = state
        .parent()
        .unwrap_or(std::path::Path::new("/"))
        .join(RESET_FILE);
    if let Err(e) = std::fs::write(&file, &password) {
        eprintln!("Error: ✗ failed to reset admin password: {e}");
        return 1;
    }
    println!("\nAdmin password changed successfully ✔\n");
    0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("cli") {
        std::process::exit(cli(&args[2..]));
    }
    journal_bench_standins::exit_on_sigterm();
    let addr = env("GRAFANA_STANDIN_ADDR").unwrap_or_else(|| "0.0.0.0:3000".into());
    let path = PathBuf::from(
        env("GRAFANA_STANDIN_STATE")
            .unwrap_or_else(|| "/var/lib/grafana/standin-state.json".into()),
    );
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let fresh = !path.exists();
    let state = App::load(path.clone());
    let app = App {
        state: Mutex::new(state),
        path,
        fault: env("GRAFANA_STANDIN_FAULT").as_deref() == Some("500"),
        never_ready: env("GRAFANA_STANDIN_NEVER_READY").as_deref() == Some("1"),
        window: env("GRAFANA_STANDIN_LOCKOUT_WINDOW_SECONDS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(300.0),
    };
    if fresh {
        let st = app.lock();
        app.save(&st);
    }
    println!(
        "logger=standin t={} level=info msg=\"Grafana stand-in (test fixture) starting\" version={VERSION} address={addr} state={} fault={} never_ready={}",
        format_rfc3339(now_secs() as i64),
        app.path.display(),
        app.fault,
        app.never_ready
    );
    let app = Arc::new(app);
    serve(&addr, Arc::new(move |req: &Request| route(&app, req)), true)
}
