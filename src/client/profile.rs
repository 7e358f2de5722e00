//! Built-in client profiles: what common TLS clients offer by default, kept as data files in
//! `src/client/profiles/*.toml` (embedded at build time), each with its sources and a confidence.
//!
//! A profile file:
//!
//! ```toml
//! name = "java-17"                       # what --profile takes
//! client = "Java 17 (OpenJDK 17.0.3)"    # for people
//! description = "JSSE default client (SSLContext.getDefault())"
//! versions = ["TLSv1.2", "TLSv1.3"]
//! suites = ["TLS_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"]   # client order; IANA or OpenSSL names
//! groups = ["x25519", "secp256r1"]       # supported_groups, client order
//! signature_algorithms = ["ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256"]   # or "0x0403"
//! sni = true
//! alpn = []                              # optional
//! confidence = "high"                    # high | medium | low
//! source = "testssl.sh etc/client-simulation.txt, entry \"Java 17.0.3 (OpenJDK)\""
//! source_url = "https://github.com/testssl/testssl.sh/blob/0d6ab6b/etc/client-simulation.txt"
//! notes = "…"                            # optional
//! ```
//!
//! Every suite, group, version and signature algorithm must resolve; the tests load every file.

use std::fmt;

use serde::Deserialize;

use crate::client::{ClientDescription, DescriptionSource};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// The embedded profile files, by file name. A test checks that every file of
/// `src/client/profiles/` is listed here.
const BUILTIN: &[(&str, &str)] = &[
    ("android-11.toml", include_str!("profiles/android-11.toml")),
    ("android-13.toml", include_str!("profiles/android-13.toml")),
    (
        "android-4.4.toml",
        include_str!("profiles/android-4.4.toml"),
    ),
    ("android-7.toml", include_str!("profiles/android-7.toml")),
    ("chrome.toml", include_str!("profiles/chrome.toml")),
    ("curl.toml", include_str!("profiles/curl.toml")),
    (
        "dotnet-win2012r2.toml",
        include_str!("profiles/dotnet-win2012r2.toml"),
    ),
    (
        "dotnet-win7.toml",
        include_str!("profiles/dotnet-win7.toml"),
    ),
    ("firefox.toml", include_str!("profiles/firefox.toml")),
    ("go.toml", include_str!("profiles/go.toml")),
    ("ios-12.toml", include_str!("profiles/ios-12.toml")),
    ("ios-16.toml", include_str!("profiles/ios-16.toml")),
    ("java-11.toml", include_str!("profiles/java-11.toml")),
    ("java-17.toml", include_str!("profiles/java-17.toml")),
    ("java-8.toml", include_str!("profiles/java-8.toml")),
    ("java-8u442.toml", include_str!("profiles/java-8u442.toml")),
    (
        "openssl-1.0.2.toml",
        include_str!("profiles/openssl-1.0.2.toml"),
    ),
    (
        "openssl-1.1.1.toml",
        include_str!("profiles/openssl-1.1.1.toml"),
    ),
    ("openssl-3.toml", include_str!("profiles/openssl-3.toml")),
    ("python-3.toml", include_str!("profiles/python-3.toml")),
    ("safari.toml", include_str!("profiles/safari.toml")),
];

