//! the PSU participation on the wire, from a real database (SQLite and PostgreSQL),
//! checked against a computation written here from the published barème, independently of
//! `guichet_core::psu`.
// The walk prints what it met (with `--nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use chrono::{Datelike, Days, NaiveDate};
use guichet_core::Dossier;
use guichet_core::lookup::LookupOutcome;
use guichet_core::psu::{CareType, NoParticipation, Participation};
use guichet_service::testing::*;
use guichet_service::*;
use guichet_store::testing::TestDb;
use guichet_store::*;

guichet_store::on_both_backends!(
    r31_every_psu_file_found_pays_what_the_published_bareme_says,
    r31_the_partners_type_of_care_and_a_new_floor_take_effect,
    r31_issue22_a_bounded_ceiling_correction_leaves_the_ceiling_after_it,
);

/// The published values (R-31, README "Barème PSU"), as a crèche director would read them
/// off the CNAF's tables: monthly floor and ceiling in cents by period, collective rates in
/// parts per million by number of children.
fn published_floor(date: NaiveDate) -> Option<i64> {
    match date.year() {
        2022 => Some(71_233),
        2023 => Some(75_416),
        2024 => Some(76_577),
        y if y >= 2025 => Some(80_100),
        _ => None,
    }
}

fn published_ceiling(date: NaiveDate) -> Option<i64> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    if date < d(2022, 1, 1) {
        None
    } else if date < d(2024, 9, 1) {
        Some(600_000)
    } else if date < d(2025, 9, 1) {
        Some(700_000)
    } else {
        Some(850_000)
    }
}

fn published_collective_rate(children: u32) -> i64 {
    match children {
        0 => unreachable!("no rate without a child"),
        1 => 619,
        2 => 516,
        3 => 413,
        4..=7 => 310,
        _ => 206,
    }
}

/// What the director would compute by hand: resources of the year in force, children under
/// 20 on the date, one more "child" per AEEH child, the figure rounded once at the end.
fn by_hand(
    file: &Dossier,
    date: NaiveDate,
) -> std::result::Result<(i64, u32, u32), NoParticipation> {
    let resources = file
        .resources
        .iter()
        .filter(|r| r.validity.start <= date && r.validity.end.is_none_or(|e| date <= e))
        .max_by_key(|r| r.reference_year)
        .ok_or(NoParticipation::NoResources)?;
    let annual = resources.allocataire_cents + resources.partner_cents;
    let mut children = 0;
    let mut aeeh = 0;
    for c in &file.family.children {
        let born = c.birth_date;
        // Under 20 on `date`: the 20th birthday is after it.
        let twentieth = NaiveDate::from_ymd_opt(born.year() + 20, born.month(), born.day())
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(born.year() + 20, 3, 1).unwrap());
        if born <= date && date < twentieth {
            children += 1;
            aeeh += u32::from(c.disabled);
        }
    }
    if children == 0 {
        return Err(NoParticipation::NoDependentChild);
    }
    let (Some(floor), Some(ceiling)) = (published_floor(date), published_ceiling(date)) else {
        return Err(NoParticipation::NoBareme);
    };
    let rate = published_collective_rate(children + aeeh);
    // Annual resources bounded by 12 × the monthly floor and ceiling, times the rate, over
    // 12 × 1,000,000, to the nearest cent (half up).
    let bounded = i128::from(annual.clamp(12 * floor, 12 * ceiling));
    let numerator = bounded * i128::from(rate);
    let denominator = 12 * 1_000_000;
    let (q, r) = (numerator / denominator, numerator % denominator);
    let cents = q + i128::from(2 * r >= denominator);
    Ok((i64::try_from(cents).unwrap(), children, aeeh))
}

/// Files of the walk: about a third have a child under 6 (PSU's eligibility).
const WALKED_FILES: u64 = 5_000;

