//! The HTTP API (DESIGN.md "Contracts"): thin handlers over `Guichet`, `{code, message}`
//! errors, bearer sessions, `RateLimit-*` headers, a 16 KiB body limit, unknown fields
//! refused, and request logs that hold no personal data. Every answer carries
//! `Cache-Control: no-store` and `X-Content-Type-Options: nosniff` (they hold tokens and
//! personal data); requests run under a time limit and a bound on how many run at once; the
//! client's address is the TCP peer, or what `X-Forwarded-For` says when the peer is a
//! trusted proxy.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use guichet_core::wire::{
    ChangePasswordRequest, EndReason, ErrorBody, ErrorCode, Health, LookupRequest, LookupResponse,
    SessionInfo, SignInRequest, SignOutQuery,
};
use guichet_service::{Guichet, RateInfo, ServiceError, Session};
use ipnet::IpNet;
use tokio::sync::Semaphore;
use utoipa::OpenApi;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The transport's own limits and trust (server configuration).
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Peers whose `X-Forwarded-For` is believed (reverse proxies, load balancers).
    pub trusted_proxies: Vec<IpNet>,
    /// Longest a request may take, body included; then `503 timeout`.
    pub request_timeout: Duration,
    /// Requests handled at once (health checks aside); past it, `503 busy` at once.
    pub max_concurrent_requests: usize,
    /// The server answers over TLS: `Strict-Transport-Security` is sent.
    pub tls: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            trusted_proxies: Vec::new(),
            request_timeout: Duration::from_secs(30),
            max_concurrent_requests: 512,
            tls: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub guichet: Guichet,
    http: Arc<HttpConfig>,
    in_flight: Arc<Semaphore>,
}

impl AppState {
    pub fn new(guichet: Guichet, http: HttpConfig) -> Self {
        AppState {
            guichet,
            in_flight: Arc::new(Semaphore::new(http.max_concurrent_requests)),
            http: Arc::new(http),
        }
    }
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
        .merge(crate::admin_api::routes())
        .merge(crate::caisse_api::routes())
        .route("/api/v1/health", get(health))
        .route("/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/openapi.json", get(openapi))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), bound_request))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            secure_headers,
        ))
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
        code: ErrorCode,
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
        | ServiceError::TemporaryPasswordExpired
        | ServiceError::PasswordChangeRequired
        | ServiceError::ServiceNotGranted
        | ServiceError::NotAManager
        | ServiceError::NotAnOperator
        | ServiceError::OutsideConvention(_)
        | ServiceError::ConsoleOnly
        | ServiceError::OwnAccount
        | ServiceError::DelegationWithdrawn => StatusCode::FORBIDDEN,
        ServiceError::PasswordPolicy { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::UnknownService
        | ServiceError::Nir(_)
        | ServiceError::Name(_)
        | ServiceError::InvalidInput(_)
        | ServiceError::NumeroInstructeurRequired
        | ServiceError::EndDateRequired { .. } => StatusCode::BAD_REQUEST,
        ServiceError::ServiceClosed { .. }
        | ServiceError::Unavailable
        | ServiceError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Conflict(_)
        | ServiceError::QuotaReached { .. }
        | ServiceError::IdentifiantTaken => StatusCode::CONFLICT,
        ServiceError::Internal | ServiceError::TraceKeyRequired => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
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
                | ServiceError::AccountLocked { retry_after_s }
                | ServiceError::Busy { retry_after_s } = e
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
            } => {
                let mut response = (status, Json(ErrorBody::new(code, message))).into_response();
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                }
                response
            }
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
                    code: ErrorCode::PayloadTooLarge,
                    message: "Requête trop volumineuse (16 Kio au plus).",
                })
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::Transport {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: ErrorCode::UnsupportedMediaType,
                message: "Le corps de la requête doit être du JSON (Content-Type: application/json).",
            }),
            Err(_) => Err(ApiError::Transport {
                status: StatusCode::BAD_REQUEST,
                code: ErrorCode::InvalidBody,
                message: "Corps de requête invalide : JSON mal formé, champ manquant, en trop ou d'un mauvais type.",
            }),
        }
    }
}

/// Query string whose rejections are `400 invalid_input` with a `{code, message}` body
/// that never echoes the query; unknown parameters are refused where `T` denies them.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(_) => Err(ApiError::Transport {
                status: StatusCode::BAD_REQUEST,
                code: ErrorCode::InvalidInput,
                message: "Paramètres de requête invalides : paramètre inconnu, ou valeur qui \
                          n'est pas un nombre entier positif.",
            }),
        }
    }
}

