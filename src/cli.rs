//! Command-line definition (clap derive), in French, and the translation of
//! clap's own errors into French messages with exit code 2.
//!
//! It only describes arguments; each subcommand's behaviour is in `cmd/`.

use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand};

use crate::error::Error;
use crate::output::ColorChoice;

const HELP_TEMPLATE: &str = "\
{before-help}{name} {version} — {about}

Utilisation : {usage}

{all-args}{after-help}";

const SUB_HELP_TEMPLATE: &str = "\
{before-help}{about}

Utilisation : {usage}

{all-args}{after-help}";

/// `journal --version`: the package version and, when built from a git
/// checkout, the commit (see `build.rs`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("BUILD_GIT_COMMIT"));

/// The exit codes, shown by `--help`.
pub const EXIT_CODES: &str = "\
Codes de sortie :
  0    succès
  1    une étape ou une vérification a échoué (le journal l'enregistre)
  2    usage incorrect ou entrée invalide (rien n'a été modifié)
  3    environnement indisponible (moteur Docker, Compose, service injoignable)
  4    erreur de lecture ou d'écriture des fichiers du projet
  130  interrompu (Ctrl-C)
  143  arrêté par SIGTERM (CI annulée, timeout, systemd)
  129  arrêté par SIGHUP (terminal ou session SSH fermés)";

/// The command line as `journal` parses and shows it: [`Cli`]'s definition
/// with clap's English labels made French — headings « Arguments : »,
/// « Options : » (clap writes `{heading}:`, hence the space in each heading)
/// and aliases named in the help text (« alias : … ») instead of clap's
/// `[alias: …]`. The aliases still work, and the completions still offer them.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().mut_subcommands(|sc| {
        let aliases: Vec<String> = sc.get_visible_aliases().map(str::to_string).collect();
        let mut sc = sc.mut_args(french_arg);
        if !aliases.is_empty() {
            let all: Vec<String> = sc.get_all_aliases().map(str::to_string).collect();
            let about = sc.get_about().map(|a| a.to_string()).unwrap_or_default();
            sc = sc
                .alias(None)
                .aliases(all)
                .about(format!("{about} (alias : {})", aliases.join(", ")));
        }
        sc
    })
}

/// One argument of a subcommand: its heading in French, its visible aliases
/// named in its help.
fn french_arg(a: clap::Arg) -> clap::Arg {
    let heading = match a.get_help_heading() {
        Some(h) => h.to_string(),
        None if a.is_positional() => "Arguments ".to_string(),
        None => "Options ".to_string(),
    };
    let visible: Vec<String> = a
        .get_visible_aliases()
        .unwrap_or_default()
        .into_iter()
        .map(|n| format!("--{n}"))
        .collect();
    let mut a = a.help_heading(heading);
    if !visible.is_empty() {
        let all: Vec<String> = a
            .get_all_aliases()
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect();
        let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
        a = a
            .alias(None)
            .aliases(all)
            .help(format!("{help} (alias : {})", visible.join(", ")));
    }
    a
}

/// `journal`: runs the tutorial's parts and keeps the operations journal.
#[derive(Debug, Parser)]
#[command(
    name = "journal",
    version = VERSION,
    about = "exécute les parties du tutoriel et tient le journal d'exploitation",
    help_template = HELP_TEMPLATE,
    after_help = EXIT_CODES,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Commandes ",
    subcommand_value_name = "COMMANDE"
)]
pub struct Cli {
    /// Racine du projet d'infrastructure (contient compose/, journal/, book/, templates/) ;
    /// variable JOURNAL_PROJET ; défaut : le dossier courant ou son premier parent qui
    /// contient journal.toml, journal/ ou compose/ (comme git).
    #[arg(
        long,
        global = true,
        value_name = "DOSSIER",
        env = crate::settings::PROJECT,
        hide_env = true,
        help_heading = "Options globales "
    )]
    pub projet: Option<PathBuf>,

    /// N'affiche que les résultats et les erreurs.
    #[arg(short, long, global = true, help_heading = "Options globales ")]
    pub quiet: bool,

    /// Affiche plus de détails : -v les commandes lancées et les appels HTTP et Docker faits,
    /// -vv aussi leurs réponses (secrets masqués).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Options globales ")]
    pub verbose: u8,

    /// Couleurs : auto (défaut : sur un terminal), always (toujours) ou never (jamais) ;
    /// NO_COLOR est respecté.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "QUAND",
        hide_default_value = true,
        hide_possible_values = true,
        help_heading = "Options globales "
    )]
    pub color: ColorChoice,

    /// Affiche l'aide.
    #[arg(short = 'h', long = "help", global = true, action = clap::ArgAction::Help, help_heading = "Options globales ")]
    pub help: Option<bool>,

    /// Affiche la version.
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version, help_heading = "Options globales ")]
    pub version: Option<bool>,

    /// La commande.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Naming rule (README, « Conventions ») : domain words in
