//! elbtls: tells an AWS account the truth about its load balancers' TLS.
//!
//! The data flows one way, and the modules show it:
//!
//! ```text
//! tls (registry) ──> catalogue (policies/*.toml ──> Policy) ──> commands ──> report (table, json)
//! ```
//!
//! Later layers (`aws` inventory, `probe`, `compare`) join this flow as their issues land.

#![warn(missing_docs)]

pub mod aws;
pub mod baseline;
pub mod catalogue;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod compare;
pub mod exit;
pub mod finding;
pub mod model;
pub mod probe;
pub mod report;
pub mod text;
pub mod tls;