/// The client's address: the TCP peer, or, when the peer is a trusted proxy, the nearest
/// address of `X-Forwarded-For` (read from the right) that is not a trusted proxy itself.
/// What a client writes in that header is never believed on its own: only the entries
/// appended by trusted hops count. `None` in in-process tests (no peer).
fn client_address(parts: &Parts, trusted: &[IpNet]) -> Option<String> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(forwarded_client(peer, &parts.headers, trusted).to_string())
}

fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            break; // garbage from further away: the last trusted hop is all we know
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, possibly with a port or IPv6 brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
        .map(|ip: IpAddr| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        })
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
        let (token, address) = credentials(parts, state)?;
        let session = state
            .guichet
            .authenticate(token, address.as_deref())
            .await?;
        Ok(Authenticated(session))
    }
}

/// A valid session for a lookup: [`Authenticated`], with the lookup counted against the
/// user's rate in the same round trip to the database.
#[derive(Debug)]
pub struct AuthenticatedLookup(pub Session);

impl FromRequestParts<AppState> for AuthenticatedLookup {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (token, address) = credentials(parts, state)?;
        let session = state
            .guichet
            .authenticate_lookup(token, address.as_deref())
            .await?;
        Ok(AuthenticatedLookup(session))
    }
}

/// The bearer token and the client's address of a request.
fn credentials<'a>(
    parts: &'a Parts,
    state: &AppState,
) -> Result<(&'a str, Option<String>), ApiError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or(ApiError::Service(ServiceError::SessionExpired))?;
    Ok((token, client_address(parts, &state.http.trusted_proxies)))
}

// ---------------------------------------------------------------- handlers

#[utoipa::path(post, path = "/api/v1/sessions", request_body = SignInRequest,
    responses(
        (status = 201, body = SessionInfo, description = "Session ouverte"),
        (status = 400, body = ErrorBody, description = "Corps de requête invalide"),
        (status = 401, body = ErrorBody, description = "Identifiant ou mot de passe incorrect (R-13 : même réponse pour les deux)"),
        (status = 403, body = ErrorBody, description = "Compte, partenaire ou convention inactif, ou mot de passe temporaire échu"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 423, body = ErrorBody, description = "Compte verrouillé (R-13), avec retry_after_s"),
        (status = 429, body = ErrorBody, description = "Trop de connexions depuis cette adresse ou au total"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
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
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(
            parts,
            &state.http.trusted_proxies,
        )))
    }
}

#[utoipa::path(get, path = "/api/v1/sessions/current", security(("bearer" = [])),
    responses(
        (status = 200, body = SessionInfo, description = "La session (jeton vide)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
async fn current_session(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Result<Json<SessionInfo>, ApiError> {
    Ok(Json(state.guichet.describe(&session).await?))
}

#[utoipa::path(delete, path = "/api/v1/sessions/current", security(("bearer" = [])),
    params(SignOutQuery),
    responses(
        (status = 204, description = "Session fermée ; la trace dit pourquoi (reason : déconnexion, inactivité, verrouillage, veille)"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
async fn sign_out(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    query: Result<ApiQuery<SignOutQuery>, ApiError>,
) -> Result<StatusCode, ApiError> {
    // A reason this version does not know (a newer desktop) never keeps a session open:
    // the session ends, traced as a sign-out.
    let reason = query
        .ok()
        .and_then(|ApiQuery(q)| q.reason)
        .unwrap_or(EndReason::SignOut);
    state.guichet.end_session_because(&session, reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/sessions/current/password", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Mot de passe changé ; les autres sessions de l'utilisateur sont fermées"),
        (status = 400, body = ErrorBody, description = "Corps de requête invalide"),
        (status = 401, body = ErrorBody, description = "Mot de passe actuel incorrect, ou session absente, expirée ou révoquée"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 422, body = ErrorBody, description = "Nouveau mot de passe refusé (R-12), avec violations"),
        (status = 423, body = ErrorBody, description = "Compte verrouillé (R-13)"),
        (status = 429, body = ErrorBody, description = "Trop de changements par minute"),
        (status = 503, body = ErrorBody, description = "Serveur occupé, requête trop longue ou base indisponible")))]
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
    responses(
        (status = 200, body = LookupResponse, description = "Résultat de la recherche, tracée (R-19)"),
        (status = 400, body = ErrorBody, description = "NIR ou nom mal formé (R-03, R-04), service inconnu, corps invalide"),
        (status = 401, body = ErrorBody, description = "Session absente, expirée ou révoquée"),
        (status = 403, body = ErrorBody, description = "Mot de passe à changer d'abord (R-11) ou service non habilité"),
        (status = 413, body = ErrorBody, description = "Corps trop volumineux"),
        (status = 415, body = ErrorBody, description = "Corps autre que JSON"),
        (status = 429, body = ErrorBody, description = "Trop de recherches par minute"),
        (status = 503, body = ErrorBody, description = "Service fermé (R-18, avec reopens_at), serveur occupé, requête trop longue ou base indisponible")))]
async fn lookup(
    State(state): State<AppState>,
    AuthenticatedLookup(session): AuthenticatedLookup,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LookupRequest>,
) -> Result<Response, ApiError> {
    let rid = request_id(&headers);
    let session = state.guichet.ready(session)?;
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
    responses(
        (status = 200, body = Health, description = "Serveur et base disponibles"),
        (status = 503, body = Health, description = "Base indisponible")))]
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
        code: ErrorCode::NotFound,
        message: "Adresse inconnue.",
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::Transport {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: ErrorCode::MethodNotAllowed,
        message: "Méthode non prise en charge à cette adresse.",
    }
}

