//! A small line scanner for block-style YAML documents. It never rewrites
//! anything: it only reports byte offsets (lines, top-level keys, entries of
//! a block mapping) so that `apply` can splice text in at safe places.
//!
//! It is deliberately conservative: what it does not understand is reported
//! as [`ValueStart::Other`], and `apply` re-parses its result with serde_yaml
//! anyway, so a misreading can never silently corrupt a file.
//!
//! It also owns [`yaml_key`], how a name is written as a mapping key, which
//! both the plan and the writer need (kept here so neither imports the other).

/// What kind of text a line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// Only spaces (or nothing).
    Blank,
    /// A comment line (`#` after the indentation).
    Comment,
    /// Anything else that is part of the document.
    Content,
    /// `---`, `...` or a `%` directive at column 0.
    Marker,
}

/// One line of the source, by byte offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    /// Offset of the first byte of the line.
    pub start: usize,
    /// Offset just after the content (before `\r\n` or `\n`).
    pub end: usize,
    /// Offset of the next line (after the line ending).
    pub next: usize,
    /// Number of leading spaces.
    pub indent: usize,
    pub kind: LineKind,
}

impl Line {
    /// A line that matters for the extent of a block: content, or a comment
    /// indented more than `min_indent`.
    pub fn significant_under(&self, min_indent: usize) -> bool {
        match self.kind {
            LineKind::Content => true,
            LineKind::Comment => self.indent > min_indent,
            _ => false,
        }
    }
}

/// How the value of a `key:` starts on the key's own line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueStart {
    /// Nothing (or only an anchor/tag and a comment): the value, if any, is a
    /// block on the following lines.
    Block,
    /// An empty placeholder (`{}`, `~`, `null`) that must be removed to turn
    /// the value into a block mapping: delete `[from, to)`.
    Placeholder { from: usize, to: usize },
    /// A non-empty one-line flow mapping; `close` is the offset of its `}`.
    Flow { close: usize },
    /// Anything else (alias, scalar, multi-line flow...).
    Other,
}

/// A `key:` line and the lines that belong to its value.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    /// Index of the key line.
    pub line: usize,
    /// Offset just after the `:`.
    pub colon_end: usize,
    /// Exclusive index of the first line that no longer belongs to the value.
    pub region_end: usize,
    pub value: ValueStart,
}

/// The scanned document.
#[derive(Debug)]
pub(crate) struct Scan<'a> {
    pub text: &'a str,
    pub lines: Vec<Line>,
    /// Column of the root mapping's keys (0 unless the whole document is
    /// indented).
    pub root: usize,
}

impl<'a> Scan<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        while start < text.len() {
            let (end, next) = match next_break(text, start) {
                Some((at, len)) => (at, at + len),
                None => (text.len(), text.len()),
            };
            let content = &text[start..end];
            let indent = content.len() - content.trim_start_matches(' ').len();
            let rest = &content[indent..];
            let kind = if rest.trim().is_empty() {
                LineKind::Blank
            } else if rest.starts_with('#') {
                LineKind::Comment
            } else if indent == 0 && is_marker(rest) {
                LineKind::Marker
            } else {
                LineKind::Content
            };
            lines.push(Line {
                start,
                end,
                next,
                indent,
                kind,
            });
            start = next;
        }
        // YAML lets the root mapping sit at any column: its keys are at the
        // indentation of the first content line.
        let root = lines
            .iter()
            .find(|l| l.kind == LineKind::Content)
            .map_or(0, |l| l.indent);
        Scan { text, lines, root }
    }

    /// The text of line `i`, without its line ending.
    pub fn line_text(&self, i: usize) -> &'a str {
        let l = self.lines[i];
        &self.text[l.start..l.end]
    }

    /// The top-level `key:` entries of the document (at the root column).
    pub fn top_level(&self) -> Vec<Entry> {
        self.entries(0, self.lines.len(), self.root)
    }

    /// The entries of a block mapping whose keys sit at column `indent`,
    /// between lines `from` (inclusive) and `to` (exclusive).
    pub fn entries(&self, from: usize, to: usize, indent: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in from..to {
            let l = self.lines[i];
            let key = match l.kind {
                LineKind::Content if l.indent == indent => {
                    match parse_key(&self.text[l.start + indent..l.end]) {
                        Some(k) => Some(k),
                        // A zero-indented sequence item or a flow
                        // continuation: part of the previous value.
                        None => continue,
                    }
                }
                LineKind::Content if l.indent < indent => None,
                // A `---` before the first key starts the document; any
                // marker after it ends the mapping.
                LineKind::Marker if out.is_empty() => continue,
                LineKind::Marker => None,
                _ => continue,
            };
            if let Some(last) = out.last_mut()
                && last.region_end == to
            {
                last.region_end = i;
            }
            let Some((key, colon)) = key else {
                // The mapping ends here.
                break;
            };
            let colon_end = l.start + indent + colon;
            let value = value_start(self.text, colon_end, l.end);
            out.push(Entry {
                key,
                line: i,
                colon_end,
                region_end: to,
                value,
            });
        }
        out
    }

    /// The last line in `(from, to)` that is significant for a value whose
    /// key sits at column `key_indent`.
    pub fn last_significant(&self, from: usize, to: usize, key_indent: usize) -> Option<usize> {
        ((from + 1)..to)
            .rev()
            .find(|&i| self.lines[i].significant_under(key_indent))
    }

    /// The first content line in `(from, to)`.
    pub fn first_content(&self, from: usize, to: usize) -> Option<usize> {
        ((from + 1)..to).find(|&i| self.lines[i].kind == LineKind::Content)
    }
}

