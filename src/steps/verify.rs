//! Read-only verifications of a part already applied, for `journal verifie`:
//! each function asks one service through its adapter trait and returns the
//! [`Finding`]s (drift, or a service that cannot be reached), built from the
//! kit's checks (containers' assessment, managed files' diff) and the steps'
//! own pieces (data source spec, container metrics query). Nothing here
//! writes, creates, changes or retries anything: a Grafana password refused
//! before is not tried again (same refusal memory as `run`). Which parts are
//! applied, and what to do with the findings, is the command's.

use std::time::Duration;

use crate::adapters::alertmanager::AlertmanagerApi;
use crate::adapters::docker::Containers;
use crate::adapters::grafana::{AuthOutcome, Credentials, DatasourceSpec, GrafanaApi};
use crate::adapters::prometheus::{Health, PrometheusAlertingApi, PrometheusApi};
use crate::error::{Error, Kind, Result};
use crate::secrets::Secret;
use crate::steps::alertes::rules::RuleRow;
use crate::steps::grafana_refusals::{Candidate, Refusals};
use crate::steps::kit::containers::{assess, second_sample_in};
use crate::steps::kit::managed_file::diff_block;

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    /// The state differs from what the part set up (exit 1).
    #[serde(rename = "écart")]
    Drift,
    /// The service could not be asked (exit 3).
    #[serde(rename = "injoignable")]
    Unreachable,
}

/// One thing that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// Stable key (`conteneur:grafana`, `cible:cadvisor`…): two checks
    /// finding the same key and message found the same state.
    pub cle: String,
    /// Drift or unreachable.
    pub gravite: Severity,
    /// French sentence.
    pub message: String,
    /// Details for the journal (a diff…); empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub details: String,
}

impl Finding {
    fn drift(cle: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            cle: cle.into(),
            gravite: Severity::Drift,
            message: message.into(),
            details: String::new(),
        }
    }

    /// A service that could not be asked, from the adapter's error.
    pub fn unreachable(cle: impl Into<String>, what: &str, e: &Error) -> Self {
        Finding {
            cle: cle.into(),
            gravite: Severity::Unreachable,
            message: format!("{what} injoignable : {}", e.message()),
            details: String::new(),
        }
    }

    /// A failed call: unreachable when the environment is at fault, drift
    /// otherwise (an answer that says something is wrong).
    fn from_error(cle: &str, what: &str, e: &Error) -> Self {
        match e.kind() {
            Kind::Environment => Finding::unreachable(cle, what, e),
            _ => Finding::drift(cle, format!("{what} : {}", e.message())),
        }
    }
}

/// The part's containers: each service has its container, running, not
/// restarting (two samples `gap` apart when a container is younger than
/// `gap`), not unhealthy.
pub fn containers(
    docker: &dyn Containers,
    project: &str,
    services: &[&str],
    gap: Duration,
) -> Vec<Finding> {
    let first = match docker.service_containers(project, services) {
        Ok(v) => v,
        Err(e) => return vec![Finding::unreachable("docker", "le moteur Docker", &e)],
    };
    let wait = second_sample_in(&first, gap, chrono::Local::now().fixed_offset());
    let second = if wait.is_zero() {
        first.clone()
    } else {
        std::thread::sleep(wait);
        match docker.service_containers(project, services) {
            Ok(v) => v,
            Err(e) => return vec![Finding::unreachable("docker", "le moteur Docker", &e)],
        }
    };
    let a = assess(&first, &second, services);
    let mut out = Vec::new();
    for s in &a.missing {
        out.push(Finding::drift(
            format!("conteneur:{s}"),
            format!("le conteneur du service {s} est introuvable"),
        ));
    }
    for c in &a.looping {
        out.push(Finding::drift(
            format!("conteneur:{}", c.service),
            format!("le conteneur « {} » redémarre en boucle", c.name),
        ));
    }
    for c in &a.stopped {
        out.push(Finding::drift(
            format!("conteneur:{}", c.service),
            format!(
                "le conteneur « {} » ne tourne pas (état « {} »)",
                c.name, c.state
            ),
        ));
    }
    for c in &a.unhealthy {
        out.push(Finding::drift(
            format!("conteneur:{}", c.service),
            format!("le conteneur « {} » est « unhealthy »", c.name),
        ));
    }
    out
}

