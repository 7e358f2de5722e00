//! Arbitrary bytes as what a client sent: the ClientHello reader (`parse_client_hello`, used by
//! `client capture` and the test responder) must return a hello, `NeedMore` or an error, and never
//! panic, loop or allocate without bound; every accessor of a hello it returns must work.

#![no_main]

use elbtls::probe::wire::{ClientHello, Codec, ExtensionType, Progress, parse_client_hello};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Progress::Done(hello)) = parse_client_hello(data) {
        let _ = hello.offered_versions();
        let _ = hello.supported_versions();
        let _ = hello.supported_groups();
        let _ = hello.key_share_groups();
        let _ = hello.server_name();
        let _ = hello.signature_algorithms();
        let _ = hello.alpn_protocols();
        let _ = hello.ec_point_formats();
        let _ = hello.offers_secure_renegotiation();
        let _ = hello.offers_extended_master_secret();
        let _ = hello.extension(ExtensionType::PADDING);
        // What was read re-encodes to a hello that reads back the same (when its lengths fit).
        if hello.check_lengths().is_ok() {
            assert_eq!(
                ClientHello::read_exact(&hello.to_bytes(), "ClientHello"),
                Ok(hello)
            );
        }
    }
});
