//! Which Docker engine this run talks to, resolved once the way the `docker`
//! command does: `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the current
//! context of `~/.docker/config.json` (`currentContext`; `DOCKER_CONFIG`
//! moves the folder), whose endpoint is read from the context metadata store
//! (`contexts/meta/<sha256 of the name>/meta.json`); `default` is the local
//! socket. Both clients then use the result: bollard connects to it and every
//! `docker`/`docker compose` command gets it as `DOCKER_HOST` (with
//! `DOCKER_CONTEXT` removed), so they can never act on two engines.
//!
//! What the API client cannot reach the same way is refused up front (exit
//! 3), naming what was tried: `ssh://` endpoints, TLS (`DOCKER_TLS_VERIFY`,
//! a context with TLS material), named pipes. An unknown context is exit 2.
//! It only reads files and the environment; it opens no socket.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The local engine's socket.
pub const LOCAL_SOCKET: &str = "unix:///var/run/docker.sock";

/// How a Docker engine endpoint was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `DOCKER_HOST`.
    DockerHost,
    /// A context named by `DOCKER_CONTEXT`.
    EnvContext(String),
    /// The current context of the Docker configuration (`docker context use`).
    CurrentContext(String),
    /// No setting: the local socket.
    Default,
}

/// The engine both clients talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///…` or `tcp://host:port` (or, refused by [`Endpoint::supported`], `ssh://…`).
    pub host: String,
    /// How it was chosen.
    pub origin: Origin,
    /// Whether TLS is asked for (`DOCKER_TLS_VERIFY`, or the context's TLS material).
    pub tls: bool,
}

impl Endpoint {
    /// How the journal and the messages name it.
    pub fn describe(&self) -> String {
        match &self.origin {
            Origin::DockerHost => format!("{} (DOCKER_HOST)", self.host),
            Origin::EnvContext(n) => format!("{} (contexte « {n} », DOCKER_CONTEXT)", self.host),
            Origin::CurrentContext(n) => {
                format!("{} (contexte « {n} », docker context use)", self.host)
            }
            Origin::Default => self.host.clone(),
        }
    }

    /// How the journal records it (`origine.moteur_docker`): the address,
    /// and the context it came from when one was used.
    pub fn recorded(&self) -> String {
        match &self.origin {
            Origin::EnvContext(n) | Origin::CurrentContext(n) => {
                format!("{} (contexte « {n} »)", self.host)
            }
            Origin::DockerHost | Origin::Default => self.host.clone(),
        }
    }

    /// The endpoint when both clients can use it; otherwise the refusal
    /// (exit 3) naming what was tried and what to do.
    pub fn supported(self) -> Result<Endpoint> {
        let tried = self.describe();
        let refuse = |why: &str, hint: &str| {
            Err(Error::environment(format!(
                "moteur Docker non pris en charge : {tried} — {why} ; rien n'est déployé"
            ))
            .with_hint(hint.to_string()))
        };
        let scheme = self.host.split("://").next().unwrap_or("");
        match scheme {
            "unix" | "tcp" | "http" if !self.tls => Ok(self),
            "unix" | "tcp" | "http" => refuse(
                "le client de l'API Docker de journal ne parle pas TLS, alors que docker compose l'utiliserait",
                "ouvrez un tunnel vers la socket du moteur (ssh -NL /tmp/docker.sock:/var/run/docker.sock hôte) \
                 puis DOCKER_HOST=unix:///tmp/docker.sock, ou lancez journal sur l'hôte du moteur",
            ),
            "ssh" => refuse(
                "le client de l'API Docker de journal ne sait pas passer par SSH, alors que docker compose le ferait",
                "ouvrez un tunnel : ssh -NL /tmp/docker.sock:/var/run/docker.sock <utilisateur>@<hôte>, puis \
                 DOCKER_HOST=unix:///tmp/docker.sock journal run … (les deux clients parleront alors au même moteur)",
            ),
            "npipe" => refuse(
                "les canaux nommés de Windows ne sont pas pris en charge",
                "lancez journal sous Linux, sur l'hôte du moteur",
            ),
            _ => Err(
                Error::usage(format!("adresse de moteur Docker invalide : {tried}"))
                    .with_hint("attendu : unix:///chemin/docker.sock ou tcp://hôte:port"),
            ),
        }
    }
}

/// The SHA-256 of a context name, as the metadata store names its folder.
pub fn context_dir_name(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(serde::Deserialize)]
struct ConfigFile {
    #[serde(rename = "currentContext", default)]
    current_context: String,
}

