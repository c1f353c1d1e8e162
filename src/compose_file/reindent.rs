//! Renders a service body (unindented YAML text) at a given indentation,
//! rescaling its nesting step to the file's (2 or 4 spaces) when that can be
//! done without changing its meaning. Comments are kept.

use serde_yaml::Value;

/// The lines of `body`, without common indentation nor leading/trailing
/// blank lines (line endings removed, `\r` dropped).
pub(crate) fn body_lines(body: &str) -> Vec<String> {
    let mut lines: Vec<String> = body
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).trim_end().to_string())
        .collect();
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let common = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    lines
        .into_iter()
        .map(|l| {
            if l.is_empty() {
                l
            } else {
                l[common..].to_string()
            }
        })
        .collect()
}

fn indent_of(l: &str) -> usize {
    l.len() - l.trim_start_matches(' ').len()
}

/// The body's own nesting step: the smallest positive indentation of a
/// content line (2 when there is none).
fn own_step(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| !l.is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| indent_of(l))
        .filter(|&i| i > 0)
        .min()
        .unwrap_or(2)
}

/// Renders `body` with every line shifted by `base` spaces and, when
/// possible, its nesting step changed to `step`. The result always parses
/// to the same value as `body` (otherwise the nesting is left as is).
pub(crate) fn render(body: &str, base: usize, step: usize) -> Vec<String> {
    let lines = body_lines(body);
    let own = own_step(&lines);
    let scaled = if own != step && step > 0 {
        rescale(&lines, own, step).filter(|s| same_value(&lines, s))
    } else {
        None
    };
    let lines = scaled.unwrap_or(lines);
    let pad = " ".repeat(base);
    lines
        .into_iter()
        .map(|l| if l.is_empty() { l } else { format!("{pad}{l}") })
        .collect()
}

fn same_value(a: &[String], b: &[String]) -> bool {
    let pa: Result<Value, _> = serde_yaml::from_str(&a.join("\n"));
    let pb: Result<Value, _> = serde_yaml::from_str(&b.join("\n"));
    matches!((pa, pb), (Ok(x), Ok(y)) if x == y)
}

/// Changes the nesting step from `own` to `step`. Sequence items keep their
/// `- ` offset, block scalars are shifted as a whole.
fn rescale(lines: &[String], own: usize, step: usize) -> Option<Vec<String>> {
    // (old column, new column) of the open nesting levels.
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    // In a block scalar: (indentation of its parent line, shift).
    let mut scalar: Option<(usize, isize)> = None;
    let mut pending_scalar: Option<usize> = None;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.is_empty() {
            out.push(String::new());
            continue;
        }
        let old = indent_of(line);
        let text = &line[old..];
        if let Some((parent, shift)) = scalar {
            if old > parent {
                out.push(format!(
                    "{}{text}",
                    " ".repeat(old.checked_add_signed(shift)?)
                ));
                continue;
            }
            scalar = None;
        }
        while stack.len() > 1 && stack.last()?.0 > old {
            stack.pop();
        }
        let (top_old, top_new) = *stack.last()?;
        let new = if top_old == old {
            top_new
        } else {
            let delta = old - top_old;
            if !(delta * step).is_multiple_of(own) {
                return None;
            }
            top_new + delta * step / own
        };
        if let Some(parent) = pending_scalar.take()
            && old > parent
        {
            scalar = Some((parent, new as isize - old as isize));
            out.push(format!("{}{text}", " ".repeat(new)));
            continue;
        }
        out.push(format!("{}{text}", " ".repeat(new)));
        if text.starts_with('#') {
            continue;
        }
        if top_old != old {
            stack.push((old, new));
        }
        // Sequence items: the content after `- ` opens a level at a fixed
        // offset from the dash.
        let mut rest = text;
        let (mut o, mut n) = (old, new);
        while let Some(after) = rest.strip_prefix('-') {
            if !(after.is_empty() || after.starts_with(' ')) {
                break;
            }
            let spaces = after.len() - after.trim_start_matches(' ').len();
            let k = 1 + spaces;
            o += k;
            n += k;
            stack.push((o, n));
            rest = after.trim_start_matches(' ');
        }
        if ends_with_block_scalar(rest) {
            pending_scalar = Some(old);
        }
    }
    Some(out)
}

/// Whether a line's value is a block scalar header (`|`, `>-`, `|2+`...).
fn ends_with_block_scalar(text: &str) -> bool {
    let value = &text[..super::scan::comment_start(text)];
    let last = value.trim_end().rsplit([' ', '\t']).next().unwrap_or("");
    let mut chars = last.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| c == '+' || c == '-' || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_to_four_spaces_keeps_sequences_of_mappings_aligned() {
        let body = "ports:\n  - target: 80\n    published: 8080\n# note\nenvironment:\n  A: b\n";
        let out = render(body, 4, 4);
        assert_eq!(
            out,
            vec![
                "    ports:",
                "        - target: 80",
                "          published: 8080",
                "    # note",
                "    environment:",
                "        A: b",
            ]
        );
    }

    #[test]
    fn block_scalars_are_shifted_as_a_whole() {
        let body = "command: |\n  a\n    b\nimage: x\n";
        let out = render(body, 0, 4);
        assert_eq!(out, vec!["command: |", "    a", "      b", "image: x"]);
    }

    #[test]
    fn same_step_only_shifts() {
        let body = "  a:\n    - x\n";
        assert_eq!(render(body, 2, 2), vec!["  a:", "    - x"]);
    }
}
