//! What is known about today's Docker hosts and the part's images, kept in
//! one table ([`KNOWN`]) with the public source of each line: combinations of
//! engine and cAdvisor release known not to work, each with the image to use
//! instead. Also the reading of an image reference (a tag is required) and
//! the French hint saying how to set the cAdvisor image.
//!
//! Pure data and text: it reads no engine and no setting (the preflight gives
//! it what it read) and decides nothing about strictness (the preflight does).

use std::fmt;

use crate::error::{Error, Result};

/// A cAdvisor image reported to see the containers of Docker Engine 29
/// (API negotiated, containerd image store): cookiecutter-rt-django#301.
/// New tags are published on `ghcr.io` only (google/cadvisor#3807).
pub const SUGGESTED_CADVISOR: &str = "ghcr.io/google/cadvisor:v0.60.5";

/// The French hint: which cAdvisor to use and how to set it.
pub fn cadvisor_fix() -> String {
    format!(
        "utilisez une version de cAdvisor qui gère ce moteur Docker (0.54 ou plus récente ; \
         par exemple l'image {SUGGESTED_CADVISOR}) : JOURNAL_IMAGE_CADVISOR={SUGGESTED_CADVISOR} \
         dans l'environnement, ou image_cadvisor = \"{SUGGESTED_CADVISOR}\" dans journal.toml, \
         puis relancez l'exécution"
    )
}

/// A version read leniently: `v0.47.2`, `0.54.0`, `29.0.1`, `20.10.24-ce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The version in `text`, when it starts with (optionally `v`) digits.
    pub fn parse(text: &str) -> Option<Version> {
        let t = text.trim().trim_start_matches(['v', 'V']);
        let core = t.split(['-', '+', '_']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().unwrap_or(Ok(0)).ok()?;
        let patch = parts.next().unwrap_or(Ok(0)).unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// An image reference split as Docker reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Everything before the tag (`gcr.io/cadvisor/cadvisor`).
    pub repository: String,
    /// The tag (`v0.47.2`), empty when pinned by digest only.
    pub tag: String,
    /// The digest (`sha256:…`), when given.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Reads `reference` (of `service`); one without a tag or digest is
    /// refused (exit 2): which version runs would then depend on the day.
    pub fn parse(service: &str, reference: &str) -> Result<ImageRef> {
        let r = reference.trim();
        let (name, digest) = match r.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (r, None),
        };
        // A `:` after the last `/` is a tag; one before is a registry port.
        let last = name.rsplit('/').next().unwrap_or(name);
        let (repository, tag) = match last.rsplit_once(':') {
            Some((_, t)) => (name[..name.len() - t.len() - 1].to_string(), t.to_string()),
            None => (name.to_string(), String::new()),
        };
        if r.is_empty() || repository.is_empty() || (tag.is_empty() && digest.is_none()) {
            return Err(Error::usage(format!(
                "l'image du service {service} (« {reference} ») n'a pas d'étiquette de version : \
                 rien n'est déployé"
            ))
            .with_hint(format!(
                "donnez une version explicite, par exemple « {}:<version> », via JOURNAL_IMAGE_{} \
                 ou image_{} dans journal.toml",
                if repository.is_empty() {
                    "image"
                } else {
                    &repository
                },
                service.to_uppercase(),
                service
            )));
        }
        Ok(ImageRef {
            repository,
            tag,
            digest,
        })
    }

    /// The version its tag names, if any.
    pub fn version(&self) -> Option<Version> {
        Version::parse(&self.tag)
    }
}

/// What the preflight read of the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineFacts {
    /// Engine version (`29.0.1`).
    pub version: Option<Version>,
    /// Whether images are stored by the containerd snapshotter
    /// (`driver-type: io.containerd.snapshotter.v1`).
    pub containerd_store: bool,
}

/// One known incompatibility: when it applies, why, and its public source.
pub struct Known {
    /// Public reports this line rests on.
    pub source: &'static str,
    /// Whether it applies to this engine and cAdvisor image.
    pub applies: fn(&EngineFacts, &ImageRef, Version) -> bool,
    /// Why it does not work, in French.
    pub why: &'static str,
}

/// The first cAdvisor release that finds the containers of the containerd
/// image store (google/cadvisor#3709) and that today's engines accept.
const FIXED: Version = Version(0, 54, 0);
/// The first cAdvisor release that negotiates the Docker API (moby client).
const NEGOTIATES: Version = Version(0, 56, 0);

