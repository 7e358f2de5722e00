//! The built-in catalogue: it loads, every name resolves, names and code points are unique, and a
//! sample of policies matches AWS's published contents exactly.

use std::collections::{BTreeSet, HashSet};

use elbtls::catalogue::{Catalogue, CatalogueError, Confidence, Engine, Policy, PolicyKind};
use elbtls::model::LoadBalancerType;
use elbtls::tls::{CipherSuite, NamedGroup, ProtocolVersion};

fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap_or_else(|e| panic!("the built-in catalogue must load: {e}"))
}

fn policy<'c>(catalogue: &'c Catalogue, name: &str, lb: LoadBalancerType) -> &'c Policy {
    catalogue.get(name, lb).unwrap_or_else(|e| panic!("{e}"))
}

fn cipher_names(policy: &Policy) -> Vec<&str> {
    policy.ciphers.iter().map(|c| c.name.as_str()).collect()
}

fn versions(names: &[&str]) -> Vec<ProtocolVersion> {
    names.iter().map(|n| n.parse().unwrap()).collect()
}

fn groups(names: &[&str]) -> Option<Vec<NamedGroup>> {
    Some(
        names
            .iter()
            .map(|n| NamedGroup::from_name(n).unwrap())
            .collect(),
    )
}

#[test]
fn holds_every_policy_of_the_reference_table() {
    let catalogue = catalogue();
    let elbv2 = catalogue
        .policies()
        .iter()
        .chain(catalogue.unpublished())
        .filter(|p| p.kind == PolicyKind::Elbv2)
        .count();
    let classic = catalogue
        .policies()
        .iter()
        .filter(|p| p.kind == PolicyKind::Classic)
        .count();
    // 49 ELBv2 policies (TLS13 7, legacy 6, FS 5, FIPS 8, PQ 6, FIPS-PQ 7, RFC 9151 7, CNSA2 3) and
    // 11 Classic ones (see ../shared/reference/elb-policies.md).
    assert_eq!((elbv2, classic), (49, 11));
    for family in [
        "-FIPS-2023-04",
        "-PQ-2025-09",
        "-FIPS-PQ-2025-09",
        "-RFC9151-",
        "FS-1-2-Res-2020-10",
    ] {
        assert!(
            catalogue.policies().iter().any(|p| p.name.contains(family)),
            "no policy of family {family}"
        );
    }
}

#[test]
fn names_are_unique_per_api_and_ciphers_unique_per_policy() {
    let catalogue = catalogue();
    let mut seen = HashSet::new();
    for policy in catalogue.policies() {
        for name in std::iter::once(&policy.name).chain(&policy.aliases) {
            assert!(
                seen.insert((name.clone(), policy.kind)),
                "{name} twice for {}",
                policy.kind
            );
        }
        let codes: BTreeSet<CipherSuite> = policy.ciphers.iter().map(|c| c.suite).collect();
        assert_eq!(
            codes.len(),
            policy.ciphers.len(),
            "{}: a cipher twice",
            policy.name
        );
    }
}

#[test]
fn every_cipher_resolves_and_fits_the_policy_protocols() {
    for policy in catalogue().policies() {
        for cipher in &policy.ciphers {
            let info = cipher.info().unwrap_or_else(|| {
                panic!("{}: {} is not in the registry", policy.name, cipher.name)
            });
            // The name as the policy spells it resolves back to the same code point.
            assert_eq!(CipherSuite::from_name(&cipher.name), Some(cipher.suite));
            // Each cipher can be negotiated under at least one of the policy's protocols.
            assert!(
                policy.protocols.iter().any(|v| info.usable_with(*v)),
                "{}: {} cannot be used with {:?}",
                policy.name,
                cipher.name,
                policy.protocols
            );
        }
        // TLS 1.3 suites appear exactly when TLS 1.3 is enabled (complete policies only).
        if policy.complete {
            let has_tls13_suite = policy.ciphers.iter().any(|c| c.info().unwrap().is_tls13());
            assert_eq!(
                has_tls13_suite,
                policy.allows_protocol(ProtocolVersion::TLSV1_3),
                "{}",
                policy.name
            );
        }
    }
}

