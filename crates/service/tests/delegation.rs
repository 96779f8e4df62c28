//! Delegated habilitation management on SQLite and PostgreSQL: the demo's CAF
//! partner (`DEMO-CCAS-78`) has its convention `DEMO-CDAP-78` delegated with a quota of 20,
//! `demo.admin` as its administrator and `demo.caf` as a plain user.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use guichet_core::trace::TraceKind;
use guichet_service::testing::*;
use guichet_service::*;
use guichet_store::testing::TestDb;
use guichet_store::*;

guichet_store::on_both_backends!(
    r25_the_administrator_creates_users_within_the_quota,
    r25_only_managers_manage,
    r25_least_privilege,
    r25_the_quota_holds_under_25_parallel_grants,
    r26_a_withdrawn_delegation_ends_the_managers_powers,
    r20_habilitation_records_are_kept_six_years_after_their_end,
    r27_yearly_reverse_review,
    r26_the_caisse_suspends_a_habilitation_and_forces_password_changes,
    r25_groups_are_granted_all_or_nothing_within_the_quota,
    r26_a_signed_in_operator_supervises_its_caisse_only,
    issue22_1_a_review_never_lifts_the_caisse_s_suspension,
    issue22_2_nobody_reviews_or_acts_on_themself_or_above,
    issue22_3_a_manager_never_lifts_what_the_caisse_set,
    issue22_4_a_withdrawn_delegation_takes_its_users_out_of_reach,
    issue22_5_an_operator_reaches_only_its_caisse_s_users_in_force,
    issue22_9_names_refuse_bidi_controls,
    issue22_11_administrators_sign_in_to_manage_and_are_never_suspended_for_lateness,
    issue22_11_one_departement_for_rsacg,
    issue22_11_a_delegation_without_quota_grants_nothing,
);

const PARTNER: &str = "DEMO-CCAS-78";
const CONVENTION: &str = "DEMO-CDAP-78";

fn cdap(service: &str) -> HabilitationRequest {
    HabilitationRequest {
        service: service.into(),
        departements: None,
        ends_on: None,
    }
}

fn operator(e: &TestEnv) -> ConsoleAdmin<'_> {
    e.g.console("agent.caf").unwrap()
}

async fn r25_the_administrator_creates_users_within_the_quota(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    assert_eq!(m.role(), PartnerRole::Administrator);
    let d = m.delegations().await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].quota, d[0].used),
        (Some(20), 2),
        "demo.caf and demo.admin"
    );

    // Seed 003 art. 9.1: the identifiant is generated, the temporary password shown once.
    let (user, password) = m
        .create_user(
            "Camille Martin",
            "camille.martin@ccas.example",
            &[cdap("cdap-t2")],
        )
        .await
        .unwrap();
    assert!(
        user.identifiant.starts_with("demo-ccas-78."),
        "{}",
        user.identifiant
    );
    let info =
        e.g.sign_in(&user.identifiant, password, None)
            .await
            .unwrap();
    assert!(info.must_change_password, "R-11");
    assert_eq!(info.services[0].code, "cdap-t2");

    // The quota: 3 in force at most.
    operator(&e).delegate(CONVENTION, 3).await.unwrap();
    let refused = m
        .create_user(
            "Dominique Petit",
            "d.petit@ccas.example",
            &[cdap("cdap-t2")],
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        ServiceError::QuotaReached {
            service: "cdap-t2".into(),
            quota: 3
        }
    );
    assert_eq!(refused.code(), guichet_core::ErrorCode::QuotaReached);
    // Deactivating a user frees their habilitation.
    m.set_user_status(&user.identifiant, UserStatus::Deactivated)
        .await
        .unwrap();
    assert_eq!(m.delegations().await.unwrap()[0].used, 2);
    let (second, _) = m
        .create_user(
            "Dominique Petit",
            "d.petit@ccas.example",
            &[cdap("cdap-t2")],
        )
        .await
        .unwrap();
    assert_ne!(second.identifiant, user.identifiant);

    // A temporary habilitation ends at the end of its day.
    let until = e.g.today() + chrono::Duration::days(10);
    m.grant(
        &second.identifiant,
        &HabilitationRequest {
            service: "cdap-t2".into(),
            departements: None,
            ends_on: Some(until),
        },
    )
    .await
    .unwrap();
    let listed = m.users().await.unwrap();
    let h = &listed
        .iter()
        .find(|u| u.user.identifiant == second.identifiant)
        .unwrap()
        .habilitations;
    assert_eq!(h.len(), 1);
    assert!(h[0].ends_at.is_some());
    assert_eq!(h[0].granted_by.as_deref(), Some("demo.admin"));
    e.clock.advance(chrono::Duration::days(12));
    assert_eq!(m.delegations().await.unwrap()[0].used, 2, "ended, freed");

    // every action traced under its author.
    let traces = e.db.store.traces(0, 100_000).await.unwrap();
    let by_admin: Vec<_> = traces
        .iter()
        .filter(|t| {
            t.record.kind == TraceKind::Admin
                && t.record.identifiant.as_deref() == Some("demo.admin")
        })
        .filter_map(|t| t.record.detail.clone())
        .collect();
    assert!(by_admin.contains(&format!("user.add {}", user.identifiant)));
    assert!(by_admin.contains(&format!("user.deactivated {}", user.identifiant)));
    assert!(
        by_admin
            .iter()
            .any(|d| d.starts_with("habilitation.grant cdap-t2"))
    );
}

