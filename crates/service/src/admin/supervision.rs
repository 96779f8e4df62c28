//! What the caisse does over its partners, whether from the console or as a signed-in
//! operator: users' passwords and states, habilitations' suspension,
//! delegations, late reviews, traces. One [`Supervisor`] runs it, over a [`CaisseScope`]:
//! every caisse at the console, one caisse for an operator. The scope is checked on every
//! partner, convention and user an operation names, before anything changes.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use guichet_core::policy::hours::paris_to_utc;
use guichet_core::service_def::ServiceDef;
use guichet_core::trace::TraceKind;
use guichet_core::wire::{TRACE_PAGE_DEFAULT, TracePageQuery};
use guichet_store::{
    Authority, Convention, Habilitation, Partner, StatsRow, TraceFilter, User, UserGroup,
    UserStatus, prelude::*,
};
use zeroize::Zeroizing;

use super::fields::{
    caisse_state_refusal, check_end_date, end_of, excerpt, narrowed_departements, person_fields,
};
use super::{HabilitationRequest, ManagedUser};
use crate::Guichet;
use crate::audit::AbuseFlag;
use crate::auth::normalize_identifiant;
use crate::error::{Result, ServiceError};
use crate::traces::TracePage;

/// Which caisse's partners a supervisor reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaisseScope {
    /// The administration console: every caisse.
    AllCaisses,
    /// A signed-in operator: the partners and users whose rights come from a convention of
    /// this caisse that still binds it (R-28: not terminated, not past its notice).
    Caisse(String),
}

/// The caisse's supervision power, over a scope. Reached through [`super::ConsoleAdmin`]
/// or [`super::CaisseOperator`] only.
#[derive(Debug)]
pub struct Supervisor<'a> {
    guichet: &'a Guichet,
    /// Named in every trace: the console's operator, or the operator's identifiant.
    actor: String,
    scope: CaisseScope,
}

impl<'a> Supervisor<'a> {
    pub(super) fn new(guichet: &'a Guichet, actor: String, scope: CaisseScope) -> Self {
        Supervisor {
            guichet,
            actor,
            scope,
        }
    }

