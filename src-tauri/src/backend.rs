//! One `Backend` for the UI (DESIGN.md principle 1): the application service in-process on
//! the bundled synthetic database, or a remote guichet-server through guichet-client. Both
//! speak the wire contract and fail with the same `ErrorBody` codes.

use std::path::Path;
use std::sync::Arc;

use guichet_client::Client;
use guichet_core::manage::{ManageCall, ManageReply};
use guichet_core::wire::{
    ChangePasswordRequest, EndReason, ErrorBody, ErrorCode, LookupRequest, LookupResponse,
    SessionInfo, SignInRequest,
};
use guichet_service::{Clock, Guichet, Provisioning, ServiceConfig, ServiceError, provision};
use guichet_store::Store;
use zeroize::Zeroizing;

/// Files of the bundled database (synthetic, deterministic).
pub const BUNDLED_FILES: u64 = 20_000;
/// Seed of the bundled database: every installation holds the same synthetic families.
pub const BUNDLED_SEED: u64 = 2026;
/// Name of the bundled database in the data folder.
pub const BUNDLED_DB: &str = "bundled.sqlite";

#[derive(Debug, Clone)]
pub enum Backend {
    Bundled(Guichet),
    Remote(Client),
}

pub type Result<T> = std::result::Result<T, ErrorBody>;

pub fn error(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(code, message)
}

fn service_error(e: ServiceError) -> ErrorBody {
    e.body()
}

/// Opens (creating and seeding on first start) the bundled database in `data_dir`.
/// `progress(done, total)` is called as the synthetic files are written.
pub async fn open_bundled(
    data_dir: &Path,
    files: u64,
    clock: Arc<dyn Clock>,
    progress: impl FnMut(u64, u64),
) -> Result<Guichet> {
    let unavailable = |_| {
        error(
            ErrorCode::BundledUnavailable,
            "La base de démonstration n'a pas pu être ouverte dans le dossier de données.",
        )
    };
    std::fs::create_dir_all(data_dir).map_err(unavailable)?;
    let path = data_dir.join(BUNDLED_DB);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let store = Store::open(&url).await.map_err(|_| {
        error(
                    ErrorCode::BundledUnavailable,
            "La base de démonstration est illisible. Supprimez-la du dossier de données pour la recréer.",
        )
    })?;
    // Resumable: each step adds what is missing, so an interrupted first start resumes.
    let how = Provisioning {
        files,
        seed: BUNDLED_SEED,
        step: 2_000,
        progress_bar: false,
    };
    let done = provision(store, clock, ServiceConfig::default(), None, how, progress)
        .await
        .map_err(|e| match e {
            ServiceError::Internal | ServiceError::Unavailable => error(
                ErrorCode::BundledUnavailable,
                "La base de démonstration n'a pas pu être créée (disque plein ou en lecture seule ?).",
            ),
            e => service_error(e),
        })?;
    Ok(done.guichet)
}

impl Backend {
    pub async fn sign_in(&self, request: SignInRequest) -> Result<SessionInfo> {
        match self {
            Backend::Bundled(g) => g
                .sign_in(&request.identifiant, request.password, None)
                .await
                .map_err(service_error),
            Backend::Remote(c) => c.sign_in(&request).await,
        }
    }

    /// The session as the backend sees it now (its token field empty).
    pub async fn current(&self, token: &str) -> Result<SessionInfo> {
        match self {
            Backend::Bundled(g) => {
                let s = g.authenticate(token, None).await.map_err(service_error)?;
                g.describe(&s).await.map_err(service_error)
            }
            Backend::Remote(c) => c.current(token).await,
        }
    }

    pub async fn change_password(&self, token: &str, request: ChangePasswordRequest) -> Result<()> {
        match self {
            Backend::Bundled(g) => {
                let s = g.authenticate(token, None).await.map_err(service_error)?;
                g.change_password(&s, request.current_password, request.new_password)
                    .await
                    .map_err(service_error)
            }
            Backend::Remote(c) => c.change_password(token, &request).await,
        }
    }

    /// Ends the session, saying why (issue 23: the trace tells a wipe from a sign-out).
    pub async fn sign_out(&self, token: &str, reason: EndReason) -> Result<()> {
        match self {
            Backend::Bundled(g) => {
                let s = g.authenticate(token, None).await.map_err(service_error)?;
                g.end_session_because(&s, reason)
                    .await
                    .map_err(service_error)
            }
            Backend::Remote(c) => c.sign_out(token, reason).await,
        }
    }

    pub async fn lookup(&self, token: &str, request: LookupRequest) -> Result<LookupResponse> {
        match self {
            Backend::Bundled(g) => {
                let s = g
                    .authenticate_lookup(token, None)
                    .await
                    .map_err(service_error)?;
                let s = g.ready(s).map_err(service_error)?;
                g.lookup(&s, request, None)
                    .await
                    .map(|a| a.response)
                    .map_err(service_error)
            }
            Backend::Remote(c) => c.lookup(token, &request).await,
        }
    }

    /// Issue 23: one management call (a user's own traces, a partner manager's or a caisse
    /// operator's operation), checked by the service wherever it runs.
    pub async fn manage(&self, token: &str, call: &ManageCall) -> Result<ManageReply> {
        match self {
            Backend::Bundled(g) => {
                let s = g.authenticate(token, None).await.map_err(service_error)?;
                let s = g.ready(s).map_err(service_error)?;
                g.manage(&s, call).await.map_err(service_error)
            }
            Backend::Remote(c) => c.manage(token, call).await,
        }
    }
}

/// A signed-in session: the token lives here only, zeroized when the session is dropped.
pub struct ActiveSession {
    pub profile: String,
    pub backend: Backend,
    pub token: Zeroizing<String>,
    pub info: SessionInfo,
    /// The user asked to remember a (test) password: kept once the temporary one is changed.
    pub remember_after_change: bool,
}

impl std::fmt::Debug for ActiveSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveSession")
            .field("token", &"***")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}
