//! The organisation's baseline: what every TLS listener must satisfy beyond its own declared
//! policy (a minimum protocol, banned cipher classes and names, allowed or denied policies, FIPS,
//! forward secrecy, post-quantum key exchange, certificate thresholds, HTTPS redirects).
//!
//! A baseline is a built-in preset (`modern`, `strict`, `fips`) or a TOML file that may extend
//! one (`extends = "modern"`). Files are validated like catalogue files: every problem is reported
//! as `file:line: what is wrong`. The rules that turn a baseline into findings are in
//! [`crate::compare::baseline`].

mod file;
mod presets;
mod render;

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

pub use presets::{Preset, presets};

use crate::catalogue::{Catalogue, Origin, Policy, Problem};
use crate::finding::{FindingCode, Severity};
use crate::tls::{CipherSuite, ProtocolVersion, SuiteProperty};

/// What a baseline demands. Every rule is off in [`Baseline::empty`]; presets and files switch
/// them on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baseline {
    /// The preset name (`modern`) or the file as given on the command line.
    pub name: String,
    /// One line for people.
    pub description: Option<String>,
    /// The preset a file extends, if any.
    pub extends: Option<String>,
    /// The oldest protocol a listener may enable (`protocol-below-minimum`).
    pub min_protocol: Option<ProtocolVersion>,
    /// Weak cipher classes no listener may enable (`weak-cipher-allowed`, subject: the class
    /// code). Only weakness classes: never `forward-secrecy` or `aead`.
    pub banned_classes: Vec<SuiteProperty>,
    /// Cipher suites no listener may enable (`weak-cipher-allowed`, subject: the suite name).
    pub banned_ciphers: Vec<CipherSuite>,
    /// Policies a listener may declare; empty means any (`policy-not-allowed`).
    pub allowed_policies: Vec<PolicyPattern>,
    /// Policies no listener may declare, whatever `allowed_policies` says (`policy-not-allowed`).
    pub denied_policies: Vec<PolicyPattern>,
    /// Whether the declared policy must be a FIPS policy (`not-fips`).
    pub require_fips: bool,
    /// Whether every enabled suite must have forward secrecy (`no-forward-secrecy`).
    pub require_forward_secrecy: bool,
    /// Whether a post-quantum key exchange must be offered (`no-post-quantum`).
    pub require_post_quantum: bool,
    /// Certificate thresholds.
    pub certificate: CertificateRules,
    /// Whether an HTTP listener must redirect to HTTPS (`plaintext-listener`).
    pub require_https_redirect: bool,
    /// Severity overrides, by finding code (any code: the audit applies them to drift and probe
    /// findings too, through [`Baseline::severity_of`]).
    pub severity: BTreeMap<FindingCode, Severity>,
    /// Accepted risks (`[[exception]]`): findings they cover stay in the reports, marked, and
    /// neither set the verdict nor fail the run until the exception expires.
    pub exceptions: Vec<Exception>,
}

/// One `[[exception]]` of a baseline file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    /// Where it is written (`baseline.toml:12`), to name it in notes.
    pub origin: String,
    /// Glob on the listener id (its ARN, or `classic:ACCOUNT:REGION:NAME:PORT`), if given.
    pub listener: Option<String>,
    /// Glob on the load balancer's name, if given (at least one of the two is).
    pub load_balancer: Option<String>,
    /// The finding codes it accepts.
    pub codes: Vec<FindingCode>,
    /// Why.
    pub reason: String,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: String,
    /// The end of that day, UTC, in Unix seconds.
    pub expires_unix: i64,
}

impl Exception {
    /// Whether it covers a finding of `code` on the listener `listener_id` of the load
    /// balancer named `load_balancer` (globs: `*` for any run, ASCII case ignored).
    pub fn covers(&self, listener_id: &str, load_balancer: &str, code: FindingCode) -> bool {
        self.codes.contains(&code)
            && self
                .listener
                .as_deref()
                .is_none_or(|p| crate::text::glob_matches(p, listener_id))
            && self
                .load_balancer
                .as_deref()
                .is_none_or(|p| crate::text::glob_matches(p, load_balancer))
    }
}

/// Certificate thresholds. `0` switches a check off. An expired certificate is reported under
/// every baseline (`certificate-expired`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertificateRules {
    /// Warn when the leaf expires within this many days (`certificate-expiring`).
    pub expiry_warning_days: u32,
    /// Smallest RSA (and DSA) leaf key, in bits (`certificate-key-too-small`).
    pub min_rsa_bits: u32,
    /// Smallest elliptic-curve (and EdDSA) leaf key, in bits (`certificate-key-too-small`).
    pub min_ec_bits: u32,
}

