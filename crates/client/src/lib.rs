//! HTTPS client of Guichet's API (DESIGN.md "Contracts"), the desktop app's remote backend.
//!
//! TLS is rustls with the platform verifier (the OS trust store, as the browser would), plus
//! the machine policy's extra CA when there is one; the proxy comes from the environment
//! (`HTTPS_PROXY`, `NO_PROXY`). No redirect is followed: a `3xx` would make the client send
//! the same body (a password, a NIR) and token to wherever `Location` points, so it is an
//! error like any answer outside the contract. Every failure is an [`ErrorBody`] with a
//! stable [`ErrorCode`]: the server's own, or `invalid_url`, `invalid_ca`,
//! `server_unreachable`, `tls_error`, `bad_response` for what happened before an answer came
//! back. Answers may carry fields this version does not know (a newer server): ignored.

mod manage;

pub use manage::{Answer, Route, route};

use std::time::Duration;

use guichet_core::wire::{
    ChangePasswordRequest, CreateUserRequest, CreatedUser, DelegationInfo, DelegationStateRequest,
    EndReason, ErrorBody, ErrorCode, Health, LookupRequest, LookupResponse, ManagedUserInfo,
    ReviewInfo, ReviewRequest, SessionInfo, SignInRequest, SignOutQuery, SupervisedPartner,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

/// Time allowed for one call, connection included.
const TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(8);

/// A client of one server. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    api: Url,
}

pub type Result<T> = std::result::Result<T, ErrorBody>;

fn error(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(code, message)
}