#[derive(serde::Deserialize)]
struct Meta {
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::BTreeMap<String, MetaEndpoint>,
}

#[derive(serde::Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: String,
}

/// Resolves the endpoint from `env` (a variable lookup) and the Docker
/// configuration folder `config_dir`.
pub fn resolve_with(env: &dyn Fn(&str) -> Option<String>, config_dir: &Path) -> Result<Endpoint> {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let tls_env = var("DOCKER_TLS_VERIFY").is_some();
    if let Some(host) = var("DOCKER_HOST") {
        return Ok(Endpoint {
            host: host.trim().to_string(),
            origin: Origin::DockerHost,
            tls: tls_env,
        });
    }
    let (name, origin) = match var("DOCKER_CONTEXT") {
        Some(n) => (n.clone(), Origin::EnvContext(n)),
        None => {
            let path = config_dir.join("config.json");
            let current = match std::fs::read_to_string(&path) {
                Ok(text) => serde_json::from_str::<ConfigFile>(&text)
                    .map_err(|e| {
                        Error::usage(format!(
                            "{} illisible : {e}",
                            path.display()
                        ))
                        .with_hint("corrigez ce fichier JSON de configuration de Docker (ou DOCKER_CONFIG)")
                    })?
                    .current_context,
                Err(_) => String::new(),
            };
            if current.is_empty() {
                (String::new(), Origin::Default)
            } else {
                (current.clone(), Origin::CurrentContext(current))
            }
        }
    };
    if name.is_empty() || name == "default" {
        return Ok(Endpoint {
            host: LOCAL_SOCKET.to_string(),
            origin: if name.is_empty() {
                Origin::Default
            } else {
                origin
            },
            tls: tls_env,
        });
    }
    let hash = context_dir_name(&name);
    let meta_path = config_dir
        .join("contexts/meta")
        .join(&hash)
        .join("meta.json");
    let unknown = || {
        let from = match &origin {
            Origin::EnvContext(_) => "DOCKER_CONTEXT",
            _ => "currentContext de config.json",
        };
        Error::usage(format!(
            "le contexte Docker « {name} » ({from}) n'existe pas : {} est introuvable ou illisible",
            meta_path.display()
        ))
        .with_hint("docker context ls montre les contextes ; docker context use default revient au moteur local")
    };
    let text = std::fs::read_to_string(&meta_path).map_err(|_| unknown())?;
    let meta: Meta = serde_json::from_str(&text).map_err(|_| unknown())?;
    let host = meta
        .endpoints
        .get("docker")
        .map(|e| e.host.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| LOCAL_SOCKET.to_string());
    let tls_dir = config_dir.join("contexts/tls").join(&hash).join("docker");
    Ok(Endpoint {
        host,
        origin,
        tls: tls_env || tls_dir.is_dir(),
    })
}

/// The Docker configuration folder: `DOCKER_CONFIG`, else `~/.docker`.
pub fn config_dir() -> PathBuf {
    match std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".docker"),
    }
}

/// Docker's own variables, the only ones read here.
pub fn docker_env(k: &str) -> Option<String> {
    match k {
        "DOCKER_HOST" | "DOCKER_CONTEXT" | "DOCKER_TLS_VERIFY" => std::env::var(k).ok(),
        _ => None,
    }
}

