//! Streaming a log file into a [`Tally`]: line by line through a reused buffer, never the whole
//! file; gzip (what AWS writes to S3: `….log.gz`) is recognised by its magic bytes, whatever the
//! file is called.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;

use flate2::bufread::MultiGzDecoder;

use super::line::{Entry, LineError, LogFormat, parse_line};
use super::tally::Tally;

/// Read-buffer size: large enough that a syscall moves many lines.
const BUFFER: usize = 256 * 1024;

/// Lines longer than this are not buffered whole (a file without line breaks must not fill
/// memory): the rest of such a line is skipped and the line counted as malformed.
pub const MAX_LINE: usize = 1024 * 1024;

/// A file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening failed.
    #[error("{}: cannot open", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// Reading (or decompressing) failed part way.
    #[error("{}: read error after line {line}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Lines read before the error.
        line: u64,
        /// The operating system's error.
        source: io::Error,
    },
}

/// What one file held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStats {
    /// The file, as given (`-` for standard input).
    pub path: String,
    /// Whether it was gzip-compressed.
    pub gzip: bool,
    /// Lines read.
    pub lines: u64,
    /// Lines that could not be read.
    pub malformed: u64,
    /// Well-formed entries by format ([`LogFormat::ALL`] order).
    pub by_format: [u64; 3],
}

impl FileStats {
    /// The formats the file held.
    pub fn formats(&self) -> Vec<LogFormat> {
        LogFormat::ALL
            .into_iter()
            .filter(|f| self.by_format[f.index()] > 0)
            .collect()
    }
}

/// An opened input: a file or standard input.
pub struct Input {
    label: String,
    path: PathBuf,
    reader: Box<dyn Read + Send>,
}

impl Input {
    /// Opens `path` (`-` is standard input). Nothing is read yet.
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let reader: Box<dyn Read + Send> = if path == Path::new("-") {
            Box::new(io::stdin())
        } else {
            let file = File::open(path).map_err(|source| ReadError::Open {
                path: path.to_path_buf(),
                source,
            })?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(ReadError::Open {
                    path: path.to_path_buf(),
                    source: io::Error::other("is a directory (give the log files themselves)"),
                });
            }
            Box::new(file)
        };
        Ok(Self {
            label: path.display().to_string(),
            path: path.to_path_buf(),
            reader,
        })
    }

    /// Streams every line into `tally`.
    pub fn scan(self, tally: &mut Tally<'_>) -> Result<FileStats, ReadError> {
        let mut raw = BufReader::with_capacity(BUFFER, self.reader);
        let gzip = match raw.fill_buf() {
            Ok(head) => head.starts_with(&[0x1f, 0x8b]),
            Err(source) => {
                return Err(ReadError::Read {
                    path: self.path,
                    line: 0,
                    source,
                });
            }
        };
        // Reading (and inflating) runs on its own thread, a few chunks ahead of the parsing.
        let reader: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(raw))
        } else {
            Box::new(raw)
        };
        let reader = ReadAhead::spawn(reader);
        scan_lines(reader, &self.label, gzip, tally).map_err(|(line, source)| ReadError::Read {
            path: self.path,
            line,
            source,
        })
    }
}

/// Bytes handed from the reading thread to the parsing one at a time.
const CHUNK: usize = 1024 * 1024;

/// Chunks in flight: bounds the memory the read-ahead uses (`CHUNKS_AHEAD` × [`CHUNK`]).
const CHUNKS_AHEAD: usize = 4;

/// A [`BufRead`] fed by a thread that reads (and, for gzip, inflates) the input: reading overlaps
/// parsing on a second core. The thread stops at the end of the input, on an error (handed on in
/// order), or when this side is dropped.
struct ReadAhead {
    chunks: Receiver<io::Result<Vec<u8>>>,
    /// Read chunks go back to the thread to be filled again (fresh 1 MiB allocations cost page
    /// faults).
    spent: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
    done: bool,
}

