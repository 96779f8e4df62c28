//! The wire contract over its three transports: the service in process (what the desktop's
//! bundled backend runs), the axum router in process, and guichet-client over TLS to a real
//! loopback socket. Each scenario runs on each transport over an identical database and
//! clock; it asserts the rules it cites, and the three transcripts must be the same (codes,
//! outcomes, messages, byte for byte where R-05 says so).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::Request;
use guichet_core::LookupOutcome;
use guichet_core::wire::{
    ChangePasswordRequest, EndReason, ErrorBody, ErrorCode, LookupRequest, LookupResponse,
    SessionInfo, SignInRequest,
};
use guichet_desktop::backend::Backend;
use guichet_service::testing::{NEW_PASSWORD, TestEnv, env, lookup_request, pw};
use guichet_service::{Clock, DEMO_PASSWORD};
use guichet_tests::{TlsServer, serve_tls};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

type Answer<T> = Result<T, ErrorBody>;

/// The calls a desktop makes, whatever carries them.
trait Wire {
    async fn sign_in(&self, identifiant: &str, password: &str) -> Answer<SessionInfo>;
    async fn current(&self, token: &str) -> Answer<SessionInfo>;
    async fn change_password(&self, token: &str, current: &str, new: &str) -> Answer<()>;
    async fn lookup(&self, token: &str, request: LookupRequest) -> Answer<LookupResponse>;
    async fn sign_out(&self, token: &str) -> Answer<()>;
}

fn sign_in_request(identifiant: &str, password: &str) -> SignInRequest {
    SignInRequest {
        identifiant: identifiant.into(),
        password: pw(password),
    }
}

fn change_request(current: &str, new: &str) -> ChangePasswordRequest {
    ChangePasswordRequest {
        current_password: pw(current),
        new_password: pw(new),
    }
}

/// The service in process, through the desktop's bundled backend (its error mapping).
struct InProcess(Backend);

impl Wire for InProcess {
    async fn sign_in(&self, identifiant: &str, password: &str) -> Answer<SessionInfo> {
        self.0.sign_in(sign_in_request(identifiant, password)).await
    }
    async fn current(&self, token: &str) -> Answer<SessionInfo> {
        self.0.current(token).await
    }
    async fn change_password(&self, token: &str, current: &str, new: &str) -> Answer<()> {
        self.0
            .change_password(token, change_request(current, new))
            .await
    }
    async fn lookup(&self, token: &str, request: LookupRequest) -> Answer<LookupResponse> {
        self.0.lookup(token, request).await
    }
    async fn sign_out(&self, token: &str) -> Answer<()> {
        self.0.sign_out(token, EndReason::SignOut).await
    }
}

/// The HTTP API's router, called in process (no socket).
struct Router(axum::Router);

impl Router {
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Answer<T> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/v1/{path}"));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b)),
            None => req.body(Body::empty()),
        };
        let res = self.0.clone().oneshot(req.unwrap()).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        if !status.is_success() {
            return Err(serde_json::from_slice(&bytes).unwrap());
        }
        // 204: the unit type decodes from `null`.
        let bytes = if bytes.is_empty() {
            b"null".as_slice().into()
        } else {
            bytes
        };
        Ok(serde_json::from_slice(&bytes).unwrap())
    }
}

fn json(value: &impl serde::Serialize) -> Option<String> {
    Some(serde_json::to_string(value).unwrap())
}

impl Wire for Router {
    async fn sign_in(&self, identifiant: &str, password: &str) -> Answer<SessionInfo> {
        let body = json(&sign_in_request(identifiant, password));
        self.call("POST", "sessions", None, body).await
    }
    async fn current(&self, token: &str) -> Answer<SessionInfo> {
        self.call("GET", "sessions/current", Some(token), None)
            .await
    }
    async fn change_password(&self, token: &str, current: &str, new: &str) -> Answer<()> {
        let body = json(&change_request(current, new));
        self.call("PUT", "sessions/current/password", Some(token), body)
            .await
    }
    async fn lookup(&self, token: &str, request: LookupRequest) -> Answer<LookupResponse> {
        self.call("POST", "lookups", Some(token), json(&request))
            .await
    }
    async fn sign_out(&self, token: &str) -> Answer<()> {
        self.call("DELETE", "sessions/current", Some(token), None)
            .await
    }
}

/// guichet-client over TLS (a CA made for the test) to a server on a loopback socket.
struct OverTls {
    client: guichet_client::Client,
    _server: TlsServer,
    _dir: tempfile::TempDir,
}

