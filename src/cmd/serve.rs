//! `journal serve`: builds the book if needed (as `journal build`, which
//! says when nothing changed), then serves `book/html/` on localhost
//! (127.0.0.1, port `--port`, 3000 by default) so that its search works
//! (the search page fetches its index, which a `file://` page may not). One French
//! line says where to open it; Ctrl-C stops it.
//!
//! A tiny static server on `std::net`: GET and HEAD of files under
//! `book/html/` only (no listing, no `..`, no symbolic link leaving the
//! folder), a content type with its charset, missing files answered with
//! the book's `404.html` and status 404. It is for reading the book on one's
//! own machine, not for publishing it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use super::Context;
use crate::cli::{BuildArgs, ServeArgs};
use crate::error::{Error, Result};

/// Builds the book if needed, then serves it until interrupted.
pub fn execute(ctx: &Context, args: ServeArgs) -> Result<()> {
    super::build::execute(
        ctx,
        BuildArgs {
            strict: false,
            complet: false,
        },
    )?;
    let root = ctx.project.book_dir().join(crate::book::paths::HTML_DIR);
    let listener = TcpListener::bind(("127.0.0.1", args.port)).map_err(|e| {
        Error::environment(format!(
            "impossible d'écouter sur 127.0.0.1:{} : {e}",
            args.port
        ))
        .with_hint("choisissez un autre port avec « journal serve --port 8080 »")
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::environment(format!("adresse d'écoute inconnue : {e}")))?
        .port();
    ctx.out.result(&format!(
        "Livre servi sur http://127.0.0.1:{port}/ : ouvrez cette adresse dans un navigateur (Ctrl-C pour arrêter)."
    ));
    serve(listener, &root);
    Ok(())
}

/// Answers the connections of `listener` with the files under `root`, one
/// thread per connection, until the process ends.
pub fn serve(listener: TcpListener, root: &Path) {
    for stream in listener.incoming().flatten() {
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            let _ = answer(stream, &root);
        });
    }
}

/// One request, one answer; the connection is closed after it.
fn answer(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(&stream);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // The headers are read so that the client is not reset; none is used.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut words = request.split_whitespace();
    let method = words.next().unwrap_or("");
    let target = words.next().unwrap_or("/");
    let mut stream = &stream;
    if method != "GET" && method != "HEAD" {
        let body = "Méthode non prise en charge.\n";
        write!(
            stream,
            "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return Ok(());
    }
    let (status, file) = match resolve(root, target) {
        Some(file) => ("200 OK", file),
        None => ("404 Not Found", root.join("404.html")),
    };
    let body = std::fs::read(&file).unwrap_or_else(|_| b"Page introuvable.\n".to_vec());
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        content_type(&file),
        body.len()
    )?;
    if method == "GET" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file a request target names under `root` (`/` and folders: their
/// `index.html`), or `None` if there is none or it would leave `root`.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = crate::book::check::percent_decode(path);
    let mut file = root.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == "." || part == ".." || part.contains('\\') || part.starts_with('.') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let real = file.canonicalize().ok()?;
    let real_root = root.canonicalize().ok()?;
    (real.starts_with(&real_root) && real.is_file()).then_some(file)
}

/// The `Content-Type` of a file of the book, by its extension.
fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" | "md" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A real server on a free port, serving `root`; returns its address.
    fn started(root: &Path) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let root = root.to_path_buf();
        std::thread::spawn(move || serve(listener, &root));
        addr
    }

    fn get(addr: std::net::SocketAddr, method: &str, target: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(s, "{method} {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn serves_the_index_files_and_the_404_page() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("html");
        std::fs::create_dir_all(root.join("mois/2026-11")).unwrap();
        std::fs::write(root.join("index.html"), "<p>accueil é</p>").unwrap();
        std::fs::write(root.join("mois/2026-11/index.html"), "<p>novembre</p>").unwrap();
        std::fs::write(root.join("404.html"), "<p>introuvable</p>").unwrap();
        std::fs::write(root.join("book.js"), "var x;").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "ne pas servir").unwrap();
        let addr = started(&root);

        let home = get(addr, "GET", "/");
        assert!(home.starts_with("HTTP/1.1 200 OK\r\n"), "{home}");
        assert!(
            home.contains("Content-Type: text/html; charset=utf-8\r\n"),
            "{home}"
        );
        assert!(home.ends_with("<p>accueil é</p>"), "{home}");
        assert!(get(addr, "GET", "/mois/2026-11/?q=x").ends_with("<p>novembre</p>"));
        assert!(get(addr, "GET", "/book.js").contains("text/javascript"));

        for missing in [
            "/absente.html",
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/mois/../../secret.txt",
        ] {
            let r = get(addr, "GET", missing);
            assert!(
                r.starts_with("HTTP/1.1 404 Not Found\r\n"),
                "{missing} : {r}"
            );
            assert!(r.ends_with("<p>introuvable</p>"), "{missing} : {r}");
            assert!(!r.contains("ne pas servir"), "{missing} : {r}");
        }
        let head = get(addr, "HEAD", "/index.html");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(!head.contains("accueil"), "{head}");
        assert!(get(addr, "POST", "/").starts_with("HTTP/1.1 405 "));
    }
}
