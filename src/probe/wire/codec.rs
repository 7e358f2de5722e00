//! The two verbs of the wire format: `encode` into a growing buffer, `read` from a [`Reader`] that
//! never panics and says what it was reading when the bytes ran out.

use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// Why bytes could not be decoded. Every variant names the field being read
/// (`"ServerHello.random"`), so a report can say where a server's answer went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended in the middle of this field.
    #[error("truncated {0}: the input ended before it was complete")]
    MissingData(&'static str),
    /// Bytes were left over after this field or message was complete.
    #[error("unexpected bytes after {0}")]
    TrailingData(&'static str),
    /// The field holds a value the protocol forbids here.
    #[error("invalid {what}: {value:#x}")]
    InvalidValue {
        /// The field.
        what: &'static str,
        /// The value seen.
        value: u32,
    },
    /// A length field announces more than this decoder accepts; nothing was allocated for it.
    #[error("{what} of {len} bytes is over the limit of {limit}")]
    TooLarge {
        /// The field.
        what: &'static str,
        /// The announced length (or count).
        len: usize,
        /// The largest accepted.
        limit: usize,
    },
}

/// Why a message could not be encoded: a caller-supplied field does not fit its length prefix, or
/// a required field is empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The field is longer than its length prefix (or the protocol) allows.
    #[error("{what} is {len} bytes, over the maximum of {max}")]
    TooLong {
        /// The field.
        what: &'static str,
        /// Its encoded length.
        len: usize,
        /// The largest allowed.
        max: usize,
    },
    /// The field must hold at least one item.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A key share was asked for a group this program cannot make one for.
    #[error("no key share can be made for group {0}: give one in `extra_extensions` instead")]
    NoKeyShare(crate::tls::NamedGroup),
}

impl EncodeError {
    /// `Ok` if `len` bytes fit `max`, else [`EncodeError::TooLong`].
    pub fn check(what: &'static str, len: usize, max: usize) -> Result<(), Self> {
        if len <= max {
            Ok(())
        } else {
            Err(Self::TooLong { what, len, max })
        }
    }
}

/// A cursor over received bytes. Every read is bounds-checked and returns a [`DecodeError`]
/// naming the field instead of panicking.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// How many bytes have been read so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Consumes and returns every byte left.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.peek_rest();
        self.pos = self.buf.len();
        rest
    }

    /// Consumes the next `n` bytes of field `what`.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::MissingData(what));
        }
        let taken = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(taken)
    }

    /// Consumes a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N, what)?;
        let mut array = [0; N];
        array.copy_from_slice(bytes);
        Ok(array)
    }

    /// Consumes one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Consumes a big-endian `u16`.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    /// Consumes a big-endian 24-bit integer.
    pub fn u24(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Consumes a vector with a length prefix of `prefix` and returns a reader over its body.
    pub fn sub(&mut self, prefix: LengthPrefix, what: &'static str) -> Result<Self, DecodeError> {
        let len = match prefix {
            LengthPrefix::U8 => usize::from(self.u8(what)?),
            LengthPrefix::U16 => usize::from(self.u16(what)?),
            // A u24 always fits in usize on the targets Rust supports for this crate (≥ 32 bits).
            LengthPrefix::U24 => self.u24(what)? as usize,
        };
        Ok(Self::new(self.take(len, what)?))
    }

    /// Fails with [`DecodeError::TrailingData`] if any byte is left after `what`.
    pub fn expect_empty(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingData(what))
        }
    }
}

/// The width of a length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthPrefix {
    /// One byte (up to 255).
    U8,
    /// Two bytes (up to 65 535).
    U16,
    /// Three bytes (up to 16 777 215).
    U24,
}

impl LengthPrefix {
    /// The largest body this prefix can announce.
    pub fn max(self) -> usize {
        match self {
            Self::U8 => 0xff,
            Self::U16 => 0xffff,
            Self::U24 => 0xff_ffff,
        }
    }

    fn width(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::U24 => 3,
        }
    }
}

/// Writes a length-prefixed body: a placeholder prefix first, then `body`, then the prefix is
/// patched with the body's real length.
///
/// # Panics
///
/// If the body is longer than the prefix can announce. Encoders check their inputs first
/// ([`crate::probe::wire::ClientHelloSpec::build`] returns an error instead), so reaching this
/// panic is a bug.
pub fn length_prefixed(out: &mut Vec<u8>, prefix: LengthPrefix, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 3][..prefix.width()]);
    body(out);
    let len = out.len() - at - prefix.width();
    assert!(
        len <= prefix.max(),
        "length-prefixed body of {len} bytes does not fit a {prefix:?} prefix"
    );
    let be = (len as u32).to_be_bytes();
    out[at..at + prefix.width()].copy_from_slice(&be[4 - prefix.width()..]);
}