/// The line breaks YAML 1.1 (libyaml, hence serde_yaml and Compose) knows.
pub(crate) const BREAKS: [&str; 6] = ["\r\n", "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"];

/// The next line break at or after `from`: its offset and length in bytes.
pub(crate) fn next_break(text: &str, from: usize) -> Option<(usize, usize)> {
    let (i, c) = text[from..]
        .char_indices()
        .find(|&(_, c)| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))?;
    let at = from + i;
    let len = if c == '\r' && text[at + 1..].starts_with('\n') {
        2
    } else {
        c.len_utf8()
    };
    Some((at, len))
}

fn is_marker(rest: &str) -> bool {
    let doc = |m: &str| {
        rest.strip_prefix(m)
            .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
    };
    doc("---") || doc("...") || rest.starts_with('%')
}

/// Parses `key:` at the start of `text` (already without indentation).
/// Returns the key and the offset just after the colon.
pub(crate) fn parse_key(text: &str) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let (key, after) = match bytes.first()? {
        b'"' => {
            let mut key = String::new();
            let mut chars = text.char_indices().skip(1);
            let mut close = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next()?.1 {
                        'n' => key.push('\n'),
                        't' => key.push('\t'),
                        other => key.push(other),
                    },
                    '"' => {
                        close = Some(i + 1);
                        break;
                    }
                    c => key.push(c),
                }
            }
            (key, close?)
        }
        b'\'' => {
            let mut key = String::new();
            let mut close = None;
            let mut chars = text.char_indices().skip(1).peekable();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                        chars.next();
                        key.push('\'');
                    } else {
                        close = Some(i + 1);
                        break;
                    }
                } else {
                    key.push(c);
                }
            }
            (key, close?)
        }
        b'-' if bytes.len() == 1 || bytes[1] == b' ' => return None,
        b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%'
        | b'@' | b'`' | b'?' | b':' => return None,
        _ => {
            let mut pos = None;
            for (i, c) in text.char_indices() {
                if c == '#' && i > 0 && text.as_bytes()[i - 1] == b' ' {
                    return None;
                }
                if c == ':' && text[i + 1..].is_empty_or_space() {
                    pos = Some(i);
                    break;
                }
            }
            let pos = pos?;
            return Some((text[..pos].trim_end().to_string(), pos + 1));
        }
    };
    let rest = &text[after..];
    let trimmed = rest.trim_start_matches(' ');
    let colon = after + (rest.len() - trimmed.len());
    if trimmed.starts_with(':') && trimmed[1..].is_empty_or_space() {
        Some((key, colon + 1))
    } else {
        None
    }
}

trait EmptyOrSpace {
    fn is_empty_or_space(&self) -> bool;
}

