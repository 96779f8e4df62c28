//! The backend contract suite (DESIGN.md principle 1): the same scenarios, through the
//! desktop app's own core ([`AppCore`], what the Tauri commands call), against the bundled
//! backend (guichet-service in-process on SQLite) and against a remote guichet-server over
//! loopback TLS, trusted through the machine policy's `extra_ca_pem`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// On Windows (run under Wine by `make test`, scripts/windows-test.sh) the suite runs on the
// bundled backend, plus the Windows session window; the remote harness, the policy files
// (Unix owners and modes) and the D-Bus fakes are left out, and what only they use unused.
#![cfg_attr(windows, allow(unused_imports, dead_code))]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use guichet_core::manage::{ManageCall, ManageReply};
use guichet_core::nir::Nir;
use guichet_core::service_def::Section;
use guichet_core::wire::{
    AccountStatus, CreateUserRequest, ErrorBody, HabilitationGrant, LookupRequest, LookupResponse,
    ManagedUserInfo, ReviewDecision, ReviewRequest, TracePageQuery,
};
use guichet_core::{ErrorCode, LookupOutcome};
use guichet_desktop::app::{AppCore, Settings, Surface};
use guichet_desktop::config::Profile;
use guichet_desktop::error::DesktopError;
use guichet_desktop::ipc::{SessionView, SignInArgs, WipeReason};
use guichet_desktop::keychain::Keychain;
use guichet_desktop::oslock;
use guichet_desktop::watchdog::Tick;
use guichet_service::{Clock, DEMO_PASSWORD, ManualClock};
use guichet_store::{Store, prelude::*};
use guichet_tests::*;
use zeroize::Zeroizing;

const BUNDLED_FILES: u64 = 1_500;
const NO_KEYCHAIN: DesktopError = DesktopError::KeychainUnavailable;

struct Harness {
    core: Arc<AppCore>,
    surface: Recorder,
    clock: Arc<ManualClock>,
    profile: String,
    store: Store,
    _dir: tempfile::TempDir,
    _server: Option<TlsServer>,
}

/// `dir/policy.toml` plays the machine policy, owned by whoever runs the tests.
fn settings(dir: &Path) -> Settings {
    desktop_settings(dir, BUNDLED_FILES)
}

async fn bundled(clock: Arc<ManualClock>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (core, surface, store) = bundled_core(dir.path(), clock.clone(), BUNDLED_FILES).await;
    Harness {
        store,
        core: Arc::new(core),
        surface,
        clock,
        profile: Profile::demo().name,
        _dir: dir,
        _server: None,
    }
}

#[cfg(not(windows))]
async fn remote(clock: Arc<ManualClock>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let server = tls_server(clock.clone(), BUNDLED_FILES, dir.path()).await;
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &server.ca_pem).unwrap();
    std::fs::write(
        dir.path().join("policy.toml"),
        format!(
            "extra_ca_pem = {ca:?}\n\n[[profiles]]\nname = \"Recette locale\"\nurl = \"{}\"\ncaisse = \"MSA-ALSACE\"\nenvironment = \"recette\"\n",
            server.url
        ),
    )
    .unwrap();
    let core = Arc::new(AppCore::new(
        settings(dir.path()),
        clock.clone(),
        Keychain::unusable(NO_KEYCHAIN),
    ));
    Harness {
        store: server.store.clone(),
        core,
        surface: Recorder::default(),
        clock,
        profile: "Recette locale".into(),
        _dir: dir,
        _server: Some(server),
    }
}

impl Harness {
    fn today(&self) -> NaiveDate {
        self.clock
            .now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .date_naive()
    }

    async fn sign_in(&self, identifiant: &str, password: &str) -> Result<SessionView, ErrorCode> {
        self.core
            .sign_in(
                SignInArgs {
                    profile: self.profile.clone(),
                    identifiant: identifiant.into(),
                    password: Zeroizing::new(password.into()),
                    remember_identifiant: true,
                    remember_password: false,
                },
                &self.surface,
            )
            .await
            .map_err(|e| e.code)
    }

    /// Signs a demo account in and makes the forced change.
    async fn ready(&self, identifiant: &str) -> SessionView {
        let view = self.sign_in(identifiant, DEMO_PASSWORD).await.unwrap();
        assert!(
            view.must_change_password,
            "R-11: a demo password is temporary"
        );
        let view = self
            .core
            .change_password(
                Zeroizing::new(DEMO_PASSWORD.into()),
                Zeroizing::new(NEW_PASSWORD.into()),
                &self.surface,
            )
            .await
            .unwrap();
        assert!(!view.must_change_password);
        view
    }

    async fn lookup(
        &self,
        service: &str,
        nir: &str,
        name: &str,
    ) -> Result<LookupResponse, guichet_core::wire::ErrorBody> {
        self.core
            .lookup(
                LookupRequest {
                    service: service.into(),
                    nir: Zeroizing::new(nir.into()),
                    name: Zeroizing::new(name.into()),
                    as_of: None,
                    numero_instructeur: None,
                },
                &self.surface,
            )
            .await
    }

    /// One management call through the desktop's core (the `manage` command).
    async fn manage(&self, call: ManageCall) -> Result<ManageReply, ErrorBody> {
        self.core.manage(call, &self.surface).await
    }

    /// [`Self::manage`], which must succeed.
    async fn ok(&self, call: ManageCall) -> ManageReply {
        let what = format!("{call:?}");
        self.manage(call)
            .await
            .unwrap_or_else(|e| panic!("{what}: {:?} {}", e.code, e.message))
    }

    /// [`Self::manage`], which must fail: its code.
    async fn refused(&self, call: ManageCall) -> ErrorBody {
        let what = format!("{call:?}");
        match self.manage(call).await {
            Ok(r) => panic!("{what}: accepted ({r:?})"),
            Err(e) => e,
        }
    }

    async fn file(
        &self,
        caisse: &str,
        service: &str,
        outcome: LookupOutcome,
    ) -> guichet_core::dossier::Dossier {
        file(&self.store, caisse, None, service, outcome, self.today()).await
    }
}

/// The value of a reply of the expected kind.
macro_rules! reply {
    ($reply:expr, $kind:ident) => {
        match $reply {
            ManageReply::$kind(v) => v,
            other => panic!("expected {}, got {other:?}", stringify!($kind)),
        }
    };
}

/// Runs each scenario on both backends, each in a runtime of its own.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod bundled_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::bundled(super::ten_in_paris()).await).await;
                }
            )*
        }
        #[cfg(not(windows))]
        mod remote_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::remote(super::ten_in_paris()).await).await;
                }
            )*
        }
    };
}

on_both_backends!(
    r11_r12_forced_change_before_anything_else,
    r02_r03_r04_r05_r06_r07_lookup_outcomes,
    r08_not_eligible,
    r13_wrong_credentials_look_alike,
    r16_idle_deadline_wipes_the_session,
    r17_server_side_expiry_wipes_the_client,
    r18_closed_hours_said_before_and_at_lookup,
    r09_r29_sign_out_wipes_and_clears_our_clipboard,
    r25_r27_manager_flow,
    r26_operator_flow,
    issue23_every_manager_call,
    issue23_staying_keeps_the_server_session,
    issue23_sample_files_on_the_bundled_backend_only,
    issue23_every_operator_call,
    issue23_msa_operator_registers_and_user_reads_own_traces,
);

