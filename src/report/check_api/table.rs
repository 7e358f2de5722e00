//! `--format table` for `policies check-api`: a summary per API, then each difference.

use std::io::{self, Write};

use crate::catalogue::{ApiCheck, KindCheck, PolicyDifference};
use crate::text::escape;

fn list(out: &mut impl Write, label: &str, names: &[String]) -> io::Result<()> {
    if !names.is_empty() {
        writeln!(out, "  {label} ({}):", names.len())?;
        for name in names {
            writeln!(out, "    {}", escape(name))?;
        }
    }
    Ok(())
}

fn difference(out: &mut impl Write, d: &PolicyDifference) -> io::Result<()> {
    writeln!(out, "    {}", escape(&d.name))?;
    let lines: [(&str, &[String]); 6] = [
        ("protocols only in the API", &d.protocols_only_in_api),
        (
            "protocols only in the catalogue",
            &d.protocols_only_in_catalogue,
        ),
        ("ciphers only in the API", &d.ciphers_only_in_api),
        (
            "ciphers only in the catalogue",
            &d.ciphers_only_in_catalogue,
        ),
        ("API order of the shared ciphers", &d.api_order),
        ("not understood", &d.unreadable),
    ];
    for (label, values) in lines {
        if !values.is_empty() {
            writeln!(out, "      {label}: {}", escape(&values.join(", ")))?;
        }
    }
    if d.server_order_differs {
        writeln!(out, "      Server-Defined-Cipher-Order differs")?;
    }
    Ok(())
}

fn kind(out: &mut impl Write, title: &str, check: &KindCheck) -> io::Result<()> {
    writeln!(
        out,
        "{title}: {} matching, {} missing from the catalogue, {} differing, {} only in the catalogue",
        check.matching.len(),
        check.missing_from_catalogue.len(),
        check.differing.len(),
        check.extra_in_catalogue.len()
    )?;
    list(
        out,
        "missing from the catalogue (the API lists them)",
        &check.missing_from_catalogue,
    )?;
    if !check.differing.is_empty() {
        writeln!(out, "  differing ({}):", check.differing.len())?;
        for d in &check.differing {
            difference(out, d)?;
        }
    }
    list(
        out,
        "only in the catalogue (the API did not list them)",
        &check.extra_in_catalogue,
    )
}

/// Writes the report.
pub fn render(check: &ApiCheck, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "Region {}", escape(&check.region))?;
    kind(out, "ELBv2 (DescribeSSLPolicies)", &check.elbv2)?;
    match &check.classic {
        Ok(classic) => kind(out, "Classic (DescribeLoadBalancerPolicies)", classic),
        Err(reason) => writeln!(
            out,
            "Classic (DescribeLoadBalancerPolicies): not available: {}",
            escape(&reason.to_string())
        ),
    }
}
