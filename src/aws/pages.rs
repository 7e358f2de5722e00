//! Paginated listings that always end: at most [`MAX_PAGES`] pages per listing, and a marker seen
//! before ends it too (a loop would list the same items again and again).
//!
//! The SDK's paginators only notice a marker repeated at once; a loop over two pages, or a
//! `NextMarker` that never ends, ran for as long as the endpoint kept answering (22,940 pages in
//! ten minutes, memory growing). Either is now a [`Failure`] of the listing, `invalid-response`:
//! what was read is kept, and the scope is incomplete.

use std::collections::HashSet;

use super::answer::snippet;
use super::error::Failure;
use crate::model::inventory::FailureReason;

/// Pages one listing may take. At 400 items a page this is 400,000 load balancers or listeners in
/// one region (or certificates on one listener), far beyond any AWS quota: an endpoint that goes
/// on is broken.
pub const MAX_PAGES: usize = 1000;

/// The markers of one listing so far.
#[derive(Debug, Default)]
pub struct Pages {
    count: usize,
    seen: HashSet<String>,
}

impl Pages {
    /// A listing that has read no page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a page whose answer named `next_marker`: `Ok(Some(marker))` to ask for the next
    /// page, `Ok(None)` at the end, a failure when the listing must stop.
    pub fn next(&mut self, next_marker: Option<&str>) -> Result<Option<String>, Failure> {
        self.count += 1;
        let Some(marker) = next_marker.filter(|m| !m.is_empty()) else {
            return Ok(None);
        };
        if !self.seen.insert(marker.to_string()) {
            return Err(Failure {
                reason: FailureReason::InvalidResponse,
                message: format!(
                    "page {} named the marker `{}` again, which an earlier page already gave: the \
                     listing loops, so it was stopped (each item read is kept once; the rest may \
                     be missing). The endpoint is misbehaving: check --endpoint-url / \
                     AWS_ENDPOINT_URL and any proxy, or try again later",
                    self.count,
                    snippet(marker)
                ),
            });
        }
        if self.count >= MAX_PAGES {
            return Err(Failure {
                reason: FailureReason::InvalidResponse,
                message: format!(
                    "still a NextMarker after {MAX_PAGES} pages, the most one listing may take: \
                     stopped (what was read is kept; the rest is missing). The endpoint is \
                     misbehaving: check --endpoint-url / AWS_ENDPOINT_URL and any proxy, or try \
                     again later"
                ),
            });
        }
        Ok(Some(marker.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_at_the_last_page() {
        let mut pages = Pages::new();
        assert_eq!(pages.next(Some("a")).unwrap(), Some("a".to_string()));
        assert_eq!(pages.next(Some("")).unwrap(), None);
        assert_eq!(Pages::new().next(None).unwrap(), None);
    }

    #[test]
    fn a_marker_seen_before_stops_the_listing() {
        let mut pages = Pages::new();
        pages.next(Some("A")).unwrap();
        pages.next(Some("B")).unwrap();
        let failure = pages.next(Some("A")).unwrap_err();
        assert_eq!(failure.reason, FailureReason::InvalidResponse);
        assert!(
            failure.message.contains("marker `A` again"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn stops_after_the_page_cap() {
        let mut pages = Pages::new();
        for n in 1..MAX_PAGES {
            assert!(pages.next(Some(&n.to_string())).unwrap().is_some());
        }
        let failure = pages.next(Some("last")).unwrap_err();
        assert!(
            failure.message.contains("1000 pages"),
            "{}",
            failure.message
        );
    }
}
