//! What to do about each finding code: advice, and the commands that apply it. One place for the
//! text that SARIF's `help`, the README's "Finding codes" section and any other reader show, so
//! the remediation a dashboard links to is the one the tool ships with.

use super::FindingCode;

/// What to do about the findings of one code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remediation {
    /// What to change, in one to three sentences (Markdown code spans for names, flags and
    /// commands; nothing else of Markdown).
    pub advice: &'static str,
    /// The commands that make the change, when there are ready-made ones.
    pub commands: Option<Commands>,
}

/// Ready-made commands, shared by several codes. Capitalised words (`LISTENER-ARN`, `POLICY`,
/// `LB-NAME`, `PORT` …) are placeholders: a finding's message names its listener and, for baseline
/// findings, a policy that meets the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Commands {
    /// Attach a security policy to a listener: ALB/NLB, then Classic.
    SetPolicy,
    /// Attach a security policy to an ALB or NLB listener (Classic load balancers have no such
    /// policy: the service has to move).
    SetElbv2Policy,
    /// Attach another certificate to a listener.
    ReplaceCertificate,
    /// Make an HTTP listener redirect to HTTPS.
    RedirectToHttps,
    /// Probe the listener again, alone.
    ProbeAgain,
    /// Compare the catalogue with the region's API.
    CheckCatalogue,
    /// Find the clients that fail, from the load balancer's access logs.
    FindFailingClients,
}

impl Commands {
    /// Every set, in the order the README lists them.
    pub const ALL: [Self; 7] = [
        Self::SetPolicy,
        Self::SetElbv2Policy,
        Self::ReplaceCertificate,
        Self::RedirectToHttps,
        Self::ProbeAgain,
        Self::CheckCatalogue,
        Self::FindFailingClients,
    ];

    /// A heading for the set.
    pub fn title(self) -> &'static str {
        match self {
            Self::SetPolicy => "Set a listener's security policy",
            Self::SetElbv2Policy => "Set an ALB or NLB listener's security policy",
            Self::ReplaceCertificate => "Replace a listener's certificate",
            Self::RedirectToHttps => "Redirect an HTTP listener to HTTPS",
            Self::ProbeAgain => "Probe one listener again",
            Self::CheckCatalogue => "Compare the catalogue with AWS",
            Self::FindFailingClients => "Find the clients that fail",
        }
    }

    /// The commands, one a line, with `#` comment lines saying which load balancers they are for.
    pub fn script(self) -> &'static str {
        match self {
            Self::SetPolicy => {
                "# ALB, NLB\n\
                 aws elbv2 modify-listener --listener-arn LISTENER-ARN --ssl-policy POLICY\n\
                 # Classic: a policy of the load balancer that references the predefined one, then the listener\n\
                 aws elb create-load-balancer-policy --load-balancer-name LB-NAME --policy-name LB-NAME-tls \
                 --policy-type-name SSLNegotiationPolicyType \
                 --policy-attributes AttributeName=Reference-Security-Policy,AttributeValue=POLICY\n\
                 aws elb set-load-balancer-policies-of-listener --load-balancer-name LB-NAME \
                 --load-balancer-port PORT --policy-names LB-NAME-tls"
            }
            Self::SetElbv2Policy => {
                "aws elbv2 modify-listener --listener-arn LISTENER-ARN --ssl-policy POLICY"
            }
            Self::ReplaceCertificate => {
                "# a new ACM certificate (DNS validation); --key-algorithm EC_prime256v1 or EC_secp384r1 for ECDSA\n\
                 aws acm request-certificate --domain-name DOMAIN --validation-method DNS --key-algorithm RSA_2048\n\
                 # ALB, NLB\n\
                 aws elbv2 modify-listener --listener-arn LISTENER-ARN --certificates CertificateArn=CERTIFICATE-ARN\n\
                 # Classic\n\
                 aws elb set-load-balancer-listener-ssl-certificate --load-balancer-name LB-NAME \
                 --load-balancer-port PORT --ssl-certificate-id CERTIFICATE-ARN"
            }
            Self::RedirectToHttps => {
                "aws elbv2 modify-listener --listener-arn LISTENER-ARN --default-actions \
                 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}'"
            }
            Self::ProbeAgain => "elbtls probe DNS-NAME:PORT --policy POLICY",
            Self::CheckCatalogue => "elbtls policies check-api --region REGION",
            Self::FindFailingClients => {
                "# the load balancer's access or connection logs (from S3), then a policy for those clients\n\
                 elbtls client logs ACCESS-LOG.gz --policy POLICY\n\
                 elbtls client check --profile CLIENT --policy POLICY"
            }
        }
    }
}

const REAPPLY: &str = "Re-apply the declared policy so that every node serves it. If the listener \
    still answers differently, something else answers at its address (a proxy, a stale DNS record): \
    compare what its name resolves to with the load balancer's DNS name.";