async fn r25_only_managers_manage(db: TestDb) {
    let e = env(db).await;
    // A plain user of the delegated partner.
    let (_, caf) = e.ready("demo.caf").await;
    assert_eq!(
        e.g.partner_manager(&caf).await.unwrap_err(),
        ServiceError::NotAManager
    );
    // A caisse-managed partner: even with a role, nothing is delegated.
    let (_, creche) = e.ready("demo.creche").await;
    operator(&e)
        .set_partner_role("demo.creche", Some(PartnerRole::Administrator))
        .await
        .unwrap();
    assert_eq!(
        e.g.partner_manager(&creche).await.unwrap_err(),
        ServiceError::NotAManager
    );
    // the temporary password first.
    let info =
        e.g.sign_in("demo.admin", pw(DEMO_PASSWORD), None)
            .await
            .unwrap();
    let s = e.g.authenticate(&info.token, None).await.unwrap();
    assert_eq!(
        e.g.ready(s).unwrap_err(),
        ServiceError::PasswordChangeRequired
    );
}

async fn r25_least_privilege(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    // A service the partner's delegations do not hold.
    let e1 = m
        .create_user("Alex Roux", "a.roux@ccas.example", &[cdap("psu")])
        .await
        .unwrap_err();
    assert_eq!(e1.code(), guichet_core::ErrorCode::OutsideConvention);
    assert_eq!(
        m.grant("demo.caf", &cdap("rsacg"))
            .await
            .unwrap_err()
            .code(),
        guichet_core::ErrorCode::OutsideConvention
    );
    // Never on one's own account.
    assert_eq!(
        m.set_user_status("demo.admin", UserStatus::Suspended)
            .await
            .unwrap_err()
            .code(),
        guichet_core::ErrorCode::OwnAccount
    );
    // A user of another partner is unknown here.
    assert_eq!(
        m.reset_password("demo.creche").await.unwrap_err(),
        ServiceError::NotFound("utilisateur")
    );

    // The administrator appoints a delegated manager, who manages plain users only.
    m.set_manager("demo.caf", true).await.unwrap();
    let (_, caf) = e.ready("demo.caf").await;
    let delegated = e.g.partner_manager(&caf).await.unwrap();
    assert_eq!(delegated.role(), PartnerRole::Manager);
    let (plain, _) = delegated
        .create_user("Sam Leroy", "s.leroy@ccas.example", &[cdap("cdap-t2")])
        .await
        .unwrap();
    delegated
        .set_user_status(&plain.identifiant, UserStatus::Suspended)
        .await
        .unwrap();
    for refused in [
        delegated
            .set_user_status("demo.admin", UserStatus::Suspended)
            .await,
        delegated.set_manager(&plain.identifiant, true).await,
    ] {
        assert_eq!(
            refused.unwrap_err().code(),
            guichet_core::ErrorCode::OutsideConvention
        );
    }
    // A new password for a plain user: sessions end, a change is forced.
    let temporary = delegated.reset_password(&plain.identifiant).await;
    assert!(temporary.is_ok());

    // the administrator reads the partner's traces (never a NIR digest), a delegated
    // manager does not.
    let page = m.traces(max_page()).await.unwrap();
    assert!(page.next_before.is_none(), "one page holds them all");
    let traces: Vec<_> = page.traces.into_iter().map(|t| t.record).collect();
    assert!(traces.iter().all(|t| t.partner.as_deref() == Some(PARTNER)));
    assert!(traces.iter().all(|t| t.nir_digest.is_none()));
    assert!(
        traces
            .iter()
            .any(|t| t.identifiant.as_deref() == Some("demo.caf")
                && t.kind == guichet_core::trace::TraceKind::SignIn)
    );
    assert!(
        traces
            .iter()
            .any(|t| t.detail.as_deref() == Some(&format!("user.suspended {}", plain.identifiant)))
    );
    assert!(
        !traces
            .iter()
            .any(|t| t.identifiant.as_deref() == Some("demo.creche"))
    );
    assert_eq!(
        delegated.traces(max_page()).await.unwrap_err().code(),
        guichet_core::ErrorCode::OutsideConvention
    );
}

async fn r25_the_quota_holds_under_25_parallel_grants(db: TestDb) {
    let e = env(db).await;
    let op = operator(&e);
    // A second delegated convention of the partner, with room for 5.
    let c = op
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-78",
            service: "cdap-t19",
            departements: &["78".into()],
            number: None,
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    op.delegate(&c.number, 5).await.unwrap();
    op.delegate(CONVENTION, 1_000).await.unwrap();
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let mut users = Vec::new();
    for i in 0..25 {
        let (u, _) = m
            .create_user(
                &format!("Agent {i}"),
                "agent@ccas.example",
                &[cdap("cdap-t2")],
            )
            .await
            .unwrap();
        users.push(u.identifiant);
    }
    let tasks: Vec<_> = users
        .iter()
        .map(|ident| {
            let (g, s, ident) = (e.g.clone(), admin.clone(), ident.clone());
            tokio::spawn(async move {
                let m = g.partner_manager(&s).await.unwrap();
                m.grant(&ident, &cdap("cdap-t19")).await
            })
        })
        .collect();
    let mut granted = 0;
    let mut quota_reached = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => granted += 1,
            Err(ServiceError::QuotaReached { quota: 5, .. }) => quota_reached += 1,
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!((granted, quota_reached), (5, 20));
    let d = m.delegations().await.unwrap();
    let t19 = d
        .iter()
        .find(|d| d.convention.service == "cdap-t19")
        .unwrap();
    assert_eq!(t19.used, 5);
}

async fn r26_a_withdrawn_delegation_ends_the_managers_powers(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    e.g.partner_manager(&admin).await.unwrap();
    let op = operator(&e);
    op.set_delegation_withdrawn(PARTNER, true).await.unwrap();
    assert_eq!(
        e.g.partner_manager(&admin).await.unwrap_err(),
        ServiceError::DelegationWithdrawn
    );
    // The caisse manages meanwhile: its operator still resets a password.
    op.reset_password("demo.caf").await.unwrap();
    op.set_delegation_withdrawn(PARTNER, false).await.unwrap();
    assert!(e.g.partner_manager(&admin).await.is_ok());
    // A partner with no delegated convention cannot be withdrawn.
    assert_eq!(
        op.set_delegation_withdrawn("DEMO-EAJE-67", true)
            .await
            .unwrap_err(),
        ServiceError::NotFound("convention déléguée")
    );
}