/// Prometheus' targets of `jobs`: each job has a target, all up.
pub fn targets(api: &dyn PrometheusApi, jobs: &[&str]) -> Vec<Finding> {
    let all = match api.targets() {
        Ok(v) => v,
        Err(e) => return vec![Finding::from_error("prometheus", "Prometheus", &e)],
    };
    let mut out = Vec::new();
    for job in jobs {
        let mine: Vec<_> = all.iter().filter(|t| t.job == *job).collect();
        if mine.is_empty() {
            out.push(Finding::drift(
                format!("cible:{job}"),
                format!("Prometheus n'a aucune cible du job « {job} »"),
            ));
        }
        for t in mine.iter().filter(|t| t.health != Health::Up) {
            out.push(Finding::drift(
                format!("cible:{job}:{}", t.instance),
                format!(
                    "la cible {} du job « {job} » n'est pas UP ({})",
                    t.instance,
                    if t.last_error.is_empty() {
                        t.health.label()
                    } else {
                        &t.last_error
                    }
                ),
            ));
        }
    }
    out
}

/// A PromQL query that must return something (named container metrics).
pub fn query_not_empty(
    api: &dyn PrometheusApi,
    cle: &str,
    promql: &str,
    what: &str,
) -> Vec<Finding> {
    match api.query(promql) {
        Ok(r) if r.samples().is_empty() => vec![Finding::drift(
            cle,
            format!("{what} : la requête `{promql}` ne renvoie aucune série"),
        )],
        Ok(_) => Vec::new(),
        Err(e) => vec![Finding::from_error(cle, "Prometheus", &e)],
    }
}