#[test]
fn every_cited_source_is_defined() {
    let catalogue = catalogue();
    for policy in catalogue.policies() {
        assert!(
            !policy.sources.is_empty(),
            "{} cites no source",
            policy.name
        );
        for id in policy
            .sources
            .iter()
            .chain(&policy.groups_source)
            .chain(&policy.served_source)
        {
            assert!(
                catalogue.sources().contains_key(id),
                "{}: source {id} undefined",
                policy.name
            );
        }
        if policy.groups.is_some() {
            assert!(
                !policy.groups_source.is_empty(),
                "{}: groups without a source",
                policy.name
            );
        }
    }
}

#[test]
fn single_source_and_partial_entries_say_so() {
    let catalogue = catalogue();
    for policy in catalogue.policies() {
        if !policy.complete {
            assert_eq!(policy.confidence, Confidence::Partial, "{}", policy.name);
        }
        if policy.name.contains("FIPS-PQ")
            || policy.name.contains("RFC9151")
            || policy.name.contains("CNSA2")
        {
            assert_eq!(policy.confidence, Confidence::OneSource, "{}", policy.name);
        }
    }
}

#[test]
fn fips_policies_are_named_fips_and_avoid_non_fips_algorithms() {
    for policy in catalogue().policies() {
        assert_eq!(policy.fips, policy.name.contains("FIPS"), "{}", policy.name);
        if policy.fips {
            assert!(
                !policy.allows_cipher(CipherSuite::TLS_CHACHA20_POLY1305_SHA256),
                "{}: ChaCha20 is not FIPS-approved",
                policy.name
            );
            if let Some(groups) = &policy.groups {
                assert!(
                    !groups.contains(&NamedGroup::X25519),
                    "{}: x25519 is not FIPS",
                    policy.name
                );
            }
        }
    }
}

#[test]
fn post_quantum_policies_are_exactly_those_named_pq() {
    for policy in catalogue().policies() {
        let named_pq = policy.name.contains("-PQ-");
        assert_eq!(
            policy.post_quantum() == Some(true),
            named_pq,
            "{}",
            policy.name
        );
    }
}

// The published contents below are typed from AWS's documentation tables (ALB guide, "Security
// policies"; Classic guide, "Predefined SSL security policies"), independently of policies/*.toml.

#[test]
fn tls13_1_2_2021_06_matches_aws() {
    let catalogue = catalogue();
    let p = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        LoadBalancerType::Network,
    );
    assert_eq!(p.protocols, versions(&["TLSv1.2", "TLSv1.3"]));
    assert_eq!(
        cipher_names(p),
        [
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
        ]
    );
    assert!(p.server_order && !p.fips && p.forward_secrecy());
    assert_eq!(
        p.groups,
        groups(&["x25519", "secp256r1", "secp384r1", "secp521r1"])
    );
    assert_eq!(
        p.load_balancer_types,
        [LoadBalancerType::Application, LoadBalancerType::Network]
    );
}

const POLICY_2016_08: [&str; 18] = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES128-SHA256",
    "AES128-SHA",
    "AES256-GCM-SHA384",
    "AES256-SHA256",
    "AES256-SHA",
];

#[test]
fn policy_2016_08_matches_aws_for_elbv2_and_classic() {
    let catalogue = catalogue();
    for lb in [LoadBalancerType::Application, LoadBalancerType::Classic] {
        let p = policy(&catalogue, "ELBSecurityPolicy-2016-08", lb);
        assert_eq!(
            p.protocols,
            versions(&["TLSv1", "TLSv1.1", "TLSv1.2"]),
            "{lb}"
        );
        assert_eq!(cipher_names(p), POLICY_2016_08, "{lb}");
        assert!(p.server_order, "{lb}");
        assert!(
            !p.forward_secrecy(),
            "{lb}: AES128-SHA has RSA key transport"
        );
    }
    let elbv2 = policy(
        &catalogue,
        "ELBSecurityPolicy-2016-08",
        LoadBalancerType::Application,
    );
    assert_eq!(elbv2.kind, PolicyKind::Elbv2);
    assert_eq!(elbv2.groups, groups(&["secp256r1", "secp384r1"]));
    let classic = policy(
        &catalogue,
        "ELBSecurityPolicy-2016-08",
        LoadBalancerType::Classic,
    );
    assert_eq!(classic.kind, PolicyKind::Classic);
    assert_eq!(classic.groups, None, "AWS does not document Classic groups");
}

