//! The file format: what it accepts, how `extends` overrides, and every error with its line.

use super::*;
use crate::baseline::CertificateRules;

fn catalogue() -> Catalogue {
    Catalogue::builtin().expect("built-in catalogue")
}

fn ok(text: &str) -> Baseline {
    parse("b.toml", text, Some(&catalogue())).unwrap_or_else(|p| panic!("{p:?}"))
}

/// Every problem as `file:line: message`.
fn errors(text: &str) -> Vec<String> {
    match parse("b.toml", text, Some(&catalogue())) {
        Ok(b) => panic!("parsed: {b:?}"),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

/// The single problem, which must start with `b.toml:LINE: ` and contain `needle`.
fn error_at(text: &str, line: usize, needle: &str) {
    let problems = errors(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let prefix = format!("b.toml:{line}: ");
    assert!(problems[0].starts_with(&prefix), "{}", problems[0]);
    assert!(problems[0].contains(needle), "{}", problems[0]);
}

#[test]
fn parses_every_key() {
    let b = ok(r#"
description = "ACME production"
min_protocol = "TLSv1.2"
banned_classes = ["cbc", "SHA1", "rsa-key-transport"]
banned_ciphers = ["AES128-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"]
allowed_policies = ["ELBSecurityPolicy-TLS13-*"]
denied_policies = ["ELBSecurityPolicy-TLS13-1-0-2021-06"]
require_fips = false
require_forward_secrecy = true
require_post_quantum = true
require_https_redirect = true

[certificate]
expiry_warning_days = 21
min_rsa_bits = 3072
min_ec_bits = 384

[severity]
weak-cipher-allowed = "high"
cipher-order-differs = "info"
"#);
    assert_eq!(b.name, "b.toml");
    assert_eq!(b.description.as_deref(), Some("ACME production"));
    assert_eq!(b.extends, None);
    assert_eq!(b.min_protocol, Some(ProtocolVersion::TLSV1_2));
    assert_eq!(
        b.banned_classes,
        [
            SuiteProperty::Cbc,
            SuiteProperty::Sha1,
            SuiteProperty::RsaKeyTransport
        ]
    );
    assert_eq!(
        b.banned_ciphers,
        [
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA
        ]
    );
    assert_eq!(b.allowed_policies[0].as_str(), "ELBSecurityPolicy-TLS13-*");
    assert_eq!(b.denied_policies.len(), 1);
    assert!(!b.require_fips && b.require_forward_secrecy && b.require_post_quantum);
    assert!(b.require_https_redirect);
    assert_eq!(
        b.certificate,
        CertificateRules {
            expiry_warning_days: 21,
            min_rsa_bits: 3072,
            min_ec_bits: 384
        }
    );
    assert_eq!(
        b.severity_of(FindingCode::WeakCipherAllowed),
        Severity::High
    );
    assert_eq!(
        b.severity_of(FindingCode::CipherOrderDiffers),
        Severity::Info
    );
}

#[test]
fn an_empty_file_switches_every_rule_off() {
    assert_eq!(ok(""), Baseline::empty("b.toml"));
}

#[test]
fn extends_a_preset_and_overrides_key_by_key() {
    let b = ok(r#"
extends = "modern"
min_protocol = "TLSv1.3"
banned_classes = ["3des"]
require_post_quantum = true

[certificate]
min_rsa_bits = 4096

[severity]
no-forward-secrecy = "critical"
"#);
    let modern = preset("modern").unwrap();
    assert_eq!(b.name, "b.toml");
    assert_eq!(b.extends.as_deref(), Some("modern"));
    assert_eq!(b.description, None);
    assert_eq!(b.min_protocol, Some(ProtocolVersion::TLSV1_3));
    // A list replaces the preset's list; it is not merged.
    assert_eq!(b.banned_classes, [SuiteProperty::TripleDes]);
    assert!(b.require_post_quantum);
    // Keys not given keep the preset's values, also inside [certificate].
    assert_eq!(b.require_forward_secrecy, modern.require_forward_secrecy);
    assert_eq!(b.require_https_redirect, modern.require_https_redirect);
    assert_eq!(b.certificate.min_rsa_bits, 4096);
    assert_eq!(
        b.certificate.expiry_warning_days,
        modern.certificate.expiry_warning_days
    );
    assert_eq!(b.certificate.min_ec_bits, modern.certificate.min_ec_bits);
    assert_eq!(
        b.severity_of(FindingCode::NoForwardSecrecy),
        Severity::Critical
    );
}

#[test]
fn extends_merges_severity_overrides_and_can_switch_rules_off() {
    let b = ok(
        "extends = \"strict\"\nrequire_post_quantum = false\nallowed_policies = []\n\n[severity]\nno-post-quantum = \"low\"\n",
    );
    assert!(!b.require_post_quantum && b.allowed_policies.is_empty());
    assert_eq!(b.severity_of(FindingCode::NoPostQuantum), Severity::Low);
    assert_eq!(
        b.severity_of(FindingCode::WeakCipherAllowed),
        Severity::High,
        "the preset's other overrides stay"
    );
}

#[test]
fn rejects_an_unknown_preset_in_extends() {
    error_at(
        "# comment\nextends = \"moden\"\n",
        2,
        "`extends`: unknown preset `moden`; did you mean `modern`? (the presets are modern, strict, fips)",
    );
}

#[test]
fn rejects_unknown_keys_naming_them() {
    error_at(
        "min_protocol = \"TLSv1.2\"\nmin_protocl = \"TLSv1.2\"\n",
        2,
        "unknown key `min_protocl`; did you mean `min_protocol`?",
    );
    error_at(
        "[certificates]\nmin_rsa_bits = 2048\n",
        1,
        "unknown key `certificates`; did you mean `certificate`?",
    );
    error_at(
        "[certificate]\nexpiry_days = 30\n",
        2,
        "unknown key `expiry_days`; did you mean `expiry_warning_days`?",
    );
    error_at(
        "colour = \"blue\"\n",
        1,
        "unknown key `colour` (expected one of description, extends, min_protocol,",
    );
    error_at(
        "min_rsa_bits = 2048\n",
        1,
        "unknown key `min_rsa_bits` (`min_rsa_bits` belongs in the `[certificate]` table)",
    );
    error_at(
        "\n\nweak-cipher-allowed = \"high\"\n",
        3,
        "belong in the `[severity]` table",
    );
}

#[test]
fn rejects_syntax_and_type_errors_with_their_line() {
    error_at("min_protocol = \"TLSv1.2\"\nrequire_fips = \n", 2, "");
    // The key is named and the value shown once (not the value, then the whole line again).
    let problems = errors("\nrequire_fips = \"yes\"\n");
    assert_eq!(
        problems,
        ["b.toml:2: `require_fips`: expected true or false, found the string \"yes\""]
    );
    error_at(
        "banned_classes = \"cbc\"\n",
        1,
        "`banned_classes`: expected a list of strings (`[\"a\", \"b\"]`), found the string \"cbc\"",
    );
    error_at(
        "[certificate]\nmin_ec_bits = \"256\"\n",
        2,
        "`[certificate] min_ec_bits`: expected a whole number, found the string \"256\"",
    );
    error_at(
        "certificate = 5\n",
        1,
        "`certificate`: expected a `[certificate]` table, found the integer 5",
    );
    error_at(
        "banned_classes = [\"cbc\", 3]\n",
        1,
        "`banned_classes` item `2`: expected a string, found the integer 3",
    );
    error_at(
        "[severity]\nweak-cipher-allowed = 3\n",
        2,
        "`[severity] weak-cipher-allowed`: expected a string in quotes, found the integer 3",
    );
}

#[test]
fn every_unknown_key_and_wrong_type_is_reported_with_its_line() {
    let problems = errors(
        "min_protocl = \"TLSv1.2\"\nrequire_fips = \"yes\"\nbogus = 1\n[certificate]\n\
         min_rsa_bits = \"x\"\nfoo = 1\n",
    );
    assert_eq!(
        problems,
        [
            "b.toml:1: unknown key `min_protocl`; did you mean `min_protocol`?",
            "b.toml:2: `require_fips`: expected true or false, found the string \"yes\"",
            "b.toml:3: unknown key `bogus` (expected one of description, extends, min_protocol, \
             banned_classes, banned_ciphers, allowed_policies, denied_policies, require_fips, \
             require_forward_secrecy, require_post_quantum, require_https_redirect, certificate, \
             severity, exception)",
            "b.toml:5: `[certificate] min_rsa_bits`: expected a whole number, found the string \"x\"",
            "b.toml:6: unknown key `foo` (expected one of expiry_warning_days, min_rsa_bits, \
             min_ec_bits)",
        ]
    );
}

#[test]
fn a_huge_line_is_not_echoed_whole() {
    let long = "A".repeat(2_000_000);
    // A syntax error on a 2 MB line: an excerpt around the error, with ellipses.
    let problems = errors(&format!("x = 1 {long}\n"));
    assert!(!problems.is_empty());
    for problem in &problems {
        assert!(
            problem.len() < 400,
            "{} bytes: {}…",
            problem.len(),
            &problem[..200]
        );
    }
    assert!(problems[0].starts_with("b.toml:1: "), "{}", problems[0]);
    assert!(problems[0].contains('…'), "{}", problems[0]);
    // A 2 MB value of a known key: shortened too.
    for text in [
        format!("min_protocol = \"{long}\"\n"),
        format!("banned_ciphers = [\"{long}\"]\n"),
        format!("allowed_policies = [\"{long}\"]\n"),
        format!("{long} = 1\n"),
        format!("require_fips = \"{long}\"\n"),
    ] {
        let problems = errors(&text);
        assert_eq!(problems.len(), 1, "{:?}", &problems[0][..200]);
        assert!(problems[0].len() < 600, "{}…", &problems[0][..200]);
        assert!(problems[0].contains("AAA…"), "{}", problems[0]);
    }
}

#[test]
fn control_characters_in_a_baseline_are_escaped_in_messages() {
    let problems = errors("min_protocol = \"TLS\\u001b[2J\\r\\nb.toml:9: forged\"\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        !problems[0].contains('\x1b') && !problems[0].contains('\n'),
        "{:?}",
        problems[0]
    );
    assert!(
        problems[0].contains("TLS\\u{1b}[2J\\u{d}\\u{a}b.toml:9: forged"),
        "{}",
        problems[0]
    );
}

#[test]
fn rejects_an_unknown_protocol_with_a_suggestion() {
    error_at(
        "\nmin_protocol = \"TLSv1.4\"\n",
        2,
        "`min_protocol`: unknown protocol version `TLSv1.4`; did you mean `TLSv1.3`?",
    );
}

#[test]
fn rejects_unknown_non_weakness_and_repeated_classes() {
    error_at(
        "banned_classes = [\n  \"cbc\",\n  \"shaa1\",\n]\n",
        3,
        "unknown class `shaa1`; did you mean `sha1`? (the classes are cbc, sha1, md5,",
    );
    error_at(
        "banned_classes = [\"forward-secrecy\"]\n",
        1,
        "set `require_forward_secrecy = true`",
    );
    error_at(
        "banned_classes = [\"aead\"]\n",
        1,
        "ban `cbc`, `rc4` and `null`",
    );
    error_at(
        "banned_classes = [\"cbc\", \"CBC\"]\n",
        1,
        "`cbc` is listed twice",
    );
}

#[test]
fn rejects_unknown_signalling_sslv2_and_repeated_ciphers() {
    error_at(
        "\n\nbanned_ciphers = [\"ECDHE-RSA-AES128-GCM-SHA265\"]\n",
        3,
        "unknown cipher `ECDHE-RSA-AES128-GCM-SHA265`; did you mean `ECDHE-RSA-AES128-GCM-SHA256`?",
    );
    error_at(
        "banned_ciphers = [\"TLS_FALLBACK_SCSV\"]\n",
        1,
        "a signalling value",
    );
    error_at("banned_ciphers = [\"DES-CBC3-MD5\"]\n", 1, "SSL 2.0-only");
    error_at(
        "banned_ciphers = [\"AES128-SHA\", \"TLS_RSA_WITH_AES_128_CBC_SHA\"]\n",
        1,
        "listed twice",
    );
}

#[test]
fn rejects_policy_patterns_that_match_nothing() {
    error_at(
        "\nallowed_policies = [\"ELBSecurityPolicy-TLS14-*\"]\n",
        2,
        "`allowed_policies`: `ELBSecurityPolicy-TLS14-*` matches no policy of the catalogue; did you mean `ELBSecurityPolicy-TLS13-*`?",
    );
    error_at(
        "denied_policies = [\n\"ELBSecurityPolicy-2016-8\"]\n",
        2,
        "`denied_policies`: `ELBSecurityPolicy-2016-8` is not a policy of the catalogue; did you mean `ELBSecurityPolicy-2016-08`?",
    );
    error_at(
        "allowed_policies = [\"ELBSecurity-*\"]\n",
        1,
        "did you mean `ELBSecurityPolicy-*`?",
    );
    error_at("allowed_policies = [\"\"]\n", 1, "empty policy pattern");
    error_at("allowed_policies = [\"*\", \"*\"]\n", 1, "listed twice");
    // Without a catalogue, patterns are not checked.
    let b = parse("b.toml", "allowed_policies = [\"my-own-*\"]", None).unwrap();
    assert_eq!(b.allowed_policies[0].as_str(), "my-own-*");
}

#[test]
fn rejects_implausible_certificate_thresholds() {
    error_at(
        "[certificate]\nexpiry_warning_days = -1\n",
        2,
        "`[certificate] expiry_warning_days` = -1: expected 0 (off) to 3650 days",
    );
    error_at(
        "[certificate]\n\nmin_ec_bits = 2048\n",
        3,
        "expected 0 (off) to 571 bits",
    );
    error_at("[certificate]\nmin_rsa_bits = 100000\n", 2, "16384 bits");
}

#[test]
fn rejects_unknown_codes_and_severities() {
    error_at(
        "[severity]\nweak-ciphers-allowed = \"high\"\n",
        2,
        "`[severity]`: unknown finding code `weak-ciphers-allowed`; did you mean `weak-cipher-allowed`?",
    );
    error_at(
        "[severity]\nnot-fips = \"urgent\"\n",
        2,
        "`[severity]` `not-fips`: unknown severity `urgent`: expected info, low, medium, high or critical",
    );
}

#[test]
fn reports_every_problem_of_a_file_at_once() {
    let problems = errors(
        "extends = \"modern\"\nmin_protocol = \"TLS9\"\nbanned_classes = [\"cbcc\"]\n\n[certificate]\nmin_rsa_bits = -5\n",
    );
    let lines: Vec<&str> = problems
        .iter()
        .map(|p| p.split(": ").next().unwrap())
        .collect();
    assert_eq!(lines, ["b.toml:2", "b.toml:3", "b.toml:6"], "{problems:#?}");
}

#[test]
fn the_example_file_loads_and_errors_name_its_path() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/baselines/acme.toml"
    ));
    let b = crate::baseline::load(path).unwrap();
    assert_eq!(b.extends.as_deref(), Some("modern"));
    assert_eq!(
        b.banned_ciphers,
        [CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA]
    );

    let bad = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/baselines/invalid.toml"
    );
    let err = crate::baseline::load(std::path::Path::new(bad)).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("invalid baseline:\n"), "{text}");
    assert!(
        text.contains(&format!(
            "{bad}:5: `min_protocol`: unknown protocol version `TLSv1.4`"
        )),
        "{text}"
    );
}

