//! The inventory table at 80, 100 and 200 columns, from a hand-built account: an ALB with an
//! HTTP listener that redirects, an NLB behind a Kubernetes-style 32-character name, Classic load
//! balancers with the default policy, a referenced policy and a policy that cannot be resolved,
//! one region that could not be read.

use std::collections::BTreeMap;

use super::table;
use crate::model::LoadBalancerType;
use crate::model::inventory::{
    Certificate, DeclaredPolicy, FailureReason, Inventory, InventoryReport, Listener, LoadBalancer,
    PolicyStatus, ResolvedPolicy, Scheme, Scope, ScopeFailure,
};
use crate::report::layout::Layout;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "eu-west-1";

fn listener(protocol: &str, port: u16, certificates: usize) -> Listener {
    Listener {
        arn: None,
        port,
        protocol: protocol.to_string(),
        declared: DeclaredPolicy::None,
        certificates: (0..certificates)
            .map(|i| {
                Certificate::from_arn(
                    format!("arn:aws:acm:{REGION}:{ACCOUNT}:certificate/{i}"),
                    i == 0,
                )
            })
            .collect(),
        alpn_policy: Vec::new(),
        mutual_tls: None,
        redirects_to_https: None,
    }
}

fn load_balancer(
    name: &str,
    lb_type: LoadBalancerType,
    scheme: Scheme,
    listeners: Vec<Listener>,
) -> LoadBalancer {
    LoadBalancer {
        scope: Scope {
            account: ACCOUNT.to_string(),
            region: REGION.to_string(),
        },
        name: name.to_string(),
        arn: None,
        lb_type,
        scheme,
        dns_name: None,
        state: None,
        vpc_id: None,
        tags: BTreeMap::new(),
        listeners,
    }
}

fn policy(name: Option<&str>, detail: Option<&str>, status: PolicyStatus) -> ResolvedPolicy {
    ResolvedPolicy {
        name: name.map(str::to_string),
        detail: detail.map(str::to_string),
        status,
        reason: None,
        protocols: Vec::new(),
        cipher_count: None,
    }
}

fn known(name: &str, detail: Option<&str>) -> ResolvedPolicy {
    policy(Some(name), detail, PolicyStatus::Known)
}

fn report() -> InventoryReport {
    use LoadBalancerType::{Application, Classic, Network};
    let mut redirect = listener("HTTP", 80, 0);
    redirect.redirects_to_https = Some(true);
    let load_balancers = vec![
        load_balancer(
            "shop",
            Application,
            Scheme::InternetFacing,
            vec![redirect, listener("HTTPS", 443, 2)],
        ),
        load_balancer(
            "k8s-payments-apigatew-9f8e7d6c5b",
            Network,
            Scheme::Internal,
            vec![listener("TLS", 8443, 1)],
        ),
        load_balancer(
            "legacy",
            Classic,
            Scheme::InternetFacing,
            vec![listener("HTTPS", 443, 1), listener("SSL", 8443, 1)],
        ),
        load_balancer(
            "old-partner",
            Classic,
            Scheme::InternetFacing,
            vec![listener("HTTPS", 443, 1)],
        ),
    ];
    let policies = vec![
        vec![
            policy(
                None,
                Some("redirects to HTTPS"),
                PolicyStatus::NotApplicable,
            ),
            known("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", None),
        ],
        vec![known("ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09", None)],
        vec![
            known(
                "ELBSecurityPolicy-2016-08",
                Some("default (no policy attached)"),
            ),
            known(
                "legacy-tls",
                Some("reference ELBSecurityPolicy-TLS-1-2-2017-01"),
            ),
        ],
        vec![policy(
            Some("partner-2014"),
            Some("custom (based on ELBSecurityPolicy-2014-01)"),
            PolicyStatus::PolicyUnknown,
        )],
    ];
    InventoryReport {
        inventory: Inventory {
            scopes: vec![Scope {
                account: ACCOUNT.to_string(),
                region: REGION.to_string(),
            }],
            load_balancers,
            outside_part: Vec::new(),
            failures: vec![ScopeFailure {
                account: ACCOUNT.to_string(),
                region: Some("ap-southeast-2".to_string()),
                resource: None,
                reason: FailureReason::RegionNotEnabled,
                message: "ap-southeast-2 is an opt-in region that is not enabled for this account \
                          (enable it in the account settings, or leave it out of --region)"
                    .to_string(),
            }],
            notes: Vec::new(),
        },
        policies,
    }
}

fn rendered(width: usize) -> String {
    let mut out = Vec::new();
    table::render(&report(), &Layout::plain(width), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn too_long(text: &str, width: usize) -> Vec<&str> {
    text.lines().filter(|l| l.chars().count() > width).collect()
}

#[test]
fn at_100_columns_every_row_is_one_line_and_no_line_is_longer() {
    let text = rendered(100);
    assert_eq!(too_long(&text, 100), Vec::<&str>::new(), "\n{text}");
    let report = report();
    for (lb, listener, _) in report.rows() {
        let rows = text
            .lines()
            .filter(|l| {
                l.starts_with(&format!("{} ", lb.name))
                    && l.contains(&format!(" {}:{} ", listener.protocol, listener.port))
            })
            .count();
        assert_eq!(rows, 1, "{} {}\n{text}", lb.name, listener.port);
    }
    // The account and region are the heading; type and scheme vary, so they are columns.
    assert!(
        text.starts_with("Account 123456789012 · Region eu-west-1\n"),
        "{text}"
    );
    // How each Classic policy is declared is a note; an unresolved one says so there.
    assert!(
        text.contains("[1] default (no policy attached)\n"),
        "{text}"
    );
    assert!(
        text.contains("[3] custom (based on ELBSecurityPolicy-2014-01), policy-unknown\n"),
        "{text}"
    );
}

#[test]
fn at_80_columns() {
    let text = rendered(80);
    assert_eq!(too_long(&text, 80), Vec::<&str>::new(), "\n{text}");
    insta::assert_snapshot!("inventory_table_80", text);
}

#[test]
fn at_200_columns() {
    let text = rendered(200);
    // Room for every name in full.
    assert!(!text.contains('…'), "{text}");
    insta::assert_snapshot!("inventory_table_200", text);
}