    pub(super) fn guichet(&self) -> &'a Guichet {
        self.guichet
    }

    pub(super) fn actor(&self) -> &str {
        &self.actor
    }

    pub(super) fn store(&self) -> &'a guichet_store::Store {
        &self.guichet.inner.store
    }

    /// Every administration action is traced under the actor's name; a signed-in
    /// operator's traces carry their caisse (their account's numéro de tiers).
    pub(super) async fn traced(&self, action: &str, target: &str) -> Result<()> {
        let mut t = self.guichet.trace_record(TraceKind::Admin, "ok");
        t.identifiant = Some(self.actor.clone());
        t.partner = self.caisse().map(str::to_owned);
        t.detail = Some(format!("{action} {target}"));
        self.guichet.trace(t).await?;
        Ok(())
    }

    /// Today in Paris, by the service's clock.
    pub fn today(&self) -> NaiveDate {
        self.guichet.today()
    }

    /// The caisse of a signed-in operator; `None` at the console.
    pub fn caisse(&self) -> Option<&str> {
        match &self.scope {
            CaisseScope::AllCaisses => None,
            CaisseScope::Caisse(c) => Some(c),
        }
    }

    pub fn scope(&self) -> &CaisseScope {
        &self.scope
    }

    /// Whether a convention is the scope's: of its caisse, and still binding it.
    fn reaches(&self, c: &Convention) -> bool {
        match &self.scope {
            CaisseScope::AllCaisses => true,
            CaisseScope::Caisse(caisse) => &c.caisse == caisse && c.binds(self.today()),
        }
    }

    pub(super) fn outside_caisse() -> ServiceError {
        ServiceError::OutsideConvention(
            "ce partenaire n'a pas de convention en vigueur avec votre caisse".into(),
        )
    }

    /// Whether the scope reaches this partner (one of its conventions is).
    async fn reaches_partner(&self, partner_id: i64) -> Result<bool> {
        if self.scope == CaisseScope::AllCaisses {
            return Ok(true);
        }
        Ok(self
            .store()
            .conventions_of(partner_id)
            .await?
            .iter()
            .any(|c| self.reaches(c)))
    }

    /// A partner within the scope.
    pub(super) async fn partner(&self, tiers: &str) -> Result<Partner> {
        let p = self
            .store()
            .partner_by_tiers(tiers)
            .await?
            .ok_or(ServiceError::NotFound("partenaire"))?;
        if !self.reaches_partner(p.id).await? {
            return Err(Self::outside_caisse());
        }
        Ok(p)
    }

    /// The partners within the scope.
    pub async fn partners(&self) -> Result<Vec<Partner>> {
        let mut out = Vec::new();
        for p in self.store().partners().await? {
            if self.reaches_partner(p.id).await? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// A convention of the scope's caisse (whatever its state: the caisse still reads a
    /// terminated one).
    pub(super) async fn convention(&self, number: &str) -> Result<Convention> {
        let c = self
            .store()
            .convention(number)
            .await?
            .ok_or(ServiceError::NotFound("convention"))?;
        match self.caisse() {
            Some(caisse) if c.caisse != caisse => Err(Self::outside_caisse()),
            _ => Ok(c),
        }
    }

    /// A partner's conventions, with their terms (an operator's: those of their caisse).
    pub async fn conventions(&self, partner_tiers: &str) -> Result<Vec<Convention>> {
        let partner = self.partner(partner_tiers).await?;
        let mut out = self.store().conventions_of(partner.id).await?;
        if let Some(caisse) = self.caisse() {
            out.retain(|c| c.caisse == caisse);
        }
        Ok(out)
    }

    /// Whether a user of a partner the scope reaches is the scope's too: issue 22 (5), an
    /// operator reaches a user holding a habilitation on a convention the scope reaches; a
    /// user holding none (deactivated, or an administrator who manages without looking
    /// files up) only when every convention still binding the partner is the operator's
    /// caisse's. A user whose rights come from another caisse is that caisse's.
    /// `conventions` are the partner's, `held` the user's habilitations in force (or the
    /// partner's: those of other users are passed over), read once by the caller.
    fn reaches_user(&self, user: &User, conventions: &[Convention], held: &[Habilitation]) -> bool {
        if self.scope == CaisseScope::AllCaisses {
            return true;
        }
        if !conventions.iter().any(|c| self.reaches(c)) {
            return false;
        }
        let today = self.today();
        let partner_is_ours = conventions
            .iter()
            .filter(|c| c.binds(today))
            .all(|c| self.reaches(c));
        let mut held = held.iter().filter(|h| h.user_id == user.id).peekable();
        if held.peek().is_none() {
            return partner_is_ours;
        }
        held.any(|h| {
            conventions
                .iter()
                .any(|c| c.number == h.convention_number && self.reaches(c))
        })
    }

    /// A partner's conventions and habilitations in force, as [`Self::reaches_user`] needs.
    async fn reach_of(&self, partner_id: i64) -> Result<(Vec<Convention>, Vec<Habilitation>)> {
        let store = self.store();
        Ok((
            store.conventions_of(partner_id).await?,
            store.habilitations(partner_id, self.guichet.now()).await?,
        ))
    }

    /// A user within the scope.
    pub(super) async fn user(&self, identifiant: &str) -> Result<User> {
        let ident =
            normalize_identifiant(identifiant).ok_or(ServiceError::NotFound("utilisateur"))?;
        let user = self
            .store()
            .user_by_identifiant(&ident)
            .await?
            .ok_or(ServiceError::NotFound("utilisateur"))?;
        let (conventions, held) = self.reach_of(user.partner_id).await?;
        if !self.reaches_user(&user, &conventions, &held) {
            return Err(ServiceError::OutsideConvention(
                "les droits de ce compte ne viennent pas d'une convention en vigueur de \
                 votre caisse"
                    .into(),
            ));
        }
        Ok(user)
    }

    /// lost or stolen credentials: new temporary password, sessions ended, lockout
    /// cleared; the user must change it at next sign-in.
    pub async fn reset_password(&self, identifiant: &str) -> Result<Zeroizing<String>> {
        let user = self.user(identifiant).await?;
        let password = self.guichet.reset_to_temporary(&user).await?;
        self.traced("user.reset_password", &user.identifiant)
            .await?;
        Ok(password)
    }

    /// suspension, reactivation, deactivation (departure, change of function), set by
    /// the caisse: the partner's managers cannot lift it, nor can another caisse's operator
    /// (the console can). A deactivated user's habilitations end (the quotas are freed):
    /// every one at the console, the operator's caisse's own for an operator. Every session
    /// ends.
    pub async fn set_user_status(&self, identifiant: &str, status: UserStatus) -> Result<()> {
        let user = self.user(identifiant).await?;
        if let Some(own) = self.caisse() {
            let set_by = self.store().user_status_by(user.id).await?;
            if let Some((Authority::Caisse, Some(other))) = set_by
                && user.status != UserStatus::Active
                && other != own
            {
                return Err(caisse_state_refusal(
                    user.status,
                    "une autre caisse : elle seule peut",
                ));
            }
        }
        let now = self.guichet.now();
        self.store()
            .set_user_status(user.id, status, Authority::Caisse, self.caisse(), now)
            .await?;
        if status == UserStatus::Deactivated {
            match self.caisse() {
                None => {
                    self.store().end_habilitations_of(user.id, now).await?;
                }
                Some(_) => {
                    for c in self.store().conventions_of(user.partner_id).await? {
                        if self.reaches(&c) {
                            self.store().end_habilitation(user.id, c.id, now).await?;
                        }
                    }
                }
            }
        }
        if status != UserStatus::Active {
            self.store().revoke_user_sessions(user.id, now).await?;
        }
        self.traced(&format!("user.{status}"), &user.identifiant)
            .await
    }

    /// A partner's users (every user at the console, without a partner).
    pub async fn users(&self, partner_tiers: Option<&str>) -> Result<Vec<User>> {
        let Some(tiers) = partner_tiers else {
            if self.scope != CaisseScope::AllCaisses {
                return Err(ServiceError::InvalidInput("un partenaire".into()));
            }
            return Ok(self.store().users(None).await?);
        };
        let partner = self.partner(tiers).await?;
        let (conventions, held) = self.reach_of(partner.id).await?;
        let mut users = self.store().users(Some(partner.id)).await?;
        users.retain(|u| self.reaches_user(u, &conventions, &held));
        Ok(users)
    }

    /// withdraws a partner's delegation (its managers lose their powers over the
    /// users of these conventions, the caisse manages its habilitations) or gives it back.
    pub async fn set_delegation_withdrawn(&self, tiers: &str, withdrawn: bool) -> Result<()> {
        let p = self.partner(tiers).await?;
        let at = withdrawn.then(|| self.guichet.now());
        if self
            .store()
            .set_delegation_withdrawn(p.id, self.caisse(), at)
            .await?
            == 0
        {
            return Err(ServiceError::NotFound("convention déléguée"));
        }
        let action = if withdrawn {
            "delegation.withdraw"
        } else {
            "delegation.restore"
        };
        self.traced(action, tiers).await
    }

    /// suspends (or restores) one habilitation of a user: it gives no access meanwhile,
    /// from the user's next call on. The caisse's suspension is the caisse's to lift: the
    /// partner's yearly review does not (issue 22).
    pub async fn set_habilitation_suspended(
        &self,
        identifiant: &str,
        service: &str,
        suspended: bool,
    ) -> Result<()> {
        let user = self.user(identifiant).await?;
        let now = self.guichet.now();
        let at = suspended.then_some(now);
        // The user's habilitation on a convention of that service within the scope,
        // whichever convention holds it.
        let mut done = false;
        for c in self.store().conventions_of(user.partner_id).await? {
            if c.service == service
                && self.reaches(&c)
                && self
                    .store()
                    .set_habilitation_suspended(user.id, c.id, at, now)
                    .await?
            {
                done = true;
            }
        }
        if !done {
            return Err(ServiceError::NotFound("habilitation"));
        }
        let action = if suspended {
            "habilitation.suspend"
        } else {
            "habilitation.restore"
        };
        self.traced(&format!("{action} {service}"), &user.identifiant)
            .await
    }

    /// forces a password change at next sign-in, for one user (`identifiant`) or
    /// every user of a partner within the scope (`tiers`); their sessions end. Returns how
    /// many accounts.
    pub async fn force_password_change(
        &self,
        identifiant: Option<&str>,
        tiers: Option<&str>,
    ) -> Result<u64> {
        let users = match (identifiant, tiers) {
            (Some(i), None) => vec![self.user(i).await?],
            (None, Some(t)) => self.users(Some(t)).await?,
            _ => {
                return Err(ServiceError::InvalidInput(
                    "un utilisateur ou un partenaire".into(),
                ));
            }
        };
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let n = self.store().force_password_change(&ids).await?;
        let now = self.guichet.now();
        for id in ids {
            self.store().revoke_user_sessions(id, now).await?;
        }
        let target = identifiant.or(tiers).unwrap_or_default();
        self.traced("password.force_change", &format!("{target} ({n})"))
            .await?;
        Ok(n)
    }

    /// the partners whose yearly review is late, with how many habilitations.
    pub async fn late_reviews(&self) -> Result<Vec<(String, u32)>> {
        let now = self.guichet.now();
        let late = self
            .store()
            .late_reviews(now - chrono::Duration::days(365), now)
            .await?;
        if self.scope == CaisseScope::AllCaisses {
            return Ok(late);
        }
        let mut out = Vec::new();
        for (tiers, n) in late {
            if self.partner(&tiers).await.is_ok() {
                out.push((tiers, n));
            }
        }
        Ok(out)
    }

    /// suspends the habilitations of a partner whose review is late (they give
    /// no access from the next call on); each comes back when its administrator confirms it.
    /// The administrator's and the deputy's are not: they sign in to review.
    pub async fn suspend_late(&self, tiers: &str) -> Result<u64> {
        let p = self.partner(tiers).await?;
        let now = self.guichet.now();
        let n = self
            .store()
            .suspend_unreviewed(p.id, self.caisse(), now - chrono::Duration::days(365), now)
            .await?;
        // Sessions need not end: every call re-reads the habilitations in force.
        self.traced("review.suspend_late", &format!("{tiers} ({n})"))
            .await?;
        Ok(n)
    }

    /// a partner's users within the scope, their roles and habilitations (with their
    /// départements), as the caisse supervises them: an operator sees the habilitations on
    /// its own caisse's conventions only.
    pub async fn supervised_users(&self, tiers: &str) -> Result<Vec<ManagedUser>> {
        let p = self.partner(tiers).await?;
        let conventions = self.store().conventions_of(p.id).await?;
        let mut out = Vec::new();
        for mut u in self.guichet.managed_users(&p).await? {
            if self.reaches_user(&u.user, &conventions, &u.habilitations) {
                u.habilitations.retain(|h| {
                    conventions
                        .iter()
                        .any(|c| c.number == h.convention_number && self.reaches(c))
                });
                out.push(u);
            }
        }
        Ok(out)
    }

    /// a partner's groups of users, as the caisse supervises them (an
    /// operator sees the members within its reach only).
    pub async fn supervised_groups(&self, tiers: &str) -> Result<Vec<UserGroup>> {
        let p = self.partner(tiers).await?;
        let mut groups = self.store().groups(p.id).await?;
        if self.scope != CaisseScope::AllCaisses {
            let reached: Vec<String> = self
                .users(Some(tiers))
                .await?
                .into_iter()
                .map(|u| u.identifiant)
                .collect();
            for g in &mut groups {
                g.members.retain(|m| reached.contains(m));
            }
        }
        Ok(groups)
    }

    /// Whether the partner has delegated conventions (of the scope's caisse), and whether
    /// the delegation is withdrawn.
    pub async fn delegation_state(&self, tiers: &str) -> Result<(bool, bool)> {
        let p = self.partner(tiers).await?;
        let d: Vec<_> = self
            .store()
            .delegations(p.id, self.guichet.now())
            .await?
            .into_iter()
            .filter(|d| self.reaches(&d.convention))
            .collect();
        let withdrawn = d.iter().any(|d| d.withdrawn_at.is_some());
        Ok((!d.is_empty(), withdrawn))
    }

    /// one page of the traces of the caisse's partners and operators (the console:
    /// every trace), newest first, without NIR digests; of a partner's users, only those the
    /// operator reaches (issue 23: not a user whose rights come from another caisse). Issue 22: paged; an operator's page
    /// is merged from one page per partner of its caisse (each read as a page from the
    /// database), so that no listing holds more than a page per partner in memory.
    pub async fn traces(&self, page: TracePageQuery) -> Result<TracePage> {
        let Some(reach) = self.trace_reach().await? else {
            return Ok(self
                .guichet
                .trace_page(&TraceFilter::default(), page)
                .await?
                .without_digests());
        };
        let limit = page.limit.unwrap_or(TRACE_PAGE_DEFAULT) as usize;
        let mut merged = Vec::new();
        let mut more = false;
        for partner in reach.tiers() {
            let filter = TraceFilter {
                partner: Some(partner.to_owned()),
                ..TraceFilter::default()
            };
            let one = self.guichet.trace_page(&filter, page.clone()).await?;
            more |= one.next_before.is_some();
            merged.extend(one.traces);
        }
        merged.sort_by_key(|t| std::cmp::Reverse(t.seq));
        more |= merged.len() > limit;
        merged.truncate(limit);
        let next_before = if more {
            merged.last().map(|t| t.seq)
        } else {
            None
        };
        // Issue 23: the page's cursor is the merged page's, so that paging goes on; what is
        // left out of the page is what the operator does not reach.
        merged
            .retain(|t| reach.reads(t.record.partner.as_deref(), t.record.identifiant.as_deref()));
        Ok(TracePage {
            traces: merged,
            next_before,
        }
        .without_digests())
    }

    /// The convention of `service` through which the caisse itself grants to a partner's
    /// users: one of the scope's, in force, that the caisse manages: not delegated to
    /// the partner, or its delegation withdrawn. A delegated one stays the partner's
    /// managers' to grant on (`outside_convention`).
    async fn managed_convention(&self, partner: &Partner, service: &str) -> Result<Convention> {
        let today = self.today();
        let delegated: Vec<i64> = self
            .store()
            .delegations(partner.id, self.guichet.now())
            .await?
            .into_iter()
            .filter(|d| d.withdrawn_at.is_none())
            .map(|d| d.convention.id)
            .collect();
        let ours: Vec<Convention> = self
            .store()
            .conventions_of(partner.id)
            .await?
            .into_iter()
            .filter(|c| c.service == service && self.reaches(c) && c.in_force(today))
            .collect();
        if ours.is_empty() {
            return Err(ServiceError::OutsideConvention(format!(
                "aucune convention en vigueur de votre caisse pour le service {}",
                excerpt(service)
            )));
        }
        ours.into_iter()
            .find(|c| !delegated.contains(&c.id))
            .ok_or_else(|| {
                ServiceError::OutsideConvention(format!(
                    "la convention du service {} est déléguée au partenaire : ses \
                     gestionnaires attribuent ses habilitations",
                    excerpt(service)
                ))
            })
    }

    /// Checks a grant on `convention`: its end date (T16) and départements (a subset of the
    /// convention's). Returns the départements to record, sorted, `None` for all.
    fn checked_grant(
        &self,
        convention: &Convention,
        def: &ServiceDef,
        request: &HabilitationRequest,
    ) -> Result<Option<Vec<String>>> {
        check_end_date(def, request.ends_on, self.today())?;
        narrowed_departements(convention, request.departements.as_deref())
    }

    /// Grants `request` to `user` on the caisse-managed convention of its service.
    async fn grant_managed(
        &self,
        partner: &Partner,
        user: &User,
        request: &HabilitationRequest,
    ) -> Result<()> {
        let convention = self.managed_convention(partner, &request.service).await?;
        let def = self
            .store()
            .service(&request.service)
            .await?
            .ok_or(ServiceError::UnknownService)?;
        let departements = self.checked_grant(&convention, &def, request)?;
        let granted = self
            .store()
            .grant_by_caisse(
                user.id,
                convention.id,
                departements.as_deref(),
                request.ends_on.map(end_of),
                &self.actor,
                self.guichet.now(),
            )
            .await?;
        if !granted {
            return Err(ServiceError::OutsideConvention(format!(
                "la convention du service {} vient d'être déléguée au partenaire",
                excerpt(&request.service)
            )));
        }
        Ok(())
    }

    /// R-24 (issue 23): the caisse registers a named user of a partner it manages itself,
    /// with a generated identifiant and a temporary password (shown once, changed at first
    /// sign-in), holding `habilitations` (at least one) on the scope's caisse-managed
    /// conventions. Every habilitation is checked before the account is written.
    pub async fn register_user(
        &self,
        tiers: &str,
        display_name: &str,
        email: &str,
        habilitations: &[HabilitationRequest],
    ) -> Result<(User, Zeroizing<String>)> {
        let partner = self.partner(tiers).await?;
        let (display_name, email) = person_fields(display_name, email)?;
        if habilitations.is_empty() {
            return Err(ServiceError::InvalidInput(
                "au moins une habilitation".into(),
            ));
        }
        for request in habilitations {
            let convention = self.managed_convention(&partner, &request.service).await?;
            let def = self
                .store()
                .service(&request.service)
                .await?
                .ok_or(ServiceError::UnknownService)?;
            self.checked_grant(&convention, &def, request)?;
        }
        let now = self.guichet.now();
        let user = self
            .guichet
            .create_named_account(&partner, display_name, email, now)
            .await?;
        let password = self.guichet.reset_to_temporary(&user).await?;
        for request in habilitations {
            if let Err(e) = self.grant_managed(&partner, &user, request).await {
                // Checked above, refused meanwhile (a delegation given back, a convention
                // suspended): no account is left half granted.
                self.store().end_habilitations_of(user.id, now).await?;
                self.store()
                    .set_user_status(
                        user.id,
                        UserStatus::Deactivated,
                        Authority::Caisse,
                        self.caisse(),
                        now,
                    )
                    .await?;
                self.traced("user.add_refused", &user.identifiant).await?;
                return Err(e);
            }
        }
        self.traced("user.add", &user.identifiant).await?;
        Ok((user, password))
    }

    /// grants a habilitation to a user within the scope, on the caisse-managed
    /// convention of its service (a delegated one is the partner's managers' to grant).
    pub async fn grant(&self, identifiant: &str, request: &HabilitationRequest) -> Result<()> {
        let user = self.user(identifiant).await?;
        let partner = self
            .store()
            .partner(user.partner_id)
            .await?
            .ok_or(ServiceError::NotFound("partenaire"))?;
        self.grant_managed(&partner, &user, request).await?;
        self.traced(
            &format!("habilitation.grant {}", request.service),
            &user.identifiant,
        )
        .await
    }

    /// ends a user's habilitation of `service` on the scope's conventions
    /// (delegated or not: the caisse may always take a right back); the user's sessions end.
    pub async fn revoke(&self, identifiant: &str, service: &str) -> Result<()> {
        let user = self.user(identifiant).await?;
        let now = self.guichet.now();
        let mut ended = false;
        for c in self.store().conventions_of(user.partner_id).await? {
            if c.service == service
                && self.reaches(&c)
                && self.store().end_habilitation(user.id, c.id, now).await?
            {
                ended = true;
            }
        }
        if !ended {
            return Err(ServiceError::NotFound("habilitation"));
        }
        self.store().revoke_user_sessions(user.id, now).await?;
        self.traced(&format!("habilitation.revoke {service}"), &user.identifiant)
            .await
    }

    /// What an operator reads of the traces; `None` at the console (every trace).
    async fn trace_reach(&self) -> Result<Option<TraceReach>> {
        let Some(caisse) = self.caisse() else {
            return Ok(None);
        };
        let mut partners = Vec::new();
        let mut users = HashSet::new();
        for p in self.partners().await? {
            if p.tiers == caisse {
                continue;
            }
            users.extend(
                self.users(Some(&p.tiers))
                    .await?
                    .into_iter()
                    .map(|u| u.identifiant),
            );
            partners.push(p.tiers);
        }
        Ok(Some(TraceReach {
            caisse: caisse.to_owned(),
            partners,
            users,
        }))
    }

    /// the month's statistics (`YYYY-MM`, Paris) of the scope's partners, per
    /// partner, user, service, kind and outcome.
    pub async fn monthly_stats(&self, month: &str) -> Result<Vec<StatsRow>> {
        let mut rows = self.guichet.stats_of_month(month).await?;
        if let Some(reach) = self.trace_reach().await? {
            rows.retain(|r| reach.reads(r.partner.as_deref(), r.identifiant.as_deref()));
        }
        Ok(rows)
    }

    /// the users of the scope's partners worth a look since `since` (a day, Paris):
    /// long runs of "no file" answers, unusual daily volumes.
    pub async fn abuse_flags(&self, since: NaiveDate) -> Result<Vec<AbuseFlag>> {
        if !crate::audit::SANE_YEARS.contains(&since.year()) {
            return Err(ServiceError::InvalidInput(
                "date hors des années tenues par les traces".into(),
            ));
        }
        let since = paris_to_utc(since.and_time(chrono::NaiveTime::MIN));
        let Some(reach) = self.trace_reach().await? else {
            let filter = TraceFilter {
                since: Some(since),
                ..TraceFilter::default()
            };
            return self.guichet.abuse_flags(&filter).await;
        };
        let mut flags = Vec::new();
        for partner in reach.tiers() {
            let filter = TraceFilter {
                since: Some(since),
                partner: Some(partner.to_owned()),
                ..TraceFilter::default()
            };
            flags.extend(self.guichet.abuse_flags(&filter).await?);
        }
        flags.retain(|f| reach.reads(f.partner.as_deref(), Some(&f.identifiant)));
        flags.sort_by(|a, b| (a.from, &a.identifiant).cmp(&(b.from, &b.identifiant)));
        Ok(flags)
    }
}

/// What a caisse operator reads of the traces (R-21, issue 23): all of its caisse's own
/// record (its operators'); of its partners', the records of the users it reaches (whose
/// rights come from its conventions, see [`Supervisor::reaches_user`]) and those naming no
/// user (aggregated refusals). A user whose rights come from another caisse is that
/// caisse's to read.
struct TraceReach {
    caisse: String,
    partners: Vec<String>,
    users: HashSet<String>,
}

impl TraceReach {
    /// The numéros de tiers whose records are read: the partners' and the caisse's own.
    fn tiers(&self) -> impl Iterator<Item = &str> {
        self.partners
            .iter()
            .map(String::as_str)
            .chain([self.caisse.as_str()])
    }

    fn reads(&self, partner: Option<&str>, identifiant: Option<&str>) -> bool {
        match partner {
            Some(p) if p == self.caisse => true,
            Some(p) if self.partners.iter().any(|x| x == p) => {
                identifiant.is_none_or(|i| self.users.contains(i))
            }
            _ => false,
        }
    }
}
