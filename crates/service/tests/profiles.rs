//! CDAP profiles as seed 003 describes them, on SQLite and PostgreSQL: T2 prices
//! on the quotient familial, T4 asks for the numéro instructeur and traces it, T16 is granted
//! only until an end date, T20 sees two years of rights. Each is a row of `services` with its
//! rules, not a code path (the server's tests add a profile by command and look through it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, Months, NaiveDate};
use guichet_core::wire::{LookupRequest, SessionInfo};
use guichet_core::{Dossier, LookupOutcome};
use guichet_service::testing::*;
use guichet_service::*;
use guichet_store::testing::TestDb;
use guichet_store::*;

guichet_store::on_both_backends!(
    t2_shows_the_quotient_familial,
    t4_needs_and_traces_the_numero_instructeur,
    t16_is_granted_only_until_an_end_date,
    t20_sees_two_years_of_rights,
    every_profile_of_the_seed_is_a_valid_row,
    r06_a_caf_convention_beyond_its_caisse,
    r25_a_habilitation_narrowed_to_some_departements,
    r18_issue22_the_hours_told_are_the_hours_enforced,
);

const PARTNER: &str = "DEMO-CCAS-78";

fn in_78(d: &Dossier) -> bool {
    d.caisse == "CAF-78" && d.departement == "78" && !d.opposition
}

/// A convention of the demo CAF partner for `service`, and a user holding it.
async fn user_of(
    e: &TestEnv,
    service: &str,
    ends_on: Option<NaiveDate>,
) -> (SessionInfo, ReadySession) {
    let op = e.g.console("agent.caf").unwrap();
    let number = format!("CONV-{service}");
    if e.db.store.convention(&number).await.unwrap().is_none() {
        op.add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-78",
            service,
            departements: &["78".into()],
            number: Some(&number),
            starts_on: Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            beyond_caisse: false,
        })
        .await
        .unwrap();
    }
    let identifiant = format!("agent.{service}");
    let (_, password) = op
        .add_user(&NewUserRequest {
            partner_tiers: PARTNER.into(),
            identifiant: identifiant.clone(),
            display_name: "Agent de test".into(),
            email: "agent@ccas.example".into(),
            services: vec![service.into()],
            ends_on,
            test_account: false,
        })
        .await
        .unwrap();
    e.ready_with(&identifiant, &password).await
}

fn request(service: &str, d: &Dossier, numero: Option<&str>) -> LookupRequest {
    let mut r = lookup_request(service, d.nir.expose(), &d.contact.birth_name);
    r.numero_instructeur = numero.map(str::to_owned);
    r
}

/// Seed 003: T2 exists to price services on the quotient familial, so it shows it.
async fn t2_shows_the_quotient_familial(db: TestDb) {
    let e = env(db).await;
    let (_, caf) = e.ready("demo.caf").await;
    let d = e.file(|d| in_78(d) && !d.quotients.is_empty()).await;
    let answer = e.g.lookup(&caf, request("cdap-t2", &d, None), None).await;
    let dossier = answer.unwrap().response.dossier.expect("found");
    assert_eq!(dossier.quotient_familial.as_ref(), Some(&d.quotients));
    let today = e.g.today();
    let in_force = dossier.recherche.expect("T2 searches by date").quotient;
    assert_eq!(in_force, d.quotient_in_force(today));
    assert!(
        dossier.adresse.is_none() && dossier.droits.is_none() && dossier.ressources.is_none(),
        "R-02: no more than the QF needs"
    );
}

