//! Step `preflight-alertes`: what the part needs before touching anything —
//! a successful `partie-6` in this project (otherwise: exit 2), receiver
//! settings that make sense, the Docker engine and Compose, and the host port
//! 9093. It changes nothing.

use std::rc::Rc;

use crate::adapters::compose::{Compose, ComposeCli};
use crate::adapters::host::LocalHost;
use crate::error::{Error, Result};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::settings::{
    self, ALERT_CPU_THRESHOLD, ALERT_EMAIL, ALERT_SMTP, ALERT_WEBHOOK, AlertSettings,
};
use crate::steps::deployment::{self, Capability};
use crate::steps::kit::requires::{Requirement, last_success};
use crate::steps::preflight::{PortUse, check_port, compose_variables, refusal};

use super::{PART_ID, PREVIOUS_PART, SERVICE};

/// Vérifications préalables de la partie.
pub struct AlertesPreflight;

/// Alertmanager's host port, as the settings place it.
fn port_use(port: u16) -> PortUse {
    PortUse {
        port,
        service: SERVICE,
        mapping: format!("{port}:9093"),
        step: "étape B",
    }
}

/// When `partie-6` last succeeded in this project, or a usage error (exit 2).
pub fn previous_part_done(ctx: &RunContext) -> Result<String> {
    last_success(
        ctx,
        &Requirement {
            part: PART_ID,
            requires: PREVIOUS_PART,
            provides: "Prometheus, Grafana et cAdvisor",
        },
    )
}

/// Checks the receivers and thresholds given in the environment; the French
/// description of each receiver (never the webhook's address).
pub fn check_alert_settings(a: &AlertSettings) -> Result<Vec<String>> {
    let mut receivers = vec![
        "« defaut » (aucune notification : alertes visibles dans Alertmanager et Grafana)"
            .to_string(),
    ];
    match (&a.email, &a.smtp) {
        (Some(to), Some(smtp)) => {
            let ok_to = to.split_once('@').is_some_and(|(u, d)| {
                !u.is_empty() && d.contains('.') && !to.contains(char::is_whitespace)
            });
            if !ok_to {
                return Err(Error::usage(format!(
                    "{} n'est pas une adresse e-mail",
                    settings::shown(ALERT_EMAIL, to)
                ))
                .with_hint(format!(
                    "par exemple {ALERT_EMAIL}=exploitation@example.org"
                )));
            }
            let ok_smtp = smtp
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
            if !ok_smtp {
                return Err(Error::usage(format!(
                    "{} n'est pas de la forme hôte:port",
                    settings::shown(ALERT_SMTP, smtp)
                ))
                .with_hint(format!("par exemple {ALERT_SMTP}=smtp.example.org:587")));
            }
            receivers.push(format!("« email » : {to} par {smtp}"));
        }
        (Some(_), None) => {
            return Err(Error::usage(format!(
                "{ALERT_EMAIL} est donné sans {ALERT_SMTP} : Alertmanager ne saurait pas par où envoyer"
            ))
            .with_hint(format!(
                "donnez aussi {ALERT_SMTP}=hôte:port (le relais SMTP du site), ou retirez {ALERT_EMAIL}"
            )));
        }
        (None, Some(_)) => {
            return Err(Error::usage(format!(
                "{ALERT_SMTP} est donné sans {ALERT_EMAIL} : aucune adresse ne recevrait les alertes"
            ))
            .with_hint(format!(
                "donnez aussi {ALERT_EMAIL}=adresse@domaine, ou retirez {ALERT_SMTP}"
            )));
        }
        (None, None) => {}
    }
    if let Some(hook) = &a.webhook {
        let url = hook.expose();
        let ok = (url.starts_with("http://") || url.starts_with("https://"))
            && url.split_once("://").is_some_and(|(_, r)| {
                !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace)
            });
        if !ok {
            return Err(Error::usage(format!(
                "{ALERT_WEBHOOK} n'est pas une URL http:// ou https:// (valeur masquée : elle peut contenir un jeton)"
            ))
            .with_hint(format!(
                "par exemple {ALERT_WEBHOOK}=https://chat.example.org/hooks/alertes"
            )));
        }
        receivers.push(format!("« webhook » : {}", webhook_shown(url)));
    }
    let cpu_ok = a
        .cpu_threshold
        .parse::<f64>()
        .is_ok_and(|c| c > 0.0 && c.is_finite());
    if !cpu_ok {
        return Err(Error::usage(format!(
            "{} n'est pas un nombre de cœurs positif",
            settings::shown(ALERT_CPU_THRESHOLD, &a.cpu_threshold)
        ))
        .with_hint(format!(
            "un nombre décimal avec un point, par exemple {ALERT_CPU_THRESHOLD}=0.8 (80 % d'un cœur)"
        )));
    }
    Ok(receivers)
}

/// A webhook as the journal may show it: scheme and host only.
pub fn webhook_shown(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    format!("{scheme}://{host}/… (chemin masqué)")
}

