//! The negotiation model against reality: for every built-in client profile OpenSSL 3.0 can
//! express, a real `openssl s_client` configured as the profile (versions, cipher suites in order,
//! groups in order) handshakes with a real `openssl s_server` configured as an ELB policy (its
//! protocols, suites in priority order with server preference, groups, certificates). The
//! handshake's outcome — failure, or the version, suite and group negotiated — must be what
//! `elbtls::client::negotiate` predicts. Loopback only.
//!
//! What OpenSSL 3.0 cannot offer (SSL 3.0, RC4, 3DES, static ECDH/DH, SEED, IDEA, the ML-KEM
//! hybrids) is left out of the real client; the prediction for that reduced client is compared,
//! and a profile is skipped (with the reason logged) only when leaving those out would change the
//! prediction for the profile as published.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    CertFiles, KeyKind, TempDir, cert_args, make_cert, openssl_group_name, openssl_server,
    openssl_version_name, policy_args, second_cert_args,
};
use elbtls::catalogue::{Catalogue, Policy};
use elbtls::client::negotiate::{FailureReason, Negotiation, ServerSide, negotiate};
use elbtls::client::profile;
use elbtls::client::{ClientDescription, DescriptionSource};
use elbtls::model::LoadBalancerType;
use elbtls::tls::{CipherSuite, NamedGroup, ProtocolVersion, RequiredCertificate};

/// Each policy served, with the certificates the listener holds.
const SERVERS: &[(&str, &[KeyKind])] = &[
    ("ELBSecurityPolicy-2016-08", &[KeyKind::Rsa2048]),
    ("ELBSecurityPolicy-TLS-1-2-2017-01", &[KeyKind::Rsa2048]),
    ("ELBSecurityPolicy-TLS13-1-2-2021-06", &[KeyKind::Rsa2048]),
    (
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        &[KeyKind::Rsa2048],
    ),
    (
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        &[KeyKind::Rsa2048, KeyKind::EcdsaP256],
    ),
    ("ELBSecurityPolicy-TLS13-1-3-2021-06", &[KeyKind::EcdsaP384]),
    (
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
        &[KeyKind::Rsa2048],
    ),
];

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

fn certificate_kind(key: KeyKind) -> RequiredCertificate {
    match key {
        KeyKind::Rsa2048 | KeyKind::Rsa4096 => RequiredCertificate::Rsa,
        _ => RequiredCertificate::Ec,
    }
}

