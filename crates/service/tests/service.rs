//! The application service end to end on a real database, SQLite and PostgreSQL, with a
//! driven clock. Each test cites the rules it checks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use guichet_core::ErrorCode;
use guichet_core::lookup::LookupOutcome;
use guichet_core::policy::password::PasswordViolation;
use guichet_core::psu::CareType;
use guichet_core::trace::{ChainedTrace, TraceKind};
use guichet_core::wire::{TRACE_PAGE_MAX, TracePageQuery};
use guichet_core::{Dossier, Section};
use guichet_service::testing::*;
use guichet_service::*;
use guichet_store::testing::TestDb;
use guichet_store::*;

type Env = TestEnv;

/// a new password refused for `violations` under the tests' policy.
fn rejected(violations: Vec<PasswordViolation>) -> ServiceError {
    ServiceError::PasswordPolicy {
        violations,
        policy: ServiceConfig::fast_for_tests().password,
    }
}

async fn lookup_outcome(
    e: &Env,
    s: &ReadySession,
    service: &str,
    d: &Dossier,
    name: &str,
) -> LookupOutcome {
    e.g.lookup(s, lookup_request(service, d.nir.expose(), name), None)
        .await
        .unwrap()
        .response
        .outcome
}

guichet_store::on_both_backends!(
    r11_r12_first_sign_in_forces_a_compliant_password_change,
    r12_last_passwords_cannot_be_reused,
    r13_lockout_after_five_failures_for_known_and_unknown_identifiants,
    r14_r28_inactive_accounts_and_conventions_cannot_sign_in,
    r16_r17_idle_and_absolute_expiry,
    a_lookup_counted_with_its_session_check_is_counted_once,
    r16_rsacg_has_thirty_minutes_and_the_strictest_service_wins,
    r03_r04_malformed_input_is_refused_before_any_lookup,
    r05_unknown_nir_and_wrong_name_are_indistinguishable,
    r02_r06_r07_r08_outcomes_and_projection,
    r18_opening_hours_in_paris,
    rate_limit_per_user_per_minute,
    r19_r20_every_attempt_is_traced_and_the_chain_survives_purge,
    r22_r23_statistics_and_abuse_flags,
    r24_caisse_administration_end_to_end,
    sign_out_revokes_the_session,
    r13_parallel_guesses_each_count_and_refusals_are_aggregated,
    r13_password_change_guesses_count_toward_the_lockout,
    password_changes_are_rate_limited_and_end_other_sessions,
    sign_ins_are_limited_per_ipv6_64_and_globally,
    r13_r19_issue22_rate_limited_sign_ins_are_traced_aggregated,
    argon2_runs_are_bounded_and_a_full_house_is_busy,
    temporary_passwords_expire,
    r28_termination_is_final_and_ends_sessions_at_once,
    r19_verify_finds_deleted_newest_traces_and_forged_records,
    shutdown_commits_the_traces_in_flight,
);

async fn r11_r12_first_sign_in_forces_a_compliant_password_change(db: TestDb) {
    let e = env(db).await;
    let info =
        e.g.sign_in("Demo.Creche", pw(DEMO_PASSWORD), None)
            .await
            .unwrap();
    assert!(info.must_change_password, "R-11");
    assert_eq!(info.services.len(), 1);
    assert_eq!(info.services[0].code, "psu");
    assert_eq!(info.services[0].departements, vec!["67", "68"]);
    assert_eq!(info.idle_timeout_s, 900);
    let s = e.g.authenticate(&info.token, None).await.unwrap();
    let d = e.file(|_| true).await;
    assert_eq!(
        e.g.ready(s.clone()).unwrap_err(),
        ServiceError::PasswordChangeRequired,
        "R-11: no lookup and no trace reading before the change"
    );

    let err =
        e.g.change_password(&s, pw("wrong"), pw(NEW_PASSWORD))
            .await
            .unwrap_err();
    assert_eq!(err, ServiceError::InvalidCredentials);
    let err =
        e.g.change_password(&s, pw(DEMO_PASSWORD), pw("court"))
            .await
            .unwrap_err();
    let ServiceError::PasswordPolicy { violations, .. } = err else {
        panic!()
    };
    assert!(violations.contains(&PasswordViolation::TooShort));
    let err =
        e.g.change_password(&s, pw(DEMO_PASSWORD), pw("Demo.Creche-2026-x"))
            .await
            .unwrap_err();
    assert_eq!(err, rejected(vec![PasswordViolation::ContainsIdentifiant]));
    let err =
        e.g.change_password(&s, pw(DEMO_PASSWORD), pw(DEMO_PASSWORD))
            .await
            .unwrap_err();
    assert_eq!(err, rejected(vec![PasswordViolation::SameAsCurrent]));

    e.g.change_password(&s, pw(DEMO_PASSWORD), pw(NEW_PASSWORD))
        .await
        .unwrap();
    let s = e.g.authenticate(&info.token, None).await.unwrap();
    assert!(!s.must_change_password());
    let s = e.g.ready(s).unwrap();
    assert!(
        e.g.lookup(&s, lookup_request("psu", d.nir.expose(), "X"), None)
            .await
            .is_ok()
    );
    assert_eq!(
        e.g.sign_in("demo.creche", pw(DEMO_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::InvalidCredentials,
        "the temporary password no longer works"
    );
    let again =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    assert!(!again.must_change_password && !again.password_age_warning);
    e.clock.advance(Duration::days(366));
    let old =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    assert!(old.password_age_warning, "R-12: reminder after a year");
}

async fn r12_last_passwords_cannot_be_reused(db: TestDb) {
    let e = env(db).await;
    // Each change at its own time (history is ordered by the time of change).
    e.clock.advance(Duration::minutes(1));
    let (info, _) = e.ready("demo.mairie").await;
    let mut current = NEW_PASSWORD.to_owned();
    for i in 1..=4 {
        e.clock.advance(Duration::minutes(1)); // changes are rate-limited per minute
        let s = e.g.authenticate(&info.token, None).await.unwrap();
        let next = format!("Nouveau-Secret-{i}-Zèbre");
        e.g.change_password(&s, pw(&current), pw(&next))
            .await
            .unwrap();
        current = next;
    }
    // The last five: NEW_PASSWORD and the four above. NEW_PASSWORD is refused…
    let s = e.g.authenticate(&info.token, None).await.unwrap();
    let err =
        e.g.change_password(&s, pw(&current), pw(NEW_PASSWORD))
            .await
            .unwrap_err();
    assert_eq!(err, rejected(vec![PasswordViolation::RecentlyUsed]));
    // …but the demo password, six changes ago, would be accepted by the history rule.
    let s = e.g.authenticate(&info.token, None).await.unwrap();
    e.g.change_password(&s, pw(&current), pw("Cinquième-Essai-77-Orge"))
        .await
        .unwrap();
}

async fn r13_lockout_after_five_failures_for_known_and_unknown_identifiants(db: TestDb) {
    let e = env(db).await;
    for _ in 0..5 {
        assert_eq!(
            e.g.sign_in("demo.caf", pw("mauvais"), None)
                .await
                .unwrap_err(),
            ServiceError::InvalidCredentials
        );
    }
    let err =
        e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), None)
            .await
            .unwrap_err();
    assert_eq!(
        err,
        ServiceError::AccountLocked { retry_after_s: 900 },
        "locked even with the right password"
    );
    e.clock.advance(Duration::minutes(15));
    assert!(
        e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), None)
            .await
            .is_ok()
    );

    // An unknown identifiant gets the same answers: no oracle on which accounts exist.
    for _ in 0..5 {
        assert_eq!(
            e.g.sign_in("personne.inconnue", pw("x"), None)
                .await
                .unwrap_err(),
            ServiceError::InvalidCredentials
        );
    }
    assert!(matches!(
        e.g.sign_in("personne.inconnue", pw("x"), None)
            .await
            .unwrap_err(),
        ServiceError::AccountLocked { .. }
    ));
    // Malformed identifiants are just unknown ones.
    assert_eq!(
        e.g.sign_in(&"é".repeat(10_000), pw("x"), None)
            .await
            .unwrap_err(),
        ServiceError::InvalidCredentials
    );
}

