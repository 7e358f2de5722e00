//! What the AWS inventory found: load balancers, their listeners and the policy each listener
//! declares, per account and region, plus every account/region that could not be read.
//!
//! Pure data. `aws/` fills it from the ELB APIs; nothing here knows an SDK type. Policies are kept
//! as AWS declares them ([`DeclaredPolicy`]); turning a declaration into a catalogue policy is the
//! catalogue's job (`Catalogue::resolve`).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::LoadBalancerType;

/// The policy AWS applies to a Classic `HTTPS`/`SSL` listener that has none attached.
pub const CLASSIC_DEFAULT_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// One account and region that was read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Scope {
    /// The 12-digit account id (or, when it could not be learned, the label the user gave).
    pub account: String,
    /// The region code (`us-east-1`).
    pub region: String,
}

/// Whether a load balancer faces the internet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// `internet-facing`.
    InternetFacing,
    /// `internal`.
    Internal,
    /// The API did not say (moto never does for ELBv2).
    Unknown,
}

impl Scheme {
    /// Parses the API's value; anything else is [`Scheme::Unknown`].
    pub fn from_api(value: Option<&str>) -> Self {
        match value {
            Some("internet-facing") => Self::InternetFacing,
            Some("internal") => Self::Internal,
            _ => Self::Unknown,
        }
    }

    /// `internet-facing`, `internal` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InternetFacing => "internet-facing",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A load balancer and its listeners.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadBalancer {
    /// Where it lives.
    pub scope: Scope,
    /// Its name.
    pub name: String,
    /// The ARN (ELBv2 only; Classic load balancers are known by name).
    pub arn: Option<String>,
    /// From the API's `Type` field (never guessed from the ARN), or Classic.
    pub lb_type: LoadBalancerType,
    /// Internet-facing or internal.
    pub scheme: Scheme,
    /// The DNS name clients resolve.
    pub dns_name: Option<String>,
    /// The ELBv2 state code (`active`, `provisioning`, …); Classic has none.
    pub state: Option<String>,
    /// The VPC, if any.
    pub vpc_id: Option<String>,
    /// Tags, by key.
    pub tags: BTreeMap<String, String>,
    /// Listeners, by port.
    pub listeners: Vec<Listener>,
}

/// FNV-1a (64-bit) of `key` modulo `count`: the part of [`LoadBalancer::shard`].
fn shard_of_key(key: &str, count: u32) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    u32::try_from(hash % u64::from(count.max(1))).unwrap_or(0)
}

/// The part of `count` a listener's load balancer belongs to, from the listener's id alone (see
/// [`LoadBalancer::listener_id`]): a listener ARN names its load balancer's, a Classic id its
/// account, region and name. `None` for an id of neither shape. Lets a part of a run tell which
/// listeners that have since disappeared were its own.
pub fn shard_of_listener_id(listener_id: &str, count: u32) -> Option<u32> {
    let key = if let Some(classic) = listener_id.strip_prefix("classic:") {
        // ACCOUNT:REGION:NAME:PORT -> classic:ACCOUNT:REGION:NAME
        let (lb, port) = classic.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        format!("classic:{lb}")
    } else {
        // arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:listener/TYPE/NAME/LB-ID/LISTENER-ID
        let (prefix, resource) = listener_id.split_once(":listener/")?;
        let (lb, _listener) = resource.rsplit_once('/')?;
        if !prefix.starts_with("arn:") || lb.split('/').count() != 3 {
            return None;
        }
        format!("{prefix}:loadbalancer/{lb}")
    };
    Some(shard_of_key(&key, count))
}

impl LoadBalancer {
    /// Which of `count` parts the load balancer belongs to (`audit --shard`): FNV-1a (64-bit) of
    /// its ARN, or of `classic:ACCOUNT:REGION:NAME`, modulo `count`. Fixed by the identity
    /// alone, so every run and every version puts it in the same part, whatever order AWS lists
    /// load balancers in; all its listeners go together (they share its nodes).
    pub fn shard(&self, count: u32) -> u32 {
        let key = self.arn.clone().unwrap_or_else(|| {
            format!(
                "classic:{}:{}:{}",
                self.scope.account, self.scope.region, self.name
            )
        });
        shard_of_key(&key, count)
    }

