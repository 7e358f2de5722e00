//! How the table renderers fit their text to a width: one table style for every command
//! (a header underlined, columns two spaces apart, no box), columns that hold one value for every
//! row lifted into a heading line, columns that may be left out when the table would not fit, and
//! text below the tables wrapped at spaces with a hanging indent.
//!
//! The width is decided once per run, outside `report` (`COLUMNS`, the terminal, or
//! [`Layout::DEFAULT_WIDTH`]); the renderers only read [`Layout`].

use std::io::{self, Write};

use comfy_table::{
    Cell, CellAlignment, ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width,
};

/// How wide the text of a table renderer may be, and whether it is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Columns available: tables and wrapped text stay within it (a single word longer than a
    /// line, such as an ARN, is never split).
    pub width: usize,
    /// ANSI colours (verdicts, severities).
    pub color: bool,
}

impl Layout {
    /// The width when neither `COLUMNS` nor a terminal says (a pipe or a file: CI logs, cron
    /// mail): the audit, inventory and probe summaries keep one row per line at it.
    pub const DEFAULT_WIDTH: usize = 100;
    /// Narrower widths are raised to this: below it no table is readable anyway.
    pub const MIN_WIDTH: usize = 40;

    /// Uncoloured text fitted to `width` (at least [`Layout::MIN_WIDTH`]).
    pub fn plain(width: usize) -> Self {
        Self {
            width: width.max(Self::MIN_WIDTH),
            color: false,
        }
    }

    /// Coloured text fitted to `width` (at least [`Layout::MIN_WIDTH`]).
    pub fn colored(width: usize, color: bool) -> Self {
        Self {
            color,
            ..Self::plain(width)
        }
    }
}

impl Default for Layout {
    fn default() -> Self {
        Self::plain(Self::DEFAULT_WIDTH)
    }
}

mod text;

pub(crate) use text::{Notes, text_width, write_wrapped};

/// Spaces between two columns.
const GAP: u16 = 2;

/// The one table style: the header underlined, no borders, columns [`GAP`] apart.
const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─'));

/// What happens to a column that does not always earn its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Always a column.
    Always,
    /// A heading entry (`Account 123456789012`) instead of a column when every row holds the
    /// same value.
    UnlessUniform,
    /// Left out when the table would be wider than the layout with it (a column whose content
    /// another column already says, such as the IANA name next to the OpenSSL name).
    IfRoom,
}

/// One column of a [`Grid`].
#[derive(Clone, Debug)]
pub(crate) struct Column {
    header: String,
    align: CellAlignment,
    keep: Keep,
    flexible: bool,
}

impl Column {
    /// A left-aligned column that is always shown.
    pub(crate) fn new(header: impl Into<String>) -> Self {
        Self {
            header: header.into(),
            align: CellAlignment::Left,
            keep: Keep::Always,
            flexible: false,
        }
    }

    /// Right-aligned (numbers).
    pub(crate) fn right(mut self) -> Self {
        self.align = CellAlignment::Right;
        self
    }

    /// A heading entry instead of a column when every row holds the same value.
    pub(crate) fn unless_uniform(mut self) -> Self {
        self.keep = Keep::UnlessUniform;
        self
    }

    /// Left out when the table would not fit with it.
    pub(crate) fn if_room(mut self) -> Self {
        self.keep = Keep::IfRoom;
        self
    }

    /// The column that gives way when the table does not fit: its cells are broken at spaces
    /// and after hyphens (`ELBSecurityPolicy-TLS13-` / `1-2-2021-06`), not anywhere.
    pub(crate) fn flexible(mut self) -> Self {
        self.flexible = true;
        self
    }
}

/// A shorter form for the cells of a column, used only when the table would not fit otherwise.
struct Abbreviation {
    column: usize,
    shorten: fn(&str) -> Option<String>,
    note: String,
}

/// Rows of text cells under [`Column`]s, fitted to a [`Layout`] by [`Grid::fit`].
#[derive(Default)]
pub(crate) struct Grid {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
    /// Columns never made narrower than their widest cell.
    whole: Vec<usize>,
    abbreviations: Vec<Abbreviation>,
}