async fn r11_r12_forced_change_before_anything_else(h: Harness) {
    let view = h.sign_in("demo.creche", DEMO_PASSWORD).await.unwrap();
    assert!(view.must_change_password);
    assert_eq!(view.user.identifiant, "demo.creche");
    assert_eq!(view.services[0].code, "psu");
    let found = h.file("MSA-ALSACE", "psu", LookupOutcome::Found).await;
    let refused = h
        .lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::PasswordChangeRequired);

    let weak = h
        .core
        .change_password(
            Zeroizing::new(DEMO_PASSWORD.into()),
            Zeroizing::new("court".into()),
            &h.surface,
        )
        .await
        .unwrap_err();
    assert_eq!(weak.code, ErrorCode::PasswordPolicy);
    assert!(!weak.violations.unwrap_or_default().is_empty());
    let wrong_current = h
        .core
        .change_password(
            Zeroizing::new("pas le bon".into()),
            Zeroizing::new(NEW_PASSWORD.into()),
            &h.surface,
        )
        .await
        .unwrap_err();
    assert_eq!(wrong_current.code, ErrorCode::InvalidCredentials);

    let view = h
        .core
        .change_password(
            Zeroizing::new(DEMO_PASSWORD.into()),
            Zeroizing::new(NEW_PASSWORD.into()),
            &h.surface,
        )
        .await
        .unwrap();
    assert!(!view.must_change_password);
    let answer = h
        .lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap();
    assert_eq!(answer.outcome, LookupOutcome::Found);
    // The new password is the one that works now.
    h.core.sign_out(&h.surface).await;
    assert_eq!(
        h.sign_in("demo.creche", DEMO_PASSWORD).await.unwrap_err(),
        ErrorCode::InvalidCredentials
    );
    assert!(h.sign_in("demo.creche", NEW_PASSWORD).await.is_ok());
}

async fn r02_r03_r04_r05_r06_r07_lookup_outcomes(h: Harness) {
    h.ready("demo.creche").await;

    // Found, typed with spaces and another case of the name; only the PSU
    // sections come back.
    let found = h.file("MSA-ALSACE", "psu", LookupOutcome::Found).await;
    let name = found.contact.birth_name.to_lowercase();
    let answer = h.lookup("psu", &found.nir.grouped(), &name).await.unwrap();
    assert_eq!(answer.outcome, LookupOutcome::Found);
    let dossier = answer.dossier.unwrap();
    assert_eq!(
        dossier.sections,
        vec![
            Section::Coordonnees,
            Section::SituationFamiliale,
            Section::Ressources,
            Section::Recherche
        ]
    );
    assert_eq!(
        dossier.coordonnees.as_ref().unwrap().birth_name,
        found.contact.birth_name
    );
    assert!(dossier.rsa.is_none() && dossier.droits.is_none() && dossier.adresse.is_none());
    assert!(dossier.quotient_familial.is_none());

    // an unknown NIR and a known NIR with another name answer the same.
    let unknown = Nir::with_computed_key("1990199999999").unwrap();
    let a = h
        .lookup("psu", unknown.expose(), &found.contact.birth_name)
        .await
        .unwrap();
    let b = h.lookup("psu", found.nir.expose(), "Zzyzx").await.unwrap();
    assert_eq!(a.outcome, LookupOutcome::NotFound);
    assert_eq!(a, b);
    // A partial name does not match.
    let prefix: String = found.contact.birth_name.chars().take(2).collect();
    let c = h.lookup("psu", found.nir.expose(), &prefix).await.unwrap();
    assert_eq!(c, a);

    // opposition, no data.
    let opposed = h.file("MSA-ALSACE", "psu", LookupOutcome::Opposition).await;
    let answer = h
        .lookup("psu", opposed.nir.expose(), &opposed.contact.birth_name)
        .await
        .unwrap();
    assert_eq!(answer.outcome, LookupOutcome::Opposition);
    assert!(answer.dossier.is_none());

    // a file of another caisse matches NIR and name but is out of scope.
    let elsewhere = h.file("MSA-PICARDIE", "psu", LookupOutcome::Found).await;
    let answer = h
        .lookup("psu", elsewhere.nir.expose(), &elsewhere.contact.birth_name)
        .await
        .unwrap();
    assert_eq!(answer.outcome, LookupOutcome::OutOfScope);
    assert!(answer.dossier.is_none());

    // refused before any round trip, each saying which part is wrong.
    let malformed = h.lookup("psu", "1 85 05", "Martin").await.unwrap_err();
    assert_eq!(malformed.code, ErrorCode::NirMalformed);
    let raw = found.nir.expose();
    let key: u8 = raw[13..].parse().unwrap();
    let wrong_key = format!("{}{:02}", &raw[..13], (key % 97) + 1);
    let mismatch = h.lookup("psu", &wrong_key, "Martin").await.unwrap_err();
    assert_eq!(mismatch.code, ErrorCode::NirKeyMismatch);
    for bad_name in ["😀🎉", "   ", &"A".repeat(10_000)] {
        let e = h.lookup("psu", raw, bad_name).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NameMalformed, "{bad_name:.20}");
    }
    let e = h
        .lookup("rsacg", raw, &found.contact.birth_name)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ServiceNotGranted);
    // Bad input lost nothing: the session still answers.
    assert_eq!(
        h.lookup("psu", raw, &found.contact.birth_name)
            .await
            .unwrap()
            .outcome,
        LookupOutcome::Found
    );
}

async fn r08_not_eligible(h: Harness) {
    h.ready("demo.departement").await;
    let today = h.today();
    let no_rsa = file(
        &h.store,
        "MSA-ALSACE",
        Some("67"),
        "rsacg",
        LookupOutcome::NotEligible,
        today,
    )
    .await;
    let answer = h
        .lookup("rsacg", no_rsa.nir.expose(), &no_rsa.contact.birth_name)
        .await
        .unwrap();
    assert_eq!(answer.outcome, LookupOutcome::NotEligible);
    assert!(answer.dossier.is_none());
    let rsa = file(
        &h.store,
        "MSA-ALSACE",
        Some("67"),
        "rsacg",
        LookupOutcome::Found,
        today,
    )
    .await;
    let answer = h
        .lookup("rsacg", rsa.nir.expose(), &rsa.contact.birth_name)
        .await
        .unwrap();
    let dossier = answer.dossier.unwrap();
    assert!(dossier.rsa.is_some());
    assert!(dossier.coordonnees.is_none() && dossier.quotient_familial.is_none());
}

async fn r13_wrong_credentials_look_alike(h: Harness) {
    let wrong = h.sign_in("demo.creche", "Pas-Le-Bon-1!").await.unwrap_err();
    let unknown = h
        .sign_in("personne.inconnue", "Pas-Le-Bon-1!")
        .await
        .unwrap_err();
    assert_eq!(wrong, ErrorCode::InvalidCredentials);
    assert_eq!(unknown, wrong);
    let huge = h.sign_in(&"x".repeat(10_000), "y").await.unwrap_err();
    assert_eq!(huge, ErrorCode::InvalidCredentials);
    assert!(!h.core.signed_in().await);
}

