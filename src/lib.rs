//! `journal` : exécute les parties du tutoriel d'infrastructure et tient un
//! journal d'exploitation en français, rendu en mdBook.
//!
//! The binary (`main.rs`) only parses arguments and calls [`run`]; every
//! subcommand lives in [`cmd`], every user-facing line goes through [`output`].
//!
//! Lints are set in `Cargo.toml` (`[lints]`).

pub mod adapters;
pub mod book;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod compose_file;
pub mod error;
pub mod french;
pub mod output;
pub mod part_file;
pub mod parts;
pub mod project;
pub mod runbook;
pub mod secrets;
pub mod settings;
pub mod steps;
pub mod store;
pub mod templates;
#[cfg(test)]
pub mod testing;
pub mod textdiff;

pub use error::{Error, Result};