/// Every file of a database of 5,000 looked up, at a date from 2024 on (spread over the
/// days), by the director of a crèche of its caisse: each file found carries the participation computed by hand, or none
/// with the reason by hand; the walk meets floors, ceilings, AEEH families and the reasons.
async fn r31_every_psu_file_found_pays_what_the_published_bareme_says(db: TestDb) {
    let config = ServiceConfig {
        lookups_per_minute: 1_000_000,
        ..ServiceConfig::fast_for_tests()
    };
    let e = env_with_files(db, config, WALKED_FILES).await;
    // one caisse, one convention and one account: a crèche per caisse, each with a
    // PSU convention over all the caisse's départements.
    let op = e.g.console("test").unwrap();
    let mut sessions = std::collections::HashMap::new();
    for caisse in reference::caisses() {
        let tiers = format!("T-PSU-{}", caisse.code);
        op.add_partner(&tiers, "Crèche", PartnerKind::Eaje, CareType::Collective)
            .await
            .unwrap();
        op.add_convention(&ConventionRequest {
            partner_tiers: &tiers,
            caisse: &caisse.code,
            service: "psu",
            departements: &caisse.departements,
            number: None,
            starts_on: None,
            beyond_caisse: false,
        })
        .await
        .unwrap();
        let identifiant = format!("directrice.{}", caisse.code.to_lowercase());
        let (_, temporary) = op
            .add_user(&NewUserRequest {
                partner_tiers: tiers.clone(),
                identifiant: identifiant.clone(),
                display_name: "Directrice".into(),
                email: "direction@creche.example".into(),
                services: vec!["psu".into()],
                ends_on: None,
                test_account: false,
            })
            .await
            .unwrap();
        let (_, s) = e.ready_with(&identifiant, temporary.as_str()).await;
        sessions.insert(caisse.code, s);
    }
    let files =
        e.db.store
            .dossiers(&DossierFilter::default(), None, 100_000)
            .await
            .unwrap();
    assert_eq!(files.len() as u64, WALKED_FILES);
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let days = (e.g.today() - first).num_days() as u64 + 1;
    let (mut found, mut computed, mut at_floor, mut at_ceiling, mut with_aeeh) = (0, 0, 0, 0, 0);
    let mut reasons = std::collections::BTreeSet::new();
    let mut outcomes = std::collections::BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        // A file found is looked up again at two more dates, a third of the span apart.
        for k in 0..3 {
            let date = first + Days::new((i as u64 * 7_919 + k * days / 3) % days);
            let mut request = lookup_request("psu", file.nir.expose(), &file.contact.birth_name);
            request.as_of = Some(date);
            let s = &sessions[&file.caisse];
            let answer = e.g.lookup(s, request, None).await.unwrap().response;
            *outcomes.entry(answer.outcome.code()).or_insert(0) += 1;
            if answer.outcome != LookupOutcome::Found {
                assert!(answer.dossier.is_none());
                break;
            }
            found += 1;
            let recherche = answer.dossier.unwrap().recherche.unwrap();
            assert_eq!(recherche.date, date);
            let expected = by_hand(file, date);
            match (
                &recherche.participation,
                recherche.participation_reason,
                expected,
            ) {
                (Some(p), None, Ok((cents, children, aeeh))) => {
                    let Participation {
                        care,
                        hourly_cents,
                        floor_cents,
                        ceiling_cents,
                        base_monthly_cents,
                        ..
                    } = p.clone();
                    assert_eq!(
                        (hourly_cents, p.children, p.aeeh_children),
                        (cents, children, aeeh),
                        "file {i} on {date}"
                    );
                    assert_eq!(care, CareType::Collective);
                    assert_eq!(Some(floor_cents), published_floor(date));
                    assert_eq!(Some(ceiling_cents), published_ceiling(date));
                    assert_eq!(
                        p.effort_rate_ppm as i64,
                        published_collective_rate(children + aeeh)
                    );
                    computed += 1;
                    at_floor += usize::from(base_monthly_cents == floor_cents);
                    at_ceiling += usize::from(base_monthly_cents == ceiling_cents);
                    with_aeeh += usize::from(aeeh > 0);
                }
                (None, Some(reason), Err(why)) => {
                    assert_eq!(reason, why, "file {i} on {date}");
                    reasons.insert(format!("{reason:?}"));
                }
                (got, reason, expected) => {
                    panic!("file {i} on {date}: got {got:?} / {reason:?}, expected {expected:?}")
                }
            }
        }
    }
    println!(
        "R-31: {} files, {found} found, {computed} participations checked ({at_floor} at the \
         floor, {at_ceiling} at the ceiling, {with_aeeh} with AEEH), reasons {reasons:?}; outcomes {outcomes:?}",
        files.len()
    );
    assert!(computed >= 1_000, "{computed} participations checked");
    assert!(found >= 1_500, "{found} lookups of PSU files");
    assert!(at_floor > 0 && at_ceiling > 0, "{at_floor} / {at_ceiling}");
    assert!(with_aeeh > 0, "no AEEH family met");
    assert!(reasons.contains("NoResources"), "{reasons:?}");
}