/// Installs rustls' process-wide crypto provider (ring) if none is set yet.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Client {
    /// A client of the server at `base_url` (`https://host[:port][/prefix]`). `extra_ca_pem`:
    /// certificates trusted on top of the OS store (the machine policy's `extra_ca_pem`).
    pub fn new(base_url: &str, extra_ca_pem: Option<&[u8]>) -> Result<Self> {
        install_crypto_provider();
        let base = Url::parse(base_url.trim()).map_err(|_| {
            error(
                ErrorCode::InvalidUrl,
                "L'adresse du serveur n'est pas une URL valide.",
            )
        })?;
        let loopback = match base.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        };
        match base.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(error(
                    ErrorCode::InvalidUrl,
                    "L'adresse du serveur doit commencer par https://.",
                ));
            }
        }
        let mut api = base;
        if !api.path().ends_with('/') {
            let path = format!("{}/", api.path());
            api.set_path(&path);
        }
        let api = api.join("api/v1/").map_err(|_| {
            error(
                ErrorCode::InvalidUrl,
                "L'adresse du serveur n'est pas une URL valide.",
            )
        })?;

        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .https_only(!loopback)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("guichet/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    error(
                        ErrorCode::InvalidCa,
                        "Le certificat d'autorité ajouté par la politique du poste est illisible.",
                    )
                })?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder.build().map_err(|_| {
            error(
                ErrorCode::TlsError,
                "La connexion sécurisée n'a pas pu être préparée.",
            )
        })?;
        Ok(Client { http, api })
    }

    /// The API's base URL (`…/api/v1/`).
    pub fn api_url(&self) -> &Url {
        &self.api
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> Result<RequestBuilder> {
        let url = self.api.join(path).map_err(|_| {
            error(
                ErrorCode::InvalidUrl,
                "L'adresse du serveur n'est pas une URL valide.",
            )
        })?;
        let mut r = self.http.request(method, url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        Ok(r)
    }

    /// A request to the path made of `segments`, each percent-encoded (a numéro de tiers or
    /// an identifiant never changes the path's shape).
    fn request_at(
        &self,
        method: Method,
        segments: &[&str],
        token: Option<&str>,
    ) -> Result<RequestBuilder> {
        self.request_with(method, segments, None, token)
    }

    /// [`Self::request_at`] with a query string made of the fields of `query` (a JSON
    /// object whose values are strings, numbers or booleans; nulls are left out), each
    /// percent-encoded.
    fn request_with(
        &self,
        method: Method,
        segments: &[&str],
        query: Option<&serde_json::Value>,
        token: Option<&str>,
    ) -> Result<RequestBuilder> {
        // A segment `.` or `..` would change the path's shape (url drops it): an identifiant
        // or a group's name never does.
        if segments.iter().any(|s| matches!(*s, "." | "..")) {
            return Err(error(
                ErrorCode::InvalidInput,
                "Cette valeur ne peut pas désigner un compte, un groupe ou un partenaire.",
            ));
        }
        let mut url = self.api.clone();
        if let Some(serde_json::Value::Object(fields)) = query {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in fields {
                match value {
                    serde_json::Value::String(s) => pairs.append_pair(name, s),
                    serde_json::Value::Null => continue,
                    other => pairs.append_pair(name, &other.to_string()),
                };
            }
        }
        url.path_segments_mut()
            .map_err(|()| {
                error(
                    ErrorCode::InvalidUrl,
                    "L'adresse du serveur n'est pas une URL valide.",
                )
            })?
            .pop_if_empty()
            .extend(segments);
        let mut r = self.http.request(method, url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        Ok(r)
    }

    /// `GET /admin/delegations` (R-25).
    pub async fn delegations(&self, token: &str) -> Result<Vec<DelegationInfo>> {
        let r = self.request(Method::GET, "admin/delegations", Some(token))?;
        json(send(r).await?).await
    }

    /// `GET /admin/users`.
    pub async fn managed_users(&self, token: &str) -> Result<Vec<ManagedUserInfo>> {
        let r = self.request(Method::GET, "admin/users", Some(token))?;
        json(send(r).await?).await
    }

    /// `POST /admin/users`: the generated identifiant and the temporary password.
    pub async fn create_user(
        &self,
        token: &str,
        request: &CreateUserRequest,
    ) -> Result<CreatedUser> {
        let r = self
            .request(Method::POST, "admin/users", Some(token))?
            .json(request);
        json(send(r).await?).await
    }

    /// `GET /admin/reviews` (R-27).
    pub async fn reviews(&self, token: &str) -> Result<Vec<ReviewInfo>> {
        let r = self.request(Method::GET, "admin/reviews", Some(token))?;
        json(send(r).await?).await
    }

    /// `POST /admin/reviews`: confirm or remove one habilitation.
    pub async fn review(&self, token: &str, request: &ReviewRequest) -> Result<()> {
        let r = self
            .request(Method::POST, "admin/reviews", Some(token))?
            .json(request);
        send(r).await.map(drop)
    }

    /// `GET /caisse/partners` (a caisse operator's).
    pub async fn supervised_partners(&self, token: &str) -> Result<Vec<SupervisedPartner>> {
        let r = self.request(Method::GET, "caisse/partners", Some(token))?;
        json(send(r).await?).await
    }

    /// `PUT /caisse/partners/{tiers}/delegation` (R-26).
    pub async fn set_delegation_withdrawn(
        &self,
        token: &str,
        tiers: &str,
        withdrawn: bool,
    ) -> Result<()> {
        let r = self
            .request_at(
                Method::PUT,
                &["caisse", "partners", tiers, "delegation"],
                Some(token),
            )?
            .json(&DelegationStateRequest { withdrawn });
        send(r).await.map(drop)
    }

    /// `POST /sessions`.
    pub async fn sign_in(&self, request: &SignInRequest) -> Result<SessionInfo> {
        let r = self.request(Method::POST, "sessions", None)?.json(request);
        json(send(r).await?).await
    }

    /// `GET /sessions/current`: the session as the server sees it (without its token).
    pub async fn current(&self, token: &str) -> Result<SessionInfo> {
        let r = self.request(Method::GET, "sessions/current", Some(token))?;
        json(send(r).await?).await
    }

    /// `PUT /sessions/current/password`.
    pub async fn change_password(
        &self,
        token: &str,
        request: &ChangePasswordRequest,
    ) -> Result<()> {
        let r = self
            .request(Method::PUT, "sessions/current/password", Some(token))?
            .json(request);
        send(r).await.map(drop)
    }

    /// `DELETE /sessions/current`, saying why (issue 23: an idle wipe, a screen lock or
    /// sleep is traced as such, not as the user's sign-out).
    pub async fn sign_out(&self, token: &str, reason: EndReason) -> Result<()> {
        let query = serde_json::to_value(SignOutQuery {
            reason: Some(reason),
        })
        .ok();
        let r = self.request_with(
            Method::DELETE,
            &["sessions", "current"],
            query.as_ref(),
            Some(token),
        )?;
        send(r).await.map(drop)
    }

    /// `POST /lookups`.
    pub async fn lookup(&self, token: &str, request: &LookupRequest) -> Result<LookupResponse> {
        let r = self
            .request(Method::POST, "lookups", Some(token))?
            .json(request);
        json(send(r).await?).await
    }

    /// `GET /health`: 200 when the server and its database answer.
    pub async fn health(&self) -> Result<Health> {
        let r = self.request(Method::GET, "health", None)?;
        json(send(r).await?).await
    }
}

/// Sends and turns every non-2xx answer into the server's [`ErrorBody`].
async fn send(request: RequestBuilder) -> Result<reqwest::Response> {
    let response = request.send().await.map_err(transport_error)?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    if status.is_redirection() {
        // Not followed (see the module's doc); the body is not read either.
        return Err(error(
            ErrorCode::BadResponse,
            format!(
                "Le serveur a demandé une redirection (HTTP {}), refusée : la demande n'a pas été renvoyée ailleurs. Vérifiez l'adresse du profil.",
                status.as_u16()
            ),
        ));
    }
    let bytes = response.bytes().await.map_err(transport_error)?;
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(body),
        Err(_) => Err(unexpected_status(status)),
    }
}

async fn json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(transport_error)?;
    serde_json::from_slice(&bytes).map_err(|_| unexpected_status(status))
}