/// Seed 003: "l'accès au dossier nécessite la saisie préalable du numéro instructeur". It is
/// checked before any file is read and kept in the lookup's trace; other services ignore it.
async fn t4_needs_and_traces_the_numero_instructeur(db: TestDb) {
    let e = env(db).await;
    let (info, session) = user_of(&e, "cdap-t4", None).await;
    let today = e.g.today();
    let d = e
        .file(|d| in_78(d) && d.rsa_beneficiary_within(today, 24))
        .await;
    assert!(
        info.services[0].numero_instructeur,
        "the client asks for it"
    );

    for missing in [
        None,
        Some(""),
        Some("  "),
        Some("12 34"),
        Some("N°42"),
        Some(&*"9".repeat(21)),
    ] {
        let refused =
            e.g.lookup(&session, request("cdap-t4", &d, missing), None)
                .await;
        assert_eq!(
            refused.unwrap_err(),
            ServiceError::NumeroInstructeurRequired,
            "{missing:?}"
        );
    }
    let found =
        e.g.lookup(
            &session,
            request("cdap-t4", &d, Some(" INS-0042 ")),
            Some("r-1"),
        )
        .await
        .unwrap();
    assert_eq!(found.response.outcome, LookupOutcome::Found);

    let traces =
        e.db.store
            .traces_filtered(
                &TraceFilter {
                    identifiant: Some("agent.cdap-t4".into()),
                    ..TraceFilter::default()
                },
                0,
                100,
            )
            .await
            .unwrap();
    let lookups: Vec<_> = traces
        .iter()
        .map(|t| &t.record)
        .filter(|t| t.service.as_deref() == Some("cdap-t4"))
        .collect();
    assert_eq!(lookups.len(), 7);
    assert!(
        lookups[..6]
            .iter()
            .all(|t| t.outcome == "numero_instructeur_required" && t.nir_digest.is_none()),
        "refused before the NIR is even read"
    );
    assert_eq!(lookups[6].outcome, "found");
    assert_eq!(
        lookups[6].detail.as_deref(),
        Some("request_id=r-1 numero_instructeur=INS-0042")
    );

    // A service without the rule ignores the field.
    let (_, caf) = e.ready("demo.caf").await;
    let d2 = e.file(in_78).await;
    let other =
        e.g.lookup(&caf, request("cdap-t2", &d2, Some("x y")), None)
            .await;
    assert_eq!(other.unwrap().response.outcome, LookupOutcome::Found);
}

/// Seed 003: T16 is put at the disposal of prefecture agents temporarily: no habilitation
/// without an end date, whoever grants it, and it gives nothing after that date.
async fn t16_is_granted_only_until_an_end_date(db: TestDb) {
    let e = env(db).await;
    let op = e.g.console("agent.caf").unwrap();
    op.add_convention(&ConventionRequest {
        partner_tiers: PARTNER,
        caisse: "CAF-78",
        service: "cdap-t16",
        departements: &["78".into()],
        number: Some("CONV-cdap-t16"),
        starts_on: Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        beyond_caisse: false,
    })
    .await
    .unwrap();
    let mut request = NewUserRequest {
        partner_tiers: PARTNER.into(),
        identifiant: "agent.dalo".into(),
        display_name: "Agent DALO".into(),
        email: "dalo@prefecture.example".into(),
        services: vec!["cdap-t16".into()],
        ends_on: None,
        test_account: false,
    };
    assert_eq!(
        op.add_user(&request).await.unwrap_err(),
        ServiceError::EndDateRequired {
            service: "cdap-t16".into()
        }
    );
    assert!(
        e.db.store
            .user_by_identifiant("agent.dalo")
            .await
            .unwrap()
            .is_none()
    );
    let today = e.g.today();
    request.ends_on = Some(today - Duration::days(1));
    assert!(matches!(
        op.add_user(&request).await,
        Err(ServiceError::InvalidInput(_))
    ));

    // The partner's administrator, once the caisse delegates the profile, is held the same.
    op.delegate("CONV-cdap-t16", 5).await.unwrap();
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let open_ended = HabilitationRequest {
        service: "cdap-t16".into(),
        departements: None,
        ends_on: None,
    };
    assert_eq!(
        m.create_user("Agent Ccapex", "ccapex@prefecture.example", &[open_ended])
            .await
            .unwrap_err(),
        ServiceError::EndDateRequired {
            service: "cdap-t16".into()
        }
    );
    // Issue 22 (11): "temporairement" has a bound: a year at most, from either power.
    let too_far = today + Duration::days(400);
    let far = HabilitationRequest {
        service: "cdap-t16".into(),
        departements: None,
        ends_on: Some(too_far),
    };
    assert!(matches!(
        m.create_user("Agent Ccapex", "ccapex@prefecture.example", &[far])
            .await,
        Err(ServiceError::InvalidInput(_))
    ));
    request.ends_on = Some(too_far);
    assert!(matches!(
        op.add_user(&request).await,
        Err(ServiceError::InvalidInput(_))
    ));
    let until = today + Duration::days(30);
    let (user, _) = m
        .create_user(
            "Agent Ccapex",
            "ccapex@prefecture.example",
            &[HabilitationRequest {
                service: "cdap-t16".into(),
                departements: None,
                ends_on: Some(until),
            }],
        )
        .await
        .unwrap();
    assert!(user.identifiant.starts_with("demo-ccas-78."));

    // Through the caisse: granted until the date, gone the day after.
    request.ends_on = Some(until);
    let (_, password) = op.add_user(&request).await.unwrap();
    let (info, session) = e.ready_with("agent.dalo", &password).await;
    assert_eq!(info.services[0].code, "cdap-t16");
    let d = e.file(in_78).await;
    let r = lookup_request("cdap-t16", d.nir.expose(), &d.contact.birth_name);
    assert!(e.g.lookup(&session, r.clone(), None).await.is_ok());
    e.clock.advance(Duration::days(31));
    let after = e.g.sign_in("agent.dalo", pw(NEW_PASSWORD), None).await;
    assert_eq!(after.unwrap_err(), ServiceError::AccountDisabled);
}

