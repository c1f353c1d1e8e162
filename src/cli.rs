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

/// `journal`: runs the tutorial's parts and keeps the operations journal.
#[derive(Debug, Parser)]
#[command(
    name = "journal",
    version,
    about = "exécute les parties du tutoriel et tient le journal d'exploitation",
    help_template = HELP_TEMPLATE,
    after_help = EXIT_CODES,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Commandes",
    subcommand_value_name = "COMMANDE"
)]
pub struct Cli {
    /// Racine du projet d'infrastructure (contient compose/, journal/, book/, templates/) ;
    /// variable JOURNAL_PROJET ; défaut : le dossier courant.
    #[arg(
        long,
        global = true,
        value_name = "DOSSIER",
        env = crate::settings::PROJECT,
        hide_env = true,
        help_heading = "Options globales"
    )]
    pub projet: Option<PathBuf>,

    /// N'affiche que les résultats et les erreurs.
    #[arg(short, long, global = true, help_heading = "Options globales")]
    pub quiet: bool,

    /// Affiche plus de détails (répétable).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Options globales")]
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
        help_heading = "Options globales"
    )]
    pub color: ColorChoice,

    /// Affiche l'aide.
    #[arg(short = 'h', long = "help", global = true, action = clap::ArgAction::Help, help_heading = "Options globales")]
    pub help: Option<bool>,

    /// Affiche la version.
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version, help_heading = "Options globales")]
    pub version: Option<bool>,

    /// La commande.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exécute une partie du tutoriel et l'enregistre dans le journal.
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Ajoute une note manuelle au journal.
    #[command(help_template = SUB_HELP_TEMPLATE)]
    Note(NoteArgs),
    /// Génère le livre mdBook (book/src) et son rendu HTML (book/html).
    #[command(help_template = SUB_HELP_TEMPLATE)]
    Build(BuildArgs),
    /// Vérifie le journal et le livre (liens, ancres, en-têtes) pour la CI.
    #[command(help_template = SUB_HELP_TEMPLATE)]
    Check(CheckArgs),
    /// Liste les entrées du journal, des plus récentes aux plus anciennes.
    #[command(help_template = SUB_HELP_TEMPLATE)]
    List(ListArgs),
    /// Affiche une entrée (par son identifiant ou un début d'identifiant unique).
    #[command(help_template = SUB_HELP_TEMPLATE)]
    Montre(ShowArgs),
    /// Vérifie, sans rien modifier, l'état des parties déjà appliquées (pour cron, systemd, CI).
    #[command(help_template = SUB_HELP_TEMPLATE, after_help = VERIFY_EXIT_CODES)]
    Verifie(VerifyArgs),
    /// Affiche les exécutions et les vérifications au format texte de Prometheus.
    #[command(help_template = SUB_HELP_TEMPLATE)]
    Metriques,
}

/// The exit codes of `journal verifie`.
pub const VERIFY_EXIT_CODES: &str = "\
Codes de sortie :
  0    tout est conforme
  1    écart constaté (conteneur, cible, métriques, Grafana, fichier modifié à la main)
  2    aucune partie encore appliquée, ou partie inconnue
  3    un service est injoignable (moteur Docker, Prometheus, Grafana)
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
}

/// `journal montre`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// L'identifiant de l'entrée, tel que « journal list » l'affiche, ou son début.
    #[arg(value_name = "ID")]
    pub id: String,
}

/// `journal run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// La partie à exécuter (par exemple partie-6).
    #[arg(value_name = "PARTIE")]
    pub partie: String,

    /// Affiche le plan (fichiers et différences, services) sans rien modifier.
    #[arg(long)]
    pub dry_run: bool,

    /// Remplace un service existant qui diffère de celui du tutoriel.
    #[arg(long)]
    pub force: bool,

    /// Fichier contenant le nouveau mot de passe administrateur de Grafana.
    #[arg(long, value_name = "FICHIER")]
    pub grafana_password_file: Option<PathBuf>,

    /// Identifiant grafana.com du tableau de bord à importer (défaut : 14282, « Cadvisor exporter »).
    #[arg(long, value_name = "ID")]
    pub dashboard: Option<u32>,

    /// Délai maximal d'attente des cibles Prometheus, en secondes (défaut : 35).
    #[arg(long, value_name = "SECONDES")]
    pub delai_cibles: Option<u64>,

    /// Auteur de l'exécution (défaut : JOURNAL_AUTEUR, git config user.name, nom de connexion).
    #[arg(long, value_name = "NOM")]
    pub auteur: Option<String>,

    /// Réinitialise le mot de passe « admin » de Grafana dans son conteneur
    /// (grafana cli admin reset-admin-password), quand il a été changé ailleurs.
    #[arg(long)]
    pub reinitialiser_grafana: bool,

    /// Cible du déploiement : compose (un hôte, défaut) ou swarm (un essaim Docker,
    /// depuis un gestionnaire ; défaut : JOURNAL_CIBLE, sinon compose).
    #[arg(long, value_name = "compose|swarm")]
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
    #[arg(long = "tag", value_name = "ÉTIQUETTE")]
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

/// `journal check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Format des problèmes : texte (défaut : fichier:ligne: raison), github
    /// (annotations GitHub Actions) ou json (un objet par ligne).
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
    /// `{"fichier": …, "ligne": …, "raison": …}`.
    Json,
}

/// `journal list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Ne liste que les entrées de cette partie.
    #[arg(long, value_name = "PARTIE")]
    pub partie: Option<String>,

    /// Entrées de ce jour et des suivants : AAAA-MM-JJ, aujourd'hui, hier ou 7j.
    #[arg(long, value_name = "DATE")]
    pub depuis: Option<String>,

    /// Entrées de ce jour et des précédents : AAAA-MM-JJ, aujourd'hui, hier ou 7j.
    #[arg(long, value_name = "DATE")]
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
    #[arg(long, value_name = "ÉTIQUETTE")]
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
    /// tabulations, échappées) ou json (un tableau d'objets).
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
    /// Runs (`journal run`).
    Execution,
    /// Manual notes.
    Note,
}

/// How `journal list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// One line per entry, for people.
    Texte,
    /// Tab-separated values with a header; tabs, newlines and backslashes escaped.
    Tsv,
    /// A JSON array of objects.
    Json,
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
            .with_hint("commandes : run, note, build, check, list ; voir journal --help"));
    }
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let invalid = ctx(ContextKind::InvalidArg);
    let value = ctx(ContextKind::InvalidValue);
    let suggested = ctx(ContextKind::SuggestedArg);
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
        hint.push_str("commandes : run, note, build, check, list ; ");
    }
    hint.push_str("voir journal --help");
    Err(Error::usage(message).with_hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
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
    fn help_is_french_and_lists_exit_codes() {
        let e = Cli::try_parse_from(["journal", "--help"]).unwrap_err();
        let text = translate(e).unwrap();
        assert!(text.contains("Codes de sortie"), "{text}");
        assert!(text.contains("Commandes"), "{text}");
        assert!(text.contains("Ajoute une note manuelle"), "{text}");
    }
}