/// Every cipher name this `openssl` knows (TLS 1.3 ones included).
fn openssl_ciphers() -> BTreeSet<String> {
    let output = Command::new("openssl")
        .args(["ciphers", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
        .output()
        .expect("run openssl ciphers");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .split(':')
        .map(str::to_string)
        .collect()
}

/// The OpenSSL name of `suite` if this `openssl` can offer it.
fn expressible(suite: CipherSuite, known: &BTreeSet<String>) -> Option<&'static str> {
    let info = suite.info()?;
    info.openssl_name
        .into_iter()
        .chain(info.openssl_aliases.iter().copied())
        .chain(std::iter::once(info.iana_name))
        .find(|name| known.contains(*name))
}

/// The part of `client` OpenSSL 3.0 can offer, and what was left out.
fn reduce(
    client: &ClientDescription,
    known: &BTreeSet<String>,
) -> (ClientDescription, Vec<String>) {
    let mut left_out = Vec::new();
    let mut reduced = client.clone();
    reduced.versions.retain(|v| {
        let keep = openssl_version_name(*v).is_some();
        if !keep {
            left_out.push(v.to_string());
        }
        keep
    });
    reduced.suites.retain(|s| {
        let keep = expressible(*s, known).is_some();
        if !keep {
            left_out.push(s.to_string());
        }
        keep
    });
    reduced.groups.retain(|g| {
        let keep = openssl_group_name(*g).is_some();
        if !keep {
            left_out.push(g.to_string());
        }
        keep
    });
    (reduced, left_out)
}

/// What a real handshake gave.
#[derive(Debug, PartialEq, Eq)]
enum Real {
    Success {
        version: ProtocolVersion,
        suite: CipherSuite,
        /// `None` for RSA key transport and finite-field DH.
        group: Option<NamedGroup>,
    },
    Failure(String),
}

fn s_client(addr: &str, client: &ClientDescription, known: &BTreeSet<String>) -> Real {
    let (tls13, legacy): (Vec<CipherSuite>, Vec<CipherSuite>) = client
        .suites
        .iter()
        .partition(|s| s.info().is_some_and(|i| i.is_tls13()));
    let names = |list: &[CipherSuite]| -> Vec<&'static str> {
        list.iter().filter_map(|s| expressible(*s, known)).collect()
    };
    let groups: Vec<&str> = client
        .groups
        .iter()
        .filter_map(|g| openssl_group_name(*g))
        .collect();
    let min = client.versions.iter().min().copied().unwrap();
    let max = client.versions.iter().max().copied().unwrap();
    let mut command = Command::new("openssl");
    command
        .args(["s_client", "-connect", addr, "-brief"])
        .arg("-cipher")
        .arg(if legacy.is_empty() {
            // A TLS 1.3-only client: OpenSSL wants some list, and offers none of it under TLS 1.3.
            "DEFAULT:@SECLEVEL=0".to_string()
        } else {
            format!("{}:@SECLEVEL=0", names(&legacy).join(":"))
        })
        .arg("-ciphersuites")
        .arg(names(&tls13).join(":"))
        .args(["-min_protocol", openssl_version_name(min).unwrap()])
        .args(["-max_protocol", openssl_version_name(max).unwrap()]);
    if !groups.is_empty() {
        command.arg("-groups").arg(groups.join(":"));
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start openssl s_client");
    let started = Instant::now();
    while child.try_wait().expect("wait for s_client").is_none() {
        if started.elapsed() > HANDSHAKE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Real::Failure("s_client timed out".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().expect("read s_client output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .map(str::trim)
    };
    let (Some(version), Some(suite)) = (field("Protocol version:"), field("Ciphersuite:")) else {
        let error = text
            .lines()
            .find(|l| l.contains(":error:"))
            .unwrap_or("handshake failed");
        return Real::Failure(error.to_string());
    };
    let group = field("Server Temp Key:").and_then(|key| {
        let parts: Vec<&str> = key.split(", ").collect();
        match parts.as_slice() {
            ["ECDH", curve, ..] => NamedGroup::from_name(curve),
            ["DH", ..] => None,
            [name, ..] => NamedGroup::from_name(name),
            [] => None,
        }
    });
    Real::Success {
        version: version.parse().expect("a version s_client names"),
        suite: CipherSuite::from_name(suite).unwrap_or_else(|| panic!("unknown suite {suite}")),
        group,
    }
}

/// How OpenSSL's server names a refusal: `version`, `cipher` (no suite left, whether for want of
/// a common suite, a certificate or, under TLS ≤ 1.2, an ECDHE curve) or `group` (TLS 1.3).
fn openssl_class(why: &str) -> Option<&'static str> {
    if why.contains("unsupported protocol") {
        Some("version")
    } else if why.contains("no shared cipher") {
        Some("cipher")
    } else if why.contains("no suitable key share") {
        Some("group")
    } else {
        None
    }
}

fn predicted_class(reason: &FailureReason) -> &'static str {
    match reason {
        FailureReason::NoCommonVersion { .. } => "version",
        FailureReason::NoCommonGroup { version, .. } if *version >= ProtocolVersion::TLSV1_3 => {
            "group"
        }
        _ => "cipher",
    }
}

fn agrees(predicted: &Negotiation, real: &Real) -> bool {
    match (predicted, real) {
        (
            Negotiation::Success {
                version,
                suite,
                group,
            },
            Real::Success {
                version: v,
                suite: s,
                group: g,
            },
        ) => version == v && suite == s && (group.is_none() || group == g),
        (Negotiation::Failure(reason), Real::Failure(why)) => {
            openssl_class(why) == Some(predicted_class(reason))
        }
        _ => false,
    }
}

/// The same success, or failures for the same reason.
fn same_outcome(a: &Negotiation, b: &Negotiation) -> bool {
    match (a, b) {
        (Negotiation::Failure(x), Negotiation::Failure(y)) => x.code() == y.code(),
        _ => a == b,
    }
}

fn short(n: &Negotiation) -> String {
    match n {
        Negotiation::Success {
            version,
            suite,
            group,
        } => format!(
            "{version} {suite} {}",
            group.map_or_else(|| "-".to_string(), |g| g.to_string())
        ),
        Negotiation::Failure(reason) => format!("fails ({})", reason.code()),
    }
}

/// Clients made up to reach the reasons no profile hits against these policies.
fn synthetic(
    name: &str,
    versions: &[ProtocolVersion],
    suites: &[&str],
    groups: &[&str],
) -> ClientDescription {
    ClientDescription {
        name: name.to_string(),
        source: DescriptionSource::OpenSsl {
            cipher_string: suites.join(":"),
        },
        versions: versions.to_vec(),
        suites: suites
            .iter()
            .map(|s| CipherSuite::from_name(s).unwrap())
            .collect(),
        groups: groups
            .iter()
            .map(|g| NamedGroup::from_name(g).unwrap())
            .collect(),
        signature_algorithms: Vec::new(),
        server_name: None,
        alpn: Vec::new(),
    }
}

const SYNTHETIC: usize = 4;

/// Every profile, then the synthetic clients.
fn clients() -> Vec<(String, ClientDescription)> {
    use ProtocolVersion as V;
    let mut all: Vec<(String, ClientDescription)> = profile::builtin()
        .unwrap()
        .iter()
        .map(|p| (p.name.clone(), p.describe()))
        .collect();
    let made_up = [
        synthetic(
            "synthetic-cbc-sha1-only",
            &[V::TLSV1_0, V::TLSV1_1, V::TLSV1_2],
            &["AES128-SHA", "AES256-SHA"],
            &["P-256"],
        ),
        synthetic(
            "synthetic-tls13-x448-only",
            &[V::TLSV1_3],
            &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
            &["x448"],
        ),
        synthetic(
            "synthetic-ecdsa-p521-only",
            &[V::TLSV1_2],
            &[
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-ECDSA-AES256-GCM-SHA384",
            ],
            &["P-521", "P-384"],
        ),
        synthetic(
            "synthetic-ecdhe-p521-only",
            &[V::TLSV1_2],
            &[
                "ECDHE-RSA-AES128-GCM-SHA256",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
            ],
            &["P-521"],
        ),
    ];
    assert_eq!(made_up.len(), SYNTHETIC);
    all.extend(made_up.into_iter().map(|c| (c.name.clone(), c)));
    all
}

struct Tally {
    policy: String,
    agreed: usize,
    successes: usize,
    failures: usize,
    skipped: Vec<String>,
    disagreements: Vec<String>,
    /// The failure reasons confirmed.
    codes: BTreeSet<&'static str>,
}

fn cross_check(policy: &Policy, keys: &[KeyKind], known: &BTreeSet<String>) -> Tally {
    let dir = TempDir::new("client-openssl");
    let files: Vec<CertFiles> = keys.iter().map(|k| make_cert(dir.path(), *k)).collect();
    let mut args = policy_args(policy);
    args.extend(cert_args(&files[0]));
    if let Some(second) = files.get(1) {
        args.extend(second_cert_args(second));
    }
    let served = openssl_server(dir.path(), &args);
    let addr = served.addr.to_string();
    let certificates: Vec<RequiredCertificate> =
        keys.iter().map(|k| certificate_kind(*k)).collect();
    let server = ServerSide::from_policy(policy).with_certificates(&certificates);
    let mut tally = Tally {
        policy: policy.name.clone(),
        agreed: 0,
        successes: 0,
        failures: 0,
        skipped: Vec::new(),
        disagreements: Vec::new(),
        codes: BTreeSet::new(),
    };
    for (name, full) in clients() {
        let (reduced, left_out) = reduce(&full, known);
        let predicted = negotiate(&full, &server);
        if reduced.versions.is_empty() || reduced.suites.is_empty() {
            tally.skipped.push(format!(
                "{name}: OpenSSL 3.0 can offer none of its versions or suites"
            ));
            continue;
        }
        let predicted_reduced = negotiate(&reduced, &server);
        if !same_outcome(&predicted_reduced, &predicted) {
            let shown: Vec<&str> = left_out.iter().take(6).map(String::as_str).collect();
            tally.skipped.push(format!(
                "{name}: leaving out what OpenSSL 3.0 cannot offer ({}{}) changes the prediction",
                shown.join(", "),
                if left_out.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            ));
            continue;
        }
        let before = served.log_text().len();
        let mut real = s_client(&addr, &reduced, known);
        if let Real::Failure(why) = &mut real {
            // The client only sees an alert; the server's log says why it refused.
            let log = served.log_text();
            let server_says = log[before.min(log.len())..]
                .lines()
                .find(|l| l.contains(":error:"))
                .unwrap_or("(nothing logged)")
                .to_string();
            *why = format!("{} / server: {server_says}", why);
        }
        if agrees(&predicted, &real) {
            tally.agreed += 1;
            match &predicted {
                Negotiation::Success { .. } => tally.successes += 1,
                Negotiation::Failure(reason) => {
                    tally.failures += 1;
                    tally.codes.insert(reason.code());
                }
            }
        } else {
            tally.disagreements.push(format!(
                "{} × {name}: elbtls predicts {}, openssl gave {real:?}",
                policy.name,
                short(&predicted)
            ));
        }
    }
    drop(served);
    tally
}

#[test]
fn predictions_agree_with_real_openssl_handshakes() {
    let catalogue = Catalogue::builtin().unwrap();
    let known = openssl_ciphers();
    assert!(known.contains("ECDHE-RSA-AES128-GCM-SHA256"), "{known:?}");
    let profiles = profile::builtin().unwrap().len();
    let clients = profiles + SYNTHETIC;
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = SERVERS
            .iter()
            .map(|(name, keys)| {
                let policy = catalogue
                    .get(name, LoadBalancerType::Application)
                    .unwrap()
                    .clone();
                let known = &known;
                scope.spawn(move || cross_check(&policy, keys, known))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut disagreements = Vec::new();
    let mut agreed = 0;
    eprintln!(
        "client cross-check against openssl s_server/s_client ({profiles} profiles and \
         {SYNTHETIC} synthetic clients):"
    );
    for t in &tallies {
        eprintln!(
            "  {:<52} {:>2} agreed ({} connect, {} fail), {} skipped",
            t.policy,
            t.agreed,
            t.successes,
            t.failures,
            t.skipped.len()
        );
        for reason in &t.skipped {
            eprintln!("      skipped {reason}");
        }
        agreed += t.agreed;
        disagreements.extend(t.disagreements.iter().cloned());
        // Every profile is either compared or skipped with a reason, and most are compared.
        assert_eq!(
            t.agreed + t.disagreements.len() + t.skipped.len(),
            clients,
            "{}",
            t.policy
        );
        assert!(t.skipped.len() <= 3, "{}: {:?}", t.policy, t.skipped);
    }
    eprintln!(
        "  {agreed} handshakes agreed, {} disagreed",
        disagreements.len()
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    // The comparison covers successes and failures of every kind of reason.
    let codes: BTreeSet<&str> = tallies
        .iter()
        .flat_map(|t| t.codes.iter().copied())
        .collect();
    eprintln!("  failure reasons confirmed: {codes:?}");
    for code in FailureReason::CODES {
        assert!(
            codes.contains(code),
            "no handshake confirmed {code}: {codes:?}"
        );
    }
    assert!(agreed >= 4 * (profiles - 3));
}
