//! Arbitrary bytes as a TLS ≤ 1.2 server flight carrying a Certificate message, and as a DER
//! certificate: the chain reader (`read_certificate_chain`, up to 192 KiB) and the X.509 reader
//! (`parse_certificate`) must return a value or an error, never panic or allocate without bound.

#![no_main]

use elbtls::probe::cert::parse_certificate;
use elbtls::probe::wire::{Progress, read_certificate_chain};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Progress::Done(Some(chain))) = read_certificate_chain(data) {
        for der in &chain {
            let _ = parse_certificate(der);
        }
    }
    if let Ok(info) = parse_certificate(data) {
        let _ = info.key.algorithm.to_string();
    }
});