/// Signs in to Grafana with the wanted password, once, unless it was
/// refused less than 5 minutes ago (the refusal memory of `run`): `Ok` with
/// the credentials, or the finding that says why not.
pub fn grafana_sign_in(
    api: &dyn GrafanaApi,
    password: Option<Secret>,
    refusals: &mut Refusals,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> std::result::Result<Credentials, Finding> {
    if let Err(e) = api.health() {
        return Err(Finding::from_error("grafana", "Grafana", &e));
    }
    let Some(password) = password else {
        return Err(Finding::drift(
            "grafana:mot-de-passe",
            "aucun mot de passe de Grafana connu (ni JOURNAL_GRAFANA_PASSWORD, ni .journal-secrets/grafana-admin)",
        ));
    };
    if let Some(when) = refusals.refused_recently(&password, now) {
        return Err(Finding::drift(
            "grafana:mot-de-passe",
            format!(
                "Grafana a refusé le mot de passe connu à {} : pas de nouvel essai avant 5 minutes \
                 (le compte se bloque après 5 échecs)",
                crate::french::time(&when)
            ),
        ));
    }
    let creds = Credentials::admin(password.clone());
    match api.authenticate(&creds) {
        Ok(AuthOutcome::Valid) => {
            let _ = refusals.clear();
            Ok(creds)
        }
        Ok(AuthOutcome::Blocked) => Err(Finding::drift(
            "grafana:mot-de-passe",
            "le compte « admin » de Grafana est bloqué (trop d'échecs récents)",
        )),
        Ok(AuthOutcome::BadCredentials) => {
            let _ = refusals.record(Candidate::Wanted, &password, now);
            Err(Finding::drift(
                "grafana:mot-de-passe",
                "Grafana refuse le mot de passe connu : il a été changé ailleurs",
            ))
        }
        Err(e) => Err(Finding::from_error("grafana", "Grafana", &e)),
    }
}

/// The data source `spec` exists with its type, access and URL.
pub fn datasource(api: &dyn GrafanaApi, spec: &DatasourceSpec) -> Vec<Finding> {
    let cle = format!("source:{}", spec.name);
    match api.datasource_by_name(&spec.name) {
        Ok(Some(ds)) if crate::steps::kit::grafana::matches(&ds, spec) => Vec::new(),
        Ok(Some(ds)) => vec![Finding::drift(
            cle,
            format!(
                "la source de données « {} » a changé (type {}, accès {}, adresse {})",
                spec.name, ds.kind, ds.access, ds.url
            ),
        )],
        Ok(None) => vec![Finding::drift(
            cle,
            format!(
                "la source de données « {} » n'existe plus dans Grafana",
                spec.name
            ),
        )],
        Err(e) => vec![Finding::from_error(&cle, "Grafana", &e)],
    }
}

/// The part's dashboard is in Grafana: imported from grafana.com
/// (`gnet_id`) or, failing that, one titled `fallback_title`.
pub fn dashboard(api: &dyn GrafanaApi, gnet_id: u32, fallback_title: &str) -> Vec<Finding> {
    let found = crate::steps::kit::dashboard::find_imported(api, gnet_id).and_then(|d| match d {
        Some(_) => Ok(true),
        None => api
            .search_dashboards(fallback_title)
            .map(|hits| hits.iter().any(|h| h.title == fallback_title)),
    });
    match found {
        Ok(true) => Vec::new(),
        Ok(false) => vec![Finding::drift(
            "tableau-de-bord",
            format!(
                "le tableau de bord (grafana.com {gnet_id} ou « {fallback_title} ») n'est plus dans Grafana"
            ),
        )],
        Err(e) => vec![Finding::from_error("tableau-de-bord", "Grafana", &e)],
    }
}

/// A managed file compared with what the part would write today
/// (`accepted` says whether its current text is acceptable, e.g. completed
/// by other parts' fragments): a hand edit is drift, with the diff.
pub fn managed_file(
    shown: &str,
    current: Option<&str>,
    wanted: &str,
    accepted: bool,
) -> Option<Finding> {
    if accepted || current == Some(wanted) {
        return None;
    }
    let mut f = Finding::drift(
        format!("fichier:{shown}"),
        match current {
            Some(_) => format!("{shown} a été modifié à la main depuis le dernier run"),
            None => format!("{shown} a disparu"),
        },
    );
    f.details = diff_block(current, wanted, shown);
    Some(f)
}

/// The services a verification asks, behind their traits.
pub struct Stack<'a> {
    /// The Docker engine and the Compose project's name, or why not.
    pub docker: std::result::Result<(&'a dyn Containers, String), Finding>,
    /// Prometheus.
    pub prometheus: &'a dyn PrometheusApi,
    /// Grafana signed in ([`grafana_sign_in`]), or why not.
    pub grafana: std::result::Result<&'a dyn GrafanaApi, Finding>,
    /// The gap between the two samples of `RestartCount`.
    pub gap: Duration,
    /// Whether the containers are checked (not on a swarm, whose tasks are
    /// not Compose containers).
    pub containers: bool,
    /// The grafana.com dashboard id, and the shipped fallback's title.
    pub dashboard: (u32, String),
}

impl Stack<'_> {
    fn containers(&self, services: &[&str]) -> Vec<Finding> {
        if !self.containers {
            return Vec::new();
        }
        match &self.docker {
            Ok((docker, project)) => containers(*docker, project, services, self.gap),
            Err(f) => vec![f.clone()],
        }
    }
}

/// partie-6's checks: its three containers, Prometheus' targets, named
/// container metrics, Grafana signed in with its data source and dashboard.
/// (Its managed files are compared by the caller, which renders them.)
pub fn partie6(s: &Stack<'_>) -> Vec<Finding> {
    let mut out = s.containers(&crate::steps::PART6_SERVICES);
    out.extend(targets(s.prometheus, &["prometheus", "cadvisor"]));
    if !out.iter().any(|f| f.cle == "prometheus") {
        out.extend(query_not_empty(
            s.prometheus,
            "metriques:conteneurs",
            crate::steps::container_metrics::CONTAINERS_BY_INSTANCE,
            "métriques des conteneurs nommés",
        ));
    }
    match &s.grafana {
        Ok(api) => {
            out.extend(datasource(
                *api,
                &crate::steps::grafana_datasource::prometheus_spec(),
            ));
            out.extend(dashboard(*api, s.dashboard.0, &s.dashboard.1));
        }
        Err(f) => out.push(f.clone()),
    }
    out
}

/// The alert chain as `partie-6-alertes`' check step sees it.
pub struct AlertChain<'a> {
    /// Prometheus' rules and active Alertmanagers.
    pub prometheus: &'a dyn PrometheusAlertingApi,
    /// Alertmanager itself.
    pub alertmanager: &'a dyn AlertmanagerApi,
    /// The rules of the part's rules file (each must be loaded and healthy).
    pub rules: Vec<RuleRow>,
    /// How long a chain that does not hold yet is watched before it counts
    /// as drift: just after Prometheus restarted or reloaded (a run, the
    /// drill), its list of active Alertmanagers is empty for a few seconds.
    pub grace: std::time::Duration,
}

