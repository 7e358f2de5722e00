//! OpenSSL's cipher-string language (`ciphers(1)`), as OpenSSL 3.0's `ssl/ssl_ciph.c` evaluates
//! it, over elbtls's suite registry instead of OpenSSL's compiled-in table.
//!
//! The suites: every registry suite with an OpenSSL name whose key exchange OpenSSL 1.1+ still has
//! (RSA, DHE, ECDHE, PSK variants, SRP), minus the single-DES, RC2 and export suites 1.1.0
//! removed, and minus GOST (an engine). RC4, IDEA and SEED stay: OpenSSL 3 keeps them in its table
//! (they need its legacy provider), and older OpenSSL clients offer them.
//!
//! The evaluation follows `ssl_create_cipher_list` step by step: the same default ordering rules
//! over an initial order (descending code point, as OpenSSL's reversed table roughly is), the
//! same `ADD`/`-`/`+`/`!`/`@` operations on a list of active and inactive suites, the same way of
//! combining `A+B` words (bit masks intersected), `DEFAULT` expanded only at the start, and
//! `@STRENGTH` / `@SECLEVEL=n`. Where it differs from OpenSSL:
//! - a word OpenSSL does not know is an error here (OpenSSL skips it silently, which would hide a
//!   typo); words of older OpenSSL versions (`EXP`, `KRB5`, `kDHr`, …) and suites OpenSSL 1.1+
//!   dropped are accepted and match nothing, as OpenSSL 1.1+ does;
//! - strength classes for suites the local OpenSSL does not list (3DES, RC4, IDEA, SEED: MEDIUM and
//!   not in DEFAULT) come from OpenSSL's source, not from a test; ties between suites equal under
//!   every ordering rule fall back to code-point order, which may differ from OpenSSL's table.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::suites::{ALIASES, Cipher, FORGOTTEN, Pattern, au, enc, kx, mac};
use crate::tls::{CipherSuite, ProtocolVersion};

/// The suites OpenSSL's language works on, in OpenSSL's default order.
pub(super) fn ciphers() -> &'static [Cipher] {
    static CIPHERS: OnceLock<Vec<Cipher>> = OnceLock::new();
    CIPHERS.get_or_init(|| {
        let mut all: Vec<Cipher> = CipherSuite::registry()
            .iter()
            .filter_map(Cipher::from_info)
            .collect();
        // OpenSSL collects its table in reverse; its table is (roughly) in code-point order.
        all.sort_by_key(|c| std::cmp::Reverse(c.suite));
        let mut list = OrderList::new(&all);
        list.default_order(&all);
        list.entries.iter().map(|e| all[e.index].clone()).collect()
    })
}

/// What a word names.
enum Word {
    Alias(Pattern),
    Cipher(Pattern),
    /// Known to some OpenSSL, selects nothing in OpenSSL 3.
    Nothing,
}

fn lookup(word: &str) -> Option<Word> {
    static NAMES: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names = HashMap::new();
        for (i, c) in ciphers().iter().enumerate() {
            names.insert(c.name, i);
            let aliases = c.suite.info().map_or(&[][..], |info| info.openssl_aliases);
            for alias in aliases {
                names.insert(*alias, i);
            }
        }
        names
    });
    if let Some(&i) = names.get(word) {
        return Some(Word::Cipher(Pattern::of(&ciphers()[i])));
    }
    if let Some((_, pattern)) = ALIASES.iter().find(|(name, _)| *name == word) {
        return Some(Word::Alias(*pattern));
    }
    let dropped_suite = CipherSuite::registry()
        .iter()
        .any(|info| info.openssl_name == Some(word) || info.openssl_aliases.contains(&word));
    (dropped_suite || FORGOTTEN.contains(&word)).then_some(Word::Nothing)
}

