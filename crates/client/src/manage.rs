//! The management calls ([`ManageCall`]) as HTTP requests: each one's method, path, query
//! and body, and the [`ManageReply`] its answer decodes into.

use guichet_core::manage::{ManageCall, ManageReply};
use guichet_core::wire::{
    AccountStatusRequest, CreateGroupRequest, DelegationStateRequest, ManagerRequest,
    SuspensionRequest,
};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::{Client, Result, json, send};

/// How an answer's body becomes the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Done,
    Traces,
    Delegations,
    Users,
    Created,
    Password,
    Groups,
    Group,
    Affected,
    Reviews,
    Document,
    Partners,
    Conventions,
    Stats,
    Signals,
}

/// One call as a request: method, path under `/api/v1/` (segments, each percent-encoded
/// when sent), query, JSON body, and what the answer holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub method: Method,
    pub path: Vec<String>,
    pub query: Option<Value>,
    pub body: Option<Value>,
    pub answer: Answer,
}

impl Route {
    fn new(method: Method, path: &[&str], answer: Answer) -> Self {
        Route {
            method,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            query: None,
            body: None,
            answer,
        }
    }

    fn body(mut self, body: impl Serialize) -> Self {
        self.body = serde_json::to_value(body).ok();
        self
    }

    fn query(mut self, query: impl Serialize) -> Self {
        self.query = serde_json::to_value(query).ok();
        self
    }

    /// The path as sent, before percent-encoding.
    pub fn path_text(&self) -> String {
        format!("/api/v1/{}", self.path.join("/"))
    }
}

/// The request of a call.
pub fn route(call: &ManageCall) -> Route {
    use Answer as A;
    use ManageCall as C;
    use Method as M;
    match call {
        C::MyTraces { page } => Route::new(M::GET, &["me", "traces"], A::Traces).query(page),
        C::Delegations {} => Route::new(M::GET, &["admin", "delegations"], A::Delegations),
        C::Users {} => Route::new(M::GET, &["admin", "users"], A::Users),
        C::CreateUser { request } => {
            Route::new(M::POST, &["admin", "users"], A::Created).body(request)
        }
        C::SetStatus {
            identifiant,
            status,
        } => Route::new(M::PUT, &["admin", "users", identifiant, "status"], A::Done)
            .body(AccountStatusRequest { status: *status }),
        C::ResetPassword { identifiant } => Route::new(
            M::POST,
            &["admin", "users", identifiant, "password-reset"],
            A::Password,
        ),
        C::Grant { identifiant, grant } => Route::new(
            M::POST,
            &["admin", "users", identifiant, "habilitations"],
            A::Done,
        )
        .body(grant),
        C::Revoke {
            identifiant,
            service,
        } => Route::new(
            M::DELETE,
            &["admin", "users", identifiant, "habilitations", service],
            A::Done,
        ),
        C::SetManager {
            identifiant,
            manager,
        } => Route::new(M::PUT, &["admin", "users", identifiant, "manager"], A::Done)
            .body(ManagerRequest { manager: *manager }),
        C::Groups {} => Route::new(M::GET, &["admin", "groups"], A::Groups),
        C::CreateGroup { name } => Route::new(M::POST, &["admin", "groups"], A::Group)
            .body(CreateGroupRequest { name: name.clone() }),
        C::DeleteGroup { name } => Route::new(M::DELETE, &["admin", "groups", name], A::Done),
        C::SetMember {
            name,
            identifiant,
            member,
        } => Route::new(
            if *member { M::PUT } else { M::DELETE },
            &["admin", "groups", name, "members", identifiant],
            A::Done,
        ),
        C::GrantGroup { name, grant } => Route::new(
            M::POST,
            &["admin", "groups", name, "habilitations"],
            A::Affected,
        )
        .body(grant),
        C::RevokeGroup { name, service } => Route::new(
            M::DELETE,
            &["admin", "groups", name, "habilitations", service],
            A::Affected,
        ),
        C::PartnerTraces { page } => {
            Route::new(M::GET, &["admin", "traces"], A::Traces).query(page)
        }
        C::Reviews {} => Route::new(M::GET, &["admin", "reviews"], A::Reviews),
        C::Review { request } => Route::new(M::POST, &["admin", "reviews"], A::Done).body(request),
        C::ReviewCsv {} => Route::new(M::GET, &["admin", "reviews", "export"], A::Document),
        C::ReviewPage {} => Route::new(M::GET, &["admin", "reviews", "print"], A::Document),
        C::CaissePartners {} => Route::new(M::GET, &["caisse", "partners"], A::Partners),
        C::CaisseConventions { tiers } => Route::new(
            M::GET,
            &["caisse", "partners", tiers, "conventions"],
            A::Conventions,
        ),
        C::CaisseUsers { tiers } => {
            Route::new(M::GET, &["caisse", "partners", tiers, "users"], A::Users)
        }
        C::CaisseGroups { tiers } => {
            Route::new(M::GET, &["caisse", "partners", tiers, "groups"], A::Groups)
        }
        C::CaisseRegisterUser { tiers, request } => {
            Route::new(M::POST, &["caisse", "partners", tiers, "users"], A::Created).body(request)
        }
        C::CaisseSetStatus {
            identifiant,
            status,
        } => Route::new(M::PUT, &["caisse", "users", identifiant, "status"], A::Done)
            .body(AccountStatusRequest { status: *status }),
        C::CaisseResetPassword { identifiant } => Route::new(
            M::POST,
            &["caisse", "users", identifiant, "password-reset"],
            A::Password,
        ),
        C::CaisseGrant { identifiant, grant } => Route::new(
            M::POST,
            &["caisse", "users", identifiant, "habilitations"],
            A::Done,
        )
        .body(grant),
        C::CaisseRevoke {
            identifiant,
            service,
        } => Route::new(
            M::DELETE,
            &["caisse", "users", identifiant, "habilitations", service],
            A::Done,
        ),
        C::CaisseSuspend {
            identifiant,
            service,
            suspended,
        } => Route::new(
            M::PUT,
            &[
                "caisse",
                "users",
                identifiant,
                "habilitations",
                service,
                "suspension",
            ],
            A::Done,
        )
        .body(SuspensionRequest {
            suspended: *suspended,
        }),
        C::CaisseForceUserChange { identifiant } => Route::new(
            M::POST,
            &["caisse", "users", identifiant, "password-change"],
            A::Done,
        ),
        C::CaisseForcePartnerChange { tiers } => Route::new(
            M::POST,
            &["caisse", "partners", tiers, "password-change"],
            A::Affected,
        ),
        C::CaisseDelegation { tiers, withdrawn } => Route::new(
            M::PUT,
            &["caisse", "partners", tiers, "delegation"],
            A::Done,
        )
        .body(DelegationStateRequest {
            withdrawn: *withdrawn,
        }),
        C::CaisseSuspendLate { tiers } => Route::new(
            M::POST,
            &["caisse", "partners", tiers, "late-suspension"],
            A::Affected,
        ),
        C::CaisseTraces { page } => {
            Route::new(M::GET, &["caisse", "traces"], A::Traces).query(page)
        }
        C::CaisseStats { month } => Route::new(M::GET, &["caisse", "stats"], A::Stats)
            .query(serde_json::json!({ "month": month })),
        C::CaisseFlags { since } => Route::new(M::GET, &["caisse", "flags"], A::Signals)
            .query(serde_json::json!({ "since": since })),
    }
}

