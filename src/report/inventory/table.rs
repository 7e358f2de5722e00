//! `--format table` for `inventory`: a heading with what every listener shares (account, region,
//! type, scheme), one row per listener, notes on how Classic policies are declared, then a summary
//! and what could not be read; fitted to the layout's width (see `report::layout`).

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::detail_label;
use crate::model::inventory::InventoryReport;
use crate::report::layout::{
    Column, Grid, Layout, Notes, heading_line, table_lines, write_lines, write_wrapped,
};
use crate::report::{SHORT_POLICY_NOTE, short_policy, type_abbreviation};
use crate::text::escape;

/// `1 account`, `2 accounts`.
fn count(n: usize, unit: &str) -> String {
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Writes the table, a summary line, and the failures (if any).
pub fn render(report: &InventoryReport, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let mut grid = Grid::new(vec![
        Column::new("Account").unless_uniform(),
        Column::new("Region").unless_uniform(),
        Column::new("Load balancer").flexible(),
        Column::new("Type").unless_uniform(),
        Column::new("Scheme").unless_uniform(),
        Column::new("Listener"),
        Column::new("Policy").flexible(),
        Column::new("Certs").right(),
    ]);
    grid.abbreviate(
        4,
        |scheme| (scheme == "internet-facing").then(|| "internet".to_string()),
        "",
    );
    grid.abbreviate(6, short_policy, SHORT_POLICY_NOTE);
    // How a policy is declared (`reference …`, `default (no policy attached)`, `policy-unknown`)
    // is a note below the table: the policy column stays as narrow as the names.
    let mut notes = Notes::default();
    let mut listeners = 0;
    let mut tls = 0;
    for (lb, listener, policy) in report.rows() {
        listeners += 1;
        tls += usize::from(listener.terminates_tls());
        let detail = escape(&detail_label(policy)).into_owned();
        let policy_cell = match (&policy.name, detail.is_empty()) {
            (Some(name), true) => escape(name).into_owned(),
            (Some(name), false) => format!("{} {}", escape(name), notes.mark(&detail)),
            // No policy: `redirects to HTTPS`, or nothing.
            (None, false) => detail,
            (None, true) => "-".to_string(),
        };
        grid.push(vec![
            escape(&lb.scope.account).into_owned(),
            escape(&lb.scope.region).into_owned(),
            escape(&lb.name).into_owned(),
            type_abbreviation(lb.lb_type).to_string(),
            lb.scheme.to_string(),
            format!("{}:{}", escape(&listener.protocol), listener.port),
            policy_cell,
            listener.certificates.len().to_string(),
        ]);
    }
    let fitted = grid.fit(layout);
    if let Some(table) = &fitted.table {
        if !fitted.heading.is_empty() {
            writeln!(out, "{}", heading_line(&fitted.heading))?;
        }
        write_lines(&table_lines(table), out)?;
        notes.write(out, layout.width)?;
        for note in &fitted.abbreviated {
            write_wrapped(out, note, "", "  ", layout.width)?;
        }
    }
    let inventory = &report.inventory;
    let accounts: BTreeSet<&str> = inventory
        .scopes
        .iter()
        .map(|s| s.account.as_str())
        .collect();
    let summary = format!(
        "{} ({} with TLS) on {}, {}, {} read",
        count(listeners, "listener"),
        tls,
        count(inventory.load_balancers.len(), "load balancer"),
        count(accounts.len(), "account"),
        count(inventory.scopes.len(), "account/region pair"),
    );
    write_wrapped(out, &summary, "", "", layout.width)?;
    for note in &inventory.notes {
        write_wrapped(out, &escape(note), "note: ", "  ", layout.width)?;
    }
    if !inventory.failures.is_empty() {
        writeln!(
            out,
            "INCOMPLETE: {} part(s) could not be read:",
            inventory.failures.len()
        )?;
        for failure in &inventory.failures {
            write_wrapped(
                out,
                &escape(&failure.to_string()),
                "  ",
                "    ",
                layout.width,
            )?;
        }
    }
    Ok(())
}