fn engine_at_least(e: &EngineFacts, major: u32) -> bool {
    e.version.is_some_and(|v| v.0 >= major)
}

/// Combinations known not to work. Add a line here, with its source.
pub const KNOWN: &[Known] = &[
    Known {
        source: "reef-technologies/cookiecutter-rt-django#301, google/cadvisor#3860",
        applies: |e, _, v| engine_at_least(e, 29) && v < FIXED,
        why: "Docker Engine 29 refuse l'API trop ancienne de ce cAdvisor : les conteneurs n'apparaissent \
              que comme des cgroups sans nom (/system.slice/docker-<id>.scope) et les graphiques par \
              conteneur restent vides",
    },
    Known {
        source: "google/cadvisor#3709 (corrigé en 0.54.0), reef-technologies/cookiecutter-rt-django#301",
        applies: |e, _, v| e.containerd_store && v < FIXED,
        why: "avec le magasin d'images containerd, ce cAdvisor ne trouve pas la couche en écriture des \
              conteneurs (« failed to identify the read-write layer ID ») et les abandonne",
    },
    Known {
        source: "google/cadvisor#3772",
        applies: |e, _, v| {
            engine_at_least(e, 29) && e.containerd_store && v >= FIXED && v < NEGOTIATES
        },
        why: "cAdvisor 0.54 et 0.55 échouent encore chez certains sur Docker 29 avec le magasin \
              d'images containerd ; les versions 0.56 et suivantes négocient l'API",
    },
    Known {
        source: "google/cadvisor#3807",
        applies: |_, i, v| i.repository.starts_with("gcr.io/") && v >= Version(0, 53, 0),
        why: "les nouvelles versions de cAdvisor ne sont publiées que sur ghcr.io/google/cadvisor \
              (et sans « v » à partir de 0.54.0) : cette étiquette n'existe pas sur gcr.io",
    },
];

/// One known incompatibility found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The French warning, with the suggested image.
    pub message: String,
    /// Its public source.
    pub source: &'static str,
}

/// The lines of [`KNOWN`] that apply to `engine` and the cAdvisor `image`
/// (nothing when its tag names no version, e.g. a local build).
pub fn check(engine: &EngineFacts, image: &ImageRef) -> Vec<Finding> {
    let Some(v) = image.version() else {
        return Vec::new();
    };
    let shown = format!("{}:{}", image.repository, image.tag);
    KNOWN
        .iter()
        .filter(|k| (k.applies)(engine, image, v))
        .map(|k| Finding {
            message: format!(
                "cAdvisor {shown} : {} ; image conseillée : {SUGGESTED_CADVISOR} \
                 (JOURNAL_IMAGE_CADVISOR ou image_cadvisor dans journal.toml) — source : {}",
                k.why, k.source
            ),
            source: k.source,
        })
        .collect()
}

