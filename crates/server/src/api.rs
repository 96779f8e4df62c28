//! The HTTP API (DESIGN.md "Contracts"): thin handlers over `Guichet`, `{code, message}`
//! errors, bearer sessions, `RateLimit-*` headers, a 16 KiB body limit, unknown fields
//! refused, and request logs that hold no personal data.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use guichet_core::wire::{
    ChangePasswordRequest, ErrorBody, Health, LookupRequest, LookupResponse, SessionInfo,
    SignInRequest,
};
use guichet_service::{Guichet, RateInfo, ServiceError, Session};
use utoipa::OpenApi;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 16 * 1024;

#[derive(Clone, Debug)]
pub struct AppState {
    pub guichet: Guichet,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/sessions", post(sign_in))
        .route(
            "/api/v1/sessions/current",
            get(current_session).delete(sign_out),
        )
        .route("/api/v1/sessions/current/password", put(change_password))
        .route("/api/v1/lookups", post(lookup))
        .route("/api/v1/health", get(health))
        .route("/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/openapi.json", get(openapi))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

// ---------------------------------------------------------------- errors

/// An error answer: a service error, or a transport-level refusal.
#[derive(Debug)]
pub enum ApiError {
    Service(ServiceError),
    Transport {
        status: StatusCode,
        code: &'static str,
        message: &'static str,
    },
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError::Service(e)
    }
}

/// The HTTP status of each service error. No wildcard: a new variant needs a decision.
pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::InvalidCredentials | ServiceError::SessionExpired => StatusCode::UNAUTHORIZED,
        ServiceError::AccountLocked { .. } => StatusCode::LOCKED,
        ServiceError::AccountDisabled
        | ServiceError::PasswordChangeRequired
        | ServiceError::ServiceNotGranted => StatusCode::FORBIDDEN,
        ServiceError::PasswordPolicy { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::UnknownService
        | ServiceError::Nir(_)
        | ServiceError::Name(_)
        | ServiceError::InvalidInput(_) => StatusCode::BAD_REQUEST,
        ServiceError::ServiceClosed { .. } | ServiceError::Unavailable => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Service(e) => {
                let status = status_of(&e);
                let body = e.body();
                let mut response = (status, Json(body)).into_response();
                if let ServiceError::RateLimited { retry_after_s }
                | ServiceError::AccountLocked { retry_after_s } = e
                    && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
                {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
                response
            }
            ApiError::Transport {
                status,
                code,
                message,
            } => (status, Json(ErrorBody::new(code, message))).into_response(),
        }
    }
}

// ---------------------------------------------------------------- extractors

/// JSON body whose rejections are `{code, message}` and never echo the body.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(r))
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::Transport {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    code: "payload_too_large",
                    message: "Requête trop volumineuse (16 Kio au plus).",
                })
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::Transport {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message: "Le corps de la requête doit être du JSON (Content-Type: application/json).",
            }),
            Err(_) => Err(ApiError::Transport {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_body",
                message: "Corps de requête invalide : JSON mal formé, champ manquant, en trop ou d'un mauvais type.",
            }),
        }
    }
}

/// The client's address, when the connection gives one.
fn client_address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// A client correlation id (`Request-Id`), kept only if it is a short plain token.
fn request_id(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("request-id")?.to_str().ok()?;
    let ok = (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| v.to_owned())
}

/// A valid session from `Authorization: Bearer …`.
#[derive(Debug)]
pub struct Authenticated(pub Session);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or(ApiError::Service(ServiceError::SessionExpired))?;
        let address = client_address(parts);
        let session = state
            .guichet
            .authenticate(token, address.as_deref())
            .await?;
        Ok(Authenticated(session))
    }
}

// ---------------------------------------------------------------- handlers

