//! The settings of `partie-6-alertes` (a part's own settings).

use std::time::Duration;

use crate::secrets::Secret;

use super::as_secs;

/// The settings of `partie-6-alertes`, as given (checked by its first step,
/// so that a bad value stops the part before anything changes).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AlertSettings {
    /// Alertmanager as seen from the host.
    pub alertmanager_url: String,
    /// E-mail address receiving the alerts.
    pub email: Option<String>,
    /// SMTP relay, `hôte:port`.
    pub smtp: Option<String>,
    /// Webhook URL; never serialised (it may carry a token).
    #[serde(skip)]
    pub webhook: Option<Secret>,
    /// Whether a webhook is set (for the templates).
    pub has_webhook: bool,
    /// CPU threshold, as written (`0.8`).
    pub cpu_threshold: String,
    /// Bound of each wait of the fire drill (seconds in templates).
    #[serde(serialize_with = "as_secs")]
    pub drill_timeout: Duration,
    /// `--exercice`: run the fire drill again.
    pub drill: bool,
}