/// SignatureScheme code points by name (RFC 8446 §4.2.3; the legacy TLS 1.2 hash/signature pairs
/// are named `dsa_sha256`, `ecdsa_sha224`, `rsa_md5`, … after their parts).
const SIGNATURE_SCHEMES: &[(&str, u16)] = &[
    ("rsa_md5", 0x0101),
    ("rsa_pkcs1_sha1", 0x0201),
    ("dsa_sha1", 0x0202),
    ("ecdsa_sha1", 0x0203),
    ("rsa_pkcs1_sha224", 0x0301),
    ("dsa_sha224", 0x0302),
    ("ecdsa_sha224", 0x0303),
    ("rsa_pkcs1_sha256", 0x0401),
    ("dsa_sha256", 0x0402),
    ("ecdsa_secp256r1_sha256", 0x0403),
    ("rsa_pkcs1_sha384", 0x0501),
    ("dsa_sha384", 0x0502),
    ("ecdsa_secp384r1_sha384", 0x0503),
    ("rsa_pkcs1_sha512", 0x0601),
    ("dsa_sha512", 0x0602),
    ("ecdsa_secp521r1_sha512", 0x0603),
    ("rsa_pss_rsae_sha256", 0x0804),
    ("rsa_pss_rsae_sha384", 0x0805),
    ("rsa_pss_rsae_sha512", 0x0806),
    ("ed25519", 0x0807),
    ("ed448", 0x0808),
    ("rsa_pss_pss_sha256", 0x0809),
    ("rsa_pss_pss_sha384", 0x080A),
    ("rsa_pss_pss_sha512", 0x080B),
    ("ecdsa_brainpoolP256r1tls13_sha256", 0x081A),
    ("ecdsa_brainpoolP384r1tls13_sha384", 0x081B),
    ("ecdsa_brainpoolP512r1tls13_sha512", 0x081C),
    ("mldsa44", 0x0904),
    ("mldsa65", 0x0905),
    ("mldsa87", 0x0906),
];

/// The name of a SignatureScheme code point, or `0x….` for one without a name here.
pub fn signature_scheme_name(code: u16) -> String {
    SIGNATURE_SCHEMES
        .iter()
        .find(|(_, c)| *c == code)
        .map_or_else(|| format!("{code:#06x}"), |(name, _)| (*name).to_string())
}

/// How well a profile's facts are established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileConfidence {
    /// A ClientHello captured from exactly that client (or computed from its documented defaults
    /// with the library it uses).
    High,
    /// Captured from a neighbouring version, or assembled from documented defaults.
    Medium,
    /// Inferred; use with care.
    Low,
}

impl ProfileConfidence {
    /// `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// One client profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The name `--profile` takes (`java-17`).
    pub name: String,
    /// The client, for people (`Java 17 (OpenJDK 17.0.3)`).
    pub client: String,
    /// What exactly is described (which API, which settings).
    pub description: String,
    /// Protocol versions, oldest first.
    pub versions: Vec<ProtocolVersion>,
    /// Cipher suites in the client's order.
    pub suites: Vec<CipherSuite>,
    /// `supported_groups` in the client's order.
    pub groups: Vec<NamedGroup>,
    /// `signature_algorithms` code points in the client's order.
    pub signature_algorithms: Vec<u16>,
    /// Whether the client sends SNI.
    pub sni: bool,
    /// ALPN protocols offered.
    pub alpn: Vec<String>,
    /// How well established the facts are.
    pub confidence: ProfileConfidence,
    /// Where the facts come from.
    pub source: String,
    /// A link to the source, when there is one.
    pub source_url: Option<String>,
    /// What the profile does not model, or where versions of the client differ.
    pub notes: Option<String>,
}

impl Profile {
    /// The client model every command works with. SNI is sent with the host being connected to,
    /// which a profile cannot know: the name is left empty.
    pub fn describe(&self) -> ClientDescription {
        ClientDescription {
            name: self.name.clone(),
            source: DescriptionSource::Profile {
                name: self.name.clone(),
                source: self
                    .source_url
                    .clone()
                    .unwrap_or_else(|| self.source.clone()),
            },
            versions: self.versions.clone(),
            suites: self.suites.clone(),
            groups: self.groups.clone(),
            signature_algorithms: self.signature_algorithms.clone(),
            server_name: self.sni.then(String::new),
            alpn: self.alpn.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    client: String,
    description: String,
    versions: Vec<String>,
    suites: Vec<String>,
    groups: Vec<String>,
    signature_algorithms: Vec<String>,
    sni: bool,
    #[serde(default)]
    alpn: Vec<String>,
    confidence: ProfileConfidence,
    source: String,
    #[serde(default)]
    source_url: Option<String>,
    #[serde(default)]
    notes: Option<String>,
}

/// A profile file that does not load; names the file and every value at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client profile {file}: {}", problems.join("; "))]
pub struct ProfileError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub problems: Vec<String>,
}

/// `--profile NAME` that is not a built-in profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown client profile `{name}`{} (`elbtls client profiles` lists them)",
    suggestion(.suggestions)
)]
pub struct UnknownProfile {
    /// The name asked for.
    pub name: String,
    /// The closest names, best first.
    pub suggestions: Vec<String>,
}

