//! A poor man's fuzzer that runs with `cargo test`: pseudo-random bytes and mutations of the real
//! captures go through every parser, which must answer without panicking. The libFuzzer target in
//! `fuzz/fuzz_targets/server_response.rs` does the same with coverage guidance.

use super::server_hello::tests::CAPTURES;
use super::*;
use crate::tls::ProtocolVersion;

/// xorshift64*: fixed seed, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

/// Bytes that sit on parser boundaries.
const INTERESTING: &[u8] = &[
    0, 1, 2, 3, 4, 0x0b, 0x14, 0x15, 0x16, 0x17, 0x20, 0x7f, 0x80, 0xff,
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(input.len());
        match rng.below(7) {
            0 if !input.is_empty() => input[at] ^= 1 << rng.below(8),
            1 if !input.is_empty() => input[at] = INTERESTING[rng.below(INTERESTING.len())],
            2 if !input.is_empty() => input[at] = rng.byte(),
            3 => input.truncate(at),
            4 if at < input.len() => {
                input.remove(at);
            }
            5 => input.insert(at.min(input.len()), rng.byte()),
            6 => {
                // Splice in a piece of another capture.
                let other = CAPTURES[rng.below(CAPTURES.len())];
                let from = rng.below(other.len());
                let len = rng.below(other.len() - from + 1);
                let at = at.min(input.len());
                input.splice(at..at, other[from..from + len].iter().copied());
            }
            _ => {}
        }
    }
}

/// Every entry point that reads untrusted bytes.
fn exercise(input: &[u8]) {
    let response = read_server_response(input);
    // A complete answer depends only on the bytes it was read from: more bytes change nothing.
    if let Ok(Progress::Done(_)) = &response {
        let longer = [input, &[0x16, 3, 3, 0]].concat();
        assert_eq!(read_server_response(&longer), response, "{input:02x?}");
    }
    let _ = read_certificate_chain(input);
    let mut flight = FlightReader::new(input);
    for _ in 0..64 {
        match flight.next_message() {
            Ok(Progress::Done(FlightMessage::Handshake(message))) => {
                let _ = parse_server_hello(&message.body, ProtocolVersion::TLSV1_2);
            }
            Ok(Progress::Done(FlightMessage::Encrypted) | Progress::NeedMore) | Err(_) => break,
            Ok(Progress::Done(_)) => {}
        }
    }
    let _ = parse_server_hello(input, ProtocolVersion::TLSV1_2);
    if let Ok(hello) = ClientHello::read_exact(input, "ClientHello")
        && hello.check_lengths().is_ok()
    {
        assert_eq!(
            ClientHello::read_exact(&hello.to_bytes(), "ClientHello"),
            Ok(hello)
        );
    }
}

#[test]
fn parsers_survive_random_and_mutated_input() {
    let mut rng = Rng(0x656c_6274_6c73_2024);
    let mut hello_bytes = Vec::new();
    let mut spec = ClientHelloSpec::new(ProtocolVersion::TLSV1_3, [3; 32]);
    spec.cipher_suites = vec![crate::tls::CipherSuite(0x1301)];
    spec.client_hello().unwrap().encode(&mut hello_bytes);
    let seeds: Vec<&[u8]> = CAPTURES.iter().copied().chain([&hello_bytes[..]]).collect();

    for round in 0..200_000 {
        let input = if round % 8 == 0 {
            // Pure noise, sometimes behind a valid-looking record header.
            let mut noise: Vec<u8> = (0..rng.below(300)).map(|_| rng.byte()).collect();
            if round % 16 == 0 {
                let header = [
                    0x16,
                    3,
                    3,
                    rng.byte() & 0x3f,
                    rng.byte(),
                    2,
                    0,
                    0,
                    rng.byte(),
                ];
                noise.splice(0..0, header);
            }
            noise
        } else {
            let mut input = seeds[rng.below(seeds.len())].to_vec();
            mutate(&mut rng, &mut input);
            input
        };
        exercise(&input);
    }
}
