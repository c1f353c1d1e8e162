//! Test support shared by the unit tests of the steps (compiled only for
//! tests): the run context on a temporary project ([`context`]) and the fakes
//! of the adapters, one file per adapter ([`grafana`], [`docker`] for the
//! engine and Compose, [`prometheus`], [`swarm`]). A fake implements the adapter's trait in memory and
//! counts the calls the tests assert on. [`architecture`] checks the layering
//! rules of ARCHITECTURE.md on the source text.

mod architecture;
pub(crate) mod context;
pub(crate) mod docker;
pub(crate) mod grafana;
pub(crate) mod prometheus;
pub(crate) mod swarm;

pub(crate) use context::{StepContext, test_context};
pub(crate) use grafana::FakeGrafana;