/// The alert chain beyond « the container runs »: Alertmanager ready,
/// Prometheus sees it among its active Alertmanagers, every rule of the
/// rules file loaded and healthy (the checks of step F; a chain that does
/// not hold is watched for `grace`, then read once more to say why).
pub fn alert_chain(c: &AlertChain<'_>) -> Vec<Finding> {
    use crate::steps::alertes::verify::{read_state, wait_chain};
    let mut out = Vec::new();
    if let Err(e) = c.alertmanager.ready() {
        out.push(Finding::from_error("alertmanager", "Alertmanager", &e));
    }
    let poll = std::time::Duration::from_millis(500);
    if wait_chain(c.prometheus, &c.rules, c.grace, poll).is_ok() {
        return out;
    }
    match read_state(c.prometheus) {
        Ok(state) => out.extend(
            state
                .problems(&c.rules)
                .into_iter()
                .map(|p| Finding::drift("chaine-alerte", format!("chaîne d'alerte : {p}"))),
        ),
        Err(e) => out.push(Finding::from_error("prometheus", "Prometheus", &e)),
    }
    out
}

/// partie-6-alertes' checks: the Alertmanager container and the alert
/// chain (its drill is not re-run here; its managed files are compared by
/// the caller).
pub fn partie6_alertes(s: &Stack<'_>, chain: &AlertChain<'_>) -> Vec<Finding> {
    let mut out = s.containers(&[crate::steps::alertes::SERVICE]);
    out.extend(alert_chain(chain));
    out
}

