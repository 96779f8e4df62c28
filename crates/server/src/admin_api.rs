//! `/api/v1/me/…`: what a user may read of their own (GDPR art. 15, R-21); and
//! `/api/v1/admin/…`: delegated habilitation management for a partner's
//! administrator, deputy and delegated managers. Every handler goes through
//! [`Guichet::partner_manager`], so a user who is not a manager gets `403 not_a_manager` on
//! every call, and a partner whose delegation the caisse withdrew `403 delegation_withdrawn`.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use guichet_core::wire::{
    AccountStatusRequest, Affected, CreateGroupRequest, CreateUserRequest, CreatedUser,
    DelegationInfo, ErrorBody, GroupInfo, HabilitationGrant, ManagedUserInfo, ManagerRequest,
    ReviewDecision, ReviewInfo, ReviewRequest, TemporaryPassword, TraceEntries, TracePageQuery,
};
use guichet_service::PartnerManager;
use guichet_service::admin_wire::{group_info, habilitation_request, trace_entries, user_status};

use crate::api::{ApiError, ApiJson, ApiQuery, AppState, Authenticated};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/traces", get(my_traces))
        .route("/api/v1/admin/delegations", get(delegations))
        .route("/api/v1/admin/traces", get(partner_traces))
        .route("/api/v1/admin/reviews", get(reviews).post(review))
        .route("/api/v1/admin/reviews/export", get(review_export))
        .route("/api/v1/admin/reviews/print", get(review_print))
        .route("/api/v1/admin/users", get(users).post(create_user))
        .route("/api/v1/admin/users/{identifiant}/status", put(set_status))
        .route(
            "/api/v1/admin/users/{identifiant}/password-reset",
            post(reset_password),
        )
        .route(
            "/api/v1/admin/users/{identifiant}/habilitations",
            post(grant),
        )
        .route(
            "/api/v1/admin/users/{identifiant}/habilitations/{service}",
            delete(revoke),
        )
        .route(
            "/api/v1/admin/users/{identifiant}/manager",
            put(set_manager),
        )
        .route("/api/v1/admin/groups", get(groups).post(create_group))
        .route("/api/v1/admin/groups/{name}", delete(delete_group))
        .route(
            "/api/v1/admin/groups/{name}/members/{identifiant}",
            put(add_member).delete(remove_member),
        )
        .route(
            "/api/v1/admin/groups/{name}/habilitations",
            post(grant_group),
        )
        .route(
            "/api/v1/admin/groups/{name}/habilitations/{service}",
            delete(revoke_group),
        )
}

#[utoipa::path(get, path = "/api/v1/admin/groups", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<GroupInfo>, description = "Les groupes d'utilisateurs du partenaire et leurs membres (R-25)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire (not_a_manager), délégation retirée ou mot de passe à changer"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn groups(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<Json<Vec<GroupInfo>>, ApiError> {
    let m = manager(&state, session).await?;
    Ok(Json(m.group_infos().await?))
}

