//! Shared plumbing for the bench stand-ins: a tiny HTTP/1.1 server (one thread
//! per connection, `Connection: close`), a tiny HTTP/1.1 client (TCP or Unix
//! socket), time helpers and Go-compatible number formatting.
//!
//! Test fixtures only: nothing here aims at production use.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MAX_HEADER_LINE: usize = 16 * 1024;
const MAX_HEADERS: usize = 100;
const MAX_BODY: usize = 32 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Requests and responses
// ---------------------------------------------------------------------------

pub struct Request {
    pub method: String,
    /// Path without the query string, still percent-encoded.
    pub path: String,
    /// Raw query string (after `?`), possibly empty.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub peer: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// First value of a query parameter, decoded (`+` is a space).
    pub fn query_param(&self, key: &str) -> Option<String> {
        self.query_params(key).into_iter().next()
    }

    pub fn query_params(&self, key: &str) -> Vec<String> {
        self.query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter_map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                if percent_decode(k, true) == key {
                    Some(percent_decode(v, true))
                } else {
                    None
                }
            })
            .collect()
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    pub fn json(status: u16, v: &serde_json::Value) -> Self {
        Self::new(
            status,
            "application/json",
            serde_json::to_vec(v).unwrap_or_default(),
        )
    }
    pub fn json_pretty(status: u16, v: &serde_json::Value) -> Self {
        Self::new(
            status,
            "application/json; charset=UTF-8",
            serde_json::to_vec_pretty(v).unwrap_or_default(),
        )
    }
    pub fn text(status: u16, s: &str) -> Self {
        Self::new(status, "text/plain; charset=utf-8", s.as_bytes().to_vec())
    }
    pub fn with_header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

// ---------------------------------------------------------------------------
// Low-level parsing, shared by server and client
// ---------------------------------------------------------------------------

fn read_line<R: BufRead>(r: &mut R) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') && n >= MAX_HEADER_LINE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "header line too long",
        ));
    }
    while matches!(buf.last(), Some(b'\n') | Some(b'\r')) {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

fn read_headers<R: BufRead>(r: &mut R) -> io::Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    loop {
        let line = read_line(r)?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "eof in headers"))?;
        if line.is_empty() {
            return Ok(headers);
        }
        if headers.len() >= MAX_HEADERS {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "too many headers",
            ));
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        } else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "malformed header",
            ));
        }
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Reads a message body: chunked, Content-Length, or (when `to_eof`) until EOF.
fn read_body<R: BufRead>(
    r: &mut R,
    headers: &[(String, String)],
    to_eof: bool,
) -> io::Result<Vec<u8>> {
    let chunked = find_header(headers, "transfer-encoding")
        .map(|v| v.to_ascii_lowercase().contains("chunked"))
        .unwrap_or(false);
    if chunked {
        let mut body = Vec::new();
        loop {
            let line = read_line(r)?
                .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "eof in chunk size"))?;
            let size_hex = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_hex, 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                // trailers
                while let Some(l) = read_line(r)? {
                    if l.is_empty() {
                        break;
                    }
                }
                return Ok(body);
            }
            if body.len() + size > MAX_BODY {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            read_line(r)?; // CRLF after the chunk
        }
    }
    if let Some(cl) = find_header(headers, "content-length") {
        let n: usize = cl
            .trim()
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
        if n > MAX_BODY {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        let mut body = vec![0; n];
        r.read_exact(&mut body)?;
        return Ok(body);
    }
    let mut body = Vec::new();
    if to_eof {
        r.take(MAX_BODY as u64).read_to_end(&mut body)?;
    }
    Ok(body)
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

pub type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// Serves forever; one thread per connection; one request per connection.
/// When `log` is set, prints one line per request: method, path (never the
/// query string, never a header), status, remote address, duration.
pub fn serve(addr: &str, handler: Arc<Handler>, log: bool) -> ! {
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    for conn in listener.incoming() {
        match conn {
            Ok(stream) => {
                let h = handler.clone();
                thread::spawn(move || handle_conn(stream, &*h, log));
            }
            Err(e) => eprintln!("accept: {e}"),
        }
    }
    unreachable!("incoming() never ends")
}

fn handle_conn(stream: TcpStream, handler: &Handler, log: bool) {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let peer = stream
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let mut writer = match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let (method, path, resp) = match parse_request(&mut reader, &mut writer, &peer) {
        Ok(Some(req)) => {
            let resp = handler(&req);
            (req.method, req.path, resp)
        }
        Ok(None) => return,
        Err(e) => (
            String::from("-"),
            String::from("-"),
            Response::text(400, &format!("400 Bad Request: {e}")),
        ),
    };
    let head_only = method == "HEAD";
    let _ = write_response(&mut writer, &resp, head_only);
    let _ = writer.flush();
    let _ = writer.shutdown(std::net::Shutdown::Write);
    if log {
        println!(
            "logger=standin t={} level=info msg=\"Request Completed\" method={} path={} status={} remote_addr={} duration={:.1}ms",
            format_rfc3339(now_secs() as i64),
            method,
            sanitize_for_log(&path),
            resp.status,
            peer,
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

fn sanitize_for_log(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() || c == ' ' { '_' } else { c })
        .collect()
}

fn parse_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
    peer: &str,
) -> io::Result<Option<Request>> {
    let line = match read_line(reader)? {
        Some(l) => l,
        None => return Ok(None),
    };
    let mut parts = line.split_whitespace();
    let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) if v.starts_with("HTTP/1.") => {
            (m.to_string(), t.to_string(), v)
        }
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "malformed request line",
            ))
        }
    };
    let _ = version;
    let headers = read_headers(reader)?;
    if find_header(&headers, "expect")
        .map(|v| v.eq_ignore_ascii_case("100-continue"))
        .unwrap_or(false)
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = read_body(reader, &headers, false)?;
    // absolute-form targets (http://host/path) are reduced to the path
    let target = if let Some(rest) = target.strip_prefix("http://") {
        rest.find('/')
            .map(|i| rest[i..].to_string())
            .unwrap_or_else(|| "/".into())
    } else {
        target
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    Ok(Some(Request {
        method,
        path,
        query,
        headers,
        body,
        peer: peer.to_string(),
    }))
}

