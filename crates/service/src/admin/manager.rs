//! Delegated habilitation management: a partner's administrator, deputy and
//! delegated managers create their users and grant them habilitations, within the
//! conventions the caisse delegated to the partner, their départements and their quotas.
//! Their power is a [`PartnerManager`], which only [`Guichet::partner_manager`] gives, from a
//! ready session of a user who holds a role at a partner whose delegation is in force.
//! Least privilege: a manager grants only what the partner's delegated conventions hold,
//! acts only on users whose rights come from a delegation still in the partner's hands
//! (issue 22: not one the caisse withdrew), never on their own account, never on the
//! administrator or the deputy (the caisse's), and a delegated manager never on another
//! manager (the administrator's). A state the caisse put a user or a habilitation in is the
//! caisse's to lift.

use chrono::{DateTime, NaiveDate, Utc};
use guichet_core::admin::{Refusal, manager_may_act, manager_may_set_status};
use guichet_core::trace::TraceKind;
use guichet_core::wire::TracePageQuery;
use guichet_store::{
    Authority, Delegation, GrantOutcome, Habilitation, Partner, PartnerRole, StoreError,
    TraceFilter, User, UserGroup, UserStatus, prelude::*,
};
use zeroize::Zeroizing;

use super::fields::{
    caisse_state_refusal, check_end_date, end_of, narrowed_departements, person_fields, text,
};
use crate::Guichet;
use crate::auth::{ReadySession, normalize_identifiant};
use crate::error::{Result, ServiceError};
use crate::traces::TracePage;

/// A partner habilitation manager's power. Obtained from [`Guichet::partner_manager`] only.
#[derive(Debug)]
pub struct PartnerManager<'a> {
    guichet: &'a Guichet,
    manager: User,
    role: PartnerRole,
    partner: Partner,
}

/// A habilitation to grant: a delegated service, until an end date (included) or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HabilitationRequest {
    pub service: String,
    /// some of the convention's départements only (`None`: all of them).
    pub departements: Option<Vec<String>>,
    pub ends_on: Option<NaiveDate>,
}

/// A user as their manager sees them.
#[derive(Debug, Clone)]
pub struct ManagedUser {
    pub user: User,
    pub role: Option<PartnerRole>,
    pub habilitations: Vec<Habilitation>,
}

impl Guichet {
    /// the power of one of the partner's habilitation managers. `not_a_manager` for a
    /// user without a role or at a partner with no delegated convention;
    /// `delegation_withdrawn` once the caisse has taken management back.
    pub async fn partner_manager(&self, session: &ReadySession) -> Result<PartnerManager<'_>> {
        let store = &self.inner.store;
        let role = store
            .role(session.user.id)
            .await?
            .ok_or(ServiceError::NotAManager)?;
        let today = self.today();
        let delegations: Vec<Delegation> = store
            .delegations(session.partner.id, self.now())
            .await?
            .into_iter()
            .filter(|d| d.convention.binds(today))
            .collect();
        if delegations.is_empty() {
            return Err(ServiceError::NotAManager);
        }
        if delegations.iter().all(|d| d.withdrawn_at.is_some()) {
            return Err(ServiceError::DelegationWithdrawn);
        }
        Ok(PartnerManager {
            guichet: self,
            manager: session.user.clone(),
            role,
            partner: session.partner.clone(),
        })
    }
}

