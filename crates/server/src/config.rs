//! Configuration, in layers: defaults → TOML file (`--config`, `GUICHET_CONFIG`) →
//! `GUICHET_*` environment → command-line flags. Unknown keys in the file are refused.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use guichet_service::{ServiceConfig, TraceKeys};
use ipnet::IpNet;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    pub listen: Option<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// File holding the trace key (hex, mode 0600 or stricter): HMAC key of NIR digests and
    /// of the trace chain, held outside the database. Required on a real database; a
    /// synthetic one keeps its own key.
    pub trace_key_file: Option<PathBuf>,
    pub max_connections: Option<u32>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// Longest a request may take (seconds).
    pub request_timeout_secs: Option<u64>,
    /// Requests handled at once.
    pub max_concurrent_requests: Option<usize>,
    /// On SIGTERM or SIGINT, how long requests in flight may take to finish (seconds).
    pub shutdown_grace_secs: Option<u64>,
    pub service: ServiceConfig,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<Self, String> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("lecture de {} impossible : {e}", path.display()))?;
        toml::from_str(&text)
            .map_err(|e| format!("configuration {} invalide : {e}", path.display()))
    }
}

/// Parses trusted proxies: CIDR blocks, or single addresses (a /32 or /128).
pub fn parse_proxies(list: &[String]) -> Result<Vec<IpNet>, String> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("proxy de confiance invalide : « {s} » (adresse ou bloc CIDR attendu)")
                })
        })
        .collect()
}

/// Reads a trace key file (the current key in hex, then retired keys; see
/// `guichet_service::TraceKeys`), readable by its owner only (mode 0600 or stricter: the
/// key is what makes traces unforgeable and NIR digests irreversible).
pub fn read_trace_keys(path: &Path) -> Result<TraceKeys, String> {
    check_key_file_mode(path)?;
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| format!("clé de traces illisible ({}) : {e}", path.display()))?,
    );
    TraceKeys::parse(&text).map_err(|e| format!("{} : {e}", path.display()))
}

/// Writes a new key file, readable by its owner only, refusing to replace an existing file.
pub fn write_trace_keys(path: &Path, keys: &TraceKeys) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("écriture de {} impossible : {e}", path.display()))?;
    file.write_all(keys.to_file_text().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("écriture de {} impossible : {e}", path.display()))
}

#[cfg(unix)]
fn check_key_file_mode(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("clé de traces illisible ({}) : {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if !meta.is_file() || mode & 0o077 != 0 {
        return Err(format!(
            "clé de traces {} : droits {mode:03o} refusés ; elle doit être un fichier lisible \
             par son seul propriétaire (chmod 600)",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_key_file_mode(_path: &Path) -> Result<(), String> {
    Ok(()) // the server runs on Linux; elsewhere the file's ACL is the operator's care
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_layer_parses_and_refuses_unknown_keys() {
        let c: FileConfig = toml::from_str(
            "database = \"sqlite://x.db\"\nlisten = \"127.0.0.1:9000\"\n[service]\nlookups_per_minute = 5\n",
        )
        .unwrap();
        assert_eq!(c.service.lookups_per_minute, 5);
        assert_eq!(c.service.sign_ins_per_minute, 30, "defaults under the file");
        assert!(toml::from_str::<FileConfig>("databse = \"x\"").is_err());
        assert!(toml::from_str::<FileConfig>("[service]\nlookup_per_minute = 5").is_err());
    }

    #[test]
    fn trusted_proxies_parse_as_blocks_or_addresses() {
        let nets = parse_proxies(&["10.0.0.0/8".into(), "192.0.2.1".into(), "::1".into()]).unwrap();
        assert_eq!(nets.len(), 3);
        assert!(nets[1].contains(&"192.0.2.1".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_proxies(&["10.0.0.0/33".into()]).is_err());
        assert!(parse_proxies(&["proxy.example".into()]).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn trace_key_files_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("guichet-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trace.key");
        std::fs::write(&path, "00112233445566778899aabbccddeeff").unwrap();
        for (mode, ok) in [
            (0o600, true),
            (0o400, true),
            (0o640, false),
            (0o644, false),
            (0o606, false),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(read_trace_keys(&path).is_ok(), ok, "mode {mode:o}");
        }
        assert!(read_trace_keys(&path).unwrap_err().contains("chmod 600"));
        let fresh = dir.join("new.key");
        write_trace_keys(&fresh, &TraceKeys::generate()).unwrap();
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(read_trace_keys(&fresh).is_ok());
        assert!(
            write_trace_keys(&fresh, &TraceKeys::generate()).is_err(),
            "never overwritten"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
