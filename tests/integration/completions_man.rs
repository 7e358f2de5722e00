//! `elbtls completions SHELL` and `elbtls man [COMMAND]…`: the binary's output names the commands
//! and flags, the bash script parses and completes, and the man pages are roff that groff reads
//! without a warning (each external tool only where it is installed).

use std::path::Path;
use std::process::{Command, Output};

use crate::support::TempDir;

fn elbtls(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(args)
        .env_remove("ELBTLS_CATALOGUE")
        .output()
        .expect("the binary runs")
}

/// Runs and expects exit 0 and nothing on stderr; returns stdout.
fn ok(args: &[&str]) -> String {
    let output = elbtls(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    assert!(stderr.is_empty(), "{args:?}: {stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 stdout")
}

/// Whether `program` runs on this machine.
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

const COMMANDS: [&str; 8] = [
    "audit",
    "policies",
    "inventory",
    "probe",
    "client",
    "report",
    "completions",
    "man",
];

#[test]
fn completions_name_every_command_and_the_audit_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(&["completions", shell]);
        for word in COMMANDS
            .iter()
            .chain(&["--baseline", "--fail-on", "check-api"])
        {
            let word = if shell == "fish" {
                // fish names long flags without their dashes (`-l baseline`).
                word.trim_start_matches('-')
            } else {
                word
            };
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    assert!(ok(&["completions", "zsh"]).starts_with("#compdef elbtls"));
    assert!(ok(&["completions", "fish"]).contains("complete -c elbtls"));
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = elbtls(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bash") && stderr.contains("zsh"),
        "{stderr}"
    );
}

/// Sources the bash script and asks its completion function for `words` (the last one being
/// completed); returns the candidates.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let cword = words.len() - 1;
    let program = format!(
        "source {}\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\n_elbtls elbtls '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
        words[cword],
        words[cword - 1],
    );
    let output = Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(program)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_bash_script_parses_and_completes_commands_and_flags() {
    if !installed("bash") {
        eprintln!("bash is not installed: only the script's text was checked");
        return;
    }
    let dir = TempDir::new("completions");
    let script = dir.path().join("elbtls.bash");
    std::fs::write(&script, ok(&["completions", "bash"])).unwrap();
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    let top = bash_complete(&script, &["elbtls", ""]);
    for command in COMMANDS {
        assert!(top.iter().any(|c| c == command), "{command} not in {top:?}");
    }
    assert_eq!(
        bash_complete(&script, &["elbtls", "audit", "--base"]),
        ["--baseline"]
    );
    let formats = bash_complete(&script, &["elbtls", "audit", "--format", ""]);
    assert_eq!(
        formats,
        [
            "table", "json", "csv", "sarif", "junit", "html", "asff", "ocsf"
        ]
    );
    assert_eq!(
        bash_complete(&script, &["elbtls", "completions", "f"]),
        ["fish"]
    );
}

/// The page's roff, from the `.TH` line on (clap_mangen first defines the apostrophe string).
fn page(args: &[&str]) -> String {
    let roff = ok(&[&["man"], args].concat());
    let start = roff.find("\n.TH ").expect("a .TH title line") + 1;
    assert!(
        roff[..start]
            .lines()
            .all(|l| l.starts_with(".ie ") || l.starts_with(".el ")),
        "{roff}"
    );
    roff[start..].to_string()
}

#[test]
fn the_man_page_lists_every_command_and_each_command_has_its_own() {
    let top = page(&[]);
    assert!(
        top.starts_with(&format!(
            ".TH elbtls 1  \"elbtls {}\" \"elbtls manual\"\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{top}"
    );
    assert!(top.contains("\n.SH SYNOPSIS\n"));
    let subcommands = top.split("\n.SH SUBCOMMANDS\n").nth(1).unwrap();
    for command in COMMANDS {
        assert!(
            subcommands.contains(&format!("elbtls\\-{}(1)", command.replace('-', "\\-"))),
            "{command} not in SUBCOMMANDS"
        );
    }
    assert!(!subcommands.contains("elbtls\\-help(1)"));

    let audit = page(&["audit"]);
    assert!(audit.starts_with(".TH elbtls-audit 1 "), "{audit}");
    for flag in ["baseline", "fail\\-on", "diff", "no\\-probe"] {
        assert!(audit.contains(&format!("\\fB\\-\\-{flag}\\fR")), "--{flag}");
    }
    let show = page(&["policies", "show"]);
    assert!(show.starts_with(".TH elbtls-policies-show 1 "), "{show}");
    assert!(show.contains("\\fBelbtls policies show\\fR"));
}

#[test]
fn man_for_an_unknown_command_names_the_known_ones() {
    let output = elbtls(&["man", "policies", "lst"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("elbtls man policies lst: no command `lst` there; the commands are list, show, check-api, diff"),
        "{stderr}"
    );
}

#[test]
fn groff_reads_every_page_without_a_warning() {
    if !installed("groff") {
        eprintln!("groff is not installed: the pages' roff was not rendered");
        return;
    }
    for command in [
        &[][..],
        &["audit"],
        &["inventory"],
        &["probe"],
        &["policies", "check-api"],
        &["client", "logs"],
        &["completions"],
        &["man"],
    ] {
        let roff = ok(&[&["man"], command].concat());
        let dir = TempDir::new("man");
        let file = dir.path().join("page.1");
        std::fs::write(&file, roff).unwrap();
        let output = Command::new("groff")
            // -k: the text is UTF-8 (preconv, as man-db runs it).
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "groff on `elbtls man {}`: {}",
            command.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
