//! The management calls of the desktop app (issue 23): every operation of the API's
//! `/me/…`, `/admin/…` and `/caisse/…` routes as one value, so that the desktop's two
//! backends (the bundled service, a remote server through guichet-client) take the same
//! call and give the same [`ManageReply`], and the contract suite runs each on both. The
//! powers are checked where the call lands (the service), never on the desktop.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::wire::{
    AbuseSignal, AccountStatus, Affected, ConventionInfo, CreateUserRequest, CreatedUser,
    DelegationInfo, GroupInfo, HabilitationGrant, ManagedUserInfo, MonthlyStat, ReviewInfo,
    ReviewRequest, SupervisedPartner, TemporaryPassword, TraceEntries, TracePageQuery,
};

/// One management call. `op` names it; the other fields are its path and body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum ManageCall {
    // ------------------------------------------------ every user (GDPR art. 15, R-21)
    /// `GET /me/traces`.
    MyTraces { page: TracePageQuery },

    // ------------------------------------------- a partner's managers (R-25 to R-27)
    /// `GET /admin/delegations`.
    Delegations {},
    /// `GET /admin/users`.
    Users {},
    /// `POST /admin/users`.
    CreateUser { request: CreateUserRequest },
    /// `PUT /admin/users/{identifiant}/status`.
    SetStatus {
        identifiant: String,
        status: AccountStatus,
    },
    /// `POST /admin/users/{identifiant}/password-reset`.
    ResetPassword { identifiant: String },
    /// `POST /admin/users/{identifiant}/habilitations`.
    Grant {
        identifiant: String,
        grant: HabilitationGrant,
    },
    /// `DELETE /admin/users/{identifiant}/habilitations/{service}`.
    Revoke {
        identifiant: String,
        service: String,
    },
    /// `PUT /admin/users/{identifiant}/manager`.
    SetManager { identifiant: String, manager: bool },
    /// `GET /admin/groups`.
    Groups {},
    /// `POST /admin/groups`.
    CreateGroup { name: String },
    /// `DELETE /admin/groups/{name}`.
    DeleteGroup { name: String },
    /// `PUT` or `DELETE /admin/groups/{name}/members/{identifiant}`.
    SetMember {
        name: String,
        identifiant: String,
        member: bool,
    },
    /// `POST /admin/groups/{name}/habilitations`: every member or none.
    GrantGroup {
        name: String,
        grant: HabilitationGrant,
    },
    /// `DELETE /admin/groups/{name}/habilitations/{service}`.
    RevokeGroup { name: String, service: String },
    /// `GET /admin/traces`.
    PartnerTraces { page: TracePageQuery },
    /// `GET /admin/reviews`.
    Reviews {},
    /// `POST /admin/reviews`.
    Review { request: ReviewRequest },
    /// `GET /admin/reviews/export`: the CSV proof.
    ReviewCsv {},
    /// `GET /admin/reviews/print`: the printable proof (HTML).
    ReviewPage {},

    // ---------------------------------------------- a caisse's operators (R-21 to R-27)
    /// `GET /caisse/partners`.
    CaissePartners {},
    /// `GET /caisse/partners/{tiers}/conventions`.
    CaisseConventions { tiers: String },
    /// `GET /caisse/partners/{tiers}/users`.
    CaisseUsers { tiers: String },
    /// `GET /caisse/partners/{tiers}/groups`.
    CaisseGroups { tiers: String },
    /// `POST /caisse/partners/{tiers}/users` (R-24).
    CaisseRegisterUser {
        tiers: String,
        request: CreateUserRequest,
    },
    /// `PUT /caisse/users/{identifiant}/status`.
    CaisseSetStatus {
        identifiant: String,
        status: AccountStatus,
    },
    /// `POST /caisse/users/{identifiant}/password-reset`.
    CaisseResetPassword { identifiant: String },
    /// `POST /caisse/users/{identifiant}/habilitations`.
    CaisseGrant {
        identifiant: String,
        grant: HabilitationGrant,
    },
    /// `DELETE /caisse/users/{identifiant}/habilitations/{service}`.
    CaisseRevoke {
        identifiant: String,
        service: String,
    },
    /// `PUT /caisse/users/{identifiant}/habilitations/{service}/suspension`.
    CaisseSuspend {
        identifiant: String,
        service: String,
        suspended: bool,
    },
    /// `POST /caisse/users/{identifiant}/password-change`.
    CaisseForceUserChange { identifiant: String },
    /// `POST /caisse/partners/{tiers}/password-change`.
    CaisseForcePartnerChange { tiers: String },
    /// `PUT /caisse/partners/{tiers}/delegation`.
    CaisseDelegation { tiers: String, withdrawn: bool },
    /// `POST /caisse/partners/{tiers}/late-suspension`.
    CaisseSuspendLate { tiers: String },
    /// `GET /caisse/traces`.
    CaisseTraces { page: TracePageQuery },
    /// `GET /caisse/stats?month=`.
    CaisseStats { month: String },
    /// `GET /caisse/flags?since=`.
    CaisseFlags { since: NaiveDate },
}

/// What a [`ManageCall`] gives back. `kind` names it; `value` holds it.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ManageReply {
    /// Done; nothing to show.
    Done,
    Traces(TraceEntries),
    Delegations(Vec<DelegationInfo>),
    Users(Vec<ManagedUserInfo>),
    /// A new account and its temporary password, shown once.
    Created(CreatedUser),
    /// A new temporary password, shown once.
    Password(TemporaryPassword),
    Groups(Vec<GroupInfo>),
    Group(GroupInfo),
    Affected(Affected),
    Reviews(Vec<ReviewInfo>),
    /// A document: the review's CSV or printable page.
    Document(String),
    Partners(Vec<SupervisedPartner>),
    Conventions(Vec<ConventionInfo>),
    Stats(Vec<MonthlyStat>),
    Signals(Vec<AbuseSignal>),
}

impl std::fmt::Debug for ManageReply {
    /// Never a temporary password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

impl ManageReply {
    /// The reply's `kind`, as it travels.
    pub fn kind(&self) -> &'static str {
        match self {
            ManageReply::Done => "done",
            ManageReply::Traces(_) => "traces",
            ManageReply::Delegations(_) => "delegations",
            ManageReply::Users(_) => "users",
            ManageReply::Created(_) => "created",
            ManageReply::Password(_) => "password",
            ManageReply::Groups(_) => "groups",
            ManageReply::Group(_) => "group",
            ManageReply::Affected(_) => "affected",
            ManageReply::Reviews(_) => "reviews",
            ManageReply::Document(_) => "document",
            ManageReply::Partners(_) => "partners",
            ManageReply::Conventions(_) => "conventions",
            ManageReply::Stats(_) => "stats",
            ManageReply::Signals(_) => "signals",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn calls_travel_tagged_by_op_and_refuse_unknown_fields() {
        let call: ManageCall =
            serde_json::from_str(r#"{"op":"caisse_reset_password","identifiant":"a.b"}"#).unwrap();
        assert_eq!(
            call,
            ManageCall::CaisseResetPassword {
                identifiant: "a.b".into()
            }
        );
        assert!(serde_json::from_str::<ManageCall>(r#"{"op":"users","x":1}"#).is_err());
        assert!(serde_json::from_str::<ManageCall>(r#"{"op":"drop_tables"}"#).is_err());
        let reply = serde_json::to_value(ManageReply::Affected(Affected { count: 3 })).unwrap();
        assert_eq!(reply["kind"], "affected");
        assert_eq!(reply["value"]["count"], 3);
    }
}
