use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::baseline::preset;
use crate::finding::Severity;
use crate::model::inventory::{DeclaredPolicy, Scheme, Scope};
use crate::model::observed::{Endpoint, Observed, ProtocolObservation, Support};
use crate::tls::{CipherSuite, ProtocolVersion};

const LABEL: &str = "web HTTPS:443 (111/eu-west-1)";
const NOW: i64 = 1_795_760_000;

fn listener(protocol: &str, port: u16) -> Listener {
    Listener {
        arn: None,
        port,
        protocol: protocol.into(),
        declared: DeclaredPolicy::None,
        certificates: Vec::new(),
        alpn_policy: Vec::new(),
        mutual_tls: None,
        redirects_to_https: protocol.eq_ignore_ascii_case("HTTP").then_some(false),
    }
}

fn load_balancer(listeners: Vec<Listener>) -> LoadBalancer {
    LoadBalancer {
        scope: Scope {
            account: "111".into(),
            region: "eu-west-1".into(),
        },
        name: "web".into(),
        arn: Some("arn:aws:elasticloadbalancing:eu-west-1:111:loadbalancer/app/web/1".into()),
        lb_type: LoadBalancerType::Application,
        scheme: Scheme::InternetFacing,
        dns_name: Some("web.example.com".into()),
        state: None,
        vpc_id: None,
        tags: BTreeMap::new(),
        listeners,
    }
}

fn observation(outcome: ProbeOutcome) -> Observation {
    Observation {
        endpoint: Endpoint {
            host: "lb.example.com".into(),
            port: 443,
            address: None,
            sni: Some("lb.example.com".into()),
        },
        outcome,
        connections: 10,
        duration: Duration::from_millis(30),
    }
}

fn tls12_only(ciphers: &[&str]) -> Observed {
    Observed {
        protocols: vec![
            ProtocolObservation::named(ProtocolVersion::TLSV1_2, ciphers),
            ProtocolObservation::named(ProtocolVersion::TLSV1_3, &[]),
        ],
        ..Observed::default()
    }
}

fn known<'c>(catalogue: &'c Catalogue, name: &str) -> Declaration<'c> {
    Declaration::Known {
        name: name.into(),
        detail: None,
        policy: Cow::Borrowed(catalogue.get(name, LoadBalancerType::Application).unwrap()),
    }
}

/// Audits the first listener of `lb`.
fn run(
    lb: &LoadBalancer,
    declared: &Declaration<'_>,
    probe: Probe<'_>,
    negotiation: Option<NegotiationErrors>,
    rules: &Rules<'_>,
) -> Assessment {
    audit(
        &Evidence {
            label: LABEL,
            load_balancer: lb,
            listener: &lb.listeners[0],
            declared,
            probe,
            negotiation,
        },
        rules,
    )
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code.code()).collect()
}

#[test]
fn only_tls_and_http_listeners_are_audited() {
    let https = listener("HTTPS", 443);
    assert_eq!(kind(&https, &Declaration::NotTls), Some(Kind::Tls));
    assert_eq!(
        kind(&listener("HTTP", 80), &Declaration::NotTls),
        Some(Kind::Plaintext)
    );
    assert_eq!(kind(&listener("TCP", 22), &Declaration::NotTls), None);
}

#[test]
fn nodes_that_disagree_are_a_finding_naming_the_node() {
    let catalogue = Catalogue::builtin().unwrap();
    let declared = known(&catalogue, "ELBSecurityPolicy-TLS-1-2-2017-01");
    let mut observed = tls12_only(&["ECDHE-RSA-AES128-GCM-SHA256"]);
    observed.nodes = vec!["10.0.1.5:443".into(), "10.0.2.9:443".into()];
    observed.node_disagreements =
        vec!["node 10.0.2.9:443 accepts TLSv1 that 10.0.1.5:443 does not".into()];
    let observation = observation(ProbeOutcome::Completed(observed));
    let lb = load_balancer(vec![listener("HTTPS", 443)]);
    let rules = Rules::new(None, &catalogue, NOW);
    let result = run(&lb, &declared, Probe::Done(&observation), None, &rules);
    let node = result
        .findings
        .iter()
        .find(|f| f.code == FindingCode::NodesDisagree)
        .expect("a nodes-disagree finding");
    assert_eq!(node.subject, "10.0.2.9:443");
    assert!(node.message.contains("accepts TLSv1"), "{}", node.message);
    assert_eq!(result.verdict, Verdict::Drift);
}