/// French, the flags every ops tool shares in English (`--dry-run`,
/// `--force`, `--format`, `--help`, `--version`), the other language as a
/// visible alias where people will type it.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exécute une partie du tutoriel et l'enregistre dans le journal.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES, visible_alias = "execute")]
    Run(RunArgs),
    /// Ajoute une note manuelle au journal.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES)]
    Note(NoteArgs),
    /// Génère le livre mdBook (book/src) et son rendu HTML (book/html).
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES, visible_alias = "construit")]
    Build(BuildArgs),
    /// Vérifie le journal et le livre (liens, ancres, en-têtes) pour la CI.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES, visible_alias = "controle")]
    Check(CheckArgs),
    /// Liste les entrées du journal, des plus récentes aux plus anciennes.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES, visible_alias = "liste")]
    List(ListArgs),
    /// Affiche une entrée (par son identifiant ou un début d'identifiant unique).
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES, visible_alias = "show")]
    Montre(ShowArgs),
    /// Liste les parties : intégrées et celles du dossier parties/ du projet.
    #[command(help_template = SUB_HELP_TEMPLATE)]
    Parties,
    /// Crée un projet dans le dossier courant (compose/, journal/, .gitignore) ; sans effet
    /// s'il existe déjà.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES)]
    Init,
    /// Écrit le script de complétion pour bash, zsh ou fish sur la sortie standard.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Écrit la page de manuel (roff) sur la sortie standard.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = "Par exemple : journal man > journal.1 && man ./journal.1")]
    Man,
    /// Affiche l'aide de journal ou d'une commande.
    #[command(help_template = SUB_HELP_TEMPLATE, visible_alias = "aide")]
    Help(HelpArgs),
    /// Vérifie, sans rien modifier, l'état des parties déjà appliquées (pour cron, systemd, CI).
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = VERIFY_EXIT_CODES)]
    Verifie(VerifyArgs),
    /// Affiche les exécutions et les vérifications au format texte de Prometheus.
    #[command(help_template = SUB_HELP_TEMPLATE)]
    Metriques,
    /// Construit le livre si besoin et le sert sur http://127.0.0.1 (la recherche y fonctionne).
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES, visible_alias = "sert")]
    Serve(ServeArgs),
}

const COMPLETIONS_HELP: &str = "\
Installation :
  bash  journal completions bash > ~/.local/share/bash-completion/completions/journal
  zsh   journal completions zsh > ~/.zfunc/_journal   (avec fpath+=~/.zfunc avant compinit)
  fish  journal completions fish > ~/.config/fish/completions/journal.fish";

/// `journal completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Le shell : bash, zsh ou fish.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: ShellArg,
}

/// The shells `journal completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellArg {
    /// GNU bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
}

/// `journal help`.
#[derive(Debug, Args)]
pub struct HelpArgs {
    /// La commande dont afficher l'aide (sans : l'aide générale).
    #[arg(value_name = "COMMANDE")]
    pub commande: Option<String>,
}

