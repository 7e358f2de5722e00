//! What elbtls tells a person on stderr besides the report: warnings, notes, progress — all
//! silenced by `-q` — and, with `-v`, a log (`tracing`, the AWS SDK's included).

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets up stderr for the run: `-q` silences everything but errors; each `-v` opens the log one
/// level wider (1: elbtls at debug, the SDK's warnings; 2: the SDK at debug; 3: everything).
pub(super) fn init(verbose: u8, quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    if verbose == 0 {
        return;
    }
    let (ours, theirs) = match verbose {
        1 => (LevelFilter::DEBUG, LevelFilter::WARN),
        2 => (LevelFilter::DEBUG, LevelFilter::DEBUG),
        _ => (LevelFilter::TRACE, LevelFilter::TRACE),
    };
    let filter = Targets::new()
        .with_target("elbtls", ours)
        .with_default(theirs);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(io::stderr)
        .with_target(true);
    // A second init (tests calling `main` twice in one process) keeps the first.
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(filter)
        .try_init();
}

/// Whether `-q` was given.
pub(super) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `warning: …` on stderr, unless `-q`.
pub(super) fn warning(message: impl Display) {
    if !quiet() {
        let _ = writeln!(io::stderr(), "warning: {message}");
    }
}

/// `note: …` on stderr, unless `-q`.
pub(super) fn note(message: impl Display) {
    if !quiet() {
        let _ = writeln!(io::stderr(), "note: {message}");
    }
}

/// A line on stderr (the lines a capture prints as clients connect), unless `-q`.
pub(super) fn line(message: impl Display) {
    if !quiet() {
        let _ = writeln!(io::stderr(), "{message}");
    }
}

/// Whether a progress line may be drawn: stderr is a terminal and `-q` was not given.
pub(super) fn progress_shown() -> bool {
    !quiet() && io::stderr().is_terminal()
}
