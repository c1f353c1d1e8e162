//! Step `resource-snapshot`: once the targets are up, asks Prometheus for the
//! CPU and memory used by each container (as cAdvisor reports them), writes a
//! French table and a bar chart (SVG drawn with plotters, attached beside the
//! journal entry).
//!
//! With a single cAdvisor sample so far, the CPU comes from the Docker engine
//! (one host), else from the average since each container started (a swarm),
//! else from the next scrape.
//!
//! Series are grouped by container and by cAdvisor target (`instance`): on
//! a swarm (`--cible swarm`) the table and the chart show each container
//! with its node, and the summary gives the figures of each node.
//!
//! It only reads Prometheus; empty data is a warning, not a failure.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::adapters::docker::Containers;
use crate::adapters::prometheus::{HttpPrometheus, PrometheusApi, Sample};
use crate::error::{Error, Result};
use crate::french;
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::kit::table::Table;
use crate::steps::kit::wait::{Poll, Stopped, wait_until};

mod chart;

use crate::steps::{DockerClient, MetricsNodes, deployment};
#[cfg(test)] // the tests below name it through `super::*`
use chart::axis_decimals;
pub use chart::{NARROW_TEXT, NARROW_WIDTH, render_chart, render_narrow_chart};

// Every query groups by cAdvisor target and container: one target in
// Compose mode, one per node on a swarm.

/// CPU per container: share of one core over the last minute.
pub const CPU_QUERY: &str =
    r#"sum by (instance, name) (rate(container_cpu_usage_seconds_total{name!=""}[1m]))"#;
/// Fallback when fewer than two samples fall in one minute.
pub const CPU_QUERY_IRATE: &str =
    r#"sum by (instance, name) (irate(container_cpu_usage_seconds_total{name!=""}[5m]))"#;
/// The raw counter, for a difference computed here.
pub const CPU_COUNTER: &str =
    r#"sum by (instance, name) (container_cpu_usage_seconds_total{name!=""})"#;
/// The counter's sample time.
pub const CPU_COUNTER_TIME: &str =
    r#"max by (instance, name) (timestamp(container_cpu_usage_seconds_total{name!=""}))"#;
/// When each container started (cAdvisor), for an average since then.
pub const CPU_START: &str = r#"max by (instance, name) (container_start_time_seconds{name!=""})"#;
/// Memory per container: working set (what the OOM killer watches).
pub const MEM_QUERY: &str =
    r#"sum by (instance, name) (container_memory_working_set_bytes{name!=""})"#;
/// Fallback: total usage, page cache included.
pub const MEM_QUERY_USAGE: &str =
    r#"sum by (instance, name) (container_memory_usage_bytes{name!=""})"#;

/// A series' key: the cAdvisor target (`instance`) and the container name.
pub type Key = (String, String);

/// Instantané des ressources consommées.
pub struct ResourceSnapshot;

/// One container's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// The cAdvisor target that measured it (`instance`).
    pub instance: String,
    /// Container name.
    pub name: String,
    /// CPU in percent of one core.
    pub cpu_percent: Option<f64>,
    /// Memory in MiB.
    pub mem_mib: Option<f64>,
}

fn by_key(samples: &[Sample]) -> BTreeMap<Key, f64> {
    samples
        .iter()
        .filter(|s| s.value.is_finite())
        .filter_map(|s| {
            let name = s.metric.get("name").filter(|n| !n.is_empty())?;
            let instance = s.metric.get("instance").cloned().unwrap_or_default();
            Some(((instance, name.clone()), s.value))
        })
        .collect()
}

/// Where the series are read: Prometheus, and on a swarm the cAdvisor
/// targets of the nodes (`instance`). Prometheus may still return, for a
/// few minutes, the series of a target that has gone (a node lost and
/// back: its former cAdvisor task): they are not this run's containers.
pub struct Series<'a> {
    /// Prometheus.
    pub api: &'a dyn PrometheusApi,
    /// The targets to keep (`None`: all).
    pub instances: Option<&'a [String]>,
}

impl<'a> Series<'a> {
    /// Every series of `api`.
    pub fn all(api: &'a dyn PrometheusApi) -> Self {
        Series {
            api,
            instances: None,
        }
    }