impl PartnerManager<'_> {
    fn store(&self) -> &guichet_store::Store {
        &self.guichet.inner.store
    }

    pub fn role(&self) -> PartnerRole {
        self.role
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.guichet.now()
    }

    pub fn partner(&self) -> &Partner {
        &self.partner
    }

    /// Every manager action is traced under the manager's identifiant and partner.
    async fn traced(&self, action: &str, target: &str) -> Result<()> {
        let mut t = self.guichet.trace_record(TraceKind::Admin, "ok");
        t.identifiant = Some(self.manager.identifiant.clone());
        t.partner = Some(self.partner.tiers.clone());
        t.detail = Some(format!("{action} {target}"));
        self.guichet.trace(t).await?;
        Ok(())
    }

    /// The delegations in the partner's hands (not withdrawn, on conventions that still
    /// bind the caisse), with their quota use ("12 / 20").
    pub async fn delegations(&self) -> Result<Vec<Delegation>> {
        let today = self.guichet.today();
        Ok(self
            .store()
            .delegations(self.partner.id, self.guichet.now())
            .await?
            .into_iter()
            .filter(|d| d.withdrawn_at.is_none() && d.convention.binds(today))
            .collect())
    }

    /// The numbers of the conventions whose delegation is in the partner's hands.
    async fn conventions_in_hand(&self) -> Result<Vec<String>> {
        Ok(self
            .delegations()
            .await?
            .into_iter()
            .map(|d| d.convention.number)
            .collect())
    }

    /// The delegated convention of `service`, or `outside_convention`.
    async fn delegation(&self, service: &str) -> Result<Delegation> {
        self.delegations()
            .await?
            .into_iter()
            .find(|d| d.convention.service == service)
            .ok_or_else(|| {
                ServiceError::OutsideConvention(format!(
                    "le service {service} n'est pas délégué à votre organisme"
                ))
            })
    }

    /// The partner's users, their roles and habilitations in force (each with the
    /// départements it reaches).
    pub async fn users(&self) -> Result<Vec<ManagedUser>> {
        self.guichet.managed_users(&self.partner).await
    }

    /// A user of the partner this manager may act on ([`manager_may_act`]): never
    /// themself (`own_account`), never the administrator or the deputy, another delegated
    /// manager only for the administrator and the deputy; and only a user whose rights come
    /// from a delegation in the partner's hands, or who holds none (issue 22: once the
    /// caisse withdraws a delegation, the users it alone gave rights to are the caisse's).
    async fn managed(&self, identifiant: &str) -> Result<User> {
        let ident =
            normalize_identifiant(identifiant).ok_or(ServiceError::NotFound("utilisateur"))?;
        let user = self
            .store()
            .user_by_identifiant(&ident)
            .await?
            .filter(|u| u.partner_id == self.partner.id)
            .ok_or(ServiceError::NotFound("utilisateur"))?;
        let theirs = self.store().role(user.id).await?;
        match manager_may_act(self.role, theirs, user.id == self.manager.id) {
            Ok(()) => {}
            Err(Refusal::OwnAccount) => return Err(ServiceError::OwnAccount),
            Err(Refusal::AboveActor) => {
                return Err(ServiceError::OutsideConvention(
                    "les droits de ce compte sont gérés par la caisse ou l'administrateur".into(),
                ));
            }
        }
        let in_hand = self.conventions_in_hand().await?;
        let held: Vec<Habilitation> = self
            .store()
            .habilitations(self.partner.id, self.guichet.now())
            .await?
            .into_iter()
            .filter(|h| h.user_id == user.id)
            .collect();
        if !held.is_empty() && !held.iter().any(|h| in_hand.contains(&h.convention_number)) {
            return Err(ServiceError::OutsideConvention(
                "les droits de ce compte viennent d'une convention que la caisse gère".into(),
            ));
        }
        Ok(user)
    }

    /// Grants `request` to `user` within the quota.
    /// A grant as asked, checked against the delegations before anything is written:
    /// the delegation it falls under and the départements it is narrowed to (sorted, no
    /// duplicate). Refused: a service outside the delegations, a temporary profile without
    /// end date (T16), a past end date, a département outside the convention.
    async fn check_request(
        &self,
        request: &HabilitationRequest,
    ) -> Result<(Delegation, Option<Vec<String>>)> {
        let delegation = self.delegation(&request.service).await?;
        let service = self
            .store()
            .service(&request.service)
            .await?
            .ok_or(ServiceError::UnknownService)?;
        check_end_date(&service, request.ends_on, self.guichet.today())?;
        let departements =
            narrowed_departements(&delegation.convention, request.departements.as_deref())?;
        Ok((delegation, departements))
    }

    async fn grant_to(&self, user: &User, request: &HabilitationRequest) -> Result<GrantOutcome> {
        let (delegation, departements) = self.check_request(request).await?;
        let outcome = self
            .store()
            .grant_within_quota(
                user.id,
                delegation.convention.id,
                departements.as_deref(),
                request.ends_on.map(end_of),
                &self.manager.identifiant,
                self.guichet.now(),
            )
            .await?;
        if let GrantOutcome::QuotaReached { quota } = outcome {
            return Err(ServiceError::QuotaReached {
                service: request.service.clone(),
                quota,
            });
        }
        Ok(outcome)
    }

    /// R-25, seed 003 art. 9.1: a new user of the partner, with a generated identifiant and
    /// a temporary password (shown once, to be changed at first sign-in), holding
    /// `habilitations` (at least one; each within its delegation's quota). If a quota is
    /// reached meanwhile, the new account is deactivated and nothing stays granted.
    pub async fn create_user(
        &self,
        display_name: &str,
        email: &str,
        habilitations: &[HabilitationRequest],
    ) -> Result<(User, Zeroizing<String>)> {
        let (display_name, email) = person_fields(display_name, email)?;
        if habilitations.is_empty() {
            return Err(ServiceError::InvalidInput(
                "au moins une habilitation".into(),
            ));
        }
        // Refused before anything is written: a grant that cannot be, or a quota already
        // used up (the grant below checks again, atomically).
        for request in habilitations {
            let (d, _) = self.check_request(request).await?;
            if let Some(quota) = d.quota.filter(|q| d.used >= *q) {
                return Err(ServiceError::QuotaReached {
                    service: request.service.clone(),
                    quota,
                });
            }
        }
        let now = self.guichet.now();
        let user = self
            .guichet
            .create_named_account(&self.partner, display_name, email, now)
            .await?;
        let password = self.guichet.reset_to_temporary(&user).await?;
        for request in habilitations {
            if let Err(e) = self.grant_to(&user, request).await {
                self.store().end_habilitations_of(user.id, now).await?;
                self.store()
                    .set_user_status(
                        user.id,
                        UserStatus::Deactivated,
                        Authority::Partner,
                        None,
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

    /// grants a habilitation (within the quota), optionally until an end date.
    pub async fn grant(&self, identifiant: &str, request: &HabilitationRequest) -> Result<()> {
        let user = self.managed(identifiant).await?;
        self.grant_to(&user, request).await?;
        self.traced(
            &format!("habilitation.grant {}", request.service),
            &user.identifiant,
        )
        .await
    }

    /// Ends a habilitation now, on whichever delegation in hand of that service holds it (two
    /// caisses may delegate the same service); the user's sessions end (their rights
    /// changed).
    pub async fn revoke(&self, identifiant: &str, service: &str) -> Result<()> {
        let user = self.managed(identifiant).await?;
        let now = self.guichet.now();
        let mut ended = false;
        for d in self.delegations().await? {
            if d.convention.service == service
                && self
                    .store()
                    .end_habilitation(user.id, d.convention.id, now)
                    .await?
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

    /// the partner's groups of users, with their members.
    pub async fn groups(&self) -> Result<Vec<UserGroup>> {
        Ok(self.store().groups(self.partner.id).await?)
    }

    async fn group(&self, name: &str) -> Result<UserGroup> {
        self.groups()
            .await?
            .into_iter()
            .find(|g| g.name == name.trim())
            .ok_or(ServiceError::NotFound("groupe"))
    }

    /// a new group, empty.
    pub async fn create_group(&self, name: &str) -> Result<UserGroup> {
        let name = text("nom du groupe", name, 80)?;
        let g = self
            .store()
            .create_group(
                self.partner.id,
                &name,
                &self.manager.identifiant,
                self.guichet.now(),
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => ServiceError::Conflict("groupe (nom)"),
                e => e.into(),
            })?;
        self.traced("group.create", &name).await?;
        Ok(g)
    }

    /// Deletes a group; its members keep the habilitations they hold.
    pub async fn delete_group(&self, name: &str) -> Result<()> {
        let g = self.group(name).await?;
        self.store().delete_group(g.id).await?;
        self.traced("group.delete", &g.name).await
    }

    /// Adds a user the manager may act on to a group, or removes them.
    pub async fn set_group_member(
        &self,
        name: &str,
        identifiant: &str,
        member: bool,
    ) -> Result<()> {
        let g = self.group(name).await?;
        let user = self.managed(identifiant).await?;
        if !self.store().set_group_member(g.id, user.id, member).await? && !member {
            return Err(ServiceError::NotFound("membre du groupe"));
        }
        let action = if member { "group.add" } else { "group.remove" };
        self.traced(&format!("{action} {}", g.name), &user.identifiant)
            .await
    }

    /// grants `request` to every member of a group, within the quota: all or none
    /// (if the quota runs out midway, the grants made by this call are taken back). Returns
    /// how many members received it (the others held it already).
    pub async fn grant_group(&self, name: &str, request: &HabilitationRequest) -> Result<u32> {
        let g = self.group(name).await?;
        let mut members = Vec::with_capacity(g.members.len());
        for identifiant in &g.members {
            members.push(self.managed(identifiant).await?);
        }
        let (delegation, _) = self.check_request(request).await?;
        // Members holding it already keep it as it is (their end date, their départements).
        let holders: Vec<i64> = self
            .store()
            .habilitations(self.partner.id, self.guichet.now())
            .await?
            .into_iter()
            .filter(|h| h.convention_number == delegation.convention.number)
            .map(|h| h.user_id)
            .collect();
        let mut granted = Vec::new();
        for user in members.iter().filter(|u| !holders.contains(&u.id)) {
            match self.grant_to(user, request).await {
                Ok(GrantOutcome::Granted) => granted.push(user),
                Ok(_) => {}
                Err(e) => {
                    let now = self.guichet.now();
                    for u in granted {
                        self.store()
                            .end_habilitation(u.id, delegation.convention.id, now)
                            .await?;
                    }
                    return Err(e);
                }
            }
        }
        let n = u32::try_from(granted.len()).unwrap_or(u32::MAX);
        self.traced(
            &format!("habilitation.grant {} ({n})", request.service),
            &format!("groupe {}", g.name),
        )
        .await?;
        Ok(n)
    }

    /// Ends a habilitation for every member of a group holding it; their sessions end.
    /// Returns how many lost it.
    pub async fn revoke_group(&self, name: &str, service: &str) -> Result<u32> {
        let g = self.group(name).await?;
        let delegation = self.delegation(service).await?;
        // Every member within the manager's power, checked before anything changes.
        let mut members = Vec::with_capacity(g.members.len());
        for identifiant in &g.members {
            members.push(self.managed(identifiant).await?);
        }
        let now = self.guichet.now();
        let mut n = 0u32;
        for user in members {
            if self
                .store()
                .end_habilitation(user.id, delegation.convention.id, now)
                .await?
            {
                self.store().revoke_user_sessions(user.id, now).await?;
                n += 1;
            }
        }
        self.traced(
            &format!("habilitation.revoke {service} ({n})"),
            &format!("groupe {}", g.name),
        )
        .await?;
        Ok(n)
    }

    /// Suspension, reactivation, deactivation; a deactivated user's habilitations end (the
    /// quota is freed) and every session ends. A state the caisse set is the caisse's to
    /// lift: refused here, whatever is asked.
    pub async fn set_user_status(&self, identifiant: &str, status: UserStatus) -> Result<()> {
        let user = self.managed(identifiant).await?;
        let set_by = self
            .store()
            .user_status_by(user.id)
            .await?
            .map(|(by, _)| by);
        if !manager_may_set_status(user.status, set_by) {
            return Err(caisse_state_refusal(
                user.status,
                "la caisse : seule la caisse peut",
            ));
        }
        let now = self.guichet.now();
        // Checked again in the statement: a caisse's state written meanwhile stands.
        if !self
            .store()
            .set_user_status(user.id, status, Authority::Partner, None, now)
            .await?
        {
            return Err(caisse_state_refusal(
                UserStatus::Suspended,
                "la caisse : seule la caisse peut",
            ));
        }
        if status == UserStatus::Deactivated {
            self.store().end_habilitations_of(user.id, now).await?;
        }
        if status != UserStatus::Active {
            self.store().revoke_user_sessions(user.id, now).await?;
        }
        self.traced(&format!("user.{status}"), &user.identifiant)
            .await
    }

    /// A new temporary password (shown once); sessions end, the lockout is cleared, the
    /// user must change it at next sign-in.
    pub async fn reset_password(&self, identifiant: &str) -> Result<Zeroizing<String>> {
        let user = self.managed(identifiant).await?;
        let password = self.guichet.reset_to_temporary(&user).await?;
        self.traced("user.reset_password", &user.identifiant)
            .await?;
        Ok(password)
    }

    /// one page of the partner's traces, newest first (who, when, service, outcome; a
    /// NIR is never in a trace, only its keyed digest, which is dropped here), for its
    /// administrator and deputy. Issue 22: paged, one page read from the database.
    pub async fn traces(&self, page: TracePageQuery) -> Result<TracePage> {
        self.administrator_only("les traces du partenaire")?;
        let filter = TraceFilter {
            partner: Some(self.partner.tiers.clone()),
            ..Default::default()
        };
        Ok(self
            .guichet
            .trace_page(&filter, page)
            .await?
            .without_digests())
    }

    /// `outside_convention` for a delegated manager: `what` is the administrator's and the
    /// deputy's.
    fn administrator_only(&self, what: &str) -> Result<()> {
        if self.role == PartnerRole::Manager {
            return Err(ServiceError::OutsideConvention(format!(
                "{what} : réservé à l'administrateur et à son suppléant"
            )));
        }
        Ok(())
    }

    /// every habilitation the partner reviews, with the date its yearly review is
    /// due ([`Habilitation::review_due`]); those past it are late. Only habilitations on the
    /// delegations in the partner's hands, and neither the reviewer's own nor the
    /// administrator's or the deputy's (the caisse reviews those).
    pub async fn reviews(&self) -> Result<Vec<Habilitation>> {
        self.administrator_only("la revue annuelle")?;
        let in_hand = self.conventions_in_hand().await?;
        let mut out = Vec::new();
        for h in self
            .store()
            .habilitations(self.partner.id, self.guichet.now())
            .await?
        {
            if h.user_id == self.manager.id || !in_hand.contains(&h.convention_number) {
                continue;
            }
            let role = self.store().role(h.user_id).await?;
            if !role.is_some_and(PartnerRole::is_caisse_appointed) {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// the administrator confirms (`keep`) a habilitation, which is then due again in a
    /// year (a suspension for lateness is lifted, never the caisse's own: R-26), or removes
    /// it. The user must be within the manager's power ([`Self::managed`]).
    pub async fn review(&self, identifiant: &str, service: &str, keep: bool) -> Result<()> {
        self.administrator_only("la revue annuelle")?;
        let user = self.managed(identifiant).await?;
        let ident = user.identifiant;
        let h = self
            .reviews()
            .await?
            .into_iter()
            .find(|h| h.identifiant == ident && h.service == service)
            .ok_or(ServiceError::NotFound("habilitation"))?;
        let now = self.guichet.now();
        if keep {
            self.store()
                .review_habilitation(h.id, &self.manager.identifiant, now)
                .await?;
        } else {
            // The convention the reviewed habilitation is on (reviews() lists only those of
            // delegations in hand).
            let convention = self
                .store()
                .convention(&h.convention_number)
                .await?
                .ok_or(ServiceError::NotFound("habilitation"))?;
            if !self
                .store()
                .end_habilitation(h.user_id, convention.id, now)
                .await?
            {
                return Err(ServiceError::NotFound("habilitation"));
            }
            self.store().revoke_user_sessions(h.user_id, now).await?;
        }
        let action = if keep {
            "review.confirm"
        } else {
            "review.remove"
        };
        self.traced(&format!("{action} {service}"), &h.identifiant)
            .await
    }

    /// the review as proof for the caisse, CSV (`;`-separated, as French spreadsheets
    /// read it): every habilitation in force, when granted and by whom, when last confirmed
    /// and by whom, when due, whether suspended.
    pub async fn review_csv(&self) -> Result<String> {
        let now = self.guichet.now();
        let day = |t: DateTime<Utc>| {
            t.with_timezone(&chrono_tz::Europe::Paris)
                .format("%Y-%m-%d")
                .to_string()
        };
        let mut out = String::from(
            "partenaire;identifiant;service;attribuée le;attribuée par;revue le;revue par;\
             prochaine revue;en retard;suspendue\n",
        );
        for h in self.reviews().await? {
            let due = h.review_due();
            let fields = [
                self.partner.tiers.clone(),
                h.identifiant.clone(),
                h.service.clone(),
                day(h.granted_at),
                h.granted_by.clone().unwrap_or_default(),
                h.reviewed_at.map(day).unwrap_or_default(),
                h.reviewed_by.clone().unwrap_or_default(),
                day(due),
                if due <= now { "oui" } else { "non" }.into(),
                if h.suspended_at.is_some() {
                    "oui"
                } else {
                    "non"
                }
                .into(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(";"));
            out.push('\n');
        }
        Ok(out)
    }

    /// the review as a printable page, proof for the caisse: a self-contained HTML
    /// document (no script, no style sheet, every value escaped) naming the partner, who
    /// printed it and when, and each habilitation's grant, last review and due date.
    pub async fn review_page(&self) -> Result<String> {
        let now = self.guichet.now();
        let paris = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::Paris);
        let day = |t: DateTime<Utc>| paris(t).format("%d/%m/%Y").to_string();
        let reviews = self.reviews().await?;
        let late = reviews.iter().filter(|h| h.review_due() <= now).count();
        let mut rows = String::new();
        for h in &reviews {
            let due = h.review_due();
            let state = match (h.suspension, due <= now) {
                (Some(guichet_store::Suspension::Caisse), _) => "suspendue par la caisse",
                (Some(guichet_store::Suspension::LateReview), _) => "suspendue (revue en retard)",
                (None, true) => "en retard",
                (None, false) => "à jour",
            };
            let cells = [
                h.identifiant.clone(),
                h.service.clone(),
                format!(
                    "{} ({})",
                    day(h.granted_at),
                    h.granted_by.as_deref().unwrap_or("—")
                ),
                h.reviewed_at.map_or_else(
                    || "jamais".to_owned(),
                    |t| format!("{} ({})", day(t), h.reviewed_by.as_deref().unwrap_or("—")),
                ),
                day(due),
                state.to_owned(),
            ];
            rows.push_str("<tr>");
            for c in cells {
                rows.push_str("<td>");
                rows.push_str(&html_escape(&c));
                rows.push_str("</td>");
            }
            rows.push_str("</tr>\n");
        }
        let partner = html_escape(&format!("{} ({})", self.partner.name, self.partner.tiers));
        Ok(format!(
            "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
             <title>Revue annuelle des habilitations — {partner}</title></head><body>\n\
             <h1>Revue annuelle des habilitations</h1>\n\
             <p>Partenaire : {partner}<br>Établie le {} à {} (heure de Paris) par {}.<br>\
             {} habilitation(s) en vigueur, dont {late} dont la revue est en retard.</p>\n\
             <table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n\
             <thead><tr><th scope=\"col\">Utilisateur</th><th scope=\"col\">Service</th>\
             <th scope=\"col\">Attribuée le (par)</th><th scope=\"col\">Dernière revue (par)</th>\
             <th scope=\"col\">Prochaine revue</th><th scope=\"col\">État</th></tr></thead>\n\
             <tbody>\n{rows}</tbody></table>\n\
             <p>Chaque habilitation est à confirmer ou à retirer une fois par an (revue \
             inverse) ; ce document en est la preuve pour la caisse.</p>\n</body></html>\n",
            paris(now).format("%d/%m/%Y"),
            paris(now).format("%H:%M"),
            html_escape(&self.manager.identifiant),
            reviews.len(),
        ))
    }

    /// the administrator or deputy appoints (`true`) or dismisses a delegated manager.
    /// Nobody makes anyone administrator or deputy here: that is the caisse's.
    pub async fn set_manager(&self, identifiant: &str, manager: bool) -> Result<()> {
        if self.role == PartnerRole::Manager {
            return Err(ServiceError::OutsideConvention(
                "seuls l'administrateur et son suppléant nomment les gestionnaires".into(),
            ));
        }
        let user = self.managed(identifiant).await?;
        let role = manager.then_some(PartnerRole::Manager);
        self.store()
            .set_role(user.id, role, &self.manager.identifiant, self.guichet.now())
            .await?;
        let action = if manager {
            "manager.appoint"
        } else {
            "manager.dismiss"
        };
        self.traced(action, &user.identifiant).await
    }
}

/// A CSV field: quoted when it holds the separator, a quote or a line break; a leading
/// `=`, `+`, `-` or `@` is neutralised so that a spreadsheet does not run it as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Text as HTML: the five characters that could open markup or an attribute, escaped.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("demo.caf"), "demo.caf");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("dit \"x\""), "\"dit \"\"x\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
