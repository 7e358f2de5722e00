//! `--format table` for `inventory`: one row per listener, then what could not be read.

use std::collections::BTreeSet;
use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::{HEADER, row_cells};
use crate::model::inventory::InventoryReport;
use crate::text::escape;

/// Writes the table, a summary line, and the failures (if any).
pub fn render(report: &InventoryReport, out: &mut impl Write) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(HEADER.to_vec());
    let mut listeners = 0;
    let mut tls = 0;
    for (lb, listener, policy) in report.rows() {
        listeners += 1;
        tls += usize::from(listener.terminates_tls());
        let cells = row_cells(lb, listener, policy);
        table.add_row(cells.into_iter().enumerate().map(|(i, text)| {
            let cell = Cell::new(escape(&text));
            if i == 5 || i == 9 {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    let inventory = &report.inventory;
    if listeners > 0 {
        writeln!(out, "{table}")?;
    }
    let accounts: BTreeSet<&str> = inventory
        .scopes
        .iter()
        .map(|s| s.account.as_str())
        .collect();
    writeln!(
        out,
        "{} listeners ({} with TLS) on {} load balancers, {} accounts, {} account/region pairs read",
        listeners,
        tls,
        inventory.load_balancers.len(),
        accounts.len(),
        inventory.scopes.len()
    )?;
    for note in &inventory.notes {
        writeln!(out, "note: {}", escape(note))?;
    }
    if !inventory.failures.is_empty() {
        writeln!(
            out,
            "INCOMPLETE: {} part(s) could not be read:",
            inventory.failures.len()
        )?;
        for failure in &inventory.failures {
            writeln!(out, "  {}", escape(&failure.to_string()))?;
        }
    }
    Ok(())
}
