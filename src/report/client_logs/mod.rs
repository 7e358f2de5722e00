//! Output of `elbtls client logs`: one file per format, both reading a
//! [`LogReport`](crate::client::logs::LogReport).

pub mod json;
pub mod table;

/// `part` as a percentage of `whole`, rounded to two decimals (0 when `whole` is 0).
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 10_000.0 / whole as f64).round() / 100.0
    }
}

/// `55.56%`, or `-` when there is no whole to take a share of.
pub fn percent_label(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.2}%", percent(part, whole))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_shares_to_two_decimals() {
        assert_eq!(percent(5, 9), 55.56);
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent_label(2, 3), "66.67%");
        assert_eq!(percent_label(1, 0), "-");
    }
}