#[test]
fn an_unknown_or_missing_policy_is_policy_unknown() {
    let catalogue = Catalogue::builtin().unwrap();
    let rules = Rules::new(None, &catalogue, NOW);
    let lb = load_balancer(vec![listener("HTTPS", 443)]);
    let declared = Declaration::Unknown {
        name: Some("ELBSecurityPolicy-Future".into()),
        detail: None,
        reason: "not in the catalogue".into(),
    };
    let result = run(&lb, &declared, Probe::Skipped, None, &rules);
    assert_eq!(codes(&result.findings), ["policy-unknown"]);
    assert!(
        result.findings[0]
            .message
            .contains("`ELBSecurityPolicy-Future`")
    );
    assert_eq!(result.verdict, Verdict::Unverified);

    let none = run(&lb, &Declaration::NotTls, Probe::Skipped, None, &rules);
    assert_eq!(codes(&none.findings), ["policy-unknown"]);
    assert!(
        none.findings[0]
            .message
            .ends_with("declares a policy, which cannot be checked: the listener terminates TLS but declares no policy"),
        "{}",
        none.findings[0].message
    );
}

#[test]
fn unreachable_failed_incomplete_and_unaddressed_probes_are_probe_failed() {
    let catalogue = Catalogue::builtin().unwrap();
    let rules = Rules::new(None, &catalogue, NOW);
    let lb = load_balancer(vec![listener("HTTPS", 443)]);
    let declared = known(&catalogue, "ELBSecurityPolicy-TLS-1-2-2017-01");
    for (outcome, subject) in [
        (
            ProbeOutcome::Unreachable {
                reason: "connection timed out".into(),
            },
            "unreachable",
        ),
        (
            ProbeOutcome::Failed {
                reason: "does not speak TLS".into(),
            },
            "failed",
        ),
    ] {
        let observation = observation(outcome);
        let result = run(&lb, &declared, Probe::Done(&observation), None, &rules);
        assert_eq!(codes(&result.findings), ["probe-failed"]);
        assert_eq!(result.findings[0].subject, subject);
        assert_eq!(result.verdict, Verdict::Unverified);
    }
    let mut partial = tls12_only(&["ECDHE-RSA-AES128-GCM-SHA256"]);
    partial.protocols[0].complete = false;
    partial
        .warnings
        .push("TLSv1.2: cipher enumeration broke off".into());
    let observation = observation(ProbeOutcome::Completed(partial));
    let result = run(&lb, &declared, Probe::Done(&observation), None, &rules);
    assert!(
        codes(&result.findings).contains(&"probe-failed"),
        "{result:?}"
    );

    let result = run(&lb, &declared, Probe::NoAddress, None, &rules);
    assert_eq!(codes(&result.findings), ["probe-failed"]);
    assert_eq!(result.findings[0].subject, "no-dns-name");
}

#[test]
fn a_completed_probe_yields_drift_findings_naming_the_listener() {
    let catalogue = Catalogue::builtin().unwrap();
    let rules = Rules::new(None, &catalogue, NOW);
    let lb = load_balancer(vec![listener("HTTPS", 443)]);
    let declared = known(&catalogue, "ELBSecurityPolicy-FS-1-2-Res-2020-10");
    let observation = observation(ProbeOutcome::Completed(tls12_only(&[
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "AES128-SHA",
    ])));
    let result = run(&lb, &declared, Probe::Done(&observation), None, &rules);
    assert_eq!(codes(&result.findings), ["cipher-not-in-policy"]);
    assert_eq!(result.findings[0].subject, "AES128-SHA");
    assert!(
        result.findings[0]
            .message
            .starts_with("web HTTPS:443 (111/eu-west-1) accepts AES128-SHA")
    );
}