#[test]
fn fips_tls13_1_2_matches_aws() {
    let catalogue = catalogue();
    let p = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        LoadBalancerType::Application,
    );
    assert_eq!(p.protocols, versions(&["TLSv1.2", "TLSv1.3"]));
    assert_eq!(
        cipher_names(p),
        [
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES128-SHA256",
            "ECDHE-RSA-AES128-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-AES256-SHA384",
            "ECDHE-RSA-AES256-SHA384",
        ]
    );
    assert!(p.fips);
    assert_eq!(p.groups, groups(&["secp256r1", "secp384r1", "secp521r1"]));
}

#[test]
fn pq_tls13_1_2_matches_aws() {
    let catalogue = catalogue();
    let pq = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        LoadBalancerType::Application,
    );
    let classical = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        LoadBalancerType::Application,
    );
    // AWS: the PQ policies have the ciphers and protocols of their 2021-06 counterparts and add the
    // hybrid ML-KEM groups.
    assert_eq!(pq.ciphers, classical.ciphers);
    assert_eq!(pq.protocols, classical.protocols);
    let pq_groups = pq.groups.as_ref().unwrap();
    for hybrid in ["X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024"] {
        assert!(
            pq_groups.contains(&NamedGroup::from_name(hybrid).unwrap()),
            "{hybrid}"
        );
    }
    assert_eq!(pq.post_quantum(), Some(true));
    assert_eq!(classical.post_quantum(), Some(false));
}

#[test]
fn classic_tls_1_2_2017_01_matches_aws() {
    let catalogue = catalogue();
    let p = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        LoadBalancerType::Classic,
    );
    assert_eq!(p.protocols, versions(&["TLSv1.2"]));
    assert_eq!(
        cipher_names(p),
        [
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES128-SHA256",
            "ECDHE-RSA-AES128-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-AES256-SHA384",
            "ECDHE-RSA-AES256-SHA384",
            "AES128-GCM-SHA256",
            "AES128-SHA256",
            "AES256-GCM-SHA384",
            "AES256-SHA256",
        ]
    );
    assert!(p.server_order);
    assert_eq!(p.kind, PolicyKind::Classic);
}

#[test]
fn classic_2015_05_adds_3des_to_2016_08() {
    let catalogue = catalogue();
    let p = policy(
        &catalogue,
        "ELBSecurityPolicy-2015-05",
        LoadBalancerType::Classic,
    );
    let mut expected = POLICY_2016_08.to_vec();
    expected.push("DES-CBC3-SHA");
    assert_eq!(cipher_names(p), expected);
}

#[test]
fn classic_sample_policies_answer_to_their_alternative_names() {
    let catalogue = catalogue();
    let p = policy(
        &catalogue,
        "ELBSample-OpenSSLDefaultNegotiationPolicy",
        LoadBalancerType::Classic,
    );
    assert_eq!(p.name, "ELBSample-OpenSSLDefaultCipherPolicy");
    assert!(p.allows_protocol(ProtocolVersion::SSLV3));
    assert!(!p.server_order);
}

#[test]
fn lookups_suggest_close_names() {
    let catalogue = catalogue();
    let err = catalogue
        .get(
            "ELBSecurityPolicy-TLS13-1-2-2021-6",
            LoadBalancerType::Application,
        )
        .unwrap_err();
    assert_eq!(
        err.suggestions.first().map(String::as_str),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    // A Classic load balancer cannot use an ELBv2-only policy.
    assert!(
        catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Classic
            )
            .is_err()
    );
    // Case-insensitive fallback.
    assert_eq!(
        policy(
            &catalogue,
            "elbsecuritypolicy-tls13-1-3-2021-06",
            LoadBalancerType::Network
        )
        .name,
        "ELBSecurityPolicy-TLS13-1-3-2021-06"
    );
}

