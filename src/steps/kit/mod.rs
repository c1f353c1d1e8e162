//! The step kit: the mechanisms that more than one step uses, one
//! implementation each. A step of a part is meant to be a thin composition
//! of these: a managed file (`managed_file`), a compose file edit
//! (`compose_edit`), a bounded wait (`wait`), Prometheus, HTTP and
//! containers checks (`prometheus`, `http_check`, `containers`), Grafana
//! helpers (`grafana`, `dashboard`), parts' fragments of Prometheus
//! (`fragments`, `prometheus_config`), a Markdown table whose every cell is
//! escaped (`table`).
//!
//! The kit knows no part: nothing here names partie-6 or its complements,
//! and no kit file imports a step. It reaches the world only through the
//! adapters, like the steps.

pub mod annotation;
pub mod compose_edit;
pub mod containers;
pub mod dashboard;
pub mod engine;
pub mod fragments;
pub mod grafana;
pub mod http_check;
pub mod managed_file;
pub mod prometheus;
pub mod prometheus_config;
pub mod requires;
pub mod restart;
pub mod secret_file;
pub mod table;
pub mod wait;
