//! Output of `elbtls policies check-api`: one file per format.

pub mod json;
pub mod table;