/// Why a cipher string cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherStringError {
    /// A character OpenSSL rejects (`SSL_R_INVALID_COMMAND`).
    #[error(
        "unexpected `{found}` at position {position}: a cipher string is names and aliases (A-Z a-z 0-9 . - =) joined by `+`, separated by `:` `,` `;` or spaces, each optionally preceded by `!` `-` `+` or `@`"
    )]
    Syntax {
        /// The character.
        found: char,
        /// Its 1-based position.
        position: usize,
    },
    /// A word OpenSSL does not know.
    #[error(
        "`{word}` is not a cipher or alias OpenSSL knows{hint} (OpenSSL itself would silently skip it)"
    )]
    UnknownWord {
        /// The word.
        word: String,
        /// ` (did you mean X?)` or an IANA-name hint.
        hint: String,
    },
    /// An `@` command other than `@STRENGTH` and `@SECLEVEL=0`…`5`.
    #[error("`@{0}` is not an OpenSSL command: use @STRENGTH or @SECLEVEL=0 to @SECLEVEL=5")]
    BadCommand(String),
    /// Nothing selected (OpenSSL's "no cipher match").
    #[error("selects no TLS 1.2-or-older cipher suite (OpenSSL fails with \"no cipher match\")")]
    NoCipherMatch,
}

/// The result of evaluating a cipher string.
#[derive(Debug)]
pub(super) struct Selection {
    /// The selected suites, in preference order.
    pub ciphers: Vec<&'static Cipher>,
    /// The `@SECLEVEL=n` given, if any.
    pub security_level: Option<u8>,
}

/// Evaluates `rule` as OpenSSL 3.0's `SSL_CTX_set_cipher_list` does.
pub(super) fn evaluate(rule: &str) -> Result<Selection, CipherStringError> {
    let all = ciphers();
    let mut list = OrderList::new(all);
    // `ciphers()` is already in default order, and every suite starts inactive.
    let mut level = None;
    let rest = match rule.strip_prefix("DEFAULT") {
        Some(rest) => {
            list.process("ALL:!COMPLEMENTOFDEFAULT:!eNULL", all, &mut level, 0)?;
            rest.strip_prefix(':').unwrap_or(rest)
        }
        None => rule,
    };
    let offset = rule.len() - rest.len();
    list.process(rest, all, &mut level, offset)?;
    let ciphers: Vec<&'static Cipher> = list
        .entries
        .iter()
        .filter(|e| e.active)
        .map(|e| &all[e.index])
        .collect();
    if ciphers.is_empty() {
        return Err(CipherStringError::NoCipherMatch);
    }
    Ok(Selection {
        ciphers,
        security_level: level,
    })
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    index: usize,
    active: bool,
}

/// OpenSSL's linked list of suites, as a vector of stable partitions.
struct OrderList {
    entries: Vec<Entry>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Del,
    Ord,
    Kill,
    Bump,
}

impl OrderList {
    fn new(all: &[Cipher]) -> Self {
        Self {
            entries: (0..all.len())
                .map(|index| Entry {
                    index,
                    active: false,
                })
                .collect(),
        }
    }

    fn apply(&mut self, op: Op, all: &[Cipher], selects: impl Fn(&Cipher) -> bool) {
        if op == Op::Kill {
            self.entries.retain(|e| !selects(&all[e.index]));
            return;
        }
        let (mut moved, kept): (Vec<Entry>, Vec<Entry>) = self.entries.iter().partition(|e| {
            let eligible = if op == Op::Add { !e.active } else { e.active };
            eligible && selects(&all[e.index])
        });
        for e in &mut moved {
            e.active = match op {
                Op::Add => true,
                Op::Del => false,
                _ => e.active,
            };
        }
        self.entries = match op {
            Op::Add | Op::Ord => kept.into_iter().chain(moved).collect(),
            _ => moved.into_iter().chain(kept).collect(),
        };
    }

    /// `@STRENGTH`: active suites by descending bits, order kept within equal bits.
    fn strength_sort(&mut self, all: &[Cipher]) {
        let max = self
            .entries
            .iter()
            .filter(|e| e.active)
            .map(|e| all[e.index].bits)
            .max()
            .unwrap_or(0);
        for bits in (0..=max).rev() {
            self.apply(Op::Ord, all, |c| c.bits == bits);
        }
    }

