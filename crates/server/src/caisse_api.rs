//! `/api/v1/caisse/…`: the supervision of delegated management by a caisse's operators
//! their caisse's partners, each partner's users and habilitations, the
//! suspension of one habilitation, forced password changes, the withdrawal of a delegation,
//! late reviews, the caisse's traces. Every handler goes through [`Guichet::caisse_operator`]:
//! anyone but a signed-in operator gets `403 not_an_operator`, and an operator reaches only
//! the partners holding a convention with their own caisse (`403 outside_convention`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use guichet_core::wire::{
    AbuseSignal, AccountStatusRequest, Affected, ConventionInfo, CreateUserRequest, CreatedUser,
    DelegationStateRequest, ErrorBody, FlagsQuery, GroupInfo, HabilitationGrant, ManagedUserInfo,
    MonthlyStat, StatsQuery, SupervisedPartner, SuspensionRequest, TemporaryPassword, TraceEntries,
    TracePageQuery,
};
use guichet_service::CaisseOperator;

use crate::api::{ApiError, ApiJson, ApiQuery, AppState, Authenticated};
use guichet_service::admin_wire::{
    group_info, habilitation_request, managed_user_info, trace_entries, user_status,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/partners", get(partners))
        .route(
            "/api/v1/caisse/partners/{tiers}/users",
            get(users).post(register_user),
        )
        .route(
            "/api/v1/caisse/partners/{tiers}/conventions",
            get(conventions),
        )
        .route("/api/v1/caisse/users/{identifiant}/status", put(set_status))
        .route(
            "/api/v1/caisse/users/{identifiant}/password-reset",
            post(reset_password),
        )
        .route(
            "/api/v1/caisse/users/{identifiant}/habilitations",
            post(grant),
        )
        .route(
            "/api/v1/caisse/users/{identifiant}/habilitations/{service}",
            delete(revoke),
        )
        .route("/api/v1/caisse/stats", get(stats))
        .route("/api/v1/caisse/flags", get(flags))
        .route("/api/v1/caisse/partners/{tiers}/groups", get(groups))
        .route(
            "/api/v1/caisse/partners/{tiers}/delegation",
            put(delegation),
        )
        .route(
            "/api/v1/caisse/partners/{tiers}/password-change",
            post(force_partner_change),
        )
        .route(
            "/api/v1/caisse/partners/{tiers}/late-suspension",
            post(suspend_late),
        )
        .route(
            "/api/v1/caisse/users/{identifiant}/password-change",
            post(force_user_change),
        )
        .route(
            "/api/v1/caisse/users/{identifiant}/habilitations/{service}/suspension",
            put(suspension),
        )
        .route("/api/v1/caisse/traces", get(traces))
}

/// The operator's power, from a valid session whose password is changed.
async fn operator<'a>(
    state: &'a AppState,
    session: guichet_service::Session,
) -> Result<CaisseOperator<'a>, ApiError> {
    let ready = state.guichet.ready(session)?;
    Ok(state.guichet.caisse_operator(&ready).await?)
}

#[utoipa::path(get, operation_id = "caisse_partners", path = "/api/v1/caisse/partners", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<SupervisedPartner>, description = "Les partenaires ayant une convention avec la caisse de l'agent : délégation, retrait, revues en retard"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse (not_an_operator) ou mot de passe à changer"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn partners(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<Json<Vec<SupervisedPartner>>, ApiError> {
    let op = operator(&state, session).await?;
    Ok(Json(op.supervised_partners().await?))
}