async fn r16_idle_deadline_wipes_the_session(h: Harness) {
    let view = h.ready("demo.creche").await;
    assert_eq!(view.idle_timeout_s, 900, "R-16: 15 minutes by default");
    let found = h.file("MSA-ALSACE", "psu", LookupOutcome::Found).await;
    h.lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap();

    h.clock.advance(chrono::Duration::seconds(839));
    assert!(matches!(h.core.tick(), Tick::Active { .. }));
    h.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(h.core.tick(), Tick::Warning { remaining_s: 60 });
    // Any input cancels the countdown.
    h.core.activity();
    assert_eq!(h.core.tick(), Tick::Active { remaining_s: 900 });
    // A lookup keeps the server's side alive too.
    h.lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap();
    h.clock.advance(chrono::Duration::seconds(900));
    assert_eq!(h.core.tick(), Tick::Expired);

    // What the watchdog loop does at the deadline.
    h.core.wipe(WipeReason::Idle, &h.surface).await;
    assert_eq!(h.surface.reloads(), 1, "the webview is reloaded");
    assert!(!h.core.signed_in().await);
    assert_eq!(h.core.tick(), Tick::Disarmed);
    let startup = h.core.startup().await;
    assert_eq!(startup.last_wipe, Some(WipeReason::Idle));
    assert!(startup.session.is_none());
    assert_eq!(h.core.startup().await.last_wipe, None, "said once");
    let e = h
        .lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
}

async fn r17_server_side_expiry_wipes_the_client(h: Harness) {
    h.ready("demo.creche").await;
    let found = h.file("MSA-ALSACE", "psu", LookupOutcome::Found).await;
    // The client's watchdog is not ticked: the server decides on its own.
    h.clock.advance(chrono::Duration::seconds(16 * 60));
    let e = h
        .lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
    assert_eq!(h.surface.reloads(), 1);
    assert!(!h.core.signed_in().await);
    assert_eq!(
        h.core.startup().await.last_wipe,
        Some(WipeReason::SessionExpired)
    );
}

/// Issue 23 (3), R-16, R-17: "Rester connecté" keeps the server's session alive too, and
/// so does input while the user reads a file (every third of the idle delay): a user who
/// keeps working for longer than the delay without a lookup is not signed out by the server.
async fn issue23_staying_keeps_the_server_session(h: Harness) {
    let view = h.ready("demo.creche").await;
    let idle = i64::from(view.idle_timeout_s);
    let found = h.file("MSA-ALSACE", "psu", LookupOutcome::Found).await;
    // 14 minutes of a 15-minute delay, then "Rester connecté"; 14 more, then a lookup.
    h.clock.advance(chrono::Duration::seconds(idle - 60));
    h.core.keep_alive(&h.surface).await.unwrap();
    h.clock.advance(chrono::Duration::seconds(idle - 60));
    assert!(h.core.contact_due(), "a third of the delay passed since");
    assert!(!h.core.contact_due(), "one caller makes the call");
    h.core.keep_alive(&h.surface).await.unwrap();
    h.clock.advance(chrono::Duration::seconds(idle - 60));
    h.lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap();
    assert_eq!(h.surface.reloads(), 0);
    // Without it, the server ends the session on its own.
    h.clock.advance(chrono::Duration::seconds(idle + 1));
    let e = h
        .lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
}

/// Issue 23 (4): the bundled (synthetic) database offers sample files of the user's
/// service, each answering as listed; a real server's files are never listed.
async fn issue23_sample_files_on_the_bundled_backend_only(h: Harness) {
    h.ready("demo.creche").await;
    let files = h.core.demo_files("psu").await;
    let refused = h.core.demo_files("rsacg").await.unwrap_err();
    if h._server.is_some() {
        assert_eq!(files.unwrap_err().code, ErrorCode::NotFound);
        return;
    }
    assert_eq!(refused.code, ErrorCode::ServiceNotGranted);
    let files = files.unwrap();
    assert!(files.len() >= 3, "{files:?}");
    for f in &files {
        let answer = h.lookup("psu", &f.nir, &f.name).await.unwrap();
        assert_eq!(answer.outcome, f.outcome, "{}", f.name);
    }
}

async fn r18_closed_hours_said_before_and_at_lookup(h: Harness) {
    // 22:55 in Paris: open for five more minutes.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 23, 21, 55, 0).unwrap());
    h.ready("demo.creche").await;
    let found = h.file("MSA-ALSACE", "psu", LookupOutcome::Found).await;
    assert!(h.core.hours("psu").await.unwrap().open);
    h.lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap();
    h.clock.advance(chrono::Duration::seconds(6 * 60));
    h.core.activity();
    let hours = h.core.hours("psu").await.unwrap();
    assert!(!hours.open);
    assert_eq!(hours.reopens_hhmm.as_deref(), Some("05:00"));
    let e = h
        .lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ServiceClosed);
    assert_eq!(e.reopens_at, hours.reopens_at);
    assert!(h.core.signed_in().await, "closed is not expired");
    assert_eq!(
        h.core.hours("rsacg").await.unwrap_err().code,
        ErrorCode::ServiceNotGranted
    );
}

async fn r09_r29_sign_out_wipes_and_clears_our_clipboard(h: Harness) {
    h.ready("demo.creche").await;
    let found = h.file("MSA-ALSACE", "psu", LookupOutcome::Found).await;
    h.core.copy(found.nir.expose(), &h.surface).await.unwrap();
    assert_eq!(
        h.surface.clipboard_text().as_deref(),
        Some(found.nir.expose())
    );
    h.core.sign_out(&h.surface).await;
    assert_eq!(
        h.surface.clipboard_text(),
        None,
        "our NIR left the clipboard"
    );
    assert_eq!(h.surface.reloads(), 1);
    // The same request again, as Tauri's IPC sends it when the reload cut it short
    // (tauri#14154): nothing is left to forget, so no second reload takes the notice away.
    h.core.sign_out(&h.surface).await;
    assert_eq!(h.surface.reloads(), 1, "one reload for one sign-out");
    // A copy replayed the same way puts nothing back.
    let e = h
        .core
        .copy(found.nir.expose(), &h.surface)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);
    assert_eq!(h.surface.clipboard_text(), None);
    assert_eq!(h.core.startup().await.last_wipe, Some(WipeReason::SignOut));
    let e = h
        .lookup("psu", found.nir.expose(), &found.contact.birth_name)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired);

    // What the user copied from elsewhere afterwards is not ours to clear.
    h.sign_in("demo.creche", NEW_PASSWORD).await.unwrap();
    h.core.copy(found.nir.expose(), &h.surface).await.unwrap();
    h.surface.set_clipboard_text("texte d'un autre logiciel");
    h.core.sign_out(&h.surface).await;
    assert_eq!(
        h.surface.clipboard_text().as_deref(),
        Some("texte d'un autre logiciel")
    );
}