    /// A stable identifier of one of its listeners: the listener ARN, or
    /// `classic:ACCOUNT:REGION:NAME:PORT` for a Classic listener (which has no ARN). Reports and
    /// `--diff` match on it; baseline exceptions name it.
    pub fn listener_id(&self, listener: &Listener) -> String {
        listener.arn.clone().unwrap_or_else(|| {
            format!(
                "classic:{}:{}:{}:{}",
                self.scope.account, self.scope.region, self.name, listener.port
            )
        })
    }
}

/// One listener of a load balancer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listener {
    /// The ARN (ELBv2 only).
    pub arn: Option<String>,
    /// The port clients connect to.
    pub port: u16,
    /// The protocol as the API spells it: `HTTPS`, `TLS`, `SSL`, `HTTP`, `TCP`, `UDP`, `GENEVE`, ….
    pub protocol: String,
    /// The security policy the listener declares.
    pub declared: DeclaredPolicy,
    /// Certificates: the default first, then SNI certificates.
    pub certificates: Vec<Certificate>,
    /// The ALPN policy of a TLS (NLB) listener (`HTTP2Preferred`, …).
    pub alpn_policy: Vec<String>,
    /// The mutual-TLS mode of an HTTPS (ALB) listener: `off`, `passthrough` or `verify`.
    pub mutual_tls: Option<String>,
    /// For an `HTTP` listener: whether its default action redirects to HTTPS.
    pub redirects_to_https: Option<bool>,
}

impl Listener {
    /// Whether the load balancer terminates TLS on this listener, so a security policy applies.
    pub fn terminates_tls(&self) -> bool {
        protocol_terminates_tls(&self.protocol)
    }
}

/// Whether a listener protocol (`HTTPS`, `TLS`, `SSL`) carries a security policy.
pub fn protocol_terminates_tls(protocol: &str) -> bool {
    matches!(
        protocol.to_ascii_uppercase().as_str(),
        "HTTPS" | "TLS" | "SSL"
    )
}

/// The security policy a listener declares, as AWS states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DeclaredPolicy {
    /// The listener does not terminate TLS (HTTP, TCP, UDP, GENEVE).
    None,
    /// A predefined policy by name: an ELBv2 `SslPolicy`, or a Classic listener whose policy is a
    /// predefined one attached by name (no attributes returned).
    Named {
        /// The policy name.
        name: String,
    },
    /// A Classic `SSLNegotiationPolicyType` policy as `DescribeLoadBalancerPolicies` returned it:
    /// a `Reference-Security-Policy`, or `Protocol-*`/cipher/`Server-Defined-Cipher-Order` flags.
    ClassicAttributes {
        /// The policy's name on the load balancer.
        name: String,
        /// The attributes, in the order returned (the cipher priority).
        attributes: Vec<(String, String)>,
    },
    /// A Classic TLS listener with no policy attached: AWS applies [`CLASSIC_DEFAULT_POLICY`].
    ClassicDefault,
    /// The listener terminates TLS but its policy could not be read (the failure is also in
    /// [`Inventory::failures`]).
    Unreadable {
        /// The policy name, when known.
        name: Option<String>,
        /// Why it could not be read.
        reason: String,
    },
}

/// Where a certificate is kept, from its ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CertificateSource {
    /// AWS Certificate Manager (`arn:aws:acm:…`).
    Acm,
    /// An IAM server certificate (`arn:aws:iam::…:server-certificate/…`).
    Iam,
    /// Anything else.
    Other,
}