async fn r20_habilitation_records_are_kept_six_years_after_their_end(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let (user, _) = m
        .create_user("Noé Faure", "n.faure@ccas.example", &[cdap("cdap-t2")])
        .await
        .unwrap();
    m.revoke(&user.identifiant, "cdap-t2").await.unwrap();
    let purge = || async {
        e.g.console_auditor("agent.caf")
            .unwrap()
            .purge()
            .await
            .unwrap()
            .habilitations
    };
    // Five years after its end the record is still kept...
    e.clock.advance(chrono::Duration::days(5 * 365));
    assert_eq!(purge().await, 0);
    // ...six years and a few days after, it is gone; those still in force stay.
    e.clock.advance(chrono::Duration::days(365 + 5));
    assert_eq!(purge().await, 1);
    assert_eq!(purge().await, 0);
    let in_force =
        e.db.store
            .habilitations(
                e.db.store
                    .partner_by_tiers(PARTNER)
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
                e.g.now(),
            )
            .await
            .unwrap();
    assert!(in_force.iter().any(|h| h.identifiant == "demo.caf"));
}

/// A new session of an account whose password was already changed.
async fn signed_in_again(e: &TestEnv, identifiant: &str) -> guichet_service::Result<ReadySession> {
    let info = e.g.sign_in(identifiant, pw(NEW_PASSWORD), None).await?;
    let s = e.g.authenticate(&info.token, None).await?;
    e.g.ready(s)
}

async fn r27_yearly_reverse_review(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    e.ready("demo.caf").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let (user, _) = m
        .create_user("Inès Morel", "i.morel@ccas.example", &[cdap("cdap-t2")])
        .await
        .unwrap();
    let op = operator(&e);
    // Nothing is due in the first year.
    assert!(op.late_reviews().await.unwrap().is_empty());
    assert!(
        m.reviews()
            .await
            .unwrap()
            .iter()
            .all(|h| h.review_due() > e.g.now())
    );

    // A year and a day later: every habilitation of the partner is late.
    e.clock.advance(chrono::Duration::days(366));
    let admin = signed_in_again(&e, "demo.admin").await.unwrap();
    let m = e.g.partner_manager(&admin).await.unwrap();
    assert_eq!(
        op.late_reviews().await.unwrap(),
        vec![(PARTNER.to_owned(), 2)],
        "the administrator's own is the caisse's to review (issue 22)"
    );
    // The administrator removes one; their own is not theirs to confirm (issue 22 (2)); a
    // user of another partner is not in the review.
    assert_eq!(
        m.review("demo.admin", "cdap-t2", true).await.unwrap_err(),
        ServiceError::OwnAccount
    );
    m.review(&user.identifiant, "cdap-t2", false).await.unwrap();
    assert_eq!(
        m.review("demo.creche", "psu", true).await.unwrap_err(),
        ServiceError::NotFound("utilisateur")
    );
    assert_eq!(
        op.late_reviews().await.unwrap(),
        vec![(PARTNER.to_owned(), 1)]
    );
    let csv = m.review_csv().await.unwrap();
    assert!(csv.starts_with("partenaire;identifiant;service;"));
    assert!(
        !csv.contains(";demo.admin;"),
        "nobody reviews their own habilitation"
    );
    assert!(
        !csv.contains(&user.identifiant),
        "removed: no longer in force"
    );

    // The caisse suspends what is still late: demo.caf's habilitation gives no access until
    // the administrator confirms it.
    assert_eq!(op.suspend_late(PARTNER).await.unwrap(), 1);
    assert!(op.late_reviews().await.unwrap().is_empty());
    assert_eq!(
        signed_in_again(&e, "demo.caf").await.unwrap_err(),
        ServiceError::AccountDisabled
    );
    let csv = m.review_csv().await.unwrap();
    let caf = csv.lines().find(|l| l.contains(";demo.caf;")).unwrap();
    assert!(caf.ends_with(";oui;oui"), "late and suspended: {caf}");
    // The same proof as a printable page: every value escaped, no script, no style sheet.
    let page = m.review_page().await.unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("CCAS de Versailles"));
    assert!(page.contains("<td>demo.caf</td><td>cdap-t2</td>"));
    assert!(page.contains("suspendue (revue en retard)"));
    assert!(page.contains("par demo.admin."));
    assert!(!page.contains("<script") && !page.contains("<style") && !page.contains("style="));
    m.review("demo.caf", "cdap-t2", true).await.unwrap();
    assert!(signed_in_again(&e, "demo.caf").await.is_ok());

    // A delegated manager does not review.
    m.set_manager("demo.caf", true).await.unwrap();
    let caf = signed_in_again(&e, "demo.caf").await.unwrap();
    let delegated = e.g.partner_manager(&caf).await.unwrap();
    assert_eq!(
        delegated.reviews().await.unwrap_err().code(),
        guichet_core::ErrorCode::OutsideConvention
    );
}

