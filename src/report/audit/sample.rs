//! A hand-built audit report for the renderers' unit tests: one listener of each verdict, one
//! listener that does not terminate TLS, one scope failure and a diff. Messages carry commas,
//! quotes, newlines and markup so that every format's escaping is exercised.

use super::{
    AuditReport, ChangeKind, ChangedFinding, DiffSummary, LeafCertificate, ListenerChange,
    ListenerResult, ProbeStatus,
};
use crate::finding::{Finding, FindingCode, Verdict};
use crate::model::LoadBalancerType;
use crate::model::inventory::{FailureReason, Scheme, ScopeFailure};

pub(super) const ALB_HTTPS: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web-prod/50dc6c495c0c9188/f2f7dc8efc522ab2";
pub(super) const ALB_HTTP: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web-prod/50dc6c495c0c9188/0467ef3c8400ae65";
pub(super) const NLB_TLS: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/api-nlb/73e2d6bc24d8a067/9a1a4b3c2d1e0f00";
pub(super) const CLASSIC_SSL: &str = "classic:123456789012:us-east-1:legacy-elb:443";
pub(super) const INTERNAL_HTTPS: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/internal-app/1a2b3c4d5e6f7a8b/8b7a6f5e4d3c2b1a";

#[allow(clippy::too_many_arguments)]
fn listener(
    id: &str,
    region: &str,
    load_balancer: &str,
    lb_type: LoadBalancerType,
    port: u16,
    protocol: &str,
    declared_policy: Option<&str>,
    findings: Vec<Finding>,
    probe: ProbeStatus,
) -> ListenerResult {
    ListenerResult {
        id: id.to_string(),
        account: "123456789012".to_string(),
        region: region.to_string(),
        load_balancer: load_balancer.to_string(),
        lb_type,
        scheme: if load_balancer.starts_with("internal") {
            Scheme::Internal
        } else {
            Scheme::InternetFacing
        },
        dns_name: Some(format!(
            "{load_balancer}-1234567890.{region}.elb.amazonaws.com"
        )),
        port,
        protocol: protocol.to_string(),
        declared_policy: declared_policy.map(str::to_string),
        declared_policy_name: declared_policy.map(|p| p.split(' ').next().unwrap_or(p).to_string()),
        declared_policy_origin: declared_policy.map(|_| "listener".to_string()),
        verdict: Verdict::of(&findings),
        findings,
        probe,
        negotiation_errors: None,
    }
}

fn probed(protocols: &[&str], connections: u32) -> ProbeStatus {
    ProbeStatus::Probed {
        protocols: protocols.iter().map(|p| p.to_string()).collect(),
        ciphers: protocols
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    vec!["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".to_string()],
                )
            })
            .collect(),
        certificates: vec!["5f1b".repeat(16)],
        leaf_certificates: vec![LeafCertificate {
            sha256: "5f1b".repeat(16),
            subject: "CN=www.example.com, O=Example <Corp> & \"Sons\"".to_string(),
            not_after: "2025-02-26T23:59:59Z".to_string(),
            not_after_unix: 1_740_614_399,
        }],
        connections,
    }
}

/// The report every renderer test starts from.
pub(super) fn report() -> AuditReport {
    let drift = vec![
        Finding::new(
            FindingCode::ProtocolNotInPolicy,
            "TLSv1",
            "api-nlb TLS:8443 accepts TLSv1, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not enable: \
             re-apply the policy.",
        ),
        Finding::new(
            FindingCode::CipherNotInPolicy,
            "ECDHE-RSA-AES128-SHA",
            "api-nlb TLS:8443 accepts \"ECDHE-RSA-AES128-SHA\", a CBC suite <not in the policy> & \
             not declared,\nso the account's word is wrong.",
        ),
    ];
    let baseline = vec![Finding::new(
        FindingCode::WeakCipherAllowed,
        "CBC",
        "legacy-elb SSL:443 enables CBC suites, which the baseline `modern` bans: move to \
         ELBSecurityPolicy-TLS-1-2-2017-01.",
    )];
    let unverified = vec![Finding::new(
        FindingCode::ProbeFailed,
        "timeout",
        "internal-app HTTPS:443 could not be probed: no answer within 5s (an internal load \
         balancer is not reachable from here); run from inside the VPC or pass --resolve.",
    )];
    AuditReport {
        generated_at: "2025-01-15T03:00:00Z".to_string(),
        tool_version: "0.1.0".to_string(),
        baseline: Some("modern".to_string()),
        probed: true,
        listeners: vec![
            listener(
                INTERNAL_HTTPS,
                "eu-west-1",
                "internal-app",
                LoadBalancerType::Application,
                443,
                "HTTPS",
                Some("ELBSecurityPolicy-2016-08"),
                unverified,
                ProbeStatus::Failed,
            ),
            listener(
                NLB_TLS,
                "us-east-1",
                "api-nlb",
                LoadBalancerType::Network,
                8443,
                "TLS",
                Some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
                drift,
                probed(&["TLSv1", "TLSv1.2", "TLSv1.3"], 31),
            ),
            listener(
                CLASSIC_SSL,
                "us-east-1",
                "legacy-elb",
                LoadBalancerType::Classic,
                443,
                "SSL",
                Some("ELBSecurityPolicy-2016-08 (Classic default)"),
                baseline,
                probed(&["TLSv1", "TLSv1.1", "TLSv1.2"], 40),
            ),
            listener(
                ALB_HTTP,
                "us-east-1",
                "web-prod",
                LoadBalancerType::Application,
                80,
                "HTTP",
                None,
                Vec::new(),
                ProbeStatus::Skipped,
            ),
            listener(
                ALB_HTTPS,
                "us-east-1",
                "web-prod",
                LoadBalancerType::Application,
                443,
                "HTTPS",
                Some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
                Vec::new(),
                probed(&["TLSv1.2", "TLSv1.3"], 14),
            ),
        ],
        failures: vec![ScopeFailure {
            account: "210987654321".to_string(),
            region: Some("ap-southeast-2".to_string()),
            resource: None,
            reason: FailureReason::AccessDenied,
            message: "User: arn:aws:sts::210987654321:assumed-role/audit/elbtls is not authorized \
                      to perform: elasticloadbalancing:DescribeLoadBalancers"
                .to_string(),
        }],
        diff: Some(DiffSummary {
            previous: "reports/2025-01-14.json".to_string(),
            new: vec![ChangedFinding {
                listener: NLB_TLS.to_string(),
                code: "cipher-not-in-policy".to_string(),
                subject: "ECDHE-RSA-AES128-SHA".to_string(),
                message: "api-nlb TLS:8443 accepts \"ECDHE-RSA-AES128-SHA\"".to_string(),
                severity: "high".to_string(),
            }],
            resolved: vec![ChangedFinding {
                listener: ALB_HTTPS.to_string(),
                code: "certificate-expiring".to_string(),
                subject: "CN=www.example.com".to_string(),
                message: "web-prod HTTPS:443 presents a certificate that expires in 12 days"
                    .to_string(),
                severity: "medium".to_string(),
            }],
            changes: vec![ListenerChange {
                listener: ALB_HTTPS.to_string(),
                kind: ChangeKind::DeclaredPolicy,
                before: "ELBSecurityPolicy-TLS13-1-2-2021-06".to_string(),
                after: "ELBSecurityPolicy-2016-08".to_string(),
            }],
            first_run: false,
        }),
        negotiation_errors_hours: None,
    }
}