/// A certificate a listener presents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// The certificate ARN.
    pub arn: String,
    /// Whether it is the listener's default certificate (the others are chosen by SNI).
    pub is_default: bool,
    /// ACM or IAM.
    pub source: CertificateSource,
    /// The key algorithm (`RSA-2048`, `EC-prime256v1`), when it could be learned. The inventory
    /// does not call ACM, so this is `None` until a probe reads the certificate itself.
    pub key_algorithm: Option<String>,
}

impl Certificate {
    /// A certificate known by its ARN only.
    pub fn from_arn(arn: impl Into<String>, is_default: bool) -> Self {
        let arn = arn.into();
        let source = if arn.starts_with("arn:aws:acm:") || arn.contains(":acm:") {
            CertificateSource::Acm
        } else if arn.contains(":iam::") {
            CertificateSource::Iam
        } else {
            CertificateSource::Other
        };
        Self {
            arn,
            is_default,
            source,
            key_algorithm: None,
        }
    }
}

/// Why an account, region or load balancer could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureReason {
    /// The credentials are not allowed to make the call (`AccessDenied`, `UnauthorizedOperation`).
    AccessDenied,
    /// The region is an opt-in region that is not enabled for the account.
    RegionNotEnabled,
    /// The credentials are expired or invalid (`ExpiredToken`, `InvalidClientTokenId`).
    InvalidCredentials,
    /// AssumeRole failed.
    AssumeRoleFailed,
    /// The endpoint could not be reached (DNS, connection, timeout).
    Unreachable,
    /// Still throttled after the SDK's retries.
    Throttled,
    /// The service failed (5xx) after retries.
    ServiceError,
    /// The answer could not be believed: cut short, empty, not XML, not an AWS answer, or a
    /// listing that never ends or comes back to a page it already gave.
    InvalidResponse,
    /// The run's filters (`audit --name`, `--tag`, `--type`, `--arn`) selected no listener:
    /// nothing was verified.
    NoMatch,
    /// Anything else.
    Other,
}

impl FailureReason {
    /// The stable kebab-case code (`access-denied`, `region-not-enabled`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::AccessDenied => "access-denied",
            Self::RegionNotEnabled => "region-not-enabled",
            Self::InvalidCredentials => "invalid-credentials",
            Self::AssumeRoleFailed => "assume-role-failed",
            Self::Unreachable => "unreachable",
            Self::Throttled => "throttled",
            Self::ServiceError => "service-error",
            Self::InvalidResponse => "invalid-response",
            Self::NoMatch => "no-match",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for ScopeFailure {
    /// `ACCOUNT REGION[ RESOURCE]: reason: message` (`(all regions)` when the account failed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.account,
            self.region.as_deref().unwrap_or("(all regions)")
        )?;
        if let Some(resource) = &self.resource {
            write!(f, " {resource}")?;
        }
        write!(f, ": {}: {}", self.reason, self.message)
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Something the inventory could not read; the rest of the run went on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScopeFailure {
    /// The account (id, or the role ARN / label when the id is unknown).
    pub account: String,
    /// The region, or `None` when the whole account failed.
    pub region: Option<String>,
    /// The load balancer or listener, when the failure is narrower than a region.
    pub resource: Option<String>,
    /// The class of failure.
    pub reason: FailureReason,
    /// What the API said (never a credential).
    pub message: String,
}

/// Everything one `inventory` run found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// The account/region pairs that were read completely or partly.
    pub scopes: Vec<Scope>,
    /// Every load balancer found, by account, region, type and name.
    pub load_balancers: Vec<LoadBalancer>,
    /// Everything that could not be read.
    pub failures: Vec<ScopeFailure>,
    /// Remarks on how the run was done (for example where the region list came from).
    pub notes: Vec<String>,
    /// With `audit --shard`: the load balancers of the other parts, as listed, their listeners
    /// not read (so that the filters can tell whether they matched anything anywhere).
    #[serde(skip)]
    pub outside_part: Vec<LoadBalancer>,
}

