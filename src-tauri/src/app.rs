//! The app's state and every operation behind the commands, free of Tauri so that the
//! backend contract suite and the watchdog tests drive it directly. What the window does
//! (reload, clipboard, events) goes through [`Surface`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex as StdMutex};

use chrono::{DateTime, Duration, Utc};
use guichet_core::LookupOutcome;
use guichet_core::manage::{ManageCall, ManageReply};
use guichet_core::nir::{Nir, NirError};
use guichet_core::policy::password::PasswordPolicy;
use guichet_core::wire::{
    ChangePasswordRequest, EndReason, ErrorBody, ErrorCode, LookupRequest, LookupResponse,
    PasswordRules, ServiceInfo, SessionInfo, SignInRequest, Violation,
};
use guichet_service::{Clock, SampleQuery};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedReceiver;
use zeroize::Zeroizing;

use crate::backend::{self, ActiveSession, Backend, Result, error};
use crate::config::{self, Effective, Environment, Profile, UserSettings};
use crate::ipc::{
    DemoFile, HoursView, NirCheck, PolicyView, PrepareProgress, ProfileView, SessionView,
    SignInArgs, StartupView, WipeReason,
};
use crate::keychain::{self, Keychain};
use crate::oslock;
use crate::watchdog::{Tick, Watchdog};

/// How often the watchdog looks at the wall clock: the wipe comes at most this long after
/// the deadline (plus the wipe itself).
pub const WATCHDOG_PERIOD: std::time::Duration = std::time::Duration::from_millis(250);

/// A copied value is cleared from the clipboard after this long.
pub const CLIPBOARD_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// What the app asks of its window. The Tauri implementation reloads the webview, uses
/// the OS clipboard and emits events; tests record the calls.
pub trait Surface: Send + Sync {
    /// Reloads the webview onto the sign-in screen: no DOM or JS heap survives.
    fn reload(&self);
    fn clipboard_text(&self) -> Option<String>;
    fn set_clipboard_text(&self, text: &str) -> bool;
    fn clear_clipboard(&self);
    fn watchdog(&self, tick: Tick);
    fn prepare_progress(&self, progress: PrepareProgress);
}

/// Where the app's files are and what it runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// The machine policy's files (the system one, an extra one) and who must own them.
    pub policy: config::PolicySources,
    /// Synthetic files of the bundled database.
    pub bundled_files: u64,
}

pub struct AppCore {
    settings: Settings,
    clock: Arc<dyn Clock>,
    effective: StdMutex<Effective>,
    keychain: Keychain,
    /// Backends by profile URL (the bundled one is opened once).
    backends: Mutex<HashMap<String, Backend>>,
    session: Mutex<Option<ActiveSession>>,
    watchdog: StdMutex<Watchdog>,
    /// SHA-256 of the text we last put in the clipboard (never the text itself).
    copied: StdMutex<Option<[u8; 32]>>,
    last_wipe: StdMutex<Option<WipeReason>>,
    /// When the server last heard from the open session, and its idle delay (seconds).
    last_contact: StdMutex<Option<(DateTime<Utc>, u32)>>,
}

/// Sample files shown per outcome on the bundled backend.
const DEMO_FILES_PER_OUTCOME: usize = 2;