#[test]
fn the_readme_example_parses() {
    let readme = include_str!("../../../README.md");
    let section = &readme[readme
        .find("## Baselines")
        .expect("README has a Baselines section")..];
    let start = section.find("```toml\n").expect("with a TOML example") + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let b = ok(example);
    assert_eq!(b.extends.as_deref(), Some("modern"));
    assert_eq!(
        b.severity_of(FindingCode::WeakCipherAllowed),
        Severity::High
    );
}

#[test]
fn reads_exceptions_and_reports_each_problem_with_its_line() {
    let b = ok(r#"extends = "modern"

[[exception]]
load_balancer = "legacy-*"
codes = ["protocol-below-minimum", "weak-cipher-allowed"]
reason = "POS terminals, replacement in OPS-123"
expires = 2027-03-31

[[exception]]
listener = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/*"
codes = ["not-fips"]
reason = "FIPS endpoint in Q2"
expires = "2027-06-30"
"#);
    assert_eq!(b.exceptions.len(), 2);
    let first = &b.exceptions[0];
    assert_eq!(first.origin, "b.toml:3");
    assert_eq!(first.load_balancer.as_deref(), Some("legacy-*"));
    assert_eq!(
        first.codes,
        [
            FindingCode::ProtocolBelowMinimum,
            FindingCode::WeakCipherAllowed
        ]
    );
    assert_eq!(first.expires, "2027-03-31");
    assert_eq!(
        crate::clock::rfc3339(first.expires_unix),
        "2027-03-31T23:59:59Z"
    );
    assert!(first.covers("any", "LEGACY-pos", FindingCode::WeakCipherAllowed));
    assert!(!first.covers("any", "web", FindingCode::WeakCipherAllowed));
    assert!(!first.covers("any", "legacy-pos", FindingCode::NotFips));

    let problems = errors(
        r#"[[exception]]
codes = ["not-fipps"]
expires = "2027-02-30"

[[exception]]
load_balancer = "x"
codes = ["not-fips"]
reason = "r"
"#,
    );
    let joined = problems.join("\n");
    for needle in [
        "b.toml:1: `[[exception]]`: say what it covers with `listener`",
        "b.toml:1: `[[exception]]`: give the `reason`",
        "b.toml:2: `[[exception]] codes`: unknown finding code `not-fipps`; did you mean `not-fips`?",
        "b.toml:3: `[[exception]] expires`: `2027-02-30` is not a day",
        "b.toml:5: `[[exception]]`: give the day it `expires`",
    ] {
        assert!(joined.contains(needle), "{needle}\nin:\n{joined}");
    }
}
