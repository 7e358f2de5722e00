//! `--format csv` for `inventory`: a header row, then one listener a line (RFC 4180 quoting).

use std::io::{self, Write};

use super::row_cells;
use crate::model::inventory::InventoryReport;
use crate::report::csv::row;

/// Column names, stable for scripts (documented in the README).
pub const COLUMNS: [&str; 14] = [
    "account",
    "region",
    "load_balancer",
    "type",
    "scheme",
    "port",
    "protocol",
    "policy",
    "detail",
    "certificates",
    "policy_status",
    "redirects_to_https",
    "load_balancer_arn",
    "listener_arn",
];

/// Writes the CSV document.
pub fn render(report: &InventoryReport, out: &mut impl Write) -> io::Result<()> {
    row(out, &COLUMNS)?;
    for (lb, listener, policy) in report.rows() {
        let mut cells: Vec<String> = row_cells(lb, listener, policy).to_vec();
        cells.push(policy.status.code().to_string());
        cells.push(
            listener
                .redirects_to_https
                .map(|r| r.to_string())
                .unwrap_or_default(),
        );
        cells.push(lb.arn.clone().unwrap_or_default());
        cells.push(listener.arn.clone().unwrap_or_default());
        row(out, &cells)?;
    }
    Ok(())
}
