//! Counting what the log lines say, and judging each distinct (protocol, cipher, group) against a
//! policy once, when it is first seen. Memory is bounded: distinct pairs are few (and capped), and
//! client IPs and user agents are kept only for entries that would fail, in [`TopCounter`]s.

use std::collections::HashMap;

use super::line::{Entry, LineError, LogFormat, Negotiated};
use super::top::{Counted, TopCounter};
use crate::catalogue::Policy;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// Distinct (protocol, cipher, group) spellings itemised; more are counted together as unknown.
/// Real logs have a few dozen at most; the cap only guards against garbage.
pub const MAX_PAIRS: usize = 4096;

/// Malformed lines quoted in the report (the rest are only counted).
pub const MALFORMED_SAMPLES: usize = 5;

/// Distinct failing client IPs (and user agents) counted exactly; past this many, the counts become
/// Space-Saving estimates. About 10 MB at most.
pub const FAILING_CLIENTS_TRACKED: usize = 65_536;

/// `User-Agent` strings are cut to this many characters before counting.
const USER_AGENT_CHARS: usize = 200;

/// Whether an entry's session could be negotiated under the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// It would fail: see the reasons.
    Fails,
    /// elbtls cannot tell (a name it does not know, or a partly known policy).
    Unknown,
    /// It would still work.
    Allowed,
}

impl Verdict {
    /// `fails`, `unknown`, `ok`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fails => "fails",
            Self::Unknown => "unknown",
            Self::Allowed => "ok",
        }
    }
}

/// Why a pair fails or cannot be judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The protocol is not enabled by the policy.
    ProtocolNotInPolicy,
    /// The cipher is not enabled by the policy.
    CipherNotInPolicy,
    /// The key-exchange group is not in the policy's list.
    GroupNotInPolicy,
    /// The protocol name is not one elbtls knows.
    UnknownProtocol,
    /// The cipher name is not in the registry.
    UnknownCipher,
    /// The group name is not in the registry (and the policy lists its groups).
    UnknownGroup,
    /// The cipher is not in the policy, but the policy is only partly known.
    PolicyIncomplete,
}

impl Reason {
    /// Every reason, in report order.
    pub const ALL: [Self; 7] = [
        Self::ProtocolNotInPolicy,
        Self::CipherNotInPolicy,
        Self::GroupNotInPolicy,
        Self::UnknownProtocol,
        Self::UnknownCipher,
        Self::UnknownGroup,
        Self::PolicyIncomplete,
    ];

    /// Stable kebab-case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::ProtocolNotInPolicy => "protocol-not-in-policy",
            Self::CipherNotInPolicy => "cipher-not-in-policy",
            Self::GroupNotInPolicy => "group-not-in-policy",
            Self::UnknownProtocol => "unknown-protocol",
            Self::UnknownCipher => "unknown-cipher",
            Self::UnknownGroup => "unknown-group",
            Self::PolicyIncomplete => "policy-incomplete",
        }
    }

    /// Whether this reason makes the connection fail (the others leave it undetermined).
    pub fn fails(self) -> bool {
        matches!(
            self,
            Self::ProtocolNotInPolicy | Self::CipherNotInPolicy | Self::GroupNotInPolicy
        )
    }

    /// A few words for the table.
    pub fn label(self) -> &'static str {
        match self {
            Self::ProtocolNotInPolicy => "protocol not in policy",
            Self::CipherNotInPolicy => "cipher not in policy",
            Self::GroupNotInPolicy => "group not in policy",
            Self::UnknownProtocol => "unknown protocol name",
            Self::UnknownCipher => "unknown cipher name",
            Self::UnknownGroup => "unknown group name",
            Self::PolicyIncomplete => "policy only partly known",
        }
    }
}

/// The protocol names the logs use: `TLSv1.2` (ALB), `tlsv12` (NLB), and every spelling
/// [`ProtocolVersion`] parses.
pub fn parse_protocol(name: &str) -> Option<ProtocolVersion> {
    match name.to_ascii_lowercase().as_str() {
        "tlsv10" => Some(ProtocolVersion::TLSV1_0),
        "tlsv11" => Some(ProtocolVersion::TLSV1_1),
        "tlsv12" => Some(ProtocolVersion::TLSV1_2),
        "tlsv13" => Some(ProtocolVersion::TLSV1_3),
        "sslv30" => Some(ProtocolVersion::SSLV3),
        _ => name.parse().ok(),
    }
}

/// One distinct negotiated (protocol, cipher, group) and how often it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairTally {
    /// The protocol: AWS spelling when known (`TLSv1.2`), as logged otherwise.
    pub protocol: String,
    /// The cipher: OpenSSL name (IANA for TLS 1.3) when known, as logged otherwise.
    pub cipher: String,
    /// The group, when the log records one (IANA name when known).
    pub group: Option<String>,
    /// The resolved protocol.
    pub version: Option<ProtocolVersion>,
    /// The resolved suite.
    pub suite: Option<CipherSuite>,
    /// Entries with this pair.
    pub count: u64,
    /// The verdict under the policy.
    pub verdict: Verdict,
    /// Why it fails or cannot be judged (empty when allowed).
    pub reasons: Vec<Reason>,
}

