//! The enumeration against a model server: versions, suites, order, groups, speculation, faults.

use std::sync::atomic::{AtomicU32, Ordering};

use super::*;

/// A server modelled as a policy would configure it: what it accepts and how it chooses.
struct ModelServer {
    versions: Vec<ProtocolVersion>,
    suites: Vec<CipherSuite>,
    server_order: bool,
    tls13_groups: Vec<NamedGroup>,
    tls12_groups: Vec<NamedGroup>,
    /// Answer every handshake after this many with a failure.
    fail_after: Option<u32>,
    failure: Option<Failure>,
    /// s2n-tls's behaviour: offered no suite valid for the version, settle for one that needs a
    /// higher version.
    version_fallback: bool,
    handshakes: AtomicU32,
}

impl ModelServer {
    fn new(versions: &[ProtocolVersion], suites: &[&str]) -> Self {
        Self {
            versions: versions.to_vec(),
            suites: suites
                .iter()
                .map(|n| CipherSuite::from_name(n).unwrap())
                .collect(),
            server_order: true,
            tls13_groups: vec![
                NamedGroup::X25519,
                NamedGroup::SECP256R1,
                NamedGroup::SECP384R1,
            ],
            tls12_groups: vec![NamedGroup::SECP256R1, NamedGroup::SECP384R1],
            fail_after: None,
            failure: None,
            version_fallback: false,
            handshakes: AtomicU32::new(0),
        }
    }

    fn answer(&self, offer: &Offer) -> Answer {
        let n = self.handshakes.fetch_add(1, Ordering::SeqCst);
        if let Some(failure) = &self.failure {
            return Answer::Failed(failure.clone());
        }
        if self.fail_after.is_some_and(|limit| n >= limit) {
            return Answer::Failed(Failure::Timeout("no answer in 5 s".into()));
        }
        let version = if offer.version == ProtocolVersion::TLSV1_3
            && self.versions.contains(&ProtocolVersion::TLSV1_3)
        {
            ProtocolVersion::TLSV1_3
        } else {
            let ceiling = offer.version.min(ProtocolVersion::TLSV1_2);
            match self.versions.iter().filter(|v| **v <= ceiling).max() {
                Some(v) => *v,
                None => return Answer::Refused("protocol_version".into()),
            }
        };
        let usable = |s: &CipherSuite| {
            self.suites.contains(s) && s.info().is_some_and(|i| i.usable_with(version))
        };
        let suite = if self.server_order {
            self.suites
                .iter()
                .copied()
                .find(|s| offer.suites.contains(s) && usable(s))
        } else {
            offer.suites.iter().copied().find(|s| usable(s))
        };
        let fallback = || {
            self.suites
                .iter()
                .copied()
                .find(|s| self.version_fallback && offer.suites.contains(s))
        };
        let Some(suite) = suite.or_else(fallback) else {
            return Answer::Refused("handshake_failure".into());
        };
        if version == ProtocolVersion::TLSV1_3 {
            let Some(group) = self
                .tls13_groups
                .iter()
                .copied()
                .find(|g| offer.groups.contains(g))
            else {
                return Answer::Refused("handshake_failure".into());
            };
            if offer.key_shares.contains(&group) {
                return Answer::Hello {
                    version,
                    suite,
                    group: Some(group),
                    certificates: vec![],
                };
            }
            return Answer::Retry {
                suite,
                group: Some(group),
            };
        }
        let group = if suite.info().unwrap().kx == crate::tls::KeyExchange::Ecdhe {
            match self
                .tls12_groups
                .iter()
                .copied()
                .find(|g| offer.groups.contains(g))
            {
                Some(g) => Some(g),
                None => return Answer::Refused("handshake_failure".into()),
            }
        } else {
            None
        };
        Answer::Hello {
            version,
            suite,
            group: group.filter(|_| offer.read_flight),
            certificates: if offer.read_flight {
                vec![vec![0x30, 0x00]]
            } else {
                vec![]
            },
        }
    }
}

impl Handshaker for ModelServer {
    async fn handshake(&self, offer: Offer) -> Answer {
        self.answer(&offer)
    }
}

const TLS13: [&str; 3] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

fn names(suites: &[CipherSuite]) -> Vec<String> {
    suites.iter().map(ToString::to_string).collect()
}

