//! Runs a validated [`Config`]: loads what the command needs, calls the pure layers, hands the
//! result to `report`, and decides the exit code.

mod audit;
mod check_api;
mod client;
mod client_logs;
mod docs;
mod inventory;
mod policies;
mod probe;
mod report;
mod say;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;

use crate::catalogue::Catalogue;
use crate::cli::{CatalogueChoice, Cli, Config, Job};
use crate::exit::Exit;

/// The whole program: parse `args`, run, print errors, return the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that exit 0; clap prints them itself.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Success.into()
            };
        }
    };
    match Config::from_cli(cli).and_then(run) {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(&e) => Exit::Success.into(),
        Err(e) => {
            // Errors can quote outside text (an AWS message, a file's line): no raw control codes.
            let message = format!("{e:#}");
            let _ = writeln!(
                io::stderr(),
                "error: {}",
                crate::text::escape_lines(&message)
            );
            Exit::Usage.into()
        }
    }
}

/// Runs one command.
pub(crate) fn run(config: Config) -> anyhow::Result<Exit> {
    say::init(config.verbose, config.quiet);
    let mut catalogue = load_catalogue(&config.catalogue)?;
    if config.include_unpublished {
        catalogue.include_unpublished();
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let exit = match &config.job {
        Job::Audit(job) => audit::run(&catalogue, job, &mut out)?,
        Job::Inventory(job) => inventory::run(&catalogue, job, &mut out)?,
        Job::Probe(job) => probe::run(&catalogue, job, &mut out)?,
        Job::Policies(job) => policies::run(&catalogue, job, &mut out)?,
        Job::CheckApi(job) => check_api::run(&catalogue, job, &mut out)?,
        Job::ClientCheck(job) => client::check(&catalogue, job, &mut out)?,
        Job::ClientMatrix(job) => client::matrix(&catalogue, job, &mut out)?,
        Job::ClientProfiles(job) => client::profiles(job, &mut out)?,
        Job::ClientLogs(job) => client_logs::run(&catalogue, job, &mut out)?,
        Job::Report(job) => report::run(job, &mut out)?,
        Job::Completions(shell) => docs::completions(*shell, &mut out)?,
        Job::Man(job) => docs::man(job, &mut out)?,
    };
    out.flush()?;
    Ok(exit)
}

/// The runtime every command's network work runs on (AWS calls, probes, captures): the work is
/// waiting on the network, so two worker threads are plenty.
fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// The catalogue a run uses.
pub(crate) fn load_catalogue(choice: &CatalogueChoice) -> anyhow::Result<Catalogue> {
    Ok(match choice {
        CatalogueChoice::Builtin => Catalogue::builtin()?,
        CatalogueChoice::BuiltinPlus(dir) => {
            let mut catalogue = Catalogue::builtin()?;
            let user = Catalogue::load_dir(dir)
                .with_context(|| format!("--catalogue {}", dir.display()))?;
            catalogue.overlay(user);
            catalogue
        }
        CatalogueChoice::Only(dir) => {
            Catalogue::load_dir(dir).with_context(|| format!("--catalogue {}", dir.display()))?
        }
    })
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
