//! Integration tests of the `journal` binary: one test binary, one module per
//! subject. Each test runs the real binary in a temporary copy of a fixture
//! project (see `support`).

mod alertes;
mod annotations;
mod attachments;
mod bench;
mod book;
mod book_layout;
mod book_parts;
mod book_reader;
mod book_scale;
mod browser;
mod check;
mod ci_examples;
mod cli;
mod grafana_lockout;
mod list;
mod notes;
mod partie6;
mod project_settings;
mod robust;
mod runbooks;
mod schedule_examples;
mod signals;
mod support;
mod swarm;
mod verifie;