impl Baseline {
    /// A baseline with every rule off.
    pub fn empty(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            extends: None,
            min_protocol: None,
            banned_classes: Vec::new(),
            banned_ciphers: Vec::new(),
            allowed_policies: Vec::new(),
            denied_policies: Vec::new(),
            require_fips: false,
            require_forward_secrecy: false,
            require_post_quantum: false,
            certificate: CertificateRules::default(),
            require_https_redirect: false,
            severity: BTreeMap::new(),
            exceptions: Vec::new(),
        }
    }

    /// The severity findings of `code` get under this baseline: the override, else the default.
    pub fn severity_of(&self, code: FindingCode) -> Severity {
        self.severity
            .get(&code)
            .copied()
            .unwrap_or_else(|| code.severity())
    }

    /// Whether `policy` may be declared: `Err` carries why not (the first denying pattern, or
    /// the allow list it is missing from).
    pub fn judge_policy(&self, policy: &Policy) -> Result<(), PolicyRefusal<'_>> {
        let names = policy_names(policy);
        let matching = |pattern: &&PolicyPattern| names.iter().any(|n| pattern.matches(n));
        if let Some(pattern) = self.denied_policies.iter().find(matching) {
            return Err(PolicyRefusal::Denied(pattern));
        }
        if !self.allowed_policies.is_empty() && !self.allowed_policies.iter().any(|p| matching(&p))
        {
            return Err(PolicyRefusal::NotAllowed(&self.allowed_policies));
        }
        Ok(())
    }
}

/// The names a declared policy answers to: its name, its aliases and, for a Classic custom
/// policy built on a predefined one, that reference.
fn policy_names(policy: &Policy) -> Vec<&str> {
    let mut names = vec![policy.name.as_str()];
    names.extend(policy.aliases.iter().map(String::as_str));
    if let Origin::ClassicCustom {
        reference: Some(reference),
    } = &policy.origin
    {
        names.push(reference);
    }
    names
}

/// Why a baseline refuses a declared policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyRefusal<'a> {
    /// A `denied_policies` pattern matches it.
    Denied(&'a PolicyPattern),
    /// `allowed_policies` is not empty and no pattern matches it.
    NotAllowed(&'a [PolicyPattern]),
}

/// A policy name, or a glob where `*` stands for any run of characters
/// (`ELBSecurityPolicy-TLS13-*`). Matching ignores ASCII case, like policy lookups do.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyPattern(String);

impl PolicyPattern {
    /// A pattern from its text (trimmed).
    pub fn new(pattern: impl Into<String>) -> Self {
        Self(pattern.into().trim().to_string())
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the pattern has a `*`.
    pub fn is_glob(&self) -> bool {
        self.0.contains('*')
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        crate::text::glob_matches(&self.0, name.trim())
    }
}

impl fmt::Display for PolicyPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A baseline could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read baseline file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but is not valid.
    #[error("invalid baseline:\n{}", list(.0))]
    Invalid(Vec<Problem>),
    /// Neither a preset name nor an existing file.
    #[error(
        "unknown baseline `{name}`: neither a preset nor a file{hint} (the presets are {}; or \
         give the path of a TOML baseline file)",
        preset_names().join(", ")
    )]
    UnknownPreset {
        /// What was given.
        name: String,
        /// `; did you mean `modern`?` or nothing.
        hint: String,
    },
    /// The built-in catalogue (needed to check policy names) is broken: a build problem.
    #[error("{0}")]
    Catalogue(#[from] crate::catalogue::CatalogueError),
}

fn list(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    lines.join("\n")
}

fn preset_names() -> Vec<&'static str> {
    presets().iter().map(|p| p.name).collect()
}

/// The built-in preset `name` (`modern`, `strict`, `fips`), case-insensitively.
pub fn preset(name: &str) -> Option<Baseline> {
    presets()
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
        .map(Preset::baseline)
}

/// Parses baseline text. `label` names the file in problems; policy patterns are checked against
/// `catalogue` (a name or glob that matches no policy there is an error).
pub fn parse(label: &str, text: &str, catalogue: &Catalogue) -> Result<Baseline, BaselineError> {
    file::parse(label, text, Some(catalogue)).map_err(BaselineError::Invalid)
}

/// Reads a baseline file, checking policy patterns against the built-in catalogue.
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    load_with(path, &Catalogue::builtin()?)
}

/// Reads a baseline file, checking policy patterns against `catalogue` (the built-in one plus a
/// user's `--catalogue DIR`).
pub fn load_with(path: &Path, catalogue: &Catalogue) -> Result<Baseline, BaselineError> {
    let text = fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&path.display().to_string(), &text, catalogue)
}

/// What `--baseline ARG` means: a preset name, else a file path (checked against the built-in
/// catalogue).
pub fn resolve(arg: &str) -> Result<Baseline, BaselineError> {
    resolve_with(arg, &Catalogue::builtin()?)
}

/// [`resolve`] with a given catalogue. A preset name wins over a file of the same name in the
/// current directory (write `./modern` for the file).
pub fn resolve_with(arg: &str, catalogue: &Catalogue) -> Result<Baseline, BaselineError> {
    if let Some(baseline) = preset(arg) {
        return Ok(baseline);
    }
    let path = Path::new(arg);
    let looks_like_path = arg.contains(['/', '\\', '.']);
    if looks_like_path || path.exists() {
        return load_with(path, catalogue);
    }
    Err(BaselineError::UnknownPreset {
        name: arg.to_string(),
        hint: did_you_mean(arg, preset_names()),
    })
}

