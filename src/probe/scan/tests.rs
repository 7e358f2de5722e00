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
    /// higher version (in its own order).
    version_fallback: bool,
    /// OpenSSL's behaviour under TLS ≤ 1.2: an ECDSA suite only when the client offers the
    /// curve of the ECDSA certificate (this one).
    ecdsa_curve: Option<NamedGroup>,
    /// Each answer takes this long (on the test's paused clock: round trips are counted, not
    /// timed).
    round_trip: Option<std::time::Duration>,
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
            ecdsa_curve: None,
            round_trip: None,
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
        let curve_ok = |s: &CipherSuite| {
            let info = s.info().unwrap();
            let has_curve = || self.tls12_groups.iter().any(|g| offer.groups.contains(g));
            let ecdsa_ok = || {
                info.required_certificate() != RequiredCertificate::Ec
                    || self.ecdsa_curve.is_none_or(|c| offer.groups.contains(&c))
            };
            version == ProtocolVersion::TLSV1_3
                || ((info.kx != crate::tls::KeyExchange::Ecdhe || has_curve()) && ecdsa_ok())
        };
        let usable = |s: &CipherSuite| {
            self.suites.contains(s)
                && s.info().is_some_and(|i| i.usable_with(version))
                && curve_ok(s)
        };
        let suite = if self.server_order {
            self.suites
                .iter()
                .copied()
                .find(|s| offer.suites.contains(s) && usable(s))
        } else {
            offer.suites.iter().copied().find(|s| usable(s))
        };
        // s2n-tls settles for such a suite in its own order.
        let fallback = || {
            self.suites
                .iter()
                .copied()
                .find(|s| self.version_fallback && offer.suites.contains(s) && curve_ok(s))
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
        let leaf = match suite.info().unwrap().required_certificate() {
            RequiredCertificate::Ec => ECDSA_P256_LEAF,
            _ => RSA_LEAF,
        };
        Answer::Hello {
            version,
            suite,
            group: group.filter(|_| offer.read_flight),
            certificates: if offer.read_flight {
                vec![leaf.to_vec()]
            } else {
                vec![]
            },
        }
    }
}

const RSA_LEAF: &[u8] = include_bytes!("../testdata/rsa2048_leaf.der");
const ECDSA_P256_LEAF: &[u8] = include_bytes!("../testdata/ecdsa_p256_leaf.der");