/// What a run on the test bench says loudly: the images that are test
/// stand-ins (named `…-standin…`, built by `tests/bench/setup.sh`) rather
/// than the real ones. `None` on a real installation.
pub fn standin_warning(images: &crate::settings::Images) -> Option<String> {
    let standins: Vec<&str> = [
        &images.prometheus,
        &images.grafana,
        &images.cadvisor,
        &images.alertmanager,
    ]
    .into_iter()
    .map(String::as_str)
    .filter(|i| i.contains("standin"))
    .collect();
    (!standins.is_empty()).then(|| {
        format!(
            "BANC D'ESSAI : images de remplacement (doublures de test) en service — {} ; \
             ce n'est pas une installation réelle (images réelles : retirez les variables \
             JOURNAL_IMAGE_* posées par tests/bench/env.sh)",
            standins.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn standin_images_are_named_loudly() {
        let mut images = crate::settings::Images {
            prometheus: "prom/prometheus:v2.47.1".into(),
            grafana: "grafana/grafana-oss:10.1.5".into(),
            cadvisor: "gcr.io/cadvisor/cadvisor:v0.47.2".into(),
            alertmanager: "prom/alertmanager:v0.26.0".into(),
        };
        assert_eq!(standin_warning(&images), None);
        images.grafana = "local/grafana-standin:bench".into();
        let w = standin_warning(&images).unwrap();
        assert!(w.starts_with("BANC D'ESSAI"), "{w}");
        assert!(w.contains("local/grafana-standin:bench"), "{w}");
        assert!(!w.contains("prom/prometheus"), "{w}");
    }
    use super::*;

    fn engine(version: &str, containerd: bool) -> EngineFacts {
        EngineFacts {
            version: Version::parse(version),
            containerd_store: containerd,
        }
    }

    fn sources(e: &EngineFacts, image: &str) -> Vec<&'static str> {
        check(e, &ImageRef::parse("cadvisor", image).unwrap())
            .into_iter()
            .map(|f| f.source)
            .collect()
    }

    #[test]
    fn the_table_over_engines_stores_and_releases() {
        let old = "gcr.io/cadvisor/cadvisor:v0.47.2";
        let fixed = "ghcr.io/google/cadvisor:0.54.0";
        let new = "ghcr.io/google/cadvisor:v0.60.5";
        // (engine, containerd store, image, expected sources)
        let cases: &[(&str, bool, &str, &[&str])] = &[
            ("20.10.24", false, old, &[]),
            ("26.1.3", false, old, &[]),
            ("29.0.1", false, old, &[KNOWN[0].source]),
            ("20.10.24", true, old, &[KNOWN[1].source]),
            ("26.1.3", true, old, &[KNOWN[1].source]),
            ("29.0.1", true, old, &[KNOWN[0].source, KNOWN[1].source]),
            ("20.10.24", false, fixed, &[]),
            ("26.1.3", true, fixed, &[]),
            ("29.0.1", false, fixed, &[]),
            ("29.0.1", true, fixed, &[KNOWN[2].source]),
            ("20.10.24", false, new, &[]),
            ("26.1.3", true, new, &[]),
            ("29.0.1", false, new, &[]),
            ("29.0.1", true, new, &[]),
        ];
        for (version, containerd, image, expected) in cases {
            assert_eq!(
                sources(&engine(version, *containerd), image),
                expected.to_vec(),
                "{version} containerd={containerd} {image}"
            );
        }
    }

    #[test]
    fn a_new_tag_on_gcr_io_is_a_warning() {
        assert_eq!(
            sources(&engine("26.1.3", false), "gcr.io/cadvisor/cadvisor:v0.60.5"),
            vec![KNOWN[3].source]
        );
    }

    #[test]
    fn a_warning_names_the_suggested_image_and_its_source() {
        let f = check(
            &engine("29.0.1", false),
            &ImageRef::parse("cadvisor", "gcr.io/cadvisor/cadvisor:v0.47.2").unwrap(),
        );
        assert!(
            f[0].message.contains(SUGGESTED_CADVISOR),
            "{}",
            f[0].message
        );
        assert!(f[0].message.contains("cookiecutter-rt-django#301"));
        assert!(f[0].message.contains("JOURNAL_IMAGE_CADVISOR"));
    }

    #[test]
    fn local_builds_and_unknown_engines_give_nothing() {
        assert!(sources(&engine("29.0.1", true), "local/cadvisor-standin:bench").is_empty());
        assert!(sources(&engine("", false), "gcr.io/cadvisor/cadvisor:v0.47.2").is_empty());
    }

    #[test]
    fn image_references() {
        let i = ImageRef::parse("cadvisor", "registry.local:5000/cadvisor:v0.49.1").unwrap();
        assert_eq!(
            (i.repository.as_str(), i.tag.as_str()),
            ("registry.local:5000/cadvisor", "v0.49.1")
        );
        assert_eq!(i.version(), Some(Version(0, 49, 1)));
        let d = ImageRef::parse("grafana", "grafana/grafana@sha256:abc").unwrap();
        assert_eq!(d.digest.as_deref(), Some("sha256:abc"));
        for bad in [
            "gcr.io/cadvisor/cadvisor",
            "registry.local:5000/cadvisor",
            "",
        ] {
            let e = ImageRef::parse("cadvisor", bad).unwrap_err();
            assert_eq!(e.kind(), crate::error::Kind::Usage, "{bad}");
            assert!(
                e.message().contains("n'a pas d'étiquette"),
                "{}",
                e.message()
            );
            assert!(e.hint().unwrap().contains("JOURNAL_IMAGE_CADVISOR"));
        }
    }

    #[test]
    fn versions() {
        assert_eq!(Version::parse("20.10.24-ce"), Some(Version(20, 10, 24)));
        assert_eq!(Version::parse("v0.47.2"), Some(Version(0, 47, 2)));
        assert_eq!(Version::parse("29"), Some(Version(29, 0, 0)));
        assert_eq!(Version::parse("latest"), None);
        assert!(Version(0, 53, 0) < FIXED);
    }
}
