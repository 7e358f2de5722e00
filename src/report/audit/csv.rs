//! `elbtls audit --format csv`: a header row, then one row per finding, one row per listener
//! without findings (code empty, so every listener appears), and one row per account or region that
//! could not be read (verdict `unverified`, code `scope-failure`). RFC 4180 quoting; lines end in
//! `\n`, like the other CSV reports.

use std::io::{self, Write};

use super::AuditReport;
use crate::report::csv::row;

/// Column names, stable for scripts (documented in the README).
pub const COLUMNS: [&str; 14] = [
    "account",
    "region",
    "load_balancer",
    "type",
    "port",
    "protocol",
    "declared_policy",
    "verdict",
    "severity",
    "code",
    "subject",
    "message",
    "listener_id",
    "declared_policy_name",
];

/// The column `--negotiation-errors` adds at the end (the load balancer's CloudWatch count, on
/// ALB and NLB TLS listeners; empty elsewhere).
pub const NEGOTIATION_ERRORS_COLUMN: &str = "negotiation_errors";

/// The `code` of a row that stands for an account or region that could not be read.
pub const SCOPE_FAILURE: &str = "scope-failure";

/// Writes the CSV document.
pub fn render(report: &AuditReport, out: &mut impl Write) -> io::Result<()> {
    // Text from outside is printed escaped (see `AuditReport::escaped`).
    let report = &report.escaped();
    let counted = report.negotiation_errors_hours.is_some();
    let extra: &[&str] = if counted {
        &[NEGOTIATION_ERRORS_COLUMN]
    } else {
        &[]
    };
    row(out, &[&COLUMNS[..], extra].concat())?;
    for l in &report.listeners {
        let port = l.port.to_string();
        let count = l
            .negotiation_errors
            .map(|n| n.to_string())
            .unwrap_or_default();
        let extra: &[&str] = if counted { &[count.as_str()] } else { &[] };
        let listener = |severity, code, subject, message| {
            let cells = [
                l.account.as_str(),
                &l.region,
                &l.load_balancer,
                l.lb_type.as_str(),
                &port,
                &l.protocol,
                l.declared_policy.as_deref().unwrap_or(""),
                l.verdict.as_str(),
                severity,
                code,
                subject,
                message,
                &l.id,
                l.declared_policy_name.as_deref().unwrap_or(""),
            ];
            [&cells[..], extra].concat()
        };
        if l.findings.is_empty() {
            row(out, &listener("", "", "", ""))?;
        }
        for f in &l.findings {
            row(
                out,
                &listener(f.severity.as_str(), f.code.code(), &f.subject, &f.message),
            )?;
        }
    }
    let extra: &[&str] = if counted { &[""] } else { &[] };
    for f in &report.failures {
        let cells: [&str; 14] = [
            &f.account,
            f.region.as_deref().unwrap_or(""),
            f.resource.as_deref().unwrap_or(""),
            "",
            "",
            "",
            "",
            "unverified",
            "",
            SCOPE_FAILURE,
            f.reason.code(),
            &f.message,
            "",
            "",
        ];
        row(out, &[&cells[..], extra].concat())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn rendered() -> String {
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_row_per_finding_listener_and_failure() {
        let text = rendered();
        let expected = [
            "account,region,load_balancer,type,port,protocol,declared_policy,verdict,severity,code,subject,message,listener_id,declared_policy_name",
            "123456789012,eu-west-1,internal-app,application,443,HTTPS,ELBSecurityPolicy-2016-08,unverified,medium,probe-failed,timeout,internal-app HTTPS:443 could not be probed: no answer within 5s (an internal load balancer is not reachable from here); run from inside the VPC or pass --resolve.,arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/internal-app/1a2b3c4d5e6f7a8b/8b7a6f5e4d3c2b1a,ELBSecurityPolicy-2016-08",
            "123456789012,us-east-1,api-nlb,network,8443,TLS,ELBSecurityPolicy-TLS13-1-2-2021-06,drift,high,protocol-not-in-policy,TLSv1,\"api-nlb TLS:8443 accepts TLSv1, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not enable: re-apply the policy.\",arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/api-nlb/73e2d6bc24d8a067/9a1a4b3c2d1e0f00,ELBSecurityPolicy-TLS13-1-2-2021-06",
            "123456789012,us-east-1,api-nlb,network,8443,TLS,ELBSecurityPolicy-TLS13-1-2-2021-06,drift,high,cipher-not-in-policy,ECDHE-RSA-AES128-SHA,\"api-nlb TLS:8443 accepts \"\"ECDHE-RSA-AES128-SHA\"\", a CBC suite <not in the policy> & not declared,\\u{a}so the account's word is wrong.\",arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/api-nlb/73e2d6bc24d8a067/9a1a4b3c2d1e0f00,ELBSecurityPolicy-TLS13-1-2-2021-06",
            "123456789012,us-east-1,legacy-elb,classic,443,SSL,ELBSecurityPolicy-2016-08 (Classic default),baseline,medium,weak-cipher-allowed,CBC,\"legacy-elb SSL:443 enables CBC suites, which the baseline `modern` bans: move to ELBSecurityPolicy-TLS-1-2-2017-01.\",classic:123456789012:us-east-1:legacy-elb:443,ELBSecurityPolicy-2016-08",
            "123456789012,us-east-1,web-prod,application,80,HTTP,,compliant,,,,,arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web-prod/50dc6c495c0c9188/0467ef3c8400ae65,",
            "123456789012,us-east-1,web-prod,application,443,HTTPS,ELBSecurityPolicy-TLS13-1-2-2021-06,compliant,,,,,arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web-prod/50dc6c495c0c9188/f2f7dc8efc522ab2,ELBSecurityPolicy-TLS13-1-2-2021-06",
            "210987654321,ap-southeast-2,,,,,,unverified,,scope-failure,access-denied,User: arn:aws:sts::210987654321:assumed-role/audit/elbtls is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers,,",
            "",
        ];
        assert_eq!(text, expected.join("\n"));
    }

    #[test]
    fn quoted_newlines_keep_one_record_per_row() {
        // A reader that honours quotes sees 8 records of 14 fields.
        let text = rendered();
        let mut records = 0;
        let mut fields = 1;
        let mut quoted = false;
        for c in text.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => fields += 1,
                '\n' if !quoted => {
                    assert_eq!(fields, COLUMNS.len(), "record {records}");
                    records += 1;
                    fields = 1;
                }
                _ => {}
            }
        }
        assert_eq!(records, 8);
    }
}