/// A partner set to familial care gets that table's (unconfirmed) rate on its next lookup;
/// a floor the caisse publishes is the one applied from its first day; nothing else of the
/// answer moves.
async fn r31_the_partners_type_of_care_and_a_new_floor_take_effect(db: TestDb) {
    let e = env(db).await;
    let (info, s) = e.ready("demo.creche").await;
    let today = e.g.today();
    let file = e
        .file(|d| {
            d.caisse == "MSA-ALSACE"
                && !d.opposition
                && ["67", "68"].contains(&d.departement.as_str())
                && d.has_child_under(today, 6)
                && d.resources_in_force(today).is_some()
                && d.family.children.iter().all(|c| !c.disabled)
                && d.family
                    .children
                    .iter()
                    .filter(|c| c.birth_date <= today)
                    .count()
                    == 1
        })
        .await;
    let participation = |s: ReadySession| {
        let g = e.g.clone();
        let file = file.clone();
        async move {
            let answer = g
                .lookup(
                    &s,
                    lookup_request("psu", file.nir.expose(), &file.contact.birth_name),
                    None,
                )
                .await
                .unwrap();
            answer
                .response
                .dossier
                .unwrap()
                .recherche
                .unwrap()
                .participation
                .unwrap()
        }
    };
    let collective = participation(s.clone()).await;
    assert_eq!((collective.effort_rate_ppm, collective.children), (619, 1));
    assert!(collective.bareme.rate.confirmed);

    let op = e.g.console("test").unwrap();
    op.set_partner_care("DEMO-EAJE-67", CareType::Familial)
        .await
        .unwrap();
    // The partner is read with the session, on the next request.
    let s =
        e.g.ready(
            e.g.authenticate(&info.token, Some("192.0.2.1"))
                .await
                .unwrap(),
        )
        .unwrap();
    let familial = participation(s.clone()).await;
    assert_eq!(familial.care, CareType::Familial);
    assert_eq!(familial.effort_rate_ppm, 516);
    assert!(!familial.bareme.rate.confirmed, "shown as unconfirmed");
    assert_eq!(familial.base_monthly_cents, collective.base_monthly_cents);

    // The caisse publishes a floor far above every resource from today: it applies.
    let floor = guichet_core::psu::BaremeEntry {
        item: guichet_core::psu::BaremeItem::Floor,
        period: guichet_core::dossier::Period {
            start: today,
            end: None,
        },
        value: 9_000_000,
        source: "test : plancher publié par la caisse".into(),
        confirmed: true,
    };
    op.publish_bareme_entry(floor).await.unwrap();
    let high = participation(s.clone()).await;
    assert_eq!(high.floor_cents, 9_000_000);
    assert_eq!(
        high.base_monthly_cents, high.ceiling_cents,
        "a floor above the ceiling is bounded by the ceiling last"
    );

    // Someone who can write to the database adds a ceiling over the others: the file is
    // still shown, without a figure (no_bareme), rather than with a wrong one or not at all.
    let forged = "INSERT INTO psu_bareme (kind, care, children, starts_on, ends_on, value, \
                  source, confirmed) VALUES ('ceiling', '', 0, '2020-01-01', NULL, 100, 'x', TRUE)";
    match e.g.store() {
        Store::Sqlite(x) => sqlx::query(forged).execute(x.pool()).await.map(drop),
        Store::Postgres(x) => sqlx::query(forged).execute(x.pool()).await.map(drop),
    }
    .unwrap();
    // Written around the service: seen once the barème read last is over 30 s old.
    e.clock
        .advance(chrono::Duration::seconds(bareme::BAREME_TTL_SECS + 1));
    let answer =
        e.g.lookup(
            &s,
            lookup_request("psu", file.nir.expose(), &file.contact.birth_name),
            None,
        )
        .await
        .unwrap()
        .response;
    assert_eq!(answer.outcome, LookupOutcome::Found);
    let recherche = answer.dossier.unwrap().recherche.unwrap();
    assert!(recherche.resources.is_some() && recherche.participation.is_none());
    assert_eq!(
        recherche.participation_reason,
        Some(NoParticipation::NoBareme)
    );
}