    /// The preference order `ssl_create_cipher_list` establishes before reading the string.
    fn default_order(&mut self, all: &[Cipher]) {
        let fs = kx::DHE | kx::ECDHE;
        self.apply(Op::Add, all, |c| {
            c.mkey & kx::ECDHE != 0 && c.auth & au::ECDSA != 0
        });
        self.apply(Op::Add, all, |c| c.mkey & kx::ECDHE != 0);
        self.apply(Op::Del, all, |c| c.mkey & kx::ECDHE != 0);
        self.apply(Op::Add, all, |c| c.enc & enc::AESGCM != 0);
        self.apply(Op::Add, all, |c| c.enc & enc::CHACHA20 != 0);
        self.apply(Op::Add, all, |c| c.enc & (enc::AES ^ enc::AESGCM) != 0);
        self.apply(Op::Add, all, |_| true);
        self.apply(Op::Ord, all, |c| c.mac & mac::MD5 != 0);
        self.apply(Op::Ord, all, |c| c.auth & au::NULL != 0);
        self.apply(Op::Ord, all, |c| c.mkey & kx::RSA != 0);
        self.apply(Op::Ord, all, |c| c.mkey & kx::PSK != 0);
        self.apply(Op::Ord, all, |c| c.enc & enc::RC4 != 0);
        self.strength_sort(all);
        self.apply(Op::Bump, all, |c| c.min_tls == ProtocolVersion::TLSV1_2);
        self.apply(Op::Bump, all, |c| c.mac & mac::AEAD != 0);
        self.apply(Op::Bump, all, |c| c.mkey & fs != 0);
        self.apply(Op::Bump, all, |c| {
            c.mkey & fs != 0 && c.mac & mac::AEAD != 0
        });
        self.apply(Op::Del, all, |_| true);
    }

    /// `ssl_cipher_process_rulestr`. `offset` is where `rule` starts in the user's string.
    fn process(
        &mut self,
        rule: &str,
        all: &[Cipher],
        level: &mut Option<u8>,
        offset: usize,
    ) -> Result<(), CipherStringError> {
        let bytes = rule.as_bytes();
        let is_sep = |b: u8| matches!(b, b':' | b' ' | b';' | b',');
        let is_word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'=');
        let mut i = 0;
        while i < bytes.len() {
            let (op, special) = match bytes[i] {
                b'-' => (Op::Del, false),
                b'+' => (Op::Ord, false),
                b'!' => (Op::Kill, false),
                b'@' => (Op::Add, true),
                b if is_sep(b) => {
                    i += 1;
                    continue;
                }
                _ => (Op::Add, false),
            };
            if special || op != Op::Add {
                i += 1;
            }
            let mut pattern: Option<Pattern> = None;
            let mut usable = !special;
            loop {
                let start = i;
                while i < bytes.len() && is_word(bytes[i]) {
                    i += 1;
                }
                if i == start {
                    let found = rule[i..].chars().next().unwrap_or(' ');
                    return Err(CipherStringError::Syntax {
                        found,
                        position: offset + rule[..i].chars().count() + 1,
                    });
                }
                if special {
                    let command = &rule[start..i];
                    match command {
                        "STRENGTH" => self.strength_sort(all),
                        _ => match command.strip_prefix("SECLEVEL=").map(str::as_bytes) {
                            Some(&[d @ b'0'..=b'5']) => *level = Some(d - b'0'),
                            _ => return Err(CipherStringError::BadCommand(command.to_string())),
                        },
                    }
                    break;
                }
                let multi = bytes.get(i) == Some(&b'+');
                if !multi && i < bytes.len() && !is_sep(bytes[i]) {
                    // `TLS_AES_128_GCM_SHA256`: OpenSSL would read `TLS` and skip the rest.
                    while i < bytes.len() && !is_sep(bytes[i]) {
                        i += 1;
                    }
                    return Err(unknown(&rule[start..i]));
                }
                let word = &rule[start..i];
                if multi {
                    i += 1;
                }
                match lookup(word) {
                    Some(Word::Alias(p) | Word::Cipher(p)) => {
                        pattern = match pattern {
                            None => Some(p),
                            Some(acc) => acc.and(&p),
                        };
                        usable &= pattern.is_some();
                    }
                    Some(Word::Nothing) => usable = false,
                    None => return Err(unknown(word)),
                }
                if !multi {
                    break;
                }
            }
            if let (true, Some(pattern)) = (usable, pattern) {
                self.apply(op, all, |c| pattern.matches(c));
            }
            // OpenSSL ignores the rest of an element it could not use.
            while i < bytes.len() && !is_sep(bytes[i]) {
                i += 1;
            }
        }
        Ok(())
    }
}