/// A fitted grid: the heading entries (`Account 123456789012`), the table, and what was
/// abbreviated to make it fit.
pub(crate) struct Fitted {
    /// `(name, value)` of every column lifted out of the table, in column order.
    pub heading: Vec<(String, String)>,
    /// The table, or `None` when there are no rows.
    pub table: Option<Table>,
    /// The notes of the abbreviations made (`… stands for ELBSecurityPolicy-`).
    pub abbreviated: Vec<String>,
}

impl Grid {
    /// A grid with these columns and no rows.
    pub(crate) fn new(columns: Vec<Column>) -> Self {
        Self {
            columns,
            ..Self::default()
        }
    }

    /// Adds a row: one cell per column.
    pub(crate) fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Keeps column `index` at the width of its widest cell (it is wrapped last, if ever): for
    /// short values that must stay whole, such as a verdict.
    pub(crate) fn keep_whole(&mut self, index: usize) {
        self.whole.push(index);
    }

    /// When the table would be wider than the layout, the cells of column `index` that `shorten`
    /// shortens are shortened, and `note` (unless empty) says how under the table. Abbreviations
    /// are tried in the order they are added, each only if the table does not fit yet.
    pub(crate) fn abbreviate(
        &mut self,
        index: usize,
        shorten: fn(&str) -> Option<String>,
        note: impl Into<String>,
    ) {
        self.abbreviations.push(Abbreviation {
            column: index,
            shorten,
            note: note.into(),
        });
    }

    /// The table's width with `shown` columns, no cell wrapped.
    fn natural_width(&self, shown: &[usize]) -> usize {
        let widths: usize = shown.iter().map(|&i| self.column_width(i)).sum();
        widths + usize::from(GAP) * shown.len().saturating_sub(1)
    }

    /// The widest cell of column `index`, its header included.
    fn column_width(&self, index: usize) -> usize {
        self.rows
            .iter()
            .map(|r| text_width(&r[index]))
            .chain(std::iter::once(text_width(&self.columns[index].header)))
            .max()
            .unwrap_or(0)
    }

    /// Lifts uniform columns into the heading, leaves out the optional columns that do not fit,
    /// abbreviates if it still does not fit, and builds the table at the layout's width (cells
    /// wrap only if even that is not enough).
    pub(crate) fn fit(mut self, layout: &Layout) -> Fitted {
        let mut heading = Vec::new();
        let mut shown: Vec<usize> = Vec::new();
        for (i, column) in self.columns.iter().enumerate() {
            let first = self.rows.first().map(|r| r[i].as_str());
            let uniform = first.is_some() && self.rows.iter().all(|r| Some(r[i].as_str()) == first);
            match (column.keep, first) {
                (Keep::UnlessUniform, Some(value)) if uniform => {
                    heading.push((column.header.clone(), value.to_string()));
                }
                _ => shown.push(i),
            }
        }
        // Optional columns go, last first, until the table fits.
        while self.natural_width(&shown) > layout.width {
            let Some(position) = shown
                .iter()
                .rposition(|&i| self.columns[i].keep == Keep::IfRoom)
            else {
                break;
            };
            shown.remove(position);
        }
        // Then the abbreviations, in the order given, until it fits.
        let mut abbreviated = Vec::new();
        for abbreviation in std::mem::take(&mut self.abbreviations) {
            if self.natural_width(&shown) <= layout.width {
                break;
            }
            let mut changed = false;
            for row in &mut self.rows {
                let cell = &mut row[abbreviation.column];
                if let Some(short) = (abbreviation.shorten)(cell) {
                    *cell = short;
                    changed = true;
                }
            }
            if changed && shown.contains(&abbreviation.column) && !abbreviation.note.is_empty() {
                abbreviated.push(abbreviation.note);
            }
        }
        // Then the flexible columns give way, the widest first, down to a common width.
        let natural = self.natural_width(&shown);
        if natural > layout.width {
            let flexible: Vec<(usize, usize)> = shown
                .iter()
                .filter(|&&i| self.columns[i].flexible)
                .map(|&i| (i, self.column_width(i)))
                .collect();
            let widths: Vec<usize> = flexible.iter().map(|&(_, w)| w).collect();
            if let Some(limit) = common_limit(&widths, natural - layout.width) {
                for &(i, width) in &flexible {
                    if width > limit {
                        for row in &mut self.rows {
                            row[i] = break_cell(&row[i], limit);
                        }
                    }
                }
            }
        }
        if self.rows.is_empty() {
            return Fitted {
                heading,
                table: None,
                abbreviated,
            };
        }
        let mut table = Table::new();
        table
            .load_style(STYLE)
            .set_content_arrangement(ContentArrangement::Dynamic)
            // The last column has no padding after it, so the table may use every column.
            .set_width(u16::try_from(layout.width).unwrap_or(u16::MAX))
            .set_header(
                shown.iter().map(|&i| {
                    Cell::new(&self.columns[i].header).set_alignment(self.columns[i].align)
                }),
            );
        for row in &self.rows {
            table.add_row(
                shown
                    .iter()
                    .map(|&i| Cell::new(&row[i]).set_alignment(self.columns[i].align)),
            );
        }
        let last = shown.len().saturating_sub(1);
        for (position, &i) in shown.iter().enumerate() {
            let padding = if position == last { 0 } else { GAP };
            let whole = self
                .whole
                .contains(&i)
                .then(|| u16::try_from(self.column_width(i)).unwrap_or(u16::MAX) + padding);
            if let Some(column) = table.column_mut(position) {
                column.set_padding((0, padding));
                if let Some(width) = whole {
                    column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
                }
            }
        }
        Fitted {
            heading,
            table: Some(table),
            abbreviated,
        }
    }
}