/// Seed 003: T20 sees "les droits sur les deux dernières années". Every answer holds the
/// file's benefits that were in force at some point of the last 24 months, and only those.
async fn t20_sees_two_years_of_rights(db: TestDb) {
    let e = env(db).await;
    let (info, session) = user_of(&e, "cdap-t20", None).await;
    let today = e.g.today();
    let cutoff = today.checked_sub_months(Months::new(24)).unwrap();
    let files =
        e.db.store
            .dossiers(&DossierFilter::default(), None, 10_000)
            .await
            .unwrap();
    let mut checked = 0;
    for d in files.iter().filter(|d| in_78(d)).take(40) {
        let r = lookup_request("cdap-t20", d.nir.expose(), &d.contact.birth_name);
        let answer = e.g.lookup(&session, r, None).await.unwrap().response;
        let dossier = answer.dossier.expect("T20 admits every file in scope");
        let expected: Vec<_> = d
            .benefits
            .iter()
            .filter(|b| b.period.end.is_none_or(|end| end >= cutoff))
            .cloned()
            .collect();
        assert_eq!(dossier.droits.unwrap(), expected);
        assert!(dossier.rsa.is_none() && dossier.ressources.is_none());
        checked += 1;
    }
    assert!(checked >= 10, "{checked} files checked");
    assert_eq!(info.services[0].history_months, Some(24));
}

/// the seed's profiles are rows the store keeps as they were written, rules included.
async fn every_profile_of_the_seed_is_a_valid_row(db: TestDb) {
    let e = env(db).await;
    let stored = e.db.store.services().await.unwrap();
    for code in [
        "cdap-t1", "cdap-t2", "cdap-t4", "cdap-t5", "cdap-t6", "cdap-t8", "cdap-t9", "cdap-t10",
        "cdap-t11", "cdap-t12", "cdap-t13", "cdap-t14", "cdap-t15", "cdap-t16", "cdap-t18",
        "cdap-t19", "cdap-t20", "cdap-t21", "cdap-t22",
    ] {
        let s = stored.iter().find(|s| s.code == code).expect(code);
        assert_eq!(s.validate(), Ok(()), "{code}");
    }
    let rules = |code: &str| stored.iter().find(|s| s.code == code).unwrap().rules;
    assert!(rules("cdap-t4").numero_instructeur);
    assert!(rules("cdap-t16").temporary);
    assert_eq!(rules("cdap-t20").history_months, Some(24));
    assert!(rules("cdap-t13").is_default());
}