impl Handshaker for ModelServer {
    async fn handshake(&self, offer: Offer) -> Answer {
        if let Some(round_trip) = self.round_trip {
            tokio::time::sleep(round_trip).await;
        }
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
    let result = scan(Arc::clone(&server), Guide::default()).await;
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
    // Without a guess. 5 version offers, each also the first suite and group of its version.
    // Then per round and version the next suite (offered with every group, so that a refusal
    // proves none is left) and the next group (offered with accepted suites; under TLS 1.3 in
    // reverse order, so the answers also settle the server order), until each is refused.
    // TLS 1.3: two more suites and groups, two refusals; TLS 1.2: three more suites and a
    // refusal, one more curve and a refusal.
    let expected = 5 + (2 + 2 + 2) + (3 + 1 + 1 + 1);
    assert_eq!(server.handshakes.load(Ordering::SeqCst), expected);
}

fn suites(names: &[&str]) -> Vec<CipherSuite> {
    names
        .iter()
        .map(|n| CipherSuite::from_name(n).unwrap())
        .collect()
}

/// A guide of one profile: `versions`, `order` (all versions mixed, as a policy lists them),
/// `groups`; `trusted` as for a declared policy.
fn guide(
    versions: &[ProtocolVersion],
    order: &[&str],
    groups: &[NamedGroup],
    trusted: bool,
) -> Guide {
    Guide::new(
        vec![Profile::from_policy(versions, &suites(order), groups)],
        usize::from(trusted),
    )
}

/// Everything a scan reports that must not depend on how it got there.
fn outcome(result: &ScanResult) -> (Vec<ProtocolObservation>, GroupObservation, Vec<String>) {
    (
        result.protocols.clone(),
        result.groups.clone(),
        result.warnings.clone(),
    )
}

async fn run(server: ModelServer, guide: Guide) -> (ScanResult, u32) {
    let server = Arc::new(server);
    let result = scan(Arc::clone(&server), guide).await;
    (result, server.handshakes.load(Ordering::SeqCst))
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
    let mut reversed = order.to_vec();
    reversed.reverse();
    // The right order (with ECDSA suites the RSA-only server never picks mixed in), the
    // reversed order, and none; trusted or not; right groups, wrong groups.
    let mut mixed = vec!["ECDHE-ECDSA-AES128-GCM-SHA256"];
    mixed.extend(order);
    let tls12 = [ProtocolVersion::TLSV1_2];
    let right = [NamedGroup::SECP256R1, NamedGroup::SECP384R1];
    let wrong = [
        NamedGroup::SECP384R1,
        NamedGroup::X25519,
        NamedGroup::SECP256R1,
    ];
    let (plain, _) = run(ModelServer::new(&tls12, &order), Guide::default()).await;
    assert_eq!(names(&plain.protocols[3].ciphers), order);
    assert_eq!(plain.protocols[3].server_order, Some(true));
    assert_eq!(plain.groups.tls12, Some(right.to_vec()));
    for hint in [&mixed[..], &reversed[..], &[]] {
        for groups in [&right[..], &wrong[..]] {
            for trusted in [false, true] {
                let guide = guide(&tls12, hint, groups, trusted);
                let (result, _) = run(ModelServer::new(&tls12, &order), guide).await;
                assert_eq!(
                    outcome(&result),
                    outcome(&plain),
                    "hint {hint:?}, groups {groups:?}, trusted {trusted}"
                );
            }
        }
    }
}

#[tokio::test(start_paused = true)]
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
    // ECDSA suites the RSA-only server never picks, as a policy's hint has them, and suites
    // valid for TLS 1.0 that it does not accept at all (a typical ELB order's 3DES, DHE).
    let mut hint = vec!["ECDHE-ECDSA-AES128-SHA"];
    hint.extend(order);
    hint.extend(["DES-CBC3-SHA", "DHE-RSA-AES128-SHA", "DHE-RSA-AES256-SHA"]);
    let tls10 = [ProtocolVersion::TLSV1_0];
    let server = || {
        let mut server = ModelServer::new(&tls10, &order);
        server.version_fallback = true;
        server
    };
    let (plain, plain_handshakes) = run(server(), Guide::default()).await;
    let (hinted, hinted_handshakes) = run(server(), guide(&tls10, &hint, &[], false)).await;
    let (right, right_handshakes, right_rounds) =
        rounds(server(), guide(&tls10, &order, &[], true)).await;
    assert_eq!(plain.protocols[1].ciphers.len(), order.len());
    assert_eq!(outcome(&hinted), outcome(&plain));
    assert_eq!(outcome(&right), outcome(&plain));
    assert_eq!(
        names(&hinted.protocols[1].beyond_version()).len(),
        8,
        "{:?}",
        names(&hinted.protocols[1].ciphers)
    );
    // The least: 5 version offers, 11 more suites, one refusal; curves: P-256 came with the
    // version offer, P-384 and a refusal.
    let least = 5 + 11 + 1 + 2;
    assert_eq!(plain_handshakes, least, "plain");
    // The hint's three suites the server does not take cost an offer each (the first round
    // after the version offers guesses 16 ahead, as far as a 2016-08 chain is long).
    assert!(
        hinted_handshakes <= least + 3,
        "{hinted_handshakes} handshakes with the hint, least {least}"
    );
    // With the policy: the version offers; the valid suites and the first fallback one; every
    // other fallback suite (in the policy's order, as s2n-tls takes them).
    assert_eq!(
        (right_handshakes, right_rounds),
        (least, 3),
        "with the right order"
    );
}

/// ELBSecurityPolicy-TLS13-1-2-2021-06 as nginx serves it.
const TLS13_1_2_2021_06: [&str; 11] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
];

const NGINX_GROUPS: [NamedGroup; 4] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
];

