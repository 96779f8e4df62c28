//! Issue 23: what a caisse's operators do from their desktop and what
//! every user reads of their own traces, on SQLite and PostgreSQL. The demo has CAF-78's
//! delegated partner `DEMO-CCAS-78` (`demo.operateur`) and MSA d'Alsace's caisse-managed
//! partners (`demo.operateur.msa`): the crèche of `demo.creche` and the département of
//! `demo.departement`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Days, Duration};
use guichet_core::ErrorCode;
use guichet_core::wire::{EndReason, TracePageQuery};
use guichet_service::testing::*;
use guichet_service::*;
use guichet_store::testing::TestDb;
use guichet_store::*;

guichet_store::on_both_backends!(
    r24_the_caisse_registers_users_where_it_manages_the_convention,
    r24_an_operator_grants_and_revokes_on_its_own_caisse_s_conventions_only,
    r21_trace_filters_narrow_and_never_widen,
    r22_r23_an_operator_s_statistics_and_signals_are_its_caisse_s,
    r21_an_operator_reads_nothing_of_another_caisse_s_users,
    issue23_a_wipe_is_traced_with_its_reason,
);

fn psu() -> HabilitationRequest {
    HabilitationRequest {
        service: "psu".into(),
        departements: None,
        ends_on: None,
    }
}

/// The numéro de tiers of the partner holding a demo convention.
async fn tiers_of(e: &TestEnv, convention: &str) -> String {
    let c = e.db.store.convention(convention).await.unwrap().unwrap();
    e.db.store
        .partner(c.partner_id)
        .await
        .unwrap()
        .unwrap()
        .tiers
}

fn codes<T: std::fmt::Debug>(r: guichet_service::Result<T>) -> ErrorCode {
    r.unwrap_err().code()
}

/// R-24, seeds 000 to 002: MSA's agent registers the crèche's staff (generated identifiant,
/// temporary password to change at first sign-in, R-11); CAF-78's agent cannot register at
/// its delegated partner (its managers do, R-25) until the delegation is withdrawn,
/// nor anywhere outside its caisse.
async fn r24_the_caisse_registers_users_where_it_manages_the_convention(db: TestDb) {
    let e = env(db).await;
    let creche = tiers_of(&e, "DEMO-PSU-ALSACE").await;
    let (_, msa) = e.ready("demo.operateur.msa").await;
    let op = e.g.caisse_operator(&msa).await.unwrap();
    let (user, password) = op
        .register_user(&creche, "Aide auxiliaire", "aide@creche.example", &[psu()])
        .await
        .unwrap();
    assert!(
        user.identifiant
            .starts_with(&format!("{}.", creche.to_lowercase()))
    );
    let (info, _) = e.ready_with(&user.identifiant, &password).await;
    assert_eq!(info.services[0].code, "psu");
    // The user's rights: the convention's, every département of it.
    let listed = op.supervised_users(&creche).await.unwrap();
    let new = listed
        .iter()
        .find(|u| u.user.identifiant == user.identifiant)
        .unwrap();
    assert_eq!(new.habilitations.len(), 1);
    assert_eq!(
        new.habilitations[0].granted_by.as_deref(),
        Some("demo.operateur.msa")
    );
    // Refused before anything is written: no service, a service without convention here, a
    // bidi control in the name.
    assert_eq!(
        codes(
            op.register_user(&creche, "X", "x@creche.example", &[])
                .await
        ),
        ErrorCode::InvalidInput
    );
    let rsa = HabilitationRequest {
        service: "rsacg".into(),
        ..psu()
    };
    assert_eq!(
        codes(
            op.register_user(&creche, "X", "x@creche.example", &[rsa])
                .await
        ),
        ErrorCode::OutsideConvention
    );
    assert_eq!(
        codes(
            op.register_user(&creche, "X\u{202e}Y", "x@creche.example", &[psu()])
                .await
        ),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        codes(
            op.register_user("DEMO-CCAS-78", "X", "x@ccas.example", &[psu()])
                .await
        ),
        ErrorCode::OutsideConvention,
        "another caisse's partner"
    );

    let (_, caf) = e.ready("demo.operateur").await;
    let op = e.g.caisse_operator(&caf).await.unwrap();
    let t2 = HabilitationRequest {
        service: "cdap-t2".into(),
        ..psu()
    };
    assert_eq!(
        codes(
            op.register_user(
                "DEMO-CCAS-78",
                "X",
                "x@ccas.example",
                std::slice::from_ref(&t2)
            )
            .await
        ),
        ErrorCode::OutsideConvention,
        "R-25: the partner's managers grant on a delegated convention"
    );
    op.set_delegation_withdrawn("DEMO-CCAS-78", true)
        .await
        .unwrap();
    let (user, _) = op
        .register_user(
            "DEMO-CCAS-78",
            "Agent d'accueil",
            "accueil@ccas.example",
            &[t2],
        )
        .await
        .unwrap();
    assert!(user.identifiant.starts_with("demo-ccas-78."));
}