/// Seed 003's T13 example (13/83/84 under one CAF convention), here 78 and 974: the caisse
/// may set a CAF convention beyond its own départements, and then the files of any CAF in
/// them are in scope; an MSA convention never leaves its caisse.
async fn r06_a_caf_convention_beyond_its_caisse(db: TestDb) {
    let e = env(db).await;
    let op = e.g.console("agent.caf").unwrap();
    let start = Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    let deps = ["78".to_owned(), "974".to_owned()];
    let refused = op
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-78",
            service: "cdap-t13",
            departements: &deps,
            number: Some("T13-NET"),
            starts_on: start,
            beyond_caisse: false,
        })
        .await;
    assert!(
        matches!(&refused, Err(ServiceError::InvalidInput(m)) if m.contains("974")),
        "{refused:?}"
    );
    let msa = op
        .add_convention(&ConventionRequest {
            partner_tiers: "DEMO-EAJE-67",
            caisse: "MSA-ALSACE",
            service: "psu",
            departements: &["78".into()],
            number: None,
            starts_on: start,
            beyond_caisse: true,
        })
        .await;
    assert!(
        matches!(&msa, Err(ServiceError::InvalidInput(m)) if m.contains("CAF")),
        "{msa:?}"
    );
    let bad = op
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-78",
            service: "cdap-t13",
            departements: &["99".into()],
            number: None,
            starts_on: start,
            beyond_caisse: true,
        })
        .await;
    assert!(matches!(bad, Err(ServiceError::InvalidInput(_))));

    let c = op
        .add_convention(&ConventionRequest {
            partner_tiers: PARTNER,
            caisse: "CAF-78",
            service: "cdap-t13",
            departements: &deps,
            number: Some("T13-NET"),
            starts_on: start,
            beyond_caisse: true,
        })
        .await
        .unwrap();
    assert!(c.beyond_caisse);
    let (_, password) = op
        .add_user(&NewUserRequest {
            partner_tiers: PARTNER.into(),
            identifiant: "agent.fsl".into(),
            display_name: "Agent FSL".into(),
            email: "fsl@ccas.example".into(),
            services: vec!["cdap-t13".into()],
            ends_on: None,
            test_account: false,
        })
        .await
        .unwrap();
    let (info, session) = e.ready_with("agent.fsl", &password).await;
    assert_eq!(info.services[0].departements, deps);
    let outcome = |d: Dossier| {
        let session = &session;
        let g = &e.g;
        async move {
            let r = lookup_request("cdap-t13", d.nir.expose(), &d.contact.birth_name);
            g.lookup(session, r, None).await.unwrap().response.outcome
        }
    };
    let reunion = e.file(|d| d.caisse == "CAF-974" && !d.opposition).await;
    assert_eq!(
        outcome(reunion).await,
        LookupOutcome::Found,
        "another CAF's file"
    );
    let own = e.file(in_78).await;
    assert_eq!(outcome(own).await, LookupOutcome::Found);
    let msa_file = e.file(|d| d.caisse == "MSA-ALSACE" && !d.opposition).await;
    assert_eq!(
        outcome(msa_file).await,
        LookupOutcome::OutOfScope,
        "an MSA file"
    );
}

