//! A Markdown table for the journal, whose every cell is escaped: a `|`
//! becomes `\|` and a line break a space (`templates::escape_cell`), so a
//! value read from a server can never break the table. A code cell
//! (`` `…` ``) also turns its backquotes into `'`.
//!
//! The table does not format values (dates, numbers…): the step does.

use crate::templates::escape_cell;

/// A column's alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `---` (left, Markdown's default).
    Left,
    /// `---:` (figures).
    Right,
}

/// One cell, escaped when the table is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Plain text.
    Text(String),
    /// Inline code: `` `text` ``.
    Code(String),
}

impl Cell {
    /// Plain text.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// Inline code.
    pub fn code(s: impl Into<String>) -> Cell {
        Cell::Code(s.into())
    }

    fn render(&self) -> String {
        match self {
            Cell::Text(s) => escape_cell(s),
            Cell::Code(s) => format!("`{}`", escape_cell(s).replace('`', "'")),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Cell {
        Cell::Text(s.clone())
    }
}

/// A Markdown table being built.
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<(String, Align)>,
    rows: Vec<String>,
}

impl Table {
    /// A table with these column titles, all left-aligned.
    pub fn new<const N: usize>(titles: [&str; N]) -> Table {
        Table {
            header: titles
                .iter()
                .map(|t| (t.to_string(), Align::Left))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// A two-column table without titles (`| | |`), for « name | value ».
    pub fn key_value() -> Table {
        Table::new(["", ""])
    }

    /// Aligns column `i` (from 0) to the right.
    pub fn right(mut self, i: usize) -> Table {
        if let Some(h) = self.header.get_mut(i) {
            h.1 = Align::Right;
        }
        self
    }

    /// Adds a row; each cell is escaped.
    pub fn row<C: Into<Cell>>(&mut self, cells: impl IntoIterator<Item = C>) -> &mut Table {
        let cells: Vec<String> = cells.into_iter().map(|c| c.into().render()).collect();
        self.rows.push(format!("| {} |", cells.join(" | ")));
        self
    }

    /// Adds a row built with [`Table::row`] and returns the table (chained
    /// construction).
    pub fn with<C: Into<Cell>>(mut self, cells: impl IntoIterator<Item = C>) -> Table {
        self.row(cells);
        self
    }

    /// The number of rows so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No row yet.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table, each line ended by a line break.
    pub fn render(&self) -> String {
        let mut s = String::from("|");
        for (t, _) in &self.header {
            if t.is_empty() {
                s.push_str(" |");
            } else {
                s.push_str(&format!(" {} |", escape_cell(t)));
            }
        }
        s.push_str("\n|");
        for (_, a) in &self.header {
            s.push_str(match a {
                Align::Left => "---|",
                Align::Right => "---:|",
            });
        }
        s.push('\n');
        for r in &self.rows {
            s.push_str(r);
            s.push('\n');
        }
        s
    }

    /// The table without its last line break (for a block that another
    /// text follows).
    pub fn render_trimmed(&self) -> String {
        let mut s = self.render();
        s.pop();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_is_escaped() {
        let t = Table::new(["A", "B"])
            .right(1)
            .with([Cell::text("x | y\nz"), Cell::code("a`b|c")]);
        assert_eq!(
            t.render(),
            "| A | B |\n|---|---:|\n| x \\| y z | `a'b\\|c` |\n"
        );
    }

    #[test]
    fn key_value_tables_have_an_empty_header() {
        let t = Table::key_value().with(["Nom", "Prometheus"]);
        assert_eq!(t.render_trimmed(), "| | |\n|---|---|\n| Nom | Prometheus |");
        assert_eq!(t.len(), 1);
    }
}