/// A value with a wire form: written with `encode`, read back with `read`.
pub trait Codec: Sized {
    /// Appends the wire form of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Reads one value from `r`, consuming exactly its bytes.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Reads one value that must span the whole of `bytes`; `what` names it if bytes are left over.
    fn read_exact(bytes: &[u8], what: &'static str) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::read(&mut r)?;
        r.expect_empty(what)?;
        Ok(value)
    }

    /// The wire form as a new buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

impl Codec for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u8("u8")
    }
}

impl Codec for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u16("u16")
    }
}

/// The registry newtypes are two-byte code points on the wire.
macro_rules! u16_newtype_codec {
    ($($ty:ident => $what:literal),* $(,)?) => {$(
        impl Codec for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.0.to_be_bytes());
            }

            fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.u16($what).map($ty)
            }
        }
    )*};
}

u16_newtype_codec!(
    CipherSuite => "CipherSuite",
    NamedGroup => "NamedGroup",
    ProtocolVersion => "ProtocolVersion",
);

/// Writes `items` as a vector with a length prefix of `prefix`.
pub fn encode_list<T: Codec>(out: &mut Vec<u8>, prefix: LengthPrefix, items: &[T]) {
    length_prefixed(out, prefix, |out| {
        for item in items {
            item.encode(out);
        }
    });
}

/// Reads a vector with a length prefix of `prefix` whose items are all of type `T`; `what`
/// names the vector. An item cut in half by the end of the vector is an error.
pub fn read_list<T: Codec>(
    r: &mut Reader<'_>,
    prefix: LengthPrefix,
    what: &'static str,
) -> Result<Vec<T>, DecodeError> {
    let mut sub = r.sub(prefix, what)?;
    let mut items = Vec::new();
    while !sub.is_empty() {
        items.push(T::read(&mut sub).map_err(|_| DecodeError::MissingData(what))?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integers_big_endian() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6]);
        assert_eq!(r.u8("a"), Ok(1));
        assert_eq!(r.u16("b"), Ok(0x0203));
        assert_eq!(r.u24("c"), Ok(0x040506));
        assert!(r.is_empty());
        assert_eq!(r.consumed(), 6);
    }

    #[test]
    fn names_the_field_that_ran_out() {
        let mut r = Reader::new(&[1]);
        assert_eq!(
            r.u16("ServerHello.cipher_suite"),
            Err(DecodeError::MissingData("ServerHello.cipher_suite"))
        );
        // A failed read consumes nothing.
        assert_eq!(r.remaining(), 1);
        assert_eq!(
            r.take(usize::MAX, "huge"),
            Err(DecodeError::MissingData("huge"))
        );
    }

    #[test]
    fn sub_reader_is_confined_to_its_length() {
        let mut r = Reader::new(&[0, 2, 0xaa, 0xbb, 0xcc]);
        let mut sub = r.sub(LengthPrefix::U16, "list").unwrap();
        assert_eq!(sub.rest(), &[0xaa, 0xbb]);
        assert_eq!(r.peek_rest(), &[0xcc]);
        assert_eq!(
            r.expect_empty("list"),
            Err(DecodeError::TrailingData("list"))
        );
        let mut short = Reader::new(&[3, 1, 2]);
        assert_eq!(
            short.sub(LengthPrefix::U8, "x").unwrap_err(),
            DecodeError::MissingData("x")
        );
    }

    #[test]
    fn patches_length_prefixes_after_the_body() {
        let mut out = vec![0xee];
        length_prefixed(&mut out, LengthPrefix::U24, |out| {
            encode_list(
                out,
                LengthPrefix::U16,
                &[CipherSuite(0x1301), CipherSuite(0xc02f)],
            );
        });
        assert_eq!(out, [0xee, 0, 0, 6, 0, 4, 0x13, 0x01, 0xc0, 0x2f]);
        let mut r = Reader::new(&out[4..]);
        let suites: Vec<CipherSuite> = read_list(&mut r, LengthPrefix::U16, "suites").unwrap();
        assert_eq!(suites, [CipherSuite(0x1301), CipherSuite(0xc02f)]);
    }

    #[test]
    #[should_panic(expected = "does not fit")]
    fn refuses_to_write_a_body_longer_than_its_prefix() {
        length_prefixed(&mut Vec::new(), LengthPrefix::U8, |out| {
            out.extend_from_slice(&[0; 256])
        });
    }

    #[test]
    fn rejects_a_list_with_half_an_item() {
        let mut r = Reader::new(&[0, 3, 0x13, 0x01, 0x13]);
        assert_eq!(
            read_list::<CipherSuite>(&mut r, LengthPrefix::U16, "cipher_suites"),
            Err(DecodeError::MissingData("cipher_suites"))
        );
    }

    #[test]
    fn unknown_code_points_survive_a_round_trip() {
        let group = NamedGroup(0x7a7a);
        assert_eq!(
            NamedGroup::read_exact(&group.to_bytes(), "group"),
            Ok(group)
        );
        assert_eq!(
            ProtocolVersion::read_exact(&[3, 3, 0], "version"),
            Err(DecodeError::TrailingData("version"))
        );
    }
}