// What ALB/NLB really serve: s2n-tls 0.3.47's lists (lib/tls/s2n_cipher_preferences.c,
// s2n_ecc_preferences.c, s2n_kem_preferences.c), typed here independently of policies/*.toml.
// `scripts/s2n-policies` prints them from the s2n-tls-sys source.

fn served_names(policy: &Policy) -> Vec<&str> {
    policy
        .served_priority()
        .iter()
        .map(|c| c.name.as_str())
        .collect()
}

/// s2n's ELB list shared by 2016-08 and TLS-1-2-Ext-2018-06
/// (`cipher_suites_elb_security_policy_2016_08`, `..._tls_1_2_ext_2018_06`).
const S2N_ELB_2016_08: [&str; 18] = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES128-SHA256",
    "AES128-SHA",
    "AES256-GCM-SHA384",
    "AES256-SHA256",
    "AES256-SHA",
];

#[test]
fn served_order_of_2016_08_and_tls_1_2_ext_2018_06_is_s2n_s() {
    let catalogue = catalogue();
    for name in [
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    ] {
        let p = policy(&catalogue, name, LoadBalancerType::Application);
        assert_eq!(served_names(p), S2N_ELB_2016_08, "{name}");
        // The published priority (DescribeSSLPolicies) keeps RSA first for this pair.
        let published = cipher_names(p);
        let rank = |n: &str| published.iter().position(|c| *c == n).unwrap();
        assert!(
            rank("ECDHE-RSA-AES256-SHA") < rank("ECDHE-ECDSA-AES256-SHA"),
            "{name}"
        );
        assert!(p.served_order_differs());
        assert_eq!(p.served_source, ["S25"]);
        assert_eq!(p.engine(), Engine::S2nTls);
    }
    // The Classic policy of the same name runs on another engine and records no served order.
    let classic = policy(
        &catalogue,
        "ELBSecurityPolicy-2016-08",
        LoadBalancerType::Classic,
    );
    assert_eq!(classic.engine(), Engine::OpenSsl);
    assert_eq!(Engine::of(LoadBalancerType::Network), Some(Engine::S2nTls));
    assert_eq!(Engine::of(LoadBalancerType::Classic), Some(Engine::OpenSsl));
    assert_eq!(Engine::of(LoadBalancerType::Gateway), None);
    assert_eq!(classic.served_priority(), classic.ciphers.as_slice());
}

#[test]
fn served_priority_is_the_published_one_where_s2n_agrees() {
    let catalogue = catalogue();
    let p = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        LoadBalancerType::Network,
    );
    assert!(!p.served_order_differs());
    assert_eq!(p.served_priority(), p.ciphers.as_slice());
}

#[test]
fn ext2_publishes_ecdsa_aes256_sha_first_as_the_live_api_does() {
    // moto commit 5cabac5cc's DescribeSSLPolicies dump: priority 14 ECDHE-ECDSA-AES256-SHA,
    // 15 ECDHE-RSA-AES256-SHA; s2n serves Ext2-PQ in the same order.
    let catalogue = catalogue();
    for name in [
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    ] {
        let p = policy(&catalogue, name, LoadBalancerType::Application);
        let names = cipher_names(p);
        assert_eq!(
            names[13..15],
            ["ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA"],
            "{name}"
        );
        assert!(!p.served_order_differs(), "{name}");
    }
}

#[test]
fn pq_policies_prefer_the_kem_groups_in_s2n_order() {
    let catalogue = catalogue();
    let pq = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        LoadBalancerType::Application,
    );
    // kem_preferences_pq_tls_1_3_ietf_2025_07, then s2n_ecc_preferences_20240603.
    assert_eq!(
        pq.groups,
        groups(&[
            "X25519MLKEM768",
            "SecP256r1MLKEM768",
            "SecP384r1MLKEM1024",
            "x25519",
            "secp256r1",
            "secp384r1",
            "secp521r1"
        ])
    );
    let fips_pq = policy(
        &catalogue,
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        LoadBalancerType::Application,
    );
    assert_eq!(
        fips_pq.groups,
        groups(&[
            "X25519MLKEM768",
            "SecP256r1MLKEM768",
            "SecP384r1MLKEM1024",
            "secp256r1",
            "secp384r1",
            "secp521r1"
        ])
    );
}