    /// The values of `query` by key, within the kept targets.
    fn vector(&self, query: &str) -> Result<BTreeMap<Key, f64>> {
        let mut v = by_key(self.api.query(query)?.samples());
        if let Some(keep) = self.instances {
            v.retain(|(instance, _), _| keep.contains(instance));
        }
        Ok(v)
    }
}

/// The CPU read so far, and how (French), method by method.
#[derive(Default)]
struct CpuReading {
    cores: BTreeMap<Key, f64>,
    methods: Vec<(String, usize)>,
}

impl CpuReading {
    /// Adds the values of `found` for the keys still missing.
    fn fill(&mut self, found: BTreeMap<Key, f64>, how: &str) {
        let before = self.cores.len();
        for (k, v) in found {
            self.cores.entry(k).or_insert(v);
        }
        let added = self.cores.len() - before;
        if added > 0 {
            self.methods.push((how.to_string(), added));
        }
    }

    fn missing<'a>(&self, all: &'a BTreeMap<Key, f64>) -> Vec<&'a Key> {
        all.keys()
            .filter(|k| !self.cores.contains_key(*k))
            .collect()
    }

    /// The figures and how they were obtained: one method, or each with
    /// its number of containers.
    fn finish(self) -> (BTreeMap<Key, f64>, String) {
        let how = match self.methods.as_slice() {
            [] => "aucune mesure possible pour l'instant : un seul relevé du compteur, sans date \
                   de démarrage du conteneur"
                .to_string(),
            [(how, _)] => how.clone(),
            many => many
                .iter()
                .map(|(how, n)| {
                    format!(
                        "pour {n} conteneur{} : {how}",
                        if *n > 1 { "s" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(" ; "),
        };
        (self.cores, how)
    }
}

const RATE_HOW: &str = "taux sur 1 minute du compteur (`rate(…[1m])`)";
const IRATE_HOW: &str = "taux instantané sur 5 minutes (`irate(…[5m])`) : moins de deux relevés \
     en une minute, trop récent pour `rate(…[1m])`";
const ENGINE_HOW: &str = "deux lectures des compteurs CPU des cgroups à une seconde d'intervalle, \
     faites par le moteur Docker (comme `docker stats`) : Prometheus n'avait encore qu'un relevé de \
     cAdvisor, trop peu pour `rate` ou `irate`";
const AVERAGE_HOW: &str = "moyenne depuis le démarrage de chaque conteneur (compteur ÷ temps écoulé \
     depuis `container_start_time_seconds`, démarrage compris) : Prometheus n'avait encore qu'un \
     relevé de cAdvisor, trop peu pour `rate` ou `irate`, et le moteur de ce nœud ne voit pas les \
     conteneurs des autres";
const DIFFERENCE_HOW: &str = "différence de deux relevés successifs du compteur, calculée par \
     journal : Prometheus n'avait pas encore assez de points pour `rate` ni `irate`";

/// CPU (cores) per container and how it was obtained (French). Each
/// container gets the best figure Prometheus has for it: `rate` over one
/// minute, else `irate` (a target discovered later, on a swarm, may still be
/// at that point), else — one sample only — two readings by `engine` (asked
/// only when it sees every container: one host), else the average since
/// the container started, else the difference with the next scrape (waited
/// for at most `max_wait`).
pub fn read_cpu(
    series: &Series,
    engine: Option<&dyn Containers>,
    max_wait: Duration,
) -> Result<(BTreeMap<Key, f64>, String)> {
    let mut reading = CpuReading::default();
    reading.fill(series.vector(CPU_QUERY)?, RATE_HOW);
    let first = series.vector(CPU_COUNTER)?;
    // The counter's sample times, read with it (a scrape may come later).
    let t1 = series.vector(CPU_COUNTER_TIME)?;
    if first.is_empty() {
        if reading.cores.is_empty() {
            return Ok((
                BTreeMap::new(),
                "aucune série container_cpu_usage_seconds_total nommée".into(),
            ));
        }
        return Ok(reading.finish());
    }
    if reading.missing(&first).is_empty() {
        return Ok(reading.finish());
    }
    reading.fill(series.vector(CPU_QUERY_IRATE)?, IRATE_HOW);
    if reading.missing(&first).is_empty() {
        return Ok(reading.finish());
    }
    // Rather than waiting up to a scrape interval for a second point, ask
    // the engine: it reads the same cgroup counters twice, a second apart.
    if let Some(engine) = engine {
        let missing = reading.missing(&first);
        let mut names: Vec<String> = missing.iter().map(|(_, n)| n.clone()).collect();
        names.dedup();
        let by_name: BTreeMap<String, f64> = engine.cpu_cores(&names)?.into_iter().collect();
        let measured: BTreeMap<Key, f64> = missing
            .into_iter()
            .filter_map(|k| by_name.get(&k.1).map(|c| (k.clone(), *c)))
            .collect();
        reading.fill(measured, ENGINE_HOW);
        if reading.missing(&first).is_empty() {
            return Ok(reading.finish());
        }
    }
    // The average since each container started is known at once from the
    // one sample.
    let started = series.vector(CPU_START)?;
    let average: BTreeMap<Key, f64> = reading
        .missing(&first)
        .into_iter()
        .filter_map(|k| {
            let elapsed = t1.get(k)? - started.get(k)?;
            (elapsed >= 1.0).then(|| (k.clone(), first[k] / elapsed))
        })
        .collect();
    reading.fill(average, AVERAGE_HOW);
    if reading.missing(&first).is_empty() {
        return Ok(reading.finish());
    }
    // Otherwise wait for the next scrape and compute the difference here,
    // if any missing series has a sample time to move past.
    if !reading.missing(&first).iter().any(|k| t1.contains_key(*k)) {
        return Ok(reading.finish());
    }
    let waited = wait_until(max_wait, Duration::from_secs(2).min(max_wait), || {
        let t2 = series.vector(CPU_COUNTER_TIME)?;
        let advanced = reading
            .missing(&first)
            .iter()
            .any(|k| matches!((t1.get(*k), t2.get(*k)), (Some(a), Some(b)) if b > a));
        Ok(if advanced {
            Poll::Ready(t2)
        } else {
            Poll::Pending(())
        })
    });
    match waited {
        Ok(w) => {
            let t2 = w.value;
            let second = series.vector(CPU_COUNTER)?;
            let mut out = BTreeMap::new();
            for k in reading.missing(&first) {
                if let (Some(v1), Some(v2), Some(a), Some(b)) =
                    (first.get(k), second.get(k), t1.get(k), t2.get(k))
                    && b > a
                    && v2 >= v1
                {
                    out.insert(k.clone(), (v2 - v1) / (b - a));
                }
            }
            reading.fill(out, DIFFERENCE_HOW);
            Ok(reading.finish())
        }
        Err(Stopped::Failed(e)) => Err(e),
        Err(Stopped::TimedOut { .. }) if reading.cores.is_empty() => Ok((
            BTreeMap::new(),
            "un seul relevé du compteur CPU disponible : trop tôt pour calculer un taux".into(),
        )),
        Err(Stopped::TimedOut { .. }) => Ok(reading.finish()),
    }
}

/// Memory (bytes) per container and which metric was used.
pub fn read_memory(series: &Series) -> Result<(BTreeMap<Key, f64>, String)> {
    let r = series.vector(MEM_QUERY)?;
    if !r.is_empty() {
        return Ok((
            r,
            "mémoire de travail (`container_memory_working_set_bytes`)".into(),
        ));
    }
    let r = series.vector(MEM_QUERY_USAGE)?;
    Ok((
        r,
        "mémoire utilisée, cache compris (`container_memory_usage_bytes`)".into(),
    ))
}

/// Merges CPU (cores) and memory (bytes) into rows sorted by target, then
/// by name.
pub fn merge(cpu: &BTreeMap<Key, f64>, mem: &BTreeMap<Key, f64>) -> Vec<Usage> {
    let mut keys: Vec<&Key> = cpu.keys().chain(mem.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| Usage {
            instance: k.0.clone(),
            name: k.1.clone(),
            cpu_percent: cpu.get(k).map(|c| c * 100.0),
            mem_mib: mem.get(k).map(|b| b / 1024.0 / 1024.0),
        })
        .collect()
}

impl Usage {
    /// Its CPU and memory table cells, « — » when not measured.
    fn figures(&self) -> [String; 2] {
        [
            self.cpu_percent
                .map_or("—".into(), |c| french::decimal(c, 2)),
            self.mem_mib.map_or("—".into(), |m| french::decimal(m, 1)),
        ]
    }
}

/// The French Markdown table.
pub fn usage_table(rows: &[Usage]) -> String {
    let mut t = Table::new(["Conteneur", "CPU (% d'un cœur)", "Mémoire (Mio)"])
        .right(1)
        .right(2);
    for r in rows {
        let [cpu, mem] = r.figures();
        t.row([r.name.clone(), cpu, mem]);
    }
    t.render()
}

/// A swarm task's container name without the task ID, nor the node ID of a
/// global service's task (the node has its own column):
/// `pile_grafana.1.<tâche>` → `pile_grafana.1`, `pile_cadvisor.<nœud>.<tâche>`
/// → `pile_cadvisor`. Other names are left alone.
pub fn short_task_name(name: &str) -> String {
    let is_id = |p: &str| p.len() == 25 && p.chars().all(|c| c.is_ascii_alphanumeric());
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [service, slot, task] if is_id(task) && is_id(slot) => service.to_string(),
        [service, slot, task] if is_id(task) => format!("{service}.{slot}"),
        _ => name.to_string(),
    }
}

/// How a row's node is written: short ID (12 characters, as `docker node
/// ls`) and address, or the target itself when no node has it.
fn node_cell(instance: &str, cadvisors: &MetricsNodes) -> String {
    match cadvisors.node(instance) {
        Some(n) => format!(
            "`{}` ({})",
            n.id.chars().take(12).collect::<String>(),
            n.addr
        ),
        None => format!("cible {instance} (nœud inconnu)"),
    }
}

/// On a swarm: the table with each container's node, then one line per
/// node (its containers, CPU and memory).
pub fn node_usage_table(rows: &[Usage], cadvisors: &MetricsNodes) -> String {
    let mut t = Table::new(["Nœud", "Conteneur", "CPU (% d'un cœur)", "Mémoire (Mio)"])
        .right(2)
        .right(3);
    for r in rows {
        let [cpu, mem] = r.figures();
        t.row([
            node_cell(&r.instance, cadvisors),
            short_task_name(&r.name),
            cpu,
            mem,
        ]);
    }
    let mut s = t.render();
    s.push_str("\nPar nœud :\n\n");
    for (node, instance) in &cadvisors.0 {
        let mine: Vec<&Usage> = rows.iter().filter(|r| &r.instance == instance).collect();
        s.push_str(&format!(
            "- nœud `{}` ({}, {}) : {} conteneur{}, {} % d'un cœur, {} Mio\n",
            node.id,
            node.addr,
            node.role_label(),
            mine.len(),
            if mine.len() > 1 { "s" } else { "" },
            french::decimal(mine.iter().filter_map(|r| r.cpu_percent).sum(), 1),
            french::decimal(mine.iter().filter_map(|r| r.mem_mib).sum(), 0),
        ));
    }
    s
}

fn command(ctx: &RunContext) -> String {
    format!(
        "curl -s {url}/api/v1/query --data-urlencode 'query={CPU_QUERY}'\n\
         curl -s {url}/api/v1/query --data-urlencode 'query={MEM_QUERY}'",
        url = ctx.settings.prometheus_url
    )
}

/// The step's work against any [`PrometheusApi`].
pub fn run_with(
    api: &dyn PrometheusApi,
    ctx: &RunContext,
    max_wait: Duration,
) -> Result<StepReport, StepFailure> {
    let cmd = command(ctx);
    let fail = |e: Error| StepFailure::from(e).command(cmd.clone());
    let deployment = deployment::of(ctx);
    let cadvisors = deployment.metrics_nodes();
    // On a swarm, this engine sees its own node's containers only.
    let engine = ctx
        .get::<DockerClient>()
        .filter(|_| cadvisors.is_none())
        .map(|d| d.0.clone());
    let instances: Option<Vec<String>> =
        cadvisors.map(|c| c.0.iter().map(|(_, i)| i.clone()).collect());
    let series = Series {
        api,
        instances: instances.as_deref(),
    };
    let (cpu, cpu_how) = read_cpu(&series, engine.as_deref(), max_wait).map_err(fail)?;
    let (mem, mem_how) = read_memory(&series).map_err(fail)?;
    let mut rows = merge(&cpu, &mem);
    if let Some(c) = cadvisors {
        // In the order of the nodes (as `docker node ls`), not of addresses.
        let rank = |i: &str| c.0.iter().position(|(_, x)| x == i).unwrap_or(usize::MAX);
        rows.sort_by(|a, b| (rank(&a.instance), &a.name).cmp(&(rank(&b.instance), &b.name)));
    }
    // An observation: « déjà fait » when the stack was already running
    // before this run (the snapshot is still taken and recorded).
    let report_with = |summary: String| {
        if ctx.get::<super::StackUnchanged>().is_some() {
            StepReport::already_done(summary)
        } else {
            StepReport::done(summary)
        }
    };
    if rows.is_empty() {
        return Ok(report_with(
            "aucune donnée de consommation par conteneur dans Prometheus pour l'instant".into(),
        )
        .command(cmd)
        .details(format!("CPU : {cpu_how}."))
        .warn(
            "Prometheus n'a renvoyé aucune série avec un label `name` : cAdvisor ne voit pas les noms des \
             conteneurs (cgroup v2 ou Docker trop récent pour cAdvisor v0.47, voir `docker compose logs cadvisor`), \
             ou la collecte vient de commencer",
        ));
    }
    let mut details = format!(
        "Relevé du {} pour {} conteneurs. CPU : {cpu_how} ; 100 % correspond à un cœur entier. \
         Mémoire : {mem_how}.\n\n{}",
        french::date_time(&crate::store::now()),
        rows.len(),
        match cadvisors {
            Some(c) => node_usage_table(&rows, c),
            None => usage_table(&rows),
        }
    );
    // On a swarm, each bar says its container and its node.
    let chart_rows: Vec<Usage> = match cadvisors {
        Some(c) => rows
            .iter()
            .map(|r| Usage {
                name: format!(
                    "{} ({})",
                    short_task_name(&r.name),
                    c.node(&r.instance)
                        .map_or(r.instance.as_str(), |n| n.addr.as_str())
                ),
                ..r.clone()
            })
            .collect(),
        None => rows.clone(),
    };
    let mut report_warn = None;
    match render_chart(&chart_rows).and_then(|svg| ctx.attach("ressources.svg", svg.as_bytes())) {
        Ok(Some(name)) => {
            details.push_str(&format!("\n![Consommation des conteneurs]({name})"));
            // The phone variant: only an extra attachment, the entry links
            // the wide chart and the book picks the narrow one by itself.
            if let Err(e) = render_narrow_chart(&chart_rows)
                .and_then(|svg| ctx.attach("ressources-etroit.svg", svg.as_bytes()))
            {
                report_warn = Some(format!(
                    "graphique pour téléphone non produit : {}",
                    e.message()
                ));
            }
        }
        Ok(None) => {}
        Err(e) => report_warn = Some(format!("graphique non produit : {}", e.message())),
    }
    let total_cpu: f64 = rows.iter().filter_map(|r| r.cpu_percent).sum();
    let total_mem: f64 = rows.iter().filter_map(|r| r.mem_mib).sum();
    let on_nodes = cadvisors.map_or(String::new(), |c| {
        format!(
            " sur {} nœud{}",
            c.0.len(),
            if c.0.len() > 1 { "s" } else { "" }
        )
    });
    let mut report = report_with(format!(
        "{} conteneurs mesurés{on_nodes} : {} % d'un cœur et {} Mio au total",
        rows.len(),
        french::decimal(total_cpu, 1),
        french::decimal(total_mem, 0)
    ))
    .command(cmd)
    .details(details);
    if cpu.is_empty() {
        report = report
            .warn("CPU non mesuré : la collecte est trop récente (un seul relevé du compteur)");
    }
    if let Some(w) = report_warn {
        report = report.warn(w);
    }
    Ok(report)
}

impl Step for ResourceSnapshot {
    fn id(&self) -> &'static str {
        "resource-snapshot"
    }

    fn title(&self) -> &'static str {
        "Instantané des ressources consommées"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : interrogerait Prometheus ({}) sur le CPU et la mémoire de chaque conteneur, \
                 puis joindrait un tableau et un graphique SVG au journal",
                ctx.settings.prometheus_url
            ))
            .command(command(ctx)));
        }
        let api = HttpPrometheus::new(&ctx.settings.prometheus_url)?;
        run_with(&api, ctx, Duration::from_secs(20))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::prometheus::{QueryResult, Target, parse_query};

    fn key(instance: &str, name: &str) -> Key {
        (instance.to_string(), name.to_string())
    }

    fn rows() -> Vec<Usage> {
        let k = |n| key("cadvisor:8080", n);
        merge(
            &BTreeMap::from([(k("prometheus"), 0.0123), (k("grafana"), 0.004)]),
            &BTreeMap::from([
                (k("prometheus"), 52_297_728.0),
                (k("grafana"), 80_000_000.0),
                (k("cadvisor"), 40_000_000.0),
            ]),
        )
    }

    #[test]
    fn axis_labels_stay_distinct() {
        assert_eq!(axis_decimals(30.0), 0);
        assert_eq!(axis_decimals(0.28), 2);
        assert_eq!(axis_decimals(2.0), 1);
    }

    #[test]
    fn table_is_sorted_with_decimal_commas() {
        let t = usage_table(&rows());
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[2], "| cadvisor | — | 38,1 |");
        assert_eq!(lines[4], "| prometheus | 1,23 | 49,9 |");
    }

    #[test]
    fn chart_is_svg_with_container_names() {
        let svg = render_chart(&rows()).unwrap();
        assert!(svg.contains("<svg"));
        for n in ["prometheus", "grafana", "cadvisor", "Mémoire (Mio)"] {
            assert!(svg.contains(n), "{n}");
        }
        assert!(render_chart(&[]).unwrap().contains("<svg"));
        // Sized to its data: as wide as a book page, 28 px more per bar.
        let size = |svg: &str| -> (u32, u32) {
            let attr = |a: &str| -> u32 {
                let i = svg.find(&format!("{a}=\"")).unwrap() + a.len() + 2;
                svg[i..].split('"').next().unwrap().parse().unwrap()
            };
            (attr("width"), attr("height"))
        };
        let (w, h) = size(&render_chart(&rows()).unwrap());
        assert!(w <= 760, "{w}");
        let (_, h1) = size(&render_chart(&rows()[..1]).unwrap());
        assert_eq!(h - h1, 2 * 2 * 28);
    }

    #[test]
    fn narrow_chart_fits_a_phone_with_every_name_legible() {
        let long = Usage {
            name: "supervision-prometheus-1 (10.0.0.12)".into(),
            ..rows()[0].clone()
        };
        let mut all = rows();
        all.push(long);
        let svg = render_narrow_chart(&all).unwrap();
        let attr = |a: &str| -> u32 {
            let i = svg.find(&format!("{a}=\"")).unwrap() + a.len() + 2;
            svg[i..].split('"').next().unwrap().parse().unwrap()
        };
        assert_eq!(attr("width"), NARROW_WIDTH);
        assert!(attr("width") <= 360, "{}", attr("width"));
        for n in [
            "prometheus",
            "grafana",
            "cadvisor",
            "supervision-prometheus-1 (10.0.0.12)",
            "Mémoire (Mio)",
            "CPU (% d",
        ] {
            assert!(svg.contains(n), "{n}");
        }
        // Every text at 12 px or more.
        let sizes: Vec<f64> = svg
            .split("font-size=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert!(sizes.iter().all(|s| *s >= 12.0), "{sizes:?}");
        assert!(
            sizes.iter().any(|s| (s - NARROW_TEXT).abs() < 0.01),
            "{sizes:?}"
        );
        // Names (2 panels × 4) and values (2 × 4) and captions (2).
        assert_eq!(sizes.len(), 18, "{sizes:?}");
        // cadvisor's CPU is not measured: « — », not « 0,00 % ».
        assert!(svg.contains("\n—\n") && !svg.contains("0,00 %"), "{svg}");
        assert!(render_narrow_chart(&[]).unwrap().contains("<svg"));
    }

    /// Prometheus where `rate` and `irate` are empty and the counter moves.
    struct Fresh {
        calls: std::cell::Cell<(u32, u32)>,
    }
    impl PrometheusApi for Fresh {
        fn ready(&self) -> Result<()> {
            Ok(())
        }
        fn targets(&self) -> Result<Vec<Target>> {
            Ok(vec![])
        }
        fn metric_names(&self) -> Result<Vec<String>> {
            Ok(vec![])
        }
        fn query(&self, q: &str) -> Result<QueryResult> {
            let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
            let one = |v: &str| {
                format!(
                    r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"name":"grafana"}},"value":[1795549646.675,"{v}"]}}]}}}}"#
                )
            };
            let (c, t) = self.calls.get();
            let body = if q == CPU_COUNTER {
                self.calls.set((c + 1, t));
                one(if c == 0 { "10" } else { "11.5" })
            } else if q == CPU_COUNTER_TIME {
                self.calls.set((c, t + 1));
                one(if t == 0 { "100" } else { "115" })
            } else if q == MEM_QUERY {
                one("1048576")
            } else {
                empty.to_string()
            };
            parse_query(&body)
        }
    }

    #[test]
    fn too_fresh_run_falls_back_to_counter_difference() {
        let f = Fresh {
            calls: std::cell::Cell::new((0, 0)),
        };
        // The second reading of the counter and of its timestamp sees the next scrape.
        let (cpu, how) = read_cpu(&Series::all(&f), None, Duration::from_secs(1)).unwrap();
        assert!(how.contains("différence"), "{how}");
        assert!((cpu[&key("", "grafana")] - 0.1).abs() < 1e-9);
        let dir = tempfile::tempdir().unwrap();
        let ctx = crate::testing::test_context(dir.path());
        let f = Fresh {
            calls: std::cell::Cell::new((0, 0)),
        };
        let r = run_with(&f, &ctx, Duration::from_secs(1)).unwrap();
        assert!(
            r.details.contains("| grafana | 10,00 | 1,0 |"),
            "{}",
            r.details
        );
    }

    #[test]
    fn too_fresh_run_asks_the_engine_instead_of_waiting_for_a_scrape() {
        let f = Fresh {
            calls: std::cell::Cell::new((0, 0)),
        };
        let engine = crate::testing::docker::FakeDocker::default();
        let (cpu, how) =
            read_cpu(&Series::all(&f), Some(&engine), Duration::from_secs(30)).unwrap();
        assert!(how.contains("moteur Docker"), "{how}");
        assert!((cpu[&key("", "grafana")] - 0.0125).abs() < 1e-9);
        // The counter was read once only: no wait for a second scrape.
        assert_eq!(f.calls.get().0, 1);
    }

    #[test]
    fn queries_are_valid_promql() {
        for q in [
            CPU_QUERY,
            CPU_QUERY_IRATE,
            CPU_COUNTER,
            CPU_COUNTER_TIME,
            CPU_START,
            MEM_QUERY,
            MEM_QUERY_USAGE,
        ] {
            assert!(promql_parser::parser::parse(q).is_ok(), "{q}");
        }
    }

    #[test]
    fn one_sample_and_no_engine_gives_the_average_since_start_at_once() {
        use crate::testing::prometheus::{FakePrometheus, sample};
        let prom = FakePrometheus::default();
        let k = [("instance", "10.0.1.2:8080"), ("name", "pile_cadvisor")];
        prom.answer(CPU_COUNTER, vec![sample(&k, 6.0)]);
        // Sampled 40 s after the container started.
        let mut at = sample(&k, 0.0);
        at.value = 1_000_040.0;
        prom.answer(CPU_COUNTER_TIME, vec![at]);
        prom.answer(CPU_START, vec![sample(&k, 1_000_000.0)]);
        let (cpu, how) = read_cpu(&Series::all(&prom), None, Duration::from_secs(3600)).unwrap();
        assert!(how.contains("moyenne depuis le démarrage"), "{how}");
        assert!((cpu[&key("10.0.1.2:8080", "pile_cadvisor")] - 0.15).abs() < 1e-9);
    }

    #[test]
    fn a_target_discovered_later_gets_its_own_method_not_a_blank() {
        use crate::testing::prometheus::{FakePrometheus, sample};
        let prom = FakePrometheus::default();
        let old = [("instance", "10.0.1.1:8080"), ("name", "pile_grafana.1")];
        let new = [("instance", "10.0.1.3:8080"), ("name", "pile_cadvisor")];
        prom.answer(CPU_QUERY, vec![sample(&old, 0.02)]);
        prom.answer(CPU_COUNTER, vec![sample(&old, 50.0), sample(&new, 2.0)]);
        prom.answer(
            CPU_COUNTER_TIME,
            vec![sample(&old, 1_000_040.0), sample(&new, 1_000_040.0)],
        );
        prom.answer(CPU_START, vec![sample(&new, 1_000_000.0)]);
        let (cpu, how) = read_cpu(&Series::all(&prom), None, Duration::from_secs(3600)).unwrap();
        assert!((cpu[&key("10.0.1.1:8080", "pile_grafana.1")] - 0.02).abs() < 1e-9);
        assert!((cpu[&key("10.0.1.3:8080", "pile_cadvisor")] - 0.05).abs() < 1e-9);
        assert!(
            how.starts_with("pour 1 conteneur : taux sur 1 minute")
                && how.contains(" ; pour 1 conteneur : moyenne depuis le démarrage"),
            "{how}"
        );
    }

    #[test]
    fn swarm_task_names_lose_their_ids() {
        let task = "k2j3h4l5m6n7p8q9r0s1t2u3v";
        let node = "a1b2c3d4e5f6g7h8i9j0k1l2m";
        assert_eq!(
            short_task_name(&format!("journal_grafana.1.{task}")),
            "journal_grafana.1"
        );
        assert_eq!(
            short_task_name(&format!("journal_cadvisor.{node}.{task}")),
            "journal_cadvisor"
        );
        assert_eq!(short_task_name("zammad-railsserver"), "zammad-railsserver");
        assert_eq!(short_task_name("a.b.c"), "a.b.c");
    }

    #[test]
    fn on_a_swarm_each_container_has_its_node() {
        use crate::testing::prometheus::{FakePrometheus, sample};
        use crate::testing::swarm::node;
        let task = "k2j3h4l5m6n7p8q9r0s1t2u3v";
        let prom = FakePrometheus::default();
        let row = |i: &str, n: &str, v: f64| {
            sample(&[("instance", i), ("name", &format!("{n}.{task}"))], v)
        };
        prom.answer(
            CPU_QUERY,
            vec![
                row("10.0.1.1:8080", "journal_prometheus.1", 0.02),
                row("10.0.1.2:8080", "journal_cadvisor.1", 0.01),
            ],
        );
        prom.answer(
            MEM_QUERY,
            vec![
                row(
                    "10.0.1.1:8080",
                    "journal_prometheus.1",
                    100.0 * 1024.0 * 1024.0,
                ),
                row(
                    "10.0.1.2:8080",
                    "journal_cadvisor.1",
                    30.0 * 1024.0 * 1024.0,
                ),
            ],
        );
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = crate::testing::test_context(dir.path());
        ctx.put(MetricsNodes(vec![
            (
                node("n1abcdefghijklmnopqrstuvw", "10.98.0.1", "manager", "ready"),
                "10.0.1.1:8080".into(),
            ),
            (
                node("n2abcdefghijklmnopqrstuvw", "10.98.0.2", "worker", "ready"),
                "10.0.1.2:8080".into(),
            ),
            (
                node("n3abcdefghijklmnopqrstuvw", "10.98.0.3", "worker", "ready"),
                "10.0.1.3:8080".into(),
            ),
        ]));
        crate::steps::deployment::choose(&mut ctx, crate::settings::Target::Swarm);
        // No wait for a next scrape that will not come for the gone target.
        let r = run_with(&prom, &ctx, Duration::from_secs(3600)).unwrap();
        assert!(
            r.summary.contains("2 conteneurs mesurés sur 3 nœuds"),
            "{}",
            r.summary
        );
        assert!(!r.details.contains("10.0.1.9"), "{}", r.details);
        for line in [
            "| `n1abcdefghij` (10.98.0.1) | journal_prometheus.1 | 2,00 | 100,0 |",
            "| `n2abcdefghij` (10.98.0.2) | journal_cadvisor.1 | 1,00 | 30,0 |",
            "- nœud `n1abcdefghijklmnopqrstuvw` (10.98.0.1, gestionnaire) : 1 conteneur, 2,0 % d'un cœur, 100 Mio",
            "- nœud `n3abcdefghijklmnopqrstuvw` (10.98.0.3, travail) : 0 conteneur, 0,0 % d'un cœur, 0 Mio",
        ] {
            assert!(r.details.contains(line), "{line}\n{}", r.details);
        }
    }
}