/// The exit status of a set of findings: `Ok` when none, an unreachable
/// service (exit 3) before a drift (exit 1).
pub fn outcome(findings: &[Finding]) -> Result<()> {
    let n = findings.len();
    if findings.iter().any(|f| f.gravite == Severity::Unreachable) {
        return Err(Error::environment(format!(
            "vérification incomplète : un service est injoignable ({n} constat{})",
            if n > 1 { "s" } else { "" }
        ))
        .with_hint("démarrez la pile (docker compose up -d) ou vérifiez les adresses JOURNAL_*_URL, puis relancez « journal verifie »"));
    }
    if n > 0 {
        return Err(Error::failed(format!(
            "{n} écart{} constaté{} avec l'état installé",
            if n > 1 { "s" } else { "" },
            if n > 1 { "s" } else { "" }
        ))
        .with_hint("relancez « journal run <partie> » pour rétablir l'état voulu, ou notez la raison avec « journal note »"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::docker::{FakeDocker, container, stack};
    use crate::testing::grafana::FakeGrafana;
    use crate::testing::prometheus::{FakePrometheus, sample, target};

    const SERVICES: [&str; 3] = ["prometheus", "grafana", "cadvisor"];

    #[test]
    fn all_good_is_no_finding_and_exit_0() {
        let d = FakeDocker::scripted(vec![stack(1)]);
        let mut f = containers(&d, "compose", &SERVICES, Duration::ZERO);
        let p = FakePrometheus::default();
        *p.targets.borrow_mut() = vec![target("prometheus", true), target("cadvisor", true)];
        p.answer("q", vec![sample(&[("name", "grafana")], 1.0)]);
        f.extend(targets(&p, &["prometheus", "cadvisor"]));
        f.extend(query_not_empty(&p, "metriques", "q", "métriques"));
        assert!(f.is_empty(), "{f:?}");
        assert!(outcome(&f).is_ok());
    }

    #[test]
    fn a_stopped_container_a_down_target_and_no_metrics_are_drift() {
        let mut s = stack(1);
        s[2] = container("cadvisor", "c", "exited", 0);
        let d = FakeDocker::scripted(vec![s]);
        let f = containers(&d, "compose", &SERVICES, Duration::ZERO);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("« cadvisor » ne tourne pas"), "{f:?}");
        let p = FakePrometheus::default();
        *p.targets.borrow_mut() = vec![target("cadvisor", false)];
        let t = targets(&p, &["prometheus", "cadvisor"]);
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].message.contains("aucune cible du job « prometheus »"));
        assert!(t[1].message.contains("connection refused"));
        let q = query_not_empty(&p, "metriques", "q", "métriques nommées");
        assert_eq!(q[0].gravite, Severity::Drift);
        assert_eq!(outcome(&f).unwrap_err().code(), 1);
    }

    #[test]
    fn a_restart_loop_and_a_missing_container_are_drift() {
        let first = stack(1);
        let mut second = stack(1);
        second[0].restart_count = 3;
        second.pop();
        let d = FakeDocker::scripted(vec![first, second]);
        // A fresh container (started 2 minutes ago) with a 10 min gap: two samples.
        let f = containers(&d, "compose", &SERVICES, Duration::from_millis(120_001));
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("cadvisor est introuvable")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("redémarre en boucle")),
            "{msgs:?}"
        );
    }

    #[test]
    fn grafana_datasource_dashboard_and_password() {
        let g = FakeGrafana::new("bon");
        let mut refusals = Refusals::in_memory();
        let now = chrono::Local::now().fixed_offset();
        let creds = grafana_sign_in(&g, Some(Secret::new("bon")), &mut refusals, now).unwrap();
        assert_eq!(creds.user, "admin");
        let spec = crate::steps::grafana_datasource::prometheus_spec();
        let f = datasource(&g, &spec);
        assert!(f[0].message.contains("n'existe plus"), "{f:?}");
        let f = dashboard(&g, 19908, "cAdvisor");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cle, "tableau-de-bord");

        // Changed elsewhere: one refused attempt, then no more within 5 min.
        let g = FakeGrafana::new("autre");
        let e = grafana_sign_in(&g, Some(Secret::new("bon")), &mut refusals, now).unwrap_err();
        assert!(e.message.contains("changé ailleurs"), "{e:?}");
        let e = grafana_sign_in(&g, Some(Secret::new("bon")), &mut refusals, now).unwrap_err();
        assert!(e.message.contains("pas de nouvel essai"), "{e:?}");
        assert_eq!(g.attempts.get(), 1, "never a second login within 5 minutes");
    }

    #[test]
    fn partie6_all_good_then_each_kind_of_drift() {
        let d = FakeDocker::scripted(vec![stack(1)]);
        let p = FakePrometheus::default();
        *p.targets.borrow_mut() = vec![target("prometheus", true), target("cadvisor", true)];
        p.answer(
            crate::steps::container_metrics::CONTAINERS_BY_INSTANCE,
            vec![sample(&[("instance", "cadvisor:8080")], 3.0)],
        );
        let g = FakeGrafana::new("bon");
        let spec = crate::steps::grafana_datasource::prometheus_spec();
        crate::steps::kit::grafana::ensure_datasource(&g, &spec).unwrap();
        g.dashboards
            .borrow_mut()
            .push(serde_json::json!({"uid": "u", "title": "Tableau cAdvisor", "gnetId": 14282}));
        fn stack_of<'a>(
            docker: &'a FakeDocker,
            p: &'a FakePrometheus,
            grafana: &'a FakeGrafana,
        ) -> Stack<'a> {
            Stack {
                docker: Ok((docker as &dyn Containers, "compose".into())),
                prometheus: p,
                grafana: Ok(grafana as &dyn GrafanaApi),
                gap: Duration::ZERO,
                containers: true,
                dashboard: (14282, "Tableau cAdvisor".into()),
            }
        }
        let all = partie6(&stack_of(&d, &p, &g));
        assert!(all.is_empty(), "{all:?}");

        // No named container metrics.
        p.answer(
            crate::steps::container_metrics::CONTAINERS_BY_INSTANCE,
            vec![],
        );
        let f = partie6(&stack_of(&d, &p, &g));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].cle, "metriques:conteneurs");

        // The data source and the dashboard removed by hand.
        let empty = FakeGrafana::new("bon");
        let f = partie6(&stack_of(&d, &p, &empty));
        let keys: Vec<&str> = f.iter().map(|f| f.cle.as_str()).collect();
        assert!(keys.contains(&"source:Prometheus"), "{keys:?}");
        assert!(keys.contains(&"tableau-de-bord"), "{keys:?}");
        assert_eq!(outcome(&f).unwrap_err().code(), 1);

        // Docker unreachable: exit 3; on a swarm, containers are not asked.
        let mut s = stack_of(&d, &p, &g);
        s.docker = Err(Finding::unreachable(
            "docker",
            "le moteur Docker",
            &Error::environment("connexion refusée"),
        ));
        assert_eq!(outcome(&partie6(&s)).unwrap_err().code(), 3);
        s.containers = false;
        assert!(!partie6(&s).iter().any(|f| f.cle == "docker"));
    }

    struct Chain {
        rules: Vec<crate::adapters::prometheus::Rule>,
        alertmanagers: Vec<String>,
        ready: bool,
    }
    impl PrometheusAlertingApi for Chain {
        fn rules(&self) -> Result<Vec<crate::adapters::prometheus::RuleGroup>> {
            Ok(vec![crate::adapters::prometheus::RuleGroup {
                name: "g".into(),
                file: String::new(),
                rules: self.rules.clone(),
            }])
        }
        fn alertmanagers(&self) -> Result<Vec<String>> {
            Ok(self.alertmanagers.clone())
        }
    }
    impl AlertmanagerApi for Chain {
        fn ready(&self) -> Result<()> {
            match self.ready {
                true => Ok(()),
                false => Err(Error::environment("connexion refusée")),
            }
        }
        fn status(&self) -> Result<crate::adapters::alertmanager::AmStatus> {
            unreachable!("not asked")
        }
        fn alerts(&self) -> Result<Vec<crate::adapters::alertmanager::AmAlert>> {
            unreachable!("not asked")
        }
    }

    #[test]
    fn the_alert_chain_beyond_the_container() {
        let rows = crate::steps::alertes::rules::rule_rows(
            "groups:\n- name: g\n  rules:\n  - alert: CibleInjoignable\n    expr: up == 0\n  - alert: DisquePlein\n    expr: vector(1)\n",
        );
        assert_eq!(rows.len(), 2);
        let rule = |name: &str, health: &str| {
            serde_json::from_value(serde_json::json!({"name": name, "health": health})).unwrap()
        };
        let good = Chain {
            rules: vec![rule("CibleInjoignable", "ok")],
            alertmanagers: vec!["http://alertmanager:9093/api/v2/alerts".into()],
            ready: true,
        };
        let check = |c: &Chain| {
            alert_chain(&AlertChain {
                prometheus: c,
                alertmanager: c,
                rules: rows.clone(),
                grace: std::time::Duration::ZERO,
            })
        };
        // One rule of the file not loaded.
        let f = check(&good);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("règle DisquePlein non chargée"),
            "{f:?}"
        );
        assert_eq!(f[0].gravite, Severity::Drift);
        let all_good = Chain {
            rules: vec![rule("CibleInjoignable", "ok"), rule("DisquePlein", "ok")],
            ..good
        };
        assert!(check(&all_good).is_empty(), "{:?}", check(&all_good));
        // An unhealthy rule, Prometheus without its Alertmanager, Alertmanager not ready.
        let broken = Chain {
            rules: vec![rule("CibleInjoignable", "err"), rule("DisquePlein", "ok")],
            alertmanagers: vec![],
            ready: false,
        };
        let f = check(&broken);
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("règle CibleInjoignable : santé « err »")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("absent des Alertmanagers actifs")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("Alertmanager injoignable")),
            "{msgs:?}"
        );
        assert_eq!(outcome(&f).unwrap_err().code(), 3);
    }

    #[test]
    fn an_unreachable_service_is_exit_3() {
        let e = Error::environment("connexion refusée");
        let f = vec![
            Finding::unreachable("prometheus", "Prometheus", &e),
            Finding::drift("x", "y"),
        ];
        assert_eq!(outcome(&f).unwrap_err().code(), 3);
    }

    #[test]
    fn a_hand_edit_is_drift_with_a_diff() {
        assert!(managed_file("a.yml", Some("x\n"), "x\n", false).is_none());
        assert!(managed_file("a.yml", Some("y\n"), "x\n", true).is_none());
        let f = managed_file("a.yml", Some("y\n"), "x\n", false).unwrap();
        assert!(f.message.contains("modifié à la main"));
        assert!(f.details.contains("-y"), "{}", f.details);
        assert!(f.details.contains("+x"), "{}", f.details);
    }
}
