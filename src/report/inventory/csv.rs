//! `--format csv` for `inventory`: a header row, then one listener a line (RFC 4180 quoting).

use std::io::{self, Write};

use super::row_cells;
use crate::model::inventory::InventoryReport;

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

fn field(text: &str) -> String {
    // Text from AWS is escaped first (control characters as `\u{…}`), then quoted.
    let text = &*crate::text::escape(text);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes the CSV document.
pub fn render(report: &InventoryReport, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", COLUMNS.join(","))?;
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
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_fields_that_need_it() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("two\nlines\u{1b}[2J"), "two\\u{a}lines\\u{1b}[2J");
    }
}
