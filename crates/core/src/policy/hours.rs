//! Opening hours in Europe/Paris, across daylight-saving changes.
//!
//! Hours are local wall-clock times; `now` is UTC. On the spring-forward night the local
//! times 02:00–02:59 do not exist: an opening that falls there opens at 03:00. On the
//! fall-back night 02:00–02:59 happen twice: the first occurrence counts.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// When lookups are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpeningHours {
    /// Around the clock (CAF).
    Always,
    /// Every day from `opens` to `closes`, Paris time. `closes < opens` spans midnight.
    Daily { opens: NaiveTime, closes: NaiveTime },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursStatus {
    Open,
    Closed { reopens_at: DateTime<Utc> },
}

/// The MSA default of R-18: 05:00–23:00.
pub const DEFAULT_HOURS: OpeningHours = OpeningHours::Daily {
    opens: match NaiveTime::from_hms_opt(5, 0, 0) {
        Some(t) => t,
        None => NaiveTime::MIN,
    },
    closes: match NaiveTime::from_hms_opt(23, 0, 0) {
        Some(t) => t,
        None => NaiveTime::MIN,
    },
};

impl OpeningHours {
    pub fn status(&self, now: DateTime<Utc>) -> HoursStatus {
        let OpeningHours::Daily { opens, closes } = *self else {
            return HoursStatus::Open;
        };
        let local = now.with_timezone(&Paris);
        let date = local.date_naive();
        let time = local.time();
        let open = if opens <= closes {
            opens <= time && time < closes
        } else {
            time >= opens || time < closes
        };
        if open {
            return HoursStatus::Open;
        }
        let reopen_date = if time < opens { date } else { next_day(date) };
        HoursStatus::Closed {
            reopens_at: paris_to_utc(reopen_date.and_time(opens)),
        }
    }

    /// Combines two sets of hours (a service's and its caisse's): open only when both are.
    /// Returns the first status that is closed, else open.
    pub fn status_of_both(
        a: &OpeningHours,
        b: Option<&OpeningHours>,
        now: DateTime<Utc>,
    ) -> HoursStatus {
        let first = a.status(now);
        let second = b.map_or(HoursStatus::Open, |b| b.status(now));
        match (first, second) {
            (HoursStatus::Open, HoursStatus::Open) => HoursStatus::Open,
            (HoursStatus::Closed { reopens_at: x }, HoursStatus::Closed { reopens_at: y }) => {
                HoursStatus::Closed {
                    reopens_at: x.max(y),
                }
            }
            (closed @ HoursStatus::Closed { .. }, HoursStatus::Open)
            | (HoursStatus::Open, closed @ HoursStatus::Closed { .. }) => closed,
        }
    }
}

/// the hours a service answers at one caisse: the caisse's, and the service's own
/// when it has them; open only when both are. What the server tells its clients is this
/// value (issue 22: never one of the two alone, so that a client never shows "open" for a
/// lookup the server then refuses with `service_closed`). Written `A & B` when both count,
/// one set alone otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CombinedHours {
    pub caisse: OpeningHours,
    pub service: Option<OpeningHours>,
}

impl CombinedHours {
    /// Open when both are; when closed, the first instant both are open again (looked for
    /// over a few reopenings: two daily windows that never meet stay closed a day later).
    pub fn status(&self, now: DateTime<Utc>) -> HoursStatus {
        let mut status = OpeningHours::status_of_both(&self.caisse, self.service.as_ref(), now);
        for _ in 0..4 {
            let HoursStatus::Closed { reopens_at } = status else {
                return status;
            };
            match OpeningHours::status_of_both(&self.caisse, self.service.as_ref(), reopens_at) {
                HoursStatus::Open => return status,
                next => status = next,
            }
        }
        status
    }

    /// The sets that count: the service's alone when the caisse is always open or both
    /// are the same, the caisse's alone when the service has none or is always open.
    fn parts(&self) -> (OpeningHours, Option<OpeningHours>) {
        match self.service {
            None | Some(OpeningHours::Always) => (self.caisse, None),
            Some(s) if s == self.caisse || self.caisse == OpeningHours::Always => (s, None),
            Some(s) => (self.caisse, Some(s)),
        }
    }
}

impl fmt::Display for CombinedHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parts() {
            (one, None) => write!(f, "{one}"),
            (caisse, Some(service)) => write!(f, "{caisse} & {service}"),
        }
    }
}

