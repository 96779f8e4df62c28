//! One `Backend` for the UI (DESIGN.md principle 1): the application service in-process on
//! the bundled synthetic database, or a remote guichet-server through guichet-client. Both
//! speak the wire contract and fail with the same `ErrorBody` codes.

use std::path::Path;
use std::sync::Arc;

use guichet_client::Client;
use guichet_core::wire::{
    ChangePasswordRequest, CreateUserRequest, CreatedUser, DelegationInfo, ErrorBody, ErrorCode,
    LookupRequest, LookupResponse, ManagedUserInfo, ReviewDecision, ReviewInfo, ReviewRequest,
    SessionInfo, SignInRequest, SupervisedPartner,
};
use guichet_service::{
    CaisseOperator, Clock, Guichet, PartnerManager, Provisioning, ServiceConfig, ServiceError,
    provision,
};
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

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        match self {
            Backend::Bundled(g) => {
                let s = g.authenticate(token, None).await.map_err(service_error)?;
                g.sign_out(&s).await.map_err(service_error)
            }
            Backend::Remote(c) => c.sign_out(token).await,
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

    /// A ready session of the bundled backend (R-11: password changed).
    async fn ready(g: &Guichet, token: &str) -> Result<guichet_service::ReadySession> {
        let s = g.authenticate(token, None).await.map_err(service_error)?;
        g.ready(s).map_err(service_error)
    }

    /// Runs `f` with the partner manager's power of a bundled session.
    async fn as_manager<T>(
        g: &Guichet,
        token: &str,
        f: impl AsyncFnOnce(&PartnerManager<'_>) -> guichet_service::Result<T>,
    ) -> Result<T> {
        let s = Self::ready(g, token).await?;
        let m = g.partner_manager(&s).await.map_err(service_error)?;
        f(&m).await.map_err(service_error)
    }

    /// Runs `f` with the caisse operator's power of a bundled session.
    async fn as_operator<T>(
        g: &Guichet,
        token: &str,
        f: impl AsyncFnOnce(&CaisseOperator<'_>) -> guichet_service::Result<T>,
    ) -> Result<T> {
        let s = Self::ready(g, token).await?;
        let op = g.caisse_operator(&s).await.map_err(service_error)?;
        f(&op).await.map_err(service_error)
    }

    /// the partner's delegated conventions and their quota use.
    pub async fn delegations(&self, token: &str) -> Result<Vec<DelegationInfo>> {
        match self {
            Backend::Bundled(g) => {
                Self::as_manager(g, token, async |m| m.delegation_infos().await).await
            }
            Backend::Remote(c) => c.delegations(token).await,
        }
    }

    pub async fn managed_users(&self, token: &str) -> Result<Vec<ManagedUserInfo>> {
        match self {
            Backend::Bundled(g) => Self::as_manager(g, token, async |m| m.user_infos().await).await,
            Backend::Remote(c) => c.managed_users(token).await,
        }
    }

    pub async fn create_user(
        &self,
        token: &str,
        request: CreateUserRequest,
    ) -> Result<CreatedUser> {
        match self {
            Backend::Bundled(g) => {
                Self::as_manager(g, token, async |m| m.create_user_from(&request).await).await
            }
            Backend::Remote(c) => c.create_user(token, &request).await,
        }
    }

    /// the yearly review.
    pub async fn reviews(&self, token: &str) -> Result<Vec<ReviewInfo>> {
        match self {
            Backend::Bundled(g) => {
                Self::as_manager(g, token, async |m| m.review_infos().await).await
            }
            Backend::Remote(c) => c.reviews(token).await,
        }
    }

    pub async fn review(&self, token: &str, request: ReviewRequest) -> Result<()> {
        match self {
            Backend::Bundled(g) => {
                let confirm = request.decision == ReviewDecision::Confirm;
                Self::as_manager(g, token, async |m| {
                    m.review(&request.identifiant, &request.service, confirm)
                        .await
                })
                .await
            }
            Backend::Remote(c) => c.review(token, &request).await,
        }
    }

    /// A caisse operator's partners.
    pub async fn supervised_partners(&self, token: &str) -> Result<Vec<SupervisedPartner>> {
        match self {
            Backend::Bundled(g) => {
                Self::as_operator(g, token, async |op| op.supervised_partners().await).await
            }
            Backend::Remote(c) => c.supervised_partners(token).await,
        }
    }

    /// withdraws a partner's delegation, or gives it back.
    pub async fn set_delegation_withdrawn(
        &self,
        token: &str,
        tiers: &str,
        withdrawn: bool,
    ) -> Result<()> {
        match self {
            Backend::Bundled(g) => {
                Self::as_operator(g, token, async |op| {
                    op.set_delegation_withdrawn(tiers, withdrawn).await
                })
                .await
            }
            Backend::Remote(c) => c.set_delegation_withdrawn(token, tiers, withdrawn).await,
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
