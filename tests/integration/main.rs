//! Integration tests of the `journal` binary: one test binary, one module per
//! subject. Each test runs the real binary in a temporary copy of a fixture
//! project (see `support`).

mod alertes;
mod bench;
mod book;
mod check;
mod list;
mod notes;
mod partie6;
mod signals;
mod support;