/// A table in the one style, fitted to the layout's width by comfy-table alone (cells wrap at
/// spaces): for tables built cell by cell rather than through a [`Grid`]. Write it with
/// [`write_table`].
pub(crate) fn plain_table<T: ToString>(header: &[T], layout: &Layout) -> Table {
    let mut table = Table::new();
    table
        .load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(layout.width).unwrap_or(u16::MAX))
        .set_header(header.iter().map(|h| Cell::new(h.to_string())));
    let last = header.len().saturating_sub(1);
    for (position, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if position == last { 0 } else { GAP }));
    }
    table
}

/// Writes a table's lines, trailing spaces removed.
pub(crate) fn write_table(table: &Table, out: &mut impl Write) -> io::Result<()> {
    write_lines(&table_lines(table), out)
}

/// A flexible column narrower than this is left to comfy-table's wrapping.
const MIN_FLEXIBLE: usize = 10;

/// The width to cut the widest of these columns down to so that together they lose `shortage`
/// columns (each keeps `min(width, limit)`); `None` when that would leave less than
/// [`MIN_FLEXIBLE`] (comfy-table then wraps as it can).
fn common_limit(widths: &[usize], shortage: usize) -> Option<usize> {
    let widest = widths.iter().copied().max()?;
    let lost = |limit: usize| -> usize { widths.iter().map(|w| w.saturating_sub(limit)).sum() };
    (MIN_FLEXIBLE..=widest)
        .rev()
        .find(|&limit| lost(limit) >= shortage)
}

/// `text` in lines of at most `width` characters, broken at spaces (dropped) and after hyphens
/// (kept); a piece longer than a line stays whole.
fn break_cell(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut pieces = word.split_inclusive('-').peekable();
        let mut first_piece = true;
        while let Some(piece) = pieces.next() {
            let separator = if first_piece && !line.is_empty() {
                " "
            } else {
                ""
            };
            if !line.is_empty() && text_width(&line) + separator.len() + text_width(piece) > width {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line.push_str(piece);
            } else {
                line.push_str(separator);
                line.push_str(piece);
            }
            first_piece = false;
            let _ = pieces.peek();
        }
    }
    lines.push(line);
    lines.join("\n")
}

/// `Account 123456789012 · Region eu-west-1`
pub(crate) fn heading_line(entries: &[(String, String)]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|(name, value)| format!("{name} {value}"))
        .collect();
    parts.join(" · ")
}

/// The table's lines, trailing spaces removed.
pub(crate) fn table_lines(table: &Table) -> Vec<String> {
    table.lines().map(|l| l.trim_end().to_string()).collect()
}

