//! Shared set-up of the server tests.
#![allow(
    dead_code,
    missing_debug_implementations,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use guichet_core::ErrorCode;
use guichet_service::{DEMO_PASSWORD, Guichet, ManualClock, ServiceConfig};
use guichet_store::testing::TestDb;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub use guichet_service::testing::NEW_PASSWORD;

pub struct Server {
    pub app: axum::Router,
    pub guichet: Guichet,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
}

pub fn fast_config() -> ServiceConfig {
    ServiceConfig::fast_for_tests()
}

pub async fn server(db: TestDb, config: ServiceConfig) -> Server {
    server_with(db, config, guichet_server::HttpConfig::default()).await
}

pub async fn server_with(
    db: TestDb,
    config: ServiceConfig,
    http: guichet_server::HttpConfig,
) -> Server {
    let env = guichet_service::testing::env_with(db, config).await;
    let guichet = env.g;
    let app = guichet_server::router(guichet_server::AppState::new(guichet.clone(), http));
    Server {
        app,
        guichet,
        clock: env.clock,
        db: env.db,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The error code of the body (`Unknown` when there is none).
    pub fn code(&self) -> ErrorCode {
        serde_json::from_value(self.json()["code"].clone()).unwrap_or(ErrorCode::Unknown)
    }
}

pub async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Answer {
    call_from(app, None, &[], method, path, token, body).await
}

/// A call as it arrives from `peer` (the TCP peer a real socket would give), with extra
/// headers.
pub async fn call_from(
    app: &axum::Router,
    peer: Option<&str>,
    headers: &[(&str, &str)],
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let mut req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    if let Some(peer) = peer {
        let addr: std::net::SocketAddr = format!("{peer}:40000")
            .parse()
            .or_else(|_| format!("[{peer}]:40000").parse())
            .unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
    }
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

pub fn credentials(identifiant: &str, password: &str) -> Option<String> {
    Some(serde_json::json!({"identifiant": identifiant, "password": password}).to_string())
}

/// Signs a demo account in and changes its password; returns the token.
pub async fn ready(app: &axum::Router, identifiant: &str) -> String {
    let a = call(
        app,
        "POST",
        "/api/v1/sessions",
        None,
        Some(
            serde_json::json!({"identifiant": identifiant, "password": DEMO_PASSWORD}).to_string(),
        ),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let token = a.json()["token"].as_str().unwrap().to_owned();
    let c = call(
        app,
        "PUT",
        "/api/v1/sessions/current/password",
        Some(&token),
        Some(
            serde_json::json!({"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD})
                .to_string(),
        ),
    )
    .await;
    assert_eq!(c.status, StatusCode::NO_CONTENT);
    token
}

pub fn lookup_body(service: &str, nir: &str, name: &str) -> String {
    serde_json::json!({"service": service, "nir": nir, "name": name}).to_string()
}