async fn r26_the_caisse_suspends_a_habilitation_and_forces_password_changes(db: TestDb) {
    let e = env(db).await;
    let (caf, _) = e.ready("demo.caf").await;
    e.ready("demo.admin").await;
    let op = operator(&e);
    // One habilitation suspended: demo.caf's only one, so its session ends at the next call
    // and it cannot sign in.
    op.set_habilitation_suspended("demo.caf", "cdap-t2", true)
        .await
        .unwrap();
    assert_eq!(
        e.g.authenticate(&caf.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert_eq!(
        signed_in_again(&e, "demo.caf").await.unwrap_err(),
        ServiceError::AccountDisabled
    );
    op.set_habilitation_suspended("demo.caf", "cdap-t2", false)
        .await
        .unwrap();
    assert!(signed_in_again(&e, "demo.caf").await.is_ok());
    assert_eq!(
        op.set_habilitation_suspended("demo.caf", "psu", true)
            .await
            .unwrap_err(),
        ServiceError::NotFound("habilitation")
    );

    // A forced change for every user of the partner: both must change before anything else.
    assert_eq!(
        op.force_password_change(None, Some(PARTNER)).await.unwrap(),
        2
    );
    for identifiant in ["demo.caf", "demo.admin"] {
        assert_eq!(
            signed_in_again(&e, identifiant).await.unwrap_err(),
            ServiceError::PasswordChangeRequired,
            "{identifiant}"
        );
    }
    assert_eq!(
        op.force_password_change(Some("demo.creche"), None)
            .await
            .unwrap(),
        1
    );
}

/// groups of users; a habilitation granted to a group reaches every member or, if the
/// quota runs out midway, none; revoked from a group, from every member holding it.
async fn r25_groups_are_granted_all_or_nothing_within_the_quota(db: TestDb) {
    let e = env(db).await;
    let op = operator(&e);
    let c = op
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-78",
            service: "cdap-t13",
            departements: &["78".into()],
            number: Some("T13-78"),
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    op.delegate(&c.number, 3).await.unwrap();
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    m.create_group("Accueil").await.unwrap();
    assert!(matches!(
        m.create_group(" Accueil ").await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        m.create_group(&"x".repeat(81)).await,
        Err(ServiceError::InvalidInput(_))
    ));
    let mut members = vec!["demo.caf".to_owned()];
    for i in 0..3 {
        let (u, _) = m
            .create_user(&format!("Agent {i}"), "a@ccas.example", &[cdap("cdap-t2")])
            .await
            .unwrap();
        members.push(u.identifiant);
    }
    for ident in &members {
        m.set_group_member("Accueil", ident, true).await.unwrap();
    }
    assert_eq!(
        m.set_group_member("Accueil", "demo.admin", true)
            .await
            .unwrap_err()
            .code(),
        guichet_core::ErrorCode::OwnAccount,
        "a manager never acts on their own account"
    );
    let groups = m.groups().await.unwrap();
    assert_eq!(groups.len(), 1);
    let mut sorted = members.clone();
    sorted.sort();
    assert_eq!(groups[0].members, sorted);

    // Four members, room for three: nobody gets it.
    assert!(matches!(
        m.grant_group("Accueil", &cdap("cdap-t13")).await,
        Err(ServiceError::QuotaReached { quota: 3, .. })
    ));
    assert_eq!(holders(&m, "cdap-t13").await, 0, "all or nothing");
    m.set_group_member("Accueil", &members[3], false)
        .await
        .unwrap();
    assert_eq!(
        m.grant_group("Accueil", &cdap("cdap-t13")).await.unwrap(),
        3
    );
    assert_eq!(holders(&m, "cdap-t13").await, 3);
    assert_eq!(
        m.grant_group("Accueil", &cdap("cdap-t13")).await.unwrap(),
        0,
        "held already"
    );
    assert_eq!(m.revoke_group("Accueil", "cdap-t13").await.unwrap(), 3);
    assert_eq!(holders(&m, "cdap-t13").await, 0);
    m.delete_group("Accueil").await.unwrap();
    assert!(m.groups().await.unwrap().is_empty());
    assert!(matches!(
        m.delete_group("Accueil").await,
        Err(ServiceError::NotFound(_))
    ));
    // The caisse sees the partner's groups too.
    m.create_group("Instructeurs").await.unwrap();
    let seen = op.supervised_groups(PARTNER).await.unwrap();
    assert_eq!(seen[0].name, "Instructeurs");
}

/// Issue 11: a caisse operator is a real account (signed in like anyone, its password
/// changed first); its power is bound to its caisse's partners, and it traces under its
/// own name. Anyone else gets `not_an_operator`.
async fn r26_a_signed_in_operator_supervises_its_caisse_only(db: TestDb) {
    let e = env(db).await;
    let (info, caf) = e.ready("demo.caf").await;
    assert!(info.operator_of.is_none());
    assert_eq!(
        e.g.caisse_operator(&caf).await.unwrap_err(),
        ServiceError::NotAnOperator
    );
    let (info, session) = e.ready("demo.operateur").await;
    assert_eq!(info.operator_of.as_deref(), Some("CAF-78"));
    assert!(info.services.is_empty());
    let op = e.g.caisse_operator(&session).await.unwrap();
    let partners: Vec<_> = op
        .partners()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.tiers)
        .collect();
    assert_eq!(
        partners,
        [PARTNER],
        "the partners with a convention of CAF-78"
    );
    assert!(op.supervised_users(PARTNER).await.is_ok());
    for refused in [
        op.supervised_users("DEMO-EAJE-67").await.map(drop),
        op.force_password_change(Some("demo.creche"), None)
            .await
            .map(drop),
        op.set_delegation_withdrawn("DEMO-EAJE-67", true).await,
    ] {
        assert_eq!(
            refused.unwrap_err().code(),
            guichet_core::ErrorCode::OutsideConvention
        );
    }
    // The console's operations (notices, partners, hours, operators) are not on a
    // signed-in operator's power at all (issue 22: `CaisseOperator` has no such method).
    // Its actions are traced under its name and caisse.
    op.force_password_change(Some("demo.caf"), None)
        .await
        .unwrap();
    let traces = e.db.store.traces(0, 10_000).await.unwrap();
    assert!(traces.iter().any(|t| {
        t.record.identifiant.as_deref() == Some("demo.operateur")
            && t.record.partner.as_deref() == Some("CAF-78")
            && t.record.detail.as_deref() == Some("password.force_change demo.caf (1)")
    }));
    let (colleague, password) = operator(&e)
        .add_operator("CAF-78", "agent.caf2", "Agent 2", "a2@caf78.example")
        .await
        .unwrap();
    let (info2, _) = e.ready_with(&colleague.identifiant, &password).await;
    assert_eq!(info2.operator_of.as_deref(), Some("CAF-78"));
    // A partner with conventions at two caisses: CAF-78's operator withdraws CAF-78's
    // delegation only; a convention the console delegates meanwhile comes withdrawn too.
    let console = operator(&e);
    let other = console
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-974",
            service: "cdap-t13",
            departements: &["974".into()],
            number: Some("T13-974"),
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    console.delegate(&other.number, 3).await.unwrap();
    op.set_delegation_withdrawn(PARTNER, true).await.unwrap();
    let partner = e.db.store.partner_by_tiers(PARTNER).await.unwrap().unwrap();
    let withdrawn = |d: &[Delegation], number: &str| {
        d.iter()
            .find(|d| d.convention.number == number)
            .unwrap()
            .withdrawn_at
            .is_some()
    };
    let d = e.db.store.delegations(partner.id, e.g.now()).await.unwrap();
    assert!(withdrawn(&d, CONVENTION) && !withdrawn(&d, "T13-974"));
    let later = console
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-78",
            service: "cdap-t19",
            departements: &["78".into()],
            number: Some("T19-78"),
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    console.delegate(&later.number, 3).await.unwrap();
    let d = e.db.store.delegations(partner.id, e.g.now()).await.unwrap();
    assert!(
        withdrawn(&d, "T19-78"),
        "R-26: the managers do not get powers back this way"
    );
    op.set_delegation_withdrawn(PARTNER, false).await.unwrap();

    // Same lockout rules: five wrong passwords lock the account.
    for _ in 0..5 {
        let _ = e.g.sign_in("agent.caf2", pw("faux"), None).await;
    }
    assert!(matches!(
        e.g.sign_in("agent.caf2", pw(NEW_PASSWORD), None).await,
        Err(ServiceError::AccountLocked { .. })
    ));
}

/// How many of the manager's users hold `service`.
async fn holders(m: &PartnerManager<'_>, service: &str) -> usize {
    m.users()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.habilitations.iter().any(|h| h.service == service))
        .count()
}

