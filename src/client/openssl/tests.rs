//! The cipher-string implementation against the local `openssl` (3.x, on the PATH; `scripts/test`
//! installs it). Each comparison keeps only suites this OpenSSL knows: the registry holds more
//! (3DES, RC4, IDEA, SEED are not in every build), and those are placed by OpenSSL's rules alone.
//! `OPENSSL_CONF=/dev/null` keeps a distribution's `openssl.cnf` (Debian's SECLEVEL=2) out.

use std::collections::HashSet;
use std::process::Command;

use super::suites::ALIASES;
use super::*;

/// `openssl ciphers -V ARGS… STRING`: the code points listed, in order (`None` on "no cipher
/// match").
fn openssl_ciphers(args: &[&str], string: &str) -> Option<Vec<CipherSuite>> {
    let output = Command::new("openssl")
        .arg("ciphers")
        .arg("-V")
        .args(args)
        .arg(string)
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .expect("run the local openssl (install it: scripts/test does)");
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).unwrap();
    Some(
        text.lines()
            .filter_map(|line| {
                let code = line.split_whitespace().next()?;
                let (high, low) = code.split_once(',')?;
                let byte = |s: &str| u8::from_str_radix(s.trim_start_matches("0x"), 16).ok();
                Some(CipherSuite(u16::from_be_bytes([byte(high)?, byte(low)?])))
            })
            .collect(),
    )
}

/// Every TLS ≤ 1.2 suite the local OpenSSL has.
fn known() -> HashSet<CipherSuite> {
    openssl_ciphers(&[], "ALL:COMPLEMENTOFALL:@SECLEVEL=0")
        .unwrap()
        .into_iter()
        .filter(|s| s.info().is_some_and(|i| !i.is_tls13()))
        .collect()
}

fn without_tls13(suites: Vec<CipherSuite>) -> Vec<CipherSuite> {
    suites
        .into_iter()
        .filter(|s| s.info().is_some_and(|i| !i.is_tls13()))
        .collect()
}

fn show(suites: &[CipherSuite]) -> String {
    suites
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(":")
}

/// Strings a client configuration might hold, and OpenSSL's own corner cases.
const STRINGS: &[&str] = &[
    "DEFAULT",
    "ALL",
    "ALL:@SECLEVEL=0",
    "HIGH:!aNULL:!MD5",
    "HIGH:MEDIUM:!aNULL:!RC4",
    "EECDH+AESGCM:EDH+AESGCM",
    "kECDHE+AESGCM:kEDH+AESGCM:AES256+EECDH:AES256+EDH",
    "ECDHE:!ECDSA:@STRENGTH",
    "AES128-SHA:AES256-SHA:DES-CBC3-SHA:RC4-SHA",
    "ALL:-AES:+SHA1:@SECLEVEL=0",
    "aRSA:!kRSA:!CHACHA20",
    "CHACHA20:AESGCM:!DHE",
    "TLSv1.2+AES256:TLSv1+AES128",
    "COMPLEMENTOFDEFAULT:@SECLEVEL=0",
    "FIPS:!aNULL",
    "CBC:!SHA256:!SHA384",
    "SHA256:SHA384:@SECLEVEL=3",
    "ALL:@SECLEVEL=4",
    "DEFAULT:!kRSA:+AES128",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:\
     ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
     DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
    "HIGH, !aNULL; !MD5 kRSA",
];

