//! The backend contract suite (DESIGN.md principle 1): the same scenarios, through the
//! desktop app's own core ([`AppCore`], what the Tauri commands call), against the bundled
//! backend (guichet-service in-process on SQLite) and against a remote guichet-server over
//! loopback TLS, trusted through the machine policy's `extra_ca_pem`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use guichet_core::nir::Nir;
use guichet_core::service_def::Section;
use guichet_core::wire::{
    CreateUserRequest, HabilitationGrant, LookupRequest, LookupResponse, ReviewDecision,
    ReviewRequest,
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
use guichet_store::Store;
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

    async fn file(
        &self,
        caisse: &str,
        service: &str,
        outcome: LookupOutcome,
    ) -> guichet_core::dossier::Dossier {
        file(&self.store, caisse, None, service, outcome, self.today()).await
    }
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
    let d = h.core.delegations(&h.surface).await.unwrap();
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
    let created = h.core.create_user(request(0), &h.surface).await.unwrap();
    assert!(created.identifiant.starts_with("demo-ccas-78."));
    assert!(created.temporary_password.len() >= 12);
    for i in 1..18 {
        h.core.create_user(request(i), &h.surface).await.unwrap();
    }
    let full = h
        .core
        .create_user(request(18), &h.surface)
        .await
        .unwrap_err();
    assert_eq!(full.code, ErrorCode::QuotaReached);
    assert!(full.message.contains("20"), "{}", full.message);
    let d = h.core.delegations(&h.surface).await.unwrap();
    assert_eq!((d[0].quota, d[0].used), (Some(20), 20), "20 / 20");
    let users = h.core.managed_users(&h.surface).await.unwrap();
    assert_eq!(users.len(), 20);
    assert!(
        users
            .iter()
            .any(|u| u.identifiant == created.identifiant && u.must_change_password)
    );

    let reviews = h.core.reviews(&h.surface).await.unwrap();
    assert_eq!(
        reviews.len(),
        19,
        "20 in force, less the administrator's own (the caisse's to review, issue 22)"
    );
    assert!(reviews.iter().all(|r| r.identifiant != "demo.admin"));
    assert!(reviews.iter().all(|r| !r.late && r.reviewed_at.is_none()));
    h.core
        .review(
            ReviewRequest {
                identifiant: "demo.caf".into(),
                service: "cdap-t2".into(),
                decision: ReviewDecision::Confirm,
            },
            &h.surface,
        )
        .await
        .unwrap();
    let reviews = h.core.reviews(&h.surface).await.unwrap();
    let caf = reviews
        .iter()
        .find(|r| r.identifiant == "demo.caf")
        .unwrap();
    assert_eq!(caf.reviewed_by.as_deref(), Some("demo.admin"));

    h.core.sign_out(&h.surface).await;
    h.ready("demo.caf").await;
    let refused = h.core.delegations(&h.surface).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotAManager);
}

/// R-26 through the desktop's core on each backend: the demo operator withdraws the
/// delegation of its partner (its administrator then gets `delegation_withdrawn`) and gives
/// it back.
async fn r26_operator_flow(h: Harness) {
    let view = h.ready("demo.operateur").await;
    assert_eq!(view.operator_of.as_deref(), Some("CAF-78"));
    assert!(view.services.is_empty());
    let partners = h.core.supervised_partners(&h.surface).await.unwrap();
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].tiers, "DEMO-CCAS-78");
    assert!(partners[0].delegated && !partners[0].delegation_withdrawn);
    h.core
        .set_delegation_withdrawn("DEMO-CCAS-78", true, &h.surface)
        .await
        .unwrap();
    let outside = h
        .core
        .set_delegation_withdrawn("DEMO-EAJE-67", true, &h.surface)
        .await
        .unwrap_err();
    assert_eq!(outside.code, ErrorCode::OutsideConvention);
    assert!(h.core.supervised_partners(&h.surface).await.unwrap()[0].delegation_withdrawn);
    h.core.sign_out(&h.surface).await;

    h.ready("demo.admin").await;
    let refused = h.core.managed_users(&h.surface).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::DelegationWithdrawn);
    h.core.sign_out(&h.surface).await;

    h.sign_in("demo.operateur", NEW_PASSWORD).await.unwrap();
    h.core
        .set_delegation_withdrawn("DEMO-CCAS-78", false, &h.surface)
        .await
        .unwrap();
    h.core.sign_out(&h.surface).await;
    h.sign_in("demo.admin", NEW_PASSWORD).await.unwrap();
    assert_eq!(h.core.managed_users(&h.surface).await.unwrap().len(), 2);
}

// ---- Policy, profiles and failures of the remote link ----

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

const SESSION_PATH: &str = "/org/freedesktop/login1/session/_32";

/// logind's manager, as far as the app uses it.
struct FakeManager {
    asked: Arc<std::sync::Mutex<Vec<u32>>>,
}

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
struct FakeSession {
    locked_hint: bool,
}

#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl FakeSession {
    #[zbus(property)]
    fn locked_hint(&self) -> bool {
        self.locked_hint
    }

    #[zbus(signal)]
    async fn lock(emitter: &zbus::object_server::SignalEmitter<'_>) -> zbus::Result<()>;
}

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

/// the screen locks or the machine sleeps, as desktops really say it, and the session
/// is wiped: logind's `Lock` and `LockedHint` on this process's session and `PrepareForSleep`
/// (system bus), the screen savers' `ActiveChanged` (session bus), each from a fake service
/// on a private bus.
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
    tokio::time::timeout(Duration::from_secs(120), async {
        tokio::select! {
            () = h.core.follow_os_events(rx, &h.surface) => panic!("the OS events stopped"),
            () = scenario => {}
        }
    })
    .await
    .expect("the scenario ends within 120 s");
    // The app asked logind for its own session.
    assert_eq!(*asked.lock().unwrap(), [std::process::id()]);
}