/// Issue 22 (8): a one-month correction of the ceiling (`admin bareme set ceiling --from …
/// --to …`) applies over its month only; after it, the ceiling in force before resumes and
/// the participation is computed. Failed before: no ceiling after the correction, so every
/// PSU file showed no figure (`no_bareme`).
async fn r31_issue22_a_bounded_ceiling_correction_leaves_the_ceiling_after_it(db: TestDb) {
    let e = env(db).await;
    let (_, s) = e.ready("demo.creche").await;
    let today = e.g.today();
    let file = e
        .file(|d| {
            d.caisse == "MSA-ALSACE"
                && !d.opposition
                && ["67", "68"].contains(&d.departement.as_str())
                && d.has_child_under(today, 6)
                && d.resources_in_force(today).is_some()
        })
        .await;
    let participation = |s: ReadySession| {
        let g = e.g.clone();
        let file = file.clone();
        async move {
            g.lookup(
                &s,
                lookup_request("psu", file.nir.expose(), &file.contact.birth_name),
                None,
            )
            .await
            .unwrap()
            .response
            .dossier
            .unwrap()
            .recherche
            .unwrap()
        }
    };
    let before = participation(s.clone()).await.participation.unwrap();
    let month_ago = today.checked_sub_days(Days::new(61)).unwrap();
    let correction = guichet_core::psu::BaremeEntry {
        item: guichet_core::psu::BaremeItem::Ceiling,
        period: guichet_core::dossier::Period {
            start: month_ago,
            end: Some(month_ago.checked_add_days(Days::new(30)).unwrap()),
        },
        value: before.ceiling_cents - 10_000,
        source: "test : correction d'un mois".into(),
        confirmed: true,
    };
    let op = e.g.console("test").unwrap();
    let stored = op.publish_bareme_entry(correction).await.unwrap();
    let ceilings = stored
        .entries()
        .iter()
        .filter(|e| e.item == guichet_core::psu::BaremeItem::Ceiling)
        .count();
    assert!(
        ceilings >= 3,
        "the value before, the correction, the value resumed"
    );
    // Stored and read back from the database, on both backends.
    let read = e.g.store().psu_bareme().await.unwrap();
    assert_eq!(&read, &stored);
    let after = participation(s).await;
    assert_eq!(after.participation_reason, None);
    let after = after.participation.unwrap();
    assert_eq!(after.ceiling_cents, before.ceiling_cents);
    assert_eq!(after.bareme.ceiling.source, before.bareme.ceiling.source);
}
