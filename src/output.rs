//! All user-facing terminal output goes through [`Output`]: messages, errors
//! with their hints, step progress (spinners on a TTY, plain lines otherwise)
//! and the final summary table. It masks registered secrets before printing.
//!
//! It does not decide anything: callers say what happened, this module says it
//! in French, with or without colours.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::IsTerminal;
use std::time::Duration;

use console::Style;
use indicatif::{ProgressBar, ProgressStyle};

use crate::error::Error;
use crate::secrets::redact;

// Writes that never panic: a closed pipe (`journal list | head -1`) or a
// closed terminal ends the output quietly, the command itself goes on.
macro_rules! println {
    ($($a:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($a)*);
    }};
}
macro_rules! print {
    ($($a:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($a)*);
    }};
}
macro_rules! eprintln {
    ($($a:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($a)*);
    }};
}

/// When to use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Couleurs sur un terminal, sauf si NO_COLOR est posée.
    Auto,
    /// Toujours des couleurs.
    Always,
    /// Jamais de couleurs.
    Never,
}

/// The one place that writes to stdout and stderr.
#[derive(Debug, Clone)]
pub struct Output {
    quiet: bool,
    verbose: u8,
    color: bool,
    tty: bool,
}

impl Output {
    /// Builds the output from the global options.
    pub fn new(quiet: bool, verbose: u8, color: ColorChoice) -> Self {
        let tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
        Output {
            quiet,
            verbose,
            color,
            tty,
        }
    }

    /// An output for tests: no colour, not a terminal.
    pub fn plain() -> Self {
        Output {
            quiet: false,
            verbose: 0,
            color: false,
            tty: false,
        }
    }

    fn style(&self, s: Style) -> Style {
        if self.color {
            s.force_styling(true)
        } else {
            s.force_styling(false)
        }
    }

    /// A result line on stdout (what scripts read: paths, lists, tables).
    pub fn result(&self, text: &str) {
        println!("{}", redact(text));
    }

    /// A Markdown document on stdout: rendered for the eye (headings, tables,
    /// code blocks, with termimad) when stdout is a terminal and colours are
    /// on, printed as is otherwise (piped, `--color never`, `NO_COLOR`).
    pub fn markdown(&self, text: &str) {
        let text = redact(text);
        if self.color && std::io::stdout().is_terminal() {
            let skin = termimad::MadSkin::default();
            print!("{}", skin.term_text(&text));
        } else {
            println!("{}", text.trim_end());
        }
    }

    /// An informational message on stderr (hidden by `-q`).
    pub fn info(&self, text: &str) {
        if !self.quiet {
            eprintln!("{}", redact(text));
        }
    }

    /// A detail shown only with `-v`.
    pub fn detail(&self, text: &str) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{}", self.style(Style::new().dim()).apply_to(redact(text)));
        }
    }

    /// A success message on stderr.
    pub fn success(&self, text: &str) {
        if !self.quiet {
            eprintln!(
                "{} {}",
                self.style(Style::new().green().bold()).apply_to("✓"),
                redact(text)
            );
        }
    }

    /// A warning on stderr (shown even with `-q`).
    pub fn warn(&self, text: &str) {
        eprintln!(
            "{} {}",
            self.style(Style::new().yellow().bold())
                .apply_to("attention :"),
            redact(text)
        );
    }

    /// An error with its causes and hint, on stderr.
    pub fn error(&self, e: &Error) {
        eprintln!(
            "{} {}",
            self.style(Style::new().red().bold()).apply_to("erreur :"),
            redact(e.message())
        );
        for cause in e.causes() {
            eprintln!("  cause : {}", redact(&cause));
        }
        if let Some(h) = e.hint() {
            eprintln!(
                "  {} {}",
                self.style(Style::new().cyan().bold()).apply_to("aide :"),
                redact(h)
            );
        }
    }

    /// Starts the progress display of a step.
    pub fn step_start(&self, index: usize, total: usize, title: &str) -> StepProgress {
        let label = format!("[{index}/{total}] {title}");
        let bar = if self.tty && !self.quiet {
            let pb = ProgressBar::new_spinner();
            pb.set_style(
                ProgressStyle::with_template("{spinner:.cyan} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb.set_message(label.clone());
            pb.enable_steady_tick(Duration::from_millis(100));
            Some(pb)
        } else {
            if !self.quiet {
                eprintln!("… {label}");
            }
            None
        };
        StepProgress {
            out: self.clone(),
            label,
            bar,
        }
    }

    /// Prints a table (header + rows) on stderr, aligned on character counts.
    pub fn table(&self, header: &[&str], rows: &[Vec<String>]) {
        if self.quiet {
            return;
        }
        for line in format_table(header, rows) {
            eprintln!("{}", redact(&line));
        }
    }
}

/// Formats a plain-text table with aligned columns.
pub fn format_table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let fmt_row = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i].saturating_sub(c.chars().count());
                format!("{c}{}", " ".repeat(pad))
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = vec![fmt_row(header.to_vec())];
    out.push(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    for r in rows {
        out.push(fmt_row(r.iter().map(String::as_str).collect()));
    }
    out
}

/// The progress of one step; finish it with its status.
pub struct StepProgress {
    out: Output,
    label: String,
    bar: Option<ProgressBar>,
}

impl StepProgress {
    /// Updates the spinner's message (no-op without a TTY).
    pub fn message(&self, text: &str) {
        if let Some(pb) = &self.bar {
            pb.set_message(format!("{} — {}", self.label, redact(text)));
        }
    }

    /// Ends the step line with a status word and a duration.
    pub fn finish(self, ok: bool, status: &str, duration: &str) {
        let mark = if ok {
            self.out.style(Style::new().green().bold()).apply_to("✓")
        } else {
            self.out.style(Style::new().red().bold()).apply_to("✗")
        };
        let line = format!("{mark} {} : {status} ({duration})", self.label);
        match self.bar {
            Some(pb) => {
                pb.finish_and_clear();
                eprintln!("{line}");
            }
            None => {
                if !self.out.quiet {
                    eprintln!("{line}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_on_characters_not_bytes() {
        let t = format_table(
            &["étape", "statut"],
            &[vec!["préparation".into(), "réussi".into()]],
        );
        assert_eq!(t[0], "étape        statut");
        assert_eq!(t[2], "préparation  réussi");
    }
}
