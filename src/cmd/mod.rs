//! One module per subcommand. [`main`] parses the command line, builds the
//! [`Output`], dispatches, prints the error (if any) and returns the exit code.

pub mod annotate;
pub mod build;
pub mod check;
pub mod entry_json;
pub mod init;
pub mod list;
pub mod metriques;
pub mod montre;
pub mod note;
pub mod parties;
pub mod run;
mod run_common;
mod runbook;
pub mod serve;
pub mod verifie;

use std::process::ExitCode;

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
    use clap::FromArgMatches;
    let parsed = crate::cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
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
    if cli.verbose > 0 && !cli.quiet {
        let sink = out.clone();
        crate::adapters::trace::install(cli.verbose, move |line| sink.detail(line));
    }
    match dispatch(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            ExitCode::from(e.code())
        }
    }
}

fn dispatch(cli: Cli, out: &Output) -> Result<()> {
    // Commands that need no project.
    match cli.command {
        Command::Init => return init::execute(cli.projet.as_deref(), out),
        Command::Completions(args) => {
            out.result(&completions(args.shell));
            return Ok(());
        }
        Command::Man => {
            out.result(&man_page()?);
            return Ok(());
        }
        Command::Help(args) => {
            out.result(crate::cli::help_text(args.commande.as_deref())?.trim_end());
            return Ok(());
        }
        _ => {}
    }
    let project = Project::open(cli.projet.as_deref())?;
    // The parameters of the project's runbooks are settings of journal.toml too.
    let params = crate::parts::project::param_names(&project);
    crate::settings::load_project_file_with(project.root(), &params)?;
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
        Command::Parties => parties::execute(&ctx),
        Command::Init | Command::Completions(_) | Command::Man | Command::Help(_) => {
            unreachable!("handled above")
        }
        Command::Verifie(args) => verifie::execute(&ctx, args),
        Command::Metriques => metriques::execute(&ctx),
        Command::Serve(args) => serve::execute(&ctx, args),
    }
}

/// The completion script of `journal completions <shell>` (clap_complete:
/// commands, options, part names), plus, for bash and fish, entry ids after
/// `montre`/`show`, `--execution` and `--corrige`, asked to `journal list`
/// when the user presses Tab.
pub fn completions(shell: crate::cli::ShellArg) -> String {
    use clap_complete::Shell;
    let (generator, ids) = match shell {
        crate::cli::ShellArg::Bash => (Shell::Bash, BASH_IDS),
        crate::cli::ShellArg::Zsh => (Shell::Zsh, ZSH_IDS),
        crate::cli::ShellArg::Fish => (Shell::Fish, FISH_IDS),
    };
    let mut buf = Vec::new();
    clap_complete::generate(generator, &mut crate::cli::command(), "journal", &mut buf);
    let script = String::from_utf8_lossy(&buf).trim_end().to_string();
    if generator == Shell::Zsh {
        // The entry-id arguments (montre's ID, --execution, --corrige)
        // complete with `_journal_ids`, defined right after `#compdef`.
        let (first, rest) = script.split_once('\n').unwrap_or((&script, ""));
        let rest: Vec<String> = rest
            .lines()
            .map(|l| {
                let entry_id = l.contains("--execution=[")
                    || l.contains("--corrige=[")
                    || l.starts_with("':id -- ");
                if entry_id && l.ends_with(":_default' \\") {
                    l.replace(":_default' \\", ":_journal_ids' \\")
                } else {
                    l.to_string()
                }
            })
            .collect();
        return format!("{first}\n{}\n{}", ids.trim(), rest.join("\n"));
    }
    format!("{script}\n{ids}").trim_end().to_string()
}

/// Bash: entry ids, else clap_complete's `_journal`.
const BASH_IDS: &str = r#"
# Identifiants d'entrées (journal list) après montre/show, --execution et --corrige.
_journal_ids() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    if [[ "$prev" == --execution || "$prev" == --corrige ]] ||
        [[ ( "${COMP_WORDS[1]}" == montre || "${COMP_WORDS[1]}" == show ) && $COMP_CWORD -eq 2 && "$cur" != -* ]]; then
        local ids
        ids=$("${COMP_WORDS[0]}" list --format tsv 2>/dev/null | tail -n +2 | cut -f9)
        COMPREPLY=($(compgen -W "$ids" -- "$cur"))
        return 0
    fi
    _journal "$@"
}
complete -F _journal_ids -o bashdefault -o default journal
"#;

/// Zsh: entry ids, through a function that clap_complete's argument specs
/// call (see [`completions`], which points the `ID` values at it).
const ZSH_IDS: &str = r#"
# Identifiants d'entrées (journal list) après montre/show, --execution et --corrige.
_journal_ids() {
    local -a ids
    ids=(${(f)"$(journal list --format tsv 2>/dev/null | tail -n +2 | cut -f9)"})
    compadd -a ids
}
"#;

/// Fish: entry ids.
const FISH_IDS: &str = r#"
# Identifiants d'entrées (journal list) après montre/show, --execution et --corrige.
complete -c journal -n '__fish_seen_subcommand_from montre show' -f -a '(journal list --format tsv 2>/dev/null | tail -n +2 | cut -f9)'
complete -c journal -n '__fish_seen_subcommand_from note' -l execution -l corrige -f -a '(journal list --format tsv 2>/dev/null | tail -n +2 | cut -f9)'
"#;

/// The man page of `journal man` (clap_mangen, roff).
pub fn man_page() -> Result<String> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(crate::cli::command())
        .render(&mut buf)
        .map_err(|e| {
            crate::error::Error::io("écriture de", std::path::Path::new("journal.1"), e)
        })?;
    Ok(String::from_utf8_lossy(&buf).trim_end().to_string())
}

#[cfg(test)]
mod completion_tests {
    use super::completions;
    use crate::cli::ShellArg;

    #[test]
    fn zsh_completes_entry_ids_where_an_entry_is_asked_for_only() {
        let z = completions(ShellArg::Zsh);
        assert!(z.starts_with("#compdef journal\n"), "{}", &z[..40]);
        // Defined before clap_complete's `_journal` can call it.
        let defined = z.find("_journal_ids() {").expect("fonction des ids");
        let first_call = z.find(":_journal_ids'").expect("ids utilisés");
        assert!(defined < first_call);
        for line in z.lines() {
            let entry_id = line.contains("--execution=[")
                || line.contains("--corrige=[")
                || line.starts_with("':id -- ");
            if entry_id {
                assert!(line.contains(":_journal_ids'"), "{line}");
            }
            if line.contains("--dashboard=[") {
                assert!(line.contains(":_default'"), "{line}");
            }
        }
        assert_eq!(z.matches(":_journal_ids'").count(), 3, "{z}");
    }
}
