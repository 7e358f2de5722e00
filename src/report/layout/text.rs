//! Text below the tables: wrapped at spaces with a hanging indent, never splitting a word, and
//! footnotes for what is too long for a cell.

use std::io::{self, Write};

/// Display width of text without ANSI colour codes (one column a character: the renderers print
/// escaped text, so no control character is counted).
pub(crate) fn text_width(text: &str) -> usize {
    let mut width = 0;
    let mut max = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                // `ESC [ … m`
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            }
            '\n' => {
                max = max.max(width);
                width = 0;
            }
            _ => width += 1,
        }
    }
    max.max(width)
}

/// The fewest columns a wrapped text gets: a hanging indent too deep for the width still leaves
/// this much (the line is then longer than the width).
const MIN_TEXT: usize = 30;

/// `text` broken at spaces into lines: the first starts with `first`, the others with `rest`,
/// none longer than `width` unless one word is (an ARN or a URL is never split, so that it can be
/// copied). Spaces between words are kept as one.
fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut line_width = text_width(first);
    let mut empty = true;
    let rest_width = text_width(rest);
    let limit = |indent: usize| width.max(indent + MIN_TEXT);
    for word in text.split_whitespace() {
        let word_width = text_width(word);
        let indent = if lines.is_empty() {
            text_width(first)
        } else {
            rest_width
        };
        if !empty && line_width + 1 + word_width > limit(indent) {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            line_width = rest_width;
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_width += 1;
        }
        line.push_str(word);
        line_width += word_width;
        empty = false;
    }
    lines.push(line.trim_end().to_string());
    lines
}

/// Writes [`wrap`]'s lines.
pub(crate) fn write_wrapped(
    out: &mut impl Write,
    text: &str,
    first: &str,
    rest: &str,
    width: usize,
) -> io::Result<()> {
    for line in wrap(text, first, rest, width) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Footnotes for text too long for a cell: each distinct text gets a number once, the cell a
/// `[n]` marker, and the notes are listed below the table.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    texts: Vec<String>,
}

impl Notes {
    /// The marker for `text` (`[1]`), numbering it if it is new.
    pub(crate) fn mark(&mut self, text: &str) -> String {
        let index = match self.texts.iter().position(|t| t == text) {
            Some(index) => index,
            None => {
                self.texts.push(text.to_string());
                self.texts.len() - 1
            }
        };
        format!("[{}]", index + 1)
    }

    /// Writes `[n] text` lines, wrapped.
    pub(crate) fn write(&self, out: &mut impl Write, width: usize) -> io::Result<()> {
        for (i, text) in self.texts.iter().enumerate() {
            let marker = format!("[{}] ", i + 1);
            let indent = " ".repeat(marker.len());
            write_wrapped(out, text, &marker, &indent, width)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_with_a_hanging_indent_and_never_splits_a_word() {
        let text = "accepts TLSv1, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not enable";
        assert_eq!(
            wrap(text, "  high  ", "        ", 40),
            [
                "  high  accepts TLSv1, which",
                "        ELBSecurityPolicy-TLS13-1-2-2021-06",
                "        does not enable",
            ]
        );
        let arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2";
        assert_eq!(wrap(arn, "", "  ", 40), [arn]);
        assert_eq!(wrap("", "  x: ", "", 40), ["  x:"]);
    }

    #[test]
    fn a_deep_indent_still_leaves_room_for_words() {
        let lines = wrap("one two three four five six seven", "", &" ".repeat(35), 40);
        assert!(
            lines.iter().skip(1).all(|l| l.trim_start().len() > 5),
            "{lines:?}"
        );
    }

    #[test]
    fn measures_without_colour_codes() {
        assert_eq!(text_width("\x1b[1;31mdrift\x1b[0m"), 5);
        assert_eq!(text_width("ab\ncdef"), 4);
    }

    #[test]
    fn notes_number_each_text_once() {
        let mut notes = Notes::default();
        assert_eq!(notes.mark("reference X"), "[1]");
        assert_eq!(notes.mark("custom"), "[2]");
        assert_eq!(notes.mark("reference X"), "[1]");
        let mut out = Vec::new();
        notes.write(&mut out, 80).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[1] reference X\n[2] custom\n"
        );
    }
}