#[utoipa::path(post, path = "/api/v1/admin/groups", security(("bearer" = [])),
    request_body = CreateGroupRequest,
    responses(
        (status = 201, body = GroupInfo, description = "Groupe créé, vide"),
        (status = 400, body = ErrorBody, description = "Nom invalide (1 à 80 caractères imprimables) ou corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée ou mot de passe à changer"),
        (status = 409, body = ErrorBody, description = "Un groupe porte déjà ce nom"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn create_group(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiJson(body): ApiJson<CreateGroupRequest>,
) -> Result<(StatusCode, Json<GroupInfo>), ApiError> {
    let m = manager(&state, session).await?;
    let g = m.create_group(&body.name).await?;
    Ok((StatusCode::CREATED, Json(group_info(g))))
}

#[utoipa::path(delete, path = "/api/v1/admin/groups/{name}", security(("bearer" = [])),
    params(("name" = String, Path, description = "Nom du groupe")),
    responses(
        (status = 204, description = "Groupe supprimé ; ses membres gardent leurs habilitations"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée ou mot de passe à changer"),
        (status = 404, body = ErrorBody, description = "Groupe introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn delete_group(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.delete_group(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/admin/groups/{name}/members/{identifiant}", security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "Nom du groupe"),
        ("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    responses(
        (status = 204, description = "L'utilisateur est membre du groupe"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, ou compte hors de son pouvoir"),
        (status = 404, body = ErrorBody, description = "Groupe ou utilisateur introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn add_member(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path((name, identifiant)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.set_group_member(&name, &identifiant, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/admin/groups/{name}/members/{identifiant}", security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "Nom du groupe"),
        ("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    responses(
        (status = 204, description = "L'utilisateur n'est plus membre du groupe (ses habilitations restent)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, ou compte hors de son pouvoir"),
        (status = 404, body = ErrorBody, description = "Groupe, utilisateur ou appartenance introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path((name, identifiant)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.set_group_member(&name, &identifiant, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/admin/groups/{name}/habilitations", security(("bearer" = [])),
    params(("name" = String, Path, description = "Nom du groupe")),
    request_body = HabilitationGrant,
    responses(
        (status = 200, body = Affected, description = "Habilitation attribuée à chaque membre (count : ceux qui ne l'avaient pas)"),
        (status = 400, body = ErrorBody, description = "Date de fin passée ou manquante (profil temporaire), corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, service ou département hors des conventions, membre hors de son pouvoir"),
        (status = 404, body = ErrorBody, description = "Groupe introuvable"),
        (status = 409, body = ErrorBody, description = "Quota atteint : aucun membre ne reçoit l'habilitation"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn grant_group(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<HabilitationGrant>,
) -> Result<Json<Affected>, ApiError> {
    let m = manager(&state, session).await?;
    let count = m.grant_group(&name, &habilitation_request(&body)).await?;
    Ok(Json(Affected {
        count: u64::from(count),
    }))
}

#[utoipa::path(delete, path = "/api/v1/admin/groups/{name}/habilitations/{service}", security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "Nom du groupe"),
        ("service" = String, Path, description = "Code du service")),
    responses(
        (status = 200, body = Affected, description = "Habilitation retirée aux membres qui la détenaient (count) ; leurs sessions sont fermées"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, service hors des conventions déléguées"),
        (status = 404, body = ErrorBody, description = "Groupe introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn revoke_group(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path((name, service)): Path<(String, String)>,
) -> Result<Json<Affected>, ApiError> {
    let m = manager(&state, session).await?;
    let count = m.revoke_group(&name, &service).await?;
    Ok(Json(Affected {
        count: u64::from(count),
    }))
}

/// The manager's power, from a valid session whose password is changed.
async fn manager<'a>(
    state: &'a AppState,
    session: guichet_service::Session,
) -> Result<PartnerManager<'a>, ApiError> {
    let ready = state.guichet.ready(session)?;
    Ok(state.guichet.partner_manager(&ready).await?)
}

#[utoipa::path(get, path = "/api/v1/me/traces", security(("bearer" = [])),
    params(TracePageQuery),
    responses(
        (status = 200, body = TraceEntries, description = "Une page des traces de l'utilisateur (RGPD art. 15), les plus récentes d'abord : quand, quoi, quel service, quel résultat ; jamais de NIR. next_before donne le before de la page suivante, absent sur la dernière"),
        (status = 400, body = ErrorBody, description = "limit hors de 1 à 500, before inférieur à 1, paramètre inconnu ou mal formé (invalid_input)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Mot de passe à changer d'abord (R-11)"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn my_traces(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiQuery(page): ApiQuery<TracePageQuery>,
) -> Result<Json<TraceEntries>, ApiError> {
    let ready = state.guichet.ready(session)?;
    let page = state.guichet.my_traces(&ready, page).await?;
    Ok(Json(trace_entries(page)))
}

#[utoipa::path(get, path = "/api/v1/admin/traces", security(("bearer" = [])),
    params(TracePageQuery),
    responses(
        (status = 200, body = TraceEntries, description = "Une page des traces du partenaire (R-21), les plus récentes d'abord, pour son administrateur et son suppléant ; jamais de NIR. next_before donne le before de la page suivante"),
        (status = 400, body = ErrorBody, description = "limit hors de 1 à 500, before inférieur à 1, paramètre inconnu ou mal formé (invalid_input)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas administrateur ni suppléant, pas gestionnaire, ou délégation retirée"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn partner_traces(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiQuery(page): ApiQuery<TracePageQuery>,
) -> Result<Json<TraceEntries>, ApiError> {
    let m = manager(&state, session).await?;
    Ok(Json(trace_entries(m.traces(page).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/reviews", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<ReviewInfo>, description = "Revue annuelle (R-27) : chaque habilitation en vigueur, sa date de revue, en retard ou non"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas administrateur ni suppléant, pas gestionnaire, ou délégation retirée"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn reviews(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<Json<Vec<ReviewInfo>>, ApiError> {
    let m = manager(&state, session).await?;
    Ok(Json(m.review_infos().await?))
}

#[utoipa::path(post, path = "/api/v1/admin/reviews", security(("bearer" = [])),
    request_body = ReviewRequest,
    responses(
        (status = 204, description = "Habilitation confirmée pour un an (suspension levée) ou retirée"),
        (status = 400, body = ErrorBody, description = "Corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas administrateur ni suppléant, pas gestionnaire, ou délégation retirée"),
        (status = 404, body = ErrorBody, description = "Habilitation introuvable"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn review(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.review(
        &body.identifiant,
        &body.service,
        body.decision == ReviewDecision::Confirm,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/reviews/export", security(("bearer" = [])),
    responses(
        (status = 200, content_type = "text/csv", body = String, description = "La revue en CSV (séparateur ;), preuve pour la caisse"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas administrateur ni suppléant, pas gestionnaire, ou délégation retirée"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn review_export(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<impl IntoResponse, ApiError> {
    let m = manager(&state, session).await?;
    let csv = m.review_csv().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"revue-habilitations.csv\"",
            ),
        ],
        csv,
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/reviews/print", security(("bearer" = [])),
    responses(
        (status = 200, content_type = "text/html", body = String, description = "La revue en page imprimable (HTML sans script ni feuille de style), preuve pour la caisse"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas administrateur ni suppléant, pas gestionnaire, ou délégation retirée"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn review_print(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<impl IntoResponse, ApiError> {
    let m = manager(&state, session).await?;
    let page = m.review_page().await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page))
}

#[utoipa::path(get, path = "/api/v1/admin/delegations", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<DelegationInfo>, description = "Conventions déléguées au partenaire et usage de leurs quotas"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire (not_a_manager), délégation retirée (delegation_withdrawn) ou mot de passe à changer"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn delegations(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<Json<Vec<DelegationInfo>>, ApiError> {
    let m = manager(&state, session).await?;
    Ok(Json(m.delegation_infos().await?))
}

#[utoipa::path(get, path = "/api/v1/admin/users", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<ManagedUserInfo>, description = "Utilisateurs du partenaire, leurs rôles et habilitations en vigueur"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée ou mot de passe à changer"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn users(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<Json<Vec<ManagedUserInfo>>, ApiError> {
    let m = manager(&state, session).await?;
    Ok(Json(m.user_infos().await?))
}

#[utoipa::path(post, path = "/api/v1/admin/users", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = CreatedUser, description = "Compte créé : identifiant généré et mot de passe provisoire, montré une seule fois"),
        (status = 400, body = ErrorBody, description = "Corps ou saisie invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, ou service hors des conventions déléguées (outside_convention)"),
        (status = 409, body = ErrorBody, description = "Quota de la convention atteint (quota_reached)"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let m = manager(&state, session).await?;
    Ok((StatusCode::CREATED, Json(m.create_user_from(&body).await?)))
}

#[utoipa::path(put, path = "/api/v1/admin/users/{identifiant}/status", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    request_body = AccountStatusRequest,
    responses(
        (status = 204, description = "État changé ; sessions fermées si le compte n'est plus actif"),
        (status = 400, body = ErrorBody, description = "Corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, ou compte hors de son pouvoir"),
        (status = 404, body = ErrorBody, description = "Utilisateur inconnu du partenaire"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn set_status(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
    ApiJson(body): ApiJson<AccountStatusRequest>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.set_user_status(&identifiant, user_status(body.status))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/admin/users/{identifiant}/password-reset", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    responses(
        (status = 200, body = TemporaryPassword, description = "Nouveau mot de passe provisoire, montré une seule fois"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, ou compte hors de son pouvoir"),
        (status = 404, body = ErrorBody, description = "Utilisateur inconnu du partenaire"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
) -> Result<Json<TemporaryPassword>, ApiError> {
    let m = manager(&state, session).await?;
    let temporary_password = m.reset_password(&identifiant).await?;
    Ok(Json(TemporaryPassword { temporary_password }))
}

#[utoipa::path(post, path = "/api/v1/admin/users/{identifiant}/habilitations", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    request_body = HabilitationGrant,
    responses(
        (status = 204, description = "Habilitation attribuée (ou sa date de fin changée)"),
        (status = 400, body = ErrorBody, description = "Corps invalide ou date de fin passée"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, service hors des conventions déléguées ou compte hors de son pouvoir"),
        (status = 404, body = ErrorBody, description = "Utilisateur inconnu du partenaire"),
        (status = 409, body = ErrorBody, description = "Quota de la convention atteint (quota_reached)"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn grant(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
    ApiJson(body): ApiJson<HabilitationGrant>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.grant(&identifiant, &habilitation_request(&body)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/admin/users/{identifiant}/habilitations/{service}", security(("bearer" = [])),
    params(
        ("identifiant" = String, Path, description = "Identifiant de l'utilisateur"),
        ("service" = String, Path, description = "Code du service")),
    responses(
        (status = 204, description = "Habilitation retirée ; sessions de l'utilisateur fermées"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Pas gestionnaire, délégation retirée, service hors des conventions déléguées ou compte hors de son pouvoir"),
        (status = 404, body = ErrorBody, description = "Utilisateur ou habilitation introuvable"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path((identifiant, service)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.revoke(&identifiant, &service).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/admin/users/{identifiant}/manager", security(("bearer" = [])),
    params(("identifiant" = String, Path, description = "Identifiant de l'utilisateur")),
    request_body = ManagerRequest,
    responses(
        (status = 204, description = "Gestionnaire délégué nommé ou démis"),
        (status = 400, body = ErrorBody, description = "Corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Réservé à l'administrateur et au suppléant ; jamais sur son propre compte"),
        (status = 404, body = ErrorBody, description = "Utilisateur inconnu du partenaire"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
pub(crate) async fn set_manager(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(identifiant): Path<String>,
    ApiJson(body): ApiJson<ManagerRequest>,
) -> Result<StatusCode, ApiError> {
    let m = manager(&state, session).await?;
    m.set_manager(&identifiant, body.manager).await?;
    Ok(StatusCode::NO_CONTENT)
}
