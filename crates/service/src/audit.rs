//! Traces for auditors: chain verification, export, monthly statistics,
//! retention purge, abuse signals and key rotation, reachable only through an [`Auditor`]
//! the caisse's authorised staff, today at the server's console); and a user's own
//! traces (GDPR art. 15) through their [`ReadySession`].

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use guichet_core::policy::hours::paris_to_utc;
use guichet_core::trace::{ChainError, ChainedTrace, TraceKind, verify_chain};
use guichet_core::wire::TracePageQuery;
use guichet_store::{StatsRow, TraceFilter, prelude::*};
use serde::Serialize;

use crate::Guichet;
use crate::TraceKeys;
use crate::admin::operator_name;
use crate::auth::ReadySession;
use crate::error::{Result, ServiceError};
use crate::traces::TracePage;
use guichet_core::ErrorCode;

const PAGE: u32 = 10_000;

/// Per user and day: partner, lookups, first and last lookup.
type DayCount = (Option<String>, u32, DateTime<Utc>, DateTime<Utc>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Records checked after the anchor.
    pub records: u64,
    /// Sequence number of the last purged record (0 if none).
    pub anchor_seq: i64,
    /// Sequence number of the newest record, as recorded in the chain's head.
    pub head_seq: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub traces: u64,
    /// habilitation records ended more than `habilitation_retention_days` ago.
    pub habilitations: u64,
    pub sessions: u64,
    pub rate_counters: u64,
    pub lockouts: u64,
}

/// a user worth a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AbuseFlag {
    pub identifiant: String,
    pub partner: Option<String>,
    pub reason: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The years a trace listing or count may name (issue 23): traces are kept six months
/// and a date outside these bounds would not compare as a date on SQLite.
pub(crate) const SANE_YEARS: std::ops::RangeInclusive<i32> = 2000..=9999;

/// `YYYY-MM` → the month's bounds, Paris time.
pub(crate) fn month_bounds(month: &str) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let malformed = || ServiceError::InvalidInput("mois attendu sous la forme AAAA-MM".into());
    let b = month.as_bytes();
    let shaped = b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit());
    if !shaped {
        return Err(malformed());
    }
    let first =
        NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| malformed())?;
    if !SANE_YEARS.contains(&first.year()) {
        return Err(ServiceError::InvalidInput(
            "mois hors des années tenues par les traces".into(),
        ));
    }
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| ServiceError::InvalidInput("mois hors limites".into()))?;
    Ok((
        paris_to_utc(first.and_time(chrono::NaiveTime::MIN)),
        paris_to_utc(next.and_time(chrono::NaiveTime::MIN)),
    ))
}

/// The audit power over traces. Obtained from [`Guichet::console_auditor`] only.
#[derive(Debug)]
pub struct Auditor<'a> {
    guichet: &'a Guichet,
    operator: String,
}

