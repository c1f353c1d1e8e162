//! The kinds of step blocks: their French names, their fields and what a
//! parsed block holds ([`Spec`]). Only the table here names the kinds; the
//! parser and the engine go through it.

/// What the body of a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// The content itself (a file, Compose services, a shell script): required.
    Content,
    /// A YAML mapping of the block's fields (may be empty when the
    /// fields are all in the info string).
    Fields,
}

/// The kind of a step block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file to write (`chemin`), its content in the block.
    File,
    /// Compose services (and volumes, networks) to add to the Compose file.
    Services,
    /// A Prometheus scrape job to add to `prometheus.yml`.
    ScrapeJob,
    /// A shell command, its expected result and its « déjà fait » check.
    Command,
    /// A PromQL query that must return something.
    Promql,
    /// An HTTP request whose status (and body) is expected.
    Http,
    /// The targets of a Prometheus job to wait for (all `up`).
    Targets,
    /// A Grafana dashboard to import (grafana.com id and/or bundled copy).
    Dashboard,
    /// Built-in: the Grafana admin password.
    GrafanaPassword,
    /// Built-in: CPU and memory snapshot of the containers.
    Snapshot,
    /// Built-in: the alert drill.
    AlertDrill,
    /// Built-in: another step only Rust can do, named by `etape`
    /// ([`BUILTIN_STEPS`]) — the steps of the parts built into `journal`.
    Builtin,
}

/// Fields every kind accepts (`cibles`: the deployment targets the block
/// applies to, every target of the runbook when absent).
pub(crate) const COMMON: &[&str] = &["id", "titre", "cibles"];

/// The steps a `journal:integree` block may name (`etape`), with what each
/// does (the `--dry-run` plan). The Rust steps behind them are in
/// `steps::runbook::integree`; a test checks both lists agree. Each name is
/// the step's id in the journal, so old entries keep matching.
pub const BUILTIN_STEPS: &[(&str, &str)] = &[
    (
        "preflight",
        "vérifications préalables (Docker, Compose, ports, cAdvisor)",
    ),
    (
        "prometheus-config",
        "prometheus.yml du tutoriel, assemblé avec les fragments des parties",
    ),
    (
        "compose-services",
        "services ajoutés au fichier Compose, commentaires gardés, ports vérifiés",
    ),
    ("compose-up", "démarrage des services de la partie"),
    (
        "containers",
        "vérification des conteneurs (état, redémarrages, santé)",
    ),
    ("prometheus-targets", "cibles Prometheus toutes UP"),
    (
        "container-metrics",
        "métriques container_* de chaque service",
    ),
    (
        "grafana-datasource",
        "source de données Prometheus de Grafana",
    ),
    (
        "grafana-dashboard",
        "tableau de bord cAdvisor importé dans Grafana",
    ),
    ("documentation", "page de documentation de la partie-6"),
    (
        "swarm-preflight",
        "vérifications préalables de l'essaim Docker",
    ),
    ("stack-file", "fichier de pile Swarm"),
    ("stack-deploy", "déploiement de la pile Swarm"),
    ("stack-services", "convergence des services de la pile"),
    ("swarm-targets", "une cible cAdvisor par nœud"),
    ("preflight-alertes", "vérifications préalables des alertes"),
    ("alert-rules", "règles d'alerte validées par promtool"),
    (
        "compose-alertmanager",
        "service Alertmanager ajouté au fichier Compose",
    ),
    (
        "alertmanager-config",
        "configuration d'Alertmanager validée par amtool",
    ),
    ("prometheus-alerting", "Prometheus relié à Alertmanager"),
    ("alertmanager-up", "démarrage d'Alertmanager"),
    ("alerting-check", "vérification de la chaîne d'alerte"),
    (
        "grafana-alertmanager",
        "Alertmanager comme source de données de Grafana",
    ),
    (
        "documentation-alertes",
        "page de documentation de la partie-6-alertes",
    ),
];