/// through the desktop's core on each backend: the demo administrator sees the
/// quota use, creates users until the quota is reached (the temporary password comes back
/// once), and confirms a review; a plain user is no manager.
async fn r25_r27_manager_flow(h: Harness) {
    let view = h.ready("demo.admin").await;
    assert_eq!(view.partner_role.as_deref(), Some("administrator"));
    let d = reply!(h.ok(ManageCall::Delegations {}).await, Delegations);
    assert_eq!(
        (d[0].service.as_str(), d[0].quota, d[0].used),
        ("cdap-t2", Some(20), 2)
    );
    let request = |i: usize| CreateUserRequest {
        name: format!("Agent {i}"),
        email: format!("agent{i}@ccas.example"),
        habilitations: vec![HabilitationGrant {
            service: "cdap-t2".into(),
            departements: None,
            ends_on: None,
        }],
    };
    let created = reply!(
        h.ok(ManageCall::CreateUser {
            request: request(0)
        })
        .await,
        Created
    );
    assert!(created.identifiant.starts_with("demo-ccas-78."));
    assert!(created.temporary_password.len() >= 12);
    for i in 1..18 {
        h.ok(ManageCall::CreateUser {
            request: request(i),
        })
        .await;
    }
    let full = h
        .refused(ManageCall::CreateUser {
            request: request(18),
        })
        .await;
    assert_eq!(full.code, ErrorCode::QuotaReached);
    assert!(full.message.contains("20"), "{}", full.message);
    let d = reply!(h.ok(ManageCall::Delegations {}).await, Delegations);
    assert_eq!((d[0].quota, d[0].used), (Some(20), 20), "20 / 20");
    let users = reply!(h.ok(ManageCall::Users {}).await, Users);
    assert_eq!(users.len(), 20);
    assert!(
        users
            .iter()
            .any(|u| u.identifiant == created.identifiant && u.must_change_password)
    );

    let reviews = reply!(h.ok(ManageCall::Reviews {}).await, Reviews);
    assert_eq!(
        reviews.len(),
        19,
        "20 in force, less the administrator's own (the caisse's to review, issue 22)"
    );
    assert!(reviews.iter().all(|r| r.identifiant != "demo.admin"));
    assert!(reviews.iter().all(|r| !r.late && r.reviewed_at.is_none()));
    h.ok(ManageCall::Review {
        request: ReviewRequest {
            identifiant: "demo.caf".into(),
            service: "cdap-t2".into(),
            decision: ReviewDecision::Confirm,
        },
    })
    .await;
    let reviews = reply!(h.ok(ManageCall::Reviews {}).await, Reviews);
    let caf = reviews
        .iter()
        .find(|r| r.identifiant == "demo.caf")
        .unwrap();
    assert_eq!(caf.reviewed_by.as_deref(), Some("demo.admin"));

    h.core.sign_out(&h.surface).await;
    h.ready("demo.caf").await;
    let refused = h.refused(ManageCall::Delegations {}).await;
    assert_eq!(refused.code, ErrorCode::NotAManager);
}

/// R-26 through the desktop's core on each backend: the demo operator withdraws the
/// delegation of its partner (its administrator then gets `delegation_withdrawn`) and gives
/// it back.
async fn r26_operator_flow(h: Harness) {
    let view = h.ready("demo.operateur").await;
    assert_eq!(view.operator_of.as_deref(), Some("CAF-78"));
    assert!(view.services.is_empty());
    let partners = reply!(h.ok(ManageCall::CaissePartners {}).await, Partners);
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].tiers, "DEMO-CCAS-78");
    assert!(partners[0].delegated && !partners[0].delegation_withdrawn);
    h.ok(withdraw("DEMO-CCAS-78", true)).await;
    let outside = h.refused(withdraw("DEMO-EAJE-67", true)).await;
    assert_eq!(outside.code, ErrorCode::OutsideConvention);
    assert!(reply!(h.ok(ManageCall::CaissePartners {}).await, Partners)[0].delegation_withdrawn);
    h.core.sign_out(&h.surface).await;

    h.ready("demo.admin").await;
    let refused = h.refused(ManageCall::Users {}).await;
    assert_eq!(refused.code, ErrorCode::DelegationWithdrawn);
    h.core.sign_out(&h.surface).await;

    h.sign_in("demo.operateur", NEW_PASSWORD).await.unwrap();
    h.ok(withdraw("DEMO-CCAS-78", false)).await;
    h.core.sign_out(&h.surface).await;
    h.sign_in("demo.admin", NEW_PASSWORD).await.unwrap();
    assert_eq!(reply!(h.ok(ManageCall::Users {}).await, Users).len(), 2);
}

fn withdraw(tiers: &str, withdrawn: bool) -> ManageCall {
    ManageCall::CaisseDelegation {
        tiers: tiers.into(),
        withdrawn,
    }
}

fn cdap(departements: Option<Vec<String>>, ends_on: Option<NaiveDate>) -> HabilitationGrant {
    HabilitationGrant {
        service: "cdap-t2".into(),
        departements,
        ends_on,
    }
}

fn user_of(users: &[ManagedUserInfo], identifiant: &str) -> ManagedUserInfo {
    users
        .iter()
        .find(|u| u.identifiant == identifiant)
        .unwrap_or_else(|| panic!("{identifiant} not listed"))
        .clone()
}

