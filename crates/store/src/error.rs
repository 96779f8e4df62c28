use std::fmt;

/// Errors of the store. Messages never carry personal data: sqlx's own messages can quote
/// values (a duplicate key, a bad row), so they are kept for the operator's log only through
/// [`StoreError::detail`], which callers must not send to clients.
#[derive(thiserror::Error)]
pub enum StoreError {
    #[error("base de données injoignable ou en erreur")]
    Database(#[source] sqlx::Error),
    #[error("migration de la base de données impossible")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("existe déjà : {0}")]
    Conflict(&'static str),
    #[error("introuvable : {0}")]
    NotFound(&'static str),
    #[error("donnée stockée illisible : {0}")]
    Corrupt(&'static str),
    #[error("adresse de base de données non prise en charge (attendu sqlite://… ou postgres://…)")]
    UnsupportedUrl,
}

impl StoreError {
    /// The underlying error's text, for the operator's log. May quote stored values.
    pub fn detail(&self) -> String {
        match self {
            StoreError::Database(e) => e.to_string(),
            StoreError::Migrate(e) => e.to_string(),
            other => other.to_string(),
        }
    }

    /// Whether the database could not be reached (as opposed to refusing a statement).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            )
        )
    }
}

impl fmt::Debug for StoreError {
    // Debug output ends up in panics and logs: keep the variant, not sqlx's text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "Database({})", database_error_kind(e)),
            StoreError::Migrate(_) => f.write_str("Migrate"),
            StoreError::Conflict(what) => write!(f, "Conflict({what})"),
            StoreError::NotFound(what) => write!(f, "NotFound({what})"),
            StoreError::Corrupt(what) => write!(f, "Corrupt({what})"),
            StoreError::UnsupportedUrl => f.write_str("UnsupportedUrl"),
        }
    }
}

fn database_error_kind(e: &sqlx::Error) -> &'static str {
    match e {
        sqlx::Error::Configuration(_) => "configuration",
        sqlx::Error::Database(_) => "statement refused",
        sqlx::Error::Io(_) => "io",
        sqlx::Error::Tls(_) => "tls",
        sqlx::Error::Protocol(_) => "protocol",
        sqlx::Error::RowNotFound => "row not found",
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => "decode",
        sqlx::Error::PoolTimedOut => "pool timed out",
        sqlx::Error::PoolClosed => "pool closed",
        sqlx::Error::WorkerCrashed => "worker crashed",
        _ => "other",
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique violation to `Conflict(what)`, anything else to `Database`.
pub(crate) fn conflict_as(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}
