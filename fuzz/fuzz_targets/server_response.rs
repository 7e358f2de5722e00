//! Arbitrary bytes as a server's answer: the record reader, the response and certificate-chain
//! readers and the ServerHello parser must return (a value, `NeedMore` or an error) and never
//! panic, loop or allocate without bound. Seed the corpus with `src/probe/wire/testdata/*.bin`.

#![no_main]

use elbtls::probe::wire::{
    ClientHello, Codec, FlightMessage, FlightReader, Progress, parse_server_hello,
    read_certificate_chain, read_server_response,
};
use elbtls::tls::ProtocolVersion;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let response = read_server_response(data);
    // A complete answer depends only on the bytes it was read from: more bytes change nothing.
    if let Ok(Progress::Done(_)) = &response {
        let mut longer = data.to_vec();
        longer.extend_from_slice(&[0x16, 0x03, 0x03, 0x00]);
        assert_eq!(read_server_response(&longer), response);
    }
    let _ = read_certificate_chain(data);

    let mut flight = FlightReader::new(data);
    loop {
        match flight.next_message() {
            Ok(Progress::Done(FlightMessage::Handshake(message))) => {
                let _ = parse_server_hello(&message.body, ProtocolVersion::TLSV1_2);
            }
            Ok(Progress::Done(FlightMessage::Encrypted) | Progress::NeedMore) | Err(_) => break,
            Ok(Progress::Done(_)) => {}
        }
    }

    let _ = parse_server_hello(data, ProtocolVersion::TLSV1_2);
    if let Ok(hello) = ClientHello::read_exact(data, "ClientHello") {
        // What parses re-encodes to something that parses back the same (when its lengths fit).
        if hello.check_lengths().is_ok() {
            assert_eq!(
                ClientHello::read_exact(&hello.to_bytes(), "ClientHello"),
                Ok(hello)
            );
        }
    }
});
