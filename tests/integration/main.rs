//! All integration tests in one test binary (one link of elbtls and its dependencies instead of
//! one per file). Each file below is a module; `support` holds the loopback servers they share.

// The test modules and `support` share items with `pub`; in a test binary nothing is reachable from
// outside, so the library's `unreachable_pub` lint does not apply.
#![allow(unreachable_pub)]

mod support;

mod audit_e2e;
mod audit_formats;
mod audit_negotiation;
mod aws_faults;
mod aws_inventory;
mod aws_recorded;
mod catalogue;
mod cli;
mod client_capture;
mod client_cli;
mod client_hello_file;
mod client_logs;
mod client_openssl;
mod completions_man;
mod credentials;
mod elbemu;
mod examples;
mod fidelity_s2n;
mod html_report;
mod output_safety;
mod probe_certificates;
mod probe_hostile;
mod probe_openssl;
mod probe_responder;
mod readme;
mod security_hub;
