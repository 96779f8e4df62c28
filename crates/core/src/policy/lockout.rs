//! Lockout after failed sign-ins (R-13).
//!
//! ```text
//!            failure (n < threshold)              success
//!   ┌────────────┐  ────────────────►  ┌────────────┐ ───────► Unlocked{0 failures, 0 locks}
//!   │  Unlocked  │                     │  Counting  │
//!   └────────────┘  ◄──── success ──── └────────────┘
//!          ▲                                 │ failure n = threshold
//!          │ lock expires (failures reset,   ▼
//!          │ lock count kept)          ┌────────────┐
//!          └────────────────────────── │   Locked   │  duration = base × 2^(locks−1), capped
//!                                      └────────────┘
//! ```
//!
//! While locked, attempts are refused without checking the password (and without counting).
//! Only a successful sign-in forgets previous locks, so a repeat offender's locks double.
//! The same answer is given for an unknown identifiant (the service keeps a state per
//! identifiant typed, so that lockout cannot reveal which accounts exist).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockoutPolicy {
    pub threshold: u32,
    pub base_lock_secs: i64,
    pub max_lock_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            threshold: 5,
            base_lock_secs: 15 * 60,
            max_lock_secs: 24 * 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LockoutState {
    pub consecutive_failures: u32,
    pub lock_count: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// An attempt refused because the account is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub until: DateTime<Utc>,
    pub retry_after_secs: i64,
}

impl LockoutPolicy {
    /// `Err` while the account is locked at `now`.
    pub fn check(&self, state: &LockoutState, now: DateTime<Utc>) -> Result<(), Locked> {
        match state.locked_until {
            Some(until) if now < until => Err(Locked {
                until,
                retry_after_secs: (until - now).num_seconds().max(1),
            }),
            _ => Ok(()),
        }
    }

    /// The state after a failed attempt at `now` (the attempt was not refused by `check`).
    pub fn record_failure(&self, state: &LockoutState, now: DateTime<Utc>) -> LockoutState {
        let failures = state.consecutive_failures + 1;
        if failures < self.threshold {
            return LockoutState {
                consecutive_failures: failures,
                ..*state
            };
        }
        let lock_count = state.lock_count + 1;
        LockoutState {
            consecutive_failures: 0,
            lock_count,
            locked_until: Some(now + self.lock_duration(lock_count)),
        }
    }

    /// The state after a successful sign-in.
    pub fn record_success(&self) -> LockoutState {
        LockoutState::default()
    }

    /// The length of the `lock_count`-th lock in a row: base, 2×, 4×… capped.
    pub fn lock_duration(&self, lock_count: u32) -> Duration {
        let factor = 1i64 << lock_count.saturating_sub(1).min(20);
        Duration::seconds(
            self.base_lock_secs
                .saturating_mul(factor)
                .min(self.max_lock_secs),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    #[test]
    fn r13_five_failures_lock_for_fifteen_minutes() {
        let p = LockoutPolicy::default();
        let mut s = LockoutState::default();
        for i in 0..4 {
            s = p.record_failure(&s, t0());
            assert_eq!(p.check(&s, t0()), Ok(()), "after {} failures", i + 1);
        }
        s = p.record_failure(&s, t0());
        let locked = p.check(&s, t0()).unwrap_err();
        assert_eq!(locked.retry_after_secs, 15 * 60);
        assert!(p.check(&s, t0() + Duration::minutes(14)).is_err());
        assert_eq!(p.check(&s, t0() + Duration::minutes(15)), Ok(()));
    }

    #[test]
    fn r13_repeat_locks_double_and_success_resets() {
        let p = LockoutPolicy::default();
        let mut s = LockoutState::default();
        let mut now = t0();
        for expected_minutes in [15, 30, 60, 120] {
            for _ in 0..5 {
                s = p.record_failure(&s, now);
            }
            assert_eq!(
                p.check(&s, now).unwrap_err().retry_after_secs,
                expected_minutes * 60
            );
            now = s.locked_until.unwrap();
        }
        s = p.record_success();
        for _ in 0..5 {
            s = p.record_failure(&s, now);
        }
        assert_eq!(p.check(&s, now).unwrap_err().retry_after_secs, 15 * 60);
    }

    #[test]
    fn r13_lock_is_capped() {
        let p = LockoutPolicy::default();
        assert_eq!(p.lock_duration(30), Duration::hours(24));
        assert_eq!(p.lock_duration(1), Duration::minutes(15));
    }
}
