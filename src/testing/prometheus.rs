//! A scripted Prometheus behind the [`PrometheusApi`] trait: targets, metric
//! names and the answer to each PromQL query are set by the test; the
//! queries asked are recorded. An unknown query answers an empty vector, as
//! Prometheus does for a selector that matches nothing.

use std::cell::RefCell;
use std::collections::BTreeMap;

use crate::adapters::prometheus::{Health, PrometheusApi, QueryResult, Sample, Target};
use crate::error::Result;

/// A target of `job` (instance `<job>:1`), up, or down with « connection
/// refused » as its last error.
pub fn target(job: &str, up: bool) -> Target {
    Target {
        job: job.into(),
        instance: format!("{job}:1"),
        scrape_url: format!("http://{job}:1/metrics"),
        health: if up { Health::Up } else { Health::Down },
        last_error: if up {
            String::new()
        } else {
            "connection refused".into()
        },
        last_scrape: None,
        last_scrape_duration: None,
    }
}

/// One sample with `labels` and `value`.
pub fn sample(labels: &[(&str, &str)], value: f64) -> Sample {
    Sample {
        metric: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        timestamp: 1_795_549_646.0,
        value,
    }
}

/// The fake Prometheus.
#[derive(Default)]
pub struct FakePrometheus {
    /// What `targets` answers.
    pub targets: RefCell<Vec<Target>>,
    /// What `metric_names` answers.
    pub names: RefCell<Vec<String>>,
    /// The vector answered for each query, by its exact text.
    pub answers: RefCell<BTreeMap<String, Vec<Sample>>>,
    /// The queries asked, in order.
    pub asked: RefCell<Vec<String>>,
}

impl FakePrometheus {
    /// Sets the answer to `query`.
    pub fn answer(&self, query: &str, samples: Vec<Sample>) {
        self.answers.borrow_mut().insert(query.to_string(), samples);
    }
}

impl PrometheusApi for FakePrometheus {
    fn ready(&self) -> Result<()> {
        Ok(())
    }

    fn targets(&self) -> Result<Vec<Target>> {
        Ok(self.targets.borrow().clone())
    }

    fn metric_names(&self) -> Result<Vec<String>> {
        Ok(self.names.borrow().clone())
    }

    fn query(&self, promql: &str) -> Result<QueryResult> {
        self.asked.borrow_mut().push(promql.to_string());
        Ok(QueryResult::Vector(
            self.answers
                .borrow()
                .get(promql)
                .cloned()
                .unwrap_or_default(),
        ))
    }
}
