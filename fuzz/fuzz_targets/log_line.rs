//! Arbitrary bytes as lines of ALB access, ALB connection and NLB access logs: `parse_line` must
//! return an entry or an error naming the problem, never panic, on each line.

#![no_main]

use elbtls::client::logs::parse_line;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for line in data.split(|b| *b == b'\n') {
        if let Err(error) = parse_line(line) {
            let _ = error.to_string();
        }
    }
});