impl Wire for OverTls {
    async fn sign_in(&self, identifiant: &str, password: &str) -> Answer<SessionInfo> {
        self.client
            .sign_in(&sign_in_request(identifiant, password))
            .await
    }
    async fn current(&self, token: &str) -> Answer<SessionInfo> {
        self.client.current(token).await
    }
    async fn change_password(&self, token: &str, current: &str, new: &str) -> Answer<()> {
        self.client
            .change_password(token, &change_request(current, new))
            .await
    }
    async fn lookup(&self, token: &str, request: LookupRequest) -> Answer<LookupResponse> {
        self.client.lookup(token, &request).await
    }
    async fn sign_out(&self, token: &str) -> Answer<()> {
        self.client.sign_out(token, EndReason::SignOut).await
    }
}

/// A fresh provisioned database (same seed, same clock) for each transport.
async fn fresh() -> TestEnv {
    env(guichet_store::testing::sqlite().await).await
}

async fn in_process() -> (InProcess, TestEnv) {
    let e = fresh().await;
    (InProcess(Backend::Bundled(e.g.clone())), e)
}

async fn router() -> (Router, TestEnv) {
    let e = fresh().await;
    let app = guichet_server::router(guichet_server::AppState::new(
        e.g.clone(),
        Default::default(),
    ));
    (Router(app), e)
}

async fn over_tls() -> (OverTls, TestEnv) {
    let e = fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let server = serve_tls(e.g.clone(), None, dir.path()).await;
    guichet_client::install_crypto_provider();
    let client = guichet_client::Client::new(&server.url, Some(server.ca_pem.as_bytes())).unwrap();
    (
        OverTls {
            client,
            _server: server,
            _dir: dir,
        },
        e,
    )
}

/// What a call answered, in a form the three transports must agree on.
fn said<T>(answer: &Answer<T>, ok: impl FnOnce(&T) -> String) -> String {
    match answer {
        Ok(v) => format!("ok {}", ok(v)),
        Err(e) => format!("{} «{}»", e.code, e.message),
    }
}

fn code<T>(answer: &Answer<T>) -> Option<ErrorCode> {
    answer.as_ref().err().map(|e| e.code)
}

/// Signs a demo account in and changes its password; returns the token.
async fn ready(w: &impl Wire, identifiant: &str) -> String {
    let info = w.sign_in(identifiant, DEMO_PASSWORD).await.unwrap();
    w.change_password(&info.token, DEMO_PASSWORD, NEW_PASSWORD)
        .await
        .unwrap();
    info.token.to_string()
}

/// sign-in failures look alike, the forced change comes first, a weak
/// password is refused with its reasons, a session ends at sign-out.
async fn r11_r12_r13_sign_in_and_forced_change(w: &impl Wire, _e: &TestEnv) -> Vec<String> {
    let mut t = Vec::new();
    let wrong = w.sign_in("demo.creche", "Pas-Le-Bon-1!").await;
    let unknown = w.sign_in("personne.inconnue", "Pas-Le-Bon-1!").await;
    assert_eq!(code(&wrong), Some(ErrorCode::InvalidCredentials));
    assert_eq!(
        said(&wrong, |_| String::new()),
        said(&unknown, |_| String::new()),
        "R-13"
    );
    t.push(said(&wrong, |_| String::new()));

    let info = w.sign_in("demo.creche", DEMO_PASSWORD).await.unwrap();
    assert!(info.must_change_password, "R-11");
    assert_eq!(
        info.password_rules.min_length, 12,
        "the server's rules travel"
    );
    t.push(format!(
        "signed in {} {:?} {:?}",
        info.user.identifiant, info.services[0].code, info.password_rules
    ));
    let token = info.token.to_string();
    let early = w
        .lookup(&token, lookup_request("psu", "185057800608491", "Dupont"))
        .await;
    assert_eq!(
        code(&early),
        Some(ErrorCode::PasswordChangeRequired),
        "R-11"
    );
    t.push(said(&early, |_| String::new()));

    let weak = w.change_password(&token, DEMO_PASSWORD, "court").await;
    assert_eq!(code(&weak), Some(ErrorCode::PasswordPolicy), "R-12");
    let reasons: Vec<String> = weak
        .as_ref()
        .unwrap_err()
        .violations
        .iter()
        .flatten()
        .map(|v| format!("{}: {}", v.code, v.message))
        .collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("too_short")),
        "{reasons:?}"
    );
    t.push(format!("{reasons:?}"));
    let bad_current = w.change_password(&token, "faux", NEW_PASSWORD).await;
    assert_eq!(code(&bad_current), Some(ErrorCode::InvalidCredentials));
    t.push(said(&bad_current, |_| String::new()));

    w.change_password(&token, DEMO_PASSWORD, NEW_PASSWORD)
        .await
        .unwrap();
    let now = w.current(&token).await.unwrap();
    assert!(!now.must_change_password);
    assert!(now.token.is_empty(), "the token is never sent back");
    w.sign_out(&token).await.unwrap();
    let after = w.current(&token).await;
    assert_eq!(code(&after), Some(ErrorCode::SessionExpired), "R-16");
    t.push(said(&after, |_| String::new()));
    t
}