impl ReadAhead {
    fn spawn(mut source: Box<dyn Read + Send>) -> Self {
        let (sender, chunks) = mpsc::sync_channel(CHUNKS_AHEAD);
        let (spent, recycled) = mpsc::sync_channel::<Vec<u8>>(CHUNKS_AHEAD + 2);
        thread::spawn(move || {
            loop {
                let mut chunk = recycled.try_recv().unwrap_or_default();
                chunk.resize(CHUNK, 0);
                let mut filled = 0;
                let result = loop {
                    match source.read(&mut chunk[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(n) => {
                            filled += n;
                            if filled == CHUNK {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                chunk.truncate(filled);
                let last = filled < CHUNK || result.is_err();
                if filled > 0 && sender.send(Ok(chunk)).is_err() {
                    return;
                }
                if let Err(e) = result {
                    let _ = sender.send(Err(e));
                }
                if last {
                    return;
                }
            }
        });
        Self {
            chunks,
            spent,
            current: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ReadAhead {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.at == self.current.len() && !self.done {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    let spent = std::mem::replace(&mut self.current, chunk);
                    // A full return queue (or a finished thread) just drops the chunk.
                    let _ = self.spent.try_send(spent);
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The reader finished and hung up.
                Err(_) => self.done = true,
            }
        }
        Ok(&self.current[self.at..])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.current.len());
    }
}

/// Streams the lines of `reader` into `tally`; on an I/O error, the lines read before it.
pub fn scan_lines(
    mut reader: impl BufRead,
    label: &str,
    gzip: bool,
    tally: &mut Tally<'_>,
) -> Result<FileStats, (u64, io::Error)> {
    let mut stats = FileStats {
        path: label.to_string(),
        gzip,
        lines: 0,
        malformed: 0,
        by_format: [0; 3],
    };
    let mut buffer = Vec::new();
    loop {
        // A line that lies whole in the reader's buffer is read where it lies, without a copy.
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err((stats.lines, e)),
        };
        if available.is_empty() {
            break;
        }
        if let Some(end) = memchr::memchr(b'\n', available) {
            stats.lines += 1;
            if end > MAX_LINE {
                stats.malformed += 1;
                tally.malformed(label, stats.lines, LineError::TooLong { max: MAX_LINE });
            } else {
                take_line(&available[..end], &mut stats, label, tally);
            }
            reader.consume(end + 1);
            continue;
        }
        // The line runs past the buffer: gather it.
        buffer.clear();
        let too_long = match read_line(&mut reader, &mut buffer) {
            Ok(None) => break,
            Ok(Some(too_long)) => too_long,
            Err(e) => return Err((stats.lines, e)),
        };
        stats.lines += 1;
        if too_long {
            stats.malformed += 1;
            tally.malformed(label, stats.lines, LineError::TooLong { max: MAX_LINE });
        } else {
            let line = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
            take_line(line, &mut stats, label, tally);
        }
    }
    Ok(stats)
}

/// Counts one line (without its `\n`).
fn take_line(line: &[u8], stats: &mut FileStats, label: &str, tally: &mut Tally<'_>) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        tally.blank();
        return;
    }
    match parse_line(line) {
        Ok(entry) => {
            let format = match &entry {
                Entry::Plain { format } | Entry::NotNegotiated { format, .. } => *format,
                Entry::Tls(tls) => tls.format,
            };
            stats.by_format[format.index()] += 1;
            tally.entry(&entry);
        }
        Err(reason) => {
            stats.malformed += 1;
            tally.malformed(label, stats.lines, reason);
        }
    }
}

/// Reads one line into `buffer` (at most [`MAX_LINE`] bytes of it). `None` at the end of input;
/// `Some(true)` when the line was longer and its rest was skipped.
fn read_line(reader: &mut impl BufRead, buffer: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let read = reader
        .by_ref()
        .take(MAX_LINE as u64)
        .read_until(b'\n', buffer)?;
    if read == 0 {
        return Ok(None);
    }
    if read == MAX_LINE && buffer.last() != Some(&b'\n') {
        reader.skip_until(b'\n')?;
        return Ok(Some(true));
    }
    Ok(Some(false))
}