impl PairTally {
    fn judge(policy: &Policy, tls: &Negotiated<'_>) -> Self {
        let version = parse_protocol(tls.protocol);
        let suite = CipherSuite::from_name(tls.cipher);
        let group = tls.group.map(|name| (name, NamedGroup::from_name(name)));
        let mut reasons = Vec::new();
        match version {
            None => reasons.push(Reason::UnknownProtocol),
            Some(v) if !policy.allows_protocol(v) => reasons.push(Reason::ProtocolNotInPolicy),
            Some(_) => {}
        }
        match suite {
            None => reasons.push(Reason::UnknownCipher),
            Some(s) if policy.allows_cipher(s) => {}
            Some(_) if policy.complete => reasons.push(Reason::CipherNotInPolicy),
            Some(_) => reasons.push(Reason::PolicyIncomplete),
        }
        if let (Some((_, resolved)), Some(groups)) = (group, &policy.groups) {
            match resolved {
                None => reasons.push(Reason::UnknownGroup),
                Some(g) if !groups.contains(&g) => reasons.push(Reason::GroupNotInPolicy),
                Some(_) => {}
            }
        }
        reasons.sort();
        let verdict = if reasons.iter().any(|r| r.fails()) {
            Verdict::Fails
        } else if reasons.is_empty() {
            Verdict::Allowed
        } else {
            Verdict::Unknown
        };
        Self {
            protocol: version.map_or_else(|| tls.protocol.to_string(), |v| v.to_string()),
            cipher: suite.map_or_else(|| tls.cipher.to_string(), |s| s.to_string()),
            group: group.map(|(name, resolved)| {
                resolved.map_or_else(|| name.to_string(), |g| g.to_string())
            }),
            version,
            suite,
            count: 0,
            verdict,
            reasons,
        }
    }
}

/// A line that was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedLine {
    /// The file (as given on the command line).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// What is wrong with the line.
    pub reason: LineError,
}

/// The most frequent values among failing entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopList {
    /// The most frequent, most first.
    pub top: Vec<Counted>,
    /// Entries not accounted for by `top`.
    pub others: u64,
    /// Distinct values, when known exactly.
    pub distinct: Option<usize>,
    /// Whether the counts are exact (otherwise each may be high by its `error`).
    pub exact: bool,
}

impl TopList {
    /// When the counts are estimates, values with no guaranteed occurrence (`count == error`)
    /// are not listed: they are not known to be frequent.
    fn from_counter(counter: &TopCounter, n: usize) -> Self {
        let mut top = counter.top(n);
        top.retain(|c| c.count > c.error);
        let listed: u64 = top.iter().map(|c| c.count).sum();
        Self {
            others: counter.total().saturating_sub(listed),
            distinct: counter.distinct(),
            exact: counter.is_exact(),
            top,
        }
    }
}

/// Everything counted over all files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Lines read (blank ones included).
    pub lines: u64,
    /// Empty lines (ignored).
    pub blank: u64,
    /// Lines that could not be read.
    pub malformed: u64,
    /// Well-formed entries by format ([`LogFormat::ALL`] order).
    pub by_format: [u64; 3],
    /// Entries without TLS.
    pub plain: u64,
    /// TLS entries where nothing was negotiated (failed handshakes).
    pub not_negotiated: u64,
    /// TLS entries with a negotiated protocol and cipher: the base of every share.
    pub negotiated: u64,
    /// Negotiated entries that would fail under the policy.
    pub failing: u64,
    /// Negotiated entries elbtls cannot judge.
    pub unknown: u64,
}

/// The counts, the pairs, and the failing clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Lines, entries and connections counted, by kind.
    pub counts: Counts,
    /// Every distinct pair: failing first, then most frequent first.
    pub pairs: Vec<PairTally>,
    /// Negotiated entries whose pair was not itemised ([`MAX_PAIRS`] reached; counted as unknown).
    pub unitemised: u64,
    /// Client IPs of failing entries.
    pub failing_client_ips: TopList,
    /// User agents of failing entries, when some entry's format has them.
    pub failing_user_agents: Option<TopList>,
    /// The first few malformed lines.
    pub malformed_samples: Vec<MalformedLine>,
}

/// Counts entries as they stream by.
#[derive(Debug)]
pub struct Tally<'p> {
    policy: &'p Policy,
    top: usize,
    key: Vec<u8>,
    index: HashMap<Vec<u8>, usize>,
    pairs: Vec<PairTally>,
    unitemised: u64,
    counts: Counts,
    samples: Vec<MalformedLine>,
    failing_ips: TopCounter,
    failing_agents: TopCounter,
    agents_possible: bool,
}