impl FromStr for CombinedHours {
    type Err = HoursParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('&') {
            None => Ok(CombinedHours {
                caisse: s.parse()?,
                service: None,
            }),
            Some((a, b)) => Ok(CombinedHours {
                caisse: a.parse()?,
                service: Some(b.parse()?),
            }),
        }
    }
}

/// `HH:MM` in Paris time, for "réouverture à HH:MM".
pub fn paris_hhmm(at: DateTime<Utc>) -> String {
    at.with_timezone(&Paris).format("%H:%M").to_string()
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}

/// A Paris wall-clock time as UTC: the first occurrence when ambiguous, the end of the gap
/// when it does not exist.
pub fn paris_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let mut candidate = local;
    // A DST gap is one hour; step by minutes until we leave it (at most 60 steps).
    for _ in 0..=60 {
        if let Some(t) = Paris.from_local_datetime(&candidate).earliest() {
            return t.with_timezone(&Utc);
        }
        candidate += chrono::Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

/// Why an `HH:MM-HH:MM` string is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("horaires attendus sous la forme HH:MM-HH:MM (ou « 24/7 »)")]
pub struct HoursParseError;

impl FromStr for OpeningHours {
    type Err = HoursParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == "24/7" {
            return Ok(OpeningHours::Always);
        }
        let (a, b) = s.split_once('-').ok_or(HoursParseError)?;
        let parse =
            |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| HoursParseError);
        let (opens, closes) = (parse(a)?, parse(b)?);
        if opens == closes {
            return Err(HoursParseError);
        }
        Ok(OpeningHours::Daily { opens, closes })
    }
}

impl fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpeningHours::Always => f.write_str("24/7"),
            OpeningHours::Daily { opens, closes } => {
                write!(f, "{}-{}", opens.format("%H:%M"), closes.format("%H:%M"))
            }
        }
    }
}

impl Serialize for OpeningHours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OpeningHours {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn r18_issue22_combined_hours_are_what_the_client_is_told() {
        let daily = |a: &str, b: &str| -> OpeningHours { format!("{a}-{b}").parse().unwrap() };
        let both = CombinedHours {
            caisse: DEFAULT_HOURS,
            service: Some(daily("07:00", "19:00")),
        };
        assert_eq!(both.to_string(), "05:00-23:00 & 07:00-19:00");
        assert_eq!(both.to_string().parse::<CombinedHours>(), Ok(both));
        // 05:30 UTC in winter = 06:30 Paris: the caisse is open, the service is not.
        assert_eq!(
            both.status(utc("2026-01-15T05:30:00Z")),
            HoursStatus::Closed {
                reopens_at: utc("2026-01-15T06:00:00Z")
            }
        );
        assert_eq!(both.status(utc("2026-01-15T06:00:00Z")), HoursStatus::Open);
        // One set alone where the other adds nothing.
        let alone = |caisse, service| CombinedHours { caisse, service }.to_string();
        assert_eq!(alone(DEFAULT_HOURS, None), "05:00-23:00");
        assert_eq!(
            alone(OpeningHours::Always, Some(DEFAULT_HOURS)),
            "05:00-23:00"
        );
        assert_eq!(
            alone(DEFAULT_HOURS, Some(OpeningHours::Always)),
            "05:00-23:00"
        );
        assert_eq!(alone(OpeningHours::Always, None), "24/7");
        // A single set still reads as before.
        assert_eq!(
            "24/7".parse::<CombinedHours>().unwrap().caisse,
            OpeningHours::Always
        );
        // Windows that meet only from 22:00: at 23:30 Paris both reopen at 22:00 tomorrow
        // (05:00 the caisse, then 22:00 the service), not at the caisse's 05:00.
        let late = CombinedHours {
            caisse: DEFAULT_HOURS,
            service: Some(daily("22:00", "02:00")),
        };
        assert_eq!(
            late.status(utc("2026-01-15T22:30:00Z")),
            HoursStatus::Closed {
                reopens_at: utc("2026-01-16T21:00:00Z")
            }
        );
    }

