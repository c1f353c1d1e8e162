//! What is known about today's Docker hosts and the part's images: the
//! cAdvisor release to suggest when the one configured cannot see the
//! containers of this engine, and how to set it. Pure data and text; it
//! reads no engine and no setting (the steps give it what they read).

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
