//! The README's examples are real: every `$ elbtls …` block whose command runs without AWS or a
//! network (the catalogue and client commands) is run, and what the README shows must be what
//! the command prints (stdout, then stderr). A line `…` stands for any number of lines; a line
//! with `…` inside stands for itself up to the `…`. The blocks that need an account, a listener or
//! a capture are listed with why they are not run here, so a new block is never skipped silently.

use std::path::PathBuf;
use std::process::Command;

/// One `$ elbtls …` block of the README.
struct Example {
    line: usize,
    args: Vec<String>,
    shown: Vec<String>,
}

fn readme() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(path).expect("README.md")
}

/// Splits a shell command line written in the README (single quotes only, as it uses them).
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in command.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            _ => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(current);
    }
    words
}

fn examples(text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("```")
            && lines.get(i + 1).is_some_and(|l| l.starts_with("$ elbtls "))
        {
            let line = i + 2;
            let command = lines[i + 1].trim_start_matches("$ ");
            let mut shown = Vec::new();
            let mut j = i + 2;
            while j < lines.len() && !lines[j].starts_with("```") {
                shown.push(lines[j].to_string());
                j += 1;
            }
            found.push(Example {
                line,
                args: words(command).into_iter().skip(1).collect(),
                shown,
            });
            i = j;
        }
        i += 1;
    }
    found
}

/// Why an example is not run here (`None`: it is run).
fn not_run(args: &[String]) -> Option<&'static str> {
    let first = args.first().map(String::as_str);
    let has = |flag: &str| args.iter().any(|a| a == flag);
    match first {
        Some("audit" | "inventory") => Some("needs an AWS account (audit_e2e and aws_* run these)"),
        Some("probe") => Some("needs a listener (probe_* run these)"),
        Some("client") if has("--capture") => Some("waits for a real client (client_capture)"),
        Some("client") if args.get(1).is_some_and(|a| a == "logs") => {
            Some("reads log files (client_logs)")
        }
        Some("client") if has("--listener") || has("--arn") => {
            Some("needs a listener or an account (client_cli)")
        }
        _ => None,
    }
}

/// Whether `actual` shows what `shown` says, `…` lines standing for any lines.
fn matches(shown: &[String], actual: &[&str]) -> Result<(), String> {
    let mut at = 0;
    let mut skipping = false;
    for expected in shown {
        if expected.trim() == "…" {
            skipping = true;
            continue;
        }
        let want = match expected.find('…') {
            Some(cut) => &expected[..cut],
            None => expected.as_str(),
        };
        let same = |line: &str| {
            if expected.contains('…') {
                line.starts_with(want)
            } else {
                line.trim_end() == want.trim_end()
            }
        };
        let found = if skipping {
            actual[at..].iter().position(|l| same(l)).map(|p| at + p)
        } else {
            actual.get(at).filter(|l| same(l)).map(|_| at)
        };
        match found {
            Some(index) => {
                at = index + 1;
                skipping = false;
            }
            None => {
                return Err(format!(
                    "expected `{expected}` at output line {}, found `{}`",
                    at + 1,
                    actual.get(at).copied().unwrap_or("(end of output)")
                ));
            }
        }
    }
    if !skipping && at < actual.len() {
        return Err(format!(
            "the README stops before the output does (next line: `{}`); end the block with `…`",
            actual[at]
        ));
    }
    Ok(())
}

#[test]
fn every_readme_example_that_runs_offline_prints_what_the_readme_shows() {
    let text = readme();
    let examples = examples(&text);
    assert!(examples.len() >= 10, "found {} examples", examples.len());
    let mut run = 0;
    let mut failures = Vec::new();
    for example in &examples {
        if not_run(&example.args).is_some() {
            continue;
        }
        run += 1;
        let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
            .args(&example.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .env("NO_COLOR", "1")
            .output()
            .expect("run elbtls");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let actual: Vec<&str> = all.lines().collect();
        if let Err(why) = matches(&example.shown, &actual) {
            failures.push(format!(
                "README.md:{} `elbtls {}`: {why}",
                example.line,
                example.args.join(" ")
            ));
        }
    }
    assert!(run >= 5, "only {run} examples run");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_matcher_reads_ellipses_as_the_readme_means_them() {
    let shown: Vec<String> = ["a", "…", "d", "e…"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(matches(&shown, &["a", "b", "c", "d", "e and more"]).is_ok());
    assert!(matches(&shown, &["a", "d"]).is_err());
    let exact: Vec<String> = vec!["a".into()];
    assert!(matches(&exact, &["a", "b"]).is_err());
    assert_eq!(
        words("client check --openssl 'DEFAULT:@SECLEVEL=1' --x"),
        ["client", "check", "--openssl", "DEFAULT:@SECLEVEL=1", "--x"]
    );
}

/// The GitHub anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The table of contents lists every `##` and `###` heading (but its own), and every `#…` link
/// of the README lands on a heading.
#[test]
fn the_table_of_contents_and_the_links_match_the_headings() {
    let text = readme();
    let mut in_code = false;
    let mut headings = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        if let Some(h) = line
            .strip_prefix("## ")
            .or_else(|| line.strip_prefix("### "))
        {
            headings.push(anchor(&h.replace('`', "")));
        }
    }
    let contents = text
        .split("## Contents")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a ## Contents section");
    let listed: Vec<String> = contents
        .match_indices("](#")
        .map(|(at, _)| {
            let rest = &contents[at + 3..];
            rest[..rest.find(')').unwrap()].to_string()
        })
        .collect();
    for heading in headings.iter().filter(|h| *h != "contents") {
        assert!(listed.contains(heading), "the contents miss #{heading}");
    }
    for (at, _) in text.match_indices("](#") {
        let rest = &text[at + 3..];
        let target = &rest[..rest.find(')').unwrap()];
        assert!(
            headings.iter().any(|h| h == target),
            "a link to #{target}, which no heading has"
        );
    }
}