#[tokio::test]
async fn enumerates_versions_suites_order_and_groups_of_a_tls13_policy_server() {
    let mut suites = TLS13.to_vec();
    suites.extend([
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-SHA384",
    ]);
    let server = Arc::new(ModelServer::new(
        &[ProtocolVersion::TLSV1_2, ProtocolVersion::TLSV1_3],
        &suites,
    ));
    let result = scan(Arc::clone(&server), Vec::new()).await;
    assert_eq!(result.unreachable, None);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    let accepted: Vec<ProtocolVersion> = result
        .protocols
        .iter()
        .filter(|p| p.support.is_accepted())
        .map(|p| p.version)
        .collect();
    assert_eq!(
        accepted,
        [ProtocolVersion::TLSV1_2, ProtocolVersion::TLSV1_3]
    );
    assert_eq!(result.protocols.len(), 5);
    let tls12 = &result.protocols[3];
    assert_eq!(names(&tls12.ciphers), &suites[3..]);
    assert_eq!(tls12.server_order, Some(true));
    let tls13 = &result.protocols[4];
    assert_eq!(names(&tls13.ciphers), TLS13);
    assert_eq!(
        result.groups.tls13,
        Some(vec![
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1
        ])
    );
    assert_eq!(
        result.groups.tls12,
        Some(vec![NamedGroup::SECP256R1, NamedGroup::SECP384R1])
    );
    assert!(!result.plaintext_certificates.is_empty());
    // 5 version probes; per accepted version accepted+1 minus the one detection found; one order
    // check for TLS 1.3 only (its suites came in code-point order, TLS 1.2's prove the server
    // order); groups: found+1 each.
    let expected = 5 + 4 + (3 + 1) + (3 + 1) + (2 + 1);
    assert_eq!(server.handshakes.load(Ordering::SeqCst), expected);
}

#[tokio::test]
async fn speculation_along_a_hint_is_exact_whether_the_hint_is_right_or_wrong() {
    let order = [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES128-SHA",
        "AES128-GCM-SHA256",
        "AES128-SHA",
    ];
    let suites = |names: &[&str]| -> Vec<CipherSuite> {
        names
            .iter()
            .map(|n| CipherSuite::from_name(n).unwrap())
            .collect()
    };
    let mut reversed = order.to_vec();
    reversed.reverse();
    // The right order (with ECDSA suites the RSA-only server never picks mixed in), the
    // reversed order, and none.
    let mut mixed = vec!["ECDHE-ECDSA-AES128-GCM-SHA256"];
    mixed.extend(order);
    for hint in [suites(&mixed), suites(&reversed), Vec::new()] {
        let server = Arc::new(ModelServer::new(&[ProtocolVersion::TLSV1_2], &order));
        let result = scan(Arc::clone(&server), hint.clone()).await;
        let tls12 = &result.protocols[3];
        assert_eq!(names(&tls12.ciphers), order, "hint {hint:?}");
        assert_eq!(tls12.server_order, Some(true));
        assert!(tls12.complete);
    }
}

#[tokio::test]
async fn speculation_stops_once_the_server_falls_back_to_suites_of_a_higher_version() {
    // 2016-08-like, RSA: under TLS 1.0 the four CBC-SHA suites, then (s2n-tls's fallback) the
    // TLS 1.2-only ones. The hint's TLS 1.0 guesses are all found first; after that, guessing
    // them again is a wasted offer per fallback suite.
    let order = [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256",
        "AES128-SHA256",
        "AES128-SHA",
        "AES256-GCM-SHA384",
        "AES256-SHA256",
        "AES256-SHA",
    ];
    let mut hint: Vec<CipherSuite> = order
        .iter()
        .map(|n| CipherSuite::from_name(n).unwrap())
        .collect();
    // ECDSA suites the RSA-only server never picks, as a policy's hint has them, and suites
    // valid for TLS 1.0 that it does not accept at all (a typical ELB order's 3DES, DHE).
    hint.insert(0, CipherSuite::from_name("ECDHE-ECDSA-AES128-SHA").unwrap());
    for extra in ["DES-CBC3-SHA", "DHE-RSA-AES128-SHA", "DHE-RSA-AES256-SHA"] {
        hint.push(CipherSuite::from_name(extra).unwrap());
    }
    let run = |hint: Vec<CipherSuite>| async move {
        let mut server = ModelServer::new(&[ProtocolVersion::TLSV1_0], &order);
        server.version_fallback = true;
        let server = Arc::new(server);
        let result = scan(Arc::clone(&server), hint).await;
        let tls10 = result.protocols[1].clone();
        (tls10, server.handshakes.load(Ordering::SeqCst))
    };
    let (plain, plain_handshakes) = run(Vec::new()).await;
    let (hinted, hinted_handshakes) = run(hint).await;
    assert_eq!(plain.ciphers.len(), order.len());
    assert_eq!(hinted.ciphers, plain.ciphers);
    assert_eq!(
        names(&hinted.beyond_version()).len(),
        8,
        "{:?}",
        names(&hinted.ciphers)
    );
    assert!(
        hinted_handshakes <= plain_handshakes + SPECULATION_WIDTH as u32,
        "{hinted_handshakes} handshakes with the hint, {plain_handshakes} without"
    );
}