/// Colours the words of one column of rendered table lines: `paint` is given, in order, each
/// word that starts at the column's position (under its header) and returns the coloured text, or
/// `None`. A cell of one word (a verdict) is on the first line of its row, and the continuation
/// lines of a wrapped row have nothing there, so the words come one per row. The header and its
/// rule are left as they are.
pub(crate) fn paint_column(
    lines: &mut [String],
    header: &str,
    mut paint: impl FnMut(&str) -> Option<String>,
) {
    let Some(header_line) = lines.first() else {
        return;
    };
    let Some(byte) = header_line.find(header) else {
        return;
    };
    let offset = header_line[..byte].chars().count();
    let Some(rule) = lines.iter().position(|l| l.starts_with('─')) else {
        return;
    };
    for line in lines.iter_mut().skip(rule + 1) {
        let Some((start, _)) = line.char_indices().nth(offset) else {
            continue;
        };
        if start > 0 && !line[..start].ends_with(' ') {
            continue;
        }
        let rest = &line[start..];
        let end = rest.find(' ').unwrap_or(rest.len());
        if end == 0 {
            continue;
        }
        if let Some(painted) = paint(&rest[..end]) {
            *line = format!("{}{painted}{}", &line[..start], &rest[end..]);
        }
    }
}

/// Writes a table's lines.
pub(crate) fn write_lines(lines: &[String], out: &mut impl Write) -> io::Result<()> {
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        let mut grid = Grid::new(vec![
            Column::new("Account").unless_uniform(),
            Column::new("Name"),
            Column::new("Long name").if_room(),
            Column::new("N").right(),
        ]);
        grid.push(vec!["111".into(), "a".into(), "x".repeat(30), "1".into()]);
        grid.push(vec!["111".into(), "bb".into(), "y".repeat(30), "22".into()]);
        grid
    }

    #[test]
    fn a_flexible_cell_breaks_after_hyphens_and_at_spaces() {
        assert_eq!(
            break_cell("ELBSecurityPolicy-TLS13-1-2-2021-06 [1]", 24),
            "ELBSecurityPolicy-TLS13-\n1-2-2021-06 [1]"
        );
        assert_eq!(break_cell("short", 24), "short");
        assert_eq!(
            break_cell("averyveryverylongword x", 10),
            "averyveryverylongword\nx"
        );
    }

    #[test]
    fn flexible_columns_give_way_the_widest_first() {
        assert_eq!(common_limit(&[32, 27], 15), Some(22));
        assert_eq!(common_limit(&[40, 10], 5), Some(35));
        assert_eq!(common_limit(&[12, 11], 10), None);
        assert_eq!(common_limit(&[], 3), None);
    }

    #[test]
    fn uniform_columns_move_to_the_heading_and_optional_ones_go_when_narrow() {
        let wide = grid().fit(&Layout::plain(80));
        assert_eq!(wide.heading, [("Account".into(), "111".into())]);
        let lines = table_lines(&wide.table.unwrap());
        assert_eq!(lines[0], format!("Name  Long name{}   N", " ".repeat(21)));
        assert_eq!(lines[1], "─".repeat(40));
        assert_eq!(lines[2], format!("a     {}   1", "x".repeat(30)));

        let mut narrow = grid();
        narrow.rows.iter_mut().for_each(|r| r[1] = "n".repeat(20));
        let lines = table_lines(&narrow.fit(&Layout::plain(40)).table.unwrap());
        assert_eq!(lines[0], format!("Name{}N", " ".repeat(19)));
    }

    #[test]
    fn a_column_is_painted_under_its_header() {
        let mut grid = Grid::new(vec![Column::new("Name"), Column::new("Verdict")]);
        grid.push(vec!["drift".into(), "compliant".into()]);
        grid.push(vec!["x".into(), "drift".into()]);
        let mut lines = table_lines(&grid.fit(&Layout::plain(80)).table.unwrap());
        paint_column(&mut lines, "Verdict", |w| Some(format!("<{w}>")));
        assert_eq!(lines[2], "drift  <compliant>");
        assert_eq!(lines[3], "x      <drift>");
    }
}
