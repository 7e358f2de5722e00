//! The width the table renderers fit their text to, decided once per run: `COLUMNS` when it holds
//! a number (as `ls` and Python read it), else the width of the terminal on stdout, else of the
//! terminal on stderr (so that `elbtls audit | less` fits the screen it is read on), else
//! [`Layout::DEFAULT_WIDTH`] (CI logs, cron mail, a file written with no terminal at all). A report
//! written with `--output` gets `COLUMNS` or the default, never the terminal's width.

use std::ffi::OsStr;

use crate::report::layout::Layout;

/// The layout for a table on stdout: the width as above, coloured when `color`.
pub(crate) fn layout(color: bool) -> Layout {
    Layout::colored(
        columns_variable()
            .or_else(|| terminal_width(Stream::Stdout))
            .or_else(|| terminal_width(Stream::Stderr))
            .unwrap_or(Layout::DEFAULT_WIDTH),
        color,
    )
}

/// The layout for a table written to a file (`--output`): `COLUMNS`, else
/// [`Layout::DEFAULT_WIDTH`]; the terminal the command runs in is not where the file is read.
pub(crate) fn file_layout(color: bool) -> Layout {
    Layout::colored(columns_variable().unwrap_or(Layout::DEFAULT_WIDTH), color)
}

fn columns_variable() -> Option<usize> {
    std::env::var_os("COLUMNS").and_then(|value| columns(&value))
}

/// A positive number of columns; anything else is ignored.
fn columns(value: &OsStr) -> Option<usize> {
    value
        .to_str()?
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

#[cfg(unix)]
fn terminal_width(stream: Stream) -> Option<usize> {
    let fd = match stream {
        Stream::Stdout => libc::STDOUT_FILENO,
        Stream::Stderr => libc::STDERR_FILENO,
    };
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which points at one; on a
    // descriptor that is not a terminal (a pipe, a file, closed) it fails with nothing written.
    let result = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) };
    (result == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn terminal_width(_stream: Stream) -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_must_be_a_positive_number() {
        assert_eq!(columns(OsStr::new("120")), Some(120));
        assert_eq!(columns(OsStr::new(" 80\n")), Some(80));
        for bad in ["", "0", "-5", "wide", "80x24"] {
            assert_eq!(columns(OsStr::new(bad)), None, "{bad}");
        }
    }
}
