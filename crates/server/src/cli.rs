//! The `guichet-server` command line (DESIGN.md "Server command line").
#![allow(clippy::print_stdout, clippy::print_stderr)] // a command line prints

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use guichet_core::psu::{self, BaremeEntry, BaremeItem, CareType};
use guichet_core::{LookupOutcome, ServiceDef};
use guichet_service::{
    ConventionRequest, Guichet, NewUserRequest, Provisioning, SampleQuery, ServiceConfig,
    ServiceError, SystemClock, sample_files,
};
use guichet_store::{
    ConventionStatus, PartnerKind, PartnerRole, Store, TraceFilter, UserStatus, prelude::*,
};

use crate::api::HttpConfig;
use crate::config::{FileConfig, parse_proxies, read_trace_keys, write_trace_keys};

#[derive(Debug, Parser)]
#[command(
    name = "guichet-server",
    version,
    about = "Serveur Guichet : API HTTPS, administration, traces."
)]
struct Cli {
    /// Fichier de configuration TOML.
    #[arg(long, env = "GUICHET_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Base de données : sqlite://CHEMIN ou postgres://…
    #[arg(long, env = "GUICHET_DATABASE_URL", global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sert l'API (HTTPS, ou HTTP sur l'adresse de bouclage seulement).
    Serve(ServeArgs),
    /// Applique les migrations.
    Migrate,
    /// Crée des dossiers synthétiques, les caisses, les services et les partenaires de démonstration.
    Seed {
        #[arg(long)]
        files: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Extrait des dossiers d'une base synthétique (lignes JSON).
    Sample(SampleArgs),
    /// Administration par la caisse.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Traces : vérification de la chaîne, export, signaux d'abus.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Statistiques mensuelles.
    Stats {
        #[arg(long)]
        month: String,
    },
    /// Purge des traces et sessions échues.
    Purge,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[arg(long, env = "GUICHET_LISTEN")]
    listen: Option<SocketAddr>,
    #[arg(long, env = "GUICHET_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    #[arg(long, env = "GUICHET_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    #[arg(long, env = "GUICHET_LOOKUPS_PER_MINUTE")]
    lookups_per_minute: Option<u32>,
    /// Connexions à la base (par défaut : 2 × cœurs + 1 sur PostgreSQL, 16 sur SQLite), plus
    /// une réservée aux traces.
    #[arg(long, env = "GUICHET_MAX_CONNECTIONS")]
    max_connections: Option<u32>,
    /// Proxy de confiance (adresse ou bloc CIDR) dont X-Forwarded-For est cru ; répétable.
    #[arg(
        long = "trusted-proxy",
        env = "GUICHET_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,
}

#[derive(Debug, Args)]
struct SampleArgs {
    #[arg(long, default_value_t = 10)]
    count: usize,
    #[arg(long)]
    caisse: Option<String>,
    #[arg(long)]
    departement: Option<String>,
    #[arg(long, value_enum)]
    outcome: Option<SampleOutcome>,
    /// Service whose eligibility decides `found` / `not_eligible`.
    #[arg(long)]
    service: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SampleOutcome {
    Found,
    Opposition,
    NotEligible,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    #[command(subcommand)]
    Partner(PartnerCommand),
    #[command(subcommand)]
    Convention(ConventionCommand),
    #[command(subcommand)]
    User(UserCommand),
    #[command(subcommand)]
    Service(ServiceCommand),
    #[command(subcommand)]
    Caisse(CaisseCommand),
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// R-31 : le barème PSU (planchers, plafonds, taux d'effort), chaque valeur avec sa source.
    #[command(subcommand)]
    Bareme(BaremeCommand),
}

#[derive(Debug, Subcommand)]
enum BaremeCommand {
    /// Affiche le barème : une ligne par valeur, avec sa période, sa source et « non
    /// confirmé » quand elle n'a pas pu être vérifiée.
    List,
    /// Publie une valeur : elle clôt la veille de son début celle qu'elle suit, remplace
    /// celle qui commence le même jour ; refusée si le barème ne tenait plus.
    Set {
        /// floor (plancher mensuel), ceiling (plafond mensuel) ou rate (taux d'effort).
        kind: BaremeKind,
        /// Premier jour de la valeur (jj/mm/aaaa ou aaaa-mm-jj).
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        /// Dernier jour (jj/mm/aaaa ou aaaa-mm-jj) ; sans lui, jusqu'à la valeur suivante.
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// Plancher ou plafond en euros (« 801,00 » ou « 801.00 »).
        #[arg(long, required_if_eq_any = [("kind", "floor"), ("kind", "ceiling")])]
        amount: Option<String>,
        /// Taux d'effort en pourcentage (« 0,0619 »).
        #[arg(long, required_if_eq("kind", "rate"))]
        rate: Option<String>,
        /// Type d'accueil du taux.
        #[arg(long, required_if_eq("kind", "rate"))]
        care: Option<CareType>,
        /// Nombre d'enfants à partir duquel le taux s'applique.
        #[arg(long, required_if_eq("kind", "rate"))]
        children: Option<u32>,
        /// Circulaire de la Cnaf ou page de caf.fr d'où vient la valeur.
        #[arg(long)]
        source: String,
        /// La valeur n'a pas pu être vérifiée : elle sera affichée comme non confirmée.
        #[arg(long)]
        unconfirmed: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BaremeKind {
    Floor,
    Ceiling,
    Rate,
}

#[derive(Debug, Subcommand)]
enum OperatorCommand {
    /// A caisse agent's account (sign-in, password and lockout as every user), bound to
    /// the caisse whose partners they supervise; prints the temporary password.
    Add {
        #[arg(long)]
        caisse: String,
        #[arg(long)]
        identifiant: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum PartnerCommand {
    Add {
        #[arg(long)]
        tiers: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_kind)]
        kind: PartnerKind,
        /// R-31 : type d'accueil d'un établissement (collective, familial ou parental), qui
        /// fixe ses taux d'effort PSU.
        #[arg(long, default_value = "collective")]
        care: CareType,
    },
    /// R-31 : change le type d'accueil d'un partenaire (collective, familial, parental).
    Care {
        tiers: String,
        care: CareType,
    },
    List,
    Suspend {
        tiers: String,
    },
    Reactivate {
        tiers: String,
    },
    /// the caisse takes the management of the partner's habilitations back.
    WithdrawDelegation {
        tiers: String,
    },
    /// gives the management back to the partner's administrator and managers.
    RestoreDelegation {
        tiers: String,
    },
    /// delegates the partner's conventions of each service named, each with its quota
    /// (`--quota cdap-t2=20,cdap-t13=5`), or changes their quotas.
    Quotas {
        tiers: String,
        #[arg(long, value_delimiter = ',', required = true, value_parser = parse_quota)]
        quota: Vec<Quota>,
    },
    /// the partners whose yearly review of habilitations is late.
    LateReviews,
    /// every user of the partner must change their password at next sign-in.
    ForceChange {
        tiers: String,
    },
    /// suspends a partner's habilitations whose review is late.
    SuspendLate {
        tiers: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConventionCommand {
    Add {
        #[arg(long)]
        partner: String,
        #[arg(long)]
        caisse: String,
        #[arg(long)]
        service: String,
        #[arg(long, value_delimiter = ',')]
        departements: Vec<String>,
        #[arg(long)]
        number: Option<String>,
        #[arg(long)]
        starts: Option<NaiveDate>,
        /// R-06 (CAF only): the départements may lie outside the caisse's own, and every
        /// CAF's files in them are in scope (seed 003: T13 for 13/83/84).
        #[arg(long)]
        beyond_caisse: bool,
        /// the partner manages this convention's habilitations itself, within the
        /// quota (seed 003: compulsory).
        #[arg(long, requires = "quota")]
        delegated: bool,
        /// With --delegated: the most habilitations in force at once, as `N` or
        /// `SERVICE=N` (the convention's service).
        #[arg(long, requires = "delegated", value_parser = parse_quota)]
        quota: Option<Quota>,
    },
    /// delegates an existing convention, or changes its quota (compulsory, seed 003).
    Delegate {
        number: String,
        #[arg(long)]
        quota: u32,
    },
    Suspend {
        number: String,
    },
    Reactivate {
        number: String,
    },
    /// termination for breach, at once and for good (every session ends).
    Terminate {
        number: String,
    },
    /// notice given by a party (MSA: ends with the yearly period three months or more
    /// away; CAF: on the date asked, three months at least after reception).
    Notice {
        number: String,
        /// Day the notice was received (today by default).
        #[arg(long)]
        received: Option<NaiveDate>,
        /// CAF only: the day it takes effect.
        #[arg(long)]
        effective: Option<NaiveDate>,
    },
    /// the notice is withdrawn; the convention renews tacitly again.
    WithdrawNotice {
        number: String,
    },
    /// A partner's conventions with their terms.
    List {
        #[arg(long)]
        partner: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    Add {
        #[arg(long)]
        partner: String,
        #[arg(long)]
        identifiant: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_delimiter = ',')]
        service: Vec<String>,
        /// Last day of the habilitations (required by temporary profiles such as CDAP T16).
        #[arg(long)]
        until: Option<NaiveDate>,
        #[arg(long)]
        test_account: bool,
    },
    ResetPassword {
        identifiant: String,
    },
    Suspend {
        identifiant: String,
    },
    Reactivate {
        identifiant: String,
    },
    Deactivate {
        identifiant: String,
    },
    List {
        #[arg(long)]
        partner: Option<String>,
    },
    /// suspends one habilitation of a user (the caisse's supervision).
    SuspendHabilitation {
        identifiant: String,
        service: String,
    },
    /// restores a suspended habilitation.
    RestoreHabilitation {
        identifiant: String,
        service: String,
    },
    /// the user must change their password at next sign-in.
    ForceChange {
        identifiant: String,
    },
    /// appoints a partner's administrator, deputy or manager (`none` removes it).
    Role {
        identifiant: String,
        /// administrator, deputy, manager or none.
        role: String,
    },
}

#[derive(Debug, Subcommand)]
enum ServiceCommand {
    /// adds a service or CDAP profile from its definition (TOML, or JSON when the
    /// file ends in `.json`), or replaces it.
    Add {
        #[arg(long)]
        definition: PathBuf,
    },
    /// Enregistre le catalogue national (psu, qf, rsacg, profils CDAP) : la première
    /// commande d'une nouvelle installation ; sans effet sur un service déjà à jour.
    Catalogue,
    List,
    Set {
        code: String,
        #[arg(long)]
        idle_timeout: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
enum CaisseCommand {
    /// Enregistre la caisse d'une nouvelle installation (ou la corrige) : code CAF-… ou
    /// MSA-…, nom, départements, horaires.
    Add {
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_delimiter = ',', required = true)]
        departements: Vec<String>,
        /// HH:MM-HH:MM (heure de Paris) ou 24/7 ; par défaut les horaires habituels.
        #[arg(long)]
        hours: Option<String>,
    },
    Set {
        code: String,
        /// HH:MM-HH:MM (heure de Paris) ou 24/7.
        #[arg(long)]
        hours: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    Verify,
    Export {
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        since: Option<NaiveDate>,
    },
    /// Utilisateurs à examiner depuis une date.
    Flags {
        #[arg(long)]
        since: NaiveDate,
    },
    /// Crée la clé de traces d'une nouvelle installation (fichier neuf, mode 0600 ; jamais
    /// en remplacement d'un fichier existant). Sans base de données : le paquet Debian
    /// l'appelle à l'installation.
    InitKey {
        /// Le fichier à créer (ne doit pas exister).
        #[arg(long)]
        out: PathBuf,
    },
    /// Renouvelle la clé de traces : écrit le nouveau fichier de clés (mode 0600) à
    /// installer à la place de l'ancien. Toutes les instances doivent être arrêtées.
    RotateKey {
        /// Le nouveau fichier de clés (ne doit pas exister).
        #[arg(long)]
        out: PathBuf,
    },
}

/// A quota as typed: `20`, or `cdap-t2=20` for one service.
#[derive(Debug, Clone)]
struct Quota {
    service: Option<String>,
    max: u32,
}

fn parse_quota(s: &str) -> Result<Quota, String> {
    let (service, n) = match s.split_once('=') {
        Some((service, n)) => (Some(service.trim().to_owned()), n),
        None => (None, s),
    };
    let max = n
        .trim()
        .parse()
        .map_err(|_| "attendu : N ou SERVICE=N (N entier positif)".to_owned())?;
    Ok(Quota { service, max })
}

fn parse_kind(s: &str) -> Result<PartnerKind, String> {
    PartnerKind::from_code(s)
        .ok_or_else(|| "attendu : eaje, commune, departement, ccas ou other".into())
}

/// Failure of a command: its message goes to stderr, exit code 1.
struct Failure(String);

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Failure(e.message())
    }
}

impl From<guichet_store::StoreError> for Failure {
    fn from(e: guichet_store::StoreError) -> Self {
        // The store's own messages are French and carry no stored values.
        Failure(e.to_string())
    }
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure(e)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(matches!(cli.command, Command::Serve(_)));
    // Before any password, token or file is in memory (R-29: no crash dump of them).
    if let Err(e) = guichet_service::forbid_core_dumps() {
        tracing::warn!(error = %e, "core dumps not disabled");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("démarrage impossible : {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("guichet-server : {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn operator() -> String {
    std::env::var("GUICHET_OPERATOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "cli".into())
}

async fn run(cli: Cli) -> Result<(), Failure> {
    // The one command that needs no database: a new installation's trace key.
    if let Command::Audit(AuditCommand::InitKey { out }) = &cli.command {
        write_trace_keys(out, &guichet_service::TraceKeys::generate())?;
        println!("clé de traces créée : {}", out.display());
        return Ok(());
    }
    let file = FileConfig::load(cli.config.as_deref())?;
    let database = cli
        .database
        .clone()
        .or_else(|| file.database.clone())
        .ok_or_else(|| {
            Failure("base de données non précisée (--database ou GUICHET_DATABASE_URL)".into())
        })?;
    let max_connections = match &cli.command {
        Command::Serve(a) => a.max_connections.or(file.max_connections),
        _ => file.max_connections,
    }
    .unwrap_or_else(|| Store::default_pool_size(&database));
    let store = Store::connect_with_pool(&database, max_connections).await?;
    store.migrate().await?;
    let mut service_config = file.service.clone();
    if let Command::Serve(a) = &cli.command
        && let Some(n) = a.lookups_per_minute
    {
        service_config.lookups_per_minute = n;
    }
    let trace_key_file = std::env::var_os("GUICHET_TRACE_KEY_FILE")
        .map(PathBuf::from)
        .or(file.trace_key_file.clone());
    let trace_key = trace_key_file.as_deref().map(read_trace_keys).transpose()?;
    let key_file_given = trace_key.is_some();

    match cli.command {
        Command::Migrate => {
            println!("migrations appliquées");
            Ok(())
        }
        Command::Seed { files, seed } => {
            let done = guichet_service::provision(
                store,
                Arc::new(SystemClock),
                service_config,
                trace_key,
                Provisioning {
                    files,
                    seed,
                    step: files.max(1),
                    progress_bar: true,
                },
                |_, _| {},
            )
            .await?;
            println!(
                "{} dossiers écrits ({} au total) en {:.1} s ({:.0}/s); comptes de démonstration créés : {}",
                done.written,
                done.total,
                done.elapsed.as_secs_f64(),
                done.files_per_sec(),
                if done.demo_accounts.is_empty() {
                    "aucun".into()
                } else {
                    done.demo_accounts.join(", ")
                }
            );
            Ok(())
        }
        Command::Sample(args) => sample(&store, args).await,
        Command::Serve(args) => {
            let g = service(store, service_config, trace_key).await?;
            serve(g, args, &file).await
        }
        Command::Admin(cmd) => {
            let g = service(store, service_config, trace_key).await?;
            admin(&g, cmd).await
        }
        Command::Audit(cmd) => {
            let g = service(store, service_config, trace_key).await?;
            audit(&g, cmd, key_file_given).await
        }
        Command::Stats { month } => {
            let g = service(store, service_config, trace_key).await?;
            for row in g
                .console_auditor(&operator())?
                .monthly_stats(&month)
                .await?
            {
                println!("{}", serde_json::to_string(&row).unwrap_or_default());
            }
            Ok(())
        }
        Command::Purge => {
            let g = service(store, service_config, trace_key).await?;
            let r = g.console_auditor(&operator())?.purge().await?;
            println!(
                "purgé : {} traces, {} sessions, {} compteurs, {} verrouillages échus, \
                 {} habilitations échues depuis plus de la durée de conservation",
                r.traces, r.sessions, r.rate_counters, r.lockouts, r.habilitations
            );
            Ok(())
        }
    }
}

/// Now, from the system clock (the one place the command line needs it).
fn now() -> chrono::DateTime<Utc> {
    guichet_service::Clock::now(&SystemClock)
}

async fn service(
    store: Store,
    config: ServiceConfig,
    trace_key: Option<guichet_service::TraceKeys>,
) -> Result<Guichet, Failure> {
    Ok(Guichet::new(store, Arc::new(SystemClock), config, trace_key).await?)
}

async fn serve(g: Guichet, args: ServeArgs, file: &FileConfig) -> Result<(), Failure> {
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8443)));
    let cert = args.tls_cert.or_else(|| file.tls_cert.clone());
    let key = args.tls_key.or_else(|| file.tls_key.clone());
    let proxies = if args.trusted_proxies.is_empty() {
        &file.trusted_proxies
    } else {
        &args.trusted_proxies
    };
    let defaults = HttpConfig::default();
    let http = HttpConfig {
        trusted_proxies: parse_proxies(proxies)?,
        request_timeout: file
            .request_timeout_secs
            .map_or(defaults.request_timeout, Duration::from_secs),
        max_concurrent_requests: file
            .max_concurrent_requests
            .unwrap_or(defaults.max_concurrent_requests)
            .max(1),
        tls: cert.is_some() && key.is_some(),
    };
    let grace = Duration::from_secs(file.shutdown_grace_secs.unwrap_or(20));
    let app = crate::router(crate::AppState::new(g.clone(), http))
        .into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    tokio::spawn(stop_on_signal(handle.clone(), grace));
    let housekeeping = tokio::spawn(housekeeping(g.clone()));
    let served = match (cert, key) {
        (Some(cert), Some(key)) => {
            let tls = crate::tls::rustls_config(&cert, &key).await?;
            tracing::info!(%listen, tls = true, "listening");
            eprintln!("Guichet écoute sur https://{listen}");
            axum_server::bind_rustls(listen, tls)
                .handle(handle)
                .serve(app)
                .await
        }
        _ => {
            crate::tls::check_plain_http_allowed(&listen)?;
            tracing::info!(%listen, tls = false, "listening");
            eprintln!("Guichet écoute sur http://{listen} (bouclage seulement, sans TLS)");
            axum_server::bind(listen).handle(handle).serve(app).await
        }
    };
    // Requests in flight have ended (or the grace period has): commit what they traced.
    housekeeping.abort();
    g.shutdown().await;
    tracing::info!("stopped");
    served.map_err(|e| Failure(format!("écoute impossible sur {listen} : {e}")))
}

/// SIGTERM (systemd, orchestrators) or SIGINT: stop accepting, let requests in flight
/// finish for at most `grace`, then `serve` returns and the traces are flushed.
async fn stop_on_signal(handle: axum_server::Handle<SocketAddr>, grace: Duration) {
    // SIGTERM on Unix; on Windows the service manager's or the console's close and
    // shutdown events.
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM not handled");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(windows)]
    let terminate = async {
        use tokio::signal::windows::{ctrl_close, ctrl_shutdown};
        match (ctrl_close(), ctrl_shutdown()) {
            (Ok(mut close), Ok(mut shutdown)) => {
                tokio::select! {
                    _ = close.recv() => {}
                    _ = shutdown.recv() => {}
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "console close and shutdown events not handled");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!(
        grace_s = grace.as_secs(),
        "stopping: draining requests in flight"
    );
    eprintln!("Arrêt demandé : fin des requêtes en cours, puis arrêt.");
    handle.graceful_shutdown(Some(grace));
}

/// Minutes between two purges while serving: once a day (and once at start).
const PURGE_EVERY_MINUTES: u64 = 24 * 60;

/// Upkeep while serving: every minute, the refusal counts of closed lockout windows; once a
/// day, the purge (R-20: traces past their retention, habilitation records ended six years
/// ago, dead sessions, counters), traced under the name `purge quotidienne`.
async fn housekeeping(g: Guichet) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    for minute in 0u64.. {
        every.tick().await;
        if let Err(e) = g.housekeeping().await {
            tracing::warn!(code = %e.code(), "housekeeping failed");
        }
        if minute % PURGE_EVERY_MINUTES == 0 {
            match g.console_auditor("purge quotidienne") {
                Ok(auditor) => match auditor.purge().await {
                    Ok(r) => tracing::info!(
                        traces = r.traces,
                        habilitations = r.habilitations,
                        sessions = r.sessions,
                        "daily purge"
                    ),
                    Err(e) => tracing::warn!(code = %e.code(), "daily purge failed"),
                },
                Err(e) => tracing::warn!(code = %e.code(), "daily purge failed"),
            }
        }
    }
}

async fn sample(store: &Store, args: SampleArgs) -> Result<(), Failure> {
    let query = SampleQuery {
        caisse: args.caisse,
        departement: args.departement,
        outcome: args.outcome.map(|o| match o {
            SampleOutcome::Found => LookupOutcome::Found,
            SampleOutcome::Opposition => LookupOutcome::Opposition,
            SampleOutcome::NotEligible => LookupOutcome::NotEligible,
        }),
        service: args.service,
        count: args.count,
    };
    let today = now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let files = sample_files(store, &query, today)
        .await
        .map_err(|e| match e {
            ServiceError::InvalidInput(_) => {
                Failure("refusé : cette base n'est pas synthétique".into())
            }
            ServiceError::NotFound(_) => Failure(format!(
                "service inconnu : {}",
                query.service.as_deref().unwrap_or_default()
            )),
            e => e.into(),
        })?;
    let mut out = std::io::stdout().lock();
    for d in &files {
        let line = serde_json::json!({
            "nir": d.nir.expose(),
            "birth_name": d.contact.birth_name,
            "usage_name": d.contact.usage_name,
            "caisse": d.caisse,
            "departement": d.departement,
            "opposition": d.opposition,
            "rsa_since": d.rsa.as_ref().map(|r| r.period.start),
        });
        writeln!(out, "{line}").map_err(|e| Failure(e.to_string()))?;
    }
    Ok(())
}

fn parse_role(s: &str) -> Result<Option<PartnerRole>, String> {
    if s == "none" {
        return Ok(None);
    }
    PartnerRole::from_code(s)
        .map(Some)
        .ok_or_else(|| "rôle attendu : administrator, deputy, manager ou none".to_owned())
}

async fn admin(g: &Guichet, cmd: AdminCommand) -> Result<(), Failure> {
    let a = g.console(&operator())?;
    match cmd {
        AdminCommand::Partner(PartnerCommand::Add {
            tiers,
            name,
            kind,
            care,
        }) => {
            let p = a.add_partner(&tiers, &name, kind, care).await?;
            println!(
                "partenaire {} créé : {} ({})",
                p.tiers,
                p.name,
                p.care.label()
            );
        }
        AdminCommand::Partner(PartnerCommand::Care { tiers, care }) => {
            a.set_partner_care(&tiers, care).await?;
            println!("partenaire {tiers} : {}", care.label());
        }
        AdminCommand::Bareme(cmd) => bareme(&a, cmd).await?,
        AdminCommand::Partner(PartnerCommand::List) => {
            for p in a.partners().await? {
                println!("{}\t{}\t{}\t{}", p.tiers, p.kind, p.status, p.name);
            }
        }
        AdminCommand::Partner(PartnerCommand::Suspend { tiers }) => {
            a.set_partner_status(&tiers, guichet_store::PartnerStatus::Suspended)
                .await?;
            println!("partenaire {tiers} suspendu");
        }
        AdminCommand::Partner(PartnerCommand::Reactivate { tiers }) => {
            a.set_partner_status(&tiers, guichet_store::PartnerStatus::Active)
                .await?;
            println!("partenaire {tiers} réactivé");
        }
        AdminCommand::Partner(PartnerCommand::WithdrawDelegation { tiers }) => {
            a.set_delegation_withdrawn(&tiers, true).await?;
            println!("délégation du partenaire {tiers} retirée : la caisse gère ses habilitations");
        }
        AdminCommand::Partner(PartnerCommand::ForceChange { tiers }) => {
            let n = a.force_password_change(None, Some(&tiers)).await?;
            println!("{n} compte(s) du partenaire {tiers} devront changer de mot de passe");
        }
        AdminCommand::User(UserCommand::SuspendHabilitation {
            identifiant,
            service,
        }) => {
            a.set_habilitation_suspended(&identifiant, &service, true)
                .await?;
            println!("habilitation {service} de {identifiant} suspendue");
        }
        AdminCommand::User(UserCommand::RestoreHabilitation {
            identifiant,
            service,
        }) => {
            a.set_habilitation_suspended(&identifiant, &service, false)
                .await?;
            println!("habilitation {service} de {identifiant} rétablie");
        }
        AdminCommand::User(UserCommand::ForceChange { identifiant }) => {
            a.force_password_change(Some(&identifiant), None).await?;
            println!("{identifiant} devra changer de mot de passe à sa prochaine connexion");
        }
        AdminCommand::Partner(PartnerCommand::LateReviews) => {
            for (tiers, n) in a.late_reviews().await? {
                println!("{tiers}\t{n} habilitation(s) à revoir");
            }
        }
        AdminCommand::Partner(PartnerCommand::SuspendLate { tiers }) => {
            let n = a.suspend_late(&tiers).await?;
            println!("{n} habilitation(s) du partenaire {tiers} suspendue(s) jusqu'à leur revue");
        }
        AdminCommand::Partner(PartnerCommand::RestoreDelegation { tiers }) => {
            a.set_delegation_withdrawn(&tiers, false).await?;
            println!("délégation du partenaire {tiers} rendue");
        }
        AdminCommand::Partner(PartnerCommand::Quotas { tiers, quota }) => {
            let mut quotas = Vec::new();
            for q in quota {
                let service = q
                    .service
                    .ok_or_else(|| Failure("attendu : SERVICE=N pour chaque quota".into()))?;
                quotas.push((service, q.max));
            }
            for (number, service, max) in a.set_quotas(&tiers, &quotas).await? {
                println!("convention {number} ({service}) déléguée, quota {max}");
            }
        }
        AdminCommand::Convention(ConventionCommand::Delegate { number, quota }) => {
            a.delegate(&number, quota).await?;
            println!("convention {number} déléguée, quota {quota}");
        }
        AdminCommand::User(UserCommand::Role { identifiant, role }) => {
            let role =
                parse_role(&role).map_err(|m| Failure::from(ServiceError::InvalidInput(m)))?;
            a.set_partner_role(&identifiant, role).await?;
            let role = role.map_or("aucun", PartnerRole::code);
            println!("rôle de {identifiant} : {role}");
        }
        AdminCommand::Convention(ConventionCommand::Add {
            partner,
            caisse,
            service,
            departements,
            number,
            starts,
            beyond_caisse,
            delegated,
            quota,
        }) => {
            let c = a
                .add_convention(&ConventionRequest {
                    partner_tiers: &partner,
                    caisse: &caisse,
                    service: &service,
                    departements: &departements,
                    number: number.as_deref(),
                    starts_on: starts,
                    beyond_caisse,
                })
                .await?;
            println!(
                "convention {} créée ({} {} : {})",
                c.number,
                c.caisse,
                c.service,
                c.departements.join(",")
            );
            if delegated {
                if let Some(Quota {
                    service: Some(other),
                    ..
                }) = quota
                    .as_ref()
                    .filter(|q| q.service.as_deref() != Some(&c.service))
                {
                    return Err(Failure(format!(
                        "quota pour {other} : la convention porte sur {}",
                        c.service
                    )));
                }
                let Some(Quota { max: quota, .. }) = quota else {
                    return Err(Failure("--delegated demande --quota (seed 003)".into()));
                };
                a.delegate(&c.number, quota).await?;
                println!("convention {} déléguée, quota {quota}", c.number);
            }
        }
        AdminCommand::Convention(ConventionCommand::Suspend { number }) => {
            a.set_convention_status(&number, ConventionStatus::Suspended)
                .await?;
            println!("convention {number} suspendue");
        }
        AdminCommand::Convention(ConventionCommand::Reactivate { number }) => {
            a.set_convention_status(&number, ConventionStatus::Active)
                .await?;
            println!("convention {number} réactivée");
        }
        AdminCommand::Convention(ConventionCommand::Terminate { number }) => {
            a.set_convention_status(&number, ConventionStatus::Terminated)
                .await?;
            println!("convention {number} résiliée");
        }
        AdminCommand::Convention(ConventionCommand::Notice {
            number,
            received,
            effective,
        }) => {
            let end = a.give_notice(&number, received, effective).await?;
            println!("convention {number} : préavis enregistré, fin le {end}");
        }
        AdminCommand::Convention(ConventionCommand::WithdrawNotice { number }) => {
            a.withdraw_notice(&number).await?;
            println!("convention {number} : préavis retiré, reconduction tacite");
        }
        AdminCommand::Convention(ConventionCommand::List { partner }) => {
            let today = a.today();
            for c in a.conventions(&partner).await? {
                let term = guichet_core::policy::term::term_end(c.starts_on, today);
                let end = match (c.status, c.ends_on) {
                    (ConventionStatus::Active, Some(end)) => format!("fin {end} (préavis)"),
                    (ConventionStatus::Active, None) => {
                        format!("échéance {term}, reconduction tacite")
                    }
                    (status, _) => status.code().to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\tdébut {}\t{end}{}",
                    c.number,
                    c.caisse,
                    c.service,
                    c.departements.join(","),
                    c.starts_on,
                    if c.beyond_caisse { "\thors caisse" } else { "" }
                );
            }
        }
        AdminCommand::User(UserCommand::Add {
            partner,
            identifiant,
            name,
            email,
            service,
            until,
            test_account,
        }) => {
            let (user, password) = a
                .add_user(&NewUserRequest {
                    partner_tiers: partner,
                    identifiant,
                    display_name: name,
                    email,
                    services: service,
                    ends_on: until,
                    test_account,
                })
                .await?;
            println!(
                "utilisateur {} créé ; mot de passe provisoire (à changer à la première connexion) :",
                user.identifiant
            );
            println!("{}", password.as_str());
        }
        AdminCommand::User(UserCommand::ResetPassword { identifiant }) => {
            let password = a.reset_password(&identifiant).await?;
            println!("mot de passe réinitialisé, sessions fermées ; mot de passe provisoire :");
            println!("{}", password.as_str());
        }
        AdminCommand::User(UserCommand::Suspend { identifiant }) => {
            a.set_user_status(&identifiant, UserStatus::Suspended)
                .await?;
            println!("utilisateur {identifiant} suspendu");
        }
        AdminCommand::User(UserCommand::Reactivate { identifiant }) => {
            a.set_user_status(&identifiant, UserStatus::Active).await?;
            println!("utilisateur {identifiant} réactivé");
        }
        AdminCommand::User(UserCommand::Deactivate { identifiant }) => {
            a.set_user_status(&identifiant, UserStatus::Deactivated)
                .await?;
            println!("utilisateur {identifiant} désactivé");
        }
        AdminCommand::User(UserCommand::List { partner }) => {
            for u in a.users(partner.as_deref()).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.identifiant,
                    u.status,
                    if u.must_change_password {
                        "mot de passe provisoire"
                    } else {
                        "-"
                    },
                    u.display_name
                );
            }
        }
        AdminCommand::Operator(OperatorCommand::Add {
            caisse,
            identifiant,
            name,
            email,
        }) => {
            let (user, password) = a.add_operator(&caisse, &identifiant, &name, &email).await?;
            println!(
                "agent {} de la caisse {caisse} créé ; mot de passe provisoire (à changer à la première connexion) :",
                user.identifiant
            );
            println!("{}", password.as_str());
        }
        AdminCommand::Service(ServiceCommand::Add { definition }) => {
            let def = read_service_definition(&definition)?;
            let new = a.put_service(&def).await?;
            let verb = if new { "ajouté" } else { "mis à jour" };
            println!("service {} {verb} : {}", def.code, def.label);
        }
        AdminCommand::Service(ServiceCommand::Catalogue) => {
            let mut added = 0;
            let all = guichet_store::reference::services();
            for def in &all {
                added += usize::from(a.put_service(def).await?);
            }
            let values = a.install_national_bareme().await?;
            println!(
                "catalogue : {} services, dont {added} ajoutés ; barème PSU : {values} valeur(s) \
                 ajoutée(s)",
                all.len()
            );
        }
        AdminCommand::Service(ServiceCommand::List) => {
            for s in a.services().await? {
                let sections: Vec<_> = s.sections.iter().map(|x| x.code()).collect();
                println!("{}\t{}\t{}", s.code, s.label, sections.join(","));
            }
        }
        AdminCommand::Service(ServiceCommand::Set { code, idle_timeout }) => {
            if let Some(secs) = idle_timeout {
                let s = a.set_service_idle_timeout(&code, secs).await?;
                println!("service {} : inactivité {} s", s.code, s.idle_timeout_secs);
            }
        }
        AdminCommand::Caisse(CaisseCommand::Add {
            code,
            name,
            departements,
            hours,
        }) => {
            let hours = match hours {
                Some(h) => parse_hours(&h)?,
                None => guichet_core::policy::hours::DEFAULT_HOURS,
            };
            a.put_caisse(&code, &name, &departements, hours).await?;
            println!(
                "caisse {code} enregistrée : {}, horaires {hours}",
                departements.join(", ")
            );
        }
        AdminCommand::Caisse(CaisseCommand::Set { code, hours }) => {
            if let Some(h) = hours {
                let hours = parse_hours(&h)?;
                a.set_caisse_hours(&code, hours).await?;
                println!("caisse {code} : horaires {hours}");
            }
        }
    }
    Ok(())
}

/// A date as typed: `jj/mm/aaaa` or `aaaa-mm-jj`.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%d/%m/%Y")
        .or_else(|_| text.trim().parse())
        .map_err(|_| "date attendue : jj/mm/aaaa".into())
}

/// `admin bareme …`.
async fn bareme(a: &guichet_service::ConsoleAdmin<'_>, cmd: BaremeCommand) -> Result<(), Failure> {
    match cmd {
        BaremeCommand::List => {
            for e in a.psu_bareme().await?.entries() {
                print_bareme_entry(e);
            }
        }
        BaremeCommand::Set {
            kind,
            from,
            to,
            amount,
            rate,
            care,
            children,
            source,
            unconfirmed,
        } => {
            let bad = |what: &str| Failure(format!("{what} illisible"));
            let (item, value) = match kind {
                BaremeKind::Floor | BaremeKind::Ceiling => {
                    let amount = amount.ok_or_else(|| bad("montant"))?;
                    let cents = psu::parse_euros(&amount).ok_or_else(|| bad("montant"))?;
                    let item = if kind == BaremeKind::Floor {
                        BaremeItem::Floor
                    } else {
                        BaremeItem::Ceiling
                    };
                    (item, cents)
                }
                BaremeKind::Rate => {
                    let rate = rate.ok_or_else(|| bad("taux"))?;
                    let ppm = psu::parse_rate_percent(&rate).ok_or_else(|| bad("taux"))?;
                    let care = care.ok_or_else(|| bad("type d'accueil"))?;
                    let children = children.ok_or_else(|| bad("nombre d'enfants"))?;
                    (BaremeItem::Rate { care, children }, ppm)
                }
            };
            let entry = BaremeEntry {
                item,
                period: guichet_core::dossier::Period {
                    start: from,
                    end: to,
                },
                value,
                source,
                confirmed: !unconfirmed,
            };
            let stored = a.publish_bareme_entry(entry).await?;
            println!("barème PSU mis à jour ; valeurs de ce type désormais :");
            for e in stored.entries().iter().filter(|e| e.item == item) {
                print_bareme_entry(e);
            }
        }
    }
    Ok(())
}

fn print_bareme_entry(e: &BaremeEntry) {
    let what = match e.item {
        BaremeItem::Floor => format!("plancher\t\t{}", psu::format_euros(e.value)),
        BaremeItem::Ceiling => format!("plafond\t\t{}", psu::format_euros(e.value)),
        BaremeItem::Rate { care, children } => format!(
            "taux\t{care} {children}+ enf.\t{}",
            psu::format_rate(e.value)
        ),
    };
    let date = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let end = e.period.end.map_or_else(|| "…".to_owned(), date);
    let status = if e.confirmed { "" } else { "\tnon confirmé" };
    println!(
        "{}\t{end}\t{what}\t{}{status}",
        date(e.period.start),
        e.source
    );
}

/// `--hours`: HH:MM-HH:MM (Paris time) or 24/7.
fn parse_hours(text: &str) -> Result<guichet_core::policy::hours::OpeningHours, Failure> {
    text.parse()
        .map_err(|e: guichet_core::policy::hours::HoursParseError| Failure(e.to_string()))
}

async fn audit(g: &Guichet, cmd: AuditCommand, key_file_given: bool) -> Result<(), Failure> {
    let auditor = g.console_auditor(&operator())?;
    match cmd {
        AuditCommand::Verify => match auditor.verify_traces().await? {
            Ok(r) => {
                println!(
                    "chaîne de traces intègre : {} traces vérifiées après l'ancre {}, jusqu'à la tête {}",
                    r.records, r.anchor_seq, r.head_seq
                );
                Ok(())
            }
            Err(e) => Err(Failure(format!(
                "chaîne de traces rompue à la trace {} : {e}",
                e.seq()
            ))),
        },
        AuditCommand::Export { user, since } => {
            let filter = TraceFilter {
                identifiant: user,
                since: since.map(|d| {
                    guichet_core::policy::hours::paris_to_utc(d.and_time(chrono::NaiveTime::MIN))
                }),
                ..TraceFilter::default()
            };
            let mut out = std::io::stdout().lock();
            auditor
                .export_traces(&filter, |t| {
                    writeln!(out, "{}", serde_json::to_string(t).unwrap_or_default())
                })
                .await?;
            Ok(())
        }
        AuditCommand::InitKey { .. } => Ok(()), // handled before the database (`run`)
        AuditCommand::RotateKey { out } => {
            if !key_file_given {
                return Err(Failure(
                    "aucune clé de traces configurée (trace_key_file, GUICHET_TRACE_KEY_FILE) : rien à renouveler"
                        .into(),
                ));
            }
            if out.exists() {
                return Err(Failure(format!("{} existe déjà", out.display())));
            }
            let (keys, last) = auditor.rotate_trace_key().await?;
            write_trace_keys(&out, &keys)?;
            println!(
                "clé renouvelée après la trace {last} ; installez {} à la place du fichier de clé actuel, puis redémarrez les instances",
                out.display()
            );
            Ok(())
        }
        AuditCommand::Flags { since } => {
            let since =
                guichet_core::policy::hours::paris_to_utc(since.and_time(chrono::NaiveTime::MIN));
            for f in auditor.abuse_flags(since).await? {
                println!("{}", serde_json::to_string(&f).unwrap_or_default());
            }
            Ok(())
        }
    }
}

/// A service definition as an operator writes it: TOML, or JSON for a `.json` file. Unknown
/// keys are refused (a misspelt rule must not pass for "no rule").
fn read_service_definition(path: &std::path::Path) -> Result<ServiceDef, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("lecture de {} : {e}", path.display())))?;
    let parsed = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| Failure(format!("définition de service invalide : {e}")))
}
