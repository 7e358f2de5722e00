//! `--format json` for `policies check-api`, in its own serialisable types.

use std::io::{self, Write};

use serde::Serialize;

use crate::catalogue::{ApiCheck, KindCheck, PolicyDifference};

/// Version of the JSON document written by `elbtls policies check-api`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    region: &'a str,
    /// True when nothing the API listed is missing from or different in the catalogue.
    agrees: bool,
    elbv2: KindJson<'a>,
    classic: ClassicJson<'a>,
}

#[derive(Serialize)]
struct KindJson<'a> {
    matching: &'a [String],
    missing_from_catalogue: &'a [String],
    extra_in_catalogue: &'a [String],
    differing: Vec<DifferenceJson<'a>>,
}

#[derive(Serialize)]
struct ClassicJson<'a> {
    available: bool,
    reason: Option<&'a str>,
    #[serde(flatten)]
    check: Option<KindJson<'a>>,
}

#[derive(Serialize)]
struct DifferenceJson<'a> {
    name: &'a str,
    protocols_only_in_api: &'a [String],
    protocols_only_in_catalogue: &'a [String],
    ciphers_only_in_api: &'a [String],
    ciphers_only_in_catalogue: &'a [String],
    order_differs: bool,
    api_order: &'a [String],
    server_order_differs: bool,
    unreadable: &'a [String],
}

fn difference(d: &PolicyDifference) -> DifferenceJson<'_> {
    DifferenceJson {
        name: &d.name,
        protocols_only_in_api: &d.protocols_only_in_api,
        protocols_only_in_catalogue: &d.protocols_only_in_catalogue,
        ciphers_only_in_api: &d.ciphers_only_in_api,
        ciphers_only_in_catalogue: &d.ciphers_only_in_catalogue,
        order_differs: d.order_differs,
        api_order: &d.api_order,
        server_order_differs: d.server_order_differs,
        unreadable: &d.unreadable,
    }
}

fn kind(check: &KindCheck) -> KindJson<'_> {
    KindJson {
        matching: &check.matching,
        missing_from_catalogue: &check.missing_from_catalogue,
        extra_in_catalogue: &check.extra_in_catalogue,
        differing: check.differing.iter().map(difference).collect(),
    }
}

/// Writes the JSON document.
pub fn render(check: &ApiCheck, out: &mut impl Write) -> io::Result<()> {
    let document = Document {
        schema_version: SCHEMA_VERSION,
        region: &check.region,
        agrees: check.agrees(),
        elbv2: kind(&check.elbv2),
        classic: match &check.classic {
            Ok(classic) => ClassicJson {
                available: true,
                reason: None,
                check: Some(kind(classic)),
            },
            Err(reason) => ClassicJson {
                available: false,
                reason: Some(reason),
                check: None,
            },
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}
