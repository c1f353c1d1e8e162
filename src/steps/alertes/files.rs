//! What the file-writing steps of the part share: read the current file,
//! show the difference, refuse to replace a file someone changed unless
//! `--force` (the old one is then kept beside it), write atomically; and the
//! validators shipped with the servers (`promtool`, `amtool`), run through
//! Compose on the text given on their standard input.

use std::path::Path;

use crate::adapters::compose::Compose;
use crate::error::{Error, Result};
use crate::runbook::{RunContext, StepFailure};
use crate::steps::config_file::backup_path;
use crate::store::write_atomic;
use crate::textdiff;

/// The journal block showing how `current` becomes `wanted`.
pub fn diff_block(current: Option<&str>, wanted: &str, shown: &str) -> String {
    let diff = textdiff::unified(current.unwrap_or(""), wanted, shown);
    format!("Différences :\n\n````diff\n{diff}````")
}

/// The refusal to replace a file that differs from what the part writes.
pub fn differs(shown: &str, diff: String) -> StepFailure {
    StepFailure::from(
        Error::usage(format!(
            "{shown} existe déjà et diffère de ce que journal écrirait : il n'a pas été modifié"
        ))
        .with_hint(format!(
            "relisez la différence ci-dessous ; relancez avec --force pour remplacer {shown} \
             (l'ancien fichier sera sauvegardé à côté, en .bak.<date>)"
        )),
    )
    .details(diff)
}

/// Writes `wanted` at `path` (folder created); a file that was there is
/// first copied to a timestamped backup, whose shown path is returned.
pub fn write_with_backup(
    ctx: &RunContext,
    path: &Path,
    had_file: bool,
    wanted: &str,
) -> Result<Option<String>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))?;
    let backup = if had_file {
        let b = backup_path(path);
        std::fs::copy(path, &b).map_err(|e| Error::io("sauvegarde de", path, e))?;
        Some(ctx.project.display(&b))
    } else {
        None
    };
    write_readable(path, wanted.as_bytes())?;
    Ok(backup)
}

/// Writes `bytes` at `path` atomically, readable by all (0644, as
/// [`write_atomic`] writes): the official Prometheus and Alertmanager images
/// run as `nobody`.
pub fn write_readable(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes, true).map_err(|e| Error::io("écriture de", path, e))
}

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
    fn written_files_are_readable_by_the_containers_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regles/alertes.yml");
        let ctx = crate::testing::test_context(dir.path());
        write_with_backup(&ctx, &path, false, "groups: []\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }

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
