//! The answers the UI's stand-in backend replays (`ui/src/recorded.ts`, used by `mock.ts`
//! for the accessibility run), recorded here from the real Rust code: the desktop's own core
//! ([`AppCore`], what the Tauri commands call) on the bundled backend, on a fixed clock. So
//! the mock holds no rule of its own (no NIR key, password policy, projection or message
//! written in TypeScript) and cannot drift: this test fails when the file is not what the
//! code answers today, and `make bindings` (`UPDATE_BINDINGS=1`) rewrites it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use guichet_core::manage::{ManageCall, ManageReply};
use guichet_core::nir::Nir;
use guichet_core::wire::{
    AccountStatus, CreateUserRequest, ErrorBody, HabilitationGrant, LookupRequest, LookupResponse,
    ReviewDecision, ReviewRequest, TracePageQuery, Violation,
};
use guichet_core::{ErrorCode, LookupOutcome};
use guichet_desktop::app::{self, AppCore};
use guichet_desktop::config::Profile;
use guichet_desktop::ipc::{DemoFile, HoursView, NirCheck, ProfileView, SessionView, SignInArgs};
use guichet_desktop::qf_grid::QfBracket;
use guichet_service::{Clock, DEMO_PASSWORD, ManualClock};
use guichet_store::Store;
use guichet_tests::*;
use serde::Serialize;
use zeroize::Zeroizing;

/// Files of the recording's bundled database: every outcome is represented.
const FILES: u64 = 1_500;
/// The date the "Recherche" tab asks about in the accessibility run.
const SEARCH_DATE: (i32, u32, u32) = (2025, 6, 15);
/// A new password the policy refuses (too short, no capital, no symbol, common word).
const WEAK_PASSWORD: &str = "guichet2026";

#[derive(Serialize)]
struct Recorded {
    /// The backend's clock during the recording (10:00 in Paris on a Monday).
    now: DateTime<Utc>,
    demo_password: &'static str,
    new_password: &'static str,
    weak_password: &'static str,
    /// The demo profile as the sign-in screen lists it.
    demo_profile: ProfileView,
    accounts: Vec<Account>,
    /// `check_nir` on every NIR the lookups type, and on a wrong key and a short input.
    nir_checks: Vec<NirCase>,
    /// `check_password` on the passwords the change form is tried with.
    password_checks: Vec<PasswordCase>,
    errors: Errors,
    hours_open: HoursView,
    /// `hours` at 02:00 in Paris, when every service is closed (R-18).
    hours_closed: HoursView,
    /// The "Administration" screen of `demo.admin` (R-25, R-27).
    admin: AdminRecording,
    /// The caisse screen of `demo.operateur` (R-26).
    caisse: CaisseRecording,
    /// Issue 23: one answer per management call's `op` (the manager's and `my_traces` as
    /// `demo.admin`, the operator's as `demo.operateur`), plus `create_user_quota` (a
    /// creation once the quota is used up) and `caisse_partners_withdrawn` (the partners
    /// once the delegation is withdrawn).
    manage: BTreeMap<String, Replay>,
    /// `demo_files` of the crèche's service (the bundled database's sample files).
    demo_files: Vec<DemoFile>,
}

#[derive(Serialize)]
struct AdminRecording {
    identifiant: String,
    ready: SessionView,
}

#[derive(Serialize)]
struct CaisseRecording {
    identifiant: String,
    ready: SessionView,
}

/// A management call's answer, as the mock replays it for its `op`.
#[derive(Serialize)]
#[serde(untagged)]
enum Replay {
    Reply { reply: ManageReply },
    Error { error: ErrorBody },
}

/// What stands for the random identifiant and password of the user created (see
/// [`AdminRecording::created`]).
const GENERATED_IDENTIFIANT: &str = "demo-ccas-78.000001";
const GENERATED_PASSWORD: &str = "Provisoire-Enregistre-1!";

