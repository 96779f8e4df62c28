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
    /// A change the data's own rules forbid (a terminated convention reactivated…).
    #[error("refusé : {0}")]
    Refused(&'static str),
    #[error("donnée stockée illisible : {0}")]
    Corrupt(&'static str),
    /// a change that would leave the PSU barème inconsistent.
    #[error(transparent)]
    Bareme(#[from] guichet_core::psu::BaremeError),
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

    /// Whether the database could not be reached or is going away (as opposed to refusing
    /// a statement): worth a `503` and a retry, not a `500`.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
                | sqlx::Error::Tls(_),
            ) => true,
            StoreError::Database(sqlx::Error::Database(db)) => {
                db.code().is_some_and(|c| is_unavailable_sqlstate(&c))
            }
            _ => false,
        }
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
            StoreError::Refused(what) => write!(f, "Refused({what})"),
            StoreError::Corrupt(what) => write!(f, "Corrupt({what})"),
            StoreError::Bareme(why) => write!(f, "Bareme({why})"),
            StoreError::UnsupportedUrl => f.write_str("UnsupportedUrl"),
        }
    }
}

/// PostgreSQL's SQLSTATEs of a server that is gone or going: connection exceptions (class
/// 08), operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
/// connect now…) and insufficient resources (class 53: too many connections, disk full).
/// SQLite's codes are numbers, never matched here (its "busy" waits in `busy_timeout`).
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("57P") || code.starts_with("53")
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

impl From<guichet_core::admin::UnknownCode> for StoreError {
    fn from(e: guichet_core::admin::UnknownCode) -> Self {
        StoreError::Corrupt(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_shutdown_and_connection_codes_are_unavailability() {
        for code in ["57P01", "57P02", "57P03", "08006", "08001", "53300"] {
            assert!(is_unavailable_sqlstate(code), "{code}");
        }
        for code in ["23505", "42P01", "40001", "P0001", "2067"] {
            assert!(!is_unavailable_sqlstate(code), "{code}");
        }
    }
}