fn unexpected_status(status: StatusCode) -> ErrorBody {
    error(
        ErrorCode::BadResponse,
        format!(
            "Le serveur a répondu de façon inattendue (HTTP {}). Vérifiez l'adresse du profil.",
            status.as_u16()
        ),
    )
}

/// A failure before any answer: says which, without the URL (it can carry a token in a
/// misconfigured proxy) or any request data.
fn transport_error(e: reqwest::Error) -> ErrorBody {
    if is_tls(&e) {
        return error(
            ErrorCode::TlsError,
            "Le certificat du serveur n'est pas reconnu : la connexion sécurisée a été refusée.",
        );
    }
    if e.is_timeout() {
        return error(
            ErrorCode::ServerUnreachable,
            "Le serveur ne répond pas (délai dépassé). Réessayez dans un instant.",
        );
    }
    if e.is_decode() || e.is_body() {
        return error(
            ErrorCode::BadResponse,
            "La réponse du serveur est incomplète ou illisible.",
        );
    }
    error(
        ErrorCode::ServerUnreachable,
        "Le serveur est injoignable. Vérifiez la connexion réseau et l'adresse du profil.",
    )
}

/// Whether the error chain holds a rustls error (certificate or handshake). An `io::Error`
/// wrapping another error skips it in `source()`: its `get_ref()` is followed instead.
fn is_tls(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        source = match s.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn urls_must_be_https_except_loopback() {
        assert_eq!(
            Client::new("http://guichet.example.fr", None)
                .unwrap_err()
                .code,
            ErrorCode::InvalidUrl
        );
        assert_eq!(
            Client::new("pas une url", None).unwrap_err().code,
            ErrorCode::InvalidUrl
        );
        assert!(Client::new("http://127.0.0.1:8080", None).is_ok());
        let c = Client::new("https://guichet.example.fr/msa", None).unwrap();
        assert_eq!(
            c.api_url().as_str(),
            "https://guichet.example.fr/msa/api/v1/"
        );
    }

    #[test]
    fn an_unreadable_extra_ca_is_refused() {
        let e = Client::new("https://guichet.example.fr", Some(b"not a pem")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCa);
    }

    /// A server that answers every request with `status` and `Location: location`; counts
    /// the connections it accepts.
    async fn redirecting(
        status: u16,
        location: String,
    ) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        counting(Some((status, location))).await
    }

    /// A listener that counts connections; with `answer`, it reads a request and answers it
    /// with a redirect there.
    async fn counting(
        answer: Option<(u16, String)>,
    ) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let answer = answer.map(|(status, location)| {
            format!(
                "HTTP/1.1 {status} Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        });
        raw_server(answer).await
    }

    /// A listener that counts connections; with `answer`, it reads a request and sends
    /// `answer` (a whole HTTP response) back.
    async fn raw_server(
        answer: Option<String>,
    ) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let Some(head) = answer.clone() else {
                    continue;
                };
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let _ = socket.read(&mut buf).await;
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        (port, seen)
    }

    /// R-29: a redirect is never followed, so a password or a NIR is never sent again to
    /// wherever `Location` points; it is a `bad_response`.
    #[tokio::test]
    async fn r29_redirects_are_refused_and_nothing_is_resent() {
        use std::sync::atomic::Ordering;
        let (elsewhere, elsewhere_seen) = counting(None).await;
        for status in [301, 302, 303, 307, 308] {
            let target = format!("http://127.0.0.1:{elsewhere}/api/v1/sessions");
            let (port, seen) = redirecting(status, target).await;
            let c = Client::new(&format!("http://127.0.0.1:{port}"), None).unwrap();
            let e = c
                .sign_in(&SignInRequest {
                    identifiant: "demo.caf".into(),
                    password: zeroize::Zeroizing::new("Mot-De-Passe-42!".into()),
                })
                .await
                .unwrap_err();
            assert_eq!(e.code, ErrorCode::BadResponse, "HTTP {status}");
            assert!(e.message.contains("redirection"), "{}", e.message);
            let e = c.health().await.unwrap_err();
            assert_eq!(e.code, ErrorCode::BadResponse, "HTTP {status}");
            assert_eq!(seen.load(Ordering::SeqCst), 2, "HTTP {status}");
        }
        assert_eq!(
            elsewhere_seen.load(Ordering::SeqCst),
            0,
            "the redirect target received a request"
        );
    }

    /// A server answering `status` with the JSON `body`.
    async fn json_server(status: u16, body: &str) -> Client {
        let answer = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (port, _) = raw_server(Some(answer)).await;
        Client::new(&format!("http://127.0.0.1:{port}"), None).unwrap()
    }

    /// Add, don't break: this version talking to a newer server that added a field, a
    /// section and an error code decodes every answer, and shows the new code with the
    /// server's message.
    #[tokio::test]
    async fn an_installed_client_reads_a_newer_server() {
        let lookup = r#"{"outcome":"found","message":"Dossier trouvé.","score":1,
            "dossier":{"service":"psu","sections":["coordonnees","participation_psu"],
            "participation_psu":{"hourly_cents":123},
            "coordonnees":{"allocataire_number":"1234567","civility":"madame",
            "first_name":"Léa","birth_name":"DUPONT","usage_name":null,
            "birth_date":"1985-05-12","rang":1}}}"#;
        let request = LookupRequest {
            service: "psu".into(),
            nir: zeroize::Zeroizing::new("185057800608491".into()),
            name: zeroize::Zeroizing::new("Dupont".into()),
            as_of: None,
            numero_instructeur: None,
        };
        let c = json_server(200, lookup).await;
        let answer = c.lookup("jeton", &request).await.unwrap();
        let dossier = answer.dossier.unwrap();
        assert_eq!(
            dossier.sections,
            vec![
                guichet_core::service_def::Section::Coordonnees,
                guichet_core::service_def::Section::Unknown
            ]
        );
        assert_eq!(dossier.coordonnees.unwrap().birth_name, "DUPONT");

        let refused =
            r#"{"code":"quota_exceeded","message":"Quota d'habilitations atteint.","quota":20}"#;
        let e = json_server(403, refused)
            .await
            .lookup("jeton", &request)
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Unknown);
        assert_eq!(e.message, "Quota d'habilitations atteint.");
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let c = Client::new(&format!("http://127.0.0.1:{port}"), None).unwrap();
        assert_eq!(
            c.health().await.unwrap_err().code,
            ErrorCode::ServerUnreachable
        );
    }
}
