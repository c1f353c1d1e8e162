//! Small text helpers shared by the page builders (`model`, `inline`,
//! `sanitize`, `runbook_page`): status badges, link destinations, links
//! shown as text, edits applied to a text, no-break spaces before units.
//! A leaf: it imports no other module of `book`.
//!
//! Pure text in, text out; it parses no page.

use std::ops::Range;

/// A status badge: text and a CSS class, readable without any emoji font.
pub fn badge(label: &str) -> String {
    let class = match label {
        "réussi" => "reussi",
        "échoué" => "echoue",
        "interrompu" => "interrompu",
        "en cours" => "en-cours",
        "déjà fait" => "deja-fait",
        "ignoré" => "ignore",
        "attention" => "attention",
        _ => "consigne",
    };
    format!(r#"<span class="statut statut-{class}">{label}</span>"#)
}

/// A link destination: wrapped in `<…>` when it has spaces or parentheses.
pub fn dest(path: &str) -> String {
    if path.contains([' ', '(', ')']) {
        format!("<{path}>")
    } else {
        path.to_string()
    }
}

/// The byte span of the destination of an inline link or image whose whole
/// text is at `range`; `None` for reference links and autolinks.
pub fn raw_dest_span(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = &text[range.clone()];
    if !slice.ends_with(')') {
        return None;
    }
    let open = slice.rfind("](")?;
    let mut start = range.start + open + 2;
    let bytes = text.as_bytes();
    while start < range.end && (bytes[start] == b' ' || bytes[start] == b'\t') {
        start += 1;
    }
    if bytes.get(start) == Some(&b'<') {
        let close = text[start..range.end].find('>')?;
        return Some(start..start + close + 1);
    }
    let mut depth = 0usize;
    let mut end = start;
    while end < range.end {
        match bytes[end] {
            b'\\' => end += 1,
            b'(' => depth += 1,
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            b' ' | b'\t' | b'\n' => break,
            _ => {}
        }
        end += 1;
    }
    (end > start).then_some(start..end.min(range.end))
}

/// Markdown shown as plain text (a link whose destination was refused).
pub fn as_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('<', "&lt;")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// `text` with each `(range, replacement)` of `edits` applied, in the order
/// of their starts; an edit overlapping an earlier one is dropped.
pub fn apply_edits(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, new) in edits {
        if r.start < at {
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(&new);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Units after a number, joined to it by a no-break space.
const UNITS: [&str; 13] = [
    "ms", "s", "min", "h", "Mio", "Gio", "Kio", "Mo", "Go", "ko", "o", "%", "°C",
];

/// « 48,2 s » with a no-break space (U+00A0) between number and unit, so
/// that they never wrap apart.
pub fn nbsp_units(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    // A space is ASCII: never inside a multi-byte character, and the byte
    // before it is a digit only when the character before it is one.
    for (at, _) in line.match_indices(' ') {
        if at > 0 && bytes[at - 1].is_ascii_digit() && unit_follows(&line[at + 1..]) {
            if out.capacity() == 0 {
                out.reserve(line.len() + 8);
            }
            out.push_str(&line[copied..at]);
            out.push('\u{a0}');
            copied = at + 1;
        }
    }
    if copied == 0 {
        return line.to_string();
    }
    out.push_str(&line[copied..]);
    out
}

fn unit_follows(rest: &str) -> bool {
    UNITS.iter().any(|u| {
        rest.strip_prefix(u)
            .is_some_and(|after| !after.chars().next().is_some_and(char::is_alphanumeric))
    })
}