impl std::fmt::Debug for AppCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCore")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl AppCore {
    /// Reads the policy and the user's settings. `keychain`: the keychain, set up once at
    /// start (a failed set-up sticks for the process).
    pub fn new(settings: Settings, clock: Arc<dyn Clock>, keychain: Keychain) -> Self {
        let effective = config::resolve(
            config::load_policy(&settings.policy),
            &UserSettings::load(&settings.data_dir),
        );
        AppCore {
            settings,
            clock,
            effective: StdMutex::new(effective),
            keychain,
            backends: Mutex::new(HashMap::new()),
            session: Mutex::new(None),
            watchdog: StdMutex::new(Watchdog::default()),
            copied: StdMutex::new(None),
            last_wipe: StdMutex::new(None),
            last_contact: StdMutex::new(None),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn effective(&self) -> Effective {
        lock(&self.effective).clone()
    }

    fn profile(&self, name: &str) -> Result<Profile> {
        self.effective()
            .profiles
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                error(
                    ErrorCode::UnknownProfile,
                    "Ce profil de connexion n'existe pas ou n'est plus autorisé sur ce poste.",
                )
            })
    }

    pub async fn startup(&self) -> StartupView {
        let effective = self.effective();
        let mut profiles = Vec::new();
        for p in &effective.profiles {
            let name = p.name.clone();
            // A keychain that does not answer costs one time-out, then the next calls
            // fail at once: the screen shows without what it would have remembered.
            let n = name.clone();
            let identifiant = self
                .keychain
                .call(move || keychain::identifiant(&n))
                .await
                .ok()
                .flatten();
            let n = name.clone();
            let password = self
                .keychain
                .call(move || keychain::password(&n).map(|p| p.is_some()))
                .await
                .unwrap_or(false);
            profiles.push(ProfileView {
                bundled: p.is_bundled(),
                profile: p.clone(),
                remembered_identifiant: identifiant,
                remembered_password: password && remember_allowed(&effective, p),
            });
        }
        let session = self.session.lock().await.as_ref().map(|s| self.view(s));
        StartupView {
            version: env!("CARGO_PKG_VERSION").into(),
            profiles,
            policy: PolicyView {
                managed: effective.managed,
                profiles_pinned: effective.profiles_pinned,
                allow_bundled: effective.allow_bundled,
                allow_remember_password: effective.allow_remember_password,
                idle_timeout_secs: effective.idle_timeout_secs,
                error: effective.policy_error.clone(),
            },
            keychain_error: self.keychain.error().as_ref().map(ToString::to_string),
            last_wipe: lock(&self.last_wipe).take(),
            session,
        }
    }

    /// The backend of a profile, opening it (and seeding the bundled database on first
    /// start, with progress) when needed.
    pub async fn prepare(&self, profile: &str, surface: &dyn Surface) -> Result<Backend> {
        let profile = self.profile(profile)?;
        let mut backends = self.backends.lock().await;
        if let Some(b) = backends.get(&profile.url) {
            return Ok(b.clone());
        }
        let backend = if profile.is_bundled() {
            let guichet = backend::open_bundled(
                &self.settings.data_dir,
                self.settings.bundled_files,
                self.clock.clone(),
                |done, total| surface.prepare_progress(PrepareProgress { done, total }),
            )
            .await?;
            Backend::Bundled(guichet)
        } else {
            let ca = self.effective().extra_ca_pem;
            Backend::Remote(guichet_client::Client::new(&profile.url, ca.as_deref())?)
        };
        backends.insert(profile.url.clone(), backend.clone());
        Ok(backend)
    }

    fn view(&self, s: &ActiveSession) -> SessionView {
        let effective = self.effective();
        let environment = effective
            .profiles
            .iter()
            .find(|p| p.name == s.profile)
            .map_or(Environment::Production, |p| p.environment);
        let idle = effective
            .idle_timeout_secs
            .map_or(s.info.idle_timeout_s, |p| p.min(s.info.idle_timeout_s));
        let can_remember = s.info.user.test_account
            && environment != Environment::Production
            && effective.allow_remember_password
            && self.keychain.error().is_none();
        SessionView {
            profile: s.profile.clone(),
            environment,
            user: s.info.user.clone(),
            partner: s.info.partner.clone(),
            services: s.info.services.clone(),
            must_change_password: s.info.must_change_password,
            password_age_warning: s.info.password_age_warning,
            idle_timeout_s: idle,
            expires_at: s.info.expires_at,
            can_remember_password: can_remember,
            password_rules: s.info.password_rules,
            partner_role: s.info.partner_role.clone(),
            operator_of: s.info.operator_of.clone(),
            qf_grid: effective.qf_grid_of(&s.profile),
        }
    }

    fn arm(&self, idle_s: u32) {
        lock(&self.watchdog).arm(self.now(), Duration::seconds(i64::from(idle_s)));
        *lock(&self.last_contact) = Some((self.now(), idle_s));
    }

    pub async fn sign_in(&self, args: SignInArgs, surface: &dyn Surface) -> Result<SessionView> {
        let profile = self.profile(&args.profile)?;
        // One session at a time: a previous one is ended first.
        if let Some(previous) = self.session.lock().await.take() {
            let _ = previous
                .backend
                .sign_out(&previous.token, EndReason::SignOut)
                .await;
        }
        let backend = self.prepare(&profile.name, surface).await?;
        let effective = self.effective();
        let mut password = args.password;
        let mut used_remembered = false;
        if password.is_empty() && remember_allowed(&effective, &profile) {
            let name = profile.name.clone();
            if let Ok(Some(p)) = self.keychain.call(move || keychain::password(&name)).await {
                password = p;
                used_remembered = true;
            }
        }
        let identifiant = args.identifiant.trim().to_owned();
        let request = SignInRequest {
            identifiant: identifiant.clone(),
            password: password.clone(),
        };
        let mut info = match backend.sign_in(request).await {
            Ok(info) => info,
            Err(e) => {
                if used_remembered && e.code == ErrorCode::InvalidCredentials {
                    // A remembered password that no longer works is forgotten.
                    let name = profile.name.clone();
                    let _ = self
                        .keychain
                        .call(move || keychain::forget_password(&name))
                        .await;
                }
                return Err(e);
            }
        };
        let token = std::mem::take(&mut info.token);
        let session = ActiveSession {
            profile: profile.name.clone(),
            backend,
            token,
            info,
            remember_after_change: args.remember_password,
        };
        let view = self.view(&session);
        // Remember what the user asked for, where allowed; failures only mean "not kept".
        if self.keychain.error().is_none() {
            let name = profile.name.clone();
            let keep_ident = args.remember_identifiant;
            let keep_password = args.remember_password && view.can_remember_password;
            let ident = identifiant.clone();
            let must_change = view.must_change_password;
            let _ = self
                .keychain
                .call(move || {
                    if keep_ident {
                        keychain::set_identifiant(&name, &ident)?;
                    } else {
                        keychain::forget(&name)?;
                    }
                    // A temporary password is kept only once it has been changed.
                    match (keep_password, must_change) {
                        (true, false) => keychain::set_password(&name, &password),
                        (true, true) => Ok(()),
                        (false, _) => keychain::forget_password(&name),
                    }
                })
                .await;
        }
        self.arm(view.idle_timeout_s);
        *self.session.lock().await = Some(session);
        Ok(view)
    }

    /// Runs `f` with the open session; a `session_expired` answer wipes at once.
    async fn with_session<T>(
        &self,
        surface: &dyn Surface,
        f: impl AsyncFnOnce(&Backend, &str) -> Result<T>,
    ) -> Result<T> {
        let (backend, token) = {
            let guard = self.session.lock().await;
            let s = guard.as_ref().ok_or_else(expired)?;
            (s.backend.clone(), s.token.clone())
        };
        let result = f(&backend, &token).await;
        if result.is_ok()
            && let Some((at, _)) = lock(&self.last_contact).as_mut()
        {
            *at = self.now();
        }
        if let Err(e) = &result
            && e.code == ErrorCode::SessionExpired
        {
            // Only the session this request was made with: the user may have signed out
            // and in again while it was on its way.
            let session = {
                let mut guard = self.session.lock().await;
                if guard.as_ref().is_some_and(|s| *s.token == *token) {
                    guard.take()
                } else {
                    None
                }
            };
            self.forget(session, WipeReason::SessionExpired, surface)
                .await;
        }
        result
    }

    /// `candidate` checked live against the rules of the session's server (the
    /// defaults before any sign-in).
    pub async fn check_password(&self, candidate: &str, identifiant: &str) -> Vec<Violation> {
        let rules = self
            .session
            .lock()
            .await
            .as_ref()
            .map(|s| s.info.password_rules)
            .unwrap_or_default();
        check_password(candidate, identifiant, rules)
    }

    pub async fn change_password(
        &self,
        current: Zeroizing<String>,
        new: Zeroizing<String>,
        surface: &dyn Surface,
    ) -> Result<SessionView> {
        let new_for_keychain = new.clone();
        let info: SessionInfo = self
            .with_session(surface, async |b, token| {
                b.change_password(
                    token,
                    ChangePasswordRequest {
                        current_password: current,
                        new_password: new,
                    },
                )
                .await?;
                b.current(token).await
            })
            .await?;
        let mut guard = self.session.lock().await;
        let s = guard.as_mut().ok_or_else(expired)?;
        s.info = SessionInfo {
            token: Zeroizing::new(String::new()),
            ..info
        };
        let view = self.view(s);
        let asked = s.remember_after_change;
        drop(guard);
        // A remembered test password follows the change (or is kept now, if the user asked
        // for it while signing in with a temporary one).
        if view.can_remember_password && self.keychain.error().is_none() {
            let name = view.profile.clone();
            let _ = self
                .keychain
                .call(move || {
                    if asked || keychain::password(&name)?.is_some() {
                        keychain::set_password(&name, &new_for_keychain)?;
                    }
                    Ok(())
                })
                .await;
        }
        self.arm(view.idle_timeout_s);
        Ok(view)
    }

    pub async fn lookup(
        &self,
        request: LookupRequest,
        surface: &dyn Surface,
    ) -> Result<LookupResponse> {
        // The same pure checks as the server, before any round trip.
        Nir::parse(&request.nir).map_err(|e| error(e.code(), capitalize(&e.to_string())))?;
        guichet_core::name::FamilyName::parse(&request.name)
            .map_err(|e| error(e.code(), capitalize(&e.to_string())))?;
        self.with_session(surface, async |b, token| b.lookup(token, request).await)
            .await
    }

    /// Issue 23: one management call of the signed-in user (their own traces, a partner
    /// manager's or a caisse operator's operation). Temporary passwords in the reply are
    /// shown once by the screen and kept nowhere.
    pub async fn manage(&self, call: ManageCall, surface: &dyn Surface) -> Result<ManageReply> {
        self.with_session(surface, async |b, token| b.manage(token, &call).await)
            .await
    }

    /// The countdown's "Rester connecté", and any input once the server has not been heard
    /// from for a third of the idle delay: the idle deadline moves, here and on the server
    /// (whose session would otherwise end while the user reads a file without calling it).
    pub async fn keep_alive(&self, surface: &dyn Surface) -> Result<()> {
        if self.tick() == Tick::Expired {
            // Too late: the watchdog wipes at its next tick; the server is not woken.
            return Ok(());
        }
        self.activity();
        self.with_session(surface, async |b, token| b.current(token).await.map(drop))
            .await
    }

    /// Whether the server should hear from the session now (see [`Self::keep_alive`]); the
    /// caller that gets `true` does it, so that two inputs at once make one call.
    pub fn contact_due(&self) -> bool {
        let now = self.now();
        let mut last = lock(&self.last_contact);
        let Some((at, idle_s)) = *last else {
            return false;
        };
        if now - at < Duration::seconds(i64::from(idle_s / 3)) {
            return false;
        }
        *last = Some((now, idle_s));
        true
    }

    /// Issue 23, training and tests: a few files of the bundled (synthetic) database that
    /// `service` answers for the signed-in user, by outcome. `not_found` elsewhere than on
    /// the bundled backend: a real server's files are never listed.
    pub async fn demo_files(&self, service: &str) -> Result<Vec<DemoFile>> {
        let (backend, info) = {
            let guard = self.session.lock().await;
            let s = guard.as_ref().ok_or_else(expired)?;
            (s.backend.clone(), s.info.clone())
        };
        let Backend::Bundled(g) = backend else {
            return Err(error(
                ErrorCode::NotFound,
                "Les dossiers d'exemple n'existent que sur la base de démonstration.",
            ));
        };
        let granted = granted_service(&info, service)?;
        let mut out = Vec::new();
        for outcome in [
            LookupOutcome::Found,
            LookupOutcome::Opposition,
            LookupOutcome::NotEligible,
        ] {
            let query = SampleQuery {
                caisse: Some(granted.caisse.clone()),
                departement: granted.departements.first().cloned(),
                outcome: Some(outcome),
                service: Some(granted.code.clone()),
                count: DEMO_FILES_PER_OUTCOME,
            };
            let files = g.sample_files(&query).await.map_err(|e| e.body())?;
            out.extend(files.into_iter().map(|d| DemoFile {
                nir: d.nir.grouped(),
                name: d.contact.birth_name.clone(),
                outcome,
            }));
        }
        Ok(out)
    }

    /// User input: pushes the idle deadline back.
    pub fn activity(&self) {
        lock(&self.watchdog).touch(self.now());
    }

    pub fn tick(&self) -> Tick {
        lock(&self.watchdog).tick(self.now())
    }

    /// The idle deadline of the open session.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        lock(&self.watchdog).deadline()
    }

    /// ticks the watchdog every `period` on the app's wall clock, tells the surface
    /// when the countdown starts, moves or is cancelled, and wipes at the deadline. Runs
    /// until its task is dropped. A machine that slept past the deadline wipes at the first
    /// tick after wake-up, since the clock kept counting.
    pub async fn watch(&self, surface: &dyn Surface, period: std::time::Duration) {
        let mut last = Tick::Disarmed;
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let deadline = self.deadline();
            let tick = self.tick();
            match tick {
                Tick::Expired => {
                    self.wipe(WipeReason::Idle, surface).await;
                    let late = deadline.map(|d| (self.now() - d).num_milliseconds());
                    tracing::info!(late_ms = late, "session effacée après inactivité");
                    last = Tick::Disarmed;
                    continue;
                }
                Tick::Warning { .. } if tick != last => surface.watchdog(tick),
                Tick::Active { .. } if matches!(last, Tick::Warning { .. }) => {
                    surface.watchdog(tick);
                }
                _ => {}
            }
            last = tick;
        }
    }

    /// whether the signed-in user's `service` answers now.
    pub async fn hours(&self, service: &str) -> Result<HoursView> {
        let guard = self.session.lock().await;
        let s = guard.as_ref().ok_or_else(expired)?;
        let info = granted_service(&s.info, service)?;
        Ok(hours_view(&info.hours, self.now()))
    }

    pub async fn sign_out(&self, surface: &dyn Surface) {
        self.wipe(WipeReason::SignOut, surface).await;
    }

    /// forgets the open session at once (see [`AppCore::forget`]).
    pub async fn wipe(&self, reason: WipeReason, surface: &dyn Surface) {
        let session = self.session.lock().await.take();
        self.forget(session, reason, surface).await;
    }

    /// Forgets `session`, taken out of shared state by the caller: the webview is reloaded
    /// onto the sign-in screen, which says why (`reason`), the clipboard cleared if it holds
    /// what we copied; only then is the session revoked on the backend (best effort: it
    /// expires there anyway), after which the token is zeroized on drop.
    ///
    /// With no session there is nothing to forget, and the screen and its notice stay as
    /// they are. That case is not rare: Tauri's IPC sends again a request that a reload cut
    /// short (the page's fetch is aborted and retried by another channel, tauri#14154), so
    /// the "Se déconnecter" that caused the reload arrives a second time; a second reload
    /// would take the notice away from the sign-in screen the first one put up.
    async fn forget(
        &self,
        session: Option<ActiveSession>,
        reason: WipeReason,
        surface: &dyn Surface,
    ) {
        let Some(s) = session else {
            tracing::debug!(?reason, "rien à effacer : aucune session ouverte");
            return;
        };
        lock(&self.watchdog).disarm();
        *lock(&self.last_contact) = None;
        self.clear_clipboard_if_ours(surface);
        *lock(&self.last_wipe) = Some(reason);
        surface.reload();
        tracing::debug!(?reason, "session effacée");
        if let Some(reason) = reason.end_reason() {
            let revoke = s.backend.sign_out(&s.token, reason);
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), revoke).await;
        }
    }

    /// wipes when the OS session locks or the machine is about to sleep (the events of
    /// [`crate::oslock`]), until `events` closes. A lock while signed out has nothing to wipe.
    pub async fn follow_os_events(
        &self,
        mut events: UnboundedReceiver<oslock::Event>,
        surface: &dyn Surface,
    ) {
        while let Some(event) = events.recv().await {
            let reason = match event {
                oslock::Event::Locked => WipeReason::ScreenLocked,
                oslock::Event::Sleeping => WipeReason::Sleep,
            };
            if self.signed_in().await {
                tracing::info!(?reason, "session effacée à la demande du système");
                self.wipe(reason, surface).await;
            }
        }
    }

    /// Whether a session is open.
    pub async fn signed_in(&self) -> bool {
        self.session.lock().await.is_some()
    }

    /// Puts `text` in the clipboard and remembers its digest, to clear it later. Only while
    /// a session is open, and under its lock: a copy replayed after a wipe (the IPC's retry,
    /// see [`AppCore::forget`]) must not put back the NIR the wipe has just cleared.
    pub async fn copy(&self, text: &str, surface: &dyn Surface) -> Result<[u8; 32]> {
        let session = self.session.lock().await;
        if session.is_none() {
            return Err(expired());
        }
        if !surface.set_clipboard_text(text) {
            return Err(error(
                ErrorCode::ClipboardUnavailable,
                "Le presse-papiers n'est pas disponible.",
            ));
        }
        let d = digest(text);
        *lock(&self.copied) = Some(d);
        drop(session);
        Ok(d)
    }

    /// Clears the clipboard if it still holds what we put there (`only`: that copy only).
    pub fn clear_clipboard_if_ours(&self, surface: &dyn Surface) {
        self.clear_copied(None, surface);
    }

    pub fn clear_copied(&self, only: Option<[u8; 32]>, surface: &dyn Surface) {
        let mut copied = lock(&self.copied);
        let Some(ours) = *copied else { return };
        if only.is_some_and(|o| o != ours) {
            return;
        }
        if surface
            .clipboard_text()
            .is_some_and(|now| digest(&now) == ours)
        {
            surface.clear_clipboard();
        }
        *copied = None;
    }

    pub async fn save_profile(&self, profile: Profile) -> Result<()> {
        let effective = self.effective();
        if effective.profiles_pinned {
            return Err(error(
                ErrorCode::ProfilesPinned,
                "Les profils de ce poste sont fixés par la politique informatique.",
            ));
        }
        profile.validate().map_err(ErrorBody::from)?;
        if profile.is_bundled() && !effective.allow_bundled {
            return Err(error(
                ErrorCode::BundledForbidden,
                "La base de démonstration intégrée est interdite sur ce poste.",
            ));
        }
        let profile = Profile {
            name: profile.name.trim().to_owned(),
            ..profile
        };
        let mut user = UserSettings::load(&self.settings.data_dir);
        if user.profiles.is_empty() {
            user.profiles = effective.profiles.clone();
        }
        user.profiles.retain(|p| p.name != profile.name);
        user.profiles.push(profile);
        self.store_settings(user)
    }

    pub async fn delete_profile(&self, name: &str) -> Result<()> {
        let effective = self.effective();
        if effective.profiles_pinned {
            return Err(error(
                ErrorCode::ProfilesPinned,
                "Les profils de ce poste sont fixés par la politique informatique.",
            ));
        }
        let mut user = UserSettings::load(&self.settings.data_dir);
        if user.profiles.is_empty() {
            user.profiles = effective.profiles.clone();
        }
        user.profiles.retain(|p| p.name != name);
        if user.profiles.is_empty() {
            return Err(error(
                ErrorCode::LastProfile,
                "Le dernier profil ne peut pas être supprimé.",
            ));
        }
        self.store_settings(user)?;
        if self.keychain.error().is_none() {
            let n = name.to_owned();
            let _ = self.keychain.call(move || keychain::forget(&n)).await;
        }
        Ok(())
    }

    fn store_settings(&self, user: UserSettings) -> Result<()> {
        user.save(&self.settings.data_dir).map_err(|_| {
            error(
                ErrorCode::SettingsUnwritable,
                "Les profils n'ont pas pu être enregistrés dans le dossier de données.",
            )
        })?;
        let effective = config::resolve(config::load_policy(&self.settings.policy), &user);
        *lock(&self.effective) = effective;
        Ok(())
    }

    pub async fn forget_credentials(&self, profile: &str) -> Result<()> {
        let name = profile.to_owned();
        self.keychain
            .call(move || keychain::forget(&name))
            .await
            .map_err(ErrorBody::from)
    }
}

