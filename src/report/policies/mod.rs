//! Output of `elbtls policies …`: one file per format.

pub mod json;
pub mod table;