#[utoipa::path(get, operation_id = "caisse_users", path = "/api/v1/caisse/partners/{tiers}/users", security(("bearer" = [])),
    params(("tiers" = String, Path, description = "Numéro de tiers du partenaire")),
    responses(
        (status = 200, body = Vec<ManagedUserInfo>, description = "Les utilisateurs du partenaire, leurs rôles et leurs habilitations en vigueur"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Partenaire introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn users(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(tiers): Path<String>,
) -> Result<Json<Vec<ManagedUserInfo>>, ApiError> {
    let op = operator(&state, session).await?;
    let users = op.supervised_users(&tiers).await?;
    Ok(Json(users.into_iter().map(managed_user_info).collect()))
}

#[utoipa::path(get, operation_id = "caisse_groups", path = "/api/v1/caisse/partners/{tiers}/groups", security(("bearer" = [])),
    params(("tiers" = String, Path, description = "Numéro de tiers du partenaire")),
    responses(
        (status = 200, body = Vec<GroupInfo>, description = "Les groupes d'utilisateurs du partenaire et leurs membres"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Partenaire introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn groups(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(tiers): Path<String>,
) -> Result<Json<Vec<GroupInfo>>, ApiError> {
    let op = operator(&state, session).await?;
    let groups = op.supervised_groups(&tiers).await?;
    Ok(Json(groups.into_iter().map(group_info).collect()))
}

#[utoipa::path(put, operation_id = "caisse_delegation", path = "/api/v1/caisse/partners/{tiers}/delegation", security(("bearer" = [])),
    params(("tiers" = String, Path, description = "Numéro de tiers du partenaire")),
    request_body = DelegationStateRequest,
    responses(
        (status = 204, description = "Délégation retirée (les gestionnaires perdent leurs pouvoirs, la caisse reprend la main) ou rendue"),
        (status = 400, body = ErrorBody, description = "Corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Partenaire introuvable ou sans convention déléguée"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn delegation(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(tiers): Path<String>,
    ApiJson(body): ApiJson<DelegationStateRequest>,
) -> Result<StatusCode, ApiError> {
    let op = operator(&state, session).await?;
    op.set_delegation_withdrawn(&tiers, body.withdrawn).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "caisse_force_partner_change", path = "/api/v1/caisse/partners/{tiers}/password-change", security(("bearer" = [])),
    params(("tiers" = String, Path, description = "Numéro de tiers du partenaire")),
    responses(
        (status = 200, body = Affected, description = "Chaque utilisateur du partenaire devra changer son mot de passe ; leurs sessions sont fermées"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Partenaire introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn force_partner_change(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(tiers): Path<String>,
) -> Result<Json<Affected>, ApiError> {
    let op = operator(&state, session).await?;
    let count = op.force_password_change(None, Some(&tiers)).await?;
    Ok(Json(Affected { count }))
}

#[utoipa::path(post, operation_id = "caisse_suspend_late", path = "/api/v1/caisse/partners/{tiers}/late-suspension", security(("bearer" = [])),
    params(("tiers" = String, Path, description = "Numéro de tiers du partenaire")),
    responses(
        (status = 200, body = Affected, description = "Habilitations dont la revue annuelle est en retard, suspendues jusqu'à leur confirmation"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Partenaire introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn suspend_late(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(tiers): Path<String>,
) -> Result<Json<Affected>, ApiError> {
    let op = operator(&state, session).await?;
    let count = op.suspend_late(&tiers).await?;
    Ok(Json(Affected { count }))
}

#[utoipa::path(post, operation_id = "caisse_force_user_change", path = "/api/v1/caisse/users/{identifiant}/password-change", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    responses(
        (status = 204, description = "L'utilisateur devra changer son mot de passe ; ses sessions sont fermées"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou utilisateur d'un partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Utilisateur introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn force_user_change(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
) -> Result<StatusCode, ApiError> {
    let op = operator(&state, session).await?;
    op.force_password_change(Some(&identifiant), None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, operation_id = "caisse_suspension", path = "/api/v1/caisse/users/{identifiant}/habilitations/{service}/suspension", security(("bearer" = [])),
    params(
        ("identifiant" = String, Path, description = "Identifiant de l'utilisateur"),
        ("service" = String, Path, description = "Code du service")),
    request_body = SuspensionRequest,
    responses(
        (status = 204, description = "Habilitation suspendue (plus d'accès dès l'appel suivant) ou rétablie"),
        (status = 400, body = ErrorBody, description = "Corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou utilisateur d'un partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Utilisateur ou habilitation introuvable"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn suspension(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path((identifiant, service)): Path<(String, String)>,
    ApiJson(body): ApiJson<SuspensionRequest>,
) -> Result<StatusCode, ApiError> {
    let op = operator(&state, session).await?;
    op.set_habilitation_suspended(&identifiant, &service, body.suspended)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "caisse_traces", path = "/api/v1/caisse/traces", security(("bearer" = [])),
    params(TracePageQuery),
    responses(
        (status = 200, body = TraceEntries, description = "Une page des traces des partenaires de la caisse et de ses agents (R-21), les plus récentes d'abord ; jamais de NIR. next_before donne le before de la page suivante"),
        (status = 400, body = ErrorBody, description = "limit hors de 1 à 500, before inférieur à 1, paramètre inconnu ou mal formé (invalid_input)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse ou mot de passe à changer"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn traces(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiQuery(page): ApiQuery<TracePageQuery>,
) -> Result<Json<TraceEntries>, ApiError> {
    let op = operator(&state, session).await?;
    Ok(Json(trace_entries(op.traces(page).await?)))
}

#[utoipa::path(get, operation_id = "caisse_conventions", path = "/api/v1/caisse/partners/{tiers}/conventions", security(("bearer" = [])),
    params(("tiers" = String, Path, description = "Numéro de tiers du partenaire")),
    responses(
        (status = 200, body = Vec<ConventionInfo>, description = "Les conventions du partenaire avec la caisse de l'agent : services, départements, dates, état, délégation et quota"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou partenaire sans convention avec sa caisse"),
        (status = 404, body = ErrorBody, description = "Partenaire introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn conventions(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(tiers): Path<String>,
) -> Result<Json<Vec<ConventionInfo>>, ApiError> {
    let op = operator(&state, session).await?;
    Ok(Json(op.convention_infos(&tiers).await?))
}

#[utoipa::path(post, operation_id = "caisse_register_user", path = "/api/v1/caisse/partners/{tiers}/users", security(("bearer" = [])),
    params(("tiers" = String, Path, description = "Numéro de tiers du partenaire")),
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = CreatedUser, description = "Compte créé par la caisse (R-24) : identifiant généré et mot de passe provisoire, montré une seule fois"),
        (status = 400, body = ErrorBody, description = "Corps ou saisie invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, partenaire sans convention avec sa caisse, ou service délégué au partenaire (outside_convention)"),
        (status = 404, body = ErrorBody, description = "Partenaire introuvable"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn register_user(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(tiers): Path<String>,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let op = operator(&state, session).await?;
    Ok((
        StatusCode::CREATED,
        Json(op.register_user_from(&tiers, &body).await?),
    ))
}

#[utoipa::path(put, operation_id = "caisse_set_status", path = "/api/v1/caisse/users/{identifiant}/status", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    request_body = AccountStatusRequest,
    responses(
        (status = 204, description = "État changé par la caisse (R-24) ; sessions fermées si le compte n'est plus actif ; une désactivation met fin aux habilitations de la caisse"),
        (status = 400, body = ErrorBody, description = "Corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, compte hors de sa caisse, son propre compte, ou état posé par une autre caisse"),
        (status = 404, body = ErrorBody, description = "Utilisateur introuvable"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn set_status(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
    ApiJson(body): ApiJson<AccountStatusRequest>,
) -> Result<StatusCode, ApiError> {
    let op = operator(&state, session).await?;
    op.set_user_status(&identifiant, user_status(body.status))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "caisse_reset_password", path = "/api/v1/caisse/users/{identifiant}/password-reset", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    responses(
        (status = 200, body = TemporaryPassword, description = "Nouveau mot de passe provisoire (R-24), montré une seule fois ; sessions fermées"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, compte hors de sa caisse ou son propre compte"),
        (status = 404, body = ErrorBody, description = "Utilisateur introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
) -> Result<Json<TemporaryPassword>, ApiError> {
    let op = operator(&state, session).await?;
    let temporary_password = op.reset_password(&identifiant).await?;
    Ok(Json(TemporaryPassword { temporary_password }))
}

#[utoipa::path(post, operation_id = "caisse_grant", path = "/api/v1/caisse/users/{identifiant}/habilitations", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    request_body = HabilitationGrant,
    responses(
        (status = 204, description = "Habilitation attribuée par la caisse sur sa convention (ou ses départements et sa date de fin changés)"),
        (status = 400, body = ErrorBody, description = "Corps invalide, date de fin passée ou trop lointaine"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, compte hors de sa caisse, service sans convention de sa caisse ou délégué au partenaire"),
        (status = 404, body = ErrorBody, description = "Utilisateur introuvable"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn grant(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
    ApiJson(body): ApiJson<HabilitationGrant>,
) -> Result<StatusCode, ApiError> {
    let op = operator(&state, session).await?;
    op.grant(&identifiant, &habilitation_request(&body)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, operation_id = "caisse_revoke", path = "/api/v1/caisse/users/{identifiant}/habilitations/{service}", security(("bearer" = [])),
    params(
        ("identifiant" = String, Path, description = "Identifiant de l'utilisateur"),
        ("service" = String, Path, description = "Code du service")),
    responses(
        (status = 204, description = "Habilitation terminée ; sessions de l'utilisateur fermées"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse, ou compte hors de sa caisse"),
        (status = 404, body = ErrorBody, description = "Utilisateur ou habilitation introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path((identifiant, service)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let op = operator(&state, session).await?;
    op.revoke(&identifiant, &service).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "caisse_stats", path = "/api/v1/caisse/stats", security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, body = Vec<MonthlyStat>, description = "Statistiques du mois (R-22) des partenaires de la caisse : connexions, échecs, consultations par résultat, par partenaire, utilisateur et service"),
        (status = 400, body = ErrorBody, description = "Mois manquant ou mal formé (AAAA-MM)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse ou mot de passe à changer"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn stats(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> Result<Json<Vec<MonthlyStat>>, ApiError> {
    let op = operator(&state, session).await?;
    Ok(Json(op.monthly_stat_lines(&query.month).await?))
}

#[utoipa::path(get, operation_id = "caisse_flags", path = "/api/v1/caisse/flags", security(("bearer" = [])),
    params(FlagsQuery),
    responses(
        (status = 200, body = Vec<AbuseSignal>, description = "Signaux d'abus (R-23) chez les partenaires de la caisse depuis le jour donné : longues séries de « aucun dossier », volumes inhabituels"),
        (status = 400, body = ErrorBody, description = "Jour manquant ou mal formé (AAAA-MM-JJ)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas agent de caisse ou mot de passe à changer"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn flags(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiQuery(query): ApiQuery<FlagsQuery>,
) -> Result<Json<Vec<AbuseSignal>>, ApiError> {
    let op = operator(&state, session).await?;
    Ok(Json(op.abuse_signals(query.since).await?))
}
