//! The store contract: every test runs on a fresh SQLite database and on a fresh
//! PostgreSQL schema, and must pass identically on both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use guichet_core::policy::hours::OpeningHours;
use guichet_core::policy::lockout::{LockoutPolicy, LockoutState};
use guichet_core::psu::{BaremeEntry, BaremeItem, CareType, national_bareme};
use guichet_core::trace::{ChainKey, TraceKind, TraceRecord, verify_chain};
use guichet_core::{Nir, Section};
use guichet_store::seed::{SeedOptions, seed};
use guichet_store::synth::Generator;
use guichet_store::testing::TestDb;
use guichet_store::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

guichet_store::on_both_backends!(
    r01_reference_data_round_trips,
    partners_conventions_users_and_grants,
    r24_uniqueness_is_enforced,
    password_history_keeps_previous_hashes,
    dossiers_round_trip_exactly,
    dossier_filters_and_paging,
    r16_sessions_touch_and_revoke,
    r16_one_request_reads_touches_and_counts,
    r13_lockout_state_persists,
    r13_parallel_attempts_each_count,
    r13_refusals_are_counted_per_window,
    r28_terminated_conventions_stay_terminated,
    rate_counters_count_per_window,
    r19_traces_chain_and_refuse_updates,
    r19_concurrent_appends_keep_one_chain,
    r19_two_instances_appending_keep_one_chain,
    r19_trace_commits_are_durable,
    r20_purge_keeps_the_chain_verifiable,
    r20_young_traces_cannot_be_deleted,
    r22_stats_count_per_partner_user_service,
    seeding_is_resumable_and_guarded,
    meta_settings,
    r31_bareme_round_trips_and_writers_take_turns,
);