#[derive(Serialize)]
struct Account {
    identifiant: String,
    /// Right after signing in with the temporary password (R-11).
    first: SessionView,
    /// After the forced change.
    ready: SessionView,
    /// The same account a year and a day after the change (R-12's reminder).
    aged: SessionView,
    lookups: Vec<LookupCase>,
}

#[derive(Serialize)]
struct LookupCase {
    service: String,
    outcome: LookupOutcome,
    /// As typed: grouped.
    nir: String,
    name: String,
    as_of: Option<NaiveDate>,
    response: LookupResponse,
}

#[derive(Serialize)]
struct NirCase {
    input: String,
    check: NirCheck,
}

#[derive(Serialize)]
struct PasswordCase {
    candidate: String,
    identifiant: String,
    violations: Vec<Violation>,
}

#[derive(Serialize)]
struct Errors {
    invalid_credentials: ErrorBody,
    account_locked: ErrorBody,
    /// Changing to [`WEAK_PASSWORD`].
    password_policy: ErrorBody,
    /// A lookup at 02:00 in Paris.
    service_closed: ErrorBody,
    nir_key_mismatch: ErrorBody,
    /// A profile saved without a name.
    profile_name: ErrorBody,
}

struct Recording {
    core: AppCore,
    surface: Recorder,
    clock: Arc<ManualClock>,
    profile: String,
    store: Store,
    _dir: tempfile::TempDir,
}

impl Recording {
    async fn new() -> Recording {
        let dir = tempfile::tempdir().unwrap();
        let clock = ten_in_paris();
        let (core, surface, store) = bundled_core(dir.path(), clock.clone(), FILES).await;
        Recording {
            core,
            surface,
            clock,
            profile: Profile::demo().name,
            store,
            _dir: dir,
        }
    }

    async fn sign_in(&self, identifiant: &str, password: &str) -> Result<SessionView, ErrorBody> {
        self.core
            .sign_in(
                SignInArgs {
                    profile: self.profile.clone(),
                    identifiant: identifiant.into(),
                    password: Zeroizing::new(password.into()),
                    remember_identifiant: false,
                    remember_password: false,
                },
                &self.surface,
            )
            .await
    }

    async fn change(&self, current: &str, new: &str) -> Result<SessionView, ErrorBody> {
        self.core
            .change_password(
                Zeroizing::new(current.into()),
                Zeroizing::new(new.into()),
                &self.surface,
            )
            .await
    }

    async fn lookup(
        &self,
        service: &str,
        nir: &str,
        name: &str,
        as_of: Option<NaiveDate>,
    ) -> Result<LookupResponse, ErrorBody> {
        let request = LookupRequest {
            service: service.into(),
            nir: Zeroizing::new(nir.into()),
            name: Zeroizing::new(name.into()),
            as_of,
            numero_instructeur: None,
        };
        self.core.lookup(request, &self.surface).await
    }

    fn today(&self) -> NaiveDate {
        self.clock
            .now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .date_naive()
    }

