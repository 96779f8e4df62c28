//! The idle watchdog: a wall-clock deadline, pushed back by user input, that ends the
//! session when it passes. Pure: every method takes `now`, so the tests drive it with a
//! manual clock and the app with the system's wall clock, which keeps counting while the
//! machine sleeps (a deadline passed during sleep fires at the first tick after wake-up).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

/// The countdown is shown this long before the deadline.
pub const WARNING: Duration = Duration::seconds(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Tick {
    /// No session: nothing to watch.
    Disarmed,
    Active {
        #[ts(type = "number")]
        remaining_s: i64,
    },
    /// Shown to the user as a countdown that any input cancels.
    Warning {
        #[ts(type = "number")]
        remaining_s: i64,
    },
    /// The deadline has passed: wipe now.
    Expired,
}

#[derive(Debug, Clone, Default)]
pub struct Watchdog {
    idle: Option<Duration>,
    deadline: Option<DateTime<Utc>>,
}

impl Watchdog {
    /// Starts watching a session whose idle delay is `idle`.
    pub fn arm(&mut self, now: DateTime<Utc>, idle: Duration) {
        let idle = idle.max(Duration::seconds(1));
        self.idle = Some(idle);
        self.deadline = Some(now + idle);
    }

    pub fn disarm(&mut self) {
        self.idle = None;
        self.deadline = None;
    }

    /// User input: the deadline moves to `now + idle`, unless it has already passed (input
    /// after the deadline does not revive a session that the next tick will wipe).
    pub fn touch(&mut self, now: DateTime<Utc>) {
        if let (Some(idle), Some(deadline)) = (self.idle, self.deadline)
            && now < deadline
        {
            self.deadline = Some(now + idle);
        }
    }

    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.deadline
    }

    pub fn tick(&self, now: DateTime<Utc>) -> Tick {
        let Some(deadline) = self.deadline else {
            return Tick::Disarmed;
        };
        let remaining = deadline - now;
        if remaining <= Duration::zero() {
            Tick::Expired
        } else if remaining <= WARNING {
            // Rounded up: "1 s" until the very end, never "0 s" on screen.
            let ms = remaining.num_milliseconds();
            Tick::Warning {
                remaining_s: (ms + 999) / 1000,
            }
        } else {
            Tick::Active {
                remaining_s: remaining.num_seconds(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;
    use guichet_service::{Clock, ManualClock};

    fn clock() -> ManualClock {
        ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap())
    }

    #[test]
    fn r16_input_pushes_the_deadline_back() {
        let c = clock();
        let mut w = Watchdog::default();
        assert_eq!(w.tick(c.now()), Tick::Disarmed);
        w.arm(c.now(), Duration::seconds(300));
        assert_eq!(w.tick(c.now()), Tick::Active { remaining_s: 300 });
        c.advance(Duration::seconds(200));
        w.touch(c.now());
        c.advance(Duration::seconds(200));
        assert_eq!(w.tick(c.now()), Tick::Active { remaining_s: 100 });
    }

    #[test]
    fn r16_countdown_in_the_last_minute_then_expiry() {
        let c = clock();
        let mut w = Watchdog::default();
        w.arm(c.now(), Duration::seconds(300));
        c.advance(Duration::seconds(239));
        assert!(matches!(w.tick(c.now()), Tick::Active { .. }));
        c.advance(Duration::seconds(1));
        assert_eq!(w.tick(c.now()), Tick::Warning { remaining_s: 60 });
        c.advance(Duration::milliseconds(59_500));
        assert_eq!(w.tick(c.now()), Tick::Warning { remaining_s: 1 });
        c.advance(Duration::milliseconds(500));
        assert_eq!(w.tick(c.now()), Tick::Expired);
    }

    #[test]
    fn r16_input_during_the_countdown_cancels_it() {
        let c = clock();
        let mut w = Watchdog::default();
        w.arm(c.now(), Duration::seconds(300));
        c.advance(Duration::seconds(280));
        assert!(matches!(w.tick(c.now()), Tick::Warning { .. }));
        w.touch(c.now());
        assert_eq!(w.tick(c.now()), Tick::Active { remaining_s: 300 });
    }

    #[test]
    fn r16_a_deadline_passed_during_sleep_fires_at_wake_up() {
        let c = clock();
        let mut w = Watchdog::default();
        w.arm(c.now(), Duration::seconds(900));
        // The machine sleeps two hours: the wall clock jumps.
        c.advance(Duration::seconds(7_200));
        // Input arriving first (the wake-up keystroke) must not revive the session.
        w.touch(c.now());
        assert_eq!(w.tick(c.now()), Tick::Expired);
    }

    #[test]
    fn disarmed_after_sign_out() {
        let c = clock();
        let mut w = Watchdog::default();
        w.arm(c.now(), Duration::seconds(10));
        w.disarm();
        c.advance(Duration::seconds(60));
        w.touch(c.now());
        assert_eq!(w.tick(c.now()), Tick::Disarmed);
        assert_eq!(w.deadline(), None);
    }
}