#[test]
fn the_baseline_judges_the_declared_policy_without_a_probe_and_the_listener_with_one() {
    let catalogue = Catalogue::builtin().unwrap();
    let modern = preset("modern").unwrap();
    let rules = Rules::new(Some(&modern), &catalogue, NOW);
    let lb = load_balancer(vec![listener("HTTPS", 443)]);
    let declared = known(&catalogue, "ELBSecurityPolicy-2016-08");
    let unprobed = run(&lb, &declared, Probe::Skipped, None, &rules);
    let below = unprobed
        .findings
        .iter()
        .find(|f| f.code == FindingCode::ProtocolBelowMinimum)
        .expect("protocol-below-minimum from the declared policy");
    assert!(
        below
            .message
            .starts_with(&format!("{LABEL} declares ELBSecurityPolicy-2016-08")),
        "{}",
        below.message
    );
    assert!(
        below.message.contains("or stricter"),
        "names the suggested policy: {}",
        below.message
    );
    assert_eq!(unprobed.verdict, Verdict::Baseline);

    // Probed, the listener accepts only TLS 1.2: nothing below the minimum is seen.
    let observation = observation(ProbeOutcome::Completed(tls12_only(&[
        "ECDHE-RSA-AES128-GCM-SHA256",
    ])));
    let probed = run(&lb, &declared, Probe::Done(&observation), None, &rules);
    assert!(
        !codes(&probed.findings).contains(&"protocol-below-minimum"),
        "{probed:?}"
    );
}

/// Issue 11: a baseline's `[severity]` table applies to every code, drift, probe and traffic
/// codes included, and the findings are sorted by the severities they end up with.
#[test]
fn severity_overrides_apply_to_every_code_before_the_one_sort() {
    let catalogue = Catalogue::builtin().unwrap();
    let mut baseline = preset("modern").unwrap();
    for (code, severity) in [
        (FindingCode::CipherNotInPolicy, Severity::Info),
        (FindingCode::ProtocolNotInPolicy, Severity::Critical),
        (FindingCode::WeakCipherAllowed, Severity::Critical),
        (FindingCode::ProbeFailed, Severity::Low),
        (FindingCode::NegotiationErrors, Severity::High),
        (FindingCode::PlaintextListener, Severity::Low),
    ] {
        baseline.severity.insert(code, severity);
    }
    let rules = Rules::new(Some(&baseline), &catalogue, NOW);
    let lb = load_balancer(vec![listener("HTTPS", 443)]);
    let declared = known(&catalogue, "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let mut observed = tls12_only(&["ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA"]);
    observed.protocols.push(ProtocolObservation {
        version: ProtocolVersion::TLSV1_1,
        support: Support::Accepted,
        ciphers: vec![CipherSuite::from_name("AES128-SHA").unwrap()],
        server_order: Some(true),
        complete: true,
    });
    let probed = observation(ProbeOutcome::Completed(observed));
    let result = run(
        &lb,
        &declared,
        Probe::Done(&probed),
        Some(NegotiationErrors {
            count: 3,
            hours: 24,
        }),
        &rules,
    );
    assert_eq!(
        severity_of(&result, FindingCode::ProtocolNotInPolicy),
        [Severity::Critical]
    );
    assert_eq!(
        severity_of(&result, FindingCode::CipherNotInPolicy),
        [Severity::Info]
    );
    let weak = severity_of(&result, FindingCode::WeakCipherAllowed);
    assert!(!weak.is_empty() && weak.iter().all(|s| *s == Severity::Critical));
    assert_eq!(
        severity_of(&result, FindingCode::NegotiationErrors),
        [Severity::High]
    );
    // Not overridden: the preset's or the code's own.
    assert_eq!(
        severity_of(&result, FindingCode::ProtocolBelowMinimum),
        [FindingCode::ProtocolBelowMinimum.severity()]
    );
    let order: Vec<Severity> = result.findings.iter().map(|f| f.severity).collect();
    let mut worst_first = order.clone();
    worst_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(order, worst_first, "{result:#?}");
    assert_eq!(
        result.findings.last().unwrap().code,
        FindingCode::CipherNotInPolicy
    );
    assert_eq!(result.negotiation_errors, Some(3));

    let unreachable = observation(ProbeOutcome::Unreachable {
        reason: "timed out".into(),
    });
    let dead = run(&lb, &declared, Probe::Done(&unreachable), None, &rules);
    assert_eq!(
        severity_of(&dead, FindingCode::ProbeFailed),
        [Severity::Low]
    );

    let http = load_balancer(vec![listener("HTTP", 80)]);
    let plain = run(&http, &Declaration::NotTls, Probe::Skipped, None, &rules);
    assert_eq!(
        severity_of(&plain, FindingCode::PlaintextListener),
        [Severity::Low]
    );
}

fn severity_of(result: &Assessment, code: FindingCode) -> Vec<Severity> {
    result
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.severity)
        .collect()
}

