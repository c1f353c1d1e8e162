//! The containers check of the kit: a part's services have their container,
//! running, not restarting (two samples of `RestartCount` a few seconds
//! apart, the second only as late as needed), healthy when a healthcheck
//! says so; and the `docker compose ps`-like table for the journal. It reads
//! the containers the step gives it; it asks Docker nothing itself.

use std::time::Duration;

use crate::adapters::docker::ContainerState;
use crate::steps::kit::table::{Cell, Table};

/// How long to wait before the second `RestartCount` sample. A container in
/// a restart loop was started recently (each restart sets `StartedAt`): when
/// every container runs and started more than `gap` ago, one sample is
/// enough; otherwise the second one comes when the youngest is `gap` old.
pub fn second_sample_in(
    first: &[ContainerState],
    gap: Duration,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Duration {
    let mut wait = Duration::ZERO;
    for c in first {
        let age = c
            .started_at
            .filter(|_| c.state == "running")
            .and_then(|t| (now - t).to_std().ok());
        match age {
            Some(age) => wait = wait.max(gap.saturating_sub(age)),
            None => return gap,
        }
    }
    wait
}

/// What two samples of a part's containers say.
#[derive(Debug, Default)]
pub struct Assessment<'a> {
    /// Restarting, or restarted between the samples.
    pub looping: Vec<&'a ContainerState>,
    /// Not running (exited, created…).
    pub stopped: Vec<&'a ContainerState>,
    /// Running, but `unhealthy` by their healthcheck.
    pub unhealthy: Vec<&'a ContainerState>,
    /// Services without a container.
    pub missing: Vec<String>,
}

/// Compares the `first` and `second` samples of `services`' containers.
pub fn assess<'a>(
    first: &[ContainerState],
    second: &'a [ContainerState],
    services: &[&str],
) -> Assessment<'a> {
    let mut a = Assessment::default();
    for c in second {
        let before = first.iter().find(|b| b.service == c.service);
        let restarted = before.is_some_and(|b| c.restart_count > b.restart_count || b.id != c.id);
        if c.state == "restarting" || restarted {
            a.looping.push(c);
        } else if c.state != "running" {
            a.stopped.push(c);
        } else if c.health.as_deref() == Some("unhealthy") {
            a.unhealthy.push(c);
        }
    }
    a.missing = services
        .iter()
        .filter(|s| !second.iter().any(|c| c.service == **s))
        .map(|s| s.to_string())
        .collect();
    a
}

/// The `docker compose ps`-like table for the journal.
pub fn ps_table(list: &[ContainerState]) -> String {
    let mut t = Table::new([
        "NOM",
        "IMAGE",
        "SERVICE",
        "ÉTAT",
        "REDÉMARRAGES",
        "SANTÉ",
        "PORTS",
    ]);
    for c in list {
        t.row([
            c.name.clone(),
            c.image.clone(),
            c.service.clone(),
            c.state.clone(),
            c.restart_count.to_string(),
            c.health.clone().unwrap_or_else(|| "—".to_string()),
            if c.ports.is_empty() {
                "—".to_string()
            } else {
                c.ports.join(", ")
            },
        ]);
    }
    t.render()
}

/// The images the containers run, for the journal: per service, the image
/// reference and the digest actually running (the registry digest, else the
/// local image id), so a later run can be compared with this one.
pub fn images_table(list: &[ContainerState]) -> String {
    let mut t = Table::new([
        "Service",
        "Image demandée",
        "Empreinte en service",
        "Provenance",
    ]);
    for c in list {
        let (digest, from) = if !c.image_digest.is_empty() {
            (Cell::code(&c.image_digest), "empreinte du registre")
        } else if !c.image_id.is_empty() {
            (
                Cell::code(&c.image_id),
                "image locale (identifiant, sans registre)",
            )
        } else {
            (Cell::text("inconnue"), "—")
        };
        t.row([
            Cell::text(&c.service),
            Cell::code(&c.image),
            digest,
            Cell::text(from),
        ]);
    }
    t.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(service: &str, state: &str, restarts: i64) -> ContainerState {
        ContainerState {
            id: format!("id-{service}"),
            name: service.to_string(),
            service: service.to_string(),
            state: state.to_string(),
            restart_count: restarts,
            ..ContainerState::default()
        }
    }

    #[test]
    fn images_table_gives_the_digest_or_the_local_id() {
        let c = |service: &str, digest: &str, id: &str| ContainerState {
            service: service.into(),
            image: format!("exemple/{service}:1.0"),
            image_digest: digest.into(),
            image_id: id.into(),
            ..Default::default()
        };
        let t = images_table(&[
            c("prometheus", "exemple/prometheus@sha256:aaa", "sha256:111"),
            c("cadvisor", "", "sha256:222"),
            c("grafana", "", ""),
        ]);
        assert!(
            t.contains("| prometheus | `exemple/prometheus:1.0` | `exemple/prometheus@sha256:aaa` | empreinte du registre |"),
            "{t}"
        );
        assert!(
            t.contains("| cadvisor | `exemple/cadvisor:1.0` | `sha256:222` | image locale"),
            "{t}"
        );
        assert!(
            t.contains("| grafana | `exemple/grafana:1.0` | inconnue | — |"),
            "{t}"
        );
    }

    #[test]
    fn a_restart_between_the_samples_a_stopped_and_a_missing_container_are_told_apart() {
        let first = [container("a", "running", 0), container("b", "running", 0)];
        let second = [container("a", "running", 1), container("b", "exited", 0)];
        let a = assess(&first, &second, &["a", "b", "c"]);
        assert_eq!(a.looping.len(), 1);
        assert_eq!(a.stopped[0].service, "b");
        assert_eq!(a.missing, ["c"]);
        assert!(a.unhealthy.is_empty());
    }
}
