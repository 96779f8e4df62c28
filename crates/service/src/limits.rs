//! Rate limiting (R-13's companions): fixed one-minute windows counted in the database, so
//! that every instance of the server shares them. Sign-ins per client address (IPv6 per /64)
//! and overall, lookups and password changes per user. Only the sign-ins an address's own
//! budget lets through count toward the overall one (issue 22): one address can take at
//! most its own budget from everyone's.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, DurationRound, Utc};
use guichet_store::prelude::*;

use crate::Guichet;
use crate::auth::Session;
use crate::error::{Result, ServiceError};

/// Rate-limit state after a call, for `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    pub limit: u32,
    /// Negative once the limit is passed.
    pub remaining: i64,
    /// Seconds until the window resets.
    pub reset_s: i64,
}

impl RateInfo {
    /// `RateLimited` once the limit is passed.
    fn check(&self) -> Result<()> {
        if self.remaining < 0 {
            return Err(ServiceError::RateLimited {
                retry_after_s: self.reset_s,
            });
        }
        Ok(())
    }
}

/// A sign-in refused by a rate limit: the budget that refused it (its counter's bucket, for
/// the refusal's aggregated trace) and the error to answer.
#[derive(Debug, Clone)]
pub(crate) struct SignInRefused {
    pub bucket: String,
    pub error: ServiceError,
}

/// The counter of sign-ins from all addresses together.
pub(crate) const SIGN_IN_GLOBAL_BUCKET: &str = "sign_in:*";

/// The prefix of a user's lookup counter (`lookup:42`).
pub(crate) const LOOKUP_BUCKET: &str = "lookup:";

/// The one-minute window `now` falls in.
pub(crate) fn window_of(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(Duration::minutes(1)).unwrap_or(now)
}

/// A lookup already counted in the database (with the session check) for this request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counted {
    pub window: DateTime<Utc>,
    pub hits: i64,
}

/// A [`Counted`] that one lookup only may use: a session kept and reused for a second
/// lookup (in process) is counted again, in the database.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountedOnce(Arc<Mutex<Option<Counted>>>);

impl CountedOnce {
    pub(crate) fn new(counted: Option<Counted>) -> Self {
        Self(Arc::new(Mutex::new(counted)))
    }

    fn take(&self) -> Option<Counted> {
        self.0.lock().ok().and_then(|mut c| c.take())
    }
}

/// The rate-limit key of a client address: IPv4 (IPv4-mapped IPv6 included) as is, IPv6 by
/// its /64 (one subscriber's block: counting each /128 apart would give an attacker 2^64
/// budgets), anything else as given.
fn rate_key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
        },
        Ok(ip) => ip.to_string(),
        Err(_) => address.to_owned(),
    }
}

impl Guichet {
    /// Sign-in attempts per minute, across instances: per client address (IPv6 per /64, the
    /// block one subscriber gets), then all addresses together. The address's budget comes
    /// first and what it refuses is not counted overall (issue 22): otherwise one address
    /// sending past its own budget would use up everyone's. A spray over many addresses is
    /// still bounded overall. `Ok(Err(_))`: refused, for the caller to trace.
    pub(crate) async fn limit_sign_ins(
        &self,
        address: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Result<(), SignInRefused>> {
        let config = &self.inner.config;
        let mut buckets = Vec::with_capacity(2);
        if let Some(address) = address {
            buckets.push((
                format!("sign_in:{}", rate_key(address)),
                config.sign_ins_per_minute,
            ));
        }
        buckets.push((
            SIGN_IN_GLOBAL_BUCKET.to_owned(),
            config.sign_ins_per_minute_global,
        ));
        for (bucket, limit) in buckets {
            if let Err(error) = self.hit(&bucket, limit, now).await?.check() {
                return Ok(Err(SignInRefused { bucket, error }));
            }
        }
        Ok(Ok(()))
    }

    /// Lookups per user per minute, counted with the session check when
    /// [`Guichet::authenticate_lookup`] made it. `Ok(Err(_))`: refused, for the caller to
    /// trace.
    pub(crate) async fn limit_lookups(
        &self,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<Result<RateInfo>> {
        let limit = self.inner.config.lookups_per_minute;
        let rate = match session.counted.take() {
            Some(Counted { window, hits }) => rate_info(limit, window, hits, now),
            None => {
                let bucket = format!("{LOOKUP_BUCKET}{}", session.user.id);
                self.hit(&bucket, limit, now).await?
            }
        };
        Ok(rate.check().map(|()| rate))
    }

    /// Password changes per user per minute (a stolen token cannot guess on). `Ok(Err(_))`:
    /// refused, for the caller to trace.
    pub(crate) async fn limit_password_changes(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Result<RateInfo>> {
        let limit = self.inner.config.password_changes_per_minute;
        let rate = self
            .hit(&format!("password_change:{user_id}"), limit, now)
            .await?;
        Ok(rate.check().map(|()| rate))
    }

    /// Counts a hit in a one-minute window; `remaining` goes negative past the limit.
    async fn hit(&self, bucket: &str, limit: u32, now: DateTime<Utc>) -> Result<RateInfo> {
        let window = window_of(now);
        let hits = self.inner.store.hit_rate(bucket, window).await?;
        Ok(rate_info(limit, window, hits, now))
    }
}

fn rate_info(limit: u32, window: DateTime<Utc>, hits: i64, now: DateTime<Utc>) -> RateInfo {
    RateInfo {
        limit,
        remaining: i64::from(limit) - hits,
        reset_s: ((window + Duration::minutes(1)) - now).num_seconds().max(1),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rate_keys_group_ipv6_by_64() {
        assert_eq!(rate_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(rate_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(rate_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            rate_key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            rate_key("2001:db8:1:2::")
        );
        assert_ne!(rate_key("2001:db8:1:3::1"), rate_key("2001:db8:1:2::1"));
        assert_eq!(rate_key("not an address"), "not an address");
    }
}
