//! `elbtls completions SHELL` and `elbtls man [COMMAND]…`: the shell completions and the manual
//! pages, generated from the same clap definition as the parser, so they never lag behind a flag.

use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

use super::Cli;
use super::job::{Job, ManJob};

pub(crate) const COMPLETIONS_AFTER_HELP: &str = "\
Install (the script goes to stdout):
  bash: elbtls completions bash > ~/.local/share/bash-completion/completions/elbtls
  zsh:  elbtls completions zsh > ~/.zfunc/_elbtls   (with fpath+=(~/.zfunc) before compinit)
  fish: elbtls completions fish > ~/.config/fish/completions/elbtls.fish";

pub(crate) const MAN_AFTER_HELP: &str = "\
Install (the page goes to stdout, in roff):
  mkdir -p ~/.local/share/man/man1
  elbtls man > ~/.local/share/man/man1/elbtls.1
  elbtls man audit > ~/.local/share/man/man1/elbtls-audit.1
  man elbtls-audit";

/// `elbtls completions …`
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// `elbtls man …`
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// The command whose page to print, as typed after `elbtls` (`audit`, `policies show`);
    /// none: the page of elbtls itself, which lists every command.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

impl CompletionsArgs {
    pub(crate) fn validate(self) -> Job {
        Job::Completions(self.shell)
    }
}

impl ManArgs {
    /// Checks that the named command exists (naming the ones that do when it does not).
    pub(crate) fn validate(self) -> anyhow::Result<Job> {
        let mut command = man_root();
        for (depth, name) in self.command.iter().enumerate() {
            let Some(sub) = command.find_subcommand(name) else {
                let known: Vec<&str> = command
                    .get_subcommands()
                    .filter(|c| !c.is_hide_set())
                    .map(|c| c.get_name())
                    .collect();
                anyhow::bail!(
                    "elbtls man {}: no command `{name}` there; the commands are {}",
                    self.command[..=depth].join(" "),
                    known.join(", ")
                );
            };
            command = sub.clone();
        }
        Ok(Job::Man(ManJob {
            command: self.command,
        }))
    }
}

/// The command tree the manual pages are made from (without clap's `help` subcommand, which has
/// no page).
pub(crate) fn man_root() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}
