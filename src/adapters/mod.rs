//! Thin adapters to the outside world, each behind a small trait so steps can
//! be tested with fakes: the Docker engine (bollard), Docker Compose (its
//! CLI), the host (ports, /proc, names), git, Prometheus, Grafana and grafana.com (reqwest). Adapters translate
//! types and errors into French; they hold no business logic. `trace` shows
//! the commands and HTTP calls they make (`-v`) and their answers (`-vv`).

pub mod alertmanager;
pub mod compose;
pub mod docker;
pub mod engine_endpoint;
pub mod git;
pub mod grafana;
pub mod grafana_com;
pub mod host;
pub mod http;
pub mod prometheus;
pub mod shell;
pub mod swarm;
pub mod trace;
