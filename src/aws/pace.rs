//! Client-side pacing of the Elastic Load Balancing calls, so that no account is throttled into
//! failure however many load balancers it has.
//!
//! ELB throttles each account per region, and each API version (ELBv2; Classic) separately, with
//! a token bucket: AWS documents 40 tokens for the non-mutating (`Describe*`) calls, refilled at
//! 10 a second ("Request throttling for the Elastic Load Balancing API", Elastic Load Balancing
//! User Guide). A reader of one account/region/API ([`super::ScopeReader`]) takes a token from a
//! bucket of the same shape before every call, so a run alone never exceeds it; the SDK's
//! adaptive retries absorb what other clients of the account take. `N` parts of a run
//! (`audit --shard`) may read the same account at once: each keeps to 1/N of the bucket.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Tokens a second AWS documents for the `Describe*` bucket of one account, region and ELB API
/// version (the default of `--api-rate`).
pub const ELB_RATE_DEFAULT: u32 = 10;
/// The bucket holds this many seconds' worth of tokens (AWS: 40 for a rate of 10).
pub const ELB_BURST_SECONDS: f64 = 4.0;

/// A token bucket that makes callers wait their turn (reservations: a caller that finds the
/// bucket empty takes a token ahead and sleeps until it is due).
#[derive(Debug)]
pub struct Pace {
    burst: f64,
    rate: f64,
    /// Tokens left (negative: reserved ahead) as of the instant.
    state: Mutex<(f64, Instant)>,
}

impl Pace {
    /// A bucket of `burst` tokens refilled at `rate` a second, full to begin with.
    pub fn new(burst: f64, rate: f64) -> Self {
        Self {
            burst: burst.max(1.0),
            rate: rate.max(0.01),
            state: Mutex::new((burst.max(1.0), Instant::now())),
        }
    }

    /// The ELB `Describe*` bucket at `rate` calls a second, shared by `parts` runs at once.
    pub fn elb(rate: u32, parts: u32) -> Self {
        let rate = f64::from(rate.max(1)) / f64::from(parts.max(1));
        Self::new(rate * ELB_BURST_SECONDS, rate)
    }

    /// Waits until a call may be made.
    pub async fn take(&self) {
        let wait = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let (tokens, since) = *state;
            let tokens = (tokens + now.duration_since(since).as_secs_f64() * self.rate)
                .min(self.burst)
                - 1.0;
            *state = (tokens, now);
            if tokens >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-tokens / self.rate)
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn keeps_to_the_burst_then_the_rate() {
        let pace = Pace::elb(ELB_RATE_DEFAULT, 1);
        let start = Instant::now();
        for _ in 0..40 {
            pace.take().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        for _ in 0..20 {
            pace.take().await;
        }
        let elapsed = start.elapsed().as_secs_f64();
        assert!((elapsed - 2.0).abs() < 0.01, "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn parts_share_the_bucket() {
        let pace = Pace::elb(ELB_RATE_DEFAULT, 4);
        let start = Instant::now();
        for _ in 0..20 {
            pace.take().await;
        }
        // 10 at once, then 2.5 a second.
        let elapsed = start.elapsed().as_secs_f64();
        assert!((elapsed - 4.0).abs() < 0.01, "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn callers_at_once_are_spaced() {
        let pace = std::sync::Arc::new(Pace::new(1.0, 10.0));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let pace = std::sync::Arc::clone(&pace);
            tasks.spawn(async move {
                pace.take().await;
                Instant::now()
            });
        }
        let mut at: Vec<f64> = tasks
            .join_all()
            .await
            .into_iter()
            .map(|t| t.duration_since(start).as_secs_f64())
            .collect();
        at.sort_by(f64::total_cmp);
        for (i, t) in at.iter().enumerate() {
            assert!((t - 0.1 * i as f64).abs() < 0.01, "{at:?}");
        }
    }
}
