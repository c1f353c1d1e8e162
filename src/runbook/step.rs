//! What a step is and what it returns. A step does real work (or, in
//! `--dry-run`, only says what it would do) and reports in French.

use crate::error::Error;
use crate::store::StepStatus;

use super::RunContext;

/// One step of a part.
pub trait Step {
    /// Stable id (`prometheus-config`), also the explanation template's name.
    fn id(&self) -> &'static str;
    /// French title.
    fn title(&self) -> &'static str;
    /// Does the work. In `ctx.dry_run` mode it must change nothing.
    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure>;
    /// Its explanation (Markdown), when the step carries its own — a
    /// runbook's prose; otherwise the engine renders the template
    /// `etapes/<partie>/<id>.md.j2`.
    fn explanation(&self) -> Option<String> {
        None
    }
}

/// The builder methods of what a step gathered, the same on a report and on
/// a failure: the manual command, the output excerpt, Markdown details.
macro_rules! gathered {
    () => {
        /// Sets the equivalent manual command.
        pub fn command(mut self, c: impl Into<String>) -> Self {
            self.command = Some(c.into());
            self
        }

        /// Sets the output excerpt.
        pub fn output(mut self, o: impl Into<String>) -> Self {
            self.output = Some(o.into());
            self
        }

        /// Appends Markdown details.
        pub fn details(mut self, d: impl AsRef<str>) -> Self {
            append_block(&mut self.details, d.as_ref());
            self
        }
    };
}

/// What a step that did not fail reports.
#[derive(Debug, Clone)]
pub struct StepReport {
    /// `réussi`, `déjà fait` or `ignoré`.
    pub status: StepStatus,
    /// One French sentence: what happened.
    pub summary: String,
    /// The equivalent manual command.
    pub command: Option<String>,
    /// An excerpt of the output.
    pub output: Option<String>,
    /// More Markdown (tables, diffs, images) for the journal.
    pub details: String,
    /// Warnings (French) worth the reader's attention.
    pub warnings: Vec<String>,
}

impl StepReport {
    fn with_status(status: StepStatus, summary: impl Into<String>) -> Self {
        StepReport {
            status,
            summary: summary.into(),
            command: None,
            output: None,
            details: String::new(),
            warnings: Vec::new(),
        }
    }

    /// The step did its work.
    pub fn done(summary: impl Into<String>) -> Self {
        Self::with_status(StepStatus::Succeeded, summary)
    }

    /// Nothing to do: already in the wanted state.
    pub fn already_done(summary: impl Into<String>) -> Self {
        Self::with_status(StepStatus::AlreadyDone, summary)
    }

    /// Skipped (e.g. `--dry-run`).
    pub fn skipped(summary: impl Into<String>) -> Self {
        Self::with_status(StepStatus::Skipped, summary)
    }

    gathered!();

    /// Adds a warning.
    pub fn warn(mut self, w: impl Into<String>) -> Self {
        self.warnings.push(w.into());
        self
    }
}

/// A failed step: the error (message + hint) and what it had gathered.
#[derive(Debug)]
pub struct StepFailure {
    /// Cause and hint.
    pub error: Error,
    /// The equivalent manual command.
    pub command: Option<String>,
    /// An excerpt of the output.
    pub output: Option<String>,
    /// More Markdown for the journal.
    pub details: String,
}

impl StepFailure {
    gathered!();
}

/// Appends a Markdown block to `buf`, separated from what is there by one
/// blank line.
fn append_block(buf: &mut String, block: &str) {
    if !buf.is_empty() && !buf.ends_with("\n\n") {
        buf.push_str(if buf.ends_with('\n') { "\n" } else { "\n\n" });
    }
    buf.push_str(block);
}

impl From<Error> for StepFailure {
    fn from(error: Error) -> Self {
        StepFailure {
            error,
            command: None,
            output: None,
            details: String::new(),
        }
    }
}

/// Keeps the last `max_lines` lines of an output (and at most 8 Kio), saying
/// how much was cut.
pub fn excerpt(text: &str, max_lines: usize) -> String {
    let text = text.trim_end();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = if lines.len() > max_lines {
        format!(
            "… ({} lignes précédentes omises)\n{}",
            lines.len() - max_lines,
            lines[lines.len() - max_lines..].join("\n")
        )
    } else {
        text.to_string()
    };
    if out.len() > 8192 {
        let mut cut = out.len() - 8192;
        while !out.is_char_boundary(cut) {
            cut += 1;
        }
        out = format!("… (début tronqué)\n{}", &out[cut..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_keeps_last_lines() {
        let t = (1..=10)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(excerpt(&t, 3), "… (7 lignes précédentes omises)\n8\n9\n10");
        assert_eq!(excerpt("a\nb\n", 3), "a\nb");
    }
}
