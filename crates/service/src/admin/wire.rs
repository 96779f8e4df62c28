//! The administration's answers as they travel (guichet-core's wire types), built here once
//! for the server's routes and the desktop's bundled backend alike, so that both backends
//! answer the same thing.

use chrono::NaiveDate;
use guichet_core::trace::TraceRecord;
use guichet_core::wire::{
    AbuseSignal, AccountStatus, ConventionInfo, CreateUserRequest, CreatedUser, DelegationInfo,
    GroupInfo, HabilitationGrant, HabilitationInfo, ManagedUserInfo, MonthlyStat, ReviewInfo,
    SupervisedPartner, TraceEntries, TraceEntry,
};
use guichet_store::{UserGroup, UserStatus, prelude::*};

use super::{HabilitationRequest, ManagedUser, PartnerManager, Supervisor};
use crate::error::Result;

pub fn account_status(status: UserStatus) -> AccountStatus {
    match status {
        UserStatus::Active => AccountStatus::Active,
        UserStatus::Suspended => AccountStatus::Suspended,
        UserStatus::Deactivated => AccountStatus::Deactivated,
    }
}

pub fn user_status(status: AccountStatus) -> UserStatus {
    match status {
        AccountStatus::Active => UserStatus::Active,
        AccountStatus::Suspended => UserStatus::Suspended,
        AccountStatus::Deactivated => UserStatus::Deactivated,
    }
}

/// A grant as the wire asks it.
pub fn habilitation_request(grant: &HabilitationGrant) -> HabilitationRequest {
    HabilitationRequest {
        service: grant.service.clone(),
        departements: grant.departements.clone(),
        ends_on: grant.ends_on,
    }
}

/// A trace as its readers get it: never the NIR digest.
pub fn trace_entry(record: TraceRecord) -> TraceEntry {
    TraceEntry {
        at: record.at,
        identifiant: record.identifiant,
        kind: record.kind.code().to_owned(),
        service: record.service,
        outcome: record.outcome,
        address: record.address,
    }
}

/// A page of traces as its readers get it (see [`trace_entry`]).
pub fn trace_entries(page: crate::TracePage) -> TraceEntries {
    TraceEntries {
        entries: page
            .traces
            .into_iter()
            .map(|t| trace_entry(t.record))
            .collect(),
        next_before: page.next_before,
    }
}

pub fn managed_user_info(u: ManagedUser) -> ManagedUserInfo {
    ManagedUserInfo {
        identifiant: u.user.identifiant,
        display_name: u.user.display_name,
        email: u.user.email,
        status: account_status(u.user.status),
        role: u.role.map(|r| r.code().to_owned()),
        must_change_password: u.user.must_change_password,
        habilitations: u
            .habilitations
            .into_iter()
            .map(|h| HabilitationInfo {
                service: h.service,
                departements: h.departements.unwrap_or_default(),
                granted_at: h.granted_at,
                ends_at: h.ends_at,
                granted_by: h.granted_by,
                suspended_by: h
                    .suspended_at
                    .and(h.suspension)
                    .map(|s| s.code().to_owned()),
            })
            .collect(),
    }
}

pub fn group_info(g: UserGroup) -> GroupInfo {
    GroupInfo {
        name: g.name,
        members: g.members,
        created_by: g.created_by,
        created_at: g.created_at,
    }
}

impl PartnerManager<'_> {
    /// The delegated conventions and their quota use ("12 / 20").
    pub async fn delegation_infos(&self) -> Result<Vec<DelegationInfo>> {
        Ok(self
            .delegations()
            .await?
            .into_iter()
            .map(|d| DelegationInfo {
                service: d.convention.service,
                convention: d.convention.number,
                caisse: d.convention.caisse,
                departements: d.convention.departements,
                quota: d.quota,
                used: d.used,
            })
            .collect())
    }

    pub async fn user_infos(&self) -> Result<Vec<ManagedUserInfo>> {
        Ok(self
            .users()
            .await?
            .into_iter()
            .map(managed_user_info)
            .collect())
    }

    pub async fn group_infos(&self) -> Result<Vec<GroupInfo>> {
        Ok(self.groups().await?.into_iter().map(group_info).collect())
    }

    /// the review, each habilitation with its due date.
    pub async fn review_infos(&self) -> Result<Vec<ReviewInfo>> {
        let now = self.now();
        Ok(self
            .reviews()
            .await?
            .into_iter()
            .map(|h| ReviewInfo {
                due_at: h.review_due(),
                late: h.review_due() <= now,
                suspended: h.suspended_at.is_some(),
                identifiant: h.identifiant,
                service: h.service,
                granted_at: h.granted_at,
                reviewed_at: h.reviewed_at,
                reviewed_by: h.reviewed_by,
            })
            .collect())
    }

    /// `POST /admin/users`: the new user's generated identifiant and temporary password.
    pub async fn create_user_from(&self, request: &CreateUserRequest) -> Result<CreatedUser> {
        let grants: Vec<HabilitationRequest> = request
            .habilitations
            .iter()
            .map(habilitation_request)
            .collect();
        let (user, password) = self
            .create_user(&request.name, &request.email, &grants)
            .await?;
        Ok(CreatedUser {
            identifiant: user.identifiant,
            temporary_password: password,
        })
    }
}

