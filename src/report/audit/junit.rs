//! `elbtls audit --format junit`: JUnit XML, so a CI system shows each listener as a test.
//!
//! One `<testsuite>` per account and region, one `<testcase classname="LOAD-BALANCER"
//! name="PROTOCOL:PORT">` per listener: compliant passes; drift or baseline findings fail (`type`
//! is the worst finding's code, the text lists every finding); an unverified listener is an
//! `<error>`, so it never shows as passed; a listener that was not probed and has no finding (it
//! does not terminate TLS, or `--no-probe`) is `<skipped/>`. Each account or region that could not
//! be read is an `<error>` test case of its own.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{AuditReport, ListenerResult, ProbeStatus};
use crate::finding::{Finding, Verdict};
use crate::model::inventory::ScopeFailure;

/// What one test case reports.
enum Outcome {
    Passed,
    /// `element` is `failure` or `error`.
    Broken {
        element: &'static str,
        kind: String,
        message: String,
        text: String,
    },
    Skipped(&'static str),
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
    /// `<property>` elements (`negotiation_errors` with `--negotiation-errors`).
    properties: Vec<(&'static str, String)>,
}

#[derive(Default)]
struct Suite {
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, element: &str) -> usize {
        self.cases
            .iter()
            .filter(|c| match &c.outcome {
                Outcome::Broken { element: e, .. } => *e == element,
                Outcome::Skipped(_) => element == "skipped",
                Outcome::Passed => false,
            })
            .count()
    }
}

/// Appends `text` escaped for XML 1.0 content or a double-quoted attribute. In attributes, tabs
/// and line breaks become character references so that they survive attribute normalisation;
/// characters XML 1.0 cannot carry at all become U+FFFD.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
}

fn attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text, true);
    out
}

fn content(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text, false);
    out
}

/// The first of the worst findings.
fn worst(findings: &[Finding]) -> Option<&Finding> {
    findings.iter().reduce(|worst, f| {
        if f.severity > worst.severity {
            f
        } else {
            worst
        }
    })
}

fn listener_outcome(l: &ListenerResult) -> Outcome {
    // A compliant listener passes even with a `traffic` finding (negotiation errors).
    let Some(worst) = worst(&l.findings).filter(|_| l.verdict != Verdict::Compliant) else {
        return match (&l.probe, &l.declared_policy) {
            (ProbeStatus::Skipped, None) => Outcome::Skipped("does not terminate TLS"),
            (ProbeStatus::Skipped, Some(_)) => {
                Outcome::Skipped("not probed (--no-probe); the configuration checks found nothing")
            }
            _ => Outcome::Passed,
        };
    };
    let element = if l.verdict == Verdict::Unverified {
        "error"
    } else {
        "failure"
    };
    let count = l.findings.len();
    let message = format!(
        "{} ({count} finding{}, worst: {} {})",
        l.verdict,
        if count == 1 { "" } else { "s" },
        worst.severity,
        worst.code
    );
    let text = l
        .findings
        .iter()
        .map(|f| {
            let subject = if f.subject.is_empty() {
                String::new()
            } else {
                format!(" [{}]", f.subject)
            };
            format!("{} {}{subject}: {}\n", f.severity, f.code, f.message)
        })
        .collect();
    Outcome::Broken {
        element,
        kind: worst.code.code().to_string(),
        message,
        text,
    }
}

fn failure_case(f: &ScopeFailure) -> Case {
    let scope = match &f.region {
        Some(region) => format!("{}/{region}", f.account),
        None => format!("{} (every region)", f.account),
    };
    Case {
        classname: f.resource.clone().unwrap_or_else(|| scope.clone()),
        name: "inventory".to_string(),
        outcome: Outcome::Broken {
            element: "error",
            kind: f.reason.code().to_string(),
            message: format!("{scope} could not be read: {}", f.reason),
            text: format!("{}\n", f.message),
        },
        properties: Vec::new(),
    }
}

