//! The validators shipped with the servers (`promtool`, `amtool`), run
//! through Compose on the text given on their standard input, and how their
//! refusal is reported. (Writing the files themselves is the kit's managed
//! file, `steps::kit::managed_file`.)

use std::path::Path;

use crate::adapters::compose::Compose;
use crate::error::{Error, Result};
use crate::runbook::StepFailure;

/// A validator shipped beside a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// `promtool check rules`, in the running Prometheus container.
    Promtool,
    /// `amtool check-config`, in a one-off Alertmanager container.
    Amtool,
}

impl Validator {
    /// The command a user would type on the host.
    pub fn command(self, program: &str, shown: &str) -> String {
        match self {
            Validator::Promtool => {
                format!("{program} exec -T prometheus promtool check rules /dev/stdin < {shown}")
            }
            Validator::Amtool => format!(
                "{program} run --rm -T --no-deps --entrypoint amtool alertmanager check-config /dev/stdin < {shown}"
            ),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Validator::Promtool => "promtool",
            Validator::Amtool => "amtool",
        }
    }
}

/// What a validator said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted; its output.
    Accepted(String),
    /// Refused; its output, with `/dev/stdin` replaced by the file's name.
    Refused(String),
    /// The tool could not run (absent from the image…); why.
    Unavailable(String),
}

/// Runs `validator` on `text` (named `shown` in its messages).
pub fn validate(
    compose: &dyn Compose,
    compose_file: &Path,
    validator: Validator,
    text: &str,
    shown: &str,
) -> Result<Verdict> {
    let (ok, out) = match validator {
        Validator::Promtool => compose.exec_status(
            compose_file,
            "prometheus",
            &["promtool", "check", "rules", "/dev/stdin"],
            text,
        )?,
        Validator::Amtool => compose.run_status(
            compose_file,
            super::SERVICE,
            "amtool",
            &["check-config", "/dev/stdin"],
            text,
        )?,
    };
    let output = out.combined().replace("/dev/stdin", shown);
    Ok(if ok {
        Verdict::Accepted(output)
    } else if output.contains("Checking") {
        Verdict::Refused(output)
    } else {
        Verdict::Unavailable(format!(
            "{} n'a pas pu être lancé : {}",
            validator.name(),
            crate::adapters::compose::first_error_line(&output)
        ))
    })
}

/// When the validator could not run: `text`, produced by `template`, must
/// at least be YAML (the server checks the rest when it starts).
pub fn check_yaml_only(template: &str, text: &str) -> Result<()> {
    serde_yaml::from_str::<serde_yaml::Value>(text)
        .map(|_| ())
        .map_err(|e| {
            Error::usage(format!(
                "le modèle {template} ne produit pas un YAML valide : {e}"
            ))
        })
}

/// The line a validator's refusal points at: `fichier: 12:5: …` or
/// `yaml: line 12: …`.
pub fn refused_line(output: &str, shown: &str) -> Option<usize> {
    let prefix = format!("{shown}: ");
    for l in output.lines() {
        if let Some(rest) = l.trim().strip_prefix(&prefix)
            && let Some((n, _)) = rest.split_once(':')
            && let Ok(n) = n.trim().parse()
        {
            return Some(n);
        }
        if let Some((_, rest)) = l.split_once("line ")
            && let Some(n) = rest
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        {
            return Some(n);
        }
    }
    None
}

/// The failure for a refused file: the tool, the line, its output.
pub fn refusal(validator: Validator, output: &str, shown: &str, hint: &str) -> StepFailure {
    let reason = output
        .lines()
        .rev()
        .find(|l| l.contains(shown) && l.contains(':') && !l.starts_with("Checking"))
        .or_else(|| output.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("")
        .trim()
        .to_string();
    let at = refused_line(output, shown)
        .map(|n| format!(" (ligne {n})"))
        .unwrap_or_default();
    StepFailure::from(
        Error::failed(format!(
            "{} refuse {shown}{at} : {reason}",
            validator.name()
        ))
        .with_hint(hint.to_string()),
    )
    .output(output.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMTOOL: &str = "Checking compose/config/prometheus/regles/alertes.yml\n  FAILED:\n\
        compose/config/prometheus/regles/alertes.yml: 8:15: group \"t\", rule 2, \"B\": could not parse expression: 1:6: parse error: unexpected end of input";

    #[test]
    fn the_refused_line_is_found() {
        let shown = "compose/config/prometheus/regles/alertes.yml";
        assert_eq!(refused_line(PROMTOOL, shown), Some(8));
        assert_eq!(
            refused_line("yaml: line 3: did not find expected key", shown),
            Some(3)
        );
        let f = refusal(Validator::Promtool, PROMTOOL, shown, "corrigez");
        assert!(
            f.error.message().contains("(ligne 8)"),
            "{}",
            f.error.message()
        );
        assert!(f.error.message().contains("parse error"));
    }
}