/// Issue 23 (1), R-25 to R-27: every call of a partner manager through the desktop's core,
/// on each backend: a user's state, password reset, narrowed and temporary grants, revoke,
/// delegated managers, groups granted all or nothing, the partner's traces filtered and
/// paged, the review's CSV and printable proof.
async fn issue23_every_manager_call(h: Harness) {
    h.ready("demo.caf").await;
    h.core.sign_out(&h.surface).await;
    h.ready("demo.admin").await;
    let users = async || reply!(h.ok(ManageCall::Users {}).await, Users);
    let caf = || "demo.caf".to_owned();

    for status in [AccountStatus::Suspended, AccountStatus::Active] {
        let done = h
            .ok(ManageCall::SetStatus {
                identifiant: caf(),
                status,
            })
            .await;
        assert!(matches!(done, ManageReply::Done));
        assert_eq!(user_of(&users().await, "demo.caf").status, status);
    }
    let own = h
        .refused(ManageCall::SetStatus {
            identifiant: "demo.admin".into(),
            status: AccountStatus::Suspended,
        })
        .await;
    assert_eq!(own.code, ErrorCode::OwnAccount);

    let password = reply!(
        h.ok(ManageCall::ResetPassword { identifiant: caf() }).await,
        Password
    );
    assert!(password.temporary_password.len() >= 12);
    assert!(user_of(&users().await, "demo.caf").must_change_password);

    // Narrowed to a département of the convention and temporary.
    let until = h.today() + chrono::Days::new(30);
    h.ok(ManageCall::Grant {
        identifiant: caf(),
        grant: cdap(Some(vec!["78".into()]), Some(until)),
    })
    .await;
    let held = user_of(&users().await, "demo.caf").habilitations;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].departements, ["78"]);
    assert!(held[0].ends_at.is_some());
    let outside = h
        .refused(ManageCall::Grant {
            identifiant: caf(),
            grant: cdap(Some(vec!["13".into()]), None),
        })
        .await;
    assert_eq!(outside.code, ErrorCode::OutsideConvention);
    h.ok(ManageCall::Revoke {
        identifiant: caf(),
        service: "cdap-t2".into(),
    })
    .await;
    assert!(user_of(&users().await, "demo.caf").habilitations.is_empty());
    let again = h
        .refused(ManageCall::Revoke {
            identifiant: caf(),
            service: "cdap-t2".into(),
        })
        .await;
    assert_eq!(again.code, ErrorCode::NotFound);

    // Groups: a member, granted and revoked all at once.
    let group = reply!(
        h.ok(ManageCall::CreateGroup {
            name: "Accueil".into()
        })
        .await,
        Group
    );
    assert_eq!(group.name, "Accueil");
    h.ok(ManageCall::SetMember {
        name: "Accueil".into(),
        identifiant: caf(),
        member: true,
    })
    .await;
    let groups = reply!(h.ok(ManageCall::Groups {}).await, Groups);
    assert_eq!(groups[0].members, ["demo.caf"]);
    let granted = reply!(
        h.ok(ManageCall::GrantGroup {
            name: "Accueil".into(),
            grant: cdap(None, None),
        })
        .await,
        Affected
    );
    assert_eq!(granted.count, 1);
    assert_eq!(user_of(&users().await, "demo.caf").habilitations.len(), 1);
    let revoked = reply!(
        h.ok(ManageCall::RevokeGroup {
            name: "Accueil".into(),
            service: "cdap-t2".into(),
        })
        .await,
        Affected
    );
    assert_eq!(revoked.count, 1);
    h.ok(ManageCall::SetMember {
        name: "Accueil".into(),
        identifiant: caf(),
        member: false,
    })
    .await;
    h.ok(ManageCall::DeleteGroup {
        name: "Accueil".into(),
    })
    .await;
    assert!(reply!(h.ok(ManageCall::Groups {}).await, Groups).is_empty());
    h.ok(ManageCall::Grant {
        identifiant: caf(),
        grant: cdap(None, None),
    })
    .await;

    // A delegated manager appointed, then dismissed.
    for manager in [true, false] {
        h.ok(ManageCall::SetManager {
            identifiant: caf(),
            manager,
        })
        .await;
        let role = user_of(&users().await, "demo.caf").role;
        assert_eq!(role.as_deref(), manager.then_some("manager"));
    }

    // The partner's traces, by user, a page at a time.
    let by_user = |limit, before| ManageCall::PartnerTraces {
        page: TracePageQuery {
            limit: Some(limit),
            before,
            user: Some("demo.caf".into()),
            ..Default::default()
        },
    };
    let all = reply!(h.ok(by_user(500, None)).await, Traces);
    assert!(all.entries.len() >= 2, "{:?}", all.entries);
    assert!(
        all.entries
            .iter()
            .all(|t| t.identifiant.as_deref() == Some("demo.caf"))
    );
    let first = reply!(h.ok(by_user(1, None)).await, Traces);
    let second = reply!(h.ok(by_user(1, first.next_before)).await, Traces);
    assert_eq!(first.entries[0], all.entries[0]);
    assert_eq!(second.entries[0], all.entries[1]);
    let none = reply!(
        h.ok(ManageCall::PartnerTraces {
            page: TracePageQuery {
                service: Some("psu".into()),
                ..Default::default()
            },
        })
        .await,
        Traces
    );
    assert!(none.entries.is_empty(), "no psu at this partner");

    // The yearly review's proofs.
    let csv = reply!(h.ok(ManageCall::ReviewCsv {}).await, Document);
    assert!(csv.contains("demo.caf"), "{csv}");
    let page = reply!(h.ok(ManageCall::ReviewPage {}).await, Document);
    assert!(
        page.contains("demo.caf") && page.contains("<table"),
        "{page}"
    );

    // Every user reads their own traces; a manager is no operator.
    let mine = reply!(
        h.ok(ManageCall::MyTraces {
            page: TracePageQuery::default()
        })
        .await,
        Traces
    );
    assert!(!mine.entries.is_empty());
    assert!(
        mine.entries
            .iter()
            .all(|t| t.identifiant.as_deref() == Some("demo.admin"))
    );
    let not_operator = h.refused(ManageCall::CaissePartners {}).await;
    assert_eq!(not_operator.code, ErrorCode::NotAnOperator);
}

/// Issue 23 (2), R-21 to R-27: every call of a caisse operator through the desktop's core,
/// on each backend, on the delegated partner of its caisse.
async fn issue23_every_operator_call(h: Harness) {
    h.ready("demo.operateur").await;
    let tiers = || "DEMO-CCAS-78".to_owned();
    let users = async || {
        reply!(
            h.ok(ManageCall::CaisseUsers { tiers: tiers() }).await,
            Users
        )
    };
    let conventions = reply!(
        h.ok(ManageCall::CaisseConventions { tiers: tiers() }).await,
        Conventions
    );
    assert_eq!(conventions.len(), 1);
    let c = &conventions[0];
    assert_eq!(
        (c.service.as_str(), c.caisse.as_str(), c.delegated, c.quota),
        ("cdap-t2", "CAF-78", true, Some(20))
    );
    assert!(
        reply!(
            h.ok(ManageCall::CaisseGroups { tiers: tiers() }).await,
            Groups
        )
        .is_empty()
    );
    let elsewhere = h
        .refused(ManageCall::CaisseUsers {
            tiers: "DEMO-EAJE-67".into(),
        })
        .await;
    assert_eq!(elsewhere.code, ErrorCode::OutsideConvention);

    // the caisse registers users where it manages the convention, not where the
    // partner's managers do.
    let register = || ManageCall::CaisseRegisterUser {
        tiers: tiers(),
        request: CreateUserRequest {
            name: "Agent d'accueil".into(),
            email: "accueil@ccas.example".into(),
            habilitations: vec![cdap(None, None)],
        },
    };
    let delegated = h.refused(register()).await;
    assert_eq!(delegated.code, ErrorCode::OutsideConvention);
    h.ok(withdraw(&tiers(), true)).await;
    let created = reply!(h.ok(register()).await, Created);
    assert!(created.identifiant.starts_with("demo-ccas-78."));
    let new = || created.identifiant.clone();
    assert!(user_of(&users().await, &new()).must_change_password);

    let password = reply!(
        h.ok(ManageCall::CaisseResetPassword { identifiant: new() })
            .await,
        Password
    );
    assert!(password.temporary_password.len() >= 12);
    for status in [AccountStatus::Suspended, AccountStatus::Active] {
        h.ok(ManageCall::CaisseSetStatus {
            identifiant: new(),
            status,
        })
        .await;
        assert_eq!(user_of(&users().await, &new()).status, status);
    }
    h.ok(ManageCall::CaisseGrant {
        identifiant: new(),
        grant: cdap(Some(vec!["78".into()]), None),
    })
    .await;
    assert_eq!(
        user_of(&users().await, &new()).habilitations[0].departements,
        ["78"]
    );
    for suspended in [true, false] {
        h.ok(ManageCall::CaisseSuspend {
            identifiant: "demo.caf".into(),
            service: "cdap-t2".into(),
            suspended,
        })
        .await;
        let by = user_of(&users().await, "demo.caf").habilitations[0]
            .suspended_by
            .clone();
        assert_eq!(by.as_deref(), suspended.then_some("caisse"));
    }
    h.ok(ManageCall::CaisseForceUserChange {
        identifiant: "demo.caf".into(),
    })
    .await;
    assert!(user_of(&users().await, "demo.caf").must_change_password);
    let forced = reply!(
        h.ok(ManageCall::CaisseForcePartnerChange { tiers: tiers() })
            .await,
        Affected
    );
    assert!(forced.count >= 3, "{}", forced.count);
    let late = reply!(
        h.ok(ManageCall::CaisseSuspendLate { tiers: tiers() }).await,
        Affected
    );
    assert_eq!(late.count, 0, "nothing is a year old");
    h.ok(ManageCall::CaisseRevoke {
        identifiant: new(),
        service: "cdap-t2".into(),
    })
    .await;
    let gone = h
        .refused(ManageCall::CaisseRevoke {
            identifiant: new(),
            service: "cdap-t2".into(),
        })
        .await;
    assert_eq!(gone.code, ErrorCode::NotFound);
    h.ok(withdraw(&tiers(), false)).await;

    // The caisse's traces, statistics and abuse signals.
    let mine = reply!(
        h.ok(ManageCall::CaisseTraces {
            page: TracePageQuery {
                user: Some("demo.operateur".into()),
                ..Default::default()
            },
        })
        .await,
        Traces
    );
    assert!(mine.entries.iter().any(|t| t.kind == "admin"));
    assert!(
        mine.entries
            .iter()
            .all(|t| t.identifiant.as_deref() == Some("demo.operateur"))
    );
    let month = h.today().format("%Y-%m").to_string();
    let stats = reply!(h.ok(ManageCall::CaisseStats { month }).await, Stats);
    assert!(!stats.is_empty());
    assert!(
        stats
            .iter()
            .all(|r| matches!(r.partner.as_deref(), Some("DEMO-CCAS-78" | "CAF-78")))
    );
    let bad_month = h
        .refused(ManageCall::CaisseStats {
            month: "novembre".into(),
        })
        .await;
    assert_eq!(bad_month.code, ErrorCode::InvalidInput);
    reply!(
        h.ok(ManageCall::CaisseFlags { since: h.today() }).await,
        Signals
    );
    let not_manager = h.refused(ManageCall::Users {}).await;
    assert_eq!(not_manager.code, ErrorCode::NotAManager);
}