impl Kind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [Kind; 12] = [
        Kind::File,
        Kind::Services,
        Kind::ScrapeJob,
        Kind::Command,
        Kind::Promql,
        Kind::Http,
        Kind::Targets,
        Kind::Dashboard,
        Kind::GrafanaPassword,
        Kind::Snapshot,
        Kind::AlertDrill,
        Kind::Builtin,
    ];

    /// The name written after `journal:`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::File => "fichier",
            Kind::Services => "services",
            Kind::ScrapeJob => "collecte",
            Kind::Command => "commande",
            Kind::Promql => "promql",
            Kind::Http => "http",
            Kind::Targets => "cibles",
            Kind::Dashboard => "tableau-de-bord",
            Kind::GrafanaPassword => "mot-de-passe-grafana",
            Kind::Snapshot => "instantane",
            Kind::AlertDrill => "exercice-alerte",
            Kind::Builtin => "integree",
        }
    }

    /// French label, the step's title when the block has none.
    pub fn label(self) -> &'static str {
        match self {
            Kind::File => "Fichier",
            Kind::Services => "Services Compose",
            Kind::ScrapeJob => "Job de collecte Prometheus",
            Kind::Command => "Commande",
            Kind::Promql => "Requête PromQL",
            Kind::Http => "Vérification HTTP",
            Kind::Targets => "Cibles Prometheus",
            Kind::Dashboard => "Tableau de bord Grafana",
            Kind::GrafanaPassword => "Mot de passe de Grafana",
            Kind::Snapshot => "Instantané des ressources",
            Kind::AlertDrill => "Exercice d'alerte",
            Kind::Builtin => "Étape intégrée",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// What its body is.
    pub fn body(self) -> Body {
        match self {
            Kind::File | Kind::Services | Kind::ScrapeJob | Kind::Command => Body::Content,
            _ => Body::Fields,
        }
    }

    /// Its own fields (besides `id` and `titre`), required ones first.
    pub fn fields(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Kind::File => (&["chemin"], &[]),
            Kind::Services => (&[], &["fichier"]),
            Kind::ScrapeJob => (&[], &["fichier"]),
            Kind::Command => (&[], &["deja_fait", "attendu", "code", "delai"]),
            Kind::Promql => (&["requete"], &["min", "delai"]),
            Kind::Http => (&["url"], &["statut", "contient", "delai"]),
            Kind::Targets => (&["job"], &["delai"]),
            Kind::Dashboard => (&[], &["grafana_com", "copie", "source"]),
            Kind::GrafanaPassword | Kind::Snapshot | Kind::AlertDrill => (&[], &[]),
            Kind::Builtin => (&["etape"], &[]),
        }
    }

    /// Every field name it accepts.
    pub fn accepts(self, field: &str) -> bool {
        let (req, opt) = self.fields();
        COMMON.contains(&field) || req.contains(&field) || opt.contains(&field)
    }

    /// Every field name it accepts, for a hint.
    pub fn field_list(self) -> String {
        let (req, opt) = self.fields();
        req.iter()
            .map(|f| format!("{f} (obligatoire)"))
            .chain(opt.iter().chain(COMMON).map(|f| f.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether only Rust code can do it (no content of its own).
    pub fn is_builtin(self) -> bool {
        matches!(
            self,
            Kind::GrafanaPassword | Kind::Snapshot | Kind::AlertDrill | Kind::Builtin
        )
    }
}

/// What a block's step does, with its fields typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// `journal:fichier`.
    File {
        /// Path from the project's root.
        path: String,
        /// The content to write.
        content: String,
    },
    /// `journal:services`.
    Services {
        /// The Compose file, from the project's root.
        file: String,
        /// The YAML fragment (`services:`, `volumes:`, `networks:`).
        content: String,
    },
    /// `journal:collecte`.
    ScrapeJob {
        /// `prometheus.yml`, from the project's root.
        file: String,
        /// The job's name (`job_name`).
        job: String,
        /// The scrape config, as written.
        content: String,
    },
    /// `journal:commande`.
    Command {
        /// The shell script (`sh -c`).
        script: String,
        /// A check: exit status 0 means « déjà fait ».
        already_done: Option<String>,
        /// Text the output must contain.
        expected: Option<String>,
        /// Expected exit status.
        code: i32,
        /// Time limit, in seconds (else the default).
        timeout_secs: Option<u64>,
    },
    /// `journal:promql`.
    Promql {
        /// The query.
        query: String,
        /// Minimal number of series.
        min: u64,
        /// How long to wait for it, in seconds.
        timeout_secs: Option<u64>,
    },
    /// `journal:http`.
    Http {
        /// The address.
        url: String,
        /// Expected status.
        status: u16,
        /// Text the body must contain.
        contains: Option<String>,
        /// How long to wait for it, in seconds.
        timeout_secs: Option<u64>,
    },
    /// `journal:cibles`.
    Targets {
        /// The Prometheus job.
        job: String,
        /// How long to wait, in seconds.
        timeout_secs: Option<u64>,
    },
    /// `journal:tableau-de-bord`.
    Dashboard {
        /// Its grafana.com id.
        grafana_com: Option<u32>,
        /// A bundled copy (JSON), from the project's root, for offline sites.
        copy: Option<String>,
        /// The data source's name.
        source: String,
    },
    /// `journal:mot-de-passe-grafana`.
    GrafanaPassword,
    /// `journal:instantane`.
    Snapshot,
    /// `journal:exercice-alerte`.
    AlertDrill,
    /// `journal:integree`.
    Builtin {
        /// The step's name, one of [`BUILTIN_STEPS`].
        step: String,
    },
}

impl Spec {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self {
            Spec::File { .. } => Kind::File,
            Spec::Services { .. } => Kind::Services,
            Spec::ScrapeJob { .. } => Kind::ScrapeJob,
            Spec::Command { .. } => Kind::Command,
            Spec::Promql { .. } => Kind::Promql,
            Spec::Http { .. } => Kind::Http,
            Spec::Targets { .. } => Kind::Targets,
            Spec::Dashboard { .. } => Kind::Dashboard,
            Spec::GrafanaPassword => Kind::GrafanaPassword,
            Spec::Snapshot => Kind::Snapshot,
            Spec::AlertDrill => Kind::AlertDrill,
            Spec::Builtin { .. } => Kind::Builtin,
        }
    }

    /// One French line: what the step will do (the `--dry-run` plan).
    pub fn plan(&self) -> String {
        match self {
            Spec::File { path, content } => {
                format!("écrire `{path}` ({} lignes)", content.lines().count())
            }
            Spec::Services { file, content } => {
                let names = service_names(content);
                format!("ajouter à `{file}` : {}", names.join(", "))
            }
            Spec::ScrapeJob { file, job, .. } => {
                format!("ajouter le job de collecte « {job} » à `{file}`")
            }
            Spec::Command {
                script,
                already_done,
                timeout_secs,
                ..
            } => {
                let first = script.lines().next().unwrap_or("").trim();
                let more = if script.trim().lines().count() > 1 {
                    " …"
                } else {
                    ""
                };
                let check = already_done
                    .as_deref()
                    .map_or(String::new(), |c| format!(", sauf si `{c}` réussit"));
                let limit = timeout_secs.map_or(String::new(), |s| format!(", {s} s au plus"));
                format!("lancer `{first}`{more}{check}{limit}")
            }
            Spec::Promql { query, min, .. } => {
                format!("attendre au moins {min} série(s) pour `{query}`")
            }
            Spec::Http { url, status, .. } => format!("attendre le statut {status} de {url}"),
            Spec::Targets { job, .. } => {
                format!("attendre que les cibles du job « {job} » soient up")
            }
            Spec::Dashboard {
                grafana_com, copy, ..
            } => match (grafana_com, copy) {
                (Some(id), Some(c)) => {
                    format!("importer le tableau de bord grafana.com {id} (copie `{c}` hors ligne)")
                }
                (Some(id), None) => format!("importer le tableau de bord grafana.com {id}"),
                (None, Some(c)) => format!("importer le tableau de bord `{c}`"),
                (None, None) => "importer un tableau de bord".into(),
            },
            Spec::GrafanaPassword => "changer le mot de passe admin de Grafana".into(),
            Spec::Snapshot => "relever CPU et mémoire par conteneur".into(),
            Spec::AlertDrill => "exercice d'alerte de bout en bout".into(),
            Spec::Builtin { step } => {
                let what = BUILTIN_STEPS
                    .iter()
                    .find(|(n, _)| n == step)
                    .map_or("", |(_, w)| w);
                format!("étape intégrée « {step} » : {what}")
            }
        }
    }
}

/// The top-level keys under `services:` of a Compose fragment.
pub fn service_names(content: &str) -> Vec<String> {
    serde_yaml::from_str::<serde_yaml::Value>(content)
        .ok()
        .and_then(|v| v.get("services").and_then(|s| s.as_mapping()).cloned())
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
