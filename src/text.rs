//! Text from the other side (certificate subjects and SANs, log lines and user agents, AWS error
//! messages, names read from files) made safe to print: [`escape`] is the one function every table
//! and text report (table, CSV, JUnit, SARIF) and every error message passes such text through, so
//! no escape sequence, line break or bidirectional override reaches a terminal or a report raw.
//! [`excerpt`] and [`excerpt_around`] bound how much of a long input an error message echoes.
//!
//! JSON reports keep the text as it was read (serde escapes it for JSON).
//!
//! [`glob_matches`] is the one name pattern (`*` wildcards, ASCII case ignored).
//!
//! A leaf module, like `tls`: it imports nothing of ours.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not be printed raw: control characters (C0, DEL, C1: escape sequences, line
/// breaks, NUL, backspace), the Unicode line and paragraph separators, the bidirectional
/// formatting characters (which reorder what follows, e.g. U+202E RIGHT-TO-LEFT OVERRIDE), and the
/// invisible zero-width characters and byte-order mark.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `text` with every character of [`needs_escape`] written as `\u{HEX}` (lower-case hex, as Rust
/// writes it: ESC is `\u{1b}`, a line feed `\u{a}`, U+202E `\u{202e}`). Borrowed when nothing
/// needs escaping. A backslash is left as it is: an escape in the output always stands for a
/// character that was there, but a literal `\u{1b}` in the input prints the same (harmless).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`escape`] for a message of several lines: each line escaped, the line feeds between them kept
/// (for error messages that hold outside text, such as an AWS error, in a layout of their own).
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(escape).collect();
    Cow::Owned(lines.join("\n"))
}

/// [`escape`]d `text`, cut to at most `max_chars` characters of the original with `…` at the cut
/// (for echoing a value that may be megabytes long).
pub fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => escape(text).into_owned(),
        Some(_) => {
            let keep: String = text.chars().take(max_chars.saturating_sub(1)).collect();
            format!("{}…", escape(&keep))
        }
    }
}

/// [`escape`]d `line`, cut to a window of at most `width` characters around the character at byte
/// offset `at` (clamped to the line), with `…` where something was left out on either side.
pub fn excerpt_around(line: &str, at: usize, width: usize) -> String {
    let total = line.chars().count();
    if total <= width {
        return escape(line).into_owned();
    }
    let mut at = at.min(line.len());
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    let column = line[..at].chars().count();
    let start = column.saturating_sub(width / 2).min(total - width);
    let end = start + width;
    let window: String = line.chars().skip(start).take(width).collect();
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        escape(&window),
        if end < total { "…" } else { "" }
    )
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (none included)
/// and every other character for itself, ASCII case ignored: the one glob of elbtls (`audit
/// --name`, a baseline's `allowed_policies` and `denied_policies`). Greedy with backtracking to
/// the last star: linear in practice for load-balancer and policy names.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p].eq_ignore_ascii_case(&text[t]) {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_line_breaks_and_bidi_overrides() {
        assert!(matches!(escape("CN=example.com, O=Ex"), Cow::Borrowed(_)));
        assert_eq!(escape("a\x1b[31mred\x1b[0m"), "a\\u{1b}[31mred\\u{1b}[0m");
        assert_eq!(
            escape("\x1b]8;;https://evil.test\x07link\x1b]8;;\x07"),
            "\\u{1b}]8;;https://evil.test\\u{7}link\\u{1b}]8;;\\u{7}"
        );
        assert_eq!(escape("one\r\ntwo\0"), "one\\u{d}\\u{a}two\\u{0}");
        assert_eq!(escape("abc\u{202E}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(escape("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(escape("\u{9b}31m\u{7f}"), "\\u{9b}31m\\u{7f}");
        assert_eq!(escape("line\u{2028}sep"), "line\\u{2028}sep");
        // Ordinary non-ASCII text stays.
        assert_eq!(escape("Zürich — 東京"), "Zürich — 東京");
    }

    #[test]
    fn escape_lines_keeps_only_the_line_feeds() {
        assert!(matches!(escape_lines("a\n  b"), Cow::Borrowed(_)));
        assert_eq!(
            escape_lines("error:\n  AWS said \u{1b}[2J\r\u{202e}"),
            "error:\n  AWS said \\u{1b}[2J\\u{d}\\u{202e}"
        );
    }

    #[test]
    fn excerpts_are_bounded_and_escaped() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("0123456789", 10), "0123456789");
        assert_eq!(excerpt("0123456789abc", 10), "012345678…");
        assert_eq!(excerpt("\x1b\x1b\x1b", 2), "\\u{1b}…");
        let long = "x".repeat(2_000_000);
        assert_eq!(excerpt(&long, 120).chars().count(), 120);
    }

    #[test]
    fn excerpts_around_a_column_show_the_column() {
        let line = format!("{}ERROR{}", "a".repeat(1000), "b".repeat(1000));
        let shown = excerpt_around(&line, 1000, 40);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("ERROR"), "{shown}");
        assert_eq!(shown.chars().count(), 42);
        assert_eq!(excerpt_around("short line", 3, 40), "short line");
        let start = excerpt_around(&line, 0, 40);
        assert!(start.starts_with("aaa") && start.ends_with('…'), "{start}");
        let end = excerpt_around(&line, line.len() + 5, 40);
        assert!(end.starts_with('…') && end.ends_with("bbb"), "{end}");
        // A multi-byte character at the cut.
        let wide = "é".repeat(100);
        assert_eq!(excerpt_around(&wide, 51, 10).chars().count(), 12);
    }

    #[test]
    fn globs_match_whole_names_ignoring_ascii_case() {
        assert!(glob_matches("web-*", "web-prod"));
        assert!(glob_matches("*-prod", "web-prod"));
        assert!(glob_matches("w*b*d", "web-prod"));
        assert!(glob_matches("exact", "exact"));
        assert!(glob_matches("WEB-*", "web-Prod"));
        assert!(!glob_matches("web-*", "api-prod"));
        assert!(!glob_matches("a*a", "a"));
        assert!(!glob_matches("exact", "exact-x"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("a*b*c", "aXXbYbZc"));
        assert!(!glob_matches("a*b*c", "aXXbYbZ"));
        // Not a byte-level match of multi-byte text against a star's neighbours.
        assert!(glob_matches("*é", "café"));
    }
}