impl Supervisor<'_> {
    /// The partners the operator supervises (not the caisse's own record), with their
    /// delegation's state and late reviews.
    pub async fn supervised_partners(&self) -> Result<Vec<SupervisedPartner>> {
        let late = self.late_reviews().await?;
        let mut out = Vec::new();
        for p in self.partners().await? {
            if self.caisse() == Some(p.tiers.as_str()) {
                continue;
            }
            let (delegated, withdrawn) = self.delegation_state(&p.tiers).await?;
            out.push(SupervisedPartner {
                late_reviews: late
                    .iter()
                    .find(|(t, _)| *t == p.tiers)
                    .map_or(0, |(_, n)| *n),
                tiers: p.tiers,
                name: p.name,
                status: p.status.code().to_owned(),
                delegated,
                delegation_withdrawn: withdrawn,
            });
        }
        Ok(out)
    }

    pub async fn supervised_user_infos(&self, tiers: &str) -> Result<Vec<ManagedUserInfo>> {
        Ok(self
            .supervised_users(tiers)
            .await?
            .into_iter()
            .map(managed_user_info)
            .collect())
    }

    /// R-24 (issue 23): registers a user of a caisse-managed partner, as the wire asks.
    pub async fn register_user_from(
        &self,
        tiers: &str,
        request: &CreateUserRequest,
    ) -> Result<CreatedUser> {
        let grants: Vec<HabilitationRequest> = request
            .habilitations
            .iter()
            .map(habilitation_request)
            .collect();
        let (user, password) = self
            .register_user(tiers, &request.name, &request.email, &grants)
            .await?;
        Ok(CreatedUser {
            identifiant: user.identifiant,
            temporary_password: password,
        })
    }

    /// A partner's conventions with the scope's caisse, and who grants on each.
    pub async fn convention_infos(&self, tiers: &str) -> Result<Vec<ConventionInfo>> {
        let conventions = self.conventions(tiers).await?;
        let Some(first) = conventions.first() else {
            return Ok(Vec::new());
        };
        let delegations = self
            .store()
            .delegations(first.partner_id, self.guichet().now())
            .await?;
        Ok(conventions
            .into_iter()
            .map(|c| {
                let d = delegations.iter().find(|d| d.convention.id == c.id);
                ConventionInfo {
                    delegated: d.is_some(),
                    delegation_withdrawn: d.is_some_and(|d| d.withdrawn_at.is_some()),
                    quota: d.and_then(|d| d.quota),
                    status: c.status.code().to_owned(),
                    number: c.number,
                    service: c.service,
                    caisse: c.caisse,
                    departements: c.departements,
                    starts_on: c.starts_on,
                    notice_on: c.notice_on,
                    ends_on: c.ends_on,
                }
            })
            .collect())
    }

    /// R-22, as the wire carries it.
    pub async fn monthly_stat_lines(&self, month: &str) -> Result<Vec<MonthlyStat>> {
        Ok(self
            .monthly_stats(month)
            .await?
            .into_iter()
            .map(|r| MonthlyStat {
                partner: r.partner,
                identifiant: r.identifiant,
                service: r.service,
                kind: r.kind,
                outcome: r.outcome,
                count: u64::try_from(r.count).unwrap_or(0),
            })
            .collect())
    }

    /// R-23, as the wire carries it.
    pub async fn abuse_signals(&self, since: NaiveDate) -> Result<Vec<AbuseSignal>> {
        Ok(self
            .abuse_flags(since)
            .await?
            .into_iter()
            .map(|f| AbuseSignal {
                identifiant: f.identifiant,
                partner: f.partner,
                reason: f.reason,
                from: f.from,
                to: f.to,
            })
            .collect())
    }
}
