//! Arbitrary text as a baseline file (`--baseline FILE`): `baseline::parse` must return a baseline
//! or problems naming lines, never panic.

#![no_main]

use std::sync::OnceLock;

use elbtls::catalogue::Catalogue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    let catalogue = CATALOGUE.get_or_init(|| Catalogue::builtin().expect("built-in catalogue"));
    let text = String::from_utf8_lossy(data);
    if let Err(error) = elbtls::baseline::parse("fuzz.toml", &text, catalogue) {
        let _ = error.to_string();
    }
});
