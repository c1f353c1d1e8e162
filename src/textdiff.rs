//! Unified diffs between two texts, for the journal and `--dry-run`.
//! Only formatting: it never reads or writes files.

use similar::TextDiff;

/// A unified diff (3 lines of context) from `old` to `new`, labelled with
/// `path`; empty when the texts are equal.
pub fn unified(old: &str, new: &str, path: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Counts of added and removed lines in a unified diff.
pub fn stats(diff: &str) -> (usize, usize) {
    let mut add = 0;
    let mut del = 0;
    for l in diff.lines() {
        if l.starts_with('+') && !l.starts_with("+++") {
            add += 1;
        } else if l.starts_with('-') && !l.starts_with("---") {
            del += 1;
        }
    }
    (add, del)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_give_empty_diff() {
        assert_eq!(unified("a\n", "a\n", "f"), "");
    }

    #[test]
    fn diff_shows_added_line() {
        let d = unified("a\nb\n", "a\nc\nb\n", "f.yml");
        assert!(d.contains("+c"), "{d}");
        assert!(d.contains("--- a/f.yml"));
        assert_eq!(stats(&d), (1, 0));
    }
}