/// Issue 23 (2, 3, 4), R-24, R-21: MSA's caisse-managed model through the desktop: the MSA
/// demo operator registers a user of the demo crèche; that user signs in with the temporary
/// password, reads their own traces, where an idle wipe is traced as such; the operator
/// deactivates the leaver, who can no longer sign in.
async fn issue23_msa_operator_registers_and_user_reads_own_traces(h: Harness) {
    let (operator, _, caisse) = guichet_service::DEMO_MSA_OPERATOR;
    let view = h.ready(operator).await;
    assert_eq!(view.operator_of.as_deref(), Some(caisse));
    let partners = reply!(h.ok(ManageCall::CaissePartners {}).await, Partners);
    let creche = h
        .store
        .convention("DEMO-PSU-ALSACE")
        .await
        .unwrap()
        .unwrap();
    let tiers = h
        .store
        .partner(creche.partner_id)
        .await
        .unwrap()
        .unwrap()
        .tiers;
    assert!(partners.iter().any(|p| p.tiers == tiers && !p.delegated));
    let created = reply!(
        h.ok(ManageCall::CaisseRegisterUser {
            tiers: tiers.clone(),
            request: CreateUserRequest {
                name: "Auxiliaire de puériculture".into(),
                email: "auxiliaire@creche.example".into(),
                habilitations: vec![HabilitationGrant {
                    service: "psu".into(),
                    departements: None,
                    ends_on: None,
                }],
            },
        })
        .await,
        Created
    );
    h.core.sign_out(&h.surface).await;

    let first = h
        .sign_in(&created.identifiant, &created.temporary_password)
        .await
        .unwrap();
    assert!(first.must_change_password, "R-11");
    h.core
        .change_password(
            created.temporary_password.clone(),
            Zeroizing::new(NEW_PASSWORD.into()),
            &h.surface,
        )
        .await
        .unwrap();
    h.core.wipe(WipeReason::Idle, &h.surface).await;
    h.sign_in(&created.identifiant, NEW_PASSWORD).await.unwrap();
    let mine = reply!(
        h.ok(ManageCall::MyTraces {
            page: TracePageQuery::default()
        })
        .await,
        Traces
    );
    assert!(
        mine.entries
            .iter()
            .any(|t| t.kind == "sign_out" && t.outcome == "idle"),
        "an idle wipe is traced as such: {:?}",
        mine.entries
    );
    assert!(
        !mine
            .entries
            .iter()
            .any(|t| t.kind == "sign_out" && t.outcome == "ok")
    );
    let not_manager = h.refused(ManageCall::Users {}).await;
    assert_eq!(not_manager.code, ErrorCode::NotAManager);
    h.core.sign_out(&h.surface).await;

    h.sign_in(operator, NEW_PASSWORD).await.unwrap();
    h.ok(ManageCall::CaisseSetStatus {
        identifiant: created.identifiant.clone(),
        status: AccountStatus::Deactivated,
    })
    .await;
    h.core.sign_out(&h.surface).await;
    assert!(h.sign_in(&created.identifiant, NEW_PASSWORD).await.is_err());
}

// ---- Policy, profiles and failures of the remote link ----

#[cfg(not(windows))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_lowers_the_idle_delay_and_can_forbid_the_bundled_backend() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.toml"), "idle_timeout_secs = 120\n").unwrap();
    let clock = ten_in_paris();
    let core = AppCore::new(
        settings(dir.path()),
        clock.clone(),
        Keychain::unusable(NO_KEYCHAIN),
    );
    let surface = Recorder::default();
    let startup = core.startup().await;
    assert!(startup.policy.managed);
    assert_eq!(startup.keychain_error, Some(NO_KEYCHAIN.to_string()));
    let view = core
        .sign_in(
            SignInArgs {
                profile: Profile::demo().name,
                identifiant: "demo.caf".into(),
                password: Zeroizing::new(DEMO_PASSWORD.into()),
                remember_identifiant: true,
                remember_password: true,
            },
            &surface,
        )
        .await
        .unwrap();
    assert_eq!(view.idle_timeout_s, 120);
    assert!(
        !view.can_remember_password,
        "without a keychain nothing is remembered"
    );
    assert!(
        surface.progress.lock().unwrap().last().map(|p| p.done) == Some(BUNDLED_FILES),
        "the first start reports its progress"
    );
    clock.advance(chrono::Duration::seconds(61));
    assert_eq!(core.tick(), Tick::Warning { remaining_s: 59 });

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.toml"),
        "allow_bundled = false\n[[profiles]]\nname = \"Démo\"\nurl = \"bundled\"\nenvironment = \"demo\"\n[[profiles]]\nname = \"MSA\"\nurl = \"https://guichet.msa.example\"\ncaisse = \"MSA-ALSACE\"\nenvironment = \"production\"\n",
    )
    .unwrap();
    let core = AppCore::new(settings(dir.path()), clock, Keychain::unusable(NO_KEYCHAIN));
    let startup = core.startup().await;
    let names: Vec<_> = startup
        .profiles
        .iter()
        .map(|p| p.profile.name.as_str())
        .collect();
    assert_eq!(names, ["MSA"]);
    assert_eq!(
        core.prepare("Démo", &surface).await.unwrap_err().code,
        ErrorCode::UnknownProfile
    );
    assert_eq!(
        core.save_profile(Profile::demo()).await.unwrap_err().code,
        ErrorCode::ProfilesPinned
    );
    assert!(!dir.path().join("data").join("bundled.sqlite").exists());
}