/// A second convention of the demo partner, at CAF-974 (cdap-t13, 974), delegated with a
/// quota of 10, and an operator of CAF-974 signed in: a partner of two caisses.
async fn second_caisse(e: &TestEnv) -> ReadySession {
    let console = operator(e);
    console
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-974",
            service: "cdap-t13",
            departements: &["974".into()],
            number: Some("T13-974"),
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    console.delegate("T13-974", 10).await.unwrap();
    let (_, password) = console
        .add_operator("CAF-974", "agent.caf974", "Agent 974", "a@caf974.example")
        .await
        .unwrap();
    e.ready_with("agent.caf974", &password).await.1
}

/// Issue 22 (1), R-26, R-27: confirming a habilitation in the yearly review lifts a
/// suspension for lateness, never the caisse's own; and a habilitation of a delegation the
/// caisse withdrew is not the partner's to review at all. Failed before: the confirmation
/// cleared any suspension, on any convention.
async fn issue22_1_a_review_never_lifts_the_caisse_s_suspension(db: TestDb) {
    let e = env(db).await;
    e.ready("demo.caf").await;
    let (_, admin) = e.ready("demo.admin").await;
    let caf974 = second_caisse(&e).await;
    e.ready("demo.operateur").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    m.grant("demo.caf", &cdap("cdap-t13")).await.unwrap();
    operator(&e)
        .set_habilitation_suspended("demo.caf", "cdap-t2", true)
        .await
        .unwrap();
    e.clock.advance(chrono::Duration::days(366));
    let admin = signed_in_again(&e, "demo.admin").await.unwrap();
    let m = e.g.partner_manager(&admin).await.unwrap();
    let reviewed = m.reviews().await.unwrap();
    let t2 = reviewed
        .iter()
        .find(|h| h.identifiant == "demo.caf" && h.service == "cdap-t2")
        .unwrap();
    assert_eq!(t2.suspension, Some(Suspension::Caisse));
    m.review("demo.caf", "cdap-t2", true).await.unwrap();
    let t2 = habilitations_of(&m, "demo.caf")
        .await
        .into_iter()
        .find(|h| h.service == "cdap-t2")
        .unwrap();
    assert!(t2.reviewed_at.is_some(), "the confirmation is recorded");
    assert_eq!(
        (t2.suspended_at.is_some(), t2.suspension),
        (true, Some(Suspension::Caisse)),
        "but the caisse's suspension stays"
    );
    // CAF-974 takes its delegation back: its habilitation leaves the partner's review, and
    // its own suspension is CAF-974's to lift.
    let op974 = e.g.caisse_operator(&caf974).await.unwrap();
    op974
        .set_habilitation_suspended("demo.caf", "cdap-t13", true)
        .await
        .unwrap();
    op974.set_delegation_withdrawn(PARTNER, true).await.unwrap();
    assert!(
        !m.reviews()
            .await
            .unwrap()
            .iter()
            .any(|h| h.service == "cdap-t13")
    );
    assert_eq!(
        m.review("demo.caf", "cdap-t13", true).await.unwrap_err(),
        ServiceError::NotFound("habilitation")
    );
    let both =
        e.db.store
            .habilitations(admin.partner.id, e.g.now())
            .await
            .unwrap();
    assert!(
        both.iter()
            .filter(|h| h.identifiant == "demo.caf")
            .all(|h| h.suspended_at.is_some()),
        "both still suspended"
    );
    // The caisse lifts its own; CAF-78's operator cannot lift CAF-974's.
    let agent = signed_in_again(&e, "demo.operateur").await.unwrap();
    let op78 = e.g.caisse_operator(&agent).await.unwrap();
    // The caisse sees who suspended what (the wire's `suspended_by`).
    let seen = op78.supervised_user_infos(PARTNER).await.unwrap();
    let caf = seen.iter().find(|u| u.identifiant == "demo.caf").unwrap();
    assert_eq!(
        caf.habilitations
            .iter()
            .map(|h| (h.service.as_str(), h.suspended_by.as_deref()))
            .collect::<Vec<_>>(),
        [("cdap-t2", Some("caisse"))],
        "CAF-78 sees its own convention's habilitation only"
    );
    assert_eq!(
        op78.set_habilitation_suspended("demo.caf", "cdap-t13", false)
            .await
            .unwrap_err(),
        ServiceError::NotFound("habilitation")
    );
    op78.set_habilitation_suspended("demo.caf", "cdap-t2", false)
        .await
        .unwrap();
    assert!(signed_in_again(&e, "demo.caf").await.is_ok());
    // A user of both caisses suspended by CAF-974: CAF-78 cannot lift it, CAF-974 can.
    op974
        .set_user_status("demo.caf", UserStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        op78.set_user_status("demo.caf", UserStatus::Active)
            .await
            .unwrap_err()
            .code(),
        guichet_core::ErrorCode::OutsideConvention
    );
    op974
        .set_user_status("demo.caf", UserStatus::Active)
        .await
        .unwrap();
    assert!(signed_in_again(&e, "demo.caf").await.is_ok());
}