/// Accepts any part name (`parts::find` judges it, with its French error)
/// but advertises the known ones, so that shell completions offer them.
#[derive(Debug, Clone, Copy)]
pub struct PartName;

impl clap::builder::TypedValueParser for PartName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::parts::known().iter().map(|p| {
            clap::builder::PossibleValue::new(p.id).help(p.title)
        })))
    }
}

/// The exit codes of `journal verifie`.
pub const VERIFY_EXIT_CODES: &str = "\
Codes de sortie :
  0    tout est conforme
  1    écart constaté (conteneur, cible, métriques, Grafana, fichier modifié à la main)
  2    aucune partie encore appliquée, ou partie inconnue
  3    un service est injoignable (moteur Docker, Prometheus, Grafana), ou une autre
       « journal verifie » de ce projet tient encore le verrou après --attente
  4    erreur de lecture ou d'écriture des fichiers du projet";

/// `journal verifie`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Les parties à vérifier (par défaut : toutes celles qui ont déjà réussi).
    #[arg(value_name = "PARTIE")]
    pub parties: Vec<String>,

    /// N'écrit rien : ni entrée au journal, ni état, ni résumé du jour.
    #[arg(long = "sans-journal")]
    pub sans_journal: bool,

    /// Secondes d'attente quand une autre « journal verifie » de ce projet est en cours
    /// (verrou verifications/.verifie.verrou) ; au-delà, sortie avec le code 3.
    #[arg(long, value_name = "SECONDES", default_value_t = 30)]
    pub attente: u64,
}

/// `journal montre`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// L'identifiant de l'entrée, tel que « journal list » l'affiche, ou son début.
    #[arg(value_name = "ID")]
    pub id: String,

    /// Présentation : texte (défaut : le Markdown de l'entrée), json (un objet : champs de
    /// l'en-tête et corps) ou jsonl (le même objet sur une ligne).
    #[arg(
        long,
        value_enum,
        default_value = "texte",
        value_name = "FORMAT",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub format: ShowFormat,
}

/// How `journal montre` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    /// Le Markdown de l'entrée, mis en forme sur un terminal.
    Texte,
    /// Un objet JSON indenté.
    Json,
    /// Le même objet sur une ligne.
    Jsonl,
}

/// `journal run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// La partie à exécuter (par exemple partie-6).
    #[arg(value_name = "PARTIE", value_parser = PartName, hide_possible_values = true)]
    pub partie: String,

    /// Affiche le plan (fichiers et différences, services) sans rien modifier.
    #[arg(long)]
    pub dry_run: bool,

    /// Remplace un service existant qui diffère de celui du tutoriel.
    #[arg(long)]
    pub force: bool,

    /// Refuse l'exécution (code 2) quand le moteur Docker et une image sont connus pour ne pas fonctionner ensemble, au lieu d'un avertissement.
    #[arg(long)]
    pub strict: bool,

    /// Fichier contenant le nouveau mot de passe administrateur de Grafana.
    #[arg(
        long,
        value_name = "FICHIER",
        visible_alias = "fichier-mot-de-passe-grafana"
    )]
    pub grafana_password_file: Option<PathBuf>,

    /// Identifiant grafana.com du tableau de bord à importer (défaut : 14282, « Cadvisor exporter »).
    #[arg(long, value_name = "ID", visible_alias = "tableau-de-bord")]
    pub dashboard: Option<u32>,

    /// Délai maximal d'attente des cibles Prometheus, en secondes (défaut : 35).
    #[arg(long, value_name = "SECONDES")]
    pub delai_cibles: Option<u64>,

    /// Auteur de l'exécution (défaut : JOURNAL_AUTEUR, git config user.name, nom de connexion).
    #[arg(long, value_name = "NOM")]
    pub auteur: Option<String>,

    /// Réinitialise le mot de passe « admin » de Grafana dans son conteneur
    /// (grafana cli admin reset-admin-password), quand il a été changé ailleurs.
    #[arg(long, visible_alias = "reset-grafana")]
    pub reinitialiser_grafana: bool,

    /// Cible du déploiement : compose (un hôte, défaut) ou swarm (un essaim Docker,
    /// depuis un gestionnaire ; défaut : JOURNAL_CIBLE, sinon compose).
    #[arg(long, value_name = "compose|swarm", visible_alias = "target")]
    pub cible: Option<String>,
    /// partie-6-alertes : refait l'exercice d'alerte même si le précédent est plus récent
    /// que les règles.
    #[arg(long)]
    pub exercice: bool,
}