impl EmptyOrSpace for str {
    fn is_empty_or_space(&self) -> bool {
        self.is_empty() || self.starts_with([' ', '\t'])
    }
}

/// Where a trailing comment starts in `s` (a `#` preceded by a space or at
/// the start, outside quotes), or `s.len()`.
pub(crate) fn comment_start(s: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '#' && (prev == ' ' || prev == '\t') {
                    return i;
                }
                if (c == '"' || c == '\'') && (prev == ' ' || prev == '{' || prev == '[') {
                    quote = Some(c);
                }
            }
        }
        prev = c;
    }
    s.len()
}

/// Classifies the value that follows a colon ending at `colon_end`, up to
/// the end of the line `line_end`.
fn value_start(text: &str, colon_end: usize, line_end: usize) -> ValueStart {
    let rest = &text[colon_end..line_end];
    let value = &rest[..comment_start(rest)];
    // Skip node properties (anchor, tag).
    let mut offset = 0;
    loop {
        let trimmed = value[offset..].trim_start();
        let skipped = value[offset..].len() - trimmed.len();
        if trimmed.starts_with('&') || trimmed.starts_with('!') {
            let len = trimmed.find([' ', '\t']).unwrap_or(trimmed.len());
            offset += skipped + len;
        } else {
            break;
        }
    }
    let core = value[offset..].trim();
    if core.is_empty() {
        return ValueStart::Block;
    }
    let from = colon_end + offset;
    let to = colon_end + value.trim_end().len();
    let is_empty_flow =
        core.starts_with('{') && core.ends_with('}') && core[1..core.len() - 1].trim().is_empty();
    if is_empty_flow || matches!(core, "~" | "null" | "Null" | "NULL") {
        return ValueStart::Placeholder { from, to };
    }
    if core.starts_with('{') && core.ends_with('}') {
        return ValueStart::Flow { close: to - 1 };
    }
    ValueStart::Other
}

/// `name` as a mapping key: plain when it reads back as the same string,
/// double-quoted otherwise.
pub(super) fn yaml_key(name: &str) -> String {
    let plain_ok = !name.is_empty()
        && !name.contains(['#', ':', '\n', '"', '\''])
        && serde_yaml::from_str::<serde_yaml::Value>(&format!("{name}: 1"))
            .ok()
            .and_then(|v| v.as_mapping().and_then(|m| m.keys().next().cloned()))
            == Some(serde_yaml::Value::String(name.to_string()));
    if plain_ok {
        name.to_string()
    } else {
        serde_json::to_string(name).unwrap_or_else(|_| format!("\"{name}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_parsed_with_quotes_and_colons() {
        assert_eq!(parse_key("services:"), Some(("services".into(), 9)));
        assert_eq!(parse_key("a: b"), Some(("a".into(), 2)));
        assert_eq!(parse_key("\"x y\" : 1"), Some(("x y".into(), 7)));
        assert_eq!(parse_key("'it''s':"), Some(("it's".into(), 8)));
        assert_eq!(parse_key("image: a:b"), Some(("image".into(), 6)));
        assert_eq!(parse_key("- a: b"), None);
        assert_eq!(parse_key("http://x"), None);
        assert_eq!(parse_key("# a: b"), None);
    }

    #[test]
    fn value_starts_are_classified() {
        let t = "services: {} # vide";
        assert_eq!(
            value_start(t, 9, t.len()),
            ValueStart::Placeholder { from: 9, to: 12 }
        );
        let t = "a: &x # c";
        assert_eq!(value_start(t, 2, t.len()), ValueStart::Block);
        let t = "a: {b: 1}";
        assert_eq!(value_start(t, 2, t.len()), ValueStart::Flow { close: 8 });
        let t = "a: *x";
        assert_eq!(value_start(t, 2, t.len()), ValueStart::Other);
    }

    #[test]
    fn top_level_regions_stop_at_next_key() {
        let s = Scan::new("a:\n  b: 1\n# c\nd: 2\n");
        let top = s.top_level();
        assert_eq!(top.len(), 2);
        assert_eq!((top[0].line, top[0].region_end), (0, 3));
        assert_eq!((top[1].line, top[1].region_end), (3, 4));
    }
}
