//! Arbitrary text as a catalogue file (`--catalogue DIR`): `Catalogue::from_text` must return a
//! catalogue or problems naming lines, never panic.

#![no_main]

use elbtls::catalogue::Catalogue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = Catalogue::from_text("fuzz.toml", &text) {
        let _ = error.to_string();
    }
});