impl FindingCode {
    /// What to do about findings of this code.
    pub fn remediation(self) -> Remediation {
        use Commands::*;
        let (advice, commands) = match self {
            Self::ProtocolNotInPolicy | Self::CipherNotInPolicy | Self::GroupNotInPolicy => {
                (REAPPLY, Some(SetPolicy))
            }
            Self::DeclaredProtocolNotOffered
            | Self::DeclaredCipherNotOffered
            | Self::DeclaredGroupNotOffered => (
                "Clients that need what is refused fail. Re-apply the declared policy; if the \
                 listener still refuses it, check the catalogue entry against AWS \
                 (`elbtls policies check-api`).",
                Some(SetPolicy),
            ),
            Self::CipherOrderDiffers => (
                "Clients may negotiate a weaker suite than the policy prefers. Re-apply the \
                 declared policy.",
                Some(SetPolicy),
            ),
            Self::NodesDisagree => (
                "A policy change may still be rolling out node by node: audit again with \
                 `--all-addresses` in a few minutes. If the nodes still disagree, re-apply the \
                 policy and look for something in front of some of them.",
                Some(SetPolicy),
            ),
            Self::PolicyUnknown => (
                "Update elbtls, or describe the policy in a TOML file loaded with `--catalogue \
                 DIR`; `elbtls policies check-api` lists what the region's API has and the \
                 catalogue lacks. A Classic policy that could not be read needs \
                 `elasticloadbalancing:DescribeLoadBalancerPolicies`.",
                Some(CheckCatalogue),
            ),
            Self::ProbeFailed => (
                "Audit from a network that reaches the listener (an internal load balancer needs \
                 a runner inside its VPC, or `--resolve HOST:PORT:ADDR`), give a slow listener \
                 more `--timeout` or `--deadline`, or check the configuration only with \
                 `--no-probe`.",
                Some(ProbeAgain),
            ),
            Self::CertificateUnverified => (
                "Probe the listener again; if its certificates still cannot be read, check the \
                 chains attached to it (their size, and every certificate for SNI).",
                Some(ProbeAgain),
            ),
            Self::ProtocolBelowMinimum => (
                "Move the listener to a policy whose oldest protocol is the baseline's \
                 `min_protocol` or newer; the finding names one.",
                Some(SetPolicy),
            ),
            Self::WeakCipherAllowed => (
                "Move the listener to a policy without the banned suites (a `-Res-` policy has \
                 AEAD suites only); the finding names one.",
                Some(SetPolicy),
            ),
            Self::PolicyNotAllowed => (
                "Move the listener to a policy the baseline's `allowed_policies` matches and its \
                 `denied_policies` does not; the finding names one.",
                Some(SetPolicy),
            ),
            Self::NoForwardSecrecy => (
                "Move the listener to a policy with forward-secret (ECDHE) suites only, such as \
                 `ELBSecurityPolicy-TLS13-1-2-Res-2021-06`; the finding names one.",
                Some(SetPolicy),
            ),
            Self::NotFips => (
                "Move the listener to a FIPS policy, such as \
                 `ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04` (or `-FIPS-PQ-2025-09` with \
                 post-quantum key exchange). Classic load balancers have none: move the service \
                 to an ALB or NLB.",
                Some(SetElbv2Policy),
            ),
            Self::NoPostQuantum => (
                "Move the listener to a post-quantum policy, such as \
                 `ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09`. Classic load balancers have none: \
                 move the service to an ALB or NLB.",
                Some(SetElbv2Policy),
            ),
            Self::CertificateExpired => (
                "Clients refuse the listener now. Attach a valid certificate: ACM renews the \
                 certificates it issued while their validation records stay in place; an \
                 imported certificate has to be imported again.",
                Some(ReplaceCertificate),
            ),
            Self::CertificateExpiring => (
                "Renew or replace the certificate before it expires; for an ACM certificate, \
                 `aws acm describe-certificate` says why automatic renewal has not happened yet.",
                Some(ReplaceCertificate),
            ),
            Self::CertificateKeyTooSmall => (
                "Issue a certificate with a key of at least the baseline's `min_rsa_bits` or \
                 `min_ec_bits` and attach it to the listener.",
                Some(ReplaceCertificate),
            ),
            Self::PlaintextListener => (
                "Make the HTTP listener's default action a redirect to HTTPS, or remove the \
                 listener.",
                Some(RedirectToHttps),
            ),
            Self::NegotiationErrors => (
                "Find which clients fail and why from the load balancer's access logs, then \
                 upgrade them or choose a policy that serves them.",
                Some(FindFailingClients),
            ),
        };
        Remediation { advice, commands }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_advice_and_every_command_set_is_used() {
        for code in FindingCode::ALL {
            let advice = code.remediation().advice;
            assert!(advice.ends_with('.'), "{code}: {advice}");
            assert_eq!(advice.matches('`').count() % 2, 0, "{code}: unbalanced `");
        }
        for commands in Commands::ALL {
            assert!(
                FindingCode::ALL
                    .iter()
                    .any(|c| c.remediation().commands == Some(commands)),
                "{commands:?} is offered for no code"
            );
        }
    }

    #[test]
    fn drift_codes_reapply_the_policy_on_both_apis() {
        let script = FindingCode::CipherNotInPolicy
            .remediation()
            .commands
            .unwrap()
            .script();
        assert!(
            script.contains(
                "aws elbv2 modify-listener --listener-arn LISTENER-ARN --ssl-policy POLICY"
            )
        );
        assert!(script.contains("aws elb set-load-balancer-policies-of-listener"));
    }

    #[test]
    fn scripts_are_commands_and_comments_only() {
        for commands in Commands::ALL {
            for line in commands.script().lines() {
                assert!(
                    line.starts_with("# ")
                        || line.starts_with("aws ")
                        || line.starts_with("elbtls "),
                    "{commands:?}: {line}"
                );
                assert!(!line.contains("  "), "{commands:?}: double space in {line}");
            }
        }
    }
}