/// `journal note`.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// Le texte de la note ; « - » le lit sur l'entrée standard ; absent, ouvre $EDITOR.
    #[arg(value_name = "TEXTE")]
    pub texte: Option<String>,

    /// La partie concernée (par exemple partie-6).
    #[arg(long, value_name = "PARTIE")]
    pub partie: Option<String>,

    /// Le titre (défaut : la première ligne du texte).
    #[arg(long, value_name = "TITRE")]
    pub titre: Option<String>,

    /// Une étiquette (répétable).
    #[arg(long = "tag", value_name = "ÉTIQUETTE", visible_alias = "etiquette")]
    pub tags: Vec<String>,

    /// Auteur de la note (défaut : JOURNAL_AUTEUR, git config user.name, nom de connexion).
    #[arg(long, value_name = "NOM")]
    pub auteur: Option<String>,

    /// Joint un fichier à la note (répétable) : copié à côté de l'entrée, lié depuis la note.
    #[arg(long, value_name = "FICHIER")]
    pub joindre: Vec<PathBuf>,

    /// Rattache la note à une exécution (son identifiant, ou un début unique).
    #[arg(long, value_name = "ID")]
    pub execution: Option<String>,

    /// Corrige une note existante : ouvre son texte dans l'éditeur (ou prend TEXTE),
    /// garde la version précédente.
    #[arg(long, value_name = "ID", conflicts_with_all = ["joindre", "execution", "partie", "tags"])]
    pub corrige: Option<String>,
}

/// `journal build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Échoue (code 1) sur un lien cassé, une entrée invalide ou un chapitre manquant.
    #[arg(long)]
    pub strict: bool,

    /// Rend de nouveau tous les mois, même ceux dont les sources n'ont pas changé.
    #[arg(long)]
    pub complet: bool,
}

/// `journal serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port d'écoute sur 127.0.0.1 (défaut : 3000 ; 0 : un port libre, annoncé au démarrage).
    #[arg(
        long,
        value_name = "PORT",
        default_value_t = 3000,
        hide_default_value = true
    )]
    pub port: u16,
}

/// `journal check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Format des problèmes : texte (défaut : fichier:ligne: raison), github
    /// (annotations GitHub Actions), json (un tableau d'objets) ou jsonl (un objet par ligne).
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value = "texte",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub format: CheckFormat,
}

/// The output format of `journal check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// `fichier:ligne: raison`.
    Texte,
    /// `::error file=…,line=…::raison`.
    Github,
    /// `[{"fichier": …, "ligne": …, "raison": …}, …]`.
    Json,
    /// `{"fichier": …, "ligne": …, "raison": …}`, un par ligne.
    Jsonl,
}

