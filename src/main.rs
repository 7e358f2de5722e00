//! The `elbtls` binary: everything happens in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    elbtls::main(std::env::args_os())
}
