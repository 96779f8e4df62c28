//! The management calls ([`ManageCall`], issue 23) run in-process: the desktop's bundled
//! backend takes the same calls as a remote server, and each lands on the power that the
//! API route of the same name uses (a user's own, [`PartnerManager`], [`CaisseOperator`]),
//! which checks it. The server's routes are the other door to the same operations.

use guichet_core::manage::{ManageCall, ManageReply};
use guichet_core::wire::{Affected, ReviewDecision, TemporaryPassword};

use super::wire::{group_info, habilitation_request, trace_entries, user_status};
use super::{CaisseOperator, PartnerManager};
use crate::Guichet;
use crate::auth::ReadySession;
use crate::error::Result;

impl Guichet {
    /// Runs `call` with the powers of `session`'s user: `not_a_manager`, `not_an_operator`
    /// and the other refusals exactly as the API gives them.
    pub async fn manage(&self, session: &ReadySession, call: &ManageCall) -> Result<ManageReply> {
        use ManageCall as C;
        match call {
            C::MyTraces { page } => Ok(ManageReply::Traces(trace_entries(
                self.my_traces(session, page.clone()).await?,
            ))),
            C::Delegations {}
            | C::Users {}
            | C::CreateUser { .. }
            | C::SetStatus { .. }
            | C::ResetPassword { .. }
            | C::Grant { .. }
            | C::Revoke { .. }
            | C::SetManager { .. }
            | C::Groups {}
            | C::CreateGroup { .. }
            | C::DeleteGroup { .. }
            | C::SetMember { .. }
            | C::GrantGroup { .. }
            | C::RevokeGroup { .. }
            | C::PartnerTraces { .. }
            | C::Reviews {}
            | C::Review { .. }
            | C::ReviewCsv {}
            | C::ReviewPage {} => as_manager(&self.partner_manager(session).await?, call).await,
            C::CaissePartners {}
            | C::CaisseConventions { .. }
            | C::CaisseUsers { .. }
            | C::CaisseGroups { .. }
            | C::CaisseRegisterUser { .. }
            | C::CaisseSetStatus { .. }
            | C::CaisseResetPassword { .. }
            | C::CaisseGrant { .. }
            | C::CaisseRevoke { .. }
            | C::CaisseSuspend { .. }
            | C::CaisseForceUserChange { .. }
            | C::CaisseForcePartnerChange { .. }
            | C::CaisseDelegation { .. }
            | C::CaisseSuspendLate { .. }
            | C::CaisseTraces { .. }
            | C::CaisseStats { .. }
            | C::CaisseFlags { .. } => {
                as_operator(&self.caisse_operator(session).await?, call).await
            }
        }
    }
}

fn affected(count: impl Into<u64>) -> ManageReply {
    ManageReply::Affected(Affected {
        count: count.into(),
    })
}

async fn as_manager(m: &PartnerManager<'_>, call: &ManageCall) -> Result<ManageReply> {
    use ManageCall as C;
    use ManageReply as R;
    Ok(match call {
        C::Delegations {} => R::Delegations(m.delegation_infos().await?),
        C::Users {} => R::Users(m.user_infos().await?),
        C::CreateUser { request } => R::Created(m.create_user_from(request).await?),
        C::SetStatus {
            identifiant,
            status,
        } => {
            m.set_user_status(identifiant, user_status(*status)).await?;
            R::Done
        }
        C::ResetPassword { identifiant } => R::Password(TemporaryPassword {
            temporary_password: m.reset_password(identifiant).await?,
        }),
        C::Grant { identifiant, grant } => {
            m.grant(identifiant, &habilitation_request(grant)).await?;
            R::Done
        }
        C::Revoke {
            identifiant,
            service,
        } => {
            m.revoke(identifiant, service).await?;
            R::Done
        }
        C::SetManager {
            identifiant,
            manager,
        } => {
            m.set_manager(identifiant, *manager).await?;
            R::Done
        }
        C::Groups {} => R::Groups(m.group_infos().await?),
        C::CreateGroup { name } => R::Group(group_info(m.create_group(name).await?)),
        C::DeleteGroup { name } => {
            m.delete_group(name).await?;
            R::Done
        }
        C::SetMember {
            name,
            identifiant,
            member,
        } => {
            m.set_group_member(name, identifiant, *member).await?;
            R::Done
        }
        C::GrantGroup { name, grant } => {
            affected(m.grant_group(name, &habilitation_request(grant)).await?)
        }
        C::RevokeGroup { name, service } => affected(m.revoke_group(name, service).await?),
        C::PartnerTraces { page } => R::Traces(trace_entries(m.traces(page.clone()).await?)),
        C::Reviews {} => R::Reviews(m.review_infos().await?),
        C::Review { request } => {
            let keep = request.decision == ReviewDecision::Confirm;
            m.review(&request.identifiant, &request.service, keep)
                .await?;
            R::Done
        }
        C::ReviewCsv {} => R::Document(m.review_csv().await?),
        C::ReviewPage {} => R::Document(m.review_page().await?),
        _ => return Err(crate::ServiceError::NotAManager),
    })
}

async fn as_operator(op: &CaisseOperator<'_>, call: &ManageCall) -> Result<ManageReply> {
    use ManageCall as C;
    use ManageReply as R;
    Ok(match call {
        C::CaissePartners {} => R::Partners(op.supervised_partners().await?),
        C::CaisseConventions { tiers } => R::Conventions(op.convention_infos(tiers).await?),
        C::CaisseUsers { tiers } => R::Users(op.supervised_user_infos(tiers).await?),
        C::CaisseGroups { tiers } => R::Groups(
            op.supervised_groups(tiers)
                .await?
                .into_iter()
                .map(group_info)
                .collect(),
        ),
        C::CaisseRegisterUser { tiers, request } => {
            R::Created(op.register_user_from(tiers, request).await?)
        }
        C::CaisseSetStatus {
            identifiant,
            status,
        } => {
            op.set_user_status(identifiant, user_status(*status))
                .await?;
            R::Done
        }
        C::CaisseResetPassword { identifiant } => R::Password(TemporaryPassword {
            temporary_password: op.reset_password(identifiant).await?,
        }),
        C::CaisseGrant { identifiant, grant } => {
            op.grant(identifiant, &habilitation_request(grant)).await?;
            R::Done
        }
        C::CaisseRevoke {
            identifiant,
            service,
        } => {
            op.revoke(identifiant, service).await?;
            R::Done
        }
        C::CaisseSuspend {
            identifiant,
            service,
            suspended,
        } => {
            op.set_habilitation_suspended(identifiant, service, *suspended)
                .await?;
            R::Done
        }
        C::CaisseForceUserChange { identifiant } => {
            op.force_password_change(Some(identifiant), None).await?;
            R::Done
        }
        C::CaisseForcePartnerChange { tiers } => {
            affected(op.force_password_change(None, Some(tiers)).await?)
        }
        C::CaisseDelegation { tiers, withdrawn } => {
            op.set_delegation_withdrawn(tiers, *withdrawn).await?;
            R::Done
        }
        C::CaisseSuspendLate { tiers } => affected(op.suspend_late(tiers).await?),
        C::CaisseTraces { page } => R::Traces(trace_entries(op.traces(page.clone()).await?)),
        C::CaisseStats { month } => R::Stats(op.monthly_stat_lines(month).await?),
        C::CaisseFlags { since } => R::Signals(op.abuse_signals(*since).await?),
        _ => return Err(crate::ServiceError::NotAnOperator),
    })
}