fn suggestion(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => {
            let quoted: Vec<String> = many.iter().map(|s| format!("`{s}`")).collect();
            format!("; did you mean one of {}?", quoted.join(", "))
        }
    }
}

/// Parses one profile file; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
    let error = |problems: Vec<String>| ProfileError {
        file: file.to_string(),
        problems,
    };
    let raw: ProfileFile =
        toml::from_str(text).map_err(|e| error(vec![e.message().trim_end().to_string()]))?;
    let mut problems = Vec::new();
    let mut versions = Vec::new();
    for v in &raw.versions {
        match v.parse::<ProtocolVersion>() {
            Ok(version) => versions.push(version),
            Err(_) => problems.push(format!("unknown version `{v}`")),
        }
    }
    let mut suites = Vec::new();
    for name in &raw.suites {
        match CipherSuite::from_name(name) {
            Some(suite) => suites.push(suite),
            None => problems.push(format!("unknown cipher `{name}`")),
        }
    }
    let mut groups = Vec::new();
    for name in &raw.groups {
        match NamedGroup::from_name(name) {
            Some(group) => groups.push(group),
            None => problems.push(format!("unknown group `{name}`")),
        }
    }
    let mut signature_algorithms = Vec::new();
    for name in &raw.signature_algorithms {
        let by_name = SIGNATURE_SCHEMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, code)| *code);
        let by_code = name
            .strip_prefix("0x")
            .and_then(|hex| u16::from_str_radix(hex, 16).ok());
        match by_name.or(by_code) {
            Some(code) => signature_algorithms.push(code),
            None => problems.push(format!("unknown signature algorithm `{name}`")),
        }
    }
    let stem = file.rsplit('/').next().unwrap_or(file);
    if stem.strip_suffix(".toml") != Some(raw.name.as_str()) {
        problems.push(format!(
            "name `{}` differs from the file name (name the file {}.toml)",
            raw.name, raw.name
        ));
    }
    if versions.is_empty() && problems.is_empty() {
        problems.push("no protocol version".to_string());
    }
    if suites.is_empty() && problems.is_empty() {
        problems.push("no cipher suite".to_string());
    }
    for (what, duplicated) in [
        ("cipher", has_duplicates(&suites)),
        ("group", has_duplicates(&groups)),
        ("signature algorithm", has_duplicates(&signature_algorithms)),
    ] {
        if duplicated {
            problems.push(format!("a {what} is listed twice"));
        }
    }
    if !problems.is_empty() {
        return Err(error(problems));
    }
    versions.sort();
    versions.dedup();
    Ok(Profile {
        name: raw.name,
        client: raw.client,
        description: raw.description,
        versions,
        suites,
        groups,
        signature_algorithms,
        sni: raw.sni,
        alpn: raw.alpn,
        confidence: raw.confidence,
        source: raw.source,
        source_url: raw.source_url,
        notes: raw.notes,
    })
}

fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, a)| items[..i].contains(a))
}

/// Every built-in profile, by name.
pub fn builtin() -> Result<Vec<Profile>, ProfileError> {
    let mut profiles = BUILTIN
        .iter()
        .map(|(file, text)| parse(&format!("src/client/profiles/{file}"), text))
        .collect::<Result<Vec<_>, _>>()?;
    profiles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(profiles)
}