impl Guichet {
    /// The audit power of the caisse's staff at the server's console, named in the traces
    /// of what it changes (purge, key rotation).
    pub fn console_auditor(&self, operator: &str) -> Result<Auditor<'_>> {
        Ok(Auditor {
            guichet: self,
            operator: operator_name(operator)?,
        })
    }

    /// a user's own traces (GDPR art. 15), a page at a time, most recent first
    /// (issue 22: a flood under their identifiant cannot make this read unbounded).
    pub async fn my_traces(
        &self,
        session: &ReadySession,
        page: TracePageQuery,
    ) -> Result<TracePage> {
        let filter = TraceFilter {
            identifiant: Some(session.user.identifiant.clone()),
            ..Default::default()
        };
        self.trace_page(&filter, page).await
    }

    /// Every record matching `filter`, in order, page by page into `sink`.
    pub(crate) async fn each_trace(
        &self,
        filter: &TraceFilter,
        mut sink: impl FnMut(&ChainedTrace) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut after = 0;
        let mut n = 0;
        loop {
            let page = self
                .inner
                .store
                .traces_filtered(filter, after, PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for t in &page {
                sink(t).map_err(|_| ServiceError::Internal)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

impl Auditor<'_> {
    fn inner(&self) -> &crate::Inner {
        &self.guichet.inner
    }

    /// checks the whole chain from its anchor up to its recorded head, with the
    /// chain's key. `Err` says where it breaks first: an altered record, a broken link, a
    /// gap, or records missing at the end (deleted newest traces).
    pub async fn verify_traces(&self) -> Result<std::result::Result<VerifyReport, ChainError>> {
        let store = &self.inner().store;
        // The head first: records appended during the check are after it, not missing.
        let (head_seq, head_hash) = store.trace_head().await?;
        let (anchor_seq, anchor) = store.trace_anchor().await?;
        let (mut prev_seq, mut prev_hash) = (anchor_seq, anchor);
        let mut records = 0;
        while prev_seq < head_seq {
            // The key of the next record, and the last record it keyed (a page stops there).
            let (key_end, key) = self
                .inner()
                .chain_keys
                .iter()
                .find(|(end, _)| end.is_none_or(|end| end > prev_seq))
                .ok_or(ServiceError::Internal)?;
            let end = key_end.map_or(head_seq, |e| e.min(head_seq));
            let limit = u32::try_from(end - prev_seq).map_or(PAGE, |n| n.clamp(1, PAGE));
            let page = store.traces(prev_seq, limit).await?;
            let Some(last) = page.last() else { break };
            match verify_chain(key, &prev_hash, prev_seq, &page) {
                Ok(n) => records += n,
                Err(e) => return Ok(Err(e)),
            }
            prev_seq = last.seq;
            prev_hash = last.hash.clone();
        }
        if prev_seq < head_seq {
            return Ok(Err(ChainError::Missing {
                seq: prev_seq + 1,
                head: head_seq,
            }));
        }
        if prev_seq > head_seq || prev_hash != head_hash {
            return Ok(Err(ChainError::HeadMismatch { seq: head_seq }));
        }
        Ok(Ok(VerifyReport {
            records,
            anchor_seq,
            head_seq,
        }))
    }

    /// Rotates the trace key: a last record is traced under the current key, and the keys
    /// to use from now on are returned (the new key current, the old one retired after that
    /// record) for the operator to install in place of the key file. Every instance must be
    /// stopped meanwhile: one still running with the old key would write records the new
    /// keys do not verify.
    pub async fn rotate_trace_key(&self) -> Result<(TraceKeys, i64)> {
        let mut t = self.guichet.trace_record(TraceKind::Admin, "ok");
        t.identifiant = Some(self.operator.clone());
        t.detail = Some("trace_key.rotate".into());
        let last = self.guichet.trace(t).await?;
        Ok((
            self.inner().trace_keys.rotated(TraceKeys::generate(), last),
            last,
        ))
    }

    /// Every record matching `filter`, in order, page by page into `sink`.
    pub async fn export_traces(
        &self,
        filter: &TraceFilter,
        sink: impl FnMut(&ChainedTrace) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.guichet.each_trace(filter, sink).await
    }

    /// counts per partner, user, service and outcome for a month (`YYYY-MM`, Paris).
    pub async fn monthly_stats(&self, month: &str) -> Result<Vec<StatsRow>> {
        self.guichet.stats_of_month(month).await
    }

    /// drops traces past retention (the chain stays verifiable), sessions past any
    /// lifetime, old rate-limit windows and idle lockout rows; writes pending refusal
    /// counts. Traced itself, before it deletes: the database measures a trace's age against
    /// the newest one, so this first trace is what lets it delete the old ones.
    pub async fn purge(&self) -> Result<PurgeReport> {
        let now = self.guichet.now();
        let config = &self.inner().config;
        let store = &self.inner().store;
        let before = now - Duration::days(i64::from(config.trace_retention_days));
        let mut t = self.guichet.trace_record(TraceKind::Admin, "ok");
        t.identifiant = Some(self.operator.clone());
        t.detail = Some(format!("purge.start before={}", before.to_rfc3339()));
        self.guichet.trace(t).await?;
        self.guichet.flush_refusals(false).await?;
        let traces = store.purge_traces(before).await?;
        let sessions = store
            .purge_sessions(
                now - Duration::seconds(config.session.absolute_lifetime_secs) - Duration::days(1),
            )
            .await?;
        let rate_counters = store.purge_rate(now - Duration::hours(1)).await?;
        let lockouts = store
            .purge_lockouts(now - Duration::seconds(config.lockout.max_lock_secs))
            .await?;
        let habilitations = store
            .purge_habilitations(
                now - Duration::days(i64::from(config.habilitation_retention_days)),
            )
            .await?;
        let mut t = self.guichet.trace_record(TraceKind::Admin, "ok");
        t.identifiant = Some(self.operator.clone());
        t.detail = Some(format!(
            "purge traces={traces} sessions={sessions} lockouts={lockouts} \
             habilitations={habilitations}"
        ));
        self.guichet.trace(t).await?;
        Ok(PurgeReport {
            traces,
            habilitations,
            sessions,
            rate_counters,
            lockouts,
        })
    }

    /// users with a long run of "no file" answers, or an unusual daily volume, since
    /// `since`.
    pub async fn abuse_flags(&self, since: DateTime<Utc>) -> Result<Vec<AbuseFlag>> {
        let filter = TraceFilter {
            since: Some(since),
            ..Default::default()
        };
        self.guichet.abuse_flags(&filter).await
    }
}

impl Guichet {
    /// counts per partner, user, service and outcome for a month (`YYYY-MM`, Paris).
    pub(crate) async fn stats_of_month(&self, month: &str) -> Result<Vec<StatsRow>> {
        let (from, to) = month_bounds(month)?;
        Ok(self.inner.store.trace_stats(from, to).await?)
    }

    /// the users of the traces matching `filter` with a long run of "no file"
    /// answers, or an unusual daily volume.
    pub(crate) async fn abuse_flags(&self, filter: &TraceFilter) -> Result<Vec<AbuseFlag>> {
        let config = &self.inner.config;
        // identifiant → (partner, current streak start, streak length, flagged)
        let mut streaks: BTreeMap<String, (Option<String>, DateTime<Utc>, u32)> = BTreeMap::new();
        let mut daily: BTreeMap<(String, NaiveDate), DayCount> = BTreeMap::new();
        let mut flags = Vec::new();
        self.each_trace(filter, |t| {
            let r = &t.record;
            let (TraceKind::Lookup, Some(id)) = (r.kind, r.identifiant.as_ref()) else {
                return Ok(());
            };
            let entry = streaks
                .entry(id.clone())
                .or_insert((r.partner.clone(), r.at, 0));
            if r.outcome == guichet_core::LookupOutcome::NotFound.code() {
                if entry.2 == 0 {
                    entry.1 = r.at;
                }
                entry.2 += 1;
                if entry.2 == config.abuse_not_found_streak {
                    flags.push(AbuseFlag {
                        identifiant: id.clone(),
                        partner: r.partner.clone(),
                        reason: format!("{} réponses « aucun dossier » d'affilée", entry.2),
                        from: entry.1,
                        to: r.at,
                    });
                }
            } else if r.outcome != ErrorCode::RateLimited.as_str() {
                entry.2 = 0;
            }
            let day = r.at.with_timezone(&chrono_tz::Europe::Paris).date_naive();
            let d = daily
                .entry((id.clone(), day))
                .or_insert((r.partner.clone(), 0, r.at, r.at));
            d.1 += 1;
            d.3 = r.at;
            Ok(())
        })
        .await?;
        for ((id, day), (partner, count, from, to)) in daily {
            if count > config.abuse_daily_lookups {
                flags.push(AbuseFlag {
                    identifiant: id,
                    partner,
                    reason: format!("{count} consultations le {}", day.format("%d/%m/%Y")),
                    from,
                    to,
                });
            }
        }
        Ok(flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn r22_months_are_paris_months() {
        let (from, to) = month_bounds("2026-11").unwrap();
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 10, 31, 23, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2026, 11, 30, 23, 0, 0).unwrap());
        let (from, _) = month_bounds("2026-07").unwrap();
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 6, 30, 22, 0, 0).unwrap());
        assert!(month_bounds("2026-13").is_err());
        assert!(month_bounds("novembre").is_err());
        // Issue 23: the API's pattern (`AAAA-MM`), nothing looser.
        for loose in [
            "26-1",
            " 2026-1",
            "+12026-01",
            "2026-1",
            "1999-12",
            "2026-11 ",
        ] {
            assert!(month_bounds(loose).is_err(), "{loose:?}");
        }
    }
}