#[tokio::test]
async fn detects_a_server_that_follows_the_client_order() {
    let mut server = ModelServer::new(
        &[
            ProtocolVersion::TLSV1_0,
            ProtocolVersion::TLSV1_1,
            ProtocolVersion::TLSV1_2,
        ],
        &["AES256-SHA", "AES128-SHA", "DES-CBC3-SHA"],
    );
    server.server_order = false;
    let result = scan(Arc::new(server), Vec::new()).await;
    for p in &result.protocols[1..4] {
        assert!(p.support.is_accepted(), "{:?}", p.version);
        assert_eq!(p.server_order, Some(false));
        // Found in the order offered: code-point order.
        assert_eq!(
            names(&p.ciphers),
            ["DES-CBC3-SHA", "AES128-SHA", "AES256-SHA"]
        );
    }
    assert_eq!(result.protocols[0].support, Support::Rejected);
    assert_eq!(result.protocols[4].support, Support::Rejected);
    assert_eq!(result.groups, GroupObservation::default());
}

#[tokio::test]
async fn an_endpoint_that_refuses_connections_is_unreachable_not_empty() {
    let mut server = ModelServer::new(&[ProtocolVersion::TLSV1_2], &["AES128-SHA"]);
    server.failure = Some(Failure::Connect("connection refused".into()));
    let result = scan(Arc::new(server), Vec::new()).await;
    assert_eq!(result.unreachable.as_deref(), Some("connection refused"));
    assert!(result.protocols.is_empty());
}

#[tokio::test]
async fn an_endpoint_that_sends_garbage_is_not_tls() {
    let mut server = ModelServer::new(&[ProtocolVersion::TLSV1_2], &["AES128-SHA"]);
    server.failure = Some(Failure::Garbage("plain HTTP: `HTTP/1.1 400`".into()));
    let result = scan(Arc::new(server), Vec::new()).await;
    assert_eq!(
        result.not_tls.as_deref(),
        Some("plain HTTP: `HTTP/1.1 400`")
    );
}

#[tokio::test]
async fn a_server_that_stalls_midway_leaves_an_incomplete_version_and_a_warning() {
    let mut server = ModelServer::new(
        &[ProtocolVersion::TLSV1_2],
        &[
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "AES128-SHA",
        ],
    );
    server.fail_after = Some(6);
    let result = scan(Arc::new(server), Vec::new()).await;
    let tls12 = &result.protocols[3];
    assert!(tls12.support.is_accepted());
    assert!(!tls12.complete);
    assert!(
        result.warnings.iter().any(|w| w.contains("broke off")),
        "{:?}",
        result.warnings
    );
}

#[test]
fn candidates_cover_the_registry_without_signalling_values() {
    let tls12 = candidate_suites(ProtocolVersion::TLSV1_2);
    assert!(tls12.len() > 300);
    assert!(!tls12.contains(&CipherSuite::TLS_FALLBACK_SCSV));
    assert!(!tls12.contains(&CipherSuite::TLS_AES_128_GCM_SHA256));
    let tls13 = candidate_suites(ProtocolVersion::TLSV1_3);
    assert!(tls13.contains(&CipherSuite::TLS_AES_128_GCM_SHA256));
    assert!(candidate_groups(ProtocolVersion::TLSV1_3).contains(&NamedGroup::X25519MLKEM768));
    assert!(!candidate_groups(ProtocolVersion::TLSV1_2).contains(&NamedGroup::FFDHE2048));
}
