//! What `-v` and `-vv` show of the outside world: each command line run and
//! each HTTP call made by the adapters (`-v`), then their answers (`-vv`:
//! exit status or HTTP status, and the output, shortened). Secrets are masked
//! (registered values by `secrets::redact`, passwords in URLs here); standard
//! input and request bodies are never shown.
//!
//! It only formats lines and hands them to the sink `cmd::main` installs
//! (which prints through `output::Output`); without a sink it does nothing.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::secrets::redact;

type Sink = Box<dyn Fn(&str) + Send + Sync>;

static LEVEL: AtomicU8 = AtomicU8::new(0);
static SINK: OnceLock<Sink> = OnceLock::new();

/// Installs the sink for verbosity `level` (0: nothing, 1: calls, 2: answers too).
pub fn install(level: u8, sink: impl Fn(&str) + Send + Sync + 'static) {
    LEVEL.store(level, Ordering::Relaxed);
    let _ = SINK.set(Box::new(sink));
}

fn emit(min: u8, line: &str) {
    if LEVEL.load(Ordering::Relaxed) >= min
        && let Some(sink) = SINK.get()
    {
        sink(&redact(line));
    }
}

/// Whether answers are shown (`-vv`): callers skip formatting otherwise.
pub fn answers() -> bool {
    LEVEL.load(Ordering::Relaxed) >= 2 && SINK.get().is_some()
}

/// `-v`: a command about to run, as a shell would show it.
pub fn command(program: &str, args: &[&str], dir: Option<&std::path::Path>) {
    if LEVEL.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mut line = format!("$ {}", shell_word(program));
    for a in args {
        line.push(' ');
        line.push_str(&shell_word(a));
    }
    if let Some(d) = dir {
        line.push_str(&format!("   (dans {})", d.display()));
    }
    emit(1, &line);
}

/// `-vv`: how a command ended and what it printed.
pub fn command_answer(ok: bool, stdout: &str, stderr: &str) {
    if !answers() {
        return;
    }
    let mut line = format!("  ← {}", if ok { "réussi" } else { "échec" });
    for (name, text) in [("sortie", stdout), ("erreurs", stderr)] {
        if !text.trim().is_empty() {
            line.push_str(&format!("\n  {name} : {}", shorten(text)));
        }
    }
    emit(2, &line);
}

/// `-v`: an HTTP request (method and URL, password masked).
pub fn http(method: &str, url: &str) {
    if LEVEL.load(Ordering::Relaxed) == 0 {
        return;
    }
    emit(1, &format!("→ {method} {}", mask_url(url)));
}

/// `-v`: a call to the Docker engine's API (bollard), e.g. `GET /info`.
pub fn docker(call: &str) {
    emit(1, &format!("→ API Docker : {call}"));
}

/// `-vv`: a summary of the Docker engine's answer.
pub fn docker_answer(summary: impl FnOnce() -> String) {
    if answers() {
        emit(2, &format!("  ← {}", shorten(&summary())));
    }
}

/// `-vv`: an HTTP answer (status and body, shortened).
pub fn http_answer(status: u16, body: &str) {
    if !answers() {
        return;
    }
    emit(2, &format!("  ← {status} {}", shorten(body)));
}

/// A URL with its password (if any) replaced by `***`.
pub fn mask_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// At most 2,000 characters, on as many lines as the text has.
fn shorten(text: &str) -> String {
    let t = text.trim_end();
    if t.chars().count() > 2000 {
        format!("{}… (tronqué)", t.chars().take(2000).collect::<String>())
    } else {
        t.to_string()
    }
}

/// A word quoted for a shell when it needs it.
fn shell_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password_and_words_are_quoted() {
        assert_eq!(
            mask_url("http://admin:s3cret@localhost:3000/api/health"),
            "http://admin:***@localhost:3000/api/health"
        );
        assert_eq!(
            mask_url("http://localhost:9090/-/ready"),
            "http://localhost:9090/-/ready"
        );
        assert_eq!(shell_word("up"), "up");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("l'eau"), "'l'\\''eau'");
    }
}
