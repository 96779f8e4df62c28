//! Session expiry: an idle delay (the strictest of the user's services) and an
//! absolute lifetime, both wall-clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::service_def::{DEFAULT_IDLE_TIMEOUT_SECS, MAX_IDLE_TIMEOUT_SECS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionPolicy {
    /// absolute lifetime, default 8 hours.
    pub absolute_lifetime_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            absolute_lifetime_secs: 8 * 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active,
    IdleExpired,
    AbsoluteExpired,
}

/// the idle delay of a session holding these services: the strictest (shortest)
/// delay wins, never above 30 minutes; 15 minutes when there is none.
pub fn effective_idle_secs(service_delays: impl IntoIterator<Item = u32>) -> u32 {
    service_delays
        .into_iter()
        .min()
        .unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS)
        .min(MAX_IDLE_TIMEOUT_SECS)
}

impl SessionPolicy {
    pub fn state(
        &self,
        created_at: DateTime<Utc>,
        last_activity: DateTime<Utc>,
        idle_secs: u32,
        now: DateTime<Utc>,
    ) -> SessionState {
        if now >= created_at + Duration::seconds(self.absolute_lifetime_secs) {
            SessionState::AbsoluteExpired
        } else if now >= last_activity + Duration::seconds(i64::from(idle_secs)) {
            SessionState::IdleExpired
        } else {
            SessionState::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn r16_strictest_service_wins_and_is_capped() {
        assert_eq!(effective_idle_secs([1800, 900]), 900);
        assert_eq!(effective_idle_secs([1800]), 1800);
        assert_eq!(effective_idle_secs([7200]), 1800);
        assert_eq!(effective_idle_secs([]), 900);
    }

    #[test]
    fn r16_r17_idle_and_absolute_expiry() {
        let p = SessionPolicy::default();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
        let s = |last: i64, now: i64| {
            p.state(
                t0,
                t0 + Duration::minutes(last),
                900,
                t0 + Duration::minutes(now),
            )
        };
        assert_eq!(s(0, 14), SessionState::Active);
        assert_eq!(s(0, 15), SessionState::IdleExpired);
        assert_eq!(s(470, 479), SessionState::Active);
        assert_eq!(
            s(475, 480),
            SessionState::AbsoluteExpired,
            "8 h whatever the activity"
        );
    }
}