#[utoipa::path(post, path = "/api/v1/sessions", request_body = SignInRequest,
    responses(
        (status = 201, body = SessionInfo, description = "Session ouverte"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody, description = "invalid_credentials"),
        (status = 403, body = ErrorBody, description = "account_disabled"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 423, body = ErrorBody, description = "account_locked"),
        (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn sign_in(
    State(state): State<AppState>,
    ConnectInfoOpt(address): ConnectInfoOpt,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<(StatusCode, Json<SessionInfo>), ApiError> {
    let info = state
        .guichet
        .sign_in(&body.identifiant, body.password, address.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// The client address as an extractor (absent in in-process tests).
#[derive(Debug)]
pub struct ConnectInfoOpt(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ConnectInfoOpt {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ConnectInfoOpt(client_address(parts)))
    }
}

#[utoipa::path(get, path = "/api/v1/sessions/current", security(("bearer" = [])),
    responses((status = 200, body = SessionInfo, description = "La session (jeton vide)"),
        (status = 401, body = ErrorBody)))]
async fn current_session(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Json<SessionInfo> {
    Json(state.guichet.describe(&session))
}

#[utoipa::path(delete, path = "/api/v1/sessions/current", security(("bearer" = [])),
    responses((status = 204, description = "Session fermée"), (status = 401, body = ErrorBody)))]
async fn sign_out(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<StatusCode, ApiError> {
    state.guichet.sign_out(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/sessions/current/password", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204, description = "Mot de passe changé"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "password_policy, avec violations")))]
async fn change_password(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .guichet
        .change_password(&session, body.current_password, body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/lookups", security(("bearer" = [])), request_body = LookupRequest,
    responses((status = 200, body = LookupResponse),
        (status = 400, body = ErrorBody, description = "nir_malformed, nir_key_mismatch, name_malformed, unknown_service"),
        (status = 401, body = ErrorBody, description = "session_expired"),
        (status = 403, body = ErrorBody, description = "password_change_required, service_not_granted"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody, description = "rate_limited"),
        (status = 503, body = ErrorBody, description = "service_closed, avec reopens_at")))]
async fn lookup(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LookupRequest>,
) -> Result<Response, ApiError> {
    let rid = request_id(&headers);
    match state.guichet.lookup(&session, body, rid.as_deref()).await {
        Ok(answer) => {
            let mut response = Json(answer.response).into_response();
            rate_headers(response.headers_mut(), &answer.rate);
            Ok(response)
        }
        Err(e @ ServiceError::RateLimited { retry_after_s }) => {
            let limit = state.guichet.config().lookups_per_minute;
            let mut response = ApiError::Service(e).into_response();
            rate_headers(
                response.headers_mut(),
                &RateInfo {
                    limit,
                    remaining: 0,
                    reset_s: retry_after_s,
                },
            );
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

fn rate_headers(headers: &mut HeaderMap, rate: &RateInfo) {
    for (name, value) in [
        ("ratelimit-limit", i64::from(rate.limit)),
        ("ratelimit-remaining", rate.remaining.max(0)),
        ("ratelimit-reset", rate.reset_s),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
}

#[utoipa::path(get, path = "/api/v1/health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let ok = state.guichet.health().await.is_ok();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if ok { "ok" } else { "degraded" }.into(),
            database: if ok { "ok" } else { "unreachable" }.into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }),
    )
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn unknown_route() -> ApiError {
    ApiError::Transport {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: "Adresse inconnue.",
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::Transport {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "Méthode non prise en charge à cette adresse.",
    }
}

/// One log line per request: method, route, status, duration. Never the query, headers
/// or body (where NIRs, names, passwords and tokens travel).
async fn log_request(request: Request, next: Next) -> Response {
    #[allow(clippy::disallowed_methods)] // a duration, not the time of day
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "(unrouted)".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if status >= 500 {
        tracing::warn!(%method, route, status, ms, "request");
    } else {
        tracing::info!(%method, route, status, ms, "request");
    }
    response
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "Guichet", description = "Consultation des dossiers allocataires par les partenaires des caisses."),
    paths(sign_in, current_session, sign_out, change_password, lookup, health),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