impl Inventory {
    /// Whether everything asked for was read.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// Puts load balancers and failures in a stable order (account, region, type, name).
    pub fn sort(&mut self) {
        self.scopes.sort();
        self.scopes.dedup();
        self.load_balancers.sort_by(|a, b| {
            (&a.scope, a.lb_type, &a.name, &a.arn).cmp(&(&b.scope, b.lb_type, &b.name, &b.arn))
        });
        for lb in &mut self.load_balancers {
            lb.listeners
                .sort_by(|a, b| (a.port, &a.protocol).cmp(&(b.port, &b.protocol)));
        }
        self.failures.sort_by(|a, b| {
            (&a.account, &a.region, &a.resource).cmp(&(&b.account, &b.region, &b.resource))
        });
    }
}

/// Whether a listener's declared policy was found in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyStatus {
    /// The listener does not terminate TLS.
    NotApplicable,
    /// The policy resolved (catalogue entry, or Classic attributes turned into a policy).
    Known,
    /// The listener terminates TLS but its policy is not in the catalogue or could not be read:
    /// kept, and marked `policy-unknown`.
    PolicyUnknown,
}

impl PolicyStatus {
    /// `n/a`, `known`, `policy-unknown`.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotApplicable => "n/a",
            Self::Known => "known",
            Self::PolicyUnknown => "policy-unknown",
        }
    }
}

/// A listener's declared policy, resolved against the catalogue by the command layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResolvedPolicy {
    /// The policy name to show (the Classic default is shown as [`CLASSIC_DEFAULT_POLICY`]).
    pub name: Option<String>,
    /// How the policy is declared: `predefined`, `custom`, `reference NAME`, `default (none
    /// attached)`; for an HTTP listener, `redirects to HTTPS`.
    pub detail: Option<String>,
    /// Found or not.
    pub status: PolicyStatus,
    /// Why the policy is unknown.
    pub reason: Option<String>,
    /// The resolved policy's protocols (AWS spelling, oldest first); empty when unknown.
    pub protocols: Vec<String>,
    /// The resolved policy's cipher count.
    pub cipher_count: Option<usize>,
}

/// An inventory with every listener's policy resolved: what the inventory reports render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryReport {
    /// What AWS returned.
    pub inventory: Inventory,
    /// Per load balancer, per listener (same order as `inventory`), the resolved policy.
    pub policies: Vec<Vec<ResolvedPolicy>>,
}

impl InventoryReport {
    /// Every listener with its load balancer and resolved policy, in inventory order.
    pub fn rows(&self) -> impl Iterator<Item = (&LoadBalancer, &Listener, &ResolvedPolicy)> {
        self.inventory
            .load_balancers
            .iter()
            .zip(&self.policies)
            .flat_map(|(lb, policies)| {
                lb.listeners
                    .iter()
                    .zip(policies)
                    .map(move |(listener, policy)| (lb, listener, policy))
            })
    }
}

/// An ELBv2 policy as `DescribeSSLPolicies` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiSslPolicy {
    /// The policy name.
    pub name: String,
    /// `SslProtocols`, as returned (`TLSv1.2`).
    pub protocols: Vec<String>,
    /// `Ciphers`, sorted by their `Priority` (name, priority).
    pub ciphers: Vec<(String, i32)>,
    /// `SupportedLoadBalancerTypes` (often empty).
    pub load_balancer_types: Vec<String>,
}

/// A Classic predefined policy as `DescribeLoadBalancerPolicies` (without a load balancer name)
/// returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiClassicPolicy {
    /// The policy name.
    pub name: String,
    /// `PolicyTypeName` (`SSLNegotiationPolicyType` for the ones that matter here).
    pub type_name: Option<String>,
    /// The attributes, in the order returned.
    pub attributes: Vec<(String, String)>,
}