/// `--policy` adds restrictions to the machine policy; it cannot take it away.
#[cfg(not(windows))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r30_an_extra_policy_cannot_lift_the_machine_policy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.toml"), "allow_bundled = false\n").unwrap();
    let with_extra = |extra: &Path| Settings {
        policy: policy_sources(dir.path(), Some(extra)),
        ..settings(dir.path())
    };
    // Missing: nothing is allowed, and the message names the file.
    let missing = dir.path().join("nonexistent.toml");
    let core = AppCore::new(
        with_extra(&missing),
        ten_in_paris(),
        Keychain::unusable(NO_KEYCHAIN),
    );
    let startup = core.startup().await;
    assert!(startup.profiles.is_empty() && !startup.policy.allow_bundled);
    let error = startup.policy.error.unwrap();
    assert!(error.contains(&missing.display().to_string()), "{error}");
    // Empty (what GUICHET_POLICY=/dev/null used to be): the machine policy still holds.
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let core = AppCore::new(
        with_extra(&empty),
        ten_in_paris(),
        Keychain::unusable(NO_KEYCHAIN),
    );
    let startup = core.startup().await;
    assert!(startup.policy.error.is_none() && !startup.policy.allow_bundled);
    assert!(
        startup.profiles.is_empty(),
        "the demo profile stays forbidden"
    );
    // Trying to allow the bundled backend again: still forbidden.
    let lax = dir.path().join("lax.toml");
    std::fs::write(&lax, "allow_bundled = true\n").unwrap();
    let core = AppCore::new(
        with_extra(&lax),
        ten_in_paris(),
        Keychain::unusable(NO_KEYCHAIN),
    );
    assert!(!core.startup().await.policy.allow_bundled);
    assert_eq!(
        core.prepare(&Profile::demo().name, &Recorder::default())
            .await
            .unwrap_err()
            .code,
        ErrorCode::UnknownProfile
    );
    // The command line names the extra policy; the system one is always the OS location.
    use clap::Parser;
    let args =
        guichet_desktop::Args::try_parse_from(["guichet", "--policy", "/tmp/x.toml"]).unwrap();
    let sources = args.settings().policy;
    assert_eq!(
        sources.system,
        guichet_desktop::config::default_policy_path()
    );
    assert_eq!(sources.extra.as_deref(), Some(Path::new("/tmp/x.toml")));
    assert_eq!(sources.trusted_owner, guichet_desktop::config::ROOT);
}

#[cfg(not(windows))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r30_user_profiles_are_kept_apart_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let core = AppCore::new(
        settings(dir.path()),
        ten_in_paris(),
        Keychain::unusable(NO_KEYCHAIN),
    );
    let mut p = Profile {
        name: "MSA Alsace — recette".into(),
        url: "http://guichet.msa.example".into(),
        caisse: "MSA-ALSACE".into(),
        environment: guichet_desktop::config::Environment::Recette,
        qf_grid: Vec::new(),
    };
    assert_eq!(
        core.save_profile(p.clone()).await.unwrap_err().code,
        ErrorCode::InvalidProfile
    );
    p.url = "https://guichet.msa.example".into();
    // a QF grid whose brackets overlap is refused with the bracket named.
    let bracket = |label: &str, from, to| guichet_desktop::qf_grid::QfBracket {
        label: label.into(),
        from,
        to,
        price_cents: None,
    };
    p.qf_grid = vec![bracket("A", 0, Some(500)), bracket("B", 500, None)];
    let refused = core.save_profile(p.clone()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidProfile);
    assert!(refused.message.contains("tranche 2"), "{}", refused.message);
    p.qf_grid = vec![bracket("A", 0, Some(500)), bracket("B", 501, None)];
    core.save_profile(p.clone()).await.unwrap();
    let names: Vec<_> = core
        .startup()
        .await
        .profiles
        .into_iter()
        .map(|v| v.profile.name)
        .collect();
    assert_eq!(names, [Profile::demo().name, p.name.clone()]);
    // Written to the data folder, with nothing secret in it.
    let text = std::fs::read_to_string(dir.path().join("data").join("settings.toml")).unwrap();
    assert!(text.contains("https://guichet.msa.example"));
    assert!(
        text.contains("[[profiles.qf_grid]]") && text.contains("from = 501"),
        "{text}"
    );
    core.delete_profile(&Profile::demo().name).await.unwrap();
    assert_eq!(
        core.delete_profile(&p.name).await.unwrap_err().code,
        ErrorCode::LastProfile
    );
}

#[cfg(not(windows))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_failures_have_their_own_codes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ten_in_paris();
    let server = tls_server(clock.clone(), 100, dir.path()).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let core = AppCore::new(settings(dir.path()), clock, Keychain::unusable(NO_KEYCHAIN));
    let surface = Recorder::default();
    for (name, url) in [
        ("Sans CA", server.url.clone()),
        ("Fermé", format!("https://localhost:{closed}")),
    ] {
        core.save_profile(Profile {
            name: name.into(),
            url,
            caisse: String::new(),
            environment: guichet_desktop::config::Environment::Recette,
            qf_grid: Vec::new(),
        })
        .await
        .unwrap();
    }
    let sign_in = |profile: &str| SignInArgs {
        profile: profile.into(),
        identifiant: "demo.creche".into(),
        password: Zeroizing::new(DEMO_PASSWORD.into()),
        remember_identifiant: false,
        remember_password: false,
    };
    // The server's certificate is issued by a CA the OS does not trust (no policy CA here).
    let e = core
        .sign_in(sign_in("Sans CA"), &surface)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TlsError, "{}", e.message);
    let e = core.sign_in(sign_in("Fermé"), &surface).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ServerUnreachable);
    assert!(e.message.contains("injoignable"));
    assert!(!core.signed_in().await);
}

/// The watchdog loop the window runs, on a manual clock: countdown, cancel, wipe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r16_the_watchdog_loop_counts_down_and_wipes() {
    let h = bundled(ten_in_paris()).await;
    h.ready("demo.creche").await;
    let window = Arc::new(Recorder::default());
    let (core, w) = (h.core.clone(), window.clone());
    let task = tokio::spawn(async move { core.watch(w.as_ref(), Duration::from_millis(10)).await });
    // A time-out on the real clock, for the task's real timer: only a duration is measured.
    #[allow(clippy::disallowed_methods)]
    let until = |what: &'static str, f: &dyn Fn() -> bool| {
        let start = std::time::Instant::now();
        while !f() {
            assert!(start.elapsed() < Duration::from_secs(10), "{what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    h.clock.advance(chrono::Duration::seconds(850));
    until("countdown shown", &|| {
        window
            .ticks
            .lock()
            .unwrap()
            .contains(&Tick::Warning { remaining_s: 50 })
    });
    h.core.activity();
    until("countdown cancelled", &|| {
        matches!(
            window.ticks.lock().unwrap().last(),
            Some(Tick::Active { .. })
        )
    });
    assert_eq!(window.reloads(), 0);
    h.clock.advance(chrono::Duration::seconds(901));
    until("wiped", &|| window.reloads() == 1);
    assert!(!h.core.signed_in().await);
    assert_eq!(h.core.startup().await.last_wipe, Some(WipeReason::Idle));
    task.abort();
}

// ---- OS lock and sleep, on private buses ----

#[cfg(not(windows))]
const SESSION_PATH: &str = "/org/freedesktop/login1/session/_32";

/// logind's manager, as far as the app uses it.
#[cfg(not(windows))]
struct FakeManager {
    asked: Arc<std::sync::Mutex<Vec<u32>>>,
}

#[cfg(not(windows))]
#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl FakeManager {
    #[zbus(name = "GetSessionByPID")]
    fn get_session_by_pid(&self, pid: u32) -> zbus::zvariant::OwnedObjectPath {
        self.asked.lock().unwrap().push(pid);
        zbus::zvariant::OwnedObjectPath::try_from(SESSION_PATH).unwrap()
    }

    #[zbus(signal)]
    async fn prepare_for_sleep(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        start: bool,
    ) -> zbus::Result<()>;
}

/// A logind session.
#[cfg(not(windows))]
struct FakeSession {
    locked_hint: bool,
}

