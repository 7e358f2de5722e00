//! The `elbtls` binary: everything happens in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    elbtls::commands::main(std::env::args_os())
}
