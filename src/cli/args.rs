//! The argument structs of the subcommands (clap derive), in French: one
//! struct per subcommand (`RunArgs`, `ListArgs`…) and the value enums of
//! their options. `cli` re-exports them; what each does is in `cmd/`.

use std::path::PathBuf;

use clap::Args;

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