impl<'p> Tally<'p> {
    /// A tally judging against `policy`, that will list the `top` most frequent failing clients.
    pub fn new(policy: &'p Policy, top: usize) -> Self {
        let capacity = top.saturating_mul(64).max(FAILING_CLIENTS_TRACKED);
        Self {
            policy,
            top,
            key: Vec::with_capacity(128),
            index: HashMap::new(),
            pairs: Vec::new(),
            unitemised: 0,
            counts: Counts::default(),
            samples: Vec::new(),
            failing_ips: TopCounter::new(capacity),
            failing_agents: TopCounter::new(capacity),
            agents_possible: false,
        }
    }

    /// Counts a blank line.
    pub fn blank(&mut self) {
        self.counts.lines += 1;
        self.counts.blank += 1;
    }

    /// Counts a line that could not be read.
    pub fn malformed(&mut self, file: &str, line: u64, reason: LineError) {
        self.counts.lines += 1;
        self.counts.malformed += 1;
        if self.samples.len() < MALFORMED_SAMPLES {
            self.samples.push(MalformedLine {
                file: file.to_string(),
                line,
                reason,
            });
        }
    }

    /// Counts a well-formed entry.
    pub fn entry(&mut self, entry: &Entry<'_>) {
        self.counts.lines += 1;
        match entry {
            Entry::Plain { format } => {
                self.counts.by_format[format.index()] += 1;
                self.counts.plain += 1;
            }
            Entry::NotNegotiated { format, .. } => {
                self.counts.by_format[format.index()] += 1;
                self.counts.not_negotiated += 1;
            }
            Entry::Tls(tls) => self.negotiated(tls),
        }
    }

    fn negotiated(&mut self, tls: &Negotiated<'_>) {
        self.counts.by_format[tls.format.index()] += 1;
        self.counts.negotiated += 1;
        if tls.format.has_user_agent() {
            self.agents_possible = true;
        }
        self.key.clear();
        self.key.extend_from_slice(tls.protocol.as_bytes());
        self.key.push(0);
        self.key.extend_from_slice(tls.cipher.as_bytes());
        if let Some(group) = tls.group {
            self.key.push(0);
            self.key.extend_from_slice(group.as_bytes());
        }
        let at = match self.index.get(self.key.as_slice()) {
            Some(&at) => at,
            None if self.pairs.len() >= MAX_PAIRS => {
                self.unitemised += 1;
                self.counts.unknown += 1;
                return;
            }
            None => {
                self.pairs.push(PairTally::judge(self.policy, tls));
                self.index.insert(self.key.clone(), self.pairs.len() - 1);
                self.pairs.len() - 1
            }
        };
        let pair = &mut self.pairs[at];
        pair.count += 1;
        match pair.verdict {
            Verdict::Allowed => {}
            Verdict::Unknown => self.counts.unknown += 1,
            Verdict::Fails => {
                self.counts.failing += 1;
                self.failing_ips.add(tls.client_ip);
                if let Some(agent) = tls.user_agent {
                    let agent = String::from_utf8_lossy(agent);
                    match agent.char_indices().nth(USER_AGENT_CHARS) {
                        Some((cut, _)) => self.failing_agents.add(&format!("{}…", &agent[..cut])),
                        None => self.failing_agents.add(&agent),
                    }
                }
            }
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The result: pairs merged by their resolved names (`TLSv1.2` from an ALB log and `tlsv12`
    /// from an NLB log are one protocol) and sorted.
    pub fn finish(self) -> Summary {
        let mut merged: Vec<PairTally> = Vec::new();
        let mut by_name: HashMap<(String, String, Option<String>), usize> = HashMap::new();
        for pair in self.pairs {
            let key = (
                pair.protocol.clone(),
                pair.cipher.clone(),
                pair.group.clone(),
            );
            match by_name.get(&key) {
                Some(&at) => merged[at].count += pair.count,
                None => {
                    by_name.insert(key, merged.len());
                    merged.push(pair);
                }
            }
        }
        merged.sort_by(|a, b| {
            a.verdict
                .cmp(&b.verdict)
                .then(b.count.cmp(&a.count))
                .then_with(|| (&a.protocol, &a.cipher).cmp(&(&b.protocol, &b.cipher)))
        });
        Summary {
            counts: self.counts,
            pairs: merged,
            unitemised: self.unitemised,
            failing_client_ips: TopList::from_counter(&self.failing_ips, self.top),
            failing_user_agents: self
                .agents_possible
                .then(|| TopList::from_counter(&self.failing_agents, self.top)),
            malformed_samples: self.samples,
        }
    }
}

/// Which formats a run saw, for messages.
pub fn formats_seen(counts: &Counts) -> Vec<LogFormat> {
    LogFormat::ALL
        .into_iter()
        .filter(|f| counts.by_format[f.index()] > 0)
        .collect()
}