/// The endpoint of this process (environment and Docker configuration),
/// refused when both clients cannot use it.
pub fn resolve() -> Result<Endpoint> {
    resolve_with(&docker_env, &config_dir())?.supported()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    /// A Docker configuration folder with `contexts` (name, host) and `current`.
    fn config(contexts: &[(&str, &str)], current: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, host) in contexts {
            let meta = dir
                .path()
                .join("contexts/meta")
                .join(context_dir_name(name));
            std::fs::create_dir_all(&meta).unwrap();
            std::fs::write(
                meta.join("meta.json"),
                format!(
                    r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#
                ),
            )
            .unwrap();
        }
        if let Some(c) = current {
            std::fs::write(
                dir.path().join("config.json"),
                format!(r#"{{"auths":{{}},"currentContext":"{c}"}}"#),
            )
            .unwrap();
        }
        dir
    }

    #[test]
    fn the_metadata_folder_is_the_sha256_of_the_name() {
        // As `docker context create` names it (sha256("default")).
        assert_eq!(
            context_dir_name("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }

    #[test]
    fn nothing_set_is_the_local_socket() {
        let c = config(&[], None);
        let e = resolve_with(&env_of(&[]), c.path())
            .unwrap()
            .supported()
            .unwrap();
        assert_eq!((e.host.as_str(), e.origin), (LOCAL_SOCKET, Origin::Default));
    }

    #[test]
    fn docker_host_tcp_is_used_by_both() {
        let c = config(&[("prod", "ssh://ops@prod")], Some("prod"));
        let e = resolve_with(&env_of(&[("DOCKER_HOST", "tcp://10.0.0.5:2375")]), c.path())
            .unwrap()
            .supported()
            .unwrap();
        assert_eq!(e.host, "tcp://10.0.0.5:2375");
        assert_eq!(e.describe(), "tcp://10.0.0.5:2375 (DOCKER_HOST)");
    }

    #[test]
    fn docker_host_tcp_with_tls_is_refused_with_exit_3() {
        let c = config(&[], None);
        let err = resolve_with(
            &env_of(&[
                ("DOCKER_HOST", "tcp://10.0.0.5:2376"),
                ("DOCKER_TLS_VERIFY", "1"),
            ]),
            c.path(),
        )
        .unwrap()
        .supported()
        .unwrap_err();
        assert_eq!(err.kind(), crate::error::Kind::Environment);
        assert!(
            err.message().contains("tcp://10.0.0.5:2376 (DOCKER_HOST)"),
            "{}",
            err.message()
        );
        assert!(err.message().contains("TLS"));
    }

    #[test]
    fn docker_host_ssh_is_refused_naming_what_was_tried() {
        let c = config(&[], None);
        let err = resolve_with(&env_of(&[("DOCKER_HOST", "ssh://ops@prod")]), c.path())
            .unwrap()
            .supported()
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::Kind::Environment);
        assert!(
            err.message().contains("ssh://ops@prod (DOCKER_HOST)"),
            "{}",
            err.message()
        );
        assert!(err.hint().unwrap().contains("ssh -NL"));
    }

    #[test]
    fn the_current_context_is_read_from_the_metadata_store() {
        let c = config(
            &[
                ("prod", "tcp://prod.example:2375"),
                ("autre", "unix:///run/autre.sock"),
            ],
            Some("prod"),
        );
        let e = resolve_with(&env_of(&[]), c.path())
            .unwrap()
            .supported()
            .unwrap();
        assert_eq!(e.host, "tcp://prod.example:2375");
        assert_eq!(e.origin, Origin::CurrentContext("prod".into()));
        assert!(e.describe().contains("contexte « prod »"));
        // DOCKER_CONTEXT wins over the current context.
        let e = resolve_with(&env_of(&[("DOCKER_CONTEXT", "autre")]), c.path()).unwrap();
        assert_eq!(e.host, "unix:///run/autre.sock");
        assert_eq!(e.origin, Origin::EnvContext("autre".into()));
    }

    #[test]
    fn an_ssh_context_is_refused() {
        let c = config(&[("distant", "ssh://ops@distant")], Some("distant"));
        let err = resolve_with(&env_of(&[]), c.path())
            .unwrap()
            .supported()
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::Kind::Environment);
        assert!(
            err.message().contains("contexte « distant »"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn a_context_with_tls_material_is_refused() {
        let c = config(&[("tls", "tcp://secure:2376")], Some("tls"));
        std::fs::create_dir_all(
            c.path()
                .join("contexts/tls")
                .join(context_dir_name("tls"))
                .join("docker"),
        )
        .unwrap();
        let err = resolve_with(&env_of(&[]), c.path())
            .unwrap()
            .supported()
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::Kind::Environment);
    }

    #[test]
    fn an_unknown_context_is_exit_2_with_a_hint() {
        let c = config(&[], Some("fantome"));
        let err = resolve_with(&env_of(&[]), c.path()).unwrap_err();
        assert_eq!(err.kind(), crate::error::Kind::Usage);
        assert!(err.message().contains("« fantome »"), "{}", err.message());
        assert!(err.hint().unwrap().contains("docker context ls"));
        let err = resolve_with(&env_of(&[("DOCKER_CONTEXT", "inconnu")]), c.path()).unwrap_err();
        assert!(
            err.message().contains("DOCKER_CONTEXT"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn the_default_context_is_the_local_socket() {
        let c = config(&[], Some("default"));
        let e = resolve_with(&env_of(&[]), c.path()).unwrap();
        assert_eq!(e.host, LOCAL_SOCKET);
    }
}