/// a manager grants a habilitation on some of the convention's départements only
/// (never one outside it); the user then sees those départements' files only.
async fn r25_a_habilitation_narrowed_to_some_departements(db: TestDb) {
    let e = env(db).await;
    let op = e.g.console("agent.caf").unwrap();
    op.add_convention(&ConventionRequest {
        partner_tiers: PARTNER,
        caisse: "CAF-78",
        service: "cdap-t13",
        departements: &["78".into(), "974".into()],
        number: Some("T13-NET"),
        starts_on: Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        beyond_caisse: true,
    })
    .await
    .unwrap();
    op.delegate("T13-NET", 5).await.unwrap();
    let (_, admin) = e.ready("demo.admin").await;
    let m = e.g.partner_manager(&admin).await.unwrap();
    let grant = |deps: &[&str]| HabilitationRequest {
        service: "cdap-t13".into(),
        departements: Some(deps.iter().map(|d| (*d).to_owned()).collect()),
        ends_on: None,
    };
    for outside in [&["75"][..], &["974", "13"], &[]] {
        let refused = m
            .create_user("Agent FSL", "fsl@ccas.example", &[grant(outside)])
            .await;
        assert!(
            matches!(
                refused,
                Err(ServiceError::OutsideConvention(_) | ServiceError::InvalidInput(_))
            ),
            "{outside:?}: {refused:?}"
        );
    }
    let (user, password) = m
        .create_user("Agent FSL", "fsl@ccas.example", &[grant(&["974"])])
        .await
        .unwrap();
    let listed = m.users().await.unwrap();
    let mine = listed
        .iter()
        .find(|u| u.user.identifiant == user.identifiant)
        .unwrap();
    assert_eq!(mine.habilitations[0].departements, Some(vec!["974".into()]));
    let caf = listed
        .iter()
        .find(|u| u.user.identifiant == "demo.caf")
        .unwrap();
    assert_eq!(
        caf.habilitations[0].departements,
        Some(vec!["78".into()]),
        "the convention's départements when not narrowed"
    );

    let (info, session) = e.ready_with(&user.identifiant, &password).await;
    assert_eq!(info.services[0].departements, ["974"]);
    let lookup = |d: &Dossier| lookup_request("cdap-t13", d.nir.expose(), &d.contact.birth_name);
    let reunion = e.file(|d| d.caisse == "CAF-974" && !d.opposition).await;
    let found = e.g.lookup(&session, lookup(&reunion), None).await.unwrap();
    assert_eq!(found.response.outcome, LookupOutcome::Found);
    let yvelines = e.file(in_78).await;
    let outside = e.g.lookup(&session, lookup(&yvelines), None).await.unwrap();
    assert_eq!(outside.response.outcome, LookupOutcome::OutOfScope);
}

/// Issue 22 (11), R-18: a service with hours of its own at a caisse with its own: the
/// session tells the client both (`05:00-23:00 & 07:00-19:00`), and what the client makes
/// of them is what the lookup answers. Failed before: the client was told the service's
/// hours alone while the server decided with both.
async fn r18_issue22_the_hours_told_are_the_hours_enforced(db: TestDb) {
    use guichet_core::policy::hours::{CombinedHours, HoursStatus, OpeningHours};
    let e = env(db).await;
    let console = e.g.console("test").unwrap();
    // The caisse opens 05:00-23:00 (R-18's default), the service 07:00-19:00 only.
    console
        .set_caisse_hours("MSA-ALSACE", "05:00-23:00".parse().unwrap())
        .await
        .unwrap();
    let mut psu = e.db.store.service("psu").await.unwrap().unwrap();
    psu.hours = Some("07:00-19:00".parse::<OpeningHours>().unwrap());
    console.put_service(&psu).await.unwrap();
    let (info, _) = e.ready("demo.creche").await;
    assert_eq!(info.services[0].hours, "05:00-23:00 & 07:00-19:00");
    let told: CombinedHours = info.services[0].hours.parse().unwrap();
    let d = e
        .file(|d| d.caisse == "MSA-ALSACE" && d.departement == "67" && !d.opposition)
        .await;
    // 06:30 in Paris the next day (winter: UTC+1): the caisse is open, the service is not.
    e.clock.set(t0() + Duration::minutes(20 * 60 + 30));
    let signed =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    let s =
        e.g.ready(e.g.authenticate(&signed.token, None).await.unwrap())
            .unwrap();
    let status = told.status(e.g.now());
    let HoursStatus::Closed { reopens_at } = status else {
        panic!("the client would show the service open: {status:?}");
    };
    assert_eq!(
        e.g.lookup(
            &s,
            lookup_request("psu", d.nir.expose(), &d.contact.birth_name),
            None
        )
        .await
        .unwrap_err(),
        ServiceError::ServiceClosed { reopens_at }
    );
    // At 07:00 both agree it is open (signed in again: the session went idle meanwhile).
    e.clock.set(reopens_at);
    assert_eq!(told.status(e.g.now()), HoursStatus::Open);
    let signed =
        e.g.sign_in("demo.creche", pw(NEW_PASSWORD), None)
            .await
            .unwrap();
    let s =
        e.g.ready(e.g.authenticate(&signed.token, None).await.unwrap())
            .unwrap();
    assert!(
        e.g.lookup(
            &s,
            lookup_request("psu", d.nir.expose(), &d.contact.birth_name),
            None
        )
        .await
        .is_ok()
    );
}