#[test]
fn unpublished_cnsa2_policies_resolve_but_are_not_listed_or_suggested() {
    let mut catalogue = catalogue();
    let name = "ELBSecurityPolicy-TLS13-1-3-CNSA2-INTEROP1-FIPS-PQ-2026-07";
    let unpublished: Vec<&str> = catalogue
        .unpublished()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(unpublished.len(), 3, "{unpublished:?}");
    assert!(unpublished.iter().all(|n| n.contains("-CNSA2-INTEROP")));
    assert!(!catalogue.policies().iter().any(|p| p.name == name));
    // A listener declaring it, or `policies show`, still finds it.
    let p = policy(&catalogue, name, LoadBalancerType::Application);
    assert!(!p.published);
    // A near miss is not answered with an unpublished name.
    let lower = policy(
        &catalogue,
        &name.to_ascii_lowercase(),
        LoadBalancerType::Network,
    );
    assert_eq!(lower.name, name, "case-insensitive lookups still work");
    let unknown = catalogue.unknown(
        "ELBSecurityPolicy-TLS13-1-3-CNSA2-INTEROP1-FIPS-PQ",
        Some(LoadBalancerType::Application),
    );
    assert!(
        unknown.suggestions.iter().all(|s| !s.contains("CNSA2")),
        "{:?}",
        unknown.suggestions
    );
    catalogue.include_unpublished();
    assert!(catalogue.unpublished().is_empty());
    assert!(catalogue.policies().iter().any(|p| p.name == name));
}

#[test]
fn every_other_builtin_policy_is_published() {
    let catalogue = catalogue();
    assert!(catalogue.policies().iter().all(|p| p.published));
}

fn load_user_file(tag: &str, text: &str) -> Result<Catalogue, CatalogueError> {
    let dir = std::env::temp_dir().join(format!("elbtls-catalogue-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.toml"), text).unwrap();
    let result = Catalogue::load_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    result
}

const USER_POLICY: &str = r#"
[[policy]]
name = "Mine"
load_balancer_types = ["application"]
protocols = ["TLSv1.2"]
server_order = true
ciphers = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"]
confidence = "one-source"
"#;

#[test]
fn served_ciphers_must_reorder_the_published_ones_and_cite_a_source() {
    let ok = load_user_file(
        "served-ok",
        &format!(
            "{USER_POLICY}served_ciphers = [\"ECDHE-RSA-AES256-GCM-SHA384\", \"ECDHE-RSA-AES128-GCM-SHA256\"]\nserved_source = [\"a capture\"]\n"
        ),
    )
    .unwrap();
    let mine = policy(&ok, "Mine", LoadBalancerType::Application);
    assert_eq!(
        served_names(mine),
        ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"]
    );

    let extra = load_user_file(
        "served-extra",
        &format!(
            "{USER_POLICY}served_ciphers = [\"ECDHE-RSA-AES256-GCM-SHA384\", \"AES128-SHA\"]\nserved_source = [\"x\"]\n"
        ),
    )
    .unwrap_err()
    .to_string();
    assert!(
        extra.contains("mine.toml:9") && extra.contains("exactly the suites of `ciphers`"),
        "{extra}"
    );

    let unsourced = load_user_file(
        "served-unsourced",
        &format!(
            "{USER_POLICY}served_ciphers = [\"ECDHE-RSA-AES256-GCM-SHA384\", \"ECDHE-RSA-AES128-GCM-SHA256\"]\n"
        ),
    )
    .unwrap_err()
    .to_string();
    assert!(unsourced.contains("needs a `served_source`"), "{unsourced}");
}

#[test]
fn a_user_policy_can_be_unpublished_and_overlays_replace_by_name() {
    let user = load_user_file("unpublished", &format!("{USER_POLICY}published = false\n")).unwrap();
    assert!(user.policies().is_empty());
    let mut builtin = catalogue();
    let before = builtin.policies().len();
    builtin.overlay(user);
    assert_eq!(builtin.policies().len(), before);
    assert!(!policy(&builtin, "Mine", LoadBalancerType::Application).published);
}
