//! One module per subcommand. [`main`] parses the command line, builds the
//! [`Output`], dispatches, prints the error (if any) and returns the exit code.

pub mod annotate;
pub mod build;
pub mod check;
pub mod list;
pub mod metriques;
pub mod montre;
pub mod note;
pub mod run;
pub mod verifie;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::output::{ColorChoice, Output};
use crate::project::Project;

/// Who writes an entry and where: `--auteur`, then `JOURNAL_AUTEUR`, then
/// the project's `git config user.name`, then the login name; the host name;
/// for runs (`run`), the Docker endpoint and the project's git commit.
pub fn origin(project: &Project, author: Option<String>, run: bool) -> crate::store::Origin {
    use crate::adapters::{docker, git, host};
    let author = author
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .or_else(|| crate::settings::var(crate::settings::AUTHOR))
        .or_else(|| git::user_name(project.root()))
        .or_else(host::login_name);
    crate::store::Origin {
        auteur: author,
        hote: host::host_name(),
        moteur_docker: run.then(docker::endpoint),
        git: run
            .then(|| git::head(project.root()))
            .flatten()
            .map(|(commit, modifie)| crate::store::GitState { commit, modifie }),
    }
}

/// What every subcommand receives.
pub struct Context {
    /// The infrastructure project.
    pub project: Project,
    /// Where user output goes.
    pub out: Output,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            return match crate::cli::translate(e) {
                Ok(text) => {
                    Output::new(false, 0, ColorChoice::Auto).result(text.trim_end());
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    Output::new(false, 0, ColorChoice::Auto).error(&err);
                    ExitCode::from(err.code())
                }
            };
        }
    };
    let out = Output::new(cli.quiet, cli.verbose, cli.color);
    match dispatch(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            ExitCode::from(e.code())
        }
    }
}

fn dispatch(cli: Cli, out: &Output) -> Result<()> {
    let project = Project::open(cli.projet.as_deref())?;
    crate::settings::load_project_file(project.root())?;
    let ctx = Context {
        project,
        out: out.clone(),
    };
    match cli.command {
        Command::Run(args) => run::execute(&ctx, args),
        Command::Note(args) => note::execute(&ctx, args),
        Command::Build(args) => build::execute(&ctx, args),
        Command::Check(args) => check::execute(&ctx, args),
        Command::List(args) => list::execute(&ctx, args),
        Command::Montre(args) => montre::execute(&ctx, args),
        Command::Verifie(args) => verifie::execute(&ctx, args),
        Command::Metriques => metriques::execute(&ctx),
    }
}