/// What `DescribeSSLPolicies` and `DescribeLoadBalancerPolicies` returned in one region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiPolicies {
    /// The region asked.
    pub region: String,
    /// The ELBv2 policies.
    pub elbv2: Vec<ApiSslPolicy>,
    /// The Classic predefined policies, or why they are not available.
    pub classic: Result<Vec<ApiClassicPolicy>, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_tls_and_ssl_listeners_terminate_tls() {
        for p in ["HTTPS", "TLS", "SSL", "https"] {
            assert!(protocol_terminates_tls(p), "{p}");
        }
        for p in ["HTTP", "TCP", "UDP", "TCP_UDP", "GENEVE", "QUIC"] {
            assert!(!protocol_terminates_tls(p), "{p}");
        }
    }

    #[test]
    fn missing_scheme_is_unknown() {
        assert_eq!(Scheme::from_api(None), Scheme::Unknown);
        assert_eq!(Scheme::from_api(Some("internal")), Scheme::Internal);
    }

    #[test]
    fn certificate_source_comes_from_the_arn() {
        let acm = Certificate::from_arn("arn:aws:acm:us-east-1:123456789012:certificate/x", true);
        assert_eq!(acm.source, CertificateSource::Acm);
        let iam = Certificate::from_arn("arn:aws:iam::123456789012:server-certificate/x", false);
        assert_eq!(iam.source, CertificateSource::Iam);
    }
}

#[cfg(test)]
mod shard_tests {
    use super::*;

    fn lb(name: &str, arn: Option<&str>) -> LoadBalancer {
        LoadBalancer {
            scope: Scope {
                account: "111122223333".into(),
                region: "eu-west-1".into(),
            },
            name: name.into(),
            arn: arn.map(str::to_string),
            lb_type: LoadBalancerType::Classic,
            scheme: Scheme::Internal,
            dns_name: None,
            state: None,
            vpc_id: None,
            tags: BTreeMap::new(),
            listeners: Vec::new(),
        }
    }

    /// The part is a function of the identity alone, fixed across versions (FNV-1a of the key:
    /// changing it would move load balancers between the parts of a running deployment).
    #[test]
    fn a_load_balancer_always_lands_in_the_same_part() {
        let classic = lb("legacy", None);
        // FNV-1a 64 of "classic:111122223333:eu-west-1:legacy".
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in b"classic:111122223333:eu-west-1:legacy" {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        assert_eq!(u64::from(classic.shard(7)), hash % 7);
        assert_eq!(classic.shard(1), 0);
        // 1,000 load balancers over 4 parts: each part gets a fair share.
        let mut parts = [0_u32; 4];
        for i in 0..1000 {
            let arn = format!(
                "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/lb-{i}/{i:016x}"
            );
            parts[lb("x", Some(&arn)).shard(4) as usize] += 1;
        }
        assert!(parts.iter().all(|n| (200..=300).contains(n)), "{parts:?}");
    }

    /// A listener that has disappeared is still known to be a part's own, from its id alone.
    #[test]
    fn a_listener_id_names_its_load_balancers_part() {
        for i in 0..200 {
            let lb_arn = format!(
                "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/lb-{i}/{i:016x}"
            );
            let listener = format!(
                "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/lb-{i}/{i:016x}/{:016x}",
                i * 7
            );
            let alb = lb("x", Some(&lb_arn));
            assert_eq!(shard_of_listener_id(&listener, 5), Some(alb.shard(5)));
            let classic = lb(&format!("legacy-{i}"), None);
            // What `listener_id` makes of a Classic listener on port 443.
            let id = format!("classic:111122223333:eu-west-1:legacy-{i}:443");
            assert_eq!(shard_of_listener_id(&id, 5), Some(classic.shard(5)), "{id}");
        }
        for odd in [
            "",
            "classic:111122223333:eu-west-1:legacy",
            "classic:111122223333:eu-west-1:legacy:https",
            "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/lb/abc",
            "i-0123456789",
        ] {
            assert_eq!(shard_of_listener_id(odd, 5), None, "{odd}");
        }
    }
}