/// nginx serving TLS13-1-2-2021-06 with an RSA certificate, or an RSA and an ECDSA P-256 one.
fn tls13_1_2_server(dual: bool) -> ModelServer {
    let served: Vec<&str> = TLS13_1_2_2021_06
        .iter()
        .copied()
        .filter(|n| dual || !n.contains("ECDSA"))
        .collect();
    let mut server = ModelServer::new(
        &[ProtocolVersion::TLSV1_2, ProtocolVersion::TLSV1_3],
        &served,
    );
    server.tls13_groups = NGINX_GROUPS.to_vec();
    server.tls12_groups = NGINX_GROUPS.to_vec();
    server.ecdsa_curve = dual.then_some(NamedGroup::SECP256R1);
    server
}

#[tokio::test]
async fn a_right_guess_costs_two_or_three_offers_over_the_floor_on_a_tls13_policy() {
    let versions = [ProtocolVersion::TLSV1_2, ProtocolVersion::TLSV1_3];
    for dual in [false, true] {
        let (plain, plain_handshakes) = run(tls13_1_2_server(dual), Guide::default()).await;
        let tls12 = if dual { 8 } else { 4 };
        assert_eq!(plain.protocols[3].ciphers.len(), tls12);
        assert_eq!(names(&plain.protocols[4].ciphers), TLS13);
        assert_eq!(plain.protocols[4].server_order, Some(true));
        assert_eq!(plain.groups.tls13, Some(NGINX_GROUPS.to_vec()));
        assert_eq!(plain.groups.tls12, Some(NGINX_GROUPS.to_vec()));
        // The floor: every accepted suite, a refusal per accepted version, a refusal per other.
        let floor = 3 + tls12 as u32 + 2 + 3;
        for trusted in [false, true] {
            let guide = guide(&versions, &TLS13_1_2_2021_06, &NGINX_GROUPS, trusted);
            let (result, handshakes) = run(tls13_1_2_server(dual), guide).await;
            assert_eq!(
                outcome(&result),
                outcome(&plain),
                "dual {dual}, trusted {trusted}"
            );
            // Beyond the floor: TLS 1.3 needs one answer more than its suites (four groups,
            // three suites) and a second refusal (groups); TLS 1.2 a second refusal, and with
            // the ECDSA certificate on P-256 — the server's second curve — every curve after it
            // in an offer of its own (offered without P-256, the server skips its ECDSA suites).
            let extra = if dual { 2 + 3 } else { 2 + 1 };
            assert_eq!(
                handshakes,
                floor + extra,
                "dual {dual}, trusted {trusted} ({plain_handshakes} without a guess)"
            );
            assert!(handshakes < plain_handshakes);
        }
    }
}

/// Handshakes and round trips of a scan of `server` along `guide`, on a paused clock.
async fn rounds(mut server: ModelServer, guide: Guide) -> (ScanResult, u32, u128) {
    const ROUND_TRIP: std::time::Duration = std::time::Duration::from_millis(100);
    server.round_trip = Some(ROUND_TRIP);
    let started = tokio::time::Instant::now();
    let (result, handshakes) = run(server, guide).await;
    (
        result,
        handshakes,
        started.elapsed().as_millis() / ROUND_TRIP.as_millis(),
    )
}

#[tokio::test(start_paused = true)]
async fn a_right_guess_takes_two_round_trips_and_what_a_sibling_showed_one() {
    let versions = [ProtocolVersion::TLSV1_2, ProtocolVersion::TLSV1_3];
    let (plain, plain_handshakes, plain_rounds) =
        rounds(tls13_1_2_server(false), Guide::default()).await;
    assert_eq!((plain_handshakes, plain_rounds), (20, 5));
    // The policy, trusted or only likely: the version offers, then everything else at once (a
    // trusted policy's TLS 1.3 offers already go with the version offers).
    for trusted in [false, true] {
        let guide = guide(&versions, &TLS13_1_2_2021_06, &NGINX_GROUPS, trusted);
        let (result, handshakes, round_trips) = rounds(tls13_1_2_server(false), guide).await;
        assert_eq!(outcome(&result), outcome(&plain));
        assert_eq!((handshakes, round_trips), (15, 2), "trusted {trusted}");
    }
    // What a sibling listener showed: every offer in the first round.
    let sibling = Profile::observed(&plain.protocols, &plain.groups);
    let (result, handshakes, round_trips) =
        rounds(tls13_1_2_server(false), Guide::default().led_by(sibling)).await;
    assert_eq!(outcome(&result), outcome(&plain));
    assert_eq!((handshakes, round_trips), (15, 1));
    // A sibling that differs (this server holds an ECDSA certificate too): still exact.
    let (dual, _) = run(tls13_1_2_server(true), Guide::default()).await;
    let sibling = Profile::observed(&plain.protocols, &plain.groups);
    let (result, _, _) = rounds(tls13_1_2_server(true), Guide::default().led_by(sibling)).await;
    assert_eq!(outcome(&result), outcome(&dual));
}

