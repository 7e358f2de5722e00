//! `elbtls policies check-api`: the catalogue against a region's `DescribeSSLPolicies` (and the
//! Classic predefined policies where the API lists them).

use std::io::Write;

use crate::aws;
use crate::catalogue::{ApiCheck, Catalogue};
use crate::cli::{CheckApiJob, Format};
use crate::exit::Exit;
use crate::report::check_api::{json, table};

/// Runs the comparison. Exit 0 when the comparison ran (differences are output, not failures:
/// an account's region may lag behind), 3 when `DescribeSSLPolicies` could not be read.
pub(super) fn run(
    catalogue: &Catalogue,
    job: &CheckApiJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    let api = match super::runtime()?.block_on(aws::policies::api_policies(&job.aws)) {
        Ok(api) => api,
        Err(e @ aws::AwsError::Call { .. }) => {
            eprintln!("error: {}", crate::text::escape(&e.to_string()));
            return Ok(Exit::Incomplete);
        }
        Err(e) => return Err(e.into()),
    };
    let check = ApiCheck::run(&api, catalogue);
    match job.format {
        Format::Table => table::render(&check, out)?,
        Format::Json => json::render(&check, out)?,
    }
    Ok(Exit::Success)
}