fn unknown(word: &str) -> CipherStringError {
    let hint = if let Some(info) = CipherSuite::from_name(word).and_then(CipherSuite::info) {
        match info.openssl_name {
            _ if info.is_tls13() => {
                " (a TLS 1.3 suite: OpenSSL sets those with -ciphersuites, not \
                                    in the cipher string; elbtls offers OpenSSL's default TLS 1.3 \
                                    suites)"
                    .to_string()
            }
            Some(name) => format!(" (an IANA name: OpenSSL calls it {name})"),
            None => " (an IANA name of a suite OpenSSL does not have)".to_string(),
        }
    } else {
        let candidates = ciphers()
            .iter()
            .map(|c| c.name)
            .chain(ALIASES.iter().map(|(name, _)| *name));
        candidates
            .map(|name| (strsim::jaro_winkler(name, word), name))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| format!(" (did you mean {name}?)"))
            .unwrap_or_default()
    };
    CipherStringError::UnknownWord {
        word: word.to_string(),
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rule: &str) -> Vec<&'static str> {
        evaluate(rule)
            .unwrap()
            .ciphers
            .iter()
            .map(|c| c.name)
            .collect()
    }

    #[test]
    fn selects_explicit_names_in_the_order_given() {
        assert_eq!(
            names("AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256"),
            ["AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"]
        );
        // An old spelling names the same suite.
        assert_eq!(names("EDH-RSA-DES-CBC3-SHA"), ["DHE-RSA-DES-CBC3-SHA"]);
    }

    #[test]
    fn kill_is_final_and_delete_is_not() {
        assert_eq!(
            names("AES128-SHA:!AES128-SHA:AES128-SHA:AES256-SHA"),
            ["AES256-SHA"]
        );
        assert_eq!(
            names("AES128-SHA:AES256-SHA:-AES128-SHA:AES128-SHA"),
            ["AES256-SHA", "AES128-SHA"]
        );
        assert_eq!(
            names("AES128-SHA:AES256-SHA:+AES128-SHA"),
            ["AES256-SHA", "AES128-SHA"]
        );
    }

    #[test]
    fn plus_joins_words_as_an_intersection() {
        assert_eq!(
            names("kRSA+AESGCM"),
            ["AES256-GCM-SHA384", "AES128-GCM-SHA256"]
        );
        // An empty intersection selects nothing, silently, like OpenSSL.
        assert_eq!(names("kRSA+kDHE:AES128-SHA"), ["AES128-SHA"]);
    }

    #[test]
    fn default_is_expanded_only_at_the_start() {
        assert_eq!(names("AES128-SHA:DEFAULT"), ["AES128-SHA"]);
        let default = names("DEFAULT");
        assert_eq!(default[0], "ECDHE-ECDSA-AES256-GCM-SHA384");
        assert!(!default.contains(&"DES-CBC3-SHA"), "3DES is not in DEFAULT");
        // DEFAULT kills what is not in it (`!COMPLEMENTOFDEFAULT`): nothing brings 3DES back.
        assert!(!names("DEFAULT:3DES").contains(&"DES-CBC3-SHA"));
        assert!(names("HIGH:3DES").contains(&"DES-CBC3-SHA"));
    }

    #[test]
    fn reads_commands_and_rejects_what_openssl_rejects() {
        let selection = evaluate("HIGH:@SECLEVEL=2").unwrap();
        assert_eq!(selection.security_level, Some(2));
        assert_eq!(
            evaluate("HIGH:@SECLEVEL=9").unwrap_err(),
            CipherStringError::BadCommand("SECLEVEL=9".into())
        );
        assert_eq!(
            evaluate("HIGH:[AES]").unwrap_err(),
            CipherStringError::Syntax {
                found: '[',
                position: 6
            }
        );
        assert_eq!(
            evaluate("!ALL").unwrap_err(),
            CipherStringError::NoCipherMatch
        );
        // Words of older OpenSSL versions select nothing, without error.
        assert_eq!(names("EXP:KRB5:EXP-RC4-MD5:AES128-SHA"), ["AES128-SHA"]);
    }

    #[test]
    fn unknown_words_are_errors_with_a_hint() {
        let typo = evaluate("ECDHE-RSA-AES128-GCM-SHA265")
            .unwrap_err()
            .to_string();
        assert!(
            typo.contains("did you mean ECDHE-RSA-AES128-GCM-SHA256?"),
            "{typo}"
        );
        let iana = evaluate("TLS_RSA_WITH_AES_128_CBC_SHA")
            .unwrap_err()
            .to_string();
        assert!(iana.contains("OpenSSL calls it AES128-SHA"), "{iana}");
        let tls13 = evaluate("TLS_AES_128_GCM_SHA256").unwrap_err().to_string();
        assert!(tls13.contains("-ciphersuites"), "{tls13}");
    }
}