/// Issue 22 (2), R-25, R-27: nobody reviews or acts on their own account; the administrator
/// and the deputy are acted on by the caisse only. Failed before: the administrator
/// confirmed their own habilitation, the deputy removed the administrator's.
async fn issue22_2_nobody_reviews_or_acts_on_themself_or_above(db: TestDb) {
    let e = env(db).await;
    e.ready("demo.caf").await;
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let (deputy, password) = m
        .create_user(
            "Paul Suppléant",
            "p.suppleant@ccas.example",
            &[cdap("cdap-t2")],
        )
        .await
        .unwrap();
    operator(&e)
        .set_partner_role(&deputy.identifiant, Some(PartnerRole::Deputy))
        .await
        .unwrap();
    let (_, deputy_session) = e.ready_with(&deputy.identifiant, &password).await;
    let d = e.g.partner_manager(&deputy_session).await.unwrap();
    e.clock.advance(chrono::Duration::days(366));
    let admin = signed_in_again(&e, "demo.admin").await.unwrap();
    let m = e.g.partner_manager(&admin).await.unwrap();
    for (who, power, target) in [
        ("administrator", &m, "demo.admin"),
        ("deputy", &d, deputy.identifiant.as_str()),
    ] {
        assert_eq!(
            power.review(target, "cdap-t2", true).await.unwrap_err(),
            ServiceError::OwnAccount,
            "{who}"
        );
        assert_eq!(
            power.reset_password(target).await.unwrap_err(),
            ServiceError::OwnAccount,
            "{who}"
        );
        assert_eq!(
            power
                .set_user_status(target, UserStatus::Suspended)
                .await
                .unwrap_err(),
            ServiceError::OwnAccount,
            "{who}"
        );
    }
    // Neither acts on the other.
    for refused in [
        d.review("demo.admin", "cdap-t2", false).await,
        d.set_user_status("demo.admin", UserStatus::Suspended).await,
        d.reset_password("demo.admin").await.map(drop),
        d.revoke("demo.admin", "cdap-t2").await,
        m.review(&deputy.identifiant, "cdap-t2", false).await,
        m.set_manager(&deputy.identifiant, false).await,
    ] {
        assert_eq!(
            refused.unwrap_err().code(),
            guichet_core::ErrorCode::OutsideConvention
        );
    }
    // The review lists neither's habilitation; the administrator's is still in force.
    for power in [&m, &d] {
        let listed: Vec<_> = power
            .reviews()
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.identifiant)
            .collect();
        assert_eq!(listed, ["demo.caf"]);
    }
    assert!(signed_in_again(&e, "demo.admin").await.is_ok());
}

/// Issue 22 (3), R-24, R-26: a suspension or a deactivation the caisse set is the caisse's
/// to lift; the console's deactivation ends the habilitations (the quota is freed). Failed
/// before: a delegated manager re-activated a user the caisse suspended or deactivated, and
/// the console's deactivation left the habilitations in force.
async fn issue22_3_a_manager_never_lifts_what_the_caisse_set(db: TestDb) {
    let e = env(db).await;
    e.ready("demo.caf").await;
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let console = operator(&e);
    console
        .set_user_status("demo.caf", UserStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        m.set_user_status("demo.caf", UserStatus::Active)
            .await
            .unwrap_err()
            .code(),
        guichet_core::ErrorCode::OutsideConvention
    );
    assert_eq!(
        signed_in_again(&e, "demo.caf").await.unwrap_err(),
        ServiceError::AccountDisabled
    );
    // The partner's own suspension is the partner's to lift.
    let (user, _) = m
        .create_user("Léa Roux", "l.roux@ccas.example", &[cdap("cdap-t2")])
        .await
        .unwrap();
    m.set_user_status(&user.identifiant, UserStatus::Suspended)
        .await
        .unwrap();
    m.set_user_status(&user.identifiant, UserStatus::Active)
        .await
        .unwrap();
    // The console deactivates: habilitations end, the quota is freed, the manager cannot
    // bring the account back.
    let used = m.delegations().await.unwrap()[0].used;
    console
        .set_user_status(&user.identifiant, UserStatus::Deactivated)
        .await
        .unwrap();
    assert_eq!(m.delegations().await.unwrap()[0].used, used - 1);
    let listed = m.users().await.unwrap();
    let gone = listed
        .iter()
        .find(|u| u.user.identifiant == user.identifiant)
        .unwrap();
    assert!(gone.habilitations.is_empty());
    for status in [UserStatus::Active, UserStatus::Suspended] {
        assert_eq!(
            m.set_user_status(&user.identifiant, status)
                .await
                .unwrap_err()
                .code(),
            guichet_core::ErrorCode::OutsideConvention
        );
    }
    // The caisse lifts its own.
    console
        .set_user_status("demo.caf", UserStatus::Active)
        .await
        .unwrap();
    assert!(signed_in_again(&e, "demo.caf").await.is_ok());
}

