//! Signing in, sessions and password changes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use guichet_core::policy::hours::CombinedHours;
use guichet_core::policy::password::PasswordViolation;
use guichet_core::policy::session::{SessionState, effective_idle_secs};
use guichet_core::trace::TraceKind;
use guichet_core::wire::{EndReason, PartnerInfo, ServiceInfo, SessionInfo, UserInfo};
use guichet_store::{
    Grant, NewSession, Partner, PartnerRole, PartnerStatus, SessionBundle, SessionRequest, User,
    UserStatus, prelude::*,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::Guichet;
use crate::error::{Result, ServiceError};
use guichet_core::ErrorCode;

/// An authenticated session, loaded fresh on every call (so a suspension takes effect at
/// once, R-28). Holds no token: only its hash.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) token_hash: String,
    pub user: User,
    pub partner: Partner,
    /// Habilitations usable now: convention active and started.
    pub grants: Vec<Grant>,
    /// A caisse operator's caisse (their account holds no habilitation).
    pub operator_of: Option<String>,
    pub idle_timeout_secs: u32,
    pub created_at: DateTime<Utc>,
    pub address: Option<String>,
    /// The lookup count made with the session check ([`Guichet::authenticate_lookup`]),
    /// for the one lookup of this request.
    pub(crate) counted: crate::limits::CountedOnce,
}

/// An idle deadline moved by less than this is not written (issue 14): a session may end
/// up to this much earlier than its delay says, never later.
pub const ACTIVITY_TOUCH_SECS: u32 = 5;

impl Session {
    pub fn must_change_password(&self) -> bool {
        self.user.must_change_password
    }
}

/// What a session's user is besides a user: a partner's manager, a caisse's operator.
struct Standing {
    role: Option<PartnerRole>,
    operator_of: Option<String>,
}

/// A session whose user may act (look up, read their traces): valid, and its password
/// changed. Only [`Guichet::ready`] makes one, so an operation that takes it cannot
/// forget the check.
#[derive(Debug, Clone)]
pub struct ReadySession(Session);

impl std::ops::Deref for ReadySession {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.0
    }
}

