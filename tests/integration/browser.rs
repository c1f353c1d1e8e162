//! The browser kit of the book's tests: finding Chromium (or saying loudly
//! why a test does nothing), running it headless on a URL for the DOM after
//! scripts, a static HTTP server for `book/html`, and the JavaScript pieces
//! the measuring scripts share (theme choice, colour and contrast helpers).
//!
//! It does not measure anything itself: each test module writes its own
//! measuring script and reads what the script wrote into the DOM. The server
//! is a test fixture: one thread per connection, `HEAD` answered without a
//! body, any other request as a `GET`.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use percent_encoding::percent_decode_str;

/// Before any page script: the theme asked by `?theme=` stored where
/// mdBook's page reads it.
pub const THEME_SCRIPT: &str = r#"<script>
var t = new URLSearchParams(location.search).get("theme");
if (t) { try { localStorage.setItem("mdbook-theme", t); } catch (e) {} }
</script>"#;

/// A measuring script: `<script>` running `$body` (a JavaScript string
/// literal) inside a function that defines the helpers the tests share:
/// `show(id, lines)` writes `lines` into a `<pre id=…>` appended to the body,
/// where `--dump-dom` returns them; `rgba(css)` → `[r, g, b, a]`;
/// `over(top, under)` composes a colour over an opaque one;
/// `background(el)` is the opaque colour `el` is seen on (its ancestors'
/// backgrounds composed, white under all); `lum(c)` the relative luminance;
/// `contrast(a, b)` the WCAG ratio of two opaque colours; `textContrast(el)`
/// that of `el`'s text on its background. A literal, for `const`s.
macro_rules! measuring_script {
    ($body:literal) => {
        concat!(
            "<script>\n(function () {",
            r#"
  function show(id, lines) {
    var pre = document.createElement("pre");
    pre.id = id;
    pre.textContent = lines.join("\n");
    document.body.appendChild(pre);
  }
  function rgba(s) {
    var m = s.match(/rgba?\(([^)]+)\)/); if (!m) return [0, 0, 0, 0];
    var p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, under) {
    var a = top[3];
    return [0, 1, 2].map(function (i) { return top[i] * a + under[i] * (1 - a); }).concat([1]);
  }
  function background(el) {
    var layers = [];
    for (var e = el; e; e = e.parentElement) {
      var c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    var bg = [255, 255, 255, 1];
    for (var i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  }
  function lum(c) {
    var v = c.slice(0, 3).map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function contrast(a, b) {
    var x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function textContrast(el) {
    var bg = background(el);
    return contrast(over(rgba(getComputedStyle(el).color), bg), bg);
  }
"#,
            $body,
            "})();\n</script>"
        )
    };
}
pub(crate) use measuring_script;

/// The Chromium binary, if installed.
pub fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Chromium, or `None` after saying loudly why the test does nothing
/// (mandatory with `JOURNAL_E2E=1`).
pub fn browser(test: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            !std::env::var("JOURNAL_E2E").is_ok_and(|v| v == "1"),
            "JOURNAL_E2E=1 mais chromium est absent : installez-le (apt-get install -y chromium)"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "!!!!! ignoré : chromium absent ({test}) ; JOURNAL_E2E=1 le rend obligatoire !!!!!"
            );
        }
    }
    found
}

/// Runs headless Chromium on `url` and returns the DOM after scripts ran.
pub fn dump_dom(chromium: &Path, url: &str) -> String {
    run(chromium, url, None)
}

/// Headless Chromium on `url` in a window of `size`, scrollbars hidden: the
/// DOM after scripts.
pub fn dump_sized(chromium: &Path, url: &str, size: (u32, u32)) -> String {
    run(chromium, url, Some(size))
}

fn run(chromium: &Path, url: &str, size: Option<(u32, u32)>) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ]);
    if let Some((width, height)) = size {
        command
            .arg("--hide-scrollbars")
            .arg(format!("--window-size={width},{height}"));
    }
    let mut child = command
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lancement de chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium n'a pas répondu en 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "chromium a échoué : {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A static HTTP server for a built book, on 127.0.0.1: the files of `root`
/// under a URL prefix (`/` unless [`Site::under`]), paths percent-decoded,
/// `dir/` as `dir/index.html`, `HEAD` answered without a body, and a missing
/// file answered with status 404 and `404.html` when the book has one (as
/// GitHub Pages does). HTML pages may get a script at the start of `<head>`
/// and one before `</body>`.
pub struct Site {
    root: PathBuf,
    prefix: &'static str,
    head: &'static str,
    body_end: &'static str,
}

impl Site {
    /// The files of `root`, at the server's root, nothing injected.
    pub fn new(root: PathBuf) -> Self {
        Site {
            root,
            prefix: "/",
            head: "",
            body_end: "",
        }
    }

    /// Served under `prefix` (`/projet/`), as project pages are.
    pub fn under(self, prefix: &'static str) -> Self {
        Site { prefix, ..self }
    }

    /// `head` injected right after `<head>` and `body_end` right before
    /// `</body>` of every HTML page (404 page included).
    pub fn inject(self, head: &'static str, body_end: &'static str) -> Self {
        Site {
            head,
            body_end,
            ..self
        }
    }

    /// Starts serving in the background; returns `http://addr`.
    pub fn serve(self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let site = std::sync::Arc::new(self);
            for stream in listener.incoming().flatten() {
                let site = site.clone();
                std::thread::spawn(move || site.answer(&stream));
            }
        });
        format!("http://{addr}")
    }

    fn answer(&self, stream: &std::net::TcpStream) {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        // Headers are read (and ignored) so the client is not reset.
        let mut h = String::new();
        while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
            h.clear();
        }
        let head_only = line.starts_with("HEAD ");
        let path = line.split_whitespace().nth(1).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let path = percent_decode_str(path).decode_utf8_lossy();
        let found = path.strip_prefix(self.prefix).and_then(|rel| {
            let rel = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel.to_string()
            };
            let file = self.root.join(&rel);
            (!rel.contains("..") && file.is_file()).then_some(file)
        });
        let (status, file) = match found {
            Some(f) => ("200 OK", f),
            None => ("404 Not Found", self.root.join("404.html")),
        };
        let mut body = fs::read(&file).unwrap_or_default();
        let kind = match file.extension().and_then(|e| e.to_str()) {
            Some("html") => "text/html; charset=utf-8",
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            Some("json") => "application/json",
            Some("svg") => "image/svg+xml",
            _ => "application/octet-stream",
        };
        if kind.starts_with("text/html") && !(self.head.is_empty() && self.body_end.is_empty()) {
            let text = String::from_utf8_lossy(&body)
                .replacen("<head>", &format!("<head>{}", self.head), 1)
                .replacen("</body>", &format!("{}</body>", self.body_end), 1);
            body = text.into_bytes();
        }
        let mut stream = stream;
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        if !head_only {
            let _ = stream.write_all(&body);
        }
    }
}