/// `journal list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Ne liste que les entrées de cette partie.
    #[arg(long, value_name = "PARTIE")]
    pub partie: Option<String>,

    /// Entrées de ce jour et des suivants : AAAA-MM-JJ, aujourd'hui, hier ou 7j.
    #[arg(long, value_name = "DATE", visible_alias = "since")]
    pub depuis: Option<String>,

    /// Entrées de ce jour et des précédents : AAAA-MM-JJ, aujourd'hui, hier ou 7j.
    #[arg(long, value_name = "DATE", visible_alias = "until")]
    pub jusqua: Option<String>,

    /// Seulement les exécutions, ou seulement les notes.
    #[arg(
        long = "type",
        value_enum,
        value_name = "TYPE",
        hide_possible_values = true
    )]
    pub kind: Option<KindArg>,

    /// Seulement ce statut : réussi, échoué, interrompu, en cours, consigné.
    #[arg(long, value_name = "STATUT")]
    pub statut: Option<String>,

    /// Seulement les entrées qui portent cette étiquette.
    #[arg(long, value_name = "ÉTIQUETTE", visible_alias = "etiquette")]
    pub tag: Option<String>,

    /// Seulement les entrées de cet auteur (une partie du nom suffit).
    #[arg(long, value_name = "NOM")]
    pub auteur: Option<String>,

    /// Seulement les entrées dont le titre ou le texte contient ce texte (sans tenir compte
    /// des accents ni de la casse).
    #[arg(long, value_name = "TEXTE")]
    pub cherche: Option<String>,

    /// Au plus N entrées (les plus récentes).
    #[arg(short = 'n', value_name = "N")]
    pub nombre: Option<usize>,

    /// Présentation : texte (défaut, une ligne par entrée), tsv (colonnes séparées par des
    /// tabulations, échappées), json (un tableau d'objets : tous les champs de l'en-tête)
    /// ou jsonl (un objet par ligne).
    #[arg(
        long,
        value_enum,
        default_value = "texte",
        value_name = "FORMAT",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub format: ListFormat,
}

/// `journal list --type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// Exécutions (`journal run`).
    Execution,
    /// Notes manuelles.
    Note,
}

/// How `journal list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// Une ligne par entrée, à lire.
    Texte,
    /// Colonnes séparées par des tabulations, avec un en-tête ; tabulations, sauts de ligne et barres obliques inverses échappés.
    Tsv,
    /// Un tableau JSON d'objets.
    Json,
    /// Un objet JSON par ligne.
    Jsonl,
}

/// The commands, for hints.
const COMMANDS: &str = "init, run, note, list, montre, build, check, completions, man, help";

/// The help text of `journal help [COMMANDE]`: clap's own help, for the
/// whole program or one command (aliases accepted).
pub fn help_text(command: Option<&str>) -> Result<String, Error> {
    let args: Vec<&str> = match command {
        Some(c) => vec!["journal", c, "--help"],
        None => vec!["journal", "--help"],
    };
    match self::command().try_get_matches_from(args) {
        Ok(_) => Err(Error::usage("aide introuvable")),
        Err(e) => translate(e),
    }
}