    #[test]
    fn r18_default_hours_in_winter_and_summer() {
        let h = DEFAULT_HOURS;
        // Winter: Paris = UTC+1. 04:30 UTC = 05:30 Paris: open.
        assert_eq!(h.status(utc("2026-01-15T04:30:00Z")), HoursStatus::Open);
        // 03:30 UTC = 04:30 Paris: closed until 05:00 Paris = 04:00 UTC.
        assert_eq!(
            h.status(utc("2026-01-15T03:30:00Z")),
            HoursStatus::Closed {
                reopens_at: utc("2026-01-15T04:00:00Z")
            }
        );
        // Summer: Paris = UTC+2. 21:30 UTC = 23:30 Paris: closed until tomorrow 03:00 UTC.
        assert_eq!(
            h.status(utc("2026-07-01T21:30:00Z")),
            HoursStatus::Closed {
                reopens_at: utc("2026-07-02T03:00:00Z")
            }
        );
        // 20:59 UTC = 22:59 Paris: open.
        assert_eq!(h.status(utc("2026-07-01T20:59:00Z")), HoursStatus::Open);
    }

    #[test]
    fn r18_across_dst_changes() {
        let h = DEFAULT_HOURS;
        // Spring forward 2026-03-29 (02:00 → 03:00). At 23:30 Paris on the 28th (UTC+1),
        // the service reopens at 05:00 Paris on the 29th, which is already UTC+2: 03:00 UTC.
        assert_eq!(
            h.status(utc("2026-03-28T22:30:00Z")),
            HoursStatus::Closed {
                reopens_at: utc("2026-03-29T03:00:00Z")
            }
        );
        // Fall back 2026-10-25 (03:00 → 02:00). At 23:30 Paris on the 24th (UTC+2), it
        // reopens at 05:00 Paris on the 25th, which is UTC+1: 04:00 UTC.
        assert_eq!(
            h.status(utc("2026-10-24T21:30:00Z")),
            HoursStatus::Closed {
                reopens_at: utc("2026-10-25T04:00:00Z")
            }
        );
        assert_eq!(paris_hhmm(utc("2026-10-25T04:00:00Z")), "05:00");
    }

    #[test]
    fn r18_openings_in_the_dst_gap_move_to_its_end() {
        let h: OpeningHours = "02:30-23:00".parse().unwrap();
        assert_eq!(
            h.status(utc("2026-03-28T22:30:00Z")),
            // 02:30 does not exist on 2026-03-29: the service opens at 03:00 Paris = 01:00 UTC.
            HoursStatus::Closed {
                reopens_at: utc("2026-03-29T01:00:00Z")
            }
        );
    }

    #[test]
    fn r18_hours_spanning_midnight_and_always() {
        let h: OpeningHours = "22:00-06:00".parse().unwrap();
        assert_eq!(h.status(utc("2026-01-15T23:30:00Z")), HoursStatus::Open);
        assert_eq!(h.status(utc("2026-01-15T04:30:00Z")), HoursStatus::Open);
        assert!(matches!(
            h.status(utc("2026-01-15T12:00:00Z")),
            HoursStatus::Closed { .. }
        ));
        assert_eq!(
            OpeningHours::Always.status(utc("2026-01-15T02:00:00Z")),
            HoursStatus::Open
        );
    }

    #[test]
    fn r18_parse_and_print() {
        assert_eq!(
            "05:00-23:00".parse::<OpeningHours>().unwrap(),
            DEFAULT_HOURS
        );
        assert_eq!(DEFAULT_HOURS.to_string(), "05:00-23:00");
        assert_eq!(
            "24/7".parse::<OpeningHours>().unwrap(),
            OpeningHours::Always
        );
        for bad in [
            "",
            "5-23",
            "05:00",
            "25:00-23:00",
            "08:00-08:00",
            "ab:cd-ef:gh",
        ] {
            assert!(bad.parse::<OpeningHours>().is_err(), "{bad}");
        }
    }

    #[test]
    fn r18_both_service_and_caisse_hours_apply() {
        let caisse = DEFAULT_HOURS;
        let service: OpeningHours = "08:00-18:00".parse().unwrap();
        // 06:00 Paris in winter: caisse open, service closed until 08:00 Paris.
        assert_eq!(
            OpeningHours::status_of_both(&caisse, Some(&service), utc("2026-01-15T05:00:00Z")),
            HoursStatus::Closed {
                reopens_at: utc("2026-01-15T07:00:00Z")
            }
        );
        assert_eq!(
            OpeningHours::status_of_both(&caisse, None, utc("2026-01-15T05:00:00Z")),
            HoursStatus::Open
        );
    }
}