#[test]
fn negotiation_errors_are_shown_on_tls_listeners_and_found_when_not_zero() {
    let catalogue = Catalogue::builtin().unwrap();
    let rules = Rules::new(None, &catalogue, NOW);
    let declared = known(&catalogue, "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let lb = load_balancer(vec![listener("HTTPS", 443), listener("HTTPS", 8443)]);
    let errors = |count| Some(NegotiationErrors { count, hours: 6 });
    let result = run(&lb, &declared, Probe::Skipped, errors(7), &rules);
    assert_eq!(result.negotiation_errors, Some(7));
    assert_eq!(codes(&result.findings), ["negotiation-errors"]);
    assert!(
        result.findings[0]
            .message
            .contains("7 client TLS negotiation errors in the last 6 h (the load balancer's 2 TLS listeners together)"),
        "{}",
        result.findings[0].message
    );
    assert_eq!(
        result.verdict,
        Verdict::Compliant,
        "traffic is not configuration"
    );

    let quiet = run(&lb, &declared, Probe::Skipped, errors(0), &rules);
    assert_eq!(quiet.negotiation_errors, Some(0));
    assert!(quiet.findings.is_empty());

    let http = load_balancer(vec![listener("HTTP", 80)]);
    let plain = run(
        &http,
        &Declaration::NotTls,
        Probe::Skipped,
        errors(7),
        &rules,
    );
    assert_eq!(plain.negotiation_errors, None);
    assert!(plain.findings.is_empty());
}

/// Issue 12: a baseline exception accepts the findings it names on the listeners it names —
/// reported, marked, not setting the verdict — until the day it expires; other findings and
/// other listeners are untouched.
#[test]
fn exceptions_accept_named_findings_until_they_expire() {
    let catalogue = Catalogue::builtin().unwrap();
    let exception = |listener: Option<&str>, load_balancer: Option<&str>, expires_unix| {
        crate::baseline::Exception {
            origin: "b.toml:3".into(),
            listener: listener.map(str::to_string),
            load_balancer: load_balancer.map(str::to_string),
            codes: vec![FindingCode::ProtocolBelowMinimum],
            reason: "legacy terminals until March".into(),
            expires: "2027-03-31".into(),
            expires_unix,
        }
    };
    let lb = load_balancer(vec![listener("HTTPS", 443)]);
    let declared = known(&catalogue, "ELBSecurityPolicy-2016-08");
    let judged = |exceptions: Vec<crate::baseline::Exception>| {
        let mut baseline = preset("modern").unwrap();
        baseline.exceptions = exceptions;
        let rules = Rules::new(Some(&baseline), &catalogue, NOW);
        run(&lb, &declared, Probe::Skipped, None, &rules)
    };
    let plain = judged(Vec::new());
    let below = |a: &Assessment| {
        a.findings
            .iter()
            .find(|f| f.code == FindingCode::ProtocolBelowMinimum)
            .cloned()
            .unwrap()
    };
    assert!(below(&plain).exception.is_none());

    // By load balancer name (a glob, case ignored): accepted; the other baseline findings of
    // the listener still set its verdict.
    let live = judged(vec![exception(None, Some("WE*"), NOW + 86_400)]);
    let accepted = below(&live);
    assert!(accepted.is_accepted(), "{accepted:?}");
    assert_eq!(
        accepted.exception.as_ref().unwrap().reason,
        "legacy terminals until March"
    );
    assert_eq!(live.findings.len(), plain.findings.len(), "nothing hidden");
    let others = live
        .findings
        .iter()
        .filter(|f| f.code != FindingCode::ProtocolBelowMinimum)
        .count();
    assert_eq!(
        live.verdict,
        if others > 0 {
            Verdict::Baseline
        } else {
            Verdict::Compliant
        }
    );

    // Only the accepted finding: compliant.
    let only = Finding {
        exception: accepted.exception.clone(),
        ..accepted
    };
    assert_eq!(Verdict::of(&[only]), Verdict::Compliant);

    // Expired yesterday: marked, and counting again.
    let expired = judged(vec![exception(None, Some("web"), NOW - 86_400)]);
    let again = below(&expired);
    assert!(again.exception.as_ref().unwrap().expired);
    assert!(!again.is_accepted());
    assert_eq!(expired.verdict, Verdict::Baseline);

    // Another listener's id: not covered.
    let elsewhere = judged(vec![exception(Some("classic:222:*"), None, NOW + 86_400)]);
    assert!(below(&elsewhere).exception.is_none());
    let ours = judged(vec![exception(
        Some("classic:111:eu-west-1:web:443"),
        None,
        NOW + 86_400,
    )]);
    assert!(below(&ours).is_accepted());
}
