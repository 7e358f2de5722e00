//! The one CSV writer every `--format csv` uses: RFC 4180 quoting (a field holding a comma, a
//! quote or a line break is quoted, with quotes doubled), text from outside escaped first
//! ([`crate::text::escape`]: control characters as `\u{…}`), lines ending in `\n`.

use std::borrow::Cow;
use std::io::{self, Write};

/// A field as RFC 4180 writes it, escaped first.
pub fn field(text: &str) -> Cow<'_, str> {
    let text = crate::text::escape(text);
    if text.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        text
    }
}

/// Writes one record: the cells as fields, comma-separated, then `\n`.
pub fn row<S: AsRef<str>>(out: &mut impl Write, cells: &[S]) -> io::Result<()> {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(field(cell.as_ref()).as_bytes())?;
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_fields_that_need_it() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(""), "");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        // Line breaks never reach a field raw: they are escaped, so no quoting is needed.
        assert_eq!(field("two\nlines\u{1b}[2J"), "two\\u{a}lines\\u{1b}[2J");
        assert_eq!(field("cr\rlf, x"), "\"cr\\u{d}lf, x\"");
    }

    #[test]
    fn rows_end_in_a_newline() {
        let mut out = Vec::new();
        row(&mut out, &["a", "b, c", ""]).unwrap();
        assert_eq!(out, b"a,\"b, c\",\n");
    }
}
