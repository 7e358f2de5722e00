//! `elbtls completions SHELL` and `elbtls man [COMMAND]…`: generated from the clap definition
//! (`cli::Cli`), written to stdout.

use std::io::{self, Write};

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::{Cli, ManJob, man_root};
use crate::exit::Exit;

/// Writes the completion script for `shell`.
pub(super) fn completions(shell: Shell, out: &mut impl Write) -> io::Result<Exit> {
    // Generated into memory first: clap_complete panics on a write error, and a closed pipe
    // (`elbtls completions bash | head`) is to end the run quietly.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "elbtls", &mut script);
    out.write_all(&script)?;
    Ok(Exit::Success)
}

/// Writes the manual page of the command `job` names (checked to exist when the job was made).
pub(super) fn man(job: &ManJob, out: &mut impl Write) -> io::Result<Exit> {
    let mut page = man_root();
    for name in &job.command {
        page = page
            .find_subcommand(name)
            .cloned()
            .expect("ManArgs::validate checked the command exists");
    }
    clap_mangen::Man::new(page)
        .source(concat!("elbtls ", env!("CARGO_PKG_VERSION")))
        .manual("elbtls manual")
        .render(out)?;
    Ok(Exit::Success)
}