/// The profile named `name` (case-insensitive), or an error suggesting the closest names.
pub fn find<'p>(profiles: &'p [Profile], name: &str) -> Result<&'p Profile, UnknownProfile> {
    let wanted = name.trim();
    if let Some(found) = profiles
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(wanted))
    {
        return Ok(found);
    }
    let lower = wanted.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = profiles
        .iter()
        .map(|p| {
            let mut score = strsim::jaro_winkler(&lower, &p.name);
            if !lower.is_empty() && (p.name.contains(&lower) || lower.contains(&p.name)) {
                score = score.max(0.9);
            }
            (score, p.name.as_str())
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    Err(UnknownProfile {
        name: wanted.to_string(),
        suggestions: scored
            .into_iter()
            .take(3)
            .map(|(_, n)| n.to_string())
            .collect(),
    })
}

impl fmt::Display for ProfileConfidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_loads_and_resolves_in_the_registry() {
        let profiles = builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(profiles.len() >= 20, "{} profiles", profiles.len());
        for p in &profiles {
            assert!(p.suites.iter().all(|s| s.info().is_some()), "{}", p.name);
            assert!(p.groups.iter().all(|g| g.info().is_some()), "{}", p.name);
            assert!(p.versions.iter().all(|v| v.is_known()), "{}", p.name);
            assert!(
                !p.source.is_empty() && !p.description.is_empty(),
                "{}",
                p.name
            );
            let d = p.describe();
            assert_eq!(d.name, p.name);
            assert_eq!(d.suites, p.suites);
        }
    }

    #[test]
    fn every_profile_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/client/profiles");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".toml"))
            .collect();
        files.sort();
        let mut listed: Vec<&str> = BUILTIN.iter().map(|(f, _)| *f).collect();
        listed.sort_unstable();
        assert_eq!(
            files, listed,
            "add new files to BUILTIN in src/client/profile.rs"
        );
    }

    #[test]
    fn unknown_names_are_reported_with_the_file() {
        let text = r#"
name = "bad"
client = "Bad"
description = "x"
versions = ["TLSv1.2", "TLSv1.4"]
suites = ["ECDHE-RSA-AES128-GCM-SHA265"]
groups = ["P-257"]
signature_algorithms = ["rsa_pss_rsae_sha257"]
sni = true
confidence = "high"
source = "x"
"#;
        let error = parse("profiles/bad.toml", text).unwrap_err().to_string();
        for part in [
            "profiles/bad.toml",
            "unknown version `TLSv1.4`",
            "unknown cipher `ECDHE-RSA-AES128-GCM-SHA265`",
            "unknown group `P-257`",
            "unknown signature algorithm `rsa_pss_rsae_sha257`",
        ] {
            assert!(error.contains(part), "{error}");
        }
        let renamed = text
            .replace("TLSv1.4", "TLSv1.3")
            .replace("SHA265", "SHA256")
            .replace("P-257", "P-256")
            .replace("sha257", "sha256");
        let error = parse("profiles/other.toml", &renamed)
            .unwrap_err()
            .to_string();
        assert!(error.contains("differs from the file name"), "{error}");
        assert!(parse("profiles/bad.toml", &renamed).is_ok());
    }

    #[test]
    fn a_near_miss_suggests_the_profile() {
        let profiles = builtin().unwrap();
        assert_eq!(find(&profiles, "JAVA-17").unwrap().name, "java-17");
        let error = find(&profiles, "jav-17").unwrap_err();
        assert_eq!(
            error.suggestions.first().map(String::as_str),
            Some("java-17")
        );
        assert!(error.to_string().contains("did you mean"), "{error}");
        assert!(
            find(&profiles, "zzzzzz")
                .unwrap_err()
                .suggestions
                .is_empty()
        );
    }

    #[test]
    fn signature_schemes_round_trip() {
        assert_eq!(signature_scheme_name(0x0804), "rsa_pss_rsae_sha256");
        assert_eq!(signature_scheme_name(0x1234), "0x1234");
    }
}
