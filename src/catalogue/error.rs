//! Errors of the catalogue layer. Each names the file and line or the policy at fault, and what
//! would fix it.

use std::fmt;
use std::path::PathBuf;

/// One problem in a catalogue file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file (a path, or `policies/NAME` for the built-in catalogue).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong, naming the value at fault.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(file: &str, line: usize, message: String) -> Self {
        Self {
            file: file.to_string(),
            line,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The directory could not be listed.
    #[error("cannot read catalogue directory {}: {source} (pass a directory of *.toml policy files)", path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read catalogue file {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The directory holds no policy file.
    #[error("catalogue directory {} holds no *.toml file (see README, \"Catalogue files\")", path.display())]
    Empty {
        /// The directory.
        path: PathBuf,
    },
    /// Files were read but are not valid.
    #[error("invalid catalogue:\n{}", list(.0))]
    Invalid(Vec<Problem>),
}

fn list(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    lines.join("\n")
}

/// A policy name that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown policy `{name}`{}{}", scope_text(.scope), suggestion_text(.suggestions))]
pub struct UnknownPolicy {
    /// The name asked for.
    pub name: String,
    /// The filter that was applied (`classic`, `application` …), if any.
    pub scope: Option<String>,
    /// The closest names, best first.
    pub suggestions: Vec<String>,
}

fn scope_text(scope: &Option<String>) -> String {
    scope
        .as_ref()
        .map(|s| format!(" for {s} load balancers"))
        .unwrap_or_default()
}

fn suggestion_text(suggestions: &[String]) -> String {
    let list = match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => {
            let names: Vec<String> = many.iter().map(|s| format!("`{s}`")).collect();
            format!("; did you mean one of {}?", names.join(", "))
        }
    };
    format!("{list} (`elbtls policies list` shows every policy; `--catalogue DIR` adds your own)")
}
