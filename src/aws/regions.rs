//! Which regions `--all-regions` reads.
//!
//! The source is `account:ListRegions` (the regions *enabled for the account*, opt-in ones
//! included). The Account API client (`aws-sdk-account`) is a small crate; the usual alternative,
//! EC2 `DescribeRegions`, would mean compiling `aws-sdk-ec2`, one of the largest SDK crates, for one
//! call. When ListRegions is not allowed or not available, the built-in list below is used: the
//! regions every account has, plus the opt-in ones marked so that an error from a region that is
//! not enabled can be named as such.

use aws_sdk_account::types::RegionOptStatus;

use super::error::{Failure, classify};

/// A commercial region and whether an account must opt in to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownRegion {
    /// The region code.
    pub code: &'static str,
    /// Whether the region is disabled until the account enables it.
    pub opt_in: bool,
}

const fn region(code: &'static str, opt_in: bool) -> KnownRegion {
    KnownRegion { code, opt_in }
}

/// The commercial regions known when this list was written (2026), opt-in ones marked.
pub const KNOWN_REGIONS: &[KnownRegion] = &[
    region("us-east-1", false),
    region("us-east-2", false),
    region("us-west-1", false),
    region("us-west-2", false),
    region("ca-central-1", false),
    region("sa-east-1", false),
    region("eu-west-1", false),
    region("eu-west-2", false),
    region("eu-west-3", false),
    region("eu-central-1", false),
    region("eu-north-1", false),
    region("ap-south-1", false),
    region("ap-northeast-1", false),
    region("ap-northeast-2", false),
    region("ap-northeast-3", false),
    region("ap-southeast-1", false),
    region("ap-southeast-2", false),
    region("af-south-1", true),
    region("ap-east-1", true),
    region("ap-east-2", true),
    region("ap-south-2", true),
    region("ap-southeast-3", true),
    region("ap-southeast-4", true),
    region("ap-southeast-5", true),
    region("ap-southeast-6", true),
    region("ap-southeast-7", true),
    region("ca-west-1", true),
    region("eu-central-2", true),
    region("eu-south-1", true),
    region("eu-south-2", true),
    region("il-central-1", true),
    region("me-central-1", true),
    region("me-south-1", true),
    region("mx-central-1", true),
];

/// Regions of the other partitions (GovCloud, China, the European Sovereign Cloud): valid
/// `--region` values, never read by `--all-regions` from a commercial account.
pub const OTHER_PARTITION_REGIONS: &[&str] = &[
    "us-gov-west-1",
    "us-gov-east-1",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
];

/// The environment variable that names regions newer than this list (comma-separated), so that
/// a region AWS opens after this release can be read without waiting for one.
pub const EXTRA_REGIONS_VAR: &str = "ELBTLS_EXTRA_REGIONS";

/// Whether `code` names a region this build knows, or one `ELBTLS_EXTRA_REGIONS` adds.
pub fn is_known(code: &str) -> bool {
    KNOWN_REGIONS.iter().any(|r| r.code == code)
        || OTHER_PARTITION_REGIONS.contains(&code)
        || std::env::var(EXTRA_REGIONS_VAR)
            .is_ok_and(|extra| extra.split(',').any(|r| r.trim() == code))
}

/// The known regions closest to a mistyped `code`, best first (at most three).
pub fn closest(code: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> = KNOWN_REGIONS
        .iter()
        .map(|r| r.code)
        .chain(OTHER_PARTITION_REGIONS.iter().copied())
        .map(|known| (strsim::jaro_winkler(code, known), known))
        .filter(|(score, _)| *score >= 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, r)| r).collect()
}

/// Whether `code` is a known opt-in region.
pub fn is_opt_in(code: &str) -> bool {
    KNOWN_REGIONS.iter().any(|r| r.code == code && r.opt_in)
}

/// The regions every account has enabled.
pub fn default_enabled() -> Vec<String> {
    KNOWN_REGIONS
        .iter()
        .filter(|r| !r.opt_in)
        .map(|r| r.code.to_string())
        .collect()
}

/// The regions enabled for the account whose credentials `config` carries, from
/// `account:ListRegions` (paginated).
pub async fn enabled_regions(config: &aws_config::SdkConfig) -> Result<Vec<String>, Failure> {
    // The Account API lives in us-east-1 whatever the account's home region.
    let client = aws_sdk_account::Client::from_conf(
        aws_sdk_account::config::Builder::from(config)
            .region(aws_config::Region::new(
                super::session::HOME_REGION_FALLBACK,
            ))
            .build(),
    );
    let mut regions = Vec::new();
    let mut pages = super::pages::Pages::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_regions()
            .region_opt_status_contains(RegionOptStatus::Enabled)
            .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
            .max_results(50)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(&e, false))?;
        regions.extend(
            page.regions()
                .iter()
                .filter_map(|r| r.region_name().map(str::to_string)),
        );
        match pages.next(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    regions.sort();
    regions.dedup();
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_list_has_the_seventeen_default_regions() {
        assert_eq!(default_enabled().len(), 17);
        assert!(is_opt_in("af-south-1"));
        assert!(!is_opt_in("us-east-1"));
        let mut codes: Vec<_> = KNOWN_REGIONS.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), KNOWN_REGIONS.len(), "duplicate region");
    }
}