async fn r14_r28_inactive_accounts_and_conventions_cannot_sign_in(db: TestDb) {
    let e = env(db).await;
    let admin = e.g.console("agent.caisse").unwrap();
    let (info, _) = e.ready("demo.creche").await;

    admin
        .set_user_status("demo.creche", UserStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert_eq!(
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::AccountDisabled,
        "R-14"
    );
    // A wrong password on a suspended account says nothing about the suspension.
    assert_eq!(
        e.g.sign_in("demo.creche", pw("x"), None).await.unwrap_err(),
        ServiceError::InvalidCredentials
    );
    admin
        .set_user_status("demo.creche", UserStatus::Active)
        .await
        .unwrap();
    let info =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    e.g.authenticate(&info.token, None).await.unwrap();

    // suspending the convention ends the session at once and blocks sign-in.
    admin
        .set_convention_status("DEMO-PSU-ALSACE", ConventionStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert_eq!(
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::AccountDisabled
    );
    admin
        .set_convention_status("DEMO-PSU-ALSACE", ConventionStatus::Active)
        .await
        .unwrap();
    let info =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    // A partner suspended as a whole.
    admin
        .set_partner_status("DEMO-EAJE-67", PartnerStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert_eq!(
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::AccountDisabled
    );
}

async fn r16_r17_idle_and_absolute_expiry(db: TestDb) {
    let e = env(db).await;
    let (info, _) = e.ready("demo.creche").await;
    e.clock.advance(Duration::minutes(14));
    e.g.authenticate(&info.token, None)
        .await
        .expect("activity within 15 minutes");
    e.clock.advance(Duration::minutes(14));
    e.g.authenticate(&info.token, None)
        .await
        .expect("activity resets the delay");
    e.clock.advance(Duration::minutes(15));
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    e.clock.advance(Duration::minutes(1));
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired,
        "stays expired"
    );
    let again =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    let again = e.g.authenticate(&again.token, None).await.unwrap();
    let timeouts = all_my_traces(&e, &e.g.ready(again).unwrap()).await;
    assert_eq!(
        timeouts
            .iter()
            .filter(|t| t.record.kind == TraceKind::Timeout && t.record.outcome == "idle")
            .count(),
        1,
        "the timeout is traced once"
    );

    // eight hours at most, however active.
    let info =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    for _ in 0..47 {
        e.clock.advance(Duration::minutes(10));
        e.g.authenticate(&info.token, None).await.unwrap();
    }
    e.clock.advance(Duration::minutes(10));
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert_eq!(
        e.g.authenticate("not-a-token", None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
}

async fn r16_rsacg_has_thirty_minutes_and_the_strictest_service_wins(db: TestDb) {
    let e = env(db).await;
    let (info, _) = e.ready("demo.departement").await;
    assert_eq!(info.idle_timeout_s, 1800);
    e.clock.advance(Duration::minutes(29));
    e.g.authenticate(&info.token, None).await.unwrap();

    // A user holding both PSU (15 min) and RSACG (30 min): 15 minutes.
    let admin = e.g.console("agent.caisse").unwrap();
    admin
        .add_convention(&ConventionRequest {
            partner_tiers: "DEMO-CD-67",
            caisse: "MSA-ALSACE",
            service: "psu",
            departements: &["67".into()],
            number: Some("CD67-PSU"),
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    let (_, temp) = admin
        .add_user(&NewUserRequest {
            partner_tiers: "DEMO-CD-67".into(),
            identifiant: "double.service".into(),
            display_name: "Agent polyvalent".into(),
            email: "agent@cd67.example".into(),
            services: vec!["psu".into(), "rsacg".into()],
            ends_on: None,
            test_account: false,
        })
        .await
        .unwrap();
    let info = e.g.sign_in("double.service", temp, None).await.unwrap();
    assert_eq!(info.services.len(), 2);
    assert_eq!(info.idle_timeout_s, 900);
    // And an administrator lowering a delay applies to open sessions.
    let (info, _) = e.ready("demo.mairie").await;
    admin.set_service_idle_timeout("qf", 300).await.unwrap();
    e.clock.advance(Duration::minutes(6));
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert!(
        admin.set_service_idle_timeout("qf", 3600).await.is_err(),
        "R-16: never above 30 minutes"
    );
}

async fn r03_r04_malformed_input_is_refused_before_any_lookup(db: TestDb) {
    let e = env(db).await;
    let (_, s) = e.ready("demo.creche").await;
    let d = e.file(|_| true).await;
    let err = |nir: &str, name: &str, service: &str| {
        let g = e.g.clone();
        let s = s.clone();
        let r = lookup_request(service, nir, name);
        async move { g.lookup(&s, r, None).await.unwrap_err().code() }
    };
    assert_eq!(
        err("1 85 05", "Dupont", "psu").await,
        ErrorCode::NirMalformed
    );
    assert_eq!(
        err("1 85 13 78 006 084 91", "Dupont", "psu").await,
        ErrorCode::NirMalformed
    );
    assert_eq!(
        err("1 85 05 78 006 084 92", "Dupont", "psu").await,
        ErrorCode::NirKeyMismatch
    );
    assert_eq!(
        err(d.nir.expose(), "", "psu").await,
        ErrorCode::NameMalformed
    );
    assert_eq!(
        err(d.nir.expose(), "Dupont🙂", "psu").await,
        ErrorCode::NameMalformed
    );
    assert_eq!(
        err(d.nir.expose(), &"A".repeat(10_000), "psu").await,
        ErrorCode::NameMalformed
    );
    assert_eq!(
        err(d.nir.expose(), "Dupont", "qf").await,
        ErrorCode::ServiceNotGranted
    );
    assert_eq!(
        err(d.nir.expose(), "Dupont", "nimporte-quoi").await,
        ErrorCode::UnknownService
    );
}

async fn r05_unknown_nir_and_wrong_name_are_indistinguishable(db: TestDb) {
    let e = env(db).await;
    let (_, s) = e.ready("demo.creche").await;
    let d = e.file(|d| d.caisse == "MSA-ALSACE").await;
    let unknown = guichet_core::Nir::with_computed_key("1850578006084").unwrap();
    assert!(e.g.store().dossier(&unknown).await.unwrap().is_none());
    let a =
        e.g.lookup(
            &s,
            lookup_request("psu", unknown.expose(), &d.contact.birth_name),
            None,
        )
        .await
        .unwrap();
    let b =
        e.g.lookup(
            &s,
            lookup_request("psu", d.nir.expose(), "Nomquinexistepas"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(a.response.outcome, LookupOutcome::NotFound);
    assert_eq!(
        serde_json::to_vec(&a.response).unwrap(),
        serde_json::to_vec(&b.response).unwrap()
    );
    assert_eq!(
        a.response.message,
        "Aucun dossier ne correspond à ce NIR et à ce nom."
    );
}

async fn r02_r06_r07_r08_outcomes_and_projection(db: TestDb) {
    let e = env(db).await;
    let today = e.g.today();
    let (_, psu) = e.ready("demo.creche").await;
    let young = |d: &Dossier| d.has_child_under(today, 6);

    // Found, by birth name and by usage name in any case; only PSU's sections.
    let d = e
        .file(|d| {
            d.caisse == "MSA-ALSACE" && !d.opposition && young(d) && d.contact.usage_name.is_some()
        })
        .await;
    let answer =
        e.g.lookup(
            &psu,
            lookup_request(
                "psu",
                &d.nir.grouped(),
                &d.contact.birth_name.to_uppercase(),
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(answer.response.outcome, LookupOutcome::Found);
    let view = answer.response.dossier.unwrap();
    assert_eq!(
        view.sections,
        vec![
            Section::Coordonnees,
            Section::SituationFamiliale,
            Section::Ressources,
            Section::Recherche
        ]
    );
    assert!(
        view.adresse.is_none()
            && view.rsa.is_none()
            && view.droits.is_none()
            && view.quotient_familial.is_none()
    );
    assert_eq!(view.coordonnees.unwrap().birth_name, d.contact.birth_name);
    assert!(view.recherche.unwrap().resources.is_some());
    assert_eq!(
        lookup_outcome(
            &e,
            &psu,
            "psu",
            &d,
            d.contact.usage_name.as_deref().unwrap()
        )
        .await,
        LookupOutcome::Found
    );

    // another caisse, or a département outside the convention.
    let other = e.file(|d| d.caisse == "CAF-78" && young(d)).await;
    assert_eq!(
        lookup_outcome(&e, &psu, "psu", &other, &other.contact.birth_name).await,
        LookupOutcome::OutOfScope
    );
    let (_, rsacg) = e.ready("demo.departement").await;
    let d68 = e.file(|d| d.departement == "68" && d.rsa.is_some()).await;
    assert_eq!(
        lookup_outcome(&e, &rsacg, "rsacg", &d68, &d68.contact.birth_name).await,
        LookupOutcome::OutOfScope
    );

    // opposition, with no data.
    let opposed = e.file(|d| d.caisse == "MSA-ALSACE" && d.opposition).await;
    let a =
        e.g.lookup(
            &psu,
            lookup_request("psu", opposed.nir.expose(), &opposed.contact.birth_name),
            None,
        )
        .await
        .unwrap();
    assert_eq!(a.response.outcome, LookupOutcome::Opposition);
    assert!(a.response.dossier.is_none());

    // not eligible (no child under six for PSU; no RSA right for RSACG).
    let old = e
        .file(|d| d.caisse == "MSA-ALSACE" && !d.opposition && !young(d))
        .await;
    assert_eq!(
        lookup_outcome(&e, &psu, "psu", &old, &old.contact.birth_name).await,
        LookupOutcome::NotEligible
    );
    let no_rsa = e
        .file(|d| d.departement == "67" && !d.opposition && d.rsa.is_none())
        .await;
    assert_eq!(
        lookup_outcome(&e, &rsacg, "rsacg", &no_rsa, &no_rsa.contact.birth_name).await,
        LookupOutcome::NotEligible
    );
    let rsa = e
        .file(|d| d.departement == "67" && !d.opposition && d.rsa_beneficiary_within(today, 0))
        .await;
    let a =
        e.g.lookup(
            &rsacg,
            lookup_request("rsacg", rsa.nir.expose(), &rsa.contact.birth_name),
            None,
        )
        .await
        .unwrap();
    let view = a.response.dossier.unwrap();
    assert!(
        view.rsa.is_some() && view.adresse.is_some() && view.coordonnees.is_none(),
        "RSACG's five sections"
    );

    // QF with a "Recherche" date.
    let (_, qf) = e.ready("demo.mairie").await;
    let q = e.file(|d| d.departement == "21" && !d.opposition).await;
    let mut r = lookup_request("qf", q.nir.expose(), &q.contact.birth_name);
    r.as_of = Some(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
    let view =
        e.g.lookup(&qf, r, None)
            .await
            .unwrap()
            .response
            .dossier
            .unwrap();
    assert_eq!(
        view.recherche.unwrap().quotient,
        q.quotient_in_force(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap())
    );
    assert!(view.ressources.is_none(), "QF shows no resources");
}

async fn r18_opening_hours_in_paris(db: TestDb) {
    let e = env(db).await;
    let d = e.file(|_| true).await;
    // 23:30 in Paris (22:30 UTC in winter).
    e.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 23, 22, 30, 0).unwrap());
    let (psu_info, psu) = e.ready("demo.creche").await;
    let (_, caf) = e.ready("demo.caf").await;
    assert!(matches!(
        e.g.service_hours(&psu, "psu"),
        Some(guichet_core::policy::hours::HoursStatus::Closed { .. })
    ));
    let err =
        e.g.lookup(&psu, lookup_request("psu", d.nir.expose(), "X"), None)
            .await
            .unwrap_err();
    assert_eq!(
        err,
        ServiceError::ServiceClosed {
            reopens_at: Utc.with_ymd_and_hms(2026, 11, 24, 4, 0, 0).unwrap()
        }
    );
    assert_eq!(err.message(), "Service fermé, réouverture à 05:00.");
    // The CAF answers around the clock.
    assert!(
        e.g.lookup(&caf, lookup_request("cdap-t2", d.nir.expose(), "X"), None)
            .await
            .is_ok()
    );
    // The caisse can change its hours; the next call sees them.
    e.g.console("agent")
        .unwrap()
        .set_caisse_hours("MSA-ALSACE", "00:00-23:59".parse().unwrap())
        .await
        .unwrap();
    let psu = e.g.authenticate(&psu_info.token, None).await.unwrap();
    let psu = e.g.ready(psu).unwrap();
    assert!(
        e.g.lookup(&psu, lookup_request("psu", d.nir.expose(), "X"), None)
            .await
            .is_ok()
    );
}

async fn rate_limit_per_user_per_minute(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            lookups_per_minute: 3,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let (_, s) = e.ready("demo.creche").await;
    let d = e.file(|_| true).await;
    for left in [2, 1, 0] {
        let a =
            e.g.lookup(&s, lookup_request("psu", d.nir.expose(), "X"), None)
                .await
                .unwrap();
        assert_eq!((a.rate.limit, a.rate.remaining), (3, left));
    }
    let err =
        e.g.lookup(&s, lookup_request("psu", d.nir.expose(), "X"), None)
            .await
            .unwrap_err();
    assert_eq!(err, ServiceError::RateLimited { retry_after_s: 60 });
    e.clock.advance(Duration::seconds(61));
    assert!(
        e.g.lookup(&s, lookup_request("psu", d.nir.expose(), "X"), None)
            .await
            .is_ok()
    );
}

async fn r19_r20_every_attempt_is_traced_and_the_chain_survives_purge(db: TestDb) {
    let e = env(db).await;
    let _ =
        e.g.sign_in("demo.creche", pw("faux"), Some("198.51.100.7"))
            .await;
    let (_, s) = e.ready("demo.creche").await;
    let d = e.file(|d| d.caisse == "MSA-ALSACE").await;
    let answer =
        e.g.lookup(
            &s,
            lookup_request("psu", d.nir.expose(), &d.contact.birth_name),
            Some("req-42"),
        )
        .await
        .unwrap();
    let _ =
        e.g.lookup(&s, lookup_request("psu", "123", "X"), None)
            .await;
    let mine = all_my_traces(&e, &s).await;
    let kinds: Vec<_> = mine
        .iter()
        .map(|t| (t.record.kind, t.record.outcome.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (TraceKind::SignIn, ErrorCode::InvalidCredentials.as_str()),
            (TraceKind::SignIn, "ok"),
            (TraceKind::PasswordChange, "ok"),
            (TraceKind::Lookup, answer.response.outcome.code()),
            (TraceKind::Lookup, ErrorCode::NirMalformed.as_str()),
        ]
    );
    let lookup = mine.iter().find(|t| t.seq == answer.trace_seq).unwrap();
    assert_eq!(lookup.record.detail.as_deref(), Some("request_id=req-42"));
    assert_eq!(lookup.record.partner.as_deref(), Some("DEMO-EAJE-67"));
    assert_eq!(mine[0].record.address.as_deref(), Some("198.51.100.7"));
    let digest = lookup.record.nir_digest.as_deref().unwrap();
    assert_eq!(digest.len(), 64);
    for t in &mine {
        let json = serde_json::to_string(t).unwrap();
        assert!(
            !json.contains(d.nir.expose()) && !json.contains(&d.contact.birth_name),
            "R-19: no NIR or name in traces"
        );
    }
    let report =
        e.g.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .unwrap();
    assert!(report.records >= 5);

    // six months later the old traces go, and what is kept still verifies.
    e.clock.advance(Duration::days(200));
    e.g.install_demo_accounts().await.unwrap(); // re-arms the demo passwords, as at start
    let (_, s2) = e.ready("demo.mairie").await;
    let purged =
        e.g.console_auditor("agent.caisse")
            .unwrap()
            .purge()
            .await
            .unwrap();
    assert!(purged.traces >= 5 && purged.sessions >= 1);
    assert!(
        all_my_traces(&e, &s)
            .await
            .iter()
            .all(|t| t.record.kind == TraceKind::Admin || t.record.at > t0())
    );
    let after =
        e.g.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .unwrap();
    assert!(after.anchor_seq > 0);
    assert!(!all_my_traces(&e, &s2).await.is_empty());
}

async fn r22_r23_statistics_and_abuse_flags(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            lookups_per_minute: 1_000,
            abuse_not_found_streak: 20,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let (_, s) = e.ready("demo.creche").await;
    for i in 0..25u64 {
        let nir =
            guichet_core::Nir::with_computed_key(&format!("1850578006{:03}", 100 + i)).unwrap();
        e.g.lookup(&s, lookup_request("psu", nir.expose(), "Personne"), None)
            .await
            .unwrap();
    }
    let rows =
        e.g.console_auditor("audit")
            .unwrap()
            .monthly_stats("2026-11")
            .await
            .unwrap();
    let not_found: i64 = rows
        .iter()
        .filter(|r| {
            r.identifiant.as_deref() == Some("demo.creche")
                && r.kind == "lookup"
                && r.outcome == "not_found"
        })
        .map(|r| r.count)
        .sum();
    assert_eq!(not_found, 25);
    assert!(
        rows.iter()
            .any(|r| r.kind == "sign_in" && r.partner.as_deref() == Some("DEMO-EAJE-67"))
    );
    let flags =
        e.g.console_auditor("audit")
            .unwrap()
            .abuse_flags(t0() - Duration::days(1))
            .await
            .unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].identifiant, "demo.creche");
    assert!(flags[0].reason.contains("20 réponses"));
}

async fn r24_caisse_administration_end_to_end(db: TestDb) {
    let e = env(db).await;
    let admin = e.g.console("agent.caisse").unwrap();
    admin
        .add_partner(
            "T-2101",
            "Mairie de Beaune",
            PartnerKind::Commune,
            CareType::Collective,
        )
        .await
        .unwrap();
    assert!(matches!(
        admin
            .add_partner("T-2101", "x", PartnerKind::Other, CareType::Collective)
            .await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(
        admin
            .add_convention(&ConventionRequest {
                partner_tiers: "T-2101",
                caisse: "MSA-BOURGOGNE",
                service: "qf",
                departements: &["67".into()],
                number: None,
                starts_on: None,
                beyond_caisse: false
            })
            .await
            .is_err(),
        "67 is not Bourgogne"
    );
    let c = admin
        .add_convention(&ConventionRequest {
            partner_tiers: "T-2101",
            caisse: "MSA-BOURGOGNE",
            service: "qf",
            departements: &["21".into()],
            number: None,
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
    let request = NewUserRequest {
        partner_tiers: "T-2101".into(),
        identifiant: "M.Petit".into(),
        display_name: "Marc Petit".into(),
        email: "marc.petit@beaune.example".into(),
        services: vec!["qf".into()],
        ends_on: None,
        test_account: false,
    };
    let (user, temp) = admin.add_user(&request).await.unwrap();
    assert_eq!(user.identifiant, "m.petit");
    assert!(matches!(
        admin.add_user(&request).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(
        admin
            .add_user(&NewUserRequest {
                services: vec!["psu".into()],
                identifiant: "x".into(),
                ..request.clone()
            })
            .await
            .is_err()
    );
    let info = e.g.sign_in("m.petit", temp.clone(), None).await.unwrap();
    assert!(info.must_change_password);
    assert_eq!(info.services[0].caisse, "MSA-BOURGOGNE");

    let fresh = admin.reset_password("m.petit").await.unwrap();
    assert_ne!(*fresh, *temp);
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired,
        "reset ends sessions"
    );
    assert_eq!(
        e.g.sign_in("m.petit", temp, None).await.unwrap_err(),
        ServiceError::InvalidCredentials
    );
    assert!(
        e.g.sign_in("m.petit", fresh.clone(), None)
            .await
            .unwrap()
            .must_change_password
    );
    admin
        .set_user_status("m.petit", UserStatus::Deactivated)
        .await
        .unwrap();
    assert_eq!(
        e.g.sign_in("m.petit", fresh, None).await.unwrap_err(),
        ServiceError::AccountDisabled
    );
    admin
        .set_convention_status(&c.number, ConventionStatus::Terminated)
        .await
        .unwrap();
    assert_eq!(
        e.g.store()
            .convention(&c.number)
            .await
            .unwrap()
            .unwrap()
            .status,
        ConventionStatus::Terminated
    );
    let users = admin.users(Some("T-2101")).await.unwrap();
    assert_eq!(users.len(), 1);
    let admin_traces = e.g.store().traces(0, 10_000).await.unwrap();
    assert!(
        admin_traces
            .iter()
            .filter(|t| t.record.kind == TraceKind::Admin)
            .count()
            >= 6,
        "admin actions are traced"
    );
}

async fn sign_out_revokes_the_session(db: TestDb) {
    let e = env(db).await;
    let (info, s) = e.ready("demo.caf").await;
    e.g.sign_out(&s).await.unwrap();
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
}

/// Two service instances on one PostgreSQL database behave as one (scale-out).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_lockouts_and_rate_limits() {
    let db = guichet_store::testing::postgres().await;
    let config = ServiceConfig {
        lookups_per_minute: 4,
        ..ServiceConfig::fast_for_tests()
    };
    let a = env_with(db, config.clone()).await;
    let other = Store::open(&a.db.url).await.unwrap();
    let b = Guichet::new(other, a.clock.clone(), config, None)
        .await
        .unwrap();

    let (info, _) = a.ready("demo.creche").await;
    let on_b = b
        .authenticate(&info.token, None)
        .await
        .expect("a session opened on A works on B");
    let on_b = b.ready(on_b).unwrap();
    let d = a.file(|_| true).await;
    let s_a = a.g.authenticate(&info.token, None).await.unwrap();
    let s_a = a.g.ready(s_a).unwrap();
    a.g.lookup(&s_a, lookup_request("psu", d.nir.expose(), "X"), None)
        .await
        .unwrap();
    b.lookup(&on_b, lookup_request("psu", d.nir.expose(), "X"), None)
        .await
        .unwrap();
    a.g.lookup(&s_a, lookup_request("psu", d.nir.expose(), "X"), None)
        .await
        .unwrap();
    b.lookup(&on_b, lookup_request("psu", d.nir.expose(), "X"), None)
        .await
        .unwrap();
    assert!(matches!(
        b.lookup(&on_b, lookup_request("psu", d.nir.expose(), "X"), None)
            .await,
        Err(ServiceError::RateLimited { .. })
    ));
    for i in 0..5 {
        let g = if i % 2 == 0 { &a.g } else { &b };
        let _ = g.sign_in("demo.mairie", pw("faux"), None).await;
    }
    assert!(matches!(
        a.g.sign_in("demo.mairie", pw(DEMO_PASSWORD), None).await,
        Err(ServiceError::AccountLocked { .. })
    ));
    assert!(matches!(
        b.sign_in("demo.mairie", pw(DEMO_PASSWORD), None).await,
        Err(ServiceError::AccountLocked { .. })
    ));
    b.sign_out(&on_b).await.unwrap();
    assert_eq!(
        a.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
    assert!(
        b.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .is_ok(),
        "one chain for both instances"
    );
}

/// Issue 14: `authenticate_lookup` counts the lookup with the session check; the count
/// serves one lookup only, so a session kept and reused in process is counted again.
async fn a_lookup_counted_with_its_session_check_is_counted_once(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            lookups_per_minute: 2,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let (info, _) = e.ready("demo.creche").await;
    let d = e.file(|_| true).await;
    let s = e.g.authenticate_lookup(&info.token, None).await.unwrap();
    let s = e.g.ready(s).unwrap();
    let ask = || lookup_request("psu", d.nir.expose(), "X");
    let first = e.g.lookup(&s, ask(), None).await.unwrap();
    assert_eq!(first.rate.remaining, 1, "counted by the session check");
    let second = e.g.lookup(&s, ask(), None).await.unwrap();
    assert_eq!(second.rate.remaining, 0, "the same session, counted again");
    assert!(matches!(
        e.g.lookup(&s, ask(), None).await,
        Err(ServiceError::RateLimited { .. })
    ));
    // A fresh check counts too, before anything else: refused at once.
    let s = e.g.authenticate_lookup(&info.token, None).await.unwrap();
    let s = e.g.ready(s).unwrap();
    assert!(matches!(
        e.g.lookup(&s, ask(), None).await,
        Err(ServiceError::RateLimited { .. })
    ));
}

/// Issue 14: each instance keeps service and caisse definitions in memory; a change made
/// by the other instance, or by plain SQL, still takes effect on the next request, and so
/// do a convention's and a partner's suspension, which are never cached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r28_two_instances_see_definition_and_suspension_changes_at_the_next_request() {
    let db = guichet_store::testing::postgres().await;
    let config = ServiceConfig::fast_for_tests();
    let a = env_with(db, config.clone()).await;
    let b = Guichet::new(
        Store::open(&a.db.url).await.unwrap(),
        a.clock.clone(),
        config,
        None,
    )
    .await
    .unwrap();
    let (info, _) = a.ready("demo.creche").await;
    let on_a = || async { a.g.authenticate(&info.token, None).await };
    let psu = |s: &Session| s.grants.iter().find(|g| g.service.code == "psu").cloned();
    let before = psu(&on_a().await.unwrap()).expect("psu granted");
    assert!(before.service.idle_timeout_secs > 120);

    // A change through the other instance.
    let console_b = b.console("caisse").unwrap();
    console_b
        .set_service_idle_timeout("psu", 120)
        .await
        .unwrap();
    let s = on_a().await.unwrap();
    assert_eq!(psu(&s).unwrap().service.idle_timeout_secs, 120);
    assert_eq!(
        s.idle_timeout_secs, 120,
        "the strictest delay applies at once"
    );

    // Changes written straight into the database, around every instance.
    let Store::Postgres(pg) = a.g.store() else {
        unreachable!()
    };
    sqlx::query("UPDATE services SET label = 'Libellé changé en SQL' WHERE code = 'psu'")
        .execute(pg.pool())
        .await
        .unwrap();
    assert_eq!(
        psu(&on_a().await.unwrap()).unwrap().service.label,
        "Libellé changé en SQL"
    );
    let caisse = before.convention.caisse.clone();
    sqlx::query("UPDATE caisses SET hours = $1 WHERE code = $2")
        .bind("09:17-12:00")
        .bind(&caisse)
        .execute(pg.pool())
        .await
        .unwrap();
    let hours = psu(&on_a().await.unwrap()).unwrap().caisse_hours;
    assert_eq!(hours.to_string(), "09:17-12:00");
    assert_ne!(hours, before.caisse_hours);

    // the convention suspended on B ends the session on A at its next request.
    console_b
        .set_convention_status(&before.convention.number, ConventionStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(on_a().await.unwrap_err(), ServiceError::SessionExpired);
    console_b
        .set_convention_status(&before.convention.number, ConventionStatus::Active)
        .await
        .unwrap();
    let info =
        a.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    assert!(a.g.authenticate(&info.token, None).await.is_ok());
    let tiers =
        a.g.authenticate(&info.token, None)
            .await
            .unwrap()
            .partner
            .tiers;
    console_b
        .set_partner_status(&tiers, PartnerStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        a.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired
    );
}

/// Every trace `my_traces` gives the session's user, page after page, oldest first.
async fn all_my_traces(e: &Env, s: &ReadySession) -> Vec<ChainedTrace> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page =
            e.g.my_traces(
                s,
                TracePageQuery {
                    limit: Some(TRACE_PAGE_MAX),
                    before,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        out.extend(page.traces);
        match page.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    out.reverse();
    out
}

/// Every trace of `identifiant`, in order: (kind, outcome, detail).
async fn traces_of(e: &Env, identifiant: &str) -> Vec<(TraceKind, String, Option<String>)> {
    let mut out = Vec::new();
    e.g.console_auditor("audit")
        .unwrap()
        .export_traces(
            &TraceFilter {
                identifiant: Some(identifiant.into()),
                ..Default::default()
            },
            |t| {
                out.push((
                    t.record.kind,
                    t.record.outcome.clone(),
                    t.record.detail.clone(),
                ));
                Ok(())
            },
        )
        .await
        .unwrap();
    out
}

/// R-13 under parallelism: 25 wrong passwords sent at once count 25, not 1; only the first
/// five reach the password check, the twenty others are refused as locked and traced as one
/// record per window, not twenty.
async fn r13_parallel_guesses_each_count_and_refusals_are_aggregated(db: TestDb) {
    let e = env(db).await;
    let tasks: Vec<_> = (0..25)
        .map(|i| {
            let g = e.g.clone();
            tokio::spawn(async move {
                g.sign_in("demo.caf", pw(&format!("Essai-{i}")), None)
                    .await
                    .unwrap_err()
            })
        })
        .collect();
    let mut invalid = 0;
    let mut locked = 0;
    for t in tasks {
        match t.await.unwrap() {
            ServiceError::InvalidCredentials => invalid += 1,
            ServiceError::AccountLocked { .. } => locked += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((invalid, locked), (5, 20));
    assert!(matches!(
        e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), None).await,
        Err(ServiceError::AccountLocked { .. })
    ));
    let traces = traces_of(&e, "demo.caf").await;
    let count = |outcome: &str| traces.iter().filter(|t| t.1 == outcome).count();
    assert_eq!(count(ErrorCode::InvalidCredentials.as_str()), 4);
    assert_eq!(count("invalid_credentials_locked"), 1);
    assert_eq!(
        count(ErrorCode::AccountLocked.as_str()),
        1,
        "refusals: one record so far"
    );
    // The window closes: its count is written as one record.
    e.clock.advance(Duration::minutes(11));
    assert_eq!(e.g.housekeeping().await.unwrap(), 1);
    let traces = traces_of(&e, "demo.caf").await;
    let aggregate = traces.last().unwrap();
    assert_eq!(aggregate.1, ErrorCode::AccountLocked.as_str());
    assert!(
        aggregate.2.as_deref().unwrap().starts_with("refused=21 "),
        "{aggregate:?}"
    );
    assert_eq!(e.g.housekeeping().await.unwrap(), 0, "written once");
    assert!(
        e.g.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .is_ok()
    );
}

/// A stolen token cannot guess the password through the change form: wrong current
/// passwords count toward the same lockout, and the lock ends every session of the user.
async fn r13_password_change_guesses_count_toward_the_lockout(db: TestDb) {
    let e = env(db).await;
    let (info, s) = e.ready("demo.creche").await;
    for i in 0..4 {
        assert_eq!(
            e.g.change_password(&s, pw(&format!("Devine-{i}")), pw("Autre-Mot-De-Passe-9!"))
                .await
                .unwrap_err(),
            ServiceError::InvalidCredentials
        );
        e.clock.advance(Duration::seconds(20)); // under the change rate limit
    }
    e.g.authenticate(&info.token, None)
        .await
        .expect("not locked yet: the session lives");
    assert_eq!(
        e.g.change_password(&s, pw("Devine-5"), pw("Autre-Mot-De-Passe-9!"))
            .await
            .unwrap_err(),
        ServiceError::InvalidCredentials
    );
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired,
        "the lock ended the session"
    );
    assert!(matches!(
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None).await,
        Err(ServiceError::AccountLocked { .. })
    ));
    let traces = traces_of(&e, "demo.creche").await;
    let last = traces
        .iter()
        .rfind(|t| t.0 == TraceKind::PasswordChange)
        .unwrap();
    assert_eq!(last.1, "invalid_credentials_locked");
    assert_eq!(last.2.as_deref(), Some("sessions_revoked=1"));
}

async fn password_changes_are_rate_limited_and_end_other_sessions(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            password_changes_per_minute: 3,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let (first, _) = e.ready("demo.mairie").await; // one change made
    let second =
        e.g.sign_in("demo.mairie", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    let other = e.g.authenticate(&second.token, None).await.unwrap();
    e.g.change_password(&other, pw(NEW_PASSWORD), pw("Glycine-Bleue-31-Pont"))
        .await
        .unwrap();
    assert_eq!(
        e.g.authenticate(&first.token, None).await.unwrap_err(),
        ServiceError::SessionExpired,
        "a change ends the user's other sessions"
    );
    let other = e.g.authenticate(&second.token, None).await.unwrap();
    // The same minute: the third change attempt of the minute passes the limit's count
    // (ready's change was the first), the fourth is refused without checking anything.
    assert!(matches!(
        e.g.change_password(&other, pw("faux"), pw("x")).await,
        Err(ServiceError::InvalidCredentials)
    ));
    assert!(matches!(
        e.g.change_password(
            &other,
            pw("Glycine-Bleue-31-Pont"),
            pw("Rose-Verte-77-Quai")
        )
        .await,
        Err(ServiceError::RateLimited { .. })
    ));
    e.clock.advance(Duration::minutes(1));
    e.g.change_password(
        &other,
        pw("Glycine-Bleue-31-Pont"),
        pw("Rose-Verte-77-Quai"),
    )
    .await
    .unwrap();
}

async fn sign_ins_are_limited_per_ipv6_64_and_globally(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            sign_ins_per_minute: 3,
            sign_ins_per_minute_global: 8,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    // Four addresses of one /64 share one budget.
    for i in 1..=3 {
        let a = format!("2001:db8:7:1::{i}");
        assert_eq!(
            e.g.sign_in("x.y", pw("faux"), Some(&a)).await.unwrap_err(),
            ServiceError::InvalidCredentials
        );
    }
    assert!(matches!(
        e.g.sign_in("x.z", pw("faux"), Some("2001:db8:7:1:ffff::4"))
            .await,
        Err(ServiceError::RateLimited { .. })
    ));
    // Another /64 has its own.
    assert_eq!(
        e.g.sign_in("x.w", pw("faux"), Some("2001:db8:7:2::1"))
            .await
            .unwrap_err(),
        ServiceError::InvalidCredentials
    );
    // The global budget: 8 a minute whatever the address (4 used so far: what an address's
    // own budget refused does not count, issue 22).
    for i in 0..4 {
        let a = format!("198.51.100.{i}");
        assert_eq!(
            e.g.sign_in("x.v", pw("faux"), Some(&a)).await.unwrap_err(),
            ServiceError::InvalidCredentials
        );
    }
    assert!(matches!(
        e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), Some("203.0.113.50"))
            .await,
        Err(ServiceError::RateLimited { .. })
    ));
    e.clock.advance(Duration::minutes(1));
    assert!(
        e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), Some("203.0.113.50"))
            .await
            .is_ok()
    );
}

/// Every trace of the database, in order: (identifiant, outcome, detail).
async fn all_traces(e: &Env) -> Vec<(Option<String>, String, Option<String>)> {
    let mut out = Vec::new();
    e.g.console_auditor("audit")
        .unwrap()
        .export_traces(&TraceFilter::default(), |t| {
            out.push((
                t.record.identifiant.clone(),
                t.record.outcome.clone(),
                t.record.detail.clone(),
            ));
            Ok(())
        })
        .await
        .unwrap();
    out
}

/// `n` sign-ins sent 25 at a time from `address`, the identifiant of the i-th given by
/// `identifiant(i)`; returns how many were refused by a rate limit.
async fn flood(
    e: &Env,
    n: usize,
    address: &'static str,
    identifiant: impl Fn(usize) -> String,
) -> usize {
    let mut rate_limited = 0;
    for batch in (0..n).collect::<Vec<_>>().chunks(25) {
        let mut tasks = tokio::task::JoinSet::new();
        for &i in batch {
            let g = e.g.clone();
            let id = identifiant(i);
            tasks.spawn(async move { g.sign_in(&id, pw("faux"), Some(address)).await });
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(ServiceError::RateLimited { .. }) = done.unwrap() {
                rate_limited += 1;
            }
        }
    }
    rate_limited
}

/// issue 22 point 7: sign-ins refused by a rate limit are traced aggregated,
/// per refusing budget and window, as refusals while locked are. 25 identical requests at
/// once, then 3,000 naming a victim and 500 naming new identifiants, leave the victim one
/// refusal trace, and the whole flood two (one at once, one count when the window closes):
/// not one per request.
async fn r13_r19_issue22_rate_limited_sign_ins_are_traced_aggregated(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            sign_ins_per_minute: 3,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let attacker = "198.51.100.9";
    let before = all_traces(&e).await.len();
    // The same request 25 times at once: three pass the address's budget, and are checked.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..25 {
        let g = e.g.clone();
        tasks.spawn(async move { g.sign_in("demo.caf", pw("faux"), Some(attacker)).await });
    }
    let (mut invalid, mut limited) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        match done.unwrap().unwrap_err() {
            ServiceError::InvalidCredentials => invalid += 1,
            ServiceError::RateLimited { .. } => limited += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((invalid, limited), (3, 22));
    let victim = traces_of(&e, "demo.caf").await;
    let count = |traces: &[(TraceKind, String, Option<String>)], outcome: &str| {
        traces.iter().filter(|t| t.1 == outcome).count()
    };
    assert_eq!(count(&victim, ErrorCode::InvalidCredentials.as_str()), 3);
    assert_eq!(
        count(&victim, ErrorCode::RateLimited.as_str()),
        1,
        "R-13: traced"
    );

    // The flood goes on, in the same window: nothing more is written.
    assert_eq!(
        flood(&e, 3_000, attacker, |_| "demo.caf".into()).await,
        3_000
    );
    assert_eq!(
        flood(&e, 500, attacker, |i| format!("victime.{i}")).await,
        500
    );
    assert_eq!(
        traces_of(&e, "demo.caf").await,
        victim,
        "the victim's traces"
    );
    assert_eq!(
        all_traces(&e).await.len(),
        before + 4,
        "3 checked attempts and 1 refusal, for 3,525 requests"
    );

    // The window closes: its count is written as one record, with no identifiant (the
    // flood named several).
    e.clock.advance(Duration::minutes(11));
    assert_eq!(e.g.housekeeping().await.unwrap(), 1);
    let all = all_traces(&e).await;
    assert_eq!(all.len(), before + 5);
    let aggregate = all.last().unwrap();
    assert_eq!(aggregate.0, None);
    assert_eq!(aggregate.1, ErrorCode::RateLimited.as_str());
    assert!(
        aggregate
            .2
            .as_deref()
            .unwrap()
            .starts_with("limit=address refused=3522 "),
        "{aggregate:?}"
    );
    assert_eq!(e.g.housekeeping().await.unwrap(), 0, "written once");

    // A flood naming one identifiant only: its count is the victim's to read.
    assert_eq!(
        flood(&e, 200, attacker, |_| "demo.creche".into()).await,
        197
    );
    e.clock.advance(Duration::minutes(11));
    assert_eq!(e.g.housekeeping().await.unwrap(), 1);
    let creche = traces_of(&e, "demo.creche").await;
    assert_eq!(count(&creche, ErrorCode::RateLimited.as_str()), 2);
    assert!(
        creche
            .last()
            .unwrap()
            .2
            .as_deref()
            .unwrap()
            .starts_with("limit=address refused=197 "),
        "{creche:?}"
    );
    assert!(
        e.g.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .is_ok()
    );
}

/// Password hashing is bounded: however many sign-ins arrive at once, at most
/// `max_concurrent_hashes` argon2 runs happen together; past the wait, `busy`.
async fn argon2_runs_are_bounded_and_a_full_house_is_busy(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            max_concurrent_hashes: 2,
            hash_wait_ms: 60_000,
            sign_ins_per_minute_global: 10_000,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let g = e.g.clone();
            tokio::spawn(async move {
                g.sign_in(&format!("inconnu.{i}"), pw("faux"), None)
                    .await
                    .unwrap_err()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), ServiceError::InvalidCredentials);
    }
    let load = e.g.hashing_load();
    assert_eq!((load.bound, load.running), (2, 0));
    assert!((1..=2).contains(&load.peak), "{load:?}");

    let e = env_with(
        e.db,
        ServiceConfig {
            max_concurrent_hashes: 1,
            hash_wait_ms: 50,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let held = e.g.occupy_hashing().await;
    assert_eq!(
        e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::Busy { retry_after_s: 1 }
    );
    assert_eq!(
        e.g.store().lockout("demo.caf").await.unwrap(),
        Default::default(),
        "a busy refusal counts no failure"
    );
    drop(held);
    e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), None)
        .await
        .unwrap();
    let traces = traces_of(&e, "demo.caf").await;
    assert_eq!(traces[0].1, ErrorCode::Busy.as_str());
}

async fn temporary_passwords_expire(db: TestDb) {
    let e = env(db).await;
    let (_, _) = e.ready("demo.creche").await; // changed: it will not expire
    e.clock.advance(Duration::days(8));
    assert_eq!(
        e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::TemporaryPasswordExpired
    );
    assert_eq!(
        e.g.sign_in("demo.caf", pw("faux"), None).await.unwrap_err(),
        ServiceError::InvalidCredentials,
        "said only to whoever knows the password"
    );
    // A demo database opened again re-arms its public demo password.
    e.g.install_demo_accounts().await.unwrap();
    e.g.sign_in("demo.caf", pw(DEMO_PASSWORD), None)
        .await
        .unwrap();

    // A reset by the caisse: 7 days to use it.
    let admin = e.g.console("agent.caisse").unwrap();
    let temporary = admin.reset_password("demo.mairie").await.unwrap();
    e.clock.advance(Duration::days(7) - Duration::minutes(1));
    e.g.sign_in("demo.mairie", temporary.clone(), None)
        .await
        .unwrap();
    e.clock.advance(Duration::minutes(2));
    assert_eq!(
        e.g.sign_in("demo.mairie", temporary, None)
            .await
            .unwrap_err(),
        ServiceError::TemporaryPasswordExpired
    );
    let traces = traces_of(&e, "demo.mairie").await;
    assert_eq!(
        traces.last().unwrap().1,
        ErrorCode::TemporaryPasswordExpired.as_str()
    );
    // A changed password does not expire.
    e.clock.advance(Duration::days(400));
    e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
        .await
        .unwrap();
}

async fn r28_termination_is_final_and_ends_sessions_at_once(db: TestDb) {
    let e = env(db).await;
    let admin = e.g.console("agent.caisse").unwrap();
    let (info, _) = e.ready("demo.departement").await;
    admin
        .set_convention_status("DEMO-RSACG-ALSACE", ConventionStatus::Terminated)
        .await
        .unwrap();
    assert_eq!(
        e.g.authenticate(&info.token, None).await.unwrap_err(),
        ServiceError::SessionExpired,
        "R-28: at once"
    );
    for status in [ConventionStatus::Active, ConventionStatus::Suspended] {
        assert!(matches!(
            admin
                .set_convention_status("DEMO-RSACG-ALSACE", status)
                .await,
            Err(ServiceError::InvalidInput(_))
        ));
    }
    assert_eq!(
        e.g.sign_in("demo.departement", pw(NEW_PASSWORD), None)
            .await
            .unwrap_err(),
        ServiceError::AccountDisabled
    );
}

/// someone who can write to the database removes the newest traces (after lifting
/// the retention the database enforces) or rewrites a record: `verify` says where.
async fn r19_verify_finds_deleted_newest_traces_and_forged_records(db: TestDb) {
    let e = env(db).await;
    let (_, s) = e.ready("demo.caf").await;
    for _ in 0..3 {
        let _ =
            e.g.lookup(&s, lookup_request("cdap-t2", "123", "X"), None)
                .await;
    }
    let report =
        e.g.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .unwrap();
    let head = report.head_seq;
    assert!(head >= 5, "sign-in, change, three lookups");
    run_sql(
        &e,
        "UPDATE meta SET value = '0' WHERE key = 'trace_retention_days'",
    )
    .await;
    run_sql(
        &e,
        "DELETE FROM traces WHERE seq > (SELECT MAX(seq) - 2 FROM traces)",
    )
    .await;
    assert_eq!(
        e.g.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .unwrap_err(),
        guichet_core::trace::ChainError::Missing {
            seq: head - 1,
            head
        }
    );

    // A record rewritten in place, its hash recomputed without the key, is found too.
    let e = env(e.db).await;
    run_sql(&e, "DROP TRIGGER traces_append_only ON traces").await;
    run_sql(&e, "UPDATE traces SET outcome = 'forged' WHERE seq = 2").await;
    assert_eq!(
        e.g.console_auditor("audit")
            .unwrap()
            .verify_traces()
            .await
            .unwrap()
            .unwrap_err()
            .seq(),
        2
    );
}

async fn run_sql(e: &Env, sql: &'static str) {
    let sql = match (e.g.store(), sql) {
        (Store::Sqlite(_), "DROP TRIGGER traces_append_only ON traces") => {
            "DROP TRIGGER traces_append_only"
        }
        _ => sql,
    };
    match e.g.store() {
        Store::Sqlite(x) => sqlx::query(sql).execute(x.pool()).await.map(drop),
        Store::Postgres(x) => sqlx::query(sql).execute(x.pool()).await.map(drop),
    }
    .unwrap();
}

/// Lookups answered before a shutdown have their trace; after it nothing is accepted.
async fn shutdown_commits_the_traces_in_flight(db: TestDb) {
    let e = env_with(
        db,
        ServiceConfig {
            lookups_per_minute: 1_000,
            ..ServiceConfig::fast_for_tests()
        },
    )
    .await;
    let (_, s) = e.ready("demo.caf").await;
    let d = e.file(|d| d.caisse == "CAF-78").await;
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let (g, s, nir) = (e.g.clone(), s.clone(), d.nir.expose().to_owned());
            tokio::spawn(async move {
                g.lookup(&s, lookup_request("cdap-t2", &nir, "X"), None)
                    .await
            })
        })
        .collect();
    tokio::task::yield_now().await;
    e.g.shutdown().await;
    let mut answered = Vec::new();
    for t in tasks {
        if let Ok(a) = t.await.unwrap() {
            answered.push(a.trace_seq);
        }
    }
    let store = Store::connect(&e.db.url).await.unwrap();
    let stored: std::collections::HashSet<i64> = store
        .traces(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.seq)
        .collect();
    assert!(answered.iter().all(|seq| stored.contains(seq)));
    assert!(matches!(
        e.g.lookup(&s, lookup_request("cdap-t2", d.nir.expose(), "X"), None)
            .await,
        Err(ServiceError::Unavailable)
    ));
}