/// `; did you mean `X`?` for the closest candidate, or nothing. Case-insensitive; candidates
/// need a Jaro-Winkler similarity of 0.8 (the catalogue's threshold) and are ranked with the edit
/// distance too, because Jaro-Winkler alone rewards a shared prefix (`TLSv1.4` would get `TLSv1`).
pub(crate) fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    // Nothing to suggest for a value far longer than any name (and the distances are quadratic).
    if wanted.len() > 200 {
        return String::new();
    }
    let wanted_lower = wanted.trim().to_ascii_lowercase();
    candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_ascii_lowercase();
            let jw = strsim::jaro_winkler(&wanted_lower, &lower);
            let edit = strsim::normalized_levenshtein(&wanted_lower, &lower);
            (jw >= 0.8).then_some((jw + edit, c))
        })
        // On a tie the later candidate wins: for versions, listed oldest first, the newest.
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, best)| format!("; did you mean `{best}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names_ignoring_case() {
        let p = PolicyPattern::new("ELBSecurityPolicy-TLS13-*");
        assert!(p.matches("ELBSecurityPolicy-TLS13-1-2-2021-06"));
        assert!(p.matches("elbsecuritypolicy-tls13-1-3-2021-06"));
        assert!(!p.matches("ELBSecurityPolicy-2016-08"));
        let mid = PolicyPattern::new("*-FIPS-*");
        assert!(mid.matches("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"));
        assert!(!mid.matches("ELBSecurityPolicy-TLS13-1-2-2021-06"));
        let exact = PolicyPattern::new("ELBSecurityPolicy-2016-08");
        assert!(exact.matches("ELBSecurityPolicy-2016-08") && !exact.is_glob());
        assert!(!exact.matches("ELBSecurityPolicy-2016-08-x"));
        assert!(PolicyPattern::new("*").matches(""));
        assert!(PolicyPattern::new("a*b*c").matches("aXXbYbZc"));
        assert!(!PolicyPattern::new("a*b*c").matches("aXXbYbZ"));
    }

    #[test]
    fn judges_policies_by_deny_then_allow_lists_including_classic_references() {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = |name| {
            catalogue
                .get(name, crate::model::LoadBalancerType::Application)
                .unwrap()
                .clone()
        };
        let mut baseline = Baseline::empty("t");
        let legacy = policy("ELBSecurityPolicy-2016-08");
        assert_eq!(baseline.judge_policy(&legacy), Ok(()));
        baseline.allowed_policies = vec![PolicyPattern::new("ELBSecurityPolicy-TLS13-*")];
        assert!(matches!(
            baseline.judge_policy(&legacy),
            Err(PolicyRefusal::NotAllowed(_))
        ));
        let tls13 = policy("ELBSecurityPolicy-TLS13-1-0-2021-06");
        assert_eq!(baseline.judge_policy(&tls13), Ok(()));
        baseline.denied_policies = vec![PolicyPattern::new("*-1-0-*")];
        assert_eq!(
            baseline.judge_policy(&tls13),
            Err(PolicyRefusal::Denied(&baseline.denied_policies[0]))
        );

        let mut custom = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
        custom.name = "my-custom".into();
        custom.origin = Origin::ClassicCustom {
            reference: Some("ELBSecurityPolicy-TLS13-1-2-2021-06".into()),
        };
        assert_eq!(baseline.judge_policy(&custom), Ok(()));
    }

    #[test]
    fn resolves_presets_files_and_reports_unknown_names() {
        assert_eq!(resolve("modern").unwrap().name, "modern");
        assert_eq!(resolve("STRICT").unwrap().name, "strict");
        let err = resolve("modrn").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, BaselineError::UnknownPreset { .. }));
        assert!(text.contains("did you mean `modern`?"), "{text}");
        assert!(text.contains("modern, strict, fips"), "{text}");
        let missing = resolve("no/such/baseline.toml").unwrap_err();
        assert!(
            missing
                .to_string()
                .starts_with("cannot read baseline file no/such/baseline.toml:"),
            "{missing}"
        );
        let example = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/baselines/acme.toml"
        );
        let acme = resolve(example).unwrap();
        assert_eq!(acme.name, example);
        assert_eq!(acme.extends.as_deref(), Some("modern"));
    }

    #[test]
    fn severity_overrides_fall_back_to_the_code_default() {
        let mut baseline = Baseline::empty("t");
        baseline
            .severity
            .insert(FindingCode::WeakCipherAllowed, Severity::Critical);
        assert_eq!(
            baseline.severity_of(FindingCode::WeakCipherAllowed),
            Severity::Critical
        );
        assert_eq!(
            baseline.severity_of(FindingCode::NotFips),
            FindingCode::NotFips.severity()
        );
    }
}
