//! Test support shared by the unit tests of the steps: fakes of the adapters'
//! traits, faithful to what the real adapters return. Compiled for tests only.

mod architecture;
pub mod docker;