/// Translates a clap error into a French [`Error`] (exit 2); help and
/// version requests are returned as `Ok(text)` to be printed as is.
pub fn translate(e: clap::Error) -> Result<String, Error> {
    let kind = e.kind();
    if matches!(kind, ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        return Ok(e.render().to_string());
    }
    if kind == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return Err(Error::usage("aucune commande indiquée")
            .with_hint(format!("commandes : {COMMANDS} ; voir journal --help")));
    }
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let invalid = ctx(ContextKind::InvalidArg);
    let value = ctx(ContextKind::InvalidValue);
    let mut suggested = ctx(ContextKind::SuggestedArg);
    if let Some(ContextValue::Strings(names)) = e.get(ContextKind::SuggestedSubcommand) {
        // clap suggests aliases too (« liste, list »): name each command once.
        let cmd = command();
        let mut canonical: Vec<String> = Vec::new();
        for n in names {
            let name = cmd
                .find_subcommand(n)
                .map_or(n.clone(), |c| c.get_name().to_string());
            if !canonical.contains(&name) {
                canonical.push(name);
            }
        }
        suggested = canonical.join(" » ou « ");
    }
    let valid = ctx(ContextKind::ValidValue);
    let message = match kind {
        ErrorKind::UnknownArgument => format!("argument inconnu « {invalid} »"),
        ErrorKind::InvalidSubcommand => {
            format!(
                "commande inconnue « {} »",
                ctx(ContextKind::InvalidSubcommand)
            )
        }
        ErrorKind::InvalidValue => format!("valeur « {value} » invalide pour {invalid}"),
        ErrorKind::ValueValidation => format!("valeur « {value} » invalide pour {invalid}"),
        ErrorKind::MissingRequiredArgument => format!("argument obligatoire manquant : {invalid}"),
        ErrorKind::MissingSubcommand => "aucune commande indiquée".to_string(),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("trop de valeurs pour {invalid}")
        }
        ErrorKind::ArgumentConflict => format!("arguments incompatibles : {invalid}"),
        ErrorKind::NoEquals => format!("{invalid} attend une valeur (--option=valeur)"),
        _ => "ligne de commande invalide".to_string(),
    };
    let mut hint = String::new();
    if !suggested.is_empty() {
        hint.push_str(&format!("vouliez-vous dire « {suggested} » ? "));
    }
    if !valid.is_empty() {
        hint.push_str(&format!("valeurs possibles : {valid}. "));
    }
    if kind == ErrorKind::InvalidSubcommand && suggested.is_empty() {
        hint.push_str(&format!("commandes : {COMMANDS} ; "));
    }
    hint.push_str("voir journal --help");
    Err(Error::usage(message).with_hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn unknown_subcommand_is_french_usage_error() {
        let e = Cli::try_parse_from(["journal", "lancer"]).unwrap_err();
        let e = translate(e).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(
            e.message().contains("commande inconnue « lancer »"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn typoed_subcommand_gets_a_french_suggestion() {
        let e = Cli::try_parse_from(["journal", "lis"]).unwrap_err();
        let e = translate(e).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(
            e.hint()
                .unwrap_or_default()
                .contains("vouliez-vous dire « list » ?"),
            "{:?}",
            e.hint()
        );
    }

    #[test]
    fn help_subcommand_shows_the_command_help() {
        let text = help_text(Some("montre")).unwrap();
        assert!(text.contains("Affiche une entrée"), "{text}");
        assert!(text.contains("journal montre"), "{text}");
        let alias = help_text(Some("show")).unwrap();
        assert_eq!(alias, text);
        assert!(help_text(Some("lancer")).is_err());
        assert!(help_text(None).unwrap().contains("Commandes"));
    }

    #[test]
    fn help_has_no_english_label_left() {
        for c in [
            None,
            Some("run"),
            Some("note"),
            Some("list"),
            Some("montre"),
        ] {
            let text = help_text(c).unwrap();
            for english in ["Arguments:", "Options:", "Commands:", "[alias", "[aliases"] {
                assert!(
                    !text.contains(english),
                    "{english} dans l'aide de {c:?} :\n{text}"
                );
            }
        }
        let run = help_text(Some("run")).unwrap();
        assert!(
            run.contains("Arguments :") && run.contains("Options :"),
            "{run}"
        );
        assert!(run.contains("(alias : execute)"), "{run}");
        assert!(run.contains("--fichier-mot-de-passe-grafana)"), "{run}");
        // The aliases still parse.
        let m = command()
            .try_get_matches_from(["journal", "execute", "partie-6", "--target", "swarm"])
            .unwrap();
        let cli = Cli::from_arg_matches(&m).unwrap();
        assert!(matches!(cli.command, Command::Run(ref a) if a.cible.as_deref() == Some("swarm")));
    }

    #[test]
    fn part_names_are_offered_but_any_name_parses() {
        let cli = Cli::try_parse_from(["journal", "run", "partie-9"]).unwrap();
        assert!(matches!(cli.command, Command::Run(ref a) if a.partie == "partie-9"));
        let cmd = Cli::command();
        let run = cmd.find_subcommand("run").unwrap();
        let partie = run
            .get_arguments()
            .find(|a| a.get_id() == "partie")
            .unwrap();
        let names: Vec<String> = partie
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect();
        assert!(names.contains(&"partie-6".to_string()), "{names:?}");
    }

    #[test]
    fn help_is_french_and_lists_exit_codes() {
        let e = Cli::try_parse_from(["journal", "--help"]).unwrap_err();
        let text = translate(e).unwrap();
        assert!(text.contains("Codes de sortie"), "{text}");
        assert!(text.contains("Commandes"), "{text}");
        assert!(text.contains("Ajoute une note manuelle"), "{text}");
    }
}