/// A password is remembered only for non-production profiles, if the policy allows it.
fn remember_allowed(effective: &Effective, profile: &Profile) -> bool {
    effective.allow_remember_password && profile.environment != Environment::Production
}

/// The signed-in user's `service`; `service_not_granted` for any other.
fn granted_service<'a>(info: &'a SessionInfo, service: &str) -> Result<&'a ServiceInfo> {
    info.services
        .iter()
        .find(|x| x.code == service)
        .ok_or_else(|| {
            error(
                ErrorCode::ServiceNotGranted,
                "Vous n'êtes pas habilité à ce service.",
            )
        })
}

fn expired() -> ErrorBody {
    error(
        ErrorCode::SessionExpired,
        "Votre session a expiré. Reconnectez-vous.",
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => String::new(),
    }
}

/// The NIR as typed, checked with the core's rules (the UI calls this on every keystroke).
pub fn check_nir(text: &str) -> NirCheck {
    match Nir::parse(text) {
        Ok(_) => NirCheck {
            valid: true,
            code: None,
            message: None,
            incomplete: false,
        },
        Err(e) => NirCheck {
            valid: false,
            code: Some(e.code()),
            message: Some(capitalize(&e.to_string())),
            incomplete: match e {
                NirError::Empty => true,
                // Too short: incomplete only if what is there can start a valid NIR
                // (completed with a template of valid parts, the key computed).
                NirError::Length { found } if found < 15 => {
                    let typed: Vec<char> = text
                        .chars()
                        .filter(|c| !matches!(c, ' ' | '.' | '\u{a0}' | '\u{202f}' | '\t'))
                        .collect();
                    typed.iter().all(char::is_ascii_alphanumeric) && {
                        let first13: String = typed
                            .iter()
                            .copied()
                            .chain("1850175001001".chars().skip(typed.len()))
                            .take(13)
                            .collect();
                        Nir::with_computed_key(&first13).is_ok()
                    }
                }
                _ => false,
            },
        },
    }
}

/// The status of `hours` (`05:00-23:00`, `24/7`) at `now`; unreadable hours count as open
/// (the backend decides anyway).
pub fn hours_view(hours: &str, now: DateTime<Utc>) -> HoursView {
    use guichet_core::policy::hours::{CombinedHours, HoursStatus, paris_hhmm};
    match hours.parse::<CombinedHours>().map(|h| h.status(now)) {
        Ok(HoursStatus::Closed { reopens_at }) => HoursView {
            open: false,
            reopens_hhmm: Some(paris_hhmm(reopens_at)),
            reopens_at: Some(reopens_at),
        },
        Ok(HoursStatus::Open) | Err(_) => HoursView {
            open: true,
            reopens_hhmm: None,
            reopens_at: None,
        },
    }
}

/// R-12, shown live on the password change screen against `rules`, the server's rules
/// that travelled in the session (the server checks again, with history).
pub fn check_password(candidate: &str, identifiant: &str, rules: PasswordRules) -> Vec<Violation> {
    let policy = PasswordPolicy::from(rules);
    policy
        .check(candidate, identifiant)
        .into_iter()
        .map(|v| Violation {
            code: v.code().into(),
            message: v.message(&policy),
        })
        .collect()
}