impl Step for AlertesPreflight {
    fn id(&self) -> &'static str {
        "preflight-alertes"
    }

    fn title(&self) -> &'static str {
        "Vérifications préalables"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        if !deployment::supports(ctx.settings.target, Capability::Alerting) {
            return Err(crate::error::Error::usage(
                "partie-6-alertes ne sait pas encore viser un essaim Swarm : rien n'a été modifié",
            )
            .with_hint(
                "lancez-la sur un hôte Compose (--cible compose, la valeur par défaut) ; \
                 la cible Swarm existe pour partie-6 seulement",
            )
            .into());
        }
        let since = previous_part_done(ctx)?;
        if let Some(hook) = &ctx.settings.alerts.webhook {
            crate::secrets::register(hook.expose());
        }
        let receivers = check_alert_settings(&ctx.settings.alerts)?;
        let mut rows: Vec<(String, String)> = vec![
            (
                format!("{PREVIOUS_PART} réussie"),
                format!("oui, dernière réussite le {since}"),
            ),
            ("Destinataires des alertes".into(), receivers.join(" ; ")),
        ];
        let file = ctx.project.compose_file();
        let shown = ctx.project.display(&file);
        let src = crate::store::read_optional(&file)?;
        // A host port Alertmanager needs, published by another service of
        // the file: refused before anything is touched.
        if let Some(text) = &src {
            let additions = super::compose::alert_additions(ctx)?;
            let vars = compose_variables(&file)?;
            crate::compose_file::precheck(text, &additions, &vars)
                .map_err(|e| refusal(&shown, e))?;
        }
        let port_use = port_use(ctx.settings.ports.alertmanager);
        let (docker, info) = crate::steps::kit::engine::connect()?;
        rows.push((
            "Moteur Docker".into(),
            format!("{} (API {})", info.version, info.api_version),
        ));
        let compose = ComposeCli::detect()?;
        rows.push(("Docker Compose".into(), compose.describe()));
        let project_name = compose.project_name(&file)?;
        rows.push(("Projet Compose".into(), format!("« {project_name} »")));
        let port = check_port(
            &LocalHost,
            &docker,
            &port_use,
            (&project_name, &[SERVICE]),
            src.as_deref(),
            &shown,
        )?;
        let deployed = port.starts_with("déjà tenu");
        rows.push((format!("Port {} de l'hôte", port_use.port), port));
        deployment::choose_compose(ctx, Rc::new(docker), Rc::new(compose), project_name, file);
        let table = crate::steps::preflight::checks_table(&rows);
        let summary = format!("{PREVIOUS_PART} réussie le {since} ; Docker et Compose disponibles");
        let report = if deployed {
            StepReport::already_done(format!(
                "{summary} ; Alertmanager tient déjà le port {}",
                port_use.port
            ))
        } else {
            StepReport::done(format!("{summary} ; port {} libre", port_use.port))
        };
        Ok(report
            .command(format!(
                "journal list --partie partie-6 && docker info && ss -ltnp 'sport = :{}'",
                port_use.port
            ))
            .details(table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Secret;
    use crate::testing::test_context;

    #[test]
    fn partie6_never_run_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = test_context(dir.path());
        let f = AlertesPreflight.run(&mut ctx).unwrap_err();
        assert_eq!(f.error.code(), 2);
        assert!(f.error.message().contains("la partie-6 n'a jamais réussi"));
        assert!(f.error.hint().unwrap().contains("journal run partie-6"));
    }

    fn settings() -> AlertSettings {
        crate::testing::test_context(tempfile::tempdir().unwrap().path())
            .settings
            .alerts
    }

    #[test]
    fn receivers_are_checked_and_the_webhook_never_shown() {
        let mut a = settings();
        assert_eq!(check_alert_settings(&a).unwrap().len(), 1);
        a.email = Some("exploitation@example.org".into());
        assert_eq!(check_alert_settings(&a).unwrap_err().code(), 2);
        a.smtp = Some("smtp.example.org".into());
        let e = check_alert_settings(&a).unwrap_err();
        assert!(e.message().contains("hôte:port"), "{}", e.message());
        a.smtp = Some("smtp.example.org:587".into());
        a.webhook = Some(Secret::new("https://chat.example.org/hooks/jeton-secret"));
        let r = check_alert_settings(&a).unwrap();
        assert_eq!(r.len(), 3);
        assert!(!r.join(" ").contains("jeton-secret"));
        a.webhook = Some(Secret::new("chat.example.org/hooks/jeton-secret"));
        let e = check_alert_settings(&a).unwrap_err();
        assert!(!e.message().contains("jeton-secret"));
        a.webhook = None;
        a.cpu_threshold = "0,8".into();
        assert!(
            check_alert_settings(&a)
                .unwrap_err()
                .hint()
                .unwrap()
                .contains("0.8")
        );
    }
}