/// Issue 22 (4), R-26: once a caisse withdraws its delegation, the users whose rights come
/// from it alone are out of the managers' reach (password, status, groups, review); those
/// of a delegation still in hand are not. Failed before: the managers kept every power.
async fn issue22_4_a_withdrawn_delegation_takes_its_users_out_of_reach(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    let caf974 = second_caisse(&e).await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let (only78, _) = m
        .create_user("Ana Lima", "a.lima@ccas.example", &[cdap("cdap-t2")])
        .await
        .unwrap();
    let (only974, _) = m
        .create_user("Rémi Hoarau", "r.hoarau@ccas.example", &[cdap("cdap-t13")])
        .await
        .unwrap();
    m.create_group("Accueil").await.unwrap();
    m.set_group_member("Accueil", &only974.identifiant, true)
        .await
        .unwrap();
    let (_, agent) = e.ready("demo.operateur").await;
    e.g.caisse_operator(&agent)
        .await
        .unwrap()
        .set_delegation_withdrawn(PARTNER, true)
        .await
        .unwrap();
    // Still a manager: CAF-974's delegation is in hand.
    let m = e.g.partner_manager(&admin).await.unwrap();
    let t = &only78.identifiant;
    for refused in [
        m.reset_password(t).await.map(drop),
        m.set_user_status(t, UserStatus::Suspended).await,
        m.set_group_member("Accueil", t, true).await,
        m.revoke(t, "cdap-t2").await,
        m.review(t, "cdap-t2", false).await,
    ] {
        assert_eq!(
            refused.unwrap_err().code(),
            guichet_core::ErrorCode::OutsideConvention
        );
    }
    m.reset_password(&only974.identifiant).await.unwrap();
    m.set_user_status(&only974.identifiant, UserStatus::Suspended)
        .await
        .unwrap();
    // CAF-974 withdraws too: no manager power at all.
    e.g.caisse_operator(&caf974)
        .await
        .unwrap()
        .set_delegation_withdrawn(PARTNER, true)
        .await
        .unwrap();
    assert_eq!(
        e.g.partner_manager(&admin).await.unwrap_err(),
        ServiceError::DelegationWithdrawn
    );
}

/// Issue 22 (5), R-24, R-28: a signed-in operator reaches the users whose rights come from
/// a convention of its caisse still binding it, and nothing once that convention is
/// terminated. Failed before: CAF-78's operator acted on a user of CAF-974 only, and kept
/// its reach after the termination.
async fn issue22_5_an_operator_reaches_only_its_caisse_s_users_in_force(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    second_caisse(&e).await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let (only974, _) = m
        .create_user("Rémi Hoarau", "r.hoarau@ccas.example", &[cdap("cdap-t13")])
        .await
        .unwrap();
    let (_, agent) = e.ready("demo.operateur").await;
    let op = e.g.caisse_operator(&agent).await.unwrap();
    let t = &only974.identifiant;
    for refused in [
        op.reset_password(t).await.map(drop),
        op.set_user_status(t, UserStatus::Suspended).await,
        op.force_password_change(Some(t), None).await.map(drop),
        op.set_habilitation_suspended(t, "cdap-t13", true).await,
    ] {
        assert_eq!(
            refused.unwrap_err().code(),
            guichet_core::ErrorCode::OutsideConvention
        );
    }
    let seen: Vec<_> = op
        .supervised_users(PARTNER)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.user.identifiant)
        .collect();
    assert!(seen.contains(&"demo.caf".to_owned()) && !seen.contains(t));
    assert_eq!(
        op.force_password_change(None, Some(PARTNER)).await.unwrap(),
        u64::try_from(seen.len()).unwrap(),
        "a partner-wide forced change reaches its caisse's users only"
    );
    op.reset_password("demo.caf").await.unwrap();
    // A user holding nothing (deactivated) at a partner of two caisses is neither's alone.
    let (left, _) = m
        .create_user("Ana Lima", "a.lima@ccas.example", &[cdap("cdap-t2")])
        .await
        .unwrap();
    m.set_user_status(&left.identifiant, UserStatus::Deactivated)
        .await
        .unwrap();
    assert_eq!(
        op.reset_password(&left.identifiant)
            .await
            .unwrap_err()
            .code(),
        guichet_core::ErrorCode::OutsideConvention
    );
    // The convention terminated: the partner is out of reach.
    operator(&e)
        .set_convention_status(CONVENTION, ConventionStatus::Terminated)
        .await
        .unwrap();
    assert!(op.partners().await.unwrap().is_empty());
    for refused in [
        op.reset_password("demo.caf").await.map(drop),
        op.supervised_users(PARTNER).await.map(drop),
        op.set_delegation_withdrawn(PARTNER, true).await,
    ] {
        assert_eq!(
            refused.unwrap_err().code(),
            guichet_core::ErrorCode::OutsideConvention
        );
    }
}