fn write_response<W: Write>(w: &mut W, resp: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    w.write_all(head.as_bytes())?;
    if !head_only {
        w.write_all(&resp.body)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

pub struct ClientResponse {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Writes a raw request on `stream` and reads the whole response.
pub fn exchange<S: Read + Write>(mut stream: S, request: &[u8]) -> io::Result<ClientResponse> {
    stream.write_all(request)?;
    stream.flush()?;
    let mut r = BufReader::new(stream);
    let status_line =
        read_line(&mut r)?.ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "EOF"))?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("malformed HTTP response {status_line:?}"),
        ));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "malformed HTTP status code"))?;
    let reason = parts.next().unwrap_or("").to_string();
    let headers = read_headers(&mut r)?;
    let body = if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else {
        read_body(&mut r, &headers, true)?
    };
    Ok(ClientResponse {
        status,
        reason,
        headers,
        body,
    })
}

struct ParsedUrl {
    host: String,
    port: u16,
    path: String,
}

fn parse_http_url(url: &str) -> Result<ParsedUrl, String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => (String::new(), url),
    };
    if scheme != "http" {
        return Err(format!("unsupported protocol scheme {scheme:?}"));
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
        let end = stripped.find(']').ok_or("missing ']' in host")?;
        let host = &stripped[..end];
        let port = stripped[end + 1..].strip_prefix(':').unwrap_or("");
        (host.to_string(), port.to_string())
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.to_string()),
            None => (authority.to_string(), String::new()),
        }
    };
    if host.is_empty() {
        return Err("no Host in request URL".into());
    }
    let port = if port.is_empty() {
        80
    } else {
        port.parse()
            .map_err(|_| format!("invalid port {port:?} after host"))?
    };
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    };
    Ok(ParsedUrl { host, port, path })
}

fn io_err_text(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connect: connection refused".into(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "i/o timeout".into(),
        io::ErrorKind::ConnectionReset => "read: connection reset by peer".into(),
        io::ErrorKind::UnexpectedEof => "EOF".into(),
        _ => e.to_string(),
    }
}