#[tokio::test]
async fn ecdsa_suites_the_server_skipped_for_want_of_their_curve_are_found_in_order() {
    // OpenSSL offers an ECDSA suite only with its certificate's curve. The RSA suites come first
    // here, so the ECDSA certificate is not seen before the curve enumeration has left P-256 out;
    // the ECDSA suites the server then skipped must still be found in their place.
    let order = [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-SHA384",
    ];
    let groups = [
        NamedGroup::X25519,
        NamedGroup::SECP256R1,
        NamedGroup::SECP384R1,
    ];
    let server = || {
        let mut server = ModelServer::new(&[ProtocolVersion::TLSV1_2], &order);
        server.tls12_groups = groups.to_vec();
        server.ecdsa_curve = Some(NamedGroup::SECP256R1);
        server
    };
    // A guess without the ECDSA suites narrows the curves right away.
    let rsa_only: Vec<&str> = order
        .iter()
        .copied()
        .filter(|n| !n.contains("ECDSA"))
        .collect();
    let tls12 = [ProtocolVersion::TLSV1_2];
    for guide in [
        Guide::default(),
        guide(&tls12, &rsa_only, &groups, true),
        guide(&tls12, &order, &groups, true),
    ] {
        let (result, _) = run(server(), guide).await;
        assert_eq!(names(&result.protocols[3].ciphers), order);
        assert_eq!(result.protocols[3].server_order, Some(true));
        assert!(result.protocols[3].complete);
        assert_eq!(result.groups.tls12, Some(groups.to_vec()));
        assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    }
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
    let result = scan(Arc::new(server), Guide::default()).await;
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
    let result = scan(Arc::new(server), Guide::default()).await;
    assert_eq!(result.unreachable.as_deref(), Some("connection refused"));
    assert!(result.protocols.is_empty());
}

#[tokio::test]
async fn an_endpoint_that_sends_garbage_is_not_tls() {
    let mut server = ModelServer::new(&[ProtocolVersion::TLSV1_2], &["AES128-SHA"]);
    server.failure = Some(Failure::Garbage("plain HTTP: `HTTP/1.1 400`".into()));
    let result = scan(Arc::new(server), Guide::default()).await;
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
    let result = scan(Arc::new(server), Guide::default()).await;
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

#[tokio::test(start_paused = true)]
async fn a_policy_in_two_orders_is_guessed_along_only_as_far_as_they_agree() {
    // ELBSecurityPolicy-2016-08: s2n-tls serves ECDHE-ECDSA-AES256-SHA before
    // ECDHE-RSA-AES256-SHA, the published list (and an OpenSSL server configured from it) the
    // other way round. Guessing along either order past that point wastes the offers beyond it.
    let published = [
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-RSA-AES256-SHA",
        "ECDHE-ECDSA-AES256-SHA",
        "AES128-SHA",
        "AES256-SHA",
    ];
    let mut served = published;
    served.swap(2, 3);
    let tls12 = [ProtocolVersion::TLSV1_2];
    let profile = |order: &[&str]| Profile::from_policy(&tls12, &suites(order), &[]);
    let server = || ModelServer::new(&tls12, &published);
    let (plain, _) = run(server(), Guide::default()).await;
    for trusted in [0, 2] {
        let guide = Guide::new(
            vec![
                profile(&served).named("2016-08"),
                profile(&published).named("2016-08"),
            ],
            trusted,
        );
        let (result, handshakes, round_trips) = rounds(server(), guide).await;
        assert_eq!(outcome(&result), outcome(&plain));
        // Nothing wasted: 5 version offers (the first suite, and P-256); then the suite both
        // orders agree on and, unguessed, the one after it; then the rest and a refusal. Curves:
        // P-384 and a refusal.
        assert_eq!(
            (handshakes, round_trips),
            (5 + 5 + 1 + 2, 3),
            "trusted {trusted}"
        );
    }
}