/// Issue 22 (9): a bidirectional override or isolate (or another invisible formatting
/// character) in a display or group name could make one name read as another on screen and
/// in traces: refused everywhere a name is typed. Failed before: accepted.
async fn issue22_9_names_refuse_bidi_controls(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    for name in ["Alice\u{202E}ecilA", "\u{2067}Bob\u{2069}", "Zoé\u{200B}"] {
        assert!(matches!(
            m.create_user(name, "x@ccas.example", &[cdap("cdap-t2")])
                .await,
            Err(ServiceError::InvalidInput(_))
        ));
        assert!(matches!(
            m.create_group(name).await,
            Err(ServiceError::InvalidInput(_))
        ));
        assert!(matches!(
            operator(&e)
                .add_user(&NewUserRequest {
                    partner_tiers: PARTNER.into(),
                    identifiant: "x.y".into(),
                    display_name: name.into(),
                    email: "x@ccas.example".into(),
                    services: vec!["cdap-t2".into()],
                    ends_on: None,
                    test_account: false,
                })
                .await,
            Err(ServiceError::InvalidInput(_))
        ));
    }
    // Names of every script and emoji (with their joiners) are still welcome.
    m.create_group("Équipe 李 👩‍👧").await.unwrap();
}

/// Issue 22 (11), R-14, R-25, R-27: the administrator and the deputy sign in to manage
/// even without a lookup habilitation, and a late-review suspension never reaches them
/// (the caisse reviews theirs). Failed before: both locked the administrator out.
async fn issue22_11_administrators_sign_in_to_manage_and_are_never_suspended_for_lateness(
    db: TestDb,
) {
    let e = env(db).await;
    e.ready("demo.caf").await;
    e.ready("demo.admin").await;
    e.clock.advance(chrono::Duration::days(366));
    let op = operator(&e);
    assert_eq!(op.suspend_late(PARTNER).await.unwrap(), 1, "demo.caf only");
    let seen = op.supervised_user_infos(PARTNER).await.unwrap();
    let suspended_by = |who: &str| {
        seen.iter()
            .find(|u| u.identifiant == who)
            .unwrap()
            .habilitations[0]
            .suspended_by
            .clone()
    };
    assert_eq!(suspended_by("demo.caf").as_deref(), Some("late_review"));
    assert_eq!(suspended_by("demo.admin"), None);
    let admin = signed_in_again(&e, "demo.admin").await.unwrap();
    let m = e.g.partner_manager(&admin).await.unwrap();
    m.review("demo.caf", "cdap-t2", true).await.unwrap();
    assert!(signed_in_again(&e, "demo.caf").await.is_ok());
    // Without any lookup habilitation: a session with no service, and the manager's power.
    let admin_user =
        e.db.store
            .user_by_identifiant("demo.admin")
            .await
            .unwrap()
            .unwrap();
    let convention = e.db.store.convention(CONVENTION).await.unwrap().unwrap();
    assert!(
        e.db.store
            .end_habilitation(admin_user.id, convention.id, e.g.now())
            .await
            .unwrap()
    );
    let admin = signed_in_again(&e, "demo.admin").await.unwrap();
    assert!(admin.grants.is_empty());
    assert!(e.g.partner_manager(&admin).await.is_ok());
    // A plain user without habilitation still cannot sign in, nor can the
    // administrator once the delegation is withdrawn.
    op.set_habilitation_suspended("demo.caf", "cdap-t2", true)
        .await
        .unwrap();
    assert_eq!(
        signed_in_again(&e, "demo.caf").await.unwrap_err(),
        ServiceError::AccountDisabled
    );
    op.set_delegation_withdrawn(PARTNER, true).await.unwrap();
    assert_eq!(
        signed_in_again(&e, "demo.admin").await.unwrap_err(),
        ServiceError::AccountDisabled
    );
}

/// Issue 22 (11), R-06, seed 001: a département council's RSACG convention covers its one
/// département. Failed before: several were accepted.
async fn issue22_11_one_departement_for_rsacg(db: TestDb) {
    let e = env(db).await;
    let console = operator(&e);
    let two = ["67".to_owned(), "68".to_owned()];
    let request = |departements| ConventionRequest {
        partner_tiers: "DEMO-CD-67",
        caisse: "MSA-ALSACE",
        service: "rsacg",
        departements,
        number: None,
        starts_on: None,
        beyond_caisse: false,
    };
    assert!(matches!(
        console.add_convention(&request(&two)).await,
        Err(ServiceError::InvalidInput(_))
    ));
    let c = console.add_convention(&request(&two[1..])).await.unwrap();
    assert_eq!(c.departements, ["68"]);
}

/// A user's habilitations in force, as their manager lists them.
async fn habilitations_of(m: &PartnerManager<'_>, identifiant: &str) -> Vec<Habilitation> {
    m.users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.user.identifiant == identifiant)
        .unwrap()
        .habilitations
}

/// The largest page of traces a listing gives.
fn max_page() -> guichet_core::wire::TracePageQuery {
    guichet_core::wire::TracePageQuery {
        limit: Some(guichet_core::wire::TRACE_PAGE_MAX),
        ..Default::default()
    }
}

/// Issue 22 (11), seed 003: a delegation recorded without a quota (before issue 22, or
/// written around the service) grants nothing more; the caisse sets one.
async fn issue22_11_a_delegation_without_quota_grants_nothing(db: TestDb) {
    let e = env(db).await;
    let (_, admin) = e.ready("demo.admin").await;
    let convention = e.db.store.convention(CONVENTION).await.unwrap().unwrap();
    e.db.store.delegate(convention.id, None).await.unwrap();
    let m = e.g.partner_manager(&admin).await.unwrap();
    assert!(matches!(
        m.create_user("Léa Roux", "l.roux@ccas.example", &[cdap("cdap-t2")])
            .await,
        Err(ServiceError::QuotaReached { quota: 0, .. })
    ));
    operator(&e).delegate(CONVENTION, 5).await.unwrap();
    assert!(
        m.create_user("Léa Roux", "l.roux@ccas.example", &[cdap("cdap-t2")])
            .await
            .is_ok()
    );
}
