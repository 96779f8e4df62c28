//! Configuration, in layers: defaults → TOML file (`--config`, `GUICHET_CONFIG`) →
//! `GUICHET_*` environment → command-line flags. Unknown keys in the file are refused.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use guichet_service::ServiceConfig;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    pub listen: Option<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// File holding the HMAC key of NIR digests in traces (hex). Without it, a key kept in
    /// the database is used.
    pub trace_key_file: Option<PathBuf>,
    pub max_connections: Option<u32>,
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

/// Reads a trace key file: hex, at least 16 bytes.
pub fn read_trace_key(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| format!("clé de traces illisible ({}) : {e}", path.display()))?,
    );
    let key =
        hex::decode(text.trim()).map_err(|_| "clé de traces : hexadécimal attendu".to_owned())?;
    if key.len() < 16 {
        return Err("clé de traces : 16 octets au moins".into());
    }
    Ok(zeroize::Zeroizing::new(key))
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
}
