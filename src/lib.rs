//! elbtls: tells an AWS account the truth about its load balancers' TLS.
//!
//! The data flows one way, and the modules show it:
//!
//! ```text
//! AWS account ──> aws (inventory, CloudWatch) ──> model::inventory (declared policies)
//!                                                        │
//! policies/*.toml ──> catalogue (Policy, Catalogue::resolve) ┤
//!                                                        ▼
//! endpoint ──> probe (ClientHello out, ServerHello in) ──> model::observed
//!                                                        │
//!          compare (pure: drift, baseline rules, compare::audit) ──> finding (codes, severities)
//!                                                        │
//!          report (table, json, csv, sarif, junit, html) ──> stdout / file
//! ```
//!
//! `tls`, `text` and `clock` are leaves; `cli` validates the flags into one typed job per command,
//! and `commands` gathers that job's inputs (I/O, async) and hands them down the flow. Both are
//! private: the binary calls [`main`]; the rest is the library's API (tests, fuzz targets and
//! other programs build on it).

pub mod aws;
pub mod baseline;
pub mod catalogue;
mod cli;
pub mod client;
pub mod clock;
mod commands;
pub mod compare;
pub mod exit;
pub mod finding;
pub mod model;
pub mod probe;
pub mod report;
mod terminal;
pub mod text;
pub mod tls;

pub use commands::main;
