//! R-13 across requests and instances: attempts counted in the database before the password
//! is checked (so 25 guesses sent at once count 25, and the sixth is refused unchecked),
//! and the attempts refused while locked traced without letting a flood grow the trace
//! table: the first refusal of each identifiant and window is traced at once, the others
//! are counted and traced as one record when the window has closed. Sign-ins refused by a
//! rate limit are traced the same way (issue 22), per refusing budget (an address, or all
//! of them) and window: an identifiant the caller names does not choose the count's row,
//! so naming a victim's, or a new one each time, adds no trace.

use chrono::{DateTime, Duration, DurationRound, Utc};
use guichet_core::policy::lockout::LockoutState;
use guichet_core::trace::{TraceKind, TraceRecord};
use guichet_store::prelude::*;

use crate::Guichet;
use crate::error::{Result, ServiceError};
use crate::limits::SignInRefused;
use guichet_core::ErrorCode;

/// Width of a refusal-counting window.
pub(crate) const REFUSAL_WINDOW_SECS: i64 = 600;

fn window_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::seconds(REFUSAL_WINDOW_SECS))
        .unwrap_or(at)
}

impl Guichet {
    /// Starts an attempt on `identifiant` (a sign-in, a password change): refused while
    /// locked (the refusal is traced, aggregated, from `trace`); otherwise counted as a
    /// failure in advance, the state after that failure returned.
    pub(crate) async fn lockout_attempt(
        &self,
        identifiant: &str,
        trace: &TraceRecord,
    ) -> Result<LockoutState> {
        let now = trace.at;
        let policy = &self.inner.config.lockout;
        match self
            .inner
            .store
            .lockout_attempt(identifiant, now, policy)
            .await?
        {
            Ok(state) => Ok(state),
            Err(locked) => {
                self.refused_while_locked(identifiant, trace.clone())
                    .await?;
                Err(ServiceError::AccountLocked {
                    retry_after_s: locked.retry_after_secs,
                })
            }
        }
    }

    async fn refused_while_locked(&self, identifiant: &str, mut trace: TraceRecord) -> Result<()> {
        let window = window_of(trace.at);
        let refused = self
            .inner
            .store
            .refuse_locked(identifiant, window, trace.at, trace.address.as_deref())
            .await?;
        if refused == 1 {
            trace.outcome = ErrorCode::AccountLocked.as_str().into();
            trace.detail = Some(format!(
                "refusals counted per window from {}",
                window.to_rfc3339()
            ));
            self.trace(trace).await?;
            // A new window for this identifiant: the closed ones of everyone get written.
            self.flush_refusals(false).await?;
        }
        Ok(())
    }

    /// Counts a sign-in refused by a rate limit (traced at once if it is its budget's first
    /// refusal of the window, from `trace`); returns the error to answer.
    pub(crate) async fn refused_by_rate(
        &self,
        refused: SignInRefused,
        mut trace: TraceRecord,
    ) -> Result<ServiceError> {
        let window = window_of(trace.at);
        let count = self
            .inner
            .store
            .refuse_rate(
                &refused.bucket,
                window,
                trace.at,
                trace.identifiant.as_deref(),
                trace.address.as_deref(),
            )
            .await?;
        if count == 1 {
            trace.outcome = ErrorCode::RateLimited.as_str().into();
            trace.detail = Some(format!(
                "limit={} refusals counted per window from {}",
                limit_name(&refused.bucket),
                window.to_rfc3339()
            ));
            self.trace(trace).await?;
            // A new window for this budget: the closed ones of everyone get written.
            self.flush_refusals(false).await?;
        }
        Ok(refused.error)
    }

    /// Traces the refusal counts of closed windows (all windows with `all`, at shutdown),
    /// one record per identifiant (locked) or budget (rate limits) and window that had more
    /// than its first refusal. Each count is taken by one instance only.
    pub(crate) async fn flush_refusals(&self, all: bool) -> Result<u64> {
        let now = self.now();
        let before = if all {
            now + Duration::seconds(1)
        } else {
            window_of(now)
        };
        let mut written = 0;
        for r in self.inner.store.take_rate_refusals(before).await? {
            if r.refused <= 1 {
                continue; // already traced on its own
            }
            let mut t = self.trace_record(TraceKind::SignIn, ErrorCode::RateLimited.as_str());
            t.at = now;
            t.identifiant = r.identifiant;
            t.address = r.address;
            t.detail = Some(format!(
                "limit={} refused={} window_start={} last_at={}",
                limit_name(&r.bucket),
                r.refused,
                r.window_start.to_rfc3339(),
                r.last_at.to_rfc3339()
            ));
            self.trace(t).await?;
            written += 1;
        }
        for r in self.inner.store.take_refusals(before).await? {
            if r.refused <= 1 {
                continue; // already traced on its own
            }
            let mut t = self.trace_record(TraceKind::SignIn, ErrorCode::AccountLocked.as_str());
            t.at = now;
            t.identifiant = Some(r.identifiant);
            t.address = r.address;
            t.detail = Some(format!(
                "refused={} window_start={} last_at={}",
                r.refused,
                r.window_start.to_rfc3339(),
                r.last_at.to_rfc3339()
            ));
            self.trace(t).await?;
            written += 1;
        }
        Ok(written)
    }

    /// Periodic upkeep of a running server (every minute or so): writes the refusal counts
    /// of closed windows. Returns the records written.
    pub async fn housekeeping(&self) -> Result<u64> {
        self.flush_refusals(false).await
    }
}

/// Which budget a rate-limit bucket is, as the traces name it.
fn limit_name(bucket: &str) -> &'static str {
    if bucket == crate::limits::SIGN_IN_GLOBAL_BUCKET {
        "global"
    } else {
        "address"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_are_ten_minutes_aligned() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 17, 42).unwrap();
        assert_eq!(
            window_of(at),
            Utc.with_ymd_and_hms(2026, 11, 23, 9, 10, 0).unwrap()
        );
    }
}