#[cfg(not(windows))]
#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl FakeSession {
    #[zbus(property)]
    fn locked_hint(&self) -> bool {
        self.locked_hint
    }

    #[zbus(signal)]
    async fn lock(emitter: &zbus::object_server::SignalEmitter<'_>) -> zbus::Result<()>;
}

#[cfg(not(windows))]
async fn set_locked_hint(logind: &zbus::Connection, locked: bool) {
    let iface = logind
        .object_server()
        .interface::<_, FakeSession>(SESSION_PATH)
        .await
        .unwrap();
    iface.get_mut().await.locked_hint = locked;
    iface
        .get()
        .await
        .locked_hint_changed(iface.signal_emitter())
        .await
        .unwrap();
}

#[cfg(not(windows))]
async fn screen_saver_active(saver: &zbus::Connection, interface: &str, path: &str, on: bool) {
    saver
        .emit_signal(None::<&str>, path, interface, "ActiveChanged", &(on,))
        .await
        .unwrap();
}

/// Signs in again if needed, sends the signal, and waits for the wipe it must cause.
async fn assert_wipes(
    h: &Harness,
    reason: WipeReason,
    what: &str,
    signal: impl Future<Output = ()>,
) {
    if !h.core.signed_in().await {
        h.sign_in("demo.creche", NEW_PASSWORD).await.unwrap();
    }
    let reloads = h.surface.reloads();
    signal.await;
    // The reload comes after the session is dropped and the reason recorded.
    tokio::time::timeout(Duration::from_secs(10), async {
        while h.surface.reloads() == reloads {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what}: no wipe within 10 s"));
    assert!(!h.core.signed_in().await, "{what}: the session is gone");
    assert_eq!(h.surface.reloads(), reloads + 1, "{what}: one reload");
    assert_eq!(h.core.startup().await.last_wipe, Some(reason), "{what}");
}

/// Plays SCENARIO while the app follows the OS events of RX, as the desktop does; at most
/// 120 s.
async fn following_os_events(
    h: &Harness,
    rx: tokio::sync::mpsc::UnboundedReceiver<oslock::Event>,
    scenario: impl Future<Output = ()>,
) {
    tokio::time::timeout(Duration::from_secs(120), async {
        tokio::select! {
            () = h.core.follow_os_events(rx, &h.surface) => panic!("the OS events stopped"),
            () = scenario => {}
        }
    })
    .await
    .expect("the scenario ends within 120 s");
}

/// the screen locks or the machine sleeps, as desktops really say it, and the session
/// is wiped: logind's `Lock` and `LockedHint` on this process's session and `PrepareForSleep`
/// (system bus), the screen savers' `ActiveChanged` (session bus), each from a fake service
/// on a private bus.
#[cfg(not(windows))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r16_lock_and_sleep_signals_wipe_the_session() {
    let system_bus = PrivateBus::start();
    let session_bus = PrivateBus::start();
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let logind = system_bus
        .connect(&["org.freedesktop.login1"])
        .serve_at(
            "/org/freedesktop/login1",
            FakeManager {
                asked: asked.clone(),
            },
        )
        .unwrap()
        .serve_at(SESSION_PATH, FakeSession { locked_hint: false })
        .unwrap()
        .build()
        .await
        .unwrap();
    let saver = session_bus
        .connect(&["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"])
        .build()
        .await
        .unwrap();
    let buses = oslock::Buses {
        system: Some(system_bus.connect(&[]).build().await.unwrap()),
        session: Some(session_bus.connect(&[]).build().await.unwrap()),
    };
    let watcher = tokio::time::timeout(Duration::from_secs(10), oslock::Watcher::subscribe(&buses))
        .await
        .expect("subscribed within 10 s");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(watcher.forward(tx));

    let h = bundled(ten_in_paris()).await;
    h.ready("demo.creche").await;
    let scenario = async {
        // What is not a lock wipes nothing: the screen saver going off, waking up, unlocking.
        for (interface, path) in [
            (
                "org.freedesktop.ScreenSaver",
                "/org/freedesktop/ScreenSaver",
            ),
            ("org.freedesktop.ScreenSaver", "/ScreenSaver"),
            ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
        ] {
            screen_saver_active(&saver, interface, path, false).await;
        }
        let manager =
            zbus::object_server::SignalEmitter::new(&logind, "/org/freedesktop/login1").unwrap();
        FakeManager::prepare_for_sleep(&manager, false)
            .await
            .unwrap();
        set_locked_hint(&logind, false).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(h.core.signed_in().await, "no lock, no wipe");

        let session = zbus::object_server::SignalEmitter::new(&logind, SESSION_PATH).unwrap();
        assert_wipes(&h, WipeReason::ScreenLocked, "logind Lock", async {
            FakeSession::lock(&session).await.unwrap();
        })
        .await;
        assert_wipes(&h, WipeReason::ScreenLocked, "logind LockedHint", async {
            set_locked_hint(&logind, true).await;
        })
        .await;
        set_locked_hint(&logind, false).await;
        for (interface, path) in [
            (
                "org.freedesktop.ScreenSaver",
                "/org/freedesktop/ScreenSaver",
            ),
            ("org.freedesktop.ScreenSaver", "/ScreenSaver"),
            ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
        ] {
            assert_wipes(&h, WipeReason::ScreenLocked, path, async {
                screen_saver_active(&saver, interface, path, true).await;
            })
            .await;
        }
        assert_wipes(&h, WipeReason::Sleep, "logind PrepareForSleep", async {
            FakeManager::prepare_for_sleep(&manager, true)
                .await
                .unwrap();
        })
        .await;
    };
    following_os_events(&h, rx, scenario).await;
    // The app asked logind for its own session.
    assert_eq!(*asked.lock().unwrap(), [std::process::id()]);
}

/// R-16 on Windows (under Wine in `make test`): the app's session window receives a lock,
/// a disconnection and a suspend as Windows sends them, and the session is wiped.
#[cfg(windows)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r16_windows_lock_disconnection_and_suspend_wipe_the_session() {
    use guichet_desktop::oslock::win32::*;
    use guichet_os::windows::send_to_watcher;

    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    oslock::windows::start(tx).expect("the session window is set up");
    let h = bundled(ten_in_paris()).await;
    h.ready("demo.creche").await;
    let scenario = async {
        for (message, wparam) in UNEVENTFUL {
            assert!(send_to_watcher(message, wparam));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(h.core.signed_in().await, "no lock, no wipe");
        for (message, wparam, reason, what) in [
            (
                WM_WTSSESSION_CHANGE,
                WTS_SESSION_LOCK,
                WipeReason::ScreenLocked,
                "WTS_SESSION_LOCK",
            ),
            (
                WM_WTSSESSION_CHANGE,
                WTS_REMOTE_DISCONNECT,
                WipeReason::ScreenLocked,
                "WTS_REMOTE_DISCONNECT",
            ),
            (
                WM_WTSSESSION_CHANGE,
                WTS_CONSOLE_DISCONNECT,
                WipeReason::ScreenLocked,
                "WTS_CONSOLE_DISCONNECT",
            ),
            (
                WM_POWERBROADCAST,
                PBT_APMSUSPEND,
                WipeReason::Sleep,
                "PBT_APMSUSPEND",
            ),
        ] {
            assert_wipes(&h, reason, what, async {
                assert!(send_to_watcher(message, wparam));
            })
            .await;
        }
    };
    following_os_events(&h, rx, scenario).await;
}