/// Minimal outbound HTTP/1.1 call over TCP. Errors read like Go's net/http
/// client errors: `Post "http://h:p/x": dial tcp 1.2.3.4:9090: connect: connection refused`.
pub fn http_call(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
    timeout: Duration,
) -> Result<ClientResponse, String> {
    let go_method = {
        let mut m = method.to_ascii_lowercase();
        if let Some(f) = m.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        m
    };
    let wrap = |msg: String| format!("{go_method} \"{url}\": {msg}");
    let u = parse_http_url(url).map_err(wrap)?;
    let addrs: Vec<_> = match (u.host.as_str(), u.port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) => return Err(wrap(format!("dial tcp: lookup {}: no such host", u.host))),
    };
    if addrs.is_empty() {
        return Err(wrap(format!("dial tcp: lookup {}: no such host", u.host)));
    }
    let mut last_err = String::new();
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_err = format!("dial tcp {a}: {}", io_err_text(&e)),
        }
    }
    let stream = stream.ok_or_else(|| wrap(last_err))?;
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let host_header = if u.port == 80 {
        u.host.clone()
    } else {
        format!("{}:{}", u.host, u.port)
    };
    let mut req = format!(
        "{method} {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: Grafana/10.1.5\r\nAccept: application/json\r\nConnection: close\r\n",
        u.path
    );
    if let Some(ct) = content_type {
        req.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    exchange(stream, &bytes).map_err(|e| {
        if matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        ) {
            wrap(
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".into(),
            )
        } else {
            wrap(io_err_text(&e))
        }
    })
}

// ---------------------------------------------------------------------------
// Misc helpers
// ---------------------------------------------------------------------------

pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2024-11-24T20:04:05Z`
pub fn format_rfc3339(secs: i64) -> String {
    let (y, mo, d) = civil_from_days(secs.div_euclid(86400));
    let s = secs.rem_euclid(86400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Parses `2024-11-24T20:04:05.123456789Z` or `...+01:00` into Unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || (b[10] != b'T' && b[10] != b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut frac = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac = s[start..i].parse::<f64>().unwrap_or(0.0);
    }
    let offset = match b.get(i) {
        Some(b'Z') | Some(b'z') => 0,
        Some(c @ (b'+' | b'-')) => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let o = oh * 3600 + om * 60;
            if *c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Some((days * 86400 + h * 3600 + mi * 60 + se - offset) as f64 + frac)
}

/// Formats like Go's `strconv.FormatFloat(v, 'g', -1, 64)`, which is what
/// the Prometheus Go client uses in the text exposition format.
pub fn go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let e = format!("{v:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        format!("{v}")
    }
}

/// Makes SIGTERM/SIGINT end the process at once: as PID 1 in a container the
/// default action would be ignored and `docker stop` would wait 10 s.
pub fn exit_on_sigterm() {
    extern "C" fn on_signal(_sig: i32) {
        unsafe { _exit(0) }
    }
    unsafe {
        signal(15, on_signal as extern "C" fn(i32) as usize);
        signal(2, on_signal as extern "C" fn(i32) as usize);
    }
}

extern "C" {
    fn signal(signum: i32, handler: usize) -> usize;
    fn _exit(code: i32) -> !;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_matches_go() {
        assert_eq!(go_float(12.84), "12.84");
        assert_eq!(go_float(69144576.0), "6.9144576e+07");
        assert_eq!(go_float(927514.0), "927514");
        assert_eq!(go_float(1843321.0), "1.843321e+06");
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(0.0001), "0.0001");
    }

    #[test]
    fn rfc3339_roundtrip() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(format_rfc3339(1795549432), "2026-11-24T19:43:52Z");
        assert_eq!(parse_rfc3339("2026-11-24T19:43:52.5Z"), Some(1795549432.5));
        assert_eq!(
            parse_rfc3339("2026-11-24T20:43:52+01:00"),
            Some(1795549432.0)
        );
    }

    #[test]
    fn url_parsing() {
        let u = parse_http_url("http://prometheus:9090/sub").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("prometheus", 9090, "/sub")
        );
        assert!(parse_http_url("ftp://x").is_err());
        assert!(parse_http_url("/api/v1/query").is_err());
    }

    #[test]
    fn decode() {
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("a%2", false), "a%2");
    }
}