impl Client {
    /// Runs one management call on the server (issue 23): the same operations, paths and
    /// error codes as the API's `/me`, `/admin` and `/caisse` routes.
    pub async fn manage(&self, token: &str, call: &ManageCall) -> Result<ManageReply> {
        let route = route(call);
        let path: Vec<&str> = route.path.iter().map(String::as_str).collect();
        let mut r = self.request_with(
            route.method.clone(),
            &path,
            route.query.as_ref(),
            Some(token),
        )?;
        if let Some(b) = &route.body {
            r = r.json(b);
        }
        let response = send(r).await?;
        use Answer as A;
        Ok(match route.answer {
            A::Done => ManageReply::Done,
            A::Traces => ManageReply::Traces(json(response).await?),
            A::Delegations => ManageReply::Delegations(json(response).await?),
            A::Users => ManageReply::Users(json(response).await?),
            A::Created => ManageReply::Created(json(response).await?),
            A::Password => ManageReply::Password(json(response).await?),
            A::Groups => ManageReply::Groups(json(response).await?),
            A::Group => ManageReply::Group(json(response).await?),
            A::Affected => ManageReply::Affected(json(response).await?),
            A::Reviews => ManageReply::Reviews(json(response).await?),
            A::Document => {
                ManageReply::Document(response.text().await.map_err(crate::transport_error)?)
            }
            A::Partners => ManageReply::Partners(json(response).await?),
            A::Conventions => ManageReply::Conventions(json(response).await?),
            A::Stats => ManageReply::Stats(json(response).await?),
            A::Signals => ManageReply::Signals(json(response).await?),
        })
    }
}