    /// One file per outcome for `service`: in the caisse and départements of the session
    /// (found, opposition, not eligible), of `elsewhere` (out of scope), and a NIR no file
    /// has (not found).
    async fn lookups(&self, session: &SessionView, elsewhere: &str) -> Vec<LookupCase> {
        let mut cases = Vec::new();
        for (i, service) in session.services.iter().enumerate() {
            let mut wanted = vec![(LookupOutcome::Found, service.caisse.as_str())];
            if i == 0 {
                wanted.extend([
                    (LookupOutcome::Opposition, service.caisse.as_str()),
                    (LookupOutcome::NotEligible, service.caisse.as_str()),
                    (LookupOutcome::OutOfScope, elsewhere),
                ]);
            }
            for (outcome, caisse) in wanted {
                let departement = (caisse == service.caisse)
                    .then(|| service.departements.first().cloned())
                    .flatten();
                let shape = if outcome == LookupOutcome::OutOfScope {
                    LookupOutcome::Found
                } else {
                    outcome
                };
                let Some(dossier) = try_file(
                    &self.store,
                    caisse,
                    departement.as_deref(),
                    &service.code,
                    shape,
                    self.today(),
                )
                .await
                else {
                    continue;
                };
                let nir = dossier.nir.grouped();
                let name = dossier.contact.birth_name.clone();
                let mut dates = vec![None];
                if outcome == LookupOutcome::Found {
                    let (y, m, d) = SEARCH_DATE;
                    dates.push(NaiveDate::from_ymd_opt(y, m, d));
                }
                for as_of in dates {
                    let response = self
                        .lookup(&service.code, &nir, &name, as_of)
                        .await
                        .unwrap();
                    assert_eq!(response.outcome, outcome, "{} {nir}", service.code);
                    cases.push(LookupCase {
                        service: service.code.clone(),
                        outcome,
                        nir: nir.clone(),
                        name: name.clone(),
                        as_of,
                        response,
                    });
                }
            }
            if i == 0 {
                let unknown = Nir::with_computed_key("1990199999999").unwrap().grouped();
                let response = self
                    .lookup(&service.code, &unknown, "Martin", None)
                    .await
                    .unwrap();
                assert_eq!(response.outcome, LookupOutcome::NotFound);
                cases.push(LookupCase {
                    service: service.code.clone(),
                    outcome: LookupOutcome::NotFound,
                    nir: unknown,
                    name: "Martin".into(),
                    as_of: None,
                    response,
                });
            }
        }
        cases
    }
}