async fn r01_reference_data_round_trips(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    reference::install(s, t0()).await.unwrap(); // idempotent
    let mut expected = reference::caisses();
    expected.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(s.caisses().await.unwrap(), expected);
    let mut services = reference::services();
    services.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(s.services().await.unwrap(), services);
    let rsacg = s.service("rsacg").await.unwrap().unwrap();
    assert_eq!(rsacg.idle_timeout_secs, 1800);
    assert!(rsacg.sections.contains(&Section::Rsa));
    assert!(s.service("nope").await.unwrap().is_none());

    // a new profile is a row, not code.
    let mut t22 = services[0].clone();
    t22.code = "cdap-t22".into();
    t22.hours = Some("08:00-18:00".parse().unwrap());
    s.put_service(&t22).await.unwrap();
    assert_eq!(s.service("cdap-t22").await.unwrap().unwrap(), t22);

    s.set_caisse_hours("MSA-CORSE", "07:00-21:00".parse().unwrap())
        .await
        .unwrap();
    let corse = s.caisse("MSA-CORSE").await.unwrap().unwrap();
    assert_eq!(corse.hours.to_string(), "07:00-21:00");
    assert_eq!(corse.departements, vec!["2A", "2B"]);
    assert_eq!(
        s.caisse("CAF-78").await.unwrap().unwrap().hours,
        OpeningHours::Always
    );
    assert!(matches!(
        s.set_caisse_hours("NOPE", OpeningHours::Always).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn new_user(s: &Store, partner_id: i64, identifiant: &str) -> User {
    s.create_user(
        &NewUser {
            partner_id,
            identifiant: identifiant.into(),
            display_name: "Amélie Lefèvre".into(),
            email: "amelie@example.org".into(),
            password_hash: PasswordHash("$argon2id$v=19$fake".into()),
            test_account: false,
        },
        t0(),
    )
    .await
    .unwrap()
}

async fn partners_conventions_users_and_grants(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    let p = s
        .create_partner(
            &NewPartner {
                tiers: "T-6700123".into(),
                name: "Multi-accueil Les Lutins".into(),
                kind: PartnerKind::Eaje,
                siret: Some("12345678900011".into()),
                care: CareType::Familial,
            },
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(p.status, PartnerStatus::Active);
    assert_eq!(s.partner_by_tiers("T-6700123").await.unwrap().unwrap(), p);
    assert_eq!(s.partner(p.id).await.unwrap().unwrap(), p);
    assert!(s.partners().await.unwrap().contains(&p));

    let c = s
        .create_convention(
            &NewConvention {
                number: "PSU-2026-001".into(),
                partner_id: p.id,
                caisse: "MSA-ALSACE".into(),
                service: "psu".into(),
                departements: vec!["68".into(), "67".into(), "67".into()],
                beyond_caisse: false,
                starts_on: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            },
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(c.departements, vec!["67", "68"]);
    assert_eq!(c.status, ConventionStatus::Active);
    assert_eq!(s.convention("PSU-2026-001").await.unwrap().unwrap(), c);
    assert_eq!(s.conventions_of(p.id).await.unwrap(), vec![c.clone()]);

    let u = new_user(s, p.id, "a.lefevre").await;
    assert!(
        u.must_change_password,
        "R-11: a new user must change the password"
    );
    assert_eq!(u.status, UserStatus::Active);
    assert_eq!(
        s.user_by_identifiant("a.lefevre").await.unwrap().unwrap(),
        u
    );
    assert_eq!(s.user(u.id).await.unwrap().unwrap(), u);
    assert_eq!(s.users(Some(p.id)).await.unwrap(), vec![u.clone()]);
    assert!(s.users(Some(p.id + 1000)).await.unwrap().is_empty());
    assert!(
        !format!("{u:?}").contains("argon2"),
        "hash hidden from Debug"
    );

    s.grant(u.id, c.id, None, t0()).await.unwrap();
    s.grant(u.id, c.id, None, t0()).await.unwrap(); // idempotent
    let grants = s.grants(u.id, t0()).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].service.code, "psu");
    assert_eq!(grants[0].scope(&[]).departements, vec!["67", "68"]);
    assert_eq!(grants[0].caisse_hours.to_string(), "05:00-23:00");

    let later = t0() + Duration::hours(1);
    s.set_convention_status("PSU-2026-001", ConventionStatus::Suspended, later)
        .await
        .unwrap();
    let c2 = s.convention("PSU-2026-001").await.unwrap().unwrap();
    assert_eq!(
        (c2.status, c2.status_at),
        (ConventionStatus::Suspended, later)
    );
    // the grant still exists; the service decides from the convention's status.
    assert_eq!(
        s.grants(u.id, later).await.unwrap()[0].convention.status,
        ConventionStatus::Suspended
    );

    s.set_user_status(
        u.id,
        UserStatus::Deactivated,
        Authority::Caisse,
        None,
        later,
    )
    .await
    .unwrap();
    assert_eq!(
        s.user(u.id).await.unwrap().unwrap().status,
        UserStatus::Deactivated
    );
    s.set_partner_status(p.id, PartnerStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        s.partner(p.id).await.unwrap().unwrap().status,
        PartnerStatus::Suspended
    );
    assert!(matches!(
        s.set_user_status(999_999, UserStatus::Active, Authority::Caisse, None, later)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.set_convention_status("NOPE", ConventionStatus::Active, later)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn r24_uniqueness_is_enforced(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    let p = s.partner_by_tiers("DEMO-EAJE-67").await.unwrap().unwrap();
    let dup = NewPartner {
        tiers: "DEMO-EAJE-67".into(),
        name: "x".into(),
        kind: PartnerKind::Other,
        siret: None,
        care: CareType::Collective,
    };
    assert!(matches!(
        s.create_partner(&dup, t0()).await,
        Err(StoreError::Conflict(_))
    ));
    let conv = NewConvention {
        number: "DEMO-PSU-ALSACE".into(),
        partner_id: p.id,
        caisse: "MSA-ALSACE".into(),
        service: "psu".into(),
        departements: vec!["67".into()],
        beyond_caisse: false,
        starts_on: reference::demo_convention_start(),
    };
    assert!(matches!(
        s.create_convention(&conv, t0()).await,
        Err(StoreError::Conflict(_))
    ));
    new_user(s, p.id, "dup.user").await;
    let again = s
        .create_user(
            &NewUser {
                partner_id: p.id,
                identifiant: "dup.user".into(),
                display_name: "X".into(),
                email: "x@example.org".into(),
                password_hash: PasswordHash("h".into()),
                test_account: true,
            },
            t0(),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
}

async fn password_history_keeps_previous_hashes(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    let p = s.partner_by_tiers("DEMO-CD-67").await.unwrap().unwrap();
    let u = new_user(s, p.id, "h.user").await;
    for i in 1..=6 {
        let at = t0() + Duration::minutes(i);
        s.set_password(u.id, &PasswordHash(format!("hash-{i}")), false, at)
            .await
            .unwrap();
    }
    let user = s.user(u.id).await.unwrap().unwrap();
    assert_eq!(user.password_hash.0, "hash-6");
    assert!(!user.must_change_password);
    assert_eq!(user.password_changed_at, t0() + Duration::minutes(6));
    let history: Vec<_> = s
        .password_history(u.id, 5)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(
        history,
        vec!["hash-5", "hash-4", "hash-3", "hash-2", "hash-1"]
    );
    assert!(matches!(
        s.set_password(424_242, &PasswordHash("x".into()), true, t0())
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn dossiers_round_trip_exactly(db: TestDb) {
    let s = &db.store;
    let g = Generator::new(11);
    let files: Vec<_> = (0..1_200).map(|i| g.dossier(i)).collect();
    assert_eq!(s.insert_dossiers(&files).await.unwrap(), 1_200);
    assert_eq!(s.count_dossiers().await.unwrap(), 1_200);
    for f in files.iter().step_by(97) {
        assert_eq!(s.dossier(&f.nir).await.unwrap().as_ref(), Some(f));
    }
    let with_rsa = files.iter().find(|f| f.rsa.is_some()).unwrap();
    assert_eq!(
        s.dossier(&with_rsa.nir).await.unwrap().as_ref(),
        Some(with_rsa)
    );
    let unknown = Nir::parse("1 85 05 78 006 084 91").unwrap();
    assert!(s.dossier(&unknown).await.unwrap().is_none());
    // The hand-written fixture, with apostrophes, accents and every section filled.
    let sample = guichet_core::testing::sample_dossier();
    s.insert_dossiers(std::slice::from_ref(&sample))
        .await
        .unwrap();
    assert_eq!(s.dossier(&sample.nir).await.unwrap(), Some(sample.clone()));
    // A second insert of the same NIR is refused and loses nothing.
    assert!(matches!(
        s.insert_dossiers(&[sample]).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.count_dossiers().await.unwrap(), 1_201);
}

async fn dossier_filters_and_paging(db: TestDb) {
    let s = &db.store;
    let g = Generator::new(5);
    let files: Vec<_> = (0..2_000).map(|i| g.dossier(i)).collect();
    s.insert_dossiers(&files).await.unwrap();
    let filter = DossierFilter {
        caisse: Some("MSA-ALSACE".into()),
        departement: Some("67".into()),
        opposition: Some(false),
        with_rsa: None,
    };
    let mut expected: Vec<_> = files
        .iter()
        .filter(|f| f.caisse == "MSA-ALSACE" && f.departement == "67" && !f.opposition)
        .map(|f| f.nir.expose().to_owned())
        .collect();
    expected.sort();
    let mut got = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s.dossiers(&filter, after.as_deref(), 17).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = Some(page.last().unwrap().nir.expose().to_owned());
        got.extend(page.into_iter().map(|d| d.nir.expose().to_owned()));
    }
    assert!(expected.len() > 100);
    assert_eq!(got, expected);
    let opposed = s
        .dossiers(
            &DossierFilter {
                opposition: Some(true),
                ..Default::default()
            },
            None,
            10_000,
        )
        .await
        .unwrap();
    assert_eq!(opposed.len(), files.iter().filter(|f| f.opposition).count());
    let rsa = s
        .dossiers(
            &DossierFilter {
                with_rsa: Some(true),
                ..Default::default()
            },
            None,
            10_000,
        )
        .await
        .unwrap();
    assert!(!rsa.is_empty() && rsa.iter().all(|d| d.rsa.is_some()));
}

async fn r16_sessions_touch_and_revoke(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    let p = s.partner_by_tiers("DEMO-EAJE-67").await.unwrap().unwrap();
    let u = new_user(s, p.id, "s.user").await;
    let new = |h: &str| NewSession {
        token_hash: h.into(),
        user_id: u.id,
        created_at: t0(),
        idle_timeout_secs: 900,
        address: Some("192.0.2.10".into()),
    };
    s.create_session(&new("h1")).await.unwrap();
    s.create_session(&new("h2")).await.unwrap();
    assert!(matches!(
        s.create_session(&new("h1")).await,
        Err(StoreError::Conflict(_))
    ));
    let rec = s.session("h1").await.unwrap().unwrap();
    assert_eq!(
        (rec.created_at, rec.last_activity_at, rec.idle_timeout_secs),
        (t0(), t0(), 900)
    );
    assert!(rec.revoked_at.is_none());

    let later = t0() + Duration::minutes(5);
    let touch = |at| SessionRequest {
        token_hash: "h1",
        at,
        touch_after_secs: 0,
        absolute_lifetime_secs: 8 * 3600,
        rate: None,
    };
    s.session_for_request(&touch(later)).await.unwrap();
    s.session_for_request(&touch(t0() + Duration::minutes(1)))
        .await
        .unwrap(); // never goes back
    assert_eq!(
        s.session("h1").await.unwrap().unwrap().last_activity_at,
        later
    );

    assert!(s.revoke_session("h1", later).await.unwrap());
    assert!(
        !s.revoke_session("h1", later).await.unwrap(),
        "already revoked"
    );
    assert!(!s.revoke_session("unknown", later).await.unwrap());
    assert_eq!(
        s.session("h1").await.unwrap().unwrap().revoked_at,
        Some(later)
    );
    s.create_session(&new("h3")).await.unwrap();
    assert_eq!(s.revoke_user_sessions(u.id, later).await.unwrap(), 2);
    assert!(s.session("none").await.unwrap().is_none());
    assert_eq!(
        s.purge_sessions(t0() + Duration::seconds(1)).await.unwrap(),
        3
    );
    assert!(s.session("h2").await.unwrap().is_none());
}

/// Issue 14: the session, its user and partner, the activity and the rate counter of one
/// request in one call (one statement on PostgreSQL), with R-16's rules kept: a touch
/// only for a live session and only past the threshold, never backwards; the count exact
/// under 25 requests at once.
async fn r16_one_request_reads_touches_and_counts(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    let p = s.partner_by_tiers("DEMO-EAJE-67").await.unwrap().unwrap();
    let u = new_user(s, p.id, "r.user").await;
    let c = s
        .create_convention(
            &NewConvention {
                number: "PSU-2026-R16".into(),
                partner_id: p.id,
                caisse: "MSA-ALSACE".into(),
                service: "psu".into(),
                departements: vec!["68".into(), "67".into()],
                beyond_caisse: false,
                starts_on: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            },
            t0(),
        )
        .await
        .unwrap();
    s.grant(u.id, c.id, None, t0()).await.unwrap();
    let new = |h: &str| NewSession {
        token_hash: h.into(),
        user_id: u.id,
        created_at: t0(),
        idle_timeout_secs: 900,
        address: None,
    };
    s.create_session(&new("h1")).await.unwrap();
    let window = t0();
    let ask = |at: DateTime<Utc>, rate: bool| SessionRequest {
        token_hash: "h1",
        at,
        touch_after_secs: 5,
        absolute_lifetime_secs: 8 * 3600,
        rate: rate.then_some(("lookup:", window)),
    };
    let activity = || async { s.session("h1").await.unwrap().unwrap().last_activity_at };

    let t = t0() + Duration::seconds(60);
    let b = s.session_for_request(&ask(t, true)).await.unwrap().unwrap();
    assert_eq!(
        b.record.last_activity_at,
        t0(),
        "the record as it was before"
    );
    assert_eq!((b.user.id, b.partner.id), (u.id, p.id));
    assert_eq!(b.user.identifiant, "r.user");
    assert_eq!(b.partner.tiers, "DEMO-EAJE-67");
    assert_eq!(b.hits, Some(1));
    // PostgreSQL reads the habilitations in the same statement, as `grants` gives them.
    assert_eq!(b.grants.is_some(), s.backend() == Backend::Postgres);
    if let Some(grants) = &b.grants {
        assert_eq!(grants, &s.grants(u.id, t).await.unwrap());
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].convention, c);
        assert_eq!(grants[0].service.code, "psu");
    }
    assert_eq!(activity().await, t, "touched");
    assert_eq!(
        s.hit_rate(&format!("lookup:{}", u.id), window)
            .await
            .unwrap(),
        2
    );

    // Within the threshold: not written; without a rate: nothing counted.
    let b = s
        .session_for_request(&ask(t + Duration::seconds(4), false))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.hits, None);
    assert_eq!(activity().await, t);
    // Never backwards.
    s.session_for_request(&ask(t - Duration::seconds(30), false))
        .await
        .unwrap();
    assert_eq!(activity().await, t);
    // Past its idle delay the session is not revived (the caller revokes it).
    let idle = t + Duration::seconds(900);
    let b = s
        .session_for_request(&ask(idle, true))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.record.last_activity_at, t);
    assert_eq!(activity().await, t, "an idle session is not touched");
    assert_eq!(b.hits, Some(3));
    // Past the absolute lifetime, likewise: a second session, kept active until a minute
    // before its eight hours, is not touched at eight hours.
    s.create_session(&new("h2")).await.unwrap();
    let ask2 = |at| SessionRequest {
        token_hash: "h2",
        ..ask(at, false)
    };
    let last = t0() + Duration::hours(8) - Duration::seconds(60);
    let mut at = t0();
    while at < last {
        at = (at + Duration::seconds(600)).min(last);
        s.session_for_request(&ask2(at)).await.unwrap();
    }
    let activity2 = || async { s.session("h2").await.unwrap().unwrap().last_activity_at };
    assert_eq!(activity2().await, last);
    s.session_for_request(&ask2(t0() + Duration::hours(8)))
        .await
        .unwrap();
    assert_eq!(activity2().await, last, "past its lifetime");

    // 25 requests at once: 25 hits, each seen once.
    let mut seen: Vec<i64> = futures_util::future::join_all((0..25).map(|_| async {
        let r = ask(t + Duration::seconds(10), true);
        s.session_for_request(&r)
            .await
            .unwrap()
            .unwrap()
            .hits
            .unwrap()
    }))
    .await;
    seen.sort_unstable();
    assert_eq!(seen, (4..=28).collect::<Vec<_>>());

    // A revoked session is found (for the caller to refuse) and counts nothing.
    s.revoke_session("h1", t).await.unwrap();
    let b = s.session_for_request(&ask(t, true)).await.unwrap().unwrap();
    assert_eq!((b.record.revoked_at, b.hits), (Some(t), None));
    assert!(
        s.session_for_request(&SessionRequest {
            token_hash: "unknown",
            ..ask(t, true)
        })
        .await
        .unwrap()
        .is_none()
    );
}

async fn r13_lockout_state_persists(db: TestDb) {
    let s = &db.store;
    let p = LockoutPolicy::default();
    assert_eq!(s.lockout("nobody").await.unwrap(), LockoutState::default());
    for n in 1..=4 {
        let state = s
            .lockout_attempt("a.user", t0(), &p)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(state.consecutive_failures, n);
        assert_eq!(s.lockout("a.user").await.unwrap(), state);
    }
    let locked = s
        .lockout_attempt("a.user", t0(), &p)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(locked.lock_count, 1);
    assert_eq!(locked.locked_until, Some(t0() + Duration::minutes(15)));
    let refused = s
        .lockout_attempt("a.user", t0(), &p)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.retry_after_secs, 15 * 60);
    assert_eq!(
        s.lockout("a.user").await.unwrap(),
        locked,
        "a refusal counts nothing"
    );
    // After the lock, counting starts again; locks double.
    let later = t0() + Duration::minutes(15);
    for _ in 0..5 {
        s.lockout_attempt("a.user", later, &p)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(
        s.lockout("a.user").await.unwrap().locked_until,
        Some(later + Duration::minutes(30))
    );
    s.clear_lockout("a.user").await.unwrap();
    assert_eq!(s.lockout("a.user").await.unwrap(), LockoutState::default());

    // Idle rows go; a row still locked stays.
    s.lockout_attempt("idle", t0(), &p).await.unwrap().unwrap();
    for _ in 0..5 {
        s.lockout_attempt("locked", t0(), &p)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(
        s.purge_lockouts(t0() + Duration::minutes(1)).await.unwrap(),
        1
    );
    assert_eq!(s.lockout("idle").await.unwrap(), LockoutState::default());
    assert!(s.lockout("locked").await.unwrap().locked_until.is_some());
}

/// 25 attempts on one identifiant at the same moment: exactly `threshold` get to check a
/// password, the others are refused as locked (R-13 cannot be bypassed by parallelism).
async fn r13_parallel_attempts_each_count(db: TestDb) {
    let p = LockoutPolicy::default();
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let s = db.store.clone();
            tokio::spawn(async move { s.lockout_attempt("target", t0(), &p).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => allowed += 1,
            Err(_) => refused += 1,
        }
    }
    assert_eq!((allowed, refused), (5, 20));
    let state = db.store.lockout("target").await.unwrap();
    assert_eq!(state.lock_count, 1, "one lock, not five");
    assert!(state.locked_until.is_some());
}

async fn r13_refusals_are_counted_per_window(db: TestDb) {
    let s = &db.store;
    let w1 = t0();
    let w2 = t0() + Duration::minutes(10);
    for n in 1..=3 {
        let at = w1 + Duration::seconds(n);
        assert_eq!(
            s.refuse_locked("x", w1, at, Some("192.0.2.1"))
                .await
                .unwrap(),
            n
        );
    }
    assert_eq!(s.refuse_locked("y", w1, w1, None).await.unwrap(), 1);
    assert_eq!(s.refuse_locked("x", w2, w2, None).await.unwrap(), 1);
    let taken = s.take_refusals(w2).await.unwrap();
    assert_eq!(taken.len(), 2, "the open window stays");
    assert_eq!(taken[0].identifiant, "x");
    assert_eq!(taken[0].refused, 3);
    assert_eq!(taken[0].last_at, w1 + Duration::seconds(3));
    assert_eq!(taken[0].address.as_deref(), Some("192.0.2.1"));
    assert!(s.take_refusals(w2).await.unwrap().is_empty(), "taken once");
    assert_eq!(
        s.take_refusals(w2 + Duration::minutes(10))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn r28_terminated_conventions_stay_terminated(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    let p = s
        .create_partner(
            &NewPartner {
                tiers: "T-28".into(),
                name: "Crèche".into(),
                kind: PartnerKind::Eaje,
                siret: None,
                care: CareType::Collective,
            },
            t0(),
        )
        .await
        .unwrap();
    s.create_convention(
        &NewConvention {
            number: "C-28".into(),
            partner_id: p.id,
            caisse: "MSA-ALSACE".into(),
            service: "psu".into(),
            departements: vec!["67".into()],
            beyond_caisse: false,
            starts_on: t0().date_naive(),
        },
        t0(),
    )
    .await
    .unwrap();
    s.set_convention_status("C-28", ConventionStatus::Suspended, t0())
        .await
        .unwrap();
    s.set_convention_status("C-28", ConventionStatus::Active, t0())
        .await
        .unwrap();
    s.set_convention_status("C-28", ConventionStatus::Terminated, t0())
        .await
        .unwrap();
    for status in [ConventionStatus::Active, ConventionStatus::Suspended] {
        assert!(matches!(
            s.set_convention_status("C-28", status, t0()).await,
            Err(StoreError::Refused(_))
        ));
    }
    s.set_convention_status("C-28", ConventionStatus::Terminated, t0())
        .await
        .unwrap();
    assert_eq!(
        s.convention("C-28").await.unwrap().unwrap().status,
        ConventionStatus::Terminated
    );
    assert!(matches!(
        s.set_convention_status("nope", ConventionStatus::Active, t0())
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn rate_counters_count_per_window(db: TestDb) {
    let s = &db.store;
    let w1 = t0();
    let w2 = t0() + Duration::minutes(1);
    for expected in 1..=3 {
        assert_eq!(s.hit_rate("lookup:7", w1).await.unwrap(), expected);
    }
    assert_eq!(s.hit_rate("lookup:8", w1).await.unwrap(), 1);
    assert_eq!(s.hit_rate("lookup:7", w2).await.unwrap(), 1);
    assert_eq!(s.purge_rate(w2).await.unwrap(), 2);
    assert_eq!(s.hit_rate("lookup:7", w2).await.unwrap(), 2);
}

fn record(i: i64, identifiant: &str, outcome: &str) -> TraceRecord {
    TraceRecord {
        at: t0() + Duration::seconds(i) + Duration::nanoseconds(123_456_789),
        kind: TraceKind::Lookup,
        outcome: outcome.into(),
        identifiant: Some(identifiant.into()),
        partner: Some("DEMO-EAJE-67".into()),
        service: Some("psu".into()),
        address: Some("127.0.0.1".into()),
        nir_digest: Some(format!("{i:064}")),
        detail: None,
    }
}

fn key() -> ChainKey {
    ChainKey::derive(b"trace key of the store contract")
}

async fn verify_all(s: &Store) -> u64 {
    let (anchor_seq, anchor) = s.trace_anchor().await.unwrap();
    let all = s.traces(anchor_seq, 1_000_000).await.unwrap();
    let n = verify_chain(&key(), &anchor, anchor_seq, &all).unwrap();
    let head = s.trace_head().await.unwrap();
    match all.last() {
        Some(last) => assert_eq!(
            head,
            (last.seq, last.hash.clone()),
            "the head is the last record"
        ),
        None => assert_eq!(head.0, anchor_seq),
    }
    n
}

/// Lets the purge of these tests delete any trace older than the newest (the database
/// keeps those younger than the retention otherwise, R-20).
async fn no_retention(s: &Store) {
    s.set_meta("trace_retention_days", "0").await.unwrap();
}

/// Runs SQL as someone with write access to the database would.
async fn exec(s: &Store, sql: &'static str) -> Result<u64, String> {
    match s {
        Store::Sqlite(x) => sqlx::query(sql)
            .execute(x.pool())
            .await
            .map(|d| d.rows_affected()),
        Store::Postgres(x) => sqlx::query(sql)
            .execute(x.pool())
            .await
            .map(|d| d.rows_affected()),
    }
    .map_err(|e| e.to_string())
}

async fn r19_traces_chain_and_refuse_updates(db: TestDb) {
    let s = &db.store;
    let first = s
        .append_traces(
            &[record(1, "a", "found"), record(2, "a", "not_found")],
            &key(),
        )
        .await
        .unwrap();
    assert_eq!(first.iter().map(|t| t.seq).collect::<Vec<_>>(), vec![1, 2]);
    let more = s
        .append_traces(&[record(3, "b", "found")], &key())
        .await
        .unwrap();
    assert_eq!(more[0].seq, 3);
    assert_eq!(more[0].prev_hash, first[1].hash);
    assert!(s.append_traces(&[], &key()).await.unwrap().is_empty());
    let stored = s.traces(0, 100).await.unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(
        stored[0], first[0],
        "what is stored hashes as it was appended"
    );
    assert_eq!(verify_all(s).await, 3);
    let only_b = s
        .traces_filtered(
            &TraceFilter {
                identifiant: Some("b".into()),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
    assert_eq!(only_b.len(), 1);
    let since = s
        .traces_filtered(
            &TraceFilter {
                since: Some(t0() + Duration::seconds(2)),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
    assert_eq!(since.len(), 2);

    // Append-only: the database itself refuses an update.
    assert!(
        exec(s, "UPDATE traces SET outcome = 'found' WHERE seq = 2")
            .await
            .is_err(),
        "traces must be append-only"
    );
}

async fn r19_trace_commits_are_durable(db: TestDb) {
    match &db.store {
        Store::Sqlite(x) => {
            // FULL (2) for the chain; NORMAL (1) elsewhere.
            assert_eq!(x.trace_synchronous().await.unwrap(), 2);
            let general: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(x.pool())
                .await
                .unwrap();
            assert_eq!(general, 1);
        }
        Store::Postgres(x) => {
            let commit: String = sqlx::query_scalar("SHOW synchronous_commit")
                .fetch_one(x.pool())
                .await
                .unwrap();
            assert_eq!(commit, "on");
        }
    }
    let appended = db
        .store
        .append_traces(&[record(1, "a", "found")], &key())
        .await
        .unwrap();
    assert_eq!(
        db.store.trace_head().await.unwrap(),
        (1, appended[0].hash.clone())
    );
}

/// whoever can run SQL cannot remove a trace still inside its retention, neither one
/// by one nor all at once; the purge of old ones still works.
async fn r20_young_traces_cannot_be_deleted(db: TestDb) {
    let s = &db.store;
    let recs: Vec<_> = (1..=5).map(|i| record(i * 60, "a", "found")).collect();
    s.append_traces(&recs, &key()).await.unwrap();
    for sql in [
        "DELETE FROM traces WHERE seq = 5",
        "DELETE FROM traces WHERE seq >= 3",
        "DELETE FROM traces",
    ] {
        let refused = exec(s, sql).await.unwrap_err();
        assert!(refused.contains("retention"), "{sql}: {refused}");
    }
    if matches!(s, Store::Postgres(_)) {
        assert!(
            exec(s, "TRUNCATE traces")
                .await
                .unwrap_err()
                .contains("truncated")
        );
    }
    assert_eq!(verify_all(s).await, 5);
    // A trace older than the retention (measured from the newest) may go.
    let mut late = record(1, "a", "found");
    late.at = t0() + Duration::days(200);
    s.append_traces(&[late], &key()).await.unwrap();
    assert_eq!(s.purge_traces(t0() + Duration::days(1)).await.unwrap(), 5);
    assert_eq!(verify_all(s).await, 1);
}

async fn r19_concurrent_appends_keep_one_chain(db: TestDb) {
    let store = db.store.clone();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..15 {
                s.append_traces(&[record(i, &format!("w{w}"), "found")], &key())
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(verify_all(&store).await, 120);
}

/// R-19 across instances: each instance appends after the head it last wrote, so every
/// append of the other makes that assumption stale; no record is lost, none is chained
/// twice, whether the instances take turns or write at once.
async fn r19_two_instances_appending_keep_one_chain(db: TestDb) {
    let a = db.store.clone();
    let b = Store::connect(&db.url).await.unwrap();
    let mut appended = 0;
    for (turn, s) in [&a, &b, &a, &a, &b, &a].into_iter().enumerate() {
        let recs: Vec<_> = (0..=turn as i64)
            .map(|i| record(i, &format!("turn{turn}"), "found"))
            .collect();
        let chained = s.append_traces(&recs, &key()).await.unwrap();
        assert_eq!(
            chained[0].seq,
            appended + 1,
            "turn {turn} follows the other's"
        );
        appended += chained.len() as i64;
    }
    assert_eq!(verify_all(&a).await, 21);

    let mut tasks = Vec::new();
    for w in 0..8 {
        let s = if w % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..15 {
                let recs: Vec<_> = (0..=(i % 3))
                    .map(|j| record(i * 3 + j, &format!("w{w}"), "found"))
                    .collect();
                let chained = s.append_traces(&recs, &key()).await.unwrap();
                seqs.extend(chained.iter().map(|t| t.seq));
            }
            seqs
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.extend(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (22..=21 + 8 * 30).collect::<Vec<i64>>(),
        "each seq handed out once"
    );
    assert_eq!(verify_all(&b).await, 21 + 8 * 30);
    b.close().await;
}

async fn r20_purge_keeps_the_chain_verifiable(db: TestDb) {
    let s = &db.store;
    no_retention(s).await;
    let recs: Vec<_> = (1..=10).map(|i| record(i * 60, "a", "found")).collect();
    s.append_traces(&recs, &key()).await.unwrap();
    // Purge everything older than the 4th record.
    let purged = s
        .purge_traces(t0() + Duration::seconds(4 * 60))
        .await
        .unwrap();
    assert_eq!(purged, 3);
    let (anchor_seq, _) = s.trace_anchor().await.unwrap();
    assert_eq!(anchor_seq, 3);
    assert_eq!(verify_all(s).await, 7);
    assert_eq!(s.purge_traces(t0()).await.unwrap(), 0, "nothing older");
    s.append_traces(&[record(700, "a", "found")], &key())
        .await
        .unwrap();
    assert_eq!(verify_all(s).await, 8);
    assert_eq!(s.purge_traces(t0() + Duration::days(1)).await.unwrap(), 8);
    assert_eq!(verify_all(s).await, 0);
    s.append_traces(&[record(800, "a", "found")], &key())
        .await
        .unwrap();
    assert_eq!(verify_all(s).await, 1);
}

async fn r22_stats_count_per_partner_user_service(db: TestDb) {
    let s = &db.store;
    let mut recs = vec![
        record(1, "a", "found"),
        record(2, "a", "found"),
        record(3, "a", "not_found"),
        record(4, "b", "found"),
    ];
    let mut sign_in = record(5, "a", "ok");
    sign_in.kind = TraceKind::SignIn;
    sign_in.service = None;
    recs.push(sign_in);
    let mut next_month = record(6, "a", "found");
    next_month.at = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    recs.push(next_month);
    s.append_traces(&recs, &key()).await.unwrap();
    let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let rows = s.trace_stats(from, to).await.unwrap();
    let count = |id: &str, kind: &str, outcome: &str| {
        rows.iter()
            .filter(|r| {
                r.identifiant.as_deref() == Some(id) && r.kind == kind && r.outcome == outcome
            })
            .map(|r| r.count)
            .sum::<i64>()
    };
    assert_eq!(count("a", "lookup", "found"), 2);
    assert_eq!(count("a", "lookup", "not_found"), 1);
    assert_eq!(count("b", "lookup", "found"), 1);
    assert_eq!(count("a", "sign_in", "ok"), 1);
    assert_eq!(
        rows.iter().map(|r| r.count).sum::<i64>(),
        5,
        "December is not in November"
    );
}

async fn seeding_is_resumable_and_guarded(db: TestDb) {
    let s = &db.store;
    let opts = SeedOptions {
        files: 500,
        seed: 77,
        batch: 128,
        progress: false,
    };
    let r = seed(s, opts, t0()).await.unwrap();
    assert_eq!((r.written, r.total), (500, 500));
    let r = seed(s, SeedOptions { files: 700, ..opts }, t0())
        .await
        .unwrap();
    assert_eq!((r.written, r.total), (200, 700));
    let r = seed(s, SeedOptions { files: 300, ..opts }, t0())
        .await
        .unwrap();
    assert_eq!((r.written, r.total), (0, 700), "never removes files");
    assert_eq!(s.count_dossiers().await.unwrap(), 700);
    let g = Generator::new(77);
    let last = g.dossier(699);
    assert_eq!(s.dossier(&last.nir).await.unwrap(), Some(last));
    assert!(matches!(
        seed(
            s,
            SeedOptions {
                files: 800,
                seed: 78,
                ..opts
            },
            t0()
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        s.meta(seed::META_SYNTHETIC).await.unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(s.caisses().await.unwrap().len(), 6);
    assert_eq!(s.partners().await.unwrap().len(), 4);
}

async fn meta_settings(db: TestDb) {
    let s = &db.store;
    assert_eq!(s.meta("k").await.unwrap(), None);
    s.set_meta("k", "v1").await.unwrap();
    s.set_meta("k", "v2").await.unwrap();
    assert_eq!(s.meta("k").await.unwrap().as_deref(), Some("v2"));
    assert_eq!(
        s.init_meta("k", "v3").await.unwrap(),
        "v2",
        "init never overwrites"
    );
    assert_eq!(s.init_meta("fresh", "v4").await.unwrap(), "v4");
    s.ping().await.unwrap();
}

#[tokio::test]
async fn unsupported_and_unreachable_databases_give_clear_errors() {
    assert!(matches!(
        Store::connect("mysql://x").await,
        Err(StoreError::UnsupportedUrl)
    ));
    // Nothing listens on port 1: the error says the database is unreachable, and its Debug
    // output does not echo the URL.
    let err = Store::connect_with_pool("postgres://u:secret@127.0.0.1:1/db", 1)
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    assert!(!format!("{err:?}").contains("secret"));
    assert_eq!(err.to_string(), "base de données injoignable ou en erreur");
}

#[tokio::test]
async fn a_postgres_test_database_is_reachable() {
    // Guard against a silently skipped PostgreSQL half: this fails loudly if the server
    // that `make test` starts is not there.
    let db = guichet_store::testing::postgres().await;
    assert_eq!(db.store.backend(), Backend::Postgres);
    let second = Store::connect(&db.url).await.unwrap();
    second.set_meta("from", "second").await.unwrap();
    assert_eq!(
        db.store.meta("from").await.unwrap().as_deref(),
        Some("second"),
        "same schema through the URL"
    );
}

/// the national barème is installed once (a second install adds nothing), read back
/// exactly, and 25 publications at once each land: the stored barème still holds (no two
/// values of one item overlap) and every one of them is in it. A partner's type of care
/// round-trips.
async fn r31_bareme_round_trips_and_writers_take_turns(db: TestDb) {
    let s = &db.store;
    reference::install(s, t0()).await.unwrap();
    reference::install(s, t0()).await.unwrap();
    let mut national = national_bareme();
    national.sort_by_key(|e| (e.item, e.period.start));
    assert_eq!(s.psu_bareme().await.unwrap().entries(), &national[..]);

    let publish = |year: i32| {
        let s = s.clone();
        async move {
            let entry = BaremeEntry {
                item: BaremeItem::Floor,
                period: guichet_core::dossier::Period {
                    start: chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
                    end: None,
                },
                value: i64::from(year) * 40,
                source: format!("plancher {year}"),
                confirmed: false,
            };
            s.update_psu_bareme(move |b| b.with_entry(entry)).await
        }
    };
    let results = futures_util::future::join_all((2026..2051).map(publish)).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let stored = s.psu_bareme().await.unwrap();
    let floors: Vec<_> = stored
        .entries()
        .iter()
        .filter(|e| e.item == BaremeItem::Floor)
        .collect();
    assert_eq!(floors.len(), 4 + 25);
    for pair in floors.windows(2) {
        assert_eq!(
            pair[0].period.end.unwrap().succ_opt(),
            Some(pair[1].period.start)
        );
    }
    assert_eq!(
        s.meta("psu_bareme_revision").await.unwrap().as_deref(),
        Some("27")
    );

    // A change the barème refuses writes nothing.
    let before = s.psu_bareme().await.unwrap();
    let mut bad = national[0].clone();
    bad.value = -1;
    assert!(matches!(
        s.update_psu_bareme(move |b| b.with_entry(bad)).await,
        Err(StoreError::Bareme(_))
    ));
    assert_eq!(s.psu_bareme().await.unwrap(), before);

    let p = s.partner_by_tiers("DEMO-EAJE-67").await.unwrap().unwrap();
    assert_eq!(p.care, CareType::Collective);
    s.set_partner_care(p.id, CareType::Parental).await.unwrap();
    assert_eq!(
        s.partner(p.id).await.unwrap().unwrap().care,
        CareType::Parental
    );
}