/// outcomes and projection; an unknown NIR and a wrong name answer the same
/// bytes; malformed input is refused with its code before any lookup.
async fn r02_r03_r04_r05_lookups(w: &impl Wire, e: &TestEnv) -> Vec<String> {
    let mut t = Vec::new();
    let token = ready(w, "demo.creche").await;
    let today = e.clock.now().date_naive();
    let found = guichet_tests::file(
        &e.db.store,
        "MSA-ALSACE",
        None,
        "psu",
        LookupOutcome::Found,
        today,
    )
    .await;
    let answer = w
        .lookup(
            &token,
            lookup_request("psu", found.nir.expose(), &found.contact.birth_name),
        )
        .await
        .unwrap();
    assert_eq!(answer.outcome, LookupOutcome::Found);
    let dossier = answer.dossier.as_ref().unwrap();
    assert!(
        dossier.coordonnees.is_some() && dossier.rsa.is_none(),
        "R-07"
    );
    t.push(serde_json::to_string(&answer).unwrap());

    let unknown_nir = w
        .lookup(&token, lookup_request("psu", "185057800608491", "Dupont"))
        .await
        .unwrap();
    let wrong_name = w
        .lookup(
            &token,
            lookup_request("psu", found.nir.expose(), "Nomquinexistepas"),
        )
        .await
        .unwrap();
    assert_eq!(unknown_nir.outcome, LookupOutcome::NotFound);
    assert_eq!(
        serde_json::to_string(&unknown_nir).unwrap(),
        serde_json::to_string(&wrong_name).unwrap(),
        "R-05"
    );
    t.push(serde_json::to_string(&unknown_nir).unwrap());

    for (service, nir, name, expected) in [
        ("psu", "1 85 05", "Dupont", ErrorCode::NirMalformed),
        (
            "psu",
            "1 85 05 78 006 084 92",
            "Dupont",
            ErrorCode::NirKeyMismatch,
        ),
        (
            "psu",
            found.nir.expose(),
            "Dupont🙂",
            ErrorCode::NameMalformed,
        ),
        (
            "zzz",
            found.nir.expose(),
            "Dupont",
            ErrorCode::UnknownService,
        ),
        (
            "qf",
            found.nir.expose(),
            "Dupont",
            ErrorCode::ServiceNotGranted,
        ),
    ] {
        let refused = w.lookup(&token, lookup_request(service, nir, name)).await;
        assert_eq!(code(&refused), Some(expected), "{service} {nir} {name}");
        t.push(said(&refused, |_| String::new()));
    }
    t
}

/// a session idle past its service's delay is over on every transport.
async fn r16_idle_sessions_expire(w: &impl Wire, e: &TestEnv) -> Vec<String> {
    let token = ready(w, "demo.mairie").await;
    e.clock.advance(chrono::Duration::minutes(16));
    let expired = w.current(&token).await;
    assert_eq!(code(&expired), Some(ErrorCode::SessionExpired));
    vec![said(&expired, |_| String::new())]
}

/// Runs `scenario` on the three transports and checks they said the same.
macro_rules! on_three_transports {
    ($($scenario:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                let (w, e) = in_process().await;
                let in_process = super::$scenario(&w, &e).await;
                let (w, e) = router().await;
                let router = super::$scenario(&w, &e).await;
                let (w, e) = over_tls().await;
                let over_tls = super::$scenario(&w, &e).await;
                assert!(!in_process.is_empty());
                assert_eq!(router, in_process, "the router says what the service says");
                assert_eq!(over_tls, in_process, "the client over TLS says what the service says");
            }
        )*
    };
}

mod on_three {
    use super::*;

    on_three_transports!(
        r11_r12_r13_sign_in_and_forced_change,
        r02_r03_r04_r05_lookups,
        r16_idle_sessions_expire,
    );
}