/// The identifiant as stored: trimmed, lower case, 1–64 characters of `a-z 0-9 . _ - @`.
/// `None` for anything else (treated as an unknown identifiant).
pub(crate) fn normalize_identifiant(input: &str) -> Option<String> {
    let s = input.trim().to_lowercase();
    let ok = (1..=64).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    ok.then_some(s)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(bytes.as_mut());
    Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

impl Guichet {
    /// checks the credentials and opens a session.
    pub async fn sign_in(
        &self,
        identifiant: &str,
        password: Zeroizing<String>,
        address: Option<&str>,
    ) -> Result<SessionInfo> {
        let store = &self.inner.store;
        let now = self.now();
        let ident = normalize_identifiant(identifiant);
        let mut trace = self.trace_record(TraceKind::SignIn, "");
        trace.identifiant = ident.clone();
        trace.address = address.map(str::to_owned);

        // Cheap refusals first; a refused attempt has changed nothing but its counters. A
        // rate-limited one is traced aggregated (issue 22): a flood of them, under any
        // identifiant, adds a bounded number of traces.
        if let Err(refused) = self.limit_sign_ins(address, now).await? {
            return Err(self.refused_by_rate(refused, trace).await?);
        }
        let slot = self.inner.hasher.slot().await;
        let slot = self.trace_if_refused(&trace, slot).await?;
        // Lockout is kept per identifiant typed, known or not, and the attempt is
        // counted before the password is checked.
        let lock_key = ident.clone().unwrap_or_else(|| "~".into());
        let attempt = self.lockout_attempt(&lock_key, &trace).await?;
        let user = match &ident {
            Some(i) => store.user_by_identifiant(i).await?,
            None => None,
        };
        // Same work whether the identifiant exists or not.
        let hash = user
            .as_ref()
            .map_or(&self.inner.dummy_hash, |u| &u.password_hash);
        let verified = self.inner.hasher.verify_in(&slot, hash, password).await?;
        drop(slot);
        let Some(user) = user.filter(|_| verified) else {
            trace.outcome = if attempt.locked_until.is_some() {
                "invalid_credentials_locked".into()
            } else {
                ErrorCode::InvalidCredentials.as_str().into()
            };
            self.trace(trace).await?;
            return Err(ServiceError::InvalidCredentials);
        };
        store.clear_lockout(&lock_key).await?;
        let checked = match self.temporary_password_valid(&user, now) {
            Ok(()) => self.allowed(&user, now).await,
            Err(e) => Err(e),
        };
        let (partner, grants, operator_of) = self.trace_if_refused(&trace, checked).await?;
        trace.partner = Some(partner.tiers.clone());
        let idle = effective_idle_secs(grants.iter().map(|g| g.service.idle_timeout_secs));
        let token = new_token();
        store
            .create_session(&NewSession {
                token_hash: token_hash(&token),
                user_id: user.id,
                created_at: now,
                idle_timeout_secs: idle,
                address: address.map(str::to_owned),
            })
            .await?;
        trace.outcome = "ok".into();
        self.trace(trace).await?;
        let role = store.role(user.id).await?;
        Ok(self.session_info(
            token,
            &user,
            &partner,
            &grants,
            Standing { role, operator_of },
            idle,
            now,
        ))
    }

    /// A temporary password (issued by the caisse or an administrator) is good for
    /// `temporary_password_days` only.
    pub(crate) fn temporary_password_valid(&self, user: &User, now: DateTime<Utc>) -> Result<()> {
        let days = i64::from(self.inner.config.temporary_password_days);
        if user.must_change_password && now - user.password_changed_at > Duration::days(days) {
            return Err(ServiceError::TemporaryPasswordExpired);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn session_info(
        &self,
        token: Zeroizing<String>,
        user: &User,
        partner: &Partner,
        grants: &[Grant],
        standing: Standing,
        idle: u32,
        created_at: DateTime<Utc>,
    ) -> SessionInfo {
        let policy = &self.inner.config;
        SessionInfo {
            token,
            user: UserInfo {
                identifiant: user.identifiant.clone(),
                display_name: user.display_name.clone(),
                test_account: user.test_account,
            },
            partner: PartnerInfo {
                tiers: partner.tiers.clone(),
                name: partner.name.clone(),
            },
            services: grants
                .iter()
                .map(|g| ServiceInfo {
                    code: g.service.code.clone(),
                    label: g.service.label.clone(),
                    sections: g.service.sections.clone(),
                    idle_timeout_s: g.service.idle_timeout_secs.min(idle),
                    caisse: g.convention.caisse.clone(),
                    departements: g.departements(),
                    hours: CombinedHours {
                        caisse: g.caisse_hours,
                        service: g.service.hours,
                    }
                    .to_string(),
                    numero_instructeur: g.service.rules.numero_instructeur,
                    history_months: g.service.rules.history_months,
                })
                .collect(),
            must_change_password: user.must_change_password,
            password_age_warning: policy
                .password
                .reminder_due(user.password_changed_at, self.now()),
            idle_timeout_s: idle,
            expires_at: created_at + Duration::seconds(policy.session.absolute_lifetime_secs),
            password_rules: (&policy.password).into(),
            partner_role: standing.role.map(|r| r.code().to_owned()),
            operator_of: standing.operator_of,
        }
    }

    /// the user, their partner and at least one convention must be in force
    /// (active, started, not past the end its notice set). A caisse operator holds no
    /// habilitation: their account is allowed on its own (the third value: their caisse).
    async fn allowed(
        &self,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<(Partner, Vec<Grant>, Option<String>)> {
        self.allowed_with(user, None, None, now).await
    }

    /// [`Self::allowed`] with the user's partner and habilitations when the caller has just
    /// read them.
    async fn allowed_with(
        &self,
        user: &User,
        partner: Option<Partner>,
        grants: Option<Vec<Grant>>,
        now: DateTime<Utc>,
    ) -> Result<(Partner, Vec<Grant>, Option<String>)> {
        let store = &self.inner.store;
        if user.status != UserStatus::Active {
            return Err(ServiceError::AccountDisabled);
        }
        let partner = match partner {
            Some(p) => Some(p),
            None => store.partner(user.partner_id).await?,
        }
        .filter(|p| p.status == PartnerStatus::Active)
        .ok_or(ServiceError::AccountDisabled)?;
        let today = self.today();
        let grants = match grants {
            Some(read) => read,
            None => store.grants(user.id, now).await?,
        };
        let grants: Vec<Grant> = grants
            .into_iter()
            .filter(|g| g.convention.in_force(today))
            .collect();
        if grants.is_empty() {
            // Asked only here, so that a partner's user pays nothing for it.
            if let Some(caisse) = store.operator_caisse(user.id).await? {
                return Ok((partner, grants, Some(caisse)));
            }
            // Issue 22: the administrator and the deputy of a partner whose delegation is in
            // its hands sign in to manage it, whether they look files up or not.
            let manages = store
                .role(user.id)
                .await?
                .is_some_and(PartnerRole::is_caisse_appointed)
                && store
                    .delegations(partner.id, now)
                    .await?
                    .iter()
                    .any(|d| d.withdrawn_at.is_none() && d.convention.in_force(today));
            if manages {
                return Ok((partner, grants, None));
            }
            return Err(ServiceError::AccountDisabled);
        }
        Ok((partner, grants, None))
    }

    /// the session behind a bearer token, if it is still valid. Every
    /// call counts as activity.
    pub async fn authenticate(&self, token: &str, address: Option<&str>) -> Result<Session> {
        self.authenticate_counting(token, address, None).await
    }

    /// [`Self::authenticate`] for a lookup: the request is counted against the user's
    /// lookup rate in the same round trip, and [`Self::lookup`] uses that count (once).
    pub async fn authenticate_lookup(&self, token: &str, address: Option<&str>) -> Result<Session> {
        self.authenticate_counting(token, address, Some(crate::limits::LOOKUP_BUCKET))
            .await
    }

    async fn authenticate_counting(
        &self,
        token: &str,
        address: Option<&str>,
        rate_bucket: Option<&str>,
    ) -> Result<Session> {
        let store = &self.inner.store;
        let now = self.now();
        let hash = token_hash(token);
        let window = crate::limits::window_of(now);
        let found = store
            .session_for_request(&SessionRequest {
                token_hash: &hash,
                at: now,
                touch_after_secs: ACTIVITY_TOUCH_SECS,
                absolute_lifetime_secs: self.inner.config.session.absolute_lifetime_secs,
                rate: rate_bucket.map(|bucket| (bucket, window)),
            })
            .await?
            .filter(|b| b.record.revoked_at.is_none())
            .ok_or(ServiceError::SessionExpired)?;
        let SessionBundle {
            record,
            user,
            partner,
            hits,
            grants,
        } = found;
        let counted = hits.map(|hits| crate::limits::Counted { window, hits });
        let (partner, grants, operator_of) =
            match self.allowed_with(&user, Some(partner), grants, now).await {
                Ok(x) => x,
                Err(ServiceError::AccountDisabled) => {
                    self.end_session(
                        &hash,
                        &user,
                        None,
                        ErrorCode::AccountDisabled.as_str(),
                        address,
                    )
                    .await?;
                    return Err(ServiceError::SessionExpired);
                }
                Err(e) => return Err(e),
            };
        // An administrator may have lowered a delay since sign-in: the strictest applies.
        let idle = effective_idle_secs(
            grants
                .iter()
                .map(|g| g.service.idle_timeout_secs)
                .chain([record.idle_timeout_secs]),
        );
        let state =
            self.inner
                .config
                .session
                .state(record.created_at, record.last_activity_at, idle, now);
        let outcome = match state {
            SessionState::Active => {
                return Ok(Session {
                    token_hash: hash,
                    user,
                    partner,
                    grants,
                    operator_of,
                    idle_timeout_secs: idle,
                    created_at: record.created_at,
                    address: address.map(str::to_owned),
                    counted: crate::limits::CountedOnce::new(counted),
                });
            }
            SessionState::IdleExpired => "idle",
            SessionState::AbsoluteExpired => "absolute",
        };
        self.end_session(&hash, &user, Some(&partner), outcome, address)
            .await?;
        Err(ServiceError::SessionExpired)
    }

    /// the session, if its user has changed the password the caisse issued.
    pub fn ready(&self, session: Session) -> Result<ReadySession> {
        if session.must_change_password() {
            return Err(ServiceError::PasswordChangeRequired);
        }
        Ok(ReadySession(session))
    }

    /// Revokes a session that ran out and traces it, once even under concurrent calls.
    async fn end_session(
        &self,
        hash: &str,
        user: &User,
        partner: Option<&Partner>,
        outcome: &str,
        address: Option<&str>,
    ) -> Result<()> {
        if self.inner.store.revoke_session(hash, self.now()).await? {
            let mut t = self.trace_record(TraceKind::Timeout, outcome);
            t.identifiant = Some(user.identifiant.clone());
            t.partner = partner.map(|p| p.tiers.clone());
            t.address = address.map(str::to_owned);
            self.trace(t).await?;
        }
        Ok(())
    }

    /// changes the password of the signed-in user. The current password is a
    /// credential like any other: a wrong one counts toward the lockout of R-13 (and the
    /// lock, when it comes, ends every session of the user, the token being likely stolen),
    /// and changes are rate-limited per user. A change ends the user's other sessions.
    pub async fn change_password(
        &self,
        session: &Session,
        current: Zeroizing<String>,
        new: Zeroizing<String>,
    ) -> Result<()> {
        let inner = &self.inner;
        let user = &session.user;
        let now = self.now();
        let mut trace = self.session_trace(session, TraceKind::PasswordChange);
        let slot = match self.limit_password_changes(user.id, now).await? {
            Err(refused) => Err(refused),
            Ok(_) => inner.hasher.slot().await,
        };
        let slot = self.trace_if_refused(&trace, slot).await?;
        let attempt = self.lockout_attempt(&user.identifiant, &trace).await?;
        if !inner
            .hasher
            .verify_in(&slot, &user.password_hash, current.clone())
            .await?
        {
            trace.outcome = ErrorCode::InvalidCredentials.as_str().into();
            if attempt.locked_until.is_some() {
                let ended = inner.store.revoke_user_sessions(user.id, now).await?;
                trace.outcome = "invalid_credentials_locked".into();
                trace.detail = Some(format!("sessions_revoked={ended}"));
            }
            self.trace(trace).await?;
            return Err(ServiceError::InvalidCredentials);
        }
        inner.store.clear_lockout(&user.identifiant).await?;
        let mut violations = inner.config.password.check(&new, &user.identifiant);
        if *new == *current {
            violations.push(PasswordViolation::SameAsCurrent);
        } else if violations.is_empty() {
            // Not one of the last N, the current one included.
            let history = inner
                .store
                .password_history(
                    user.id,
                    inner.config.password.history.saturating_sub(1) as u32,
                )
                .await?;
            for old in &history {
                if inner.hasher.verify_in(&slot, old, new.clone()).await? {
                    violations.push(PasswordViolation::RecentlyUsed);
                    break;
                }
            }
        }
        if !violations.is_empty() {
            trace.outcome = ErrorCode::PasswordPolicy.as_str().into();
            self.trace(trace).await?;
            return Err(ServiceError::PasswordPolicy {
                violations,
                policy: inner.config.password,
            });
        }
        let hash = inner.hasher.hash_in(&slot, new).await?;
        drop(slot);
        inner.store.set_password(user.id, &hash, false, now).await?;
        let ended = inner
            .store
            .revoke_other_sessions(user.id, &session.token_hash, now)
            .await?;
        trace.outcome = "ok".into();
        trace.detail = (ended > 0).then(|| format!("sessions_revoked={ended}"));
        self.trace(trace).await?;
        Ok(())
    }

    /// Ends the session (R-16: the client wipes; the server forgets the token).
    pub async fn sign_out(&self, session: &Session) -> Result<()> {
        self.end_session_because(session, EndReason::SignOut).await
    }

    /// Ends the session for `reason` (issue 23): a workstation's idle wipe, screen lock or
    /// sleep is traced as such (`idle`, `screen_locked`, `sleep`), not as the user's
    /// sign-out (`ok`).
    pub async fn end_session_because(&self, session: &Session, reason: EndReason) -> Result<()> {
        self.inner
            .store
            .revoke_session(&session.token_hash, self.now())
            .await?;
        let mut t = self.session_trace(session, TraceKind::SignOut);
        t.outcome = reason.outcome().into();
        self.trace(t).await?;
        Ok(())
    }

    /// The session as a client sees it (without its token, which the client already has).
    pub async fn describe(&self, session: &Session) -> Result<SessionInfo> {
        let role = self.inner.store.role(session.user.id).await?;
        Ok(self.session_info(
            Zeroizing::new(String::new()),
            &session.user,
            &session.partner,
            &session.grants,
            Standing {
                role,
                operator_of: session.operator_of.clone(),
            },
            session.idle_timeout_secs,
            session.created_at,
        ))
    }

    pub(crate) fn session_trace(
        &self,
        session: &Session,
        kind: TraceKind,
    ) -> guichet_core::trace::TraceRecord {
        let mut t = self.trace_record(kind, "");
        t.identifiant = Some(session.user.identifiant.clone());
        t.partner = Some(session.partner.tiers.clone());
        t.address.clone_from(&session.address);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiants_are_normalised() {
        assert_eq!(
            normalize_identifiant("  Demo.Creche "),
            Some("demo.creche".into())
        );
        assert_eq!(normalize_identifiant("a@b.fr"), Some("a@b.fr".into()));
        assert_eq!(normalize_identifiant(""), None);
        assert_eq!(normalize_identifiant("x y"), None);
        assert_eq!(normalize_identifiant(&"a".repeat(65)), None);
        assert_eq!(normalize_identifiant("dupont🙂"), None);
    }

    #[test]
    fn tokens_are_256_bits_and_hashed() {
        let t = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(t.as_bytes()).unwrap().len(), 32);
        assert_ne!(*t, *new_token());
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), *t);
    }
}