/// an operator grants on its caisse's caisse-managed conventions (narrowed to
/// départements, with an end date; a grant in force keeps its review), revokes on any of its
/// caisse's conventions, and reaches nothing of another caisse.
async fn r24_an_operator_grants_and_revokes_on_its_own_caisse_s_conventions_only(db: TestDb) {
    let e = env(db).await;
    e.ready("demo.creche").await;
    let (_, msa) = e.ready("demo.operateur.msa").await;
    let op = e.g.caisse_operator(&msa).await.unwrap();
    let creche = tiers_of(&e, "DEMO-PSU-ALSACE").await;
    let convention =
        e.db.store
            .convention("DEMO-PSU-ALSACE")
            .await
            .unwrap()
            .unwrap();
    let one = convention.departements[0].clone();
    let until = e.g.today() + Days::new(60);
    op.grant(
        "demo.creche",
        &HabilitationRequest {
            departements: Some(vec![one.clone(), one.clone()]),
            ends_on: Some(until),
            ..psu()
        },
    )
    .await
    .unwrap();
    let held = |users: Vec<ManagedUser>| {
        users
            .into_iter()
            .find(|u| u.user.identifiant == "demo.creche")
            .unwrap()
            .habilitations
    };
    let h = held(op.supervised_users(&creche).await.unwrap());
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].departements, Some(vec![one.clone()]));
    assert!(h[0].ends_at.is_some());
    assert_eq!(
        h[0].granted_by, None,
        "a grant in force keeps its record (granted by the seed)"
    );
    for (request, code) in [
        (
            HabilitationRequest {
                departements: Some(vec!["2A".into()]),
                ..psu()
            },
            ErrorCode::OutsideConvention,
        ),
        (
            HabilitationRequest {
                ends_on: Some(e.g.today() - Days::new(1)),
                ..psu()
            },
            ErrorCode::InvalidInput,
        ),
        (
            HabilitationRequest {
                service: "qf".into(),
                ..psu()
            },
            ErrorCode::OutsideConvention,
        ),
    ] {
        assert_eq!(codes(op.grant("demo.creche", &request).await), code);
    }
    op.revoke("demo.creche", "psu").await.unwrap();
    assert!(held(op.supervised_users(&creche).await.unwrap()).is_empty());
    assert_eq!(
        codes(op.revoke("demo.creche", "psu").await),
        ErrorCode::NotFound
    );
    op.grant("demo.creche", &psu()).await.unwrap();
    let h = held(op.supervised_users(&creche).await.unwrap());
    assert_eq!(h[0].granted_by.as_deref(), Some("demo.operateur.msa"));
    // CAF-78's operator reaches nothing of MSA d'Alsace's.
    let (_, caf) = e.ready("demo.operateur").await;
    let other = e.g.caisse_operator(&caf).await.unwrap();
    for refused in [
        other.grant("demo.creche", &psu()).await,
        other.revoke("demo.creche", "psu").await,
    ] {
        assert_eq!(codes(refused), ErrorCode::OutsideConvention);
    }
}