/// Headers every answer carries: nothing of it may be cached (tokens, files), sniffed as
/// another type, framed or referred; HSTS when served over TLS.
async fn secure_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if state.http.tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// At most `max_concurrent_requests` requests run at once (past it, `503 busy` at once,
/// rather than a queue that grows with the attack), each within `request_timeout` (then
/// `503 timeout`; a lookup cut short this way is not answered `200`, so no answered lookup
/// lacks its trace). Health checks are exempt, so that a load balancer still sees a live
/// instance under load.
async fn bound_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/health" || path == "/api/v1/health" {
        return next.run(request).await;
    }
    let Ok(_permit) = state.in_flight.clone().try_acquire_owned() else {
        return ApiError::Service(ServiceError::Busy { retry_after_s: 1 }).into_response();
    };
    match tokio::time::timeout(state.http.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Transport {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: ErrorCode::Timeout,
            message: "La requête n'a pas abouti dans le délai imparti. Réessayez.",
        }
        .into_response(),
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
    paths(sign_in, current_session, sign_out, change_password, lookup, health,
        crate::admin_api::my_traces, crate::admin_api::partner_traces, crate::admin_api::reviews, crate::admin_api::review,
        crate::admin_api::review_export, crate::admin_api::review_print, crate::admin_api::delegations, crate::admin_api::users, crate::admin_api::create_user,
        crate::admin_api::set_status, crate::admin_api::reset_password, crate::admin_api::grant,
        crate::admin_api::revoke, crate::admin_api::set_manager, crate::admin_api::groups,
        crate::admin_api::create_group, crate::admin_api::delete_group, crate::admin_api::add_member,
        crate::admin_api::remove_member, crate::admin_api::grant_group, crate::admin_api::revoke_group,
        crate::caisse_api::groups,
        crate::caisse_api::partners, crate::caisse_api::users, crate::caisse_api::delegation,
        crate::caisse_api::force_partner_change, crate::caisse_api::suspend_late,
        crate::caisse_api::force_user_change, crate::caisse_api::suspension,
        crate::caisse_api::traces, crate::caisse_api::conventions,
        crate::caisse_api::register_user, crate::caisse_api::set_status,
        crate::caisse_api::reset_password, crate::caisse_api::grant, crate::caisse_api::revoke,
        crate::caisse_api::stats, crate::caisse_api::flags),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = nets(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        // An untrusted peer's header is ignored: it could say anything.
        assert_eq!(
            forwarded_client(ip("203.0.113.9"), &xff(&["198.51.100.1"]), &trusted),
            ip("203.0.113.9")
        );
        // Behind one proxy: the address it appended.
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &xff(&["198.51.100.1"]), &trusted),
            ip("198.51.100.1")
        );
        // A client forging the header in front of the proxy gets its own address: only
        // the rightmost entries, appended by trusted hops, count.
        assert_eq!(
            forwarded_client(
                ip("10.0.0.2"),
                &xff(&["1.2.3.4, 198.51.100.1", "10.0.0.7"]),
                &trusted
            ),
            ip("198.51.100.1")
        );
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &xff(&["nonsense"]), &trusted),
            ip("10.0.0.2")
        );
        // Ports, brackets, IPv6 proxies, IPv4-mapped addresses.
        assert_eq!(
            forwarded_client(ip("2001:db8:ffff::1"), &xff(&["[2001:db8:1::5]"]), &trusted),
            ip("2001:db8:1::5")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &xff(&["198.51.100.1:4711"]), &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &xff(&["::ffff:198.51.100.1"]), &trusted),
            ip("198.51.100.1")
        );
        // No proxy configured: the peer, whatever the header.
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &xff(&["198.51.100.1"]), &[]),
            ip("10.0.0.2")
        );
    }
}