fn paris(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn record() -> Recorded {
    let r = Recording::new().await;
    let start = r.clock.now();
    // R-32: the demo profile carries a municipality's QF grid, which the sessions show.
    r.core
        .save_profile(Profile {
            qf_grid: vec![
                QfBracket {
                    label: "Tranche A".into(),
                    from: 0,
                    to: Some(700),
                    price_cents: Some(150),
                },
                QfBracket {
                    label: "Tranche B".into(),
                    from: 701,
                    to: None,
                    price_cents: Some(420),
                },
            ],
            ..Profile::demo()
        })
        .await
        .unwrap();
    let demo_profile = r
        .core
        .startup()
        .await
        .profiles
        .into_iter()
        .find(|p| p.bundled)
        .unwrap();

    // Each demo account: the temporary password, the forced change, every outcome.
    let mut accounts = Vec::new();
    let mut nir_checks = Vec::new();
    let mut password_policy = None;
    let identifiants: Vec<&str> = guichet_service::DEMO_ACCOUNTS
        .iter()
        .map(|(identifiant, _, _)| *identifiant)
        .collect();
    for identifiant in &identifiants {
        let first = r.sign_in(identifiant, DEMO_PASSWORD).await.unwrap();
        assert!(first.must_change_password, "R-11");
        if password_policy.is_none() {
            password_policy = Some(r.change(DEMO_PASSWORD, WEAK_PASSWORD).await.unwrap_err());
        }
        let ready = r.change(DEMO_PASSWORD, NEW_PASSWORD).await.unwrap();
        let elsewhere = if first.services[0].caisse == "MSA-ALSACE" {
            "MSA-BOURGOGNE"
        } else {
            "MSA-ALSACE"
        };
        let lookups = r.lookups(&ready, elsewhere).await;
        assert!(!lookups.is_empty(), "{identifiant}: no sample file");
        for case in &lookups {
            if !nir_checks.iter().any(|c: &NirCase| c.input == case.nir) {
                nir_checks.push(NirCase {
                    input: case.nir.clone(),
                    check: app::check_nir(&case.nir),
                });
            }
        }
        r.core.sign_out(&r.surface).await;
        accounts.push(Account {
            identifiant: identifiant.to_string(),
            first,
            ready: ready.clone(),
            aged: ready,
            lookups,
        });
    }

    let mut manage = BTreeMap::new();
    let admin = r.admin(&mut manage).await;

    // A wrong key, and a NIR still being typed.
    let found = &accounts[0].lookups[0].nir;
    let mut wrong_key = found.clone();
    let key = if found.ends_with("00") { "01" } else { "00" };
    wrong_key.replace_range(found.len() - 2.., key);
    let nir_key_mismatch = r
        .lookup(&accounts[0].lookups[0].service, &wrong_key, "Martin", None)
        .await
        .unwrap_err();
    assert_eq!(nir_key_mismatch.code, ErrorCode::NirKeyMismatch);
    for input in [wrong_key, found[..8].to_string()] {
        nir_checks.push(NirCase {
            check: app::check_nir(&input),
            input,
        });
    }

    let rules = accounts[0].ready.password_rules;
    let password_checks = [WEAK_PASSWORD, "Tilleul-Vosges-1987", NEW_PASSWORD]
        .into_iter()
        .flat_map(|candidate| {
            identifiants.iter().map(move |identifiant| PasswordCase {
                candidate: candidate.into(),
                identifiant: identifiant.to_string(),
                violations: app::check_password(candidate, identifiant, rules),
            })
        })
        .collect();

    let profile_name = r
        .core
        .save_profile(Profile {
            name: "  ".into(),
            url: "https://guichet.example.fr".into(),
            caisse: "MSA-ALSACE".into(),
            environment: guichet_desktop::config::Environment::Production,
            qf_grid: Vec::new(),
        })
        .await
        .unwrap_err();

    // Opening hours, and a closed service at night (R-18).
    let service = accounts[0].ready.services[0].code.clone();
    r.sign_in(identifiants[0], NEW_PASSWORD).await.unwrap();
    let hours_open = r.core.hours(&service).await.unwrap();
    let demo_files = r.core.demo_files(&service).await.unwrap();
    assert!(
        demo_files.iter().any(|f| f.outcome == LookupOutcome::Found),
        "{demo_files:?}"
    );
    r.core.sign_out(&r.surface).await;
    let tomorrow = r.today() + Duration::days(1);
    r.clock
        .set(paris(tomorrow.year(), tomorrow.month(), tomorrow.day(), 2));
    r.sign_in(identifiants[0], NEW_PASSWORD).await.unwrap();
    let hours_closed = r.core.hours(&service).await.unwrap();
    let service_closed = r
        .lookup(
            &service,
            &accounts[0].lookups[0].nir,
            &accounts[0].lookups[0].name,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(service_closed.code, ErrorCode::ServiceClosed);
    assert!(!hours_closed.open && hours_open.open);
    r.core.sign_out(&r.surface).await;

    // A year and a day after the change: the reminder (R-12).
    r.clock.set(start + Duration::days(366));
    for account in &mut accounts {
        account.aged = r.sign_in(&account.identifiant, NEW_PASSWORD).await.unwrap();
        assert!(account.aged.password_age_warning, "R-12");
        r.core.sign_out(&r.surface).await;
    }

    // Wrong passwords until the account locks (R-13).
    let victim = identifiants[identifiants.len() - 1];
    let invalid_credentials = r
        .sign_in(victim, "Mauvais-mot-de-passe-1")
        .await
        .unwrap_err();
    let account_locked = loop {
        let e = r
            .sign_in(victim, "Mauvais-mot-de-passe-1")
            .await
            .unwrap_err();
        if e.code == ErrorCode::AccountLocked {
            break e;
        }
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
    };

    // Back to the day of the recording (the operator's temporary password is still valid).
    r.clock.set(start + Duration::hours(1));
    let caisse = r.caisse(&mut manage).await;

    Recorded {
        now: start,
        demo_password: DEMO_PASSWORD,
        new_password: NEW_PASSWORD,
        weak_password: WEAK_PASSWORD,
        demo_profile,
        accounts,
        nir_checks,
        password_checks,
        errors: Errors {
            invalid_credentials,
            account_locked,
            password_policy: password_policy.unwrap(),
            service_closed,
            nir_key_mismatch,
            profile_name,
        },
        hours_open,
        hours_closed,
        admin,
        caisse,
        manage,
        demo_files,
    }
}

/// The `op` of a call, as it travels.
fn op(call: &ManageCall) -> String {
    serde_json::to_value(call).unwrap()["op"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The random parts of a reply (a generated identifiant, a temporary password) as fixed
/// stand-ins, or left out, so that the file is the same on every run.
fn fixed(reply: ManageReply) -> ManageReply {
    match reply {
        ManageReply::Created(mut c) => {
            c.identifiant = GENERATED_IDENTIFIANT.into();
            c.temporary_password = Zeroizing::new(GENERATED_PASSWORD.into());
            ManageReply::Created(c)
        }
        ManageReply::Password(mut p) => {
            p.temporary_password = Zeroizing::new(GENERATED_PASSWORD.into());
            ManageReply::Password(p)
        }
        // Users created under random identifiants (the quota filled up) are left out.
        ManageReply::Users(mut users) => {
            users.retain(|u| !generated(&u.identifiant));
            ManageReply::Users(users)
        }
        other => other,
    }
}

/// An identifiant the service drew at random (`<tiers>.<6 digits>`).
fn generated(identifiant: &str) -> bool {
    identifiant
        .rsplit_once('.')
        .is_some_and(|(_, n)| n.len() == 6 && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Recording {
    /// Runs `call` and records its answer under `key` (its `op` when `None`); returns it.
    async fn manage(
        &self,
        into: &mut BTreeMap<String, Replay>,
        key: Option<&str>,
        call: ManageCall,
    ) -> Result<ManageReply, ErrorBody> {
        let key = key.map_or_else(|| op(&call), str::to_owned);
        let answer = self.core.manage(call, &self.surface).await;
        let replay = match &answer {
            Ok(reply) => Replay::Reply {
                reply: fixed(reply.clone()),
            },
            Err(error) => Replay::Error {
                error: error.clone(),
            },
        };
        into.insert(key, replay);
        answer
    }

    /// `demo.admin`'s screens: every manager call, once, on `demo.caf` where it needs a
    /// user; a creation, and the refusal once the quota is full.
    async fn admin(&self, into: &mut BTreeMap<String, Replay>) -> AdminRecording {
        use ManageCall as C;
        let identifiant = guichet_service::DEMO_ACCOUNTS[4].0;
        let ready = self.sign_in(identifiant, NEW_PASSWORD).await.unwrap();
        assert_eq!(ready.partner_role.as_deref(), Some("administrator"));
        let caf = || "demo.caf".to_owned();
        let service = "cdap-t2".to_owned();
        let grant = || HabilitationGrant {
            service: service.clone(),
            departements: Some(vec!["78".into()]),
            ends_on: Some(self.today() + Duration::days(30)),
        };
        let group = || "Accueil".to_owned();
        let page = TracePageQuery {
            limit: Some(20),
            ..Default::default()
        };
        let calls = [
            C::Delegations {},
            C::Users {},
            C::CreateGroup { name: group() },
            C::SetMember {
                name: group(),
                identifiant: caf(),
                member: true,
            },
            C::Groups {},
            C::RevokeGroup {
                name: group(),
                service: service.clone(),
            },
            C::GrantGroup {
                name: group(),
                grant: HabilitationGrant {
                    service: service.clone(),
                    departements: None,
                    ends_on: None,
                },
            },
            C::PartnerTraces { page: page.clone() },
            C::MyTraces { page },
            C::Reviews {},
            C::Review {
                request: ReviewRequest {
                    identifiant: caf(),
                    service: service.clone(),
                    decision: ReviewDecision::Confirm,
                },
            },
            C::ReviewCsv {},
            C::ReviewPage {},
            C::DeleteGroup { name: group() },
        ];
        for call in calls {
            let what = op(&call);
            let answer = self.manage(into, None, call).await;
            assert!(answer.is_ok(), "{what}: {:?}", answer.err());
        }
        let request = |name: &str| C::CreateUser {
            request: CreateUserRequest {
                name: name.into(),
                email: "agent.accueil@ccas.example".into(),
                habilitations: vec![HabilitationGrant {
                    service: service.clone(),
                    departements: None,
                    ends_on: None,
                }],
            },
        };
        // The user created is the one acted on: the demo accounts keep their password and
        // rights for what is recorded after.
        let created = self
            .manage(into, None, request("Agent d'accueil"))
            .await
            .unwrap();
        let ManageReply::Created(created) = created else {
            panic!("{created:?}")
        };
        let new = || created.identifiant.clone();
        let on_new = [
            C::Grant {
                identifiant: new(),
                grant: grant(),
            },
            C::SetManager {
                identifiant: new(),
                manager: true,
            },
            C::ResetPassword { identifiant: new() },
            C::Revoke {
                identifiant: new(),
                service: service.clone(),
            },
            C::SetStatus {
                identifiant: new(),
                status: AccountStatus::Suspended,
            },
        ];
        for call in on_new {
            let what = op(&call);
            let answer = self.manage(into, None, call).await;
            assert!(answer.is_ok(), "{what}: {:?}", answer.err());
        }
        loop {
            let answer = self
                .manage(into, Some("create_user_quota"), request("Agent"))
                .await;
            if let Err(e) = answer {
                assert_eq!(e.code, ErrorCode::QuotaReached);
                break;
            }
        }
        self.core.sign_out(&self.surface).await;
        AdminRecording {
            identifiant: identifiant.into(),
            ready,
        }
    }

    /// `demo.operateur`'s screens: every operator call, once, on its delegated partner
    /// (withdrawn, so that the caisse registers a user there). Recorded last: it forces
    /// every user of that partner to change their password.
    async fn caisse(&self, into: &mut BTreeMap<String, Replay>) -> CaisseRecording {
        use ManageCall as C;
        let identifiant = guichet_service::DEMO_OPERATOR.0;
        self.sign_in(identifiant, DEMO_PASSWORD).await.unwrap();
        let ready = self.change(DEMO_PASSWORD, NEW_PASSWORD).await.unwrap();
        assert_eq!(ready.operator_of.as_deref(), Some("CAF-78"));
        let tiers = || "DEMO-CCAS-78".to_owned();
        let caf = || "demo.caf".to_owned();
        let service = || "cdap-t2".to_owned();
        let page = TracePageQuery {
            limit: Some(20),
            ..Default::default()
        };
        let month = self.today().format("%Y-%m").to_string();
        let calls = [
            (None, C::CaissePartners {}),
            (None, C::CaisseConventions { tiers: tiers() }),
            (None, C::CaisseUsers { tiers: tiers() }),
            (None, C::CaisseGroups { tiers: tiers() }),
            (None, C::CaisseTraces { page }),
            (None, C::CaisseStats { month }),
            (
                None,
                C::CaisseFlags {
                    since: self.today() - Duration::days(30),
                },
            ),
            (
                None,
                C::CaisseDelegation {
                    tiers: tiers(),
                    withdrawn: true,
                },
            ),
            (Some("caisse_partners_withdrawn"), C::CaissePartners {}),
            (
                None,
                C::CaisseRegisterUser {
                    tiers: tiers(),
                    request: CreateUserRequest {
                        name: "Agent d'accueil".into(),
                        email: "accueil@ccas.example".into(),
                        habilitations: vec![HabilitationGrant {
                            service: service(),
                            departements: None,
                            ends_on: None,
                        }],
                    },
                },
            ),
            (None, C::CaisseResetPassword { identifiant: caf() }),
            (
                None,
                C::CaisseSetStatus {
                    identifiant: caf(),
                    status: AccountStatus::Suspended,
                },
            ),
            (
                None,
                C::CaisseGrant {
                    identifiant: caf(),
                    grant: HabilitationGrant {
                        service: service(),
                        departements: Some(vec!["78".into()]),
                        ends_on: None,
                    },
                },
            ),
            (
                None,
                C::CaisseSuspend {
                    identifiant: caf(),
                    service: service(),
                    suspended: true,
                },
            ),
            (None, C::CaisseForceUserChange { identifiant: caf() }),
            (None, C::CaisseForcePartnerChange { tiers: tiers() }),
            (None, C::CaisseSuspendLate { tiers: tiers() }),
            (
                None,
                C::CaisseRevoke {
                    identifiant: caf(),
                    service: service(),
                },
            ),
            (
                Some("caisse_delegation"),
                C::CaisseDelegation {
                    tiers: tiers(),
                    withdrawn: false,
                },
            ),
        ];
        for (key, call) in calls {
            let what = op(&call);
            let answer = self.manage(into, key, call).await;
            assert!(answer.is_ok(), "{what}: {:?}", answer.err());
        }
        self.core.sign_out(&self.surface).await;
        CaisseRecording {
            identifiant: identifiant.into(),
            ready,
        }
    }
}

/// The TypeScript module: the type of [`Recorded`] in terms of the generated IPC types,
/// then the recording itself, which `tsc` checks against it.
fn typescript(recorded: &Recorded) -> String {
    let json = serde_json::to_string_pretty(recorded).unwrap();
    format!(
        r#"// Recorded from the Rust code by tests/ui_fixtures.rs: do not edit.
// `make bindings` rewrites it; a test fails when it is stale.
import type {{
  DemoFile,
  ErrorBody,
  HoursView,
  ManageReply,
  LookupOutcome,
  LookupResponse,
  NirCheck,
  ProfileView,
  SessionView,
  Violation,
}} from "./lib/ipc";

export type LookupCase = {{
  service: string;
  outcome: LookupOutcome;
  nir: string;
  name: string;
  as_of: string | null;
  response: LookupResponse;
}};

export type Account = {{
  identifiant: string;
  first: SessionView;
  ready: SessionView;
  aged: SessionView;
  lookups: LookupCase[];
}};

export type Recorded = {{
  now: string;
  demo_password: string;
  new_password: string;
  weak_password: string;
  demo_profile: ProfileView;
  accounts: Account[];
  nir_checks: {{ input: string; check: NirCheck }}[];
  password_checks: {{ candidate: string; identifiant: string; violations: Violation[] }}[];
  errors: {{
    invalid_credentials: ErrorBody;
    account_locked: ErrorBody;
    password_policy: ErrorBody;
    service_closed: ErrorBody;
    nir_key_mismatch: ErrorBody;
    profile_name: ErrorBody;
  }};
  hours_open: HoursView;
  hours_closed: HoursView;
  admin: {{
    identifiant: string;
    ready: SessionView;
  }};
  caisse: {{
    identifiant: string;
    ready: SessionView;
  }};
  manage: Record<string, {{ reply: ManageReply }} | {{ error: ErrorBody }}>;
  demo_files: DemoFile[];
}};

export const recorded: Recorded = {json};
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_mock_replays_what_the_code_answers() {
    let recorded = record().await;
    // Every outcome and every section kind is there for the screens to show.
    let outcomes: Vec<LookupOutcome> = recorded
        .accounts
        .iter()
        .flat_map(|a| a.lookups.iter().map(|l| l.outcome))
        .collect();
    for outcome in [
        LookupOutcome::Found,
        LookupOutcome::NotFound,
        LookupOutcome::Opposition,
        LookupOutcome::NotEligible,
        LookupOutcome::OutOfScope,
    ] {
        assert!(outcomes.contains(&outcome), "no {outcome:?} recorded");
    }
    let expected = typescript(&recorded);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/recorded.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "ui/src/recorded.ts is not what the code answers today: run `make bindings`"
    );
}