/// R-21, issue 23: the filters of a listing (user, service, days) narrow what the reader
/// may read and never widen it: a user asking for someone else's traces in their own gets
/// nothing; a partner's administrator asking for another partner's user gets nothing.
async fn r21_trace_filters_narrow_and_never_widen(db: TestDb) {
    let e = env(db).await;
    let (_, creche) = e.ready("demo.creche").await;
    e.ready("demo.caf").await;
    let (_, admin) = e.ready("demo.admin").await;
    let mine =
        e.g.my_traces(
            &creche,
            TracePageQuery {
                user: Some("demo.caf".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(mine.traces.is_empty());
    let m = e.g.partner_manager(&admin).await.unwrap();
    let page = |user: &str| TracePageQuery {
        user: Some(user.into()),
        ..Default::default()
    };
    let caf = m.traces(page("demo.caf")).await.unwrap();
    assert!(!caf.traces.is_empty());
    assert!(
        m.traces(page("demo.creche"))
            .await
            .unwrap()
            .traces
            .is_empty()
    );
    // Days, Paris time: today's traces, none tomorrow, none in an empty range.
    let today = e.g.today();
    let days = |since, until| TracePageQuery {
        since,
        until,
        ..Default::default()
    };
    let today_only = m.traces(days(Some(today), Some(today))).await.unwrap();
    assert_eq!(
        today_only.traces.len(),
        m.traces(days(None, None)).await.unwrap().traces.len()
    );
    let tomorrow = today + Days::new(1);
    assert!(
        m.traces(days(Some(tomorrow), None))
            .await
            .unwrap()
            .traces
            .is_empty()
    );
    assert!(
        m.traces(days(Some(today), Some(today - Days::new(1))))
            .await
            .unwrap()
            .traces
            .is_empty()
    );
    let long = TracePageQuery {
        service: Some("x".repeat(65)),
        ..Default::default()
    };
    assert_eq!(codes(m.traces(long).await), ErrorCode::InvalidInput);
}

/// the statistics and abuse signals an operator reads are those of its caisse's
/// partners (and its own operators) only.
async fn r22_r23_an_operator_s_statistics_and_signals_are_its_caisse_s(db: TestDb) {
    let e = env(db).await;
    let (_, creche) = e.ready("demo.creche").await;
    let unknown = guichet_core::nir::Nir::with_computed_key("1990199999999").unwrap();
    for _ in 0..e.g.config().abuse_not_found_streak {
        let _ =
            e.g.lookup(
                &creche,
                lookup_request("psu", &unknown.grouped(), "Martin"),
                None,
            )
            .await;
        e.clock.advance(Duration::seconds(1));
    }
    e.ready("demo.caf").await;
    let creche_tiers = tiers_of(&e, "DEMO-PSU-ALSACE").await;
    let month = e.g.today().format("%Y-%m").to_string();

    let (_, caf) = e.ready("demo.operateur").await;
    let op = e.g.caisse_operator(&caf).await.unwrap();
    let stats = op.monthly_stats(&month).await.unwrap();
    assert!(
        stats
            .iter()
            .any(|r| r.partner.as_deref() == Some("DEMO-CCAS-78"))
    );
    assert!(
        stats
            .iter()
            .all(|r| matches!(r.partner.as_deref(), Some("DEMO-CCAS-78" | "CAF-78"))),
        "{stats:?}"
    );
    assert!(op.abuse_flags(e.g.today()).await.unwrap().is_empty());
    assert_eq!(
        codes(op.monthly_stats("2026-13").await),
        ErrorCode::InvalidInput
    );

    let (_, msa) = e.ready("demo.operateur.msa").await;
    let op = e.g.caisse_operator(&msa).await.unwrap();
    let flags = op.abuse_flags(e.g.today()).await.unwrap();
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].identifiant, "demo.creche");
    assert_eq!(flags[0].partner.as_deref(), Some(creche_tiers.as_str()));
    let stats = op.monthly_stats(&month).await.unwrap();
    assert!(
        stats
            .iter()
            .all(|r| r.partner.as_deref() != Some("DEMO-CCAS-78"))
    );
}

/// R-21 (issue 23 review): at a partner holding conventions with two caisses, one caisse's
/// operator reads nothing of a user whose rights come from the other: not their traces
/// (listed or asked for by identifiant), not their statistics.
async fn r21_an_operator_reads_nothing_of_another_caisse_s_users(db: TestDb) {
    let e = env(db).await;
    let console = e.g.console("agent.caf").unwrap();
    console
        .add_convention(&ConventionRequest {
            partner_tiers: "DEMO-CCAS-78",
            caisse: "CAF-974",
            service: "cdap-t13",
            departements: &["974".into()],
            number: Some("T13-974"),
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    let (other, password) = console
        .add_user(&NewUserRequest {
            partner_tiers: "DEMO-CCAS-78".into(),
            identifiant: "agent.reunion".into(),
            display_name: "Agent de La Réunion".into(),
            email: "reunion@ccas.example".into(),
            services: vec!["cdap-t13".into()],
            ends_on: None,
            test_account: false,
        })
        .await
        .unwrap();
    e.ready_with(&other.identifiant, &password).await;
    e.ready("demo.caf").await;
    let (_, caf) = e.ready("demo.operateur").await;
    let op = e.g.caisse_operator(&caf).await.unwrap();
    let named = |user: &str| TracePageQuery {
        user: Some(user.into()),
        limit: Some(500),
        ..Default::default()
    };
    assert!(
        !op.traces(named("demo.caf"))
            .await
            .unwrap()
            .traces
            .is_empty()
    );
    assert!(
        op.traces(named("agent.reunion"))
            .await
            .unwrap()
            .traces
            .is_empty()
    );
    let all = op
        .traces(TracePageQuery {
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        all.traces
            .iter()
            .all(|t| t.record.identifiant.as_deref() != Some("agent.reunion"))
    );
    assert!(
        all.traces
            .iter()
            .any(|t| t.record.identifiant.as_deref() == Some("demo.caf"))
    );
    let month = e.g.today().format("%Y-%m").to_string();
    let stats = op.monthly_stats(&month).await.unwrap();
    assert!(
        stats
            .iter()
            .any(|r| r.identifiant.as_deref() == Some("demo.caf"))
    );
    assert!(
        stats
            .iter()
            .all(|r| r.identifiant.as_deref() != Some("agent.reunion"))
    );
    // The console reads everything.
    let everything = console.monthly_stats(&month).await.unwrap();
    assert!(
        everything
            .iter()
            .any(|r| r.identifiant.as_deref() == Some("agent.reunion"))
    );
    // Days outside the traces' years are refused, not misread.
    let far = TracePageQuery {
        since: chrono::NaiveDate::from_ymd_opt(10_000, 1, 1),
        ..Default::default()
    };
    assert_eq!(codes(op.traces(far).await), ErrorCode::InvalidInput);
    assert_eq!(
        codes(op.abuse_flags(chrono::NaiveDate::MIN).await),
        ErrorCode::InvalidInput
    );
}

/// Issue 23 (3), R-16, R-19: a session the workstation wiped (idle, screen lock, sleep) is
/// traced with that reason, not as the user's sign-out.
async fn issue23_a_wipe_is_traced_with_its_reason(db: TestDb) {
    let e = env(db).await;
    e.ready("demo.creche").await;
    for reason in [
        EndReason::Idle,
        EndReason::ScreenLocked,
        EndReason::Sleep,
        EndReason::SignOut,
    ] {
        let info =
            e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
                .await
                .unwrap();
        let s = e.g.authenticate(&info.token, None).await.unwrap();
        e.g.end_session_because(&s, reason).await.unwrap();
        assert!(e.g.authenticate(&info.token, None).await.is_err());
    }
    let outcomes: Vec<String> =
        e.db.store
            .traces(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.record.kind == guichet_core::trace::TraceKind::SignOut)
            .map(|t| t.record.outcome)
            .collect();
    assert_eq!(outcomes, ["idle", "screen_locked", "sleep", "ok"]);
}