#[test]
fn offers_the_suites_openssl_offers_for_a_set_of_cipher_strings() {
    let known = known();
    let tls12 = Some(ProtocolVersion::TLSV1_2);
    let mut mismatches = Vec::new();
    for string in STRINGS {
        let string = string.split_whitespace().collect::<Vec<_>>().join(" ");
        let string = string.replace(": ", ":");
        let theirs = openssl_ciphers(&["-s", "-tls1_2"], &string)
            .unwrap_or_else(|| panic!("openssl rejects {string:?}"));
        let ours: Vec<CipherSuite> = match describe(&string, tls12, tls12) {
            Ok(d) => d.suites,
            Err(e) => panic!("{string:?}: {e}"),
        };
        let ours: Vec<CipherSuite> = ours.into_iter().filter(|s| known.contains(s)).collect();
        let theirs = without_tls13(theirs);
        if ours != theirs {
            mismatches.push(format!(
                "{string:?}\n  openssl: {}\n  elbtls:  {}",
                show(&theirs),
                show(&ours)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_alias_selects_what_openssl_selects_in_its_order() {
    let known = known();
    let mut mismatches = Vec::new();
    for (alias, _) in ALIASES {
        let string = format!("{alias}:@SECLEVEL=0");
        let theirs = openssl_ciphers(&[], &string).map(without_tls13);
        let ours = cipher_string::evaluate(&string).ok().map(|s| {
            s.ciphers
                .iter()
                .map(|c| c.suite)
                .filter(|s| known.contains(s))
                .collect::<Vec<_>>()
        });
        // "no cipher match" from OpenSSL is an empty selection among the suites it knows.
        let theirs = theirs.unwrap_or_default();
        let ours = ours.unwrap_or_default();
        if ours != theirs {
            mismatches.push(format!(
                "{alias}\n  openssl: {}\n  elbtls:  {}",
                show(&theirs),
                show(&ours)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn the_default_order_is_openssls() {
    let known = known();
    let ours: Vec<CipherSuite> = cipher_string::ciphers()
        .iter()
        .map(|c| c.suite)
        .filter(|s| known.contains(s))
        .collect();
    // `ALL` then `COMPLEMENTOFALL` lists the default order, the NULL suites last.
    let theirs = without_tls13(openssl_ciphers(&[], "ALL:COMPLEMENTOFALL:@SECLEVEL=0").unwrap());
    let null_last: Vec<CipherSuite> = ours
        .iter()
        .filter(|s| s.info().is_some_and(|i| i.enc_bits > 0))
        .chain(
            ours.iter()
                .filter(|s| s.info().is_some_and(|i| i.enc_bits == 0)),
        )
        .copied()
        .collect();
    assert_eq!(show(&null_last), show(&theirs));
}

#[test]
fn versions_groups_and_signatures_follow_the_range_and_the_security_level() {
    let default = describe("DEFAULT", None, None).unwrap();
    assert_eq!(
        default.versions,
        [
            ProtocolVersion::TLSV1_0,
            ProtocolVersion::TLSV1_1,
            ProtocolVersion::TLSV1_2,
            ProtocolVersion::TLSV1_3
        ]
    );
    assert_eq!(&default.suites[..3], TLS13_SUITES.map(|(s, _)| s));
    assert_eq!(default.groups.len(), 10);
    assert_eq!(default.signature_algorithms.len(), 20);
    assert_eq!(default.server_name, None);

    let tls12 = describe("DEFAULT", None, Some(ProtocolVersion::TLSV1_2)).unwrap();
    assert_eq!(
        tls12.groups.len(),
        5,
        "FFDHE groups need TLS 1.3 in OpenSSL"
    );
    assert!(tls12.suites.iter().all(|s| !s.info().unwrap().is_tls13()));

    let tls13 = describe("DEFAULT", Some(ProtocolVersion::TLSV1_3), None).unwrap();
    assert_eq!(tls13.suites, TLS13_SUITES.map(|(s, _)| s));
    assert_eq!(tls13.signature_algorithms.len(), 14);

    let level4 = describe("ALL:@SECLEVEL=4", None, None).unwrap();
    assert_eq!(
        level4.versions,
        [ProtocolVersion::TLSV1_2, ProtocolVersion::TLSV1_3]
    );
    assert_eq!(
        level4.groups,
        [
            NamedGroup::X448,
            NamedGroup::SECP521R1,
            NamedGroup::SECP384R1,
            NamedGroup::FFDHE8192
        ]
    );

    let tls10 = describe("ALL:@SECLEVEL=0", None, Some(ProtocolVersion::TLSV1_0)).unwrap();
    assert_eq!(tls10.versions, [ProtocolVersion::TLSV1_0]);
    assert!(tls10.signature_algorithms.is_empty());
    assert!(
        tls10
            .suites
            .contains(&CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA)
    );
    assert!(
        !tls10
            .suites
            .contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
    );
}

#[test]
fn says_why_a_configuration_offers_nothing() {
    let error = |string: &str, min, max| describe(string, min, max).unwrap_err().to_string();
    assert!(error("NOPE", None, None).contains("`NOPE` is not a cipher or alias"));
    assert!(
        error(
            "AES128-GCM-SHA256",
            Some(ProtocolVersion::TLSV1_0),
            Some(ProtocolVersion::TLSV1_1)
        )
        .contains("no suite the string selects can be offered with TLSv1 to TLSv1.1")
    );
    assert!(
        error("HIGH", Some(ProtocolVersion::SSLV3), None).contains("built without SSL 2.0 and 3.0")
    );
    assert!(
        error(
            "HIGH",
            Some(ProtocolVersion::TLSV1_2),
            Some(ProtocolVersion::TLSV1_0)
        )
        .contains("the minimum version TLSv1.2 is above the maximum version TLSv1")
    );
    assert!(
        error("HIGH:@SECLEVEL=4", None, Some(ProtocolVersion::TLSV1_1))
            .contains("leaves no protocol version")
    );
}