/// Writes the JUnit XML document.
pub fn render(report: &AuditReport, out: &mut impl Write) -> io::Result<()> {
    // Text from outside is printed escaped (see `AuditReport::escaped`).
    let report = &report.escaped();
    let mut suites: BTreeMap<String, Suite> = BTreeMap::new();
    for l in &report.listeners {
        suites
            .entry(format!("{}/{}", l.account, l.region))
            .or_default()
            .cases
            .push(Case {
                classname: l.load_balancer.clone(),
                name: format!("{}:{}", l.protocol, l.port),
                outcome: listener_outcome(l),
                properties: l
                    .negotiation_errors
                    .map(|n| vec![("negotiation_errors", n.to_string())])
                    .unwrap_or_default(),
            });
    }
    for f in &report.failures {
        let suite = match &f.region {
            Some(region) => format!("{}/{region}", f.account),
            None => f.account.clone(),
        };
        suites.entry(suite).or_default().cases.push(failure_case(f));
    }

    let total = |element: &str| suites.values().map(|s| s.count(element)).sum::<usize>();
    let tests: usize = suites.values().map(|s| s.cases.len()).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"elbtls audit\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\">\n",
        total("failure"),
        total("error"),
        total("skipped"),
        attr(&report.generated_at),
    ));
    for (name, suite) in &suites {
        xml.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
            attr(name),
            suite.cases.len(),
            suite.count("failure"),
            suite.count("error"),
            suite.count("skipped"),
        ));
        for case in &suite.cases {
            let open = format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                attr(&case.classname),
                attr(&case.name)
            );
            let properties: String = if case.properties.is_empty() {
                String::new()
            } else {
                let items: String = case
                    .properties
                    .iter()
                    .map(|(name, value)| {
                        format!(
                            "        <property name=\"{}\" value=\"{}\"/>\n",
                            attr(name),
                            attr(value)
                        )
                    })
                    .collect();
                format!("      <properties>\n{items}      </properties>\n")
            };
            let head = format!("{open}>\n{properties}");
            match &case.outcome {
                Outcome::Passed if properties.is_empty() => xml.push_str(&format!("{open}/>\n")),
                Outcome::Passed => xml.push_str(&format!("{head}    </testcase>\n")),
                Outcome::Skipped(why) => xml.push_str(&format!(
                    "{head}      <skipped message=\"{}\"/>\n    </testcase>\n",
                    attr(why)
                )),
                Outcome::Broken {
                    element,
                    kind,
                    message,
                    text,
                } => xml.push_str(&format!(
                    "{head}      <{element} message=\"{}\" type=\"{}\">{}</{element}>\n    </testcase>\n",
                    attr(message),
                    attr(kind),
                    content(text),
                )),
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
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
    fn escapes_markup_quotes_and_characters_xml_cannot_carry() {
        assert_eq!(attr(r#"a<b>&"c"'d"#), "a&lt;b&gt;&amp;&quot;c&quot;'d");
        assert_eq!(attr("one\ntwo\tthree\r"), "one&#10;two&#9;three&#13;");
        assert_eq!(content("one\ntwo \"x\""), "one\ntwo \"x\"");
        assert_eq!(
            content("bell\u{7} nul\u{0} \u{fffe}"),
            "bell\u{fffd} nul\u{fffd} \u{fffd}"
        );
        assert_eq!(content("]]> é ✓"), "]]&gt; é ✓");
    }

    #[test]
    fn maps_each_verdict_to_its_test_outcome() {
        let xml = rendered();
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="elbtls audit" tests="6" failures="2" errors="2" skipped="1" timestamp="2025-01-15T03:00:00Z">
  <testsuite name="123456789012/eu-west-1" tests="1" failures="0" errors="1" skipped="0">
    <testcase classname="internal-app" name="HTTPS:443">
      <error message="unverified (1 finding, worst: medium probe-failed)" type="probe-failed">medium probe-failed [timeout]: internal-app HTTPS:443 could not be probed: no answer within 5s (an internal load balancer is not reachable from here); run from inside the VPC or pass --resolve.
</error>
    </testcase>
  </testsuite>
  <testsuite name="123456789012/us-east-1" tests="4" failures="2" errors="0" skipped="1">
    <testcase classname="api-nlb" name="TLS:8443">
      <failure message="drift (2 findings, worst: high protocol-not-in-policy)" type="protocol-not-in-policy">high protocol-not-in-policy [TLSv1]: api-nlb TLS:8443 accepts TLSv1, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not enable: re-apply the policy.
high cipher-not-in-policy [ECDHE-RSA-AES128-SHA]: api-nlb TLS:8443 accepts "ECDHE-RSA-AES128-SHA", a CBC suite &lt;not in the policy&gt; &amp; not declared,\u{a}so the account's word is wrong.
</failure>
    </testcase>
    <testcase classname="legacy-elb" name="SSL:443">
      <failure message="baseline (1 finding, worst: medium weak-cipher-allowed)" type="weak-cipher-allowed">medium weak-cipher-allowed [CBC]: legacy-elb SSL:443 enables CBC suites, which the baseline `modern` bans: move to ELBSecurityPolicy-TLS-1-2-2017-01.
</failure>
    </testcase>
    <testcase classname="web-prod" name="HTTP:80">
      <skipped message="does not terminate TLS"/>
    </testcase>
    <testcase classname="web-prod" name="HTTPS:443"/>
  </testsuite>
  <testsuite name="210987654321/ap-southeast-2" tests="1" failures="0" errors="1" skipped="0">
    <testcase classname="210987654321/ap-southeast-2" name="inventory">
      <error message="210987654321/ap-southeast-2 could not be read: access-denied" type="access-denied">User: arn:aws:sts::210987654321:assumed-role/audit/elbtls is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers
</error>
    </testcase>
  </testsuite>
</testsuites>
"#;
        assert_eq!(xml, expected);
    }

    #[test]
    fn a_listener_not_probed_under_no_probe_is_skipped() {
        let mut report = sample::report();
        report.failures.clear();
        report
            .listeners
            .retain(|l| l.port == 443 && l.load_balancer == "web-prod");
        report.listeners[0].probe = ProbeStatus::Skipped;
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"skipped="1""#), "{xml}");
        assert!(xml.contains("not probed (--no-probe)"), "{xml}");
    }

    #[test]
    fn worst_is_the_first_of_the_most_severe() {
        let report = sample::report();
        let drift = &report.listeners[1];
        assert_eq!(worst(&drift.findings).unwrap().subject, "TLSv1");
        assert!(worst(&[]).is_none());
    }
}
