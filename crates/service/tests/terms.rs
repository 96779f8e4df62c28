//! A convention's life on SQLite and PostgreSQL: one year from its start, renewed
//! tacitly; notice ends it per its branch's contract (MSA: with the yearly period three
//! months or more away; CAF: on the date asked, three months at least after notice);
//! termination is final and ends sessions at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, NaiveDate};
use guichet_service::testing::*;
use guichet_service::*;
use guichet_store::testing::TestDb;
use guichet_store::*;

guichet_store::on_both_backends!(
    r28_msa_notice_ends_the_convention_with_its_yearly_period,
    r28_caf_notice_takes_effect_on_the_date_asked,
    r28_termination_is_final_and_ends_sessions_at_once,
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn r28_msa_notice_ends_the_convention_with_its_yearly_period(db: TestDb) {
    let e = env(db).await;
    let op = e.g.console("agent.msa").unwrap();
    assert_eq!(e.g.today(), d(2026, 11, 23));
    // DEMO-PSU-ALSACE started on 2026-01-01: notice today reaches the period ending
    // 2026-12-31 too late (under three months), so it ends with the next one.
    let end = op.give_notice("DEMO-PSU-ALSACE", None, None).await.unwrap();
    assert_eq!(end, d(2027, 12, 31));
    let asked = op
        .give_notice("DEMO-PSU-ALSACE", None, Some(d(2027, 3, 1)))
        .await;
    assert!(
        matches!(asked, Err(ServiceError::InvalidInput(_))),
        "MSA: no date to choose"
    );
    let c =
        e.db.store
            .convention("DEMO-PSU-ALSACE")
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (c.notice_on, c.ends_on),
        (Some(d(2026, 11, 23)), Some(d(2027, 12, 31)))
    );

    // In force until its last day, not after.
    let (info, _) = e.ready("demo.creche").await;
    e.clock.advance(Duration::days(400)); // 2027-12-28
    assert!(
        e.g.authenticate(&info.token, None).await.is_err(),
        "session lifetime"
    );
    let on_last_days = e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None).await;
    assert!(on_last_days.is_ok(), "{on_last_days:?}");
    e.clock.advance(Duration::days(5)); // 2028-01-02
    assert_eq!(
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::AccountDisabled
    );

    // Past its end, the notice is history: it can be neither withdrawn nor moved.
    for late in [
        op.withdraw_notice("DEMO-PSU-ALSACE").await,
        op.give_notice("DEMO-PSU-ALSACE", None, None)
            .await
            .map(drop),
    ] {
        assert!(
            matches!(late, Err(ServiceError::InvalidInput(_))),
            "{late:?}"
        );
    }
    let traces = e.db.store.traces(0, 10_000).await.unwrap();
    assert!(traces.iter().any(|t| {
        t.record.identifiant.as_deref() == Some("agent.msa")
            && t.record.detail.as_deref()
                == Some("convention.notice DEMO-PSU-ALSACE reçu=2026-11-23 fin=2027-12-31")
    }));
}

async fn r28_caf_notice_takes_effect_on_the_date_asked(db: TestDb) {
    let e = env(db).await;
    let op = e.g.console("agent.caf").unwrap();
    let too_soon = op
        .give_notice("DEMO-CDAP-78", None, Some(d(2027, 2, 22)))
        .await;
    assert!(
        matches!(too_soon, Err(ServiceError::InvalidInput(_))),
        "{too_soon:?}"
    );
    assert_eq!(
        op.give_notice("DEMO-CDAP-78", None, None).await.unwrap(),
        d(2027, 2, 23),
        "three months after notice by default"
    );
    assert_eq!(
        op.give_notice("DEMO-CDAP-78", None, Some(d(2027, 6, 30)))
            .await
            .unwrap(),
        d(2027, 6, 30)
    );
    // Withdrawn before it takes effect: renewed tacitly again.
    op.withdraw_notice("DEMO-CDAP-78").await.unwrap();
    let c =
        e.db.store
            .convention("DEMO-CDAP-78")
            .await
            .unwrap()
            .unwrap();
    assert_eq!((c.notice_on, c.ends_on), (None, None));

    // Notice recorded late, whose effect is already past: sessions end now.
    let (info, _) = e.ready("demo.caf").await;
    assert!(e.g.authenticate(&info.token, None).await.is_ok());
    let end = op
        .give_notice("DEMO-CDAP-78", Some(d(2026, 6, 1)), Some(d(2026, 9, 1)))
        .await
        .unwrap();
    assert_eq!(end, d(2026, 9, 1));
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert_eq!(
        e.g.sign_in("demo.caf", pw(NEW_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::AccountDisabled
    );
    let before_start = op
        .give_notice("DEMO-CDAP-78", Some(d(2025, 6, 1)), None)
        .await;
    assert!(matches!(before_start, Err(ServiceError::InvalidInput(_))));
}

async fn r28_termination_is_final_and_ends_sessions_at_once(db: TestDb) {
    let e = env(db).await;
    let op = e.g.console("agent.caf").unwrap();
    let (info, _) = e.ready("demo.caf").await;
    op.set_convention_status("DEMO-CDAP-78", ConventionStatus::Terminated)
        .await
        .unwrap();
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    for refused in [
        op.set_convention_status("DEMO-CDAP-78", ConventionStatus::Active)
            .await,
        op.give_notice("DEMO-CDAP-78", None, None).await.map(drop),
        op.withdraw_notice("DEMO-CDAP-78").await,
    ] {
        assert!(
            matches!(refused, Err(ServiceError::InvalidInput(_))),
            "{refused:?}"
        );
    }
}
